/**
 * Link-layer registry: LINKTYPE value → decoder (https://www.tcpdump.org/linktypes.html).
 * Adding a link type is one line here and one small file.
 */
import type { Decoder } from './decoder.js';
import type { Packet } from './packet.js';
import { decodeEthernet } from './ethernet.js';
import { decodeSll, decodeSll2 } from './sll.js';
import { decodeNull, decodePpp, decodeRaw } from './null.js';
import { decodeAvs, decodeIeee80211, decodeNflog, decodePpi, decodePrism, decodeRadiotap } from './wlan.js';

export type LinkDecoder = (d: Decoder, p: Packet, b: Uint8Array, o: number, end: number) => void;

const LINKTYPE_NAMES: Record<number, string> = {
  0: 'NULL',
  1: 'ETHERNET',
  9: 'PPP',
  12: 'RAW',
  14: 'RAW',
  101: 'RAW',
  105: 'IEEE802_11',
  108: 'LOOP',
  113: 'LINUX_SLL',
  119: 'IEEE802_11_PRISM',
  127: 'IEEE802_11_RADIOTAP',
  163: 'IEEE802_11_AVS',
  192: 'PPI',
  228: 'IPV4',
  229: 'IPV6',
  239: 'NFLOG',
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
  [105, decodeIeee80211],
  [108, (d, p, b, o, e) => decodeNull(d, p, b, o, e, true)],
  [113, decodeSll],
  [119, decodePrism],
  [127, decodeRadiotap],
  [163, decodeAvs],
  [192, decodePpi],
  [228, (d, p, b, o, e) => decodeRaw(d, p, b, o, e, 4)],
  [229, (d, p, b, o, e) => decodeRaw(d, p, b, o, e, 6)],
  [239, decodeNflog],
  [276, decodeSll2],
]);
