import type { Report } from './model.js';

/** The contract's JSON: stable key order (as built), two-space indent, trailing newline. */
export function renderJson(r: Report): string {
  return `${JSON.stringify(r, null, 2)}\n`;
}
