/**
 * One analysis at a time, on its own thread: the capture arrives as chunks from the HTTP thread
 * and is streamed into the analyzer (nothing is buffered whole, nothing touches the disk). The
 * thread is reused for the next upload; the pool terminates it on a time limit, a client that
 * went away, or when it runs out of its memory allowance.
 */
import { parentPort } from 'node:worker_threads';
import { openStream } from '../capture/open.js';
import { CaptureError } from '../capture/types.js';
import { analyze } from '../analyze.js';
import type { Lang } from '../diagnose/text.js';
import type { Report } from '../report/model.js';
import { renderReport } from '../report/render.js';
import { renderHtmlFragment } from '../report/html.js';
import { redactReport } from '../report/redact.js';
import { damageText, failureCount, nothingDecodable } from '../cli/report-facts.js';
import type { FromWorker, JobOptions, JobResult, OutFormat, ToWorker } from './protocol.js';

if (!parentPort) throw new Error('src/serve/worker.ts runs as a worker thread');
const port = parentPort;
const post = (m: FromWorker): void => port.postMessage(m);

/** The body of the current upload as an async iterable; acknowledges each chunk it hands out. */
class Body implements AsyncIterable<Uint8Array> {
  private queue: Uint8Array[] = [];
  private ended = false;
  private wake: (() => void) | null = null;
  constructor(private readonly job: number) {}
  push(c: Uint8Array): void {
    this.queue.push(c);
    this.wake?.();
  }
  end(): void {
    this.ended = true;
    this.wake?.();
  }
  async *[Symbol.asyncIterator](): AsyncGenerator<Uint8Array> {
    for (;;) {
      const c = this.queue.shift();
      if (c) {
        post({ type: 'ack', job: this.job, bytes: c.byteLength });
        yield c;
        continue;
      }
      if (this.ended) return;
      await new Promise<void>((resolve) => (this.wake = resolve));
      this.wake = null;
    }
  }
}

let current: { job: number; body: Body } | null = null;

/**
 * The same text as `wirewhy analyze --format json|md|html`, or the HTML report's fragment for the
 * page.
 */
function renderOne(r: Report, format: OutFormat, lang: Lang): string {
  if (format === 'fragment') return renderHtmlFragment(r, { lang });
  return renderReport(r, format, { lang });
}

async function run(job: number, opts: JobOptions, body: Body): Promise<void> {
  try {
    const src = await openStream(body, { name: opts.name });
    let report = await analyze(src, { lang: opts.lang, all: opts.all });
    const none = nothingDecodable(report);
    if (none) {
      post({ type: 'fail', job, kind: 'capture', code: 'LINK_TYPE', message: none.message, hint: none.hint, offset: 0 });
      return;
    }
    if (opts.redact) report = redactReport(report);
    const outputs: JobResult['outputs'] = {};
    const renderErrors: JobResult['renderErrors'] = {};
    for (const f of opts.formats) {
      try {
        outputs[f] = renderOne(report, f, opts.lang);
      } catch (e) {
        renderErrors[f] = `the ${f} report could not be rendered (${e instanceof Error ? e.message : String(e)})`;
      }
    }
    post({
      type: 'done', job,
      result: {
        outputs,
        renderErrors,
        failures: failureCount(report),
        packets: report.capture.packets,
        damage: damageText(report),
      },
    });
  } catch (e) {
    if (e instanceof CaptureError) post({ type: 'fail', job, kind: 'capture', code: e.code, message: e.message, hint: e.hint, offset: e.offset });
    else post({ type: 'fail', job, kind: 'internal', message: e instanceof Error ? (e.stack ?? e.message) : String(e) });
  } finally {
    if (current?.job === job) current = null;
  }
}

port.on('message', (m: ToWorker) => {
  switch (m.type) {
    case 'start': {
      const body = new Body(m.job);
      current = { job: m.job, body };
      void run(m.job, m.opts, body);
      break;
    }
    case 'chunk':
      if (current?.job === m.job) current.body.push(m.data);
      break;
    case 'end':
      if (current?.job === m.job) current.body.end();
      break;
  }
});
