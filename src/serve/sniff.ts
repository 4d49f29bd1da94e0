/**
 * Is this upload a capture? Decided from its first four bytes, before any analysis starts, by
 * the same magic checks the capture reader uses (../capture/open.ts): classic pcap, pcapng, or
 * gzip (whose content is checked again after decompression, by the reader).
 */
import { captureKind, couldStartCapture, describe, type CaptureKind } from '../capture/open.js';

export type Sniffed = CaptureKind;

/** Bytes needed to decide. */
export const SNIFF_BYTES = 4;

export type SniffResult =
  | { ok: true; kind: Sniffed }
  | { ok: false; reason: 'empty' | 'short' | 'unknown'; head: string };

const headHex = (head: Uint8Array): string =>
  Array.from(head.subarray(0, SNIFF_BYTES), (b) => b.toString(16).padStart(2, '0')).join(' ');

/** `head` is the whole body when it is shorter than SNIFF_BYTES. */
export function sniff(head: Uint8Array): SniffResult {
  const hex = headHex(head);
  if (head.length === 0) return { ok: false, reason: 'empty', head: hex };
  const kind = captureKind(head);
  if (kind !== null) return { ok: true, kind };
  if (head.length < SNIFF_BYTES && couldStartCapture(head)) return { ok: false, reason: 'short', head: hex };
  return { ok: false, reason: 'unknown', head: hex };
}

/** What the first bytes look like, for the 415 message. */
export function describeHead(head: Uint8Array): string {
  if (head[0] === 0x2d && head[1] === 0x2d) {
    return `bytes ${headHex(head)}: it looks like a multipart form; send the file itself as the request body`;
  }
  return describe(head);
}
