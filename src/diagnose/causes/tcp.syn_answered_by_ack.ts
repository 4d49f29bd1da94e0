/**
 * tcp.syn_answered_by_ack: the SYN was answered with a bare ACK (no SYN-ACK): the server, or a
 * stateful device in front of it, still holds another connection on the same addresses and ports
 */
import { defineCause } from '../cause.js';
import { isTcp, noSynAck, outcome, rstTakenInSynSent, type ConnRule } from '../outcome.js';
import { RST, proof, synEvidence, way } from '../evidence.js';
import { evidenceKind } from '../words.js';

const ACK_TO_SYN = evidenceKind<Record<string, never>>('ack_to_syn', {
  en: () => 'ACK in reply to the SYN, not a SYN-ACK: the connection is not accepted',
  zh: () => '以 ACK 而不是 SYN-ACK 回应该 SYN：连接未被接受',
}, { en: () => 'ACK, no SYN-ACK', zh: () => 'ACK，无 SYN-ACK' });

/**
 * The SYN (and its retransmissions) answered by ACKs only, never a SYN-ACK, the client resetting
 * what they answered and never going on as if connected. A TCP stack answers a SYN so when it holds a synchronized connection on
 * the same four-tuple (RFC 5961 §4 challenge ACK; RFC 9293 §3.10.7.4): an old one it did not see
 * end, or a NAT gateway that gave the same public port to another client. The client, in
 * SYN-SENT, resets it (RFC 9293 §3.10.7.3) and tries again. Before this rule such an attempt had
 * no failure rule and read "worked at every layer seen".
 */
const SYN_ACKED: ConnRule = {
  on: 'conn',
  rank: 28,
  produces: ['tcp.syn_answered_by_ack'],
  run(f) {
    if (!isTcp(f)) return null;
    const c = f.conn;
    if (!noSynAck(c) || c.bareAckFrame === 0) return null;
    // A RST the client's stack took refused the SYN: tcp.refused.
    if (c.rsts.some((r) => !r.fromOrig && rstTakenInSynSent(c, r))) return null;
    // No data either way, and the client sent nothing but its SYNs and resets: a SYN-ACK the
    // capture missed would show as the client's ACK or data.
    if (c.resp.payloadBytes > 0 || c.orig.payloadBytes > c.synLen * c.synDataSends) return null;
    let clientRsts = 0;
    for (const r of c.rsts) if (r.fromOrig) clientRsts++;
    if (c.orig.pkts > c.synFrames.length + clientRsts) return null;
    // The client reset what the ACK answered (RFC 9293 §3.10.7.3: an ACK of anything but its SYN,
    // in SYN-SENT): it took the ACK as a refusal of its SYN. Without that reset the ACK may have
    // acknowledged the SYN itself, and the responder's own SYN may follow (a split handshake, a
    // simultaneous open: suricata-verify tcp-split-handshake): the connection may still open.
    const reset = c.rsts.find((r) => r.fromOrig && r.frame > c.bareAckFrame);
    if (reset === undefined) return null;
    const ev = [...synEvidence(c).slice(0, 1), proof(ACK_TO_SYN, c.bareAckFrame, c.bareAckTime, way(c, false), {}),
      proof(RST, reset.frame, reset.ts, way(c, true), { sender: 'client' })];
    const o = outcome('tcp.syn_answered_by_ack', ev, { synAttempts: c.synFrames.length });
    o.attempts = c.synFrames.length;
    return o;
  },
};

export default defineCause({
  code: 'tcp.syn_answered_by_ack',
  layer: 'tcp',
  severity: 'error',
  live: 'timeout',
  rules: [SYN_ACKED],
  words: {
    en: {
      summary: '{target}: the SYN was answered with an ACK, not a SYN-ACK: the connection was not opened',
      explanation:
        '{ip} (or a firewall, load balancer or NAT in front of it) answered the client\'s SYN to port {port} with a bare ACK instead of a SYN-ACK. A TCP stack answers a SYN so when it still holds an open connection on the same addresses and ports (a challenge ACK, RFC 5961): an old connection it did not see end, or a NAT gateway that handed the same public address and port to another client. The client resets that state and tries again; here the connection was never opened.',
      advice: [
        'On {ip}, look for an old connection from the client\'s address and port: `ss -tan \'( sport = :{port} )\'` (ESTABLISHED, CLOSE-WAIT or TIME-WAIT entries of that pair).',
        'If a NAT gateway, firewall or load balancer is in between, check its connection table for the pair (`conntrack -L -p tcp --dport {port}`) and its port-allocation and idle-timeout settings: a public port reused while the far end still holds the old connection.',
        'On the client, check whether it reuses source ports quickly (a fixed `bind()` port, a small ephemeral range: `sysctl net.ipv4.ip_local_port_range`).',
      ],
    },
    zh: {
      summary: '{target}：SYN 得到的是 ACK 而不是 SYN-ACK：连接没有建立',
      explanation:
        '{ip}（或其前面的防火墙、负载均衡或 NAT）用一个单纯的 ACK 而不是 SYN-ACK 回应了客户端发往端口 {port} 的 SYN。当 TCP 协议栈在相同的地址和端口上仍保留着一个打开的连接时，就会这样回应 SYN（挑战 ACK，RFC 5961）：可能是它没有看到结束的旧连接，也可能是 NAT 网关把同一个公网地址和端口分配给了另一个客户端。客户端会重置该状态并重试；这里连接始终没有建立。',
      advice: [
        '在 {ip} 上查找来自该客户端地址和端口的旧连接：`ss -tan \'( sport = :{port} )\'`（该地址端口对的 ESTABLISHED、CLOSE-WAIT 或 TIME-WAIT 条目）。',
        '如果中间有 NAT 网关、防火墙或负载均衡，检查其连接表中的该地址端口对（`conntrack -L -p tcp --dport {port}`）以及端口分配和空闲超时设置：对端仍保留旧连接时，公网端口被再次使用。',
        '在客户端上检查是否很快重用源端口（固定 `bind()` 的端口、过小的临时端口范围：`sysctl net.ipv4.ip_local_port_range`）。',
      ],
    },
  },
});
