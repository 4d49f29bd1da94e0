/**
 * Captures whose clock misbehaves still give reports that keep the schema (issue 23, item 2).
 *
 * Property: every sample, its timestamps mutated — two packets' times swapped, the clock stepped
 * back from some packet on, one packet stamped at the epoch, at the end of 32-bit pcap time, far
 * in the future (2^64 µs) or before year 0, the times of a pcapng's packets split between two
 * interfaces whose clocks differ — gives reports (with and without --all, in both languages)
 * that validate against src/report/report.schema.json, and renderings (table, Markdown, HTML)
 * with no "NaN", "Infinity" or out-of-range number for a time. Cases are drawn by fast-check
 * with a fixed seed per sample, a bounded number per sample.
 *
 * Focused: a DNS response stamped 300 ms before its query gives rttMs null and the clock warning
 * (en and zh); a packet stamped 2^64 µs gives null times, the out-of-range warning, and a dash in
 * the other formats.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { join } from 'node:path';
import { openCapture, openStream } from '../../src/capture/open.js';
import { analyze } from '../../src/analyze.js';
import type { Report } from '../../src/report/model.js';
import { renderReport } from '../../src/report/render.js';
import { warningText } from '../../src/report/warnings.js';
import { SAMPLES } from '../tshark-fixture.js';
import { pcapFile, pcapngFile, type PcapngInterface } from '../helpers/index.js';
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

/** The mutated capture file: pcap while every time fits its 32-bit seconds, else pcapng. */
function mutate(s: Sample, m: Mutation): Uint8Array {
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
    }
    return bytes;
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
  return pcapngFile({ interfaces: ifaces }, recs.map((r) => {
    const i = ifaces[r.iface]!;
    const units = (r.ns - BigInt(i.tsoffset ?? 0) * NS) / (i.tsresol === 9 ? 1n : 1000n);
    const ok = units >= 0n && units < 2n ** 64n;
    return { ts: ok ? r.ns : BigInt(i.tsoffset ?? 0) * NS + (2n ** 64n - 1n) * (i.tsresol === 9 ? 1n : 1000n), frame: r.frame, origLen: r.origLen, iface: r.iface };
  }));
}

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
        const bytes = mutate(sample, m);
        for (const all of [true, false]) {
          expect(faults(await report(bytes, all)), `${JSON.stringify(m)} all=${all}`).toEqual([]);
        }
      }),
      { seed: seedOf(file), numRuns: 8, endOnFailure: true },
    );
  });
});
