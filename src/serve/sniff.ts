/**
 * Is this upload a capture? Decided from its first four bytes, before any analysis starts:
 * classic pcap (µs, ns and the old "modified" format, either byte order), pcapng (the Section
 * Header Block type reads the same in both byte orders), or gzip (whose content is checked
 * again after decompression, by the reader).
 */
import { PCAP_MAGIC_MODIFIED, PCAP_MAGIC_NS, PCAP_MAGIC_US } from '../capture/pcap.js';
import { PCAPNG_SHB } from '../capture/pcapng.js';

export type Sniffed = 'pcap' | 'pcapng' | 'gzip';

const be = (n: number): number[] => [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];

/** Every accepted beginning, as bytes. */
const MAGICS: Array<{ kind: Sniffed; bytes: number[] }> = [
  ...[PCAP_MAGIC_US, PCAP_MAGIC_NS, PCAP_MAGIC_MODIFIED].flatMap((m) => [
    { kind: 'pcap' as const, bytes: be(m) },
    { kind: 'pcap' as const, bytes: be(m).reverse() },
  ]),
  { kind: 'pcapng', bytes: be(PCAPNG_SHB) },
  { kind: 'gzip', bytes: [0x1f, 0x8b] },
];

/** Bytes needed to decide. */
export const SNIFF_BYTES = 4;

export type SniffResult =
  | { ok: true; kind: Sniffed }
  | { ok: false; reason: 'empty' | 'short' | 'unknown'; head: string };

/** `head` is the whole body when it is shorter than SNIFF_BYTES. */
export function sniff(head: Uint8Array): SniffResult {
  const hex = Array.from(head.subarray(0, SNIFF_BYTES), (b) => b.toString(16).padStart(2, '0')).join(' ');
  if (head.length === 0) return { ok: false, reason: 'empty', head: hex };
  for (const m of MAGICS) {
    if (head.length >= m.bytes.length && m.bytes.every((b, i) => head[i] === b)) return { ok: true, kind: m.kind };
  }
  if (head.length < SNIFF_BYTES && MAGICS.some((m) => head.every((b, i) => i >= m.bytes.length || m.bytes[i] === b))) {
    return { ok: false, reason: 'short', head: hex };
  }
  return { ok: false, reason: 'unknown', head: hex };
}

/** What the first bytes look like, for the 415 message. */
export function describeHead(head: Uint8Array): string {
  const hex = Array.from(head.subarray(0, SNIFF_BYTES), (b) => b.toString(16).padStart(2, '0')).join(' ');
  const h = head.subarray(0, SNIFF_BYTES);
  if (h[0] === 0x50 && h[1] === 0x4b) return `bytes ${hex}: a zip archive; unzip it first`;
  if (h[0] === 0x2d && h[1] === 0x2d) return `bytes ${hex}: it looks like a multipart form; send the file itself as the request body`;
  if (h.every((b) => b === 9 || b === 10 || b === 13 || (b >= 0x20 && b < 0x7f))) {
    return `bytes ${hex}, which look like text; tcpdump/tshark text output cannot be analysed, capture with -w`;
  }
  return `bytes ${hex}`;
}
