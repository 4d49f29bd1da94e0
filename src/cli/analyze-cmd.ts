/** `wirewhy analyze <capture...>` (the default command). */
import { statSync } from 'node:fs';
import type { Command } from 'commander';
import { openCapture } from '../capture/open.js';
import { CaptureError } from '../capture/types.js';
import { analyze } from '../analyze.js';
import type { Report } from '../report/model.js';
import { estimateOffset, progressFor } from '../report/progress.js';
import { EXIT_FAILURES, EXIT_OK, EXIT_USAGE, addReportOptions, checkOutput, errorLine, reportOutput, writeReports, type ReportFlags } from './common.js';
import { damageText, failureCount, nothingDecodable } from '../report/facts.js';

function fileSize(file: string): number | null {
  if (file === '-') return null;
  try {
    return statSync(file).size;
  } catch {
    return null;
  }
}

async function runAnalyze(files: string[], flags: ReportFlags): Promise<number> {
  checkOutput(flags.output, flags.lang);
  let status = EXIT_OK;
  const out = reportOutput(flags);
  const reports: Report[] = [];
  for (const file of files) {
    let bar: ReturnType<typeof progressFor> = null;
    try {
      const src = await openCapture(file);
      bar = progressFor(process.stderr, file, fileSize(file), src.info.compressed);
      const progress = bar;
      const report = await analyze(src, {
        ...out.analyzeOptions,
        ...(progress ? { progressEvery: 20_000, onProgress: (n: number) => progress.update(estimateOffset(src.info), n) } : {}),
      });
      bar?.finish();
      const none = nothingDecodable(report, flags.lang);
      if (none !== null) {
        // Packets, but not one of a link type that can be decoded: an unsupported capture.
        process.stderr.write(flags.lang === 'zh' ? `wirewhy: ${file}：${none.message}；${none.hint}\n` : `wirewhy: ${file}: ${none.message}; ${none.hint}\n`);
        status = EXIT_USAGE;
        continue;
      }
      const damage = damageText(report, flags.lang);
      if (damage !== null) process.stderr.write(flags.lang === 'zh' ? `wirewhy: 警告：${file}：${damage}\n` : `wirewhy: warning: ${file}: ${damage}\n`);
      if (failureCount(report) > 0 && status === EXIT_OK) status = EXIT_FAILURES;
      reports.push(out.prepare(report));
    } catch (e) {
      bar?.finish();
      if (e instanceof CaptureError) {
        process.stderr.write(`${errorLine(file, e, flags.lang)}\n`);
        status = EXIT_USAGE;
        continue;
      }
      throw e;
    }
  }
  writeReports(out, reports, flags.output);
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
