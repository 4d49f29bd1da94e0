/**
 * Fixture (run only by test/helpers-selftest/tmp-leak.test.ts): folders made by
 * test/helpers/tmp.ts at every place a test file can make one, with tests that fail and throw.
 * Every folder must be gone after the run. Each folder's path is appended to
 * $WIREWHY_TMP_FIXTURE_OUT (outside TMPDIR) for the parent to check.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { appendFileSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir, tempDirForTest } from '../../helpers/tmp.js';

function note(where: string, dir: string): string {
  writeFileSync(join(dir, 'data.bin'), new Uint8Array(4096));
  const out = process.env.WIREWHY_TMP_FIXTURE_OUT;
  if (out) appendFileSync(out, `${where}\t${dir}\n`);
  return dir;
}

const top = note('top level', tempDir('wirewhy-fixture-top-'));
let inBeforeAll = '';
beforeAll(() => {
  inBeforeAll = note('beforeAll', tempDir('wirewhy-fixture-beforeall-'));
});

describe('folders made everywhere', () => {
  const inDescribe = note('describe', tempDir('wirewhy-fixture-describe-'));
  let forTest = '';
  let inTest = '';

  it('a test that fails after making folders', () => {
    forTest = note('tempDirForTest', tempDirForTest('wirewhy-fixture-fortest-'));
    inTest = note('tempDir in a test', tempDir('wirewhy-fixture-intest-'));
    expect('this fixture fails on purpose').toBe('');
  });

  it("the failed test's own folder is gone; the file's folders are still there", () => {
    expect(forTest).not.toBe('');
    expect(existsSync(forTest)).toBe(false);
    for (const d of [top, inBeforeAll, inDescribe, inTest]) expect(existsSync(join(d, 'data.bin'))).toBe(true);
  });

  it('a test that throws after making a folder', () => {
    note('tempDirForTest, then a throw', tempDirForTest('wirewhy-fixture-throws-'));
    throw new Error('thrown on purpose');
  });
});
