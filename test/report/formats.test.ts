/**
 * The Markdown and HTML renderers on real sample reports and on reports full of hostile text:
 * structure (verdicts first, then evidence, advice, capture facts), one SVG ladder per failing
 * or warning target with the evidence frames as arrows, languages, and escaping — nothing from
 * a capture can become markup, a link, a table cell or a heading.
 */
import { describe, expect, it } from 'vitest';
import { renderMarkdown } from '../../src/report/markdown.js';
import { REPORT_CSS, REPORT_CSP, renderHtml, renderHtmlDocument, renderHtmlFragment } from '../../src/report/html.js';
import { arrowsOf, RecordIndex } from '../../src/report/ladder.js';
import { renderReport, renderReports } from '../../src/report/render.js';
import { HOSTILE, SAMPLE_FILES, hostileCaptureReport, hostileReport, sampleReport } from './reports.js';

/** Tags in an HTML text (name only). */
const tags = (html: string): string[] => [...html.matchAll(/<([a-zA-Z][a-zA-Z0-9-]*)/g)].map((m) => m[1]!.toLowerCase());
const ALLOWED_TAGS = new Set(['html', 'head', 'meta', 'title', 'style', 'body', 'article', 'header', 'h1', 'h2', 'h3', 'p', 'strong', 'section', 'span',
  'dl', 'dt', 'dd', 'code', 'figure', 'figcaption', 'br', 'svg', 'text', 'line', 'path', 'g', 'circle', 'rect', 'table', 'thead', 'tbody', 'tr', 'th', 'td',
  'ol', 'ul', 'li', 'details', 'summary', 'pre']);

describe('markdown', () => {
  it('puts the summary first, then the verdicts with evidence and advice, and the capture facts last', async () => {
    const r = await sampleReport('tls-unknown-ca.pcapng');
    const md = renderMarkdown(r, { lang: 'en' });
    const at = (s: string): number => md.indexOf(s);
    expect(at('| FAIL | `tls.alert` | 1 |')).toBeGreaterThan(0);
    expect(at('### 1. FAIL')).toBeGreaterThan(at('| FAIL | `tls.alert` | 1 |'));
    expect(md.indexOf('tls.alert', at('### 1. FAIL'))).toBeGreaterThan(at('### 1. FAIL'));
    expect(at('**Evidence**')).toBeGreaterThan(md.indexOf('tls.alert', at('### 1. FAIL')));
    expect(at('**What to check next**')).toBeGreaterThan(at('**Evidence**'));
    expect(at('### Capture')).toBeGreaterThan(at('**What to check next**'));
    // Every evidence frame is a row of a well-formed table (4 cells).
    for (const e of r.verdicts[0]!.evidence) expect(md).toMatch(new RegExp(`^\\| ${e.frame} \\| [0-9.]+ \\| [^|]+ \\| .* \\|$`, 'm'));
    expect(md).toMatch(/^\| Time span \| .* \(0\.\d{6} s\) \|$/m);
    // Catalogue commands are code spans.
    expect(md).toContain('`update-ca-certificates`');
  });

  it('is localised', async () => {
    const md = renderMarkdown(await sampleReport('tls-unknown-ca.pcapng'), { lang: 'zh' });
    expect(md).toContain('### 1. 失败');
    expect(md).toContain('**证据**');
    expect(md).toContain('**下一步排查**');
    expect(md).toContain('### 抓包文件');
  });

  it('says so when nothing failed', async () => {
    const md = renderMarkdown(await sampleReport('https-ok-tls13.pcap'), { lang: 'en' });
    expect(md).toMatch(/\*\*No failure found(, \d+ worked)?\*\*/);
    expect(md).not.toContain('### 1.');
  });

  it('escapes capture text: no raw HTML, no link, no extra table cell, no heading', async () => {
    // Code spans are literal in CommonMark; outside them every markup character must be escaped.
    const outsideCode = (md: string): string => md.replace(/(?<![\\`])(`+)(?!`)[^\n]*?(?<!`)\1(?!`)/g, '');
    for (const r of [await hostileReport(), await hostileCaptureReport()]) {
      const md = renderMarkdown(r, { lang: 'en' });
      const text = outsideCode(md);
      expect(text).not.toMatch(/(?<!\\)<(script|img)/i);
      expect(text).not.toMatch(/(?<!\\)\[z(?<!\\)\]/);
      expect(text).not.toMatch(/(?<!\\)`/);
      expect(md).not.toMatch(/^# heading/m);
      expect(md).not.toMatch(/^- list/m);
      // Table rows keep 4 cells: every unescaped pipe is a cell border.
      for (const line of md.split('\n').filter((l) => /^\| \d+ \|/.test(l))) {
        expect(line.replace(/\\\|/g, '').split('|').length, line).toBe(6);
      }
    }
  });
});

describe('html', () => {
  it('is one self-contained document: doctype, lang, CSP forbidding scripts and requests, inline CSS', async () => {
    const html = renderHtml(await sampleReport('icmp-admin-prohibited.pcap'), { lang: 'en' });
    expect(html.startsWith('<!DOCTYPE html>\n<html lang="en">')).toBe(true);
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="${REPORT_CSP.replace(/'/g, '&#39;')}">`);
    expect(REPORT_CSP).toMatch(/^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/=]+'/);
    expect(html).toContain(`<style>${REPORT_CSS}</style>`);
    expect(html).not.toMatch(/<script|<link|<img|<iframe|\ssrc=|\shref=|url\(|@import/i);
    expect(html).toContain('@media print');
    for (const t of tags(html)) expect(ALLOWED_TAGS, t).toContain(t);
    const zh = renderHtml(await sampleReport('icmp-admin-prohibited.pcap'), { lang: 'zh' });
    expect(zh).toContain('<html lang="zh-CN">');
    expect(zh).toContain('ICMP 发送方');
  });

  it('draws one ladder per failing or warning target, with every evidence frame as an arrow', async () => {
    for (const f of SAMPLE_FILES) {
      const r = await sampleReport(f, true);
      const idx = new RecordIndex(r);
      const frag = renderHtmlFragment(r, { lang: 'en' });
      // The ladders (the summary's timeline is another figure).
      const svgs = frag.match(/<svg (?!class="timeline")/g) ?? [];
      expect(svgs.length, f).toBe(r.verdicts.filter((v) => v.severity !== 'ok').length);
      for (const v of r.verdicts.filter((x) => x.severity !== 'ok')) {
        const arrows = arrowsOf(r, idx, v, 'en');
        for (const e of v.evidence) expect(arrows.map((a) => a.frame), `${f} ${v.cause}`).toContain(e.frame);
        // Arrows go between distinct hosts in the capture's own words (from / to of the evidence).
        for (const a of arrows) expect(a.from !== a.to || a.from === undefined, `${f} #${a.frame}`).toBe(true);
        for (const a of arrows.filter((x) => x.evidence)) expect(frag).toContain(`>#${a.frame}</text>`);
      }
    }
  });

  it('shows the ICMP sender as its own host between client and server', async () => {
    const r = await sampleReport('icmp-admin-prohibited.pcap');
    const svg = /<svg (?!class="timeline")[\s\S]*?<\/svg>/.exec(renderHtmlFragment(r, { lang: 'en' }))![0];
    const heads = [...svg.matchAll(/font-size="10.5">([^<]+)</g)].map((m) => m[1]);
    expect(heads).toEqual([r.verdicts[0]!.client.ip, r.icmp[0]!.from, r.verdicts[0]!.target.ip]);
    expect(svg).toContain('ICMP admin_prohibited');
    expect(svg).toContain('>SYN<');
  });

  it('labels TLS alerts and DNS steps', async () => {
    const svg = renderHtmlFragment(await sampleReport('tls-unknown-ca.pcapng'), { lang: 'en' });
    expect(svg).toContain('>Alert unknown_ca</text>');
    expect(svg).toMatch(/>ClientHello \(SNI [^<]+\)<\/text>/);
    expect(svg).toMatch(/>DNS query A [^<]+<\/text>/);
  });

  it('escapes capture text everywhere (hostile report and hostile capture)', async () => {
    for (const r of [await hostileReport(), await hostileCaptureReport()]) {
      const html = renderHtml(r, { lang: 'en' });
      for (const t of tags(html)) expect(ALLOWED_TAGS, t).toContain(t);
      expect(html).not.toMatch(/<script|<img|onerror=(?!alert\(\d\)&gt;)/i);
      expect(html).toContain('&lt;script&gt;');
    }
    const cap = await hostileCaptureReport();
    expect(cap.verdicts.some((v) => v.target.name === '<script>alert(1)</script>.evil')).toBe(true);
  });

  it('several reports make one document', async () => {
    const a = await sampleReport('tcp-refused.pcap');
    const b = await sampleReport('dns-nxdomain.pcapng');
    const doc = renderHtmlDocument([a, b], { lang: 'en' });
    expect(doc.match(/<html/g)).toHaveLength(1);
    expect(doc.match(/<article class="ww-report"/g)).toHaveLength(2);
    expect(renderReports([a, b], 'html', { lang: 'en' })).toBe(doc);
    expect(renderReports([a, b], 'md', { lang: 'en' })).toBe(`${renderReport(a, 'md', { lang: 'en' })}\n${renderReport(b, 'md', { lang: 'en' })}`);
  });

  it('keeps the CSS scoped to .ww-report (the upload page embeds the fragment)', () => {
    for (const rule of REPORT_CSS.replace(/@media print\{/, '').split('}').map((s) => s.trim()).filter(Boolean)) {
      const sel = rule.split('{')[0]!;
      for (const s of sel.split(',')) expect(s.trim().startsWith('.ww-report'), s).toBe(true);
    }
  });
});

describe('table', () => {
  it('cuts the summary and the evidence boxes to the terminal width, and nothing without one', async () => {
    const { displayWidth } = await import('../../src/report/box.js');
    let cut = 0;
    for (const f of SAMPLE_FILES) {
      const r = await sampleReport(f);
      const narrow = renderReport(r, 'table', { lang: 'en', width: 72 });
      const whole = renderReport(r, 'table', { lang: 'en' });
      // The evidence boxes (indented 5) fit; the capture facts keep their two ISO times whole.
      for (const l of narrow.split('\n')) {
        if (/^ {5}[┌│└]/.test(l)) expect(displayWidth(l), `${f}: ${l}`).toBeLessThanOrEqual(72);
      }
      if (narrow !== whole) cut++;
      expect(whole.split('\n').length).toBe(narrow.split('\n').length);
    }
    // Some samples have notes longer than a 72-column terminal leaves them (TXT, MX, TLS alerts).
    expect(cut).toBeGreaterThan(0);
    const zh = renderReport(await sampleReport('tls-unknown-ca.pcapng'), 'table', { lang: 'zh', width: 72 });
    for (const l of zh.split('\n')) if (/^ {5}[┌│└]/.test(l)) expect(displayWidth(l), l).toBeLessThanOrEqual(72);
  });
});
