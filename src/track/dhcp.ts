/**
 * The addresses DHCP servers offered (DHCPOFFER) or acknowledged (DHCPACK), by server and time.
 *
 * Before it offers an address, a DHCP server may ping it (RFC 2131 §2.2: "the server SHOULD probe
 * the reused address before allocating the address, e.g., with an ICMP echo request"; ISC dhcpd
 * and dnsmasq do by default): silence, or an ICMP host unreachable from the router in front of the
 * address, is what it hopes for — the address is free. Such a ping is no failure, and the rules of
 * echo requests ask here whether the pinging host offered the pinged address close by in time.
 *
 * Only BOOTREPLY messages from port 67 with the DHCP magic cookie are read (RFC 2131 §3, RFC 2132
 * §9.6 option 53); the options are walked within the datagram's captured bytes, one step per option.
 */
import type { Packet } from '../decode/packet.js';
import { u32 } from '../decode/bytes.js';
import { ipv4ToString } from '../decode/addr.js';

/** At most this many server and address pairs are remembered; past it, new ones are not. */
const MAX_OFFERS = 4_096;
/** A ping and the offer of its address this close in time are one allocation (the server waits 1 s by default, dnsmasq up to 3 s). */
export const PING_CHECK_SECONDS = 10;

const BOOTREPLY = 2;
const MAGIC = 0x63825363;
const DHCPOFFER = 2;
const DHCPACK = 5;
/** Fixed BOOTP header before the magic cookie (RFC 2131 §2, figure 1). */
const OPTIONS_AT = 240;

/** An address a server offered (DHCPOFFER) or acknowledged (DHCPACK). */
export interface DhcpOffer {
  frame: number;
  /** Where the offer went: the client's new address, a broadcast, or the relay agent. */
  to: string;
  ts: number;
  ack: boolean;
}

/** An offer with the address it gave (DhcpOffers.offeredInstead). */
export interface DhcpOfferOf extends DhcpOffer {
  address: string;
}

/** Offers remembered per server and address, and per server for offeredInstead (the first ones, then the latest in the last place). */
const PER_ADDRESS = 16;
const PER_SERVER = 64;

/** `x` into `key`'s list of `m`: the first `max` kept, then the latest in the last place; at most MAX_OFFERS keys. */
function keep<T>(m: Map<string, T[]>, key: string, x: T, max: number): void {
  const list = m.get(key);
  if (list === undefined) {
    if (m.size < MAX_OFFERS) m.set(key, [x]);
  } else if (list.length < max) list.push(x);
  else list[max - 1] = x;
}

export class DhcpOffers {
  /** Offers of an address by a server (the first 16, then the latest in the last place), by `server|address`. */
  private readonly offers = new Map<string, DhcpOffer[]>();
  /** Offers by server, of any address (at most MAX_OFFERS servers, PER_SERVER offers each). */
  private readonly byServer = new Map<string, DhcpOfferOf[]>();

  /** A UDP datagram from port 67: remembered when a DHCPOFFER or DHCPACK gives an address. */
  see(p: Packet, ts: number): void {
    const b = p.nb;
    const at = p.payOff;
    const len = p.payLen;
    if (p.ipVersion !== 4 || len < OPTIONS_AT + 3 || b[at] !== BOOTREPLY) return;
    if (u32(b, at + 236) !== MAGIC) return;
    // yiaddr: the address given.
    const yi = u32(b, at + 16);
    if (yi === 0) return;
    const type = messageType(b, at + OPTIONS_AT, at + len);
    if (type !== DHCPOFFER && type !== DHCPACK) return;
    const server = p.srcAddr();
    const address = ipv4ToString(yi);
    const key = `${server}|${address}`;
    const offer: DhcpOffer = { frame: p.frame, to: p.dstAddr(), ts, ack: type === DHCPACK };
    keep(this.offers, key, offer, PER_ADDRESS);
    keep(this.byServer, server, { ...offer, address }, PER_SERVER);
  }

  /**
   * The first offer (or acknowledgement) by `server` of another address of the same /24 as
   * `address`, from `ts` to PING_CHECK_SECONDS after it, when `server` offered `address` itself
   * nowhere near `ts`; else null. A DHCP server whose ping of `address` was answered gives another
   * address instead (dnsmasq: "another is tried"; ISC dhcpd abandons the address).
   */
  offeredInstead(server: string, address: string, ts: number): DhcpOfferOf | null {
    const all = this.byServer.get(server);
    if (all === undefined || this.offered(server, address, ts) !== null) return null;
    const net = address.slice(0, address.lastIndexOf('.') + 1);
    if (net === '' || address.includes(':')) return null;
    for (const o of all) if (o.ts >= ts && o.ts - ts <= PING_CHECK_SECONDS && o.address !== address && o.address.startsWith(net)) return o;
    return null;
  }

  /** The first offer (or acknowledgement) of `address` by `server` within PING_CHECK_SECONDS of `ts`, else null. */
  offered(server: string, address: string, ts: number): DhcpOffer | null {
    const list = this.offers.get(`${server}|${address}`);
    if (list === undefined) return null;
    for (const o of list) if (Math.abs(o.ts - ts) <= PING_CHECK_SECONDS) return o;
    return null;
  }
}

/** Option 53's value in the options from `at` to `end`, or -1. */
function messageType(b: Uint8Array, at: number, end: number): number {
  let i = at;
  // Each step moves past at least one byte: bounded by the datagram.
  while (i < end) {
    const code = b[i]!;
    if (code === 255) return -1;
    if (code === 0) {
      i++;
      continue;
    }
    if (i + 1 >= end) return -1;
    const n = b[i + 1]!;
    if (code === 53 && n === 1 && i + 2 < end) return b[i + 2]!;
    i += 2 + n;
  }
  return -1;
}
