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
/** The narrowest the bars of a figure are drawn together: a short capture's few bins are widened to it. */
const MIN_CHART_W = 96;

/** '0.5', '12', '1536' seconds as an axis shows them. */
function secs(x: number): string {
  return x >= 10 ? String(Math.round(x)) : String(Math.round(x * 1000) / 1000);
}

/** Bins the capture's span takes on this timeline (from its start to the capture's end), or null when not known. */
function spanBins(r: Report, binSeconds: number, bins: number): number | null {
  const t0 = Date.parse(r.summary.timeline?.start ?? '');
  const t1 = Date.parse(r.capture.end ?? '');
  if (!Number.isFinite(t0) || !Number.isFinite(t1) || !(binSeconds > 0) || t1 < t0) return null;
  return Math.min(bins, Math.max(1, Math.ceil((t1 - t0) / 1000 / binSeconds)));
}

export function timelineSvg(r: Report, lang: Lang): string | null {
  const t = r.summary.timeline;
  if (!t || t.series.length === 0 || !(t.binSeconds > 0)) return null;
  const series = t.series.slice(0, SUMMARY_CAUSES);
  const bins = series[0]!.counts.length;
  // Everything in one bin says nothing about time: no figure.
  let filled = 0;
  for (let i = 0; i < bins; i++) if (series.some((s) => s.counts[i]! > 0)) filled++;
  if (filled < 2) return null;
  // The bins of the capture's span (so that the axis ends where the capture ended, and a quiet
  // end shows as quiet), and at least up to the last one anything fell in; without the capture's
  // end, at least a quarter of them.
  let used = spanBins(r, t.binSeconds, bins) ?? Math.ceil(bins / 4);
  for (const s of series) for (let i = bins - 1; i >= used; i--) if (s.counts[i]! > 0) used = i + 1;
  // A short capture's few bins (two 1-s bins of a 1.5-s capture) are drawn wider, not as a sliver.
  const barW = Math.max(BAR_W, Math.floor(MIN_CHART_W / used));
  const chartW = used * barW;
  // The ticks: start, middle, end (of the last bin drawn), each label centred on its tick.
  const ticks = [...new Set([0, Math.floor(used / 2), used])].map((i) => ({ x: LABEL_W + i * barW, text: secs(i * t.binSeconds) }));
  // Room on the right for half the last label (about 6.5 px a digit at this size).
  const right = Math.max(10, Math.ceil((ticks[ticks.length - 1]!.text.length * 6.5) / 2) + 4);
  const width = LABEL_W + chartW + right;
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
    o.push(`<line x1="${LABEL_W}" y1="${y + ROW_H - 1}" x2="${LABEL_W + chartW}" y2="${y + ROW_H - 1}" stroke="#d0d7de"/>`);
    for (let i = 0; i < used; i++) {
      const n = s.counts[i]!;
      if (n === 0) continue;
      const h = Math.max(2, Math.round(((ROW_H - 3) * n) / max));
      o.push(`<rect x="${LABEL_W + i * barW}" y="${y + ROW_H - 1 - h}" width="${barW - 1}" height="${h}" fill="${fill}"><title>${n}</title></rect>`);
    }
  });
  const axisY = series.length * ROW_H + 14;
  for (const k of ticks) o.push(`<text x="${k.x}" y="${axisY}" text-anchor="middle" fill="#59636e">${k.text}</text>`);
  o.push(`<text x="${LABEL_W - 6}" y="${axisY}" text-anchor="end" fill="#59636e">${esc(lang === 'zh' ? '秒（距开始）' : 's since start')}</text>`);
  o.push('</svg>');
  return o.join('');
}
