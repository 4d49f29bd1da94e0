/**
 * How long each layer's own waiting takes before silence counts as a failure, and the outcome
 * capture.ended_early gives a capture that stopped sooner (causes/capture.ended_early.ts tells
 * why each wait is what it is). Apart from that cause's file so that the rules of other causes
 * that end in it (an encrypted request: causes/http.no_response.ts) need not import it.
 */
import { outcome, type EvidenceAt, type Outcome } from './outcome.js';
import { interval } from '../time.js';
import type { Fact } from '../facts.js';

export const WAIT = { syn: 1, dns: 5, tls: 5, http: 10 } as const;

/** Seconds to the microsecond, as capture times are: these waits can be far under a millisecond. */
export const ms = (x: number | null): number | null => (x === null ? null : Math.round(x * 1e6) / 1e6);

/** The wait as words show it, in milliseconds: to 0.01 ms below 10 ms (a capture cut 47 µs after a ClientHello reads 0.05 ms, not 0 s). */
export function waitedMs(seconds: number | null): number | null {
  if (seconds === null) return null;
  const m = seconds * 1000;
  return m < 10 ? Math.max(0.01, Math.round(m * 100) / 100) : Math.round(m);
}

/**
 * Did the capture stop `wait` seconds or less after `t`? The silence counts only when the capture
 * went on strictly longer than the retry takes: one that ends exactly 1 s after a SYN cannot show
 * the retransmission due then. Compared to the microsecond (capture times are; the subtraction of
 * two epoch times is not exact). Not when the wait is unknown (`t` is a time no report can write):
 * the silence is then judged as any other.
 */
export function tooSoon(ctx: { captureEnd: number }, t: number, wait: number): boolean {
  const gap = ms(interval(ctx.captureEnd, t));
  return gap !== null && gap <= wait;
}

export function ended(what: 'SYN' | 'SYN-ACK' | 'ClientHello' | 'ServerHello' | 'request' | 'query', last: number, ctx: { captureEnd: number }, ev: EvidenceAt[]) {
  // Null when the clock stepped back after `last` (or its time is out of range): no wait is said.
  const gap = interval(ctx.captureEnd, last);
  return outcome('capture.ended_early', ev, { lastSent: what, waitedSeconds: ms(gap) }, { waited: waitedMs(gap) }, 'warning');
}

/**
 * A failure the capture may have stopped too soon after `t` to prove: when it went on `wait`
 * seconds or less (tooSoon), `o` becomes a warning, with how long the capture went on after `t`
 * (details.capturedAfterSeconds) and `limit` saying so (its `ms`).
 */
export function stoppedTooSoon(o: Outcome, ctx: { captureEnd: number }, t: number, wait: number, limit: { of(a: { ms: number | null }): Fact }): void {
  if (!tooSoon(ctx, t, wait)) return;
  const gap = interval(ctx.captureEnd, t);
  o.severity = 'warning';
  o.details['capturedAfterSeconds'] = ms(gap);
  o.limits.push(limit.of({ ms: waitedMs(gap) }));
}
