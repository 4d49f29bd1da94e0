/** Command-line values and default paths shared by the bench scripts. */
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The value after `--name` on the command line, else `dflt`. */
export function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : dflt;
}

/** Where run.js writes (once) the generated mixed capture of `bytes` bytes. */
export function mixedCapturePath(bytes: number): string {
  return join(tmpdir(), 'wirewhy-bench', `mixed-${bytes}.pcap`);
}
