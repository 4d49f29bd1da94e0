/**
 * The summary's timeline figure (HTML) at the edges of capture length: a capture under a second,
 * or every failure in one instant, has no figure (one bin says nothing about time); a capture of
 * a second or two gets its two bins drawn wide, with an axis that ends where the capture ended
 * (not at a quarter of 48 bins: "0 6 12 s" for 1.5 s); a long capture's axis covers the whole
 * capture, quiet end included; no attribute is NaN or a zero width; the last axis label has room.
 */
import { describe, expect, it } from 'vitest';
import { timelineSvg } from '../../src/report/timeline-svg.js';
import type { Report } from '../../src/report/model.js';
import { refusedAt, run } from '../helpers/failures.js';

const S = 1_000_000;

function parts(svg: string): { width: number; bars: Array<{ x: number; w: number; h: number }>; ticks: Array<{ x: number; text: string }> } {
  const width = Number(/^<svg[^>]* width="([^"]+)"/.exec(svg)![1]);
  const bars = [...svg.matchAll(/<rect x="([^"]+)" y="[^"]+" width="([^"]+)" height="([^"]+)"/g)].map((m) => ({ x: Number(m[1]), w: Number(m[2]), h: Number(m[3]) }));
  const ticks = [...svg.matchAll(/<text x="([^"]+)" y="[^"]+" text-anchor="middle"[^>]*>([^<]*)<\/text>/g)].map((m) => ({ x: Number(m[1]), text: m[2]! }));
  return { width, bars, ticks };
}

function sane(svg: string): void {
  expect(svg).not.toMatch(/NaN|Infinity|undefined/);
  const p = parts(svg);
  for (const b of p.bars) {
    expect(b.w).toBeGreaterThan(0);
    expect(b.h).toBeGreaterThan(0);
    expect(b.x + b.w).toBeLessThanOrEqual(p.width);
  }
  // Each label, centred on its tick, fits (about 6.5 px a digit at 11 px).
  for (const t of p.ticks) expect(t.x + (t.text.length * 6.5) / 2, t.text).toBeLessThanOrEqual(p.width);
}

async function figure(times: number[], end?: number): Promise<{ r: Report; svg: string | null }> {
  const r = await run(refusedAt(times, end));
  return { r, svg: timelineSvg(r, 'en') };
}

describe('the summary timeline of short and long captures', () => {
  it('under a second, or all in one instant: no figure, and the JSON timeline is whole', async () => {
    for (const [times, end] of [[[0, 0.1 * S, 0.3 * S, 0.499 * S]], [[0, 10, 20, 30], 100 * S]] as Array<[number[], number?]>) {
      const { r, svg } = await figure(times, end);
      expect(svg).toBeNull();
      const t = r.summary.timeline!;
      expect(t.binSeconds).toBeGreaterThan(0);
      expect(t.series[0]!.counts.reduce((a, b) => a + b, 0)).toBe(times.length);
    }
  });

  it('1.5 s: two bins drawn wide, the axis 0 1 2 s', async () => {
    const { r, svg } = await figure([0, 0.2 * S, 1.2 * S, 1.4 * S]);
    expect(r.summary.timeline!.binSeconds).toBe(1);
    sane(svg!);
    const p = parts(svg!);
    expect(p.ticks.map((t) => t.text)).toEqual(['0', '1', '2']);
    expect(p.bars).toHaveLength(2);
    expect(p.bars.map((b) => b.w)).toEqual([47, 47]);
    expect(p.bars[0]!.h).toBe(p.bars[1]!.h); // two failures in each
  });

  it('3 s: the axis ends at the capture\'s end, each second a bar', async () => {
    const { svg } = await figure([0, 1 * S, 2 * S, 3 * S]);
    sane(svg!);
    expect(parts(svg!).ticks.map((t) => t.text)).toEqual(['0', '2', '4']);
    expect(parts(svg!).bars).toHaveLength(4);
  });

  it('failures at the start of a long quiet capture: the axis covers the whole capture', async () => {
    const { r, svg } = await figure([0, 10 * S], 100 * S);
    expect(r.summary.timeline!.binSeconds).toBe(4);
    sane(svg!);
    const ticks = parts(svg!).ticks.map((t) => Number(t.text));
    expect(ticks[ticks.length - 1]).toBeGreaterThanOrEqual(100);
  });

  it('hours: the last label (20480 s) has room on the right', async () => {
    const { svg } = await figure([0, 5000 * S, 20000 * S]);
    sane(svg!);
    expect(parts(svg!).ticks.map((t) => t.text)).toEqual(['0', '10240', '20480']);
  });
});
