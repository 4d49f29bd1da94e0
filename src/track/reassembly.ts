/**
 * One direction of a TCP byte stream, put back in sequence order. In-order segments go straight
 * to the sink as views of the packet's bytes (no copy); segments above a hole are copied (the
 * capture buffer is reused) and held, up to a bound; bytes already delivered are trimmed off
 * retransmissions and overlaps. A hole that cannot be filled (the bound is reached, the peer
 * acknowledged past it, the stream ends) is reported once as a gap and the stream goes on.
 * Sequence numbers are compared modulo 2^32 (RFC 9293 §3.4), so wraparound needs no special case.
 */
import type { Conn, StreamSink, Time } from './types.js';

/** Signed distance a - b in 32-bit sequence space. */
export function seqDelta(a: number, b: number): number {
  return (a - b) | 0;
}

interface Held {
  seq: number;
  data: Uint8Array;
  /** Bytes the segment had on the wire beyond `data` (snaplen cut): a gap after it. */
  missing: number;
  frame: number;
  ts: Time;
}

const NO_HELD: Held[] = Object.freeze([]) as unknown as Held[];

/**
 * Where a direction's in-order bytes stopped — at its first gap, else at its end — in the middle of
 * a unit its reader was passing over (an encrypted TLS record: tls.ts returns the rest of a record
 * to pass over): the unit never came whole.
 */
export interface StreamCut {
  /** Bytes of the unit still to come. */
  pending: number;
  /** Stream offset where the in-order bytes stopped (bytes from the stream's first octet). */
  offset: number;
  /** The last in-order bytes before that: their frame and time. */
  frame: number;
  ts: Time;
}

export class StreamDir {
  /**
   * Next sequence number to deliver, as int32 (compared modulo 2^32 through seqDelta): a small
   * integer kept in the object. Initialized here, not only in the constructor: a field declared
   * without a value starts as undefined, and V8 then keeps it as a tagged field.
   */
  next = 0;
  /** Segments above a hole, sorted by seq (shared empty list until the first hole). */
  private held: Held[] = NO_HELD;
  heldBytes = 0;
  /** Bytes reported missing. */
  gapBytes = 0;
  /** In-order bytes still to pass over without delivering them (the sink said it needs none of them). */
  private quiet = 0;
  /** The stream's first sequence number (int32), for offsets. */
  private origin = 0;
  /** The last in-order bytes before the first gap: frame and time (0: none yet). */
  private lastFrame = 0;
  private lastTs: Time = 0.5;
  /** At the first gap: the bytes still to pass over, and the offset (-1: no gap yet). */
  private quietAtGap = -1;
  private offsetAtGap = -1;
  /** The frame of the first bytes delivered past the first gap (0: none yet). */
  resumedFrame = 0;

  constructor(
    start: number,
    private readonly sink: StreamSink,
    private conn: Conn,
    public fromOrig: boolean,
    private readonly maxHeld: number,
  ) {
    this.reinit(start, conn, fromOrig);
  }

  /** The state of `new StreamDir(start, sink, conn, fromOrig, maxHeld)` with this one's sink and bound (an object reused). */
  reinit(start: number, conn: Conn, fromOrig: boolean): this {
    this.next = this.origin = start | 0;
    this.held = NO_HELD;
    this.heldBytes = this.gapBytes = this.quiet = this.lastFrame = this.lastTs = this.resumedFrame = 0;
    this.quietAtGap = this.offsetAtGap = -1;
    this.conn = conn;
    this.fromOrig = fromOrig;
    return this;
  }

  /**
   * A segment: `cap` captured payload bytes at buf[off..off+cap) with sequence number `seq`;
   * `wire` is its length on the wire (> cap when the capture cut it).
   */
  segment(seq: number, buf: Uint8Array, off: number, cap: number, wire: number, frame: number, ts: Time): void {
    this.segmentAt(seqDelta(seq, this.next), buf, off, cap, wire, frame, ts);
  }

  /**
   * `segment` with the sequence number given as its distance from `next` (seqDelta(seq, next)):
   * a small integer, where a sequence number passed as an argument is a boxed double.
   */
  segmentAt(d: number, buf: Uint8Array, off: number, cap: number, wire: number, frame: number, ts: Time): void {
    if (d <= 0) {
      // Starts at or before what was delivered: keep only the new tail.
      if (d + wire <= 0) return;
      const skip = -d;
      if (skip >= cap) {
        // The new bytes were all cut by the snaplen.
        this.missing(wire - skip);
        this.drain();
        return;
      }
      this.deliver(buf, off + skip, cap - skip, frame, ts);
      if (wire > cap) this.missing(wire - cap);
      if (this.held.length !== 0) this.drain();
      return;
    }
    // Above a hole: hold a copy.
    this.hold((this.next + d) | 0, buf.slice(off, off + cap), wire - cap, frame, ts);
    while (this.heldBytes > this.maxHeld && this.held.length !== 0) this.skipToHeld();
  }

  /** In-order bytes buf[off .. off+n): passed over while quiet, the rest to the sink. */
  private deliver(buf: Uint8Array, off: number, n: number, frame: number, ts: Time): void {
    const q = this.quiet;
    this.next = (this.next + n) | 0;
    if (this.quietAtGap < 0) {
      this.lastFrame = frame;
      this.lastTs = ts;
    } else if (this.resumedFrame === 0) this.resumedFrame = frame;
    if (q >= n) {
      this.quiet = q - n;
      return;
    }
    this.quiet = 0;
    const r = this.sink.data(this.conn, this.fromOrig, buf, off + q, n - q, frame, ts);
    if (r !== undefined && r > 0) this.quiet = r;
  }

  private hold(seq: number, data: Uint8Array, missing: number, frame: number, ts: Time): void {
    if (this.held === NO_HELD) this.held = [];
    const h = this.held;
    let i = h.length;
    while (i > 0 && seqDelta(h[i - 1]!.seq, seq) > 0) i--;
    h.splice(i, 0, { seq, data, missing, frame, ts });
    this.heldBytes += data.length;
  }

  /** Bytes that will never be seen: report them and move past. */
  private missing(n: number): void {
    if (n <= 0) return;
    if (this.quietAtGap < 0) {
      this.quietAtGap = this.quiet;
      this.offsetAtGap = (this.next - this.origin) | 0;
    }
    this.next = (this.next + n) | 0;
    this.gapBytes += n;
    this.quiet = 0;
    this.sink.gap(this.conn, this.fromOrig, n);
  }

  /** Delivers held segments that now start at or below `next`. */
  private drain(): void {
    const h = this.held;
    while (h.length !== 0) {
      const s = h[0]!;
      const d = seqDelta(s.seq, this.next);
      if (d > 0) return;
      h.shift();
      this.heldBytes -= s.data.length;
      const skip = -d;
      const wire = s.data.length + s.missing;
      if (skip >= wire) continue;
      if (skip < s.data.length) {
        this.deliver(s.data, skip, s.data.length - skip, s.frame, s.ts);
        this.missing(s.missing);
      } else {
        this.missing(wire - skip);
      }
    }
  }

  /** Gives up on the hole before the first held segment. */
  private skipToHeld(): void {
    const first = this.held[0]!;
    this.missing(seqDelta(first.seq, this.next));
    this.drain();
  }

  /**
   * The peer acknowledged up to `ack`: bytes below it that were never seen are lost to the
   * capture. Returns the number of bytes declared missing.
   */
  acked(ack: number): number {
    let lost = 0;
    while (seqDelta(ack, this.next) > 0) {
      const first = this.held.length !== 0 ? this.held[0]! : null;
      if (first !== null && seqDelta(first.seq, ack) < 0) {
        const n = seqDelta(first.seq, this.next);
        if (n > 0) {
          lost += n;
          this.missing(n);
        }
        this.drain();
      } else {
        const n = seqDelta(ack, this.next);
        lost += n;
        this.missing(n);
        this.drain();
      }
    }
    return lost;
  }

  /** End of the stream (FIN, RST, end of capture): report remaining holes, deliver what is held. */
  flush(): void {
    while (this.held.length !== 0) this.skipToHeld();
  }

  /**
   * Where the in-order bytes stopped (the first gap, else the end: call after flush) when that was
   * inside a unit the reader was passing over, else null.
   */
  cut(): StreamCut | null {
    const gap = this.quietAtGap >= 0;
    const pending = gap ? this.quietAtGap : this.quiet;
    if (pending <= 0 || this.lastFrame === 0) return null;
    return { pending, offset: gap ? this.offsetAtGap : (this.next - this.origin) | 0, frame: this.lastFrame, ts: this.lastTs };
  }

  get holding(): boolean {
    return this.held.length !== 0;
  }
}
