/**
 * Fixture (run only by test/helpers-selftest/tmp-leak.test.ts): the control. A folder made
 * without test/helpers/tmp.ts and never removed: the parent must find exactly this one left in
 * the child's TMPDIR, which shows that the TMPDIR it watches is the one the tests wrote to.
 */
import { it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

it('leaves a folder behind on purpose', () => {
  mkdtempSync(join(tmpdir(), 'wirewhy-leak-control-'));
});
