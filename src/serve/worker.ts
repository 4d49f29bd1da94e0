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
import type { Lang } from '../lang.js';
import type { Report } from '../report/model.js';
import { ReportOutput } from '../report/output.js';
import { damageText, failureCount, nothingDecodable } from '../report/facts.js';
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


async function run(job: number, opts: JobOptions, body: Body): Promise<void> {
  try {
    const src = await openStream(body, { name: opts.name });
    // The report options are applied as the command line applies them (report/output.ts).
    const out = new ReportOutput({ format: 'json', lang: opts.lang, all: opts.all, redact: opts.redact });
    const analysed = await analyze(src, out.analyzeOptions);
    const none = nothingDecodable(analysed);
    if (none) {
      const args = { packets: analysed.capture.packets, linkTypes: analysed.capture.linkTypes };
      post({ type: 'fail', job, kind: 'capture', code: 'LINK_TYPE', message: none.message, hint: none.hint, offset: 0, args });
      return;
    }
    const report = out.prepare(analysed);
    const outputs: JobResult['outputs'] = {};
    const renderErrors: JobResult['renderErrors'] = {};
    for (const f of opts.formats) {
      try {
        outputs[f] = out.renderAs(report, f);
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
        report: opts.report ? report : null,
      },
    });
  } catch (e) {
    if (e instanceof CaptureError) post({ type: 'fail', job, kind: 'capture', code: e.code, message: e.message, hint: e.hint, offset: e.offset, args: { reason: { kind: e.reason.kind, args: e.reason.args } } });
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
