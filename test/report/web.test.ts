/**
 * The upload page renders reports in the browser with report/web.ts: its module graph must load
 * there, so it may import nothing but its own modules (no Node built-in, no package), and the
 * server serves exactly that graph. The HTML's CSP hash constant is the hash of its style sheet.
 */
import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { pageModules } from '../../src/serve/modules.js';
import { REPORT_CSS, REPORT_CSS_SHA256 } from '../../src/report/html.js';

describe('the page renderer', () => {
  it('is a closed graph of the package\'s own modules, from report/web.js', () => {
    const m = pageModules();
    expect(m.has('report/web.js')).toBe(true);
    expect(m.has('diagnose/catalogue.js')).toBe(true);
    // What needs Node stays out: the certificate parser (node:crypto), the reader, the redactor (node:net).
    for (const k of ['decode/x509.js', 'capture/open.js', 'report/redact.js', 'track/tls.js']) expect(m.has(k), k).toBe(false);
    for (const [k, text] of m) expect(text, k).not.toMatch(/from ['"](node:|[a-z@])/);
  });

  it('the style sheet hash in the CSP is the sheet\'s', () => {
    expect(REPORT_CSS_SHA256).toBe(createHash('sha256').update(REPORT_CSS).digest('base64'));
  });
});
