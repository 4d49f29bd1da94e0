/**
 * http.no_response: request sent, no response before close or end of capture.
 *
 * Also on encrypted exchanges (contract, "Additions"): the TLS handshake completed, the client
 * sent application data after its Finished (its request), and the server sent nothing that can be
 * an answer to it until the client gave up. Nothing is read: the server's records are told apart
 * by their place and size only, and each one must be shown not to be an answer:
 *
 * - it reached the capture before the request did (an earlier frame, no later time): sent unasked
 *   (a TLS 1.3 session ticket, an HTTP/2 server's SETTINGS), whatever its size (up to 1 KiB);
 * - TLS 1.3 session tickets after the request: a TLS 1.3 server sends its NewSessionTickets right
 *   after the client's Finished (RFC 8446 §4.6.1), each one small record, several of one size
 *   (OpenSSL sends two). So two records of one size, or one of the size of a ticket that came
 *   before the request, none over 1 KiB, within a second of the request. One record alone after
 *   the request is not claimed: the ticket is sent on the client's Finished, which travels with the
 *   request, so a ticket and a small fast response look the same in size and in time;
 * - HTTP/2 (ALPN h2 chosen in a clear ServerHello, TLS <= 1.2; in TLS 1.3 only offered by the
 *   client): a record of exactly an empty frame (9 bytes) under the cipher's overhead is the
 *   server's SETTINGS acknowledgement — no frame a response starts with is empty (RFC 9113 §8.1).
 *   The server's own SETTINGS after the request is not accepted: a server that has the request
 *   already may write its SETTINGS and the response in one record.
 *
 * TLS <= 1.2 shows the record types in clear: the request is the client's first application_data
 * record after its Finished, and the server's records after its own Finished are counted (a 1.2
 * NewSessionTicket comes before its ChangeCipherSpec, so after its Finished there is nothing).
 * Then silence until the client closed, a second or more after its request (or the server closed,
 * or the capture ended well after).
 */
import { defineCause, reworded, type Wording } from '../cause.js';
import { HTTP_UNANSWERED_RULE } from '../rules-http.js';
import { clientLeftAtOnce, firstCloseAfter, isTcp, outcome, tenths, type ConnRule, type EvidenceAt } from '../outcome.js';
import { FIN, RST, proof, way } from '../evidence.js';
import { isTls13, tlsEstablished, type TlsSession } from '../../track/tls-session.js';
import { cipherName, tlsVersionName } from '../../decode/names.js';
import { evidenceKind, fill, fillText, limitKind } from '../words.js';
import { interval } from '../../time.js';
import { ended, tooSoon, WAIT } from '../waits.js';

const ENCRYPTED_REQUEST = evidenceKind<{ length: number }>('encrypted_request', {
  en: (a) => `client's ${a.length}-byte encrypted record after its Finished (the request, by its place)`,
  zh: (a) => `客户端在 Finished 之后发出的 ${a.length} 字节加密记录（从位置看是请求）`,
}, { en: () => 'request (encrypted)', zh: () => '请求（加密）' });

const TICKET = evidenceKind<{ length: number }>('session_ticket', {
  en: (a) => `server's ${a.length}-byte encrypted record (a session ticket, by its size and place)`,
  zh: (a) => `服务器的 ${a.length} 字节加密记录（从大小和位置看是会话票据）`,
}, { en: () => 'session ticket', zh: () => '会话票据' });

const UNASKED = evidenceKind<{ length: number }>('unasked_record', {
  en: (a) => `server's ${a.length}-byte encrypted record, arrived before the request (sent unasked: not an answer)`,
  zh: (a) => `服务器的 ${a.length} 字节加密记录，在请求之前到达（主动发送，不是应答）`,
}, { en: () => 'unasked record', zh: () => '主动发送的记录' });

const SETTINGS_ACK = evidenceKind<{ length: number }>('h2_settings_ack', {
  en: (a) => `server's ${a.length}-byte encrypted record: an empty HTTP/2 frame by its size (the SETTINGS acknowledgement, not an answer)`,
  zh: (a) => `服务器的 ${a.length} 字节加密记录：从大小看是空的 HTTP/2 帧（SETTINGS 确认，不是应答）`,
}, { en: () => 'HTTP/2 SETTINGS ack', zh: () => 'HTTP/2 SETTINGS 确认' });

export const INFERRED_FROM_SIZES = limitKind<Record<string, never>>('encrypted_inferred', {
  en: () => 'the exchange is encrypted: the request and the session tickets are told by their place and size, not read; a protocol whose server stays silent by design (a long poll, a subscription) would look the same',
  zh: () => '该交互是加密的：请求和会话票据是根据位置和大小推断的，并未读取内容；如果某种协议的服务器本来就会保持沉默（长轮询、订阅），看起来也会一样',
});

/** TLS <= 1.2 (record types in clear), or records other than tickets: the wider wording. */
export const RECORDS_UNREAD = limitKind<Record<string, never>>('encrypted_records', {
  en: () => 'the exchange is encrypted: the request and the server\'s records after the handshake are told by their place, record type and size, not read; a protocol whose server stays silent by design (a long poll, a subscription) would look the same',
  zh: () => '该交互是加密的：请求和服务器在握手之后发出的记录是根据位置、记录类型和大小推断的，并未读取内容；如果某种协议的服务器本来就会保持沉默（长轮询、订阅），看起来也会一样',
});

const CLOSE_ALERT = evidenceKind<Record<string, never>>('client_close_alert', {
  en: () => 'client\'s encrypted alert after the request (it closes the TLS session: close_notify, by its place)',
  zh: () => '客户端在请求之后发出的加密告警（从位置看是 close_notify，关闭 TLS 会话）',
}, { en: () => 'close_notify (encrypted)', zh: () => 'close_notify（加密）' });

type Rec = { frame: number; ts: number; length: number };
type Kind = 'ticket' | 'unasked' | 'settings_ack';

/** Bytes a TLS <= 1.2 AEAD record adds to its plaintext (explicit nonce + tag), or null (not AEAD, unknown). */
function aeadOverhead12(cipher: number): number | null {
  const n = cipherName(cipher);
  if (n.includes('CHACHA20_POLY1305')) return n.endsWith('_OLD') ? null : 16;
  if (n.includes('_CCM_8')) return 8 + 8;
  if (n.includes('_GCM_') || n.endsWith('_CCM')) return 8 + 16;
  return null;
}

/**
 * The server's records after the handshake, each shown not to be an answer to the request (see the
 * file comment), or null when one may be an answer. `emptyFrame`: the record length of an empty HTTP/2
 * frame when HTTP/2 is known or offered and the cipher's overhead is known, else null.
 */
function notAnswers(recs: readonly Rec[], count: number, req: Rec, tls13: boolean, emptyFrame: number | null): Kind[] | null {
  if (count > 6 || recs.length !== count || recs.some((r) => r.length > 1024)) return null;
  const kinds: Array<Kind | null> = recs.map((r) => (r.frame < req.frame && r.ts <= req.ts ? 'unasked' : null));
  for (let i = 0; i < recs.length; i++) {
    if (kinds[i] !== null) continue;
    const r = recs[i]!;
    if (emptyFrame !== null && r.length === emptyFrame) kinds[i] = 'settings_ack';
  }
  if (tls13) {
    // After the request: tickets, two of one size, or one of the size of one that came before it.
    const late = recs.filter((_, i) => kinds[i] === null);
    if (late.length > 0) {
      const len = late[0]!.length;
      if (late.length > 2 || late.some((r) => r.length !== len || Math.abs(r.ts - req.ts) > 1)) return null;
      const before = recs.filter((r, i) => kinds[i] === 'unasked' && r.length === len);
      if (late.length + before.length !== 2) return null;
      for (let i = 0; i < recs.length; i++) if (kinds[i] === null || (kinds[i] === 'unasked' && recs[i]!.length === len)) kinds[i] = 'ticket';
    } else if (recs.length === 2 && kinds[0] === 'unasked' && kinds[1] === 'unasked' && recs[0]!.length === recs[1]!.length) {
      kinds[0] = kinds[1] = 'ticket';
    }
  }
  if (kinds.some((k) => k === null)) return null;
  // A SETTINGS acknowledgement answers a SETTINGS: at most the client's two (its preface, a change).
  if (kinds.filter((k) => k === 'settings_ack').length > 2) return null;
  return kinds as Kind[];
}

/**
 * Bytes an HTTP/2 client may send after its handshake without any request: the preface (24), a
 * SETTINGS frame of up to ten settings (69), a WINDOW_UPDATE (13), its SETTINGS acknowledgement
 * (9), a PING (17) and six PRIORITY frames (84), with room to spare. A connection opened ahead of
 * need (a browser's preconnect) sends that and waits, and its server answers with SETTINGS only.
 */
const H2_NO_REQUEST_MAX = 256;

/**
 * When the server may speak HTTP/2 and sent records other than tickets (its SETTINGS, its
 * acknowledgement: it is alive), did the client send more than an HTTP/2 preface — a request?
 * Plaintext bytes are at least the record bodies less the cipher's overhead per record.
 */
function beyondPreface(s: TlsSession, tls13: boolean): boolean {
  const overhead = tls13 ? 17 : aeadOverhead12(s.serverHello!.cipher);
  if (overhead === null) return false;
  return s.clientData.bytes - overhead * s.clientData.records > H2_NO_REQUEST_MAX;
}

/** The record length of an empty HTTP/2 frame on this session, when HTTP/2 is chosen (<= 1.2) or offered (1.3). */
function emptyH2Frame(s: TlsSession): number | null {
  const sh = s.serverHello!;
  if (isTls13(s)) return (s.clientHello?.alpn ?? []).includes('h2') ? 9 + 1 + 16 : null;
  if (sh.alpn !== 'h2') return null;
  const o = aeadOverhead12(sh.cipher);
  return o === null ? null : 9 + o;
}

/**
 * TLS completed, the request sent, the server silent but for records that are no answer until
 * the client left — or, when the capture stopped within the wait for an answer with the
 * connection still open, capture.ended_early: the capture cannot tell (the plain-HTTP case's
 * REQUEST_TOO_SOON, for what the encryption hides).
 */
export const ENCRYPTED_UNANSWERED: ConnRule = {
  on: 'conn',
  rank: 121,
  produces: ['http.no_response', 'capture.ended_early'],
  run(f, ctx) {
    const s = f.tls;
    if (!s || f.http || !isTcp(f) || !tlsEstablished(s) || s.clientFirstData === null) return null;
    const hello = s.clientHello;
    const c = f.conn;
    // HTTPS only: the client offered HTTP in ALPN (or the server chose it), or the port is an HTTPS one.
    const isHttp = (a: string | null) => a === 'http/1.1' || a === 'h2' || a === 'h3';
    const http = (hello?.alpn ?? []).some(isHttp) || isHttp(s.serverHello!.alpn) || [443, 8443, 4443, 9443].includes(c.resp.port);
    if (!http) return null;
    // A hole in the server's stream (a segment the capture missed) hides its records: what came
    // after it cannot be told.
    if (s.gap || s.broken.server) return null;
    const req = s.clientFirstData;
    const tls13 = isTls13(s);
    // TLS 1.3 early data: a request may have gone before the handshake ended and been answered
    // inside the server's flight or before the record taken for the request — not judged.
    if (tls13 && s.clientEncryptedFirst) return null;
    const kinds = notAnswers(s.serverAfterHandshake, s.serverAfterHandshakeCount, req, tls13, emptyH2Frame(s));
    if (kinds === null) return null;
    // HTTP/2 chosen (<= 1.2) or offered (1.3), and the server sent frames of its own: a request
    // must be shown, not a preface alone.
    const h2 = tls13 ? (hello?.alpn ?? []).includes('h2') : s.serverHello!.alpn === 'h2';
    if (h2 && kinds.some((k) => k !== 'ticket') && !beyondPreface(s, tls13)) return null;
    const clientOrig = s.clientIsOrig;
    const first = firstCloseAfter(c, req.frame);
    // A reset by the server is tcp.reset's to tell.
    if (c.rsts.some((r) => r.frame > req.frame && r.fromOrig !== clientOrig)) return null;
    // TLS <= 1.2 shows the client's alert (its close_notify) in clear: who ended the silence, even
    // when the server's FIN then came first.
    const alert = s.encryptedAlerts.find((a) => a.fromClient && a.frame > req.frame && (first === undefined || a.frame < first.frame));
    const close = alert !== undefined ? { frame: alert.frame, ts: alert.ts, fromOrig: clientOrig, alert: true } : first;
    // Unknown (a clock step, a wild timestamp: time.ts `interval`) is not too soon.
    if (!close && tooSoon(ctx, req.ts, WAIT.http)) {
      // Nothing closed the connection after the request (no FIN, reset or alert): the capture
      // stopped while the client may still have been waiting for its answer.
      return ended('request', req.ts, ctx, [proof(ENCRYPTED_REQUEST, req.frame, req.ts, way(c, clientOrig), { length: req.length })]);
    }
    // A client that closed within a second of its request did not wait for an answer (a browser
    // dropping a connection it raced or no longer needs): nothing to say about the server.
    if (clientLeftAtOnce(close, clientOrig, req.ts) !== null) return null;
    const lastServer = s.serverAfterHandshake.reduce((t, r) => Math.max(t, r.ts), req.ts);
    const end = close ? close.ts : ctx.captureEnd;
    const ev: EvidenceAt[] = [proof(ENCRYPTED_REQUEST, req.frame, req.ts, way(c, clientOrig), { length: req.length })];
    const recs = s.serverAfterHandshake;
    const KIND = { ticket: TICKET, unasked: UNASKED, settings_ack: SETTINGS_ACK };
    recs.forEach((r, i) => ev.push(proof(KIND[kinds[i]!], r.frame, r.ts, way(c, !clientOrig), { length: r.length })));
    const closedBy = close ? (close.fromOrig === clientOrig ? 'client' : 'server') : null;
    if (alert !== undefined) ev.push(proof(CLOSE_ALERT, alert.frame, alert.ts, way(c, clientOrig), {}));
    else if (close) ev.push(proof(c.rsts.some((r) => r === close) ? RST : FIN, close.frame, close.ts, way(c, close.fromOrig), { sender: closedBy! }));
    ev.sort((a, b) => a.frame - b.frame);
    const tickets = recs.filter((_, i) => kinds[i] === 'ticket');
    const others = recs.map((r, i) => ({ kind: kinds[i]!, length: r.length })).filter((x) => x.kind !== 'ticket');
    const o = outcome('http.no_response', ev, {
      encrypted: true,
      tlsVersion: tlsVersionName(s.serverHello!.version),
      sni: hello?.sni ?? null,
      requestLength: req.length,
      tickets: tickets.length,
      ticketLengths: tickets.map((r) => r.length),
      // Records other than tickets, only when there are some (reports of the plain case stay as they were).
      ...(others.length > 0 ? { otherRecords: others } : {}),
      silenceSeconds: tenths(interval(end, lastServer)),
      closedBy,
    }, {
      waited: tenths(interval(end, req.ts)), silence: tenths(interval(end, lastServer)), tickets: tickets.length, encrypted: true, sender: closedBy,
      unasked: others.filter((x) => x.kind === 'unasked').length, acks: others.filter((x) => x.kind === 'settings_ack').length,
    });
    o.limits.push(tls13 && others.length === 0 ? INFERRED_FROM_SIZES.of({}) : RECORDS_UNREAD.of({}));
    return o;
  },
};

/** How the wait for a plain-HTTP answer ended (fact ended), with how long it was ({waited} s). */
function endedText(ended: unknown, lang: 'en' | 'zh'): string {
  if (lang === 'en') {
    return ended === 'client_reset' ? 'the client reset the connection {waited} s later'
      : ended === 'client_fin' ? 'the client closed the connection {waited} s later'
        : ended === 'server_fin' ? 'the server closed the connection {waited} s later'
          : ended === 'quiet' ? 'the connection went quiet: its last packet came {waited} s later'
            : 'the connection closed, or the capture ended, {waited} s later';
  }
  return ended === 'client_reset' ? '客户端在 {waited} 秒后重置了连接'
    : ended === 'client_fin' ? '客户端在 {waited} 秒后关闭了连接'
      : ended === 'server_fin' ? '服务器在 {waited} 秒后关闭了连接'
        : ended === 'quiet' ? '连接随后没有动静：它的最后一个数据包在 {waited} 秒后'
          : '连接关闭（或抓包在 {waited} 秒后结束）';
}

/** How the wait for a plain-HTTP answer ended, when the capture's clock cannot tell after how long. */
function endedUntimed(ended: unknown, lang: 'en' | 'zh'): string {
  if (lang === 'en') {
    return ended === 'client_reset' ? 'the client reset the connection'
      : ended === 'client_fin' ? 'the client closed the connection'
        : ended === 'server_fin' ? 'the server closed the connection'
          : ended === 'quiet' ? 'the connection went quiet'
            : 'the connection closed, or the capture ended';
  }
  return ended === 'client_reset' ? '客户端重置了连接'
    : ended === 'client_fin' ? '客户端关闭了连接'
      : ended === 'server_fin' ? '服务器关闭了连接'
        : ended === 'quiet' ? '连接没有了动静'
          : '连接关闭（或抓包结束）';
}

/** How the silence ended, from fact sender ('client' / 'server' closed; none: the capture ended). */
function closedText(sender: unknown, lang: 'en' | 'zh'): string {
  if (lang === 'en') return sender === 'client' ? 'until the client gave up and closed the connection' : sender === 'server' ? 'until the server closed the connection' : 'until the capture ended';
  return sender === 'client' ? '直到客户端放弃并关闭连接' : sender === 'server' ? '直到服务器关闭连接' : '直到抓包结束';
}

/** What the server sent after the handshake: its session tickets, records that are no answer, or nothing. */
function ticketsText(tickets: unknown, unasked: unknown, acks: unknown, lang: 'en' | 'zh'): string {
  const num = (x: unknown) => (typeof x === 'number' ? x : 0);
  const n = num(tickets);
  const u = num(unasked);
  const k = num(acks);
  if (u === 0 && k === 0) {
    if (lang === 'en') {
      return n === 0 ? 'The server sent nothing after the handshake'
        : `The server sent only ${n} small record${n === 1 ? '' : 's'} right after the handshake, session tickets by their size and place (a TLS 1.3 server sends them unasked), then nothing`;
    }
    return n === 0 ? '握手之后服务器什么也没有发送，' : `服务器只在握手之后立即发来了 ${n} 个小记录，从大小和位置看是会话票据（TLS 1.3 服务器会主动发送），随后`;
  }
  const s = (x: number) => (x === 1 ? '' : 's');
  if (lang === 'en') {
    const parts: string[] = [];
    if (n > 0) parts.push(`${n} session ticket${s(n)} (by size and place)`);
    if (u > 0) parts.push(`${u} small record${s(u)} that arrived before the request (sent unasked: a TLS 1.3 session ticket, an HTTP/2 server's SETTINGS)`);
    if (k > 0) parts.push(`${k} empty HTTP/2 frame${s(k)} (the acknowledgement of the client's SETTINGS, by size)`);
    const list = parts.length > 1 ? `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}` : parts[0];
    return `After the handshake the server sent only ${list}, none of them an answer, then nothing`;
  }
  const parts: string[] = [];
  if (n > 0) parts.push(`${n} 个会话票据（从大小和位置判断）`);
  if (u > 0) parts.push(`${u} 个在请求之前到达的小记录（主动发送：TLS 1.3 会话票据、HTTP/2 服务器的 SETTINGS）`);
  if (k > 0) parts.push(`${k} 个空的 HTTP/2 帧（从大小看是对客户端 SETTINGS 的确认）`);
  return `握手之后服务器只发来了${parts.join('、')}，都不是应答，随后`;
}

const ENCRYPTED = {
  en: {
    summary: '{target}: the HTTPS request was sent but no answer came in {waited} s',
    explanation:
      'The TLS handshake with {ip} port {port} completed and the client sent its request, encrypted. {ticketsText} for {silence} s, {closedText}. The server (or a proxy or load balancer in front of it that terminates TLS) accepted the connection but never answered the request: the application hung, is waiting on something slow, or dropped the request.',
    advice: [
      'Check the server application behind TLS: is it stuck (a slow database, an exhausted worker pool)? Find the request in its access and error logs; a request that never reached the log points at the TLS terminator in front of it.',
      'If a reverse proxy, load balancer or CDN terminates TLS, check its upstream timeouts and its log: it may be waiting on a backend that does not answer (security group or firewall between the proxy and the backend, a backend down).',
      'Reproduce with `curl -v --max-time 60 https://{host}:{port}/` and see whether and when the answer comes; `openssl s_client -connect {host}:{port} -servername {host}` shows that the TLS part works.',
      'If the client gave up after {waited} s, that is its own timeout: a longer one helps only if the server is slow rather than stuck.',
    ],
  },
  zh: {
    summary: '{target}：HTTPS 请求已发出，但 {waited} 秒内没有任何应答',
    explanation:
      '与 {ip} 端口 {port} 的 TLS 握手已完成，客户端发送了加密的请求。{ticketsText} {silence} 秒没有任何数据，{closedText}。服务器（或其前面终结 TLS 的代理、负载均衡）接受了连接，却始终没有应答请求：应用卡住了、在等待很慢的操作，或丢弃了该请求。',
    advice: [
      '检查 TLS 之后的服务器应用是否卡住（数据库慢、工作线程池耗尽），在其访问日志和错误日志中查找该请求；如果日志中没有这个请求，问题在前面终结 TLS 的设备上。',
      '如果由反向代理、负载均衡或 CDN 终结 TLS，检查其回源超时设置和日志：它可能在等待一个不应答的后端（代理与后端之间的安全组或防火墙、后端宕机）。',
      '用 `curl -v --max-time 60 https://{host}:{port}/` 复现，看应答是否以及何时到来；`openssl s_client -connect {host}:{port} -servername {host}` 可以确认 TLS 部分正常。',
      '如果客户端在 {waited} 秒后放弃，那是它自己的超时：只有当服务器只是慢而不是卡住时，加长超时才有用。',
    ],
  },
};

/**
 * Said without a time the capture's clock cannot give (it stepped back): how long the client
 * waited ({waited}), how long the server stayed silent ({silence}).
 */
const NO_WAIT = {
  advice: {
    3: {
      en: 'If the capture ended soon after the request, capture longer: the answer may have come later.',
      zh: '如果抓包在请求之后很快就结束了，延长抓包时间：应答可能来得较晚。',
    },
  },
} as const;

const ENCRYPTED_NO_WAIT = {
  summary: {
    en: '{target}: the HTTPS request was sent but no answer came',
    zh: '{target}：HTTPS 请求已发出，但没有任何应答',
  },
  advice: {
    3: {
      en: 'If the client gave up, that is its own timeout: a longer one helps only if the server is slow rather than stuck.',
      zh: '如果客户端放弃了，那是它自己的超时：只有当服务器只是慢而不是卡住时，加长超时才有用。',
    },
  },
} as const;

const ENCRYPTED_NO_SILENCE = {
  explanation: {
    en: 'The TLS handshake with {ip} port {port} completed and the client sent its request, encrypted. {ticketsText}, {closedText}. The server (or a proxy or load balancer in front of it that terminates TLS) accepted the connection but never answered the request: the application hung, is waiting on something slow, or dropped the request.',
    zh: '与 {ip} 端口 {port} 的 TLS 握手已完成，客户端发送了加密的请求。{ticketsText}一直没有任何数据，{closedText}。服务器（或其前面终结 TLS 的代理、负载均衡）接受了连接，却始终没有应答请求：应用卡住了、在等待很慢的操作，或丢弃了该请求。',
  },
} as const;

const CAUSE = defineCause({
  code: 'http.no_response',
  layer: 'http',
  severity: 'error',
  // Live: an encrypted request is watched (live.ts) and judged once WAIT.http passed or the client closed.
  live: 'timeout',
  rules: [HTTP_UNANSWERED_RULE, ENCRYPTED_UNANSWERED],
  vars: (v, lang) => {
    const waited = v.facts['waited'];
    return {
      endedText: typeof waited === 'number' ? fill(endedText(v.facts['ended'], lang), { waited }) : endedUntimed(v.facts['ended'], lang),
      closedText: closedText(v.facts['sender'], lang),
      ticketsText: ticketsText(v.facts['tickets'], v.facts['unasked'], v.facts['acks'], lang),
    };
  },
  compose: (d, v, lang, vars) => {
    const waited = typeof v.facts['waited'] === 'number';
    if (v.facts['encrypted'] !== true) return waited ? d : fillText(VARIANTS.noWait[lang], vars);
    const silence = typeof v.facts['silence'] === 'number';
    const w = waited ? (silence ? ENCRYPTED : VARIANTS.encryptedNoSilence) : silence ? VARIANTS.encryptedNoWait : VARIANTS.encryptedNoTimes;
    return fillText(w[lang], vars);
  },
  words: {
    en: {
      summary: '{target}: the request was sent but no HTTP response came back',
      explanation:
        'The client sent an HTTP request to {ip} port {port}, and {endedText}, without any response. The server or a proxy in front of it hung, timed out, or closed the connection without answering.',
      advice: [
        'Check the server application: is it stuck (a slow database, an exhausted thread pool)? Find the request in its log.',
        'If a proxy or load balancer is in between, check its timeouts and its log.',
        'Reproduce with `curl -v --max-time 60 http://{host}:{port}/` and see how long the answer takes.',
        'If the capture ended soon after the request ({waited} s), capture longer: the answer may have come later.',
      ],
    },
    zh: {
      summary: '{target}：请求已发出，但没有收到 HTTP 响应',
      explanation:
        '客户端向 {ip} 端口 {port} 发送了 HTTP 请求，随后{endedText}，始终没有响应。服务器或其前面的代理卡住、超时，或没有应答就关闭了连接。',
      advice: [
        '检查服务器应用是否卡住（数据库慢、线程池耗尽），并在其日志中查找该请求。',
        '如果中间有代理或负载均衡，检查其超时设置和日志。',
        '用 `curl -v --max-time 60 http://{host}:{port}/` 复现，看应答需要多长时间。',
        '如果抓包在请求之后很快就结束了（{waited} 秒），延长抓包时间：应答可能来得较晚。',
      ],
    },
  },
});

/** Its wordings without the times the capture's clock cannot give, chosen by its compose. */
const VARIANTS: Readonly<Record<'noWait' | 'encryptedNoWait' | 'encryptedNoSilence' | 'encryptedNoTimes', Wording>> = {
  noWait: reworded(CAUSE.words, NO_WAIT),
  encryptedNoWait: reworded(ENCRYPTED, ENCRYPTED_NO_WAIT),
  encryptedNoSilence: reworded(ENCRYPTED, ENCRYPTED_NO_SILENCE),
  encryptedNoTimes: reworded(reworded(ENCRYPTED, ENCRYPTED_NO_WAIT), ENCRYPTED_NO_SILENCE),
};

export default { ...CAUSE, variants: { encrypted: ENCRYPTED, ...VARIANTS } };
