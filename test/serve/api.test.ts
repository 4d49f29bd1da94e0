/**
 * The API of the real server (child process, loopback port, real HTTP): every sample gives
 * byte for byte the report `wirewhy analyze` gives for the same file, in JSON, Markdown and
 * HTML, plain or gzip-compressed, in both languages; the page and its assets come with the
 * security headers; unknown paths, methods and parameters get clear JSON errors.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDirForTest } from '../helpers/tmp.js';
import { gzipSync } from 'node:zlib';
import { SAMPLES, cli, cliReports, http, post, sampleFiles, serve, type Served } from './harness.js';
import { renderForPage } from '../../src/report/web.js';
import type { Report } from '../../src/report/model.js';


let s: Served;
const files = sampleFiles();

beforeAll(async () => {
  s = await serve(['--max-concurrent', '2']);
});
afterAll(async () => {
  expect(await s.stop()).toBe(0);
  expect(s.leftInTmp(), 'nothing written to disk').toEqual([]);
});

const api = (q: string): string => `${s.url}api/analyze?${q}`;

describe('POST /api/analyze gives what wirewhy analyze gives', () => {
  it(`every sample (${files.length}), JSON`, async () => {
    expect(files.length).toBeGreaterThanOrEqual(30);
    const expected = cliReports(SAMPLES, files);
    expect(expected).toHaveLength(files.length);
    // Two at a time: the server's cap here is 2.
    for (let i = 0; i < files.length; i += 2) {
      const batch = files.slice(i, i + 2);
      const answers = await Promise.all(batch.map((f) => post(api(`name=${encodeURIComponent(f)}`), readFileSync(join(SAMPLES, f)))));
      answers.forEach((a, k) => {
        const f = batch[k]!;
        expect(a.status, f).toBe(200);
        expect(a.headers['content-type']).toBe('application/json; charset=utf-8');
        expect(a.text, f).toBe(expected[i + k]);
        const report = a.json<{ summary: { failures: number }; verdicts: Array<{ severity: string; details: Record<string, unknown> }> }>();
        // The failed targets (summary.failures): a verdict for a host's ports counts each port.
        const errors = report.verdicts.filter((v) => v.severity === 'error');
        const targets = errors.reduce((n, v) => n + ((v.details['ports'] as { count: number } | undefined)?.count ?? 1), 0);
        expect(a.headers['x-wirewhy-failures']).toBe(String(report.summary.failures));
        expect(report.summary.failures, f).toBe(targets);
      });
    }
  });

  it('Markdown, HTML, --all and --lang zh', async () => {
    for (const f of ['tls-unknown-ca.pcapng', 'dns-nxdomain.pcapng', 'multi-failure.pcap']) {
      const body = readFileSync(join(SAMPLES, f));
      const name = `name=${encodeURIComponent(f)}`;
      const md = await post(api(`format=md&${name}`), body);
      expect(md.status).toBe(200);
      expect(md.headers['content-type']).toBe('text/markdown; charset=utf-8');
      expect(md.text).toBe(cli(SAMPLES, ['analyze', '--format', 'md', f]));
      const html = await post(api(`format=html&${name}&lang=zh`), body);
      expect(html.status).toBe(200);
      expect(html.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(html.headers['content-security-policy']).toMatch(/sandbox/);
      expect(html.text).toBe(cli(SAMPLES, ['analyze', '--format', 'html', '--lang', 'zh', f]));
      const all = await post(api(`all=1&lang=zh&${name}`), body);
      expect(all.text).toBe(cli(SAMPLES, ['analyze', '--format', 'json', '--all', '--lang', 'zh', f]));
    }
  });

  it('?redact=1 gives what --redact gives', async () => {
    for (const f of ['https-ok-tls13.pcap', 'tls-cert-expired.pcap']) {
      const a = await post(api(`redact=1&all=1&name=${f}`), readFileSync(join(SAMPLES, f)));
      expect(a.status).toBe(200);
      expect(a.text).toBe(cli(SAMPLES, ['analyze', '--format', 'json', '--redact', '--all', f]));
      const md = await post(api(`redact=1&format=md&name=${f}`), readFileSync(join(SAMPLES, f)));
      expect(md.text).toBe(cli(SAMPLES, ['analyze', '--format', 'md', '--redact', f]));
    }
  });

  it('gzip-compressed upload, recognised by its content', async () => {
    const dir = tempDirForTest('wirewhy-serve-gz-');
    const f = 'tls-cert-expired.pcap';
    writeFileSync(join(dir, `${f}.gz`), gzipSync(readFileSync(join(SAMPLES, f))));
    const a = await post(api(`name=${f}.gz`), readFileSync(join(dir, `${f}.gz`)));
    expect(a.status).toBe(200);
    expect(a.text).toBe(cliReports(dir, [`${f}.gz`])[0]);
    expect(a.json<{ capture: { compressed: boolean } }>().capture.compressed).toBe(true);
  });

  it('bundle: the report itself, which the page renders to what wirewhy analyze gives, in either language', async () => {
    const f = 'tcp-refused.pcap';
    const a = await post(api(`format=bundle&name=${f}&redact=1`), readFileSync(join(SAMPLES, f)));
    expect(a.status).toBe(200);
    const b = a.json<{ schema: string; report: Report; failures: number }>();
    expect(b.schema).toBe('wirewhy.bundle/2');
    expect(b.failures).toBe(1);
    for (const lang of ['en', 'zh'] as const) {
      const out = renderForPage(b.report, lang);
      expect(out.json).toBe(cli(SAMPLES, ['analyze', '--format', 'json', '--redact', '--lang', lang, f]));
      expect(out.md).toBe(cli(SAMPLES, ['analyze', '--format', 'md', '--redact', '--lang', lang, f]));
      expect(out.html).toBe(cli(SAMPLES, ['analyze', '--format', 'html', '--redact', '--lang', lang, f]));
      expect(out.fragment).toMatch(/^<article class="ww-report"/);
    }
  });

  it('serves the page\'s renderer modules, and nothing else under /lib/', async () => {
    const m = await http('GET', `${s.url}lib/report/web.js`);
    expect(m.status).toBe(200);
    expect(m.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(m.text).toContain('export function renderForPage');
    expect((await http('GET', `${s.url}lib/capture/open.js`)).status).toBe(404);
    expect((await http('GET', `${s.url}lib/../package.json`)).status).toBe(404);
  });

  it('the upload name is reduced to a printable base name', async () => {
    const a = await post(api(`name=${encodeURIComponent('../../etc/\u0000evil\npasswd.pcap')}`), readFileSync(join(SAMPLES, 'tcp-refused.pcap')));
    expect(a.json<{ capture: { source: string } }>().capture.source).toBe('evilpasswd.pcap');
    const b = await post(api(''), readFileSync(join(SAMPLES, 'tcp-refused.pcap')));
    expect(b.json<{ capture: { source: string } }>().capture.source).toBe('upload');
  });
});

describe('the rest of the surface', () => {
  it('GET /healthz', async () => {
    const a = await http('GET', `${s.url}healthz`);
    expect(a.status).toBe(200);
    expect(a.json()).toMatchObject({ status: 'ok', maxConcurrent: 2, active: 0 });
  });

  it('the page and its assets, with the security headers, and nothing from elsewhere', async () => {
    const page = await http('GET', s.url);
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe');
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.headers['x-frame-options']).toBe('DENY');
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    // No inline script or style, no external URL.
    expect(page.text).not.toMatch(/<script(?![^>]*\ssrc=)/);
    expect(page.text).not.toMatch(/<style|\sstyle=|\son[a-z]+=/);
    expect(page.text).not.toMatch(/https?:\/\/(?!www\.w3\.org)/);
    for (const [path, type] of [['app.js', 'text/javascript'], ['app.css', 'text/css'], ['report.css', 'text/css'], ['favicon.svg', 'image/svg+xml']]) {
      const a = await http('GET', `${s.url}${path}`);
      expect(a.status, path).toBe(200);
      expect(a.headers['content-type']).toContain(type);
      expect(a.headers['x-content-type-options']).toBe('nosniff');
      expect(a.text.length).toBeGreaterThan(100);
      expect(a.text).not.toMatch(/https?:\/\/(?!www\.w3\.org)/);
    }
    const js = (await http('GET', `${s.url}app.js`)).text;
    expect(js).not.toMatch(/\beval\(|new Function|innerHTML\s*=(?!\s*out\.fragment)/);
  });

  it('clear JSON errors for unknown paths, methods and parameters', async () => {
    const cases: Array<[string, string, number, RegExp]> = [
      ['GET', 'nope', 404, /nothing at \/nope/],
      ['GET', 'api/analyze', 405, /GET is not allowed/],
      ['DELETE', '', 405, /DELETE is not allowed/],
      ['POST', 'api/analyze?format=pdf', 400, /unknown format "pdf"/],
      ['POST', 'api/analyze?lang=fr', 400, /unknown language "fr"/],
      ['POST', 'api/analyze?all=maybe', 400, /all=maybe/],
      ['POST', 'api/analyze?colour=1', 400, /unknown query parameter "colour"/],
    ];
    for (const [method, path, status, msg] of cases) {
      const a = await http(method, `${s.url}${path}`, method === 'POST' ? { body: readFileSync(join(SAMPLES, 'tcp-refused.pcap')) } : {});
      expect(a.status, `${method} ${path}`).toBe(status);
      expect(a.headers['content-type']).toBe('application/json; charset=utf-8');
      const e = a.json<{ error: string; hint: string }>();
      expect(e.error).toMatch(msg);
      expect(e.hint.length).toBeGreaterThan(5);
    }
  });
});
