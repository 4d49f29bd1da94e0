// Finds the packet rate wirewhy sustains on loopback without kernel drops (root; not a test —
// its figures go into the README's note). For each rate: a paced burst of `count` datagrams to
// 127.0.0.1 while `wirewhy capture -i lo -f 'udp and dst port P' -w <tmp>.pcapng` runs, then
// Ctrl-C, and the report's packets / drops.
//   node test/live/burst-sweep.mjs [count=200000] [rates=25000,50000,75000,100000,150000]
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const bin = join(here, '../../dist/src/cli/main.js');
const count = Number(process.argv[2] ?? 200000);
const rates = (process.argv[3] ?? '25000,50000,75000,100000,150000').split(',').map(Number);
const extra = process.argv.slice(4);

function runOnce(rate) {
  return new Promise((resolve, reject) => {
    const dir = mkdtempSync(join(tmpdir(), 'wirewhy-sweep-'));
    const port = 41000 + Math.floor(Math.random() * 1000);
    const cap = spawn(process.execPath, [bin, 'capture', '-i', 'lo', '-f', `udp and dst port ${port}`, '-w', join(dir, 'b.pcapng'), '--format', 'json', '-o', join(dir, 'r.json'), ...extra], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    let started = false;
    cap.once('exit', (code) => {
      if (started) return;
      rmSync(dir, { recursive: true, force: true });
      reject(new Error(`wirewhy capture exited (${code}) before it started: ${err}`));
    });
    cap.stderr.on('data', (d) => {
      err += d;
      if (!started && err.includes('"type":"start"')) {
        started = true;
        const gen = spawn(process.execPath, [join(here, 'udp-burst.mjs'), String(port), String(count), String(rate)], { stdio: ['ignore', 'pipe', 'inherit'] });
        let out = '';
        gen.stdout.on('data', (x) => (out += x));
        gen.on('exit', () => {
          setTimeout(() => cap.kill('SIGINT'), 1500);
          cap.on('exit', () => {
            try {
              const r = JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8'));
              const m = /sent (\d+) seconds ([\d.]+) pps (\d+)/.exec(out);
              resolve({ rate, sent: Number(m[1]), achieved: Number(m[3]), captured: r.capture.packets, drops: r.capture.drops });
            } catch (e) {
              reject(new Error(`${e}\n${err}`));
            } finally {
              rmSync(dir, { recursive: true, force: true });
            }
          });
        });
      }
    });
  });
}

for (const rate of rates) {
  const r = await runOnce(rate);
  console.log(`target ${r.rate} pkt/s: sent ${r.sent} at ${r.achieved} pkt/s, captured ${r.captured}, lost ${r.sent - r.captured}, kernel drop counter ${r.drops}`);
}
