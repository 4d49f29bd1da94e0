/**
 * The report renderers for the upload page: the compiled module graph of report/web.ts, served
 * under /lib/ so that the page renders the report it has, in the language the reader picks,
 * without sending the capture again. The graph is read once, when the server starts, by
 * following the modules' relative imports from the entry; any other import (a Node built-in, a
 * package) is a bug, refused here so that it fails loudly instead of in a browser.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The entry of the graph, relative to the compiled src/ folder. */
export const PAGE_ENTRY = 'report/web.js';

const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^;'"]*?from\s*['"]([^'"]+)['"]|(?:^|\n)\s*import\s*['"]([^'"]+)['"]/g;

/** The compiled src/ folder (dist/src) of this package, from src/ (tests) or dist/src/ (built). */
export function compiledSrc(): string {
  let d = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    if (existsSync(join(d, 'package.json'))) return join(d, 'dist', 'src');
    d = dirname(d);
  }
  throw new Error('the package root (package.json) was not found above src/serve');
}

/** Every module of the page's renderer, by its path under /lib/ ('report/web.js', ...). */
export function pageModules(root = compiledSrc()): Map<string, string> {
  const out = new Map<string, string>();
  const visit = (file: string): void => {
    const rel = relative(root, file).split(sep).join('/');
    if (out.has(rel)) return;
    if (rel.startsWith('..')) throw new Error(`the page renderer imports ${rel}, outside the compiled sources`);
    const text = readFileSync(file, 'utf8');
    out.set(rel, text);
    for (const m of text.matchAll(IMPORT)) {
      const spec = (m[1] ?? m[2])!;
      if (!spec.startsWith('.')) throw new Error(`${rel} imports '${spec}': the page renderer may only import its own modules`);
      visit(resolve(dirname(file), spec));
    }
  };
  visit(join(root, PAGE_ENTRY));
  return out;
}
