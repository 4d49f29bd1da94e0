import Table from 'cli-table3';
import type { Lang } from '../lang.js';
import type { Report, Verdict } from './model.js';
import { label } from './labels.js';
import { packetsLine, recordsLine, severityWord } from './view.js';
import { verdictWords } from './words.js';
import { warningText } from './warnings.js';

export interface TableOptions {
  color: boolean;
  lang?: Lang;
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
  const out: string[] = [];
  for (const v of r.verdicts) {
    const w = verdictWords(v, lang);
    out.push(`${severityMark(v, opts.color, lang)} ${w.summary}`);
    out.push(`     ${label(lang, 'layer')}: ${lang === 'en' ? v.layer : label(lang, v.layer)}  ${label(lang, 'cause')}: ${v.cause}${v.client.ip ? `  ${label(lang, 'client')}: ${v.client.ip}` : ''}`);
    out.push(`     ${w.explanation}`);
    if (v.evidence.length) {
      const t = new Table({ head: [label(lang, 'frame'), label(lang, 'time'), label(lang, 'evidence')], style, wordWrap: true });
      v.evidence.forEach((e, i) => t.push([String(e.frame), e.time, w.notes[i]!]));
      out.push(t.toString().replace(/^/gm, '     '));
    }
    if (w.advice.length) {
      out.push(`     ${label(lang, 'advice')}:`);
      w.advice.forEach((a, i) => out.push(`       ${i + 1}. ${a}`));
    }
    out.push('');
  }
  if (r.verdicts.length === 0) out.push(label(lang, 'no_failure'), '');
  const c = r.capture;
  const facts = new Table({ style });
  facts.push(
    { [label(lang, 'capture')]: `${c.source} (${c.format}${c.compressed ? ', gzip' : ''}; ${c.linkTypes.join(', ') || '-'})` },
    { [label(lang, 'packets')]: packetsLine(r, lang) },
    { [label(lang, 'time')]: c.start ? `${c.start} .. ${c.end}` : '-' },
    { [label(lang, 'connections')]: recordsLine(r, lang) },
  );
  out.push(facts.toString());
  for (const w of c.warnings) out.push(`${label(lang, 'warnings')}: ${warningText(w, lang)}`);
  return `${out.join('\n')}\n`;
}
