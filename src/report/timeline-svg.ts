/**
 * The summary's timeline as a small SVG (no script): one row per cause, the most frequent first,
 * with a bar per time bin whose height follows that cause's busiest bin. Under it, the capture's
 * time from its start in seconds. Text is escaped; colours are attributes (the report's style
 * sheet is fixed by its hash).
 */
import type { Lang } from '../lang.js';
import type { Report } from './model.js';
import { esc } from './ladder.js';
import { SUMMARY_CAUSES } from './view.js';

const LABEL_W = 190;
const BAR_W = 8;
const ROW_H = 16;

/** '0.5', '12', '1536' seconds as an axis shows them. */
function secs(x: number): string {
  return x >= 10 ? String(Math.round(x)) : String(Math.round(x * 1000) / 1000);
}

export function timelineSvg(r: Report, lang: Lang): string | null {
  const t = r.summary.timeline;
  if (!t || t.series.length === 0) return null;
  const series = t.series.slice(0, SUMMARY_CAUSES);
  const bins = series[0]!.counts.length;
  // Everything in one bin says nothing about time: no figure.
  let filled = 0;
  for (let i = 0; i < bins; i++) if (series.some((s) => s.counts[i]! > 0)) filled++;
  if (filled < 2) return null;
  // Bins up to the last one anything fell in (at least a quarter of them: the axis keeps a scale).
  let used = Math.ceil(bins / 4);
  for (const s of series) for (let i = bins - 1; i >= used; i--) if (s.counts[i]! > 0) used = i + 1;
  const width = LABEL_W + used * BAR_W + 10;
  const height = series.length * ROW_H + 22;
  const o: string[] = [];
  const title = lang === 'zh' ? '各原因的故障随时间分布' : 'Failures per cause over the capture';
  o.push(`<svg class="timeline" xmlns="http://www.w3.org/2000/svg" role="img" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui,sans-serif" font-size="11">`);
  o.push(`<title>${esc(title)}</title>`);
  series.forEach((s, row) => {
    const y = row * ROW_H;
    let max = 1;
    for (const n of s.counts) if (n > max) max = n;
    const fill = s.severity === 'error' ? '#cf222e' : '#9a6700';
    o.push(`<text x="${LABEL_W - 6}" y="${y + 12}" text-anchor="end" fill="#1f2328">${esc(s.cause)}</text>`);
    o.push(`<line x1="${LABEL_W}" y1="${y + ROW_H - 1}" x2="${LABEL_W + used * BAR_W}" y2="${y + ROW_H - 1}" stroke="#d0d7de"/>`);
    for (let i = 0; i < used; i++) {
      const n = s.counts[i]!;
      if (n === 0) continue;
      const h = Math.max(2, Math.round(((ROW_H - 3) * n) / max));
      o.push(`<rect x="${LABEL_W + i * BAR_W}" y="${y + ROW_H - 1 - h}" width="${BAR_W - 1}" height="${h}" fill="${fill}"><title>${n}</title></rect>`);
    }
  });
  const axisY = series.length * ROW_H + 14;
  for (const i of [0, Math.floor(used / 2), used]) {
    o.push(`<text x="${LABEL_W + i * BAR_W}" y="${axisY}" text-anchor="middle" fill="#59636e">${secs(i * t.binSeconds)}</text>`);
  }
  o.push(`<text x="${LABEL_W - 6}" y="${axisY}" text-anchor="end" fill="#59636e">${esc(lang === 'zh' ? '秒（距开始）' : 's since start')}</text>`);
  o.push('</svg>');
  return o.join('');
}
