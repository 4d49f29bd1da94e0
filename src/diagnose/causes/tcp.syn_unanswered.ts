/**
 * tcp.syn_unanswered: SYN and its retransmissions got no reply (Zeek S0)
 */
import { defineCause, reworded, withVariants } from '../cause.js';
import { isTcp, noSynAck, outcome, rstTakenInSynSent, tenths, type ConnRule, type Outcome } from '../outcome.js';
import { proof, synEvidence, way } from '../evidence.js';
import { synSends, WAIT } from './capture.ended_early.js';
import type { Lang } from '../../lang.js';
import type { Verdict } from '../verdict.js';
import type { TcpConn, TcpControl } from '../../track/tcp.js';
import { evidenceKind, limitKind, MISSING, type Vars } from '../words.js';
import { interval } from '../../time.js';

const SYN_UNANSWERED: ConnRule = {
  on: 'conn',
  rank: 30,
  produces: ['tcp.syn_unanswered'],
  run(f, ctx) {
    if (!isTcp(f)) return null;
    const c = f.conn;
    // 'No reply at all': not when the server sent anything (a bare ACK in answer to a SYN is a
    // reply), but for RSTs the client's stack drops in SYN-SENT (RFC 9293 §3.10.7.3: no ACK bit, or
    // an ACK of something else than the SYN): they refuse nothing, and the SYN is still unanswered.
    if (!noSynAck(c)) return null;
    const drops = droppedRsts(c);
    if (drops === null) return null;
    const dropped = drops.count;
    const firstDropped = drops.first;
    const first = c.synTimes[0] ?? c.start;
    const last = c.synTimes[c.synTimes.length - 1] ?? first;
    // (A capture that stopped before the first retransmission was due: capture.ended_early, rank 25.)
    const sends = synSends(c);
    const o = outcome('tcp.syn_unanswered', synEvidence(c), { syns: sends, clientAborted: c.rsts.some((r) => r.fromOrig) },
      // An attempt let go at the attempt cap (a scan: flow.ts maxAttempts): its retries, if any,
      // would be another connection, so "not sent again" is not claimed of it.
      { attempts: sends, seconds: tenths(interval(Math.max(last, c.end), first)), ...(c.finishReason === 'evicted' ? {} : { waited: tenths(interval(ctx.captureEnd, last)) }) });
    o.attempts = sends;
    // A signed SYN (TCP MD5, TCP-AO): a peer without the same key drops it without a word.
    if (c.synAuth !== 0) o.details['tcpAuth'] = c.synAuth === 19 ? 'md5' : 'ao';
    if (firstDropped !== undefined) {
      o.details['ignoredRsts'] = ignoredRstsDetail(dropped, firstDropped);
      o.facts['rstFrame'] = firstDropped.frame;
      o.evidence.push(proof(IGNORED_RST, firstDropped.frame, firstDropped.ts, way(c, false), { hasAck: firstDropped.hasAck }));
      o.evidence.sort((a, b) => a.frame - b.frame);
    }
    // The client reset its own attempt before a retransmission was due (a program's own timeout
    // of under a second, a scanner): its silence says nothing about the path or the server.
    const abort = c.rsts.find((r) => r.fromOrig);
    const gaveUp = abort !== undefined ? interval(abort.ts, first) : null;
    if (sends === 1 && gaveUp !== null && gaveUp < WAIT.syn) {
      o.severity = 'warning';
      o.limits.push(GAVE_UP_AT_ONCE.of({ ms: Math.round(gaveUp * 1e5) / 100 }));
    }
    return o;
  },
};

/**
 * The server's side's packets to a SYN never answered by a SYN-ACK, when all are RSTs the client's
 * stack drops in SYN-SENT (RFC 9293 §3.10.7.3): how many, and the first (undefined: none came).
 * Null when the server's side sent anything else, or a RST the client takes.
 */
export function droppedRsts(c: TcpConn): { count: number; first: TcpControl | undefined } | null {
  let count = 0;
  let first: TcpControl | undefined;
  for (const r of c.rsts) {
    if (r.fromOrig) continue;
    if (rstTakenInSynSent(c, r)) return null;
    count++;
    first ??= r;
  }
  return c.resp.pkts > count ? null : { count, first };
}

/** Details of the RSTs a SYN's client dropped (details.ignoredRsts). */
export function ignoredRstsDetail(count: number, first: TcpControl): Record<string, unknown> {
  return { count, firstFrame: first.frame, hasAck: first.hasAck };
}

/** A RST the client's stack drops in SYN-SENT (RFC 9293 §3.10.7.3). */
export const IGNORED_RST = evidenceKind<{ hasAck: boolean }>('rst_ignored', {
  en: (a) => (a.hasAck ? 'RST whose ACK is not of the SYN (the client drops it)' : 'RST without ACK (the client drops it)'),
  zh: (a) => (a.hasAck ? 'ACK 不是确认该 SYN 的 RST（客户端会丢弃它）' : '不带 ACK 的 RST（客户端会丢弃它）'),
}, { en: () => 'RST (dropped)', zh: () => 'RST（被丢弃）' });

export const GAVE_UP_AT_ONCE = limitKind<{ ms: number }>('client_gave_up_at_once', {
  en: (a) => `the client reset its own attempt ${a.ms} ms after the SYN`,
  zh: (a) => `客户端在发出 SYN ${a.ms} 毫秒后就自己重置了这次尝试`,
});

/**
 * A lone SYN the capture stopped too soon to judge (capture.ended_early), which the client left for
 * another address of the same name while it was unanswered (Happy Eyeballs: diagnose.ts): no
 * answer in the time the client allowed it. `leftAfter`: seconds from the SYN to the other attempt.
 */
export function synLeftUnanswered(ended: Outcome, leftAfter: number): Outcome {
  const o = outcome('tcp.syn_unanswered', ended.evidence, { syns: 1, leftForOtherAddressAfterSeconds: Math.round(leftAfter * 1e6) / 1e6 }, { attempts: 1, seconds: 0 });
  o.attempts = 1;
  return o;
}

/**
 * '3 SYNs over 3.1 s'; a single SYN says so instead of 'over 0 s', and a note says what a SYN
 * never sent again means (a kernel retransmits an unanswered SYN after 1 s, RFC 6298 §2.1).
 */
function synVars(v: Verdict, lang: Lang): Vars {
  // The SYNs of the decisive connection (a verdict over several connections counts connections).
  const n = typeof v.facts['attempts'] === 'number' ? v.facts['attempts'] : v.attempts;
  const seconds = v.facts['seconds'] ?? MISSING;
  const waited = v.facts['waited'] ?? MISSING;
  // Null: the span or the wait is unknown (the capture's clock stepped back: time.ts `interval`).
  const spanKnown = v.facts['seconds'] !== null;
  const auth = v.details['tcpAuth'];
  const tcpAuthText = auth === 'md5' ? 'TCP MD5 (RFC 2385)' : auth === 'ao' ? 'TCP-AO (RFC 5925)' : '';
  return { ...synCounts(lang, n, seconds, waited, spanKnown), tcpAuthText };
}

/** The SYNs as the words count them, and the note on a SYN never sent again. */
function synCounts(lang: Lang, n: number, seconds: unknown, waited: unknown, spanKnown: boolean): Vars {
  if (n === 1 && waited === MISSING) return { synsText: lang === 'zh' ? '1 个 SYN' : '1 SYN', retryNote: '' };
  if (lang === 'zh') {
    return n === 1
      ? { synsText: '只有 1 个 SYN', retryNote: `客户端没有重发这个 SYN，而抓包又持续了 ${waited} 秒：内核会在 1 秒后重传没有应答的 SYN，所以这是扫描器，或是立即放弃的程序。` }
      : { synsText: spanKnown ? `${seconds} 秒内发送 ${n} 个 SYN` : `发送 ${n} 个 SYN`, retryNote: '' };
  }
  return n === 1
    ? { synsText: '1 SYN, not sent again', retryNote: ` The client never sent the SYN again although the capture went on for ${waited} s: a kernel retransmits an unanswered SYN after 1 s, so this was a scanner or a program that gave up at once.` }
    : { synsText: spanKnown ? `${n} SYNs over ${seconds} s` : `${n} SYNs`, retryNote: '' };
}

const CAUSE = defineCause({
  code: 'tcp.syn_unanswered',
  layer: 'tcp',
  severity: 'error',
  live: 'timeout',
  rules: [SYN_UNANSWERED],
  vars: (v, lang) => synVars(v, lang),
  // The client reset its attempt before an answer could be expected (GAVE_UP_AT_ONCE).
  warning: {
    en: {
      summary: '{target}: the client gave up its connection attempt at once ({synsText})',
      explanation:
        'The client sent a SYN to {ip} port {port} and reset its own attempt before an answer could be expected or the SYN would be sent again. Nothing in the capture shows that packets were dropped: the client did not wait.',
      advice: [
        'Check the client program\'s connect timeout: under a round trip to {ip} it gives up before any server could answer.',
        'A scanner or a health check that probes and resets at once looks the same: find which program sent it (`ss -tp`, the program\'s log).',
      ],
    },
    zh: {
      summary: '{target}：客户端立即放弃了连接尝试（{synsText}）',
      explanation:
        '客户端向 {ip} 端口 {port} 发出 SYN 后，在可以预期应答或重传 SYN 之前就自己重置了这次尝试。抓包中没有任何证据表明数据包被丢弃：客户端根本没有等待。',
      advice: [
        '检查客户端程序的连接超时：如果短于到 {ip} 的往返时间，任何服务器都来不及应答它就放弃了。',
        '立即探测并重置的扫描器或健康检查看起来也是这样：找出是哪个程序发出的（`ss -tp`、程序日志）。',
      ],
    },
  },
  words: {
    en: {
      summary: '{target}: no reply to the connection attempt ({synsText})',
      explanation:
        'The client\'s connection attempt to {ip} port {port} ({synsText}) saw no reply at all — no SYN-ACK, no RST, no ICMP error.{retryNote} Something dropped the packets silently: a firewall or security group, a wrong route, or a host that is down. A capture on the client cannot tell at which hop, or in which direction, they were lost.',
      advice: [
        'Cloud security group, the most common cause: check the client\'s security group outbound rules allow TCP {port} to {ip}, and the server\'s security group inbound rules (and network ACLs) allow the client.',
        'The client\'s host firewall: `iptables -L -n`, `firewall-cmd --list-all` (a DROP rule for outbound traffic).',
        'Routes: `ip route get {ip}`; in a VPC the subnet route table needs 0.0.0.0/0 to an internet gateway, or to a NAT gateway with an elastic IP for private subnets.',
        'A proxy may be required to reach the outside: `env | grep -i proxy` (http_proxy, https_proxy, no_proxy), and does the program use it?',
        'The server\'s own firewall, or the server blocking your address: run `nc -zv {host} {port}` from another network and compare.',
        'Check the server is up and listening: `ss -ltnp` on the server.',
      ],
    },
    zh: {
      summary: '{target}：连接请求没有任何回应（{synsText}）',
      explanation:
        '客户端向 {ip} 端口 {port} 的连接请求（{synsText}）没有收到任何回应——没有 SYN-ACK、没有 RST，也没有 ICMP 差错。{retryNote}数据包被悄悄丢弃了：防火墙或安全组、错误的路由，或主机已宕机。在客户端抓包无法判断在哪一跳、哪个方向上丢失。',
      advice: [
        '云平台安全组，最常见的原因：检查客户端所属安全组的出站规则是否放行了到 {ip} 的 TCP {port}，以及服务器安全组的入站规则（和网络 ACL）是否允许该客户端。',
        '客户端本机防火墙：`iptables -L -n`、`firewall-cmd --list-all`（是否有针对出站流量的 DROP 规则）。',
        '路由：`ip route get {ip}`；在 VPC 中，子网路由表需要有 0.0.0.0/0 指向互联网网关，私有子网则需指向已绑定弹性 IP 的 NAT 网关。',
        '访问外网可能必须经过代理：`env | grep -i proxy`（http_proxy、https_proxy、no_proxy），并确认程序是否使用了代理。',
        '目标服务器自身的防火墙，或服务器封禁了你的 IP：从其他网络环境执行 `nc -zv {host} {port}` 进行对比。',
        '检查服务器是否在运行并监听端口：在服务器上执行 `ss -ltnp`。',
      ],
    },
  },
});

/** Said when the SYN's only answers were RSTs the client's stack drops (details.ignoredRsts). */
const RST_IGNORED = {
  summary: {
    en: '{target}: no reply the client could take to the connection attempt ({synsText}); a RST came that its stack drops',
    zh: '{target}：连接请求没有得到客户端可以接受的回应（{synsText}）；收到的 RST 会被客户端协议栈丢弃',
  },
  explanation: {
    en: 'The client\'s connection attempt to {ip} port {port} ({synsText}) got no SYN-ACK. A RST came from {ip}\'s side (frame {rstFrame}) that does not acknowledge the SYN; a TCP stack waiting for its SYN to be answered drops such a RST (RFC 9293 §3.10.7.3), so it refused nothing and the client went on waiting.{retryNote} A RST like this is most often sent by a device on the path (a firewall or an intrusion prevention system that forges resets), not by the server\'s own stack. Apart from it the SYN met silence: a firewall or security group, a wrong route, or a host that is down.',
    zh: '客户端向 {ip} 端口 {port} 的连接请求（{synsText}）没有收到 SYN-ACK。来自 {ip} 一侧的 RST（第 {rstFrame} 帧）没有确认该 SYN；正在等待 SYN 应答的 TCP 协议栈会丢弃这样的 RST（RFC 9293 §3.10.7.3），所以它并没有拒绝连接，客户端继续等待。{retryNote}这样的 RST 通常是路径上的设备（伪造重置的防火墙或入侵防御系统）发出的，而不是服务器自己的协议栈。除此之外 SYN 没有得到任何回应：防火墙或安全组、错误的路由，或主机已宕机。',
  },
};

/**
 * Said when the capture is shown to miss packets sent to the client (another TCP connection of
 * it holds only its own side: diagnose.ts `silence`): the SYN-ACK may have come unseen.
 */
const MISSES_CLIENT_WORDS = {
  en: {
    summary: '{target}: no reply seen to the connection attempt ({synsText}); the capture misses packets toward the client',
    explanation:
      'The client\'s connection attempt to {ip} port {port} ({synsText}) has no reply in the capture: no SYN-ACK, no RST, no ICMP error. But the capture is shown to miss packets sent to {client}: another TCP connection of it holds only the client\'s side, while the client\'s own packets acknowledge the other side. A reply to this SYN may have come without being captured, so the capture does not show the server silent.',
    advice: [
      'Capture again on the client itself (`tcpdump -i any host {ip}`), or on a link that carries both directions, and look for the SYN-ACK.',
      'Check the capture filter (a filter on the source address, `src host ...`, keeps one direction only) and the routing: with asymmetric routing the replies come back another way.',
      'Should a capture of both directions still show no reply, it is an unanswered SYN: try `nc -zv {host} {port}` from another network, and check the security groups and firewalls on the way.',
    ],
  },
  zh: {
    summary: '{target}：抓包中看不到连接请求的回应（{synsText}）；抓包缺少发往客户端的数据包',
    explanation:
      '客户端向 {ip} 端口 {port} 的连接请求（{synsText}）在抓包中没有回应：没有 SYN-ACK、没有 RST，也没有 ICMP 差错。但抓包已被证明缺少发往 {client} 的数据包：它的另一条 TCP 连接只有客户端一侧的报文，而客户端自己的报文确认了对方。这个 SYN 的回应可能已经到达却没有被抓到，所以抓包并不能证明服务器没有回应。',
    advice: [
      '在客户端本机重新抓包（`tcpdump -i any host {ip}`），或在同时承载双向流量的链路上抓包，查找 SYN-ACK。',
      '检查抓包过滤条件（按源地址过滤，`src host ...`，只会保留一个方向）和路由：非对称路由时回包从另一条路径返回。',
      '如果双向抓包仍然看不到回应，那就是 SYN 没有得到应答：从其他网络执行 `nc -zv {host} {port}`，并检查沿途的安全组和防火墙。',
    ],
  },
};

/**
 * Said of a lone SYN, never sent again, in a capture whose every packet goes one way (diagnose.ts
 * `silence`, details.sentOnce): nothing shows the client waited, nor that an answer could be seen.
 */
const SENT_ONCE_WORDS = {
  en: {
    summary: '{target}: a lone SYN, never sent again, with no reply seen; nothing in the capture answers anything',
    explanation:
      'The client sent one SYN to {ip} port {port} and never sent it again, although the capture went on for {waited} s: a kernel still waiting for an answer resends an unanswered SYN after 1 s. And the capture holds no reply to anything (no packet in it answers another, none to {client}): a capture of outgoing packets only (a `src host` filter, or a link that carries one direction) looks the same. So the capture cannot show whether an answer came: this was a lone packet (a test file\'s, a scanner\'s probe, a program\'s that gave up at once), or what came back was not captured.',
    advice: [
      'Capture both directions on the client (`tcpdump -i any host {ip}`), and check the capture filter: a filter on the source address (`src host ...`) keeps one direction only.',
      'Test the port itself from the client: `nc -zv {host} {port}`; a timeout there is an unanswered SYN, and then the security groups and firewalls on the way are the next to check.',
    ],
  },
  zh: {
    summary: '{target}：只有一个 SYN，没有重发，也没有看到回应；抓包中没有任何数据包应答过别的数据包',
    explanation:
      '客户端向 {ip} 端口 {port} 只发送了一个 SYN，之后再没有重发，而抓包又持续了 {waited} 秒：仍在等待应答的内核会在 1 秒后重传没有应答的 SYN。而且抓包中没有任何回应（没有一个数据包是对另一个数据包的应答，也没有发往 {client} 的应答）：只抓取发出数据包的抓包（`src host` 过滤条件，或只承载一个方向的链路）看起来也是这样。所以抓包无法说明是否有应答：这是一个孤立的数据包（测试文件中的、扫描器的探测，或立即放弃的程序发出的），或者回来的数据包没有被抓到。',
    advice: [
      '在客户端同时抓取两个方向的流量（`tcpdump -i any host {ip}`），并检查抓包过滤条件：按源地址过滤（`src host ...`）只会保留一个方向。',
      '在客户端直接测试该端口：`nc -zv {host} {port}`；如果超时，才是 SYN 没有得到应答，接下来检查沿途的安全组和防火墙。',
    ],
  },
};

/**
 * Said when the SYN carries a segment signature (details.tcpAuth: TCP MD5, RFC 2385; TCP-AO, RFC
 * 5925), as BGP sessions do: a peer whose key differs or that has none for the client drops the
 * SYN silently (RFC 2385 §2.0, RFC 5925 §7.7), the classic cause of a BGP session stuck in Active.
 */
const SIGNED = {
  explanation: {
    en: 'The client\'s connection attempt to {ip} port {port} ({synsText}) saw no reply at all — no SYN-ACK, no RST, no ICMP error.{retryNote} Its SYN carries a {tcpAuthText} signature, the password BGP sessions (and LDP, MSDP) use: a peer whose key for this client differs, or that has none, drops such a SYN without a word, and so does one that expects a signature where none came. Linux logs it ("MD5 Hash failed", "MD5 Hash NOT expected"), a router counts it (MD5 failures in `show tcp statistics`, a BGP neighbour stuck in Active). Besides the key, the usual silent drops remain possible: a firewall, a route, a host that is down.',
    zh: '客户端向 {ip} 端口 {port} 的连接请求（{synsText}）没有收到任何回应——没有 SYN-ACK、没有 RST，也没有 ICMP 差错。{retryNote}这个 SYN 带有 {tcpAuthText} 签名，即 BGP 会话（以及 LDP、MSDP）使用的密码：如果对端为该客户端配置的密钥不同，或者根本没有配置，就会一声不响地丢弃这样的 SYN；对端期望签名而 SYN 没有带时也一样。Linux 会在日志中记录（"MD5 Hash failed"、"MD5 Hash NOT expected"），路由器会计数（`show tcp statistics` 中的 MD5 失败，BGP 邻居停在 Active 状态）。除了密钥之外，常见的静默丢弃原因仍然可能存在：防火墙、路由、主机已宕机。',
  },
  advice: {
    0: {
      en: 'Compare the keys: the same password on both ends for exactly these two addresses (a router\'s `neighbor {ip} password …`, BIRD\'s `password`, Linux `TCP_MD5SIG`), and on {ip} a key for {client}; then read the peer\'s log or MD5 failure counters.',
      zh: '核对两端的密钥：双方针对这两个地址配置的密码必须相同（路由器的 `neighbor {ip} password …`、BIRD 的 `password`、Linux 的 `TCP_MD5SIG`），并且 {ip} 上要有针对 {client} 的密钥；然后查看对端的日志或 MD5 失败计数。',
    },
  },
} as const;

export default withVariants(CAUSE, { rstIgnored: reworded(CAUSE.words, RST_IGNORED), missesClient: MISSES_CLIENT_WORDS, sentOnce: SENT_ONCE_WORDS, signed: reworded(CAUSE.words, SIGNED) },
  (v) => (v.details['captureMissesClient'] === true ? 'missesClient' : v.details['sentOnce'] === true ? 'sentOnce'
    : v.severity === 'error' && v.details['ignoredRsts'] !== undefined ? 'rstIgnored' : v.severity === 'error' && v.details['tcpAuth'] !== undefined ? 'signed' : null));
