/**
 * Link-layer registry: LINKTYPE value → decoder (https://www.tcpdump.org/linktypes.html).
 * Adding a link type is one line here and one small file.
 */
import type { Decoder } from './decoder.js';
import type { Packet } from './packet.js';
import { decodeEthernet } from './ethernet.js';
import { decodeSll, decodeSll2 } from './sll.js';
import { decodeNull, decodePpp, decodeRaw } from './null.js';

export type LinkDecoder = (d: Decoder, p: Packet, b: Uint8Array, o: number, end: number) => void;

const LINKTYPE_NAMES: Record<number, string> = {
  0: 'NULL',
  1: 'ETHERNET',
  9: 'PPP',
  12: 'RAW',
  14: 'RAW',
  101: 'RAW',
  108: 'LOOP',
  113: 'LINUX_SLL',
  228: 'IPV4',
  229: 'IPV6',
  276: 'LINUX_SLL2',
};

export function linkTypeName(t: number): string {
  return LINKTYPE_NAMES[t] ?? `LINKTYPE_${t}`;
}

export const LINK_DECODERS = new Map<number, LinkDecoder>([
  [0, (d, p, b, o, e) => decodeNull(d, p, b, o, e, false)],
  [1, decodeEthernet],
  [9, decodePpp],
  [12, (d, p, b, o, e) => decodeRaw(d, p, b, o, e, 0)],
  [14, (d, p, b, o, e) => decodeRaw(d, p, b, o, e, 0)],
  [101, (d, p, b, o, e) => decodeRaw(d, p, b, o, e, 0)],
  [108, (d, p, b, o, e) => decodeNull(d, p, b, o, e, true)],
  [113, decodeSll],
  [228, (d, p, b, o, e) => decodeRaw(d, p, b, o, e, 4)],
  [229, (d, p, b, o, e) => decodeRaw(d, p, b, o, e, 6)],
  [276, decodeSll2],
]);
