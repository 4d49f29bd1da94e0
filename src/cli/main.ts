#!/usr/bin/env node
/** The `wirewhy` executable. */
import { setFlagsFromString } from 'node:v8';
import { main } from './program.js';
import { EXIT_USAGE, outputError } from './common.js';

// The engine lets its heap grow to several times what is alive when a program allocates as fast
// as a packet loop does: 80 MB of live state took 365 MB of memory on the 200k-NXDOMAIN bench
// capture. A heap that grows by 30 % after each full collection holds it to 228 MB at the same
// speed (mixed capture: no change; a 1M-SYN scan: 790 -> 353 MB, 1.5x the time). Read at every
// collection, so it applies from here on. The library leaves its host's settings alone.
if (process.env['WIREWHY_HEAP_GROWING'] !== '0') setFlagsFromString(`--heap-growing-percent=${process.env['WIREWHY_HEAP_GROWING'] ?? 30}`);

// A reader that stops early (`wirewhy analyze x.pcap | head`) is not an error: stop quietly,
// as other command-line tools do, instead of dying on an unhandled EPIPE.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
  // Any other output error (a full disk behind a redirection): one line, exit status 2.
  process.stderr.write(`wirewhy: ${outputError(undefined, e).message}\n`);
  process.exit(EXIT_USAGE);
});

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
