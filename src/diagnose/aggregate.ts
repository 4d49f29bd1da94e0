/**
 * One story per scanned host: verdicts of one client against several ports of one address, failing
 * the same way, are told as one verdict (contract: "a port scan of one host ... may be told as one
 * verdict with counts and examples in details"). A scanner probing 1000 ports of a host is one
 * finding, not 1000; a client refused on 80 and 443 of the same address is one too.
 *
 * Only targets known by address (no name: a name means a program asked for that service), and
 * only causes whose story is the port's answer alone (refused, silent, an ICMP error, the capture
 * ending): their facts do not differ by port beyond the port itself. The merged verdict keeps the
 * first port's facts and evidence, adds a packet of the next ports, counts every attempt, and
 * lists the ports in `details.ports` { count, examples } (examples bounded).
 */
import type { Verdict } from './verdict.js';

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
}

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
  // The first port's packets, then the first packet of each next port, while there is room.
  const evidence = [...head.v.evidence];
  for (const x of same.slice(1)) {
    if (evidence.length >= MAX_EVIDENCE) break;
    const e = x.v.evidence[0];
    if (e) evidence.push(e);
  }
  const ps: PortsDetail = { count, examples: sorted.slice(0, PORT_EXAMPLES) };
  const port = head.v.target.port ?? (head.v.facts['port'] as number | undefined) ?? sorted[0] ?? null;
  const v: Verdict = {
    ...head.v,
    target: { ...head.v.target, port: null },
    attempts,
    facts: { ...head.v.facts, port },
    evidence,
    details: { ...head.v.details, ports: ps },
  };
  return { ...head, v };
}
