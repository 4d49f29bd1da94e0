/**
 * tcp.pmtu_blackhole: small segments pass, full-size segments are retransmitted without progress, no ICMP frag-needed
 *
 * Two views of one failure, after a handshake that announced both MSS values (a segment counts as
 * full-size from the smaller MSS less 40 bytes of TCP options):
 * - from the sender's side: one full-size segment is retransmitted with exponential back-off for
 *   2 s or more and never acknowledged, no full-size segment of the connection was ever
 *   acknowledged, and a smaller one was (acknowledged or SACKed);
 * - from the receiver's side: the sender's data arrives with a hole of at least one full-size
 *   segment that is never filled nor acknowledged, every segment that did arrive is smaller than
 *   full-size, and the receiver gives up (FIN or RST) 2 s or more after the data beyond the hole.
 * An ICMP fragmentation-needed / packet-too-big quoting the connection is never a black hole
 * (icmp.frag_needed when the transfer did not recover; ok with the path MTU when it did).
 */
import { defineCause } from '../cause.js';
import { isTcp, outcome, tenths, type ConnRule, type EvidenceAt } from '../outcome.js';
import { proof, way } from '../evidence.js';
import { evidenceKind, limitKind, type Vars } from '../words.js';
import { MTU_TEST, MSS_CLAMP } from '../advice.js';
import { icmpCause } from '../../track/icmp.js';
import { interval } from '../../time.js';
import { backsOff, intervals } from '../../track/tcp-watch.js';
import type { TcpConn, TcpEndpoint } from '../../track/tcp.js';
import type { FinishedConn } from '../../track/tracker.js';
import type { Lang } from '../../lang.js';
import type { Verdict } from '../verdict.js';

/** Bytes a segment may carry below the MSS and still count as full-size (TCP options). */
const OPTIONS_ALLOWANCE = 40;
/** Seconds the full-size data must stay undelivered. */
const MIN_SECONDS = 2;

const MSS_SEEN = evidenceKind<{ client: number; server: number }>('mss_announced', {
  en: (a) => `MSS announced: client ${a.client}, server ${a.server}`,
  zh: (a) => `通告的 MSS：客户端 ${a.client}，服务器 ${a.server}`,
}, { en: (a) => `MSS ${a.client} / ${a.server}`, zh: (a) => `MSS ${a.client} / ${a.server}` });

const SMALL_DELIVERED = evidenceKind<{ bytes: number }>('small_segment_delivered', {
  en: (a) => `segment of ${a.bytes} bytes, acknowledged by the peer`,
  zh: (a) => `${a.bytes} 字节的报文段，已被对端确认`,
}, { en: (a) => `${a.bytes} B delivered`, zh: (a) => `${a.bytes} 字节已送达` });

const SACKED = evidenceKind<{ bytes: number }>('small_segment_sacked', {
  en: (a) => `SACK of ${a.bytes} bytes: smaller data got through`,
  zh: (a) => `SACK 确认了 ${a.bytes} 字节：较小的数据能够通过`,
}, { en: (a) => `SACK ${a.bytes} B`, zh: (a) => `SACK ${a.bytes} 字节` });

const FULL_SIZE_SENT = evidenceKind<{ bytes: number; df: boolean; transmission: number }>('full_size_unacked', {
  en: (a) => `full-size segment of ${a.bytes} bytes${a.df ? ' (DF)' : ''}${a.transmission === 0 ? '' : `, resent (${a.transmission})`}, not acknowledged`,
  zh: (a) => `${a.bytes} 字节的满长度报文段${a.df ? '（DF）' : ''}${a.transmission === 0 ? '' : `，第 ${a.transmission} 次重发`}，未被确认`,
}, { en: (a) => `${a.bytes} B${a.transmission === 0 ? '' : ` (resent ${a.transmission})`}`, zh: (a) => `${a.bytes} 字节${a.transmission === 0 ? '' : `（重发 ${a.transmission}）`}` });

const BEYOND_HOLE = evidenceKind<{ bytes: number; missing: number }>('data_beyond_hole', {
  en: (a) => `segment of ${a.bytes} bytes after ${a.missing} bytes that never arrived`,
  zh: (a) => `${a.bytes} 字节的报文段，之前的 ${a.missing} 字节始终没有到达`,
}, { en: (a) => `${a.missing} B missing`, zh: (a) => `缺失 ${a.missing} 字节` });

const GAVE_UP = evidenceKind<{ sender: 'client' | 'server'; rst: boolean }>('receiver_gave_up', {
  en: (a) => `${a.rst ? 'RST' : 'FIN'} from the ${a.sender}, the missing data still not received`,
  zh: (a) => `${a.sender === 'client' ? '客户端' : '服务器'}发出 ${a.rst ? 'RST' : 'FIN'}，缺失的数据仍未收到`,
}, { en: (a) => (a.rst ? 'RST' : 'FIN'), zh: (a) => (a.rst ? 'RST' : 'FIN') });

export const PMTU_WHERE = limitKind('pmtu_where', {
  en: () => 'the capture cannot show which link on the path has the smaller MTU, nor which device drops the ICMP message: `tracepath` from each end finds the link',
  zh: () => '抓包无法显示路径上哪一段链路的 MTU 较小，也无法显示是哪台设备丢弃了 ICMP 消息：在两端分别运行 `tracepath` 可以找到该链路',
});

export const PMTU_UNSEEN = limitKind('pmtu_unseen_segments', {
  en: () => 'the full-size segments themselves are not in the capture (they were lost before it): their size is inferred from the MSS and the bytes that never arrived',
  zh: () => '满长度报文段本身不在抓包中（在到达抓包点之前就丢了）：其大小是根据 MSS 和始终未到达的字节数推断的',
});

const side = (fromOrig: boolean): 'client' | 'server' => (fromOrig ? 'client' : 'server');

/** The sender's view: a full-size segment retransmitted with back-off, never acknowledged; smaller ones acknowledged. */
function senderView(c: TcpConn, fromOrig: boolean, full: number): ReturnType<typeof outcome> | null {
  const e: TcpEndpoint = fromOrig ? c.orig : c.resp;
  const w = e.watch;
  if (w === null || !w.stuck || w.stuckAcked || w.stuckLen < full || w.bigDelivered) return null;
  if (w.maxDelivered === 0 || w.maxDelivered >= full) return null;
  const t = w.stuckTimes;
  if (!backsOff(t, 4) || t[t.length - 1]! - t[0]! < MIN_SECONDS) return null;
  const ev: EvidenceAt[] = [proof(MSS_SEEN, c.synAckFrame, c.synAckTime, way(c, false), { client: c.mss.orig, server: c.mss.resp })];
  const sends = w.stuckFrames.map((frame, i) => ({ frame, ts: t[i]!, n: w.stuckOriginal ? i : i + 1 }));
  const shown = sends.length > 6 ? [...sends.slice(0, 3), ...sends.slice(-3)] : sends;
  for (const s of shown) ev.push(proof(FULL_SIZE_SENT, s.frame, s.ts, way(c, fromOrig), { bytes: w.stuckLen, df: w.stuckDf, transmission: s.n }));
  ev.push(w.deliveredBySack
    ? proof(SACKED, w.maxDeliveredFrame, w.maxDeliveredTs, way(c, !fromOrig), { bytes: w.maxDelivered })
    : proof(SMALL_DELIVERED, w.maxDeliveredFrame, w.maxDeliveredTs, way(c, fromOrig), { bytes: w.maxDelivered }));
  ev.sort((a, b) => a.frame - b.frame);
  const seconds = tenths(interval(t[t.length - 1]!, t[0]!));
  const retx = w.stuckOriginal ? t.length - 1 : t.length;
  return outcome('tcp.pmtu_blackhole', ev, {
    direction: fromOrig ? 'upload' : 'download',
    seenFrom: 'sender',
    mss: { client: c.mss.orig, server: c.mss.resp },
    largestPayloadDelivered: w.maxDelivered,
    fullSizePayload: w.stuckLen,
    retransmissions: retx,
    backoffSeconds: intervals(t),
    seconds,
    icmpFragNeeded: false,
  }, { direction: fromOrig ? 'upload' : 'download', seen: 'sender', largest: w.maxDelivered, full: w.stuckLen, mssClient: c.mss.orig, mssServer: c.mss.resp, seconds, attempts: retx });
}

/** The receiver's view: a hole of full-size data never filled nor acknowledged, only smaller segments arrived, the receiver gave up. */
function receiverView(c: TcpConn, senderIsOrig: boolean, full: number): ReturnType<typeof outcome> | null {
  const e: TcpEndpoint = senderIsOrig ? c.orig : c.resp;
  const w = e.watch;
  if (w === null || !w.hole || w.holeFilled || w.holeAcked || w.maxLen >= full) return null;
  const missing = (w.holeTo - w.holeFrom) | 0;
  if (missing < full) return null;
  // The receiver closed (FIN or RST) at least MIN_SECONDS after the data beyond the hole arrived.
  const close = [...c.fins, ...c.rsts].filter((x) => x.fromOrig !== senderIsOrig && x.ts >= w.holeTs).sort((a, b) => a.ts - b.ts)[0];
  if (close === undefined || close.ts - w.holeTs < MIN_SECONDS) return null;
  const rst = c.rsts.includes(close);
  const seconds = tenths(interval(close.ts, w.holeTs));
  const ev: EvidenceAt[] = [
    proof(MSS_SEEN, c.synAckFrame, c.synAckTime, way(c, false), { client: c.mss.orig, server: c.mss.resp }),
    proof(BEYOND_HOLE, w.holeFrame, w.holeTs, way(c, senderIsOrig), { bytes: w.holeLen, missing }),
    proof(GAVE_UP, close.frame, close.ts, way(c, !senderIsOrig), { sender: side(!senderIsOrig), rst }),
  ];
  return outcome('tcp.pmtu_blackhole', ev, {
    direction: senderIsOrig ? 'upload' : 'download',
    seenFrom: 'receiver',
    mss: { client: c.mss.orig, server: c.mss.resp },
    largestPayloadDelivered: w.maxLen,
    missingBytes: missing,
    seconds,
    icmpFragNeeded: false,
  }, { direction: senderIsOrig ? 'upload' : 'download', seen: 'receiver', largest: w.maxLen, full: full + OPTIONS_ALLOWANCE, mssClient: c.mss.orig, mssServer: c.mss.resp, seconds, attempts: 1 });
}

const PMTU: ConnRule = {
  on: 'conn',
  // After the ICMP rules (10), before a capture with one side only (15) and the stall (50).
  rank: 12,
  produces: ['tcp.pmtu_blackhole'],
  run(f: FinishedConn) {
    if (!isTcp(f)) return null;
    const c = f.conn;
    if (c.synAckFrame === 0 || c.mss.orig <= 0 || c.mss.resp <= 0 || (c.orig.watch === null && c.resp.watch === null)) return null;
    if (f.icmp.some((x) => icmpCause(x) === 'icmp.frag_needed')) return null;
    const full = Math.min(c.mss.orig, c.mss.resp) - OPTIONS_ALLOWANCE;
    const o = senderView(c, true, full) ?? senderView(c, false, full) ?? receiverView(c, false, full) ?? receiverView(c, true, full);
    if (o === null) return null;
    o.limits.push(PMTU_WHERE.of({}));
    if (o.details['seenFrom'] === 'receiver') o.limits.push(PMTU_UNSEEN.of({}));
    return o;
  },
};

function pmtuVars(v: Verdict, lang: Lang): Vars {
  const f = v.facts;
  const up = f['direction'] === 'upload';
  const recv = f['seen'] === 'receiver';
  const full = String(f['full']);
  // Null when the capture's clock cannot tell how long (it stepped back): said without it.
  const secs = typeof f['seconds'] === 'number' ? String(f['seconds']) : null;
  if (lang === 'zh') {
    return {
      fullText: recv ? `最多 ${full}` : full,
      directionText: up ? '上传：客户端发往服务器' : '下载：服务器发往客户端',
      seenText: recv
        ? `接收方一直在等待缺失的数据，${secs === null ? '最后' : `${secs} 秒后`}放弃`
        : `${up ? '客户端' : '服务器'}将其中一个以指数退避重发了 ${String(f['attempts'])} 次，${secs === null ? '' : `历时 ${secs} 秒，`}始终未被确认`,
    };
  }
  return {
    fullText: recv ? `up to ${full}` : full,
    directionText: up ? 'upload: client to server' : 'download: server to client',
    seenText: recv
      ? `the receiver waited for the missing data and gave up${secs === null ? '' : ` after ${secs} s`}`
      : `the ${up ? 'client' : 'server'} resent one of them ${String(f['attempts'])} times with exponential back-off${secs === null ? '' : ` over ${secs} s`}, never acknowledged`,
  };
}

export default defineCause({
  code: 'tcp.pmtu_blackhole',
  layer: 'tcp',
  severity: 'error',
  live: 'timeout',
  rules: [PMTU],
  vars: pmtuVars,
  words: {
    en: {
      summary: '{target}: full-size packets are lost on the path, small ones pass (path MTU black hole, {directionText})',
      explanation:
        'The handshake announced an MSS of {mssClient} (client) and {mssServer} (server) bytes, so each side sends segments of that size with "don\'t fragment" set. Segments of up to {largest} bytes of payload got through, but the full-size ones ({fullText} bytes) never did, and no ICMP "fragmentation needed" came back: {seenText}. A link on the path to {ip} has a smaller MTU (a VPN or tunnel: IPsec, GRE, VXLAN, WireGuard; PPPoE) and the ICMP message that would tell the sender to send smaller packets is dropped on the way, often by a firewall or security group that blocks all ICMP. Handshakes and short requests work; larger transfers stall.',
      advice: [
        MTU_TEST.en,
        MSS_CLAMP.en,
        'Allow ICMP "fragmentation needed" (type 3 code 4) and ICMPv6 "packet too big" (type 2) through the firewalls and security groups on the path, in both directions.',
        'On Linux hosts, `sysctl -w net.ipv4.tcp_mtu_probing=1` lets TCP find a working size by itself.',
      ],
    },
    zh: {
      summary: '{target}：满长度的数据包在路径上丢失，小包能通过（路径 MTU 黑洞，{directionText}）',
      explanation:
        '握手中通告的 MSS 为 {mssClient}（客户端）和 {mssServer}（服务器）字节，双方都会发送这么大、带"不分片"标志的报文段。载荷不超过 {largest} 字节的报文段能够通过，但满长度的报文段（{fullText} 字节）始终没有通过，也没有收到 ICMP "需要分片" 消息：{seenText}。到 {ip} 的路径上某段链路的 MTU 较小（VPN 或隧道：IPsec、GRE、VXLAN；PPPoE），而本应通知发送方改发小包的 ICMP 消息在途中被丢弃，常见原因是防火墙或安全组拦截了所有 ICMP。握手和短请求正常，较大的传输会卡住。',
      advice: [
        MTU_TEST.zh,
        MSS_CLAMP.zh,
        '在路径上的防火墙和安全组中双向放行 ICMP "需要分片"（类型 3 代码 4）和 ICMPv6 "数据包过大"（类型 2）。',
        '在主机上执行 `sysctl -w net.ipv4.tcp_mtu_probing=1`，可让 TCP 自行探测可用的报文大小。',
      ],
    },
  },
});
