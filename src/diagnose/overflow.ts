/**
 * Bounded memory at any number of failing targets (contract: "Memory and report size do not grow
 * with the number of failing targets"). The diagnosis keeps up to MAX_GROUPS targets (and
 * MAX_DNS_GROUPS names) in full — each with its attempts, so that retries and "worked in the end"
 * are told right. Past that, a new target is judged alone, by the same rules, and counted into a
 * bucket of targets that failed the same way: one per cause, severity, client and server (the
 * resolver, for names), with the first target's evidence and a few examples. A bucket becomes
 * one verdict whose details count the targets (`ports` for one address, `targets` otherwise).
 * Past MAX_BUCKETS, targets are counted per cause alone (client and server: several); such a
 * bucket keeps its distinct clients as 53-bit hashes of their addresses, so that the summary can
 * count a cause's clients (at most BUCKET_CLIENTS per bucket and CLIENT_HASHES over all; past
 * either, the bucket says its clients are more than it holds and the summary gives a lower bound).
 *
 * So a scan of a million ports or a million failing names costs what ten thousand do: the
 * buckets, their example lists and, to count each target once, a set of the targets already
 * counted (DEDUPE_MAX entries; past it a target seen twice is counted twice, and the details say
 * the count is an upper bound).
 */
import type { Outcome } from './outcome.js';
import type { Severity, Target } from './verdict.js';
import { Timeline } from './timeline.js';
import { PORT_EXAMPLES } from './aggregate.js';

export const MAX_GROUPS = 10_000;
export const MAX_DNS_GROUPS = 10_000;
export const MAX_BUCKETS = 1_000;
export const DEDUPE_MAX = 250_000;
/** Client hashes a bucket for several clients keeps, and all such buckets together. */
export const BUCKET_CLIENTS = 4_096;
export const CLIENT_HASHES = 65_536;
const EXAMPLES = 8;

export interface Bucket {
  cause: string;
  severity: Severity;
  /** null: several clients (a bucket past MAX_BUCKETS). */
  client: string | null;
  /** The server's address (the resolver, for names); null: several. */
  server: string | null;
  transport: Target['transport'];
  /** Targets known by name (DNS names, named connections) or by address and port. */
  named: boolean;
  targets: number;
  attempts: number;
  /** Distinct ports (targets by address of one server): one bit each. */
  ports: Uint32Array | null;
  /** Ports seen, lowest PORT_EXAMPLES kept (ascending). */
  portExamples: number[];
  examples: string[];
  /** The first target's outcome and target: the verdict's facts and evidence. */
  first: Outcome;
  firstTarget: Target;
  /** The first target's client (a bucket for several clients: whom the verdict's words speak of). */
  firstClient: string;
  firstFrame: number;
  /** Capture times (s) of the first and last target counted. */
  firstTs: number;
  lastTs: number;
  /** Failures over time (the summary's timeline). */
  times: Timeline;
  /** Some targets may be counted twice (the dedupe set was full). */
  upperBound: boolean;
  /** A bucket for several clients: its clients, by hash53 of their address; else null (`client` tells). */
  clients: Set<number> | null;
  /** Some clients are not in `clients` (a bound was reached): its size is a lower bound. */
  clientsFull: boolean;
  /**
   * Probes of one client to one server (diagnose/scan.ts: their pair), kept apart from other
   * targets that failed the same way until the verdicts are made: told by their scan, or as a
   * bucket of their own. Null: not probes.
   */
  probesOf: object | null;
  /**
   * The server address and port while every target counted is that one (a bucket of one client's
   * attempts, or of several clients' to one port), else a null address. (Compared field by field
   * as attempts are added: no string is made per attempt.)
   */
  oneIp: string | null;
  onePort: number;
  /** Every attempt counted stopped at the SYN (flood.ts SynStage): the bucket is a flood's when its one target is flooded. */
  allSynStopped: boolean;
}

/** The distinct clients a verdict stands for, when its `client` cannot tell (a bucket for several). */
export interface ClientSet {
  /** hash53 of each client's address. */
  hashes: ReadonlySet<number>;
  /** More clients than `hashes` holds: its size is a lower bound. */
  full: boolean;
}

export class Overflow {
  /** Buckets in the order they were made, and by cause, then client (null: several). */
  private readonly buckets: Bucket[] = [];
  private readonly index = new Map<string, Map<string | null, Map<string | null, Bucket[]>>>();
  /**
   * Targets counted, by a 53-bit hash of their id: a Set of numbers costs a tenth of a Set of the
   * ids themselves (each a chain of concatenated strings: 45 MB for 250,000 ids on the bench's
   * short-connection capture). Two ids colliding (about 1 in 10^5 over a full set) would count
   * one target once too few.
   */
  private readonly seen = new Set<number>();
  /** Targets past the limit that worked (not listed, counted in the summary). */
  okTargets = 0;
  /** Client hashes kept over all buckets for several clients (at most CLIENT_HASHES). */
  private clientHashes = 0;

  constructor(private readonly origin: () => number) {}

  get size(): number {
    return this.buckets.length;
  }

  values(): IterableIterator<Bucket> {
    return this.buckets.values();
  }

  /**
   * The buckets of a cause, client and server (null: several), which differ only by severity,
   * transport and kind of target. Looked up by the parts themselves (the address strings are the
   * flows' own, their hashes kept in them): a joined key would be a new string to hash for every
   * target.
   */
  private slot(cause: string, client: string | null, server: string | null): Bucket[] {
    let byClient = this.index.get(cause);
    if (byClient === undefined) {
      byClient = new Map();
      this.index.set(cause, byClient);
    }
    let byServer = byClient.get(client);
    if (byServer === undefined) {
      byServer = new Map();
      byClient.set(client, byServer);
    }
    let l = byServer.get(server);
    if (l === undefined) {
      l = [];
      byServer.set(server, l);
    }
    return l;
  }

  private find(cause: string, severity: Severity, client: string | null, server: string | null, transport: Target['transport'], named: boolean, probesOf: object | null): Bucket | undefined {
    const l = this.index.get(cause)?.get(client)?.get(server);
    if (l === undefined) return undefined;
    for (const b of l) if (b.severity === severity && b.transport === transport && b.named === named && b.probesOf === probesOf) return b;
    return undefined;
  }

  /**
   * Buckets of probes (`probesOf`) are let go when `scanned(pair)` (their scan tells them), else
   * stay buckets of their own.
   */
  settleProbes(scanned: (pair: object) => boolean): void {
    let gone = false;
    for (const b of this.buckets) {
      if (b.probesOf === null) continue;
      if (!scanned(b.probesOf)) {
        b.probesOf = null;
        continue;
      }
      gone = true;
      const l = this.index.get(b.cause)?.get(b.client)?.get(b.server);
      if (l !== undefined) l.splice(l.indexOf(b), 1);
    }
    if (!gone) return;
    let n = 0;
    for (const b of this.buckets) if (b.probesOf === null) this.buckets[n++] = b;
    this.buckets.length = n;
  }

  /**
   * One target past the limit, with its outcome. `id` names the target for counting it once
   * (client, transport, name or address, port).
   */
  add(o: Outcome, severity: Severity, target: Target, client: string, server: string | null, id: string, frame: number, ts: number, probesOf: object | null = null, synStopped = false): void {
    if (severity === 'ok') {
      if (this.once(id) !== false) this.okTargets++;
      return;
    }
    const named = target.name !== null;
    // A probe past MAX_BUCKETS is no longer kept apart: counted with the others, as before.
    let b = this.find(o.cause, severity, client, server, target.transport, named, probesOf);
    let several = false;
    if (!b && this.buckets.length >= MAX_BUCKETS) {
      several = true;
      b = this.find(o.cause, severity, null, null, target.transport, named, null);
    }
    if (!b) {
      b = {
        cause: o.cause, severity, client: several ? null : client, server: several ? null : server, transport: target.transport, named,
        targets: 0, attempts: 0, ports: !named && !several ? new Uint32Array(2048) : null, portExamples: [], examples: [],
        first: o, firstTarget: target, firstClient: client, firstFrame: frame, firstTs: ts, lastTs: ts, times: new Timeline(this.origin()), upperBound: false,
        clients: several ? new Set() : null, clientsFull: false, probesOf: several ? null : probesOf,
        oneIp: target.port !== null ? target.ip : null, onePort: target.port ?? -1, allSynStopped: synStopped,
      };
      this.buckets.push(b);
      this.slot(o.cause, b.client, b.server).push(b);
    }
    b.attempts += o.attempts;
    if (!synStopped) b.allSynStopped = false;
    if (b.oneIp !== null && (b.oneIp !== target.ip || b.onePort !== target.port)) b.oneIp = null;
    const port = target.port;
    let isNew: boolean;
    if (b.ports && port !== null) {
      // Targets by address of one server: the port bitmap counts each port once, exactly.
      const w = port >>> 5;
      const bit = 1 << (port & 31);
      isNew = (b.ports[w]! & bit) === 0;
      b.ports[w]! |= bit;
      if (isNew) keepLowest(b.portExamples, port);
    } else {
      const once = this.once(id);
      if (once === null) b.upperBound = true;
      isNew = once !== false;
    }
    // First and last time: of every attempt, a target's repeats included.
    if (ts < b.firstTs) b.firstTs = ts;
    if (ts > b.lastTs) b.lastTs = ts;
    if (!isNew) return;
    b.targets++;
    if (b.clients) this.keepClient(b, b.clients, client);
    b.times.add(ts);
    if (frame < b.firstFrame) b.firstFrame = frame;
    if (b.examples.length < EXAMPLES) {
      const text = target.name ?? (port !== null ? `${target.ip}:${port}` : target.ip ?? '?');
      if (!b.examples.includes(text)) b.examples.push(text);
    }
  }

  /** Counts `client` among a bucket's clients, while the bounds allow. */
  private keepClient(b: Bucket, set: Set<number>, client: string): void {
    const h = hash53(client);
    if (set.has(h)) return;
    if (set.size >= BUCKET_CLIENTS || this.clientHashes >= CLIENT_HASHES) {
      b.clientsFull = true;
      return;
    }
    set.add(h);
    this.clientHashes++;
  }

  /** Is this the first time `id` is counted? null: cannot tell (the set is full). */
  private once(id: string): boolean | null {
    const h = hash53(id);
    if (this.seen.has(h)) return false;
    if (this.seen.size >= DEDUPE_MAX) return null;
    this.seen.add(h);
    return true;
  }
}

/** A 53-bit hash of a string (two 32-bit FNV-1a variants, 21 + 32 bits): a number a Set holds unboxed-cheap. */
export function hash53(s: string): number {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  return (a >>> 11) * 0x100000000 + (b >>> 0);
}

/** Keeps the PORT_EXAMPLES lowest ports, ascending. */
function keepLowest(list: number[], port: number): void {
  if (list.length >= PORT_EXAMPLES && port >= list[list.length - 1]!) return;
  let i = list.length;
  while (i > 0 && list[i - 1]! > port) i--;
  list.splice(i, 0, port);
  if (list.length > PORT_EXAMPLES) list.pop();
}
