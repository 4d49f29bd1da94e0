/**
 * Runs the `wirewhy` command line in this process and, when it exits, writes what it cost:
 *   node dist/bench/measure.js STAT.json -- analyze FILE --format json > OUT
 * STAT.json: { seconds, peakRssMB, exitCode }. Peak RSS is the process's own (getrusage's
 * maxrss, as stage.js measures it), so it is the command's peak plus this file's few lines.
 * A process killed by V8 (heap exhausted) or a signal writes nothing: the caller sees the exit
 * status alone.
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const statPath = process.argv[2];
const sep = process.argv.indexOf('--');
if (statPath === undefined || sep < 0) {
  process.stderr.write('usage: node dist/bench/measure.js STAT.json -- wirewhy-args...\n');
  process.exit(2);
}
const cli = join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'cli', 'main.js');
process.argv = [process.argv[0]!, cli, ...process.argv.slice(sep + 1)];
const t0 = process.hrtime.bigint();
process.on('exit', (code) => {
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  writeFileSync(statPath, `${JSON.stringify({ seconds, peakRssMB: process.resourceUsage().maxRSS / 1024, exitCode: code })}\n`);
});
await import('../src/cli/main.js');
