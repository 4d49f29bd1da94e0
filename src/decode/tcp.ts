/** TCP (RFC 9293): header, options MSS (2), window scale (3), SACK-permitted (4), SACK (5), timestamps (8, RFC 7323), the MD5 and AO signatures (19, 29: which one), MPTCP (30). */
import { RARE_TCP_OPTIONS, type Packet } from './packet.js';
import { malformed, truncated } from './stop.js';
import { u16 } from './bytes.js';
import { viewOf } from './view.js';

const MAX_OPTIONS = 40; // a TCP header has at most 40 option bytes
/** Option bytes 01 01 08 0a: NOP, NOP, kind 8 (Timestamps) of length 10. */
const NOP_NOP_TS = 0x0101080a;

export function decodeTcp(p: Packet, b: Uint8Array, o: number, end: number, wireEnd: number): void {
  p.l4Off = o;
  if (end - o < 20) {
    if (end - o < 4) {
      p.stop = truncated('tcp', o - p.off, 'packet ends before the TCP ports');
      return;
    }
    p.sport = u16(b, o);
    p.dport = u16(b, o + 2);
    p.stop = truncated('tcp', o - p.off, 'packet ends inside the TCP header');
    return;
  }
  // The fixed header in four 32-bit reads (bounds checked once each, above).
  const dv = viewOf(b);
  const ports = dv.getUint32(o);
  const w3 = dv.getUint32(o + 12);
  const hl = (w3 >>> 28) * 4;
  p.sport = ports >>> 16;
  p.dport = ports & 0xffff;
  p.seq = dv.getUint32(o + 4);
  p.ack = dv.getUint32(o + 8);
  p.tcpFlags = (w3 >>> 16) & 0xff;
  p.win = w3 & 0xffff;
  p.tcpHdrLen = hl;
  if (hl < 20) {
    p.stop = malformed('tcp', o + 12 - p.off, `TCP header length ${hl} is below 20`);
    return;
  }
  if (end - o < hl) {
    p.stop = truncated('tcp', o - p.off, 'packet ends inside the TCP options');
    return;
  }
  let x = o + 20;
  const optEnd = o + hl;
  if (x < optEnd) {
    p.rare |= RARE_TCP_OPTIONS;
    // The options of nearly every segment after the handshake (Linux, BSD, Windows): NOP, NOP,
    // Timestamps — read at once. Any other layout goes through the loop.
    if (hl === 32 && dv.getUint32(x) === NOP_NOP_TS) {
      p.tsVal = dv.getUint32(x + 4);
      p.tsEcr = dv.getUint32(x + 8);
      x = optEnd;
    }
  }
  for (let n = 0; n < MAX_OPTIONS && x < optEnd; n++) {
    const kind = b[x]!;
    if (kind === 0) break;
    if (kind === 1) {
      x++;
      continue;
    }
    if (x + 1 >= optEnd) break;
    const len = b[x + 1]!;
    if (len < 2 || x + len > optEnd) {
      p.stop = malformed('tcp', x - p.off, `TCP option ${kind} has an impossible length ${len}`);
      break;
    }
    switch (kind) {
      case 2:
        if (len === 4) p.mss = dv.getUint16(x + 2);
        break;
      case 3:
        if (len === 3) p.wscale = b[x + 2]!;
        break;
      case 4:
        p.sackPerm = true;
        break;
      case 5: // SACK, RFC 2018: the first block only
        if (len >= 10) {
          p.sackLe = dv.getUint32(x + 2);
          p.sackRe = dv.getUint32(x + 6);
        }
        break;
      case 30: // MPTCP, RFC 8684 §3
        p.mptcp = true;
        break;
      case 19: // TCP MD5 signature, RFC 2385
      case 29: // TCP-AO, RFC 5925
        p.tcpAuth = kind;
        break;
      case 8:
        if (len === 10) {
          p.tsVal = dv.getUint32(x + 2);
          p.tsEcr = dv.getUint32(x + 6);
        }
        break;
      default:
        break;
    }
    x += len;
  }
  p.payOff = o + hl;
  p.payLen = end > p.payOff ? end - p.payOff : 0;
  p.payWireLen = wireEnd > p.payOff ? wireEnd - p.payOff : 0;
}
