/**
 * Messages between the HTTP thread and an analysis worker (src/serve/worker.ts).
 *
 * Flow control is credit-based: the HTTP thread posts body chunks (transferred, not copied
 * twice) and the worker acknowledges each chunk once the capture reader has taken it, so at
 * most `MAX_IN_FLIGHT` bytes of one upload are ever queued between the two threads; beyond
 * that the HTTP thread pauses the request and TCP pushes back on the client.
 */
import type { Lang } from '../lang.js';
import type { Args } from '../facts.js';
import type { Report } from '../report/model.js';

/** Output formats a worker can render. */
export type OutFormat = 'json' | 'md' | 'html';

export interface JobOptions {
  lang: Lang;
  all: boolean;
  redact: boolean;
  /** Name shown as capture.source in the report. */
  name: string;
  formats: OutFormat[];
  /** Hand back the (redacted) language-free report itself, for the page to render. */
  report: boolean;
}

export type ToWorker =
  | { type: 'start'; job: number; opts: JobOptions }
  | { type: 'chunk'; job: number; data: Uint8Array }
  | { type: 'end'; job: number };

export interface JobResult {
  outputs: Partial<Record<OutFormat, string>>;
  /** Formats that failed to render (a renderer bug or one not built yet), with the reason. */
  renderErrors: Partial<Record<OutFormat, string>>;
  /** Verdicts of severity error (the CLI's exit status 1 when > 0). */
  failures: number;
  packets: number;
  /** The capture-damage warning, when the upload was cut or damaged part-way. */
  damage: string | null;
  /** The report itself, when the job asked for it. */
  report: Report | null;
}

export type FromWorker =
  | { type: 'ack'; job: number; bytes: number }
  | { type: 'done'; job: number; result: JobResult }
  | { type: 'fail'; job: number; kind: 'capture'; code: string; message: string; hint: string; offset: number; args?: Args }
  | { type: 'fail'; job: number; kind: 'internal'; message: string };

/** Upload bytes that may be queued towards one worker before the request is paused. */
export const MAX_IN_FLIGHT = 4 << 20;
