/**
 * What the TLS causes share: the facts of a session (versions offered, the certificate seen in
 * clear) and the rule of the three certificate causes (tls.cert_expired, tls.cert_not_yet_valid,
 * tls.cert_name_mismatch), which checks a certificate seen in clear (TLS <= 1.2) once.
 */
import type { FinishedConn } from '../track/tracker.js';
import { tlsEstablished, type TlsSession } from '../track/tls-session.js';
import { tlsVersionName } from '../decode/names.js';
import { certCoversName } from '../decode/cert-names.js';
import type { CertInfo } from '../decode/x509.js';
import { isReportableTime, isoOf } from '../time.js';
import type { ConnRule, EvidenceAt } from './outcome.js';
import { isTcp, outcome } from './outcome.js';
import { CERTIFICATE, SERVER_HELLO, proof, way } from './evidence.js';
import { limitKind } from './words.js';
import { stoppedTooSoon, WAIT } from './waits.js';

export const CERT_TOO_SOON = limitKind<{ ms: number | null }>('cert_too_soon', {
  en: (a) => `the capture stopped ${a.ms === null ? 'soon' : `${a.ms} ms`} after the certificate, the connection still open and no alert from the client: whether the client refused it cannot be seen`,
  zh: (a) => `抓包在证书之后${a.ms === null ? '不久' : ` ${a.ms} 毫秒`}就停止了，连接仍然打开，客户端也没有发出告警：看不出客户端是否拒绝了该证书`,
});

/** The ServerHello of `s` (which must have one) as evidence. */
export function serverHelloProof(c: FinishedConn['conn'], s: TlsSession): EvidenceAt {
  const h = s.serverHello!;
  return proof(SERVER_HELLO, h.frame, h.ts, way(c, !s.clientIsOrig), { version: tlsVersionName(h.version) });
}

export function certFacts(s: TlsSession): Record<string, unknown> {
  const leaf = s.certificates[0];
  if (!leaf) return {};
  return { certificate: { subject: leaf.subject, issuer: leaf.issuer, notBefore: leaf.notBefore, notAfter: leaf.notAfter, san: leaf.san } };
}

export function offered(s: TlsSession): Record<string, unknown> {
  return {
    offeredVersions: (s.clientHello?.versions ?? []).map(tlsVersionName),
    ...(s.serverHello ? { version: tlsVersionName(s.serverHello.version) } : {}),
  };
}

/** The handshake completed and the client went on to send data of its own. */
export function tlsEstablishedAndUsed(s: TlsSession): boolean {
  return tlsEstablished(s) && (s.encrypted.client > 2 || s.clientAfterServerFlight.some((r) => r.length > 24));
}

/**
 * What the checks need of a certificate, worked out once: a server hands the same certificate
 * (the same parsed object, from the tracker's certificate cache) to every connection.
 */
interface CertChecks {
  notBefore: number;
  notAfter: number;
  /** certCoversName by name, for the few names clients ask this certificate for. */
  covers: Map<string, boolean>;
}
const certChecks = new WeakMap<CertInfo, CertChecks>();

function checksOf(leaf: CertInfo): CertChecks {
  let k = certChecks.get(leaf);
  if (k === undefined) {
    k = { notBefore: Date.parse(leaf.notBefore), notAfter: Date.parse(leaf.notAfter), covers: new Map() };
    certChecks.set(leaf, k);
  }
  return k;
}

function coversName(k: CertChecks, leaf: CertInfo, name: string): boolean {
  let v = k.covers.get(name);
  if (v === undefined) {
    v = certCoversName(leaf, name);
    if (k.covers.size < 64) k.covers.set(name, v);
  }
  return v;
}

/**
 * The names a certificate is checked against for a host name, as certCoversName reads them: its
 * DNS subjectAltNames, else its subject CN (RFC 6125 §6.4.4), and its IP subjectAltNames. Empty
 * when it names nothing at all.
 */
export function coveredNames(leaf: CertInfo): string[] {
  const dns = leaf.sanDns.length > 0 ? leaf.sanDns : leaf.subjectCN !== null && leaf.subjectCN !== '' ? [leaf.subjectCN] : [];
  return [...dns, ...leaf.sanIp];
}

/** Certificate seen in clear (TLS <= 1.2) outside its validity, or not covering the SNI. */
export const CERTIFICATE_RULE: ConnRule = {
  on: 'conn',
  rank: 90,
  produces: ['tls.cert_expired', 'tls.cert_not_yet_valid', 'tls.cert_name_mismatch'],
  run(f, ctx) {
    const s = f.tls;
    if (!s || !s.certificates[0] || s.certificateFrame === null) return null;
    const leaf = s.certificates[0];
    const when = s.serverHello?.ts ?? f.conn.start;
    const k = checksOf(leaf);
    const sni = s.clientHello?.sni;
    // A capture time no report can write (a wild timestamp) says nothing of the validity period;
    // nor does a clock that does not move: the client's hello and the server's answer stamped the
    // same instant (a capture made up, or a tool that wrote one time for every packet: nDPI's
    // tls-rdn-extract.pcap, every packet at 1999-12-31T23:00:00).
    const dated = isReportableTime(when) && !(f.conn.end === f.conn.start && f.conn.orig.pkts > 0 && f.conn.resp.pkts > 0);
    const cause = dated && k.notAfter < when * 1000 ? 'tls.cert_expired'
      : dated && k.notBefore > when * 1000 ? 'tls.cert_not_yet_valid'
        : sni && !coversName(k, leaf, sni) ? 'tls.cert_name_mismatch' : null;
    if (cause === null) return null;
    // A client that completed the handshake anyway did not check (or accepted) the certificate.
    const sev = tlsEstablished(s) || s.ccs.client ? 'warning' : 'error';
    const ev = [proof(CERTIFICATE, s.certificateFrame, when, way(f.conn, !s.clientIsOrig), { subject: leaf.subject, notBefore: leaf.notBefore, notAfter: leaf.notAfter })];
    const o = outcome(cause, ev, certFacts(s), { notBefore: leaf.notBefore, notAfter: leaf.notAfter, captureTime: isoOf(when), sni: sni ?? null, san: coveredNames(leaf) }, sev);
    // A refusal shows as the client closing (a FIN or RST of its) or a capture that went on while
    // its next flight was due: one that stopped sooner after the certificate, the connection open,
    // cannot tell a refusal from a handshake still going on (the next file of a rotated capture).
    const after = s.certificateFrame;
    const closed = isTcp(f) && [...f.conn.rsts, ...f.conn.fins].some((x) => x.fromOrig === s.clientIsOrig && x.frame > after);
    if (sev === 'error' && !closed) stoppedTooSoon(o, ctx, when, WAIT.tls, CERT_TOO_SOON);
    return o;
  },
};
