/**
 * One entry point for every report format, used by `analyze`, `capture` and `serve` alike. The
 * report is language-free; its words are chosen here, for `opts.lang`.
 */
import type { Report } from './model.js';
import type { Lang } from '../lang.js';
import { renderJson, renderJsonArrayChunks } from './json.js';
import { renderTable } from './table.js';
import { renderMarkdown } from './markdown.js';
import { renderHtml, renderHtmlDocument } from './html.js';

export type Format = 'table' | 'json' | 'md' | 'html';
export const FORMATS: readonly Format[] = ['table', 'json', 'md', 'html'];

export interface RenderOptions {
  lang: Lang;
  /** ANSI colour (table only). */
  color?: boolean;
  /** The terminal's width (table only): long values are cut to it. */
  width?: number;
}

export function renderReport(r: Report, format: Format, opts: RenderOptions): string {
  switch (format) {
    case 'json':
      return renderJson(r, opts.lang);
    case 'table':
      return renderTable(r, { color: opts.color === true, lang: opts.lang, ...(opts.width ? { width: opts.width } : {}) });
    case 'md':
      return renderMarkdown(r, { lang: opts.lang });
    case 'html':
      return renderHtml(r, { lang: opts.lang });
  }
}

/** Several reports in one output (several files on the command line): table and Markdown one after another. */
function joinReports(parts: string[]): string {
  return parts.join('\n');
}

/**
 * Several reports in one output: HTML becomes one document holding every report (two whole
 * documents back to back would not be valid HTML); JSON one array of reports (one report: the
 * report object itself); table and Markdown are joined as by joinReports.
 */
export function renderReports(reports: Report[], format: Format, opts: RenderOptions): string {
  if (format === 'html') return reports.length ? renderHtmlDocument(reports, { lang: opts.lang }) : '';
  if (format === 'json' && reports.length !== 1) return [...renderJsonArrayChunks(reports, opts.lang)].join('');
  return joinReports(reports.map((r) => renderReport(r, format, opts)));
}
