/**
 * What an abuse test found in `wirewhy serve` (issue 23), against the real server on a loopback
 * port: slow bodies cannot hold the analysis slots (a minimum upload rate, 408), an analysis
 * that runs out of time while the body is still queued is 504 (not 408), a body sent with
 * `curl -d` is 415 saying to use --data-binary, and damaged gzip, undecodable and zstd uploads
 * are answered as the CLI answers them. Time windows are shortened by the options so that each
 * case takes a few seconds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/tmp.js';
import { gzipSync } from 'node:zlib';
import type { ClientRequest } from 'node:http';
import { pcapFile } from '../helpers/pcap.js';
import { ethIp, udpIp } from '../helpers/build.js';
import { SAMPLES, http, post, serve, sleep, type Answer, type Served } from './harness.js';

let slow: Served; // four slots, a one-second rate window
let tight: Served; // one slot, a two-second time limit, a half-second rate window
const SAMPLE = 'tcp-reset-after-request.pcap';
const sampleBytes = readFileSync(join(SAMPLES, SAMPLE));
const tmp = tempDir('wirewhy-serve-hard-');

beforeAll(async () => {
  [slow, tight] = await Promise.all([
    serve(['--max-concurrent', '4', '--min-upload-kib-s', '10', '--upload-window-s', '1', '--timeout-s', '30']),
    serve(['--max-concurrent', '1', '--timeout-s', '2', '--min-upload-kib-s', '10', '--upload-window-s', '0.5']),
  ]);
});
afterAll(async () => {
  for (const s of [slow, tight]) {
    expect(await s.stop()).toBe(0);
    expect(s.leftInTmp()).toEqual([]);
    expect(s.stderr()).not.toMatch(/internal error|crashed|\n\s+at /);
  }
});

const api = (s: Served, q = ''): string => `${s.url}api/analyze${q}`;

function error(r: Answer, status: number, msg: RegExp): { error: string; hint: string; code?: string } {
  expect(r.status, r.text).toBe(status);
  const e = r.json<{ error: string; hint: string; code?: string }>();
  expect(e.error).toMatch(msg);
  return e;
}

async function active(s: Served): Promise<number> {
  return (await http('GET', `${s.url}healthz`)).json<{ active: number }>().active;
}

/**
 * An upload that sends the sample's header and then one byte every 100 ms (10 bytes/s), until
 * the server answers.
 */
function trickle(s: Served): Promise<Answer & { ms: number }> {
  const t = Date.now();
  let timer: NodeJS.Timeout | undefined;
  return http('POST', api(s), {
    body: (write, end, req: ClientRequest) => {
      write(sampleBytes.subarray(0, 24));
      let i = 24;
      timer = setInterval(() => {
        if (req.destroyed || i >= sampleBytes.length) {
          clearInterval(timer);
          if (i >= sampleBytes.length) end();
          return;
        }
        write(sampleBytes.subarray(i, ++i));
      }, 100);
      req.on('response', () => clearInterval(timer));
    },
  }).then((a) => ({ ...a, ms: Date.now() - t }));
}

describe('5. slow bodies', () => {
  it('four uploads at 10 bytes/s hold every slot only until the rate window shows them: 408, and the slots are free', async () => {
    const held = [trickle(slow), trickle(slow), trickle(slow), trickle(slow)];
    for (let i = 0; i < 100 && (await active(slow)) < 4; i++) await sleep(10);
    expect(await active(slow)).toBe(4);
    // Meanwhile a genuine upload finds no slot.
    const busy = await post(api(slow), sampleBytes);
    expect(busy.status).toBe(503);
    for (const h of await Promise.all(held)) {
      const e = error(h, 408, /^the upload is too slow: \d+ bytes in the last 1(\.\d)? s, less than the 10 KiB\/s this server requires$/);
      expect(e.hint).toMatch(/faster connection|gzip/);
      // The window is one second: answered after it, long before the 30 s time limit.
      expect(h.ms).toBeGreaterThanOrEqual(1000);
      expect(h.ms).toBeLessThan(5000);
    }
    expect(await active(slow)).toBe(0);
    const ok = await post(api(slow), sampleBytes);
    expect(ok.status).toBe(200);
  });

  it('an upload slower than the network but above the minimum (about 20 KB/s for 2.5 s) is analysed', async () => {
    const records = sampleBytes.subarray(24);
    const body = Buffer.concat([sampleBytes.subarray(0, 24), ...Array.from({ length: 60 }, () => records)]);
    const t = Date.now();
    const r = await http('POST', api(slow), {
      body: (write, end) => {
        let i = 0;
        const timer = setInterval(() => {
          write(body.subarray(i, i + 2000));
          i += 2000;
          if (i >= body.length) {
            clearInterval(timer);
            end();
          }
        }, 100);
      },
    });
    expect(r.status, r.text).toBe(200);
    expect(Date.now() - t).toBeGreaterThan(2000);
    expect(Number(r.headers['x-wirewhy-packets'])).toBe(8 * 60);
  });
});

describe('5. time limit', () => {
  it('out of time while the body waits for the analysis (a body bigger than the queue): 504 "analysis took too long", not 408', async () => {
    // gzip members of ~1 MB of small UDP packets each (~1 KB compressed): 9 MB of body holds
    // ~9 GB of packets, so the analysis is far behind the upload from the first megabytes on,
    // and reading the body pauses (which must not count as a slow client either).
    const one = pcapFile({ linkType: 1 }, [{ ts: 1_700_000_000, frame: ethIp(udpIp({ src: '192.0.2.1', dst: '192.0.2.2', sport: 1000, dport: 9 }, new Uint8Array(18))) }]);
    const rec = one.subarray(24);
    const block = Buffer.alloc(rec.length * 13_000);
    for (let i = 0; i < 13_000; i++) block.set(rec, i * rec.length);
    const first = gzipSync(Buffer.concat([one.subarray(0, 24), block]), { level: 9 });
    const member = gzipSync(block, { level: 9 });
    const body = Buffer.concat([first, ...Array.from({ length: Math.ceil((9 << 20) / member.length) }, () => member)]);
    expect(body.length).toBeGreaterThan(8 << 20);
    const t = Date.now();
    const e = error(await post(api(tight), body), 504, /^the analysis took too long: more than the 2 s this server allows$/);
    expect(e.hint).toMatch(/editcap/);
    expect(Date.now() - t).toBeLessThan(6000);
    expect(await active(tight)).toBe(0);
    expect((await post(api(tight), sampleBytes)).status).toBe(200);
  });

  it('on the same server, a client that trickles is 408 at the end of its rate window, before the time limit', async () => {
    // The server waits on the client here, not on the analysis: 408 (the window is 0.5 s, the
    // time limit 2 s; a client that stops sending altogether is test/serve/limits' 408).
    const r = await trickle(tight);
    error(r, 408, /the upload is too slow: \d+ bytes in the last 0\.5 s/);
    expect(r.ms).toBeLessThan(2000);
  });
});

describe('5. form-encoded bodies (curl -d)', () => {
  const curl = (args: string[]): { status: number; body: string } => {
    const r = spawnSync('curl', ['-sS', '-w', '\n%{http_code}', ...args], { encoding: 'utf8', timeout: 30_000 });
    if (r.error) throw new Error('curl is missing (apt-get install curl)');
    const i = r.stdout.lastIndexOf('\n');
    return { status: Number(r.stdout.slice(i + 1)), body: r.stdout.slice(0, i) };
  };

  for (const name of [SAMPLE, 'https-ok-tls12.pcapng']) {
    it(`${name}: curl -d is 415 naming --data-binary; curl --data-binary (also labelled a form) is 200`, () => {
      const bytes = readFileSync(join(SAMPLES, name));
      expect(bytes.includes(10) || bytes.includes(13)).toBe(true);
      const bad = curl(['-d', `@${join(SAMPLES, name)}`, api(slow)]);
      expect(bad.status).toBe(415);
      const e = JSON.parse(bad.body) as { error: string; hint: string; code: string };
      expect(e.error).toMatch(/sent form-encoded \(Content-Type application\/x-www-form-urlencoded\).*curl -d/);
      expect(e.hint).toMatch(/curl --data-binary @capture\.pcap/);
      expect(e.code).toBe('FORM_ENCODED');
      const good = curl(['--data-binary', `@${join(SAMPLES, name)}`, api(slow)]);
      expect(good.status).toBe(200);
    });
  }

  it('a gzip capture sent with curl -d: 415 as well (not a report of "damage")', () => {
    const p = join(tmp, 'm.pcap.gz');
    writeFileSync(p, gzipSync(readFileSync(join(SAMPLES, 'multi-failure.pcap'))));
    expect(curl(['-d', `@${p}`, api(slow)]).status).toBe(415);
    expect(curl(['--data-binary', `@${p}`, api(slow)]).status).toBe(200);
  });
});

describe('1, 4. damaged gzip, undecodable and zstd uploads', () => {
  const gz = gzipSync(readFileSync(join(SAMPLES, 'multi-failure.pcap')));

  it('a bad CRC: 200 with the report and the warning naming the compressed offset', async () => {
    const b = Buffer.from(gz);
    b[gz.length - 8] ^= 1;
    const r = await post(api(slow), b);
    expect(r.status).toBe(200);
    expect(r.headers['x-wirewhy-warning']).toMatch(new RegExp(`CRC-32\\) at compressed offset ${gz.length - 8} does not match`));
    expect(Number(r.headers['x-wirewhy-packets'])).toBe(43);
  });

  it('cut short: 200 with what came before', async () => {
    const r = await post(api(slow), gz.subarray(0, 3000));
    expect(r.status).toBe(200);
    expect(r.headers['x-wirewhy-warning']).toMatch(/the gzip data ends at compressed offset 3000, in the middle of a gzip member/);
    expect(Number(r.headers['x-wirewhy-packets'])).toBeGreaterThan(5);
  });

  it('damage before any packet: 422 naming the compressed offset (no "at byte offset 0")', async () => {
    const b = Buffer.from(gzipSync(readFileSync(join(SAMPLES, 'multi-failure.pcap')), { level: 0 }));
    b[13] ^= 1;
    const e = error(await post(api(slow), b), 422, /^the gzip data is corrupt at compressed offset 14 \(invalid stored block lengths\); no packet could be read before it$/);
    expect(e.code).toBe('GZIP');
  });

  it('trailing garbage: 200, the warning in the report', async () => {
    const r = await post(api(slow), Buffer.concat([gz, Buffer.from('junk')]));
    expect(r.status).toBe(200);
    expect(r.json<{ capture: { warnings: string[] } }>().capture.warnings).toContain(`4 bytes after the end of the gzip data (compressed offset ${gz.length}) are not gzip and were ignored, as gzip -d does`);
  });

  it('no decodable link type: 422 naming it', async () => {
    const frames = Array.from({ length: 3 }, (_, i) => ({ ts: 1_700_000_000 + i, frame: new Uint8Array(64).fill(i) }));
    const e = error(await post(api(slow), pcapFile({ linkType: 284 }, frames)), 422, /^none of the 3 packets could be decoded: link type 284 is not supported$/);
    expect(e.code).toBe('LINK_TYPE');
    expect(e.hint).toMatch(/Ethernet/);
  });

  it('zstd: 415 naming it and the command that decompresses it', async () => {
    const e = error(await post(api(slow), Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x20, 4, 0x21, 0, 0, 1, 2, 3, 4])), 415, /^the upload is zstd-compressed \(it starts with bytes 28 b5 2f fd\)/);
    expect(e.hint).toMatch(/zstd -dc FILE/);
  });
});
