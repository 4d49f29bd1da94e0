/**
 * The kinds of evidence packets that several causes show, with their notes in both languages.
 * Protocol words (SYN, RST, ClientHello, NXDOMAIN, alert names) stay as Wireshark shows them;
 * the prose around them is the report's language. A kind that only one cause produces is declared
 * in that cause's file instead.
 */
import type { Args } from '../facts.js';
import type { FinishedConn } from '../track/tracker.js';
import type { TcpConn } from '../track/tcp.js';
import type { EvidenceAt } from './outcome.js';
import { icmpTitle } from './alerts.js';
import { evidenceKind, senderName, type EvidenceKind } from './words.js';
import { icmpName } from '../decode/icmp-codes.js';

type Side = 'client' | 'server';

/** Who sent a packet of connection `c` and to whom: orig → resp when `fromOrig`, else the reverse. */
export function way(c: FinishedConn['conn'], fromOrig: boolean): { from: string; to: string } {
  return fromOrig ? { from: c.orig.ip, to: c.resp.ip } : { from: c.resp.ip, to: c.orig.ip };
}

/** One evidence packet of kind `k`. */
export function proof<A extends Args>(k: EvidenceKind<A>, frame: number, ts: number, dir: { from: string; to: string } | null, args: A): EvidenceAt {
  return dir ? { frame, ts, from: dir.from, to: dir.to, kind: k.id, args } : { frame, ts, kind: k.id, args };
}

/**
 * The same SYN again this soon after the previous (s) is one send, not a retransmission: a copy the
 * capture holds twice, or a stack that sends it twice at once (no kernel retransmits a SYN within
 * 100 ms: Linux waits 1 s, Windows 3 s or 1 s). Counted once (capture.ended_early.ts synSends).
 */
export const SYN_COPY_SECONDS = 0.1;

export const SYN = evidenceKind<{ retransmission: number; copy?: boolean }>('syn', {
  en: (a) => (a.copy === true ? 'the same SYN again at once (a copy, not a retransmission)' : a.retransmission === 0 ? 'SYN' : `SYN (retransmission ${a.retransmission})`),
  zh: (a) => (a.copy === true ? '紧接着又出现同一个 SYN（副本，不是重传）' : a.retransmission === 0 ? 'SYN' : `SYN（第 ${a.retransmission} 次重传）`),
});

export const RST_TO_SYN = evidenceKind<Record<string, never>>('rst_to_syn', {
  en: () => 'RST in reply to the SYN',
  zh: () => '回应 SYN 的 RST',
});

export const RST = evidenceKind<{ sender: Side }>('rst', {
  en: (a) => `RST from the ${a.sender}`,
  zh: (a) => `${senderName(a.sender, 'zh')}发出的 RST`,
}, { en: () => 'RST', zh: () => 'RST' });

export const FIN = evidenceKind<{ sender: Side }>('fin', {
  en: (a) => `FIN from the ${a.sender}`,
  zh: (a) => `${senderName(a.sender, 'zh')}发出的 FIN`,
}, { en: () => 'FIN', zh: () => 'FIN' });

export const CONN_START = evidenceKind<Record<string, never>>('conn_start', {
  en: () => 'connection start',
  zh: () => '连接开始',
});

export const FIRST_DATAGRAM = evidenceKind<Record<string, never>>('first_datagram', {
  en: () => 'first datagram',
  zh: () => '第一个数据报',
});

const dnsQuestion = (a: { qtype: string; query: string }): string => [a.qtype, a.query].filter((x) => x !== '').join(' ');

export const DNS_QUERY = evidenceKind<{ qtype: string; query: string; server: string; times: number }>('dns_query', {
  en: (a) => `DNS query ${a.qtype} ${a.query} to ${a.server}${a.times > 1 ? ` (sent ${a.times} times)` : ''}`,
  zh: (a) => `向 ${a.server} 发出的 DNS 查询 ${dnsQuestion(a)}${a.times > 1 ? `（共发送 ${a.times} 次）` : ''}`,
}, {
  en: (a) => `DNS query ${a.qtype} ${a.query}${a.times > 1 ? ` (sent ${a.times} times)` : ''}`,
  zh: (a) => `DNS 查询 ${dnsQuestion(a)}${a.times > 1 ? `（${a.times} 次）` : ''}`,
});

export const DNS_RESPONSE = evidenceKind<{ rcode: string; tc: boolean; answers: readonly string[] }>('dns_response', {
  en: (a) => `DNS response ${a.rcode}${a.tc ? ' (truncated, TC)' : ''}${a.answers.length ? `: ${a.answers.join(', ')}` : ''}`,
  zh: (a) => `DNS 响应 ${a.rcode}${a.tc ? '（被截断，TC）' : ''}${a.answers.length ? `：${a.answers.join(', ')}` : ''}`,
});

export const CLIENT_HELLO = evidenceKind<{ sni: string | null }>('client_hello', {
  en: (a) => (a.sni ? `ClientHello (SNI ${a.sni})` : 'ClientHello'),
  zh: (a) => (a.sni ? `ClientHello（SNI ${a.sni}）` : 'ClientHello'),
});

export const SERVER_HELLO = evidenceKind<{ version: string }>('server_hello', {
  en: (a) => `ServerHello (${a.version})`,
  zh: (a) => `ServerHello（${a.version}）`,
});

export const TLS_ALERT = evidenceKind<{ name: string; level: 'fatal' | 'warning'; sender: Side }>('tls_alert', {
  en: (a) => `TLS alert ${a.name} (${a.level}) from the ${a.sender}`,
  zh: (a) => `${senderName(a.sender, 'zh')}发出的 TLS 告警 ${a.name}（${a.level === 'fatal' ? '致命' : '警告'}）`,
}, {
  en: (a) => `Alert ${a.name}${a.level === 'fatal' ? '' : ` (${a.level})`}`,
  zh: (a) => `TLS 告警 ${a.name}${a.level === 'fatal' ? '' : '（警告）'}`,
});

export const CERTIFICATE = evidenceKind<{ subject: string; notBefore: string; notAfter: string }>('certificate', {
  en: (a) => `Certificate: ${a.subject}, valid ${a.notBefore} .. ${a.notAfter}`,
  zh: (a) => `证书：${a.subject}，有效期 ${a.notBefore} 至 ${a.notAfter}`,
}, {
  en: (a) => `Certificate ${a.subject}`,
  zh: (a) => `证书 ${a.subject}`,
});

export const HTTP_REQUEST = evidenceKind<{ method: string; path: string; host: string | null }>('http_request', {
  en: (a) => `${a.method} ${a.path}${a.host ? ` (Host ${a.host})` : ''}`,
  zh: (a) => `${a.method} ${a.path}${a.host ? `（Host ${a.host}）` : ''}`,
});

export const HTTP_RESPONSE = evidenceKind<{ status: number; reason: string | null }>('http_response', {
  en: (a) => `HTTP ${a.status} ${a.reason ?? ''}`.trim(),
  zh: (a) => `HTTP ${a.status} ${a.reason ?? ''}`.trim(),
});

export const HTTP_UNANSWERED = evidenceKind<{ method: string; path: string }>('http_unanswered', {
  en: (a) => `${a.method} ${a.path}, no response`,
  zh: (a) => `${a.method} ${a.path}，无响应`,
});

export type QuotedFlow = {
  src: string;
  sport: number;
  dst: string;
  dport: number;
  /** The quoted TTL / hop limit (as the packet reached the error's sender), when shown. */
  ttl?: number;
};

const flowText = (q: QuotedFlow): string =>
  `${q.src}${q.sport >= 0 ? `:${q.sport}` : ''} → ${q.dst}${q.dport >= 0 ? `:${q.dport}` : ''}${q.ttl !== undefined && q.ttl >= 0 ? ` (TTL ${q.ttl})` : ''}`;

export const ICMP = evidenceKind<{ v6: boolean; type: number; code: number; from: string; quoting: QuotedFlow | null }>('icmp', {
  en: (a) => `${icmpTitle(a.v6, a.type, a.code, 'en')} from ${a.from}${a.quoting ? `, quoting ${flowText(a.quoting)}` : ''}`,
  zh: (a) => `来自 ${a.from} 的 ${icmpTitle(a.v6, a.type, a.code, 'zh')}${a.quoting ? `，引用 ${flowText(a.quoting)}` : ''}`,
}, {
  en: (a) => `ICMP ${icmpName(a.v6, a.type, a.code)}`,
  zh: (a) => `ICMP ${icmpName(a.v6, a.type, a.code)}`,
});

/** The SYNs of a connection (the first six) as evidence. */
export function synEvidence(c: TcpConn): EvidenceAt[] {
  // Numbered by send, as synSends counts them: a copy right after a SYN is no retransmission.
  let sends = 0;
  let last = -Infinity;
  return c.synFrames.slice(0, 6).map((frame, i) => {
    const ts = c.synTimes[i] ?? c.start;
    const copy = i > 0 && ts - last < SYN_COPY_SECONDS;
    if (!copy) sends++;
    last = ts;
    return proof(SYN, frame, ts, way(c, true), copy ? { retransmission: sends - 1, copy: true } : { retransmission: sends - 1 });
  });
}
