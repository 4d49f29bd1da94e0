/**
 * What every command shares: exit status (shared/CONTRACT.md), the one-line error format,
 * numeric options, the common report options and writing the rendered reports.
 */
import { isIP } from 'node:net';
import { accessSync, closeSync, constants, openSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { DEFAULT_MAX_VERDICTS } from '../analyze.js';
import type { CaptureError } from '../capture/types.js';
import { captureErrorText } from '../capture/error-words.js';
import { LANGS, type Lang } from '../lang.js';
import type { Report } from '../report/model.js';
import { FORMATS, type Format } from '../report/render.js';
import { ReportOutput } from '../report/output.js';
import { cannotWriteText, hostText, maxVerdictsText, writeReasonText } from './usage-words.js';

export const EXIT_OK = 0;
export const EXIT_FAILURES = 1;
export const EXIT_USAGE = 2;

/** A bad-usage condition found by a command: printed as one line, exit status 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/**
 * The one line of an unreadable capture: what (and where in the file), what to do; worded from
 * the reader's typed reason in the language asked for.
 */
export function errorLine(file: string, e: CaptureError, lang: Lang = 'en'): string {
  // A gzip error names its own (compressed) offset; a magic number is always at offset 0.
  const at = !(e.code === 'EMPTY' || e.code === 'IO' || e.code === 'GZIP' || e.code === 'BAD_MAGIC');
  if (lang === 'zh') {
    const t = captureErrorText(e.reason, 'zh');
    // (A header too short is at offset 0: nothing to add.)
    return `wirewhy: ${file}：${at && e.code !== 'SHORT_HEADER' ? `在字节偏移 ${e.offset} 处，` : ''}${t.message}；${t.hint}`;
  }
  return `wirewhy: ${file}: ${e.message}${at ? ` (at byte offset ${e.offset})` : ''}; ${e.hint}`;
}

/** The one-line error for a report that cannot be written (to -o, or to standard output), in `lang`. */
export function outputError(output: string | undefined, e: unknown, lang: Lang = 'en'): UsageError {
  const err = e as NodeJS.ErrnoException;
  const reason = writeReasonText(err.code, e instanceof Error ? e.message : String(e), lang);
  return new UsageError(cannotWriteText(output ?? null, reason, lang));
}

/**
 * Checks before any analysis that -o can be written (its folder exists and is writable, it is
 * not a folder), so a long analysis does not end in an error; the file itself is written, and
 * any remaining error reported, at the end.
 */
export function checkOutput(output: string | undefined, lang: Lang = 'en'): void {
  if (!output) return;
  try {
    let isFile = false;
    try {
      const st = statSync(output);
      if (st.isDirectory()) throw Object.assign(new Error('EISDIR'), { code: 'EISDIR' });
      isFile = true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    if (isFile) accessSync(output, constants.W_OK);
    else {
      const dir = dirname(resolve(output));
      if (!statSync(dir).isDirectory()) throw Object.assign(new Error('ENOTDIR'), { code: 'ENOTDIR' });
      accessSync(dir, constants.W_OK);
    }
  } catch (e) {
    throw outputError(output, e, lang);
  }
}

/**
 * A numeric option's value: finite, from `min` to `max`, and whole when `integer`; otherwise a
 * UsageError with `message` (each command words its own).
 */
export function numberOption(v: string, min: number, max: number, integer: boolean, message: string): number {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) {
    throw new UsageError(message);
  }
  return n;
}

export interface ReportFlags {
  format: Format;
  output?: string;
  lang: Lang;
  all?: boolean;
  redact?: boolean;
  maxVerdicts?: string;
  host?: string[];
}

/** The contract's common report options, added to a command. */
export function addReportOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--format <format>', 'output format').choices(FORMATS).default('table'))
    .option('-o, --output <file>', 'write the report to a file')
    .addOption(new Option('--lang <lang>', 'report language').choices(LANGS).default('en'))
    .option('--all', 'also list targets that worked')
    .option('--redact', 'replace addresses and names by consistent pseudonyms, for sharing outside the team')
    .option('--max-verdicts <n>', 'list at most this many verdicts, most important first (0 = all); the summary counts every one', String(DEFAULT_MAX_VERDICTS))
    .option('--host <address>', "the capture's own host (repeat, or separate with commas): its outbound exchanges come first, inbound ones (remote clients, scanners) after; default: found in the capture", collect, []);
}

function collect(v: string, list: string[]): string[] {
  return [...list, ...v.split(',').map((x) => x.trim()).filter((x) => x !== '')];
}

/** Colour only on a terminal, and never when NO_COLOR is set or TERM=dumb. */
function useColor(toTerminal: boolean): boolean {
  return toTerminal && !process.env.NO_COLOR && process.env.TERM !== 'dumb';
}

/** The report options of a command as the one ReportOutput that applies them. */
export function reportOutput(flags: ReportFlags): ReportOutput {
  const maxVerdicts = numberOption(flags.maxVerdicts ?? String(DEFAULT_MAX_VERDICTS), 0, Number.MAX_SAFE_INTEGER, true, maxVerdictsText(flags.maxVerdicts, flags.lang));
  const hosts = flags.host ?? [];
  for (const h of hosts) {
    if (isIP(h) === 0) throw new UsageError(hostText(h, flags.lang));
  }
  return new ReportOutput({
    format: flags.format,
    lang: flags.lang,
    all: flags.all === true,
    maxVerdicts,
    hosts: hosts.map((h) => (h.includes(':') ? h.toLowerCase() : h)),
    redact: flags.redact === true,
    color: useColor(!flags.output && process.stdout.isTTY === true),
    // A table shown in a terminal is cut to its width; a file or a pipe gets every character.
    ...(!flags.output && process.stdout.isTTY === true && process.stdout.columns > 0 ? { width: process.stdout.columns } : {}),
  });
}

function writeOutput(text: string | Iterable<string>, output: string | undefined): void {
  if (typeof text === 'string') {
    if (output) writeFileSync(output, text);
    else process.stdout.write(text);
    return;
  }
  // Pieces (a large JSON report): written as they are made, never joined.
  const fd = output ? openSync(output, 'w') : -1;
  try {
    for (const piece of text) {
      if (fd >= 0) writeSync(fd, piece);
      else process.stdout.write(piece);
    }
  } finally {
    if (fd >= 0) closeSync(fd);
  }
}

/** The prepared reports in the output's format, to -o or stdout: the same for `analyze` and `capture`. */
export function writeReports(out: ReportOutput, reports: Report[], output: string | undefined): void {
  const text = out.opts.format === 'json' ? out.jsonPieces(reports) : out.render(reports);
  try {
    writeOutput(text, output);
  } catch (e) {
    // Only the system's errors (a full disk, a missing folder): a renderer's error is a bug, and stays one.
    if ((e as NodeJS.ErrnoException).syscall !== undefined) throw outputError(output, e, out.opts.lang);
    throw e;
  }
}
