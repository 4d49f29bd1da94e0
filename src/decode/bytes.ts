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

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/**
 * Node's native one-pass encoders (Buffer.prototype.hexSlice / latin1Slice work on any
 * Uint8Array): one flat string per call instead of a chain of concatenations. A plain-JS
 * fallback keeps this working where they are missing.
 */
type Slicer = (this: Uint8Array, start: number, end: number) => string;
const proto = (globalThis as { Buffer?: { prototype: Record<string, unknown> } }).Buffer?.prototype;
const hexSlice = typeof proto?.['hexSlice'] === 'function' ? (proto['hexSlice'] as Slicer) : null;
const latin1Slice = typeof proto?.['latin1Slice'] === 'function' ? (proto['latin1Slice'] as Slicer) : null;

/** Two lowercase hex digits of a byte. */
function hexByte(v: number): string {
  return HEX[v & 255]!;
}

export function hex(b: Uint8Array, o = 0, n = b.length - o): string {
  const end = Math.min(b.length, o + n);
  if (end <= o) return '';
  if (hexSlice !== null && o >= 0) return hexSlice.call(b, o, end);
  let s = '';
  for (let i = o; i < end; i++) s += HEX[b[i]!];
  return s;
}

/** Latin-1 decode of a byte range (exact bytes, one char per byte). */
export function latin1(b: Uint8Array, o: number, n: number): string {
  const end = Math.min(b.length, o + n);
  if (end <= o) return '';
  if (latin1Slice !== null && o >= 0) return latin1Slice.call(b, o, end);
  let s = '';
  for (let i = o; i < end; i++) s += String.fromCharCode(b[i]!);
  return s;
}

/**
 * Latin-1 text of b[o..end) when every byte is printable ASCII (0x20..0x7e) other than those in
 * `avoid` (a 256-entry table, 1 = needs escaping), else null: lets callers take a one-pass
 * native path for the usual text and keep their own escaping for the rest.
 */
function plainText(b: Uint8Array, o: number, end: number, avoid: Uint8Array): string | null {
  if (end > b.length) end = b.length;
  if (end <= o) return '';
  for (let i = o; i < end; i++) if (avoid[b[i]!] === 1) return null;
  return latin1Slice !== null && o >= 0 ? latin1Slice.call(b, o, end) : null;
}

/** A 256-entry table for plainText: bytes outside 0x20..0x7e, and the extra ones given. */
export function escapeTable(extra: number[], low = 0x20): Uint8Array {
  const t = new Uint8Array(256);
  for (let i = 0; i < 256; i++) if (i < low || i > 0x7e) t[i] = 1;
  for (const x of extra) t[x] = 1;
  return t;
}

const TEXT_ESC = escapeTable([0x5c]);

/**
 * Text of b[o..end): printable ASCII kept, backslash and every other byte as \xHH (never raw
 * control bytes); a position past the end of `b` gives a bare '\x'. For HTTP start lines, SNI, ALPN.
 */
export function escapedText(b: Uint8Array, o: number, end: number): string {
  if (end <= b.length) {
    const t = plainText(b, o, end, TEXT_ESC);
    if (t !== null) return t;
  }
  let s = '';
  for (let i = o; i < end; i++) {
    const c = b[i]!;
    s += c >= 0x20 && c < 0x7f && c !== 0x5c ? String.fromCharCode(c) : '\\x' + (i < b.length ? hexByte(c) : '');
  }
  return s;
}
