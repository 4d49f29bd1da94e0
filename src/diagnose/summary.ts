/**
 * Summary first, bounded at any size (contract): from every verdict of the diagnosis, the counts
 * per cause (targets, clients, first and last time, a few examples), the order in which a person
 * reads the verdicts, and the capped list (`maxVerdicts`). Counts are of targets: a verdict that
 * stands for many (ports of a scanned host, names past the limits) counts each.
 *
 * Order: failures, then warnings, then what worked; within each, the capture's own exchanges
 * before inbound ones (perspective.ts); then causes taken in turn — the rarest cause first, one
 * verdict of each before a second of any — so that 18 TLS alerts are not buried under 4000
 * NXDOMAIN names, and every cause shows on the first screen.
 */
import { isoOf } from '../time.js';
import { causeDef } from './catalogue.js';
import { targetText, type Layer, type Severity, type Verdict } from './verdict.js';
import { BINS, Timeline, type Spread } from './timeline.js';
import { hash53, type ClientSet } from './overflow.js';

export interface CauseSummary {
  cause: string;
  layer: Layer;
  severity: Severity;
  targets: number;
  /**
   * Distinct clients (a verdict for several clients counts each it kept; they are told apart by
   * a 53-bit hash of their address).
   */
  clients: number;
  /** Present (true) when `clients` is a lower bound: a verdict for several clients kept only some. */
  clientsAtLeast?: true;
  /** Targets whose exchanges came from outside the capture's own hosts. */
  inbound: number;
  first: string | null;
  last: string | null;
  /** A few targets, in reading order. */
  examples: string[];
}

export interface Summary {
  failures: number;
  warnings: number;
  ok: number;
  byCause: CauseSummary[];
  /** Verdicts listed / left out of the list (--max-verdicts). */
  listed: number;
  omitted: number;
  /** Failures and warnings per cause over the capture's time: BINS bins of binSeconds from start. */
  timeline: { start: string; binSeconds: number; series: Array<{ cause: string; severity: Severity; counts: number[] }> } | null;
}

const EXAMPLES = 3;

/** How many targets a verdict stands for. */
export function targetsOf(v: Verdict): number {
  const p = v.details['ports'] as { count?: unknown } | undefined;
  if (p && typeof p.count === 'number') return p.count;
  const t = v.details['targets'] as { count?: unknown } | undefined;
  if (t && typeof t.count === 'number') return t.count;
  return 1;
}

const rank = (s: Severity): number => (s === 'error' ? 0 : s === 'warning' ? 1 : 2);

/**
 * The verdicts in reading order. `inbound(v)`: the verdict's exchanges came from outside the
 * capture's own hosts.
 */
export function order(verdicts: readonly Verdict[], inbound: (v: Verdict) => boolean): Verdict[] {
  // Partitions by severity and direction, in verdict order (each already by first frame).
  const parts = new Map<number, Verdict[]>();
  for (const v of verdicts) {
    const k = rank(v.severity) * 2 + (inbound(v) ? 1 : 0);
    let p = parts.get(k);
    if (!p) parts.set(k, (p = []));
    p.push(v);
  }
  const out: Verdict[] = [];
  for (const k of [...parts.keys()].sort((a, b) => a - b)) {
    const p = parts.get(k)!;
    if (k >= 4) {
      for (const v of p) out.push(v);
      continue;
    }
    // Causes in turn, the rarest first (by targets; ties: the earlier first verdict).
    const byCause = new Map<string, { list: Verdict[]; targets: number; at: number }>();
    p.forEach((v, i) => {
      let c = byCause.get(v.cause);
      if (!c) byCause.set(v.cause, (c = { list: [], targets: 0, at: i }));
      c.list.push(v);
      c.targets += targetsOf(v);
    });
    const queues = [...byCause.values()].sort((a, b) => a.targets - b.targets || a.at - b.at);
    for (let i = 0, left = p.length; left > 0; i++) {
      for (const q of queues) {
        const v = q.list[i];
        if (v !== undefined) {
          out.push(v);
          left--;
        }
      }
    }
  }
  return out;
}

/**
 * The summary of `ordered` (every verdict, in reading order), of which the first `listed` are
 * listed. `worked`: targets that worked, listed or not. `spreadOf`: when a verdict that stands
 * for many targets failed (its first and last time, its timeline). `start` / `end`: the
 * capture's earliest and latest times a report can write (s), or null (no timeline then).
 * `clientsOf`: the clients of a verdict for several clients (its `client` is null).
 */
export function summarize(ordered: readonly Verdict[], listed: number, worked: number, inbound: (v: Verdict) => boolean,
  spreadOf: (v: Verdict) => Spread | null, start: number | null, end: number | null,
  clientsOf: (v: Verdict) => ClientSet | null = () => null): Summary {
  let failures = 0;
  let warnings = 0;
  const causes = new Map<string, CauseSummary & { clientSet: Set<number>; clientsFull: boolean; line: Timeline | null }>();
  for (const v of ordered) {
    const n = targetsOf(v);
    if (v.severity === 'ok') continue;
    if (v.severity === 'error') failures += n;
    else warnings += n;
    const key = `${v.cause}|${v.severity}`;
    let c = causes.get(key);
    if (!c) {
      c = {
        cause: v.cause, layer: causeDef(v.cause).layer, severity: v.severity, targets: 0, clients: 0, inbound: 0, first: null, last: null,
        examples: [], clientSet: new Set(), clientsFull: false, line: start === null ? null : new Timeline(start),
      };
      causes.set(key, c);
    }
    c.targets += n;
    if (inbound(v)) c.inbound += n;
    if (v.client.ip !== null) c.clientSet.add(hash53(v.client.ip));
    const several = clientsOf(v);
    if (several) {
      for (const h of several.hashes) c.clientSet.add(h);
      if (several.full) c.clientsFull = true;
    }
    const spread = spreadOf(v);
    const t0 = spread ? isoOf(spread.first) : v.evidence[0]?.time ?? null;
    const t1 = spread ? isoOf(spread.last) : v.evidence[v.evidence.length - 1]?.time ?? null;
    if (t0 !== null && (c.first === null || t0 < c.first)) c.first = t0;
    if (t1 !== null && (c.last === null || t1 > c.last)) c.last = t1;
    if (c.examples.length < EXAMPLES) c.examples.push(targetText(v.target));
    if (c.line) {
      if (spread) c.line.merge(spread.line);
      else if (t0 !== null) c.line.add(Date.parse(t0) / 1000, n);
    }
  }
  const all = [...causes.values()].sort((a, b) => rank(a.severity) - rank(b.severity) || b.targets - a.targets || a.cause.localeCompare(b.cause));
  // clientsAtLeast only when true, next to the count it qualifies.
  const byCause: CauseSummary[] = all.map(({ clientSet, clientsFull, line: _line, cause, layer, severity, targets, clients: _clients, ...c }) =>
    ({ cause, layer, severity, targets, clients: clientSet.size, ...(clientsFull ? { clientsAtLeast: true as const } : {}), ...c }));
  let timeline: Summary['timeline'] = null;
  const origin = start === null ? null : isoOf(start);
  if (start !== null && origin !== null && end !== null && all.length > 0) {
    // One scale for every cause: wide enough for the capture's span.
    let width = 1;
    while (width * BINS <= end - start) width *= 2;
    for (const c of all) if (c.line) width = Math.max(width, c.line.width);
    timeline = {
      start: origin,
      binSeconds: width,
      series: all.map((c) => {
        const line = c.line ?? new Timeline(start);
        line.widen(width);
        return { cause: c.cause, severity: c.severity, counts: [...line.counts] };
      }),
    };
  }
  return { failures, warnings, ok: worked, byCause, listed, omitted: Math.max(0, ordered.length - listed), timeline };
}
