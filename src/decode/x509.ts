/**
 * X.509 certificate facts for diagnosis, through node:crypto's X509Certificate (OpenSSL), so we
 * do not carry an ASN.1 parser. Called only for certificates we report (a few per TLS
 * connection), never per packet.
 *
 * API
 *   decodeCertificate(der: Uint8Array): CertInfo | DecodeStop
 *     malformed('x509', 0, ...) when OpenSSL rejects the DER.
 *   certCoversName(cert: CertInfo, name: string): boolean
 *     RFC 6125 §6.4 host name check (details on the function).
 *
 * Presentation choices:
 *   - subject/issuer are one line, RDNs *most-specific first* joined by ", " as in RFC 4514
 *     §2.1 and `openssl x509 -nameopt RFC2253` (e.g. "CN=www.example.com, O=Example, C=US").
 *     tshark prints the DER order (C first) with "id-at-" attribute names instead; OpenSSL's
 *     RFC 2253 escaping of ',', '+', '"', '\', '<', '>', ';' inside values is kept.
 *   - notBefore/notAfter are ISO-8601 UTC ("2024-01-01T00:00:00Z").
 *   - IPv6 SANs use RFC 5952 text (OpenSSL prints "2001:DB8:0:0:0:0:0:1").
 *   - serial is uppercase hex without leading-zero padding beyond OpenSSL's.
 */
import { X509Certificate } from 'node:crypto';
import { isIPv4, isIPv6 } from 'node:net';
import { ipv6ToString } from './addr.js';
import { malformed, type DecodeStop } from './stop.js';

export interface CertInfo {
  subject: string;
  issuer: string;
  /** Subject CN (last CN, the most specific), or null. */
  subjectCN: string | null;
  notBefore: string;
  notAfter: string;
  /** DNS names then IP addresses from subjectAltName, in that order. */
  san: string[];
  sanDns: string[];
  sanIp: string[];
  serial: string;
  /** Subject equals issuer (RFC 5280 §3.2 "self-issued"); true for roots and most self-signed test certs. */
  selfIssued: boolean;
  /** basicConstraints cA (RFC 5280 §4.2.1.9): a CA certificate served as a leaf is a misconfiguration. */
  ca: boolean;
  /** SHA-256 fingerprint, colon-separated uppercase hex (as OpenSSL and browsers show it). */
  fingerprint256: string;
}

const MONTHS: Readonly<Record<string, string>> = {
  Jan: '01', Feb: '02', Mar: '03', Apr: '04', May: '05', Jun: '06',
  Jul: '07', Aug: '08', Sep: '09', Oct: '10', Nov: '11', Dec: '12',
};

/** OpenSSL's ASN1_TIME_print form "Nov  1 14:03:36 2026 GMT" → "2026-11-01T14:03:36Z". */
function isoTime(s: string): string {
  const parts = s.trim().split(/\s+/);
  const mon = MONTHS[parts[0] ?? ''];
  const day = parts[1] ?? '';
  const time = parts[2] ?? '';
  const year = parts[3] ?? '';
  if (mon === undefined || !/^\d{1,2}$/.test(day) || !/^\d\d:\d\d:\d\d$/.test(time) || !/^\d{4}$/.test(year)) return s;
  return `${year}-${mon}-${day.padStart(2, '0')}T${time}Z`;
}

/** Node gives "C=US\nO=Example\nCN=host": reverse to RFC 4514 order on one line. */
function oneLineName(multiline: string): string {
  return multiline.split('\n').filter((l) => l.length > 0).reverse().join(', ');
}

function lastCN(multiline: string): string | null {
  let cn: string | null = null;
  for (const l of multiline.split('\n')) if (l.startsWith('CN=')) cn = l.slice(3);
  return cn;
}

/** Splits Node's subjectAltName ("DNS:a, IP Address:1.2.3.4, DNS:\"x, y\"") outside quotes. */
function sanEntries(s: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '"' && s[i - 1] !== '\\') quoted = !quoted;
    if (!quoted && c === ',' && s[i + 1] === ' ') {
      out.push(cur);
      cur = '';
      i++;
      continue;
    }
    cur += c;
  }
  if (cur.length > 0) out.push(cur);
  return out;
}

/** Node quotes SAN values holding ',' or '"' JSON-style; undo the simple escapes. */
function unquote(v: string): string {
  if (v.length >= 2 && v.startsWith('"') && v.endsWith('"')) {
    return v.slice(1, -1).replace(/\\(["\\])/g, '$1');
  }
  return v;
}

/** IPv6 text (any valid form) → 16 bytes, or null. */
function ipv6Bytes(s: string): Uint8Array | null {
  if (!isIPv6(s)) return null;
  let text = s;
  const out = new Uint8Array(16);
  // Trailing dotted IPv4 (RFC 4291 §2.2 form 3) → two hex groups.
  const lastColon = text.lastIndexOf(':');
  const tail = text.slice(lastColon + 1);
  if (tail.includes('.')) {
    const o = tail.split('.').map(Number);
    text = `${text.slice(0, lastColon + 1)}${((o[0]! << 8) | o[1]!).toString(16)}:${((o[2]! << 8) | o[3]!).toString(16)}`;
  }
  const halves = text.split('::');
  const head = halves[0] ? halves[0].split(':') : [];
  const rest = halves.length > 1 && halves[1] ? halves[1].split(':') : [];
  const groups = [...head, ...Array<string>(8 - head.length - rest.length).fill('0'), ...rest];
  for (let i = 0; i < 8; i++) {
    const v = parseInt(groups[i] ?? '0', 16);
    out[2 * i] = v >> 8;
    out[2 * i + 1] = v & 0xff;
  }
  return out;
}

/** Canonical text for an IP address (v4 as is, v6 per RFC 5952), or null if not an IP. */
function canonicalIp(s: string): string | null {
  if (isIPv4(s)) return s;
  const b = ipv6Bytes(s);
  return b === null ? null : ipv6ToString(b, 0);
}

export function decodeCertificate(der: Uint8Array): CertInfo | DecodeStop {
  let c: X509Certificate;
  try {
    // OpenSSL throws on anything that is not a certificate; that is the only exception here.
    c = new X509Certificate(der);
  } catch (e) {
    return malformed('x509', 0, `certificate does not parse: ${(e as Error).message}`);
  }
  const sanDns: string[] = [];
  const sanIp: string[] = [];
  for (const entry of sanEntries(c.subjectAltName ?? '')) {
    if (entry.startsWith('DNS:')) sanDns.push(unquote(entry.slice(4)));
    else if (entry.startsWith('IP Address:')) {
      const raw = unquote(entry.slice(11));
      sanIp.push(canonicalIp(raw) ?? raw);
    }
  }
  return {
    subject: oneLineName(c.subject),
    issuer: oneLineName(c.issuer),
    subjectCN: lastCN(c.subject),
    notBefore: isoTime(c.validFrom),
    notAfter: isoTime(c.validTo),
    san: [...sanDns, ...sanIp],
    sanDns,
    sanIp,
    serial: c.serialNumber,
    selfIssued: c.subject === c.issuer,
    ca: c.ca,
    fingerprint256: c.fingerprint256,
  };
}

/**
 * RFC 6125 §6.4 name check, as browsers and OpenSSL apply it:
 *   - comparison is case-insensitive (ASCII; IDNs must already be A-labels), a trailing dot on
 *     either side is ignored;
 *   - a wildcard is only a left-most label that is exactly "*" (§6.4.3 rule 1-2), matching one
 *     non-empty label; "*.com"-style wildcards with fewer than two labels after them never match;
 *   - the subject CN is consulted only when the certificate has no DNS SANs (§6.4.4);
 *   - an IP address matches only an IP SAN (RFC 6125 §1.7.2 / RFC 5280), never CN or DNS SANs.
 */
export function certCoversName(cert: CertInfo, name: string): boolean {
  const ip = canonicalIp(name.startsWith('[') && name.endsWith(']') ? name.slice(1, -1) : name);
  if (ip !== null) return cert.sanIp.includes(ip);
  const host = normalizeHost(name);
  if (host.length === 0) return false;
  const patterns = cert.sanDns.length > 0 ? cert.sanDns : cert.subjectCN !== null ? [cert.subjectCN] : [];
  for (const p of patterns) if (matchPattern(normalizeHost(p), host)) return true;
  return false;
}

function normalizeHost(s: string): string {
  const t = s.toLowerCase();
  return t.endsWith('.') ? t.slice(0, -1) : t;
}

function matchPattern(pattern: string, host: string): boolean {
  if (!pattern.startsWith('*.')) return pattern === host && !pattern.includes('*');
  const suffix = pattern.slice(1); // ".api.example.com"
  if (suffix.includes('*')) return false;
  // At least two labels after the wildcard ("*.example.com", not "*.com").
  if (suffix.split('.').length < 3) return false;
  if (!host.endsWith(suffix)) return false;
  const first = host.slice(0, host.length - suffix.length);
  return first.length > 0 && !first.includes('.');
}
