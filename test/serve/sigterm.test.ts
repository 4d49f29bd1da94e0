/**
 * Graceful stop, on a real child process: after SIGTERM the server accepts no new connection,
 * an analysis in flight finishes and gets its full report, then the process exits 0. One that
 * cannot finish within --grace-s gets a clear 503 instead, and the process still exits 0.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ClientRequest } from 'node:http';
import { SAMPLES, cliReports, http, serve, sleep, type Served } from './harness.js';

const SAMPLE = 'tls-unknown-ca.pcapng';
const bytes = readFileSync(join(SAMPLES, SAMPLE));

async function untilActive(s: Served, n: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if ((await http('GET', `${s.url}healthz`)).json<{ active: number }>().active === n) return;
    await sleep(20);
  }
  throw new Error(`server never had ${n} active analyses`);
}

/** Sends the first part of the body now; `finish()` sends the rest. */
function halfUpload(s: Served, query: string) {
  let req!: ClientRequest;
  const answer = http('POST', `${s.url}api/analyze?${query}`, {
    headers: { 'Content-Length': String(bytes.length) },
    body: (write, _end, r) => {
      req = r;
      write(bytes.subarray(0, 300));
    },
  });
  return { answer, finish: () => req.end(bytes.subarray(300)) };
}

describe('SIGTERM', () => {
  it('stops accepting, lets the analysis in flight finish, exits 0', async () => {
    const s = await serve(['--grace-s', '20']);
    const up = halfUpload(s, `name=${SAMPLE}`);
    await untilActive(s, 1);
    s.child.kill('SIGTERM');
    // The listening socket closes at once.
    let refused = false;
    for (let i = 0; i < 50 && !refused; i++) {
      await sleep(20);
      refused = await http('GET', `${s.url}healthz`).then(() => false, (e: NodeJS.ErrnoException) => e.code === 'ECONNREFUSED');
    }
    expect(refused).toBe(true);
    expect(s.child.exitCode).toBeNull();
    up.finish();
    const r = await up.answer;
    expect(r.status).toBe(200);
    expect(r.headers.connection).toBe('close');
    expect(r.text).toBe(cliReports(SAMPLES, [SAMPLE])[0]);
    expect(await s.exited).toBe(0);
    await s.stop(); // already exited: only tidies its temp folder
    expect(s.stderr()).toMatch(/SIGTERM: finishing 1 analyses in progress, then stopping/);
    expect(s.stderr()).toMatch(/stopped\n$/);
    expect(s.leftInTmp()).toEqual([]);
  });

  it('an analysis that does not finish within --grace-s gets a clear 503; exit 0', async () => {
    const s = await serve(['--grace-s', '0.5']);
    const up = halfUpload(s, '');
    await untilActive(s, 1);
    const t = Date.now();
    s.child.kill('SIGTERM');
    const r = await up.answer;
    expect(r.status).toBe(503);
    expect(r.json<{ error: string }>().error).toMatch(/the server is shutting down; the analysis did not finish within 0\.5 s/);
    expect(r.headers['retry-after']).toBeDefined();
    expect(await s.exited).toBe(0);
    expect(Date.now() - t).toBeLessThan(6000);
    await s.stop();
  });

  it('an idle server exits at once', async () => {
    const s = await serve();
    expect((await http('GET', `${s.url}healthz`)).status).toBe(200);
    const t = Date.now();
    expect(await s.stop()).toBe(0);
    expect(Date.now() - t).toBeLessThan(3000);
  });
});
