import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Removes, after each test file, the temporary folders test/helpers/tmp.ts made for it.
    setupFiles: ['test/helpers/tmp-setup.ts'],
    // test/report/linear.test.ts collects garbage between timed runs.
    execArgv: ['--expose-gc'],
  },
});
