/**
 * The words of the upload service's error answers (src/serve/errors.ts): every kind has them in
 * both languages; the Chinese holds Chinese and no English prose (the detector of the Chinese
 * reports, test/helpers/zh-prose.ts), only values of the request, commands and quoted reader
 * output; the language of an answer follows ?lang, then Accept-Language.
 */
import { describe, expect, it } from 'vitest';
import type { Args } from '../../src/facts.js';
import { ERROR_KINDS, errorWords, requestLang, type ErrorKind } from '../../src/serve/errors.js';
import { englishWords, tokens } from '../helpers/zh-prose.js';
import { CaptureError } from '../../src/capture/types.js';

const HAN = /[\u4e00-\u9fff]/;

/** Arguments of each kind as the server makes them. */
const SAMPLES: Array<[ErrorKind, Args]> = [
  ['unknown_param', { name: 'colour' }],
  ['unknown_format', { format: 'pdf' }],
  ['unknown_lang', { lang: 'fr' }],
  ['bad_flag', { name: 'all', value: 'maybe' }],
  ['method_not_allowed', { method: 'GET', api: true }],
  ['method_not_allowed', { method: 'DELETE', api: false }],
  ['not_found', { path: '/nope' }],
  ['multipart', { type: 'multipart/form-data' }],
  ['content_encoding', { encoding: 'br' }],
  ['form_encoded', {}],
  ['too_big', { bytes: 3 << 20, max: 1 << 20 }],
  ['too_big_read', { max: 1 << 20, received: 1_100_000 }],
  ['memory', { message: 'the analysis needed more memory than one upload is allowed' }],
  ['upload_timeout', { seconds: 0.5 }],
  ['upload_slow', { bytes: 120, seconds: 1, minKiBs: 10 }],
  ['analysis_timeout', { seconds: 120 }],
  ['empty', {}],
  ['short', { bytes: 2 }],
  ['compressed', { head: [0x28, 0xb5, 0x2f, 0xfd] }],
  ['compressed', { head: [0x42, 0x5a, 0x68, 0x39] }],
  ['not_capture', { head: [0x42, 0x13, 0x00, 0xff] }],
  ['not_capture', { head: [0x31, 0x32, 0x3a, 0x30] }],
  ['not_capture', { head: [0x50, 0x4b, 0x03, 0x04] }],
  ['not_capture', { head: [0x2d, 0x2d, 0x78, 0x0d] }],
  // As the server makes them: the reader's error (its English words and its typed reason).
  ...[
    new CaptureError('SHORT_HEADER', { kind: 'short', args: { source: 'the file', gunzip: false, bytes: 12 } }, 0),
    new CaptureError('CUT_SHORT', { kind: 'first_record_cut', args: { have: 10, need: 16 } }, 24),
    new CaptureError('BAD_RECORD', { kind: 'record_length', args: { length: 4294967295, max: 262144 } }, 24),
    new CaptureError('BAD_BLOCK', { kind: 'block_length', args: { length: 13 } }, 28),
    new CaptureError('BAD_BLOCK', { kind: 'block_short', args: { block: 'EPB' } }, 28),
    new CaptureError('BAD_BLOCK', { kind: 'no_interface', args: { iface: 2 } }, 28),
    new CaptureError('BAD_HEADER', { kind: 'pcap_version', args: { major: 3 } }, 4),
    new CaptureError('BAD_HEADER', { kind: 'byte_order', args: {} }, 8),
    new CaptureError('BAD_MAGIC', { kind: 'not_capture', args: { source: 'upload', gunzip: true, head: [0, 1, 2, 3] } }, 0),
    new CaptureError('GZIP', { kind: 'gzip', args: { problem: 'corrupt', offset: 14, detail: 'invalid stored block lengths' } }, 14),
    new CaptureError('GZIP', { kind: 'gzip', args: { problem: 'header', offset: 3, detail: 'reserved flag bits 0xe0 are set' } }, 3),
    new CaptureError('EMPTY', { kind: 'empty', args: { source: 'the file', gunzip: true } }, 0),
    new CaptureError('IO', { kind: 'read_failed', args: { reason: 'EIO' } }, 0),
  ].map((e): [ErrorKind, Args] => ['capture', { code: e.code, offset: e.offset, message: e.message, hint: e.hint, reason: { kind: e.reason.kind, args: e.reason.args }, gzip: e.code === 'GZIP' || e.reason.args['gunzip'] === true }]),
  ['link_type', { packets: 3, linkTypes: ['LINKTYPE_284'] }],
  ['busy', { running: 4, retryS: 1 }],
  ['busy_start', { retryS: 1 }],
  ['shutting_down', {}],
  ['shutdown_unfinished', { seconds: 30 }],
  ['aborted', { message: 'aborted' }],
  ['render_failed', { format: 'md', reason: 'the md report could not be rendered (boom)' }],
  ['render_failed', { format: 'html', reason: null }],
  ['analysis_failed', { message: 'the analysis failed with an internal error' }],
  ['internal', {}],
];

/** Values of the request (parameter names and values, paths, methods): data, not prose. */
function data(a: Args): Set<string> {
  const out = new Set<string>();
  for (const [k, v] of Object.entries(a)) {
    if (k !== 'message' && k !== 'hint' && typeof v === 'string') for (const t of tokens(v)) out.add(t.toLowerCase());
    // The first bytes of the upload, as the answer shows them (hex).
    if (k === 'head') for (const b of v as number[]) out.add(b.toString(16).padStart(2, '0'));
  }
  return out;
}

describe('error words', () => {
  it('every kind is exercised here', () => {
    const seen = new Set(SAMPLES.map(([k]) => k));
    expect(ERROR_KINDS.filter((k) => !seen.has(k) && k !== 'client_gone')).toEqual([]);
  });

  it.each(SAMPLES.map(([k, a]) => [`${k} ${JSON.stringify(a).slice(0, 60)}`, k, a] as const))('%s: Chinese, without English prose', (_, kind, args) => {
    const en = errorWords(kind, args, 'en');
    const zh = errorWords(kind, args, 'zh');
    expect(en.error).not.toMatch(HAN);
    expect(en.hint).not.toMatch(HAN);
    expect(zh.error).toMatch(HAN);
    expect(zh.hint).toMatch(HAN);
    expect(englishWords(zh.error, 'text', data(args)), zh.error).toEqual([]);
    expect(englishWords(zh.hint, 'text', data(args)), zh.hint).toEqual([]);
  });

  it('the detector finds the English answers (control)', () => {
    for (const [kind, args] of SAMPLES.filter(([k]) => ['unknown_param', 'empty', 'form_encoded', 'too_big', 'capture'].includes(k))) {
      expect(englishWords(errorWords(kind, args, 'en').error, 'text', data(args)).length, kind).toBeGreaterThan(1);
    }
  });

  it('English is the words the server always gave', () => {
    expect(errorWords('unknown_param', { name: 'colour' }, 'en')).toEqual({ error: 'unknown query parameter "colour"', hint: 'parameters: format=json|md|html|bundle, lang=en|zh, all=1, redact=1, name=FILE' });
    expect(errorWords('too_big', { bytes: 3 << 20, max: 1 << 20 }, 'en').error).toBe('the capture is 3 MB, more than the 1 MB this server accepts');
    expect(errorWords('not_capture', { head: [0x31, 0x32, 0x3a, 0x30] }, 'en').error).toBe('the upload is not a pcap or pcapng capture (it starts with bytes 31 32 3a 30, which look like text; tcpdump/tshark text output cannot be analysed, capture with -w)');
    expect(errorWords('compressed', { head: [0x28, 0xb5, 0x2f, 0xfd] }, 'en')).toEqual({
      error: 'the upload is zstd-compressed (it starts with bytes 28 b5 2f fd), which this server does not decompress',
      hint: 'decompress it first (zstd -dc FILE > FILE.pcap) and upload the result, or compress it with gzip instead',
    });
    expect(errorWords('capture', { code: 'SHORT_HEADER', offset: 0, message: 'the file is only 12 bytes, shorter than a capture file header', hint: 'h', gzip: false }, 'en'))
      .toEqual({ error: 'the upload is only 12 bytes, shorter than a capture file header (at byte offset 0)', hint: 'h' });
    expect(errorWords('link_type', { packets: 3, linkTypes: ['LINKTYPE_284'] }, 'en').error).toBe('none of the 3 packets could be decoded: link type 284 is not supported');
  });

  it('a capture-reader error in Chinese: its typed reason in Chinese words, where, no English quoted', () => {
    const e = new CaptureError('BAD_RECORD', { kind: 'record_length', args: { length: 4294967295, max: 262144 } }, 24);
    const reason = { kind: e.reason.kind, args: e.reason.args };
    const zh = errorWords('capture', { code: e.code, offset: 24, message: e.message, hint: e.hint, reason, gzip: false }, 'zh');
    expect(zh.error).toBe('在字节偏移 24 处，记录长度 4294967295 超过了 262144 字节（记录头已损坏）');
    // The English answer is the reader's words, as it always was.
    expect(errorWords('capture', { code: e.code, offset: 24, message: e.message, hint: e.hint, reason, gzip: false }, 'en'))
      .toEqual({ error: 'record length 4294967295 is over 262144 bytes (corrupt record header) (at byte offset 24)', hint: 'the file is damaged from here on; packets before this offset were read' });
    const g = new CaptureError('GZIP', { kind: 'gzip', args: { problem: 'corrupt', offset: 14, detail: 'invalid stored block lengths' } }, 14);
    const gz = errorWords('capture', { code: 'GZIP', offset: 14, message: g.message, hint: g.hint, reason: { kind: 'gzip', args: g.reason.args }, gzip: true }, 'zh');
    expect(gz.error).toBe('压缩偏移 14 处的 gzip 数据已损坏（zlib：“invalid stored block lengths”），在此之前没有读到任何数据包');
    expect(g.message).toBe('the gzip data is corrupt at compressed offset 14 (invalid stored block lengths); no packet could be read before it');
    // The start of a message that speaks of "the file" speaks of the upload.
    const cut = new CaptureError('CUT_SHORT', { kind: 'first_record_cut', args: { have: 10, need: 16 } }, 24);
    expect(errorWords('capture', { code: cut.code, offset: 24, message: cut.message, hint: cut.hint, reason: { kind: cut.reason.kind, args: cut.reason.args }, gzip: false }, 'zh').error)
      .toBe('在字节偏移 24 处，上传的内容在第一个数据包记录的中间结束（记录需要 16 字节，只有 10 字节）');
  });
});

describe('the language of an answer', () => {
  it.each([
    ['zh', undefined, 'zh'],
    ['en', 'zh-CN,zh;q=0.9', 'en'],
    [null, 'zh-CN,zh;q=0.9,en;q=0.8', 'zh'],
    [null, 'zh-TW', 'zh'],
    [null, 'en-US,en;q=0.9,zh-CN;q=0.8', 'en'],
    [null, 'fr-FR, zh;q=0.5, en;q=0.4', 'zh'],
    [null, 'en;q=0.5, zh;q=0.7', 'zh'],
    [null, 'zh;q=0, en', 'en'],
    [null, 'zhx, de', 'en'],
    [null, '*', 'en'],
    [null, undefined, 'en'],
    ['fr', 'zh', 'zh'],
  ] as const)('lang=%s, Accept-Language %s: %s', (param, accept, want) => {
    expect(requestLang(param, accept)).toBe(want);
  });
});
