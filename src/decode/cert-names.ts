/**
 * Which names a certificate covers (RFC 6125 §6.4), and IP address texts in canonical form —
 * pure functions with no Node built-in, so the diagnosis's certificate rule (and whatever loads
 * it, the upload page's renderer included) runs anywhere. decode/x509.ts parses certificates.
 *
 *   certCoversName(cert, name)   does the certificate cover this host name or address
 *   canonicalIp(s)               v4 as is, v6 per RFC 5952; null when `s` is not an address
 *   isIPv4Text(s) / isIPv6Text(s)
 */
import { ipv6ToString } from './addr.js';
import type { CertInfo } from './x509.js';

const V4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** Dotted-quad IPv4 (no leading zeros), as node:net's isIPv4 accepts it. */
export function isIPv4Text(s: string): boolean {
  return V4.test(s);
}

/** The 8 groups of an IPv6 text (RFC 4291 §2.2, a trailing dotted IPv4 allowed), or null. */
function ipv6Groups(s: string): number[] | null {
  let text = s;
  let v4: number[] = [];
  const lastColon = text.lastIndexOf(':');
  if (lastColon < 0) return null;
  const tail = text.slice(lastColon + 1);
  if (tail.includes('.')) {
    if (!isIPv4Text(tail)) return null;
    const o = tail.split('.').map(Number);
    v4 = [(o[0]! << 8) | o[1]!, (o[2]! << 8) | o[3]!];
    // Drop ':a.b.c.d', keeping a '::' that ends right before it ('::ffff:a.b.c.d', '::a.b.c.d').
    const pre = text.slice(0, lastColon);
    text = pre.endsWith(':') ? text.slice(0, lastColon + 1) : pre;
  }
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const part = (h: string): string[] | null => (h === '' ? [] : h.split(':'));
  const head = part(halves[0]!);
  const rest = halves.length === 2 ? part(halves[1]!) : [];
  if (head === null || rest === null) return null;
  for (const g of [...head, ...rest]) if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null;
  const n = head.length + rest.length + v4.length;
  if (halves.length === 1 ? n !== 8 : n > 7) return null;
  const fill = halves.length === 2 ? Array<number>(8 - n).fill(0) : [];
  return [...head.map((g) => parseInt(g, 16)), ...fill, ...rest.map((g) => parseInt(g, 16)), ...v4];
}

export function isIPv6Text(s: string): boolean {
  return ipv6Groups(s) !== null;
}

/** Canonical text for an IP address (v4 as is, v6 per RFC 5952), or null if not an IP. */
export function canonicalIp(s: string): string | null {
  if (isIPv4Text(s)) return s;
  const g = ipv6Groups(s);
  if (g === null) return null;
  const b = new Uint8Array(16);
  g.forEach((v, i) => {
    b[2 * i] = v >> 8;
    b[2 * i + 1] = v & 0xff;
  });
  return ipv6ToString(b, 0);
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
