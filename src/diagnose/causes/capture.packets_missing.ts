/**
 * capture.packets_missing: packets the receiver acknowledged are missing from the capture
 * (capture loss): what follows the gap cannot be judged.
 *
 * When a connection's data has gaps the receiver acknowledged (the sender's packets reached it,
 * the capture did not get them), a missing answer proves nothing: the ServerHello or the HTTP
 * response may be exactly what the capture lost. Only those claims of absence are held back; what
 * the capture does show (an alert, a reset in reply to a SYN, an error status) is still said.
 */
import { defineCause } from '../cause.js';
import { isTcp, outcome, type ConnRule, type EvidenceAt } from '../outcome.js';
import { CLIENT_HELLO, HTTP_UNANSWERED, proof, way } from '../evidence.js';

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

export default defineCause({
  code: 'capture.packets_missing',
  layer: 'capture',
  severity: 'warning',
  live: 'end',
  rules: [LOST],
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
