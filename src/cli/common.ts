/**
 * What every command shares: exit status (shared/CONTRACT.md), the one-line error format,
 * numeric options, the common report options and writing the rendered reports.
 */
import { closeSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { Option, type Command } from 'commander';
import type { CaptureError } from '../capture/types.js';
import { LANGS, type Lang } from '../lang.js';
import type { Report } from '../report/model.js';
import { FORMATS, type Format } from '../report/render.js';
import { ReportOutput } from '../report/output.js';
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

export function errorLine(file: string, e: CaptureError): string {
  const where = e.code === 'EMPTY' || e.code === 'IO' ? '' : ` (at byte offset ${e.offset})`;
  return `wirewhy: ${file}: ${e.message}${where}; ${e.hint}`;
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
}

/** The contract's common report options, added to a command. */
export function addReportOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--format <format>', 'output format').choices(FORMATS).default('table'))
    .option('-o, --output <file>', 'write the report to a file')
    .addOption(new Option('--lang <lang>', 'report language').choices(LANGS).default('en'))
    .option('--all', 'also list targets that worked')
    .option('--redact', 'replace addresses and names by consistent pseudonyms, for sharing outside the team');
}

/** Colour only on a terminal, and never when NO_COLOR is set or TERM=dumb. */
function useColor(toTerminal: boolean): boolean {
  return toTerminal && !process.env.NO_COLOR && process.env.TERM !== 'dumb';
}

/** The report options of a command as the one ReportOutput that applies them. */
export function reportOutput(flags: ReportFlags): ReportOutput {
  return new ReportOutput({
    format: flags.format,
    lang: flags.lang,
    all: flags.all === true,
    redact: flags.redact === true,
    color: useColor(!flags.output && process.stdout.isTTY === true),
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
  if (out.opts.format === 'json') writeOutput(out.jsonPieces(reports), output);
  else writeOutput(out.render(reports), output);
}
