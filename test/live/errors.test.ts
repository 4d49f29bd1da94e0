/**
 * Acceptance 3: every live-capture error a user can meet ends with exit status 2 and exactly one
 * line on stderr that says what is wrong and how to fix it — never a stack trace. Run through the
 * built executable, as a user would.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { tempDirForTest } from '../helpers/tmp.js';
import { join } from 'node:path';
import { BIN, IS_ROOT, PATHS, bindingLoads, has, skipNote } from './env.js';

interface Result {
  status: number | null;
  stdout: string;
  stderr: string;
}

function wirewhy(args: string[], opts: { env?: Record<string, string>; asNobody?: boolean } = {}): Result {
  const env = { ...process.env, PATH: PATHS, ...opts.env };
  const r = opts.asNobody
    ? spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', '--inh-caps=-all', process.execPath, BIN, ...args], { encoding: 'utf8', env, timeout: 30_000, cwd: '/' })
    : spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env, timeout: 30_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function oneLine(r: Result): string {
  expect(r.status).toBe(2);
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  expect(r.stderr).not.toMatch(/\n\s+at |Error:/);
  expect(lines[0]).toMatch(/^wirewhy: /);
  return lines[0]!;
}

const binding = bindingLoads();
if (!binding) skipNote('live/errors', 'the libpcap binding is not built: only the missing-binding cases run');

/** How to run as a user who may not capture, or why we cannot. */
function unprivileged(): { asNobody: boolean } | string {
  if (!IS_ROOT) {
    const r = wirewhy(['interfaces', '--format', 'json']);
    if (r.status !== 0) return 'cannot ask the binding';
    return (JSON.parse(r.stdout) as { capture: { permitted: boolean } }).capture.permitted
      ? 'this user may capture (node has cap_net_raw): nothing to refuse' : { asNobody: false };
  }
  if (!has('setpriv')) return 'setpriv (util-linux) is missing: cannot drop root';
  const r = wirewhy(['interfaces', '--format', 'json'], { asNobody: true });
  if (r.status !== 0) return `nobody cannot run wirewhy here (${r.stderr.trim().slice(0, 120)})`;
  return (JSON.parse(r.stdout) as { capture: { permitted: boolean } }).capture.permitted
    ? 'the node binary has file capabilities (native/grant-capture.sh): nobody may capture' : { asNobody: true };
}
const unpriv = binding ? unprivileged() : 'no binding';
if (binding && typeof unpriv === 'string') skipNote('live/errors › not permitted', unpriv);
const mayCapture = binding && (IS_ROOT || (typeof unpriv === 'string' && unpriv.startsWith('this user may')));
if (binding && !mayCapture) skipNote('live/errors › bad filter', 'libpcap checks the filter only after opening the interface: needs root or cap_net_raw');

describe('live capture errors: exit status 2, one line with the fix', () => {
  it('binding missing (WIREWHY_CAP_MODULE points at nothing): the exact install commands', () => {
    for (const args of [['capture', '-i', 'lo'], ['interfaces']]) {
      const line = oneLine(wirewhy(args, { env: { WIREWHY_CAP_MODULE: '/nonexistent/wirewhy-test/cap' } }));
      expect(line).toMatch(/needs wirewhy's libpcap binding, which is not built \(Cannot find module '\/nonexistent\/wirewhy-test\/cap'\)/);
      expect(line).toMatch(/sudo apt-get install libpcap-dev build-essential python3 && cd \S+ && npm run build:native/);
    }
  });

  it('libpcap missing (a binding that cannot find libpcap.so): the package to install', () => {
    // A stand-in for cap.node failing to load its shared library, as dlopen reports it.
    const fake = join(tempDirForTest('wirewhy-fakecap-'), 'cap.cjs');
    writeFileSync(fake, "throw new Error('libpcap.so.0.8: cannot open shared object file: No such file or directory');\n");
    const line = oneLine(wirewhy(['capture', '-i', 'lo'], { env: { WIREWHY_CAP_MODULE: fake } }));
    expect(line).toMatch(/live capture needs libpcap, which is not installed \(libpcap\.so\.0\.8: cannot open shared object file/);
    expect(line).toMatch(/sudo apt-get install libpcap0\.8/);
  });

  it('bad numbers are usage errors', () => {
    expect(oneLine(wirewhy(['capture', '-i', 'lo', '-c', '0']))).toMatch(/--count must be an integer of at least 1/);
    expect(oneLine(wirewhy(['capture', '-i', 'lo', '-d', 'soon']))).toMatch(/--duration must be a number/);
  });

  it.skipIf(!binding)('unknown interface: lists the interfaces there are', () => {
    const line = oneLine(wirewhy(['capture', '-i', 'wwnosuch0']));
    expect(line).toMatch(/there is no capture interface named 'wwnosuch0'; use one of: .*\blo\b/);
    expect(line).toMatch(/wirewhy interfaces/);
  });

  it.skipIf(!mayCapture)('bad filter: libpcap\'s complaint and the syntax to use', () => {
    let line = oneLine(wirewhy(['capture', '-i', 'lo', '-f', 'tcp port nosuchservice', '-d', '1']));
    expect(line).toMatch(/bad capture filter 'tcp port nosuchservice': .*nosuchservice/);
    expect(line).toMatch(/libpcap filter syntax \(man 7 pcap-filter\)/);
    line = oneLine(wirewhy(['capture', '-i', 'lo', '-f', 'tcp and and', '-d', '1']));
    expect(line).toMatch(/bad capture filter 'tcp and and': .*syntax error/);
  });

  it.skipIf(typeof unpriv === 'string')('not permitted: root or setcap on the node binary', () => {
    const r = wirewhy(['capture', '-i', 'lo', '-d', '1'], { asNobody: (unpriv as { asNobody: boolean }).asNobody });
    const line = oneLine(r);
    expect(line).toMatch(/not permitted to capture on lo \(.*Operation not permitted\)/);
    expect(line).toMatch(/run it as root \(sudo\), or let node capture: sudo setcap cap_net_raw,cap_net_admin=eip \/\S+/);
    expect(line).toMatch(/native\/grant-capture\.sh/);
  });

  it.skipIf(!mayCapture)('-w into a folder that does not exist', () => {
    expect(oneLine(wirewhy(['capture', '-i', 'lo', '-d', '1', '-w', '/nonexistent/wirewhy/x.pcapng']))).toMatch(/cannot write \/nonexistent\/wirewhy\/x\.pcapng: .*ENOENT/);
  });
});
