/**
 * The real `wirewhy serve` in a child process on a loopback port, and a small HTTP client on
 * node:http (so a test controls exactly what is sent and when: Content-Length or chunked,
 * stalls, Expect: 100-continue, a connection dropped mid-upload).
 */
import { prettyJson } from '../../src/report/json.js';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { request, type IncomingHttpHeaders } from 'node:http';
import { readFileSync, readdirSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/tmp.js';
import { REPO, SAMPLES } from '../tshark-fixture.js';

export const BIN = join(REPO, 'dist/src/cli/main.js');
export { REPO, SAMPLES };

export interface Served {
  url: string;
  child: ChildProcess;
  /**
   * The server's TMPDIR: must stay empty (nothing written to disk); removed by stop() when it is,
   * else (or when stop() is never reached) after the test file (test/helpers/tmp.ts).
   */
  tmp: string;
  /** What stop() found in tmp when the server had exited. */
  leftInTmp(): string[];
  stderr(): string;
  /** SIGTERM, then the exit code (null when killed by a signal). */
  stop(): Promise<number | null>;
  exited: Promise<number | null>;
  /** Peak resident set size (VmHWM) of the server process, in KiB. */
  peakRssKb(): number;
  rssKb(): number;
}

export async function serve(args: string[] = []): Promise<Served> {
  const tmp = tempDir('wirewhy-serve-tmp-');
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, TMPDIR: tmp, TMP: tmp, TEMP: tmp },
  });
  let err = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  let left: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const t = setTimeout(() => reject(new Error(`server did not print its URL; stderr: ${err}`)), 15_000);
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const nl = out.indexOf('\n');
      if (nl >= 0) {
        clearTimeout(t);
        resolve(out.slice(0, nl));
      }
    });
    child.once('exit', (code) => reject(new Error(`server exited (${code}) before printing its URL; stderr: ${err}`)));
  });
  const status = (key: string): number => {
    const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
    return m ? Number(m[1]) : NaN;
  };
  return {
    url, child, tmp, exited,
    leftInTmp: () => left,
    stderr: () => err,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      const code = await exited;
      left = readdirSync(tmp);
      if (left.length === 0) rmdirSync(tmp);
      return code;
    },
    peakRssKb: () => status('VmHWM'),
    rssKb: () => status('VmRSS'),
  };
}

export interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  text: string;
  json<T = Record<string, unknown>>(): T;
}

export interface PostOptions {
  headers?: Record<string, string>;
  /** Send chunked (no Content-Length). */
  chunked?: boolean;
  /** Called with the request once headers are sent; return a promise to control the body. */
  body?: Uint8Array | ((write: (c: Uint8Array) => boolean, end: () => void, req: import('node:http').ClientRequest) => void);
}

/** One HTTP request on a fresh connection. */
export function http(method: string, url: string, opts: PostOptions = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { Connection: 'close', ...opts.headers };
    const body = opts.body;
    if (body instanceof Uint8Array && !opts.chunked) headers['Content-Length'] = String(body.length);
    if ((typeof body === 'function' && !('Content-Length' in headers)) || opts.chunked) headers['Transfer-Encoding'] = 'chunked';
    const req = request(url, { method, headers, agent: false });
    let answered = false;
    req.on('response', (res) => {
      answered = true;
      const parts: Buffer[] = [];
      res.on('data', (d: Buffer) => parts.push(d));
      res.on('end', () => {
        const b = Buffer.concat(parts);
        resolve({
          status: res.statusCode ?? 0, headers: res.headers, body: b, text: b.toString('utf8'),
          json: <T>() => JSON.parse(b.toString('utf8')) as T,
        });
      });
      res.on('error', reject);
    });
    // The server may answer and close before the whole body was sent: that is a refusal, not an error.
    req.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code !== 'EPIPE' && e.code !== 'ECONNRESET') reject(e);
    });
    // ...but a connection that ends with no answer at all is a failure to report, not a hang.
    req.on('close', () => {
      if (!answered) reject(new Error(`${method} ${url}: the connection closed before any answer`));
    });
    if (typeof body === 'function') body((c) => req.write(c), () => req.end(), req);
    else if (body) req.end(body);
    else req.end();
  });
}

export const post = (url: string, body: Uint8Array, headers: Record<string, string> = {}): Promise<Answer> =>
  http('POST', url, { body, headers });

/** `wirewhy ARGS` run in `dir`; its stdout (exit status 0 or 1, anything else throws). */
export function cli(dir: string, args: string[]): string {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: dir, encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0 && r.status !== 1) throw new Error(`wirewhy ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

/** `wirewhy analyze` on the given files (run in their folder, so capture.source is the base name). */
export function cliReports(dir: string, files: string[], extra: string[] = []): string[] {
  // Several files give one JSON array (one file, the report itself); each report is what
  // `analyze --format json FILE` prints.
  const out = JSON.parse(cli(dir, ['analyze', '--format', 'json', ...extra, ...files])) as unknown;
  return (Array.isArray(out) ? out : [out]).map((r) => `${prettyJson(r)}\n`);
}

export function sampleFiles(): string[] {
  return readdirSync(SAMPLES).filter((f) => /\.(pcap|pcapng)$/.test(f)).sort();
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A deterministic capture of about `bytes` bytes from bench/gen (in the temp folder, removed after the test file). */
export function genCapture(bytes: number): string {
  const dir = tempDir('wirewhy-serve-gen-');
  const out = join(dir, `gen-${bytes}.pcap`);
  const r = spawnSync(process.execPath, [join(REPO, 'dist/bench/gen.js'), '--out', out, '--bytes', String(bytes)], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`bench/gen failed: ${r.stderr}`);
  return out;
}
