import Table from 'cli-table3';
import type { Lang } from '../lang.js';
import type { Report, Verdict } from './model.js';
import { boxTable, displayWidth } from './box.js';
import { label } from './labels.js';
import { causeRows, clientsCount, countLine, listedLine, moreCausesLine, packetsLine, perspectiveLine, recordsLine, severityWord, timeSpanText, NO_VALUE } from './view.js';
import { verdictWords } from './words.js';
import { warningText } from './warnings.js';

export interface TableOptions {
  color: boolean;
  lang?: Lang;
  /** The terminal's width: long values (a TXT answer, an example list) are cut to it. None: never cut. */
  width?: number;
}

/** `s` cut to `max` terminal columns with an ellipsis (nothing cut when max is undefined). */
function cutTo(s: string, max: number | undefined): string {
  if (max === undefined || displayWidth(s) <= max) return s;
  let out = '';
  let w = 0;
  for (const ch of s) {
    const cw = displayWidth(ch);
    if (w + cw > max - 1) break;
    out += ch;
    w += cw;
  }
  return `${out}…`;
}

const NO_ROW_LINES = { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' };

/** The summary first: the counts, then one row per cause (most frequent first), what is listed, whose view. */
function summaryBlock(r: Report, opts: TableOptions, lang: Lang): string[] {
  const out: string[] = [];
  const count = countLine(r, lang);
  out.push(r.summary.failures ? paint(opts.color, 31, count) : r.summary.warnings ? paint(opts.color, 33, count) : count);
  if (r.summary.byCause.length > 0) {
    const style = opts.color ? {} : { head: [], border: [] };
    const w = opts.width;
    const t = new Table({
      head: ['', label(lang, 'cause'), label(lang, 'targets'), label(lang, 'clients'), label(lang, 'when'), label(lang, 'examples')],
      style,
      chars: NO_ROW_LINES,
    });
    // Examples take what the other columns leave of the terminal.
    const room = w === undefined ? undefined : Math.max(16, w - 75);
    for (const c of causeRows(r, lang, (x) => cutTo(x, room))) {
      t.push([severityWord(c.severity, lang), c.cause, c.targets, c.clients, c.when, c.examples]);
    }
    out.push(t.toString());
    const more = moreCausesLine(r, lang);
    if (more) out.push(more);
  }
  const listed = listedLine(r, lang);
  if (listed) out.push(listed);
  const seen = perspectiveLine(r, lang);
  if (seen) out.push(seen);
  out.push('');
  return out;
}

const paint = (on: boolean, code: number, s: string): string => (on ? `\u001b[${code}m${s}\u001b[0m` : s);

/** FAIL / WARN / OK (失败 / 警告 / 正常), four columns wide either way. */
function severityMark(v: Verdict, color: boolean, lang: Lang): string {
  const w = severityWord(v.severity, lang);
  const text = w.length === 2 && lang === 'en' ? ` ${w} ` : w;
  return paint(color, v.severity === 'error' ? 31 : v.severity === 'warning' ? 33 : 32, text);
}

/** Terminal rendering: one block per verdict (summary, evidence frames, advice), then capture facts. */
export function renderTable(r: Report, opts: TableOptions): string {
  const lang = opts.lang ?? 'en';
  const style = opts.color ? {} : { head: [], border: [] };
  const out: string[] = summaryBlock(r, opts, lang);
  // A verdict for several clients says how many.
  const clients = (v: Verdict, l: Lang): string => {
    const n = clientsCount(v, l);
    return n === null ? '' : `  ${label(l, 'clients')}: ${n}`;
  };
  for (const v of r.verdicts) {
    const w = verdictWords(v, lang);
    out.push(`${severityMark(v, opts.color, lang)} ${w.summary}`);
    out.push(`     ${label(lang, 'layer')}: ${lang === 'en' ? v.layer : label(lang, v.layer)}  ${label(lang, 'cause')}: ${v.cause}${v.client.ip ? `  ${label(lang, 'client')}: ${v.client.ip}` : ''}${clients(v, lang)}`);
    out.push(`     ${w.explanation}`);
    if (v.evidence.length) {
      const head = [label(lang, 'frame'), label(lang, 'time'), label(lang, 'evidence')];
      // What the terminal leaves the note: 5 of indent, the frame and time columns with their
      // padding and borders (4 borders, 2 spaces a column), the note's padding.
      const frameWidth = v.evidence.reduce((m, e) => Math.max(m, String(e.frame).length), displayWidth(head[0]!));
      const timeWidth = v.evidence.reduce((m, e) => Math.max(m, (e.time ?? NO_VALUE).length), displayWidth(head[1]!));
      const noteMax = opts.width === undefined ? undefined : Math.max(16, opts.width - 5 - 4 - 6 - frameWidth - timeWidth);
      const rows = v.evidence.map((e, i) => [String(e.frame), e.time ?? NO_VALUE, cutTo(w.notes[i]!, noteMax)]);
      out.push(boxTable(head, rows, opts.color).replace(/^/gm, '     '));
    }
    if (w.advice.length) {
      out.push(`     ${label(lang, 'advice')}:`);
      w.advice.forEach((a, i) => out.push(`       ${i + 1}. ${a}`));
    }
    out.push('');
  }
  const c = r.capture;
  const facts = new Table({ style });
  facts.push(
    { [label(lang, 'capture')]: `${c.source} (${c.format}${c.compressed ? ', gzip' : ''}; ${c.linkTypes.join(', ') || '-'})` },
    { [label(lang, 'packets')]: packetsLine(r, lang) },
    { [label(lang, 'time')]: timeSpanText(r, (s) => s, false) },
    { [label(lang, 'connections')]: recordsLine(r, lang) },
  );
  out.push(facts.toString());
  for (const w of c.warnings) out.push(`${label(lang, 'warnings')}: ${warningText(w, lang)}`);
  return `${out.join('\n')}\n`;
}
