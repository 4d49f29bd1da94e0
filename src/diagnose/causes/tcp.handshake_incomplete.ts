/**
 * tcp.handshake_incomplete: SYN-ACK seen but the handshake never completed
 */
import { defineCause, withVariants } from '../cause.js';
import { isTcp, outcome, tenths, type ConnRule } from '../outcome.js';
import { proof, RST, synEvidence, way } from '../evidence.js';
import { evidenceKind, limitKind } from '../words.js';
import { synSends } from './capture.ended_early.js';
import { interval } from '../../time.js';

const SYNACK_UNACKED = evidenceKind<Record<string, never>>('synack_unacked', {
  en: () => 'SYN-ACK, never acknowledged',
  zh: () => 'SYN-ACK，始终未被确认',
});

export const SYN_ONLY_CAPTURE = limitKind<Record<string, never>>('syn_only_capture', {
  en: () => 'the capture holds no TCP packet without the SYN flag (filtered to connection openings, or stopped right after them): the client\'s ACK would not be in it even if it was sent',
  zh: () => '抓包中没有任何不带 SYN 标志的 TCP 数据包（过滤只保留了连接建立的报文，或抓包随即停止）：即使客户端发出了 ACK 也不会出现在抓包中',
});

/**
 * Seconds a server waits for the ACK before it resends its SYN-ACK (Linux 1 s, RFC 6298 §2.1;
 * Windows and BSD 3 s), and a client for the SYN-ACK before it resends its SYN: a capture that
 * went on this long after the SYN-ACK with neither resent shows no handshake that failed.
 */
const SYNACK_RESEND_WAIT = 3;

/** A SYN-ACK that came this soon after the only SYN: the client had not waited for it long (seconds). */
const PROMPT_SYNACK = 1;

export const NOT_RESENT = limitKind<{ seconds: number }>('synack_not_resent', {
  en: (a) => `neither side sent again in the ${a.seconds} s the capture went on after the SYN-ACK (a server without the ACK resends its SYN-ACK, a client without the SYN-ACK resends its SYN): the ACK most likely went out and the capture missed it`,
  zh: (a) => `SYN-ACK 之后抓包又持续了 ${a.seconds} 秒，双方都没有重发（收不到 ACK 的服务器会重发 SYN-ACK，收不到 SYN-ACK 的客户端会重发 SYN）：ACK 很可能已经发出，只是抓包漏掉了`,
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
    // The client answered the SYN-ACK with a reset: the SYN-ACK reached its system, whose program
    // had already closed the socket. When the SYN-ACK came within a second of the only SYN, the
    // client gave up before any timeout of its own (a connection raced against others that another
    // won, one no longer needed): the server answered, the path works both ways (nDPI reddit.pcap,
    // whatsapp_login_call.pcap, webex.pcap). A reset after SYNs resent is a client that waited in
    // vain: the failure stands.
    const rst = c.rsts.find((r) => r.fromOrig && r.frame > c.synAckFrame);
    const first = c.synTimes[0] ?? c.start;
    const answeredIn = interval(c.synAckTime, first);
    if (rst && synSends(c) === 1 && answeredIn !== null && answeredIn < PROMPT_SYNACK) {
      o.severity = 'warning';
      o.evidence.push(proof(RST, rst.frame, rst.ts, way(c, true), { sender: 'client' }));
      o.details['clientReset'] = { frame: rst.frame, afterSeconds: micro(interval(rst.ts, first)) };
      o.facts['clientReset'] = true;
      return o;
    }
    if (rst && answeredIn !== null) {
      // The reset answers the SYN-ACK, so the SYN-ACK reached the client's system: nothing dropped
      // it on the way back. It came after the client had resent its SYN, or a second and more
      // after it: the program had stopped waiting (its connect timeout) before the answer came.
      // The failure stands, but its story is a slow answer, not a lost one.
      o.evidence.push(proof(RST, rst.frame, rst.ts, way(c, true), { sender: 'client' }));
      const sends = synSends(c);
      o.details['clientReset'] = { frame: rst.frame, afterSeconds: micro(interval(rst.ts, first)) };
      o.details['synAckAfterSeconds'] = micro(answeredIn);
      o.facts['lateAnswer'] = true;
      o.facts['answeredAfter'] = tenths(answeredIn) ?? 0;
      o.facts['synCount'] = sends;
      return o;
    }
    if (!resent && ctx.nonSynSeen !== undefined && !ctx.nonSynSeen()) {
      o.severity = 'warning';
      o.details['synOnlyCapture'] = true;
      o.limits.push(SYN_ONLY_CAPTURE.of({}));
      return o;
    }
    // Nothing resent, no reset, and the capture went on long enough for a resend: the server had
    // its ACK (nDPI sites.pcapng: flows cut to their first packets).
    const watched = interval(ctx.captureEnd, c.synAckTime);
    if (!resent && c.rsts.length === 0 && watched !== null && watched >= SYNACK_RESEND_WAIT) {
      o.severity = 'warning';
      o.details['synAckNotResent'] = true;
      o.facts['notResent'] = true;
      o.limits.push(NOT_RESENT.of({ seconds: tenths(watched) ?? SYNACK_RESEND_WAIT }));
    }
    return o;
  },
};

/** Seconds to the microsecond. */
const micro = (x: number | null): number | null => (x === null ? null : Math.round(x * 1e6) / 1e6);

/** The client reset the connection on the SYN-ACK, having given up on it before. */
const CLIENT_RESET = {
  en: {
    summary: '{target}: the client reset the connection when the SYN-ACK came: it had already given up on it ({ip} answered)',
    explanation:
      '{ip} answered the SYN with a SYN-ACK within a second, and the client answered that with a reset instead of the final ACK: its program had already closed the socket, before any timeout of its own (a connection raced against others that another won, or one it no longer needed). The SYN-ACK reached the client\'s system, so the path works both ways: nothing here shows a failure of {ip} or of the network.',
    advice: [
      'Nothing to fix if the client opened several connections at once (Happy Eyeballs across IPv6 and IPv4, a browser\'s preconnect, an app trying several servers) and kept another.',
      'If the program reports a connection failure at that time, check its connect timeout: it gave up within a second.',
    ],
  },
  zh: {
    summary: '{target}：SYN-ACK 到达时客户端重置了连接：它此前已经放弃了这个连接（{ip} 作了应答）',
    explanation:
      '{ip} 在一秒之内用 SYN-ACK 回应了 SYN，而客户端回复的是重置而不是最后的 ACK：它的程序在自身任何超时之前就已经关闭了套接字（与其他连接竞速而另一个胜出，或不再需要这个连接）。SYN-ACK 到达了客户端系统，说明双向路径都是通的：这里没有任何证据表明 {ip} 或网络出了故障。',
    advice: [
      '如果客户端同时发起了多个连接（IPv6 与 IPv4 之间的 Happy Eyeballs、浏览器的预连接、应用尝试多台服务器）并保留了另一个，则无需修复。',
      '如果程序在那时报告了连接失败，检查它的连接超时：它在一秒之内就放弃了。',
    ],
  },
} as const;

/** The client reset a SYN-ACK that came after it had stopped waiting: a slow answer, not a lost one. */
const LATE_ANSWER = {
  en: {
    summary: '{target}: the SYN-ACK came {answeredAfter} s after the first SYN, too late: the client had given up and reset it',
    explanation:
      'The client sent its SYN to {ip} port {port} ({synCount} sent in all); the SYN-ACK came only {answeredAfter} s after the first, and the client answered it with a reset instead of the final ACK. The reset shows the SYN-ACK reached the client\'s system, so the path works both ways: the program had stopped waiting and closed the socket (its connect timeout) before the answer came. The connection failed because the answer was slow: a server whose listen queue was full (it drops SYNs and answers a later copy), a loaded server, a slow path, or the server\'s first SYN-ACKs lost on the way back (it resends them after 1 s, 3 s, …); the program saw a connection timeout.',
    advice: [
      'On {ip}, check the listen queue and SYN drops: `ss -ltn` (Recv-Q at the backlog), `nstat -az TcpExtListenOverflows TcpExtListenDrops`; raise the backlog (net.core.somaxconn, the program\'s listen()) or add capacity.',
      'Check the path both ways: `ping {ip}`, `mtr -n {ip}` for delay and loss; a firewall or NAT on the way back dropping SYN-ACKs for a while (a connection-tracking table full, a rule) lets only a later retransmission through.',
      'Check the client\'s connect timeout: it gave up within {answeredAfter} s of the first SYN; a longer timeout, or a retry, would have connected.',
    ],
  },
  zh: {
    summary: '{target}：SYN-ACK 在第一个 SYN 之后 {answeredAfter} 秒才到达，为时已晚：客户端已经放弃并重置了它',
    explanation:
      '客户端向 {ip} 端口 {port} 发送了 {synCount} 个 SYN；SYN-ACK 在第一个 SYN 之后 {answeredAfter} 秒才到达，客户端回复的是重置而不是最后的 ACK。这个重置说明 SYN-ACK 到达了客户端系统，双向路径都是通的：是程序在应答到来之前已经停止等待并关闭了套接字（它的连接超时）。连接失败是因为应答太慢：服务器的监听队列已满（丢弃 SYN，只应答后来的重发）、服务器负载过高、路径很慢，或服务器最初的 SYN-ACK 在回程中丢失（它会在 1 秒、3 秒……后重发）；程序看到的是连接超时。',
    advice: [
      '在 {ip} 上检查监听队列和 SYN 丢弃：`ss -ltn`（Recv-Q 达到 backlog 上限）、`nstat -az TcpExtListenOverflows TcpExtListenDrops`；调大 backlog（net.core.somaxconn、程序的 listen()）或扩容。',
      '双向检查路径：用 `ping {ip}`、`mtr -n {ip}` 查看时延和丢包；回程上的防火墙或 NAT 在一段时间内丢弃 SYN-ACK（连接跟踪表已满、某条规则），只会让之后的重发通过。',
      '检查客户端的连接超时：它在第一个 SYN 之后 {answeredAfter} 秒内就放弃了；更长的超时或重试本可以连上。',
    ],
  },
} as const;

/** Nothing resent after the SYN-ACK while the capture went on: the ACK most likely went out unseen. */
const NOT_RESENT_WORDS = {
  en: {
    summary: '{target}: the server answered SYN-ACK; the capture lacks the client\'s ACK, but nothing shows the handshake failed',
    explanation:
      '{ip} answered the SYN with a SYN-ACK. The client\'s ACK is not in the capture, yet neither side sent again while the capture went on: a server that gets no ACK resends its SYN-ACK within 1 to 3 s, and a client that gets no SYN-ACK resends its SYN. The ACK most likely went out and the capture missed it (a capture cut to the first packets of each connection, a mirror port that drops packets).',
    advice: [
      'Capture again without a filter on TCP flags or packet counts (for example `tcpdump -i any -w out.pcap host {ip}`) to see the whole connection.',
    ],
  },
  zh: {
    summary: '{target}：服务器回复了 SYN-ACK；抓包中缺少客户端的 ACK，但没有任何证据表明三次握手失败',
    explanation:
      '{ip} 用 SYN-ACK 回应了 SYN。抓包中没有客户端的 ACK，但在抓包持续期间双方都没有重发：收不到 ACK 的服务器会在 1 到 3 秒内重发 SYN-ACK，收不到 SYN-ACK 的客户端会重发 SYN。ACK 很可能已经发出，只是抓包漏掉了（抓包只截取了每个连接的前几个数据包，或镜像端口丢包）。',
    advice: [
      '去掉对 TCP 标志或数据包数量的限制重新抓包（例如 `tcpdump -i any -w out.pcap host {ip}`），以看到完整的连接。',
    ],
  },
} as const;

const CAUSE = defineCause({
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

export default withVariants(CAUSE, { clientReset: CLIENT_RESET, lateAnswer: LATE_ANSWER, notResent: NOT_RESENT_WORDS },
  (v) => (v.facts['clientReset'] === true ? 'clientReset' : v.facts['lateAnswer'] === true ? 'lateAnswer' : v.facts['notResent'] === true ? 'notResent' : null));
