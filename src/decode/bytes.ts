/**
 * Big-endian readers over a Uint8Array. Callers check bounds once (the length of the header
 * they are about to read) and then use these without further checks; reading past the end
 * of a Uint8Array gives `undefined`, which these turn into 0 via `| 0`-style coercion, so a
 * missed check yields a wrong number, never an exception.
 */
export function u8(b: Uint8Array, o: number): number {
  return b[o]! | 0;
}

export function u16(b: Uint8Array, o: number): number {
  return ((b[o]! << 8) | b[o + 1]!) >>> 0;
}

export function u24(b: Uint8Array, o: number): number {
  return ((b[o]! << 16) | (b[o + 1]! << 8) | b[o + 2]!) >>> 0;
}

export function u32(b: Uint8Array, o: number): number {
  return ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
}

export function u16le(b: Uint8Array, o: number): number {
  return (b[o]! | (b[o + 1]! << 8)) >>> 0;
}

export function u32le(b: Uint8Array, o: number): number {
  return (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

export function hex(b: Uint8Array, o = 0, n = b.length - o): string {
  let s = '';
  const end = Math.min(b.length, o + n);
  for (let i = o; i < end; i++) s += HEX[b[i]!];
  return s;
}

/** Printable ASCII of a byte range (other bytes as '.'); for names and header lines. */
export function ascii(b: Uint8Array, o: number, n: number): string {
  let s = '';
  const end = Math.min(b.length, o + n);
  for (let i = o; i < end; i++) {
    const c = b[i]!;
    s += c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : '.';
  }
  return s;
}

/** Latin-1 decode of a byte range (exact bytes, one char per byte). */
export function latin1(b: Uint8Array, o: number, n: number): string {
  const end = Math.min(b.length, o + n);
  let s = '';
  for (let i = o; i < end; i++) s += String.fromCharCode(b[i]!);
  return s;
}
