/**
 * The configuration test/helpers-selftest/tmp-leak.test.ts runs its child vitest with: the
 * project's (setup file included), plus the *.fixture.ts files of this folder, which the project's
 * own run never collects (they fail on purpose).
 */
import { fileURLToPath } from 'node:url';
import { defineConfig, mergeConfig } from 'vitest/config';
import base from '../../../vitest.config.js';

export default mergeConfig(base, defineConfig({
  root: fileURLToPath(new URL('../../..', import.meta.url)),
  test: { include: ['test/helpers-selftest/tmp-fixtures/*.fixture.ts'] },
}));
