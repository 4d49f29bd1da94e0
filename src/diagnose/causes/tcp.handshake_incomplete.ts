/**
 * tcp.handshake_incomplete: SYN-ACK seen but the handshake never completed
 */
import { defineCause } from '../cause.js';
import { isTcp, outcome, type ConnRule } from '../outcome.js';
import { proof, synEvidence, way } from '../evidence.js';
import { evidenceKind } from '../words.js';

const SYNACK_UNACKED = evidenceKind<Record<string, never>>('synack_unacked', {
  en: () => 'SYN-ACK, never acknowledged',
  zh: () => 'SYN-ACK，始终未被确认',
});

const INCOMPLETE: ConnRule = {
  on: 'conn',
  rank: 40,
  produces: ['tcp.handshake_incomplete'],
  run(f) {
    if (!isTcp(f)) return null;
    const c = f.conn;
    // Only when the client's side was captured: in a one-sided capture the ACK is simply not there.
    if (c.synAckFrame === 0 || c.ackFrame !== 0 || c.dataFrames.orig !== 0 || c.synFrames.length === 0 || c.dataFrames.resp !== 0) return null;
    return outcome('tcp.handshake_incomplete', [...synEvidence(c).slice(0, 1), proof(SYNACK_UNACKED, c.synAckFrame, c.synAckTime, way(c, false), {})]);
  },
};

export default defineCause({
  code: 'tcp.handshake_incomplete',
  layer: 'tcp',
  severity: 'error',
  live: 'end',
  rules: [INCOMPLETE],
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
