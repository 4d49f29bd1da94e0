/**
 * Temporary folders for tests, removed whatever the outcome (a failed expectation, a throwing
 * hook, a timeout). Every folder is made under os.tmpdir() (so TMPDIR) with the given prefix.
 *
 * - tempDir(prefix): removed, with everything in it, after the last test of the file that made it
 *   (by the afterAll hook of test/helpers/tmp-setup.ts, a setup file of vitest.config.ts, which
 *   runs after the file's own afterAll hooks). Use it at a file's top level, in a describe body,
 *   in beforeAll, or in a test whose folder a later test still reads.
 * - tempDirForTest(prefix): removed as soon as the test that made it finishes (onTestFinished);
 *   only inside a test. For big files that should not wait for the end of the file.
 *
 * A folder a test removes itself is simply skipped. A worker killed outright (out of memory,
 * SIGKILL, the run interrupted) runs no hook: that is the one case that still leaves a folder.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onTestFinished } from 'vitest';

const made = new Set<string>();

function remove(dir: string): void {
  made.delete(dir);
  rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
}

/** A fresh folder `<tmpdir>/<prefix>XXXXXX`, removed after the file's tests. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.add(dir);
  return dir;
}

/** A fresh folder `<tmpdir>/<prefix>XXXXXX`, removed when the current test finishes. */
export function tempDirForTest(prefix: string): string {
  const dir = tempDir(prefix);
  try {
    onTestFinished(() => remove(dir));
  } catch (e) {
    remove(dir);
    throw e;
  }
  return dir;
}

/** Removes every folder tempDir made in this worker and not yet removed (the setup file's afterAll). */
export function removeTempDirs(): void {
  for (const dir of Array.from(made)) remove(dir);
}
