/**
 * The report renderers as the server uses them (src/report/): the same text as
 * `wirewhy analyze --format json|md|html [--redact]`, plus the HTML report's fragment for the page.
 */
import type { Report } from '../report/model.js';
import type { Lang } from '../diagnose/text.js';
import { renderReport } from '../report/render.js';
import { renderHtmlFragment, REPORT_CSP, REPORT_CSS } from '../report/html.js';
import { redactReport } from '../report/redact.js';
import type { OutFormat } from './protocol.js';

export { REPORT_CSP, REPORT_CSS };

export { redactReport };

export function renderOne(r: Report, format: OutFormat, lang: Lang): string {
  if (format === 'fragment') return renderHtmlFragment(r, { lang });
  return renderReport(r, format, { lang });
}
