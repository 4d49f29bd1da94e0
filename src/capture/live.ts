/**
 * Live capture through libpcap — the only module that loads a binding, and only when asked
 * (`--help`, file analysis and the tests never need libpcap). A live interface is one more
 * PacketSource: downstream nothing knows packets come from the wire.
 *
 * The binding is wirewhy's own (native/, wwpcap.node, built by `npm install` when libpcap-dev is
 * there, or `npm run build:native`): libpcap reads the kernel's ring in batches on the JavaScript
 * thread (pcap_dispatch into a ring of records, one JavaScript call per batch), with the kernel's
 * timestamps (nanoseconds where libpcap offers them), captured and wire lengths, pcap_stats(),
 * snaplen, buffer size and immediate mode as options. See native/README.md for why.
 *
 * When wwpcap is not built but the npm `cap` package is, `cap` is used instead (cap-compat.ts),
 * with its limits (timestamps on arrival, drops from a side channel), and the report says so.
 *
 * Test seam: WIREWHY_CAP_MODULE names the module loaded instead (no fallback then): either
 * wwpcap-shaped (exports Capture, devices, version) or cap-shaped (exports Cap); a missing path
 * simulates a machine where no binding was built. test/live/fake-pcap.cjs is a wwpcap-shaped
 * stand-in that replays a capture file (documented in native/README.md).
 */
import { createRequire } from 'node:module';
import { existsSync, readFileSync, readlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PacketSource } from './reader.js';
import { emptyInfo } from './reader.js';
import { newRawPacket, type CaptureInfo, type RawPacket } from './types.js';
import { CapFeed, CAP_MAX_SNAPLEN, clockMs, statsReader, type CapDevice, type CapModule } from './cap-compat.js';
import type { Lang } from '../lang.js';
import { liveErrorText, permissionFixText, permissionHowText, type LiveReason, type PermissionVia } from './live-words.js';

export { clockMs, linkTypeOf, wireLength } from './cap-compat.js';

// --- the binding's shape (native/src/wwpcap.c) ---------------------------------------------------

export interface PcapDevice {
  name: string;
  description: string | null;
  /** pcap_if_t flags: PCAP_IF_LOOPBACK 1, PCAP_IF_UP 2, PCAP_IF_RUNNING 4, ... */
  flags: number;
  addresses: Array<{ addr: string | null; netmask: string | null; broadaddr: string | null; dstaddr: string | null }>;
}
export interface PcapCaptureOptions {
  device: string;
  filter?: string;
  snaplen?: number;
  bufferSize?: number;
  timeoutMs?: number;
  immediate?: boolean;
  promisc?: boolean;
  nano?: boolean;
}
export interface PcapStats {
  received: number;
  dropped: number;
  ifDropped: number;
  /** Packets the binding could not hand over (none expected; a stand-in may omit it). */
  lost?: number;
}
export interface PcapCapture {
  /** DLT_* value (pcap_datalink). */
  readonly linkType: number;
  readonly linkTypeName: string | null;
  readonly snaplen: number;
  /** 9: nanosecond timestamps, 6: microseconds. */
  readonly tsDigits: number;
  /** pcap_activate's warning, if any. */
  readonly warning: string | null;
  stats(): PcapStats | null;
  close(): boolean;
}
/**
 * onBatch(count, bytes): `count` records fill the first `bytes` of the ring, each: u32 seconds,
 * u32 nanoseconds, u32 captured length, u32 wire length (little-endian), then the bytes, padded
 * to 4. onBatch(-1, 0, message): libpcap failed while reading. Errors thrown by the constructor
 * carry `code`: PERM_DENIED, NO_SUCH_DEVICE, IFACE_NOT_UP, BAD_FILTER, OPEN, ARGS.
 */
export type BatchCallback = (count: number, bytes: number, error?: string) => void;
export interface PcapModule {
  version(): string;
  devices(): PcapDevice[];
  Capture: new (o: PcapCaptureOptions, ring: ArrayBuffer, onBatch: BatchCallback) => PcapCapture;
}

type Binding =
  | { kind: 'wwpcap'; mod: PcapModule; from: string }
  /** `why`: why wirewhy's own binding did not load (null when WIREWHY_CAP_MODULE chose cap). */
  | { kind: 'cap'; mod: CapModule; from: string; why?: string | null };

// --- errors ------------------------------------------------------------------------------------

export type LiveErrorCode = 'NO_BINDING' | 'NO_LIBPCAP' | 'NOT_PERMITTED' | 'NO_INTERFACE' | 'BAD_FILTER' | 'OPEN_FAILED';

/**
 * A live-capture problem the user can fix, made from a typed reason (live-words.ts) and worded
 * when shown: `message` says what, `hint` what to do (one line), in English; text(lang) in either.
 */
export class LiveError extends Error {
  readonly code: LiveErrorCode;
  readonly hint: string;
  readonly reason: LiveReason;
  constructor(code: LiveErrorCode, reason: LiveReason) {
    const en = liveErrorText(reason, 'en');
    super(en.message);
    this.name = 'LiveError';
    this.code = code;
    this.hint = en.hint;
    this.reason = reason;
  }
  text(lang: Lang): { message: string; hint: string } {
    return liveErrorText(this.reason, lang);
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

/** Where `npm run build:native` puts the binding. */
export function bindingPath(): string {
  return join(packageRoot(), 'native/build/Release/wwpcap.node');
}


function nodeBinary(): string {
  try {
    return readlinkSync('/proc/self/exe');
  } catch {
    return process.execPath;
  }
}

/** What permissionFix says, as data: the node binary, the script that grants it capture. */
function permissionArgs(): { node: string; script: string } {
  return { node: nodeBinary(), script: join(packageRoot(), 'native/grant-capture.sh') };
}

export function permissionFix(lang: Lang = 'en'): string {
  return permissionFixText(permissionArgs(), lang);
}

// --- loading -----------------------------------------------------------------------------------

let loaded: Binding | null = null;

function shapeOf(m: unknown, from: string): Binding | null {
  const o = m as Partial<PcapModule & CapModule> | null;
  if (o && typeof o.Capture === 'function' && typeof o.devices === 'function') return { kind: 'wwpcap', mod: o as PcapModule, from };
  if (o && typeof o.Cap === 'function' && typeof o.Cap.deviceList === 'function') return { kind: 'cap', mod: o as CapModule, from };
  return null;
}

/**
 * Loads the binding (once): WIREWHY_CAP_MODULE if set, else native/build/Release/wwpcap.node,
 * else the npm `cap` package. Throws LiveError NO_BINDING / NO_LIBPCAP with the commands to run.
 */
export function loadBinding(): Binding {
  if (loaded) return loaded;
  const req = createRequire(import.meta.url);
  const override = process.env['WIREWHY_CAP_MODULE'];
  const tries = override ? [override] : [bindingPath(), 'cap'];
  const why: string[] = [];
  for (const spec of tries) {
    let m: unknown;
    try {
      m = req(spec);
    } catch (e) {
      const msg = (e instanceof Error ? e.message : String(e)).split('\n')[0]!.replace(/ imported from .*$/, '');
      why.push(msg);
      continue;
    }
    const b = shapeOf(m, spec);
    if (b) {
      if (b.kind === 'cap') b.why = override ? null : why[0] ?? null;
      loaded = b;
      return b;
    }
    why.push(`${spec} does not look like a capture binding`);
  }
  const lib = why.find((w) => /libpcap\.so/.test(w));
  if (lib) {
    throw new LiveError('NO_LIBPCAP', { kind: 'no_libpcap', args: { lib, root: packageRoot() } });
  }
  throw new LiveError('NO_BINDING', { kind: 'no_binding', args: { why: override ? why[0]! : null, path: bindingPath(), root: packageRoot() } });
}

// --- interfaces and permission -----------------------------------------------------------------

export interface LiveInterface {
  name: string;
  description: string | null;
  /** "addr/prefix" texts (prefix from the netmask when it has one). */
  addresses: string[];
  loopback: boolean;
  /** From /sys/class/net/<name>/flags (IFF_UP) and carrier; else libpcap's flags; null for pseudo devices (any, nflog...). */
  up: boolean | null;
  running: boolean | null;
}

function prefixLen(mask: string | null | undefined): number | null {
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
const PCAP_IF_LOOPBACK = 0x1;

interface RawDevice {
  name: string;
  description: string | null;
  addresses: Array<{ addr?: string | null; netmask?: string | null }>;
  loopback: boolean;
}

export function listInterfaces(): LiveInterface[] {
  const b = loadBinding();
  let devs: RawDevice[];
  try {
    devs = b.kind === 'wwpcap'
      ? b.mod.devices().map((d) => ({ name: d.name, description: d.description ?? null, addresses: d.addresses, loopback: (d.flags & PCAP_IF_LOOPBACK) !== 0 }))
      : b.mod.Cap.deviceList().map((d: CapDevice) => ({ name: d.name, description: d.description ?? null, addresses: d.addresses, loopback: d.flags === 'PCAP_IF_LOOPBACK' }));
  } catch (e) {
    throw new LiveError('OPEN_FAILED', { kind: 'list_failed', args: { message: e instanceof Error ? e.message : String(e) } });
  }
  return devs.map((d) => {
    const f = sysFlags(d.name);
    return {
      name: d.name,
      description: d.description,
      addresses: d.addresses.filter((a) => a.addr).map((a) => {
        const p = prefixLen(a.netmask);
        return p === null ? a.addr! : `${a.addr}/${p}`;
      }),
      loopback: d.loopback || (f !== null && (f & IFF_LOOPBACK) !== 0),
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
  /** How, as data (worded by live-words.ts permissionHowText). */
  via: PermissionVia;
  /** The effective user id (null where there is none). */
  uid: number | null;
  /** 'root', 'capabilities' or why not, in English (native/check.mjs prints it). */
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
  const uid = process.geteuid?.() ?? null;
  const p = (permitted: boolean, via: PermissionVia): Permission => ({ permitted, via, uid, how: permissionHowText(via, uid, 'en') });
  if (capEff === null) return process.getuid?.() === 0 ? p(true, 'root') : p(false, 'unknown');
  if ((capEff & NET_RAW) !== 0n) return p(true, uid === 0 ? 'root' : (capEff & NET_ADMIN) !== 0n ? 'caps' : 'cap_net_raw');
  return p(false, 'no_cap_net_raw');
}

export interface CaptureStatus {
  binding: { ok: boolean; kind: 'wwpcap' | 'cap' | null; module: string; libpcap: string | null; error: string | null; hint: string | null };
  permission: Permission;
  /** How kernel drops are counted, null when they cannot be. */
  dropCounter: string | null;
}

/** What native/check.mjs and `wirewhy interfaces` report: does a binding load, may we capture. */
export function captureStatus(): CaptureStatus {
  let binding: CaptureStatus['binding'];
  let dropCounter: string | null = null;
  try {
    const b = loadBinding();
    let libpcap: string | null = null;
    if (b.kind === 'wwpcap') {
      try {
        libpcap = b.mod.version();
      } catch {
        libpcap = null;
      }
      dropCounter = 'pcap_stats() (ps_drop, ps_ifdrop)';
    } else {
      dropCounter = statsReader(packageRoot());
    }
    binding = { ok: true, kind: b.kind, module: b.from, libpcap, error: null, hint: null };
  } catch (e) {
    const le = e as LiveError;
    binding = { ok: false, kind: null, module: process.env['WIREWHY_CAP_MODULE'] || bindingPath(), libpcap: null, error: le.message, hint: le.hint ?? null };
  }
  return { binding, permission: capturePermission(), dropCounter };
}

/** LINKTYPE_* for a DLT_* value: equal except for the few DLTs whose numbers differ across systems. */
export function linkTypeFromDlt(dlt: number): number {
  switch (dlt) {
    case 11: // DLT_ATM_RFC1483 (13 on OpenBSD)
    case 13:
      return 100;
    case 12: // DLT_RAW (14 on OpenBSD)
    case 14:
      return 101;
    case 15:
      return 102; // DLT_SLIP_BSDOS
    case 16:
      return 103; // DLT_PPP_BSDOS
    case 19:
      return 106; // DLT_ATM_CLIP (Linux)
    default:
      return dlt;
  }
}

// --- the source --------------------------------------------------------------------------------

export interface LiveOptions {
  /** Interface name; default: the first up, non-loopback interface. */
  iface?: string;
  /** BPF filter in libpcap syntax. */
  filter?: string;
  /** Bytes kept of each packet (default and at most 262144, as tcpdump; the `cap` fallback: 65535). */
  snaplen?: number;
  /** Kernel capture ring in bytes (default 64 MiB). */
  bufferSize?: number;
  /**
   * Hand each packet over as it arrives (libpcap's immediate mode: a TPACKET_V2 ring of one slot
   * per packet, each as large as the snaplen allows). Default off: a TPACKET_V3 ring of blocks
   * that packets fill back to back, each handed over when full or `timeoutMs` after its first packet.
   */
  immediate?: boolean;
  /** The block timeout without immediate mode, in ms (default 100). */
  timeoutMs?: number;
}

export const MAX_SNAPLEN = 262144;
export const DEFAULT_TIMEOUT_MS = 100;
/** The ring of records a batch is written into (8 MiB: at least 31 packets of the largest snaplen). */
const RING_BYTES = 8 << 20;

export interface KernelStats {
  /** pcap_stats ps_recv: packets that passed the filter (on loopback, both copies of each). */
  received: number;
  /** ps_drop: packets the kernel dropped because the capture ring was full. */
  dropped: number;
  /** ps_ifdrop: packets the interface dropped (null with the `cap` fallback). */
  ifDropped: number | null;
}

/** What LiveSource needs of an open binding handle beyond its packets. */
interface Feed {
  stats(): KernelStats | null;
  close(): void;
}

export class LiveSource implements PacketSource {
  readonly info: CaptureInfo;
  readonly iface: string;
  /** LINKTYPE_* of the interface. */
  readonly linkType: number;
  readonly snaplen: number;
  readonly filter: string;
  /** Which binding reads: wirewhy's own, or the `cap` fallback. */
  readonly binding: 'wwpcap' | 'cap';
  /** Timestamps come from the kernel (wwpcap), or are taken on arrival in JavaScript (cap). */
  readonly kernelTimestamps: boolean;
  /** 9 (nanoseconds) or 6 (microseconds). */
  readonly tsDigits: number;
  readonly immediate: boolean;
  /** How long a packet may wait in the kernel's ring before it reaches wirewhy (ms). */
  readonly latencyMs: number;
  /** pcap_stats() when the capture stopped (null if they could not be read). */
  kernel: KernelStats | null = null;
  /** When the capture opened / stopped (ms since the epoch, nowMs()). */
  readonly startedMs: number;
  stoppedMs: number | null = null;
  stopReason: string | null = null;
  /** libpcap's message when reading failed (the capture then stopped with reason 'error'). */
  failure: string | null = null;
  private feed: Feed;
  private state: 'open' | 'draining' | 'closed' = 'open';
  private drainTimer: NodeJS.Timeout | null = null;
  private readonly pkt: RawPacket = newRawPacket();
  private readonly done: Promise<CaptureInfo>;
  private resolveDone!: (i: CaptureInfo) => void;
  private rejectDone!: (e: unknown) => void;
  private handler: ((p: RawPacket) => void | boolean) | null = null;
  private readonly stopHooks: Array<(why: string) => void> = [];

  private constructor(b: Binding, iface: string, o: LiveOptions) {
    this.iface = iface;
    this.filter = o.filter ?? '';
    this.binding = b.kind;
    this.done = new Promise((res, rej) => {
      this.resolveDone = res;
      this.rejectDone = rej;
    });
    // A caller that never awaits forEach must not see an unhandled rejection.
    this.done.catch(() => undefined);
    this.info = emptyInfo(`live:${iface}`, false);
    this.info.format = 'live';
    const bufferSize = o.bufferSize ?? 64 << 20;
    if (b.kind === 'wwpcap') {
      const snaplen = Math.max(64, Math.min(o.snaplen ?? MAX_SNAPLEN, MAX_SNAPLEN));
      const timeoutMs = Math.max(1, Math.min(o.timeoutMs ?? DEFAULT_TIMEOUT_MS, 60_000));
      const ring = new ArrayBuffer(RING_BYTES);
      const u8 = new Uint8Array(ring);
      const u32 = new Uint32Array(ring);
      const p = this.pkt;
      const onBatch: BatchCallback = (n, _bytes, error) => {
        if (n < 0) {
          this.readFailed(error ?? 'unknown error');
          return;
        }
        let off = 0;
        for (let i = 0; i < n && this.state !== 'closed'; i++) {
          const w = off >>> 2;
          const capLen = u32[w + 2]!;
          p.buf = u8;
          p.off = off + 16;
          p.tsSec = u32[w]!;
          p.tsNsec = u32[w + 1]!;
          p.capLen = capLen;
          p.origLen = u32[w + 3]!;
          this.deliver(p);
          off += 16 + ((capLen + 3) & ~3);
        }
      };
      let c: PcapCapture;
      try {
        c = new b.mod.Capture({ device: iface, filter: this.filter, snaplen, bufferSize, timeoutMs, immediate: o.immediate === true, promisc: true, nano: true }, ring, onBatch);
      } catch (e) {
        throw LiveSource.openError(iface, this.filter, e);
      }
      this.linkType = linkTypeFromDlt(c.linkType);
      this.snaplen = c.snaplen;
      this.tsDigits = c.tsDigits === 6 ? 6 : 9;
      this.kernelTimestamps = true;
      this.immediate = o.immediate === true;
      this.latencyMs = this.immediate ? 0 : timeoutMs;
      if (c.warning) this.info.warnings.push({ kind: 'libpcap_warning', args: { message: c.warning } });
      this.feed = {
        stats: () => {
          const st = c.stats();
          if (st?.lost) this.info.warnings.push({ kind: 'binding_lost', args: { count: st.lost } });
          return st;
        },
        close: () => {
          c.close();
        },
      };
    } else {
      // The `cap` fallback (cap-compat.ts): one packet per call, stamped on arrival.
      const snaplen = Math.max(64, Math.min(o.snaplen ?? CAP_MAX_SNAPLEN, CAP_MAX_SNAPLEN));
      let f: CapFeed;
      try {
        f = new CapFeed(b.mod, packageRoot(), iface, this.filter, snaplen, bufferSize, this.pkt, { packet: (p) => this.deliver(p) });
      } catch (e) {
        throw LiveSource.openError(iface, this.filter, e);
      }
      this.linkType = f.linkType;
      this.snaplen = f.snaplen;
      this.tsDigits = 9;
      this.kernelTimestamps = false;
      this.immediate = true;
      this.latencyMs = 0;
      this.info.warnings.push({ kind: 'cap_fallback', args: { why: b.why ?? null, root: packageRoot() } });
      this.feed = f;
    }
    this.pkt.linkType = this.linkType;
    this.info.interfaces.push({ linkType: this.linkType, snaplen: this.snaplen, name: iface, tsDigits: this.tsDigits });
    this.startedMs = this.nowMs();
  }

  /**
   * Now, on the packets' clock (ms since the epoch): the system's real-time clock, which stamps
   * the kernel's timestamps (Date.now(); not performance.now(), which does not follow the clock's
   * adjustments and drifts from it over hours); with the cap fallback, the clock that stamps
   * packets on arrival (clockMs()).
   */
  nowMs(): number {
    return this.kernelTimestamps ? Date.now() : clockMs();
  }

  /** Opens the interface. Throws LiveError with the fix for every foreseeable failure. */
  static open(o: LiveOptions = {}): LiveSource {
    const b = loadBinding();
    const list = listInterfaces();
    let name = o.iface;
    if (!name) {
      const d = defaultInterface(list);
      if (!d) {
        throw new LiveError('NO_INTERFACE', { kind: 'no_up_interface', args: { names: list.map((i) => i.name) } });
      }
      name = d.name;
    } else if (!list.some((i) => i.name === name)) {
      throw new LiveError('NO_INTERFACE', { kind: 'unknown_interface', args: { name, names: list.map((i) => i.name) } });
    }
    return new LiveSource(b, name, o);
  }

  private static openError(iface: string, filter: string, e: unknown): LiveError {
    const msg = (e instanceof Error ? e.message : String(e)).trim();
    const code = (e as { code?: unknown } | null)?.code;
    if (code === 'PERM_DENIED' || /permission|not permitted|EPERM|CAP_NET_RAW/i.test(msg)) {
      return new LiveError('NOT_PERMITTED', { kind: 'not_permitted', args: { iface, message: msg, ...permissionArgs() } });
    }
    if (code === 'NO_SUCH_DEVICE' || code === 'IFACE_NOT_UP' || /no such device|doesn't exist|not up|no suitable device/i.test(msg)) {
      return new LiveError('NO_INTERFACE', { kind: 'cannot_capture', args: { iface, message: msg } });
    }
    if (code === 'BAD_FILTER' || (code === undefined && filter !== '' && !/^Unable to set|buffer size|read timeout/i.test(msg))) {
      return new LiveError('BAD_FILTER', { kind: 'bad_filter', args: { filter, message: msg } });
    }
    return new LiveError('OPEN_FAILED', { kind: 'open_failed', args: { iface, message: msg } });
  }

  /** Every packet, from either binding: numbered, counted, handed to the consumer. */
  private deliver(p: RawPacket): void {
    if (this.state === 'closed') return;
    if (this.state === 'draining' && (p.tsSec * 1000 + p.tsNsec / 1e6) > this.stoppedMs!) return; // after the stop
    const info = this.info;
    p.frame = ++info.packets;
    info.bytes += p.capLen;
    if (p.origLen > p.capLen) info.truncatedPackets++;
    if (this.handler === null) return;
    try {
      if (this.handler(p) === false) this.stop('callback', { drain: false });
    } catch (e) {
      this.fail(e);
    }
  }

  private readFailed(message: string): void {
    if (this.state === 'closed') return;
    this.failure = message;
    this.info.warnings.push({ kind: 'read_failed', args: { iface: this.iface, message } });
    this.stop('error', { drain: false });
  }

  /** Called with the stop reason ('count', 'duration', 'SIGINT', ...) when the capture is told to stop. */
  onStop(fn: (why: string) => void): void {
    this.stopHooks.push(fn);
  }

  /** True once told to stop (packets still waiting in the kernel may be read for latencyMs). */
  get stopped(): boolean {
    return this.state !== 'open';
  }

  /** True once the handle is closed and forEach resolved (or rejected). */
  get closed(): boolean {
    return this.state === 'closed';
  }

  /**
   * Stops the capture at this instant: the packets the kernel stamped before now are still read
   * (up to latencyMs later: they may wait in the ring's current block), later ones are not; then
   * the counters are read, the handle closed and forEach resolved. `drain: false` closes at once
   * (a count reached, an error). Idempotent; a second call while draining closes at once.
   */
  stop(why: string, o: { drain?: boolean } = {}): void {
    if (this.state === 'closed') return;
    if (this.state === 'draining') {
      this.finish();
      return;
    }
    this.stopReason = why;
    // +1: Date.now() has whole milliseconds; a packet stamped within the stop's millisecond is in.
    this.stoppedMs = this.nowMs() + (this.kernelTimestamps ? 1 : 0);
    for (const h of this.stopHooks) {
      try {
        h(why);
      } catch {
        // a hook must not keep the capture open
      }
    }
    if (o.drain !== false && this.latencyMs > 0) {
      this.state = 'draining';
      this.drainTimer = setTimeout(() => this.finish(), this.latencyMs + 20);
      return;
    }
    this.finish();
  }

  private finish(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    if (this.drainTimer) clearTimeout(this.drainTimer);
    this.drainTimer = null;
    let s: KernelStats | null = null;
    try {
      s = this.feed.stats();
    } catch {
      s = null;
    }
    this.feed.close();
    this.kernel = s;
    if (s) {
      this.info.drops = s.dropped;
      if (s.ifDropped !== null) {
        this.info.ifDrops = s.ifDropped;
        if (s.ifDropped > 0) this.info.warnings.push({ kind: 'interface_drops', args: { iface: this.iface, count: s.ifDropped } });
      }
    } else {
      this.info.warnings.push({ kind: this.binding === 'cap' ? 'kernel_drops_unknown' : 'kernel_stats_failed', args: {} });
    }
    this.resolveDone(this.info);
  }

  private fail(e: unknown): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    if (this.drainTimer) clearTimeout(this.drainTimer);
    this.drainTimer = null;
    this.feed.close();
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
      if (lost > 0) this.info.warnings.push({ kind: 'queue_drops', args: { count: lost } });
      this.stop('closed', { drain: false });
    }
  }

  close(): void {
    this.stop('closed', { drain: false });
  }
}
