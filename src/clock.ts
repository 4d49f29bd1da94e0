/**
 * What a capture's clock did, packet by packet: where time went backwards (a clock stepped back,
 * packets merged from interfaces whose clocks differ) and which packets carry a time no report
 * can write (time.ts: before year 0000 or past 9999, e.g. a pcapng timestamp of 2^64 µs). The
 * report says both in its capture warnings; the analysis takes its times from here (the first
 * and latest times a report can write), so that one wild timestamp does not stretch the
 * capture's span or make every wait in it absurd.
 */
import type { Fact } from './facts.js';
import { isReportableTime } from './time.js';
import { DOUBLE } from './decode/shape.js';

/**
 * Steps back shorter than this are not worth a warning: packets of several interfaces, or of
 * several queues of one card, are often merged microseconds out of order (seen in real captures:
 * 2 µs, 4 µs, 287 µs). An interval across one is still not reported when it comes out negative.
 */
export const STEP_WORTH_SAYING = 0.001;

/**
 * Consecutive packets further apart than this are taken as two recordings (files merged, a
 * capture paused, a test capture made of flows cut from several): nothing shows the capture was
 * watching in between. An hour with not one packet: longer than any wait a rule judges, and than
 * any client's wait for an answer before it gives up or sends again (browsers, resolvers, TCP's
 * own retransmissions give up within minutes). Shorter silences, on a capture filtered to one
 * connection, are the failure itself.
 */
export const RECORDING_BREAK = 3600;

/**
 * A step back of the clock this long is a second recording pasted after the first (a clock set
 * back by NTP moves by far less): packets after it do not show the capture kept watching what
 * came before. Five minutes, the idle time after which a TCP connection is forgotten (Zeek's
 * tcp_inactivity_timeout, track/flow.ts).
 */
export const RECORDING_STEP_BACK = 300;

/** Recording breaks remembered (frame and end of each recording): past them the later ones are not told apart. */
const MAX_BREAKS = 100_000;

export class CaptureClock {
  /**
   * The first packet's time that a report can write and the latest such time (s), valid once one
   * was seen. Plain double fields, read through `first` / `latest`: a field that may hold null
   * keeps its number boxed, one allocation per packet.
   */
  private firstT = DOUBLE;
  private latestT = DOUBLE;
  private seen = false;

  constructor() {
    this.firstT = this.latestT = this.prevT = this.segMaxT = 0;
  }

  /** The first packet's time that a report can write (s), in file order; null before one. */
  get first(): number | null {
    return this.seen ? this.firstT : null;
  }

  /** The latest such time seen (s). */
  get latest(): number | null {
    return this.seen ? this.latestT : null;
  }
  /** Packets stamped STEP_WORTH_SAYING or more before a packet ahead of them. */
  stepsBack = 0;
  /** The first of those, and how far before the latest time it was stamped (s). */
  stepFrame = 0;
  stepSeconds = 0;
  /** The longest step back (s). */
  longestStep = 0;
  /** Packets whose time no report can write, and the first of them. */
  outOfRange = 0;
  outFrame = 0;
  /** The previous packet's time (a time a report can write). */
  private prevT = DOUBLE;
  /** The latest time of the recording under way (since the last break). */
  private segMaxT = DOUBLE;
  /** For each break: the first frame after it, and the latest time of the recording it ended. */
  private readonly breakFrames: number[] = [];
  private readonly breakEnds: number[] = [];

  /** One packet's time (seconds since the epoch and nanoseconds: a double argument would be boxed on every call) and frame number. */
  see(sec: number, nsec: number, frame: number): void {
    const t = sec + nsec * 1e-9;
    if (!isReportableTime(t)) {
      if (this.outOfRange++ === 0) this.outFrame = frame;
      return;
    }
    if (!this.seen) {
      this.seen = true;
      this.firstT = this.latestT = this.prevT = this.segMaxT = t;
      return;
    }
    const d = t - this.prevT;
    this.prevT = t;
    if ((d > RECORDING_BREAK || d < -RECORDING_STEP_BACK) && this.breakFrames.length < MAX_BREAKS) {
      this.breakFrames.push(frame);
      this.breakEnds.push(this.segMaxT);
      this.segMaxT = t;
    } else if (t > this.segMaxT) this.segMaxT = t;
    const latest = this.latestT;
    if (t >= latest) {
      this.latestT = t;
      return;
    }
    const back = latest - t;
    if (back < STEP_WORTH_SAYING) return;
    if (this.stepsBack++ === 0) {
      this.stepFrame = frame;
      this.stepSeconds = back;
    }
    if (back > this.longestStep) this.longestStep = back;
  }

  /** Breaks between recordings seen (RECORDING_BREAK, RECORDING_STEP_BACK). */
  get breaks(): number {
    return this.breakFrames.length;
  }

  /** Whether `frame` is in the recording under way (after the last break). */
  inLastRecording(frame: number): boolean {
    const n = this.breakFrames.length;
    return n === 0 || frame >= this.breakFrames[n - 1]!;
  }

  /**
   * The latest time of the recording that holds `frame` (s): up to the first break after it,
   * or the recording under way. What a capture shows after a break is not that it kept watching
   * what came before. Null before a packet was seen.
   */
  recordingEnd(frame: number): number | null {
    if (!this.seen) return null;
    const f = this.breakFrames;
    // The first break after `frame`: its recording ended there.
    let lo = 0;
    let hi = f.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (f[mid]! > frame) hi = mid;
      else lo = mid + 1;
    }
    return lo < f.length ? this.breakEnds[lo]! : this.segMaxT;
  }

  /** The capture warnings (report/warnings.ts words them). */
  warnings(): Fact[] {
    const out: Fact[] = [];
    if (this.stepsBack > 0) {
      out.push({ kind: 'clock_stepped_back', args: { frame: this.stepFrame, seconds: micro(this.stepSeconds), count: this.stepsBack, longest: micro(this.longestStep) } });
    }
    if (this.outOfRange > 0) out.push({ kind: 'time_out_of_range', args: { frame: this.outFrame, count: this.outOfRange } });
    return out;
  }
}

/** Seconds to the microsecond, as capture times are. */
const micro = (s: number): number => Math.round(s * 1e6) / 1e6;
