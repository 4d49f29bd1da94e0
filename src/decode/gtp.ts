/**
 * GTP user-plane tunnels (3GPP TS 29.060 / 29.281): a T-PDU (message type 0xFF) carries an IP
 * packet. GTPv1-U on UDP 2152 has an 8-byte header, 4 more bytes when any of E/S/PN is set,
 * then a chain of extension headers; GTPv0 (UDP 3386, also used by GTP') has a fixed 20-byte
 * header.
 */
import type { Decoder } from './decoder.js';
import type { Packet } from './packet.js';

export const GTPU_PORT = 2152;
export const GTP0_PORT = 3386;
const T_PDU = 0xff;
const MAX_EXT = 8;

/** Returns true when an inner IP packet was found and decoded. */
export function decodeGtp(d: Decoder, p: Packet, b: Uint8Array, o: number, end: number): boolean {
  if (end - o < 8) return false;
  const flags = b[o]!;
  const version = flags >> 5;
  if (b[o + 1] !== T_PDU || (flags & 0x10) === 0) return false;
  let x: number;
  if (version === 0) {
    x = o + 20;
  } else if (version === 1) {
    x = o + 8;
    if (flags & 0x07) {
      x += 4;
      if (flags & 0x04) {
        // Extension headers: length in 4-byte units, next type in the last byte (0 = none).
        let next = b[x - 1]!;
        for (let n = 0; n < MAX_EXT && next !== 0; n++) {
          if (x >= end) return false;
          const len = b[x]! * 4;
          if (len === 0 || x + len > end) return false;
          next = b[x + len - 1]!;
          x += len;
        }
      }
    }
  } else return false;
  if (x >= end) return false;
  return d.ipByVersion(p, b, x, end);
}
