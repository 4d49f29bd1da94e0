/**
 * tls.transfer_cut_short: the server's encrypted data stopped in the middle of a TLS record — the
 * record's header promised bytes that never came — and the connection ended there: the server
 * closed it, or the client gave up after the data had stopped
 *
 * Inside TLS the capture cannot see where a response ends, but it can see the records: an
 * application's data is sent in whole records (RFC 8446 §5.1, RFC 5246 §6.2), so a stream that
 * stops inside one did not finish what it was sending. HTTPS downloads that a path going black or a
 * server that dies mid-response cut off read "worked at every layer seen" before (found by
 * scripts/lossy-check.sh's blackhole profile: curl --max-time ran out mid-transfer, exit 28).
 *
 * Claimed only when the packets prove it:
 * - the handshake completed (tls-session.ts tlsEstablished), no fatal alert, the client is the
 *   connection's originator;
 * - the server's in-order bytes stopped inside an encrypted record (track/reassembly.ts StreamCut:
 *   at the stream's first gap, else at its end);
 * - no byte of the client's stream is missing, and the first close after the server's last bytes
 *   acknowledged exactly those bytes (when it carries an ACK): the client got everything the
 *   capture holds and nothing more, so the record really stopped there for the client too; a
 *   client that gave up never closed its window (one that stopped reading stalled the data itself);
 * - the server's close (FIN, or RST) came first, sitting right at the end of the bytes seen: the
 *   server ended the connection mid-record (an error); or the client's came first (FIN, or RST),
 *   after the server's data had stopped for 10 s, or for 3 s when that is ten times or more the
 *   time a full segment's bytes had been taking to arrive: the client gave up on a transfer that
 *   stopped dead (a warning: a timeout and a cancelled download look the same). Bytes of the
 *   server's that came only after the client's close, past a hole the client never acknowledged,
 *   were lost on the way (details.lostAfterClose).
 *
 * Rank 119: after the HTTP rules (plain HTTP is told by what it says) and capture.ended_early,
 * before tcp.reset (a reset that cuts a record is told here, with what it cut).
 */
import { defineCause } from '../cause.js';
import { firstCloseAfter, isTcp, outcome, tenths, type ConnRule, type EvidenceAt, type Outcome } from '../outcome.js';
import { FIN, RST, proof, way } from '../evidence.js';
import { serverHelloProof } from '../rules-tls.js';
import { CLIENT_ENDED, arrivingText, byClientText, crawlAdvice, crawlProof, crawled, cutText, dataEnd, NO_HOLE, offsetIn, pastHole, stoppedDead } from './http.body_cut_short.js';
import { evidenceKind, fillText, type CauseText } from '../words.js';
import { tlsEstablished } from '../../track/tls-session.js';
import { tlsVersionName } from '../../decode/names.js';
import type { TcpConn, TcpControl } from '../../track/tcp.js';
import type { FinishedConn } from '../../track/tracker.js';
import { interval } from '../../time.js';

/** The largest record a TLS <= 1.2 peer may send (RFC 5246 §6.2.3: 2^14 + 2048 bytes of ciphertext), header included. */
const MAX_RECORD = 16384 + 2048 + 5;

const LAST_DATA = evidenceKind<{ received: number; pending: number }>('tls_data_last', {
  en: (a) => `the server's last bytes seen: ${a.received} bytes into its stream, ${a.pending} bytes of this TLS record never came`,
  zh: (a) => `最后收到的服务器数据：其数据流的第 ${a.received} 字节处，这个 TLS 记录还有 ${a.pending} 字节始终没有到达`,
}, {
  en: (a) => `record cut (${a.pending} B missing)`,
  zh: (a) => `记录被截断（缺 ${a.pending} 字节）`,
});

const FIRST_DATA = evidenceKind<Record<string, never>>('tls_data_first', {
  en: () => 'the server\'s first encrypted data after the handshake',
  zh: () => '握手之后服务器的第一个加密数据',
}, { en: () => 'first data', zh: () => '第一个数据' });

const CUT_RECORD: ConnRule = {
  on: 'conn',
  rank: 119,
  produces: ['tls.transfer_cut_short'],
  run(f) {
    const s = f.tls;
    if (!s || !isTcp(f) || !s.clientIsOrig || !s.serverHello || s.alerts.some((a) => a.level === 2) || !tlsEstablished(s)) return null;
    const c = f.conn;
    // The client ended the connection while the server's data still came, through heavy loss.
    const close = firstCloseAfter(c, 0);
    if (close !== undefined && !s.broken.client && crawled(c, close)) return crawling(f, c, close);
    const cut = c.cutResp;
    // (A direction that stopped reading as TLS records, not at a gap, is passed over whole: no record is cut.)
    if (cut === null || cut.pending > MAX_RECORD || c.gapBytes.orig !== 0 || s.broken.client || (s.broken.server && c.gapBytes.resp === 0)) return null;
    // The first close after the server's last bytes, and none of either side before them.
    const head = firstCloseAfter(c, cut.frame);
    if (head === undefined || close !== head) return null;
    const rst = c.rsts.includes(head);
    const start = (c.resp.startSeq + 1) | 0;
    const byClient = head.fromOrig;
    if (byClient) {
      // The client acknowledged exactly the bytes seen: it got them all, and nothing the capture lacks.
      if (!head.hasAck || offsetIn(start, head.ack) !== cut.offset) return null;
      // It never closed its window: a client that stopped reading stalled the data itself.
      if (c.zeroWindows.orig !== 0) return null;
      if (!stoppedDead(interval(head.ts, cut.ts), interval(cut.ts, c.resp.firstDataTime), cut.offset)) return null;
    } else {
      // The server's close sits right at the end of the bytes seen (a RST at its next byte, a FIN after its data).
      if (c.gapBytes.resp !== 0 || offsetIn(start, rst ? head.seq : head.seq + head.payLen) !== cut.offset) return null;
    }
    // Bytes past a hole count as lost on the way after the client's close only when they came
    // after it (the path came back); data past a hole before it means the server kept sending while
    // the hole stayed, and the client, which acknowledged exactly up to the hole, waited on it
    // through the silence: the transfer stuck on the hole (http.body_cut_short's too).
    const hole = byClient ? pastHole(c, head) : NO_HOLE;
    const sender = byClient ? 'client' : 'server';
    const ev: EvidenceAt[] = [serverHelloProof(c, s)];
    const first = s.serverAfterHandshake[0];
    if (first !== undefined && first.frame < cut.frame) ev.push(proof(FIRST_DATA, first.frame, first.ts, way(c, false), {}));
    ev.push(proof(LAST_DATA, cut.frame, cut.ts, way(c, false), { received: cut.offset, pending: cut.pending }));
    ev.push(proof(rst ? RST : FIN, head.frame, head.ts, way(c, head.fromOrig), { sender }));
    const idle = tenths(interval(head.ts, cut.ts));
    const seconds = tenths(interval(cut.ts, first?.ts ?? s.serverHello.ts));
    const o = outcome('tls.transfer_cut_short', ev, {
      tlsVersion: tlsVersionName(s.serverHello.version), sni: s.clientHello?.sni ?? null,
      receivedBytes: cut.offset, recordBytesMissing: cut.pending,
      endedBy: { sender, flag: rst ? 'RST' : 'FIN', frame: head.frame },
      seconds, idleSeconds: idle,
      ...hole.details,
    }, {
      received: cut.offset, pending: cut.pending, sender, closedWith: rst ? 'rst' : 'fin', seconds, idle,
      ...hole.facts,
    });
    if (byClient) {
      o.severity = 'warning';
      o.limits.push(CLIENT_ENDED.of({}));
    }
    return o;
  },
};

/** The outcome of a transfer the client ended while it crawled (crawled). */
function crawling(f: FinishedConn, c: TcpConn, close: TcpControl): Outcome {
  const s = f.tls!;
  const start = (c.resp.startSeq + 1) | 0;
  const received = offsetIn(start, close.ack);
  const beyond = offsetIn(start, dataEnd(c)) - received;
  const rst = c.rsts.includes(close);
  const crawl = crawlProof(c, close);
  const ev: EvidenceAt[] = [serverHelloProof(c, s)];
  const first = s.serverAfterHandshake[0];
  if (first !== undefined && first.frame < close.frame) ev.push(proof(FIRST_DATA, first.frame, first.ts, way(c, false), {}));
  ev.push(proof(rst ? RST : FIN, close.frame, close.ts, way(c, true), { sender: 'client' }));
  if (crawl.evidence !== null) ev.push(crawl.evidence);
  ev.sort((a, b) => a.frame - b.frame);
  const seconds = tenths(interval(close.ts, first?.ts ?? s.serverHello!.ts));
  const o = outcome('tls.transfer_cut_short', ev, {
    tlsVersion: tlsVersionName(s.serverHello!.version), sni: s.clientHello?.sni ?? null,
    receivedBytes: received, serverBytesBeyond: beyond,
    endedBy: { sender: 'client', flag: rst ? 'RST' : 'FIN', frame: close.frame },
    seconds,
    ...crawl.details,
  }, { received, beyond, sender: 'client', closedWith: rst ? 'rst' : 'fin', seconds, ...crawl.facts }, 'warning');
  o.limits.push(CLIENT_ENDED.of({}));
  return o;
}

/** The words when the client closed first: it gave up on data that had stopped. */
const BY_CLIENT: { readonly en: CauseText; readonly zh: CauseText } = {
  en: {
    summary: '{target}: the server\'s encrypted data stopped in the middle of a TLS record, and {idle} s later the client {cutText}: the transfer did not finish',
    explanation:
      'The TLS session with {ip} port {port} was set up and the server\'s data had been arriving for {seconds} s ({received} bytes) when it stopped inside a TLS record: {pending} bytes of that record never came. An application sends whole records, so whatever the server was sending was not finished. {idle} s later the client {cutText}. {lostText}: the client gave up on a transfer that had stopped dead — its own timeout (curl --max-time, exit 28; a library\'s read timeout) or a cancelled download. Encryption hides what was being sent; a stop in the middle of a record is what the packets prove.',
    advice: [
      'Find what stopped the server\'s data: a path that dropped the server\'s packets for a while (a route change, a firewall or NAT state that expired, a flapping link: `mtr -n {ip}` while it happens), or a server or backend that stopped sending (its logs at that time).',
      'Capture on the server side as well: if its packets left the server and did not arrive, the path lost them; if it stopped sending, look at the server.',
      'Check the client\'s timeouts against how long the transfer needs, and reproduce with `curl -v -o /dev/null https://{host}:{port}/`.',
    ],
  },
  zh: {
    summary: '{target}：服务器的加密数据在一个 TLS 记录的中途停止，{idle} 秒后客户端{cutText}：传输没有完成',
    explanation:
      '与 {ip} 端口 {port} 的 TLS 会话已经建立，服务器的数据已经传输了 {seconds} 秒（{received} 字节），然后在一个 TLS 记录的中途停止：该记录还有 {pending} 字节始终没有到达。应用程序总是发送完整的记录，因此服务器正在发送的内容没有发完。{idle} 秒后客户端{cutText}。{lostText}：是客户端放弃了一个已经停滞的传输——它自己的超时（curl --max-time，退出码 28；程序库的读取超时）或被取消的下载。加密让人看不到正在传输的内容；数据停在记录中途，是数据包能够证明的事实。',
    advice: [
      '找出服务器的数据为何停止：路径在一段时间内丢弃了服务器的数据包（路由变化、防火墙或 NAT 的连接状态过期、链路抖动：出问题时执行 `mtr -n {ip}`），或服务器及其后端停止了发送（查看其该时间点的日志）。',
      '在服务器一侧同时抓包：如果数据包离开了服务器却没有到达，是路径丢失了它们；如果服务器停止了发送，就检查服务器。',
      '对照传输所需的时间检查客户端的超时设置，并用 `curl -v -o /dev/null https://{host}:{port}/` 复现。',
    ],
  },
};

/** The words when the client closed while the server's data still arrived through heavy loss. */
const MOVING: { readonly en: CauseText; readonly zh: CauseText } = {
  en: {
    summary: '{target}: the client {cutText} while the server\'s data still crawled in ({received} bytes in {seconds} s, {resent} of {segments} packets resent)',
    explanation:
      'The TLS session with {ip} port {port} was set up and the server\'s data was still arriving when the client {cutText}, {arrivingText}. In {seconds} s the client had received {received} bytes in order, and the server had sent {beyond} bytes more, not all of which had come through. The server sent {resent} of its {segments} packets again: the path was losing packets, and the transfer crawled. The client gave up on it — its own timeout (curl --max-time, exit 28; a library\'s read timeout) or a cancelled download. Encryption hides what was being sent; a close while the server\'s data still arrives, before the client had it all, is what the packets prove.',
    advice: crawlAdvice('en', 'https'),
  },
  zh: {
    summary: '{target}：服务器的数据仍在缓慢到达时，客户端{cutText}（{seconds} 秒收到 {received} 字节，{segments} 个包中 {resent} 个重传）',
    explanation:
      '与 {ip} 端口 {port} 的 TLS 会话已经建立，服务器的数据仍在到达，客户端却{arrivingText}{cutText}。{seconds} 秒内客户端按序收到了 {received} 字节，服务器另外发出的 {beyond} 字节并没有全部到达。服务器的 {segments} 个数据包中有 {resent} 个被重传：路径在丢包，传输极其缓慢。是客户端放弃了它——它自己的超时（curl --max-time，退出码 28；程序库的读取超时）或被取消的下载。加密让人看不到正在传输的内容；在服务器的数据仍在到达、客户端尚未全部收到时连接被关闭，是数据包能够证明的事实。',
    advice: crawlAdvice('zh', 'https'),
  },
};

export default defineCause({
  code: 'tls.transfer_cut_short',
  layer: 'tls',
  severity: 'error',
  live: 'end',
  rules: [CUT_RECORD],
  variants: { byClient: BY_CLIENT, moving: MOVING },
  vars: (v, lang) => ({ cutText: cutText(v, lang), lostText: byClientText(v, lang), arrivingText: arrivingText(v, lang) }),
  compose: (d, v, lang, vars) => {
    if (v.facts['sender'] !== 'client') return d;
    return fillText((v.facts['moving'] === true ? MOVING : BY_CLIENT)[lang], vars);
  },
  words: {
    en: {
      summary: '{target}: the server {cutText} in the middle of a TLS record: the transfer was cut short',
      explanation:
        'The TLS session with {ip} port {port} was set up and the server\'s data had been arriving for {seconds} s ({received} bytes) when the server {cutText} inside a TLS record: {pending} bytes of that record never came, and no byte is missing from the capture. An application sends whole records, so the client got a truncated stream (OpenSSL says "unexpected eof while reading", curl exits 56), while tshark shows a normal close. The server, a proxy or load balancer in front of it, or a device on the path ended the connection in the middle of the data ({idle} s after its last bytes).',
      advice: [
        'Find the connection in the logs of the server and of any proxy or load balancer in front of it at that time: a worker that crashed or was restarted mid-response, a timeout that aborted it, a response-size limit.',
        'A round silence before the close ({idle} s) is a timeout: a proxy\'s or load balancer\'s idle or send timeout, the backend\'s write timeout.',
        'A RST from a firewall, IPS or NAT gateway looks like the server\'s: capture on the server side as well, and compare the TTL of the close with the server\'s other packets.',
        'Reproduce with `curl -v -o /dev/null https://{host}:{port}/` a few times: cut at the same byte count points at a size limit, at the same time at a timeout, at random points at a crash or the network.',
      ],
    },
    zh: {
      summary: '{target}：服务器在一个 TLS 记录的中途{cutText}：传输被截断',
      explanation:
        '与 {ip} 端口 {port} 的 TLS 会话已经建立，服务器的数据已经传输了 {seconds} 秒（{received} 字节），然后服务器在一个 TLS 记录的中途{cutText}：该记录还有 {pending} 字节始终没有到达，而抓包中没有缺失任何字节。应用程序总是发送完整的记录，因此客户端收到的是被截断的数据流（OpenSSL 报 "unexpected eof while reading"，curl 退出码 56），而 tshark 显示的是正常关闭。是服务器、其前面的代理或负载均衡，或路径上的设备在数据传输中途结束了连接（距其最后的数据 {idle} 秒）。',
      advice: [
        '在服务器及其前面的代理或负载均衡该时间点的日志中查找这个连接：响应中途崩溃或被重启的工作进程、中止了响应的超时、响应大小限制。',
        '关闭前的静默时间（{idle} 秒）如果是整数值，通常就是超时：代理或负载均衡的空闲超时或发送超时、后端的写超时。',
        '防火墙、IPS 或 NAT 网关发出的 RST 看起来和服务器发出的一样：在服务器一侧同时抓包，并把关闭报文的 TTL 与服务器其他数据包的 TTL 对比。',
        '用 `curl -v -o /dev/null https://{host}:{port}/` 多试几次：每次截断在相同字节数说明是大小限制，在相同时间说明是超时，位置随机则是进程崩溃或网络问题。',
      ],
    },
  },
});
