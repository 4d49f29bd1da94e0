/**
 * The contract's JSON (`wirewhy.report/1`, shared/CONTRACT.md): the language-free report with its
 * words filled in for one language — each verdict's summary, explanation, advice and evidence
 * notes, the limits in its details, the capture's warnings and damage message. Stable key order,
 * two-space indent, trailing newline.
 */
import type { Lang } from '../lang.js';
import type { Report, Verdict } from './model.js';
import { verdictWords } from './words.js';
import { damageText, warningText } from './warnings.js';

/** One evidence entry of the document: the note in words, the typed facts left out. */
export interface EvidenceDoc {
  frame: number;
  /** null when the packet's time is none a report can write (time.ts). */
  time: string | null;
  note: string;
  from?: string;
  to?: string;
}

export interface VerdictDoc {
  target: Verdict['target'];
  client: Verdict['client'];
  layer: Verdict['layer'];
  cause: string;
  severity: Verdict['severity'];
  summary: string;
  explanation: string;
  advice: string[];
  evidence: EvidenceDoc[];
  attempts: number;
  details: Record<string, unknown>;
  inbound?: boolean;
}

export function verdictDoc(v: Verdict, lang: Lang): VerdictDoc {
  const w = verdictWords(v, lang);
  const evidence = v.evidence.map((e, i): EvidenceDoc => (e.from !== undefined && e.to !== undefined
    ? { frame: e.frame, time: e.time, note: w.notes[i]!, from: e.from, to: e.to }
    : { frame: e.frame, time: e.time, note: w.notes[i]! }));
  return {
    target: v.target,
    client: v.client,
    layer: v.layer,
    cause: v.cause,
    severity: v.severity,
    summary: w.summary,
    explanation: w.explanation,
    advice: w.advice,
    evidence,
    attempts: v.attempts,
    details: w.limits.length ? { ...v.details, limits: w.limits } : v.details,
    ...(v.inbound !== undefined ? { inbound: v.inbound } : {}),
  };
}

/** The contract's document of a report, in `lang` (verdicts are worded as they are written out). */
export function reportDocument(r: Report, lang: Lang): Record<string, unknown> {
  const c = r.capture;
  return {
    schema: r.schema,
    tool: r.tool,
    capture: {
      source: c.source,
      format: c.format,
      compressed: c.compressed,
      linkTypes: c.linkTypes,
      packets: c.packets,
      bytes: c.bytes,
      start: c.start,
      end: c.end,
      truncatedPackets: c.truncatedPackets,
      drops: c.drops,
      damage: c.damage ? { offset: c.damage.offset, frame: c.damage.frame, message: damageText(c.damage, lang) } : null,
      warnings: c.warnings.map((w) => warningText(w, lang)),
      ...(c.totals ? { totals: c.totals } : {}),
    },
    summary: r.summary,
    perspective: r.perspective,
    verdicts: new WordedList(r.verdicts, (v) => verdictDoc(v, lang)),
    connections: r.connections,
    dns: r.dns,
    tls: r.tls,
    icmp: r.icmp,
    http: r.http,
  };
}

/**
 * A list whose entries are made as they are read (verdicts get their words while they are
 * written out, not all at once before); JSON.stringify sees an ordinary array through toJSON.
 */
class WordedList<T, U> {
  constructor(readonly items: readonly T[], readonly word: (x: T) => U) {}
  get length(): number {
    return this.items.length;
  }
  slice(a: number, b: number): U[] {
    return this.items.slice(a, b).map(this.word);
  }
  toJSON(): U[] {
    return this.items.map(this.word);
  }
}

const isList = (v: unknown): v is unknown[] | WordedList<unknown, unknown> => Array.isArray(v) || v instanceof WordedList;

/** Lists of plain numbers (the summary's timeline counts) on one line; everything else as JSON.stringify indents it. */
const NUMBER_LIST = /\[\n\s+(-?[\d.e+-]+(?:,\n\s+-?[\d.e+-]+)*)\n\s*\]/g;
export function prettyJson(v: unknown): string {
  return JSON.stringify(v, null, 2).replace(NUMBER_LIST, (_, inner: string) => `[${inner.replace(/,\n\s+/g, ', ')}]`);
}

export function renderJson(r: Report, lang: Lang): string {
  return `${prettyJson(reportDocument(r, lang))}\n`;
}

/**
 * Several reports as one JSON array (contract: several capture files give one array; one file
 * gives the report object itself), in pieces: each report's text indented by one level, as
 * JSON.stringify would nest it.
 */
export function* renderJsonArrayChunks(reports: readonly Report[], lang: Lang, size = 1 << 16): Generator<string> {
  yield '[\n';
  for (let i = 0; i < reports.length; i++) {
    let head = '  ';
    let held = '';
    for (const piece of renderJsonChunks(reports[i]!, lang, size)) {
      // A report's text ends with '}\n': hold back the last newline until it is known to be the last.
      const text = held + piece;
      const body = text.endsWith('\n') ? text.slice(0, -1) : text;
      held = text.endsWith('\n') ? '\n' : '';
      yield head + body.replace(/\n/g, '\n  ');
      head = '';
    }
    yield i < reports.length - 1 ? ',\n' : '\n';
  }
  yield ']\n';
}

/** `{\n  "a": [\n` and `\n  ]\n}`: the wrapper around a slice stringified at the depth of a section's records. */
const WRAP_HEAD = 11;
const WRAP_TAIL = 6;

/**
 * The same bytes as renderJson, in pieces of about `size` characters: a report of tens of
 * thousands of records is written without ever holding its whole text (tens of MB) at once.
 * Records are stringified by the engine a slice at a time, inside a one-key wrapper object so
 * that they come out at their depth in the report (indent 4); the wrapper is cut off again.
 */
export function* renderJsonChunks(r: Report, lang: Lang, size = 1 << 16): Generator<string> {
  const entries = Object.entries(reportDocument(r, lang)).filter(([, v]) => v !== undefined);
  let buf = '{\n';
  for (let i = 0; i < entries.length; i++) {
    const [k, v] = entries[i]!;
    const comma = i < entries.length - 1 ? ',' : '';
    if (isList(v) && v.length > 0) {
      buf += `  ${JSON.stringify(k)}: [\n`;
      // Records per slice: one at first, then as many as fit in `size` at the average length so far.
      let per = 1;
      for (let j = 0; j < v.length;) {
        const slice = v.slice(j, j + per);
        const text = prettyJson({ a: slice });
        j += slice.length;
        buf += text.slice(WRAP_HEAD, text.length - WRAP_TAIL);
        buf += j < v.length ? ',\n' : '\n';
        per = Math.max(1, Math.min(4096, Math.floor(size / Math.max(1, text.length / slice.length))));
        if (buf.length >= size) {
          yield buf;
          buf = '';
        }
      }
      buf += `  ]${comma}\n`;
    } else {
      buf += `  ${JSON.stringify(k)}: ${prettyJson(v).replace(/\n/g, '\n  ')}${comma}\n`;
    }
  }
  yield `${buf}}\n`;
}
