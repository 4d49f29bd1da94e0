import type { CaptureError, CaptureInfo, RawPacket } from './types.js';

/**
 * A container format's record parser. It works on the reader's buffer between `pos` and `end`
 * and never does I/O. `next` returns:
 *   > 0  bytes consumed (a packet was produced when `produced` is true, else a non-packet block);
 *   < 0  minus the number of bytes needed, counted from `pos`, before it can go on;
 * and throws CaptureError when the container itself is corrupt.
 */
export interface Framer {
  readonly format: 'pcap' | 'pcapng';
  produced: boolean;
  header(buf: Uint8Array, dv: DataView, pos: number, end: number, base: number, info: CaptureInfo): number;
  next(buf: Uint8Array, dv: DataView, pos: number, end: number, base: number, pkt: RawPacket, info: CaptureInfo): number;
  /**
   * Optional: every whole packet record from `pos` on, handed to `onPacket` one after another
   * (one call per buffer rather than per record). Counts each packet in `info` (packets, bytes,
   * truncated) and numbers it, as the reader does for `next`. Returns where it stopped: at the
   * first record not whole in the buffer, or after the packet for which `onPacket` returned false
   * (then `stopped` is true). Throws CaptureError like `next`, with `info` counting the packets
   * before, and keeps the error it threw in `thrown` (so that one thrown by `onPacket` is told apart).
   */
  run?(buf: Uint8Array, dv: DataView, pos: number, end: number, base: number, pkt: RawPacket, info: CaptureInfo,
    onPacket: (p: RawPacket) => void | boolean): number;
  /** Set by `run` when `onPacket` asked to stop. */
  stopped?: boolean;
  thrown?: CaptureError | null;
}
