/**
 * Analysis workers: at most `size` at once (the concurrency cap), each on its own thread with its
 * own heap limit. A worker is reused for the next upload and ended after being idle for a while;
 * one that overran the time limit, lost its client or ran out of memory is terminated and a
 * fresh one takes its place on the next upload.
 */
import { Worker } from 'node:worker_threads';
import { NO_ARGS, type Args } from '../facts.js';
import { MAX_IN_FLIGHT, type FromWorker, type JobOptions, type JobResult, type ToWorker } from './protocol.js';

export interface PoolOptions {
  size: number;
  /** Heap allowance of one analysis (V8 old generation), in MiB. */
  heapMb: number;
}

/** Idle workers are ended after this long (ms). */
const IDLE_MS = 30_000;
const WORKER_URL = new URL('./worker.js', import.meta.url);

export class JobFailure extends Error {
  constructor(
    readonly kind: 'capture' | 'internal' | 'memory' | 'aborted',
    message: string,
    readonly code = '',
    readonly hint = '',
    readonly offset = 0,
    /** Typed facts behind the message, when the worker has them (LINK_TYPE: packets, linkTypes). */
    readonly args: Args = NO_ARGS,
  ) {
    super(message);
  }
}

interface Slot {
  worker: Worker;
  idleTimer: NodeJS.Timeout | null;
}

let jobSeq = 0;

/** One analysis in progress: write the body into it, then await `result`. */
export class Job {
  readonly id = ++jobSeq;
  readonly result: Promise<JobResult>;
  private settle!: { resolve: (r: JobResult) => void; reject: (e: JobFailure) => void };
  private inFlight = 0;
  private drainWaiters: Array<() => void> = [];
  private finished = false;

  constructor(private readonly slot: Slot, private readonly pool: Pool, opts: JobOptions) {
    this.result = new Promise<JobResult>((resolve, reject) => (this.settle = { resolve, reject }));
    // Never an unhandled rejection: callers await `result` only once the body has been sent.
    this.result.catch(() => {});
    slot.worker.on('message', this.onMessage);
    slot.worker.on('error', this.onError);
    slot.worker.on('exit', this.onExit);
    this.post({ type: 'start', job: this.id, opts });
  }

  private post(m: ToWorker, transfer?: ArrayBuffer[]): void {
    this.slot.worker.postMessage(m, transfer);
  }

  /** Sends a chunk (copied once, then transferred); resolves when there is room for more. */
  write(chunk: Uint8Array): Promise<void> | null {
    if (this.finished) return null;
    const copy = new Uint8Array(chunk); // the request's buffer may share memory with others
    this.inFlight += copy.byteLength;
    this.post({ type: 'chunk', job: this.id, data: copy }, [copy.buffer as ArrayBuffer]);
    if (this.inFlight < MAX_IN_FLIGHT) return null;
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  end(): void {
    if (!this.finished) this.post({ type: 'end', job: this.id });
  }

  /** Stops the analysis (time limit, client gone, shutdown): the worker is terminated. */
  abort(reason: JobFailure): void {
    if (this.finished) return;
    this.finish();
    this.settle.reject(reason);
    this.pool.discard(this.slot);
  }

  private wakeWriters(): void {
    const w = this.drainWaiters;
    this.drainWaiters = [];
    for (const f of w) f();
  }

  private finish(): void {
    this.finished = true;
    this.slot.worker.off('message', this.onMessage);
    this.slot.worker.off('error', this.onError);
    this.slot.worker.off('exit', this.onExit);
    this.wakeWriters();
  }

  private readonly onMessage = (m: FromWorker): void => {
    if (m.job !== this.id || this.finished) return;
    if (m.type === 'ack') {
      this.inFlight -= m.bytes;
      if (this.inFlight < MAX_IN_FLIGHT) this.wakeWriters();
      return;
    }
    this.finish();
    if (m.type === 'done') {
      this.pool.release(this.slot);
      this.settle.resolve(m.result);
      return;
    }
    if (m.kind === 'internal') {
      // A bug; this worker's state is suspect, so it is not reused.
      this.pool.discard(this.slot);
      process.stderr.write(`wirewhy serve: internal error in an analysis (a bug, please report it): ${m.message}\n`);
      this.settle.reject(new JobFailure('internal', 'the analysis failed with an internal error'));
      return;
    }
    this.pool.release(this.slot);
    this.settle.reject(new JobFailure('capture', m.message, m.code, m.hint, m.offset, m.args));
  };

  private readonly onError = (e: Error): void => {
    if (this.finished) return;
    this.finish();
    this.pool.discard(this.slot);
    const oom = (e as NodeJS.ErrnoException).code === 'ERR_WORKER_OUT_OF_MEMORY';
    if (!oom) process.stderr.write(`wirewhy serve: analysis worker crashed (a bug, please report it): ${e.stack ?? e.message}\n`);
    this.settle.reject(oom
      ? new JobFailure('memory', 'the analysis needed more memory than one upload is allowed')
      : new JobFailure('internal', 'the analysis failed with an internal error'));
  };

  private readonly onExit = (): void => {
    this.onError(new Error('worker exited'));
  };
}

export class Pool {
  private idle: Slot[] = [];
  private busy = new Set<Slot>();
  private closed = false;

  constructor(private readonly opts: PoolOptions) {}

  /** Starts an analysis, or returns null when `size` analyses are already running. */
  start(opts: JobOptions): Job | null {
    if (this.closed || this.busy.size >= this.opts.size) return null;
    let slot = this.idle.pop();
    if (slot?.idleTimer) clearTimeout(slot.idleTimer);
    slot ??= { worker: this.spawn(), idleTimer: null };
    slot.idleTimer = null;
    this.busy.add(slot);
    return new Job(slot, this, opts);
  }

  private spawn(): Worker {
    const w = new Worker(WORKER_URL, {
      resourceLimits: { maxOldGenerationSizeMb: this.opts.heapMb, maxYoungGenerationSizeMb: 32 },
      stdout: false,
      stderr: false,
    });
    // An idle worker must not keep the process alive on its own.
    w.unref();
    w.on('error', () => {});
    // One that dies while idle (it should not) must not be handed the next upload.
    w.once('exit', () => {
      this.idle = this.idle.filter((s) => s.worker !== w);
    });
    return w;
  }

  release(slot: Slot): void {
    this.busy.delete(slot);
    if (this.closed) {
      void slot.worker.terminate();
      return;
    }
    slot.idleTimer = setTimeout(() => {
      this.idle = this.idle.filter((s) => s !== slot);
      void slot.worker.terminate();
    }, IDLE_MS);
    slot.idleTimer.unref();
    this.idle.push(slot);
  }

  discard(slot: Slot): void {
    this.busy.delete(slot);
    if (slot.idleTimer) clearTimeout(slot.idleTimer);
    void slot.worker.terminate();
  }

  /** Ends idle workers now and busy ones as they finish. */
  async close(): Promise<void> {
    this.closed = true;
    const idle = this.idle;
    this.idle = [];
    await Promise.all(idle.map((s) => {
      if (s.idleTimer) clearTimeout(s.idleTimer);
      return s.worker.terminate();
    }));
  }
}
