/**
 * gzip (RFC 1952) as a stream of decompressed chunks that survives damage: the member framing
 * (header, trailer, several members one after another) is read here, the deflate data is
 * inflated by zlib (node:zlib's raw inflate, on the thread pool, so decompression overlaps the
 * analysis), and the CRC-32 and length of every member are checked here.
 *
 * Node's own gunzip cannot be used for this: on any error (bad data, bad CRC, bytes after the
 * last member) it throws away what it decompressed in that step and reports no position, so a
 * file damaged at 90 % gave nothing at all.
 *
 * What this does instead, as `gzip -d` does: everything decompressed before the damage is handed
 * out, then the stream ends, and `problem` says what went wrong and at which compressed offset.
 * Bytes after a complete member that do not start another member are not damage: `trailing`
 * counts them (zero padding is ignored without a word, as gzip does).
 */
import { constants, createInflateRaw, crc32 as zlibCrc32, inflateRawSync, type InflateRaw } from 'node:zlib';
import { CaptureError } from './types.js';

import type { GzipProblem, GzipTrailing } from './gzip-text.js';

export { gzipDamageWarning, gzipProblemText, gzipRecordsWarning, gzipTrailingWarning, type GzipProblem, type GzipProblemKind, type GzipTrailing } from './gzip-text.js';

/** Output step of the inflater (bytes): the granularity of a corrupt-data offset. */
const OUT_CHUNK = 64 * 1024;
/** Input handed to the inflater at once; output is at most ~1032 times this (deflate's limit). */
const IN_SLICE = 1 << 20;
/** Decompressed bytes queued for the reader before the inflater is paused. */
const OUT_HIGH = 4 << 20;
/**
 * Compressed bytes of a member kept, from its start, to place corrupt data exactly (see
 * `refine`); a longer member's corruption is placed to within one output step.
 */
const RETAIN = 1 << 20;
/** A header longer than this (file name or comment without its terminating zero) is damage. */
const MAX_HEADER = 1 << 20;

const FHCRC = 0x02;
const FEXTRA = 0x04;
const FNAME = 0x08;
const FCOMMENT = 0x10;
const FRESERVED = 0xe0;

// ---- the texts: capture/gzip-text.ts (no Node built-in there: the page's renderers use them) ---

/** The error when the gzip problem came before a single packet could be read. */
export function gzipFailure(p: GzipProblem): CaptureError {
  return new CaptureError('GZIP', { kind: 'gzip', args: { problem: p.kind, offset: p.offset, detail: p.detail } }, p.offset);
}

// ---- CRC-32 (zlib's when this Node has it: 20.15 and later) ----------------------------------

let table: Uint32Array | null = null;
function crc32Js(data: Uint8Array, crc: number): number {
  if (!table) {
    table = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c >>> 0;
    }
  }
  let c = ~crc >>> 0;
  for (let i = 0; i < data.length; i++) c = table[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}
export const crc32: (data: Uint8Array, crc: number) => number =
  typeof zlibCrc32 === 'function' ? (d, c) => zlibCrc32(d, c) >>> 0 : crc32Js;

// ---- the header --------------------------------------------------------------------------------

/** Length of the member header at b[0..], or 0 when more bytes are needed, or what is wrong. */
function headerLength(b: Uint8Array): number | { at: number; detail: string } {
  if (b.length > 2 && b[2] !== 8) return { at: 2, detail: `compression method ${b[2]} is not deflate` };
  if (b.length > 3 && b[3]! & FRESERVED) return { at: 3, detail: `reserved flag bits 0x${(b[3]! & FRESERVED).toString(16)} are set` };
  if (b.length < 10) return 0;
  const flags = b[3]!;
  let o = 10;
  if (flags & FEXTRA) {
    if (b.length < o + 2) return 0;
    o += 2 + (b[o]! | (b[o + 1]! << 8));
  }
  for (const f of [FNAME, FCOMMENT]) {
    if (flags & f) {
      const z = b.indexOf(0, o);
      if (z < 0) return b.length > MAX_HEADER ? { at: o, detail: 'no end to the file name or comment' } : 0;
      o = z + 1;
    }
  }
  if (flags & FHCRC) {
    if (b.length < o + 2) return 0;
    if ((crc32(b.subarray(0, o), 0) & 0xffff) !== (b[o]! | (b[o + 1]! << 8))) return { at: o, detail: 'its CRC-16 does not match' };
    o += 2;
  }
  return b.length < o ? 0 : o;
}

/**
 * The longest prefix of raw deflate data `d` that inflates without error (prefixes from `clean`
 * on are tried; shorter ones are known good), by bisection: an error in a prefix stays in every
 * longer one. Returns its length and its output. Each try inflates from the start, so `d` is
 * kept small (RETAIN).
 */
function refine(d: Uint8Array, clean: number): { clean: number; out: Uint8Array } {
  const inflate = (n: number): Uint8Array | null => {
    try {
      return inflateRawSync(d.subarray(0, n), { finishFlush: constants.Z_SYNC_FLUSH });
    } catch {
      return null;
    }
  };
  let lo = clean;
  let out = inflate(lo) ?? new Uint8Array(0);
  let hi = d.length + 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >>> 1;
    const o = inflate(mid);
    if (o) {
      lo = mid;
      out = o;
    } else hi = mid;
  }
  return { clean: lo, out };
}

// ---- the stream --------------------------------------------------------------------------------

const EMPTY = new Uint8Array(0);

function join(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const both = new Uint8Array(a.length + b.length);
  both.set(a, 0);
  both.set(b, a.length);
  return both;
}

export class Gunzip implements AsyncIterable<Uint8Array> {
  /** Set when the decompressed stream ended early because of damage. */
  problem: GzipProblem | null = null;
  /** Set when non-zero bytes followed the last complete member. */
  trailing: GzipTrailing | null = null;
  /** Complete members read. */
  members = 0;

  constructor(private readonly src: AsyncIterable<Uint8Array | string>) {}

  async *[Symbol.asyncIterator](): AsyncGenerator<Uint8Array> {
    const it = this.src[Symbol.asyncIterator]();
    /** Unread input; buf[0] is at compressed offset `at`. */
    let buf: Uint8Array = EMPTY;
    let at = 0;
    let eof = false;
    const next = async (): Promise<Uint8Array | null> => {
      if (eof) return null;
      const r = await it.next();
      if (r.done) {
        eof = true;
        return null;
      }
      return typeof r.value === 'string' ? Buffer.from(r.value, 'latin1') : r.value;
    };
    const more = async (): Promise<boolean> => {
      const v = await next();
      if (v === null) return false;
      buf = join(buf, v);
      return true;
    };
    const take = (n: number): void => {
      buf = buf.subarray(n);
      at += n;
    };
    let inf: InflateRaw | null = null;
    try {
      for (;;) {
        // Between members (or at the start): the end, padding, something else, or a header.
        while (buf.length < 2 && (await more()));
        if (buf.length === 0 && this.members > 0) return;
        if (this.members > 0 && (buf[0] !== 0x1f || buf[1] !== 0x8b)) {
          // Counted, not kept; all zeros is padding (gzip -d says nothing about it either).
          let bytes = 0;
          let zeros = true;
          for (let b: Uint8Array | null = buf; b !== null; b = await next()) {
            bytes += b.length;
            if (zeros && b.some((x) => x !== 0)) zeros = false;
          }
          if (!zeros) this.trailing = { offset: at, bytes };
          return;
        }
        let h: ReturnType<typeof headerLength>;
        while ((h = headerLength(buf)) === 0 && (await more()));
        if (typeof h !== 'number') {
          this.problem = { kind: 'header', offset: at + h.at, detail: h.detail };
          return;
        }
        if (h === 0) {
          this.problem = { kind: 'cut', offset: at + buf.length, detail: 'inside a gzip header' };
          return;
        }
        take(h);

        // The deflate data, a slice at a time.
        inf = createInflateRaw({ chunkSize: OUT_CHUNK });
        const z = inf;
        const out: Uint8Array[] = [];
        let queued = 0;
        let failed: (Error & { code?: string }) | null = null;
        let wake: (() => void) | null = null;
        const signal = (): void => {
          const w = wake;
          wake = null;
          w?.();
        };
        z.on('data', (d: Uint8Array) => {
          out.push(d);
          queued += d.length;
          if (queued > OUT_HIGH) z.pause();
          signal();
        });
        z.on('error', (e: Error) => {
          failed = e;
          signal();
        });
        z.on('end', signal);
        let crc = 0;
        let size = 0;
        const deflateStart = at;
        let ended = false;
        /** The member's compressed bytes written so far, while they fit in RETAIN. */
        let kept: Uint8Array[] | null = [];
        let keptBytes = 0;
        /** Hands out what the inflater produced until `done()` holds or it failed. */
        const drain = async function* (done: () => boolean): AsyncGenerator<Uint8Array> {
          for (;;) {
            while (out.length > 0) {
              const d = out.shift()!;
              queued -= d.length;
              crc = crc32(d, crc);
              size += d.length;
              yield d;
            }
            if (z.isPaused()) z.resume();
            if (failed || done()) return;
            await new Promise<void>((r) => (wake = r));
          }
        };
        while (!ended) {
          if (buf.length === 0 && !(await more())) {
            // End of input in the deflate data: finishing it either ends the stream (it was
            // complete, to the last byte; the trailer is then missing) or fails (cut inside it).
            z.end();
            yield* drain(() => z.readableEnded);
            const fin = failed as (Error & { code?: string }) | null;
            if (fin !== null) {
              this.problem = fin && fin.code !== 'Z_BUF_ERROR' && !/unexpected end/i.test(fin.message)
                ? { kind: 'corrupt', offset: deflateStart + z.bytesWritten, detail: fin.message }
                : { kind: 'cut', offset: at, detail: 'inside the deflate data' };
              return;
            }
            ended = true;
            break;
          }
          const slice = buf.subarray(0, IN_SLICE);
          const before = z.bytesWritten;
          if (kept && keptBytes + slice.length <= RETAIN) {
            kept.push(slice);
            keptBytes += slice.length;
          } else kept = null;
          let written = false;
          z.write(slice, (e) => {
            if (e) failed ??= e;
            written = true;
            signal();
          });
          yield* drain(() => written);
          const err = failed as (Error & { code?: string }) | null;
          if (err) {
            let offset = deflateStart + z.bytesWritten;
            if (kept) {
              // What the last step decoded before zlib stopped was thrown away; get it, and the
              // exact place, from the bytes kept.
              const r = refine(Buffer.concat(kept), z.bytesWritten);
              if (r.out.length > size) yield r.out.subarray(size);
              offset = deflateStart + r.clean;
            }
            this.problem = { kind: 'corrupt', offset, detail: err.message };
            return;
          }
          const used = z.bytesWritten - before;
          take(used);
          // The inflater took less than it was given: its stream ended inside this slice.
          if (used < slice.length) ended = true;
        }
        // Whatever came out with the end of the stream.
        if (!z.writableEnded) z.end();
        yield* drain(() => z.readableEnded);
        z.destroy();
        inf = null;

        // The trailer: CRC-32 and length of the decompressed data.
        while (buf.length < 8 && (await more()));
        if (buf.length < 8) {
          this.problem = { kind: 'cut', offset: at + buf.length, detail: 'inside a gzip trailer' };
          return;
        }
        const want = (buf[0]! | (buf[1]! << 8) | (buf[2]! << 16) | (buf[3]! << 24)) >>> 0;
        const isize = (buf[4]! | (buf[5]! << 8) | (buf[6]! << 16) | (buf[7]! << 24)) >>> 0;
        if (want !== crc) {
          this.problem = { kind: 'crc', offset: at, detail: `0x${want.toString(16).padStart(8, '0')} recorded, 0x${crc.toString(16).padStart(8, '0')} computed` };
          return;
        }
        if (isize !== size % 0x100000000) {
          this.problem = { kind: 'length', offset: at + 4, detail: `${isize} bytes recorded, ${size % 0x100000000} decompressed` };
          return;
        }
        take(8);
        this.members++;
      }
    } finally {
      inf?.destroy();
      await it.return?.();
    }
  }
}
