/**
 * The live analyzer without libpcap: the samples (real traffic, stored) are replayed through it
 * packet by packet with wall-clock ticks, as `wirewhy capture` does. It must (1) say each
 * failure once as a streaming event, when the packet that settles it arrives (or, for a silence,
 * once the timeout has passed), and (2) end with exactly the report `analyze()` makes of the file.
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { openCapture } from '../../src/capture/open.js';
import { analyze } from '../../src/analyze.js';
import { LiveAnalyzer, type LiveEvent } from '../../src/live.js';
import { targetText } from '../../src/diagnose/verdict.js';
import { SAMPLES } from '../tshark-fixture.js';
import { readdirSync } from 'node:fs';

async function replay(file: string, lateTick: number | null): Promise<{ events: Array<LiveEvent & { frame: number }>; report: ReturnType<LiveAnalyzer['report']> }> {
  const events: Array<LiveEvent & { frame: number }> = [];
  let frame = 0;
  const a = new LiveAnalyzer({ synTimeout: 3, dnsTimeout: 5, onEvent: (e) => events.push({ ...e, frame }) });
  const src = await openCapture(join(SAMPLES, file));
  let last = 0;
  const info = await src.forEach((p) => {
    frame = p.frame;
    const t = p.tsSec + p.tsNsec * 1e-9;
    a.tick(t); // time passes before the packet arrives
    a.packet(p);
    last = t;
  });
  frame = 0;
  if (lateTick !== null) a.tick(last + lateTick);
  return { events, report: a.report(info, last) };
}

const CASES: Array<[string, string, number | null]> = [
  // sample, cause streamed, frame that settles it (null: a silence, said on a tick)
  ['tcp-refused.pcap', 'tcp.refused', 2],
  ['dns-nxdomain.pcapng', 'dns.nxdomain', 2],
  ['tls-unknown-ca.pcapng', 'tls.alert', null],
  ['tcp-syn-dropped.pcap', 'tcp.syn_unanswered', null],
  ['dns-no-response.pcap', 'dns.no_response', null],
  ['icmp-port-unreachable.pcap', 'icmp.port_unreachable', null],
  // Issue 22: a forged RST and a plain-text answer at once; an unanswered encrypted request on a tick.
  ['tcp-reset-injected-syn.pcap', 'tcp.reset_injected', 16],
  ['tcp-reset-injected-sni.pcap', 'tcp.reset_injected', 19],
  ['tls-to-plain-http-port.pcap', 'tls.not_tls', 8],
  ['https-no-response.pcap', 'http.no_response', null],
  // Issue 24: an ICMP error about a DNS query, said on the ICMP packet with the query's name.
  ['dns-port-unreachable.pcap', 'icmp.port_unreachable', 2],
  // Issue 22: said on the packet after which the rule's proof holds (its duration or back-off).
  ['tcp-zero-window.pcap', 'tcp.zero_window', 22],
  ['tcp-stalled-mid-connection.pcap', 'tcp.stalled', 6],
  ['pmtu-blackhole-upload.pcap', 'tcp.pmtu_blackhole', 21],
  ['dns-fragments-lost-v6.pcap', 'dns.fragments_lost', null],
];

describe('live analyzer on the samples', () => {
  for (const [file, cause, frame] of CASES) {
    it(`${file}: streams ${cause} once, and the final report equals analyze()`, async () => {
      const { events } = await replay(file, 30);
      const hits = events.filter((e) => e.verdict.cause === cause);
      expect(hits.map((e) => targetText(e.verdict.target)), JSON.stringify(events.map((e) => e.verdict.cause))).toHaveLength(1);
      if (frame !== null) expect(hits[0]!.frame).toBe(frame);
      if (cause === 'tls.alert') expect(hits[0]!.verdict.details['alert']).toMatchObject({ name: 'unknown_ca' });
      // Without a tick past the end, the live report is analyze()'s, byte for byte.
      const { report } = await replay(file, null);
      const ref = await analyze(await openCapture(join(SAMPLES, file)));
      expect(report).toEqual(ref);
    });
  }

  it('multi-failure.pcap: one event per failed target, each also a verdict of the report', async () => {
    const { events, report } = await replay('multi-failure.pcap', 30);
    const keys = events.map((e) => `${e.verdict.cause} ${targetText(e.verdict.target)}`);
    expect(new Set(keys).size).toBe(keys.length);
    // Same cause and address/port (or name, for DNS). The name of an address can differ: the report
    // also uses names learned after the line was said (here a later DNS answer names 203.0.113.10).
    const where = (t: { name: string | null; ip: string | null; port: number | null }): string => (t.ip === null ? `${t.name}` : `${t.ip}:${t.port}`);
    for (const e of events) expect(report.verdicts.some((v) => v.cause === e.verdict.cause && where(v.target) === where(e.verdict.target))).toBe(true);
    expect(events.map((e) => e.verdict.cause).sort()).toEqual(report.verdicts.filter((v) => v.severity === 'error').map((v) => v.cause).sort());
  });

  it('every sample: every failure the final report lists was streamed, once', async () => {
    const files = readdirSync(SAMPLES).filter((f) => /\.pcap(ng)?$/.test(f)).sort();
    expect(files.length).toBeGreaterThanOrEqual(40);
    const where = (t: { name: string | null; ip: string | null; port: number | null }): string => (t.ip === null ? `${t.name}` : `${t.ip}:${t.port}`);
    let failures = 0;
    for (const f of files) {
      const { events, report } = await replay(f, null);
      const said = events.map((e) => `${e.verdict.cause} ${where(e.verdict.target)}`);
      expect(new Set(said).size, `${f}: ${said.join(', ')}`).toBe(said.length);
      for (const v of report.verdicts.filter((x) => x.severity === 'error')) {
        failures++;
        // A host's ports told as one verdict (diagnose/aggregate.ts) were said as each failed: one
        // by one, then counted on lines for many (live.ts LINES_PER_CAUSE); each port once.
        const ports = v.target.port === null ? (v.details['ports'] as { count: number } | undefined) : undefined;
        const forHost = events.filter((e) => e.verdict.cause === v.cause && e.verdict.target.ip === v.target.ip && e.verdict.target.port !== null);
        const hit = ports
          ? forHost.reduce((n, e) => n + (e.more?.count ?? 1), 0) === ports.count
          : events.some((e) => e.verdict.cause === v.cause && (where(e.verdict.target) === where(v.target) ||
            (v.target.name !== null && e.verdict.target.name === v.target.name)));
        expect(hit, `${f}: ${v.cause} ${targetText(v.target)} not streamed (said: ${said.join(', ')})`).toBe(true);
      }
    }
    expect(failures).toBeGreaterThanOrEqual(35);
  }, 120_000);
});
