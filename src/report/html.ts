/**
 * The report as one self-contained HTML file: inline CSS, no script, no external request
 * (the document's Content-Security-Policy forbids both: `default-src 'none'` and the style
 * element allowed by its hash). Per failing or warning target: the verdict, a ladder diagram
 * (SVG, see ladder.ts), the evidence frames, the advice and the cause's details; then the
 * capture facts. Every string from the capture is escaped.
 *
 *   renderHtml(report, {lang})          the full document
 *   renderHtmlDocument(reports, {lang}) several reports (several files) in one document
 *   renderHtmlFragment(report, {lang})  the <article> alone, for a page that brings REPORT_CSS
 *   REPORT_CSS                          the style sheet; every rule is scoped to .ww-report
 */
import type { Lang } from '../lang.js';
import type { Report, Verdict } from './model.js';
import { label } from './labels.js';
import { connectionLines, esc, ladderSvg, RecordIndex } from './ladder.js';
import { causeRows, clientsCount, countLine, damageLine, formatLine, listedLine, moreCausesLine, packetsLine, perspectiveLine, recordsLine, severityWord, sinceStart, targetLine, timeSpanText, NO_VALUE } from './view.js';
import { timelineSvg } from './timeline-svg.js';
import { verdictWords } from './words.js';
import { damageText, warningText } from './warnings.js';

export interface HtmlOptions {
  lang: Lang;
}

export const REPORT_CSS = [
  '.ww-report{font:15px/1.45 system-ui,sans-serif;color:#1f2328;max-width:60rem;margin:0 auto;padding:1rem}',
  '.ww-report h1{font-size:1.35rem;margin:0 0 .2rem}',
  '.ww-report h2{font-size:1.1rem;margin:0 0 .5rem}',
  '.ww-report h3{font-size:.95rem;margin:.8rem 0 .3rem}',
  '.ww-report .v{border:1px solid #d0d7de;border-left:6px solid #1a7f37;border-radius:6px;padding:.6rem 1rem;margin:1rem 0}',
  '.ww-report .v.error{border-left-color:#cf222e}.ww-report .v.warning{border-left-color:#9a6700}',
  '.ww-report .sev{display:inline-block;padding:0 .4em;margin-right:.5em;border-radius:4px;color:#fff;background:#1a7f37;font-size:.8em}',
  '.ww-report .error .sev{background:#cf222e}.ww-report .warning .sev{background:#9a6700}',
  '.ww-report .summary{margin:1rem 0}',
  '.ww-report dl{display:grid;grid-template-columns:max-content 1fr;gap:.1rem .8rem;margin:.4rem 0}',
  '.ww-report dt{font-weight:600}.ww-report dd{margin:0}',
  '.ww-report dd,.ww-report td,.ww-report li,.ww-report p{overflow-wrap:anywhere}',
  '.ww-report table{border-collapse:collapse;font-size:.9em}',
  '.ww-report th,.ww-report td{border:1px solid #d0d7de;padding:.15rem .5rem;text-align:left;vertical-align:top}',
  '.ww-report td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}',
  '.ww-report code,.ww-report pre{font-family:ui-monospace,monospace;font-size:.9em;background:#f3f4f6;border-radius:3px;padding:0 .2em}',
  '.ww-report pre{padding:.4rem;overflow-x:auto;white-space:pre-wrap}',
  '.ww-report figure{margin:.6rem 0;overflow-x:auto}.ww-report svg{max-width:100%;height:auto}',
  '.ww-report figcaption,.ww-report .muted{color:#59636e;font-size:.85em}',
  '@media print{.ww-report{max-width:none;padding:0;font-size:10.5pt}.ww-report .v{break-inside:avoid-page}',
  '.ww-report .sev{color:#000;background:none!important;border:1px solid #000}.ww-report details{display:none}}',
].join('\n');

/**
 * SHA-256 of REPORT_CSS, base64 (a test checks it): a constant rather than node:crypto, so that
 * the renderers also run in the upload page's browser.
 */
export const REPORT_CSS_SHA256 = '7ZumAWikEKq+Zrw3rHQW0UojoKc6f4YgeOklWCbwHFE=';
/** Nothing may load or run; only the report's own style element applies. */
export const REPORT_CSP = `default-src 'none'; style-src 'sha256-${REPORT_CSS_SHA256}'; base-uri 'none'; form-action 'none'`;

const htmlLang = (lang: Lang): string => (lang === 'zh' ? 'zh-CN' : 'en');

/** Catalogue advice: backtick pairs are commands (code); a stray backtick (data) leaves it all text. */
function adviceHtml(s: string): string {
  const parts = s.split('`');
  if (parts.length % 2 === 0) return esc(s);
  return parts.map((p, i) => (i % 2 === 1 ? `<code>${esc(p)}</code>` : esc(p))).join('');
}

function verdictHtml(r: Report, idx: RecordIndex, v: Verdict, i: number, lang: Lang): string {
  const o: string[] = [];
  const w = verdictWords(v, lang);
  o.push(`<section class="v ${v.severity}" id="v${i + 1}">`);
  o.push(`<h2><span class="sev">${esc(severityWord(v.severity, lang))}</span>${esc(w.summary)}</h2>`);
  o.push('<dl>');
  o.push(`<dt>${esc(label(lang, 'layer'))} / ${esc(label(lang, 'cause'))}</dt><dd>${esc(label(lang, v.layer))} / <code>${esc(v.cause)}</code></dd>`);
  o.push(`<dt>${esc(label(lang, 'target'))}</dt><dd>${esc(targetLine(v, lang))}</dd>`);
  if (v.client.ip !== null) o.push(`<dt>${esc(label(lang, 'client'))}</dt><dd>${esc(v.client.ip)}</dd>`);
  const several = clientsCount(v, lang);
  if (several !== null) o.push(`<dt>${esc(label(lang, 'clients'))}</dt><dd>${esc(several)}</dd>`);
  if (v.attempts > 1) o.push(`<dt>${esc(label(lang, 'attempts'))}</dt><dd>${v.attempts}</dd>`);
  o.push('</dl>');
  o.push(`<p>${esc(w.explanation)}</p>`);
  if (v.severity !== 'ok') {
    const caption = connectionLines(idx, v, lang);
    o.push(`<figure>${ladderSvg(r, idx, v, w.summary, lang)}${caption.length ? `<figcaption>${caption.map(esc).join('<br>')}</figcaption>` : ''}</figure>`);
  }
  if (v.evidence.length) {
    o.push(`<h3>${esc(label(lang, 'evidence'))}</h3><table><thead><tr><th>${esc(label(lang, 'frame'))}</th><th>${esc(label(lang, 'since_start'))} (s)</th><th>${esc(label(lang, 'time'))} (UTC)</th><th>${esc(label(lang, 'note'))}</th></tr></thead><tbody>`);
    v.evidence.forEach((e, k) => {
      o.push(`<tr><td class="n">${e.frame}</td><td class="n">${esc(sinceStart(r, e.time) || NO_VALUE)}</td><td>${esc(e.time ?? NO_VALUE)}</td><td>${esc(w.notes[k]!)}</td></tr>`);
    });
    o.push('</tbody></table>');
  }
  if (w.advice.length) {
    o.push(`<h3>${esc(label(lang, 'advice'))}</h3><ol>`);
    for (const a of w.advice) o.push(`<li>${adviceHtml(a)}</li>`);
    o.push('</ol>');
  }
  const details = w.limits.length ? { ...v.details, limits: w.limits } : v.details;
  if (Object.keys(details).length) {
    o.push(`<details><summary>${esc(label(lang, 'details'))}</summary><pre>${esc(JSON.stringify(details, null, 1))}</pre></details>`);
  }
  o.push('</section>');
  return o.join('\n');
}

/** The summary: one row per cause (linked to its first verdict listed), the timeline, what is listed, whose view. */
function summaryHtml(r: Report, lang: Lang): string {
  const o: string[] = [];
  if (r.summary.byCause.length === 0) return '';
  o.push(`<section class="summary"><h2>${esc(label(lang, 'summary'))}</h2>`);
  const firstOf = new Map<string, number>();
  r.verdicts.forEach((v, i) => {
    const k = `${v.cause}|${v.severity}`;
    if (!firstOf.has(k)) firstOf.set(k, i + 1);
  });
  // (The verdicts' headings carry their numbers: '1.', '2.'.)
  o.push(`<table><thead><tr><th></th><th>${esc(label(lang, 'cause'))}</th><th>${esc(label(lang, 'targets'))}</th><th>${esc(label(lang, 'clients'))}</th><th>${esc(label(lang, 'when'))}</th><th>${esc(label(lang, 'examples'))}</th></tr></thead><tbody>`);
  for (const c of causeRows(r, lang)) {
    const at = firstOf.get(`${c.cause}|${c.severity}`);
    // The number of the cause's first verdict listed, to find it below (no link: the document holds none).
    const cause = `<code>${esc(c.cause)}</code>${at !== undefined ? ` <span class="muted">#${at}</span>` : ''}`;
    o.push(`<tr class="${c.severity}"><td><span class="sev">${esc(severityWord(c.severity, lang))}</span></td><td>${cause}</td><td class="n">${esc(c.targets)}</td><td class="n">${esc(c.clients)}</td><td class="n">${esc(c.when)}</td><td>${esc(c.examples)}</td></tr>`);
  }
  o.push('</tbody></table>');
  const more = moreCausesLine(r, lang);
  if (more) o.push(`<p class="muted">${esc(more)}</p>`);
  const svg = timelineSvg(r, lang);
  if (svg) o.push(`<figure>${svg}<figcaption>${esc(label(lang, 'timeline'))}</figcaption></figure>`);
  for (const line of [listedLine(r, lang), perspectiveLine(r, lang)]) if (line) o.push(`<p class="muted">${esc(line)}</p>`);
  o.push('</section>');
  return o.join('\n');
}

/** The report as an <article class="ww-report">, for a page that includes REPORT_CSS. */
export function renderHtmlFragment(r: Report, opts: HtmlOptions): string {
  const lang = opts.lang;
  const c = r.capture;
  const o: string[] = [];
  o.push(`<article class="ww-report" lang="${htmlLang(lang)}">`);
  o.push(`<header><h1>${esc(label(lang, 'report'))}: ${esc(c.source)}</h1><p><strong>${esc(countLine(r, lang))}</strong></p></header>`);
  o.push(summaryHtml(r, lang));
  const idx = new RecordIndex(r);
  r.verdicts.forEach((v, i) => o.push(verdictHtml(r, idx, v, i, lang)));
  o.push(`<section class="facts"><h2>${esc(label(lang, 'capture'))}</h2><table><tbody>`);
  const row = (k: string, val: string): void => {
    o.push(`<tr><th>${esc(k)}</th><td>${esc(val)}</td></tr>`);
  };
  row(label(lang, 'source'), c.source);
  row(label(lang, 'format'), formatLine(r));
  row(label(lang, 'packets'), packetsLine(r, lang));
  row(label(lang, 'time_span'), timeSpanText(r));
  row(label(lang, 'records'), recordsLine(r, lang));
  if (c.drops) row(label(lang, 'drops'), String(c.drops));
  if (c.damage) row(label(lang, 'damage'), damageLine(c.damage, damageText(c.damage, lang), lang));
  o.push('</tbody></table>');
  if (c.warnings.length) {
    o.push(`<h3>${esc(label(lang, 'warnings'))}</h3><ul>`);
    for (const w of c.warnings) o.push(`<li>${esc(warningText(w, lang))}</li>`);
    o.push('</ul>');
  }
  o.push('</section>', '</article>');
  return o.join('\n');
}

/** Several reports (one per capture file) in one document. */
export function renderHtmlDocument(reports: Report[], opts: HtmlOptions): string {
  const title = `${label(opts.lang, 'report')}: ${reports.map((r) => r.capture.source).join(', ')}`;
  return [
    '<!DOCTYPE html>',
    `<html lang="${htmlLang(opts.lang)}">`,
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${esc(REPORT_CSP)}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${esc(title)}</title>`,
    `<style>${REPORT_CSS}</style>`,
    '</head>',
    '<body>',
    ...reports.map((r) => renderHtmlFragment(r, opts)),
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

export function renderHtml(r: Report, opts: HtmlOptions): string {
  return renderHtmlDocument([r], opts);
}
