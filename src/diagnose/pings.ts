/**
 * Echo requests (ping) by requester and destination, across ICMP flows: how many were sent, and
 * whether any was answered (causes/icmp.echo_unanswered.ts judges them). Bounded: at most
 * MAX_PAIRS pairs; past it new pairs are not watched.
 */
import type { IcmpConn } from '../track/icmpflow.js';
import type { DhcpOfferOf } from '../track/dhcp.js';
import { spanOf, widen, type Span } from './span.js';

const MAX_PAIRS = 4_096;

export interface Pings extends Span {
  client: string;
  host: string;
  /** The name the client resolved the host's address by, when known. */
  name: string | null;
  requests: number;
  answered: boolean;
  /** Requests answered, and requests lost (IcmpConn.echoLost: unanswered while a later one was answered). */
  answeredCount: number;
  lostCount: number;
  /** The first lost requests (at most MAX_LOST_KEPT): frame and time. */
  lost: Array<{ ts: number; frame: number }>;
  /** Some flow had more requests waiting than it tracks: the loss count is a lower bound. */
  lossAtLeast: boolean;
  /**
   * Set by the diagnosis when the pinging host is a DHCP server that offered another address of the
   * same network right after the ping was answered (causes/dhcp.address_in_use.ts).
   */
  dhcpInstead?: DhcpOfferOf;
  /** The first echo reply matched to a request (frame 0: none). */
  reply: { frame: number; ts: number };
}

/** Lost requests kept for the evidence. */
const MAX_LOST_KEPT = 4;

export class PingWatch {
  private readonly byPair = new Map<string, Pings>();

  /** A finished ICMP flow: counted when its originator sent echo requests (ICMP type 8, ICMPv6 128). */
  offer(c: IcmpConn, name: string | null): void {
    if ((c.orig.port !== 8 && c.orig.port !== 128) || c.orig.pkts === 0) return;
    const key = `${c.orig.ip}|${c.resp.ip}`;
    let p = this.byPair.get(key);
    if (p === undefined) {
      if (this.byPair.size >= MAX_PAIRS) return;
      p = { client: c.orig.ip, host: c.resp.ip, name, requests: 0, answered: false, answeredCount: 0, lostCount: 0, lost: [], lossAtLeast: false, reply: { frame: 0, ts: Number.NaN }, ...spanOf(c.firstFrame, c.start, c.lastFrame, c.end) };
      this.byPair.set(key, p);
    }
    p.requests += c.orig.pkts;
    if (p.name === null) p.name = name;
    if (c.resp.pkts > 0) p.answered = true;
    p.answeredCount += c.echoAnswered;
    if (c.firstReplyFrame > 0 && (p.reply.frame === 0 || c.firstReplyFrame < p.reply.frame)) p.reply = { frame: c.firstReplyFrame, ts: c.firstReplyTs };
    const lost = c.echoLost();
    p.lostCount += lost.length;
    for (const l of lost) if (p.lost.length < MAX_LOST_KEPT) p.lost.push(l);
    if (c.echoOverflow) p.lossAtLeast = true;
    widen(p, c.firstFrame, c.start, c.lastFrame, c.end);
  }

  values(): IterableIterator<Pings> {
    return this.byPair.values();
  }

  clear(): void {
    this.byPair.clear();
  }
}
