/** The first and last packet of something gathered over several flows (udp-requests.ts, pings.ts). */
import { proof } from './evidence.js';
import type { EvidenceKind } from './words.js';
import { tenths, type EvidenceAt } from './outcome.js';
import { interval } from '../time.js';
import type { Args } from '../facts.js';

export interface At {
  frame: number;
  ts: number;
}

export interface Span {
  first: At;
  last: At;
}

/** A flow's span: its first packet (frame, time) and its last. */
export function spanOf(firstFrame: number, start: number, lastFrame: number, end: number): Span {
  return { first: { frame: firstFrame, ts: start }, last: { frame: lastFrame, ts: end } };
}

/** `s` widened to take in a flow's first and last packet. */
export function widen(s: Span, firstFrame: number, start: number, lastFrame: number, end: number): void {
  if (firstFrame < s.first.frame) s.first = { frame: firstFrame, ts: start };
  if (lastFrame > s.last.frame) s.last = { frame: lastFrame, ts: end };
}

/**
 * The evidence of requests sent again and again: the first and, when another, the last (`which`
 * 'first' / 'last' added to `args`); and the seconds from the first to the last, and from the last
 * to the capture's end (tenths).
 */
export function requestsTold<A extends Args>(kind: EvidenceKind<A & { which: string }>, s: Span, dir: { from: string; to: string }, args: A, captureEnd: number):
  { evidence: EvidenceAt[]; seconds: number; waited: number } {
  const evidence = [proof(kind, s.first.frame, s.first.ts, dir, { ...args, which: 'first' })];
  if (s.last.frame !== s.first.frame) evidence.push(proof(kind, s.last.frame, s.last.ts, dir, { ...args, which: 'last' }));
  return { evidence, seconds: tenths(interval(s.last.ts, s.first.ts)) ?? 0, waited: tenths(interval(captureEnd, s.last.ts)) ?? 0 };
}
