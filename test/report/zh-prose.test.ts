/**
 * A Chinese report holds no English prose: every string of every format, for every sample and
 * shared capture, is scanned for English words outside what may stay English — code spans and
 * commands, quoted tool output ("Verify return code"), values from the capture (names,
 * addresses, paths, certificate subjects, HTTP reason phrases), the details' JSON, and protocol
 * and product tokens (SYN, ClientHello, IPv6, OpenSSL, ...).
 */
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openCapture } from '../../src/capture/open.js';
import { analyze } from '../../src/analyze.js';
import { FORMATS, renderReport } from '../../src/report/render.js';
import type { Report } from '../../src/report/model.js';
import { SHARED } from '../tshark-fixture.js';
import { SAMPLE_FILES, sharedCaptures } from './reports.js';
import { SAMPLES } from '../tshark-fixture.js';
import { englishWords, tokens } from '../helpers/zh-prose.js';

/** The string leaves of the language-free report: what came from the capture. */
function dataTokens(r: Report): Set<string> {
  const out = new Set<string>();
  const walk = (x: unknown): void => {
    if (typeof x === 'string') for (const t of tokens(x)) out.add(t.toLowerCase());
    else if (Array.isArray(x)) x.forEach(walk);
    else if (x !== null && typeof x === 'object') Object.values(x).forEach(walk);
  };
  walk(r);
  return out;
}

async function check(path: string, name: string): Promise<void> {
  const r = await analyze(await openCapture(path, { name }), { all: true });
  const data = dataTokens(r);
  for (const format of FORMATS) {
    const words = englishWords(renderReport(r, format, { lang: 'zh' }), format, data);
    expect([...new Set(words)], `${name} ${format}`).toEqual([]);
  }
}

describe('no English prose in Chinese reports', () => {
  it('the scanner finds English prose (control)', () => {
    expect(englishWords('服务器 the server did not answer 了', 'table', new Set())).toEqual(['the', 'server', 'did', 'not', 'answer']);
    expect(englishWords('用 `dig @x example` 查询 IPv6 的 "Verify return code" SYN', 'md', new Set())).toEqual([]);
  });

  it.each(SAMPLE_FILES)('%s', async (f) => {
    await check(join(SAMPLES, f), `samples/${f}`);
  });

  const shared = sharedCaptures();
  const field = existsSync(join(SHARED, 'field/FIELD.json'))
    ? (JSON.parse(readFileSync(join(SHARED, 'field/FIELD.json'), 'utf8')) as Array<{ path: string }>).map((e) => `field/${e.path}`) : [];
  it.skipIf(shared.length === 0)('every shared and field capture', async () => {
    for (const p of [...shared, ...field]) await check(join(SHARED, p), `shared/${p}`);
  }, 120_000);
});
