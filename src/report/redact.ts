/**
 * `--redact`: the report with every IP address, DNS / SNI / Host name, certificate name,
 * HTTP path and the capture's file name replaced by pseudonyms, so it can be shared outside the
 * team. It works on the language-free report — typed values, before any sentence is made — so
 * every format, and every language, is redacted alike.
 *
 * Rules (README "Redaction"):
 * - One report, one mapping: the same address or name gets the same pseudonym everywhere
 *   (verdicts, their facts and evidence, details, records; a live capture's lines too). Pseudonyms are handed out in the order
 *   the report first mentions each value — deterministic, with no salt and no hash (a hash of an
 *   IPv4 address could be reversed by trying all 2^32), so two reports share nothing but order.
 * - A pseudonym is never one of the report's original values, so no original is left behind.
 * - Addresses keep their kind: each documentation range (192.0.2.0/24, 198.51.100.0/24,
 *   203.0.113.0/24, 2001:db8::/32) maps into itself; private (10/8, 172.16/12, 192.168/16,
 *   fc00::/7), shared (100.64/10) and link-local (169.254/16, fe80::/10) ranges into themselves;
 *   every other address into the benchmarking ranges 198.18.0.0/15 and 2001:2::/48 (RFC 2544,
 *   RFC 5180), which no real destination uses. Unspecified, loopback, broadcast and multicast
 *   addresses identify no host or network and stay as they are.
 * - Names are pseudonymised label by label, right to left (`api.corp.de` → `n2.n1.de`), so names
 *   under one domain still share it and a wildcard still covers what it covered. Reserved names
 *   stay readable: example / example.com / .net / .org, test, invalid, localhost, local,
 *   home.arpa (RFC 2606, 6761, 6762, 8375) are kept as the suffix; a top-level label that is a
 *   country code or a common generic TLD is kept; labels starting with '_' (SRV) are kept.
 *   Reverse-DNS names (in-addr.arpa, ip6.arpa) have their address mapped like any address.
 * - Certificate subject / issuer: host names as names, other attribute values as `o-1`,
 *   `ou-1`, ... (country codes kept). HTTP paths become `/path-1`, ... ("/" and "*" stay). The
 *   capture's file name becomes `capture.pcap` (extension kept); stdin stays stdin.
 * - Ports, cause codes, times, durations, counts and frame numbers are kept.
 */
import { isIPv4, isIPv6 } from 'node:net';
import type { Report, Verdict } from './model.js';

/** Keys whose strings are a server's free text (app.refused / app.login_failed replies, tls.not_tls's answer). */
const FREE_TEXT_KEYS = new Set(['reply', 'answerStarts', 'answer', 'text', 'serverText', 'serverShort']);
/** A dotted token of host-name characters. */
const DOTTED = /[A-Za-z0-9][A-Za-z0-9-]*(?:\.[A-Za-z0-9-]+)+/g;

// --- addresses --------------------------------------------------------------------------------

interface Pool4 {
  base: number;
  size: number;
}

const v4num = (ip: string): number => ip.split('.').reduce((n, o) => n * 256 + Number(o), 0);
const v4text = (n: number): string => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
const inV4 = (n: number, cidr: string): boolean => {
  const [net, len] = cidr.split('/');
  const bits = Number(len);
  const size = 2 ** (32 - bits);
  const b = v4num(net!);
  return n >= b && n < b + size;
};
const pool4 = (cidr: string): Pool4 => {
  const [net, len] = cidr.split('/');
  return { base: v4num(net!), size: 2 ** (32 - Number(len)) };
};

const KEEP4 = ['0.0.0.0/32', '255.255.255.255/32', '127.0.0.0/8', '224.0.0.0/4'];
/** Ranges that map into themselves, in order; anything else goes to PUBLIC4. */
const SELF4 = ['192.0.2.0/24', '198.51.100.0/24', '203.0.113.0/24', '10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', '169.254.0.0/16', '198.18.0.0/15'];
const PUBLIC4 = '198.18.0.0/15';

/** Expands an IPv6 text to 8 groups (numbers), or null. */
function v6groups(ip: string): number[] | null {
  if (!isIPv6(ip)) return null;
  let s = ip.toLowerCase();
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (v4) {
    const n = v4num(v4[1]!);
    s = `${s.slice(0, v4.index)}${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
  }
  const [head, tail] = s.includes('::') ? s.split('::') : [s, null];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const fill = tail === null ? [] : new Array(8 - h.length - t.length).fill('0');
  return [...h, ...fill, ...t].map((g) => parseInt(g, 16));
}

type Pool6 = { prefix: string; test: (g: number[]) => boolean };
const POOLS6: Pool6[] = [
  { prefix: '2001:db8', test: (g) => g[0] === 0x2001 && g[1] === 0xdb8 },
  { prefix: 'fd00', test: (g) => (g[0]! & 0xfe00) === 0xfc00 },
  { prefix: 'fe80', test: (g) => (g[0]! & 0xffc0) === 0xfe80 },
];
const PUBLIC6 = '2001:2';

class AddressMap {
  private readonly map = new Map<string, string>();
  private readonly used = new Set<string>();
  private readonly next = new Map<string, number>();
  constructor(private readonly originals: Set<string>) {}

  get(ip: string): string {
    const key = ip.toLowerCase();
    const had = this.map.get(key);
    if (had !== undefined) return had;
    const p = isIPv4(key) ? this.v4(key) : this.v6(key);
    this.map.set(key, p);
    this.used.add(p);
    return p;
  }

  private take(poolKey: string, make: (k: number) => string | null, limit: number): string | null {
    for (let k = this.next.get(poolKey) ?? 1; k < limit; k++) {
      const c = make(k);
      if (c === null || this.used.has(c) || this.originals.has(c)) continue;
      this.next.set(poolKey, k + 1);
      return c;
    }
    this.next.set(poolKey, limit);
    return null;
  }

  private v4(ip: string): string {
    const n = v4num(ip);
    if (KEEP4.some((c) => inV4(n, c))) return ip;
    const own = SELF4.find((c) => inV4(n, c));
    const from = (cidr: string): string | null => {
      const p = pool4(cidr);
      return this.take(cidr, (k) => {
        const a = p.base + k;
        const last = a & 255;
        return last === 0 || last === 255 ? null : v4text(a);
      }, p.size - 1);
    };
    return (own ? from(own) : null) ?? from(PUBLIC4) ?? '198.18.255.254';
  }

  private v6(ip: string): string {
    const g = v6groups(ip);
    if (!g) return ip;
    if (g.every((x, i) => x === 0 || (i === 7 && x === 1)) || g[0]! >= 0xff00) return ip; // ::, ::1, multicast
    if (g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff) {
      return `::ffff:${this.get(v4text(((g[6]! << 16) | g[7]!) >>> 0))}`;
    }
    const pool = POOLS6.find((p) => p.test(g));
    const prefix = pool ? pool.prefix : PUBLIC6;
    const text = (k: number): string => `${prefix}::${k > 0xffff ? `${(k >>> 16).toString(16)}:` : ''}${(k & 0xffff).toString(16)}`;
    return this.take(prefix, text, 2 ** 32) ?? ip;
  }
}

// --- names ------------------------------------------------------------------------------------

const RESERVED = ['example', 'example.com', 'example.net', 'example.org', 'test', 'invalid', 'localhost', 'local', 'home.arpa', 'in-addr.arpa', 'ip6.arpa'];
const KEEP_TLD = new Set(['com', 'net', 'org', 'edu', 'gov', 'mil', 'int', 'info', 'biz', 'io', 'dev', 'app', 'cloud', 'arpa', 'internal', 'lan', 'corp', 'home']);

export function isReservedName(name: string): boolean {
  const n = name.toLowerCase().replace(/\.$/, '');
  return RESERVED.some((r) => n === r);
}

class NameMap {
  /** parent pseudonym + '|' + label → label pseudonym. */
  private readonly labels = new Map<string, string>();
  private counter = 0;
  constructor(private readonly originals: Set<string>, private readonly addrs: AddressMap) {}

  get(name: string): string {
    const dot = name.endsWith('.') && name.length > 1 ? '.' : '';
    const n = (dot ? name.slice(0, -1) : name).toLowerCase();
    if (n.startsWith('*.')) return `*.${this.get(n.slice(2))}${dot}`;
    const rev4 = /^((?:\d{1,3}\.){4})in-addr\.arpa$/.exec(n);
    if (rev4) {
      const ip = rev4[1]!.slice(0, -1).split('.').reverse().join('.');
      if (isIPv4(ip)) return `${this.addrs.get(ip).split('.').reverse().join('.')}.in-addr.arpa${dot}`;
    }
    const rev6 = /^((?:[0-9a-f]\.){32})ip6\.arpa$/.exec(n);
    if (rev6) {
      const hex = rev6[1]!.replace(/\./g, '').split('').reverse().join('');
      const ip = hex.match(/.{4}/g)!.join(':');
      const g = v6groups(this.addrs.get(ip));
      if (g) return `${g.map((x) => x.toString(16).padStart(4, '0')).join('').split('').reverse().join('.')}.ip6.arpa${dot}`;
    }
    const parts = n.split('.');
    let keep = 0;
    for (const r of RESERVED) {
      const rl = r.split('.').length;
      if ((n === r || n.endsWith(`.${r}`)) && rl > keep) keep = rl;
    }
    if (keep === 0 && parts.length > 1) {
      const tld = parts[parts.length - 1]!;
      if (/^[a-z]{2}$/.test(tld) || KEEP_TLD.has(tld)) keep = 1;
    }
    let out = parts.slice(parts.length - keep);
    for (let i = parts.length - keep - 1; i >= 0; i--) {
      const label = parts[i]!;
      const parent = out.join('.');
      if (label.startsWith('_') && /^_[a-z0-9-]+$/.test(label)) {
        out = [label, ...out];
        continue;
      }
      const key = `${parent}|${label}`;
      let p = this.labels.get(key);
      if (p === undefined) {
        do p = `n${++this.counter}`;
        while (this.originals.has([p, ...out].join('.')));
        this.labels.set(key, p);
      }
      out = [p, ...out];
    }
    return `${out.join('.')}${dot}`;
  }
}

// --- the walk ---------------------------------------------------------------------------------

const IP4 = /(?<![0-9A-Za-z.])(?:\d{1,3}\.){3}\d{1,3}(?![0-9A-Za-z]|\.\d)/g;
const IP6ISH = /(?<![0-9A-Za-z:.])[0-9A-Fa-f]*:[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*(?![0-9A-Za-z:])/g;
/** One pass over prose: reverse-DNS names, IPv6, IPv4, then host-name-shaped tokens. */
const TOKENS = new RegExp(
  [
    /(?<![0-9A-Za-z_-])(?:\d{1,3}\.){4}in-addr\.arpa\.?/.source,
    /(?<![0-9A-Za-z_-])(?:[0-9a-fA-F]\.){32}ip6\.arpa\.?/.source,
    IP6ISH.source,
    IP4.source,
    /(?<![0-9A-Za-z_-])(?:\*\.)?[0-9A-Za-z_](?:[0-9A-Za-z_-]*)(?:\.[0-9A-Za-z_-]+)+\.?/.source,
  ].map((s) => `(${s})`).join('|'),
  'g',
);

const DN_SPLIT = /, (?=[A-Za-z][A-Za-z0-9.]*=)/;
const hostLike = (s: string): boolean => /^(\*\.)?[0-9A-Za-z_-]+(\.[0-9A-Za-z_-]+)*\.?$/.test(s) && !isIPv4(s);
const NAME_KEYS = new Set(['sni', 'host', 'authority', 'query', 'answers', 'san', 'cname', 'examples']);
/** Fields whose values are vocabulary or times, never an address or a name. */
const FIXED_KEYS = new Set(['schema', 'version', 'cause', 'layer', 'severity', 'state', 'history', 'transport', 'format', 'linkTypes', 'start', 'end',
  'time', 'notBefore', 'notAfter', 'level', 'sender', 'qtype', 'rcode', 'method', 'family', 'cipher', 'offeredVersions',
  'kind', 'code', 'failedCause', 'captureTime']);
const escRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function strings(v: Json, path: string[], visit: (s: string, path: string[]) => void): void {
  if (typeof v === 'string') visit(v, path);
  else if (Array.isArray(v)) for (const x of v) strings(x, path, visit);
  else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) strings(x, [...path, k], visit);
}

/** Fields that hold a DNS / SNI / Host name (a verdict's details included). */
function isNameField(path: string[]): boolean {
  const k = path[path.length - 1];
  if (k === 'name') return path[path.length - 2] === 'target' || (path[0] === 'connections' && path.length === 2);
  return k !== undefined && NAME_KEYS.has(k);
}

function mapStrings(v: Json, key: string, f: (s: string, key: string) => string): Json {
  if (typeof v === 'string') return f(v, key);
  if (Array.isArray(v)) return v.map((x) => mapStrings(x, key, f));
  if (v !== null && typeof v === 'object') {
    const o: { [k: string]: Json } = {};
    for (const [k, x] of Object.entries(v)) o[k] = mapStrings(x, k, f);
    return o;
  }
  return v;
}

/** Strips ':port' from a Host / CONNECT authority, and brackets from an IPv6 literal. */
function hostPart(s: string): string {
  const m = /^\[([^\]]+)\](?::\d+)?$/.exec(s) ?? /^([^:]+):\d+$/.exec(s);
  return m ? m[1]! : s;
}

/**
 * One mapping of originals to pseudonyms, handed out in the order values are first met. A report
 * is redacted by one Redactor; a live capture uses one for its streaming lines and its final report,
 * so the same host has the same pseudonym in both. (Values learnt later can only be kept apart from
 * pseudonyms handed out before they were seen: a live line may show a pseudonym that a later
 * original of the same private range turns out to have — never an original itself.)
 */
export class Redactor {
  private readonly originalIps = new Set<string>();
  private readonly originalNames = new Set<string>();
  private readonly addrs = new AddressMap(this.originalIps);
  private readonly nameMap = new NameMap(this.originalNames, this.addrs);
  /** Names seen in name fields (lower case, no trailing dot). */
  private readonly known = new Set<string>();
  /** Exact phrases: the file name, certificate attribute values, paths, single-label names. */
  private readonly phrases = new Map<string, string>();
  private readonly counters = new Map<string, number>();
  private pathN = 0;
  private phraseRe: RegExp | null = null;
  private phraseLower = new Map<string, string>();
  private phrasesDirty = false;

  /** The report with every address and name replaced (a copy; the report itself is not changed). */
  report(r: Report): Report {
    const root = JSON.parse(JSON.stringify(r)) as Json & { capture: { source: string } };
    const src = root.capture.source;
    if (src !== 'stdin' && src !== '-' && !this.phrases.has(src)) {
      const ext = /(\.(?:pcapng|pcap|cap|dmp|erf))?(\.gz)?$/i.exec(src)!;
      this.setPhrase(src, `capture${ext[1] ?? ''}${ext[2] ?? ''}`);
    }
    return this.apply(root) as unknown as Report;
  }

  /** One verdict (a live line) with every address and name replaced (a copy). */
  verdict(v: Verdict): Verdict {
    return this.apply(JSON.parse(JSON.stringify(v)) as Json) as unknown as Verdict;
  }

  private setPhrase(k: string, v: string): void {
    this.phrases.set(k, v);
    this.phrasesDirty = true;
  }

  /** Learns what `root` holds (in order: addresses, then names, then phrases), then maps it. */
  private apply(root: Json): Json {
    const ips: string[] = [];
    const names: string[] = [];
    const dnValues: Array<[string, string]> = [];
    const paths: string[] = [];
    const collectDn = (dn: string): void => {
      for (const rdn of dn.split(DN_SPLIT)) {
        const eq = rdn.indexOf('=');
        if (eq < 0) continue;
        const k = rdn.slice(0, eq);
        const val = rdn.slice(eq + 1);
        if (k === 'C' && /^[A-Z]{2}$/.test(val)) continue;
        if (k === 'CN' && hostLike(val) && val.includes('.')) names.push(val);
        else if (val.length >= 2) dnValues.push([k, val]);
      }
    };
    strings(root, [], (s, path) => {
      const key = path[path.length - 1] ?? '';
      if (FIXED_KEYS.has(key)) return;
      for (const m of s.matchAll(IP4)) if (isIPv4(m[0])) ips.push(m[0]);
      for (const m of s.matchAll(IP6ISH)) if (isIPv6(m[0])) ips.push(m[0].toLowerCase());
      if (isNameField(path)) {
        const h = hostPart(s);
        if (h && !isIPv4(h) && !isIPv6(h)) names.push(h);
      }
      if (key === 'subject' || key === 'issuer') collectDn(s);
      // A server's own words (an FTP / mail greeting, a plain-text answer on a TLS port) name hosts
      // of their own: each host-like token with a dot is a name.
      if (FREE_TEXT_KEYS.has(key)) for (const m of s.matchAll(DOTTED)) if (hostLike(m[0]) && !isIPv4(m[0])) names.push(m[0]);
      if (key === 'path' && s.startsWith('/') && s !== '/') paths.push(s);
    });
    for (const ip of ips) this.originalIps.add(ip.toLowerCase());
    for (const n of names) this.originalNames.add(n.toLowerCase().replace(/\.$/, ''));
    for (const ip of ips) this.addrs.get(ip);
    const fresh: string[] = [];
    for (const n of names) {
      const k = n.toLowerCase().replace(/\.$/, '').replace(/^\*\./, '');
      if (!k || isReservedName(k) || this.known.has(k)) continue;
      this.known.add(k);
      fresh.push(k);
      this.nameMap.get(k);
    }
    for (const [k, val] of dnValues) {
      if (this.phrases.has(val)) continue;
      const tag = k.toLowerCase().replace(/[^a-z]/g, '') || 'attr';
      const n = (this.counters.get(tag) ?? 0) + 1;
      this.counters.set(tag, n);
      this.setPhrase(val, `${tag}-${n}`);
    }
    for (const p of paths) if (!this.phrases.has(p)) this.setPhrase(p, `/path-${++this.pathN}`);
    // Names the token pass cannot see whole: one label, or characters a host name does not have.
    for (const k of fresh) if (!k.includes('.') || !hostLike(k)) this.setPhrase(k, this.nameMap.get(k));
    if (this.phrasesDirty) {
      const list = [...this.phrases.keys()].sort((a, b) => b.length - a.length || (a < b ? -1 : 1));
      this.phraseRe = list.length
        ? new RegExp(`(?<![0-9A-Za-z_.-])(?:${list.map(escRe).join('|')})(?![0-9A-Za-z_]|[/.-][0-9A-Za-z])`, 'gi')
        : null;
      this.phraseLower = new Map([...this.phrases].map(([k, v]) => [k.toLowerCase(), v]));
      this.phrasesDirty = false;
    }
    return mapStrings(root, '', (s, key) => (FIXED_KEYS.has(key) ? s : this.text(s)));
  }

  private isKnown(t: string): boolean {
    const n = t.toLowerCase().replace(/\.$/, '').replace(/^\*\./, '');
    if (this.known.has(n)) return true;
    for (let i = n.indexOf('.'); i >= 0; i = n.indexOf('.', i + 1)) if (this.known.has(n.slice(i + 1))) return true;
    return false;
  }

  private text(s: string): string {
    const re = this.phraseRe;
    let out = re ? s.replace(re, (m) => this.phraseLower.get(m.toLowerCase()) ?? m) : s;
    out = out.replace(TOKENS, (m, rev4: string | undefined, rev6: string | undefined, v6: string | undefined, v4: string | undefined, name: string | undefined) => {
      if (rev4 || rev6) return this.nameMap.get(m);
      if (v6) return isIPv6(m) ? this.addrs.get(m) : m;
      if (v4) return isIPv4(m) ? this.addrs.get(m) : m;
      if (name) return this.isKnown(m) ? this.nameMap.get(m) : m;
      return m;
    });
    return out;
  }
}

export function redactReport(report: Report): Report {
  return new Redactor().report(report);
}
