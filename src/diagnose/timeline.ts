/**
 * Failures over the capture's time, in a fixed number of bins whatever its length: a histogram
 * from an origin (the capture's first packet) whose bin width doubles whenever a time falls past
 * the last bin (two neighbouring bins are added together). Widths are 2^k seconds, so timelines
 * with the same origin are put on one scale by doubling the narrower (the summary's timeline).
 */
import { isReportableTime } from '../time.js';

export const BINS = 48;

export class Timeline {
  readonly counts = new Array<number>(BINS).fill(0);
  /** Bin width in seconds (a power of two). */
  width = 1;

  constructor(readonly origin: number) {}

  add(ts: number, n = 1): void {
    // A time no report can write (time.ts) is on no timeline: it would stretch the bins over
    // thousands of years. A time before the origin (a clock step back) counts in the first bin.
    if (!isReportableTime(ts) || !isReportableTime(this.origin)) return;
    const dt = Math.max(0, ts - this.origin);
    let i = Math.floor(dt / this.width);
    while (i >= BINS) {
      this.double();
      i = Math.floor(dt / this.width);
    }
    this.counts[i]! += n;
  }

  /** Twice as wide: bins 2k and 2k+1 become bin k. */
  double(): void {
    const c = this.counts;
    for (let k = 0; k < BINS / 2; k++) c[k] = c[2 * k]! + c[2 * k + 1]!;
    for (let k = BINS / 2; k < BINS; k++) c[k] = 0;
    this.width *= 2;
  }

  /** Widens to `width` (a power of two at least this one's). */
  widen(width: number): void {
    while (this.width < width) this.double();
  }

  /** Adds `other` (same origin) into this one, both on the wider scale. */
  merge(other: Timeline): void {
    const o = new Timeline(other.origin);
    o.width = other.width;
    for (let i = 0; i < BINS; i++) o.counts[i] = other.counts[i]!;
    const w = Math.max(this.width, o.width);
    this.widen(w);
    o.widen(w);
    for (let i = 0; i < BINS; i++) this.counts[i]! += o.counts[i]!;
  }
}

/**
 * When a verdict that stands for many targets (a bucket of the overflow, a host's ports merged)
 * failed: first and last capture time (s) and the failures over time.
 */
export interface Spread {
  first: number;
  last: number;
  line: Timeline;
}

/** An ISO-8601 time (as evidence carries it, to the microsecond) in seconds, or null. */
export function secondsOf(iso: string): number | null {
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) return null;
  const frac = /\.(\d+)Z$/.exec(iso);
  return Math.floor(ms / 1000) + (frac ? Number(`0.${frac[1]}`) : 0);
}

/** The spread of one target told by its evidence: its first and last packet, counted at the first. */
export function evidenceSpread(evidence: ReadonlyArray<{ time: string | null }>, origin: number): Spread | null {
  const t0 = secondsOf(evidence[0]?.time ?? '');
  const t1 = secondsOf(evidence[evidence.length - 1]?.time ?? '');
  if (t0 === null || t1 === null) return null;
  const line = new Timeline(origin);
  line.add(t0);
  return { first: t0, last: t1, line };
}

/** The spread of many: the earliest first, the latest last, the lines added together. */
export function joinSpreads(origin: number, parts: readonly Spread[]): Spread {
  const line = new Timeline(origin);
  let first = Infinity;
  let last = -Infinity;
  for (const p of parts) {
    first = Math.min(first, p.first);
    last = Math.max(last, p.last);
    line.merge(p.line);
  }
  return { first, last, line };
}

/**
 * The most events that fell within one whole second of capture time (a burst's rate), counted
 * for the latest SECONDS_KEPT seconds offered: events come nearly in time order (connections as
 * they finish, errors as they arrive); a second let go and offered again starts from zero, so the
 * peak can only be undercounted.
 */
export class PeakRate {
  peak = 0;
  private readonly secs = new Map<number, number>();

  add(ts: number): void {
    const second = Math.floor(ts);
    const n = (this.secs.get(second) ?? 0) + 1;
    if (n === 1 && this.secs.size >= SECONDS_KEPT) this.secs.delete(this.secs.keys().next().value!);
    this.secs.set(second, n);
    if (n > this.peak) this.peak = n;
  }
}

const SECONDS_KEPT = 64;
