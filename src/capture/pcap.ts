/**
 * Classic libpcap files (https://www.tcpdump.org/manpages/pcap-savefile.5.html and
 * draft-ietf-opsawg-pcap): a 24-byte file header, then records of a 16-byte header + data.
 * Both byte orders; magic 0xA1B2C3D4 = microseconds, 0xA1B23C4D = nanoseconds; also the
 * "modified" (Kuznetzov) variant 0xA1B2CD34 whose record headers carry 8 more bytes.
 */
import type { Framer } from './framer.js';
import { CaptureError, MAX_RECORD, type CaptureInfo, type RawPacket } from './types.js';

export const PCAP_MAGIC_US = 0xa1b2c3d4;
export const PCAP_MAGIC_NS = 0xa1b23c4d;
export const PCAP_MAGIC_MODIFIED = 0xa1b2cd34;

const FILE_HEADER = 24;

function isPcapMagic(m: number): boolean {
  return m === PCAP_MAGIC_US || m === PCAP_MAGIC_NS || m === PCAP_MAGIC_MODIFIED;
}

export class PcapFramer implements Framer {
  readonly format = 'pcap' as const;
  produced = false;
  readonly otherFrames = 0;
  private le = true;
  private nanos = false;
  private recHeader = 16;
  private linkType = 1;
  private snaplen = 0;
  /** 0: lengths in order; 1: always swapped (version < 2.3); 2: swapped when caplen > origlen (2.3). */
  private swapLens = 0;

  header(_buf: Uint8Array, dv: DataView, pos: number, end: number, base: number, info: CaptureInfo): number {
    if (end - pos < FILE_HEADER) return -FILE_HEADER;
    const be = dv.getUint32(pos, false);
    const le = dv.getUint32(pos, true);
    if (isPcapMagic(le)) {
      this.le = true;
    } else if (isPcapMagic(be)) {
      this.le = false;
    } else {
      throw new CaptureError('BAD_MAGIC', { kind: 'not_pcap', args: { magic: be } }, base + pos);
    }
    const magic = this.le ? le : be;
    this.nanos = magic === PCAP_MAGIC_NS;
    this.recHeader = magic === PCAP_MAGIC_MODIFIED ? 24 : 16;
    const major = dv.getUint16(pos + 4, this.le);
    if (major !== 2) {
      throw new CaptureError('BAD_HEADER', { kind: 'pcap_version', args: { major } }, base + pos + 4);
    }
    // libpcap before file version 2.3 wrote the captured and original lengths in the other
    // order; 2.3 files exist in both orders (libpcap's sf-pcap.c "swapped" handling).
    const minor = dv.getUint16(pos + 6, this.le);
    this.swapLens = minor < 3 ? 1 : minor === 3 ? 2 : 0;
    this.snaplen = dv.getUint32(pos + 16, this.le);
    // The link-layer type is the low 16 bits; the upper bits may carry FCS information.
    this.linkType = dv.getUint32(pos + 20, this.le) & 0xffff;
    info.interfaces.push({ linkType: this.linkType, snaplen: this.snaplen, name: null, tsDigits: this.nanos ? 9 : 6 });
    return FILE_HEADER;
  }

  next(buf: Uint8Array, dv: DataView, pos: number, end: number, base: number, pkt: RawPacket, _info: CaptureInfo): number {
    const h = this.recHeader;
    if (end - pos < h) return -h;
    const le = this.le;
    let capLen = dv.getUint32(pos + 8, le);
    let origLen = dv.getUint32(pos + 12, le);
    if (this.swapLens === 1 || (this.swapLens === 2 && capLen > origLen)) {
      const t = capLen;
      capLen = origLen;
      origLen = t;
    }
    if (capLen > MAX_RECORD) {
      throw new CaptureError('BAD_RECORD', { kind: 'record_length', args: { length: capLen, max: MAX_RECORD } }, base + pos);
    }
    const total = h + capLen;
    if (end - pos < total) return -total;
    const frac = dv.getUint32(pos + 4, le);
    pkt.tsSec = dv.getUint32(pos, le);
    pkt.tsNsec = this.nanos ? frac : frac * 1000;
    pkt.origLen = origLen;
    pkt.linkType = this.linkType;
    pkt.iface = 0;
    pkt.buf = buf;
    pkt.off = pos + h;
    pkt.capLen = capLen;
    this.produced = true;
    return total;
  }
}
