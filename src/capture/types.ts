import type { Fact } from '../facts.js';
import { captureErrorText, type CaptureReason } from './error-words.js';

/**
 * What a capture source hands downstream. Nothing after this stage knows whether packets came
 * from a pcap file, a pcapng file, standard input, an HTTP upload or a live interface.
 */

/** One captured packet. The object and `data` are REUSED for the next packet: copy what you keep. */
export interface RawPacket {
  /** 1-based, as Wireshark numbers frames: every packet record in the file, and the records without a packet it also lists (Framer.otherFrames). */
  frame: number;
  /** Seconds since the Unix epoch (integer). */
  tsSec: number;
  /** Nanoseconds within the second (0..999 999 999). */
  tsNsec: number;
  /** LINKTYPE_* value of the interface the packet was captured on. */
  linkType: number;
  /** Interface index (pcapng Interface Description Block order; 0 for pcap and live). */
  iface: number;
  /**
   * The captured bytes are `buf[off .. off + capLen)`. Offsets rather than a view per packet:
   * the buffer is the reader's own (no copy, no object per packet).
   */
  buf: Uint8Array;
  off: number;
  capLen: number;
  /** Length of the packet on the wire (may exceed capLen when snaplen cut it). */
  origLen: number;
}

export interface InterfaceInfo {
  linkType: number;
  snaplen: number;
  name: string | null;
  /** Decimal digits of timestamp resolution when a power of 10 (6 = µs, 9 = ns), else null. */
  tsDigits: number | null;
}

export type CaptureFormat = 'pcap' | 'pcapng' | 'live';

/** Where a file stopped being readable, when it did. */
export interface CaptureDamage {
  code: CaptureErrorCode;
  /**
   * Byte offset in the (decompressed) file where the bad record starts; for code GZIP, the
   * offset in the compressed file where the gzip data is damaged.
   */
  offset: number;
  /** Frame number the bad record would have had. */
  frame: number;
  /** The English words of it (capture.damage.message of an English report). */
  message: string;
  /**
   * Why, as data: a reader's reason (error-words.ts), or for code GZIP the gzip warning's fact
   * (gzip_damage, gzip_records_damage); worded in the report's language when rendered.
   */
  reason: Fact;
}

export interface CaptureInfo {
  source: string;
  format: CaptureFormat;
  /** Set when the file was gzip-compressed (offsets are then in the decompressed stream). */
  compressed: boolean;
  /** pcap: 'us' | 'ns'; pcapng: per interface. */
  interfaces: InterfaceInfo[];
  /** Counted packets. */
  packets: number;
  /** Sum of captured lengths. */
  bytes: number;
  /** Packets whose captured length is shorter than their original length (snaplen). */
  truncatedPackets: number;
  /**
   * What the reader wants said about the capture (damage, unknown blocks, drops), as typed facts:
   * their words are chosen when the report is rendered (report/warnings.ts).
   */
  warnings: Fact[];
  /** Packets the capturing system reported as dropped (pcapng ISB, live pcap stats). */
  drops: number | null;
  /** Live capture only: packets the interface dropped (pcap_stats ps_ifdrop), when known. */
  ifDrops?: number;
  damage: CaptureDamage | null;
}

export type CaptureErrorCode =
  | 'EMPTY'
  | 'BAD_MAGIC'
  | 'SHORT_HEADER'
  | 'BAD_HEADER'
  | 'BAD_RECORD'
  | 'CUT_SHORT'
  | 'BAD_BLOCK'
  | 'IO'
  | 'GZIP';

/**
 * A file-level problem. Packet bytes never raise this; only the container does. The CLI maps it
 * to exit status 2 and prints what (and where) and what to do on one line. It is made from a
 * typed reason (what was found: a record length, the bytes there were...), worded when shown in
 * the language asked for (error-words.ts); `message` and `hint` are its English words.
 */
export class CaptureError extends Error {
  readonly code: CaptureErrorCode;
  readonly offset: number;
  readonly hint: string;
  readonly reason: CaptureReason;
  constructor(code: CaptureErrorCode, reason: CaptureReason, offset: number) {
    const en = captureErrorText(reason, 'en');
    super(en.message);
    this.name = 'CaptureError';
    this.code = code;
    this.offset = offset;
    this.hint = en.hint;
    this.reason = reason;
  }
}

/** Largest captured length we accept for one record: Wireshark's standard maximum. */
export const MAX_RECORD = 262144;

export function newRawPacket(): RawPacket {
  return { frame: 0, tsSec: 0, tsNsec: 0, linkType: 1, iface: 0, buf: new Uint8Array(0), off: 0, capLen: 0, origLen: 0 };
}
