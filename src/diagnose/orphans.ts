/**
 * ICMP errors alone: the capture holds the error but not the packet it answers (taken on a
 * router, or filtered to ICMP). They are gathered so that a target is told once and the pattern
 * of the quoted packets can be read — what the packets prove, and no more:
 *
 * - Probes: traceroute, mtr and `ping -t` send packets with a small TTL on purpose, each one
 *   different (UDP to a new port from 33434 up, the IANA traceroute port — mtr's from 33000 —
 *   or an echo request with a new sequence number), so that the routers on the way answer with time exceeded, and the
 *   destination with port unreachable. Errors that quote such packets, each packet once, with a
 *   small quoted TTL, are what those tools produce: no failure is shown.
 * - One connection's packets expiring again and again (a TCP SYN and its retransmissions, DNS to
 *   port 53, the same probe quoted twice) are not probes sent with a rising TTL: an ordinary
 *   connection's packets are running out of TTL on the way, which is what a routing loop does.
 *
 * The quoted TTL is the TTL the packet had when it reached the error's sender: 1 (or 0) for a
 * time exceeded in transit, whatever the packet left with; for a port unreachable, what was left
 * when it arrived — small for a probe sent with just enough TTL, 30 to 60 or more for an ordinary
 * packet. A group is probe-like only when no quoted TTL is above PROBE_TTL.
 */
import type { IcmpError } from '../track/icmp.js';
import { isTimeExceeded, PROBE_TTL } from './traceroute.js';

/** The first port of traceroute's UDP probes (IANA "traceroute"), and the last of its default range (base + 100). */
export const TRACEROUTE_PORT = 33434;
export const TRACEROUTE_LAST_PORT = 33534;
/** mtr's UDP probes go to its sequence numbers as ports, from 33000 up. */
const PROBE_PORT_FLOOR = 33000;
/** Ports outside the default range count when several follow closely: on average within this step of each other. */
const PORT_STEP = 64;

const MAX_GROUPS = 1000;
const MAX_KEPT = 8;
const MAX_PORTS = 4096;
const PORT_EXAMPLES = 20;
const MAX_IDS = 1024;
/** The same quoted packet within this many seconds: the capture saw one error twice (two interfaces). */
const DUPLICATE_S = 0.01;

/** What the quoted packets look like: probes of traceroute / mtr (UDP) or of ping / traceroute -I / mtr (echo). */
export type ProbeKind = 'udp' | 'echo';

/** The errors alone of one client to one target, from one sender, of one type and code. */
export interface Orphans {
  first: IcmpError;
  /** The first MAX_KEPT errors, in frame order. */
  errors: IcmpError[];
  /** How many errors (capture duplicates left out). */
  count: number;
  /** The lowest quoted destination ports, distinct, ascending (PORT_EXAMPLES at most), how many there were, and their range (-1: none). */
  ports: number[];
  portCount: number;
  loPort: number;
  hiPort: number;
  /** Errors that quote a packet an earlier error of the group quoted (the same ports and TCP or echo sequence). */
  repeats: number;
  /** The smallest and largest quoted TTL (-1 when none was quoted). */
  minTtl: number;
  maxTtl: number;
  /** Probe-like (see the file's comment), else null. */
  probe: ProbeKind | null;
}

interface Building extends Orphans {
  ids: Map<string, { ts: number; ipId: number }>;
  portSet: Set<number>;
}

/** ICMP port unreachable (3/3) or ICMPv6 port unreachable (1/4). */
export const isPortUnreachable = (e: IcmpError): boolean => (e.v6 ? e.type === 1 && e.code === 4 : e.type === 3 && e.code === 3);

/** The quoted packet is an echo request (ICMP 8, ICMPv6 128). */
export const quotesEchoRequest = (e: IcmpError): boolean =>
  e.quoted !== null && ((e.quoted.proto === 1 && e.quoted.icmpType === 8) || (e.quoted.proto === 58 && e.quoted.icmpType === 128));

/** A UDP datagram from an unprivileged port to a port in traceroute's default range (33434–33534). */
export const quotesUdpFromTraceroutePort = (e: IcmpError): boolean =>
  e.quoted !== null && e.quoted.proto === 17 && e.quoted.sport >= 1024 && e.quoted.dport >= TRACEROUTE_PORT && e.quoted.dport <= TRACEROUTE_LAST_PORT;

/** A UDP datagram from an unprivileged port to a port where probes of traceroute or mtr may go (33000 up). */
const quotesUdpToProbePort = (e: IcmpError): boolean =>
  e.quoted !== null && e.quoted.proto === 17 && e.quoted.sport >= 1024 && e.quoted.dport >= PROBE_PORT_FLOOR;

/** May this error answer a probe (its group judges whether it does)? Its ports are then not part of the group's key. */
function probeCandidate(e: IcmpError): boolean {
  if (isTimeExceeded(e)) return quotesUdpToProbePort(e) || quotesEchoRequest(e);
  return isPortUnreachable(e) && quotesUdpToProbePort(e);
}

/** Which packet an error quotes: its ports and TCP sequence, or its echo id and sequence. */
function identity(e: IcmpError): string {
  const q = e.quoted!;
  if (q.proto === 1 || q.proto === 58) return `${q.icmpType}|${q.icmpId}|${q.icmpSeq}`;
  return `${q.sport}|${q.dport}|${q.tcpSeq}`;
}

function probeOf(g: Orphans): ProbeKind | null {
  if (g.repeats > 0 || g.maxTtl < 0 || g.maxTtl > PROBE_TTL) return null;
  const e = g.first;
  if (quotesEchoRequest(e)) return isTimeExceeded(e) ? 'echo' : null;
  if (!quotesUdpToProbePort(e) || g.loPort < 0) return null;
  if (g.loPort >= TRACEROUTE_PORT && g.hiPort <= TRACEROUTE_LAST_PORT) return 'udp';
  // Outside the default range: several probes to ports that follow closely (mtr, traceroute -p).
  return g.portCount >= 2 && g.portCount < MAX_PORTS && g.hiPort - g.loPort <= PORT_STEP * g.portCount ? 'udp' : null;
}

/**
 * The errors alone, gathered by client, target, sender, type and code (the target's port too,
 * unless the error may answer a probe), each group judged; in the order of their first frames.
 * Errors without a quote, or past MAX_GROUPS groups, each make a group of their own.
 */
export function gatherOrphans(list: readonly IcmpError[]): Orphans[] {
  const groups = new Map<string, Building>();
  const out: Building[] = [];
  const sorted = [...list].sort((a, b) => a.frame - b.frame);
  for (const e of sorted) {
    const q = e.quoted;
    const key = q === null ? null
      : [q.src, q.dst, q.proto, e.from, e.v6 ? 6 : 4, e.type, e.code, probeCandidate(e) ? '*' : q.dport].join('|');
    let g = key === null ? undefined : groups.get(key);
    if (g === undefined) {
      g = { first: e, errors: [], count: 0, ports: [], portCount: 0, loPort: -1, hiPort: -1, repeats: 0, minTtl: -1, maxTtl: -1, probe: null, ids: new Map(), portSet: new Set() };
      out.push(g);
      if (key !== null && groups.size < MAX_GROUPS) groups.set(key, g);
    }
    if (q !== null) {
      const id = identity(e);
      const seen = g.ids.get(id);
      if (seen !== undefined) {
        // One error seen twice by the capture: not a second expiry.
        if (seen.ipId === q.ipId && Math.abs(e.ts - seen.ts) < DUPLICATE_S) continue;
        g.repeats++;
        seen.ts = e.ts;
        seen.ipId = q.ipId;
      } else if (g.ids.size < MAX_IDS) g.ids.set(id, { ts: e.ts, ipId: q.ipId });
      if (q.dport >= 0) {
        if (g.loPort < 0 || q.dport < g.loPort) g.loPort = q.dport;
        if (q.dport > g.hiPort) g.hiPort = q.dport;
        // Past MAX_PORTS distinct ports the count stops (and no group that large is probe-like).
        if (g.portSet.size < MAX_PORTS) g.portSet.add(q.dport);
        g.portCount = g.portSet.size;
      }
      if (q.ttl >= 0) {
        if (g.minTtl < 0 || q.ttl < g.minTtl) g.minTtl = q.ttl;
        if (q.ttl > g.maxTtl) g.maxTtl = q.ttl;
      }
    }
    g.count++;
    if (g.errors.length < MAX_KEPT) g.errors.push(e);
  }
  for (const g of out) {
    g.ports = [...g.portSet].sort((a, b) => a - b).slice(0, PORT_EXAMPLES);
    g.probe = g.first.quoted === null ? null : probeOf(g);
  }
  return out;
}
