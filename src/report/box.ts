/**
 * A small box table for the per-verdict evidence lists, drawn the way cli-table3 draws them
 * without row separators (same characters, one space of padding), at a fraction of the cost:
 * cli-table3 measures every cell through a freshly built ANSI regular expression and merges its
 * options per cell, 0.5 ms per verdict — most of a 10,000-verdict table's time. The summary and
 * capture-facts tables (one each per report) stay with cli-table3.
 */

/** Columns a string takes in a terminal: East Asian wide and fullwidth characters take two, combining marks none. */
export function displayWidth(s: string): number {
  // eslint-disable-next-line no-control-regex
  if (/^[\x20-\x7e]*$/.test(s)) return s.length;
  // eslint-disable-next-line no-control-regex
  const plain = s.replace(/\u001b\[[0-9;]*m/g, '');
  let w = 0;
  for (const ch of plain) {
    const c = ch.codePointAt(0)!;
    if (c < 0x20 || (c >= 0x7f && c < 0xa0)) continue;
    if ((c >= 0x300 && c <= 0x36f) || (c >= 0x200b && c <= 0x200f) || (c >= 0xfe00 && c <= 0xfe0f)) continue;
    w += isWide(c) ? 2 : 1;
  }
  return w;
}

function isWide(c: number): boolean {
  return (c >= 0x1100 && c <= 0x115f) || (c >= 0x2e80 && c <= 0x303e) || (c >= 0x3041 && c <= 0x33ff) ||
    (c >= 0x3400 && c <= 0x4dbf) || (c >= 0x4e00 && c <= 0x9fff) || (c >= 0xa000 && c <= 0xa4cf) ||
    (c >= 0xac00 && c <= 0xd7a3) || (c >= 0xf900 && c <= 0xfaff) || (c >= 0xfe30 && c <= 0xfe4f) ||
    (c >= 0xff00 && c <= 0xff60) || (c >= 0xffe0 && c <= 0xffe6) || (c >= 0x1f300 && c <= 0x1f64f) ||
    (c >= 0x1f900 && c <= 0x1f9ff) || (c >= 0x20000 && c <= 0x3fffd);
}

const grey = (on: boolean, s: string): string => (on ? `\u001b[90m${s}\u001b[39m` : s);
const red = (on: boolean, s: string): string => (on ? `\u001b[31m${s}\u001b[39m` : s);

/**
 * `head` and `rows` as a box: ┌─┬─┐ head, rows (a cell's own line breaks make more lines), └─┴─┘.
 * `color`: borders grey and the head red, as cli-table3's default style.
 */
export function boxTable(head: readonly string[], rows: ReadonlyArray<readonly string[]>, color: boolean): string {
  const n = head.length;
  const split = (r: readonly string[]): string[][] => head.map((_, i) => String(r[i] ?? '').split('\n'));
  const cells = [split(head), ...rows.map(split)];
  const widths = new Array<number>(n).fill(0);
  for (const r of cells) for (let i = 0; i < n; i++) for (const line of r[i]!) widths[i] = Math.max(widths[i]!, displayWidth(line));
  const rule = (l: string, m: string, r: string): string => grey(color, l + widths.map((w) => '─'.repeat(w + 2)).join(m) + r);
  const out: string[] = [rule('┌', '┬', '┐')];
  const bar = grey(color, '│');
  cells.forEach((r, k) => {
    const height = r.reduce((h, c) => Math.max(h, c.length), 1);
    for (let j = 0; j < height; j++) {
      let line = bar;
      for (let i = 0; i < n; i++) {
        const text = r[i]![j] ?? '';
        const pad = ' '.repeat(widths[i]! - displayWidth(text));
        line += ` ${k === 0 && text ? red(color, text) : text}${pad} ${bar}`;
      }
      out.push(line);
    }
  });
  out.push(rule('└', '┴', '┘'));
  return out.join('\n');
}
