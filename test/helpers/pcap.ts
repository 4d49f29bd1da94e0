/**
 * Capture-file writers for tests: classic pcap and pcapng (draft-ietf-opsawg-pcapng).
 *
 * A record's `ts` is seconds since the epoch as a number, or nanoseconds as a bigint when the
 * exact sub-microsecond value matters (a double cannot hold ns precision for current dates).
 */
import { LINKTYPE, concat } from './build.js';

export interface CaptureRecord {
  ts: number | bigint;
  frame: Uint8Array;
  /** Original length on the wire; defaults to frame.length (or is kept when snaplen cuts). */
  origLen?: number;
  /** pcapng interface index (default 0). */
  iface?: number;
  /** pcapng EPB epb_flags option (e.g. 1 = inbound, 2 = outbound). */
  flags?: number;
  /** pcapng EPB opt_comment. */
  comment?: string;
}

/** Nanoseconds since the epoch. */
export function tsToNanos(ts: number | bigint): bigint {
  if (typeof ts === 'bigint') return ts;
  const s = Math.floor(ts);
  return BigInt(s) * 1_000_000_000n + BigInt(Math.round((ts - s) * 1e9));
}

export class ByteSink {
  private parts: Uint8Array[] = [];
  private n = 0;
  constructor(readonly littleEndian: boolean) {}
  bytes(b: Uint8Array): void {
    this.parts.push(b);
    this.n += b.length;
  }
  u16(v: number): void {
    const b = new Uint8Array(2);
    new DataView(b.buffer).setUint16(0, v, this.littleEndian);
    this.bytes(b);
  }
  u32(v: number): void {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, v >>> 0, this.littleEndian);
    this.bytes(b);
  }
  pad4(): void {
    if (this.n % 4) this.bytes(new Uint8Array(4 - (this.n % 4)));
  }
  get length(): number {
    return this.n;
  }
  result(): Uint8Array {
    return concat(this.parts);
  }
}

// ---------------------------------------------------------------------------------------------
// Classic pcap
// ---------------------------------------------------------------------------------------------

export interface PcapOptions {
  linkType: number;
  /** Nanosecond timestamps (magic 0xa1b23c4d) instead of microseconds (0xa1b2c3d4). */
  nanos?: boolean;
  bigEndian?: boolean;
  snaplen?: number;
}
/** Classic libpcap file (version 2.4). Frames longer than snaplen are cut; origLen keeps the length. */
export function pcapFile(o: PcapOptions, records: readonly CaptureRecord[]): Uint8Array {
  const le = !o.bigEndian;
  const w = new ByteSink(le);
  const snaplen = o.snaplen ?? 262144;
  w.u32(o.nanos ? 0xa1b23c4d : 0xa1b2c3d4);
  w.u16(2);
  w.u16(4);
  w.u32(0); // thiszone
  w.u32(0); // sigfigs
  w.u32(snaplen);
  w.u32(o.linkType);
  const unit = o.nanos ? 1n : 1000n;
  const perSec = o.nanos ? 1_000_000_000n : 1_000_000n;
  for (const r of records) {
    const t = (tsToNanos(r.ts) + (o.nanos ? 0n : 500n)) / unit;
    const cap = Math.min(r.frame.length, snaplen);
    w.u32(Number(t / perSec));
    w.u32(Number(t % perSec));
    w.u32(cap);
    w.u32(r.origLen ?? r.frame.length);
    w.bytes(r.frame.subarray(0, cap));
  }
  return w.result();
}

// ---------------------------------------------------------------------------------------------
// pcapng
// ---------------------------------------------------------------------------------------------

export type PcapngOption = [code: number, value: Uint8Array | string];

export interface PcapngInterface {
  linkType: number;
  /** if_tsresol byte: high bit clear → 10^-n s, set → 2^-n s. Default 6 (microseconds). */
  tsresol?: number;
  /** if_tsoffset in seconds, added to every timestamp of this interface. */
  tsoffset?: number;
  snaplen?: number;
  name?: string;
  /** Whether to write if_tsresol even when it is the default 6. */
  writeTsresol?: boolean;
  extraOptions?: PcapngOption[];
}

export interface PcapngOptions {
  interfaces: PcapngInterface[];
  bigEndian?: boolean;
  /** Options of the Section Header Block (default: shb_userappl "wirewhy tests"). */
  shbOptions?: PcapngOption[];
  /** Block types for packets: Enhanced (default), Simple (interface 0 only), obsolete Packet Block. */
  blocks?: 'epb' | 'spb' | 'pb';
  /** Extra blocks written after the IDBs (before packets) — see the block builders below. */
  before?: ((le: boolean) => Uint8Array)[];
  /** Extra blocks written after the packets, e.g. an Interface Statistics Block. */
  after?: ((le: boolean) => Uint8Array)[];
}

function encodeOptions(w: ByteSink, opts: readonly PcapngOption[]): void {
  if (opts.length === 0) return;
  for (const [code, value] of opts) {
    const v = typeof value === 'string' ? new TextEncoder().encode(value) : value;
    w.u16(code);
    w.u16(v.length);
    w.bytes(v);
    w.pad4();
  }
  w.u16(0); // opt_endofopt
  w.u16(0);
}

/** A generic block: type, total length, body (padded to 32 bits), total length again. */
export function pcapngBlock(type: number, le: boolean, body: (w: ByteSink) => void): Uint8Array {
  const inner = new ByteSink(le);
  body(inner);
  inner.pad4();
  const w = new ByteSink(le);
  const total = inner.length + 12;
  w.u32(type);
  w.u32(total);
  w.bytes(inner.result());
  w.u32(total);
  return w.result();
}

function u64Bytes(v: bigint, le: boolean): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt.asUintN(64, v), le);
  return b;
}
function u32Bytes(v: number, le: boolean): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, v >>> 0, le);
  return b;
}

/** Section Header Block (type 0x0A0D0D0A); section length -1 = unspecified. */
export function shb(le: boolean, options: PcapngOption[] = [[4, 'wirewhy tests']]): Uint8Array {
  return pcapngBlock(0x0a0d0d0a, le, (w) => {
    w.u32(0x1a2b3c4d);
    w.u16(1);
    w.u16(0);
    w.bytes(u64Bytes(-1n, le));
    encodeOptions(w, options);
  });
}
/** Interface Description Block (type 1). */
export function idb(le: boolean, i: PcapngInterface): Uint8Array {
  const opts: PcapngOption[] = [];
  if (i.name !== undefined) opts.push([2, i.name]);
  if (i.tsresol !== undefined && (i.tsresol !== 6 || i.writeTsresol)) opts.push([9, Uint8Array.of(i.tsresol)]);
  if (i.tsoffset !== undefined) opts.push([14, u64Bytes(BigInt(i.tsoffset), le)]);
  opts.push(...(i.extraOptions ?? []));
  return pcapngBlock(1, le, (w) => {
    w.u16(i.linkType);
    w.u16(0);
    w.u32(i.snaplen ?? 0);
    encodeOptions(w, opts);
  });
}

/** Timestamp in units of the interface's resolution, after subtracting if_tsoffset. */
function tsUnits(ts: number | bigint, i: PcapngInterface): bigint {
  const ns = tsToNanos(ts) - BigInt(i.tsoffset ?? 0) * 1_000_000_000n;
  const r = i.tsresol ?? 6;
  if (r & 0x80) {
    const shift = BigInt(r & 0x7f);
    return ((ns << shift) + 500_000_000n) / 1_000_000_000n;
  }
  const exp = r & 0x7f;
  if (exp >= 9) return ns * 10n ** BigInt(exp - 9);
  const div = 10n ** BigInt(9 - exp);
  return (ns + div / 2n) / div;
}

function epb(le: boolean, r: CaptureRecord, i: PcapngInterface, index: number): Uint8Array {
  const t = tsUnits(r.ts, i);
  const cap = i.snaplen ? Math.min(i.snaplen, r.frame.length) : r.frame.length;
  const opts: PcapngOption[] = [];
  if (r.flags !== undefined) opts.push([2, u32Bytes(r.flags, le)]);
  if (r.comment !== undefined) opts.push([1, r.comment]);
  return pcapngBlock(6, le, (w) => {
    w.u32(index);
    w.u32(Number(t >> 32n));
    w.u32(Number(t & 0xffffffffn));
    w.u32(cap);
    w.u32(r.origLen ?? r.frame.length);
    w.bytes(r.frame.subarray(0, cap));
    w.pad4();
    encodeOptions(w, opts);
  });
}
/** Simple Packet Block (type 3): no timestamp, interface 0; captured length from the IDB snaplen. */
function spb(le: boolean, r: CaptureRecord, i: PcapngInterface): Uint8Array {
  const cap = i.snaplen ? Math.min(i.snaplen, r.frame.length) : r.frame.length;
  return pcapngBlock(3, le, (w) => {
    w.u32(r.origLen ?? r.frame.length);
    w.bytes(r.frame.subarray(0, cap));
  });
}
/** Obsolete Packet Block (type 2): 16-bit interface id and drops count. */
function pb(le: boolean, r: CaptureRecord, i: PcapngInterface, index: number): Uint8Array {
  const t = tsUnits(r.ts, i);
  const cap = i.snaplen ? Math.min(i.snaplen, r.frame.length) : r.frame.length;
  return pcapngBlock(2, le, (w) => {
    w.u16(index);
    w.u16(0);
    w.u32(Number(t >> 32n));
    w.u32(Number(t & 0xffffffffn));
    w.u32(cap);
    w.u32(r.origLen ?? r.frame.length);
    w.bytes(r.frame.subarray(0, cap));
  });
}

/**
 * One pcapng section: SHB, one IDB per interface, optional extra blocks, one block per record.
 * A file with several sections is the concatenation of several pcapngFile results (the spec
 * allows it; each section has its own byte order and interfaces).
 */
export function pcapngFile(o: PcapngOptions, records: readonly CaptureRecord[]): Uint8Array {
  const le = !o.bigEndian;
  const parts: Uint8Array[] = [shb(le, o.shbOptions)];
  for (const i of o.interfaces) parts.push(idb(le, i));
  for (const b of o.before ?? []) parts.push(b(le));
  for (const r of records) {
    const index = r.iface ?? 0;
    const i = o.interfaces[index];
    if (!i) throw new Error(`record names interface ${index}, which is not declared`);
    const kind = o.blocks ?? 'epb';
    parts.push(kind === 'epb' ? epb(le, r, i, index) : kind === 'pb' ? pb(le, r, i, index) : spb(le, r, i));
  }
  for (const b of o.after ?? []) parts.push(b(le));
  return concat(parts);
}

// ---- Extra blocks, for `before` / `after` ----

/** Interface Statistics Block (type 5) with isb_ifrecv (4) and isb_ifdrop (5). */
export function isbBlock(o: { iface: number; ts: number | bigint; ifRecv?: number; ifDrop: number; tsresol?: number }) {
  return (le: boolean): Uint8Array => {
    const t = tsUnits(o.ts, { linkType: 0, tsresol: o.tsresol ?? 6 });
    const opts: PcapngOption[] = [];
    if (o.ifRecv !== undefined) opts.push([4, u64Bytes(BigInt(o.ifRecv), le)]);
    opts.push([5, u64Bytes(BigInt(o.ifDrop), le)]);
    return pcapngBlock(5, le, (w) => {
      w.u32(o.iface);
      w.u32(Number(t >> 32n));
      w.u32(Number(t & 0xffffffffn));
      encodeOptions(w, opts);
    });
  };
}
/** Name Resolution Block (type 4): IPv4 (record type 1) / IPv6 (2) address → names. */
export function nrbBlock(entries: { addr: Uint8Array; names: string[] }[]) {
  return (le: boolean): Uint8Array =>
    pcapngBlock(4, le, (w) => {
      for (const e of entries) {
        const names = new TextEncoder().encode(e.names.map((n) => n + '\0').join(''));
        w.u16(e.addr.length === 16 ? 2 : 1);
        w.u16(e.addr.length + names.length);
        w.bytes(e.addr);
        w.bytes(names);
        w.pad4();
      }
      w.u16(0); // nrb_record_end
      w.u16(0);
    });
}
/** Decryption Secrets Block (type 0x0000000A); default secrets type is a TLS key log (0x544c534b). */
export function dsbBlock(data: Uint8Array | string, secretsType = 0x544c534b) {
  return (le: boolean): Uint8Array => {
    const d = typeof data === 'string' ? new TextEncoder().encode(data) : data;
    return pcapngBlock(0x0a, le, (w) => {
      w.u32(secretsType);
      w.u32(d.length);
      w.bytes(d);
    });
  };
}
/** A block of a type readers must skip (default 0x0BAD0001, unassigned). */
export function unknownBlock(type = 0x0bad0001, body: Uint8Array = Uint8Array.of(1, 2, 3, 4, 5)) {
  return (le: boolean): Uint8Array => pcapngBlock(type, le, (w) => w.bytes(body));
}

/** Link type of the frames a TcpConversation or builder makes, for the file headers. */
export { LINKTYPE };
