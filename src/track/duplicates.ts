/**
 * Packets read twice. `tcpdump -i any` on a host with a bridge sees each packet of a
 * container or a VM twice, on its veth or tap and on the bridge (docker0, cni0, virbr0), the same
 * IP packet microseconds apart; a mirror port that copies both the ingress and the egress of a
 * VLAN does the same. Read twice, such a packet looks like a retransmission: a segment sent again,
 * a duplicate ACK, a query repeated, a reset twice — signs of loss and of stalls that never
 * happened (`editcap -D` removes such copies; tshark and Wireshark read them as retransmissions).
 * Some stacks send a control packet twice themselves (macOS its RST, microseconds apart): read
 * once, it tells the same.
 *
 * A copy is an IP packet equal to one of the DUP_BEHIND packets before it, within DUP_WINDOW
 * seconds: the same length, addresses, TTL or hop limit (or one less: the packet after a router,
 * `tcpdump -i any` on the router itself, a mirror port of two VLANs it routes between), IPv4
 * identification, protocol, ports and
 * transport checksum; for TCP the same sequence, acknowledgement, flags, window and timestamp
 * value; for UDP the same payload as far as a sample tells (its first FP_HEAD and last FP_TAIL
 * bytes). The checksum alone does not tell: a capture on the sending host holds what checksum
 * offload left there (the same partial sum for every datagram of a length between two addresses),
 * and a UDP checksum may be 0 (none); a datagram's payload does (a request id, a sequence
 * number, a nonce near its start). A real retransmission differs: a new IPv4 identification, a
 * later TCP timestamp, and it comes a retransmission timeout later (200 ms at least on Linux, 1 s
 * for a SYN), not within microseconds. The link layer is not compared: the two copies may differ
 * there (a VLAN tag on one, Linux cooked capture's packet type, the MAC addresses a transparent
 * bridge rewrote).
 *
 * Bounded: a ring of DUP_BEHIND packets' fields; nothing per flow.
 */
import { FRAG_NONE, type Packet } from '../decode/packet.js';

/** Packets behind the current one compared with it (editcap -D compares 5). */
const DUP_BEHIND = 4;
/** Seconds within which a copy follows the packet it copies. */
export const DUP_WINDOW = 0.002;

/** Bytes of a UDP payload's start and end its fingerprint reads. */
const FP_HEAD = 64;
const FP_TAIL = 16;

const TCP = 6;
const UDP = 17;

export class Duplicates {
  /** Packets read once that were copies of one before them. */
  count = 0;
  private readonly ts = new Float64Array(DUP_BEHIND).fill(Number.NEGATIVE_INFINITY);
  private readonly len = new Int32Array(DUP_BEHIND);
  /** IPv4 identification, TTL (hop limit), and IP version << 8 | protocol. */
  private readonly id = new Int32Array(DUP_BEHIND);
  private readonly ttl = new Int32Array(DUP_BEHIND);
  private readonly proto = new Int32Array(DUP_BEHIND);
  private readonly ports = new Int32Array(DUP_BEHIND);
  private readonly seq = new Float64Array(DUP_BEHIND);
  private readonly ack = new Float64Array(DUP_BEHIND);
  /** Transport checksum << 8 | TCP flags. */
  private readonly sumFlags = new Int32Array(DUP_BEHIND);
  /** TCP: window << 0 and timestamp value; UDP: the payload's fingerprint and 0. */
  private readonly winFp = new Int32Array(DUP_BEHIND);
  private readonly tsVal = new Float64Array(DUP_BEHIND);
  private readonly src4 = new Float64Array(DUP_BEHIND);
  private readonly dst4 = new Float64Array(DUP_BEHIND);
  /** IPv6 addresses (32 bytes each). */
  private readonly addr6 = new Uint8Array(DUP_BEHIND * 32);
  private next = 0;

  /**
   * Is `p` (decoded) a copy of one of the packets just before it? If not, it is remembered. Only
   * whole IP packets with TCP or UDP are compared (a fragment, ICMP or another protocol never is).
   */
  copy(p: Packet, ts: number): boolean {
    const v = p.ipVersion;
    if (v === 0 || (p.proto !== TCP && p.proto !== UDP) || p.l4Off === 0 || p.fragment !== FRAG_NONE) return false;
    const b = p.nb;
    const l4 = p.l4Off;
    const sumAt = p.proto === TCP ? l4 + 16 : l4 + 6;
    if (sumAt + 2 > b.length) return false;
    const len = p.ipEnd - p.ipOff;
    const id = p.ipId;
    const ttl = p.ttl;
    const ports = ((p.sport & 0xffff) << 16) | (p.dport & 0xffff);
    const sumFlags = (((b[sumAt]! << 8) | b[sumAt + 1]!) << 8) | (p.tcpFlags & 0xff);
    const vp = (v << 8) | p.proto;
    const tcp = p.proto === TCP;
    const seq = tcp ? p.seq : 0;
    const ack = tcp ? p.ack : 0;
    const winFp = tcp ? p.win : fingerprint(b, p.payOff, p.payLen);
    const tsVal = tcp ? p.tsVal : 0;
    for (let i = 0; i < DUP_BEHIND; i++) {
      if (this.len[i] !== len || this.ports[i] !== ports || this.sumFlags[i] !== sumFlags || this.id[i] !== id || this.winFp[i] !== winFp) continue;
      // The same TTL, or one less: the packet again after a router (captured on both its sides);
      // not a packet to its own sender (a BFD echo, which the neighbour sends back one hop on).
      const hop = this.ttl[i]! - ttl;
      if (hop !== 0 && (hop !== 1 || toItself(p))) continue;
      if (this.proto[i] !== vp || this.seq[i] !== seq || this.ack[i] !== ack || this.tsVal[i] !== tsVal) continue;
      if (ts - this.ts[i]! > DUP_WINDOW || ts < this.ts[i]!) continue;
      if (v === 4 ? this.src4[i] !== p.src4 || this.dst4[i] !== p.dst4 : !this.sameAddr6(i, b, p.srcOff, p.dstOff)) continue;
      this.count++;
      return true;
    }
    const i = this.next;
    this.next = (i + 1) % DUP_BEHIND;
    this.ts[i] = ts;
    this.len[i] = len;
    this.id[i] = id;
    this.ttl[i] = ttl;
    this.proto[i] = vp;
    this.ports[i] = ports;
    this.seq[i] = seq;
    this.ack[i] = ack;
    this.sumFlags[i] = sumFlags;
    this.winFp[i] = winFp;
    this.tsVal[i] = tsVal;
    if (v === 4) {
      this.src4[i] = p.src4;
      this.dst4[i] = p.dst4;
    } else {
      const a = this.addr6;
      const o = i * 32;
      for (let k = 0; k < 16; k++) {
        a[o + k] = b[p.srcOff + k]!;
        a[o + 16 + k] = b[p.dstOff + k]!;
      }
    }
    return false;
  }

  private sameAddr6(i: number, b: Uint8Array, src: number, dst: number): boolean {
    const a = this.addr6;
    const o = i * 32;
    for (let k = 0; k < 16; k++) if (a[o + k] !== b[src + k] || a[o + 16 + k] !== b[dst + k]) return false;
    return true;
  }
}

/** A 32-bit hash of a payload's first FP_HEAD and last FP_TAIL bytes (those captured), and its length. */
function fingerprint(b: Uint8Array, off: number, len: number): number {
  let h = 0x811c9dc5 ^ len;
  const end = Math.min(off + len, b.length);
  const head = Math.min(end, off + FP_HEAD);
  for (let k = off; k < head; k++) h = Math.imul(h ^ b[k]!, 0x01000193);
  for (let k = Math.max(head, end - FP_TAIL); k < end; k++) h = Math.imul(h ^ b[k]!, 0x01000193);
  return h | 0;
}

/** A packet whose source and destination are the same address. */
function toItself(p: Packet): boolean {
  if (p.ipVersion === 4) return p.src4 === p.dst4;
  const b = p.nb;
  for (let k = 0; k < 16; k++) if (b[p.srcOff + k] !== b[p.dstOff + k]) return false;
  return true;
}
