/**
 * The ladder (sequence) diagram of one verdict, as inline SVG: the hosts involved as vertical
 * lines (client left, server right, an ICMP sender or other hop between), and the packets that
 * matter as arrows — the verdict's evidence frames (which carry their direction), plus the key
 * packets of the related records in the report (the DNS lookup of the name, TLS alerts, HTTP
 * exchanges, ICMP errors quoting the flow). Each arrow shows the frame number, the time since
 * the capture start (when known) and a short label; its full note is the arrow's <title>.
 *
 * Presentation attributes (not classes) carry the colours, so the SVG stands alone when copied
 * out of the page, and no style attribute is needed (the document's CSP allows none).
 */
import type { Lang } from '../lang.js';
import type { ConnectionRecord, DnsRecord, HttpRecord, IcmpRecord, Report, TlsRecord, Verdict } from './model.js';
import { label } from './labels.js';
import { bracket, sinceStart } from './view.js';
import { evidenceLabel, evidenceNote } from './words.js';

export interface Arrow {
  frame: number;
  /** Seconds since the capture start, '' when the report does not give this packet's time. */
  at: string;
  from: string;
  to: string;
  label: string;
  note: string;
  /** One of the verdict's evidence frames (else context from the records). */
  evidence: boolean;
}

export const esc = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? '&quot;' : '&#39;'));

const MAX_LABEL = 42;
const MAX_ARROWS = 16;
/** Causes where the client's last packets got no answer: the diagram says so under them. */
const UNANSWERED = new Set(['tcp.syn_unanswered', 'dns.no_response', 'http.no_response']);

function cut(s: string, n = MAX_LABEL): string {
  const a = [...s];
  return a.length > n ? `${a.slice(0, n - 1).join('')}…` : s;
}

function push<K, T>(m: Map<K, T[]>, k: K, x: T): void {
  const l = m.get(k);
  if (l) l.push(x);
  else m.set(k, [x]);
}

/**
 * The report's records by what a verdict looks them up by, made once per report: every ladder
 * then finds its context in the time of a map lookup (filtering every record list for every
 * verdict would make a report of many verdicts quadratic to render).
 */
export class RecordIndex {
  readonly dnsByName = new Map<string, DnsRecord[]>();
  readonly tlsByHosts = new Map<string, TlsRecord[]>();
  readonly httpByHosts = new Map<string, HttpRecord[]>();
  readonly icmpByHosts = new Map<string, IcmpRecord[]>();
  readonly connsByHosts = new Map<string, ConnectionRecord[]>();
  readonly icmpFrom = new Set<string>();
  /** Each address that began an exchange (a connection, a DNS query), with those it began them with. */
  readonly talksTo = new Map<string, Set<string>>();
  /** Addresses that DNS queries were sent to. */
  readonly dnsServers = new Set<string>();

  constructor(r: Report) {
    const talk = (from: string, to: string): void => {
      const s = this.talksTo.get(from);
      if (s) s.add(to);
      else this.talksTo.set(from, new Set([to]));
    };
    for (const d of r.dns) {
      push(this.dnsByName, d.query.toLowerCase(), d);
      talk(d.client.ip, d.server.ip);
      this.dnsServers.add(d.server.ip);
    }
    for (const s of r.tls) push(this.tlsByHosts, `${s.client.ip}|${s.server.ip}`, s);
    for (const h of r.http) push(this.httpByHosts, `${h.client.ip}|${h.server.ip}`, h);
    for (const e of r.icmp) {
      this.icmpFrom.add(e.from);
      if (e.quoted) push(this.icmpByHosts, `${e.quoted.client.ip}|${e.quoted.server.ip}`, e);
    }
    for (const c of r.connections) {
      push(this.connsByHosts, `${c.client.ip}|${c.server.ip}`, c);
      talk(c.client.ip, c.server.ip);
    }
  }
}

const NONE: never[] = [];

/** Labels of the context arrows (packets of the records, not of the verdict's evidence). */
const CONTEXT = {
  dnsQuery: (qtype: string, query: string, lang: Lang): string => (lang === 'zh' ? `DNS 查询 ${qtype} ${query}` : `DNS query ${qtype} ${query}`),
  alert: (name: string, level: string, lang: Lang): string => (lang === 'zh'
    ? `TLS 告警 ${name}${level === 'fatal' ? '' : level === 'warning' ? '（警告）' : `（${level}）`}`
    : `Alert ${name}${level === 'fatal' ? '' : ` (${level})`}`),
};

/** The arrows of a verdict, in frame order. */
export function arrowsOf(r: Report, idx: RecordIndex, v: Verdict, lang: Lang): Arrow[] {
  const out: Arrow[] = [];
  const seen = new Set<number>();
  for (const e of v.evidence) {
    if (e.from === undefined || e.to === undefined || seen.has(e.frame)) continue;
    seen.add(e.frame);
    out.push({ frame: e.frame, at: sinceStart(r, e.time), from: e.from, to: e.to, label: cut(evidenceLabel(e, lang)), note: evidenceNote(e, lang), evidence: true });
  }
  const add = (frame: number, from: string, to: string, text: string): void => {
    if (seen.has(frame)) return;
    seen.add(frame);
    out.push({ frame, at: '', from, to, label: cut(text), note: text, evidence: false });
  };
  const client = v.client.ip;
  const t = v.target;
  // The lookup of the name, when the capture holds it.
  if (t.name) {
    const all = idx.dnsByName.get(t.name.toLowerCase()) ?? NONE;
    let lookups = all.filter((x) => client === null || x.client.ip === client);
    // A dual-stack host may ask from one of its addresses (IPv4) and connect from the other
    // (IPv6): then the lookup from the other family that answered the very address connected to.
    if (lookups.length === 0 && client !== null && t.ip !== null) {
      const ip = t.ip;
      lookups = all.filter((x) => isV6(x.client.ip) !== isV6(client) && x.answers.includes(ip));
    }
    lookups = lookups.slice(0, 3);
    for (const d of lookups) {
      const frames = [...d.frames];
      const resp = d.rcode !== null && frames.length > 1 ? frames.pop()! : null;
      for (const f of frames) add(f, d.client.ip, d.server.ip, CONTEXT.dnsQuery(d.qtype, d.query, lang));
      if (resp !== null) add(resp, d.server.ip, d.client.ip, `DNS ${d.rcode}${d.answers.length ? ` ${d.answers[0]!}` : ''}`);
    }
  }
  if (t.ip !== null && client !== null) {
    const hosts = `${client}|${t.ip}`;
    const port = (s: { port?: number }): boolean => t.port === null || s.port === undefined || s.port === t.port;
    for (const s of idx.tlsByHosts.get(hosts) ?? NONE) {
      if (!port(s.server)) continue;
      for (const a of s.alerts) {
        const [from, to] = a.sender === 'client' ? [s.client.ip, s.server.ip] : [s.server.ip, s.client.ip];
        add(a.frame, from, to, CONTEXT.alert(a.name, a.level, lang));
      }
    }
    for (const h of idx.httpByHosts.get(hosts) ?? NONE) {
      if (!port(h.server)) continue;
      if (h.frames[0] !== undefined) add(h.frames[0], h.client.ip, h.server.ip, `${h.method} ${h.path}`);
      if (h.frames[1] !== undefined) add(h.frames[1], h.server.ip, h.client.ip, `HTTP ${h.status ?? ''}`.trim());
    }
    for (const e of idx.icmpByHosts.get(hosts) ?? NONE) {
      if (!port(e.quoted!.server)) continue;
      add(e.frame, e.from, e.quoted!.client.ip, `ICMP ${e.name}`);
    }
  }
  return out.sort((a, b) => a.frame - b.frame).slice(0, MAX_ARROWS);
}

interface Lane {
  ip: string;
  role: string;
}

const isV6 = (ip: string): boolean => ip.includes(':');

/**
 * The lanes, left to right: the client (the verdict's, then its host's other addresses: a
 * dual-stack client that tried IPv6 and IPv4), the hops between (DNS server, ICMP sender,
 * other hosts), then the server (its other addresses, then the verdict's). When the client's
 * (or the server's) lanes are of both address families, each says which ("Client (IPv6)").
 */
function lanesOf(idx: RecordIndex, v: Verdict, arrows: Arrow[], lang: Lang): Lane[] {
  const ips: string[] = [];
  const note = (ip: string | null | undefined): void => {
    if (ip && !ips.includes(ip)) ips.push(ip);
  };
  for (const a of arrows) {
    note(a.from);
    note(a.to);
  }
  const client = v.client.ip && ips.includes(v.client.ip) ? v.client.ip : (arrows[0]?.from ?? v.client.ip);
  let server: string | null = v.target.ip && ips.includes(v.target.ip) ? v.target.ip : null;
  // DNS verdicts (no target address) and proxies: the host the client talked to.
  server ??= arrows.find((a) => a.from === client && a.to !== client)?.to ?? null;
  const icmpFrom = idx.icmpFrom;
  const isDns = (ip: string): boolean => v.layer === 'dns' || idx.dnsServers.has(ip) || arrows.some((a) => a.from === ip && /^DNS /.test(a.label));
  const talks = (from: string, to: string): boolean => idx.talksTo.get(from)?.has(to) === true;
  const rest = ips.filter((ip) => ip !== client && ip !== server);
  // The client's other addresses: each began an exchange with another host of the diagram.
  const clients = client ? [client] : [];
  for (const ip of rest) {
    if (icmpFrom.has(ip)) continue;
    if (ips.some((o) => o !== ip && talks(ip, o)) && !clients.some((c) => talks(c, ip))) clients.push(ip);
  }
  // The server's other addresses: a client address began an exchange with each.
  const servers: string[] = [];
  const middle: Lane[] = [];
  for (const ip of rest) {
    if (clients.includes(ip)) continue;
    if (icmpFrom.has(ip)) middle.push({ ip, role: label(lang, 'icmp_sender') });
    else if (isDns(ip)) middle.push({ ip, role: label(lang, 'dns_server') });
    else if (server !== null && v.layer !== 'dns' && clients.some((c) => talks(c, ip))) servers.push(ip);
    else middle.push({ ip, role: label(lang, 'peer') });
  }
  const proxy = (v.details['proxy'] as { ip?: unknown } | undefined)?.ip;
  // A name's verdict without an address (a lookup that worked in the end, say): the host asked is its DNS server.
  const dnsServer = v.layer === 'dns' || (v.target.ip === null && server !== null && idx.dnsServers.has(server));
  const serverRole = label(lang, dnsServer ? 'dns_server' : proxy === server ? 'proxy' : 'server');
  if (server && server !== client) servers.push(server);
  const family = (list: string[], role: string): Lane[] => {
    const both = list.some(isV6) && list.some((ip) => !isV6(ip));
    return list.map((ip) => ({ ip, role: both ? familyRole(role, isV6(ip), lang) : role }));
  };
  return [...family(clients, label(lang, 'client')), ...middle, ...family(servers, serverRole)];
}

/** 'Client (IPv6)' / '客户端（IPv6）'. */
function familyRole(role: string, v6: boolean, lang: Lang): string {
  const f = v6 ? 'IPv6' : 'IPv4';
  return lang === 'zh' ? `${role}（${f}）` : `${role} (${f})`;
}

const W = 760;
const LEFT = 200;
const RIGHT = 680;
const TOP = 62;
const ROW = 34;
const INK = '#24292f';
const GREY = '#8c959f';

/** The ladder of one verdict as an <svg> element (a string); `summary` is its summary in words. */
export function ladderSvg(r: Report, idx: RecordIndex, v: Verdict, summary: string, lang: Lang): string {
  const arrows = arrowsOf(r, idx, v, lang);
  const lanes = lanesOf(idx, v, arrows, lang);
  const x = new Map<string, number>();
  lanes.forEach((l, i) => x.set(l.ip, lanes.length === 1 ? (LEFT + RIGHT) / 2 : LEFT + (i * (RIGHT - LEFT)) / (lanes.length - 1)));
  const lost = UNANSWERED.has(v.cause);
  const rows = arrows.length + (lost ? 1 : 0);
  const h = TOP + Math.max(1, rows) * ROW + 14;
  const keyColor = v.severity === 'error' ? '#cf222e' : '#9a6700';
  const title = `${label(lang, 'ladder')}: ${summary}`;
  const o: string[] = [];
  o.push(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${h}" width="${W}" height="${h}" role="img" aria-label="${esc(title)}" font-family="system-ui,sans-serif" font-size="11" fill="${INK}">`);
  o.push(`<title>${esc(title)}</title>`);
  o.push(`<text x="8" y="${TOP - 8}" fill="${GREY}">${esc(label(lang, 'frame'))} · s</text>`);
  for (const l of lanes) {
    const lx = x.get(l.ip)!;
    o.push(`<text x="${lx}" y="18" text-anchor="middle" font-weight="600" font-size="12">${esc(l.role)}</text>`);
    o.push(`<text x="${lx}" y="34" text-anchor="middle" font-family="ui-monospace,monospace" font-size="10.5">${esc(cut(l.ip, 40))}</text>`);
    o.push(`<line x1="${lx}" y1="42" x2="${lx}" y2="${h - 6}" stroke="${GREY}" stroke-dasharray="4 3"/>`);
  }
  const lastEvidence = [...arrows].reverse().find((a) => a.evidence);
  arrows.forEach((a, i) => {
    const y = TOP + i * ROW + 20;
    const x1 = x.get(a.from)!;
    const x2 = x.get(a.to)!;
    const key = a === lastEvidence;
    const color = key ? keyColor : INK;
    const dashed = lost && a.from === v.client.ip && !arrows.slice(i + 1).some((b) => b.from !== v.client.ip);
    o.push(`<g${key ? ' font-weight="600"' : ''}>`);
    o.push(`<title>${esc(`#${a.frame}${a.at ? ` (${a.at} s)` : ''}: ${a.note}`)}</title>`);
    o.push(`<text x="8" y="${y + 4}" font-family="ui-monospace,monospace">#${a.frame}</text>`);
    if (a.at) o.push(`<text x="60" y="${y + 4}" font-family="ui-monospace,monospace" fill="#57606a">${a.at}</text>`);
    if (x1 === x2) {
      o.push(`<circle cx="${x1}" cy="${y}" r="4" fill="${color}"/>`);
      o.push(`<text x="${x1 + 8}" y="${y - 5}">${esc(a.label)}</text>`);
    } else {
      const dir = x2 > x1 ? 1 : -1;
      const tip = x2 - dir * 1;
      o.push(`<line x1="${x1}" y1="${y}" x2="${tip - dir * 8}" y2="${y}" stroke="${color}" stroke-width="${key ? 2 : 1.3}"${dashed ? ' stroke-dasharray="6 4"' : ''}/>`);
      o.push(`<path d="M${tip} ${y}l${-dir * 9} -4.5v9z" fill="${color}"/>`);
      // Over the first gap the arrow crosses, so the label does not sit on a lane it passes.
      const next = dir > 0 ? Math.min(...[...x.values()].filter((v) => v > x1)) : Math.max(...[...x.values()].filter((v) => v < x1));
      o.push(`<text x="${(x1 + next) / 2}" y="${y - 5}" text-anchor="middle"${key ? ` fill="${color}"` : ''}>${esc(a.label)}</text>`);
    }
    o.push('</g>');
  });
  if (lost) {
    const y = TOP + arrows.length * ROW + 20;
    const last = lanes[lanes.length - 1];
    const lx = last ? x.get(last.ip)! : (LEFT + RIGHT) / 2;
    o.push(`<text x="${lx}" y="${y}" text-anchor="end" font-style="italic" fill="${keyColor}">${esc(label(lang, 'no_reply'))}</text>`);
  }
  if (arrows.length === 0) o.push(`<text x="${(LEFT + RIGHT) / 2}" y="${TOP + 20}" text-anchor="middle" fill="${GREY}">—</text>`);
  o.push('</svg>');
  return o.join('');
}

/** The related connections as short lines, for the figure caption. */
export function connectionLines(idx: RecordIndex, v: Verdict, lang: Lang, max = 3): string[] {
  if (v.target.ip === null || v.client.ip === null) return [];
  const history = lang === 'zh' ? '历史' : 'history';
  return (idx.connsByHosts.get(`${v.client.ip}|${v.target.ip}`) ?? NONE)
    .filter((c) => v.target.port === null || c.server.port === v.target.port)
    .slice(0, max)
    .map((c) => `${c.transport} ${bracket(c.client.ip)}:${c.client.port ?? ''} → ${bracket(c.server.ip)}:${c.server.port ?? ''} · ${c.state} · ${history} ${c.history || '-'}`);
}
