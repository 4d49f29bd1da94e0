/**
 * http.body_cut_short: an HTTP/1.x response whose body the connection's end cut short — fewer
 * bytes than its Content-Length, or a chunked body without its last (zero-size) chunk (RFC 9112
 * §6.3, §7.1) — before a FIN or a RST.
 *
 * The client got a broken response: curl says "transfer closed with N bytes remaining to read"
 * (exit 18), a browser a failed download, while tshark and Zeek show a normal 200. Claimed only
 * when the packets prove it:
 *
 * - the body is delimited by Content-Length or chunked coding (a body delimited by the close ends
 *   at the FIN by definition; HEAD, 204, 304 and 1xx have none: track/http.ts);
 * - no byte of the connection is missing from the capture: no gap in either stream (capture loss,
 *   a snaplen that cut packets: the bytes were on the wire), and the server's stream was read as
 *   HTTP to its end;
 * - the connection was ended, not the capture: the server's FIN or a RST from either side after the
 *   response began (a client's FIN alone may be a half-close, the server still sending);
 * - where the server's stream ended is where the capture's bytes end: the server's FIN (or RST)
 *   sits at exactly the offset after the last byte seen, and no ACK of the client acknowledges
 *   more than the capture holds (the bytes the client got are all here).
 *
 * Who ended it: the first close after the response began. The server's FIN or RST (or a RST in
 * its name from a middlebox) is the failure this cause tells; the client closing first means the
 * client gave up (a timeout, a cancelled download), told by the same cause in other words.
 *
 * Rank 115: after http.error_status (an error status is the story of its response, cut or not),
 * before the unanswered-request rule (a pipelined request left unanswered after a cut body is a
 * consequence) and tcp.reset (whose rule does not judge a connection whose requests were all
 * answered: the reset that cuts a body is told here, with what it cut). A reset that is not the
 * server's (tcp.reset_injected, rank 18), a stall (tcp.stalled), a zero window or a PMTU black hole
 * are told first: they say why the data stopped.
 */
import { defineCause } from '../cause.js';
import { isTcp, outcome, tenths, type ConnRule, type EvidenceAt, type Outcome } from '../outcome.js';
import { FIN, HTTP_REQUEST, RST, proof, way } from '../evidence.js';
import { evidenceKind, fill, fillText, limitKind, type CauseText } from '../words.js';
import { interval } from '../../time.js';
import type { Lang } from '../../lang.js';
import type { TcpConn, TcpControl } from '../../track/tcp.js';
import type { Arg } from '../../facts.js';
import type { HttpExchange, HttpSession } from '../../track/http.js';
import type { FinishedConn } from '../../track/tracker.js';

export const RESPONSE_HEAD = evidenceKind<{ status: number; reason: string | null; length: number | null }>('http_response_length', {
  en: (a) => `HTTP ${a.status} ${a.reason ?? ''}`.trim() + (a.length === null ? ', chunked body' : `, Content-Length ${a.length}`),
  zh: (a) => `HTTP ${a.status} ${a.reason ?? ''}`.trim() + (a.length === null ? '，分块传输编码的响应体' : `，Content-Length ${a.length}`),
}, {
  en: (a) => `HTTP ${a.status}` + (a.length === null ? ' (chunked)' : ` (${a.length} B)`),
  zh: (a) => `HTTP ${a.status}` + (a.length === null ? '（分块）' : `（${a.length} 字节）`),
});

export const LAST_BODY = evidenceKind<{ received: number; length: number | null }>('http_body_last', {
  en: (a) => (a.length === null ? `last body bytes seen: ${a.received} bytes of chunk data, no last chunk` : `last body bytes seen: ${a.received} of ${a.length} bytes`),
  zh: (a) => (a.length === null ? `最后收到的响应体数据：共 ${a.received} 字节分块数据，没有最后一个分块` : `最后收到的响应体数据：${a.received} / ${a.length} 字节`),
}, {
  en: (a) => (a.length === null ? `body ${a.received} B, no last chunk` : `body ${a.received}/${a.length} B`),
  zh: (a) => (a.length === null ? `响应体 ${a.received} 字节，无最后分块` : `响应体 ${a.received}/${a.length} 字节`),
});

/** The client ended the transfer: what it wanted cannot be told from the packets. */
export const CLIENT_ENDED = limitKind<Record<string, never>>('client_ended_body', {
  en: () => 'the client itself ended the transfer: a timeout and a download cancelled on purpose (or a program that needed only the start of the body) look the same in the packets',
  zh: () => '是客户端自己结束了传输：超时与有意取消的下载（或只需要响应体开头部分的程序）在数据包上看起来完全一样',
});

/** The RST that cut the body came from another distance than the server's own packets. */
export const RST_TTL_DIFFERS = limitKind<{ rstTtl: number; serverTtl: number }>('cut_rst_ttl_differs', {
  en: (a) => `the RST arrived with TTL ${a.rstTtl}, the server's own packets with ${a.serverTtl}: a device on the path (a firewall, an IPS, a load balancer) most likely sent it, not the server`,
  zh: (a) => `该 RST 到达时的 TTL 为 ${a.rstTtl}，而服务器自己的数据包为 ${a.serverTtl}：很可能是路径上的设备（防火墙、IPS、负载均衡）发出的，而不是服务器`,
});

type Close = { x: TcpControl; rst: boolean };

/** The server's stream offset of a sequence number (signed 32-bit distance from its first byte). */
export function offsetIn(start: number, seq: number): number {
  return (seq - start) | 0;
}

/** Seconds without body bytes before a client's half-close that make it a client giving up on a stalled body (an HTTP answer's own wait). */
const STALLED_BODY = 10;
/**
 * ... or at least this many, when that is ten times or more the time a full segment's bytes
 * (SEGMENT) had been taking to arrive in the body so far: a download that stopped dead, then the
 * client's timeout (curl --max-time, a read timeout of a few seconds). A body that trickles in is
 * not judged by it.
 */
const STALLED_BODY_MIN = 3;
const SEGMENT = 1460;

/** When the body's last bytes came (its head's time, before any body byte). */
export function lastBodyTime(ex: HttpExchange): number {
  return ex.bodyLastFrame !== 0 ? ex.bodyLastTime! : ex.responseTime!;
}

/**
 * Did the body stop coming before the client's FIN `fin` (no body byte after it) for
 * STALLED_BODY seconds, or for STALLED_BODY_MIN and ten times a segment's time at its own rate?
 */
function stalledBefore(ex: HttpExchange, fin: TcpControl): boolean {
  if (ex.bodyLastFrame > fin.frame) return false;
  const lastData = lastBodyTime(ex);
  // (Only a body with a Content-Length has a rate to judge the shorter wait by.)
  return stoppedDead(interval(fin.ts, lastData), ex.bodyKind === 'length' ? interval(lastData, ex.responseTime!) : null, ex.bodyBytes);
}

/**
 * Data that had been arriving (`bytes` of it in `took` seconds) then stopped dead for `silent`
 * seconds before the client closed: STALLED_BODY seconds, or STALLED_BODY_MIN when that is ten
 * times or more the time a full segment's bytes had been taking at that rate (tls.transfer_cut_short too).
 */
export function stoppedDead(silent: number | null, took: number | null, bytes: number): boolean {
  if (silent === null) return false;
  if (silent >= STALLED_BODY) return true;
  if (silent < STALLED_BODY_MIN || took === null || bytes <= 0) return false;
  return silent >= (10 * took * SEGMENT) / bytes;
}

/** The server's data arrived until this close (s): the transfer was not stopped, the client ended it. */
const STILL_MOVING_S = 1;
/** Heavy loss: at least this share of the server's packets were sent again, and at least MIN_RESENT of them. */
const HEAVY_LOSS = 0.1;
const MIN_RESENT = 5;

/**
 * The client's close (`close`, its first) came while the server's data was still arriving — its last
 * bytes before the close within STILL_MOVING_S of it — and the server had sent bytes past what
 * the close acknowledges (the client had not got them in order: the transfer was unfinished),
 * through heavy loss (a tenth or more of its packets sent again). Its window never closed (a client
 * that stopped reading slows the data itself). Without the loss it is a client that closed early
 * (a program that needed only part of the data, a cancelled download), which proves nothing.
 */
export function crawled(c: TcpConn, close: TcpControl): boolean {
  const e = c.resp;
  // (A close of the client's, nothing of its own stream missing. The server's last data before the
  // close: bytes that came only after it, past a hole, are a path that came back after a silence —
  // the stopped transfer the rules tell otherwise.)
  if (!close.fromOrig || !close.hasAck || c.gapBytes.orig !== 0 || c.zeroWindows.orig !== 0) return false;
  if (close.peerDataTs === 0 || close.peerDataTs < close.ts - STILL_MOVING_S) return false;
  if (((dataEnd(c) - close.ack) | 0) <= 0) return false;
  return e.retransmits >= MIN_RESENT && e.retransmits >= HEAVY_LOSS * e.pkts;
}

/**
 * What a transfer that crawled shows, for both causes' outcomes: the evidence of the server's data
 * still arriving (null when its last data is the close's own frame), the details and the facts.
 */
export function crawlProof(c: TcpConn, close: TcpControl): { evidence: EvidenceAt | null; details: Record<string, unknown>; facts: Record<string, Arg> } {
  const e = c.resp;
  const resent = e.retransmits;
  const segments = e.pkts;
  // Negative: the server's data went on arriving after the close.
  const lastMs = Math.round((close.ts - e.lastDataTime) * 1000);
  return {
    evidence: e.lastDataFrame !== close.frame ? proof(STILL_ARRIVING, e.lastDataFrame, e.lastDataTime, way(c, false), {}) : null,
    details: { stillArriving: { lastDataFrame: e.lastDataFrame, msBeforeClose: lastMs, serverPacketsResent: resent, serverPackets: segments } },
    facts: { moving: true, resent, segments, lastMs },
  };
}

/** One past the server's last data byte sent (its lastSeq counts a FIN's sequence number too). */
export function dataEnd(c: TcpConn): number {
  const e = c.resp;
  return e.finCnt > 0 ? e.finAbs : e.lastSeq;
}

/** When the server's last data came, against the client's close (facts.lastMs: ms before it; negative, after it). */
export function arrivingText(v: { facts: Record<string, unknown> }, lang: Lang): string {
  const ms = typeof v.facts['lastMs'] === 'number' ? v.facts['lastMs'] : 0;
  if (ms >= 0) return lang === 'en' ? `${ms} ms after the server's last segment` : `在服务器最后一个报文段之后 ${ms} 毫秒`;
  return lang === 'en' ? `and the server's segments kept coming (the last ${-ms} ms after the close)` : `在服务器的报文段仍源源不断到达时（最后一个在关闭之后 ${-ms} 毫秒）`;
}

/**
 * The first response whose delimited body (Content-Length, or chunked without its last chunk) did
 * not end, on a TCP connection the capture holds whole (no gap in either stream: capture loss or
 * packets cut by the snaplen would mean the bytes were on the wire) and whose server stream was
 * read as HTTP to its end; else null. What http.body_cut_short and http.body_stalled judge.
 */
export function unfinishedBody(f: FinishedConn): { h: HttpSession; ex: HttpExchange; c: TcpConn } | null {
  const u = unfinishedExchange(f);
  return u === null || u.h.gap || u.c.gapBytes.orig !== 0 || u.c.gapBytes.resp !== 0 ? null : u;
}

/** unfinishedBody, whatever is missing from the capture (the caller judges the gaps). */
function unfinishedExchange(f: FinishedConn): { h: HttpSession; ex: HttpExchange; c: TcpConn } | null {
  const h = f.http;
  if (!h || !isTcp(f) || h.broken.server || h.tunnel) return null;
  const ex = h.exchanges.find((e) => e.status !== null && e.status >= 200 && e.responseFrame !== null && e.responseEndFrame === null &&
    (e.bodyKind === 'length' || (e.bodyKind === 'chunked' && !e.lastChunk)));
  return ex ? { h, ex, c: f.conn } : null;
}

const CUT_SHORT: ConnRule = {
  on: 'conn',
  rank: 115,
  produces: ['http.body_cut_short'],
  run(f, ctx) {
    const u = unfinishedExchange(f);
    if (u === null) return null;
    const { h, ex, c } = u;
    const holes = h.gap || c.gapBytes.orig !== 0 || c.gapBytes.resp !== 0;
    const respFrame = ex.responseFrame!;
    // The closes after the response began, in frame order.
    const closes: Close[] = [];
    for (const x of c.fins) if (x.frame >= respFrame) closes.push({ x, rst: false });
    for (const x of c.rsts) if (x.frame >= respFrame) closes.push({ x, rst: true });
    closes.sort((a, b) => a.x.frame - b.x.frame || Number(b.rst) - Number(a.rst));
    // Ended: the server's FIN or a RST from either side. A half-close by the client is no end (the
    // server may still be sending), unless it came first and the body had stopped before it
    // (stalledBefore) with no byte after it: the client gave up on a stalled body (a warning,
    // below), which read "worked at every layer seen" before.
    const head = closes[0];
    // The client ended the connection while the body still came, through heavy loss (crawled); the
    // body bytes counted all came before its close.
    if (head !== undefined && ex.bodyLastFrame <= head.x.frame && crawled(c, head.x)) {
      return crawlingBody(c, ex, head.x, head.rst);
    }
    // (A client that closed its window stopped reading: the stall was its own, not the server's.)
    const gaveUp = head !== undefined && !head.rst && head.x.fromOrig && c.zeroWindows.orig === 0 && stalledBefore(ex, head.x);
    const start = (c.resp.startSeq + 1) | 0;
    let endAt = closes.findIndex((k) => k.rst || !k.x.fromOrig);
    // Bytes missing from the capture: only a client that gave up on a stalled body is told, when
    // every hole lies in the server's stream past all the client had acknowledged at its close:
    // data that never reached the client either, lost on the way (the path came back after the
    // close, as a blackholed path does), not by the capture.
    let hole = NO_HOLE;
    if (holes) {
      if (!gaveUp || c.gapBytes.orig !== 0 || h.serverGapAt < 0 || !head.x.hasAck) return null;
      const acked = offsetIn(start, head.x.ack);
      if (acked < 0 || acked > h.serverGapAt) return null;
      // Data past the hole that came before the close is a server that kept sending while the
      // hole stayed, not a path that went black: the transfer stuck on the hole when the client's
      // close still acknowledges up to it exactly (it never got those bytes, and waited for them
      // through the silence); otherwise not told.
      if (c.gapResumed.resp !== 0 && c.gapResumed.resp < head.x.frame && acked !== h.serverGapAt) return null;
      hole = pastHole(c, head.x);
      endAt = 0;
    } else if (endAt < 0) {
      if (!gaveUp) return null;
      endAt = 0;
    }
    // Where the server's stream ends must be where the capture's bytes of it end.
    const end = holes ? h.serverGapAt : h.serverBytes;
    for (const k of closes.slice(0, endAt + 1)) {
      const x = k.x;
      if (!x.fromOrig) {
        // The server's FIN comes after its data (a FIN with data: that data was delivered); its RST sits at its next byte.
        if (offsetIn(start, k.rst ? x.seq : x.seq + x.payLen) !== end) return null;
      } else if (x.hasAck) {
        // The client acknowledged no byte the capture does not hold (no FIN of the server comes before this close).
        const acked = offsetIn(start, x.ack);
        if (acked < 0 || acked > end) return null;
      }
    }
    const first = closes[0]!;
    const last = closes[endAt]!;
    const sender = first.x.fromOrig ? 'client' : 'server';
    const w = (k: Close): EvidenceAt => proof(k.rst ? RST : FIN, k.x.frame, k.x.ts, way(c, k.x.fromOrig), { sender: k.x.fromOrig ? 'client' : 'server' });
    const length = ex.bodyKind === 'length' ? ex.bodyLength : null;
    const ev: EvidenceAt[] = [
      proof(HTTP_REQUEST, ex.requestFrame, ex.requestTime, way(c, true), { method: ex.method, path: ex.target, host: ex.host }),
      proof(RESPONSE_HEAD, respFrame, ex.responseTime!, way(c, false), { status: ex.status!, reason: ex.reason, length }),
    ];
    if (ex.bodyLastFrame !== 0 && ex.bodyLastFrame !== respFrame && ex.bodyLastFrame < first.x.frame) {
      ev.push(proof(LAST_BODY, ex.bodyLastFrame, ex.bodyLastTime!, way(c, false), { received: ex.bodyBytes, length }));
    }
    ev.push(w(first));
    if (last !== first) ev.push(w(last));
    // How long the body had been arriving, and the silence before the close (a timeout shows as a round number).
    const lastData = lastBodyTime(ex);
    const seconds = tenths(interval(first.x.ts, ex.responseTime!));
    const idle = tenths(interval(first.x.ts, lastData));
    const missing = length === null ? null : length - ex.bodyBytes;
    const o = outcome('http.body_cut_short', ev, {
      ...bodyDetails(ex, length),
      endedBy: { sender, flag: first.rst ? 'RST' : 'FIN', frame: first.x.frame },
      seconds, idleSeconds: idle,
      ...hole.details,
    }, {
      status: ex.status, reason: ex.reason ?? '', received: ex.bodyBytes, promised: length, missingBytes: missing,
      sender, closedWith: first.rst ? 'rst' : 'fin', seconds, idle,
      ...hole.facts,
    });
    if (sender === 'client') {
      // The client gave up: not a failure the capture proves.
      o.severity = 'warning';
      o.limits.push(CLIENT_ENDED.of({}));
    } else if (first.rst && first.x.ttl > 0) {
      // The server's own packets all came with one TTL, the RST with another.
      const t = ctx.hostTtl?.(c.resp.ip);
      if (t && t.min === t.max && t.min !== first.x.ttl) o.limits.push(RST_TTL_DIFFERS.of({ rstTtl: first.x.ttl, serverTtl: t.min }));
    }
    return o;
  },
};

/** A body the client ended while it crawled in (crawled): a warning, with what had come. */
function crawlingBody(c: TcpConn, ex: HttpExchange, close: TcpControl, rst: boolean): Outcome {
  const length = ex.bodyKind === 'length' ? ex.bodyLength : null;
  const crawl = crawlProof(c, close);
  const ev: EvidenceAt[] = [
    proof(HTTP_REQUEST, ex.requestFrame, ex.requestTime, way(c, true), { method: ex.method, path: ex.target, host: ex.host }),
    proof(RESPONSE_HEAD, ex.responseFrame!, ex.responseTime!, way(c, false), { status: ex.status!, reason: ex.reason, length }),
    proof(rst ? RST : FIN, close.frame, close.ts, way(c, true), { sender: 'client' }),
  ];
  if (crawl.evidence !== null) ev.push(crawl.evidence);
  ev.sort((a, b) => a.frame - b.frame);
  const seconds = tenths(interval(close.ts, ex.responseTime!));
  const missing = length === null ? null : length - ex.bodyBytes;
  const o = outcome('http.body_cut_short', ev, {
    ...bodyDetails(ex, length),
    endedBy: { sender: 'client', flag: rst ? 'RST' : 'FIN', frame: close.frame },
    seconds,
    ...crawl.details,
  }, {
    status: ex.status, reason: ex.reason ?? '', received: ex.bodyBytes, promised: length, missingBytes: missing,
    sender: 'client', closedWith: rst ? 'rst' : 'fin', seconds, ...crawl.facts,
  }, 'warning');
  o.limits.push(CLIENT_ENDED.of({}));
  return o;
}

/** The server's data still arriving around the client's close (a transfer that crawled; tls.transfer_cut_short's too). */
export const STILL_ARRIVING = evidenceKind<Record<string, never>>('data_still_arriving', {
  en: () => 'the server\'s last data around the client\'s close: still arriving',
  zh: () => '客户端关闭前后服务器的最后数据：仍在到达',
}, { en: () => 'still arriving', zh: () => '仍在到达' });

/** What to check after a transfer that crawled through loss (this cause's and tls.transfer_cut_short's), with the URL scheme to reproduce with. */
export function crawlAdvice(lang: Lang, scheme: 'http' | 'https'): string[] {
  return lang === 'en'
    ? [
      'Find where the packets are lost: `mtr -n {ip}` from the client while a transfer runs (loss that starts at one hop and goes on to the end), and the error and drop counters of the interfaces on the way (`ip -s link`, `ethtool -S`).',
      'Capture on the server side as well: segments the server sent that never reached the client show the path lost them.',
      `Until the path is fixed, check the client's timeout against how long a transfer of this size takes on it, and reproduce with \`curl -v -o /dev/null ${scheme}://{host}:{port}/\`.`,
    ]
    : [
      '找出丢包的位置：传输进行时在客户端执行 `mtr -n {ip}`（从某一跳开始并一直持续到终点的丢包），并检查沿途接口的错误和丢弃计数（`ip -s link`、`ethtool -S`）。',
      '在服务器一侧同时抓包：服务器发出却始终没有到达客户端的报文段，说明是路径丢失了它们。',
      `在路径修复之前，对照这种大小的传输在该路径上所需的时间检查客户端的超时设置，并用 \`curl -v -o /dev/null ${scheme}://{host}:{port}/\` 复现。`,
    ];
}

/** The words when the client closed while the body still arrived through heavy loss. */
const MOVING: { readonly en: CauseText; readonly zh: CauseText } = {
  en: {
    summary: '{target}: the client {cutText} while the HTTP {status} body still crawled in ({resent} of {segments} packets resent)',
    explanation:
      'The server at {ip} port {port} answered HTTP {status} {reason}, and its body was still arriving when the client {cutText}, {arrivingText}: in {seconds} s it had received {bodyText}. The server sent {resent} of its {segments} packets again: the path was losing packets, and the transfer crawled. The client gave up on it — its own timeout (curl --max-time, exit 28; a library\'s read timeout) or a cancelled download.',
    advice: crawlAdvice('en', 'http'),
  },
  zh: {
    summary: '{target}：HTTP {status} 响应体仍在缓慢到达时，客户端{cutText}（{segments} 个包中 {resent} 个重传）',
    explanation:
      '位于 {ip} 端口 {port} 的服务器返回了 HTTP {status} {reason}，响应体仍在到达，客户端却{arrivingText}{cutText}：{seconds} 秒内它收到了{bodyText}。服务器的 {segments} 个数据包中有 {resent} 个被重传：路径在丢包，传输极其缓慢。是客户端放弃了它——它自己的超时（curl --max-time，退出码 28；程序库的读取超时）或被取消的下载。',
    advice: crawlAdvice('zh', 'http'),
  },
};

/**
 * A body delimited by the close (neither Content-Length nor chunked: RFC 9112 §6.3 rule 8) that a
 * RST ended instead of a FIN: "considered complete unless an error was indicated by the underlying
 * connection" (RFC 9112 §8), and a reset is one. The client cannot tell whether it has the whole
 * body; curl fails with "Recv failure: Connection reset by peer" (exit 56), while tshark and Zeek
 * show a normal response. Claimed as above: the connection held whole, the server's stream read as
 * HTTP to its end, the first close after the response a RST in the server's name sitting at the
 * next byte of its stream (no byte of the body missing from the capture), no FIN of the server's
 * before it (a FIN ends such a body properly; a RST after it is a normal abortive close) and none
 * of the client's (a client that closed first ended the transfer itself).
 */
const CLOSE_RESET: ConnRule = {
  on: 'conn',
  rank: 116,
  produces: ['http.body_cut_short'],
  run(f, ctx) {
    const h = f.http;
    if (!h || !isTcp(f) || h.gap || h.broken.server || h.tunnel) return null;
    const c = f.conn;
    if (c.gapBytes.orig !== 0 || c.gapBytes.resp !== 0) return null;
    const ex = h.exchanges.find((e) => e.status !== null && e.status >= 200 && e.responseFrame !== null && e.bodyKind === 'close');
    if (!ex) return null;
    const respFrame = ex.responseFrame!;
    let first: TcpControl | null = null;
    let rst = false;
    for (const x of c.fins) if (x.frame >= respFrame && (first === null || x.frame < first.frame)) first = x;
    for (const x of c.rsts) {
      if (x.frame >= respFrame && (first === null || x.frame <= first.frame)) {
        first = x;
        rst = true;
      }
    }
    if (first === null || !rst || first.fromOrig) return null;
    const start = (c.resp.startSeq + 1) | 0;
    if (offsetIn(start, first.seq) !== h.serverBytes) return null;
    const ev: EvidenceAt[] = [
      proof(HTTP_REQUEST, ex.requestFrame, ex.requestTime, way(c, true), { method: ex.method, path: ex.target, host: ex.host }),
      proof(RESPONSE_HEAD_CLOSE, respFrame, ex.responseTime!, way(c, false), { status: ex.status!, reason: ex.reason }),
    ];
    if (ex.bodyLastFrame !== 0 && ex.bodyLastFrame !== respFrame && ex.bodyLastFrame < first.frame) {
      ev.push(proof(LAST_BODY_CLOSE, ex.bodyLastFrame, ex.bodyLastTime!, way(c, false), { received: ex.bodyBytes }));
    }
    ev.push(proof(RST, first.frame, first.ts, way(c, false), { sender: 'server' }));
    const lastData = lastBodyTime(ex);
    const seconds = tenths(interval(first.ts, ex.responseTime!));
    const idle = tenths(interval(first.ts, lastData));
    const o = outcome('http.body_cut_short', ev, {
      status: ex.status, reason: ex.reason, method: ex.method, path: ex.target,
      delimiter: 'close', receivedBytes: ex.bodyBytes,
      endedBy: { sender: 'server', flag: 'RST', frame: first.frame },
      seconds, idleSeconds: idle,
    }, {
      status: ex.status, reason: ex.reason ?? '', received: ex.bodyBytes, promised: null, missingBytes: null,
      sender: 'server', closedWith: 'rst', delimiter: 'close', seconds, idle,
    });
    if (first.ttl > 0) {
      const t = ctx.hostTtl?.(c.resp.ip);
      if (t && t.min === t.max && t.min !== first.ttl) o.limits.push(RST_TTL_DIFFERS.of({ rstTtl: first.ttl, serverTtl: t.min }));
    }
    return o;
  },
};

const RESPONSE_HEAD_CLOSE = evidenceKind<{ status: number; reason: string | null }>('http_response_close', {
  en: (a) => `HTTP ${a.status} ${a.reason ?? ''}`.trim() + ', no Content-Length: the body ends at the close',
  zh: (a) => `HTTP ${a.status} ${a.reason ?? ''}`.trim() + '，没有 Content-Length：响应体以连接关闭为结束',
}, {
  en: (a) => `HTTP ${a.status} (ends at close)`,
  zh: (a) => `HTTP ${a.status}（以关闭为结束）`,
});

const LAST_BODY_CLOSE = evidenceKind<{ received: number }>('http_body_last_close', {
  en: (a) => `last body bytes seen: ${a.received} bytes so far`,
  zh: (a) => `最后收到的响应体数据：至此共 ${a.received} 字节`,
}, {
  en: (a) => `body ${a.received} B`,
  zh: (a) => `响应体 ${a.received} 字节`,
});

/** The words when a RST ended a body delimited by the close. */
const CLOSE_RESET_WORDS: { readonly en: CauseText; readonly zh: CauseText } = {
  en: {
    summary: '{target}: the HTTP {status} response had no length and ended with a RST, not a close: the client cannot know it is whole',
    explanation:
      'The server at {ip} port {port} answered HTTP {status} {reason} without Content-Length or chunked coding, so its body ends where the server closes the connection (RFC 9112 §6.3). After {received} bytes of body, {seconds} s after the response began and {idle} s after the last body bytes, the connection was reset in the server\'s name (RST) instead of closed (FIN). A reset is an error of the connection: the response counts as incomplete (RFC 9112 §8), the client cannot tell whether the body was all there (curl says "Recv failure: Connection reset by peer", exit 56), while tshark and Zeek still show a normal {status}. No byte is missing from the capture. A server resets instead of closing when it closes with bytes of the client it has not read (a request body it did not read, a pipelined request) or aborts the response; a proxy, load balancer or firewall on the path can reset it too.',
    advice: [
      'Have the server (or the application behind it) send a Content-Length or use chunked coding: then the client can tell a whole body from a cut one, and a late reset no longer breaks the response.',
      'Check whether the server closes with request bytes it did not read (an upload or request body it ignored, a pipelined request): the kernel then sends RST instead of FIN. Read the request whole before closing, or close gracefully (nginx `lingering_close` and `lingering_timeout`; Apache httpd lingers by itself).',
      'Find the request in the server\'s and any proxy\'s logs at that time: a worker that crashed or was killed mid-response, or a timeout that aborted it.',
      'A RST from a firewall, IPS or NAT gateway looks like the server\'s: capture on the server side as well, and compare the RST\'s TTL with the server\'s other packets.',
    ],
  },
  zh: {
    summary: '{target}：HTTP {status} 响应没有声明长度，且以 RST 而不是正常关闭结束：客户端无法知道响应是否完整',
    explanation:
      '位于 {ip} 端口 {port} 的服务器返回了 HTTP {status} {reason}，既没有 Content-Length 也没有分块传输编码，因此响应体以服务器关闭连接为结束（RFC 9112 §6.3）。在收到 {received} 字节响应体之后（响应开始后 {seconds} 秒，距最后一次收到响应体数据 {idle} 秒），连接以服务器的名义被重置（RST），而不是正常关闭（FIN）。重置是连接层面的错误：该响应应视为不完整（RFC 9112 §8），客户端无法判断响应体是否完整（curl 报 "Recv failure: Connection reset by peer"，退出码 56），而 tshark 和 Zeek 仍然显示正常的 {status}。抓包中没有缺失任何字节。服务器在关闭时如果还有客户端发来的数据没有读取（未读取的请求体、流水线中的下一个请求），或中途放弃了响应，就会发送 RST 而不是 FIN；路径上的代理、负载均衡或防火墙也可能重置连接。',
    advice: [
      '让服务器（或其后面的应用）发送 Content-Length 或使用分块传输编码：这样客户端能区分完整与被截断的响应体，迟到的重置也不会再破坏响应。',
      '检查服务器关闭连接时是否还有未读取的请求数据（被忽略的上传或请求体、流水线中的请求）：此时内核会发送 RST 而不是 FIN。关闭前读完整个请求，或优雅关闭（nginx 的 `lingering_close` 与 `lingering_timeout`；Apache httpd 会自行处理）。',
      '在服务器及代理该时间点的日志中查找这个请求：响应中途崩溃或被杀掉的工作进程，或中止了响应的超时。',
      '防火墙、IPS 或 NAT 网关发出的 RST 看起来和服务器发出的一样：在服务器一侧同时抓包，并把 RST 的 TTL 与服务器其他数据包的 TTL 对比。',
    ],
  },
};

/** What arrived of the body: '65536 of 1048576 bytes', or the chunked equivalent. */
function bodyText(v: { facts: Record<string, unknown> }, lang: Lang): string {
  const received = v.facts['received'];
  const promised = v.facts['promised'];
  if (typeof promised === 'number') {
    return lang === 'en' ? `${String(received)} of the ${promised} bytes its Content-Length announced` : `其 Content-Length 声明的 ${promised} 字节中的 ${String(received)} 字节`;
  }
  return lang === 'en' ? `${String(received)} bytes of chunked data, without the last (zero-size) chunk that ends the body` : `${String(received)} 字节的分块数据，缺少标志响应体结束的最后一个（大小为 0 的）分块`;
}

/** How the close came: 'closed the connection (FIN)' / 'reset the connection (RST)'. */
export function cutText(v: { facts: Record<string, unknown> }, lang: Lang): string {
  const rst = v.facts['closedWith'] === 'rst';
  if (lang === 'en') return rst ? 'reset the connection (RST)' : 'closed the connection (FIN)';
  return rst ? '重置了连接（RST）' : '关闭了连接（FIN）';
}

/** What curl says of such a response (lib/transfer.c, http_chunks.c; a reset is a receive error). */
function curlText(v: { facts: Record<string, unknown> }, lang: Lang): string {
  const missing = v.facts['missingBytes'];
  const msg = v.facts['closedWith'] === 'rst' ? ['Recv failure: Connection reset by peer', 56]
    : typeof missing === 'number' ? [`transfer closed with ${missing} bytes remaining to read`, 18]
      : ['transfer closed with outstanding read data remaining', 18];
  return lang === 'en' ? `curl says "${msg[0]}", exit ${msg[1]}` : `curl 报 "${msg[0]}"，退出码 ${msg[1]}`;
}

type Hole = { readonly details: Record<string, unknown>; readonly facts: Record<string, Arg> };
/** No byte of the server's missing past a hole: nothing to add. */
export const NO_HOLE: Hole = Object.freeze({ details: Object.freeze({}), facts: Object.freeze({}) });

/**
 * The server's bytes missing past a hole, for a client that gave up at `close` having acknowledged
 * exactly up to the hole (tls.transfer_cut_short's too): lost on the way after its close when the
 * server's data past the hole came only after it (the path came back), else a hole the client
 * waited on while later data came (the transfer stuck on it). Its details and facts, for the words
 * (byClientText).
 */
export function pastHole(c: TcpConn, close: TcpControl): Hole {
  const bytes = c.gapBytes.resp;
  if (bytes === 0) return NO_HOLE;
  return c.gapResumed.resp !== 0 && c.gapResumed.resp < close.frame
    ? { details: { stuckOnHole: { missingBytes: bytes } }, facts: { stuckBytes: bytes } }
    : { details: { lostAfterClose: bytes }, facts: { lostAfter: bytes } };
}

/** The details every body_cut_short outcome starts with: the exchange and how much of its body came. */
function bodyDetails(ex: HttpExchange, length: number | null): Record<string, unknown> {
  return {
    status: ex.status, reason: ex.reason, method: ex.method, path: ex.target,
    delimiter: length === null ? 'chunked' : 'content-length',
    ...(length === null ? {} : { contentLength: length, missingBytes: length - ex.bodyBytes }),
    receivedBytes: ex.bodyBytes,
  };
}

/** What the capture shows of the server's bytes after the stall, when the client closed first (tls.transfer_cut_short's too). */
export function byClientText(v: { facts: Record<string, unknown> }, lang: Lang): string {
  const stuck = v.facts['stuckBytes'];
  if (typeof stuck === 'number') {
    return lang === 'en'
      ? `${stuck} bytes of the server's data never reached the client while later data did: the client acknowledged everything before them and nothing past them, up to its close, so they were lost on the way, again and again (not by the capture), and the transfer stuck on them`
      : `服务器数据中有 ${stuck} 字节始终没有到达客户端，而其后的数据却到达了：直到关闭，客户端确认了它们之前的全部数据，却从未确认它们之后的数据，所以这些数据是在路上一再丢失的（不是抓包漏掉的），传输卡在了这里`;
  }
  const lost = v.facts['lostAfter'];
  if (typeof lost !== 'number') return lang === 'en' ? 'No byte is missing from the capture' : '抓包中没有缺失任何字节';
  return lang === 'en'
    ? `The server's packets came again only after that close, past ${lost} bytes the client never received and never acknowledged: they were lost on the way (a path that went black for a while), not by the capture`
    : `服务器的数据包直到客户端关闭之后才再次到达，而且跳过了客户端从未收到、也从未确认的 ${lost} 字节：这些数据是在路上丢失的（路径一度中断），不是抓包漏掉的`;
}

/** The words when the client closed first: it gave up on a body still arriving. */
const BY_CLIENT: { readonly en: CauseText; readonly zh: CauseText } = {
  en: {
    summary: '{target}: the client {cutText} before the HTTP {status} response body was complete ({bodyText})',
    explanation:
      'The server at {ip} port {port} answered HTTP {status} {reason}; {seconds} s later, with only {bodyText} received, the client {cutText} ({idle} s after the last body bytes). {byClientText}: the client gave up on an incomplete response — its own timeout (curl --max-time, a library\'s read timeout), a cancelled download, or a program that stopped reading.',
    advice: [
      'Check the client\'s timeouts against how long the transfer needs: a total-time limit (curl --max-time, a client library\'s timeout) cuts large or slow downloads at the same moment each time.',
      'If the server was slow to send (long pauses in the body, {idle} s before the close), look at its side: a slow backend, a loaded server, a throttled or lossy path (`mtr -n {ip}`).',
      'Reproduce with `curl -v -o /dev/null http://{host}:{port}/` and see whether the whole body arrives when the client waits long enough.',
    ],
  },
  zh: {
    summary: '{target}：HTTP {status} 响应体尚未完整，客户端就{cutText}（{bodyText}）',
    explanation:
      '位于 {ip} 端口 {port} 的服务器返回了 HTTP {status} {reason}；{seconds} 秒后，在只收到{bodyText}时，客户端{cutText}（距最后一次收到响应体数据 {idle} 秒）。{byClientText}：是客户端放弃了一个不完整的响应——它自己的超时（curl --max-time、程序库的读取超时）、被取消的下载，或程序停止了读取。',
    advice: [
      '对照传输所需的时间检查客户端的超时设置：总时长限制（curl --max-time、客户端库的超时）会让大文件或慢速下载每次都在同一时刻被截断。',
      '如果服务器发送得很慢（响应体中间有长时间停顿，关闭前 {idle} 秒没有数据），检查服务器一侧：后端慢、服务器负载高、路径限速或丢包（`mtr -n {ip}`）。',
      '用 `curl -v -o /dev/null http://{host}:{port}/` 复现，看客户端等待足够久时是否能收到完整的响应体。',
    ],
  },
};

export default defineCause({
  code: 'http.body_cut_short',
  layer: 'http',
  severity: 'error',
  live: 'end',
  rules: [CUT_SHORT, CLOSE_RESET],
  variants: { byClient: BY_CLIENT, closeReset: CLOSE_RESET_WORDS, moving: MOVING },
  vars: (v, lang) => ({ bodyText: bodyText(v, lang), cutText: cutText(v, lang), curlText: curlText(v, lang), byClientText: byClientText(v, lang), arrivingText: arrivingText(v, lang) }),
  compose: (d, v, lang, vars) => {
    const which = v.facts['delimiter'] === 'close' ? CLOSE_RESET_WORDS : v.facts['moving'] === true ? MOVING : v.facts['sender'] === 'client' ? BY_CLIENT : null;
    return which === null ? d : fillText(which[lang], vars);
  },
  words: {
    en: {
      summary: '{target}: the HTTP {status} response was cut short: the server {cutText} after {bodyText}',
      explanation:
        'The server at {ip} port {port} answered HTTP {status} {reason}; {seconds} s later, with only {bodyText} sent, it {cutText}, after {idle} s without body bytes. No byte is missing from the capture, so the body really ended there: the client has an incomplete response ({curlText}; a broken download), while tshark and Zeek still show a normal {status}. The server, a proxy or load balancer in front of it, or a device on the path ended the connection in the middle of the body.',
      advice: [
        'Look at how long the body had been flowing ({seconds} s) and the silence before the close ({idle} s): a round number is a timeout — nginx `proxy_read_timeout` / `send_timeout` (60 s by default), HAProxy `timeout server` / `timeout client`, a cloud load balancer\'s idle timeout (60 s on AWS ALB), the backend\'s own write timeout.',
        'Find the request in the logs of the proxy or load balancer and of the backend at that time: nginx says "upstream prematurely closed connection while reading upstream" when the backend closed early, and "No space left on device" when its temporary files for buffered responses filled the disk; check response-size and buffering limits too.',
        'A backend worker that crashed or was restarted mid-response (out of memory: `dmesg | grep -i oom`, `journalctl -u <service>`; a deploy) closes or resets its connections: check its log and restart times.',
        'A RST from a firewall, IPS or NAT gateway (a connection-tracking timeout, a content rule) looks like the server\'s: capture on the server side as well, and compare the RST\'s TTL with the server\'s other packets.',
        'Reproduce with `curl -v -o /dev/null http://{host}:{port}/` a few times: cut at the same byte count each time points at a size limit, at the same time at a timeout, at random points at a crash or the network.',
      ],
    },
    zh: {
      summary: '{target}：HTTP {status} 响应被截断：服务器在发送{bodyText}后{cutText}',
      explanation:
        '位于 {ip} 端口 {port} 的服务器返回了 HTTP {status} {reason}；{seconds} 秒后，在只发送了{bodyText}时{cutText}，此前已有 {idle} 秒没有响应体数据。抓包中没有缺失任何字节，因此响应体确实在此处结束：客户端得到的是不完整的响应（{curlText}；下载失败），而 tshark 和 Zeek 仍然显示正常的 {status}。是服务器、其前面的代理或负载均衡，或路径上的设备在响应体中途结束了连接。',
      advice: [
        '看响应体已经传输了多久（{seconds} 秒）以及关闭前的静默时间（{idle} 秒）：整数值通常就是超时——nginx 的 `proxy_read_timeout` / `send_timeout`（默认 60 秒）、HAProxy 的 `timeout server` / `timeout client`、云负载均衡的空闲超时（AWS ALB 默认 60 秒）、后端自身的写超时。',
        '在代理或负载均衡以及后端该时间点的日志中查找这个请求：后端提前关闭时 nginx 会记录 "upstream prematurely closed connection while reading upstream"，缓冲响应的临时文件写满磁盘时会记录 "No space left on device"；同时检查响应大小和缓冲相关的限制。',
        '后端工作进程在响应中途崩溃或被重启（内存不足：`dmesg | grep -i oom`、`journalctl -u <服务名>`；发布上线）会关闭或重置它的连接：检查其日志和重启时间。',
        '防火墙、IPS 或 NAT 网关发出的 RST（连接跟踪超时、内容规则）看起来和服务器发出的一样：在服务器一侧同时抓包，并把 RST 的 TTL 与服务器其他数据包的 TTL 对比。',
        '用 `curl -v -o /dev/null http://{host}:{port}/` 多试几次：每次截断在相同字节数说明是大小限制，在相同时间说明是超时，位置随机则是进程崩溃或网络问题。',
      ],
    },
  },
});
