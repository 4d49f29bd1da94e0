/**
 * SYN floods (tcp.syn_flood): connection attempts to one server address and port that never got
 * past the SYN — no handshake completed, no byte either way, no RST from the server — from many
 * source addresses at a rate no set of clients reaches, nearly none completing. Counted per
 * server and port as the connections are placed (diagnose.ts), judged when the verdicts are made;
 * the attempts of a flood are then told by it, not one failure per source address.
 *
 * A flood's sources are forged: no kernel stands behind them to send a SYN again when no answer
 * comes (Linux after 1 s, Windows after 1 or 3 s), so each SYN is sent once. Clients of a server
 * that went silent resend theirs: when the capture went on long enough after most of the attempts
 * (RETRY_WAIT) to see that, a flood needs most of those attempts sent once. A capture that stopped
 * within the burst cannot show it; the burst's rate (FLOOD_PEAK_UNWATCHED attempts in one second,
 * from distinct sources, nearly none completing) is then what tells it.
 *
 * Bounded: MAX_TARGETS servers and ports (the first seen with an attempt that stopped at the SYN),
 * their distinct sources counted up to MAX_SOURCES each and SOURCE_BUDGET in all (past either, "at
 * least").
 */

import { PeakRate, Timeline } from './timeline.js';

/** A flood: at least this many attempts stopped at the SYN, from at least FLOOD_SOURCES addresses. */
export const FLOOD_ATTEMPTS = 200;
export const FLOOD_SOURCES = 100;
/** At least this many attempts stopped at the SYN within one second of the capture. */
export const FLOOD_PEAK = 100;
/**
 * When the capture stopped too soon after most of them to show resends: at least this many within
 * one second. A server that went down under real load, the capture stopped a second later, can
 * leave a hundred new clients a second without an answer; no set of clients comes at a thousand.
 */
export const FLOOD_PEAK_UNWATCHED = 1000;
/** Attempts that completed their handshake to the same server and port: at most one in ten. */
const COMPLETED_SHARE = 0.1;
/** Seconds the capture must go on after a SYN for a resend to be expected (a kernel's first: 1 s; Windows' may be 3 s). */
export const RETRY_WAIT = 3;
/** Of the attempts the capture watched that long, the share sent once. */
const SENT_ONCE_SHARE = 0.9;

const MAX_TARGETS = 1024;
const MAX_COMPLETED = 8192;
const MAX_SOURCES = 65_536;
const SOURCE_BUDGET = 262_144;

/** What one connection is to the flood watch (diagnose.ts attempt()). */
export interface SynStage {
  /** The attempt stopped at the SYN: no handshake completed, no payload, no RST from the server. */
  stopped: boolean;
  /** SYNs sent (a copy within 100 ms counted once: capture.ended_early's synSends). */
  sends: number;
  /** The server answered with a SYN-ACK (never acknowledged). */
  synAcked: boolean;
  /** The first SYN. */
  frame: number;
  /** No handshake completed, no payload, and a RST from the server: refused (probes.ts). */
  refused: boolean;
  /**
   * The SYN was sent more than twice (probes.ts PROBE_SENDS), or the capture went on long enough
   * after the last to show a kernel's next resend (as far as it was read when the attempt ended).
   */
  watched: boolean;
}

export interface FloodTarget {
  ip: string;
  port: number;
  /** Attempts that stopped at the SYN, and the earliest and latest start among them. */
  attempts: number;
  firstFrame: number;
  firstTs: number;
  lastTs: number;
  firstClient: string;
  /** Distinct source addresses of those attempts (counted up to the bounds: sourcesAtLeast). */
  sources: Set<string>;
  sourcesAtLeast: boolean;
  /** Of those attempts: the capture went on RETRY_WAIT after them; of these, sent once. */
  watched: number;
  sentOnce: number;
  /** Answered with a SYN-ACK that was never acknowledged. */
  synAcked: number;
  /** Attempts to the same server and port that completed their handshake, in the capture (set when judged). */
  completed: number;
  /** The most attempts stopped at the SYN that started within one second (by whole second of capture time). */
  rate: PeakRate;
  /** The attempts over the capture's time (the summary's timeline). */
  line: Timeline;
}


export class FloodWatch {
  private readonly targets = new Map<string, FloodTarget>();
  /** Attempts that completed their handshake, by server and port (MAX_COMPLETED of them; a flood's own target is counted when among them). */
  private readonly completed = new Map<string, number>();
  private sourcesKept = 0;

  /** `origin`: the capture's first time (s), the timelines' origin. */
  constructor(private readonly origin: () => number) {}

  /** One TCP attempt to `ip`:`port` from `client` that started at `start`; `now`: the capture time so far. */
  offer(ip: string, port: number, client: string, start: number, syn: SynStage, now: number): void {
    const key = `${ip}|${port}`;
    if (!syn.stopped) {
      const n = this.completed.get(key);
      if (n !== undefined) this.completed.set(key, n + 1);
      else if (this.completed.size < MAX_COMPLETED) this.completed.set(key, 1);
      return;
    }
    let t = this.targets.get(key);
    if (t === undefined) {
      if (this.targets.size >= MAX_TARGETS) return;
      t = {
        ip, port, attempts: 0, firstFrame: syn.frame, firstTs: start, lastTs: start, firstClient: client, sources: new Set(), sourcesAtLeast: false,
        watched: 0, sentOnce: 0, synAcked: 0, completed: 0, rate: new PeakRate(), line: new Timeline(this.origin()),
      };
      this.targets.set(key, t);
    }
    t.attempts++;
    if (start < t.firstTs) {
      t.firstTs = start;
      t.firstFrame = syn.frame;
      t.firstClient = client;
    }
    if (start > t.lastTs) t.lastTs = start;
    if (!t.sources.has(client)) {
      if (t.sources.size < MAX_SOURCES && this.sourcesKept < SOURCE_BUDGET) {
        t.sources.add(client);
        this.sourcesKept++;
      } else t.sourcesAtLeast = true;
    }
    if (now - start >= RETRY_WAIT) {
      t.watched++;
      if (syn.sends === 1) t.sentOnce++;
    }
    if (syn.synAcked) t.synAcked++;
    t.line.add(start);
    t.rate.add(start);
  }

  /** The servers and ports under a flood (see the file comment). */
  floods(): FloodTarget[] {
    const out: FloodTarget[] = [];
    for (const [key, t] of this.targets) {
      t.completed = this.completed.get(key) ?? 0;
      if (isFlood(t)) out.push(t);
    }
    return out;
  }
}

export function isFlood(t: FloodTarget): boolean {
  if (t.attempts < FLOOD_ATTEMPTS || t.sources.size < FLOOD_SOURCES || t.rate.peak < FLOOD_PEAK) return false;
  if (t.completed > COMPLETED_SHARE * t.attempts) return false;
  // Where the capture watched long enough after most attempts, most were sent once; where it
  // could not, the rate alone must be beyond any set of clients.
  if (t.watched >= (1 - SENT_ONCE_SHARE) * t.attempts) return t.sentOnce >= SENT_ONCE_SHARE * t.watched;
  return t.rate.peak >= FLOOD_PEAK_UNWATCHED;
}
