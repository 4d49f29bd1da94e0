import type { Report } from './model.js';

/** The contract's JSON: stable key order (as built), two-space indent, trailing newline. */
export function renderJson(r: Report): string {
  return `${JSON.stringify(r, null, 2)}\n`;
}

/**
 * The same bytes as renderJson, in pieces of about `size` characters: a report of tens of
 * thousands of records is written without ever holding its whole text (tens of MB) at once.
 */
export function* renderJsonChunks(r: Report, size = 1 << 20): Generator<string> {
  const entries = Object.entries(r).filter(([, v]) => v !== undefined);
  let buf = '{\n';
  for (let i = 0; i < entries.length; i++) {
    const [k, v] = entries[i]!;
    const comma = i < entries.length - 1 ? ',' : '';
    if (Array.isArray(v) && v.length > 0) {
      buf += `  ${JSON.stringify(k)}: [\n`;
      for (let j = 0; j < v.length; j++) {
        // JSON text never holds a raw newline inside a string, so re-indenting lines is safe.
        buf += `    ${(JSON.stringify(v[j], null, 2) ?? 'null').replace(/\n/g, '\n    ')}${j < v.length - 1 ? ',' : ''}\n`;
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
