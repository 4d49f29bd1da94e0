/**
 * What one TCP endpoint's segments show about the path and the peer, for the causes that only a
 * sequence of packets proves (issue 22): a segment retransmitted with back-off and never
 * acknowledged (tcp.stalled without a handshake, tcp.pmtu_blackhole seen from the sender), a hole
 * in what the capture saw of the endpoint's data that the peer never acknowledges (a black hole
 * seen from the receiver), the largest segment the peer acknowledged, and zero windows the
 * endpoint announced. Made lazily, per endpoint, on its first data segment or zero window, and
 * kept with fixed-size fields only: its memory does not grow with the connection.
 *
 * Sequence numbers are int32 (x | 0) and compared through (a - b) | 0, as in tcp.ts.
 */
import type { Packet } from '../decode/packet.js';

/** What a watch reads of its endpoint and the peer when it is made (tcp.ts, TcpEndpoint). */
export interface WatchedEndpoint {
  maxSeg: number;
  startSeq: number;
  firstDataFrame: number;
  firstDataTime: number;
  lastAckSent: number;
  lastWinSent: number;
}

/** Recent new segments remembered (their start, length, frame, time), to tell which got through. */
const RING = 8;
/** Transmission times kept of the retransmitted segment (the original, then each retransmission). */
const MAX_TIMES = 16;
/** Shared empty list until a segment is retransmitted (replaced, never pushed to). */
const NO_TIMES: number[] = Object.freeze([]) as unknown as number[];

export class TcpWatch {
  // --- as a sender
  /** One past the highest sequence number of data sent (valid once `started`). */
  highEnd = 0;
  started = false;
  /** Largest payload of a segment the capture saw from this endpoint, and that segment's IP packet size. */
  maxLen = 0;
  maxPacket = 0;
  /** Largest payload of a segment the peer acknowledged (cumulatively or by SACK), and its frame. */
  maxDelivered = 0;
  maxDeliveredFrame = 0;
  maxDeliveredTs = 0;
  /** That size is known from the peer's SACK block (its frame is the peer's ACK), not from a segment seen acknowledged. */
  deliveredBySack = false;
  /** Recent new segments: start, length, frame, time (RING entries, a ring). */
  private readonly ring: number[] = new Array<number>(RING * 4).fill(0);
  private ringAt = 0;
  private ringLen = 0;
  /** The segment at least `full` long that the peer must acknowledge next (full-size delivery), or none. */
  private bigStart = 0;
  private bigEnd = 0;
  private bigPending = false;
  /** The full size in force when the last full-size segment was sent (for SACK blocks). */
  private bigFull = 0;
  /** A full-size segment was acknowledged by the peer. */
  bigDelivered = false;

  /** The first retransmitted segment still unacknowledged (or the last one, once acknowledged). */
  stuck = false;
  stuckSeq = 0;
  stuckLen = 0;
  stuckDf = false;
  /** Its transmissions: the original when the ring still held it, then the retransmissions. */
  stuckFrames: number[] = NO_TIMES;
  stuckTimes: number[] = NO_TIMES;
  /** Was the original among them (its first entry)? */
  stuckOriginal = false;
  stuckAcked = false;
  /** The frame and time of the peer's packet that acknowledged it (0 until then). */
  stuckAckedFrame = 0;
  stuckAckedTs = 0;
  /** The peer's packet count when the segment was first retransmitted. */
  stuckPeerPkts = 0;
  /** Retransmissions of other segments while it was stuck. */
  otherRetx = 0;

  /** The first hole in what the capture saw of this endpoint's data: [holeFrom, holeTo). */
  hole = false;
  holeFrom = 0;
  holeTo = 0;
  holeFrame = 0;
  holeTs = 0;
  /** Payload of the segment that arrived beyond the hole. */
  holeLen = 0;
  /** Data inside the hole was seen later, or the peer acknowledged past its start. */
  holeFilled = false;
  holeAcked = false;

  // --- as a receiver announcing its window
  /** The current (or last) run of zero windows: its first frame and time, the last time. */
  zw = false;
  zwOpen = false;
  zwFrame = 0;
  zwTs = 0;
  zwLastTs = 0;
  zwLastFrame = 0;
  /** The peer's first probe of the current run. */
  zwProbeFrame = 0;
  zwProbeTs = 0;
  /** The peer's segments while the window was zero (probes), and this endpoint's zero-window answers after one. */
  zwProbes = 0;
  zwAnswers = 0;
  /** Earlier runs that ended with the window opening again, and the longest of them (s). */
  zwReopened = 0;
  zwLongestReopened = 0;

  /**
   * A watch made on a sign of trouble, for endpoint `e` (its data acknowledged by `peer`): data up
   * to `high` counts as sent; what the peer acknowledged before counts as delivered (a full-size
   * segment when at least `full` bytes were: several smaller ones may add up to it, so this errs
   * towards claiming no black hole).
   */
  static begin(e: WatchedEndpoint, peer: WatchedEndpoint, high: number, full: number): TcpWatch {
    const w = new TcpWatch();
    w.started = true;
    w.highEnd = high | 0;
    w.maxLen = e.maxSeg;
    w.first = (e.startSeq + 1) | 0;
    w.firstFrame = e.firstDataFrame;
    w.firstTs = e.firstDataTime;
    if (peer.lastWinSent >= 0) {
      const acked = ((peer.lastAckSent - e.startSeq) | 0) - 1;
      if (full > 0 && acked >= full) w.bigDelivered = true;
    }
    return w;
  }

  /** The endpoint's first data byte, and the frame and time of its first data segment (the original of a resent first segment). */
  private first = 0;
  private firstFrame = 0;
  private firstTs = 0;

  /**
   * A data segment from this endpoint (`len` > 0). `full`: the size from which a segment counts
   * as full-size (0 when the MSS is unknown).
   */
  sent(p: Packet, len: number, now: number, full: number, peerPkts: number): void {
    const seq = p.seq | 0;
    const end = (seq + len) | 0;
    if (len > this.maxLen) {
      this.maxLen = len;
      this.maxPacket = p.l4Off - p.ipOff + p.tcpHdrLen + len;
    }
    if (!this.started) {
      this.started = true;
      this.highEnd = end;
      this.remember(seq, len, p.frame, now);
      this.big(seq, end, len, full);
      return;
    }
    const ahead = (end - this.highEnd) | 0;
    if (ahead > 0) {
      // New data; a start beyond what was seen leaves a hole (the first one is remembered).
      const gap = (seq - this.highEnd) | 0;
      if (gap > 0 && (!this.hole || this.holeFilled || this.holeAcked)) {
        this.hole = true;
        this.holeFrom = this.highEnd;
        this.holeTo = seq;
        this.holeFrame = p.frame;
        this.holeTs = now;
        this.holeLen = len;
        this.holeFilled = this.holeAcked = false;
      } else if (gap < 0) this.fills(seq, end);
      this.highEnd = end;
      this.remember(seq, len, p.frame, now);
      this.big(seq, end, len, full);
      return;
    }
    // At or below what was sent: a retransmission (or data the capture saw out of order).
    this.fills(seq, end);
    if (this.stuck && !this.stuckAcked) {
      if (seq === this.stuckSeq) this.time(p.frame, now);
      else this.otherRetx++;
      return;
    }
    this.stuck = true;
    this.stuckSeq = seq;
    this.stuckLen = len;
    this.stuckDf = p.df;
    this.stuckAcked = false;
    this.stuckAckedFrame = 0;
    this.stuckPeerPkts = peerPkts;
    this.otherRetx = 0;
    this.stuckFrames = [];
    this.stuckTimes = [];
    this.stuckOriginal = false;
    const i = this.find(seq);
    if (i >= 0) {
      this.stuckOriginal = true;
      this.time(this.ring[i * 4 + 2]!, this.ring[i * 4 + 3]!);
    } else if (seq === this.first && this.firstFrame !== 0 && this.firstFrame !== p.frame) {
      this.stuckOriginal = true;
      this.time(this.firstFrame, this.firstTs);
    }
    this.time(p.frame, now);
  }

  /** The peer acknowledged up to `ack` (and SACKed [le, re) when `sack`). */
  acked(ack: number, sack: boolean, le: number, re: number, frame: number, now: number): void {
    ack |= 0;
    le |= 0;
    re |= 0;
    if (sack) {
      // A SACK block no larger than the largest segment sent: data of that size got through
      // (perhaps as several smaller segments: it errs towards a larger size delivered).
      const b = (re - le) | 0;
      if (b > this.maxDelivered && b <= this.maxLen) {
        this.maxDelivered = b;
        this.maxDeliveredFrame = frame;
        this.maxDeliveredTs = now;
        this.deliveredBySack = true;
      }
    }
    const covered = (s: number, e: number): boolean => ((ack - e) | 0) >= 0 || (sack && ((s - le) | 0) >= 0 && ((re - e) | 0) >= 0);
    for (let k = 0; k < this.ringLen; k++) {
      const len = this.ring[k * 4 + 1]!;
      if (len <= this.maxDelivered) continue;
      const s = this.ring[k * 4]!;
      if (covered(s, (s + len) | 0)) {
        this.maxDelivered = len;
        this.maxDeliveredFrame = this.ring[k * 4 + 2]!;
        this.maxDeliveredTs = this.ring[k * 4 + 3]!;
        this.deliveredBySack = false;
      }
    }
    if (this.bigPending && covered(this.bigStart, this.bigEnd)) {
      this.bigDelivered = true;
      this.bigPending = false;
    }
    if (sack && ((re - le) | 0) > 0 && this.bigFull > 0 && ((re - le) | 0) >= this.bigFull) this.bigDelivered = true;
    if (this.stuck && !this.stuckAcked && covered(this.stuckSeq, (this.stuckSeq + this.stuckLen) | 0)) {
      this.stuckAcked = true;
      this.stuckAckedFrame = frame;
      this.stuckAckedTs = now;
    }
    if (this.hole && ((ack - this.holeFrom) | 0) > 0) this.holeAcked = true;
  }

  /** A window announced by this endpoint (`win` as on the wire). */
  window(win: number, frame: number, now: number): void {
    if (win === 0) {
      if (!this.zwOpen) {
        this.zw = this.zwOpen = true;
        this.zwFrame = frame;
        this.zwTs = now;
        this.zwProbes = this.zwAnswers = 0;
      } else if (this.zwProbes > 0) this.zwAnswers++;
      this.zwLastTs = now;
      this.zwLastFrame = frame;
    } else if (this.zwOpen) {
      this.zwOpen = false;
      this.zwReopened++;
      if (now - this.zwTs > this.zwLongestReopened) this.zwLongestReopened = now - this.zwTs;
    }
  }

  /** A segment of the peer while this endpoint's window is zero. */
  probe(frame: number, now: number): void {
    if (this.zwProbes++ === 0) {
      this.zwProbeFrame = frame;
      this.zwProbeTs = now;
    }
  }

  private big(seq: number, end: number, len: number, full: number): void {
    if (full <= 0 || len < full) return;
    this.bigFull = full;
    if (!this.bigPending && !this.bigDelivered) {
      this.bigPending = true;
      this.bigStart = seq;
      this.bigEnd = end;
    }
  }

  private fills(seq: number, end: number): void {
    if (this.hole && !this.holeFilled && ((end - this.holeFrom) | 0) > 0 && ((this.holeTo - seq) | 0) > 0) this.holeFilled = true;
  }

  private remember(seq: number, len: number, frame: number, now: number): void {
    const i = this.ringAt * 4;
    this.ring[i] = seq;
    this.ring[i + 1] = len;
    this.ring[i + 2] = frame;
    this.ring[i + 3] = now;
    this.ringAt = (this.ringAt + 1) % RING;
    if (this.ringLen < RING) this.ringLen++;
  }

  private find(seq: number): number {
    for (let k = 0; k < this.ringLen; k++) if (this.ring[k * 4] === seq) return k;
    return -1;
  }

  private time(frame: number, ts: number): void {
    if (this.stuckTimes.length >= MAX_TIMES) return;
    this.stuckFrames.push(frame);
    this.stuckTimes.push(ts);
  }
}

/**
 * Did the endpoint's data recover from a path MTU problem the capture shows only by its effect:
 * a hole of at least `full` bytes in its data, filled later by segments all smaller than `full`
 * (the sender learned a smaller path MTU)? Returns the largest packet seen, else 0.
 */
export function recoveredSmaller(w: TcpWatch | null, full: number): number {
  if (w === null || full <= 0 || !w.hole || !w.holeFilled || w.maxLen >= full || ((w.holeTo - w.holeFrom) | 0) < full) return 0;
  return w.maxPacket;
}

/**
 * Do the transmission times show exponential back-off — the sender's retransmission timer
 * doubling because no acknowledgement came (RFC 6298 §5.5)? At least `minIntervals` intervals,
 * the last three each at least 1.5 times the one before.
 */
export function backsOff(times: readonly number[], minIntervals: number): boolean {
  const d = intervals(times);
  if (d.length < minIntervals || d.length < 4) return false;
  for (let k = d.length - 3; k < d.length; k++) if (!(d[k - 1]! > 0 && d[k]! >= d[k - 1]! * 1.5)) return false;
  return true;
}

/** The intervals between successive transmissions, in seconds to the millisecond. */
export function intervals(times: readonly number[]): number[] {
  const out: number[] = [];
  for (let i = 1; i < times.length; i++) out.push(Math.round((times[i]! - times[i - 1]!) * 1000) / 1000);
  return out;
}
