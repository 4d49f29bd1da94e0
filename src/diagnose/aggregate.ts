/**
 * One story per scanned host: verdicts of one client against several ports of one address, failing
 * the same way, are told as one verdict (contract: "a port scan of one host ... may be told as one
 * verdict with counts and examples in details"). A scanner probing 1000 ports of a host is one
 * finding, not 1000; a client refused on 80 and 443 of the same address is one too.
 *
 * Only targets known by address (no name: a name means a program asked for that service), and
 * only causes whose story is the port's answer alone (refused, silent, an ICMP error, the capture
 * ending): their facts do not differ by port beyond the port itself. The merged verdict keeps the
 * first port's facts and evidence, adds the proof of each next port (its attempt and what answered
 * it, or its last retransmission) while whole proofs fit, in frame order, counts every attempt,
 * and lists the ports in `details.ports` { count, examples, withEvidence, first } (examples bounded;
 * withEvidence only when the evidence leaves ports out; first: the port the cause's own details
 * describe). `details.connections` and `failedConnections` count the connections of every port
 * (`connectionsAtLeast` when a part counted past the limits knows only its ports), and
 * `details.attemptsSeen` lists the first of them, each with its port.
 */
import type { Evidence, Verdict } from './verdict.js';

/** Causes told per host when several ports of it fail alike. */
const PER_HOST = new Set([
  'tcp.refused', 'tcp.syn_unanswered', 'capture.ended_early',
  'icmp.port_unreachable', 'icmp.admin_prohibited', 'icmp.host_unreachable', 'icmp.net_unreachable',
]);

/** Ports listed in a merged verdict's details (the count says how many there were). */
export const PORT_EXAMPLES = 20;
const MAX_EVIDENCE = 12;

export interface PortsDetail {
  count: number;
  /** The lowest ports, ascending (PORT_EXAMPLES of them at most). */
  examples: number[];
  /**
   * How many of the ports the evidence shows the packets of, when not all (absent: every port's).
   * The evidence is bounded (MAX_EVIDENCE): past it, ports are counted, not shown.
   */
  withEvidence?: number;
  /** In a merged verdict: the port the cause's own details (rstTtl, syns, ...) and facts describe. */
  first?: number;
}

/** Attempts a merged verdict lists in details.attemptsSeen (its counts count them all). */
const MAX_SEEN = 12;

interface Placed<T> {
  v: Verdict;
  first: number;
  extra?: T;
}

/**
 * Merges verdicts that tell the same failure on several ports of one host. Keeps the order of
 * the first verdict of each host; `first` (frame) is the earliest of those merged.
 */
export function mergePorts<T>(list: Array<Placed<T>>, onMerge?: (merged: Verdict, parts: readonly Verdict[]) => void): Array<Placed<T>> {
  // A verdict already told for several ports (a bucket of overflow.ts) joins its host's others.
  const key = (v: Verdict): string | null =>
    v.target.name === null && v.target.ip !== null && v.client.ip !== null && (v.target.port !== null || portsOf(v) !== null) && v.severity !== 'ok' && PER_HOST.has(v.cause)
      ? `${v.cause}|${v.severity}|${v.client.ip}|${v.target.transport}|${v.target.ip}`
      : null;
  const byKey = new Map<string, Array<Placed<T>>>();
  for (const x of list) {
    const k = key(x.v);
    if (k === null) continue;
    const same = byKey.get(k);
    if (same) same.push(x);
    else byKey.set(k, [x]);
  }
  const out: Array<Placed<T>> = [];
  const told = new Set<string>();
  for (const x of list) {
    const k = key(x.v);
    const same = k === null ? undefined : byKey.get(k);
    if (!same || same.length < 2) {
      out.push(x);
      continue;
    }
    if (told.has(k!)) continue; // told with the host's first verdict
    told.add(k!);
    const m = merged(same);
    onMerge?.(m.v, same.map((p) => p.v));
    out.push(m);
  }
  return out;
}

/** A verdict's ports when it already stands for several (details.ports), else null. */
export function portsOf(v: Verdict): PortsDetail | null {
  const p = v.details['ports'] as PortsDetail | undefined;
  return p && typeof p.count === 'number' && Array.isArray(p.examples) ? p : null;
}

/** An evidence packet of `v` with its port: the target's, or a port bucket's first (facts.port). */
function withPort(e: Evidence, v: Verdict): Evidence {
  const port = v.target.port ?? v.facts['port'];
  return typeof port === 'number' ? { ...e, port } : e;
}

/** How many ports a verdict's evidence shows: one, or what a verdict for several says. */
function shownPorts(v: Verdict): number {
  const p = portsOf(v);
  return p === null ? 1 : p.withEvidence ?? p.count;
}

/**
 * The packets that prove one part's failure: its first and its last by frame. Each cause merged
 * here lists its packets from the attempt to its proof: the SYN and the RST that answers it
 * (tcp.refused), the first SYN and its last retransmission (tcp.syn_unanswered), the packet and
 * the ICMP error that quotes it (icmp.*), the last packet sent (capture.ended_early).
 */
function proofOf(ev: readonly Evidence[]): Evidence[] {
  if (ev.length === 0) return [];
  let lo = ev[0]!;
  let hi = ev[0]!;
  for (const e of ev) {
    if (e.frame < lo.frame) lo = e;
    if (e.frame > hi.frame) hi = e;
  }
  return lo === hi ? [lo] : [lo, hi];
}

function merged<T>(list: Array<Placed<T>>): Placed<T> {
  const same = [...list].sort((a, b) => a.first - b.first);
  const head = same[0]!;
  const ports = new Set<number>();
  let count = 0;
  let attempts = 0;
  for (const x of same) {
    const p = portsOf(x.v);
    if (p) {
      count += p.count;
      for (const e of p.examples) ports.add(e);
    } else if (x.v.target.port !== null) {
      count++;
      ports.add(x.v.target.port);
    }
    attempts += x.v.attempts;
  }
  const sorted = [...ports].sort((a, b) => a - b);
  // Every port's connections: a verdict of one target knows its own (details.connections, else
  // one); a bucket counted past the limits knows its ports, each at least one connection.
  let conns = 0;
  let failed = 0;
  let atLeast = false;
  const seen: Array<{ frame: number | null; port: number | null; [k: string]: unknown }> = [];
  for (const x of same) {
    const d = x.v.details;
    const bucket = portsOf(x.v);
    const n = typeof d['connections'] === 'number' ? d['connections'] : bucket !== null ? bucket.count : 1;
    if (typeof d['connections'] !== 'number' && bucket !== null) atLeast = true;
    conns += n;
    failed += typeof d['failedConnections'] === 'number' ? d['failedConnections'] : x.v.severity === 'error' ? n : 0;
    const port = x.v.target.port ?? (typeof x.v.facts['port'] === 'number' ? x.v.facts['port'] : null);
    const own = Array.isArray(d['attemptsSeen'])
      ? (d['attemptsSeen'] as Array<Record<string, unknown>>)
      : [{ ip: x.v.target.ip, cause: x.v.cause, frame: x.v.evidence[0]?.frame ?? null }];
    // Bounded: each part keeps at most KEEP_ATTEMPTS (diagnose.ts), and the list is cut below.
    for (const a of own) {
      if (seen.length >= MAX_SEEN * 4) break;
      seen.push({ ...a, frame: typeof a['frame'] === 'number' ? a['frame'] : null, port });
    }
  }
  seen.sort((a, b) => (a.frame ?? Infinity) - (b.frame ?? Infinity));
  // The first port's packets (the words speak of it), then each next port's proof while it fits
  // whole: a SYN without the RST that answers it proves nothing. Then in frame order, as an
  // operator looks them up.
  // Each packet says its port: the ports' packets interleave once in frame order.
  const evidence = head.v.evidence.map((e) => withPort(e, head.v));
  let withEvidence = evidence.length > 0 ? shownPorts(head.v) : 0;
  for (const x of same.slice(1)) {
    const p = proofOf(x.v.evidence);
    if (p.length === 0) continue;
    if (evidence.length + p.length > MAX_EVIDENCE) break;
    for (const e of p) evidence.push(withPort(e, x.v));
    withEvidence += shownPorts(x.v);
  }
  evidence.sort((a, b) => a.frame - b.frame);
  const port = head.v.target.port ?? (head.v.facts['port'] as number | undefined) ?? sorted[0] ?? null;
  const ps: PortsDetail = { count, examples: sorted.slice(0, PORT_EXAMPLES), ...(withEvidence < count ? { withEvidence } : {}), ...(port !== null ? { first: port } : {}) };
  const v: Verdict = {
    ...head.v,
    target: { ...head.v.target, port: null },
    attempts,
    facts: { ...head.v.facts, port },
    evidence,
    details: {
      ...head.v.details,
      connections: conns,
      failedConnections: failed,
      ...(atLeast ? { connectionsAtLeast: true } : {}),
      attemptsSeen: seen.slice(0, MAX_SEEN),
      ports: ps,
    },
  };
  return { ...head, v };
}
