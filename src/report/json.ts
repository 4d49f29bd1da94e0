import type { Report } from './model.js';

/** The contract's JSON: stable key order (as built), two-space indent, trailing newline. */
export function renderJson(r: Report): string {
  return `${JSON.stringify(r, null, 2)}\n`;
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
export function* renderJsonChunks(r: Report, size = 1 << 16): Generator<string> {
  const entries = Object.entries(r).filter(([, v]) => v !== undefined);
  let buf = '{\n';
  for (let i = 0; i < entries.length; i++) {
    const [k, v] = entries[i]!;
    const comma = i < entries.length - 1 ? ',' : '';
    if (Array.isArray(v) && v.length > 0) {
      buf += `  ${JSON.stringify(k)}: [\n`;
      // Records per slice: one at first, then as many as fit in `size` at the average length so far.
      let per = 1;
      for (let j = 0; j < v.length;) {
        const slice = v.slice(j, j + per);
        const text = JSON.stringify({ a: slice }, null, 2);
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
      buf += `  ${JSON.stringify(k)}: ${JSON.stringify(v, null, 2).replace(/\n/g, '\n  ')}${comma}\n`;
    }
  }
  yield `${buf}}\n`;
}
