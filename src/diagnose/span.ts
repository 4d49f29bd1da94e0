/** The first and last packet of something gathered over several flows (udp-requests.ts, pings.ts). */
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
