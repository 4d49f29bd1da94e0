/** IPv4 (RFC 791): header with options, fragments reassembled, total length 0 (TSO) tolerated. */
import type { Decoder } from './decoder.js';
import { FRAG_PART, FRAG_REASSEMBLED, type Packet } from './packet.js';
import { malformed, truncated } from './stop.js';
import { viewOf } from './view.js';

export function decodeIpv4(d: Decoder, p: Packet, b: Uint8Array, o: number, end: number): void {
  if (end - o < 20) {
    p.stop = truncated('ipv4', o - p.off, 'packet ends inside the IPv4 header');
    return;
  }
  // The fixed header in 32-bit reads (20 bytes are there: checked above).
  const dv = viewOf(b);
  const w0 = dv.getUint32(o);
  const vihl = w0 >>> 24;
  if (vihl >> 4 !== 4) {
    p.stop = malformed('ipv4', o - p.off, `IP version ${vihl >> 4} in an IPv4 header`);
    return;
  }
  const ihl = (vihl & 15) * 4;
  if (ihl < 20) {
    p.stop = malformed('ipv4', o - p.off, `IPv4 header length ${ihl} is below 20`);
    return;
  }
  if (end - o < ihl) {
    p.stop = truncated('ipv4', o - p.off, 'packet ends inside the IPv4 options');
    return;
  }
  let total = w0 & 0xffff;
  // A zero total length is what TCP segmentation offload leaves in captures of outgoing
  // packets; the captured length is then the best guess (Wireshark does the same).
  if (total === 0) total = end - o;
  if (total < ihl) {
    p.stop = malformed('ipv4', o - p.off, `IPv4 total length ${total} is shorter than its header`);
    return;
  }
  if (p.ipVersion !== 0) p.tunnels++;
  p.ipVersion = 4;
  p.nb = b;
  p.ipOff = o;
  p.ipHdrLen = ihl;
  let ipEnd = o + total;
  if (ipEnd > end) ipEnd = end;
  p.ipEnd = ipEnd;
  p.tos = (w0 >>> 16) & 0xff;
  const w1 = dv.getUint32(o + 4);
  p.ipId = w1 >>> 16;
  const ff = w1 & 0xffff;
  p.df = (ff & 0x4000) !== 0;
  const more = (ff & 0x2000) !== 0;
  const fragOff = (ff & 0x1fff) * 8;
  const w2 = dv.getUint32(o + 8);
  p.ttl = w2 >>> 24;
  const proto = (w2 >>> 16) & 0xff;
  p.proto = proto;
  p.src4 = dv.getUint32(o + 12);
  p.dst4 = dv.getUint32(o + 16);
  if (more || fragOff > 0) {
    const key = `4:${p.src4}:${p.dst4}:${proto}:${p.ipId}`;
    const r = d.frags.add(key, p.tsSec, b.subarray(o, o + ihl), fragOff, more, b.subarray(o + ihl, ipEnd), proto);
    if (!r) {
      p.fragment = FRAG_PART;
      p.fragOff = fragOff;
      return;
    }
    p.fragment = FRAG_REASSEMBLED;
    p.fragOff = fragOff;
    p.nb = r.bytes;
    p.ipOff = 0;
    p.ipEnd = r.bytes.length;
    d.transport(p, r.bytes, ihl, r.bytes.length, proto, r.bytes.length);
    return;
  }
  d.transport(p, b, o + ihl, ipEnd, proto, o + total);
}
