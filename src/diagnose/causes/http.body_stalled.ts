/**
 * http.body_stalled: an HTTP/1.x response body stopped coming part-way, with the connection left
 * open and silent until the capture ended
 *
 * The download that hangs: the server answered with a Content-Length, sent part of the body, then
 * nothing more — no data, no close — for STALLED_SECONDS or more while the capture went on. The
 * client still waits (curl shows its progress meter stuck, a browser a download that never ends),
 * where tshark and Zeek show a normal 200 and wirewhy said "worked at every layer seen". Claimed
 * only when the packets show the server was free to send and nothing of it is missing:
 *
 * - the body is delimited by Content-Length: a chunked body may be a stream that is idle by design
 *   (a watch, server-sent events) and is not judged;
 * - no close or reset by either side after the response began (a close is http.body_cut_short's);
 * - no byte missing from the capture: no gap in either stream, the server's stream read as HTTP to
 *   its end, and the client acknowledged every byte the server sent and no more than the capture
 *   holds (an unacknowledged tail is a path's story: tcp.stalled when resent);
 * - the client's last advertised window was open (a receiver that stopped reading closes its
 *   window: tcp.zero_window, a paused media player);
 * - the capture went on for STALLED_SECONDS or more after the last body bytes (the end of the
 *   recording that holds the connection: a break between recordings is no silence).
 *
 * A warning: the capture cannot show that the body would not have resumed later. Rank 116: after
 * http.body_cut_short (a close that cut the body) and the transport's stories (a stall, a zero
 * window, missing packets), before the unanswered-request rules (a pipelined request left waiting
 * behind a stalled body is its consequence).
 */
import { defineCause } from '../cause.js';
import { outcome, tenths, type ConnRule } from '../outcome.js';
import { HTTP_REQUEST, proof, way } from '../evidence.js';
import { interval } from '../../time.js';
import { LAST_BODY, RESPONSE_HEAD, lastBodyTime, unfinishedBody } from './http.body_cut_short.js';
import { limitKind } from '../words.js';

/**
 * What the packets cannot tell apart from a stall: a capture that stopped recording this
 * connection while recording others (a per-flow packet limit, as in many published test captures;
 * a tail lost by the capture with the client's ACKs of it). A packet of the connection after the
 * silence (the client's close, a keepalive) would tell; none came.
 */
export const MAY_BE_CAPTURE = limitKind<Record<string, never>>('stall_or_capture_stopped', {
  en: () => 'nothing of this connection came after the last body bytes: a capture that stopped recording this connection (a per-flow packet limit, a lost tail) looks the same as a server that stopped sending',
  zh: () => '最后的响应体数据之后，这个连接再没有任何数据包：抓包停止记录这个连接（按流限制包数、末尾丢失）与服务器停止发送在数据包上看起来完全一样',
});

/**
 * Seconds without a body byte, the connection open, that make the body stalled: three times the
 * HTTP answer's own wait (waits.ts WAIT.http), far past any round trip or the first retransmission
 * back-offs, which would show in the packets.
 */
export const STALLED_SECONDS = 30;

/** Seconds after the last body bytes within which the connection's packets are their ACKs. */
const ACKED_WITHIN = 2;

/** A window this small (bytes, scaled) is a receiver that stopped reading, not a server stalled. */
const MIN_OPEN_WINDOW = 1024;

const BODY_STALLED: ConnRule = {
  on: 'conn',
  rank: 116,
  produces: ['http.body_stalled'],
  run(f, ctx) {
    const u = unfinishedBody(f);
    // A chunked body may be a stream idle by design: only a Content-Length promises more.
    if (u === null || u.ex.bodyKind !== 'length' || u.ex.bodyLength === null) return null;
    const length = u.ex.bodyLength;
    const { ex, c } = u;
    const respFrame = ex.responseFrame!;
    if (c.fins.some((x) => x.frame >= respFrame) || c.rsts.some((x) => x.frame >= respFrame)) return null;
    // The client acknowledged exactly what the server sent: nothing in flight, nothing the capture missed.
    if (c.unackedBytes.resp !== 0 || ((c.resp.ackSeq - c.resp.lastSeq) | 0) !== 0) return null;
    // The server was free to send: the client's last window (scaled when both sides agreed to scale) was open.
    const raw = c.orig.lastWinSent;
    const scale = c.wscale.orig >= 0 && c.wscale.resp >= 0 ? c.wscale.orig : 0;
    if (raw < 0 || raw * 2 ** scale < MIN_OPEN_WINDOW) return null;
    const lastData = lastBodyTime(ex);
    const silent = interval(ctx.captureEnd, lastData);
    if (silent === null || silent < STALLED_SECONDS) return null;
    const ev = [
      proof(HTTP_REQUEST, ex.requestFrame, ex.requestTime, way(c, true), { method: ex.method, path: ex.target, host: ex.host }),
      proof(RESPONSE_HEAD, respFrame, ex.responseTime!, way(c, false), { status: ex.status!, reason: ex.reason, length }),
    ];
    if (ex.bodyLastFrame !== 0 && ex.bodyLastFrame !== respFrame) {
      ev.push(proof(LAST_BODY, ex.bodyLastFrame, ex.bodyLastTime!, way(c, false), { received: ex.bodyBytes, length }));
    }
    const missing = length - ex.bodyBytes;
    const silentS = tenths(silent);
    const flowed = tenths(interval(lastData, ex.responseTime!));
    const o = outcome('http.body_stalled', ev, {
      status: ex.status, reason: ex.reason, method: ex.method, path: ex.target,
      contentLength: length, receivedBytes: ex.bodyBytes, missingBytes: missing, silentSeconds: silentS, seconds: flowed,
    }, { status: ex.status, reason: ex.reason ?? '', received: ex.bodyBytes, promised: length, missingBytes: missing, silent: silentS, seconds: flowed }, 'warning');
    // A packet of the connection well after the last body bytes (past the ACKs of them: a delayed
    // ACK waits at most 0.5 s) shows the capture still recorded it; without one it cannot tell.
    const after = interval(c.end, lastData);
    if (after === null || after < ACKED_WITHIN) o.limits.push(MAY_BE_CAPTURE.of({}));
    return o;
  },
};

export default defineCause({
  code: 'http.body_stalled',
  layer: 'http',
  severity: 'warning',
  live: 'end',
  rules: [BODY_STALLED],
  words: {
    en: {
      summary: '{target}: the HTTP {status} body stopped after {received} of {promised} bytes; nothing more came in the {silent} s until the capture ended',
      explanation:
        'The server at {ip} port {port} answered HTTP {status} {reason} with a Content-Length of {promised} bytes and sent {received} of them; then nothing more came — no data, no close — for the {silent} s the capture went on, while the client had acknowledged every byte and its receive window was open. No byte is missing from the capture: the server (or a proxy in front of it) stopped sending in the middle of the body, and the client is left waiting, a download that hangs. The capture cannot show whether the body resumed after it ended.',
      advice: [
        'Look at the server side at that time: a backend that stopped producing the body (a slow query, a lock, a stuck upstream behind a proxy: nginx logs "upstream timed out" once `proxy_read_timeout` passes), a worker blocked or out of memory.',
        'A proxy or load balancer that buffers the response may hold the rest while its upstream is slow: compare with a capture on the backend side, or fetch from the backend directly.',
        'Give the client a stall limit so that a hung transfer fails instead of waiting: `curl --speed-limit 1 --speed-time 30`, a read timeout in the client library.',
        'Reproduce with `curl -v -o /dev/null http://{host}:{port}/` and watch where the progress stops: at the same byte count each time points at the content or a size limit, at random points at the backend or the path.',
      ],
    },
    zh: {
      summary: '{target}：HTTP {status} 响应体在收到 {promised} 字节中的 {received} 字节后就停止了；直到抓包结束的 {silent} 秒里再没有到来',
      explanation:
        '位于 {ip} 端口 {port} 的服务器返回了 HTTP {status} {reason}，Content-Length 为 {promised} 字节，发送了其中的 {received} 字节；之后在抓包持续的 {silent} 秒里再没有任何数据、也没有关闭连接，而客户端已确认了每一个字节，其接收窗口也是打开的。抓包中没有缺失任何字节：是服务器（或其前面的代理）在响应体中途停止了发送，客户端只能一直等待，即下载卡住。抓包无法说明在抓包结束之后响应体是否恢复。',
      advice: [
        '检查当时服务器一侧：后端停止产生响应体（慢查询、锁、代理后面卡住的上游：超过 `proxy_read_timeout` 后 nginx 会记录 "upstream timed out"），工作进程阻塞或内存不足。',
        '缓冲响应的代理或负载均衡在上游变慢时可能扣住剩余部分：在后端一侧同时抓包比较，或直接从后端获取。',
        '给客户端设置停滞限制，让卡住的传输报错而不是一直等待：`curl --speed-limit 1 --speed-time 30`，或客户端库的读取超时。',
        '用 `curl -v -o /dev/null http://{host}:{port}/` 复现并观察进度停在哪里：每次停在相同字节数说明与内容或大小限制有关，位置随机则与后端或路径有关。',
      ],
    },
  },
});
