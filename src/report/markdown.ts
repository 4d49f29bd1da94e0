/**
 * The report as GitHub-flavoured Markdown, shaped for a ticket comment: the verdicts first
 * (summary, layer and cause, target, client, what the packets show), then each verdict's
 * evidence frames and advice, then the capture facts.
 *
 * Everything that comes from the capture (names, addresses, notes) is escaped: it cannot open
 * a link, an image, raw HTML, a heading or a table cell. The catalogue's advice marks commands
 * with backticks; those become code spans (fenced so that data cannot close them early).
 */
import type { Lang } from '../lang.js';
import type { Report, Verdict } from './model.js';
import { label } from './labels.js';
import { causeRows, clientsCount, countLine, damageLine, formatLine, listedLine, moreCausesLine, packetsLine, perspectiveLine, recordsLine, severityWord, sinceStart, targetLine, timeSpanText, NO_VALUE } from './view.js';
import { verdictWords } from './words.js';
import { damageText, warningText } from './warnings.js';

export interface MarkdownOptions {
  lang: Lang;
}

/** Control characters (a newline would end a table row or start a block) become spaces. */
function oneLine(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ');
}

/**
 * Inline text: every character that could start Markdown or HTML syntax is backslash-escaped
 * (CommonMark allows a backslash before any ASCII punctuation; `$` is GitHub's math, `#` an issue
 * link), and GFM's extended autolinks
 * (www., scheme://, e-mail) are defused so a name in a capture does not become a link.
 */
export function mdText(s: string): string {
  return oneLine(s)
    .replace(/[\\`*_[\]<>|~&#$]/g, (c) => `\\${c}`)
    .replace(/@/g, '\\@')
    .replace(/:\/\//g, '\\://')
    .replace(/\b(www)\./gi, '$1\\.');
}

/** Text that starts a line: also escape what would make it a list, quote, heading or rule. */
function mdBlock(s: string): string {
  const t = mdText(s).trimStart();
  return t.replace(/^([-+=])/, '\\$1').replace(/^(\d+)([.)])/, '$1\\$2');
}

/** A code span that holds any text: the fence is longer than any backtick run inside it. */
export function mdCode(s: string, inTable = false): string {
  const text = oneLine(s);
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((r) => r.length));
  const fence = '`'.repeat(longest + 1);
  const pad = text.startsWith('`') || text.endsWith('`') || (text.startsWith(' ') && text.endsWith(' ') && text.trim() !== '') ? ' ' : '';
  // Inside a table a pipe still ends the cell, even in a code span (GFM): escape it there too.
  return `${fence}${pad}${inTable ? text.replace(/\|/g, '\\|') : text}${pad}${fence}`;
}

/**
 * Advice from the catalogue: `...` marks a command. When the backticks pair up, those parts are
 * code spans and the rest is escaped text; otherwise (a backtick in the data) all of it is text.
 */
function mdAdvice(s: string): string {
  const parts = s.split('`');
  if (parts.length % 2 === 0) return mdBlock(s);
  return parts.map((p, i) => (i % 2 === 1 ? (p === '' ? '' : mdCode(p)) : mdText(p))).join('').trimStart();
}

function verdictMd(r: Report, v: Verdict, i: number, lang: Lang): string[] {
  const out: string[] = [];
  const w = verdictWords(v, lang);
  out.push(`### ${i + 1}. ${severityWord(v.severity, lang)} · ${mdText(w.summary)}`, '');
  out.push(`- **${label(lang, 'layer')} / ${label(lang, 'cause')}:** ${label(lang, v.layer)} / ${mdCode(v.cause)}`);
  out.push(`- **${label(lang, 'target')}:** ${mdText(targetLine(v, lang))}`);
  if (v.client.ip !== null) out.push(`- **${label(lang, 'client')}:** ${mdText(v.client.ip)}`);
  const several = clientsCount(v, lang);
  if (several !== null) out.push(`- **${label(lang, 'clients')}:** ${mdText(several)}`);
  if (v.attempts > 1) out.push(`- **${label(lang, 'attempts')}:** ${v.attempts}`);
  out.push('', mdBlock(w.explanation), '');
  if (v.evidence.length) {
    out.push(`**${label(lang, 'evidence')}**`, '');
    out.push(`| ${label(lang, 'frame')} | ${label(lang, 'since_start')} (s) | ${label(lang, 'time')} (UTC) | ${label(lang, 'note')} |`);
    out.push('|---:|---:|---|---|');
    v.evidence.forEach((e, k) => {
      out.push(`| ${e.frame} | ${sinceStart(r, e.time) || NO_VALUE} | ${e.time === null ? NO_VALUE : mdText(e.time)} | ${mdText(w.notes[k]!)} |`);
    });
    out.push('');
  }
  if (w.advice.length) {
    out.push(`**${label(lang, 'advice')}**`, '');
    w.advice.forEach((a, k) => out.push(`${k + 1}. ${mdAdvice(a)}`));
    out.push('');
  }
  return out;
}

/** One report as a Markdown document (ends with a newline). */
export function renderMarkdown(r: Report, opts: MarkdownOptions): string {
  const lang = opts.lang;
  const c = r.capture;
  const out: string[] = [];
  out.push(`## ${label(lang, 'report')}: ${mdText(c.source)}`, '');
  out.push(`**${mdText(countLine(r, lang))}**`, '');
  if (r.summary.byCause.length > 0) {
    out.push(`| | ${label(lang, 'cause')} | ${label(lang, 'targets')} | ${label(lang, 'clients')} | ${label(lang, 'when')} | ${label(lang, 'examples')} |`, '|---|---|---:|---:|---|---|');
    for (const c of causeRows(r, lang)) {
      out.push(`| ${severityWord(c.severity, lang)} | \`${c.cause}\` | ${mdText(c.targets)} | ${c.clients} | ${mdText(c.when)} | ${mdText(c.examples)} |`);
    }
    out.push('');
    const more = moreCausesLine(r, lang);
    if (more) out.push(mdText(more), '');
  }
  for (const line of [listedLine(r, lang), perspectiveLine(r, lang)]) if (line) out.push(mdText(line), '');
  for (let i = 0; i < r.verdicts.length; i++) for (const line of verdictMd(r, r.verdicts[i]!, i, lang)) out.push(line);
  out.push(`### ${label(lang, 'capture')}`, '');
  out.push('| | |', '|---|---|');
  const row = (k: string, val: string): void => {
    out.push(`| ${k} | ${val} |`);
  };
  row(label(lang, 'source'), mdText(c.source));
  row(label(lang, 'format'), mdText(formatLine(r)));
  row(label(lang, 'packets'), mdText(packetsLine(r, lang)));
  row(label(lang, 'time_span'), timeSpanText(r, mdText));
  row(label(lang, 'records'), mdText(recordsLine(r, lang)));
  if (c.drops) row(label(lang, 'drops'), String(c.drops));
  if (c.damage) row(label(lang, 'damage'), mdText(damageLine(c.damage, damageText(c.damage, lang), lang)));
  out.push('');
  if (c.warnings.length) {
    out.push(`**${label(lang, 'warnings')}**`, '');
    for (const w of c.warnings) out.push(`- ${mdText(warningText(w, lang))}`);
    out.push('');
  }
  return `${out.join('\n').replace(/\n+$/, '')}\n`;
}
