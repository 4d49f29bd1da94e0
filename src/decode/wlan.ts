/**
 * Wireless and netfilter link types: IEEE 802.11 (LINKTYPE_IEEE802_11 = 105), with a radiotap
 * header (127), a Prism header (119), an AVS header (163) or a PPI header (192), and Linux NFLOG
 * (239, `tcpdump -i nflog:N`). Only what carries IP goes on: 802.11 data frames that are not
 * protected (a monitor-mode capture of an open network, or one decrypted by the capture tool) and
 * not fragmented, whose LLC/SNAP header names an EtherType; NFLOG's payload TLV. Management and
 * control frames, encrypted data and A-MSDUs hold no IP the decoder can read: they end here
 * without a stop (they are not damaged), like an Ethernet frame of an EtherType it does not read.
 *
 * Sources: IEEE 802.11-2020 §9.2.4 (frame control, address fields, QoS and HT control), RFC 1042
 * and IEEE 802.1H (SNAP encapsulation), radiotap.org (header, field alignment), the tcpdump link
 * types page (Prism, AVS, PPI, NFLOG), Linux nfnetlink_log.h (NFULA_PAYLOAD = 9).
 */
import type { Decoder } from './decoder.js';
import type { Packet } from './packet.js';
import { truncated } from './stop.js';
import { decodeEthernet } from './ethernet.js';

const WLAN_TYPE_DATA = 2;
/** Frame control flags (second byte). */
const TO_DS = 0x01;
const FROM_DS = 0x02;
const MORE_FRAGMENTS = 0x04;
const PROTECTED = 0x40;
const ORDER = 0x80;

/** An 802.11 frame from `o` to `end` (the FCS, if any, already left out). */
export function decodeIeee80211(d: Decoder, p: Packet, b: Uint8Array, o: number, end: number): void {
  if (end - o < 24) {
    // A control frame (an ACK is 10 bytes, RTS 16) or a cut frame: nothing of IP either way.
    if (end - o < 2) p.stop = truncated('802.11', o - p.off, 'frame shorter than the frame control field');
    return;
  }
  const fc0 = b[o]!;
  const flags = b[o + 1]!;
  if ((fc0 & 0x03) !== 0 || ((fc0 >> 2) & 0x03) !== WLAN_TYPE_DATA) return;
  const subtype = fc0 >> 4;
  // Null-function subtypes (bit 2 of the subtype) carry no data.
  if ((subtype & 0x04) !== 0) return;
  if ((flags & (PROTECTED | MORE_FRAGMENTS)) !== 0) return;
  const fragmentNumber = b[o + 22]! & 0x0f;
  if (fragmentNumber !== 0) return;
  let h = 24;
  if ((flags & (TO_DS | FROM_DS)) === (TO_DS | FROM_DS)) h += 6;
  if ((subtype & 0x08) !== 0) {
    // QoS data: two bytes of QoS control; bit 7 of its first byte marks an A-MSDU (not read).
    if (end - o < h + 2) {
      p.stop = truncated('802.11', o - p.off, 'frame ends inside the QoS control field');
      return;
    }
    if ((b[o + h]! & 0x80) !== 0) return;
    h += 2;
    if ((flags & ORDER) !== 0) h += 4; // HT control
  }
  decodeLlcSnap(d, p, b, o + h, end);
}

/** An LLC/SNAP header (RFC 1042 or 802.1H) and what it carries. */
function decodeLlcSnap(d: Decoder, p: Packet, b: Uint8Array, o: number, end: number): void {
  if (end - o < 8) {
    if (end - o > 0) p.stop = truncated('802.11', o - p.off, 'frame ends inside the LLC/SNAP header');
    return;
  }
  if (b[o] !== 0xaa || b[o + 1] !== 0xaa || b[o + 2] !== 0x03) return;
  const oui = (b[o + 3]! << 16) | (b[o + 4]! << 8) | b[o + 5]!;
  if (oui !== 0x000000 && oui !== 0x0000f8) return;
  d.etherType(p, b, o + 8, end, (b[o + 6]! << 8) | b[o + 7]!);
}

/** Flags field (present bit 1): the frame includes its FCS at the end. */
const RT_FLAG_FCS = 0x10;
/** Presence words read at most (each may announce another with bit 31). */
const RT_MAX_WORDS = 8;

/** A radiotap header, then the 802.11 frame. */
export function decodeRadiotap(d: Decoder, p: Packet, b: Uint8Array, o: number, end: number): void {
  if (end - o < 8) {
    p.stop = truncated('radiotap', o - p.off, 'frame shorter than the radiotap header');
    return;
  }
  const len = b[o + 2]! | (b[o + 3]! << 8);
  if (b[o] !== 0 || len < 8 || len > end - o) {
    p.stop = truncated('radiotap', o - p.off, 'radiotap header length beyond the frame');
    return;
  }
  // The presence words; the fields of the first (the radiotap namespace) follow the last word.
  let words = 1;
  while (words < RT_MAX_WORDS && (b[o + 4 * words + 3]! & 0x80) !== 0 && 4 + 4 * (words + 1) <= len) words++;
  const present = (b[o + 4]! | (b[o + 5]! << 8) | (b[o + 6]! << 16) | (b[o + 7]! << 24)) >>> 0;
  let fcs = false;
  if ((present & 0x02) !== 0) {
    // The Flags field: after TSFT (bit 0, 8 bytes aligned to 8) when present.
    let at = 4 + 4 * words;
    if ((present & 0x01) !== 0) at = ((at + 7) & ~7) + 8;
    if (at < len) fcs = (b[o + at]! & RT_FLAG_FCS) !== 0;
  }
  const frameEnd = fcs && end - (o + len) >= 4 ? end - 4 : end;
  decodeIeee80211(d, p, b, o + len, frameEnd);
}

/**
 * A monitoring header whose length is the 32-bit word at byte 4 (Prism: little-endian; AVS:
 * big-endian), then the 802.11 frame.
 */
function decodeLengthHeader(d: Decoder, p: Packet, b: Uint8Array, o: number, end: number, name: 'prism' | 'avs'): void {
  if (end - o < 8) {
    p.stop = truncated(name, o - p.off, `frame shorter than the ${name === 'avs' ? 'AVS' : 'Prism'} header`);
    return;
  }
  const len = name === 'avs'
    ? ((b[o + 4]! << 24) | (b[o + 5]! << 16) | (b[o + 6]! << 8) | b[o + 7]!) >>> 0
    : (b[o + 4]! | (b[o + 5]! << 8) | (b[o + 6]! << 16) | (b[o + 7]! << 24)) >>> 0;
  if (len < 8 || len > end - o) {
    p.stop = truncated(name, o - p.off, `${name === 'avs' ? 'AVS' : 'Prism'} header length beyond the frame`);
    return;
  }
  decodeIeee80211(d, p, b, o + len, end);
}

export const decodePrism = (d: Decoder, p: Packet, b: Uint8Array, o: number, end: number): void => decodeLengthHeader(d, p, b, o, end, 'prism');
export const decodeAvs = (d: Decoder, p: Packet, b: Uint8Array, o: number, end: number): void => decodeLengthHeader(d, p, b, o, end, 'avs');

/**
 * A PPI header (version, flags, length and the link type of what follows, little-endian), then
 * that link type's frame: 802.11 (105) or Ethernet (1) through the decoder's registry.
 */
export function decodePpi(d: Decoder, p: Packet, b: Uint8Array, o: number, end: number): void {
  if (end - o < 8) {
    p.stop = truncated('ppi', o - p.off, 'frame shorter than the PPI header');
    return;
  }
  const len = b[o + 2]! | (b[o + 3]! << 8);
  const dlt = (b[o + 4]! | (b[o + 5]! << 8) | (b[o + 6]! << 16) | (b[o + 7]! << 24)) >>> 0;
  if (b[o] !== 0 || len < 8 || len > end - o) {
    p.stop = truncated('ppi', o - p.off, 'PPI header length beyond the frame');
    return;
  }
  if (dlt === 105) decodeIeee80211(d, p, b, o + len, end);
  else if (dlt === 1) decodeEthernet(d, p, b, o + len, end);
}

const NFULA_PAYLOAD = 9;
/** TLVs read at most in one NFLOG frame. */
const NFLOG_MAX_TLVS = 64;

/**
 * Linux NFLOG: a 4-byte header (address family, version, resource id), then TLVs (length and type
 * in the capturing host's byte order, the length counting the 4-byte TLV header, each padded to 4
 * bytes); the packet is the payload TLV's value, an IP datagram of the header's family.
 */
export function decodeNflog(d: Decoder, p: Packet, b: Uint8Array, o: number, end: number): void {
  if (end - o < 4) {
    p.stop = truncated('nflog', o - p.off, 'frame shorter than the NFLOG header');
    return;
  }
  const family = b[o]!;
  let at = o + 4;
  for (let n = 0; n < NFLOG_MAX_TLVS && end - at >= 4; n++) {
    // Host byte order, not recorded in the file: the reading that fits the frame is the right one.
    const le = b[at]! | (b[at + 1]! << 8);
    const be = (b[at]! << 8) | b[at + 1]!;
    const fitsLe = le >= 4 && le <= end - at;
    const len = fitsLe ? le : be >= 4 && be <= end - at ? be : -1;
    if (len < 0) {
      p.stop = truncated('nflog', at - p.off, 'TLV length beyond the frame');
      return;
    }
    const type = fitsLe ? b[at + 2]! | (b[at + 3]! << 8) : (b[at + 2]! << 8) | b[at + 3]!;
    if ((type & 0x7fff) === NFULA_PAYLOAD) {
      if (len > 4) d.ipByVersion(p, b, at + 4, at + len, family === 2 ? 4 : family === 10 ? 6 : b[at + 4]! >> 4);
      return;
    }
    at += (len + 3) & ~3;
  }
}
