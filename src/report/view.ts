/**
 * Small presentation helpers shared by the Markdown and HTML renderers: time offsets as
 * Wireshark shows them (seconds since the first packet), severity words, the verdict count.
 * Pure functions of the report's text; no wall clock, no locale.
 */
import type { Report, Severity, Verdict } from './model.js';
import type { Lang } from '../lang.js';
import { label } from './labels.js';
import { bracket } from '../diagnose/verdict.js';

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

/** Time of `iso` since the capture start, as Wireshark's default Time column shows it; '' if unknown. */
export function sinceStart(r: Report, iso: string): string {
  const s = micros(r.capture.start);
  const t = micros(iso);
  return s === null || t === null ? '' : secondsText(t - s);
}

/** Length of the capture in seconds, '' when unknown. */
export function spanSeconds(r: Report): string {
  const s = micros(r.capture.start);
  const e = micros(r.capture.end);
  return s === null || e === null ? '' : secondsText(e - s);
}

export function severityWord(s: Severity, lang: Lang): string {
  if (s === 'error') return lang === 'zh' ? '失败' : 'FAIL';
  if (s === 'warning') return lang === 'zh' ? '警告' : 'WARN';
  return lang === 'zh' ? '正常' : 'OK';
}

/** '2 failures, 1 warnings' / 'No failure found' in the report language. */
export function countLine(r: Report, lang: Lang): string {
  const n = (s: Severity): number => r.verdicts.filter((v) => v.severity === s).length;
  const parts: string[] = [];
  // English singular: '1 failure', '1 warning' (the labels are the plural forms).
  const count = (k: number, key: 'failures' | 'warnings_count' | 'worked_count'): string =>
    `${k} ${lang === 'en' && k === 1 ? label(lang, key).replace(/s$/, '') : label(lang, key)}`;
  if (n('error')) parts.push(count(n('error'), 'failures'));
  if (n('warning')) parts.push(count(n('warning'), 'warnings_count'));
  if (n('ok')) parts.push(count(n('ok'), 'worked_count'));
  if (!n('error') && !n('warning')) parts.unshift(label(lang, 'no_failure'));
  return parts.join(lang === 'zh' ? '，' : ', ');
}

/** 'www.example.com → 203.0.113.5:443/tcp', the target as a line of facts. */
export function targetLine(v: Verdict, lang: Lang): string {
  const t = v.target;
  const where = t.ip !== null ? bracket(t.ip) : '';
  const port = t.port !== null ? `${where ? ':' : lang === 'zh' ? '端口 ' : 'port '}${t.port}` : '';
  // A name-only target (a DNS question) has no address to carry the transport.
  const addr = where || port ? `${where}${port}${t.transport ? `/${t.transport}` : ''}` : '';
  if (t.name && addr) return `${t.name} → ${addr}`;
  return t.name ?? (addr || '?');
}

export function formatLine(r: Report): string {
  const c = r.capture;
  return `${c.format}${c.compressed ? ' (gzip)' : ''}; ${c.linkTypes.join(', ') || '-'}`;
}

/** A count and its noun, in English with the right number ('1 connection', '2 connections'). */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** 'N connections, N DNS, ...' — the records each section lists. */
export function recordsLine(r: Report, lang: Lang): string {
  if (lang === 'zh') return `${r.connections.length} 个连接，${r.dns.length} 条 DNS，${r.tls.length} 条 TLS，${r.http.length} 条 HTTP，${r.icmp.length} 条 ICMP 差错`;
  return `${plural(r.connections.length, 'connection')}, ${r.dns.length} DNS, ${r.tls.length} TLS, ${r.http.length} HTTP, ${plural(r.icmp.length, 'ICMP error')}`;
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
