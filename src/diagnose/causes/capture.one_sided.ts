/**
 * capture.one_sided: only one direction of this target's traffic is in the capture (the other
 * side's packets are acknowledged but absent): its outcome cannot be judged here.
 *
 * A TCP connection whose packets all come from one side, when that side's own packets show the
 * other side was there: the client acknowledges after its SYN (only a SYN-ACK makes a client
 * send an ACK), sends data or a FIN, resets a SYN-ACK (resetOfSynAck), or the capture starts in
 * the middle of the connection. A client that only ever sends SYNs stays tcp.syn_unanswered:
 * nothing shows an answer came.
 */
import { defineCause, reworded, withVariants } from '../cause.js';
import { isTcp, outcome, type ConnRule, type EvidenceAt } from '../outcome.js';
import { CONN_START, proof, way } from '../evidence.js';
import { evidenceKind } from '../words.js';
import type { TcpConn, TcpControl } from '../../track/tcp.js';

const ACK_OF_UNSEEN = evidenceKind<{ bytes: number }>('ack_of_unseen', {
  en: (a) => (a.bytes > 0 ? `the client acknowledges ${a.bytes} bytes the capture does not hold` : 'the client acknowledges the server, whose packets the capture does not hold'),
  zh: (a) => (a.bytes > 0 ? `客户端确认了抓包中不存在的 ${a.bytes} 字节` : '客户端确认了服务器的数据包，而抓包中没有这些数据包'),
});

const RESET_OF_SYN_ACK = evidenceKind('reset_of_syn_ack', {
  en: () => 'RST from the client with the sequence number a SYN-ACK acknowledges: it answers a SYN-ACK the capture does not hold',
  zh: () => '客户端发出的 RST，其序列号正是 SYN-ACK 所确认的序列号：它回应的是抓包中没有的 SYN-ACK',
});

/**
 * The client's reset that answers a SYN-ACK, or undefined: a RST without ACK from the client whose
 * sequence number is its ISN + 1 (+ the SYN's data), the number a SYN-ACK acknowledges. A stack
 * sends such a reset only in answer to a segment that acknowledges its SYN, once the socket is
 * closed (RFC 9293 §3.10.7.1: <SEQ=SEG.ACK><CTL=RST>), as for a SYN-ACK that comes after the
 * program gave up, or a scanner's stack to a SYN-ACK for its raw SYN. A client that gives up in
 * SYN-SENT sends nothing (§3.10.4, ABORT), and a crafted reset after a SYN carries the ISN itself
 * (Zeek's syn-then-rst): neither is read as an answer.
 */
export function resetOfSynAck(c: TcpConn): TcpControl | undefined {
  if (c.synFrames.length === 0) return undefined;
  return c.rsts.find((r) => {
    if (!r.fromOrig || r.hasAck) return false;
    const d = (r.seq - c.orig.startSeq) | 0;
    return d >= 1 && d <= 1 + c.synLen;
  });
}

const ONE_SIDED: ConnRule = {
  on: 'conn',
  rank: 15,
  produces: ['capture.one_sided'],
  run(f) {
    if (!isTcp(f)) return null;
    const c = f.conn;
    const clientOnly = c.resp.pkts === 0 && c.orig.pkts > 0;
    const serverOnly = c.orig.pkts === 0 && c.resp.pkts > 0;
    if (!clientOnly && !serverOnly) return null;
    // The client's own packets beyond its SYNs (history letters A, D, F, uppercase: the
    // originator's), its reset of a SYN-ACK, or a connection the capture joined in its middle.
    const reset = clientOnly ? resetOfSynAck(c) : undefined;
    if (clientOnly && !c.partial && !/[ADF]/.test(c.history) && reset === undefined) return null;
    const seen = clientOnly ? c.orig : c.resp;
    const ev: EvidenceAt[] = [proof(CONN_START, c.firstFrame, c.start, way(c, clientOnly), {})];
    const acked = clientOnly ? c.resp.bytes : c.orig.bytes;
    if (clientOnly && c.dataFrames.orig !== 0 && c.dataFrames.orig !== c.firstFrame) {
      ev.push(proof(ACK_OF_UNSEEN, c.dataFrames.orig, c.orig.firstDataTime, way(c, true), { bytes: acked }));
    }
    if (reset !== undefined) {
      ev.push(proof(RESET_OF_SYN_ACK, reset.frame, reset.ts, way(c, true), {}));
      ev.sort((a, b) => a.frame - b.frame);
    }
    // Joined in its middle, and its ACKs never moved: nothing the other side sent while the
    // capture ran is acknowledged (a capture of a packet or two, ja4's tls-sni.pcapng), so
    // nothing shows a filter.
    const slice = c.partial && !seen.ackMoved;
    return outcome('capture.one_sided', ev,
      { seen: clientOnly ? 'client_only' : 'server_only', [clientOnly ? 'serverPackets' : 'clientPackets']: 0, packetsSeen: seen.pkts, ackedUnseenBytes: acked, ...(reset !== undefined ? { resetOfSynAck: reset.frame } : {}) },
      { missing: clientOnly ? 'server' : 'client', packets: seen.pkts, ...(slice ? { slice: true } : {}) }, 'warning');
  },
};

const CAUSE = defineCause({
  code: 'capture.one_sided',
  layer: 'capture',
  severity: 'warning',
  live: 'end',
  rules: [ONE_SIDED],
  vars: (v, lang) => ({ missing: v.facts['missing'] === 'client' ? (lang === 'en' ? 'client' : '客户端') : (lang === 'en' ? 'server' : '服务器') }),
  words: {
    en: {
      summary: '{target}: the capture holds only one direction of this traffic',
      explanation:
        'The capture holds {packets} packets of this connection, none from the {missing}, although the packets it does hold show the {missing} was there (they acknowledge it, carry data after the handshake, reset its SYN-ACK, or the capture joined the connection in its middle). The capture was filtered to one direction, or taken where only one direction passes (asymmetric routing, a one-way mirror port). Whether this exchange worked cannot be judged from it.',
      advice: [
        'Capture again on the client itself (`tcpdump -i any host {ip}`), or on a link that carries both directions.',
        'Check the capture filter: a filter on the source address (`src host ...`) keeps one direction only.',
        'With asymmetric routing, the replies return on another interface or through another router: capture there too, or on `any`.',
      ],
    },
    zh: {
      summary: '{target}：抓包中只有该流量的一个方向',
      explanation:
        '抓包中有该连接的 {packets} 个数据包，但没有一个来自{missing}，尽管已有的数据包表明{missing}是存在的（它们确认了对方、在握手之后携带数据、用 RST 回应了它的 SYN-ACK，或抓包从连接中途开始）。抓包时只过滤了一个方向，或者抓包位置只经过一个方向的流量（非对称路由、单向镜像端口）。据此无法判断这次交互是否成功。',
      advice: [
        '在客户端本机重新抓包（`tcpdump -i any host {ip}`），或在同时承载双向流量的链路上抓包。',
        '检查抓包过滤条件：按源地址过滤（`src host ...`）只会保留一个方向。',
        '存在非对称路由时，回包从另一个网卡或另一台路由器返回：在那里也抓包，或在 `any` 上抓包。',
      ],
    },
  },
});

/**
 * A connection the capture joined in its middle, of which nothing the other side sent during the
 * capture is acknowledged: a filter is one reading, a capture too short to hold the other side
 * another; the words do not choose.
 */
const SLICE = {
  explanation: {
    en: 'The capture holds {packets} packets of this connection, none from the {missing}. It joined the connection in its middle, and its packets acknowledge nothing the {missing} sent while it ran: it may be filtered to one direction, or it may simply hold too little of this connection to show the {missing}\'s side. Whether this exchange worked cannot be judged from it.',
    zh: '抓包中有该连接的 {packets} 个数据包，但没有一个来自{missing}。抓包从连接中途开始，已有的数据包也没有确认{missing}在抓包期间发送的任何内容：可能是抓包只过滤了一个方向，也可能只是抓到的该连接内容太少，不足以显示{missing}一方。据此无法判断这次交互是否成功。',
  },
};

export default withVariants(CAUSE, { slice: reworded(CAUSE.words, SLICE) }, (v) => (v.facts['slice'] === true ? 'slice' : null));
