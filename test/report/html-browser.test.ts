/**
 * The HTML report of every sample opened in headless Chromium from a file: no console error
 * (a Content-Security-Policy violation would be one), no network request, every verdict's
 * summary shown, one SVG ladder per failing or warning target, drawn with a real size. The
 * hostile reports run no script and load nothing. Screenshots of a few representative samples
 * go to test-artifacts/. Skipped, with the reason printed, when Chromium is not installed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/tmp.js';
import { pathToFileURL } from 'node:url';
import { renderHtml } from '../../src/report/html.js';
import type { Report } from '../../src/report/model.js';
import { artifactPath, browserSkipReason, openBrowser, type Session } from '../helpers/browser.js';
import { docOf, SAMPLE_FILES, hostileCaptureReport, hostileReport, sampleReport } from './reports.js';
import { refusedAt, run } from '../helpers/failures.js';

const skip = browserSkipReason();
if (skip) console.log(`html-browser tests skipped: ${skip}`);

const SCREENSHOTS = new Set(['icmp-admin-prohibited.pcap', 'tls-unknown-ca.pcapng', 'multi-failure.pcap', 'dns-no-response.pcap', 'tcp-syn-dropped.pcap', 'http-proxy-connect-refused.pcap']);

describe.skipIf(skip !== null)('HTML report in Chromium', () => {
  let s: Session;
  let dir: string;
  const dialogs: string[] = [];
  const documents = new Set<string>();
  beforeAll(async () => {
    s = await openBrowser(documents);
    s.page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    dir = tempDir('wirewhy-html-');
  }, 60_000);
  afterAll(async () => {
    await s?.close();
  });

  async function open(name: string, r: Report, lang: 'en' | 'zh' = 'en'): Promise<void> {
    const file = join(dir, `${name}.html`);
    writeFileSync(file, renderHtml(r, { lang }));
    s.errors.length = 0;
    s.foreignRequests.length = 0;
    const url = pathToFileURL(file).href;
    documents.add(url);
    await s.page.goto(url, { waitUntil: 'load' });
  }

  it.each(SAMPLE_FILES)('%s', async (f) => {
    const r = await sampleReport(f, true);
    await open(f, r);
    const text = (await s.page.textContent('body')) ?? '';
    for (const v of docOf(r).verdicts) expect(text, v.summary).toContain(v.summary);
    const failing = r.verdicts.filter((v) => v.severity !== 'ok').length;
    expect(await s.page.locator('section.v svg').count()).toBe(failing);
    for (const box of await s.page.locator('section.v svg').evaluateAll((els) => els.map((e) => e.getBoundingClientRect()).map((b) => [b.width, b.height]))) {
      expect(box[0]).toBeGreaterThan(300);
      expect(box[1]).toBeGreaterThan(60);
    }
    expect(await s.page.evaluate(() => document.documentElement.lang)).toBe('en');
    if (SCREENSHOTS.has(f)) await s.page.screenshot({ path: artifactPath(`report-${f}.png`), fullPage: true });
    expect(s.errors).toEqual([]);
    expect(s.foreignRequests).toEqual([]);
  });

  it('Chinese report', async () => {
    await open('zh', await sampleReport('tls-unknown-ca.pcapng'), 'zh');
    expect(await s.page.evaluate(() => document.documentElement.lang)).toBe('zh-CN');
    expect(await s.page.textContent('body')).toContain('下一步排查');
    await s.page.screenshot({ path: artifactPath('report-zh-tls-unknown-ca.png'), fullPage: true });
    expect(s.errors).toEqual([]);
  });

  it('IPv6 and dual-stack ladders: every lane labelled by its role (and family), the labels apart and inside the drawing', async () => {
    for (const [f, lang, roles] of [
      ['happy-eyeballs-v6-dropped.pcap', 'en', ['Client (IPv4)', 'Client (IPv6)', 'DNS server', 'Server (IPv6)', 'Server (IPv4)']],
      ['happy-eyeballs-v6-dropped.pcap', 'zh', ['客户端（IPv4）', '客户端（IPv6）', 'DNS 服务器', '服务器（IPv6）', '服务器（IPv4）']],
      ['tcp-syn-dropped-v6.pcap', 'en', ['Client (IPv6)', 'Client (IPv4)', 'DNS server', 'Server']],
    ] as const) {
      await open(`lanes-${f}-${lang}`, await sampleReport(f, true), lang);
      const got = await s.page.locator('section.v svg').first().evaluate((svg) => {
        const box = svg.getBoundingClientRect();
        // The lane headings: the role (y=18) and the address (y=34) of each lane.
        const heads = [...svg.querySelectorAll('text')].filter((t) => t.getAttribute('y') === '18' || t.getAttribute('y') === '34');
        return { svg: [box.left, box.right], heads: heads.map((t) => ({ y: t.getAttribute('y'), text: t.textContent, r: t.getBoundingClientRect() })).map((h) => ({ y: h.y, text: h.text, l: h.r.left, rt: h.r.right, w: h.r.width })) };
      });
      expect(got.heads.filter((h) => h.y === '18').map((h) => h.text), f).toEqual(roles);
      for (const row of ['18', '34']) {
        const hs = got.heads.filter((h) => h.y === row);
        for (const h of hs) {
          expect(h.w, `${f} ${h.text}`).toBeGreaterThan(10);
          expect(h.l, `${f} ${h.text}`).toBeGreaterThanOrEqual(got.svg[0]!);
          expect(h.rt, `${f} ${h.text}`).toBeLessThanOrEqual(got.svg[1]!);
        }
        // Neighbouring lanes' headings do not run into each other.
        for (let i = 1; i < hs.length; i++) expect(hs[i]!.l, `${f}: ${hs[i - 1]!.text} / ${hs[i]!.text}`).toBeGreaterThan(hs[i - 1]!.rt);
      }
      expect(s.errors).toEqual([]);
    }
    await s.page.screenshot({ path: artifactPath('report-lanes-tcp-syn-dropped-v6.png'), fullPage: true });
  });

  it('the summary timeline of a 1.5-s and of a 5.5-hour capture: bars of real width, axis labels inside the figure', async () => {
    for (const [name, times] of [['short', [0, 0.2e6, 1.2e6, 1.4e6]], ['long', [0, 5000e6, 20000e6]]] as const) {
      await open(`timeline-${name}`, await run(refusedAt(times)));
      const got = await s.page.locator('svg.timeline').evaluate((svg) => {
        const box = svg.getBoundingClientRect();
        const r = (e: Element) => e.getBoundingClientRect();
        return {
          box: [box.left, box.right, box.width],
          bars: [...svg.querySelectorAll('rect')].map((e) => r(e).width),
          labels: [...svg.querySelectorAll('text[text-anchor="middle"]')].map((e) => ({ text: e.textContent, l: r(e).left, rt: r(e).right })),
        };
      });
      expect(got.box[2]).toBeGreaterThan(250);
      for (const w of got.bars) expect(w, name).toBeGreaterThan(5);
      for (const l of got.labels) {
        expect(l.l, `${name} ${l.text}`).toBeGreaterThanOrEqual(got.box[0]!);
        expect(l.rt, `${name} ${l.text}`).toBeLessThanOrEqual(got.box[1]!);
      }
      expect(got.labels.map((l) => l.text)).toEqual(name === 'short' ? ['0', '1', '2'] : ['0', '10240', '20480']);
      expect(s.errors).toEqual([]);
    }
  });

  it('hostile names run nothing and load nothing', async () => {
    for (const [name, r] of [['hostile', await hostileReport()], ['hostile-capture', await hostileCaptureReport()]] as const) {
      await open(name, r);
      expect(await s.page.locator('script, img, iframe').count()).toBe(0);
      expect(await s.page.textContent('body')).toContain('<script>alert(1)</script>');
      expect(s.errors).toEqual([]);
      expect(s.foreignRequests).toEqual([]);
    }
    expect(dialogs).toEqual([]);
  });

  it('the recorder sees a request and a console error (control)', async () => {
    const file = join(dir, 'control.html');
    writeFileSync(file, '<!DOCTYPE html><html><body><img src="http://192.0.2.1/x.png"><script>console.error("boom")</script></body></html>');
    const url = pathToFileURL(file).href;
    documents.add(url);
    s.errors.length = 0;
    s.foreignRequests.length = 0;
    await s.page.goto(url, { waitUntil: 'domcontentloaded' });
    expect(s.foreignRequests).toContain('http://192.0.2.1/x.png');
    expect(s.errors.join()).toContain('boom');
  });

  it('prints (print media) without losing the ladders', async () => {
    await open('print', await sampleReport('multi-failure.pcap'));
    await s.page.emulateMedia({ media: 'print' });
    expect(await s.page.locator('svg').first().isVisible()).toBe(true);
    await s.page.screenshot({ path: artifactPath('report-print-multi-failure.png'), fullPage: true });
    await s.page.emulateMedia({ media: 'screen' });
  });
});
