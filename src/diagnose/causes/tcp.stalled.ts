/**
 * tcp.stalled: data sent and retransmitted without acknowledgement until the connection was abandoned
 */
import { defineCause, reworded, type Wording } from '../cause.js';
import { isTcp, outcome, tenths, type ConnRule, type EvidenceAt } from '../outcome.js';
import { FIN, proof, RST, way } from '../evidence.js';
import { evidenceKind, fill, fillText, limitKind, type CauseText, type Vars } from '../words.js';
import { backsOff, intervals, type TcpWatch } from '../../track/tcp-watch.js';
import type { TcpConn, TcpControl } from '../../track/tcp.js';
import type { Lang } from '../../lang.js';
import type { Verdict } from '../verdict.js';
import { interval } from '../../time.js';

const FIRST_DATA = evidenceKind<Record<string, never>>('first_data', {
  en: () => 'first data from the client',
  zh: () => '客户端的第一个数据段',
}, { en: () => 'first data', zh: () => '第一个数据段' });

/** Seconds the resending must span (three timeouts of at least 200 ms, doubling). */
const RESEND_MIN_SECONDS = 1;

/**
 * Did the client's data stay unacknowledged from its first retransmission on (its watch:
 * track/tcp-watch.ts): the first segment it resent never acknowledged, and three or more
 * retransmissions (of it, or of other segments while it was unacknowledged) until the
 * connection's last packet, a second or more after that segment first went out? (`ackedLate`:
 * acknowledged only after the client gave up, givenUpBeforeAck, counts as never.)
 */
function resentUnanswered(c: TcpConn, ackedLate: boolean): boolean {
  const w = c.orig.watch;
  if (w === null || !w.stuck || (w.stuckAcked && !ackedLate)) return false;
  const t = w.stuckTimes;
  const resends = (w.stuckOriginal ? t.length - 1 : t.length) + w.otherRetx;
  if (resends < 3 || t.length === 0) return false;
  // A clock stepped back in between (no span known) leaves the count to tell.
  const span = interval(c.end, t[0]!);
  return span === null || span >= RESEND_MIN_SECONDS;
}

/**
 * The client's FIN or RST (the first) when its resent segment was acknowledged only after it, or
 * null: the segment stayed unacknowledged for as long as the client waited — a request lost again
 * and again on the way, which the server could not answer before the client left (nDPI
 * alexa-app: five retransmissions of the middle of a request, the server's duplicate ACKs asking
 * for it, all acknowledged with the server's FIN).
 */
function givenUpBeforeAck(c: TcpConn): TcpControl | null {
  const w = c.orig.watch;
  if (w === null || !w.stuck || !w.stuckAcked) return null;
  let gaveUp: TcpControl | null = null;
  for (const x of c.fins) if (x.fromOrig) { gaveUp = x; break; }
  for (const x of c.rsts) if (x.fromOrig && (gaveUp === null || x.frame < gaveUp.frame)) { gaveUp = x; break; }
  if (gaveUp === null || w.stuckAckedFrame <= gaveUp.frame) return null;
  return w.stuckFrames.length === 0 || w.stuckFrames[0]! < gaveUp.frame ? gaveUp : null;
}

const ACKED_LATE = evidenceKind<Record<string, never>>('acked_after_close', {
  en: () => 'the resent data acknowledged only now, after the client had given up',
  zh: () => '重发的数据直到此时才被确认，而客户端此前已放弃',
}, { en: () => 'acked too late', zh: () => '确认太迟' });

export const ACKED_AFTER_CLOSE = limitKind('stall_acked_after_close', {
  en: () => 'the other side acknowledged the resent data only after the client had given up on the connection: it arrived too late to be answered',
  zh: () => '对端直到客户端放弃连接之后才确认了重发的数据：数据到达得太晚，已无法得到回应',
});

/**
 * Data sent and retransmitted with nothing acknowledged: three retransmissions or more, or one
 * segment sent three times or more (two retransmissions) that stayed unacknowledged for
 * STUCK_MIN_SECONDS while the receiver sent nothing (chrissanders/packets inconsistent_printer: a
 * printer that stops acknowledging; two retransmissions 5.5 s apart, then the capture ends).
 */
const STALLED: ConnRule = {
  on: 'conn',
  rank: 50,
  produces: ['tcp.stalled'],
  run(f, ctx) {
    if (!isTcp(f)) return null;
    const c = f.conn;
    // TCP Fast Open (RFC 7413): the tracker counts each SYN that carried data as data sent again,
    // and a SYN-ACK that acknowledged only the SYN makes the client send that data again after the
    // handshake (§4.2): neither was sent again for want of an acknowledgement.
    const tfo = c.synDataSends + (c.synDataSends > 0 && !c.synDataAcked ? 1 : 0);
    const resent = c.retransmits.orig - tfo;
    const gaveUp = givenUpBeforeAck(c);
    const late = gaveUp !== null;
    if (c.ackFrame === 0 || (c.unackedBytes.orig === 0 && !late)) return null;
    const stuck = resent < 3 ? stuckSegment(c.orig, c.resp) : null;
    if (resent < 3 && stuck === null) return null;
    // A reset from the server says more than the stall; the client's own reset after its
    // retransmissions went unanswered is how it gave up, so the stall is the story.
    if (c.rsts.some((r) => !r.fromOrig)) return null;
    // Three retransmissions or more must be of the data left unacknowledged, resent by the
    // sender's own timer: three or more after the first resent segment, none of it acknowledged, over a
    // second or more (the shortest retransmission timeout is 200 ms, doubling: RFC 6298 §5.5). Not
    // retransmissions counted anywhere in a connection that went on, nor the same packet
    // captured twice microseconds apart, nor data the capture stopped right after (nDPI
    // fix2.pcap, wow.pcap: every packet captured twice; forticlient.pcap: a transfer cut by the
    // capture's end; heuristic_tcp_ack_payload.pcap: bogus bytes on ACKs, overwritten by data).
    if (stuck === null && !resentUnanswered(c, late)) return null;
    // Timed from the first data: how long the client went on sending into silence.
    const first = c.orig.firstDataFrame !== 0 ? c.orig.firstDataTime : c.start;
    const ev: EvidenceAt[] = [proof(FIRST_DATA, c.dataFrames.orig, first, way(c, true), {})];
    const shown = stuck ?? (late ? c.orig.watch : null);
    if (shown !== null) {
      const w = shown;
      w.stuckFrames.slice(0, 8).forEach((frame, i) => ev.push(proof(RESENT, frame, w.stuckTimes[i]!, way(c, true), { bytes: w.stuckLen, transmission: w.stuckOriginal ? i : i + 1 })));
    }
    if (gaveUp !== null) {
      const w = c.orig.watch!;
      ev.push(proof(c.rsts.includes(gaveUp) ? RST : FIN, gaveUp.frame, gaveUp.ts, way(c, true), { sender: 'client' }));
      ev.push(proof(ACKED_LATE, w.stuckAckedFrame, w.stuckAckedTs, way(c, false), {}));
      ev.sort((a, b) => a.frame - b.frame);
    }
    const end = endOfResending(c, true, stuck?.stuckTimes ?? [], ctx.captureEnd);
    // Acknowledged only once the client had given up: unacknowledged while it waited.
    const unacked = late ? { unackedBytes: c.orig.watch!.stuckLen, ackedAfterClose: c.orig.watch!.stuckAckedFrame } : { unackedBytes: c.unackedBytes.orig };
    const o = outcome('tcp.stalled', ev, { retransmits: resent, ...unacked, ...end.details },
      { attempts: resent, seconds: tenths(interval(gaveUp !== null ? gaveUp.ts : c.end, shown !== null && shown.stuckTimes.length > 0 ? shown.stuckTimes[0]! : first)), stillResending: end.stillResending });
    if (end.stillResending) o.limits.push(STILL_RESENDING.of({}));
    if (late) o.limits.push(ACKED_AFTER_CLOSE.of({}));
    return o;
  },
};

/** Seconds a segment sent three times must stay unacknowledged (STALLED with fewer than three retransmissions). */
const STUCK_MIN_SECONDS = 5;

/**
 * The endpoint's retransmitted segment that was never acknowledged: sent three times or more
 * (with data: keepalives carry one byte at most), for STUCK_MIN_SECONDS or more until the
 * connection's end, the peer silent since its first retransmission and the sender not closing.
 */
function stuckSegment(e: TcpConn['orig'], peer: TcpConn['resp']): TcpWatch | null {
  const w = e.watch;
  if (w === null || !w.stuck || w.stuckAcked || w.stuckLen <= 1 || peer.pkts !== w.stuckPeerPkts || e.finCnt > 0) return null;
  const t = w.stuckTimes;
  const retx = w.stuckOriginal ? t.length - 1 : t.length;
  if (retx < 2 || t.length === 0 || t[t.length - 1]! - t[0]! < STUCK_MIN_SECONDS) return null;
  return w;
}

export const STILL_RESENDING = limitKind('stall_still_resending', {
  en: () => 'the capture ended while the sender was still resending: whether the connection recovered later, or was given up, is not in the capture',
  zh: () => '抓包结束时发送方仍在重发：连接之后是恢复了还是被放弃，抓包中没有体现',
});

/**
 * Did the sender give up, or was it still resending when the capture ended? Given up: it reset or
 * closed its side, or it stayed silent after its last packet for longer than twice its last wait
 * between transmissions (at least 1 s; `times`: its transmissions of the stuck segment, when known)
 * before the capture ended.
 */
function endOfResending(c: TcpConn, fromOrig: boolean, times: readonly number[], captureEnd: number): { stillResending: boolean; details: Record<string, unknown> } {
  const e = fromOrig ? c.orig : c.resp;
  if (e.finCnt > 0 || c.rsts.some((r) => r.fromOrig === fromOrig)) return { stillResending: false, details: {} };
  const lastWait = times.length >= 2 ? times[times.length - 1]! - times[times.length - 2]! : 0;
  const silent = Number.isFinite(captureEnd) ? captureEnd - c.end : Infinity;
  if (silent > Math.max(2 * lastWait, 1)) return { stillResending: false, details: {} };
  return { stillResending: true, details: { stillResendingAtEnd: true } };
}

const RESENT = evidenceKind<{ bytes: number; transmission: number }>('segment_resent', {
  en: (a) => (a.transmission === 0 ? `segment of ${a.bytes} bytes, first sent` : `the same segment resent (${a.transmission}), no acknowledgement`),
  zh: (a) => (a.transmission === 0 ? `${a.bytes} 字节的报文段，首次发送` : `同一报文段第 ${a.transmission} 次重发，没有确认`),
}, { en: (a) => (a.transmission === 0 ? `${a.bytes} B sent` : `resent ${a.transmission}`), zh: (a) => (a.transmission === 0 ? `发送 ${a.bytes} 字节` : `重发 ${a.transmission}`) });

export const NO_HANDSHAKE = limitKind('stall_no_handshake', {
  en: () => 'the capture starts after the handshake: the options negotiated (MSS, window scale) are unknown, and from one capture point it cannot be told whether the segments or their acknowledgements were lost',
  zh: () => '抓包开始于握手之后：协商的选项（MSS、窗口缩放）未知；仅凭一个抓包点也无法判断丢失的是报文段还是它们的确认',
});

/** Seconds the back-off must last without an acknowledgement. */
const MID_MIN_SECONDS = 3;

/**
 * A connection the capture joined in its middle (no SYN, no SYN-ACK): one segment sent again and
 * again with exponential back-off (the sender's retransmission timer doubling because nothing was
 * acknowledged, RFC 6298 §5.5) for 3 s or more, never acknowledged, and not one packet of the peer
 * after its first retransmission, from a sender that is not closing (no FIN). Before capture.one_sided (15): a one-direction capture of a
 * working connection shows no back-off, while this back-off proves nothing came back.
 */
const STALLED_MID: ConnRule = {
  on: 'conn',
  rank: 14,
  produces: ['tcp.stalled'],
  run(f, ctx) {
    if (!isTcp(f)) return null;
    const c = f.conn;
    if (c.synFrames.length > 0 || c.synAckFrame !== 0 || (c.orig.watch === null && c.resp.watch === null)) return null;
    for (let side = 0; side < 2; side++) {
      const fromOrig = side === 0;
      const e = fromOrig ? c.orig : c.resp;
      const peer = fromOrig ? c.resp : c.orig;
      const w = e.watch;
      if (w === null || !w.stuck || w.stuckAcked || peer.pkts !== w.stuckPeerPkts) continue;
      // A sender that sent its FIN is closing: what it resends then (a TLS close, the last bytes)
      // is not a transfer anyone waits on (ndpi/tls_alert.pcap: an encrypted alert, then FIN).
      if (e.finCnt > 0) continue;
      const t = w.stuckTimes;
      if (!backsOff(t, 4) || t[t.length - 1]! - t[0]! < MID_MIN_SECONDS) continue;
      if (c.rsts.some((r) => r.fromOrig !== fromOrig)) continue;
      const ev: EvidenceAt[] = w.stuckFrames.slice(0, 8).map((frame, i) => proof(RESENT, frame, t[i]!, way(c, fromOrig), { bytes: w.stuckLen, transmission: w.stuckOriginal ? i : i + 1 }));
      const rst = c.rsts.find((r) => r.fromOrig === fromOrig);
      if (rst) ev.push(proof(RST, rst.frame, rst.ts, way(c, fromOrig), { sender: fromOrig ? 'client' : 'server' }));
      const retx = w.stuckOriginal ? t.length - 1 : t.length;
      const backoff = intervals(t);
      const seconds = tenths(interval(c.end, t[0]!));
      const end = endOfResending(c, fromOrig, t, ctx.captureEnd);
      const o = outcome('tcp.stalled', ev, {
        handshakeSeen: false, sender: fromOrig ? 'client' : 'server', seconds, retransmissions: retx, backoffSeconds: backoff, segmentBytes: w.stuckLen, ...end.details,
      }, { attempts: retx, seconds, handshakeSeen: false, backoffText: backoff.map((x) => `${x} s`).join(', '), stillResending: end.stillResending });
      o.limits.push(NO_HANDSHAKE.of({}));
      if (end.stillResending) o.limits.push(STILL_RESENDING.of({}));
      return o;
    }
    return null;
  },
};

/** The words of a stall in a connection the capture joined in its middle. */
const MID_CONNECTION: { readonly en: CauseText; readonly zh: CauseText } = {
  en: {
    summary: '{target}: data was resent {attempts} times with exponential back-off and never acknowledged{endText}',
    explanation:
      'The capture joined the connection to {ip} port {port} in its middle (it holds no handshake). One segment was sent again {attempts} times, the wait roughly doubling each time ({backoffText}), for {seconds} s, and nothing came back from the other side: that back-off is the sender\'s own proof that no acknowledgement reached it. The connection had worked before; then packets stopped getting through in one direction or both: a stateful firewall or NAT that dropped the connection\'s state (a timeout, a restart, a failover), a route change, loss on the path, or a peer that went away.',
    advice: [
      'Check the firewalls and NAT gateways on the path for dropped state: connection-tracking timeouts shorter than the connection\'s idle time, a full table (`conntrack -S`), a restart or failover at the time; and the security group rules.',
      'Check that {ip} is still up and reachable: `ping {ip}`, `mtr -n {ip}`; a route change or a moved address (failover, a new instance) leaves old connections without a path.',
      'If only large segments were resent, suspect the path MTU: `ping -M do -s 1472 {ip}`, `tracepath {ip}`.',
      'For long-lived idle connections, enable TCP keepalives shorter than the firewall\'s timeout.',
    ],
  },
  zh: {
    summary: '{target}：数据以指数退避重发了 {attempts} 次，始终未被确认{endText}',
    explanation:
      '抓包从连接中途开始（没有握手）。到 {ip} 端口 {port} 的连接中，同一个报文段又被发送了 {attempts} 次，等待时间大致逐次加倍（{backoffText}），持续 {seconds} 秒，对端没有任何回应：这种退避本身就证明发送方没有收到确认。该连接之前是正常的，之后数据包在一个或两个方向上无法通过：有状态防火墙或 NAT 丢失了连接状态（超时、重启、主备切换）、路由变化、路径丢包，或对端已不存在。',
    advice: [
      '检查路径上的防火墙和 NAT 网关是否丢失了连接状态：连接跟踪超时短于连接的空闲时间、表满（`conntrack -S`）、当时的重启或主备切换；以及安全组规则。',
      '确认 {ip} 仍在运行且可达：`ping {ip}`、`mtr -n {ip}`；路由变化或地址迁移（主备切换、新实例）会使旧连接失去路径。',
      '如果只有大报文被重发，怀疑路径 MTU：`ping -M do -s 1472 {ip}`、`tracepath {ip}`。',
      '对长时间空闲的连接，启用比防火墙超时更短的 TCP keepalive。',
    ],
  },
};

function midWords(v: Verdict, lang: Lang, vars: Vars): { summary: string; explanation: string; advice: string[] } {
  const t = MID_CONNECTION[lang];
  return { summary: fill(t.summary, vars), explanation: fill(t.explanation, vars), advice: t.advice.map((a) => fill(a, vars)) };
}

/** Whether the sender is told as having given up, or as still resending when the capture ended. */
function endVars(v: Verdict, lang: Lang): Vars {
  const still = v.facts['stillResending'] === true;
  if (lang === 'zh') return still ? { endText: '，抓包结束时仍在重发', untilText: '；抓包结束时发送方仍在重发' } : { endText: '，最终被放弃', untilText: '，直到发送方放弃' };
  return still
    ? { endText: ', still being resent when the capture ended', untilText: '; the sender was still resending when the capture ended' }
    : { endText: ', then abandoned', untilText: ', until the sender gave up' };
}

/** Said without how long the sender went on, when the capture's clock cannot tell (it stepped back). */
const NO_SECONDS = {
  explanation: {
    en: 'The connection to {ip} port {port} was established, but data was retransmitted {attempts} times without being acknowledged{untilText}. Packets stopped getting through after the handshake: loss on the path, an overloaded or hung receiver, a stateful firewall or NAT that lost the connection, or an MTU problem if only full-size segments were affected.',
    zh: '到 {ip} 端口 {port} 的连接已建立，但数据重传了 {attempts} 次都没有得到确认{untilText}。握手之后数据包无法通过：路径丢包、接收方过载或挂起、有状态防火墙或 NAT 丢失了连接状态；如果只有满长度的报文受影响，则是 MTU 问题。',
  },
} as const;

const MID_NO_SECONDS = {
  explanation: {
    en: 'The capture joined the connection to {ip} port {port} in its middle (it holds no handshake). One segment was sent again {attempts} times, the wait roughly doubling each time ({backoffText}), and nothing came back from the other side: that back-off is the sender\'s own proof that no acknowledgement reached it. The connection had worked before; then packets stopped getting through in one direction or both: a stateful firewall or NAT that dropped the connection\'s state (a timeout, a restart, a failover), a route change, loss on the path, or a peer that went away.',
    zh: '抓包从连接中途开始（没有握手）。到 {ip} 端口 {port} 的连接中，同一个报文段又被发送了 {attempts} 次，等待时间大致逐次加倍（{backoffText}），对端没有任何回应：这种退避本身就证明发送方没有收到确认。该连接之前是正常的，之后数据包在一个或两个方向上无法通过：有状态防火墙或 NAT 丢失了连接状态（超时、重启、主备切换）、路由变化、路径丢包，或对端已不存在。',
  },
} as const;

const CAUSE = defineCause({
  code: 'tcp.stalled',
  layer: 'tcp',
  severity: 'error',
  live: 'timeout',
  rules: [STALLED_MID, STALLED],
  vars: (v, lang) => endVars(v, lang),
  compose: (d, v, lang, vars) => {
    const mid = v.facts['handshakeSeen'] === false;
    if (typeof v.facts['seconds'] !== 'number') return fillText((mid ? VARIANTS.midConnectionNoSeconds : VARIANTS.noSeconds)[lang], vars);
    return mid ? midWords(v, lang, vars) : d;
  },
  words: {
    en: {
      summary: '{target}: data was retransmitted {attempts} times without acknowledgement{endText}',
      explanation:
        'The connection to {ip} port {port} was established, but data was retransmitted {attempts} times over {seconds} s without being acknowledged{untilText}. Packets stopped getting through after the handshake: loss on the path, an overloaded or hung receiver, a stateful firewall or NAT that lost the connection, or an MTU problem if only full-size segments were affected.',
      advice: [
        'If only large segments were retransmitted, suspect the path MTU: `ping -M do -s 1472 {ip}`, `tracepath {ip}`.',
        'Check the receiving side\'s load and whether the application is stuck (CPU, memory, a growing Recv-Q in `ss -tn`).',
        'Check firewalls and NAT gateways on the path for dropped state (connection-tracking timeouts or a full table) and the security group rules.',
        '`mtr -n {ip}` shows loss along the path; repeat the transfer with `curl -v` to see whether it is reproducible.',
      ],
    },
    zh: {
      summary: '{target}：数据重传 {attempts} 次仍未被确认{endText}',
      explanation:
        '到 {ip} 端口 {port} 的连接已建立，但数据在 {seconds} 秒内重传了 {attempts} 次都没有得到确认{untilText}。握手之后数据包无法通过：路径丢包、接收方过载或挂起、有状态防火墙或 NAT 丢失了连接状态；如果只有满长度的报文受影响，则是 MTU 问题。',
      advice: [
        '如果只有大报文被重传，怀疑路径 MTU：`ping -M do -s 1472 {ip}`、`tracepath {ip}`。',
        '检查接收方的负载以及应用是否卡住（CPU、内存、`ss -tn` 中不断增长的 Recv-Q）。',
        '检查路径上的防火墙和 NAT 网关是否丢失了连接状态（连接跟踪超时或表满），以及安全组规则。',
        '`mtr -n {ip}` 可显示路径上的丢包；用 `curl -v` 重复传输，看是否能复现。',
      ],
    },
  },
});

/** Its wordings without the seconds, chosen by its compose. */
const VARIANTS: Readonly<Record<'noSeconds' | 'midConnectionNoSeconds', Wording>> = {
  noSeconds: reworded(CAUSE.words, NO_SECONDS),
  midConnectionNoSeconds: reworded(MID_CONNECTION, MID_NO_SECONDS),
};

export default { ...CAUSE, variants: { midConnection: MID_CONNECTION, ...VARIANTS } };
