/**
 * The fallback: live capture through the npm `cap` binding (0.2.x), used only when wirewhy's own
 * binding (native/, wwpcap.node) is not built but `cap` is, or when WIREWHY_CAP_MODULE names a
 * cap-shaped module (a test stand-in). What `cap` does not give is made up for here, as before
 * wirewhy had its own binding (native/README.md):
 * - no timestamps: packets are stamped when they reach JavaScript (wall clock);
 * - no wire length: a truncated packet's is read from its IP header;
 * - no pcap_stats(): the kernel's counters are read from the capture socket itself
 *   (PACKET_STATISTICS, native/pktstats.c or python3), found among /proc/net/packet's sockets;
 * - one Buffer for every packet, snaplen at most 65535, promiscuous and immediate mode always.
 *
 * The crash of issue 24 came from this binding: once closed, a `Cap` handle that JavaScript let go
 * was collected, and its destructor (run inside V8's weak callback, without a context) destroyed
 * an async resource -> node::EmitAsyncDestroy with a null Environment -> SIGSEGV; it also freed a
 * libuv poll handle it had never closed. So every Cap handle is kept referenced for the life of
 * the process: its destructor never runs.
 */
import { existsSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import type { RawPacket } from './types.js';

export interface CapAddress {
  addr?: string;
  netmask?: string;
  broadaddr?: string;
  dstaddr?: string;
}
export interface CapDevice {
  name: string;
  description?: string;
  addresses: CapAddress[];
  flags?: string;
}
export interface CapHandle {
  open(device: string, filter: string, bufSize: number, buffer: Buffer): string;
  close(): boolean;
  on(ev: 'packet', fn: (nbytes: number, truncated: boolean) => void): void;
  removeAllListeners(ev?: string): void;
}
/** The shape of the `cap` module (and of a cap-shaped stand-in). */
export interface CapModule {
  Cap: { new (): CapHandle; deviceList(): CapDevice[]; findDevice?(ip?: string): string | undefined };
}

export const CAP_MAX_SNAPLEN = 65535;

/**
 * Every Cap handle ever created: kept referenced so that none is garbage-collected (the binding's
 * destructor crashes when V8 runs it, see above). A handful per process at most.
 */
const keptHandles: CapHandle[] = [];

/** Wall clock in milliseconds (monotonic within the process). */
export function clockMs(): number {
  return performance.timeOrigin + performance.now();
}

/** The binding names a few DLTs; others come as "Unknown linktype N" (N = DLT, equal to LINKTYPE for these). */
export function linkTypeOf(s: string): number {
  switch (s) {
    case 'ETHERNET':
      return 1;
    case 'NULL':
      return 0;
    case 'LINKTYPE_LINUX_SLL':
      return 113;
    case 'RAW':
      return 101; // DLT_RAW (12 on Linux) is written as LINKTYPE_RAW
    case 'IEEE802_11_RADIO':
      return 127;
    default: {
      const m = /(\d+)/.exec(s);
      return m ? Number(m[1]) : 1;
    }
  }
}

/** Wire length of a truncated packet, from its IP header (the binding does not pass pcap's len). */
export function wireLength(b: Uint8Array, capLen: number, linkType: number): number {
  let off: number;
  let et = -1;
  if (linkType === 1) {
    if (capLen < 14) return capLen;
    et = (b[12]! << 8) | b[13]!;
    off = 14;
    while ((et === 0x8100 || et === 0x88a8) && capLen >= off + 4) {
      et = (b[off + 2]! << 8) | b[off + 3]!;
      off += 4;
    }
  } else if (linkType === 113) {
    if (capLen < 16) return capLen;
    et = (b[14]! << 8) | b[15]!;
    off = 16;
  } else if (linkType === 276) {
    if (capLen < 20) return capLen;
    et = (b[0]! << 8) | b[1]!;
    off = 20;
  } else if (linkType === 101 || linkType === 12 || linkType === 228 || linkType === 229) {
    off = 0;
  } else if (linkType === 0) {
    off = 4;
  } else return capLen;
  if (capLen < off + 8) return capLen;
  const v = b[off]! >> 4;
  if ((et === -1 || et === 0x0800) && v === 4) return Math.max(capLen, off + ((b[off + 2]! << 8) | b[off + 3]!));
  if ((et === -1 || et === 0x86dd) && v === 6) return Math.max(capLen, off + 40 + ((b[off + 4]! << 8) | b[off + 5]!));
  return capLen;
}

// --- kernel counters (cap has no pcap_stats) -------------------------------------------------------

function socketInodes(): Map<string, number> {
  const out = new Map<string, number>();
  let names: string[] = [];
  try {
    names = readdirSync('/proc/self/fd');
  } catch {
    return out;
  }
  for (const n of names) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/self/fd/${n}`));
      if (m) out.set(m[1]!, Number(n));
    } catch {
      // closed meanwhile
    }
  }
  return out;
}

function packetSocketInodes(): Set<string> {
  const s = new Set<string>();
  try {
    const lines = readFileSync('/proc/net/packet', 'utf8').trim().split('\n').slice(1);
    for (const l of lines) {
      const f = l.trim().split(/\s+/);
      if (f[8]) s.add(f[8]);
    }
  } catch {
    // no procfs
  }
  return s;
}

/** The helper that reads PACKET_STATISTICS: native/bin/ww-pktstats, else python3, else none. */
export function statsReader(root: string): string | null {
  const helper = join(root, 'native/bin/ww-pktstats');
  if (existsSync(helper)) return helper;
  const py = ['/usr/bin/python3', '/usr/local/bin/python3'].find((p) => existsSync(p));
  return py ?? null;
}

const PY_STATS = 'import socket,struct\ns=socket.socket(fileno=3)\nb=s.getsockopt(263,6,12)\ns.detach()\np,d=struct.unpack("II",b[:8])\nprint(p,d)';

function readSocketStats(root: string, fd: number): { packets: number; drops: number } | null {
  const reader = statsReader(root);
  if (reader === null) return null;
  const args = reader.endsWith('ww-pktstats') ? [] : ['-c', PY_STATS];
  const r = spawnSync(reader, args, { stdio: ['ignore', 'pipe', 'pipe', fd], timeout: 5000, encoding: 'utf8' });
  const m = /^(\d+) (\d+)/.exec(r.stdout ?? '');
  if (r.status !== 0 || !m) return null;
  return { packets: Number(m[1]), drops: Number(m[2]) };
}

// --- the feed ------------------------------------------------------------------------------------

export interface CapFeedSink {
  packet(p: RawPacket): void;
}

/** An open `cap` capture: packets one at a time into `sink`, counters on demand, close. */
export class CapFeed {
  readonly linkType: number;
  readonly snaplen: number;
  private readonly cap: CapHandle;
  private readonly buf: Buffer;
  private readonly pkt: RawPacket;
  private readonly statsFd: number | null;
  private readonly root: string;
  private totals: { received: number; dropped: number } | null = null;
  private closed = false;

  /** Throws the binding's own error (the caller words it). */
  constructor(mod: CapModule, root: string, device: string, filter: string, snaplen: number, bufferSize: number, pkt: RawPacket, sink: CapFeedSink) {
    this.root = root;
    this.buf = Buffer.alloc(Math.min(snaplen, CAP_MAX_SNAPLEN));
    const before = socketInodes();
    const c = new mod.Cap();
    keptHandles.push(c);
    const lt = c.open(device, filter, bufferSize, this.buf);
    this.cap = c;
    this.linkType = linkTypeOf(lt);
    this.snaplen = this.buf.length;
    // Our new packet socket, for the kernel's drop counter.
    let statsFd: number | null = null;
    const pk = packetSocketInodes();
    for (const [ino, fd] of socketInodes()) if (!before.has(ino) && pk.has(ino)) statsFd = Math.max(statsFd ?? -1, fd);
    this.statsFd = statsFd;
    this.pkt = pkt;
    pkt.buf = this.buf;
    pkt.off = 0;
    c.on('packet', (n, truncated) => {
      if (this.closed) return;
      const t = clockMs();
      const sec = Math.floor(t / 1000);
      let ns = Math.round((t - sec * 1000) * 1e6);
      if (ns > 999_999_999) ns = 999_999_999;
      pkt.buf = this.buf;
      pkt.off = 0;
      pkt.tsSec = sec;
      pkt.tsNsec = ns;
      pkt.capLen = n;
      pkt.origLen = truncated ? wireLength(this.buf, n, this.linkType) : n;
      sink.packet(pkt);
    });
  }

  /** Whether the kernel's counters can be read (a helper or python3, and our socket found). */
  get hasStats(): boolean {
    return this.statsFd !== null && statsReader(this.root) !== null;
  }

  /** Counters since open (each read resets the kernel's, so they are added up here). */
  stats(): { received: number; dropped: number; ifDropped: number | null } | null {
    if (this.statsFd !== null && !this.closed) {
      const s = readSocketStats(this.root, this.statsFd);
      if (s) {
        this.totals ??= { received: 0, dropped: 0 };
        this.totals.received += s.packets;
        this.totals.dropped += s.drops;
      }
    }
    return this.totals ? { ...this.totals, ifDropped: null } : null;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.cap.removeAllListeners('packet');
    this.cap.close();
  }
}

