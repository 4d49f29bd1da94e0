#!/usr/bin/env node
/** The `wirewhy` executable. */
import { main } from './program.js';

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    // Bad input never gets here (it is a CaptureError or a usage error); this is a bug.
    process.stderr.write(`wirewhy: internal error (a bug, please report it): ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 70;
  },
);
