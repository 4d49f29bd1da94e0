/**
 * Error answers in the request's language, through the real server: with `?lang=zh` (or, with no
 * lang parameter, `Accept-Language: zh…`) the error and hint are Chinese with no English prose
 * (the detector of the Chinese reports), with the same status, fields, code and offset as the
 * English answer; English stays the default, byte for byte the answer without any language.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { pcapFile } from '../helpers/pcap.js';
import { englishWords, tokens } from '../helpers/zh-prose.js';
import { SAMPLES, http, type Answer, type PostOptions, type Served, serve } from './harness.js';

let s: Served; // 1 MB uploads
const SAMPLE = 'tcp-reset-after-request.pcap';
const sample = readFileSync(join(SAMPLES, SAMPLE));
const HAN = /[\u4e00-\u9fff]/;

beforeAll(async () => {
  s = await serve(['--max-upload-mb', '1', '--max-concurrent', '2']);
});
afterAll(async () => {
  expect(await s.stop()).toBe(0);
  expect(s.leftInTmp(), 'nothing written to disk').toEqual([]);
  expect(s.stderr()).not.toMatch(/internal error|crashed|\n\s+at /);
});

/** The same bytes with every CR and LF dropped, as curl -d sends a file. */
const formStripped = (b: Uint8Array): Buffer => Buffer.from(b.filter((x) => x !== 10 && x !== 13));

/** Deterministic bytes that start with no capture magic. */
function random(n: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = 11;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  out[0] = 0x42;
  return out;
}

const corruptGzip = (): Buffer => {
  const b = Buffer.from(gzipSync(sample, { level: 0 }));
  b[13] ^= 1;
  return b;
};

interface Case {
  name: string;
  method: string;
  /** Path and query without the language. */
  path: string;
  status: number;
  opts?: PostOptions;
  /** Values of the request the answer may repeat (parameter names, paths): data, not prose. */
  data?: string[];
  code?: string;
}

const CASES: Case[] = [
  { name: 'unknown parameter', method: 'POST', path: 'api/analyze?colour=1', status: 400, opts: { body: sample }, data: ['colour'] },
  { name: 'unknown format', method: 'POST', path: 'api/analyze?format=pdf', status: 400, opts: { body: sample }, data: ['pdf'] },
  { name: 'empty upload', method: 'POST', path: 'api/analyze', status: 400, opts: { body: new Uint8Array(0) } },
  { name: 'not a capture (text)', method: 'POST', path: 'api/analyze', status: 415, opts: { body: new TextEncoder().encode('12:00:01.000 IP 10.0.0.1 > 10.0.0.2: Flags [S]\n') }, code: 'BAD_MAGIC' },
  { name: 'not a capture (bytes)', method: 'POST', path: 'api/analyze', status: 415, opts: { body: random(5000) }, code: 'BAD_MAGIC' },
  { name: 'too large (Content-Length)', method: 'POST', path: 'api/analyze', status: 413, opts: { body: Buffer.concat([sample.subarray(0, 24), random(2 << 20)]) } },
  { name: 'a multipart form', method: 'POST', path: 'api/analyze', status: 415, opts: { body: new TextEncoder().encode('--x\r\n\r\n'), headers: { 'Content-Type': 'multipart/form-data; boundary=x' } }, data: ['multipart/form-data'] },
  { name: 'form-encoded (curl -d)', method: 'POST', path: 'api/analyze', status: 415, opts: { body: formStripped(sample), headers: { 'Content-Type': 'application/x-www-form-urlencoded' } }, code: 'FORM_ENCODED' },
  { name: 'damaged: cut inside the file header', method: 'POST', path: 'api/analyze', status: 422, opts: { body: sample.subarray(0, 12) }, code: 'SHORT_HEADER' },
  { name: 'damaged: cut inside the first record', method: 'POST', path: 'api/analyze', status: 422, opts: { body: sample.subarray(0, 24 + 10) }, code: 'CUT_SHORT' },
  { name: 'damaged: corrupt gzip before any packet', method: 'POST', path: 'api/analyze', status: 422, opts: { body: corruptGzip() }, code: 'GZIP' },
  { name: 'no decodable link type', method: 'POST', path: 'api/analyze', status: 422, opts: { body: pcapFile({ linkType: 284 }, [{ ts: 1_700_000_000, frame: new Uint8Array(64) }]) }, code: 'LINK_TYPE' },
  { name: '405 on the API', method: 'GET', path: 'api/analyze', status: 405 },
  { name: '405 elsewhere', method: 'DELETE', path: '', status: 405 },
  { name: '404', method: 'GET', path: 'nope', status: 404, data: ['/nope'] },
];

const withLang = (path: string, lang: string): string => `${s.url}${path}${path.includes('?') ? '&' : '?'}lang=${lang}`;

function body(a: Answer): Record<string, unknown> & { error: string; hint: string } {
  expect(a.headers['content-type']).toBe('application/json; charset=utf-8');
  return a.json();
}

function noEnglish(text: string, c: Case): void {
  const data = new Set((c.data ?? []).flatMap((d) => tokens(d).map((t) => t.toLowerCase())));
  // The first bytes of a body that is not a capture, as the answer shows them (hex).
  if (c.opts?.body instanceof Uint8Array) for (const b of c.opts.body.subarray(0, 4)) data.add(b.toString(16).padStart(2, '0'));
  expect(englishWords(text, 'text', data), text).toEqual([]);
}

describe('error answers in Chinese', () => {
  it.each(CASES.map((c) => [c.name, c] as const))('%s: ?lang=zh gives Chinese, the same status and fields', async (_, c) => {
    const en = await http(c.method, `${s.url}${c.path}`, c.opts);
    const zh = await http(c.method, withLang(c.path, 'zh'), c.opts);
    expect(en.status, en.text).toBe(c.status);
    expect(zh.status, zh.text).toBe(c.status);
    const e = body(en);
    const z = body(zh);
    expect(Object.keys(z)).toEqual(Object.keys(e));
    expect({ ...z, error: '', hint: '' }).toEqual({ ...e, error: '', hint: '' }); // code, offset: the same
    if (c.code) expect(z['code']).toBe(c.code);
    expect(e.error).not.toMatch(HAN);
    expect(e.hint).not.toMatch(HAN);
    expect(z.error).toMatch(HAN);
    expect(z.hint).toMatch(HAN);
    noEnglish(z.error, c);
    noEnglish(z.hint, c);
    expect(zh.headers['content-language']).toBe('zh-CN');
    expect(en.headers['content-language']).toBe('en');
    expect(zh.headers['allow']).toBe(en.headers['allow']);
  });

  it('Accept-Language: zh… without a lang parameter gives the Chinese answer; ?lang=en or another preference gives the English', async () => {
    const c = CASES.find((x) => x.name === 'not a capture (text)')!;
    const zh = await http('POST', withLang(c.path, 'zh'), c.opts);
    const en = await http('POST', `${s.url}${c.path}`, c.opts);
    const ask = (accept: string, path = c.path): Promise<Answer> => http('POST', `${s.url}${path}`, { ...c.opts, headers: { 'Accept-Language': accept } });
    expect((await ask('zh-CN,zh;q=0.9,en;q=0.8')).text).toBe(zh.text);
    expect((await ask('zh-TW')).text).toBe(zh.text);
    expect((await ask('en-US,en;q=0.9,zh-CN;q=0.8')).text).toBe(en.text);
    expect((await ask('de-DE')).text).toBe(en.text);
    expect((await ask('zh-CN', `${c.path}?lang=en`)).text).toBe(en.text);
    // An unknown lang value is answered in the header's language, saying what lang may be.
    const fr = await ask('zh-CN', 'api/analyze?lang=fr');
    expect(fr.status).toBe(400);
    expect(body(fr).error).toBe('未知的语言 "fr"');
  });

  it('English is the default and unchanged: no lang, lang=en and Accept-Language: en give the same bytes', async () => {
    for (const c of CASES) {
      const plain = await http(c.method, `${s.url}${c.path}`, c.opts);
      const en = await http(c.method, withLang(c.path, 'en'), c.opts);
      expect(en.text, c.name).toBe(plain.text);
    }
    const a = await http('POST', `${s.url}api/analyze?colour=1`, { body: sample });
    expect(a.text).toBe('{\n  "error": "unknown query parameter \\"colour\\"",\n  "hint": "parameters: format=json|md|html|bundle, lang=en|zh, all=1, redact=1, name=FILE"\n}\n');
    const e = await http('POST', `${s.url}api/analyze`, { body: new Uint8Array(0) });
    expect(e.text).toBe('{\n  "error": "the upload is empty (0 bytes)",\n  "hint": "choose a capture file: .pcap, .pcapng, optionally gzip-compressed"\n}\n');
  });

  it('a report is unchanged by Accept-Language (its language is ?lang, English by default)', async () => {
    const plain = await http('POST', `${s.url}api/analyze?name=${SAMPLE}`, { body: sample });
    const accept = await http('POST', `${s.url}api/analyze?name=${SAMPLE}`, { body: sample, headers: { 'Accept-Language': 'zh-CN' } });
    expect(plain.status).toBe(200);
    expect(accept.text).toBe(plain.text);
  });
});
