/**
 * Traceroutes: probes sent with small, rising TTLs (hop limits) to one destination, answered by
 * ICMP time-exceeded from the routers on the way and, once a probe gets there, by the destination
 * itself (a UDP probe's port unreachable, an echo reply, a TCP probe's SYN-ACK or RST). They are
 * one traceroute — its hops are facts worth showing — not a routing loop per probe and a closed
 * port at the end.
 *
 * A probe is a UDP datagram or a TCP SYN that left with a TTL of at most 32 (at the capture point:
 * systems send 64, 128 or 255) and drew an ICMP error, or an ICMP echo request whose time-exceeded
 * error the capture holds. The probes of one client to one destination are held back while the
 * capture is read, then judged together: a traceroute when routers answered (time exceeded) and
 * the TTLs rose, several routers answered, or the destination answered too. Otherwise each probe
 * goes back to the ordinary rules (a packet looping between two routers is a routing loop).
 */
import type { FinishedConn } from '../track/tracker.js';
import type { IcmpError } from '../track/icmp.js';
import type { IcmpConn } from '../track/icmpflow.js';
import type { EvidenceAt } from './outcome.js';
import { outcome, type Outcome } from './outcome.js';
import type { Placed } from './diagnose.js';
import { icmpFacts, quotesOriginator } from './rules-icmp.js';
import { proof, way } from './evidence.js';
import { evidenceKind } from './words.js';
import { isPortUnreachable, quotesUdpFromTraceroutePort, TRACEROUTE_LAST_PORT, TRACEROUTE_PORT } from './orphans.js';

const PROBE = evidenceKind<{ ttl: number }>('traceroute_probe', {
  en: (a) => `probe, TTL ${a.ttl}`,
  zh: (a) => `探测包，TTL ${a.ttl}`,
});

/** Largest TTL a probe leaves with (as captured); an ordinary packet has 64, 128 or 255 minus a few hops. */
export const PROBE_TTL = 32;
const MAX_HOPS = 64;
const MAX_HELD = 4096;

/** A time-exceeded error (TTL / hop limit ran out in transit: ICMP 11/0, ICMPv6 3/0). */
export const isTimeExceeded = (e: IcmpError): boolean => (e.v6 ? e.type === 3 : e.type === 11) && e.code === 0;

interface Hop {
  ip: string;
  ttl: number;
  first: IcmpError;
}

/** An attempt held back until its traceroute is judged: what goes back to the rules otherwise. */
export interface Held {
  /** A connection's outcome, ready for its group (placed only if this is no traceroute). */
  placed: Placed | null;
  orphan: IcmpError | null;
}

interface Trace {
  transport: 'udp' | 'tcp' | 'icmp';
  client: string;
  dst: string;
  ttls: Set<number>;
  hops: Map<string, Hop>;
  probes: number;
  firstFrame: number;
  firstProbe: EvidenceAt | null;
  reached: { how: 'port_unreachable' | 'echo_reply' | 'answer'; error: IcmpError | null } | null;
  /**
   * The probes the capture holds (not only their errors), all UDP datagrams sent once each to
   * traceroute's own ports (33434 to 33534): no program's datagrams.
   */
  tracerPorts: boolean;
  heldProbes: number;
  held: Held[];
}

export class Traceroutes {
  private readonly traces = new Map<string, Trace>();
  /** Echo requests answered, by requester|destination. */
  private readonly echoAnswered = new Set<string>();

  private trace(transport: Trace['transport'], client: string, dst: string, firstFrame: number): Trace {
    const key = `${transport}|${client}|${dst}`;
    let t = this.traces.get(key);
    if (t === undefined) {
      t = { transport, client, dst, ttls: new Set(), hops: new Map(), probes: 0, firstFrame, firstProbe: null, reached: null, tracerPorts: transport === 'udp', heldProbes: 0, held: [] };
      this.traces.set(key, t);
    }
    if (firstFrame < t.firstFrame) t.firstFrame = firstFrame;
    return t;
  }

  private hop(t: Trace, e: IcmpError, ttl: number): void {
    const h = t.hops.get(e.from);
    if (h === undefined) {
      if (t.hops.size < MAX_HOPS) t.hops.set(e.from, { ip: e.from, ttl, first: e });
    } else if (ttl < h.ttl) h.ttl = ttl;
  }

  /**
   * A finished UDP or TCP connection that may be a probe, with the outcome the rules gave it: kept
   * (true) when it is one, to be judged with its traceroute. Nothing of `f` is kept (the tracker
   * reuses it): `placed` is what goes back to the rules if this is no traceroute.
   */
  offer(f: FinishedConn, placed: Placed): boolean {
    const c = f.conn;
    const ttl = c.transport === 'tcp' ? c.synTtl : c.orig.ttl;
    if (ttl <= 0 || ttl > PROBE_TTL) return false;
    const errors = f.icmp.filter((e) => quotesOriginator(e, c));
    // A TCP probe that got through is answered by the destination (SYN-ACK or RST).
    const answered = c.transport === 'tcp' && (c.synAckFrame !== 0 || c.rsts.some((r) => !r.fromOrig));
    if (errors.length === 0 && !answered) return false;
    const t = this.trace(c.transport, c.orig.ip, c.resp.ip, c.firstFrame);
    t.probes++;
    t.heldProbes++;
    // (traceroute sends each probe once: a datagram sent again is a program's.)
    if (c.resp.port < TRACEROUTE_PORT || c.resp.port > TRACEROUTE_LAST_PORT || c.orig.pkts > 1) t.tracerPorts = false;
    if (t.ttls.size < MAX_HOPS) t.ttls.add(ttl);
    if (t.firstProbe === null || c.firstFrame < t.firstProbe.frame) t.firstProbe = proof(PROBE, c.firstFrame, c.start, way(c, true), { ttl });
    for (const e of errors) {
      if (e.from === c.resp.ip) t.reached ??= { how: c.transport === 'udp' ? 'port_unreachable' : 'answer', error: e };
      else if (isTimeExceeded(e)) this.hop(t, e, ttl);
    }
    if (answered) t.reached ??= { how: 'answer', error: null };
    if (t.held.length < MAX_HELD) t.held.push({ placed, orphan: null });
    return true;
  }

  /**
   * An ICMP error whose flow is not tracked (the probes are not in the capture): kept (true) when
   * it may belong to a traceroute — an echo request's time exceeded, or a UDP probe's (to a port
   * from traceroute's 33434 up, with a small quoted TTL) time exceeded or port unreachable from
   * the destination itself. For UDP the probe's port orders the hops (traceroute raises both).
   */
  offerOrphan(e: IcmpError): boolean {
    const q = e.quoted;
    if (q === null) return false;
    if ((q.proto === 1 || q.proto === 58) && isTimeExceeded(e)) {
      const t = this.trace('icmp', q.src, q.dst, e.frame);
      t.probes++;
      this.hop(t, e, t.hops.size + 1);
      if (t.held.length < MAX_HELD) t.held.push({ placed: null, orphan: e });
      return true;
    }
    if (!quotesUdpFromTraceroutePort(e) || q.ttl < 0 || q.ttl > PROBE_TTL) return false;
    const ended = isPortUnreachable(e) && e.from === q.dst;
    if (!isTimeExceeded(e) && !ended) return false;
    const t = this.trace('udp', q.src, q.dst, e.frame);
    t.probes++;
    if (ended) t.reached ??= { how: 'port_unreachable', error: e };
    else this.hop(t, e, q.dport);
    if (t.held.length < MAX_HELD) t.held.push({ placed: null, orphan: e });
    return true;
  }

  /** Whether a traceroute (of any kind) from `client` toward `dst` is held. */
  towards(client: string, dst: string): boolean {
    return this.traces.has(`icmp|${client}|${dst}`) || this.traces.has(`udp|${client}|${dst}`) || this.traces.has(`tcp|${client}|${dst}`);
  }

  /** An ICMP flow: an echo request (type 8 / 128) its destination answered. */
  addIcmpFlow(c: IcmpConn): void {
    if ((c.orig.port === 8 || c.orig.port === 128) && c.resp.pkts > 0 && this.echoAnswered.size < 100_000) this.echoAnswered.add(`${c.orig.ip}|${c.resp.ip}`);
  }

  /**
   * The traceroutes, judged: each with its outcome (ok, the hops in its details) and target; and
   * what was held back from those that are not, to go back to the rules.
   */
  judge(): { routes: Array<{ o: Outcome; client: string; dst: string; transport: Trace['transport']; firstFrame: number }>; back: Held[] } {
    const routes: Array<{ o: Outcome; client: string; dst: string; transport: Trace['transport']; firstFrame: number }> = [];
    const back: Held[] = [];
    for (const t of this.traces.values()) {
      if (t.transport === 'icmp' && this.echoAnswered.has(`${t.client}|${t.dst}`)) t.reached ??= { how: 'echo_reply', error: null };
      const rising = t.transport === 'icmp' ? false : t.ttls.size >= 2;
      // A capture cut short may hold one TTL's probes answered by one router, or only the last
      // probes the destination answered: sent with a small TTL to traceroute's own ports, they are
      // still a traceroute's (no program sends there with such a TTL).
      const tracer = t.tracerPorts && t.heldProbes > 0;
      const isRoute = t.hops.size >= 1 ? rising || t.hops.size >= 2 || t.reached !== null || tracer : t.reached !== null && tracer;
      if (!isRoute) {
        for (const h of t.held) back.push(h);
        continue;
      }
      const hops = [...t.hops.values()].sort((a, b) => a.ttl - b.ttl || a.first.frame - b.first.frame);
      const ev: EvidenceAt[] = [];
      if (t.firstProbe) ev.push(t.firstProbe);
      for (const h of hops.slice(0, 8)) ev.push(icmpFacts(h.first).proof);
      if (t.reached?.error) ev.push(icmpFacts(t.reached.error).proof);
      ev.sort((a, b) => a.frame - b.frame);
      const path = hops.map((h) => h.ip);
      if (t.reached) path.push(t.dst);
      const o = outcome('ok', ev, { traceroute: { hops: path, probes: t.probes, reached: t.reached !== null, endedBy: t.reached?.how ?? null } },
        { traceroute: true, hopCount: hops.length, reached: t.reached !== null }, 'ok');
      routes.push({ o, client: t.client, dst: t.dst, transport: t.transport, firstFrame: t.firstFrame });
    }
    return { routes, back };
  }
}
