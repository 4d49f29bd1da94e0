#!/usr/bin/env node
// Builds wirewhy's libpcap binding (native/build/Release/wwpcap.node) with node-gyp. Run by
// `npm install` (the package's install script) and by `npm run build:native`.
//
// Live capture is optional: when the build cannot happen (no libpcap headers, no compiler), this
// prints one line saying what to install and exits 0, so that `npm install`, file analysis and
// the tests still work. `--strict` (npm run build:native) exits 2 instead, with node-gyp's output.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const strict = process.argv.includes('--strict');
const INSTALL = 'sudo apt-get install libpcap-dev build-essential python3';

function fail(what) {
  const line = `wirewhy: live capture is not available: ${what}; to enable it: ${INSTALL} && cd ${root} && npm run build:native (file analysis works without it)`;
  console.error(line);
  process.exit(strict ? 2 : 0);
}

if (process.platform !== 'linux' && !strict) {
  console.error(`wirewhy: the libpcap binding is built and tested on Linux only; not building it on ${process.platform}`);
  process.exit(0);
}

const headers = ['/usr/include/pcap/pcap.h', '/usr/include/pcap.h', '/usr/local/include/pcap/pcap.h'];
if (!headers.some((h) => existsSync(h))) fail('the libpcap headers are not installed (libpcap-dev)');

// node-gyp: the one npm runs scripts with (npm_config_node_gyp), else the one bundled with npm,
// else one on PATH.
const candidates = [
  process.env.npm_config_node_gyp,
  process.env.npm_execpath ? join(dirname(process.env.npm_execpath), '../node_modules/node-gyp/bin/node-gyp.js') : null,
  join(dirname(process.execPath), '../lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js'),
].filter((p) => p && existsSync(p));
const args = ['rebuild', '--directory', here];
const r = candidates.length
  ? spawnSync(process.execPath, [candidates[0], ...args], { encoding: 'utf8', cwd: here })
  : spawnSync('node-gyp', args, { encoding: 'utf8', cwd: here, shell: false });
if (r.error || r.status !== 0) {
  const out = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  if (strict) process.stderr.write(out);
  const cause = r.error
    ? `node-gyp could not be run (${r.error.message})`
    : /pcap\.h: No such file/.test(out) ? 'the libpcap headers are not installed (libpcap-dev)'
      : /cannot find -lpcap/.test(out) ? 'libpcap.so is not installed (libpcap-dev)'
        : /not found: (make|cc|gcc|g\+\+)|command not found|No such file or directory.*(cc|make)/i.test(out) ? 'no C compiler or make (build-essential)'
          : /python/i.test(out) && /not found|could not find/i.test(out) ? "node-gyp's python3 is missing"
            : `node-gyp failed (${(out.trim().split('\n').filter((l) => /error/i.test(l)).pop() ?? 'see npm run build:native').slice(0, 200)})`;
  fail(cause);
}
const built = join(here, 'build/Release/wwpcap.node');
if (!existsSync(built)) fail(`node-gyp finished but ${built} is not there`);
console.error(`wirewhy: built the libpcap binding (${built})`);
