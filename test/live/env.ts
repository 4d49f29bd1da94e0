/**
 * What the live tests need and why they skip: root (namespaces, packet sockets), the built libpcap
 * binding (native/, or the `cap` fallback), and a few Debian tools. A skipped test prints its reason once.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { BIN } from '../serve/harness.js';

export { BIN };
export const IS_ROOT = process.getuid?.() === 0;
export const PATHS = `${process.env['PATH'] ?? ''}:/usr/sbin:/sbin`;

export function has(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { env: { ...process.env, PATH: PATHS } }).status === 0;
}

/** Whether the binding loads (asked of the built CLI, the way a user would see it). */
export function bindingLoads(): boolean {
  if (!existsSync(BIN)) return false;
  return spawnSync(process.execPath, [BIN, 'interfaces', '--format', 'json'], { encoding: 'utf8', timeout: 20_000 }).status === 0;
}

/** Null when everything is there, else why not (printed by the caller). */
export function missing(tools: string[], needRoot: boolean): string | null {
  if (needRoot && !IS_ROOT) return 'needs root (network namespaces and packet sockets); CI runs it as root';
  if (!existsSync(BIN)) return 'dist/ is not built (npx tsc -p tsconfig.json)';
  if (!bindingLoads()) return "the libpcap binding is not built (apt-get install libpcap-dev; npm run build:native)";
  const absent = tools.filter((t) => !has(t));
  if (absent.length) return `missing tools: ${absent.join(', ')} (.ci/run installs them)`;
  if (tools.includes('ip') && !netnsPermitted()) return 'root, but this machine does not allow network namespaces (a container without CAP_NET_ADMIN?)';
  return null;
}

/** Root is not always enough: some containers refuse `ip netns add`. Tries once with a throwaway name. */
function netnsPermitted(): boolean {
  const name = `ww-probe-${process.pid}`;
  const ok = spawnSync('ip', ['netns', 'add', name], { env: { ...process.env, PATH: PATHS } }).status === 0;
  if (ok) spawnSync('ip', ['netns', 'del', name], { env: { ...process.env, PATH: PATHS } });
  return ok;
}

export function skipNote(file: string, reason: string | null): void {
  if (reason) console.log(`[${file}] skipped: ${reason}`);
}

/** A running `wirewhy capture`, with its stderr lines (JSON when --format json) as they arrive. */
export class CaptureRun {
  readonly child: ChildProcess;
  readonly lines: Array<{ at: number; text: string }> = [];
  stdout = '';
  stderr = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private partial = '';

  constructor(argv: string[], prefix: string[] = []) {
    const cmd = prefix.length ? prefix[0]! : process.execPath;
    const args = prefix.length ? [...prefix.slice(1), process.execPath, BIN, ...argv] : [BIN, ...argv];
    this.child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PATH: PATHS } });
    this.child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      this.stdout += d;
    });
    this.child.stderr!.setEncoding('utf8').on('data', (d: string) => {
      this.stderr += d;
      this.partial += d;
      let i: number;
      while ((i = this.partial.indexOf('\n')) >= 0) {
        this.lines.push({ at: Date.now(), text: this.partial.slice(0, i) });
        this.partial = this.partial.slice(i + 1);
      }
    });
    this.exited = new Promise((res) => this.child.on('exit', (code, signal) => res({ code, signal })));
  }

  /** The JSON lines so far, each with when it arrived; other lines are left out. */
  private jsonLines(): Array<{ j: Record<string, unknown>; at: number }> {
    const out: Array<{ j: Record<string, unknown>; at: number }> = [];
    for (const l of this.lines) {
      try {
        out.push({ j: JSON.parse(l.text) as Record<string, unknown>, at: l.at });
      } catch {
        // not a JSON line
      }
    }
    return out;
  }

  json(): Array<Record<string, unknown>> {
    return this.jsonLines().map((l) => l.j);
  }

  /** Resolves with the first line matching, or rejects after `ms`. */
  async waitFor(pred: (j: Record<string, unknown>) => boolean, ms: number): Promise<Record<string, unknown> & { receivedAt: number }> {
    const end = Date.now() + ms;
    for (;;) {
      for (const { j, at } of this.jsonLines()) {
        if (pred(j)) return { ...j, receivedAt: at };
      }
      if (Date.now() > end) throw new Error(`no matching line within ${ms} ms; stderr so far:\n${this.stderr.slice(-3000)}`);
      if (this.child.exitCode !== null) throw new Error(`capture exited (${this.child.exitCode}) before the line; stderr:\n${this.stderr.slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

/** Runs a command to completion without blocking the event loop (so stderr lines keep flowing). */
export function run(cmd: string, args: string[], timeoutMs = 20_000): Promise<{ code: number | null; out: string }> {
  return new Promise((res) => {
    const c = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PATH: PATHS } });
    let out = '';
    c.stdout.on('data', (d: Buffer) => (out += d.toString()));
    c.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const t = setTimeout(() => c.kill('SIGKILL'), timeoutMs);
    c.on('exit', (code) => {
      clearTimeout(t);
      res({ code, out });
    });
  });
}

/** tcpdump running beside wirewhy (root): started, waited for, stopped with SIGINT, its counters read. */
export class Tcpdump {
  readonly child: ChildProcess;
  stderr = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(args: string[]) {
    this.child = spawn('tcpdump', args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, PATH: PATHS } });
    this.child.stderr!.setEncoding('utf8').on('data', (d: string) => {
      this.stderr += d;
    });
    this.exited = new Promise((res) => this.child.on('exit', (code, signal) => res({ code, signal })));
  }

  async listening(ms = 15_000): Promise<void> {
    const end = Date.now() + ms;
    while (!/listening on/.test(this.stderr)) {
      if (this.child.exitCode !== null || Date.now() > end) throw new Error(`tcpdump did not start: ${this.stderr}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** SIGINT, then tcpdump's own counters ("N packets captured", "... dropped by kernel"). */
  async stop(): Promise<{ captured: number; received: number; dropped: number }> {
    this.child.kill('SIGINT');
    await this.exited;
    const n = (what: string): number => Number(new RegExp(`(\\d+) packets? ${what}`).exec(this.stderr)?.[1] ?? NaN);
    return { captured: n('captured'), received: n('received by filter'), dropped: n('dropped by kernel') };
  }
}

/**
 * udp-burst.mjs with both ports chosen by the kernel and held for the run, and a random marker in
 * every datagram: `filter` matches this burst's datagrams and nothing else on lo (another test's
 * traffic to the same port, a reply to a client whose ephemeral port happens to be ours), so
 * that counts of a capture with it are exact. Start it, start the captures with `filter`, then go().
 */
export class UdpBurst {
  readonly child: ChildProcess;
  private out = '';
  private readonly exited: Promise<number | null>;
  srcPort = 0;
  dstPort = 0;

  private constructor(readonly count: number, readonly marker: number, pps: number, script: string) {
    const hex = marker.toString(16).padStart(8, '0');
    this.child = spawn(process.execPath, [script, '0', String(count), String(pps), '64', hex], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdout!.setEncoding('utf8').on('data', (d: string) => (this.out += d));
    this.child.stderr!.setEncoding('utf8').on('data', (d: string) => (this.out += d));
    this.exited = new Promise((res) => this.child.on('exit', (code) => res(code)));
  }

  /** Started, its sockets bound (the ports known), nothing sent yet. */
  static async start(script: string, count: number, pps = 0): Promise<UdpBurst> {
    const b = new UdpBurst(count, (Math.floor(Math.random() * 0x7fffffff) | 1) >>> 0, pps, script);
    const end = Date.now() + 15_000;
    let m: RegExpExecArray | null;
    while ((m = /^ports (\d+) (\d+)$/m.exec(b.out)) === null) {
      if (b.child.exitCode !== null || Date.now() > end) {
        b.child.kill('SIGKILL');
        throw new Error(`udp-burst.mjs did not bind its ports: ${b.out}`);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    b.srcPort = Number(m[1]);
    b.dstPort = Number(m[2]);
    return b;
  }

  /** This burst's datagrams and no other packet: both addresses, both ports, the marker. */
  get filter(): string {
    return `udp and src host 127.0.0.1 and dst host 127.0.0.1 and src port ${this.srcPort} and dst port ${this.dstPort} ` +
      `and udp[12:4] = 0x${this.marker.toString(16).padStart(8, '0')}`;
  }

  /** Sends the burst; its exit status and output ("sent N seconds S pps R"). Killed after `timeoutMs`. */
  async go(timeoutMs: number): Promise<{ code: number | null; out: string }> {
    const t = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    this.child.stdin!.end('go\n');
    const code = await this.exited;
    clearTimeout(t);
    return { code, out: this.out };
  }

  /** Ends it unsent (when a capture failed to start). */
  cancel(): void {
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
  }
}

/** The marker udp-burst.mjs puts in payload bytes 4-7 (when given one), as burstSeq reads the sequence number; or -1. */
export function burstMarker(b: Uint8Array, off: number, capLen: number): number {
  if (capLen < 14 + 20 + 8 + 8 || b[off + 12] !== 0x08 || b[off + 13] !== 0x00) return -1;
  const ihl = (b[off + 14]! & 0x0f) * 4;
  const p = off + 14 + ihl + 8 + 4;
  if (b[off + 23] !== 17 || p + 4 > off + capLen) return -1;
  return ((b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!) >>> 0;
}

/**
 * The sequence number udp-burst.mjs puts in each datagram's first 4 payload bytes, from an
 * Ethernet/IPv4/UDP frame (lo's link type), or -1.
 */
export function burstSeq(b: Uint8Array, off: number, capLen: number): number {
  if (capLen < 14 + 20 + 8 + 4 || b[off + 12] !== 0x08 || b[off + 13] !== 0x00) return -1;
  const ihl = (b[off + 14]! & 0x0f) * 4;
  const p = off + 14 + ihl + 8;
  if (b[off + 23] !== 17 || p + 4 > off + capLen) return -1;
  return ((b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!) >>> 0;
}
