/**
 * Writes packets to a capture file as they arrive: pcapng (Section Header, one Interface
 * Description with if_name / if_tsresol = 9 (nanoseconds), Enhanced Packet Blocks, and an
 * Interface Statistics Block with the kernel's drop count at the end), or classic pcap
 * (microseconds) when the file name ends in `.pcap`. Formats: draft-ietf-opsawg-pcapng
 * (§4.1 SHB, §4.2 IDB, §4.3 EPB, §4.6 ISB) and draft-ietf-opsawg-pcap §4–5.
 *
 * Bytes go into one buffer that is written out when it fills and at least every `flushMs`, so
 * the file can be opened (tshark, Wireshark) while the capture runs and little is lost if the
 * process is killed with SIGKILL. The packet bytes are copied at once: the caller's buffer is
 * reused for the next packet. A write that fails (disk full...) throws from write() or close(),
 * also when it happened on the flush timer.
 */
import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';
import { PCAP_MAGIC_US } from './pcap.js';
import { BT_EPB, BT_IDB, BT_ISB, BYTE_ORDER_MAGIC, PCAPNG_SHB } from './pcapng.js';

export type WriterFormat = 'pcapng' | 'pcap';

export interface WriterOptions {
  linkType: number;
  snaplen: number;
  /** Interface name, stored in the pcapng IDB. */
  ifName?: string | null;
  /** BPF filter, stored in the pcapng IDB (if_filter). */
  filter?: string | null;
  /** Default: by extension (`.pcap` → pcap, anything else → pcapng). */
  format?: WriterFormat;
  /** Longest time bytes wait in memory before they are written (default 200 ms). */
  flushMs?: number;
  /** Written into the SHB (shb_userappl). */
  application?: string;
}

const BUF_SIZE = 1 << 20;
const enc = new TextEncoder();

/** A 64-bit value at o as pcapng stores timestamps: high 32 bits first, each word little-endian. */
function setHiLo(d: DataView, o: number, v: bigint): void {
  d.setUint32(o, Number(v >> 32n), true);
  d.setUint32(o + 4, Number(v & 0xffffffffn), true);
}

/** pcap by extension, else pcapng (tcpdump's and dumpcap's habit). */
export function formatForPath(path: string): WriterFormat {
  return /\.pcap$/i.test(path) ? 'pcap' : 'pcapng';
}

export class CaptureWriter {
  readonly format: WriterFormat;
  readonly path: string;
  /** Packets and bytes (file bytes, headers included) written so far. */
  packets = 0;
  fileBytes = 0;
  private fd: number | null;
  private buf = new Uint8Array(BUF_SIZE);
  private dv = new DataView(this.buf.buffer);
  private len = 0;
  private timer: NodeJS.Timeout | null = null;
  private readonly snaplen: number;

  constructor(path: string, o: WriterOptions) {
    this.path = path;
    this.format = o.format ?? formatForPath(path);
    this.snaplen = o.snaplen;
    this.fd = openSync(path, 'w');
    if (this.format === 'pcap') this.pcapHeader(o);
    else this.pcapngHeader(o);
    this.flush();
    const ms = o.flushMs ?? 200;
    this.timer = setInterval(() => {
      // A failure here (disk full, file size limit) must not escape a timer: it is kept, and the
      // next write() or close() throws it.
      try {
        this.flush();
      } catch (e) {
        this.failed = e;
        if (this.timer) clearInterval(this.timer);
        this.timer = null;
      }
    }, ms);
    this.timer.unref();
  }

  /** The error that stopped writing (a flush on the timer failed), if any. */
  failed: unknown = null;

  get closed(): boolean {
    return this.fd === null;
  }

  private room(n: number): void {
    if (this.len + n <= this.buf.length) return;
    this.flush();
    if (n > this.buf.length) {
      this.buf = new Uint8Array(n);
      this.dv = new DataView(this.buf.buffer);
    }
  }

  private pcapHeader(o: WriterOptions): void {
    this.room(24);
    const d = this.dv;
    d.setUint32(0, PCAP_MAGIC_US, true); // microsecond resolution, little-endian
    d.setUint16(4, 2, true);
    d.setUint16(6, 4, true);
    d.setInt32(8, 0, true);
    d.setUint32(12, 0, true);
    d.setUint32(16, o.snaplen, true);
    d.setUint32(20, o.linkType, true);
    this.len = 24;
  }

  /** Options block: [code, bytes] pairs, each padded to 32 bits, then opt_endofopt. */
  private static options(opts: Array<[number, Uint8Array]>): Uint8Array {
    let n = 4;
    for (const [, v] of opts) n += 4 + ((v.length + 3) & ~3);
    const out = new Uint8Array(n);
    const d = new DataView(out.buffer);
    let o = 0;
    for (const [code, v] of opts) {
      d.setUint16(o, code, true);
      d.setUint16(o + 2, v.length, true);
      out.set(v, o + 4);
      o += 4 + ((v.length + 3) & ~3);
    }
    return out; // the last 4 bytes stay zero: opt_endofopt
  }

  private block(type: number, body: Uint8Array): void {
    const total = 12 + body.length;
    this.room(total);
    const d = this.dv;
    const o = this.len;
    d.setUint32(o, type, true);
    d.setUint32(o + 4, total, true);
    this.buf.set(body, o + 8);
    d.setUint32(o + 8 + body.length, total, true);
    this.len += total;
  }

  private pcapngHeader(o: WriterOptions): void {
    const shbOpts = CaptureWriter.options([[4, enc.encode(o.application ?? 'wirewhy')]]);
    const shb = new Uint8Array(16 + shbOpts.length);
    const sd = new DataView(shb.buffer);
    sd.setUint32(0, BYTE_ORDER_MAGIC, true);
    sd.setUint16(4, 1, true);
    sd.setUint16(6, 0, true);
    sd.setInt32(8, -1, true); // section length unknown (written as it goes)
    sd.setInt32(12, -1, true);
    shb.set(shbOpts, 16);
    this.block(PCAPNG_SHB, shb);

    const idbList: Array<[number, Uint8Array]> = [];
    if (o.ifName) idbList.push([2, enc.encode(o.ifName)]);
    idbList.push([9, Uint8Array.of(9)]); // if_tsresol: 10^-9 s
    if (o.filter) {
      // if_filter: first byte 0 = libpcap filter string
      const f = enc.encode(o.filter);
      const v = new Uint8Array(1 + f.length);
      v.set(f, 1);
      idbList.push([11, v]);
    }
    const idbOpts = CaptureWriter.options(idbList);
    const idb = new Uint8Array(8 + idbOpts.length);
    const id = new DataView(idb.buffer);
    id.setUint16(0, o.linkType, true);
    id.setUint32(4, o.snaplen, true);
    idb.set(idbOpts, 8);
    this.block(BT_IDB, idb);
  }

  /** Appends one packet. `data[off .. off+capLen)` is copied at once. */
  write(tsSec: number, tsNsec: number, data: Uint8Array, off: number, capLen: number, origLen: number): void {
    if (this.fd === null) return;
    if (this.failed !== null) throw this.failed;
    if (capLen > this.snaplen) capLen = this.snaplen;
    if (origLen < capLen) origLen = capLen;
    const d = this.dv;
    if (this.format === 'pcap') {
      this.room(16 + capLen);
      const o = this.len;
      d.setUint32(o, tsSec, true);
      d.setUint32(o + 4, Math.floor(tsNsec / 1000), true);
      d.setUint32(o + 8, capLen, true);
      d.setUint32(o + 12, origLen, true);
      this.buf.set(data.subarray(off, off + capLen), o + 16);
      this.len += 16 + capLen;
    } else {
      const padded = (capLen + 3) & ~3;
      const total = 32 + padded;
      this.room(total);
      const o = this.len;
      // Timestamp in units of if_tsresol (ns) as a 64-bit count, high word first.
      const t = BigInt(tsSec) * 1_000_000_000n + BigInt(tsNsec);
      d.setUint32(o, BT_EPB, true);
      d.setUint32(o + 4, total, true);
      d.setUint32(o + 8, 0, true); // interface 0
      setHiLo(d, o + 12, t);
      d.setUint32(o + 20, capLen, true);
      d.setUint32(o + 24, origLen, true);
      this.buf.set(data.subarray(off, off + capLen), o + 28);
      this.buf.fill(0, o + 28 + capLen, o + 28 + padded);
      d.setUint32(o + 28 + padded, total, true);
      this.len += total;
    }
    this.packets++;
  }

  /** Writes what is buffered (called on a timer and when the buffer fills). */
  flush(): void {
    if (this.fd === null || this.len === 0) return;
    let done = 0;
    while (done < this.len) done += writeSync(this.fd, this.buf, done, this.len - done);
    this.fileBytes += this.len;
    this.len = 0;
  }

  /**
   * Finishes the file: pcapng gets an Interface Statistics Block (isb_filteraccept / isb_osdrop when
   * known), everything is written and synced, the file is closed. Safe to call more than once.
   */
  close(stats?: { received: number | null; dropped: number | null; ifDropped?: number | null; startNs?: bigint; endNs?: bigint }): void {
    if (this.fd === null) return;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (this.failed !== null) {
      // Writing already failed: what reached the file stays (it may end in a cut block).
      closeSync(this.fd);
      this.fd = null;
      throw this.failed;
    }
    if (this.format === 'pcapng' && stats) {
      const u64 = (v: bigint): Uint8Array => {
        const b = new Uint8Array(8);
        setHiLo(new DataView(b.buffer), 0, v);
        return b;
      };
      const le64 = (n: number): Uint8Array => {
        const b = new Uint8Array(8);
        new DataView(b.buffer).setBigUint64(0, BigInt(n), true);
        return b;
      };
      const list: Array<[number, Uint8Array]> = [];
      if (stats.startNs !== undefined) list.push([2, u64(stats.startNs)]); // isb_starttime
      if (stats.endNs !== undefined) list.push([3, u64(stats.endNs)]); // isb_endtime
      // Kernel ring drops are the OS's (isb_osdrop); packets that passed the filter are isb_filteraccept;
      // what reached wirewhy is isb_usrdeliv — the counters dumpcap writes for the same facts.
      if (stats.ifDropped !== undefined && stats.ifDropped !== null) list.push([5, le64(stats.ifDropped)]); // isb_ifdrop (pcap_stats ps_ifdrop)
      if (stats.received !== null) list.push([6, le64(stats.received)]); // isb_filteraccept
      if (stats.dropped !== null) list.push([7, le64(stats.dropped)]); // isb_osdrop
      list.push([8, le64(this.packets)]); // isb_usrdeliv
      const opts = CaptureWriter.options(list);
      const end = stats.endNs ?? 0n;
      const isb = new Uint8Array(12 + opts.length);
      const d = new DataView(isb.buffer);
      d.setUint32(0, 0, true);
      setHiLo(d, 4, end);
      isb.set(opts, 12);
      this.block(BT_ISB, isb);
    }
    try {
      this.flush();
      try {
        fsyncSync(this.fd);
      } catch {
        // a pipe or a device: nothing to sync
      }
    } finally {
      closeSync(this.fd);
      this.fd = null;
    }
  }
}
