/**
 * Issue 24's crash: `wirewhy capture -i lo --duration 3` with a refused connection and a DNS
 * datagram during it ended in "Segmentation fault" right after "stopped (duration)" in five runs
 * of six in the table format, with no report.
 *
 * Root cause (native/README.md, "The crash"): after close(), the old `cap` binding let its
 * handle be garbage-collected, and its C++ destructor ran inside V8's weak callback, where it
 * destroyed an async resource (node::EmitAsyncDestroy) without a current context — a null
 * Environment read. The table renderer allocates enough to trigger the collection before exit,
 * JSON usually not. The destructor also freed a libuv poll handle that was never closed.
 *
 * 1. The CLI as a user runs it (root, lo, real kernel traffic): every report format with each
 *    way to stop (duration, count, Ctrl-C) must exit on its own with the report complete.
 * 2. The root, without the CLI's luck: a capture is opened and stopped, its handle dropped, and
 *    the process allocates until V8 collects it.
 * WIREWHY_STOP_ROUNDS=20 repeats the matrix (the "20 times in a row").
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { createServer, connect } from 'node:net';
import { createSocket } from 'node:dgram';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { CaptureRun, IS_ROOT, missing, skipNote } from './env.js';
import { REPO } from '../tshark-fixture.js';

const reason = IS_ROOT ? missing([], true) : 'needs root to capture on lo; CI runs it as root';
skipNote('live/stops', reason);

const ROUNDS = Math.max(1, Math.min(50, Number(process.env['WIREWHY_STOP_ROUNDS'] ?? 1) || 1));
const FORMATS = ['table', 'md', 'json', 'html'] as const;
const STOPS = ['duration', 'count', 'SIGINT'] as const;

/** A TCP port on 127.0.0.1 that nothing listens on (the kernel answers a SYN with RST). */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** A DNS query for example.com A (RFC 1035 wire format), id `id`. */
function dnsQuery(id: number): Buffer {
  const name = Buffer.from([7, ...Buffer.from('example'), 3, ...Buffer.from('com'), 0]);
  const h = Buffer.alloc(12);
  h.writeUInt16BE(id, 0);
  h.writeUInt16BE(0x0100, 2); // RD
  h.writeUInt16BE(1, 4); // one question
  return Buffer.concat([h, name, Buffer.from([0, 1, 0, 1])]);
}

/**
 * Real traffic on loopback until stopped, every 150 ms (bounded by `maxRounds`): a connection
 * refused by the kernel and a DNS datagram to 127.0.0.1:53 (answered, or an ICMP port unreachable).
 */
function traffic(port: number, udpPort: number, maxRounds = 200): { stop: () => void } {
  const udp = createSocket('udp4');
  udp.bind(udpPort, '127.0.0.1');
  let n = 0;
  let stopped = false;
  const timer = setInterval(() => {
    if (stopped || ++n > maxRounds) return;
    const c = connect(port, '127.0.0.1');
    c.on('error', () => undefined);
    udp.send(dnsQuery(n), 53, '127.0.0.1', () => undefined);
  }, 150);
  udp.on('error', () => undefined);
  return {
    stop: () => {
      stopped = true;
      clearInterval(timer);
      udp.close();
    },
  };
}

/** Why the report on stdout is not a complete one, or null. */
function reportProblem(format: string, out: string): string | null {
  if (format === 'json') {
    try {
      const r = JSON.parse(out) as { capture: { format: string; packets: number } };
      return r.capture.format === 'live' && r.capture.packets > 0 ? null : `JSON report: ${JSON.stringify(r.capture)}`;
    } catch (e) {
      return `not one JSON document (${String(e)})`;
    }
  }
  if (format === 'html') return out.trimEnd().endsWith('</html>') ? null : `HTML cut short: ...${out.slice(-80)}`;
  if (!/live:lo/.test(out) || !/tcp\.refused/.test(out)) return `${format} report lacks the capture or the refused connection`;
  if (format === 'table' && !out.trimEnd().endsWith('┘')) return `table cut short: ...${out.slice(-80)}`;
  return null;
}

describe.skipIf(reason !== null)('live capture stops cleanly (issue 24: no crash after "stopped")', () => {
  const ports: number[] = [];
  beforeAll(async () => {
    for (let i = 0; i < 2 * FORMATS.length; i++) ports.push(await closedPort());
  });
  afterAll(() => undefined);

  /** One capture in `format`, stopped by `stop`, with its own refused port and DNS client port: what went wrong, or null. */
  async function once(format: (typeof FORMATS)[number], stop: (typeof STOPS)[number], port: number, udpPort: number, outcomes: string[]): Promise<string | null> {
    // Only this run's packets (the four formats run at once): its TCP port, its DNS client port,
    // and ICMP errors quoting that port (offset 28: the quoted UDP header's source port).
    const filter = `tcp port ${port} or udp port ${udpPort} or (icmp and icmp[28:2] = ${udpPort})`;
    const args = ['capture', '-i', 'lo', '-f', filter, '--format', format];
    if (stop === 'duration') args.push('-d', '1.5');
    if (stop === 'count') args.push('-c', '6', '-d', '20');
    const cap = new CaptureRun(args);
    // The start line ("capturing on lo", or a JSON line) says the interface is open.
    const t0 = Date.now();
    while (!/capturing on lo|"type":"start"/.test(cap.stderr) && cap.child.exitCode === null && Date.now() - t0 < 15_000) {
      await new Promise((r) => setTimeout(r, 20));
    }
    const gen = traffic(port, udpPort);
    let sigint: NodeJS.Timeout | null = null;
    if (stop === 'SIGINT') sigint = setTimeout(() => cap.child.kill('SIGINT'), 1500);
    const killer = setTimeout(() => cap.child.kill('SIGKILL'), 30_000);
    const exit = await cap.exited;
    clearTimeout(killer);
    if (sigint) clearTimeout(sigint);
    gen.stop();
    const what = `${format}/${stop}: exit ${exit.code ?? exit.signal}`;
    outcomes.push(what);
    // Exit status 1: the refused connection is a failure. Never a signal.
    if (exit.signal !== null || exit.code !== 1) return `${what} (stderr ends: ${cap.stderr.slice(-300).replace(/\n/g, ' | ')})`;
    const reasonSaid = format === 'json'
      ? cap.json().find((j) => j['type'] === 'stop')?.['reason']
      : /stopped \((\w+)\)/.exec(cap.stderr)?.[1];
    if (reasonSaid !== stop) return `${what}: the stop line says ${String(reasonSaid)}, not ${stop}`;
    const bad = reportProblem(format, cap.stdout);
    return bad ? `${what}: ${bad}` : null;
  }

  it(`every format x every way to stop: the report comes out and the exit status is the report's (${ROUNDS} round(s))`, async () => {
    const outcomes: string[] = [];
    const problems: string[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      for (const stop of STOPS) {
        // The four formats at once, each with its own refused port.
        const r = await Promise.all(FORMATS.map((format, i) => once(format, stop, ports[2 * i]!, ports[2 * i + 1]!, outcomes)));
        for (const p of r) if (p) problems.push(p);
      }
    }
    console.log(`[live/stops] ${outcomes.length} runs: ${outcomes.join(', ')}`);
    expect(problems).toEqual([]);
  }, 60_000 + ROUNDS * 3 * 20_000);

  // wirewhy's binding, and the `cap` fallback when it is built here (its handles are kept referenced).
  const capPath = join(REPO, 'node_modules/cap/build/Release/cap.node');
  for (const [label, env] of [['wwpcap', {}], ['cap fallback', { WIREWHY_CAP_MODULE: join(REPO, 'node_modules/cap') }]] as const) {
    it.skipIf(label === 'cap fallback' && !existsSync(capPath))(`${label}: a stopped capture whose handle is then garbage-collected does not take the process down`, () => {
      // Opens lo, stops, drops every reference, then allocates until V8 collects (the allocation
      // path that collected the old binding's handle without a context).
      const r = spawnSync(process.execPath, [join(REPO, 'test/live/gc-after-stop.mjs')], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, ...env } });
      expect(r.signal, r.stderr).toBeNull();
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/collected after stop: ok/);
    });
  }
});
