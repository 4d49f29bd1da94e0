/**
 * capture.ended_early: the capture stopped before the exchange could be answered or time out
 * (details: seconds after the last packet).
 *
 * Each layer gets the time its own waiting takes before silence counts as a failure: a SYN, the
 * first retransmission (1 s: RFC 6298 §2.1, Linux); a DNS query, the resolver's timeout (5 s:
 * glibc's and dig's); a ClientHello, 5 s (a server answers within a round trip); an HTTP request,
 * 10 s (a slow page takes seconds). A capture that stopped sooner, with the connection still
 * open and nothing answered, shows nothing either way.
 */
import { defineCause, reworded, withVariants } from '../cause.js';
import { evidenceKind } from '../words.js';
import type { TcpConn } from '../../track/tcp.js';
import { isTcp, noSynAck, rstTakenInSynSent, type ConnRule, type DnsRule } from '../outcome.js';
import { CLIENT_HELLO, HTTP_UNANSWERED, proof, SYN_COPY_SECONDS, synEvidence, way } from '../evidence.js';
import { dnsOutcome } from '../dns-group.js';
export { DNS_RETRY_MIN } from '../dns-group.js';
import { ended, ms, tooSoon, WAIT, waitedMs } from '../waits.js';
import { interval } from '../../time.js';
import { ENCRYPTED_UNANSWERED } from './http.no_response.js';
import { serverHelloProof } from '../rules-tls.js';
import { tlsEstablished } from '../../track/tls-session.js';

export { tooSoon, WAIT };

/**
 * The client's distinct SYN transmissions: copies less than 100 ms apart are one packet captured
 * twice (no stack retransmits a SYN that fast: its first timeout is 1 s, RFC 6298 §2.1).
 */
export function synSends(c: TcpConn): number {
  let n = 0;
  let last = -Infinity;
  for (const t of c.synTimes) {
    if (t - last >= SYN_COPY_SECONDS) n++;
    last = t;
  }
  return Math.max(n, c.synFrames.length > 0 ? 1 : 0);
}

/** Did either side close or reset the connection after `frame`? */
function closedAfter(c: TcpConn, frame: number): boolean {
  return c.rsts.some((r) => r.frame > frame) || c.fins.some((x) => x.frame > frame);
}

/** One SYN, no answer, and the capture stopped before the first retransmission was due. */
const SYN_TOO_SOON: ConnRule = {
  on: 'conn',
  rank: 25,
  produces: ['capture.ended_early'],
  run(f, ctx) {
    if (!isTcp(f)) return null;
    const c = f.conn;
    // (A server RST the client's stack drops in SYN-SENT answers nothing: rstTakenInSynSent. Any
    // other packet from the server is an answer, its SYN-ACK missing from the capture or not.)
    if (!noSynAck(c) || c.rsts.some((r) => r.fromOrig || rstTakenInSynSent(c, r)) || synSends(c) !== 1) return null;
    if (c.resp.pkts > c.rsts.length) return null;
    const first = c.synTimes[0] ?? c.start;
    const last = c.synTimes[c.synTimes.length - 1] ?? first;
    if (!tooSoon(ctx, first, WAIT.syn)) return null;
    return ended('SYN', last, ctx, synEvidence(c).slice(0, 1));
  },
};

const SYN_ACK = evidenceKind<Record<string, never>>('syn_ack', {
  en: () => 'SYN-ACK',
  zh: () => 'SYN-ACK',
});

/**
 * A SYN answered by one SYN-ACK, and the capture stopped before the server would send it again
 * for want of the client's ACK (1 s, as for a SYN: RFC 6298 §2.1), with nothing else of the
 * connection after it: the ACK may come in the next file of a rotated capture (`tcpdump -G`,
 * `-C`), or after `-c` packets. (tcp.handshake_incomplete judges a longer silence.)
 */
const SYN_ACK_TOO_SOON: ConnRule = {
  on: 'conn',
  rank: 38,
  produces: ['capture.ended_early'],
  run(f, ctx) {
    if (!isTcp(f)) return null;
    const c = f.conn;
    if (c.synFrames.length === 0 || c.synAckFrame === 0 || c.ackFrame !== 0 || c.synAcks !== 1) return null;
    if (c.dataFrames.orig !== 0 || c.dataFrames.resp !== 0 || c.rsts.length !== 0 || c.fins.length !== 0) return null;
    if (c.synFrames.some((x) => x > c.synAckFrame) || !tooSoon(ctx, c.synAckTime, WAIT.syn)) return null;
    return ended('SYN-ACK', c.synAckTime, ctx, [...synEvidence(c).slice(0, 1), proof(SYN_ACK, c.synAckFrame, c.synAckTime, way(c, false), {})]);
  },
};

/** A ClientHello, no answer of any kind, the connection still open when the capture stopped soon after. */
const HELLO_TOO_SOON: ConnRule = {
  on: 'conn',
  rank: 65,
  produces: ['capture.ended_early'],
  run(f, ctx) {
    const s = f.tls;
    if (!s || !s.clientHello || s.serverHello || s.alerts.length > 0 || s.broken.server || !isTcp(f)) return null;
    const c = f.conn;
    const hello = s.clientHello;
    if (closedAfter(c, hello.frame) || !tooSoon(ctx, hello.ts, WAIT.tls)) return null;
    return ended('ClientHello', hello.ts, ctx, [proof(CLIENT_HELLO, hello.frame, hello.ts, way(c, s.clientIsOrig), { sni: hello.sni })]);
  },
};

/**
 * The server's hello came, the handshake did not complete in the capture (no alert, the connection
 * still open), and the capture stopped within WAIT.tls of the hello: the client's key exchange and
 * Finished, or its refusal, may be in the next file. Such a connection read "worked at every layer
 * seen"; the rules that judge a certificate or an alert come first.
 */
const HANDSHAKE_TOO_SOON: ConnRule = {
  on: 'conn',
  rank: 93,
  produces: ['capture.ended_early'],
  run(f, ctx) {
    const s = f.tls;
    // (A warning alert does not end the handshake: tls.alert leaves it to this rule.)
    if (!s || !s.serverHello || tlsEstablished(s) || s.alerts.some((a) => a.level === 2) || s.encryptedAlerts.length > 0 || !isTcp(f)) return null;
    const c = f.conn;
    const hello = s.serverHello;
    if (closedAfter(c, hello.frame) || !tooSoon(ctx, hello.ts, WAIT.tls)) return null;
    const ev = [serverHelloProof(c, s)];
    if (s.clientHello) ev.unshift(proof(CLIENT_HELLO, s.clientHello.frame, s.clientHello.ts, way(c, s.clientIsOrig), { sni: s.clientHello.sni }));
    return ended('ServerHello', hello.ts, ctx, ev);
  },
};

/** A request, no response, the connection still open when the capture stopped soon after. */
const REQUEST_TOO_SOON: ConnRule = {
  on: 'conn',
  rank: 118,
  produces: ['capture.ended_early'],
  run(f, ctx) {
    const ex = f.http?.exchanges.find((e) => e.status === null);
    if (!ex || !isTcp(f)) return null;
    const c = f.conn;
    if (closedAfter(c, ex.requestFrame) || !tooSoon(ctx, ex.requestTime, WAIT.http)) return null;
    return ended('request', ex.requestTime, ctx, [proof(HTTP_UNANSWERED, ex.requestFrame, ex.requestTime, way(c, true), { method: ex.method, path: ex.target })]);
  },
};

/**
 * One query (or one burst of them), no answer, and the capture stopped before the resolver's
 * timeout after the first: nothing yet shows the server silent. A retry of the client's own
 * (a query at least DNS_RETRY_MIN after the first) shows its wait ran out: then it is judged.
 */
const QUERY_TOO_SOON: DnsRule = {
  on: 'dns',
  rank: 75,
  produces: ['capture.ended_early'],
  run(g, ctx) {
    if (g.answered > 0 || !tooSoon(ctx, g.firstQ, WAIT.dns)) return null;
    // A question asked again (DnsGroup.askedAgain: the same type, DNS_RETRY_MIN to RETRY_GAP after)
    // shows the client's wait ran out. Queries of other types (an A, then an AAAA) do not.
    if (g.askedAgain) return null;
    const gap = interval(ctx.captureEnd, g.lastQ);
    return dnsOutcome(g, 'capture.ended_early', { lastSent: 'query', waitedSeconds: ms(gap) }, { waited: waitedMs(gap) }, 'warning');
  },
};

/** Said without the wait, when the capture's clock stepped back after the last attempt. */
const NO_WAIT = {
  summary: {
    en: '{target}: the capture stopped soon after the last attempt, too soon to tell',
    zh: '{target}：最后一次尝试后不久抓包就停止了，为时过早，无法判断',
  },
  explanation: {
    en: 'The capture ended soon after the client\'s last packet to {target}, before an answer could be expected or the client would try again: nothing can be concluded about this exchange from it.',
    zh: '抓包在客户端发往 {target} 的最后一个数据包之后不久就结束了，早于可以预期的应答或客户端的重试：据此无法对这次交互下任何结论。',
  },
} as const;

const CAUSE = defineCause({
  code: 'capture.ended_early',
  layer: 'capture',
  severity: 'warning',
  live: 'end',
  rules: [SYN_TOO_SOON, SYN_ACK_TOO_SOON, HELLO_TOO_SOON, HANDSHAKE_TOO_SOON, REQUEST_TOO_SOON, ENCRYPTED_UNANSWERED, QUERY_TOO_SOON],
  words: {
    en: {
      summary: '{target}: the capture stopped {waited} ms after the last attempt, too soon to tell',
      explanation:
        'The capture ended {waited} ms after the client\'s last packet to {target}, before an answer could be expected or the client would try again: nothing can be concluded about this exchange from it.',
      advice: [
        'Capture longer: keep the capture running until the program reports its error or gives up (`tcpdump -G` / `-W` rotate files without stopping).',
        'If the program itself gave up this fast, check its connect and read timeouts.',
      ],
    },
    zh: {
      summary: '{target}：最后一次尝试后 {waited} 毫秒抓包就停止了，为时过早，无法判断',
      explanation:
        '抓包在客户端发往 {target} 的最后一个数据包之后 {waited} 毫秒就结束了，早于可以预期的应答或客户端的重试：据此无法对这次交互下任何结论。',
      advice: [
        '延长抓包时间：一直抓到程序报错或放弃为止（`tcpdump -G` / `-W` 可轮换文件而不停止抓包）。',
        '如果程序本身这么快就放弃了，检查其连接超时和读取超时设置。',
      ],
    },
  },
});

/** After a SYN-ACK: the packet is the server's, and what is missing is the client's ACK. */
const AFTER_SYN_ACK = {
  summary: {
    en: '{target}: the capture stopped {waited} ms after the SYN-ACK, too soon to tell whether the handshake completed',
    zh: '{target}：SYN-ACK 之后 {waited} 毫秒抓包就停止了，为时过早，无法判断握手是否完成',
  },
  explanation: {
    en: '{target} answered the SYN with a SYN-ACK, and the capture ended {waited} ms later, before the server would send its SYN-ACK again for want of the client\'s ACK (after 1 s): whether the ACK came cannot be told from it (a rotated capture, `tcpdump -G` or `-C`, holds it in its next file).',
    zh: '{target} 用 SYN-ACK 应答了 SYN，而抓包在 {waited} 毫秒后就结束了，早于服务器因收不到客户端 ACK 而重发 SYN-ACK 的时间（1 秒后）：据此无法判断 ACK 是否到达（轮换抓包，如 `tcpdump -G` 或 `-C`，会把它存在下一个文件里）。',
  },
} as const;

/** After the server's hello: what is missing is the rest of the handshake. */
const AFTER_SERVER_HELLO = {
  summary: {
    en: '{target}: the capture stopped {waited} ms after the server\'s hello, too soon to tell whether the TLS handshake completed',
    zh: '{target}：服务器的 ServerHello 之后 {waited} 毫秒抓包就停止了，为时过早，无法判断 TLS 握手是否完成',
  },
  explanation: {
    en: '{target} answered the ClientHello, and the capture ended {waited} ms later with the connection still open, before the handshake completed: the client\'s key exchange and Finished, or its refusal of the certificate, would come next (in the next file of a rotated capture). Whether this exchange worked cannot be told from it.',
    zh: '{target} 应答了 ClientHello，而抓包在 {waited} 毫秒后就结束了，连接仍然打开，握手尚未完成：接下来本应是客户端的密钥交换和 Finished，或是它对证书的拒绝（轮换抓包会把它们存在下一个文件里）。据此无法判断这次交互是否成功。',
  },
} as const;

const VARIANTS: Record<string, string> = { 'SYN-ACK': 'synAck', ServerHello: 'serverHello' };

export default withVariants(CAUSE, { noWait: reworded(CAUSE.words, NO_WAIT), synAck: reworded(CAUSE.words, AFTER_SYN_ACK), serverHello: reworded(CAUSE.words, AFTER_SERVER_HELLO) },
  (v) => (typeof v.facts['waited'] !== 'number' ? 'noWait' : VARIANTS[String(v.details['lastSent'])] ?? null));
