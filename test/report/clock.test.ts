/**
 * Captures whose clock misbehaves still give reports that keep the schema (issue 23, item 2).
 *
 * Property: every sample, its timestamps mutated — two packets' times swapped, the clock stepped
 * back from some packet on, all times reversed, one packet stamped at the epoch, at the end of
 * 32-bit pcap time, with the largest fraction a pcap record header holds, far in the future
 * (2^64 µs, year 10000) or before year 0, every other packet on a second pcapng interface whose
 * clock differs (its own if_tsresol and if_tsoffset) — gives reports (with and without --all,
 * both languages, redacted too) that validate against src/report/report.schema.json, renderings
 * (table, Markdown, HTML) with no "NaN", "Infinity", giant or negative seconds, and exactly the
 * clock warnings the mutated times call for. fast-check draws 8 cases per sample with a fixed
 * seed (the sample name's hash).
 *
 * Focused: a DNS answer stamped 300 ms before its query gives rttMs null and the clock warning
 * (en and zh); two interfaces' clocks; no negative wait after a step back; a packet stamped
 * 2^64 µs gives null times, the out-of-range warning, and a dash in the other formats; a
 * certificate is not judged expired by a wild capture time.
 */
import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { join } from 'node:path';
import { openCapture, openStream } from '../../src/capture/open.js';
import { analyze } from '../../src/analyze.js';
import type { Report } from '../../src/report/model.js';
import { renderReport } from '../../src/report/render.js';
import { redactReport } from '../../src/report/redact.js';
import { warningText } from '../../src/report/warnings.js';
import { SAMPLES } from '../tshark-fixture.js';
import { LINKTYPE, dnsMessage, ethIp, pcapFile, pcapngFile, udpIp, type PcapngInterface } from '../helpers/index.js';
import { SAMPLE_FILES, docOf } from './reports.js';
import { problems } from './schema-check.js';

interface Rec {
  /** Time as the reader should see it, in nanoseconds since the epoch (may be negative or huge). */
  ns: bigint;
  frame: Uint8Array;
  origLen: number;
  iface: number;
}
interface Sample {
  format: 'pcap' | 'pcapng';
  ifaces: Array<{ linkType: number; snaplen: number }>;
  recs: Rec[];
}

const NS = 1_000_000_000n;
const U32_SECONDS = 2n ** 32n;

/** A sample's packets, as plain records (times in ns, bytes copied). */
async function load(file: string): Promise<Sample> {
  const src = await openCapture(join(SAMPLES, file));
  const recs: Rec[] = [];
  const info = await src.forEach((p) => {
    recs.push({ ns: BigInt(p.tsSec) * NS + BigInt(p.tsNsec), frame: p.buf.slice(p.off, p.off + p.capLen), origLen: p.origLen, iface: p.iface });
  });
  return { format: info.format === 'pcapng' ? 'pcapng' : 'pcap', ifaces: info.interfaces.map((i) => ({ linkType: i.linkType, snaplen: i.snaplen })), recs };
}

/**
 * One mutation of the times. `at` and `to` are fractions of the packet count (which packet);
 * the others are what to do there.
 */
type Mutation =
  | { kind: 'swap'; at: number; to: number }
  | { kind: 'step_back'; at: number; seconds: number }
  | { kind: 'stamp'; at: number; value: 'epoch' | 'u32_max' | 'u32_frac_max' | 'huge_us' | 'before_year_0' | 'year_10000' }
  | { kind: 'reverse' }
  | { kind: 'two_clocks'; skewSeconds: number; every: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('swap' as const), at: fc.double({ min: 0, max: 1, noNaN: true }), to: fc.double({ min: 0, max: 1, noNaN: true }) }),
  fc.record({ kind: fc.constant('step_back' as const), at: fc.double({ min: 0, max: 1, noNaN: true }), seconds: fc.constantFrom(0.000_3, 0.3, 1, 5, 300, 86_400, 1e9) }),
  fc.record({
    kind: fc.constant('stamp' as const),
    at: fc.double({ min: 0, max: 1, noNaN: true }),
    value: fc.constantFrom('epoch' as const, 'u32_max' as const, 'u32_frac_max' as const, 'huge_us' as const, 'before_year_0' as const, 'year_10000' as const),
  }),
  fc.record({ kind: fc.constant('reverse' as const) }),
  fc.record({ kind: fc.constant('two_clocks' as const), skewSeconds: fc.constantFrom(-300, -2.5, 0.4, 3600, 1e13, -1e13), every: fc.constantFrom(2, 3) }),
);

const pick = (n: number, f: number): number => Math.min(n - 1, Math.floor(f * n));

/**
 * The mutated capture file (pcap while every time fits its 32-bit seconds, else pcapng) and the
 * time of each packet as a reader must see it (ns).
 */
function mutate(s: Sample, m: Mutation): { bytes: Uint8Array; times: bigint[] } {
  const recs = s.recs.map((r) => ({ ...r }));
  const n = recs.length;
  let patch: { index: number; sec: number; frac: number } | null = null;
  let ifaces: PcapngInterface[] = s.ifaces.map((i) => ({ linkType: i.linkType, snaplen: i.snaplen }));
  switch (m.kind) {
    case 'swap': {
      const a = recs[pick(n, m.at)]!;
      const b = recs[pick(n, m.to)]!;
      [a.ns, b.ns] = [b.ns, a.ns];
      break;
    }
    case 'step_back': {
      const back = BigInt(Math.round(m.seconds * 1e9));
      for (let i = pick(n, m.at); i < n; i++) recs[i]!.ns -= back;
      break;
    }
    case 'reverse': {
      const times = recs.map((r) => r.ns).reverse();
      recs.forEach((r, i) => { r.ns = times[i]!; });
      break;
    }
    case 'stamp': {
      const r = recs[pick(n, m.at)]!;
      switch (m.value) {
        case 'epoch': r.ns = 0n; break;
        case 'u32_max': r.ns = (U32_SECONDS - 1n) * NS; break;
        // The fraction field at its largest, in the record header itself: 4294 s past the second.
        case 'u32_frac_max': patch = { index: pick(n, m.at), sec: Number(r.ns / NS), frac: 0xffff_ffff }; break;
        case 'huge_us': r.ns = (2n ** 64n - 1n) * 1000n; break;
        case 'before_year_0': r.ns = -62_167_219_201n * NS; break;
        case 'year_10000': r.ns = 253_402_300_800n * NS; break;
      }
      break;
    }
    case 'two_clocks': {
      // Every `every`-th packet was stamped by a second interface whose clock is off by skew
      // (written with that skew as its if_tsoffset, and its own resolution: nanoseconds).
      const skew = BigInt(Math.round(m.skewSeconds));
      const base = ifaces.length;
      ifaces = [...ifaces, ...ifaces.map((i) => ({ ...i, tsresol: 9, tsoffset: Number(skew) }))];
      recs.forEach((r, i) => {
        if (i % m.every === 1) {
          r.iface += base;
          r.ns += BigInt(Math.round(m.skewSeconds * 1e9));
        }
      });
      break;
    }
  }
  const fitsPcap = s.format === 'pcap' && recs.every((r) => r.ns >= 0n && r.ns < U32_SECONDS * NS);
  if (fitsPcap) {
    const bytes = pcapFile({ linkType: s.ifaces[0]!.linkType, nanos: true }, recs.map((r) => ({ ts: r.ns, frame: r.frame, origLen: r.origLen })));
    if (patch) {
      // Record headers: 24-byte file header, then 16 bytes + captured bytes per record.
      let o = 24;
      for (let i = 0; i < patch.index; i++) o += 16 + new DataView(bytes.buffer, bytes.byteOffset).getUint32(o + 8, true);
      const dv = new DataView(bytes.buffer, bytes.byteOffset);
      dv.setUint32(o, patch.sec, true);
      dv.setUint32(o + 4, patch.frac, true);
      recs[patch.index]!.ns = BigInt(patch.sec) * NS + BigInt(patch.frac);
    }
    return { bytes, times: recs.map((r) => r.ns) };
  }
  // pcapng: µs interfaces as the samples have them; a record's units are its time less the
  // interface's tsoffset, which must fit 64 bits unsigned. An interface with times before 1970
  // gets a negative tsoffset; what still does not fit is stamped 2^64-1 units.
  ifaces.forEach((i, k) => {
    if (i.tsoffset !== undefined) return;
    let min = 0n;
    for (const r of recs) if (r.iface === k && r.ns < min * NS) min = r.ns / NS - 1n;
    if (min < 0n) i.tsoffset = Number(min);
  });
  const bytes = pcapngFile({ interfaces: ifaces }, recs.map((r) => {
    const i = ifaces[r.iface]!;
    const unit = i.tsresol === 9 ? 1n : 1000n;
    const units = (r.ns - BigInt(i.tsoffset ?? 0) * NS) / unit;
    if (units < 0n || units >= 2n ** 64n) r.ns = BigInt(i.tsoffset ?? 0) * NS + (2n ** 64n - 1n) * unit;
    else r.ns -= r.ns % unit;
    return { ts: r.ns, frame: r.frame, origLen: r.origLen, iface: r.iface };
  }));
  return { bytes, times: recs.map((r) => r.ns) };
}

/** Seconds of the years 0000 to 9999 (what a report can write). */
const MIN_S = -62_167_219_200n;
const MAX_S = 253_402_300_800n;

/** The capture warnings the times call for: a step back (a time 1 ms or more before an earlier one), a time out of range. */
function expectedWarnings(times: bigint[]): string[] {
  let max: bigint | null = null;
  let back = false;
  let out = false;
  for (const t of times) {
    if (t < MIN_S * NS || t >= MAX_S * NS) {
      out = true;
      continue;
    }
    // Steps back under 1 ms (interfaces merged out of order by microseconds) are not said.
    if (max !== null && max - t >= 1_000_000n) back = true;
    if (max === null || t > max) max = t;
  }
  return [...(back ? ['clock_stepped_back'] : []), ...(out ? ['time_out_of_range'] : [])];
}
const CLOCK_WARNINGS = new Set(['clock_stepped_back', 'time_out_of_range']);
/** How often each warning was expected over the run (the property must meet both). */
const seen = new Map<string, number>();
const RUNS = 8;
let runs = 0;

async function report(bytes: Uint8Array, all: boolean, name = 'mutated.pcap'): Promise<Report> {
  async function* one(): AsyncIterable<Uint8Array> {
    yield bytes;
  }
  return analyze(await openStream(one(), { name }), { all });
}

/** A time the renderers should never print: NaN, Infinity, a negative or giant count of seconds. */
const BAD_TEXT = /NaN|Infinity|\b\d{11,}\.\d|-\d+(\.\d+)? (s|ms|秒|毫秒)\b/;

/** What is wrong with a report of a mutated capture: schema problems and bad rendered text. */
function faults(r: Report): string[] {
  const out: string[] = [];
  for (const lang of ['en', 'zh'] as const) {
    for (const p of problems(docOf(r, lang))) out.push(`json ${lang}: ${p}`);
    for (const p of problems(docOf(redactReport(r), lang))) out.push(`json ${lang} redacted: ${p}`);
    for (const f of ['table', 'md', 'html'] as const) {
      const text = renderReport(r, f, { lang });
      const bad = BAD_TEXT.exec(text);
      if (bad) out.push(`${f} ${lang}: "${text.slice(Math.max(0, bad.index - 60), bad.index + 40)}"`);
    }
  }
  return out;
}

/** A fixed seed per sample (its name's hash), so a failure is reproduced by name. */
const seedOf = (s: string): number => [...s].reduce((h, c) => (Math.imul(h, 31) + c.charCodeAt(0)) | 0, 7);

describe('reports of captures whose clock misbehaves keep the schema', () => {
  it.each(SAMPLE_FILES)('%s', async (file) => {
    const sample = await load(file);
    await fc.assert(
      fc.asyncProperty(mutation, async (m) => {
        runs++;
        const { bytes, times } = mutate(sample, m);
        const want = expectedWarnings(times);
        for (const w of want) seen.set(w, (seen.get(w) ?? 0) + 1);
        for (const all of [true, false]) {
          const r = await report(bytes, all);
          expect(faults(r), `${JSON.stringify(m)} all=${all}`).toEqual([]);
          expect(r.capture.warnings.map((w) => w.kind).filter((k) => CLOCK_WARNINGS.has(k)), JSON.stringify(m)).toEqual(want);
        }
      }),
      { seed: seedOf(file), numRuns: RUNS, endOnFailure: true },
    );
  });

  // Over the whole run (not when a filter runs only some samples): the mutations met clock steps
  // and out-of-range times often, so the passing cases above are not all benign.
  afterAll(() => {
    if (runs !== SAMPLE_FILES.length * RUNS) return;
    expect(seen.get('clock_stepped_back') ?? 0).toBeGreaterThan(100);
    expect(seen.get('time_out_of_range') ?? 0).toBeGreaterThan(30);
  });
});

// --- focused cases ------------------------------------------------------------------------------

const CLIENT = '192.0.2.10';
const RESOLVER = '198.51.100.53';
const T0 = 1_795_000_000; // 2026-11-18

/** A DNS query (or its answer) for www.example.com, as an Ethernet frame. */
function dnsFrame(answer: boolean, id = 0x1234, sport = 40000): Uint8Array {
  const msg = dnsMessage({ id, qr: answer, rd: true, ra: answer, questions: [{ name: 'www.example.com', type: 'A' }], answers: answer ? [{ name: 'www.example.com', type: 'A', data: '203.0.113.5' }] : [] });
  const [src, dst, s, d] = answer ? [RESOLVER, CLIENT, 53, sport] : [CLIENT, RESOLVER, sport, 53];
  return ethIp(udpIp({ src, dst, sport: s, dport: d }, msg));
}

const kinds = (r: Report): string[] => r.capture.warnings.map((w) => w.kind);
const warning = (r: Report, kind: string) => r.capture.warnings.find((w) => w.kind === kind)!;

describe('a clock step back', () => {
  it('an answer stamped 300 ms before its query gives rttMs null and says the clock stepped back (en, zh)', async () => {
    const bytes = pcapFile({ linkType: LINKTYPE.ETHERNET }, [
      { ts: T0 + 0.5, frame: dnsFrame(false) },
      { ts: T0 + 0.2, frame: dnsFrame(true) },
    ]);
    const r = await report(bytes, true);
    expect(r.dns).toHaveLength(1);
    expect(r.dns[0]!.rttMs).toBeNull();
    expect(kinds(r)).toEqual(['clock_stepped_back']);
    const w = warning(r, 'clock_stepped_back');
    expect(w.args).toMatchObject({ frame: 2, seconds: 0.3, count: 1 });
    expect(warningText(w, 'en')).toBe("the capture's time goes backwards (its clock stepped back, or packets from clocks that differ were merged): frame 2 is stamped 0.3 s before a packet ahead of it; intervals across a step are not reported (null) and may be wrong");
    expect(warningText(w, 'zh')).toContain('第 2 帧的时间戳比它前面的数据包早 0.3 秒');
    for (const lang of ['en', 'zh'] as const) {
      const doc = docOf(r, lang) as unknown as { dns: Array<{ rttMs: unknown }>; capture: { warnings: string[] } };
      expect(problems(doc)).toEqual([]);
      expect(doc.dns[0]!.rttMs).toBeNull();
      expect(doc.capture.warnings).toEqual([warningText(w, lang)]);
    }
    expect(faults(r)).toEqual([]);
  });

  it('the same answer 300 ms after its query: rttMs 300, no warning', async () => {
    const bytes = pcapFile({ linkType: LINKTYPE.ETHERNET }, [
      { ts: T0 + 0.2, frame: dnsFrame(false) },
      { ts: T0 + 0.5, frame: dnsFrame(true) },
    ]);
    const r = await report(bytes, true);
    expect(r.dns[0]!.rttMs).toBe(300);
    expect(kinds(r)).toEqual([]);
  });

  it('a wait after the last query is never negative: the capture ends at its latest time', async () => {
    // Three unanswered queries, then a packet stamped 52 s earlier (the clock stepped back).
    const bytes = pcapFile({ linkType: LINKTYPE.ETHERNET }, [
      { ts: T0 + 100, frame: dnsFrame(false) },
      { ts: T0 + 101, frame: dnsFrame(false) },
      { ts: T0 + 102, frame: dnsFrame(false) },
      { ts: T0 + 50, frame: dnsFrame(false, 0x9999, 40001) },
    ]);
    const r = await report(bytes, false);
    const v = r.verdicts.find((x) => x.target.name === 'www.example.com')!;
    expect(v.cause).toBe('dns.no_response');
    expect(v.details['waitedSeconds']).toBe(0);
    expect(v.facts['waited']).toBe(0);
    expect(warning(r, 'clock_stepped_back').args).toMatchObject({ frame: 4, seconds: 52 });
    expect(r.summary.timeline?.start).toBe(r.capture.start);
    expect(faults(r)).toEqual([]);
  });

  it('a second interface whose clock is 300 s behind: each step counted, the first named', async () => {
    const recs = [0, 1, 2, 3].map((i) => ({ ts: T0 + i - (i % 2 === 1 ? 300 : 0), frame: dnsFrame(i % 2 === 1, 0x100 + (i >> 1), 40000 + (i >> 1)), iface: i % 2 }));
    const bytes = pcapngFile({ interfaces: [{ linkType: LINKTYPE.ETHERNET }, { linkType: LINKTYPE.ETHERNET, tsresol: 9, tsoffset: -300 }] }, recs);
    const r = await report(bytes, true);
    expect(r.dns.map((d) => d.rttMs)).toEqual([null, null]);
    // Frames 2 and 4 are stamped 299 s before frames 1 and 3.
    expect(warning(r, 'clock_stepped_back').args).toMatchObject({ frame: 2, seconds: 299, count: 2, longest: 299 });
    expect(warningText(warning(r, 'clock_stepped_back'), 'en')).toContain('frame 2 is stamped 299 s before a packet ahead of it (2 packets in all, by up to 299 s)');
    expect(faults(r)).toEqual([]);
  });
});

describe('a time no report can write', () => {
  /** A query, its retry stamped 2^64-1 µs (the largest pcapng timestamp), no answer. */
  async function wild(): Promise<Report> {
    const bytes = pcapngFile({ interfaces: [{ linkType: LINKTYPE.ETHERNET }] }, [
      { ts: T0 + 0.25, frame: dnsFrame(false) },
      { ts: (2n ** 64n - 1n) * 1000n, frame: dnsFrame(false) },
    ]);
    return report(bytes, true, 'wild.pcapng');
  }

  it('gives null times and a warning naming the frame, and no interval to it', async () => {
    const r = await wild();
    expect(r.capture.start).toBe('2026-11-18T11:06:40.250000Z');
    expect(r.capture.end).toBeNull();
    expect(kinds(r)).toEqual(['time_out_of_range']);
    const w = warning(r, 'time_out_of_range');
    expect(w.args).toEqual({ frame: 2, count: 1 });
    expect(warningText(w, 'en')).toBe('frame 2 is stamped outside the years 0000 to 9999: its time is not reported (null), nor any interval to it');
    expect(warningText(w, 'zh')).toContain('第 2 帧的时间戳超出 0000 至 9999 年的范围');
    const v = r.verdicts.find((x) => x.target.name === 'www.example.com')!;
    expect(v.evidence.map((e) => [e.frame, e.time])).toEqual([[1, '2026-11-18T11:06:40.250000Z'], [2, null]]);
    // The queries' span and the wait after them are unknown, not years.
    expect(v.facts['seconds']).toBeNull();
    expect(renderReport(r, 'md', { lang: 'en' })).toContain('no answer from the DNS server 198.51.100.53 (2 queries)');
    // The wild time is the flow's only time after the query's (its idle timeout split it there).
    expect(r.connections.map((c) => [c.start, c.end])).toEqual([['2026-11-18T11:06:40.250000Z', '2026-11-18T11:06:40.250000Z'], [null, null]]);
    const json = renderReport(r, 'json', { lang: 'en' });
    expect(json).not.toMatch(/18446744|e\+\d/);
    for (const lang of ['en', 'zh'] as const) expect(problems(docOf(r, lang))).toEqual([]);
  });

  it('shows as a dash in the table, Markdown and HTML', async () => {
    const r = await wild();
    const md = renderReport(r, 'md', { lang: 'en' });
    expect(md).toMatch(/^\| 2 \| - \| - \| DNS query A www\\.example\.com/m);
    expect(md).toContain('| Time span | 2026-11-18T11:06:40.250000Z .. - |');
    const html = renderReport(r, 'html', { lang: 'en' });
    expect(html).toContain('<tr><td class="n">2</td><td class="n">-</td><td>-</td>');
    expect(html).toContain('<td>2026-11-18T11:06:40.250000Z .. -</td>');
    const table = renderReport(r, 'table', { lang: 'en' });
    expect(table).toMatch(/│ 2\s+│ -\s+│ DNS query A www\.example\.com/);
    expect(table).toMatch(/2026-11-18T11:06:40\.250000Z \.\. -/);
    expect(faults(r)).toEqual([]);
  });

  it('judges no certificate by it: a wild capture time is no date (https-ok-tls12 stamped past year 9999 still works)', async () => {
    const sample = await load('https-ok-tls12.pcapng');
    // Every packet stamped 1e13 s later (year 318857), through the interface's if_tsoffset.
    const skew = 10_000_000_000_000n;
    const bytes = pcapngFile({ interfaces: sample.ifaces.map((i) => ({ ...i, tsoffset: Number(skew) })) },
      sample.recs.map((r) => ({ ts: r.ns + skew * NS, frame: r.frame, origLen: r.origLen, iface: r.iface })));
    const r = await report(bytes, true);
    expect(r.capture.start).toBeNull();
    expect(warning(r, 'time_out_of_range').args).toEqual({ frame: 1, count: sample.recs.length });
    expect(r.tls[0]!.certificate).not.toBeNull();
    expect(r.verdicts.map((v) => [v.cause, v.severity])).toEqual([['ok', 'ok']]);
    expect(r.summary.timeline).toBeNull();
    expect(faults(r)).toEqual([]);
  });
});
