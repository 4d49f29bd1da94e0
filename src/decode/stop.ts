/**
 * Why decoding stopped early. Decoders never throw on packet bytes: they return (or record)
 * a stop instead, and every layer decoded before it is kept.
 *
 * - `truncated`: the bytes end before the field the header says is there (snaplen, cut file).
 * - `malformed`: a value is impossible (bad version, a length shorter than the fixed header).
 */
export type StopKind = 'truncated' | 'malformed';

export interface DecodeStop {
  readonly stop: StopKind;
  /** Layer that could not be decoded: 'ethernet', 'ipv4', 'tcp', 'dns', 'tls', ... */
  readonly layer: string;
  /** Offset, from the start of the bytes handed to that decoder, where the problem is. */
  readonly offset: number;
  /** Short reason, for a warning line. */
  readonly reason: string;
}

export function truncated(layer: string, offset: number, reason: string): DecodeStop {
  return { stop: 'truncated', layer, offset, reason };
}

export function malformed(layer: string, offset: number, reason: string): DecodeStop {
  return { stop: 'malformed', layer, offset, reason };
}

export function isStop(x: unknown): x is DecodeStop {
  return typeof x === 'object' && x !== null && 'stop' in x && 'layer' in x;
}
