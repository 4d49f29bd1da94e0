/**
 * Bounded load: 20 clients upload a ~10 MB capture at the same moment to a server with its
 * default cap of 4 analyses at once. Clients honour 503 + Retry-After (what a real client
 * should do, and what makes the cap part of the test instead of switching it off). Every
 * answer must be byte for byte the report `wirewhy analyze` gives; the server's peak RSS must
 * stay bounded (well under the 200 MB of uploads); /healthz must stay quick while the workers
 * are busy. The figures are printed and kept in test-artifacts/serve-load.json.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { artifactPath } from '../helpers/browser.js';
import { cliReports, genCapture, http, post, serve, sleep, type Served } from './harness.js';

const CLIENTS = 20;
/** The server's cap (its default, 4); WIREWHY_LOAD_CAP=20 measures the same load with no 503s. */
const CAP = Number(process.env.WIREWHY_LOAD_CAP ?? 4);
let s: Served;
let file: string;

beforeAll(async () => {
  file = genCapture(10_000_000);
  s = await serve(['--quiet', '--max-concurrent', String(CAP)]);
});
afterAll(async () => {
  if (s) expect(await s.stop()).toBe(0);
  if (file) rmSync(dirname(file), { recursive: true, force: true });
});

const sha = (b: Uint8Array | string): string => createHash('sha256').update(b).digest('hex');

describe('load', () => {
  it(`${CLIENTS} concurrent uploads of a ~10 MB capture`, async () => {
    const body = readFileSync(file);
    const name = basename(file);
    const want = sha(cliReports(dirname(file), [name])[0]!);
    const baseRss = s.rssKb();

    let busyAnswers = 0;
    let running = true;
    const healthLatencies: number[] = [];
    let peakSampled = 0;
    const watcher = (async () => {
      while (running) {
        const t = performance.now();
        const h = await http('GET', `${s.url}healthz`);
        if (h.status === 200) healthLatencies.push(performance.now() - t);
        peakSampled = Math.max(peakSampled, s.rssKb());
        await sleep(50);
      }
    })();

    const t0 = performance.now();
    const latencies = await Promise.all(Array.from({ length: CLIENTS }, async (_, i) => {
      const start = performance.now();
      for (let attempt = 0; attempt < 60; attempt++) {
        const r = await post(`${s.url}api/analyze?name=${encodeURIComponent(name)}`, body);
        if (r.status === 503) {
          busyAnswers++;
          const after = Number(r.headers['retry-after']);
          expect(after).toBeGreaterThan(0);
          // Retry-After, with a little jitter so that the retries do not all land together.
          await sleep(after * 1000 * (0.5 + ((i * 7 + attempt) % 10) / 10));
          continue;
        }
        expect(r.status, `${r.text.slice(0, 300)} ${s.stderr().slice(-2000)}`).toBe(200);
        expect(sha(r.body)).toBe(want);
        return performance.now() - start;
      }
      throw new Error('no answer after 60 attempts');
    }));
    const wall = (performance.now() - t0) / 1000;
    running = false;
    await watcher;

    latencies.sort((a, b) => a - b);
    healthLatencies.sort((a, b) => a - b);
    const pct = (a: number[], p: number): number => Math.round(a[Math.min(a.length - 1, Math.floor(p * a.length))]!);
    const peakKb = s.peakRssKb();
    const figures = {
      clients: CLIENTS,
      captureBytes: statSync(file).size,
      maxConcurrent: CAP,
      wallSeconds: Math.round(wall * 100) / 100,
      requestsPerSecond: Math.round((CLIENTS / wall) * 100) / 100,
      uploadMBps: Math.round(((CLIENTS * body.length) / 1048576 / wall) * 10) / 10,
      latencyMs: { p50: pct(latencies, 0.5), p90: pct(latencies, 0.9), max: Math.round(latencies.at(-1)!) },
      busy503Answers: busyAnswers,
      healthzMs: { samples: healthLatencies.length, p50: pct(healthLatencies, 0.5), max: Math.round(healthLatencies.at(-1) ?? 0) },
      serverRssMB: { idle: Math.round(baseRss / 1024), peak: Math.round(peakKb / 1024), peakSampled: Math.round(peakSampled / 1024) },
    };
    console.log(`serve load: ${JSON.stringify(figures)}`);
    writeFileSync(artifactPath('serve-load.json'), JSON.stringify(figures, null, 2) + '\n');

    // Bounded: a few analyses' worth, not the 200 MB uploaded (nor 20 analyses at once).
    if (CAP === 4) expect(peakKb / 1024).toBeLessThan(600);
    // The HTTP thread never waits for an analysis: /healthz stays quick (18 ms p50 measured
    // alone; more when other test files share the 2 cores, hence the loose bound).
    if (CAP === 4) expect(figures.healthzMs.p50).toBeLessThan(500);
  }, 120_000);
});
