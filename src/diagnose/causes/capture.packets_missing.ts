/**
 * capture.packets_missing: packets the receiver acknowledged are missing from the capture
 * (capture loss): what follows the gap cannot be judged.
 *
 * When a connection's data has gaps the receiver acknowledged (the sender's packets reached it,
 * the capture did not get them), a missing answer proves nothing: the ServerHello or the HTTP
 * response may be exactly what the capture lost. Only those claims of absence are held back; what
 * the capture does show (an alert, a reset in reply to a SYN, an error status) is still said.
 */
import { defineCause, withVariants } from '../cause.js';
import { isTcp, outcome, tenths, type ConnRule, type EvidenceAt } from '../outcome.js';
import { CLIENT_HELLO, HTTP_UNANSWERED, proof, way } from '../evidence.js';
import { evidenceKind } from '../words.js';
import { tlsEstablished } from '../../track/tls-session.js';
import { interval } from '../../time.js';

const LOST: ConnRule = {
  on: 'conn',
  rank: 58,
  produces: ['capture.packets_missing'],
  run(f) {
    if (!isTcp(f)) return null;
    const c = f.conn;
    const lost = c.gapBytes.orig + c.gapBytes.resp;
    if (lost === 0 && !f.tls?.gap) return null;
    const ev: EvidenceAt[] = [];
    const s = f.tls;
    if (s?.clientHello && !s.serverHello && s.alerts.length === 0) {
      ev.push(proof(CLIENT_HELLO, s.clientHello.frame, s.clientHello.ts, way(c, s.clientIsOrig), { sni: s.clientHello.sni }));
    }
    const unanswered = f.http?.exchanges.filter((e) => e.status === null) ?? [];
    if (unanswered[0]) ev.push(proof(HTTP_UNANSWERED, unanswered[0].requestFrame, unanswered[0].requestTime, way(c, true), { method: unanswered[0].method, path: unanswered[0].target }));
    if (ev.length === 0) return null;
    return outcome('capture.packets_missing', ev,
      { missingBytes: { client: c.gapBytes.orig, server: c.gapBytes.resp }, ...(unanswered.length ? { unansweredRequests: unanswered.length } : {}) },
      { bytes: lost }, 'warning');
  },
};

/**
 * Seconds after which unacknowledged data is resent by any TCP (RFC 6298 §2: an initial timeout
 * of 1 s, Linux's 200 ms minimum; doubled twice still under this).
 */
const RESEND_DUE = 3;

const UNACKED_REQUEST = evidenceKind<{ length: number }>('request_unacked', {
  en: (a) => `request (${a.length} bytes), never acknowledged in the capture and never resent`,
  zh: (a) => `请求（${a.length} 字节），抓包中始终没有确认，也从未重发`,
}, { en: () => 'request, unacknowledged', zh: () => '请求，未确认' });

/**
 * The client's request stayed unacknowledged to the end of the capture, yet the client never sent
 * it again though the capture went on RESEND_DUE s or more, and nothing closed the connection
 * after it: a TCP that gets no acknowledgement
 * resends. It got the server's acknowledgements, and the capture does not hold them: it stopped
 * seeing this connection (filtered or cut to the first packets of each connection, as nDPI's test
 * captures are; packets lost by the capture). Whether the server answered cannot be told, so the
 * silence is not claimed (nDPI 1kxun, instagram, pinterest, reddit: http.no_response).
 */
const UNSEEN_ACKS: ConnRule = {
  on: 'conn',
  rank: 117,
  produces: ['capture.packets_missing'],
  run(f, ctx) {
    if (!isTcp(f)) return null;
    const c = f.conn;
    // Both directions in the capture (a one-sided capture is capture.one_sided's to tell).
    if (c.resp.pkts === 0 || c.unackedBytes.orig === 0 || c.retransmits.orig > 0 || c.rsts.some((r) => !r.fromOrig)) return null;
    let req: { frame: number; ts: number; length: number } | null = null;
    let ev: EvidenceAt | null = null;
    const ex = f.http?.exchanges.find((e) => e.status === null);
    const s = f.tls;
    // The server's stream read without a hole (a response lost in one is capture.packets_missing's first rule).
    if (ex && c.gapBytes.resp === 0) {
      req = { frame: ex.requestFrame, ts: ex.requestTime, length: 0 };
      ev = proof(HTTP_UNANSWERED, ex.requestFrame, ex.requestTime, way(c, true), { method: ex.method, path: ex.target });
    } else if (s && !f.http && tlsEstablished(s) && s.clientFirstData !== null && !s.gap && !s.broken.server && s.serverAfterHandshakeCount === 0) {
      req = s.clientFirstData;
      ev = proof(UNACKED_REQUEST, req.frame, req.ts, way(c, s.clientIsOrig), { length: req.length });
    }
    if (req === null || ev === null) return null;
    // The capture holds how the connection ended (a FIN or RST after the request): it did not stop
    // seeing it; what the client's close means is the other rules' to tell.
    const r = req;
    if (c.fins.some((x) => x.frame > r.frame) || c.rsts.some((x) => x.frame > r.frame)) return null;
    const watched = interval(ctx.captureEnd, req.ts);
    if (watched === null || watched < RESEND_DUE) return null;
    return outcome('capture.packets_missing', [ev], { unackedBytes: c.unackedBytes.orig, notResent: true, watchedSeconds: tenths(watched) },
      { bytes: c.unackedBytes.orig, notResent: true, waited: tenths(watched) }, 'warning');
  },
};

/** The words when acknowledgements are what the capture lacks (UNSEEN_ACKS). */
const NOT_RESENT = {
  en: {
    summary: '{target}: the capture stopped seeing this connection after the request; whether the server answered cannot be told',
    explanation:
      'The client\'s last {bytes} bytes, its request, were never acknowledged in the capture, yet the client did not send them again in the {waited} s the capture went on: a TCP that gets no acknowledgement resends within a few seconds. So it got acknowledgements the capture does not hold: the capture stopped seeing this connection (a capture filtered or cut to the first packets of each connection, or packets the capturing system dropped), and the answer, if any, is not in it.',
    advice: [
      'Capture again without a limit on packets per connection or a filter that drops part of it (`tcpdump -i any -s 0 -w out.pcap host {ip}`).',
      'Compare the drop counters tcpdump prints when it stops ("packets dropped by kernel").',
    ],
  },
  zh: {
    summary: '{target}：请求之后抓包就看不到这个连接了；无法判断服务器是否作了应答',
    explanation:
      '客户端最后的 {bytes} 字节（即它的请求）在抓包中始终没有被确认，但在抓包又持续的 {waited} 秒里客户端也没有重发：收不到确认的 TCP 会在几秒内重发。可见它收到了确认，只是抓包中没有：抓包从这里起看不到这个连接了（抓包过滤或只截取了每个连接的前几个数据包，或抓包系统丢了包），应答即使有也不在其中。',
    advice: [
      '去掉每个连接数据包数量的限制或会丢掉部分流量的过滤条件，重新抓包（`tcpdump -i any -s 0 -w out.pcap host {ip}`）。',
      '对比 tcpdump 停止时打印的丢包计数（"packets dropped by kernel"）。',
    ],
  },
} as const;

const CAUSE = defineCause({
  code: 'capture.packets_missing',
  layer: 'capture',
  severity: 'warning',
  live: 'end',
  rules: [LOST, UNSEEN_ACKS],
  words: {
    en: {
      summary: '{target}: the capture lost packets of this exchange, what follows the gap cannot be judged',
      explanation:
        'The receiver acknowledged {bytes} bytes of this connection that are not in the capture: the capturing system dropped those packets, not the network. The answer that seems to be missing may be among them, so the exchange after the gap is not judged.',
      advice: [
        'Capture with a larger buffer and less work per packet: `tcpdump -B 16384 -s 0 -w file` (no name resolution, write to a file), or capture on a less loaded host.',
        'Narrow the capture filter to the traffic you need, so the capture keeps up.',
        'Compare the drop counters tcpdump prints when it stops ("packets dropped by kernel").',
      ],
    },
    zh: {
      summary: '{target}：抓包丢失了这次交互的部分数据包，缺口之后的内容无法判断',
      explanation:
        '接收方确认了该连接中 {bytes} 字节抓包里并不存在的数据：是抓包系统丢弃了这些数据包，而不是网络。看似缺失的应答可能就在其中，因此不对缺口之后的交互下结论。',
      advice: [
        '用更大的缓冲区、减少每个包的处理来抓包：`tcpdump -B 16384 -s 0 -w file`（不做名称解析，直接写文件），或在负载较低的主机上抓包。',
        '收窄抓包过滤条件，只抓需要的流量，让抓包跟得上。',
        '对比 tcpdump 停止时打印的丢包计数（"packets dropped by kernel"）。',
      ],
    },
  },
});

export default withVariants(CAUSE, { notResent: NOT_RESENT }, (v) => (v.facts['notResent'] === true ? 'notResent' : null));
