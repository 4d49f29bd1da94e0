/**
 * The upload page in headless Debian Chromium (playwright-core) against the real server: a
 * sample goes in through the file input, the report appears with the verdict's words, the
 * Markdown and JSON downloads are exactly what `wirewhy analyze` writes, Copy Markdown fills
 * the clipboard, the language switch gives the Chinese page and report, a file that is not a
 * capture gets a clear message, in Chinese when the page is (the page asks the API in its
 * language). No console error (a CSP violation would be one), no request
 * outside the server. A screenshot is kept in test-artifacts/.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { artifactPath, browserSkipReason, openBrowser, type Session } from '../helpers/browser.js';
import { SAMPLES, cli, serve, type Served } from './harness.js';
import { englishWords } from '../helpers/zh-prose.js';

const skip = browserSkipReason();
if (skip) console.warn(`browser tests skipped: ${skip}`);

const SAMPLE = 'tls-unknown-ca.pcapng';

describe.skipIf(skip !== null)('upload page in Chromium', () => {
  let s: Served;
  let b: Session;
  beforeAll(async () => {
    s = await serve();
    b = await openBrowser(s.url.replace(/\/$/, ''));
    await b.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: s.url.replace(/\/$/, '') });
  });
  afterAll(async () => {
    await b?.close();
    if (s) expect(await s.stop()).toBe(0);
  });

  it('upload through the file input, see the verdict, download Markdown and JSON, copy Markdown', async () => {
    const page = b.page;
    await page.goto(`${s.url}?lang=en`);
    await expect.poll(() => page.textContent('#drop-title')).toBe('Drop a capture file here');
    expect(await page.textContent('#max-size')).toBe('100 MB');

    await page.setInputFiles('#file', join(SAMPLES, SAMPLE));
    await page.waitForSelector('#result:not([hidden]) article.ww-report', { timeout: 20_000 });
    expect(await page.isHidden('#progress')).toBe(true);

    const report = JSON.parse(cli(SAMPLES, ['analyze', '--format', 'json', SAMPLE])) as { verdicts: Array<{ summary: string; severity: string }> };
    const failing = report.verdicts.find((v) => v.severity === 'error')!;
    expect(failing).toBeDefined();
    const shown = (await page.textContent('#report')) ?? '';
    expect(shown).toContain(failing.summary);
    expect(shown).toContain(SAMPLE);

    const [md] = await Promise.all([page.waitForEvent('download'), page.click('#dl-md')]);
    expect(md.suggestedFilename()).toBe('tls-unknown-ca.wirewhy.md');
    expect(readFileSync((await md.path())!, 'utf8')).toBe(cli(SAMPLES, ['analyze', '--format', 'md', SAMPLE]));

    const [json] = await Promise.all([page.waitForEvent('download'), page.click('#dl-json')]);
    expect(json.suggestedFilename()).toBe('tls-unknown-ca.wirewhy.json');
    expect(readFileSync((await json.path())!, 'utf8')).toBe(cli(SAMPLES, ['analyze', '--format', 'json', SAMPLE]));

    const [html] = await Promise.all([page.waitForEvent('download'), page.click('#dl-html')]);
    expect(readFileSync((await html.path())!, 'utf8')).toBe(cli(SAMPLES, ['analyze', '--format', 'html', SAMPLE]));

    await page.click('#copy-md');
    await expect.poll(() => page.textContent('#copied')).toBe('Markdown copied to the clipboard');
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(cli(SAMPLES, ['analyze', '--format', 'md', SAMPLE]));

    await page.screenshot({ path: artifactPath('serve-page-en.png'), fullPage: true });
  });

  it('language switch: the page and the report in Chinese, rendered from the report it has (no second upload)', async () => {
    const page = b.page;
    let uploads = 0;
    const count = (r: { url(): string; method(): string }): void => {
      if (r.method() === 'POST' && r.url().includes('/api/analyze')) uploads++;
    };
    page.on('request', count);
    await page.click('button[data-lang="zh"]');
    expect(await page.textContent('#dl-md')).toBe('下载 Markdown');
    expect(await page.getAttribute('html', 'lang')).toBe('zh-CN');
    await page.waitForSelector('#result:not([hidden]) article.ww-report[lang="zh-CN"]', { timeout: 20_000 });
    const zh = JSON.parse(cli(SAMPLES, ['analyze', '--format', 'json', '--lang', 'zh', SAMPLE])) as { verdicts: Array<{ summary: string; severity: string }> };
    expect(await page.textContent('#report')).toContain(zh.verdicts.find((v) => v.severity === 'error')!.summary);
    // The downloads are now the Chinese reports, byte for byte what wirewhy analyze --lang zh writes.
    const [md] = await Promise.all([page.waitForEvent('download'), page.click('#dl-md')]);
    expect(readFileSync((await md.path())!, 'utf8')).toBe(cli(SAMPLES, ['analyze', '--format', 'md', '--lang', 'zh', SAMPLE]));
    const [json] = await Promise.all([page.waitForEvent('download'), page.click('#dl-json')]);
    expect(readFileSync((await json.path())!, 'utf8')).toBe(cli(SAMPLES, ['analyze', '--format', 'json', '--lang', 'zh', SAMPLE]));
    await page.screenshot({ path: artifactPath('serve-page-zh.png'), fullPage: true });
    await page.click('button[data-lang="en"]');
    await page.waitForSelector('#result:not([hidden]) article.ww-report[lang="en"]', { timeout: 20_000 });
    page.off('request', count);
    expect(uploads).toBe(0);
  });

  it('drag and drop onto the page', async () => {
    const page = b.page;
    await page.goto(`${s.url}?lang=en`);
    const bytes = [...readFileSync(join(SAMPLES, 'dns-nxdomain.pcapng'))];
    const dt = await page.evaluateHandle((data) => {
      const t = new DataTransfer();
      t.items.add(new File([new Uint8Array(data)], 'dns-nxdomain.pcapng', { type: 'application/octet-stream' }));
      return t;
    }, bytes);
    await page.dispatchEvent('#drop', 'dragover', { dataTransfer: dt });
    expect(await page.getAttribute('#drop', 'class')).toContain('over');
    await page.dispatchEvent('#drop', 'drop', { dataTransfer: dt });
    await page.waitForSelector('#result:not([hidden]) article.ww-report', { timeout: 20_000 });
    const r = JSON.parse(cli(SAMPLES, ['analyze', '--format', 'json', 'dns-nxdomain.pcapng'])) as { verdicts: Array<{ summary: string }> };
    expect(await page.textContent('#report')).toContain(r.verdicts[0]!.summary);
  });

  it('a file that is not a capture: a clear message, and the page stays usable', async () => {
    const page = b.page;
    await page.goto(`${s.url}?lang=en`);
    await page.setInputFiles('#file', { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('tcpdump: listening on eth0\n') });
    await page.waitForSelector('#error:not([hidden])');
    expect(await page.textContent('#error-title')).toBe('This is not a capture file');
    expect(await page.textContent('#error-detail')).toMatch(/look like text/);
    expect(await page.isVisible('#drop')).toBe(true);
    await page.screenshot({ path: artifactPath('serve-page-error.png'), fullPage: true });
  });

  it('the page in Chinese: it asks the API in Chinese and shows the server\'s error and hint in Chinese', async () => {
    const page = b.page;
    await page.goto(`${s.url}?lang=zh`);
    await expect.poll(() => page.getAttribute('html', 'lang')).toBe('zh-CN');
    const asked: string[] = [];
    const onRequest = (r: { url(): string; method(): string }): void => {
      if (r.method() === 'POST') asked.push(r.url());
    };
    page.on('request', onRequest);
    await page.setInputFiles('#file', { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('tcpdump: listening on eth0\n') });
    await page.waitForSelector('#error:not([hidden])');
    page.off('request', onRequest);
    expect(asked).toHaveLength(1);
    expect(new URL(asked[0]!).searchParams.get('lang')).toBe('zh');
    expect(await page.textContent('#error-title')).toBe('这不是抓包文件');
    const detail = (await page.textContent('#error-detail')) ?? '';
    const hint = (await page.textContent('#error-hint')) ?? '';
    expect(detail).toMatch(/^上传的内容不是 pcap 或 pcapng 抓包文件（开头是字节 74 63 70 64，看起来是文本/);
    expect(hint).toMatch(/[\u4e00-\u9fff]/);
    const hex = new Set(['74', '63', '70', '64']);
    expect(englishWords(detail, 'text', hex)).toEqual([]);
    expect(englishWords(hint, 'text', hex)).toEqual([]);
    expect(await page.isVisible('#drop')).toBe(true);
    await page.screenshot({ path: artifactPath('serve-page-error-zh.png'), fullPage: true });
  });

  it('no console error, no request outside the server', () => {
    // Chromium logs every non-2xx answer; the only ones are the refused text files above.
    const refused = 'console: Failed to load resource: the server responded with a status of 415 (Unsupported Media Type)';
    expect(b.errors).toEqual([refused, refused]);
    expect(b.foreignRequests).toEqual([]);
  });
});
