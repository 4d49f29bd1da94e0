/**
 * One entry point for every report format, used by `analyze`, `capture` and `serve` alike.
 */
import type { Report } from './model.js';
import type { Lang } from '../diagnose/text.js';
import { renderJson } from './json.js';
import { renderTable } from './table.js';

export type Format = 'table' | 'json' | 'md' | 'html';
export const FORMATS: readonly Format[] = ['table', 'json', 'md', 'html'];

export interface RenderOptions {
  lang: Lang;
  /** ANSI colour (table only). */
  color?: boolean;
}

export function renderReport(r: Report, format: Format, opts: RenderOptions): string {
  switch (format) {
    case 'json':
      return renderJson(r);
    case 'table':
      return renderTable(r, { color: opts.color === true, lang: opts.lang });
    case 'md':
    case 'html':
      throw new Error(`report format ${format} is not built yet`);
  }
}

/** Several reports in one output (several files on the command line). */
export function joinReports(parts: string[], format: Format): string {
  return parts.join(format === 'json' ? '' : '\n');
}
