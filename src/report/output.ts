/**
 * The report options in one place (contract: --format, --lang, --all, --redact): what `analyze`,
 * `capture` (its final report and its live lines) and the server each do with a report goes through
 * a ReportOutput, so the options mean the same everywhere.
 *
 *   const out = new ReportOutput({ format: 'md', lang: 'zh', all: false, redact: true });
 *   const report = out.prepare(await analyze(src, out.analyzeOptions));
 *   process.stdout.write(out.render([report]));
 */
import type { Lang } from '../lang.js';
import type { Report, Verdict } from './model.js';
import { renderReports, renderReport, type Format } from './render.js';
import { renderJsonArrayChunks, renderJsonChunks, verdictDoc } from './json.js';
import { Redactor } from './redact.js';
import { verdictWords } from './words.js';
import { targetText } from '../diagnose/verdict.js';

export interface ReportOptions {
  format: Format;
  lang: Lang;
  /** Also list targets that worked. */
  all: boolean;
  /** Pseudonymise addresses and names (one mapping for everything this output renders). */
  redact: boolean;
  /** Verdicts listed at most (0 = all; default 200). */
  maxVerdicts?: number;
  /** The capture's own hosts (--host), else found in the capture. */
  hosts?: string[];
  /** ANSI colour (table only). */
  color?: boolean;
  /** The terminal's width (table only): long values are cut to it. */
  width?: number;
}

/** One streaming verdict of a live capture, as the live analyzer says it. */
export interface LiveVerdict {
  /** Capture time (ISO-8601) when the failure became certain; null when out of range (time.ts). */
  time: string | null;
  verdict: Verdict;
  /** A line for many failures of one cause (live.ts LiveMore): how many since when, a few of them. */
  more?: { count: number; since: string | null; examples: Verdict[] };
}

/** '09:54:19.000Z' of an ISO time, '-' when there is none. */
const clock = (t: string | null): string => (t === null ? '-' : `${t.slice(11, 23)}Z`);

export class ReportOutput {
  private readonly redactor: Redactor | null;

  constructor(readonly opts: ReportOptions) {
    this.redactor = opts.redact ? new Redactor() : null;
  }

  /** What the analysis needs to know of the options (what to keep is decided while analysing). */
  get analyzeOptions(): { all: boolean; maxVerdicts?: number; hosts?: string[] } {
    return {
      all: this.opts.all,
      ...(this.opts.maxVerdicts !== undefined ? { maxVerdicts: this.opts.maxVerdicts } : {}),
      ...(this.opts.hosts && this.opts.hosts.length > 0 ? { hosts: this.opts.hosts } : {}),
    };
  }

  /** The report as this output shows it: redacted when asked (the same mapping for every call). */
  prepare(r: Report): Report {
    return this.redactor ? this.redactor.report(r) : r;
  }

  /** Several prepared reports in the chosen format and language, as one text. */
  render(reports: Report[]): string {
    return renderReports(reports, this.opts.format, { lang: this.opts.lang, color: this.opts.color === true, ...(this.opts.width ? { width: this.opts.width } : {}) });
  }

  /** One prepared report in `format` (the server renders several formats of one analysis). */
  renderAs(r: Report, format: Format): string {
    return renderReport(r, format, { lang: this.opts.lang, color: this.opts.color === true, ...(this.opts.width ? { width: this.opts.width } : {}) });
  }

  /** The same bytes as render() for JSON, in pieces (a large report is never held whole). */
  *jsonPieces(reports: Report[]): Generator<string> {
    if (reports.length === 1) yield* renderJsonChunks(reports[0]!, this.opts.lang);
    else yield* renderJsonArrayChunks(reports, this.opts.lang);
  }

  /**
   * A live verdict as a line of the stream (redacted like the final report will be): text, or with
   * the json format one JSON object per line.
   */
  liveLine(e: LiveVerdict): string {
    if (e.more) return this.moreLine(e, e.more);
    const v = this.redactor ? this.redactor.verdict(e.verdict) : e.verdict;
    const lang = this.opts.lang;
    const target = targetText(v.target);
    if (this.opts.format === 'json') {
      const doc = verdictDoc(v, lang);
      return `${JSON.stringify({ type: 'verdict', time: e.time, severity: v.severity, cause: v.cause, layer: v.layer, target: v.target, targetText: target, summary: doc.summary, evidence: v.evidence.map((x) => x.frame), verdict: doc })}\n`;
    }
    const summary = verdictWords(v, lang).summary;
    // The summary starts with the target ("203.0.113.5:443: ..."): said once, in its own column.
    const sep = lang === 'zh' ? '：' : ': ';
    const rest = summary.startsWith(`${target}${sep}`) ? summary.slice(target.length + sep.length) : summary;
    return `${clock(e.time)}  ${v.severity.toUpperCase()}  ${v.cause}  ${target}  ${rest}\n`;
  }

  /** A line for many failures of one cause that were counted, not said one by one. */
  private moreLine(e: LiveVerdict, m: NonNullable<LiveVerdict['more']>): string {
    const v = e.verdict;
    const examples = m.examples.map((x) => targetText((this.redactor ? this.redactor.verdict(x) : x).target));
    if (this.opts.format === 'json') {
      return `${JSON.stringify({ type: 'more', time: e.time, since: m.since, severity: v.severity, cause: v.cause, layer: v.layer, count: m.count, examples })}\n`;
    }
    const list = `${examples.join(', ')}${m.count > examples.length ? ', …' : ''}`;
    const text = this.opts.lang === 'zh'
      ? `自 ${clock(m.since)} 起又有 ${m.count} 个目标出现同样的失败，不再逐条列出（${list}）；最终报告会全部计入`
      : `${m.count} more target${m.count === 1 ? '' : 's'} failed the same way since ${clock(m.since)}, counted rather than listed (${list}); the final report counts every one`;
    return `${clock(e.time)}  ${v.severity.toUpperCase()}  ${v.cause}  …  ${text}\n`;
  }
}
