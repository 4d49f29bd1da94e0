/**
 * Linux "cooked" captures (tcpdump -i any): SLL v1 (LINKTYPE_LINUX_SLL = 113, 16-byte header,
 * protocol at offset 14) and SLL2 (LINKTYPE_LINUX_SLL2 = 276, 20-byte header, protocol at 0).
 * The packet type says whether the capturing host sent the frame (4 = outgoing).
 */
import type { Decoder } from './decoder.js';
import { RARE_LINK, type Packet } from './packet.js';
import { truncated } from './stop.js';

const SLL_OUTGOING = 4;

export function decodeSll(d: Decoder, p: Packet, b: Uint8Array, o: number, end: number): void {
  if (end - o < 16) {
    p.stop = truncated('sll', o - p.off, 'frame shorter than a Linux cooked header');
    return;
  }
  p.rare |= RARE_LINK;
  p.outgoing = ((b[o]! << 8) | b[o + 1]!) === SLL_OUTGOING;
  d.etherType(p, b, o + 16, end, (b[o + 14]! << 8) | b[o + 15]!);
}

export function decodeSll2(d: Decoder, p: Packet, b: Uint8Array, o: number, end: number): void {
  if (end - o < 20) {
    p.stop = truncated('sll2', o - p.off, 'frame shorter than a Linux cooked v2 header');
    return;
  }
  p.rare |= RARE_LINK;
  p.outgoing = b[o + 10] === SLL_OUTGOING;
  d.etherType(p, b, o + 20, end, (b[o]! << 8) | b[o + 1]!);
}
