/** `wirewhy analyze <capture...>` (the default command). */
import type { Command } from 'commander';
import { openCapture } from '../capture/open.js';
import { CaptureError } from '../capture/types.js';
import { analyze } from '../analyze.js';
import { joinReports, renderReport } from '../report/render.js';
import { EXIT_FAILURES, EXIT_OK, EXIT_USAGE, addReportOptions, errorLine, useColor, writeOutput, type ReportFlags } from './common.js';

async function runAnalyze(files: string[], flags: ReportFlags): Promise<number> {
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
      outputs.push(renderReport(report, flags.format, { lang: flags.lang, color: useColor(!flags.output && process.stdout.isTTY === true) }));
    } catch (e) {
      if (e instanceof CaptureError) {
        process.stderr.write(`${errorLine(file, e)}\n`);
        status = EXIT_USAGE;
        continue;
      }
      throw e;
    }
  }
  writeOutput(joinReports(outputs, flags.format), flags.output);
  return status;
}

export function registerAnalyze(program: Command): void {
  const cmd = program
    .command('analyze', { isDefault: true })
    .description('analyze pcap / pcapng files (optionally gzip-compressed); - reads standard input')
    .argument('<capture...>', 'capture files, or - for standard input');
  addReportOptions(cmd).action(async (files: string[], flags: ReportFlags) => {
    process.exitCode = await runAnalyze(files, flags);
  });
}
