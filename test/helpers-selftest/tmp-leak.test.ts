/**
 * Tests leave nothing in the temporary folder. Named test files that make temporary folders run
 * in a child vitest whose TMPDIR is a fresh, empty folder, beside three fixtures
 * (tmp-fixtures/*.fixture.ts): folders made by test/helpers/tmp.ts in every place a test file can
 * make one, with tests and a hook that fail (all must be removed), and a control that leaks one
 * folder on purpose (it must be found: the child's tests really wrote to that TMPDIR). Afterwards
 * the folder must hold the control's folder and nothing else. And no test file makes a
 * temporary folder of its own (mkdtemp, tmpdir()) instead of through the helper.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, type Dirent } from 'node:fs';
import { join, relative } from 'node:path';
import { REPO } from '../tshark-fixture.js';
import { tempDir } from '../helpers/tmp.js';

/**
 * Kept cheap (the child runs them again): files that make temporary folders at the top level
 * (tempDir), in a test (tempDirForTest), and the serve harness's server TMPDIR.
 */
const CHECKED = [
  'test/capture/refill.test.ts',
  'test/live/writer.test.ts',
  'test/live/port-scan-live.test.ts',
  'test/report/progress.test.ts',
  'test/serve/sigterm.test.ts',
];
const FIXTURES = ['cleans', 'hook-fails', 'leaks'].map((f) => `test/helpers-selftest/tmp-fixtures/${f}.fixture.ts`);

interface JsonResult {
  testResults: Array<{ name: string; status: string; assertionResults: Array<{ title: string; status: string }> }>;
}

describe('tests clean up their temporary folders', () => {
  it('nothing left in a fresh TMPDIR after the named files and the fixtures, but the control leak', () => {
    const work = tempDir('wirewhy-leakcheck-');
    const tmp = join(work, 'tmp');
    mkdirSync(tmp);
    const made = join(work, 'made.tsv');
    const result = join(work, 'result.json');
    // The child is a vitest of its own: none of this worker's VITEST_* variables.
    const env: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('VITEST')) env[k] = v;
    Object.assign(env, { TMPDIR: tmp, TMP: tmp, TEMP: tmp, WIREWHY_TMP_FIXTURE_OUT: made });
    const r = spawnSync(process.execPath, [
      join(REPO, 'node_modules/vitest/vitest.mjs'), 'run',
      '--config', 'test/helpers-selftest/tmp-fixtures/vitest.config.ts',
      '--reporter=json', `--outputFile=${result}`,
      ...CHECKED, ...FIXTURES,
    ], { cwd: REPO, env, encoding: 'utf8', timeout: 100_000 });
    expect(existsSync(result), `the child vitest wrote no result (status ${r.status}): ${r.stderr}`).toBe(true);
    const files = new Map((JSON.parse(readFileSync(result, 'utf8')) as JsonResult).testResults
      .map((f) => [relative(REPO, f.name), f]));
    expect([...files.keys()].sort()).toEqual([...CHECKED, ...FIXTURES].sort());
    // The named files pass (a failure of theirs is reported by their own run too).
    for (const f of CHECKED) expect(files.get(f)!.status, f).toBe('passed');
    // The fixtures fail where they mean to, and only there.
    expect(files.get(FIXTURES[0]!)!.assertionResults.map((a) => a.status)).toEqual(['failed', 'passed', 'failed']);
    expect(files.get(FIXTURES[1]!)!.status).toBe('failed');
    expect(files.get(FIXTURES[2]!)!.status).toBe('passed');
    expect(r.status).toBe(1);
    // Every folder the fixtures made existed and is gone.
    const dirs = readFileSync(made, 'utf8').trim().split('\n').map((l) => l.split('\t'));
    expect(dirs.map((d) => d[0]).sort()).toEqual(['top level', 'describe', 'beforeAll', 'tempDirForTest', 'tempDir in a test',
      'tempDirForTest, then a throw', 'beforeAll that throws'].sort());
    for (const [where, dir] of dirs) expect(existsSync(dir!), `${where}: ${dir}`).toBe(false);
    // What is left: the control's folder, nothing else.
    const left = readdirSync(tmp);
    expect(left.filter((e) => !e.startsWith('wirewhy-leak-control-')), 'left in the temporary folder').toEqual([]);
    expect(left).toHaveLength(1);
  }, 120_000);

  it('no test file makes a temporary folder but through test/helpers/tmp.ts', () => {
    // The helper, this checker, the control, and a script beside the tests that is not a test (it
    // removes its folder in a finally).
    const allowed = new Set(['test/helpers/tmp.ts', 'test/helpers-selftest/tmp-leak.test.ts',
      'test/helpers-selftest/tmp-fixtures/leaks.fixture.ts', 'test/live/burst-sweep.mjs']);
    const own: string[] = [];
    let files = 0;
    const walk = (dir: string): void => {
      for (const e of readdirSync(join(REPO, dir), { withFileTypes: true }) as Dirent[]) {
        const rel = `${dir}/${e.name}`;
        if (e.isDirectory()) {
          if (rel !== 'test/fixtures') walk(rel);
        } else if (/\.(ts|mjs|cjs|js)$/.test(e.name) && !allowed.has(rel)) {
          files++;
          const text = readFileSync(join(REPO, rel), 'utf8');
          if (/\bmkdtemp(Sync)?\(|\btmpdir\(\)/.test(text)) own.push(rel);
        }
      }
    };
    walk('test');
    expect(files).toBeGreaterThan(100);
    expect(own, 'use tempDir / tempDirForTest of test/helpers/tmp.ts').toEqual([]);
  });
});
