/**
 * ICMP errors about packets sent in another host's name (icmp.forged_source): errors alone (the
 * capture holds none of the packets they quote) from many hosts at once, about packets "from" one
 * address to many destinations, that address never seen sending in the capture. Someone sends
 * requests with that address as their source — a reflection or amplification attack aimed at it,
 * or a scan that forges it — and the answers, errors included, come to it (StopDDoS's captures of
 * a server under UDP amplification and SYN-ACK reflection: 246, 131 and 139 FAILs `icmp.*` about
 * requests the server never sent). Judged when the verdicts are made, over the errors alone;
 * those of a forged source are told by one verdict, not one failure per destination.
 *
 * When: at least FORGED_ERRORS errors quoting one source, from at least FORGED_SENDERS distinct
 * hosts about at least FORGED_DESTINATIONS distinct destinations, FORGED_PEAK of them within one
 * second. A host's own traffic draws errors from a few routers (a route, a firewall) or about few
 * destinations; a traceroute's, from one router per hop and one destination; a scan's, about
 * packets the capture holds (errors on its flows, not alone) when taken on the scanner.
 *
 * Bounded: the errors alone are the tracker's list; per source, SET_MAX senders and destinations
 * are told apart (past it, counts are "at least").
 */
import type { IcmpError } from '../track/icmp.js';
import { icmpCause } from '../decode/icmp-codes.js';
import { PeakRate, Timeline } from './timeline.js';

export const FORGED_ERRORS = 100;
export const FORGED_SENDERS = 50;
export const FORGED_DESTINATIONS = 50;
export const FORGED_PEAK = 100;
const SET_MAX = 65_536;
const PORT_EXAMPLES = 8;

export interface ForgedSource {
  /** The address the quoted packets came "from". */
  ip: string;
  errors: number;
  senders: Set<string>;
  destinations: Set<string>;
  /** Past SET_MAX, senders or destinations are more than their sets hold. */
  atLeast: boolean;
  /** The quoted packets' destination ports, distinct, lowest PORT_EXAMPLES (ascending). */
  ports: number[];
  /** Errors by the cause each would have been alone (icmp.port_unreachable, ...). */
  causes: Map<string, number>;
  first: IcmpError;
  lastTs: number;
  /** The most errors within one second of capture time. */
  rate: PeakRate;
  /** The errors over the capture's time (the summary's timeline). */
  line: Timeline;
}

/**
 * The sources forged in the errors alone (see the file comment), and the errors that are not
 * theirs. `sent(ip)`: the capture shows `ip` sending (a client of a connection or a lookup).
 */
export function forgedSources(errors: readonly IcmpError[], sent: (ip: string) => boolean, origin: number): { forged: ForgedSource[]; rest: IcmpError[] } {
  const by = new Map<string, ForgedSource>();
  for (const e of errors) {
    const q = e.quoted;
    if (q === null) continue;
    let s = by.get(q.src);
    if (s === undefined) {
      s = { ip: q.src, errors: 0, senders: new Set(), destinations: new Set(), atLeast: false, ports: [], causes: new Map(), first: e, lastTs: e.ts, rate: new PeakRate(), line: new Timeline(origin) };
      by.set(q.src, s);
    }
    s.errors++;
    s.line.add(e.ts);
    if (e.ts < s.first.ts) s.first = e;
    if (e.ts > s.lastTs) s.lastTs = e.ts;
    if (s.senders.size < SET_MAX) s.senders.add(e.from);
    else if (!s.senders.has(e.from)) s.atLeast = true;
    if (s.destinations.size < SET_MAX) s.destinations.add(q.dst);
    else if (!s.destinations.has(q.dst)) s.atLeast = true;
    if (q.dport >= 0 && !s.ports.includes(q.dport)) {
      s.ports.push(q.dport);
      s.ports.sort((a, b) => a - b);
      if (s.ports.length > PORT_EXAMPLES) s.ports.pop();
    }
    const cause = icmpCause(e) ?? 'icmp';
    s.causes.set(cause, (s.causes.get(cause) ?? 0) + 1);
    s.rate.add(e.ts);
  }
  const forged: ForgedSource[] = [];
  for (const s of by.values()) {
    if (s.errors >= FORGED_ERRORS && s.senders.size >= FORGED_SENDERS && s.destinations.size >= FORGED_DESTINATIONS && s.rate.peak >= FORGED_PEAK && !sent(s.ip)) forged.push(s);
  }
  if (forged.length === 0) return { forged, rest: [...errors] };
  const ips = new Set(forged.map((s) => s.ip));
  return { forged, rest: errors.filter((e) => e.quoted === null || !ips.has(e.quoted.src)) };
}
