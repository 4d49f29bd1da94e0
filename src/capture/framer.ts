import type { CaptureInfo, RawPacket } from './types.js';

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
  /**
   * Records read so far that Wireshark numbers as frames but that hold no packet (pcapng custom
   * blocks, systemd journal entries, sysdig events): frame numbers count them too.
   */
  readonly otherFrames: number;
  header(buf: Uint8Array, dv: DataView, pos: number, end: number, base: number, info: CaptureInfo): number;
  next(buf: Uint8Array, dv: DataView, pos: number, end: number, base: number, pkt: RawPacket, info: CaptureInfo): number;
}
