/** UDP (RFC 768). */
import type { Packet } from './packet.js';
import { malformed, truncated } from './stop.js';
import { u16 } from './bytes.js';

export function decodeUdp(p: Packet, b: Uint8Array, o: number, end: number): void {
  p.l4Off = o;
  if (end - o < 4) {
    p.stop = truncated('udp', o - p.off, 'packet ends before the UDP ports');
    return;
  }
  p.sport = u16(b, o);
  p.dport = u16(b, o + 2);
  if (end - o < 8) {
    p.stop = truncated('udp', o - p.off, 'packet ends inside the UDP header');
    return;
  }
  const len = u16(b, o + 4);
  if (len < 8 && len !== 0) {
    p.stop = malformed('udp', o + 4 - p.off, `UDP length ${len} is below 8`);
    return;
  }
  p.payOff = o + 8;
  // Length 0 happens with IPv6 jumbograms and some offloads: take what was captured.
  const claimed = len === 0 ? end - p.payOff : len - 8;
  p.payWireLen = claimed;
  p.payLen = Math.max(0, Math.min(claimed, end - p.payOff));
}
