/**
 * Small presentation helpers shared by the Markdown and HTML renderers: time offsets as
 * Wireshark shows them (seconds since the first packet), severity words, the verdict count.
 * Pure functions of the report's text; no wall clock, no locale.
 */
import type { Report, Severity, Verdict } from './model.js';
import type { Lang } from '../lang.js';
import { label } from './labels.js';
import { bracket } from '../diagnose/verdict.js';
import { MISSING } from '../diagnose/words.js';

export { bracket };

const ISO = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?Z$/;

/** Microseconds since the epoch of a report time ('2026-11-21T14:24:21.654320Z'), or null. */
export function micros(iso: string | null | undefined): number | null {
  if (!iso) return null;
  const m = ISO.exec(iso);
  if (!m) return null;
  const ms = Date.parse(`${m[1]!}Z`);
  if (Number.isNaN(ms)) return null;
  return ms * 1000 + Number((m[2] ?? '').padEnd(6, '0').slice(0, 6));
}

/** Seconds between two microsecond counts as '0.002593' (integer arithmetic: no float noise). */
export function secondsText(us: number): string {
  const neg = us < 0;
  const a = Math.abs(us);
  return `${neg ? '-' : ''}${Math.floor(a / 1e6)}.${String(a % 1e6).padStart(6, '0')}`;
}

/**
 * Time of `iso` since the capture start, as Wireshark's default Time column shows it; '' if
 * unknown: either time is null, or `iso` is before the start (the capture's clock stepped back,
 * and an interval is never shown negative).
 */
export function sinceStart(r: Report, iso: string | null): string {
  const s = micros(r.capture.start);
  const t = micros(iso);
  return s === null || t === null || t < s ? '' : secondsText(t - s);
}

/** Length of the capture in seconds, '' when unknown (a time null, or the end before the start). */
export function spanSeconds(r: Report): string {
  const s = micros(r.capture.start);
  const e = micros(r.capture.end);
  return s === null || e === null || e < s ? '' : secondsText(e - s);
}

/** What the renderers print for a time or an interval the report does not give. */
export const NO_VALUE = '-';

/**
 * The capture's time span as one line: 'start .. end (span s)', a dash for a time the report
 * does not give (null: out of range) and no span when either is missing or `withSpan` is false;
 * '-' when both are missing.
 */
export function timeSpanText(r: Report, text: (s: string) => string = (s) => s, withSpan = true): string {
  const c = r.capture;
  if (c.start === null && c.end === null) return NO_VALUE;
  const span = withSpan ? spanSeconds(r) : '';
  return `${c.start === null ? NO_VALUE : text(c.start)} .. ${c.end === null ? NO_VALUE : text(c.end)}${span ? ` (${span} s)` : ''}`;
}

export function severityWord(s: Severity, lang: Lang): string {
  if (s === 'error') return lang === 'zh' ? '失败' : 'FAIL';
  if (s === 'warning') return lang === 'zh' ? '警告' : 'WARN';
  return lang === 'zh' ? '正常' : 'OK';
}

/** No connection, DNS transaction or ICMP error of any kind in the capture. */
function noExchanges(r: Report): boolean {
  const t = r.capture.totals;
  if (t !== undefined) return t.connections === 0 && t.dns === 0 && t.icmp === 0;
  return r.connections.length === 0 && r.dns.length === 0 && r.icmp.length === 0;
}

/** '2 failures, 1 warning, 5 worked' / 'No failure found, 5 worked': every target, listed or not. */
export function countLine(r: Report, lang: Lang): string {
  const s = r.summary;
  const parts: string[] = [];
  // English singular: '1 failure', '1 warning' (the labels are the plural forms).
  const count = (k: number, key: 'failures' | 'warnings_count' | 'worked_count'): string =>
    `${k} ${lang === 'en' && k === 1 ? label(lang, key).replace(/s$/, '') : label(lang, key)}`;
  if (s.failures) parts.push(count(s.failures, 'failures'));
  if (s.warnings) parts.push(count(s.warnings, 'warnings_count'));
  if (s.ok) parts.push(count(s.ok, 'worked_count'));
  // Nothing judged because nothing was there (only ARP, 802.11 management frames, an empty file):
  // said so, not 'No failure found', which would read as a clean bill.
  if (!s.failures && !s.warnings && !s.ok && noExchanges(r)) return label(lang, 'nothing_to_judge');
  if (!s.failures && !s.warnings) parts.unshift(label(lang, 'no_failure'));
  return parts.join(lang === 'zh' ? '，' : ', ');
}

/** Causes shown in a summary table; the rest are counted in one line. */
export const SUMMARY_CAUSES = 12;

/**
 * 'Listed: 200 of 4211 verdicts, most important first (--max-verdicts 0 lists them all)', or
 * null when every verdict is listed.
 */
export function listedLine(r: Report, lang: Lang): string | null {
  const s = r.summary;
  if (s.omitted === 0) return null;
  const total = s.listed + s.omitted;
  return lang === 'zh'
    ? `下面按重要程度列出 ${total} 条结论中的 ${s.listed} 条（--max-verdicts 0 可全部列出）；上面的计数包含全部。`
    : `Listed below: ${s.listed} of ${total} verdicts, most important first (--max-verdicts 0 lists them all); the counts above include every one.`;
}

/** 'Seen from 192.0.2.10 (the host in most exchanges): 3 inbound targets come after its own.' */
export function perspectiveLine(r: Report, lang: Lang): string | null {
  const p = r.perspective;
  if (!p) return null;
  const inbound = r.summary.byCause.reduce((n, c) => n + c.inbound, 0);
  const hosts = p.hosts.join(', ');
  if (lang === 'zh') {
    const how = p.from === 'option' ? '由 --host 指定' : '参与交互最多的主机';
    return `视角：${hosts}（${how}）${inbound > 0 ? `；${inbound} 个由外部发起的目标（入站）排在本机自己的之后` : ''}。`;
  }
  const how = p.from === 'option' ? 'given with --host' : 'the host in most exchanges';
  return `Seen from ${hosts} (${how})${inbound > 0 ? `: ${inbound} inbound target${inbound === 1 ? '' : 's'} (exchanges started by others) come after its own` : ''}.`;
}

/** A cause's share of the summary, as one row of words. */
export interface CauseRow {
  severity: Severity;
  cause: string;
  targets: string;
  clients: string;
  when: string;
  examples: string;
}

/**
 * A verdict for several clients (a catch-all bucket of the overflow: its `client` is null): how
 * many, '377', or a lower bound '≥ 4096' / '至少 4096'; null when the verdict names its client
 * or the count is not known.
 */
export function clientsCount(v: Verdict, lang: Lang): string | null {
  const n = v.details['clientCount'];
  if (v.client.ip !== null || typeof n !== 'number') return null;
  return v.details['clientsAtLeast'] === true ? `${lang === 'zh' ? '至少' : '≥'} ${n}` : String(n);
}

/** The summary's causes, the most frequent first, at most SUMMARY_CAUSES; `cut` shortens long examples. */
export function causeRows(r: Report, lang: Lang, cut: (s: string) => string = (s) => s): CauseRow[] {
  // A time the report does not give, or one before the capture's start (a clock step), is a dash.
  const at = (t: string): string => sinceStart(r, t) || NO_VALUE;
  return r.summary.byCause.slice(0, SUMMARY_CAUSES).map((c) => ({
    severity: c.severity,
    cause: c.cause,
    targets: c.inbound > 0 ? `${c.targets} (${c.inbound} ${lang === 'zh' ? '入站' : 'inbound'})` : String(c.targets),
    // A lower bound (a verdict for several clients kept only some): '≥ 4096' / '至少 4096'.
    clients: c.clientsAtLeast ? `${lang === 'zh' ? '至少' : '≥'} ${c.clients}` : String(c.clients),
    when: c.first === null ? '' : c.first === c.last || c.last === null ? at(c.first) : `${at(c.first)} .. ${at(c.last)}`,
    examples: cut(c.examples.join(', ')),
  }));
}

/** '… and 3 more causes (7 targets)' when the table stops before the last cause, else null. */
export function moreCausesLine(r: Report, lang: Lang): string | null {
  const rest = r.summary.byCause.slice(SUMMARY_CAUSES);
  if (rest.length === 0) return null;
  const n = rest.reduce((k, c) => k + c.targets, 0);
  return lang === 'zh' ? `……另有 ${rest.length} 种原因（${n} 个目标）` : `… and ${plural(rest.length, 'more cause')} (${plural(n, 'target')})`;
}

/** 'www.example.com → 203.0.113.5:443/tcp', the target as a line of facts. */
export function targetLine(v: Verdict, lang: Lang): string {
  const t = v.target;
  const where = t.ip !== null ? bracket(t.ip) : '';
  const port = t.port !== null ? `${where ? ':' : lang === 'zh' ? '端口 ' : 'port '}${t.port}` : '';
  // A name-only target (a DNS question) has no address to carry the transport.
  const addr = where || port ? `${where}${port}${t.transport ? `/${t.transport}` : ''}` : '';
  if (t.name && addr) return `${t.name} → ${addr}`;
  return t.name ?? (addr || MISSING);
}

export function formatLine(r: Report): string {
  const c = r.capture;
  return `${c.format}${c.compressed ? ' (gzip)' : ''}; ${c.linkTypes.join(', ') || '-'}`;
}

/** A count and its noun, in English with the right number ('1 connection', '2 connections'). */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/**
 * 'N connections, N DNS, ...': the capture's totals (the record lists stop at 20000: when one
 * does, its line says how many it lists).
 */
export function recordsLine(r: Report, lang: Lang): string {
  const t = r.capture.totals ?? { connections: r.connections.length, dns: r.dns.length, tls: r.tls.length, http: r.http.length, icmp: r.icmp.length };
  const listed = (n: number, shown: number): string => (shown < n ? (lang === 'zh' ? `（列出前 ${shown} 条）` : ` (${shown} listed)`) : '');
  if (lang === 'zh') {
    return `${t.connections} 个连接${listed(t.connections, r.connections.length)}，${t.dns} 条 DNS${listed(t.dns, r.dns.length)}，${t.tls} 条 TLS${listed(t.tls, r.tls.length)}，${t.http} 条 HTTP${listed(t.http, r.http.length)}，${t.icmp} 条 ICMP 差错${listed(t.icmp, r.icmp.length)}`;
  }
  return `${plural(t.connections, 'connection')}${listed(t.connections, r.connections.length)}, ${t.dns} DNS${listed(t.dns, r.dns.length)}, ${t.tls} TLS${listed(t.tls, r.tls.length)}, ${t.http} HTTP${listed(t.http, r.http.length)}, ${plural(t.icmp, 'ICMP error')}${listed(t.icmp, r.icmp.length)}`;
}

/** '85 (16857 bytes)', and how many snaplen cut. */
export function packetsLine(r: Report, lang: Lang): string {
  const c = r.capture;
  if (lang === 'zh') return `${c.packets}（${c.bytes} 字节）${c.truncatedPackets ? `，其中 ${c.truncatedPackets} 个被 snaplen 截断` : ''}`;
  return `${c.packets} (${plural(c.bytes, 'byte')})${c.truncatedPackets ? `, ${c.truncatedPackets} cut by snaplen` : ''}`;
}

/** Where a damaged file stops being readable, as the capture facts show it. */
export function damageLine(d: NonNullable<Report['capture']['damage']>, message: string, lang: Lang): string {
  return lang === 'zh' ? `偏移 ${d.offset}，第 ${d.frame} 帧：${message}` : `offset ${d.offset}, frame ${d.frame}: ${message}`;
}
