/**
 * ARP requests by sender (RFC 826, Ethernet and IPv4): a host that asks for many addresses of its
 * network in a burst is sweeping it. A stack asks ARP for a neighbour it is about to send to (its
 * gateway, a few local hosts, each again when its cache entry expires); nmap's host discovery on a
 * local network (which sends ARP before anything else, -PR), arp-scan and netdiscover ask for every
 * address of the subnet within a second or two, most of them addresses where no host is: so a
 * sweep is a burst of requests of which half or more got no reply in the capture (a monitoring
 * server checking its many neighbours at once asks for hosts that exist, and they answer). The
 * diagnosis then tells the sweeper's failed connection attempts to the swept hosts as its sweep
 * (tcp.address_scan), not as failures.
 *
 * Bounded: MAX_SENDERS senders (past it new ones are not watched), MAX_TARGETS distinct addresses
 * held per sender.
 */
import type { Time } from './types.js';
import { ipv4Number, ipv4ToString } from '../decode/addr.js';

/** Distinct addresses asked within ARP_SWEEP_SECONDS that make a sweep (Zeek's address-scan threshold, as SWEEP_HOSTS). */
export const ARP_SWEEP_ADDRESSES = 25;
/** A burst: the addresses asked within this many seconds (nmap asks a /24 in under one). */
export const ARP_SWEEP_SECONDS = 5;
const MAX_SENDERS = 1_024;
const MAX_TARGETS = 4_096;

/** A sender's sweep: its first and latest request, how many distinct addresses, their numeric range (IPv4). */
export interface ArpSweep {
  first: Time;
  firstFrame: number;
  /** The address its first request of the burst asked for. */
  firstTarget: string;
  last: Time;
  addresses: number;
  /** How many of the addresses asked (told apart) answered the sender. */
  answered: number;
  /** Whether more addresses were asked than MAX_TARGETS told apart (then `addresses` is a floor). */
  more: boolean;
  low: number;
  high: number;
}

interface Sender {
  start: Time;
  startFrame: number;
  startTarget: number;
  targets: Set<number>;
  /** Addresses among `targets` that answered the sender. */
  replied: Set<number>;
  sweep: ArpSweep | null;
}

export class ArpRequests {
  private readonly senders = new Map<number, Sender>();
  /** Sweeps found, by the sender's address text. */
  private readonly sweeps = new Map<string, ArpSweep>();

  /** One ARP request from `spa` for `tpa` (unsigned IPv4 numbers; not a probe from 0.0.0.0, not gratuitous). */
  request(spa: number, tpa: number, ts: Time, frame: number): void {
    let s = this.senders.get(spa);
    if (s === undefined) {
      if (this.senders.size >= MAX_SENDERS) return;
      s = { start: ts, startFrame: frame, startTarget: tpa, targets: new Set(), replied: new Set(), sweep: null };
      this.senders.set(spa, s);
    }
    const sw = s.sweep;
    if (sw !== null) {
      // The sweep goes on while its requests keep coming.
      if (!(ts - sw.last <= ARP_SWEEP_SECONDS)) return;
      sw.last = ts;
      if (s.targets.has(tpa)) return;
      if (s.targets.size >= MAX_TARGETS) {
        sw.more = true;
        return;
      }
      s.targets.add(tpa);
      sw.addresses++;
      if (tpa < sw.low) sw.low = tpa;
      if (tpa > sw.high) sw.high = tpa;
      return;
    }
    if (!(ts - s.start <= ARP_SWEEP_SECONDS)) {
      // A new window from this request on.
      s.start = ts;
      s.startFrame = frame;
      s.startTarget = tpa;
      s.targets.clear();
      s.replied.clear();
    }
    s.targets.add(tpa);
    if (s.targets.size < ARP_SWEEP_ADDRESSES) return;
    let low = Infinity;
    let high = -Infinity;
    for (const t of s.targets) {
      if (t < low) low = t;
      if (t > high) high = t;
    }
    s.sweep = { first: s.start, firstFrame: s.startFrame, firstTarget: ipv4ToString(s.startTarget), last: ts, addresses: s.targets.size, answered: s.replied.size, more: false, low, high };
    this.sweeps.set(ipv4ToString(spa), s.sweep);
  }

  /** An ARP reply from `spa` to `tpa`: counted when it answers an address `tpa` asked for (once per address). */
  reply(spa: number, tpa: number): void {
    if (this.senders.size === 0) return;
    const s = this.senders.get(tpa);
    if (s === undefined || !s.targets.has(spa) || s.replied.has(spa)) return;
    s.replied.add(spa);
    if (s.sweep !== null) s.sweep.answered++;
  }

  /** The sweep of the host with this address (dotted decimal), if it made one: half or more of the addresses it asked never answered. */
  sweepOf(ip: string): ArpSweep | undefined {
    if (this.sweeps.size === 0) return undefined;
    const a = this.sweeps.get(ip);
    return a !== undefined && a.answered * 2 <= a.addresses ? a : undefined;
  }
}

/** Probes this long after a sweep's last request are still its (nmap connects to the hosts that answered right after asking). */
const PROBE_AFTER = 120;

/** Whether a probe of `host` at `ts` falls within the sweep: an address in its range, sent while it ran or soon after. */
export function inArpSweep(a: ArpSweep, host: string, ts: Time): boolean {
  const n = ipv4Number(host);
  return n >= a.low && n <= a.high && ts >= a.first - 1 && ts <= a.last + PROBE_AFTER;
}
