/**
 * A DHCP server's conflict check: before it hands out an address, the server pings it (RFC 2131
 * §2.2; ISC dhcpd and dnsmasq by default) and offers it when nothing answers. The pings' silence,
 * or the ICMP host unreachable of the router in front of the address, is the answer the server
 * hoped for: the address is free. Such pings are told as what they are (an ok verdict, listed with
 * --all), never as an unanswered ping or an unreachable host.
 *
 * A ping is the server's check when the pinging host offered (DHCPOFFER) or acknowledged (DHCPACK)
 * the pinged address within track/dhcp.ts PING_CHECK_SECONDS of it. A ping that got an echo reply
 * is no such check (the address is taken: a server does not offer it) and is judged as any ping.
 */
import type { DhcpOffer } from '../track/dhcp.js';
import type { IcmpError } from '../track/icmp.js';
import { outcome, type EvidenceAt, type Outcome } from './outcome.js';
import { proof } from './evidence.js';
import { evidenceKind } from './words.js';
import { icmpFacts } from './rules-icmp.js';
import { ECHO } from './causes/icmp.echo_unanswered.js';
import type { Pings } from './pings.js';

/** At most this many checks are told; past it they are still left out of the failures, uncounted. */
const MAX_CHECKS = 1_000;
const MAX_ERRORS = 4;

export const DHCP_OFFER = evidenceKind<{ address: string; ack: boolean }>('dhcp_offer', {
  en: (a) => (a.ack ? `DHCP ACK giving ${a.address}` : `DHCP OFFER of ${a.address}`),
  zh: (a) => (a.ack ? `分配 ${a.address} 的 DHCP ACK` : `提供 ${a.address} 的 DHCP OFFER`),
});

interface Check {
  server: string;
  address: string;
  offer: DhcpOffer;
  pings: Pings | null;
  errors: IcmpError[];
}

export class DhcpChecks {
  private readonly byPair = new Map<string, Check>();

  private of(server: string, address: string, offer: DhcpOffer): Check | null {
    const key = `${server}|${address}`;
    let c = this.byPair.get(key);
    if (c === undefined) {
      if (this.byPair.size >= MAX_CHECKS) return null;
      c = { server, address, offer, pings: null, errors: [] };
      this.byPair.set(key, c);
    }
    return c;
  }

  /** An ICMP error quoting a ping of the server's check (its quoted source is the server, its destination the address). */
  error(e: IcmpError, offer: DhcpOffer): void {
    const c = this.of(e.quoted!.src, e.quoted!.dst, offer);
    if (c !== null && c.errors.length < MAX_ERRORS) c.errors.push(e);
  }

  /** The pings of the server's check (not answered). */
  pinged(p: Pings, offer: DhcpOffer): void {
    const c = this.of(p.client, p.host, offer);
    if (c !== null) c.pings = p;
  }

  /** Each check: its ok outcome, the server (client of the pings), the address, the first frame. */
  *outcomes(): Generator<{ o: Outcome; server: string; address: string; firstFrame: number }> {
    for (const c of this.byPair.values()) {
      const ev: EvidenceAt[] = [];
      const dir = { from: c.server, to: c.address };
      if (c.pings !== null) ev.push(proof(ECHO, c.pings.first.frame, c.pings.first.ts, dir, { which: 'first' }));
      for (const e of c.errors) ev.push(icmpFacts(e).proof);
      ev.push(proof(DHCP_OFFER, c.offer.frame, c.offer.ts, { from: c.server, to: c.offer.to }, { address: c.address, ack: c.offer.ack }));
      ev.sort((a, b) => a.frame - b.frame);
      const first = c.errors[0];
      const answer = first === undefined ? 'none' : first.type === 3 && first.code === 1 ? 'host_unreachable' : 'icmp_error';
      const o = outcome('ok', ev, {
        dhcpConflictCheck: {
          pings: c.pings?.requests ?? 0, answer, ...(first !== undefined ? { from: first.from, type: first.type, code: first.code } : {}),
          offerFrame: c.offer.frame, offered: c.offer.ack ? 'ack' : 'offer',
        },
      }, { dhcpCheck: true, answer, errorFrom: first?.from ?? null, offerFrame: c.offer.frame }, 'ok');
      o.attempts = Math.max(1, c.pings?.requests ?? c.errors.length);
      yield { o, server: c.server, address: c.address, firstFrame: ev[0]!.frame };
    }
  }
}
