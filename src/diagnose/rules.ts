/**
 * One rule per cause: each is a pure function of one finished connection's records (TCP/UDP
 * state, TLS session, HTTP exchanges, ICMP errors quoting it) that returns an Outcome when its
 * cause applies. `classify` walks them in the order an operator would — ICMP, TCP, TLS, HTTP —
 * so the first layer that failed names the verdict.
 */
import type { FinishedConn } from '../track/tracker.js';
import type { TcpConn } from '../track/tcp.js';
import { icmpCause, type IcmpError } from '../track/icmp.js';
import { isTls13, tlsEstablished, type TlsSession } from '../track/tls.js';
import { alertName, tlsVersionName } from '../decode/names.js';
import { certCoversName, type CertInfo } from '../decode/x509.js';
import { icmpMeaning, type Localised } from './alerts.js';
import type { CauseCode, LocalisedVars, Severity } from './causes.js';
import { ttlNote } from './causes.js';
import { isoOf } from '../report/time.js';

export interface EvidenceFact {
  frame: number;
  ts: number;
  note: string;
  /** The note in Chinese, when the rule has it ready (else notes.ts translates the English). */
  noteZh?: string;
  /** Who sent the packet and to whom (IP addresses), for the report's ladder diagram. */
  from?: string;
  to?: string;
}

/** The direction of a packet of connection `c`: orig → resp when `fromOrig`, else the reverse. */
function way(c: FinishedConn['conn'], fromOrig: boolean): { from: string; to: string } {
  return fromOrig ? { from: c.orig.ip, to: c.resp.ip } : { from: c.resp.ip, to: c.orig.ip };
}

/** Seconds rounded to a tenth, as the texts show them. */
export const tenths = (x: number): number => Math.round(x * 10) / 10;

export interface Outcome {
  cause: CauseCode;
  severity: Severity;
  evidence: EvidenceFact[];
  details: Record<string, unknown>;
  vars: LocalisedVars;
  /** Attempts inside this connection (SYNs sent). */
  attempts: number;
  /** What the capture cannot prove about this outcome, said plainly. */
  limits: string[];
}

export interface RuleContext {
  /** Time of the last packet of the capture (seconds). */
  captureEnd: number;
}

type Rule = (f: FinishedConn, ctx: RuleContext) => Outcome | null;

function outcome(cause: CauseCode, evidence: EvidenceFact[], details: Record<string, unknown> = {}, vars: LocalisedVars = {}, severity: Severity = 'error'): Outcome {
  return { cause, severity, evidence, details, vars, attempts: 1, limits: [] };
}

function synEvidence(c: TcpConn): EvidenceFact[] {
  return c.synFrames.slice(0, 6).map((frame, i) => ({ frame, ts: c.synTimes[i] ?? c.start, note: i === 0 ? 'SYN' : `SYN (retransmission ${i})`, ...way(c, true) }));
}

const isTcp = (f: FinishedConn): f is FinishedConn & { conn: TcpConn } => f.conn.transport === 'tcp';

/** The handshake never got a SYN-ACK. */
function noSynAck(c: TcpConn): boolean {
  return c.synFrames.length > 0 && c.synAckFrame === 0;
}

// --- ICMP: an error quoting the flow, before the server ever answered -----------------------

/**
 * What an ICMP error says, ready for an outcome: its title in both languages, its evidence fact
 * (`quoting`: the quoted flow, named after the sender), its details and its template vars.
 */
export function icmpFacts(e: IcmpError, quoting?: string): { title: Localised; fact: EvidenceFact; details: Record<string, unknown>; vars: LocalisedVars } {
  const title = { en: icmpMeaning(e.v6, e.type, e.code, 'en').title, zh: icmpMeaning(e.v6, e.type, e.code, 'zh').title };
  const q = quoting === undefined ? { en: '', zh: '' } : { en: `, quoting ${quoting}`, zh: `，引用 ${quoting}` };
  return {
    title,
    fact: { frame: e.frame, ts: e.ts, note: `${title.en} from ${e.from}${q.en}`, noteZh: `来自 ${e.from} 的 ${title.zh}${q.zh}`, from: e.from, to: e.to },
    details: { from: e.from, type: e.type, code: e.code, family: e.v6 ? 'icmpv6' : 'icmp', ...(e.mtu !== null ? { mtu: e.mtu } : {}) },
    vars: { from: e.from, icmp: title, mtu: e.mtu },
  };
}

function icmpError(f: FinishedConn): IcmpError | null {
  for (const e of f.icmp) if (icmpCause(e)) return e;
  return null;
}

const ruleIcmp: Rule = (f) => {
  const e = icmpError(f);
  if (!e) return null;
  const cause = icmpCause(e) as CauseCode;
  // Fragmentation needed / packet too big on a flow that then went on: path MTU discovery did its
  // job, but the path MTU is smaller than the interface's — worth a warning, not a failure.
  let severity: Severity = 'error';
  if (isTcp(f)) {
    if (cause === 'icmp.frag_needed') {
      if (f.conn.unackedBytes.orig === 0) severity = 'warning';
    } else if (!noSynAck(f.conn)) return null;
  } else if (f.conn.resp.pkts > 0 && cause !== 'icmp.port_unreachable' && cause !== 'icmp.frag_needed') return null;
  const ev: EvidenceFact[] = [];
  if (isTcp(f)) ev.push(...synEvidence(f.conn).slice(0, 1));
  else ev.push({ frame: f.conn.firstFrame, ts: f.conn.start, note: 'first datagram', ...way(f.conn, true) });
  const facts = icmpFacts(e);
  ev.push(facts.fact);
  const o = outcome(cause, ev, facts.details, facts.vars, severity);
  if (severity === 'warning') o.limits.push('the connection went on after this error (path MTU discovery worked); blocking such ICMP messages would break large transfers');
  return o;
};

// --- TCP ------------------------------------------------------------------------------------

const ruleSynUnanswered: Rule = (f, ctx) => {
  if (!isTcp(f)) return null;
  const c = f.conn;
  if (!noSynAck(c) || c.rsts.some((r) => !r.fromOrig)) return null;
  const first = c.synTimes[0] ?? c.start;
  const last = c.synTimes[c.synTimes.length - 1] ?? first;
  const o = outcome('tcp.syn_unanswered', synEvidence(c), { syns: c.synFrames.length, clientAborted: c.rsts.some((r) => r.fromOrig) },
    { attempts: c.synFrames.length, seconds: tenths(Math.max(last, c.end) - first), waited: tenths(ctx.captureEnd - last) });
  o.attempts = c.synFrames.length;
  // Linux retransmits a SYN after 1 s: a capture that stopped sooner cannot tell a drop from a slow answer.
  if (c.synFrames.length === 1 && ctx.captureEnd - first < 1) {
    o.severity = 'warning';
    o.limits.push('the capture ended less than a second after the only SYN, before any retransmission: it cannot show that the SYN was dropped');
  }
  return o;
};

const ruleRefused: Rule = (f) => {
  if (!isTcp(f)) return null;
  const c = f.conn;
  const rst = c.rsts.find((r) => !r.fromOrig);
  if (!rst || c.synAckFrame !== 0 || c.synFrames.length === 0) return null;
  const o = outcome('tcp.refused', [...synEvidence(c).slice(-1), { frame: rst.frame, ts: rst.ts, note: 'RST in reply to the SYN', ...way(c, rst.fromOrig) }],
    { rstTtl: rst.ttl, synAttempts: c.synFrames.length });
  o.attempts = c.synFrames.length;
  return o;
};

const ruleHandshakeIncomplete: Rule = (f) => {
  if (!isTcp(f)) return null;
  const c = f.conn;
  // Only when the client's side was captured: in a one-sided capture the ACK is simply not there.
  if (c.synAckFrame === 0 || c.ackFrame !== 0 || c.dataFrames.orig !== 0 || c.synFrames.length === 0 || c.dataFrames.resp !== 0) return null;
  return outcome('tcp.handshake_incomplete', [...synEvidence(c).slice(0, 1), { frame: c.synAckFrame, ts: c.synAckTime, note: 'SYN-ACK, never acknowledged', ...way(c, false) }]);
};

/** Data sent and retransmitted with nothing acknowledged, until the sender gave up. */
const ruleStalled: Rule = (f) => {
  if (!isTcp(f)) return null;
  const c = f.conn;
  if (c.ackFrame === 0 || c.unackedBytes.orig === 0 || c.retransmits.orig < 3) return null;
  // A reset from the server says more than the stall; the client's own reset after its
  // retransmissions went unanswered is how it gave up, so the stall is the story.
  if (c.rsts.some((r) => !r.fromOrig)) return null;
  // Timed from the first data: how long the client went on sending into silence.
  const first = c.orig.firstDataFrame !== 0 ? c.orig.firstDataTime : c.start;
  return outcome('tcp.stalled', [{ frame: c.dataFrames.orig, ts: first, note: 'first data from the client', ...way(c, true) }], { retransmits: c.retransmits.orig, unackedBytes: c.unackedBytes.orig },
    { attempts: c.retransmits.orig, seconds: tenths(c.end - first) });
};

// --- TLS ------------------------------------------------------------------------------------

/** The ServerHello of `s` (which must have one) as evidence: 'ServerHello (TLS1.2)'. */
function serverHelloFact(c: FinishedConn['conn'], s: TlsSession): EvidenceFact {
  const h = s.serverHello!;
  return { frame: h.frame, ts: h.ts, note: `ServerHello (${tlsVersionName(h.version)})`, ...way(c, !s.clientIsOrig) };
}

function certFacts(s: TlsSession): Record<string, unknown> {
  const leaf = s.certificates[0];
  if (!leaf) return {};
  return { certificate: { subject: leaf.subject, issuer: leaf.issuer, notBefore: leaf.notBefore, notAfter: leaf.notAfter, san: leaf.san } };
}

function offered(s: TlsSession): Record<string, unknown> {
  return {
    offeredVersions: (s.clientHello?.versions ?? []).map(tlsVersionName),
    ...(s.serverHello ? { version: tlsVersionName(s.serverHello.version) } : {}),
  };
}

const ruleTlsAlert: Rule = (f) => {
  const s = f.tls;
  if (!s) return null;
  const a = s.alerts.find((x) => x.level === 2) ?? s.alerts.find((x) => x.description !== 0 && x.description !== 90 && !tlsEstablished(s));
  if (!a) return null;
  const sender = a.fromClient ? 'client' : 'server';
  const ev: EvidenceFact[] = [];
  if (s.clientHello) ev.push({ frame: s.clientHello.frame, ts: s.clientHello.ts, note: `ClientHello${s.clientHello.sni ? ` (SNI ${s.clientHello.sni})` : ''}`, ...way(f.conn, s.clientIsOrig) });
  if (s.serverHello) ev.push(serverHelloFact(f.conn, s));
  ev.push({ frame: a.frame, ts: a.ts, note: `TLS alert ${alertName(a.description)} (${a.level === 2 ? 'fatal' : 'warning'}) from the ${sender}`, ...way(f.conn, a.fromClient === s.clientIsOrig) });
  return outcome('tls.alert', ev, {
    alert: { code: a.description, name: alertName(a.description), level: a.level === 2 ? 'fatal' : 'warning', sender },
    ...offered(s),
    ...certFacts(s),
  }, { alertCode: a.description, alert: alertName(a.description), sender, sni: s.clientHello?.sni ?? null });
};

const ruleNoServerHello: Rule = (f) => {
  const s = f.tls;
  if (!s || !s.clientHello || s.serverHello || s.alerts.length > 0 || !isTcp(f)) return null;
  const c = f.conn;
  const ev: EvidenceFact[] = [{ frame: s.clientHello.frame, ts: s.clientHello.ts, note: 'ClientHello', ...way(c, s.clientIsOrig) }];
  const close = [...c.rsts, ...c.fins].filter((x) => x.frame > s.clientHello!.frame).sort((a, b) => a.frame - b.frame)[0];
  if (close) ev.push({ frame: close.frame, ts: close.ts, note: `${c.rsts.includes(close) ? 'RST' : 'FIN'} from the ${close.fromOrig === s.clientIsOrig ? 'client' : 'server'}`, ...way(c, close.fromOrig) });
  const o = outcome('tls.no_server_hello', ev, { sni: s.clientHello.sni, ...offered(s), ...(s.broken.server ? { serverSpokePlaintext: true } : {}) },
    { sni: s.clientHello.sni, seconds: tenths(c.end - s.clientHello.ts) });
  if (s.broken.server) o.limits.push('the server answered with bytes that are not TLS: probably a plain-text service (HTTP?) on this port');
  return o;
};

/** TLS 1.3: the client answered the server's encrypted flight with one small record, then left. */
const ruleClientRejected: Rule = (f) => {
  const s = f.tls;
  if (!s || !isTls13(s) || tlsEstablishedAndUsed(s) || !isTcp(f)) return null;
  const after = s.clientAfterServerFlight;
  // An encrypted alert is 2 bytes + content type + 16-byte AEAD tag = 19 bytes (RFC 8446 §5.2).
  if (after.length === 0 || after.length > 2 || after.some((r) => r.length > 24)) return null;
  const c = f.conn;
  const clientClosed = [...c.rsts, ...c.fins].some((x) => x.fromOrig === s.clientIsOrig);
  if (!clientClosed || s.encrypted.client > after.length + 1) return null;
  const ev: EvidenceFact[] = [];
  if (s.serverHello) ev.push({ frame: s.serverHello.frame, ts: s.serverHello.ts, note: 'ServerHello (TLS1.3), then the encrypted certificate flight', ...way(c, !s.clientIsOrig) });
  ev.push({ frame: after[0]!.frame, ts: s.serverHello?.ts ?? c.start, note: `client's ${after[0]!.length}-byte encrypted record (an alert, by its size)`, ...way(c, s.clientIsOrig) });
  return outcome('tls.client_rejected', ev, { recordLength: after[0]!.length, ...offered(s) }, { sni: s.clientHello?.sni ?? null });
};

function tlsEstablishedAndUsed(s: TlsSession): boolean {
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

/** Certificate seen in clear (TLS <= 1.2) outside its validity, or not covering the SNI. */
const ruleCertificate: Rule = (f) => {
  const s = f.tls;
  if (!s || !s.certificates[0] || s.certificateFrame === null) return null;
  const leaf = s.certificates[0];
  const when = s.serverHello?.ts ?? f.conn.start;
  const k = checksOf(leaf);
  const sni = s.clientHello?.sni;
  const cause: CauseCode | null = k.notAfter < when * 1000 ? 'tls.cert_expired'
    : k.notBefore > when * 1000 ? 'tls.cert_not_yet_valid'
      : sni && !coversName(k, leaf, sni) ? 'tls.cert_name_mismatch' : null;
  if (cause === null) return null;
  // A client that completed the handshake anyway did not check (or accepted) the certificate.
  const sev: Severity = tlsEstablished(s) || s.ccs.client ? 'warning' : 'error';
  const vars = { notBefore: leaf.notBefore, notAfter: leaf.notAfter, captureTime: isoOf(when), sni: sni ?? null, san: leaf.san.join(', ') };
  const ev: EvidenceFact[] = [{ frame: s.certificateFrame, ts: when, note: `Certificate: ${leaf.subject}, valid ${leaf.notBefore} .. ${leaf.notAfter}`, ...way(f.conn, !s.clientIsOrig) }];
  return outcome(cause, ev, certFacts(s), vars, sev);
};

// --- HTTP -----------------------------------------------------------------------------------

const ruleProxyRefused: Rule = (f) => {
  const ex = f.http?.exchanges.find((e) => e.method === 'CONNECT' && e.status !== null && (e.status < 200 || e.status >= 300));
  if (!ex) return null;
  return outcome('http.proxy_refused', [
    { frame: ex.requestFrame, ts: ex.requestTime, note: `CONNECT ${ex.target}`, ...way(f.conn, true) },
    { frame: ex.responseFrame!, ts: ex.responseTime!, note: `${ex.status} ${ex.reason ?? ''}`.trim(), ...way(f.conn, false) },
  ], { status: ex.status, reason: ex.reason, authority: ex.target }, { status: ex.status, reason: ex.reason ?? '', proxy: f.conn.resp.ip, proxyPort: f.conn.resp.port });
};

const ruleHttpError: Rule = (f) => {
  const ex = f.http?.exchanges.find((e) => e.status !== null && e.status >= 400 && e.method !== 'CONNECT');
  if (!ex) return null;
  return outcome('http.error_status', [
    { frame: ex.requestFrame, ts: ex.requestTime, note: `${ex.method} ${ex.target}${ex.host ? ` (Host ${ex.host})` : ''}`, ...way(f.conn, true) },
    { frame: ex.responseFrame!, ts: ex.responseTime!, note: `HTTP ${ex.status} ${ex.reason ?? ''}`.trim(), ...way(f.conn, false) },
  ], { status: ex.status, reason: ex.reason, method: ex.method, path: ex.target }, { status: ex.status, reason: ex.reason ?? '' });
};

/** A request with no answer: reset by a side → tcp.reset, otherwise http.no_response. */
const ruleHttpUnanswered: Rule = (f) => {
  const ex = f.http?.exchanges.find((e) => e.status === null);
  if (!ex || !isTcp(f)) return null;
  const c = f.conn;
  const rst = c.rsts.find((r) => r.frame > ex.requestFrame);
  const req: EvidenceFact = { frame: ex.requestFrame, ts: ex.requestTime, note: `${ex.method} ${ex.target}, no response`, ...way(c, true) };
  if (rst) {
    const r = rstFact(c, rst);
    return outcome('tcp.reset', [req, r.fact], { sender: r.sender, afterRequest: true, method: ex.method, path: ex.target }, r.vars);
  }
  return outcome('http.no_response', [req], { method: ex.method, path: ex.target }, { waited: tenths(c.end - ex.requestTime) });
};

function rstNote(c: TcpConn, rst: TcpConn['rsts'][number]): { en: string; zh: string } {
  if (rst.fromOrig || c.synAckTtl < 0) return { en: '', zh: '' };
  const f = { rstTtl: rst.ttl, serverTtl: c.synAckTtl, rstIpId: rst.ipId, serverIpId: c.synAckIpId };
  return { en: ttlNote(f, 'en'), zh: ttlNote(f, 'zh') };
}

/** A reset as evidence ('RST from the server'), its sender and the tcp.reset vars. */
function rstFact(c: TcpConn, rst: TcpConn['rsts'][number]): { sender: 'client' | 'server'; fact: EvidenceFact; vars: LocalisedVars } {
  const sender = rst.fromOrig ? 'client' : 'server';
  return {
    sender,
    fact: { frame: rst.frame, ts: rst.ts, note: `RST from the ${sender}`, ...way(c, rst.fromOrig) },
    vars: { sender, seconds: tenths(rst.ts - c.start), ttlNote: rstNote(c, rst) },
  };
}

/** Reset after the connection was established, while the exchange was not finished. */
const ruleReset: Rule = (f) => {
  if (!isTcp(f)) return null;
  const c = f.conn;
  if (c.ackFrame === 0 && c.synAckFrame === 0) return null;
  const rst = c.rsts[0];
  if (!rst) return null;
  // A reset after both sides exchanged data and the TLS (if any) completed is how many clients close.
  const tlsOk = f.tls ? tlsEstablishedAndUsed(f.tls) : true;
  const bothData = c.dataFrames.orig !== 0 && c.dataFrames.resp !== 0;
  const r = rstFact(c, rst);
  const o = outcome('tcp.reset', [...synEvidence(c).slice(0, 1), r.fact], { sender: r.sender, rstTtl: rst.ttl, serverTtl: c.synAckTtl }, r.vars);
  if (f.tls && f.tls.broken.server && !f.tls.serverHello) o.limits.push('the server answered the ClientHello with bytes that are not TLS (a plain-text service on this port?)');
  // After both sides exchanged data (and TLS, if any, completed) a reset is how many programs
  // close: the capture cannot tell whether anything was lost.
  if (tlsOk && bothData) {
    o.severity = 'warning';
    o.limits.push('the reset came after both sides had exchanged data; many programs close this way, so the capture alone cannot show that anything failed');
  }
  return o;
};

/** In the order an operator walks the layers. */
export const RULES: readonly Rule[] = [
  ruleIcmp,
  ruleRefused,
  ruleSynUnanswered,
  ruleHandshakeIncomplete,
  // Data never acknowledged is a TCP failure under whatever TLS or HTTP was trying to say.
  ruleStalled,
  ruleTlsAlert,
  ruleNoServerHello,
  ruleClientRejected,
  ruleCertificate,
  ruleProxyRefused,
  ruleHttpError,
  ruleHttpUnanswered,
  ruleReset,
];

/** The outcome of one finished connection: the first rule that applies, else ok. */
export function classify(f: FinishedConn, ctx: RuleContext): Outcome {
  for (const rule of RULES) {
    const o = rule(f, ctx);
    if (o) return o;
  }
  const c = f.conn;
  const ev: EvidenceFact[] = [{ frame: c.firstFrame, ts: c.start, note: c.transport === 'tcp' ? 'connection start' : 'first datagram', ...way(c, true) }];
  if (f.tls?.serverHello) ev.push(serverHelloFact(c, f.tls));
  const ok = f.http?.exchanges.find((e) => e.status !== null);
  if (ok) ev.push({ frame: ok.responseFrame!, ts: ok.responseTime!, note: `HTTP ${ok.status} ${ok.reason ?? ''}`.trim(), ...way(c, false) });
  const o = outcome('ok', ev, f.tls?.serverHello ? { tls: tlsVersionName(f.tls.serverHello.version) } : {}, {}, 'ok');
  if (c.orig.pkts === 0 || c.resp.pkts === 0) o.limits.push('the capture holds only one direction of this connection, so it cannot show whether the exchange worked');
  return o;
}
