/**
 * Attempts held compactly (tcp.ts TcpAttempt) are replayed into the connection they would have
 * been: a report made with every attempt held (compactAttempts 0) must equal, byte for byte, the
 * one made with none held (Infinity), on every sample, tunnel and shared capture. The cases below
 * (retries, a late answer, ICMP errors quoting a held SYN, a new ISN, idle splits) are what the
 * replay has to get right; the captures carry them with real stacks' timing.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { openCapture } from '../../src/capture/open.js';
import { Analysis } from '../../src/analyze.js';
import { renderReport } from '../../src/report/render.js';
import { SAMPLES, SHARED, TUNNELS } from '../tshark-fixture.js';
import { ethIp, icmpIp, pcapFile, quote, tcpIp, type CaptureRecord } from '../helpers/index.js';
import { writeFileSync } from 'node:fs';
import { tempDir } from '../helpers/tmp.js';

function captures(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const st = statSync(p);
    if (st.isDirectory()) out.push(...captures(p));
    else if (/\.(pcap|pcapng|cap)(\.gz)?$/.test(name)) out.push(p);
  }
  return out.sort();
}

async function report(path: string, compactAttempts: number): Promise<{ json: string; held: number }> {
  const a = new Analysis({ all: true, maxVerdicts: 0, compactAttempts });
  let info;
  try {
    info = await (await openCapture(path)).forEach((raw) => a.packet(raw));
  } catch {
    return { json: 'unreadable', held: 0 };
  }
  const r = a.report(info);
  return { json: renderReport(r, 'json', { lang: 'en' }), held: a.tracker.tcp.attemptsHeld };
}

async function same(path: string): Promise<number> {
  const full = await report(path, Infinity);
  const held = await report(path, 0);
  expect(held.json, path).toBe(full.json);
  expect(full.held).toBe(0);
  return held.held;
}

describe('compact attempts: the same report as full connections', () => {
  it('on every sample and tunnel capture', async () => {
    const files = [...captures(SAMPLES), ...captures(TUNNELS)];
    expect(files.length).toBeGreaterThan(40);
    let held = 0;
    for (const f of files) held += await same(f);
    // Attempts were held (the comparison is not vacuous).
    expect(held).toBeGreaterThan(20);
  }, 120_000);

  it.skipIf(!existsSync(SHARED))('on every shared capture', async () => {
    let held = 0;
    for (const f of captures(SHARED)) held += await same(f);
    expect(held).toBeGreaterThan(100);
  }, 300_000);

  it('with retries, a late answer, a new ISN, an ICMP error quoting a held SYN and idle splits', async () => {
    const cli = '192.0.2.10';
    const srv = '198.51.100.20';
    const t0 = 1_700_000_000;
    const recs: CaptureRecord[] = [];
    const at = (s: number, frame: Uint8Array) => recs.push({ ts: BigInt(t0) * 1_000_000_000n + BigInt(Math.round(s * 1e9)), frame });
    const syn = (port: number, seq: number) => ethIp(tcpIp({ src: cli, dst: srv, sport: port, dport: 443, seq, flags: 'S', options: { mss: 1460, wscale: 7, sackPerm: true } }));
    // 1: three SYNs, never answered (S0 with its retries).
    at(0, syn(40001, 100)); at(1, syn(40001, 100)); at(3, syn(40001, 100));
    // 2: a SYN, its retry, then the SYN-ACK and the handshake (SF-less S1).
    at(0.1, syn(40002, 200)); at(1.1, syn(40002, 200));
    at(1.2, ethIp(tcpIp({ src: srv, dst: cli, sport: 443, dport: 40002, seq: 9000, ack: 201, flags: 'SA', options: { mss: 1400 } })));
    at(1.25, ethIp(tcpIp({ src: cli, dst: srv, sport: 40002, dport: 443, seq: 201, ack: 9001, flags: 'A' })));
    // 3: a SYN, then a SYN with a new ISN on the same ports.
    at(0.2, syn(40003, 300)); at(0.7, syn(40003, 777));
    // 4: a SYN quoted by an ICMP admin-prohibited error.
    const s4 = tcpIp({ src: cli, dst: srv, sport: 40004, dport: 443, seq: 400, flags: 'S' });
    at(0.3, ethIp(s4));
    at(0.31, ethIp(icmpIp({ src: '203.0.113.1', dst: cli, type: 3, code: 13 }, quote(s4))));
    // 5: a SYN, then the same SYN 200 s later (past the attempt timeout: a new connection).
    at(0.4, syn(40005, 500)); at(200.4, syn(40005, 500));
    // 6: a SYN refused.
    at(0.5, syn(40006, 600));
    at(0.5005, ethIp(tcpIp({ src: srv, dst: cli, sport: 443, dport: 40006, seq: 0, ack: 601, flags: 'RA' })));
    recs.sort((a, b) => Number(a.ts) - Number(b.ts));
    const dir = tempDir('ww-compact-');
    const f = join(dir, 'cases.pcap');
    writeFileSync(f, pcapFile({ linkType: 1 }, recs));
    const held = await same(f);
    expect(held).toBeGreaterThanOrEqual(6);
    const r = JSON.parse((await report(f, 0)).json) as { connections: Array<{ server: { port: number }; client: { port: number }; state: string; history: string }> };
    const byPort = (p: number) => r.connections.filter((c) => c.client.port === p).map((c) => `${c.state} ${c.history}`);
    expect(byPort(40001)).toEqual(['S0 S']);
    expect(byPort(40002)).toEqual(['S1 ShA']);
    expect(byPort(40006)).toEqual(['REJ Sr']);
    expect(byPort(40005)).toHaveLength(2);
  });
});
