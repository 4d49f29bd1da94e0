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
import { rootCertificates } from 'node:tls';
import { canonicalIp } from './cert-names.js';
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
  /** The first CA Issuers URI of its Authority Information Access (RFC 5280 §4.2.2.1), where its issuer's certificate can be fetched; null when none. */
  caIssuers: string | null;
  /**
   * Issued and signed by a root CA of the store Node carries (Mozilla's, node:tls rootCertificates):
   * null until worked out (issuedByKnownRoot), which the TLS tracker does only for a certificate a
   * server sent alone, not self-issued, naming a CA Issuers URI (what a chain check asks).
   */
  issuedByRoot: boolean | null;
}

/** Node's bundled root CAs (Mozilla's store), parsed on first use. */
let roots: X509Certificate[] | null = null;

function knownRoots(): X509Certificate[] {
  if (roots === null) {
    roots = [];
    for (const pem of rootCertificates) {
      try {
        roots.push(new X509Certificate(pem));
      } catch {
        // A root this OpenSSL cannot read is none to check against.
      }
    }
  }
  return roots;
}

/** Whether one of Node's root CAs issued and signed the certificate `der` (false when it does not parse). */
export function issuedByKnownRoot(der: Uint8Array): boolean {
  let c: X509Certificate;
  try {
    c = new X509Certificate(der);
  } catch {
    return false;
  }
  for (const r of knownRoots()) {
    try {
      if (c.checkIssued(r) && c.verify(r.publicKey)) return true;
    } catch {
      // A key type OpenSSL cannot verify with: not this root.
    }
  }
  return false;
}

/** The first "CA Issuers - URI:" of OpenSSL's infoAccess text, or null. */
function caIssuersOf(infoAccess: string | undefined): string | null {
  const m = /CA Issuers - URI:([^\n]+)/.exec(infoAccess ?? '');
  return m ? m[1]!.trim() : null;
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

/** Node gives "C=US\nO=Example\nCN=host" (undefined for an empty name): reverse to RFC 4514 order on one line. */
function oneLineName(multiline: string | undefined): string {
  return (multiline ?? '').split('\n').filter((l) => l.length > 0).reverse().join(', ');
}

function lastCN(multiline: string | undefined): string | null {
  let cn: string | null = null;
  for (const l of (multiline ?? '').split('\n')) if (l.startsWith('CN=')) cn = l.slice(3);
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
  const selfIssued = (c.subject ?? '') === (c.issuer ?? '');
  const caIssuers = caIssuersOf(c.infoAccess);
  return {
    subject: oneLineName(c.subject),
    issuer: oneLineName(c.issuer),
    subjectCN: lastCN(c.subject),
    notBefore: isoTime(c.validFrom ?? ''),
    notAfter: isoTime(c.validTo ?? ''),
    san: [...sanDns, ...sanIp],
    sanDns,
    sanIp,
    serial: c.serialNumber,
    selfIssued,
    ca: c.ca,
    fingerprint256: c.fingerprint256,
    caIssuers,
    issuedByRoot: null,
  };
}

export { certCoversName } from './cert-names.js';
