/**
 * pcapng (draft-ietf-opsawg-pcapng): a sequence of blocks, each `type, total length, body,
 * total length`. A Section Header Block sets the byte order of its section and resets the
 * interface list; Interface Description Blocks give link type, snaplen and timestamp
 * resolution/offset; packets arrive in Enhanced, Simple or (obsolete) Packet Blocks. Interface
 * Statistics Blocks carry drop counters; every other block is skipped by its length.
 */
import type { Framer } from './framer.js';
import { CaptureError, MAX_RECORD, type CaptureInfo, type RawPacket } from './types.js';
import type { CaptureReason } from './error-words.js';

export const PCAPNG_SHB = 0x0a0d0d0a;
export const BYTE_ORDER_MAGIC = 0x1a2b3c4d;

export const BT_IDB = 1;
const BT_PB = 2; // obsolete Packet Block
const BT_SPB = 3;
const BT_NRB = 4;
export const BT_ISB = 5;
export const BT_EPB = 6;
const BT_JOURNAL = 9;
const BT_DSB = 10;
const BT_CUSTOM = 0x00000bad;
const BT_CUSTOM_NOCOPY = 0x40000bad;
/** Sysdig event blocks (v1, v2, v2 with large payload): Wireshark shows each as a frame. */
const isSysdigEvent = (type: number): boolean => type === 0x204 || type === 0x216 || type === 0x221;

/** Blocks larger than this are treated as corrupt rather than buffered. */
const MAX_BLOCK = 16 * 1024 * 1024;
/** Bound on options walked per block (each option is at least 4 bytes anyway). */
const MAX_OPTIONS = 1024;

interface Iface {
  linkType: number;
  snaplen: number;
  /** When the resolution is a power of ten, its exponent; -1 for powers of two. */
  digits: number;
  pow2: number;
  tsOffset: number;
}

const TWO32 = 4294967296;

export class PcapngFramer implements Framer {
  readonly format = 'pcapng' as const;
  produced = false;
  /**
   * Custom blocks, systemd journal export blocks and sysdig events read so far: Wireshark reads
   * each as a record and numbers it as a frame (tshark lists it), so the packets after one are
   * numbered past it (gopacket's pcapgo/tests test017, test018, test102, test202).
   */
  otherFrames = 0;
  private le = true;
  private ifaces: Iface[] = [];
  /** Index in info.interfaces of this section's first interface (interfaces of all sections are listed). */
  private ifaceBase = 0;
  /** Cumulative drop counters per interface (last ISB wins, as they are running totals). */
  private drops = new Map<number, number>();
  private unknownBlocks = 0;
  private lastSec = 0;
  private lastNsec = 0;
  /** A packet with a timestamp was read (the time a Simple Packet Block takes is then real). */
  private timed = false;
  /** Simple Packet Blocks before any packet with a timestamp, and their warning's place in info.warnings. */
  private untimed = 0;
  private untimedWarning = -1;
  private untimedOffset = 0;

  header(_buf: Uint8Array, dv: DataView, pos: number, end: number, base: number, info: CaptureInfo): number {
    return this.section(dv, pos, end, base, info);
  }

  /** Parses a Section Header Block at pos (the first block, or a later one). */
  private section(dv: DataView, pos: number, end: number, base: number, info: CaptureInfo): number {
    if (end - pos < 12) return -12;
    if (dv.getUint32(pos, true) !== PCAPNG_SHB) {
      throw new CaptureError('BAD_MAGIC', { kind: 'not_pcapng', args: {} }, base + pos);
    }
    const bom = dv.getUint32(pos + 8, true);
    if (bom === BYTE_ORDER_MAGIC) this.le = true;
    else if (dv.getUint32(pos + 8, false) === BYTE_ORDER_MAGIC) this.le = false;
    else {
      throw new CaptureError('BAD_HEADER', { kind: 'byte_order', args: {} }, base + pos + 8);
    }
    const len = dv.getUint32(pos + 4, this.le);
    this.checkLength(len, 28, pos, base);
    if (end - pos < len) return -len;
    const major = dv.getUint16(pos + 12, this.le);
    if (major !== 1) {
      throw new CaptureError('BAD_HEADER', { kind: 'pcapng_version', args: { major } }, base + pos + 12);
    }
    this.checkTrailer(dv, pos, len, base);
    this.ifaces = [];
    this.ifaceBase = info.interfaces.length;
    return len;
  }

  private checkLength(len: number, min: number, pos: number, base: number): void {
    if (len < min || len % 4 !== 0 || len > MAX_BLOCK) {
      throw new CaptureError('BAD_BLOCK', { kind: 'block_length', args: { length: len } }, base + pos);
    }
  }

  private checkTrailer(dv: DataView, pos: number, len: number, base: number): void {
    if (dv.getUint32(pos + len - 4, this.le) !== len) {
      throw new CaptureError('BAD_BLOCK', { kind: 'block_trailer', args: { at: base + pos } }, base + pos);
    }
  }

  next(buf: Uint8Array, dv: DataView, pos: number, end: number, base: number, pkt: RawPacket, info: CaptureInfo): number {
    this.produced = false;
    if (end - pos < 12) return -12;
    const type = dv.getUint32(pos, this.le);
    if (type === PCAPNG_SHB) return this.section(dv, pos, end, base, info);
    const len = dv.getUint32(pos + 4, this.le);
    this.checkLength(len, 12, pos, base);
    if (end - pos < len) return -len;
    this.checkTrailer(dv, pos, len, base);
    const le = this.le;
    switch (type) {
      case BT_EPB:
      case BT_PB: {
        if (len < 32) this.bad(pos, base, { kind: 'block_short', args: { block: type === BT_EPB ? 'EPB' : 'PB' } });
        // The obsolete Packet Block has a 16-bit interface id (then a 16-bit drop count).
        const ifi = type === BT_EPB ? dv.getUint32(pos + 8, le) : dv.getUint16(pos + 8, le);
        const iface = this.iface(ifi, pos, base);
        const capLen = dv.getUint32(pos + 20, le);
        if (capLen > len - 32 || capLen > MAX_RECORD) this.bad(pos, base, { kind: 'packet_length', args: { length: capLen } });
        this.timestamp(pkt, iface, dv.getUint32(pos + 12, le), dv.getUint32(pos + 16, le));
        pkt.origLen = dv.getUint32(pos + 24, le);
        pkt.linkType = iface.linkType;
        pkt.iface = this.ifaceBase + ifi;
        pkt.buf = buf;
        pkt.off = pos + 28;
        pkt.capLen = capLen;
        this.produced = true;
        return len;
      }
      case BT_SPB: {
        if (len < 16) this.bad(pos, base, { kind: 'block_short', args: { block: 'SPB' } });
        const iface = this.iface(0, pos, base);
        const origLen = dv.getUint32(pos + 8, le);
        let capLen = Math.min(origLen, len - 16);
        if (iface.snaplen > 0) capLen = Math.min(capLen, iface.snaplen);
        // A Simple Packet Block has no timestamp: keep the previous packet's, so time stays monotonic.
        pkt.tsSec = this.lastSec;
        pkt.tsNsec = this.lastNsec;
        // Before any packet with one, that is the epoch: the capture's start is then not real
        // (gopacket's pcapgo/tests test010, test011, test016, test018, test100), and is said so.
        if (!this.timed) this.untimedPacket(base + pos, info);
        pkt.origLen = origLen;
        pkt.linkType = iface.linkType;
        pkt.iface = this.ifaceBase;
        pkt.buf = buf;
        pkt.off = pos + 12;
        pkt.capLen = capLen;
        this.produced = true;
        return len;
      }
      case BT_IDB:
        this.interfaceBlock(buf, dv, pos, len, base, info);
        return len;
      case BT_ISB:
        this.statistics(dv, pos, len, info);
        return len;
      case BT_NRB:
      case BT_DSB:
        return len;
      case BT_JOURNAL:
      case BT_CUSTOM:
      case BT_CUSTOM_NOCOPY:
        this.otherFrames++;
        return len;
      default:
        if (isSysdigEvent(type)) this.otherFrames++;
        if (this.unknownBlocks++ === 0) {
          info.warnings.push({ kind: 'pcapng_unknown_block', args: { type, offset: base + pos } });
        }
        return len;
    }
  }

  private untimedPacket(offset: number, info: CaptureInfo): void {
    if (this.untimed++ === 0) {
      this.untimedWarning = info.warnings.length;
      this.untimedOffset = offset;
      info.warnings.push({ kind: 'pcapng_untimed', args: { packets: 1, offset } });
    } else {
      info.warnings[this.untimedWarning] = { kind: 'pcapng_untimed', args: { packets: this.untimed, offset: this.untimedOffset } };
    }
  }

  private bad(pos: number, base: number, why: CaptureReason): never {
    throw new CaptureError('BAD_BLOCK', why, base + pos);
  }

  private iface(i: number, pos: number, base: number): Iface {
    const f = this.ifaces[i];
    if (!f) this.bad(pos, base, { kind: 'no_interface', args: { iface: i } });
    return f;
  }

  private timestamp(pkt: RawPacket, f: Iface, hi: number, lo: number): void {
    let sec: number;
    let nsec: number;
    if (f.digits === 6 && hi < 0x200000) {
      // Microseconds, the default: hi * 2^32 + lo stays below 2^53, so doubles are exact.
      const units = hi * TWO32 + lo;
      sec = Math.floor(units / 1e6);
      nsec = (units - sec * 1e6) * 1000;
    } else {
      const units = (BigInt(hi) << 32n) | BigInt(lo);
      if (f.digits >= 0) {
        const per = 10n ** BigInt(f.digits);
        const s = units / per;
        sec = Number(s);
        const rem = Number(units - s * per);
        nsec = f.digits <= 9 ? rem * 10 ** (9 - f.digits) : Math.floor(rem / 10 ** (f.digits - 9));
      } else {
        const s = units >> BigInt(f.pow2);
        sec = Number(s);
        const rem = Number(units - (s << BigInt(f.pow2)));
        nsec = Math.floor((rem * 1e9) / 2 ** f.pow2);
      }
    }
    sec += f.tsOffset;
    pkt.tsSec = sec;
    pkt.tsNsec = nsec;
    this.lastSec = sec;
    this.lastNsec = nsec;
    this.timed = true;
  }

  private interfaceBlock(buf: Uint8Array, dv: DataView, pos: number, len: number, base: number, info: CaptureInfo): void {
    if (len < 20) this.bad(pos, base, { kind: 'block_short', args: { block: 'IDB' } });
    const le = this.le;
    const f: Iface = {
      linkType: dv.getUint16(pos + 8, le),
      snaplen: dv.getUint32(pos + 12, le),
      digits: 6,
      pow2: 0,
      tsOffset: 0,
    };
    let name: string | null = null;
    this.walkOptions(dv, pos + 16, pos + len - 4, (code, v, olen) => {
      if (code === 2 && olen > 0) name = Buffer.from(buf.buffer, buf.byteOffset + v, olen).toString('utf8').replace(/\0+$/, '');
      else if (code === 9 && olen >= 1) {
        const r = buf[v]!;
        if (r & 0x80) {
          f.digits = -1;
          f.pow2 = r & 0x7f;
        } else f.digits = r;
      } else if (code === 14 && olen >= 8) {
        const hi = dv.getInt32(le ? v + 4 : v, le);
        const lo = dv.getUint32(le ? v : v + 4, le);
        f.tsOffset = hi * TWO32 + lo;
      }
    });
    if (f.digits > 18 || f.pow2 > 62) this.bad(pos, base, { kind: 'ts_resolution', args: {} });
    this.ifaces.push(f);
    info.interfaces.push({ linkType: f.linkType, snaplen: f.snaplen, name, tsDigits: f.digits >= 0 ? f.digits : null });
  }

  /** Calls `each(code, valueOffset, length)` for the options in [o, end), up to opt_endofopt. */
  private walkOptions(dv: DataView, o: number, end: number, each: (code: number, v: number, olen: number) => void): void {
    const le = this.le;
    for (let n = 0; n < MAX_OPTIONS && o + 4 <= end; n++) {
      const code = dv.getUint16(o, le);
      const olen = dv.getUint16(o + 2, le);
      const v = o + 4;
      if (code === 0 || v + olen > end) break;
      each(code, v, olen);
      o = v + ((olen + 3) & ~3);
    }
  }

  private statistics(dv: DataView, pos: number, len: number, info: CaptureInfo): void {
    if (len < 24) return;
    const le = this.le;
    const ifi = dv.getUint32(pos + 8, le);
    let dropped = -1;
    this.walkOptions(dv, pos + 20, pos + len - 4, (code, v, olen) => {
      // isb_ifdrop (5): dropped by the interface; isb_osdrop (7): dropped by the OS.
      if ((code === 5 || code === 7) && olen === 8) {
        const hi = dv.getUint32(le ? v + 4 : v, le);
        const lo = dv.getUint32(le ? v : v + 4, le);
        dropped = Math.max(dropped, 0) + hi * TWO32 + lo;
      }
    });
    if (dropped >= 0) {
      this.drops.set(this.ifaceBase + ifi, dropped);
      let total = 0;
      for (const d of this.drops.values()) total += d;
      info.drops = total;
    }
  }
}
