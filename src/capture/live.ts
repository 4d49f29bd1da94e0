/**
 * Live capture through libpcap with the npm `cap` binding — the only module that loads it, and
 * only when asked (`--help`, file analysis and the tests never need libpcap). A live interface
 * is one more PacketSource: downstream nothing knows packets come from the wire.
 *
 * What the binding gives, and what it does not (node_modules/cap/src/binding.cc):
 * - one Buffer, passed to open(), into which every packet is copied in turn: the RawPacket
 *   handed downstream points into it, so whatever is kept must be copied (as with files);
 * - the captured length and a "truncated" flag, but neither libpcap's timestamp nor the wire
 *   length: timestamps are taken here when the packet reaches JavaScript (wall clock,
 *   performance.timeOrigin + performance.now(), sub-microsecond steps, monotonic within the
 *   run), and the wire length of a truncated packet is read from its IP header;
 * - snaplen fixed at 65535 and promiscuous mode always on; a smaller snaplen is the length of
 *   the buffer (the binding truncates copies to it);
 * - no pcap_stats(): kernel drops are read from the capture socket itself (PACKET_STATISTICS,
 *   see native/pktstats.c): the socket is found in /proc/self/fd among /proc/net/packet's
 *   sockets and lent, as fd 3, to a small helper process.
 *
 * Test seam: WIREWHY_CAP_MODULE names the module loaded instead of `cap` (a missing path
 * simulates a machine where the binding was never built).
 */
import { createRequire } from 'node:module';
import { existsSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import type { PacketSource } from './reader.js';
import { emptyInfo } from './reader.js';
import { newRawPacket, type CaptureInfo, type RawPacket } from './types.js';

// --- the binding's shape (cap 0.2.x) -----------------------------------------------------------

interface CapAddress {
  addr?: string;
  netmask?: string;
  broadaddr?: string;
  dstaddr?: string;
}
interface CapDevice {
  name: string;
  description?: string;
  addresses: CapAddress[];
  flags?: string;
}
interface CapHandle {
  open(device: string, filter: string, bufSize: number, buffer: Buffer): string;
  close(): boolean;
  on(ev: 'packet', fn: (nbytes: number, truncated: boolean) => void): void;
  removeAllListeners(ev?: string): void;
}
interface CapModule {
  Cap: { new (): CapHandle; deviceList(): CapDevice[]; findDevice(ip?: string): string | undefined };
}

// --- errors ------------------------------------------------------------------------------------

export type LiveErrorCode = 'NO_BINDING' | 'NO_LIBPCAP' | 'NOT_PERMITTED' | 'NO_INTERFACE' | 'BAD_FILTER' | 'OPEN_FAILED';

/** A live-capture problem the user can fix: `message` says what, `hint` what to do (one line). */
export class LiveError extends Error {
  readonly code: LiveErrorCode;
  readonly hint: string;
  constructor(code: LiveErrorCode, message: string, hint: string) {
    super(message);
    this.name = 'LiveError';
    this.code = code;
    this.hint = hint;
  }
}

/** The repository / package root (holds package.json and native/), from src/ or dist/src/. */
export function packageRoot(): string {
  let d = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    if (existsSync(join(d, 'package.json')) && existsSync(join(d, 'native'))) return d;
    d = dirname(d);
  }
  return process.cwd();
}

const INSTALL = 'sudo apt-get install libpcap-dev build-essential python3';

function nodeBinary(): string {
  try {
    return readlinkSync('/proc/self/exe');
  } catch {
    return process.execPath;
  }
}

export function permissionFix(): string {
  return `run it as root (sudo), or let node capture: sudo setcap cap_net_raw,cap_net_admin=eip ${nodeBinary()} (or: sudo bash ${join(packageRoot(), 'native/grant-capture.sh')})`;
}

// --- loading -----------------------------------------------------------------------------------

let loaded: CapModule | null = null;

/** Loads the binding (once). Throws LiveError NO_BINDING / NO_LIBPCAP with the install commands. */
export function loadCap(): CapModule {
  if (loaded) return loaded;
  const spec = process.env['WIREWHY_CAP_MODULE'] || 'cap';
  const req = createRequire(import.meta.url);
  try {
    const m = req(spec) as CapModule;
    if (!m || typeof m.Cap !== 'function' || typeof m.Cap.deviceList !== 'function') {
      throw new Error(`${spec} does not look like the cap binding`);
    }
    loaded = m;
    return m;
  } catch (e) {
    const msg = e instanceof Error ? e.message.split('\n')[0]! : String(e);
    if (/libpcap\.so/.test(msg)) {
      throw new LiveError('NO_LIBPCAP', `live capture needs libpcap, which is not installed (${msg})`,
        'install it: sudo apt-get install libpcap0.8 (and libpcap-dev to rebuild the binding)');
    }
    const root = packageRoot();
    throw new LiveError('NO_BINDING', `live capture needs the npm 'cap' binding to libpcap, which is not built (${msg.replace(/ imported from .*$/, '')})`,
      // When its build failed at install, npm left cap out altogether and `npm rebuild cap` does
      // nothing: install it again (and rebuild, for a cap that is there but was never built);
      // where wirewhy is itself an installed package, without its development dependencies.
      `install it: ${INSTALL} && cd ${root} && npm install --no-save${root.split(/[\\/]/).includes('node_modules') ? ' --omit=dev' : ''} cap && npm rebuild cap (see native/README.md)`);
  }
}

// --- interfaces and permission -----------------------------------------------------------------

export interface LiveInterface {
  name: string;
  description: string | null;
  /** "addr/prefix" texts (prefix from the netmask when it has one). */
  addresses: string[];
  loopback: boolean;
  /** From /sys/class/net/<name>/flags (IFF_UP, IFF_RUNNING); null for pseudo devices (any, nflog...). */
  up: boolean | null;
  running: boolean | null;
}

function prefixLen(mask: string | undefined): number | null {
  if (!mask) return null;
  let bits = 0;
  if (mask.includes(':')) {
    for (const part of mask.split(':')) {
      if (part === '') continue;
      let v = parseInt(part, 16);
      while (v) {
        bits += v & 1;
        v >>>= 1;
      }
    }
    return bits;
  }
  for (const o of mask.split('.')) {
    let v = Number(o);
    while (v) {
      bits += v & 1;
      v >>>= 1;
    }
  }
  return bits;
}

function sysFlags(name: string): number | null {
  if (name.includes('/') || name.startsWith('.')) return null;
  try {
    return parseInt(readFileSync(`/sys/class/net/${name}/flags`, 'utf8').trim(), 16);
  } catch {
    return null;
  }
}

/** Link has carrier (what `ip link` shows as LOWER_UP); the sysfs flags file lacks IFF_RUNNING. */
function sysCarrier(name: string): boolean | null {
  if (name.includes('/') || name.startsWith('.')) return null;
  try {
    return readFileSync(`/sys/class/net/${name}/carrier`, 'utf8').trim() === '1';
  } catch {
    return null;
  }
}

const IFF_UP = 0x1;
const IFF_LOOPBACK = 0x8;

export function listInterfaces(): LiveInterface[] {
  const { Cap } = loadCap();
  let devs: CapDevice[];
  try {
    devs = Cap.deviceList();
  } catch (e) {
    throw new LiveError('OPEN_FAILED', `libpcap could not list the interfaces (${e instanceof Error ? e.message : String(e)})`, 'check that /sys and /proc are mounted');
  }
  return devs.map((d) => {
    const f = sysFlags(d.name);
    return {
      name: d.name,
      description: d.description ?? null,
      addresses: d.addresses.filter((a) => a.addr).map((a) => {
        const p = prefixLen(a.netmask);
        return p === null ? a.addr! : `${a.addr}/${p}`;
      }),
      loopback: d.flags === 'PCAP_IF_LOOPBACK' || (f !== null && (f & IFF_LOOPBACK) !== 0),
      up: f === null ? null : (f & IFF_UP) !== 0,
      running: f === null ? null : (f & IFF_UP) !== 0 && sysCarrier(d.name) === true,
    };
  });
}

/** The default: the first interface that is up and running, not loopback, preferring one with addresses. */
export function defaultInterface(list: LiveInterface[]): LiveInterface | null {
  const real = list.filter((i) => !i.loopback && i.up === true && i.running === true);
  return real.find((i) => i.addresses.length > 0) ?? real[0] ?? null;
}

export interface Permission {
  permitted: boolean;
  /** 'root', 'capabilities' or why not. */
  how: string;
}

/** Whether this process may open a packet socket: root, or CAP_NET_RAW in its effective set. */
export function capturePermission(): Permission {
  let capEff: bigint | null = null;
  try {
    const m = /^CapEff:\s*([0-9a-f]+)/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (m) capEff = BigInt(`0x${m[1]}`);
  } catch {
    // not Linux: let libpcap decide
  }
  const NET_RAW = 1n << 13n;
  const NET_ADMIN = 1n << 12n;
  if (capEff === null) return { permitted: process.getuid?.() === 0, how: process.getuid?.() === 0 ? 'root' : 'unknown (no /proc/self/status)' };
  if ((capEff & NET_RAW) !== 0n) {
    const root = process.geteuid?.() === 0;
    return { permitted: true, how: root ? 'root' : (capEff & NET_ADMIN) !== 0n ? 'capabilities cap_net_raw,cap_net_admin' : 'capability cap_net_raw' };
  }
  return { permitted: false, how: `user ${process.geteuid?.() ?? '?'} without CAP_NET_RAW` };
}

export interface CaptureStatus {
  binding: { ok: boolean; module: string; error: string | null; hint: string | null };
  permission: Permission;
  dropCounter: string | null;
}

/** What native/check.mjs and `wirewhy interfaces` report: does the binding load, may we capture. */
export function captureStatus(): CaptureStatus {
  const module = process.env['WIREWHY_CAP_MODULE'] || 'cap';
  let binding: CaptureStatus['binding'];
  try {
    loadCap();
    binding = { ok: true, module, error: null, hint: null };
  } catch (e) {
    const le = e as LiveError;
    binding = { ok: false, module, error: le.message, hint: le.hint ?? null };
  }
  return { binding, permission: capturePermission(), dropCounter: statsReader() };
}

// --- kernel counters (the binding has no pcap_stats) ---------------------------------------------

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

/** The helper that reads PACKET_STATISTICS: native/build/ww-pktstats, else python3, else none. */
function statsReader(): string | null {
  const helper = join(packageRoot(), 'native/build/ww-pktstats');
  if (existsSync(helper)) return helper;
  const py = ['/usr/bin/python3', '/usr/local/bin/python3'].find((p) => existsSync(p));
  return py ?? null;
}

const PY_STATS = 'import socket,struct\ns=socket.socket(fileno=3)\nb=s.getsockopt(263,6,12)\ns.detach()\np,d=struct.unpack("II",b[:8])\nprint(p,d)';

function readSocketStats(fd: number): { packets: number; drops: number } | null {
  const reader = statsReader();
  if (reader === null) return null;
  const args = reader.endsWith('ww-pktstats') ? [] : ['-c', PY_STATS];
  const r = spawnSync(reader, args, { stdio: ['ignore', 'pipe', 'pipe', fd], timeout: 5000, encoding: 'utf8' });
  const m = /^(\d+) (\d+)/.exec(r.stdout ?? '');
  if (r.status !== 0 || !m) return null;
  return { packets: Number(m[1]), drops: Number(m[2]) };
}

// --- link types --------------------------------------------------------------------------------

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

// --- the source --------------------------------------------------------------------------------

export interface LiveOptions {
  /** Interface name; default: the first up, non-loopback interface. */
  iface?: string;
  /** BPF filter in libpcap syntax. */
  filter?: string;
  /** Bytes kept of each packet (at most 65535, the binding's snaplen). */
  snaplen?: number;
  /**
   * Kernel capture ring in bytes (default 64 MiB). The binding asks libpcap for snaplen 65535 in
   * immediate mode, which on Linux means a TPACKET_V2 ring of ~64 KiB slots, one per packet: the
   * ring holds bytes / 64 KiB packets, whatever their size (`ss -0 -e -m` shows frm_size/frm_nr).
   */
  bufferSize?: number;
}

export const MAX_SNAPLEN = 65535;

/** Failed handles are kept alive: the binding's destructor would stop a poll handle it never started. */
const failedHandles: CapHandle[] = [];

/** Wall clock in milliseconds (monotonic within the process). */
export function clockMs(): number {
  return performance.timeOrigin + performance.now();
}

export class LiveSource implements PacketSource {
  readonly info: CaptureInfo;
  readonly iface: string;
  readonly linkType: number;
  readonly snaplen: number;
  readonly filter: string;
  /** Kernel counters since open (PACKET_STATISTICS): packets that passed the filter, dropped ones. */
  kernel: { received: number; dropped: number } | null = null;
  /** When the capture opened / stopped (ms, clockMs()). */
  readonly startedMs: number;
  stoppedMs: number | null = null;
  stopReason: string | null = null;
  private cap: CapHandle | null;
  private readonly buf: Buffer;
  private readonly pkt: RawPacket = newRawPacket();
  private readonly statsFd: number | null;
  private done: Promise<CaptureInfo>;
  private resolveDone!: (i: CaptureInfo) => void;
  private rejectDone!: (e: unknown) => void;
  private handler: ((p: RawPacket) => void | boolean) | null = null;
  private readonly stopHooks: Array<(why: string) => void> = [];

  private constructor(cap: CapHandle, iface: string, linkType: number, buf: Buffer, filter: string, statsFd: number | null) {
    this.cap = cap;
    this.iface = iface;
    this.linkType = linkType;
    this.buf = buf;
    this.snaplen = buf.length;
    this.filter = filter;
    this.statsFd = statsFd;
    this.startedMs = clockMs();
    this.info = emptyInfo(`live:${iface}`, false);
    this.info.format = 'live';
    this.info.interfaces.push({ linkType, snaplen: buf.length, name: iface, tsDigits: 9 });
    this.pkt.buf = buf;
    this.pkt.linkType = linkType;
    this.done = new Promise((res, rej) => {
      this.resolveDone = res;
      this.rejectDone = rej;
    });
    // A caller that never awaits forEach must not see an unhandled rejection.
    this.done.catch(() => undefined);
    cap.on('packet', (n, truncated) => this.onPacket(n, truncated));
  }

  /** Opens the interface. Throws LiveError with the fix for every foreseeable failure. */
  static open(o: LiveOptions = {}): LiveSource {
    const { Cap } = loadCap();
    const list = listInterfaces();
    let name = o.iface;
    if (!name) {
      const d = defaultInterface(list);
      if (!d) {
        throw new LiveError('NO_INTERFACE', 'no interface is up apart from loopback',
          `name one with -i (capture interfaces: ${list.map((i) => i.name).join(', ') || 'none'})`);
      }
      name = d.name;
    } else if (!list.some((i) => i.name === name)) {
      throw new LiveError('NO_INTERFACE', `there is no capture interface named '${name}'`,
        `use one of: ${list.map((i) => i.name).join(', ') || '(none found)'} (wirewhy interfaces lists them with their addresses)`);
    }
    const snaplen = Math.max(64, Math.min(o.snaplen ?? MAX_SNAPLEN, MAX_SNAPLEN));
    const buf = Buffer.alloc(snaplen);
    const filter = o.filter ?? '';
    const before = socketInodes();
    const c = new Cap();
    let lt: string;
    try {
      lt = c.open(name, filter, o.bufferSize ?? 64 << 20, buf);
    } catch (e) {
      failedHandles.push(c);
      throw LiveSource.openError(name, filter, e);
    }
    // Find our new packet socket (for the kernel's drop counter).
    let statsFd: number | null = null;
    const pk = packetSocketInodes();
    for (const [ino, fd] of socketInodes()) if (!before.has(ino) && pk.has(ino)) statsFd = Math.max(statsFd ?? -1, fd);
    return new LiveSource(c, name, linkTypeOf(lt), buf, filter, statsFd);
  }

  private static openError(iface: string, filter: string, e: unknown): LiveError {
    const msg = (e instanceof Error ? e.message : String(e)).trim();
    if (/permission|not permitted|EPERM|CAP_NET_RAW/i.test(msg)) {
      return new LiveError('NOT_PERMITTED', `not permitted to capture on ${iface} (${msg})`, permissionFix());
    }
    if (/no such device|doesn't exist|not up|no suitable device/i.test(msg)) {
      return new LiveError('NO_INTERFACE', `cannot capture on ${iface} (${msg})`, 'check the name and that the interface is up (wirewhy interfaces)');
    }
    if (filter !== '' && !/^Unable to set|buffer size|read timeout/i.test(msg)) {
      return new LiveError('BAD_FILTER', `bad capture filter '${filter}': ${msg}`,
        "-f takes libpcap filter syntax (man 7 pcap-filter), e.g. -f 'tcp port 443 or udp port 53'");
    }
    return new LiveError('OPEN_FAILED', `cannot capture on ${iface} (${msg})`, 'check that the interface exists and is up, and the permissions (native/check.mjs)');
  }

  private onPacket(n: number, truncated: boolean): void {
    if (this.cap === null) return;
    const p = this.pkt;
    const info = this.info;
    const t = clockMs();
    const sec = Math.floor(t / 1000);
    let ns = Math.round((t - sec * 1000) * 1e6);
    if (ns > 999_999_999) ns = 999_999_999;
    p.frame = ++info.packets;
    p.tsSec = sec;
    p.tsNsec = ns;
    p.off = 0;
    p.capLen = n;
    p.origLen = truncated ? wireLength(this.buf, n, this.linkType) : n;
    info.bytes += n;
    if (truncated) info.truncatedPackets++;
    if (this.handler === null) return;
    try {
      if (this.handler(p) === false) this.stop('callback');
    } catch (e) {
      this.fail(e);
    }
  }

  /** Called with the stop reason ('count', 'duration', 'SIGINT', ...) before the handle closes. */
  onStop(fn: (why: string) => void): void {
    this.stopHooks.push(fn);
  }

  get stopped(): boolean {
    return this.cap === null;
  }

  /** Reads the kernel's counters now (they are added up: each read resets them). */
  private readKernel(): void {
    if (this.statsFd === null) return;
    const s = readSocketStats(this.statsFd);
    if (!s) return;
    this.kernel ??= { received: 0, dropped: 0 };
    this.kernel.received += s.packets;
    this.kernel.dropped += s.drops;
  }

  /** Stops the capture: kernel counters read, handle closed, forEach resolved. Idempotent. */
  stop(why: string): void {
    if (this.cap === null) return;
    this.stopReason = why;
    this.stoppedMs = clockMs();
    for (const h of this.stopHooks) {
      try {
        h(why);
      } catch {
        // a hook must not keep the capture open
      }
    }
    this.readKernel();
    const c = this.cap;
    this.cap = null;
    c.removeAllListeners('packet');
    c.close();
    if (this.kernel) this.info.drops = this.kernel.dropped;
    else this.info.warnings.push('the kernel drop count could not be read (build native/build/ww-pktstats with native/build.sh, or install python3): packets may be missing without notice');
    this.resolveDone(this.info);
  }

  private fail(e: unknown): void {
    if (this.cap === null) return;
    const c = this.cap;
    this.cap = null;
    c.removeAllListeners('packet');
    c.close();
    this.rejectDone(e);
  }

  forEach(onPacket: (p: RawPacket) => void | boolean): Promise<CaptureInfo> {
    this.handler = onPacket;
    return this.done;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<RawPacket> {
    // Packets arrive pushed by the binding: each is copied into a queue (bounded; beyond it they are
    // counted as dropped by wirewhy) and handed out one by one.
    const MAX_QUEUE = 100_000;
    const queue: RawPacket[] = [];
    let wake: (() => void) | null = null;
    let lost = 0;
    this.handler = (p) => {
      if (queue.length >= MAX_QUEUE) {
        lost++;
        return;
      }
      const copy = { ...p, buf: p.buf.slice(p.off, p.off + p.capLen), off: 0 };
      queue.push(copy);
      if (wake) {
        const w = wake;
        wake = null;
        w();
      }
    };
    let finished = false;
    void this.done.then(() => {
      finished = true;
      if (wake) wake();
    }, () => {
      finished = true;
      if (wake) wake();
    });
    try {
      for (;;) {
        const p = queue.shift();
        if (p) {
          yield p;
          continue;
        }
        if (finished) break;
        await new Promise<void>((r) => {
          wake = r;
        });
      }
    } finally {
      if (lost > 0) this.info.warnings.push(`${lost} packets were dropped by wirewhy (its queue was full)`);
      this.stop('closed');
    }
  }

  close(): void {
    this.stop('closed');
  }
}
