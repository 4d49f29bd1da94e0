/**
 * tcp.handshake_incomplete: SYN-ACK seen but the handshake never completed
 */
import { defineCause } from '../cause.js';
import { isTcp, outcome, type ConnRule } from '../outcome.js';
import { proof, synEvidence, way } from '../evidence.js';
import { evidenceKind, limitKind } from '../words.js';

const SYNACK_UNACKED = evidenceKind<Record<string, never>>('synack_unacked', {
  en: () => 'SYN-ACK, never acknowledged',
  zh: () => 'SYN-ACK，始终未被确认',
});

export const SYN_ONLY_CAPTURE = limitKind<Record<string, never>>('syn_only_capture', {
  en: () => 'the capture holds no TCP packet without the SYN flag (filtered to connection openings, or stopped right after them): the client\'s ACK would not be in it even if it was sent',
  zh: () => '抓包中没有任何不带 SYN 标志的 TCP 数据包（过滤只保留了连接建立的报文，或抓包随即停止）：即使客户端发出了 ACK 也不会出现在抓包中',
});

const INCOMPLETE: ConnRule = {
  on: 'conn',
  rank: 40,
  produces: ['tcp.handshake_incomplete'],
  run(f, ctx) {
    if (!isTcp(f)) return null;
    const c = f.conn;
    // Only when the client's side was captured: in a one-sided capture the ACK is simply not there.
    if (c.synAckFrame === 0 || c.ackFrame !== 0 || c.dataFrames.orig !== 0 || c.synFrames.length === 0 || c.dataFrames.resp !== 0) return null;
    const o = outcome('tcp.handshake_incomplete', [...synEvidence(c).slice(0, 1), proof(SYNACK_UNACKED, c.synAckFrame, c.synAckTime, way(c, false), {})]);
    // The missing ACK proves something only where the capture would show it. A resent SYN-ACK (the
    // server never got the ACK) or a SYN resent after it (the client never got the SYN-ACK)
    // proves it; else a capture that so far holds no TCP segment without SYN was filtered to
    // connection openings, and cannot tell.
    const resent = c.synAcks > 1 || c.synFrames.some((x) => x > c.synAckFrame);
    if (!resent && ctx.nonSynSeen !== undefined && !ctx.nonSynSeen()) {
      o.severity = 'warning';
      o.details['synOnlyCapture'] = true;
      o.limits.push(SYN_ONLY_CAPTURE.of({}));
    }
    return o;
  },
};

export default defineCause({
  code: 'tcp.handshake_incomplete',
  layer: 'tcp',
  severity: 'error',
  live: 'end',
  rules: [INCOMPLETE],
  // A capture filtered to connection openings: the SYN-ACK is seen, the rest cannot be.
  warning: {
    en: {
      summary: '{target}: the server answered SYN-ACK; the capture cannot show whether the handshake completed',
      explanation:
        '{ip} answered the SYN with a SYN-ACK. The capture holds no TCP packet without the SYN flag at all: it was filtered to connection openings (a filter such as `tcp[tcpflags] & tcp-syn != 0`), or it stopped right after them. The client\'s ACK and everything after it would not be in it. Nothing here shows that the connection failed.',
      advice: [
        'Capture again without a filter on TCP flags (for example `tcpdump -i any -w out.pcap host {ip}`) to see whether the handshake completed.',
      ],
    },
    zh: {
      summary: '{target}：服务器回复了 SYN-ACK；抓包无法说明三次握手是否完成',
      explanation:
        '{ip} 用 SYN-ACK 回应了 SYN。抓包中完全没有不带 SYN 标志的 TCP 数据包，说明抓包时过滤只保留了连接建立的报文（例如 `tcp[tcpflags] & tcp-syn != 0`），或者抓包在这些报文之后立即停止了。客户端的 ACK 及之后的报文都不会出现在抓包中。这里没有任何证据表明连接失败。',
      advice: [
        '去掉对 TCP 标志的过滤重新抓包（例如 `tcpdump -i any -w out.pcap host {ip}`），看三次握手是否完成。',
      ],
    },
  },
  words: {
    en: {
      summary: '{target}: the server answered SYN-ACK but the handshake never completed',
      explanation:
        '{ip} answered the SYN with a SYN-ACK, but the client\'s final ACK did not follow. Either the SYN-ACK never reached the client program (asymmetric routing, a firewall dropping the reply direction or not tracking the connection), or the client gave up. If this capture was taken on the client and shows the SYN-ACK, the client host itself dropped it.',
      advice: [
        'Check the client\'s firewall for the reply direction: `iptables -L -n` (INPUT rules, connection tracking state), `firewall-cmd --list-all`.',
        'Check for asymmetric routing: replies arriving on another interface than the SYN left (`ip route get {ip}`, `sysctl net.ipv4.conf.all.rp_filter`).',
        'Check stateful firewalls and NAT on the path: a full connection-tracking table (`conntrack -S`, /proc/net/nf_conntrack).',
        'If the server keeps resending its SYN-ACK, check the server\'s listen backlog and SYN flood protection (`ss -ltn` Recv-Q on the server).',
      ],
    },
    zh: {
      summary: '{target}：服务器回复了 SYN-ACK，但三次握手未能完成',
      explanation:
        '{ip} 用 SYN-ACK 回应了 SYN，但客户端没有发出最后的 ACK。要么 SYN-ACK 没有到达客户端程序（非对称路由、防火墙丢弃了回程方向或没有跟踪该连接），要么客户端放弃了。如果本次抓包是在客户端上进行且能看到 SYN-ACK，说明是客户端主机自己丢弃了它。',
      advice: [
        '检查客户端防火墙对回程方向的处理：`iptables -L -n`（INPUT 规则、连接跟踪状态）、`firewall-cmd --list-all`。',
        '检查是否存在非对称路由：回包从与 SYN 发出不同的网卡进入（`ip route get {ip}`、`sysctl net.ipv4.conf.all.rp_filter`）。',
        '检查路径上的有状态防火墙和 NAT：连接跟踪表是否已满（`conntrack -S`、/proc/net/nf_conntrack）。',
        '如果服务器不断重发 SYN-ACK，检查服务器的监听队列和 SYN Flood 防护（在服务器上查看 `ss -ltn` 的 Recv-Q）。',
      ],
    },
  },
});
