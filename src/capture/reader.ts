/**
 * Drives a container framer over a byte input with one reusable buffer: records are handed
 * out as offsets into it (no copy, no object per packet), and the buffer is compacted and
 * refilled when a record runs past its end. Memory is the buffer (1 MiB, grown only for a
 * larger record) whatever the file size.
 */
import type { ByteInput } from './input.js';
import type { Framer } from './framer.js';
import { gzipDamageWarning, gzipFailure, gzipRecordsWarning, type Gunzip, type GzipProblem } from './gzip.js';
import { CaptureError, newRawPacket, type CaptureInfo, type RawPacket } from './types.js';
import { captureErrorText, type CaptureReason } from './error-words.js';

export interface PacketSource extends AsyncIterable<RawPacket> {
  readonly info: CaptureInfo;
  /**
   * Calls `onPacket` for every packet in order and resolves with the capture facts at the end.
   * The packet object and its bytes are reused: copy what you keep. Return `false` to stop.
   */
  forEach(onPacket: (p: RawPacket) => void | boolean): Promise<CaptureInfo>;
  close(): void;
}

const DEFAULT_BUFFER = 1 << 20;
/** Decompressed bytes read past damaged records to find the gzip damage behind them. */
const MAX_DRAIN = 2 ** 32;
const MAX_BUFFER = 64 << 20;

const PACKET = 1;
const SKIPPED = 2;
const NEED = 0;
const END = -1;

/**
 * Numbers a packet just framed and counts it in the capture facts. `otherFrames`: records before
 * it that Wireshark numbers as frames but that hold no packet (Framer.otherFrames).
 */
function count(p: RawPacket, info: CaptureInfo, otherFrames: number): void {
  p.frame = ++info.packets + otherFrames;
  info.bytes += p.capLen;
  if (p.capLen < p.origLen) info.truncatedPackets++;
}

export function emptyInfo(source: string, compressed: boolean): CaptureInfo {
  return {
    source,
    format: 'pcap',
    compressed,
    interfaces: [],
    packets: 0,
    bytes: 0,
    truncatedPackets: 0,
    warnings: [],
    drops: null,
    damage: null,
  };
}

export class CaptureReader implements PacketSource {
  readonly info: CaptureInfo;
  private buf: Uint8Array;
  private dv: DataView;
  private pos = 0;
  private end = 0;
  /** File offset of buf[0]. */
  private base = 0;
  private need = 0;
  private eof = false;
  private headerDone = false;
  private finished = false;
  private readonly pkt: RawPacket = newRawPacket();

  constructor(
    private readonly input: ByteInput,
    private readonly framer: Framer,
    source: string,
    /** The gzip layer the input comes through, when the file is compressed. */
    private readonly gzip: Gunzip | null,
    bufferSize = DEFAULT_BUFFER,
  ) {
    this.info = emptyInfo(source, gzip !== null);
    this.info.format = framer.format;
    this.buf = new Uint8Array(bufferSize);
    this.dv = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
  }

  /** Parses what the buffer holds: a packet, a skipped block, or how much more it needs. */
  private step(): number {
    if (this.finished) return END;
    try {
      if (!this.headerDone) {
        const r = this.framer.header(this.buf, this.dv, this.pos, this.end, this.base, this.info);
        if (r < 0) {
          this.need = -r;
          return NEED;
        }
        this.pos += r;
        this.headerDone = true;
        return SKIPPED;
      }
      const r = this.framer.next(this.buf, this.dv, this.pos, this.end, this.base, this.pkt, this.info);
      if (r < 0) {
        this.need = -r;
        return NEED;
      }
      this.pos += r;
      if (!this.framer.produced) return SKIPPED;
    } catch (e) {
      if (this.headerDone && this.damage(e)) return END;
      throw e;
    }
    count(this.pkt, this.info, this.framer.otherFrames);
    return PACKET;
  }

  /** A container error after the first packet is damage: reported, and what was read stands. False for anything else. */
  private damage(e: unknown): boolean {
    if (!(e instanceof CaptureError) || this.info.packets === 0) return false;
    this.damaged(e.code, e.offset, e.reason);
    return true;
  }

  private damaged(code: CaptureError['code'], offset: number, reason: CaptureReason): void {
    const frame = this.info.packets + this.framer.otherFrames + 1;
    const message = captureErrorText(reason, 'en').message;
    this.info.damage = { code, offset, frame, message, reason };
    // Offsets of a compressed file's records are in its decompressed bytes. The reason is worded
    // in the report's language (report/warnings.ts); `message` is its English.
    this.info.warnings.push({ kind: 'damage', args: { code, message, reason: { kind: reason.kind, args: reason.args }, offset, frame, packets: this.info.packets, inflated: this.gzip !== null } });
    this.finished = true;
  }

  /** Makes `need` bytes available from pos; false at end of input. */
  private async refill(): Promise<boolean> {
    if (this.eof) return false;
    const keep = this.end - this.pos;
    if (this.need > this.buf.length) {
      if (this.need > MAX_BUFFER) {
        throw new CaptureError('BAD_RECORD', { kind: 'record_too_large', args: { bytes: this.need } }, this.base + this.pos);
      }
      const bigger = new Uint8Array(Math.max(this.need, this.buf.length * 2));
      bigger.set(this.buf.subarray(this.pos, this.end), 0);
      this.buf = bigger;
      this.dv = new DataView(bigger.buffer, bigger.byteOffset, bigger.byteLength);
    } else if (this.pos > 0) {
      this.buf.copyWithin(0, this.pos, this.end);
    }
    this.base += this.pos;
    this.pos = 0;
    this.end = keep;
    // Read at least once, and until the record is complete; a stream hands out what it has, so
    // a slow pipe (tcpdump -w - | wirewhy -) gets its packets analysed as they arrive.
    do {
      const n = await this.input.read(this.buf, this.end, this.buf.length - this.end);
      if (n === 0) {
        this.eof = true;
        break;
      }
      this.end += n;
    } while (this.end < this.need);
    return this.end - this.pos >= this.need;
  }

  private atEnd(): void {
    if (this.finished) return;
    this.finished = true;
    const gz = this.gzip;
    if (gz?.problem) {
      // The decompressed bytes ended because the gzip data is damaged: that is the damage to
      // report (a record cut by it is part of it), at its compressed offset.
      const p = gz.problem;
      if (!this.headerDone || this.info.packets === 0) throw gzipFailure(p);
      const w = { kind: 'gzip_damage', args: { problem: p.kind, offset: p.offset, detail: p.detail, packets: this.info.packets } };
      this.info.damage = { code: 'GZIP', offset: p.offset, frame: this.info.packets + this.framer.otherFrames + 1, message: gzipDamageWarning(p, this.info.packets), reason: w };
      this.info.warnings.push(w);
      return;
    }
    if (gz?.trailing) this.info.warnings.push({ kind: 'gzip_trailing', args: { bytes: gz.trailing.bytes, offset: gz.trailing.offset } });
    const left = this.end - this.pos;
    if (!this.headerDone) {
      if (this.base + this.end === 0) {
        throw new CaptureError('EMPTY', { kind: 'empty', args: { source: 'the file', gunzip: false } }, 0);
      }
      throw new CaptureError('SHORT_HEADER', { kind: 'short', args: { source: 'the file', gunzip: false, bytes: this.base + this.end } }, 0);
    }
    if (left > 0) {
      if (this.info.packets === 0) {
        throw new CaptureError('CUT_SHORT', { kind: 'first_record_cut', args: { have: left, need: this.need } }, this.base + this.pos);
      }
      this.damaged('CUT_SHORT', this.base + this.pos, { kind: 'record_cut', args: { have: left, need: this.need } });
    }
  }

  /**
   * Every whole record in the buffer: next() in a loop with the reader's state in locals, rather
   * than one step() per record. False when the consumer asked to stop or the file is damaged
   * here. The record cut by the buffer's end is left to step(), which says how much more it needs.
   */
  private batch(onPacket: (p: RawPacket) => void | boolean): boolean {
    const framer = this.framer;
    const { buf, dv, end, base, pkt, info } = this;
    let pos = this.pos;
    for (;;) {
      let r: number;
      try {
        r = framer.next(buf, dv, pos, end, base, pkt, info);
      } catch (e) {
        this.pos = pos;
        if (this.damage(e)) return false;
        throw e;
      }
      if (r < 0) break;
      pos += r;
      if (!framer.produced) continue;
      count(pkt, info, framer.otherFrames);
      if (onPacket(pkt) === false) {
        this.pos = pos;
        return false;
      }
    }
    this.pos = pos;
    return true;
  }

  async forEach(onPacket: (p: RawPacket) => void | boolean): Promise<CaptureInfo> {
    try {
      for (;;) {
        if (this.headerDone && !this.finished && !this.batch(onPacket)) break;
        const r = this.step();
        if (r === PACKET) {
          if (onPacket(this.pkt) === false) break;
        } else if (r === NEED) {
          if (!(await this.refill())) {
            this.atEnd();
            break;
          }
        } else if (r === END) break;
      }
      await this.gzipBehindDamage();
    } finally {
      this.close();
    }
    return this.info;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<RawPacket> {
    try {
      for (;;) {
        const r = this.step();
        if (r === PACKET) yield this.pkt;
        else if (r === NEED) {
          if (!(await this.refill())) {
            this.atEnd();
            return;
          }
        } else if (r === END) {
          await this.gzipBehindDamage();
          return;
        }
      }
    } finally {
      this.close();
    }
  }

  /**
   * Damaged gzip data often decompresses to garbage for a while before zlib notices, so the
   * records break first. When they did, the rest of the compressed input is read (not analysed)
   * to see whether the gzip data is damaged, and if so that is the damage reported, at its
   * compressed offset, with where the records broke.
   */
  private async gzipBehindDamage(): Promise<void> {
    const d = this.info.damage;
    const gz = this.gzip;
    if (!d || d.code === 'GZIP' || !gz || gz.problem) return;
    // Bounded, for a stream that never ends (a pipe): past that, the records' damage stands alone.
    const scratch = new Uint8Array(1 << 16);
    for (let n = 0, r = 1; r > 0 && n < MAX_DRAIN; n += r) r = await this.input.read(scratch, 0, scratch.length);
    // (read again: reading the input may have set it)
    const p = gz.problem as GzipProblem | null;
    if (!p) return;
    const message = gzipRecordsWarning(p, d.offset, d.frame, this.info.packets);
    const w = { kind: 'gzip_records_damage', args: { problem: p.kind, offset: p.offset, detail: p.detail, recordOffset: d.offset, frame: d.frame, packets: this.info.packets } };
    this.info.warnings[this.info.warnings.length - 1] = w;
    this.info.damage = { code: 'GZIP', offset: p.offset, frame: d.frame, message, reason: w };
  }

  close(): void {
    this.input.close();
  }
}
