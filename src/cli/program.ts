/**
 * The command line: a thin shell over the library. Exit status (shared/CONTRACT.md): 0 no
 * failure found, 1 at least one failure, 2 bad usage or an unreadable capture (one line on
 * stderr, never a stack trace), anything else is a bug.
 */
import { writeFileSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import { openCapture } from '../capture/open.js';
import { CaptureError } from '../capture/types.js';
import { analyze } from '../analyze.js';
import { renderJson } from '../report/json.js';
import { renderTable } from '../report/table.js';
import type { Report } from '../report/model.js';
import { VERSION } from '../version.js';
import type { Lang } from '../diagnose/text.js';

export const EXIT_OK = 0;
export const EXIT_FAILURES = 1;
export const EXIT_USAGE = 2;

function errorLine(file: string, e: CaptureError): string {
  const where = e.code === 'EMPTY' || e.code === 'IO' ? '' : ` (at byte offset ${e.offset})`;
  return `wirewhy: ${file}: ${e.message}${where}; ${e.hint}`;
}

interface AnalyzeFlags {
  format: 'table' | 'json';
  output?: string;
  lang: Lang;
  all?: boolean;
}

function render(r: Report, f: AnalyzeFlags, toTerminal: boolean): string {
  if (f.format === 'json') return renderJson(r);
  const color = toTerminal && !process.env.NO_COLOR && process.env.TERM !== 'dumb';
  return renderTable(r, { color, lang: f.lang });
}

async function runAnalyze(files: string[], flags: AnalyzeFlags): Promise<number> {
  let status = EXIT_OK;
  const outputs: string[] = [];
  for (const file of files) {
    try {
      const src = await openCapture(file);
      const report = await analyze(src, { lang: flags.lang, all: flags.all === true });
      if (report.capture.damage) {
        process.stderr.write(`wirewhy: warning: ${file}: ${report.capture.warnings[0] ?? report.capture.damage.message}\n`);
      }
      if (report.verdicts.some((v) => v.severity === 'error') && status === EXIT_OK) status = EXIT_FAILURES;
      outputs.push(render(report, flags, !flags.output && process.stdout.isTTY === true));
    } catch (e) {
      if (e instanceof CaptureError) {
        process.stderr.write(`${errorLine(file, e)}\n`);
        status = EXIT_USAGE;
        continue;
      }
      throw e;
    }
  }
  const text = outputs.join(flags.format === 'json' ? '' : '\n');
  if (flags.output) writeFileSync(flags.output, text);
  else process.stdout.write(text);
  return status;
}

export function buildProgram(): Command {
  const program = new Command('wirewhy');
  program
    .description('Reads a packet capture and says where and why a connection failed, and what to check next.')
    .version(VERSION, '-V, --version')
    .exitOverride()
    .configureOutput({ outputError: (s, write) => write(s) })
    .showHelpAfterError('(run wirewhy --help for usage)');
  program
    .command('analyze', { isDefault: true })
    .description('analyze pcap / pcapng files (optionally gzip-compressed); - reads standard input')
    .argument('<capture...>', 'capture files, or - for standard input')
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'))
    .option('-o, --output <file>', 'write the report to a file')
    .addOption(new Option('--lang <lang>', 'report language').choices(['en', 'zh']).default('en'))
    .option('--all', 'also list targets that worked')
    .action(async (files: string[], flags: AnalyzeFlags) => {
      process.exitCode = await runAnalyze(files, flags);
    });
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT_OK;
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version end here with code 0; usage errors were already printed.
      return e.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    }
    throw e;
  }
}
