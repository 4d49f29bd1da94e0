/**
 * A setup file (vitest.config.ts setupFiles): runs in every test file before its tests. Its
 * afterAll is the file's first registered and so runs last, after the file's own afterAll hooks
 * (a server they stop no longer uses its folder): it removes what test/helpers/tmp.ts made.
 */
import { afterAll } from 'vitest';
import { removeTempDirs } from './tmp.js';

afterAll(() => removeTempDirs());
