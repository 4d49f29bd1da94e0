/**
 * IP fragment reassembly (RFC 791 §3.2 for IPv4, RFC 8200 §4.5 for IPv6). Fragments are
 * copied (the capture buffer is reused); a datagram is complete when the fragment without
 * "more fragments" has arrived and the pieces cover [0, total) with no hole. Memory is
 * bounded: datagrams expire after `timeoutSec` of capture time, at most `maxDatagrams` wait at
 * once (the oldest is dropped), and a datagram may not exceed 65535 bytes of payload.
 */

interface Piece {
  off: number;
  data: Uint8Array;
}

interface Datagram {
  firstSec: number;
  /** Unfragmentable part (IPv4 header / IPv6 header + extension headers before the fragment header). */
  head: Uint8Array | null;
  /** IPv6: the next header named by the fragment header (the first fragment's). */
  next: number;
  pieces: Piece[];
  total: number;
  bytes: number;
}

export interface Reassembled {
  /** The whole datagram: unfragmentable part followed by the payload. */
  bytes: Uint8Array;
  headLen: number;
  /** IPv6: the protocol of the reassembled payload (from the fragment header). */
  next: number;
}

const MAX_PAYLOAD = 65535;
const MAX_PIECES = 1024;

export class Reassembler {
  private pending = new Map<string, Datagram>();
  /** Datagrams given up (expired or evicted) — reported as a capture warning when non-zero. */
  dropped = 0;

  constructor(
    readonly maxDatagrams = 4096,
    readonly timeoutSec = 60,
  ) {}

  get size(): number {
    return this.pending.size;
  }

  /**
   * Adds one fragment. `head` is a view of the unfragmentable part (copied only for the first
   * fragment); `data` a view of the fragment's payload. Returns the datagram when complete.
   */
  add(key: string, nowSec: number, head: Uint8Array, fragOff: number, more: boolean, data: Uint8Array, next: number): Reassembled | null {
    this.expire(nowSec);
    let dg = this.pending.get(key);
    if (!dg) {
      if (this.pending.size >= this.maxDatagrams) {
        const oldest = this.pending.keys().next().value;
        if (oldest !== undefined) this.pending.delete(oldest);
        this.dropped++;
      }
      dg = { firstSec: nowSec, head: null, next: -1, pieces: [], total: -1, bytes: 0 };
      this.pending.set(key, dg);
    }
    if (fragOff + data.length > MAX_PAYLOAD || dg.pieces.length >= MAX_PIECES) {
      this.pending.delete(key);
      this.dropped++;
      return null;
    }
    if (fragOff === 0 && dg.head === null) {
      dg.head = head.slice();
      dg.next = next;
    }
    // The first fragment that says "last" fixes the length; a later conflicting one is ignored
    // (as Wireshark does; real stacks drop such overlapping datagrams altogether).
    if (!more && dg.total < 0) dg.total = fragOff + data.length;
    dg.pieces.push({ off: fragOff, data: data.slice() });
    dg.bytes += data.length;
    if (dg.total < 0 || dg.head === null || dg.bytes < dg.total) return null;
    // Check coverage: sort by offset and look for a hole.
    const pieces = dg.pieces.slice().sort((a, b) => a.off - b.off);
    let covered = 0;
    for (const pc of pieces) {
      if (pc.off > covered) return null;
      covered = Math.max(covered, pc.off + pc.data.length);
    }
    if (covered < dg.total) return null;
    const out = new Uint8Array(dg.head.length + dg.total);
    out.set(dg.head, 0);
    // Overlaps: the bytes that arrived first win, so write in reverse arrival order.
    for (let i = dg.pieces.length - 1; i >= 0; i--) {
      const pc = dg.pieces[i]!;
      if (pc.off >= dg.total) continue;
      const room = dg.total - pc.off;
      out.set(room < pc.data.length ? pc.data.subarray(0, Math.max(0, room)) : pc.data, dg.head.length + pc.off);
    }
    this.pending.delete(key);
    return { bytes: out, headLen: dg.head.length, next: dg.next };
  }

  private expire(nowSec: number): void {
    for (const [k, dg] of this.pending) {
      if (nowSec - dg.firstSec <= this.timeoutSec) break; // insertion order = age order
      this.pending.delete(k);
      this.dropped++;
    }
  }
}
