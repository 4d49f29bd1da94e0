/**
 * The words of the capture readers' and the live capture's errors (capture/error-words.ts,
 * capture/live-words.ts): every kind has them in both languages; the Chinese holds no English
 * prose beyond the values it quotes (libpcap's, zlib's and the loader's messages, names, paths).
 */
import { describe, expect, it } from 'vitest';
import type { Args } from '../../src/facts.js';
import { CAPTURE_ERROR_KINDS, captureErrorText, type CaptureErrorKind } from '../../src/capture/error-words.js';
import { LIVE_ERROR_KINDS, liveErrorText, type LiveErrorKind } from '../../src/capture/live-words.js';
import { englishWords, tokens } from '../helpers/zh-prose.js';

const HAN = /[\u4e00-\u9fff]/;

const CAPTURE: Array<[CaptureErrorKind, Args]> = [
  ['open_failed', { reason: 'ENOENT' }],
  ['open_failed', { reason: 'EACCES' }],
  ['open_failed', { reason: 'EMFILE' }],
  ['read_failed', { reason: 'EISDIR' }],
  ['read_failed', { reason: 'EIO' }],
  ['empty', { source: 'the file', gunzip: false }],
  ['short', { source: 'stdin', gunzip: true, bytes: 3 }],
  ['not_capture', { source: 'the file', gunzip: false, head: [0x50, 0x4b, 3, 4] }],
  ['not_capture', { source: 'the input', gunzip: false, head: [0x68, 0x65, 0x6c, 0x6c] }],
  ['compressed', { source: 'the file', gunzip: false, head: [0x42, 0x5a, 0x68, 0x39] }],
  ['not_pcap', { magic: 0x12345678 }],
  ['pcap_version', { major: 3 }],
  ['record_length', { length: 300000, max: 262144 }],
  ['record_too_large', { bytes: 70000000 }],
  ['first_record_cut', { have: 10, need: 16 }],
  ['record_cut', { have: 10, need: 76 }],
  ['not_pcapng', {}],
  ['byte_order', {}],
  ['pcapng_version', { major: 2 }],
  ['block_length', { length: 13 }],
  ['block_trailer', { at: 200 }],
  ['block_short', { block: 'EPB' }],
  ['block_short', { block: 'PB' }],
  ['block_short', { block: 'SPB' }],
  ['block_short', { block: 'IDB' }],
  ['packet_length', { length: 9000 }],
  ['no_interface', { iface: 2 }],
  ['ts_resolution', {}],
  ['gzip', { problem: 'cut', offset: 60, detail: 'inside the deflate data' }],
  ['gzip', { problem: 'corrupt', offset: 20, detail: 'invalid block type' }],
  ['gzip', { problem: 'header', offset: 2, detail: 'compression method 7 is not deflate' }],
  ['gzip', { problem: 'header', offset: 3, detail: 'reserved flag bits 0xe0 are set' }],
  ['gzip', { problem: 'header', offset: 10, detail: 'no end to the file name or comment' }],
  ['gzip', { problem: 'header', offset: 10, detail: 'its CRC-16 does not match' }],
  ['gzip', { problem: 'crc', offset: 900, detail: '0x12345678 recorded, 0x9abcdef0 computed' }],
  ['gzip', { problem: 'length', offset: 904, detail: '100 bytes recorded, 99 decompressed' }],
];

const LIVE: Array<[LiveErrorKind, Args]> = [
  ['no_libpcap', { lib: 'libpcap.so.0.8: cannot open shared object file: No such file or directory', root: '/opt/wirewhy' }],
  ['no_binding', { why: "Cannot find module '/x/cap'", path: '/opt/wirewhy/native/build/Release/wwpcap.node', root: '/opt/wirewhy' }],
  ['no_binding', { why: null, path: '/opt/wirewhy/native/build/Release/wwpcap.node', root: '/opt/wirewhy' }],
  ['list_failed', { message: 'socket: Address family not supported by protocol' }],
  ['no_up_interface', { names: ['lo'] }],
  ['no_up_interface', { names: [] }],
  ['unknown_interface', { name: 'eth9', names: ['lo', 'eth0'] }],
  ['not_permitted', { iface: 'eth0', message: 'socket: Operation not permitted', node: '/usr/bin/node', script: '/opt/wirewhy/native/grant-capture.sh' }],
  ['cannot_capture', { iface: 'eth0', message: 'eth0: No such device exists' }],
  ['bad_filter', { filter: 'tcp prot 80', message: 'syntax error' }],
  ['open_failed', { iface: 'eth0', message: 'Unable to set buffer size' }],
];

/** What a text may show as it is: the string values of its arguments (names, paths, messages). */
function data(a: Args): Set<string> {
  const out = new Set<string>();
  for (const v of Object.values(a)) {
    for (const s of Array.isArray(v) ? v : [v]) {
      if (typeof s === 'string') for (const t of tokens(s)) out.add(t.toLowerCase());
      if (typeof s === 'number') out.add(s.toString(16).padStart(2, '0'));
    }
  }
  return out;
}

describe('capture error words', () => {
  it('every kind is exercised here', () => {
    expect(CAPTURE_ERROR_KINDS.filter((k) => !CAPTURE.some(([c]) => c === k))).toEqual([]);
    expect(LIVE_ERROR_KINDS.filter((k) => !LIVE.some(([c]) => c === k))).toEqual([]);
  });

  it.each(CAPTURE.map(([k, a]) => [`${k} ${JSON.stringify(a).slice(0, 60)}`, k, a] as const))('reader %s: Chinese without English prose', (_, kind, args) => {
    const en = captureErrorText({ kind, args }, 'en');
    const zh = captureErrorText({ kind, args }, 'zh');
    expect(en.message).not.toMatch(HAN);
    expect(zh.message).toMatch(HAN);
    // Quoted words (zlib's) are not prose; the reader's own gzip details are translated.
    const quoted = kind === 'gzip' && args['problem'] === 'corrupt' ? data({ d: String(args['detail']) }) : new Set<string>();
    expect(englishWords(zh.message, 'text', quoted), zh.message).toEqual([]);
    if (kind !== 'record_cut') expect(zh.hint).toMatch(HAN);
    expect(englishWords(zh.hint, 'text', new Set()), zh.hint).toEqual([]);
    // The detector finds the English (control).
    expect(englishWords(en.message, 'text', new Set()).length, en.message).toBeGreaterThan(0);
  });

  it.each(LIVE.map(([k, a]) => [`${k} ${JSON.stringify(a).slice(0, 60)}`, k, a] as const))('live %s: Chinese without English prose', (_, kind, args) => {
    const en = liveErrorText({ kind, args }, 'en');
    const zh = liveErrorText({ kind, args }, 'zh');
    expect(en.message + en.hint).not.toMatch(HAN);
    expect(zh.message).toMatch(HAN);
    expect(zh.hint).toMatch(HAN);
    expect(englishWords(zh.message, 'text', data(args)), zh.message).toEqual([]);
    expect(englishWords(zh.hint, 'text', data(args)), zh.hint).toEqual([]);
  });

  it('English is the words the readers always gave', () => {
    expect(captureErrorText({ kind: 'short', args: { source: 'stdin', gunzip: true, bytes: 3 } }, 'en').message).toBe('stdin (after gunzip) is only 3 bytes, shorter than a capture file header');
    expect(captureErrorText({ kind: 'block_short', args: { block: 'EPB' } }, 'en').message).toBe('pcapng: Enhanced Packet Block is too short');
    expect(captureErrorText({ kind: 'block_short', args: { block: 'PB' } }, 'en').message).toBe('pcapng: Packet Block is too short');
    expect(captureErrorText({ kind: 'not_pcap', args: { magic: 0x1234 } }, 'en').message).toBe('not a pcap file (magic 0x00001234)');
    expect(captureErrorText({ kind: 'read_failed', args: { reason: 'ENOENT' } }, 'en').message).toBe('cannot read the file (ENOENT)');
    expect(captureErrorText({ kind: 'open_failed', args: { reason: 'EACCES' } }, 'en')).toEqual({ message: 'cannot open the file (permission denied)', hint: 'check the file permissions' });
    expect(captureErrorText({ kind: 'compressed', args: { source: 'the file', gunzip: false, head: [0x42, 0x5a, 0x68, 0x39] } }, 'en'))
      .toEqual({ message: 'the file is bzip2-compressed (it starts with 42 5a 68 39), which wirewhy does not decompress', hint: 'decompress it first: bzip2 -dc FILE | wirewhy analyze -  (or bunzip2 FILE, then analyze the result)' });
    expect(liveErrorText({ kind: 'no_binding', args: { why: null, path: '/p/wwpcap.node', root: '/p' } }, 'en').message)
      .toBe("live capture needs wirewhy's libpcap binding, which is not built (/p/wwpcap.node is not there, nor the npm 'cap' package)");
    expect(liveErrorText({ kind: 'no_up_interface', args: { names: [] } }, 'en').hint).toBe('name one with -i (capture interfaces: none)');
  });
});
