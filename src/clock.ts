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
    this.firstT = this.latestT = 0;
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

  /** One packet's time (seconds since the epoch and nanoseconds: a double argument would be boxed on every call) and frame number. */
  see(sec: number, nsec: number, frame: number): void {
    const t = sec + nsec * 1e-9;
    if (!isReportableTime(t)) {
      if (this.outOfRange++ === 0) this.outFrame = frame;
      return;
    }
    if (!this.seen) {
      this.seen = true;
      this.firstT = this.latestT = t;
      return;
    }
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
