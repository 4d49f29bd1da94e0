#!/usr/bin/env node
/** The `wirewhy` executable. */
import { main } from './program.js';
import { EXIT_USAGE, outputError } from './common.js';
import { tuneHeap } from '../heap.js';
import { argvLang } from './usage-words.js';

// The heap grows by 30 % per collection, not to several times the live state (heap.ts).
tuneHeap();

// A reader that stops early (`wirewhy analyze x.pcap | head`) is not an error: stop quietly,
// as other command-line tools do, instead of dying on an unhandled EPIPE.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
  // Any other output error (a full disk behind a redirection): one line, exit status 2.
  process.stderr.write(`wirewhy: ${outputError(undefined, e, argvLang(process.argv.slice(2))).message}\n`);
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
