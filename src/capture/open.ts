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

function framerFor(head: Uint8Array, where: string): Framer {
  if (head.length < 4) {
    throw new CaptureError(head.length === 0 ? 'EMPTY' : 'SHORT_HEADER',
      head.length === 0 ? `${where} is empty (0 bytes)` : `${where} is only ${head.length} bytes, shorter than a capture file header`,
      0, 'check that the capture was written completely');
  }
  const kind = captureKind(head);
  if (kind === 'pcap') return new PcapFramer();
  if (kind === 'pcapng') return new PcapngFramer();
  const c = compressedAs(head);
  if (c) throw compressedError(where, head, c);
  throw new CaptureError('BAD_MAGIC', `${where} is not a pcap or pcapng capture (it starts with ${describe(head)})`, 0,
    'give a .pcap/.pcapng file (tcpdump -w, Wireshark, dumpcap); other formats convert with: editcap -F pcapng IN OUT');
}

/**
 * Other compressors' magic numbers, with the command that decompresses to standard output.
 * Only gzip is read (node:zlib; Node 20 has no zstd, and the JavaScript zstd decoders read
 * slower than wirewhy analyses): for the rest, a pipe into `wirewhy analyze -` streams the
 * capture without a decompressed copy on disk.
 */
const COMPRESSED: Array<{ magic: number[]; name: string; cat: string }> = [
  { magic: [0x28, 0xb5, 0x2f, 0xfd], name: 'zstd', cat: 'zstd -dc' },
  { magic: [0xfd, 0x37, 0x7a, 0x58], name: 'xz', cat: 'xz -dc' },
  { magic: [0x42, 0x5a, 0x68], name: 'bzip2', cat: 'bzip2 -dc' },
  { magic: [0x04, 0x22, 0x4d, 0x18], name: 'lz4', cat: 'lz4 -dc' },
];

/** The compressor whose magic number `head` starts with (other than gzip), or null. */
export function compressedAs(head: Uint8Array): { name: string; cat: string } | null {
  return COMPRESSED.find((x) => head.length >= x.magic.length && x.magic.every((b, i) => head[i] === b)) ?? null;
}

/** The error for a capture compressed with something other than gzip. */
export function compressedError(where: string, head: Uint8Array, c: { name: string; cat: string }): CaptureError {
  return new CaptureError('BAD_MAGIC', `${where} is ${c.name}-compressed (it starts with ${hex(head)}), which wirewhy does not decompress`, 0,
    `decompress it first: ${c.cat} FILE | wirewhy analyze -  (or ${c.name === 'bzip2' ? 'bunzip2' : `${c.name} -d`} FILE, then analyze the result)`);
}

const hex = (head: Uint8Array): string => Array.from(head.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ');

/** What the first bytes of something that is not a capture look like, for error messages. */
export function describe(head: Uint8Array): string {
  const hexs = hex(head);
  const text = head.subarray(0, 4).every((b) => b === 9 || b === 10 || b === 13 || (b >= 0x20 && b < 0x7f));
  if (head[0] === 0x50 && head[1] === 0x4b) return `bytes ${hexs}: a zip archive; unzip it first`;
  const c = compressedAs(head);
  if (c) return `bytes ${hexs}: a ${c.name}-compressed file; decompress it first (${c.cat} FILE)`;
  if (text) return `bytes ${hexs}, which look like text; tcpdump/tshark text output cannot be analysed, capture with -w`;
  return `bytes ${hexs}`;
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
      return framerFor(head, 'the file');
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
    framer = framerFor(head, gz ? `${where} (after gunzip)` : where);
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
