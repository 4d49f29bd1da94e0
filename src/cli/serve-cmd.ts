/**
 * `wirewhy serve`: the upload page and API (src/serve/server.ts). The first line on standard
 * output is the URL it listens on (with --port 0, the port the system chose), so scripts and
 * tests can read it; one line per analysis goes to standard error. SIGTERM / SIGINT: stop
 * accepting, let running analyses finish (up to --grace-s), exit 0.
 */
import type { Command } from 'commander';
import { DEFAULTS, startServer } from '../serve/server.js';
import { EXIT_OK, UsageError, numberOption } from './common.js';

interface ServeFlags {
  host: string;
  port: string;
  maxUploadMb: string;
  maxConcurrent: string;
  timeoutS: string;
  minUploadKibS: string;
  uploadWindowS: string;
  graceS: string;
  quiet?: boolean;
}

function num(flag: string, v: string, min: number, max: number, integer = true): number {
  return numberOption(v, min, max, integer, `--${flag} ${v}: expected ${integer ? 'a whole number' : 'a number'} from ${min} to ${max}`);
}

async function runServe(f: ServeFlags): Promise<number> {
  const opts = {
    host: f.host,
    port: num('port', f.port, 0, 65535),
    maxUploadBytes: Math.floor(num('max-upload-mb', f.maxUploadMb, 0.001, 1_000_000, false) * 1024 * 1024),
    maxConcurrent: num('max-concurrent', f.maxConcurrent, 1, 256),
    timeoutMs: num('timeout-s', f.timeoutS, 0.1, 86_400, false) * 1000,
    minUploadBytesPerS: num('min-upload-kib-s', f.minUploadKibS, 0, 1_000_000, false) * 1024,
    uploadWindowMs: num('upload-window-s', f.uploadWindowS, 0.1, 3_600, false) * 1000,
    graceMs: num('grace-s', f.graceS, 0, 86_400, false) * 1000,
    log: f.quiet ? null : process.stderr,
  };
  let running;
  try {
    running = await startServer(opts);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'EADDRINUSE') throw new UsageError(`${f.host} port ${opts.port} is already in use; choose another with --port (0 = any free port)`);
    if (err.code === 'EADDRNOTAVAIL' || err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN') throw new UsageError(`--host ${f.host}: not an address of this machine`);
    if (err.code === 'EACCES') throw new UsageError(`port ${opts.port} needs privileges; use a port above 1023`);
    throw e;
  }
  process.stdout.write(`${running.url}\n`);
  if (!f.quiet) {
    process.stderr.write(`wirewhy serve: listening on ${running.url} (uploads up to ${f.maxUploadMb} MB, ${opts.maxConcurrent} analyses at once, ${f.timeoutS} s each)\n`);
  }
  await new Promise<void>((resolve) => {
    const stop = (sig: string): void => {
      // A second signal gets the default action: stop at once.
      process.removeAllListeners('SIGTERM');
      process.removeAllListeners('SIGINT');
      if (!f.quiet) process.stderr.write(`wirewhy serve: ${sig}: finishing ${running.active} analyses in progress, then stopping\n`);
      void running.shutdown().then(resolve);
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
  if (!f.quiet) process.stderr.write('wirewhy serve: stopped\n');
  return EXIT_OK;
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('web page and HTTP API where a capture is uploaded and its report shown (POST /api/analyze)')
    .option('--host <address>', 'address to listen on (0.0.0.0 or :: for every interface)', DEFAULTS.host)
    .option('--port <port>', 'TCP port (0 = any free port; the URL is the first line on stdout)', String(DEFAULTS.port))
    .option('--max-upload-mb <n>', 'largest upload accepted, in MB (413 beyond)', String(DEFAULTS.maxUploadBytes / 1048576))
    .option('--max-concurrent <n>', 'analyses at once (503 with Retry-After beyond)', String(DEFAULTS.maxConcurrent))
    .option('--timeout-s <s>', 'time limit of one request, upload and analysis', String(DEFAULTS.timeoutMs / 1000))
    .option('--min-upload-kib-s <n>', 'slowest upload accepted, in KiB/s averaged over --upload-window-s (408 below, freeing the analysis slot); 0 = no minimum', String(DEFAULTS.minUploadBytesPerS / 1024))
    .option('--upload-window-s <s>', 'the window over which the upload rate is averaged', String(DEFAULTS.uploadWindowMs / 1000))
    .option('--grace-s <s>', 'on SIGTERM, how long running analyses may take to finish', String(DEFAULTS.graceMs / 1000))
    .option('-q, --quiet', 'no log lines on stderr')
    .action(async (flags: ServeFlags) => {
      process.exitCode = await runServe(flags);
    });
}
