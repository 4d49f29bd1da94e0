/**
 * Opens a capture from a path, '-' (standard input) or any async iterable of bytes: sniffs the
 * magic number (never the file name), unwraps gzip, and returns a streaming PacketSource.
 */
import { createReadStream } from 'node:fs';
import { FileInput, StreamInput, type ByteInput } from './input.js';
import { Gunzip, gzipFailure } from './gzip.js';
import { CaptureReader, type PacketSource } from './reader.js';
import { PcapFramer, PCAP_MAGIC_MODIFIED, PCAP_MAGIC_NS, PCAP_MAGIC_US } from './pcap.js';
import { PcapngFramer, PCAPNG_SHB } from './pcapng.js';
import { CaptureError } from './types.js';
import { compressedAs } from './error-words.js';

// Other compressors and the words for a file's first bytes live with the errors' words.
export { compressedAs, describe } from './error-words.js';
import type { Framer } from './framer.js';

export interface OpenOptions {
  /** Name shown in reports for a stream source. */
  name?: string;
  /** Reader buffer size in bytes (default 1 MiB). */
  bufferSize?: number;
}

export type CaptureKind = 'pcap' | 'pcapng' | 'gzip';

const be = (n: number): number[] => [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];

/**
 * Every accepted beginning, as bytes: classic pcap (µs, ns and the old "modified" format, either
 * byte order), pcapng (the Section Header Block type reads the same in both byte orders), gzip.
 */
const MAGICS: Array<{ kind: CaptureKind; bytes: number[] }> = [
  ...[PCAP_MAGIC_US, PCAP_MAGIC_NS, PCAP_MAGIC_MODIFIED].flatMap((m) => [
    { kind: 'pcap' as const, bytes: be(m) },
    { kind: 'pcap' as const, bytes: be(m).reverse() },
  ]),
  { kind: 'pcapng', bytes: be(PCAPNG_SHB) },
  { kind: 'gzip', bytes: [0x1f, 0x8b] },
];

/** What the first bytes are (four decide; gzip needs two), or null when none of the above. */
export function captureKind(head: Uint8Array): CaptureKind | null {
  for (const m of MAGICS) {
    if (head.length >= m.bytes.length && m.bytes.every((b, i) => head[i] === b)) return m.kind;
  }
  return null;
}

/** True when every byte of `head` agrees with the start of some accepted beginning. */
export function couldStartCapture(head: Uint8Array): boolean {
  return MAGICS.some((m) => head.every((b, i) => i >= m.bytes.length || m.bytes[i] === b));
}

/** Where a source is, as error messages name it: `source` ("the file", "stdin", a name), `gunzip`. */
type Where = { source: string; gunzip: boolean };

function framerFor(head: Uint8Array, where: Where): Framer {
  if (head.length < 4) {
    throw head.length === 0
      ? new CaptureError('EMPTY', { kind: 'empty', args: where }, 0)
      : new CaptureError('SHORT_HEADER', { kind: 'short', args: { ...where, bytes: head.length } }, 0);
  }
  const kind = captureKind(head);
  if (kind === 'pcap') return new PcapFramer();
  if (kind === 'pcapng') return new PcapngFramer();
  const c = compressedAs(head);
  if (c) throw compressedError(where, head);
  throw new CaptureError('BAD_MAGIC', { kind: 'not_capture', args: { ...where, head: Array.from(head.subarray(0, 4)) } }, 0);
}

/** The error for a capture compressed with something other than gzip (compressedAs(head) is not null). */
export function compressedError(where: Where, head: Uint8Array): CaptureError {
  return new CaptureError('BAD_MAGIC', { kind: 'compressed', args: { ...where, head: Array.from(head.subarray(0, 4)) } }, 0);
}

async function headOf(input: StreamInput, n: number): Promise<Uint8Array> {
  const head = new Uint8Array(n);
  let got = 0;
  while (got < n) {
    const r = await input.read(head, got, n - got);
    if (r === 0) break;
    got += r;
  }
  const h = head.subarray(0, got);
  input.unshift(h.slice());
  return h;
}

/** Opens a capture file, '-' for standard input. */
export async function openCapture(path: string, opts: OpenOptions = {}): Promise<PacketSource> {
  if (path === '-') return openStream(process.stdin, { ...opts, name: opts.name ?? 'stdin' });
  const file = new FileInput(path);
  let head: Uint8Array;
  try {
    head = file.peek(4);
  } catch (e) {
    file.close();
    throw e;
  }
  if (captureKind(head) === 'gzip') {
    file.close();
    const stream = createReadStream(path, { highWaterMark: 1 << 20 });
    return openFrom(stream, opts.name ?? path, 'the file', opts.bufferSize, true);
  }
  const framer = (() => {
    try {
      return framerFor(head, { source: 'the file', gunzip: false });
    } catch (e) {
      file.close();
      throw e;
    }
  })();
  return new CaptureReader(file, framer, opts.name ?? path, null, opts.bufferSize);
}

/** Opens a capture from a stream of bytes (standard input, an upload body, a socket). */
export async function openStream(src: AsyncIterable<Uint8Array | string>, opts: OpenOptions = {}, knownGzip = false): Promise<PacketSource> {
  const name = opts.name ?? 'the input';
  return openFrom(src, name, name, opts.bufferSize, knownGzip);
}

/** `name` is shown in reports; `where` starts error messages ("the file", "stdin"). */
async function openFrom(src: AsyncIterable<Uint8Array | string>, name: string, where: string, bufferSize: number | undefined, knownGzip: boolean): Promise<PacketSource> {
  let input = new StreamInput(src);
  let head = await headOf(input, 4);
  let gz: Gunzip | null = null;
  if (knownGzip || captureKind(head) === 'gzip') {
    const raw = input;
    gz = new Gunzip({ [Symbol.asyncIterator]: () => chunks(raw) });
    input = new StreamInput(gz, () => raw.close());
    head = await headOf(input, 4);
    // Damage before even the first bytes of the capture came out: nothing to read.
    if (head.length < 4 && gz.problem) {
      input.close();
      throw gzipFailure(gz.problem);
    }
  }
  let framer: Framer;
  try {
    framer = framerFor(head, { source: where, gunzip: gz !== null });
  } catch (e) {
    input.close();
    throw e;
  }
  return new CaptureReader(input as ByteInput, framer, name, gz, bufferSize);
}

/** Re-exposes a StreamInput (with its pushed-back head) as an async iterator of chunks. */
async function* chunks(input: StreamInput): AsyncGenerator<Uint8Array> {
  for (;;) {
    const b = new Uint8Array(1 << 16);
    const n = await input.read(b, 0, b.length);
    if (n === 0) return;
    yield b.subarray(0, n);
  }
}
