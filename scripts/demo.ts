/**
 * `npm start`: wirewhy on a bundled sample, as a first look. The sample holds a failure (a
 * refused connection), so wirewhy itself exits with status 1, as it always does when it finds
 * one (the contract: 0 none found, 1 a failure found, 2 unreadable input). For a demo that status
 * would read as "npm start failed", with npm adding nothing to explain it; so the demo says what
 * the status means and ends with 0 when wirewhy did its job (0 or 1), and passes anything else on.
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const sample = 'samples/tcp-refused.pcap';
const r = spawnSync(process.execPath, [join(root, 'dist/src/cli/main.js'), 'analyze', sample, ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' });
if (r.status === 1) {
  process.stderr.write(`\nwirewhy found a failure in ${sample} (what the sample is for) and exited with status 1, as it does whenever it finds one `
    + '(0: no failure found, 2: unreadable input); the demo itself ends with status 0.\n');
}
process.exit(r.status === 0 || r.status === 1 ? 0 : (r.status ?? 70));
