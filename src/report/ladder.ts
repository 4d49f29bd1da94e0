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
import type { Report, Verdict } from './model.js';
import { label, type Lang } from '../diagnose/text.js';
import { bracket, sinceStart } from './view.js';

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

/** A short arrow label from an evidence note (the arrow itself shows who sent it). */
function shortLabel(r: Report, frame: number, note: string): string {
  const icmp = r.icmp.find((e) => e.frame === frame);
  if (icmp && /^ICMP/.test(note)) return cut(`ICMP ${icmp.name}`);
  let m = /^TLS alert (\S+) \((\w+)\)/.exec(note);
  if (m) return cut(`Alert ${m[1]!}${m[2] === 'fatal' ? '' : ` (${m[2]!})`}`);
  m = /^Certificate: (.*?), valid /.exec(note);
  if (m) return cut(`Certificate ${m[1]!}`);
  return cut(note.replace(/ from the (client|server)$/, '').replace(/^(DNS query .*?) to \S+/, '$1'));
}

const same = (a: string | null | undefined, b: string | null | undefined): boolean => !!a && !!b && a.toLowerCase() === b.toLowerCase();

/** The arrows of a verdict, in frame order. */
export function arrowsOf(r: Report, v: Verdict): Arrow[] {
  const out: Arrow[] = [];
  const seen = new Set<number>();
  for (const e of v.evidence) {
    if (e.from === undefined || e.to === undefined || seen.has(e.frame)) continue;
    seen.add(e.frame);
    out.push({ frame: e.frame, at: sinceStart(r, e.time), from: e.from, to: e.to, label: shortLabel(r, e.frame, e.note), note: e.note, evidence: true });
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
    for (const d of r.dns.filter((x) => same(x.query, t.name) && (client === null || x.client.ip === client)).slice(0, 3)) {
      const frames = [...d.frames];
      const resp = d.rcode !== null && frames.length > 1 ? frames.pop()! : null;
      for (const f of frames) add(f, d.client.ip, d.server.ip, `DNS query ${d.qtype} ${d.query}`);
      if (resp !== null) add(resp, d.server.ip, d.client.ip, `DNS ${d.rcode}${d.answers.length ? ` ${d.answers[0]!}` : ''}`);
    }
  }
  if (t.ip !== null && client !== null) {
    const flow = (c: { ip: string; port?: number }, s: { ip: string; port?: number }): boolean =>
      c.ip === client && s.ip === t.ip && (t.port === null || s.port === undefined || s.port === t.port);
    for (const s of r.tls.filter((x) => flow(x.client, x.server))) {
      for (const a of s.alerts) {
        const [from, to] = a.sender === 'client' ? [s.client.ip, s.server.ip] : [s.server.ip, s.client.ip];
        add(a.frame, from, to, `Alert ${a.name}${a.level === 'fatal' ? '' : ` (${a.level})`}`);
      }
    }
    for (const h of r.http.filter((x) => flow(x.client, x.server))) {
      if (h.frames[0] !== undefined) add(h.frames[0], h.client.ip, h.server.ip, `${h.method} ${h.path}`);
      if (h.frames[1] !== undefined) add(h.frames[1], h.server.ip, h.client.ip, `HTTP ${h.status ?? ''}`.trim());
    }
    for (const e of r.icmp.filter((x) => x.quoted !== null && flow(x.quoted.client, x.quoted.server))) {
      add(e.frame, e.from, e.quoted!.client.ip, `ICMP ${e.name}`);
    }
  }
  return out.sort((a, b) => a.frame - b.frame).slice(0, MAX_ARROWS);
}

interface Lane {
  ip: string;
  role: string;
}

function lanesOf(r: Report, v: Verdict, arrows: Arrow[], lang: Lang): Lane[] {
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
  const icmpFrom = new Set(r.icmp.map((e) => e.from));
  const lanes: Lane[] = [];
  if (client) lanes.push({ ip: client, role: label(lang, 'client') });
  for (const ip of ips) {
    if (ip === client || ip === server) continue;
    lanes.push({ ip, role: label(lang, icmpFrom.has(ip) ? 'icmp_sender' : v.layer === 'dns' || arrows.some((a) => a.from === ip && /^DNS /.test(a.label)) ? 'dns_server' : 'peer') });
  }
  const proxy = (v.details['proxy'] as { ip?: unknown } | undefined)?.ip;
  if (server && server !== client) lanes.push({ ip: server, role: label(lang, v.layer === 'dns' ? 'dns_server' : proxy === server ? 'proxy' : 'server') });
  return lanes;
}

const W = 760;
const LEFT = 200;
const RIGHT = 680;
const TOP = 62;
const ROW = 34;
const INK = '#24292f';
const GREY = '#8c959f';

/** The ladder of one verdict as an <svg> element (a string). */
export function ladderSvg(r: Report, v: Verdict, lang: Lang): string {
  const arrows = arrowsOf(r, v);
  const lanes = lanesOf(r, v, arrows, lang);
  const x = new Map<string, number>();
  lanes.forEach((l, i) => x.set(l.ip, lanes.length === 1 ? (LEFT + RIGHT) / 2 : LEFT + (i * (RIGHT - LEFT)) / (lanes.length - 1)));
  const lost = UNANSWERED.has(v.cause);
  const rows = arrows.length + (lost ? 1 : 0);
  const h = TOP + Math.max(1, rows) * ROW + 14;
  const keyColor = v.severity === 'error' ? '#cf222e' : '#9a6700';
  const title = `${label(lang, 'ladder')}: ${v.summary}`;
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
export function connectionLines(r: Report, v: Verdict, max = 3): string[] {
  if (v.target.ip === null || v.client.ip === null) return [];
  return r.connections
    .filter((c) => c.client.ip === v.client.ip && c.server.ip === v.target.ip && (v.target.port === null || c.server.port === v.target.port))
    .slice(0, max)
    .map((c) => `${c.transport} ${bracket(c.client.ip)}:${c.client.port ?? ''} → ${bracket(c.server.ip)}:${c.server.port ?? ''} · ${c.state} · history ${c.history || '-'}`);
}
