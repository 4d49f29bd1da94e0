/**
 * What a public-facing upload service must refuse, through the real server and real HTTP:
 * oversized (by Content-Length, by Expect: 100-continue before any byte is sent, and chunked
 * past the limit, where reading stops), empty, random, text, form, too short and truncated
 * bodies; a corrupt gzip; the concurrency cap (503 + Retry-After, and a client that goes away
 * frees its slot); the time limit for a stalled upload (408) and for an analysis that runs too
 * long (504, a gzip "bomb"). After each refusal the server keeps serving correct reports, and
 * nothing is left in its temp folder.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDirForTest } from '../helpers/tmp.js';
import { gzipSync } from 'node:zlib';
import { pcapFile } from '../helpers/pcap.js';
import { ethIp, udpIp } from '../helpers/build.js';
import { SAMPLES, cliReports, http, post, serve, sleep, type Answer, type Served } from './harness.js';

let a: Served; // 1 MB uploads, one analysis at a time
let b: Served; // half-second time limit
const SAMPLE = 'tcp-reset-after-request.pcap';
const sampleBytes = readFileSync(join(SAMPLES, SAMPLE));
const expected = cliReports(SAMPLES, [SAMPLE])[0]!;

beforeAll(async () => {
  [a, b] = await Promise.all([
    serve(['--max-upload-mb', '1', '--max-concurrent', '1', '--timeout-s', '20']),
    serve(['--timeout-s', '0.5', '--max-concurrent', '1']),
  ]);
});
afterAll(async () => {
  for (const s of [a, b]) {
    expect(await s.stop()).toBe(0);
    expect(s.leftInTmp(), 'nothing written to disk').toEqual([]);
    expect(s.stderr()).not.toMatch(/internal error|crashed|\n\s+at /);
  }
});

const api = (s: Served, q = ''): string => `${s.url}api/analyze${q}`;

function error(r: Answer, status: number, msg: RegExp): { error: string; hint: string } {
  expect(r.status, r.text).toBe(status);
  expect(r.headers['content-type']).toBe('application/json; charset=utf-8');
  const e = r.json<{ error: string; hint: string }>();
  expect(e.error).toMatch(msg);
  expect(e.hint.length).toBeGreaterThan(10);
  return e;
}

/** The server still answers a good upload correctly. */
async function stillServing(s: Served): Promise<void> {
  const r = await post(api(s, `?name=${SAMPLE}`), sampleBytes);
  expect(r.status).toBe(200);
  expect(r.text).toBe(expected);
}

/** Deterministic bytes that start with no capture magic. */
function random(n: number, seed = 7): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  out[0] = 0x42;
  return out;
}

describe('size limit', () => {
  const big = random(3 << 20);
  big.set(sampleBytes.subarray(0, 24)); // a real pcap header: only the size is wrong

  it('Content-Length over the limit: 413 at once', async () => {
    const e = error(await post(api(a), big), 413, /3 MB, more than the 1 MB this server accepts/);
    expect(e.hint).toMatch(/editcap|gzip/);
    await stillServing(a);
  });

  it('Expect: 100-continue: 413 before a byte of the body is sent', async () => {
    let continued = false;
    const r = await http('POST', api(a), {
      headers: { Expect: '100-continue', 'Content-Length': String(big.length) },
      body: (write, end, req) => {
        req.on('continue', () => {
          continued = true;
          write(big);
          end();
        });
      },
    });
    error(r, 413, /more than the 1 MB/);
    expect(continued).toBe(false);
    await stillServing(a);
  });

  it('chunked body growing past the limit: 413, and the server stops reading', async () => {
    let sent = 0;
    let answered = false;
    // Valid records (the sample's, over and over), so only the size can be refused.
    const records = sampleBytes.subarray(24);
    const chunk = Buffer.concat(Array.from({ length: Math.ceil(65536 / records.length) }, () => records));
    const r = await http('POST', api(a), {
      body: (write, end, req) => {
        req.on('response', () => (answered = true));
        write(sampleBytes.subarray(0, 24));
        const pump = (): void => {
          // Up to 256 MB, but stop as soon as the answer came or the server closed.
          while (!answered && !req.destroyed && sent < 256 << 20) {
            sent += chunk.length;
            if (!write(chunk)) {
              req.once('drain', pump);
              return;
            }
          }
          end();
        };
        pump();
      },
    });
    error(r, 413, /larger than the 1 MB this server accepts \(reading stopped at 1(\.\d)? MB\)/);
    // What was sent is what the socket buffers held when the server stopped reading.
    expect(sent).toBeLessThan(32 << 20);
    await stillServing(a);
  });
});

describe('bodies that are not captures', () => {
  it('empty: 400', async () => {
    error(await post(api(a), new Uint8Array(0)), 400, /the upload is empty \(0 bytes\)/);
  });

  it('random bytes: 415 before any analysis', async () => {
    const e = error(await post(api(a), random(200_000)), 415, /not a pcap or pcapng capture \(it starts with bytes 42 /);
    expect(e.hint).toMatch(/editcap -F pcapng/);
  });

  it('text: 415 saying it looks like text', async () => {
    error(await post(api(a), new TextEncoder().encode('12:00:01.000 IP 10.0.0.1 > 10.0.0.2: Flags [S]\n')), 415, /look like text/);
  });

  it('a multipart form: 415 saying to send the file itself', async () => {
    const r = await post(api(a), new TextEncoder().encode('--x\r\nContent-Disposition: form-data; name="f"\r\n\r\n'), { 'Content-Type': 'multipart/form-data; boundary=x' });
    expect(error(r, 415, /is a form \(multipart\/form-data\)/).hint).toMatch(/--data-binary/);
  });

  it('two bytes of a pcap magic: 422, too short', async () => {
    error(await post(api(a), Uint8Array.of(0xd4, 0xc3)), 422, /only 2 bytes, shorter than a capture file header/);
  });

  it('cut inside the file header: 422 with the offset', async () => {
    const e = error(await post(api(a), sampleBytes.subarray(0, 12)), 422, /the upload is only 12 bytes, shorter than a capture file header/);
    expect(e).toMatchObject({ code: 'SHORT_HEADER' });
  });

  it('gzip holding something else: 415 after gunzip', async () => {
    error(await post(api(a), gzipSync(random(5000))), 415, /\(after gunzip\) is not a pcap or pcapng capture/);
  });

  it('corrupt gzip: 422', async () => {
    const gz = gzipSync(sampleBytes);
    for (let i = 40; i < gz.length - 8; i += 3) gz[i] ^= 0x5a;
    error(await post(api(a), gz), 422, /gzip data is corrupt/);
  });

  it('damaged part-way: 200 with the report of what was read and the warning (as the CLI)', async () => {
    const dir = tempDirForTest('wirewhy-serve-cut-');
    const cut = sampleBytes.subarray(0, sampleBytes.length - 30);
    writeFileSync(join(dir, 'cut.pcap'), cut);
    const r = await post(api(a, '?name=cut.pcap'), cut);
    expect(r.status).toBe(200);
    expect(r.text).toBe(cliReports(dir, ['cut.pcap'])[0]);
    expect(r.headers['x-wirewhy-warning']).toMatch(/ends in the middle of a packet record .* at file offset \d+ \(where frame \d+ would start\)/);
    expect(r.json<{ capture: { damage: object | null } }>().capture.damage).not.toBeNull();
  });

  it('the server kept serving through all of that', async () => {
    await stillServing(a);
    const h = await http('GET', `${a.url}healthz`);
    expect(h.json()).toMatchObject({ status: 'ok', active: 0 });
  });
});

/** Starts an upload that sends a pcap header and then stalls; resolves once the server has it. */
function stalledUpload(s: Served): { answer: Promise<Answer>; drop: () => void } {
  let req: import('node:http').ClientRequest | null = null;
  const answer = http('POST', api(s), {
    body: (write, _end, r) => {
      req = r;
      write(sampleBytes.subarray(0, 100));
    },
  });
  return {
    answer,
    drop: () => {
      // Going away on purpose: the answer that never comes is expected.
      answer.catch(() => undefined);
      req?.destroy();
    },
  };
}

async function untilActive(s: Served, n: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if ((await http('GET', `${s.url}healthz`)).json<{ active: number }>().active === n) return;
    await sleep(20);
  }
  throw new Error(`server never had ${n} active analyses`);
}

describe('concurrency and time limits', () => {
  it('over the concurrency cap: 503 with Retry-After; a client that goes away frees its slot', async () => {
    const held = stalledUpload(a);
    await untilActive(a, 1);
    const r = await post(api(a), sampleBytes);
    error(r, 503, /busy: 1 analyses are running/);
    expect(r.headers['retry-after']).toBe('1');
    held.drop();
    await untilActive(a, 0);
    await stillServing(a);
  });

  it('an upload that stalls: 408 at the time limit', async () => {
    const t = Date.now();
    const held = stalledUpload(b);
    error(await held.answer, 408, /the upload did not finish within 0\.5 s/);
    expect(Date.now() - t).toBeLessThan(5000);
    await stillServing(b);
  });

  it('an analysis that runs too long (a small gzip holding 400 MB of packets): 504, worker stopped', async () => {
    const one = pcapFile({ linkType: 1 }, [{ ts: 1_700_000_000, frame: ethIp(udpIp({ src: '192.0.2.1', dst: '192.0.2.2', sport: 1000, dport: 9 }, new Uint8Array(18))) }]);
    const rec = one.subarray(24);
    const block = new Uint8Array(rec.length * 13_000);
    for (let i = 0; i < 13_000; i++) block.set(rec, i * rec.length);
    const parts = [one.subarray(0, 24), ...Array.from({ length: Math.ceil((400 << 20) / block.length) }, () => block)];
    const gz = gzipSync(Buffer.concat(parts), { level: 9 });
    expect(gz.length).toBeLessThan(3 << 20);
    const t = Date.now();
    const e = error(await post(api(b), gz), 504, /the analysis took too long: more than the 0\.5 s this server allows/);
    expect(e.hint).toMatch(/editcap/);
    expect(Date.now() - t).toBeLessThan(4000);
    // The slot is free again at once (the worker was terminated, not waited for).
    const h = await http('GET', `${b.url}healthz`);
    expect(h.json()).toMatchObject({ active: 0 });
    await stillServing(b);
  });
});
