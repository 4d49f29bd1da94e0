/**
 * `wirewhy serve`: the upload page and the analysis API, on node:http with no framework.
 *
 *   GET  /                 the upload page (assets from this process only; strict CSP)
 *   POST /api/analyze      raw capture as the body → the contract's JSON report
 *                          (?format=json|md|html|bundle, ?lang=en|zh, ?all=1, ?redact=1, ?name=)
 *   GET  /healthz          {"status":"ok", ...}
 *
 * Errors are JSON {error, hint, ...}, made as typed kinds + args and worded when answered
 * (errors.ts) in the request's language: ?lang=zh, else Accept-Language, else English.
 *
 * The body is streamed to a worker thread as it arrives (src/serve/pool.ts): it is never held
 * whole in memory and never written to disk. Refusals happen as early as the information
 * allows: Content-Length over the limit → 413 before reading; no free analysis slot → 503 with
 * Retry-After; first bytes not a capture → 415 before any analysis; a chunked body that grows
 * past the limit → 413 and reading stops; a body that arrives slower than the minimum upload
 * rate → 408, so that a few slow clients cannot hold every analysis slot; a body sent
 * form-encoded (curl -d, which drops the file's line breaks) → 415 saying to use --data-binary.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { VERSION } from '../version.js';
import { isLang, type Lang } from '../lang.js';
import type { Args } from '../facts.js';
import { JobFailure, Pool, type Job } from './pool.js';
import type { JobResult, OutFormat } from './protocol.js';
import { sniff, SNIFF_BYTES } from './sniff.js';
import { errorWords, requestLang, type ErrorKind, type ErrorText } from './errors.js';
import { compressedAs } from '../capture/open.js';
import { REPORT_CSP, REPORT_CSS } from '../report/html.js';
import { APP_CSS, APP_JS, FAVICON_SVG, pageHtml } from './assets.js';
import { pageModules } from './modules.js';

export interface ServeOptions {
  host: string;
  port: number;
  /** Largest accepted upload (bytes on the wire, before any gunzip). */
  maxUploadBytes: number;
  /** Analyses at once (= worker threads); one more gets 503. */
  maxConcurrent: number;
  /** Time limit of one request, upload and analysis together (ms). */
  timeoutMs: number;
  /**
   * Slowest upload accepted (bytes/s, averaged over `uploadWindowMs`): a body that arrives
   * slower gets a 408 and its analysis slot back. 0: no minimum.
   */
  minUploadBytesPerS: number;
  /** The window of that average (ms). */
  uploadWindowMs: number;
  /** On shutdown, how long in-flight analyses may take to finish (ms). */
  graceMs: number;
  /** Heap allowance of one analysis (MiB). */
  heapMb: number;
  /** Retry-After on 503 (seconds). */
  retryAfterS: number;
  /** One line per API request on this stream (none when null). */
  log: NodeJS.WritableStream | null;
}

export const DEFAULTS: ServeOptions = {
  host: '127.0.0.1',
  port: 8080,
  maxUploadBytes: 100 * 1024 * 1024,
  maxConcurrent: 4,
  timeoutMs: 120_000,
  minUploadBytesPerS: 10 * 1024,
  uploadWindowMs: 10_000,
  graceMs: 30_000,
  heapMb: 384,
  retryAfterS: 1,
  log: null,
};

/** After an early answer, how long (and how much) of the rest of the body is read and dropped. */
const LINGER_MS = 3_000;
/**
 * Bytes a lingering close reads and drops at most. Not the upload limit: with a small limit a
 * fast client pushes that much in a moment, the socket closes with its bytes unread, the kernel
 * resets it and the client loses the answer (seen with a 1 MB limit under load).
 */
const LINGER_BYTES = 16 << 20;

type ApiFormat = 'json' | 'md' | 'html' | 'bundle';

const PAGE_CSP = [
  "default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self' data: blob:", "connect-src 'self'",
  "base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'",
].join('; ');
/**
 * API answers are data; an HTML report opened from the API gets its own style element (allowed
 * by hash, as in the document's own CSP) and nothing else: no script, no framing, sandboxed.
 */
const API_CSP = `${REPORT_CSP}; frame-ancestors 'none'; sandbox`;

const COMMON_HEADERS: Record<string, string> = {
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), interest-cohort=()',
};

/**
 * An error answer as a typed fact: its words (errors.ts) are chosen when it is answered, in the
 * request's language; `message` is the English, for the log.
 */
class HttpError extends Error {
  constructor(readonly status: number, readonly kind: ErrorKind, readonly args: Args = {}, readonly extra: Record<string, unknown> = {}, readonly headers: Record<string, string> = {}) {
    super(errorWords(kind, args, 'en').error);
  }

  words(lang: Lang): ErrorText {
    return errorWords(this.kind, this.args, lang);
  }
}

export interface RunningServer {
  url: string;
  /** Stop accepting; in-flight analyses finish (up to graceMs) or get a 503; then resolve. */
  shutdown(): Promise<void>;
  readonly active: number;
}

function headerSafe(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[^\x20-\x7e]/g, '?').slice(0, 300);
}

/** The name shown in the report: a base name, printable, bounded. */
export function uploadName(raw: string | null): string {
  if (!raw) return 'upload';
  // eslint-disable-next-line no-control-regex
  const base = raw.replace(/^.*[\\/]/, '').replace(/[\u0000-\u001f\u007f]/g, '').trim().slice(0, 200);
  return base || 'upload';
}

export async function startServer(partial: Partial<ServeOptions> = {}): Promise<RunningServer> {
  const o: ServeOptions = { ...DEFAULTS, ...partial };
  const pool = new Pool({ size: o.maxConcurrent, heapMb: o.heapMb });
  const page = pageHtml({ maxUploadBytes: o.maxUploadBytes });
  /** The report renderers the page imports, under /lib/ (report/web.ts and what it imports). */
  const modules = pageModules();
  /** Requests holding an analysis slot (from the first byte read until the answer). */
  let reserved = 0;
  /** How to stop each request holding a slot (shutdown after the grace time). */
  const jobs = new Set<{ abort: (f: JobFailure) => void }>();
  let draining = false;
  const idleWaiters: Array<() => void> = [];
  const log = (line: string): void => void o.log?.write(`${line}\n`);
  /** Headers of every 503: when to try again. */
  const retryHeaders: Record<string, string> = { 'Retry-After': String(o.retryAfterS) };

  const requestTimeout = o.timeoutMs + 10_000; // Node's own bound, behind the time limit below
  const server = createServer({ requestTimeout, headersTimeout: Math.min(20_000, requestTimeout), keepAliveTimeout: 5_000 });
  server.maxConnections = Math.max(64, o.maxConcurrent * 16);

  function send(req: IncomingMessage, res: ServerResponse, status: number, type: string, body: string | Buffer, headers: Record<string, string> = {}, csp = API_CSP): void {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const h: Record<string, string> = { ...COMMON_HEADERS, 'Content-Security-Policy': csp, 'Content-Type': type, ...headers };
    if (!('Cache-Control' in h)) h['Cache-Control'] = 'no-store';
    const bodyUnread = req.method === 'POST' && !req.complete;
    if (draining || bodyUnread) h['Connection'] = 'close';
    if (bodyUnread) prepareLinger(req);
    res.writeHead(status, h);
    res.end(req.method === 'HEAD' ? undefined : body);
    if (bodyUnread) linger(req);
  }

  /** In the request's language: ?lang=, else Accept-Language, else English. */
  function sendError(req: IncomingMessage, res: ServerResponse, e: HttpError): void {
    const lang = requestLang(new URL(req.url ?? '/', 'http://localhost').searchParams.get('lang'), req.headers['accept-language']);
    const w = e.words(lang);
    const body = JSON.stringify({ error: w.error, hint: w.hint, ...e.extra }, null, 2) + '\n';
    send(req, res, e.status, 'application/json; charset=utf-8', body, { ...e.headers, 'Content-Language': lang === 'zh' ? 'zh-CN' : 'en' });
  }

  /**
   * The answer goes out before the body was read to its end (a refusal, or a report of a capture
   * damaged part-way). node:http would destroy the socket once the answer is written; with the
   * client's bytes still unread the kernel then resets the connection, and a client that is still
   * sending may lose the answer (seen with node:http clients under load). So the socket only
   * half-closes after the answer, the rest of the body is read and dropped (at most
   * LINGER_BYTES, for at most LINGER_MS), then it closes: what nginx calls a lingering close.
   */
  function prepareLinger(req: IncomingMessage): void {
    const sock = req.socket;
    sock.destroySoon = function (this: typeof sock) {
      if (this.writable) this.end();
      return this;
    } as typeof sock.destroySoon;
  }
  function linger(req: IncomingMessage): void {
    const sock = req.socket;
    let dropped = 0;
    const stop = (): void => {
      clearTimeout(timer);
      req.removeListener('data', onData);
      sock.destroy();
    };
    const onData = (c: Buffer): void => {
      dropped += c.length;
      if (dropped > LINGER_BYTES) stop();
    };
    const timer = setTimeout(stop, LINGER_MS);
    timer.unref();
    req.on('data', onData);
    req.once('end', stop);
    req.once('error', stop);
    req.resume();
  }

  function parseQuery(url: URL): { format: ApiFormat; lang: Lang; all: boolean; redact: boolean; name: string } {
    const known = new Set(['format', 'lang', 'all', 'redact', 'name']);
    for (const k of url.searchParams.keys()) {
      if (!known.has(k)) throw new HttpError(400, 'unknown_param', { name: k });
    }
    const format = url.searchParams.get('format') ?? 'json';
    if (!['json', 'md', 'html', 'bundle'].includes(format)) throw new HttpError(400, 'unknown_format', { format });
    const lang = url.searchParams.get('lang') ?? 'en';
    if (!isLang(lang)) throw new HttpError(400, 'unknown_lang', { lang });
    const flag = (k: string): boolean => {
      const v = url.searchParams.get(k);
      if (v === null || v === '0' || v === 'false') return false;
      if (v === '' || v === '1' || v === 'true') return true;
      throw new HttpError(400, 'bad_flag', { name: k, value: v });
    };
    return { format: format as ApiFormat, lang, all: flag('all'), redact: flag('redact'), name: uploadName(url.searchParams.get('name')) };
  }

  /** Checks that can refuse a POST before any of its body is read. */
  function precheck(req: IncomingMessage, url: URL): ReturnType<typeof parseQuery> {
    if (draining) {
      throw new HttpError(503, 'shutting_down', {}, {}, retryHeaders);
    }
    const q = parseQuery(url);
    const type = (req.headers['content-type'] ?? '').toLowerCase();
    // Only multipart is refused by its type (curl -F); curl --data-binary labels a raw file
    // application/x-www-form-urlencoded, so other types are left to the magic sniffing.
    if (type.startsWith('multipart/')) {
      throw new HttpError(415, 'multipart', { type: type.split(';')[0]! });
    }
    const enc = (req.headers['content-encoding'] ?? 'identity').toLowerCase();
    if (enc !== 'identity') {
      throw new HttpError(415, 'content_encoding', { encoding: enc });
    }
    const len = req.headers['content-length'];
    if (len !== undefined && Number(len) > o.maxUploadBytes) {
      throw new HttpError(413, 'too_big', { bytes: Number(len), max: o.maxUploadBytes });
    }
    if (reserved >= o.maxConcurrent) {
      throw new HttpError(503, 'busy', { running: o.maxConcurrent, retryS: o.retryAfterS }, {}, retryHeaders);
    }
    return q;
  }

  async function analyzeRequest(req: IncomingMessage, res: ServerResponse, q: ReturnType<typeof parseQuery>): Promise<void> {
    const started = Date.now();
    reserved++;
    let job: Job | null = null;
    let received = 0;
    let bodyDone = false;
    /** Reading is paused because the analysis has not taken what it was sent yet. */
    let waitingOnAnalysis = false;
    /** Time spent so paused (ms), and since when the pause in progress lasts. */
    let pausedMs = 0;
    let pausedSince = 0;
    // curl -d @file (and --data-binary without -H) label the body as a form; -d also drops every
    // CR and LF byte of the file, which no capture of any size survives. So a form-labelled body
    // in which no such byte was seen, and which then fails or is damaged, was most likely sent
    // with -d.
    const formEncoded = (req.headers['content-type'] ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded');
    let lineBreakSeen = false;
    const strippedByForm = (): boolean => formEncoded && !lineBreakSeen;
    let failure: HttpError | null = null;
    /** The upload is gzip-compressed (capture-reader offsets are then in the decompressed data). */
    let gzipUpload = false;
    let settleBody!: () => void;
    const bodyPromise = new Promise<void>((r) => (settleBody = r));
    const head: Buffer[] = [];
    let headLen = 0;

    /** The answer is this error: the analysis (if any) is stopped and the body no longer awaited. */
    const fail = (e: HttpError): void => {
      if (failure) return;
      failure = e;
      job?.abort(new JobFailure('aborted', e.message));
      settleBody();
    };
    const entry = {
      // Only shutdown stops a request this way (after the grace time).
      abort: (): void => fail(new HttpError(503, 'shutdown_unfinished', { seconds: o.graceMs / 1000 }, {}, retryHeaders)),
    };
    jobs.add(entry);

    const timer = setTimeout(() => {
      // Out of time while the analysis, not the client, was the one behind: the body was read
      // to its end, or reading was paused for the analysis (now, or most of the time: a body
      // bigger than the queue resumes for a moment whenever the worker takes a chunk): 504.
      // Waiting on the client is 408.
      const paused = pausedMs + (waitingOnAnalysis ? Date.now() - pausedSince : 0);
      if (bodyDone || waitingOnAnalysis || paused > (Date.now() - started) / 2) fail(analysisTooLong());
      else fail(new HttpError(408, 'upload_timeout', { seconds: o.timeoutMs / 1000 }));
    }, o.timeoutMs);

    // The minimum upload rate, over a sliding window of samples taken while the server waits
    // on the client (a pause for the analysis starts the window again).
    const samples: Array<{ t: number; received: number }> = [];
    const rateTimer = o.minUploadBytesPerS > 0 ? setInterval(() => {
      if (bodyDone || failure) return;
      if (waitingOnAnalysis) {
        samples.length = 0;
        return;
      }
      const now = Date.now();
      samples.push({ t: now, received });
      while (samples.length > 1 && now - samples[1]!.t >= o.uploadWindowMs) samples.shift();
      const first = samples[0]!;
      if (now - first.t < o.uploadWindowMs) return;
      const got = received - first.received;
      if (got / ((now - first.t) / 1000) < o.minUploadBytesPerS) {
        fail(new HttpError(408, 'upload_slow', { bytes: got, seconds: Math.round((now - first.t) / 100) / 10, minKiBs: Math.round((o.minUploadBytesPerS / 1024) * 10) / 10 }));
      }
    }, Math.max(20, o.uploadWindowMs / 10)) : null;
    rateTimer?.unref();

    const startJob = (first: Uint8Array): boolean => {
      const s = sniff(first);
      if (!s.ok) {
        const head = Array.from(first.subarray(0, SNIFF_BYTES));
        if (s.reason === 'empty') fail(new HttpError(400, 'empty'));
        else if (strippedByForm()) fail(formError());
        else if (s.reason === 'short') fail(new HttpError(422, 'short', { bytes: first.length }));
        else if (compressedAs(first)) fail(new HttpError(415, 'compressed', { head }, { code: 'BAD_MAGIC' }));
        else fail(new HttpError(415, 'not_capture', { head }, { code: 'BAD_MAGIC' }));
        return false;
      }
      gzipUpload = s.kind === 'gzip';
      const formats: OutFormat[] = q.format === 'bundle' ? [] : [q.format];
      job = pool.start({ lang: q.lang, all: q.all, redact: q.redact, name: q.name, formats, report: q.format === 'bundle' });
      if (!job) {
        fail(new HttpError(503, 'busy_start', { retryS: o.retryAfterS }, {}, retryHeaders));
        return false;
      }
      void job.result.then(() => settleBody(), () => settleBody());
      return true;
    };

    const onData = (c: Buffer): void => {
      if (failure) return;
      received += c.length;
      if (formEncoded && !lineBreakSeen && (c.includes(10) || c.includes(13))) lineBreakSeen = true;
      if (received > o.maxUploadBytes) {
        fail(new HttpError(413, 'too_big_read', { max: o.maxUploadBytes, received }));
        return;
      }
      if (!job) {
        head.push(c);
        headLen += c.length;
        if (headLen < SNIFF_BYTES) return;
        const first = Buffer.concat(head);
        head.length = 0;
        if (!startJob(first)) return;
        c = first;
      }
      const wait = job!.write(c);
      if (wait) {
        req.pause();
        waitingOnAnalysis = true;
        pausedSince = Date.now();
        void wait.then(() => {
          waitingOnAnalysis = false;
          pausedMs += Date.now() - pausedSince;
          if (!failure && !bodyDone) req.resume();
        });
      }
    };
    const onEnd = (): void => {
      bodyDone = true;
      if (failure) return;
      if (!job) {
        if (!startJob(Buffer.concat(head))) return;
      }
      job!.end();
    };
    const onClose = (): void => {
      // The client went away: nobody to answer; free the slot at once.
      if (!req.complete) fail(new HttpError(499, 'client_gone'));
    };
    req.on('data', onData);
    req.once('end', onEnd);
    req.once('close', onClose);

    try {
      await bodyPromise;
      let result: JobResult | null = null;
      if (!failure && job) {
        try {
          result = await (job as Job).result;
        } catch (e) {
          if (!failure) fail(mapFailure(e, gzipUpload));
        }
      }
      // A body sent with curl -d: its analysis failed or found damage because its line breaks
      // were dropped on the way; say so rather than what the damage looked like.
      if (strippedByForm() && ((failure !== null && [415, 422].includes((failure as HttpError).status)) || result?.damage)) {
        failure = null;
        result = null;
        fail(formError());
      }
      req.removeListener('data', onData);
      const f = failure as HttpError | null;
      if (f) {
        if (f.status !== 499) sendError(req, res, f);
        log(`POST /api/analyze ${f.status} ${Date.now() - started} ms ${received} bytes: ${f.message}`);
        return;
      }
      if (!result) throw new Error('no result');
      answer(req, res, q, result);
      log(`POST /api/analyze 200 ${Date.now() - started} ms ${received} bytes ${result.packets} packets ${result.failures} failures${result.damage ? ' (damaged capture)' : ''}`);
    } finally {
      clearTimeout(timer);
      if (rateTimer) clearInterval(rateTimer);
      jobs.delete(entry);
      reserved--;
      if (reserved === 0) for (const w of idleWaiters.splice(0)) w();
    }
  }

  function analysisTooLong(): HttpError {
    return new HttpError(504, 'analysis_timeout', { seconds: o.timeoutMs / 1000 });
  }

  function formError(): HttpError {
    return new HttpError(415, 'form_encoded', {}, { code: 'FORM_ENCODED' });
  }

  function mapFailure(e: unknown, gzip: boolean): HttpError {
    if (!(e instanceof JobFailure)) return new HttpError(500, 'analysis_failed', { message: 'the analysis failed with an internal error' });
    switch (e.kind) {
      case 'capture': {
        const status = e.code === 'EMPTY' ? 400 : e.code === 'BAD_MAGIC' ? 415 : 422;
        const extra = { code: e.code, offset: e.offset };
        // Nothing decodable: the worker sends its typed facts (packets, link types).
        if (e.code === 'LINK_TYPE' && e.args['packets'] !== undefined) return new HttpError(status, 'link_type', e.args, extra);
        // The reader's own English message and hint, with its code and offset (errors.ts).
        return new HttpError(status, 'capture', { code: e.code, offset: e.offset, message: e.message, hint: e.hint, reason: e.args['reason'] ?? null, gzip }, extra);
      }
      case 'memory':
        return new HttpError(413, 'memory', { message: e.message });
      case 'aborted':
        return new HttpError(503, 'aborted', { message: e.message }, {}, retryHeaders);
      default:
        return new HttpError(500, 'analysis_failed', { message: e.message });
    }
  }

  function answer(req: IncomingMessage, res: ServerResponse, q: ReturnType<typeof parseQuery>, r: JobResult): void {
    const headers: Record<string, string> = {
      'X-Wirewhy-Failures': String(r.failures),
      'X-Wirewhy-Packets': String(r.packets),
    };
    if (r.damage) headers['X-Wirewhy-Warning'] = headerSafe(r.damage);
    if (q.format === 'bundle') {
      // The page renders the report itself (report/web.ts, served under /lib/), in either language.
      const bundle = { schema: 'wirewhy.bundle/2', name: q.name, failures: r.failures, packets: r.packets, report: r.report };
      send(req, res, 200, 'application/json; charset=utf-8', JSON.stringify(bundle), headers);
      return;
    }
    const text = r.outputs[q.format];
    if (text === undefined) {
      sendError(req, res, new HttpError(500, 'render_failed', { format: q.format, reason: r.renderErrors[q.format] ?? null }));
      return;
    }
    const type = q.format === 'json' ? 'application/json' : q.format === 'md' ? 'text/markdown' : 'text/html';
    send(req, res, 200, `${type}; charset=utf-8`, text, headers);
  }

  function staticAsset(req: IncomingMessage, res: ServerResponse, path: string): boolean {
    const asset: Record<string, [string, string]> = {
      '/': ['text/html; charset=utf-8', page],
      '/index.html': ['text/html; charset=utf-8', page],
      '/app.js': ['text/javascript; charset=utf-8', APP_JS],
      '/app.css': ['text/css; charset=utf-8', APP_CSS],
      '/report.css': ['text/css; charset=utf-8', REPORT_CSS],
      '/favicon.svg': ['image/svg+xml', FAVICON_SVG],
    };
    const lib = path.startsWith('/lib/') ? modules.get(path.slice(5)) : undefined;
    if (lib !== undefined) {
      send(req, res, 200, 'text/javascript; charset=utf-8', lib, { 'Cache-Control': 'no-cache' }, PAGE_CSP);
      return true;
    }
    const a = asset[path];
    if (!a) return false;
    send(req, res, 200, a[0], a[1], { 'Cache-Control': 'no-cache' }, PAGE_CSP);
    return true;
  }

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname;
    try {
      if (path === '/api/analyze') {
        if (req.method !== 'POST') throw new HttpError(405, 'method_not_allowed', { method: req.method ?? '', api: true }, {}, { Allow: 'POST' });
        const q = precheck(req, url);
        void analyzeRequest(req, res, q).catch((e: unknown) => {
          process.stderr.write(`wirewhy serve: internal error (a bug, please report it): ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
          if (!res.headersSent) sendError(req, res, new HttpError(500, 'internal'));
        });
        return;
      }
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        throw new HttpError(405, 'method_not_allowed', { method: req.method ?? '', api: false }, {}, { Allow: 'GET, HEAD' });
      }
      if (path === '/healthz') {
        const body = JSON.stringify({ status: draining ? 'draining' : 'ok', version: VERSION, active: reserved, maxConcurrent: o.maxConcurrent, maxUploadBytes: o.maxUploadBytes }) + '\n';
        send(req, res, draining ? 503 : 200, 'application/json; charset=utf-8', body);
        return;
      }
      if (path === '/favicon.ico') {
        send(req, res, 204, 'text/plain', '', { 'Cache-Control': 'max-age=86400' });
        return;
      }
      if (staticAsset(req, res, path)) return;
      throw new HttpError(404, 'not_found', { path: path.slice(0, 100) });
    } catch (e) {
      if (!(e instanceof HttpError)) throw e;
      sendError(req, res, e);
      if (path === '/api/analyze') log(`${req.method} /api/analyze ${e.status}: ${e.message}`);
    }
  });

  // Expect: 100-continue (curl sends it for large bodies): refuse before a byte is sent.
  server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === '/api/analyze' && req.method === 'POST') {
      try {
        precheck(req, url);
      } catch (e) {
        if (e instanceof HttpError) {
          sendError(req, res, e);
          log(`POST /api/analyze ${e.status} (Expect: 100-continue refused): ${e.message}`);
          return;
        }
        throw e;
      }
    }
    res.writeContinue();
    server.emit('request', req, res);
  });

  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    if (socket.writable && !socket.writableEnded) {
      const status = err.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? '408 Request Timeout' : '400 Bad Request';
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    } else socket.destroy();
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => {
      server.removeListener('error', reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' || addr.address.includes(':') ? `[${addr.address}]` : addr.address;
  const url = `http://${host}:${addr.port}/`;

  let stopping: Promise<void> | null = null;
  async function shutdown(): Promise<void> {
    stopping ??= (async () => {
      draining = true;
      const closed = new Promise<void>((r) => server.close(() => r()));
      server.closeIdleConnections();
      if (reserved > 0) {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          new Promise<void>((r) => idleWaiters.push(r)),
          new Promise<void>((r) => (timer = setTimeout(r, o.graceMs))),
        ]);
        clearTimeout(timer);
        if (reserved > 0) {
          for (const j of jobs) j.abort(new JobFailure('aborted', `the server is shutting down; the analysis did not finish within ${o.graceMs / 1000} s`));
          // Let the 503 answers go out before the sockets close.
          await new Promise<void>((r) => {
            const t = setTimeout(r, 2_000);
            idleWaiters.push(() => {
              clearTimeout(t);
              r();
            });
            if (reserved === 0) r();
          });
        }
      }
      server.closeIdleConnections();
      setTimeout(() => server.closeAllConnections(), 1_000).unref();
      await closed;
      await pool.close();
    })();
    return stopping;
  }

  return {
    url, shutdown,
    get active() {
      return reserved;
    },
  };
}
