/**
 * Every renderer is linear in the size of the report (issue 21: the ladder once filtered every
 * record list for every verdict, 87 s for 4,211 verdicts). A report ten times larger (1,000 →
 * 10,000 verdicts, with --max-verdicts 0) must render in at most twelve times the time, in every
 * format. Times are this process's CPU time (not the wall clock: other processes of a busy machine
 * do not count), the best of ten runs (six let a loaded CI machine read 12.6x once, from a 45 ms best
 * of the small report: its best time is the noisy one).
 */
import { describe, expect, it } from 'vitest';
import { renderReport, FORMATS } from '../../src/report/render.js';
import type { Report } from '../../src/report/model.js';
import { nxdomains, run } from '../helpers/failures.js';

/** The engine's collector (vitest.config.ts runs tests with --expose-gc): each run starts from a clean heap. */
const gc = (): void => (globalThis as { gc?: () => void }).gc?.();

/** Best times of `a` and `b`, run in turns (so that a busy stretch of the machine hits both alike). */
function best(a: () => unknown, b: () => unknown, runs: number): [number, number] {
  const min: [number, number] = [Infinity, Infinity];
  for (let i = 0; i < runs; i++) {
    [a, b].forEach((f, k) => {
      gc();
      const t = process.cpuUsage();
      f();
      const d = process.cpuUsage(t);
      min[k] = Math.min(min[k]!, (d.user + d.system) / 1000);
    });
  }
  return min;
}

describe('renderers are linear in the size of the report', () => {
  it('10x the verdicts: at most 12x the time, in every format', async () => {
    expect(typeof (globalThis as { gc?: unknown }).gc, 'run with --expose-gc (vitest.config.ts)').toBe('function');
    const small: Report = await run(nxdomains(1_000), 0);
    const large: Report = await run(nxdomains(10_000), 0);
    expect(small.verdicts.length).toBe(1_000);
    expect(large.verdicts.length).toBe(10_000);
    for (const format of FORMATS) {
      const render = (r: Report) => () => renderReport(r, format, { lang: 'en' });
      render(small)(); // warm up the engine's code for this format
      const [t1, t10] = best(render(small), render(large), 10);
      // The large report's text grows with it (the record lists stop at 2,000 of each kind).
      expect(renderReport(large, format, { lang: 'en' }).length).toBeGreaterThan(5 * renderReport(small, format, { lang: 'en' }).length);
      expect(t10, `${format}: ${t1.toFixed(1)} ms for 1,000 verdicts, ${t10.toFixed(1)} ms for 10,000`).toBeLessThanOrEqual(12 * t1);
    }
  }, 300_000);
});
