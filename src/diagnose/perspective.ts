/**
 * Whose capture is this? The capture's own hosts — the address (one per family) that takes part
 * in most exchanges, when it takes part in at least half of them and clearly more than any other
 * (or the addresses given with --host) — tell inbound exchanges (a remote client refused by the
 * capturing server, a scanner's probes) from the host's own outbound ones. With no clear owner (a
 * capture on a router, one exchange between two hosts), there is no perspective and no verdict is
 * inbound.
 *
 * Counting is bounded: past MAX_ADDRESSES distinct addresses, new ones are not counted (the
 * owner, taking part in most exchanges, is among the first seen).
 */
import type { Verdict } from './verdict.js';

/**
 * Addresses counted at most. An owner takes part in at least half of all exchanges, so it is among
 * the first addresses seen; 20,000 entries cost about 2 MB, where 100,000 cost 10 MB of a busy
 * capture's peak memory (the bench's short connections: a million clients, one each).
 */
const MAX_ADDRESSES = 20_000;

export interface Perspective {
  hosts: string[];
  /** 'auto': found in the capture; 'option': given with --host. */
  from: 'auto' | 'option';
}

/** An address's count of exchanges (an object of its own: one lookup counts, where a number needs a second to store). */
interface Count {
  n: number;
}

export class Endpoints {
  private readonly counts = new Map<string, Count>();
  private flows4 = 0;
  private flows6 = 0;

  /** One exchange between `a` and `b` (a connection, a DNS transaction). */
  add(a: string, b: string): void {
    if (a.includes(':')) this.flows6++;
    else this.flows4++;
    this.bump(a);
    if (b !== a) this.bump(b);
  }

  private bump(ip: string): void {
    const c = this.counts.get(ip);
    if (c !== undefined) c.n++;
    else if (this.counts.size < MAX_ADDRESSES) this.counts.set(ip, { n: 1 });
  }

  /** The capture's own hosts (at most one per family), or none. */
  owners(): string[] {
    const out: string[] = [];
    for (const v6 of [false, true]) {
      const total = v6 ? this.flows6 : this.flows4;
      let best: string | null = null;
      let first = 0;
      let second = 0;
      for (const [ip, { n }] of this.counts) {
        if (ip.includes(':') !== v6) continue;
        if (n > first) {
          second = first;
          first = n;
          best = ip;
        } else if (n > second) second = n;
      }
      if (best !== null && first * 2 >= total && first > second) out.push(best);
    }
    return out;
  }
}

/**
 * Did the verdict's exchanges come from outside the capture's own hosts, to one of them? (A
 * remote client of the capturing server; for DNS, a remote client of a resolver on the host.)
 */
export function isInbound(v: Verdict, own: ReadonlySet<string>): boolean {
  if (own.size === 0) return false;
  const client = v.client.ip;
  if (client !== null && own.has(client)) return false;
  const server = v.target.ip ?? (typeof v.facts['server'] === 'string' ? v.facts['server'] : null);
  return server !== null && own.has(server);
}
