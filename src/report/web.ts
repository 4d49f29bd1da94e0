/**
 * The renderers as the upload page uses them, in the browser: the server sends the report it
 * analysed (language-free, redacted when asked) and the page renders it here — in the language
 * the reader picks, as often as they switch, without sending the capture again. Nothing under
 * this module may import a Node built-in or a package: the server serves exactly this module's
 * graph (serve/modules.ts) and a test walks it.
 */
import type { Lang } from '../lang.js';
import type { Report } from './model.js';
import { renderJson } from './json.js';
import { renderMarkdown } from './markdown.js';
import { renderHtml, renderHtmlFragment } from './html.js';
import { warningText } from './warnings.js';

export interface PageRendering {
  /** The <article> shown in the page. */
  fragment: string;
  /** The downloads: what `wirewhy analyze --format json|md|html --lang L` gives. */
  json: string;
  md: string;
  html: string;
  /** The warning to show when the capture was damaged part-way, in `lang`, else null. */
  damage: string | null;
}

export function renderForPage(r: Report, lang: Lang): PageRendering {
  const d = r.capture.warnings.find((w) => w.kind === 'damage');
  return {
    fragment: renderHtmlFragment(r, { lang }),
    json: renderJson(r, lang),
    md: renderMarkdown(r, { lang }),
    html: renderHtml(r, { lang }),
    damage: r.capture.damage ? (d ? warningText(d, lang) : r.capture.damage.message) : null,
  };
}
