/**
 * Fixture (run only by test/helpers-selftest/tmp-leak.test.ts): a beforeAll that makes a folder,
 * then throws, so that no test runs. The folder must still be removed.
 */
import { beforeAll, describe, it } from 'vitest';
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../../helpers/tmp.js';

describe('a hook that fails', () => {
  beforeAll(() => {
    const dir = tempDir('wirewhy-fixture-hook-');
    writeFileSync(join(dir, 'data.bin'), new Uint8Array(4096));
    const out = process.env.WIREWHY_TMP_FIXTURE_OUT;
    if (out) appendFileSync(out, `beforeAll that throws\t${dir}\n`);
    throw new Error('beforeAll fails on purpose');
  });

  it('never runs', () => {});
});
