/**
 * The binding's build on a machine without libpcap-dev, and the steps the message gives (root:
 * a private mount namespace hides the libpcap headers from one command, the rest of the machine
 * keeps them). On a copy of the package (package.json and native/):
 * 1. headers hidden: `npm run install` (the script `npm install` runs) prints one line saying
 *    what is missing and the commands to run, exits 0, builds nothing — so npm install succeeds;
 *    `npm run build:native` says the same and exits 2;
 * 2. headers present (the first command given: apt-get install libpcap-dev): `npm run
 *    build:native` (the second command) builds a binding that loads and reports libpcap's version.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tempDirForTest } from '../helpers/tmp.js';
import { join } from 'node:path';
import { IS_ROOT, PATHS, has, skipNote } from './env.js';
import { REPO } from '../tshark-fixture.js';

function why(): string | null {
  if (!IS_ROOT) return 'needs root (a mount namespace hides the libpcap headers)';
  if (!has('unshare') || !has('npm')) return 'unshare (util-linux) or npm missing';
  if (!existsSync('/usr/include/pcap/pcap.h')) return 'libpcap-dev is not installed here: nothing to hide, and step 2 cannot build';
  const r = spawnSync('unshare', ['-m', '--propagation', 'private', 'true'], { env: { ...process.env, PATH: PATHS } });
  if (r.status !== 0) return 'this machine does not allow mount namespaces';
  return null;
}
const reason = why();
skipNote('live/install', reason);

const env = { ...process.env, PATH: PATHS };

/** Runs `npm run <script>` in `dir` with /usr/include/pcap{,.h} hidden (an empty folder, an empty file). */
function npmHidden(dir: string, script: string): { status: number | null; stdout: string; stderr: string } {
  const empty = tempDirForTest('wirewhy-nopcap-');
  const sh = [
    `mount --bind ${empty} /usr/include/pcap`,
    existsSync('/usr/include/pcap.h') ? 'mount --bind /dev/null /usr/include/pcap.h' : 'true',
    `cd ${dir} && exec npm run --silent ${script}`,
  ].join(' && ');
  const r = spawnSync('unshare', ['-m', '--propagation', 'private', 'sh', '-c', sh], { encoding: 'utf8', env, timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe.skipIf(reason !== null)('building the binding: without libpcap-dev, then with it (root)', () => {
  it('without headers: one line with the commands, npm install still succeeds; following them builds a working binding', () => {
    const dir = tempDirForTest('wirewhy-install-');
    cpSync(join(REPO, 'package.json'), join(dir, 'package.json'));
    mkdirSync(join(dir, 'native'));
    for (const f of ['install.mjs', 'binding.gyp', 'src']) cpSync(join(REPO, 'native', f), join(dir, 'native', f), { recursive: true });

    const inst = npmHidden(dir, 'install');
    expect(inst.status, inst.stderr).toBe(0);
    const lines = inst.stderr.trim().split('\n');
    expect(lines, inst.stderr).toHaveLength(1);
    expect(lines[0]).toBe(`wirewhy: live capture is not available: the libpcap headers are not installed (libpcap-dev); to enable it: sudo apt-get install libpcap-dev build-essential python3 && cd ${dir} && npm run build:native (file analysis works without it)`);
    expect(existsSync(join(dir, 'native/build/Release/wwpcap.node'))).toBe(false);

    const strict = npmHidden(dir, 'build:native');
    expect(strict.status).toBe(2);
    expect(strict.stderr).toMatch(/wirewhy: live capture is not available: the libpcap headers are not installed/);

    // The headers back (what apt-get install libpcap-dev gives), the second command:
    const built = spawnSync('npm', ['run', '--silent', 'build:native'], { cwd: dir, encoding: 'utf8', env, timeout: 180_000 });
    expect(built.status, `${built.stdout}\n${built.stderr}`).toBe(0);
    const mod = createRequire(import.meta.url)(join(dir, 'native/build/Release/wwpcap.node')) as { version(): string; devices(): Array<{ name: string }> };
    expect(mod.version()).toMatch(/^libpcap version \d+\.\d+/);
    expect(mod.devices().some((d) => d.name === 'lo')).toBe(true);
  }, 240_000);
});
