/**
 * The words of the capture readers' errors, in both report languages. A reader says what it found
 * as a typed reason (a kind and its arguments: a record length, the bytes there were, the first
 * bytes of the file, zlib's problem...); the words are chosen when the error is shown (the command
 * line's one line, the upload service's answer, a report's damage warning), in the language asked
 * for, as verdicts are. The English is the readers' own words, unchanged.
 *
 *   captureErrorText(reason, lang)   { message, hint } (hint '' for damage that only warns)
 *   whereText(args, lang)            the source a message names ("the file", "stdin (after gunzip)")
 *
 * No Node built-in here: the report renderers, which word the damage, also run in the browser.
 */
import type { Lang } from '../lang.js';
import type { Args } from '../facts.js';
import { gzipProblemText, type GzipProblem } from './gzip-text.js';

/** Why a capture cannot be read (or stops being readable part-way): language-free data. */
export interface CaptureReason {
  readonly kind: CaptureErrorKind;
  readonly args: Args;
}

export type CaptureErrorKind =
  | 'open_failed' | 'read_failed'
  | 'empty' | 'short' | 'not_capture' | 'compressed'
  | 'not_pcap' | 'pcap_version' | 'record_length' | 'record_too_large' | 'first_record_cut' | 'record_cut'
  | 'not_pcapng' | 'byte_order' | 'pcapng_version' | 'block_length' | 'block_trailer' | 'block_short'
  | 'packet_length' | 'no_interface' | 'ts_resolution'
  | 'gzip';

// ---- the first bytes of something that is not a capture -------------------------------------

/**
 * Other compressors' magic numbers, with the command that decompresses to standard output.
 * Only gzip is read (node:zlib; Node 20 has no zstd, and the JavaScript zstd decoders read
 * slower than wirewhy analyses): for the rest, a pipe into `wirewhy analyze -` streams the
 * capture without a decompressed copy on disk.
 */
const COMPRESSED: Array<{ magic: number[]; name: string; cat: string }> = [
  { magic: [0x28, 0xb5, 0x2f, 0xfd], name: 'zstd', cat: 'zstd -dc' },
  { magic: [0xfd, 0x37, 0x7a, 0x58], name: 'xz', cat: 'xz -dc' },
  { magic: [0x42, 0x5a, 0x68], name: 'bzip2', cat: 'bzip2 -dc' },
  { magic: [0x04, 0x22, 0x4d, 0x18], name: 'lz4', cat: 'lz4 -dc' },
];

/** The compressor whose magic number `head` starts with (other than gzip), or null. */
export function compressedAs(head: ArrayLike<number>): { name: string; cat: string } | null {
  return COMPRESSED.find((x) => head.length >= x.magic.length && x.magic.every((b, i) => head[i] === b)) ?? null;
}

/** The first four bytes in hex: "28 b5 2f fd". */
export function hexHead(head: ArrayLike<number>): string {
  return Array.from(head).slice(0, 4).map((b) => b.toString(16).padStart(2, '0')).join(' ');
}

const looksText = (head: ArrayLike<number>): boolean => Array.from(head).slice(0, 4).every((b) => b === 9 || b === 10 || b === 13 || (b >= 0x20 && b < 0x7f));

/** What the first bytes of something that is not a capture look like, for error messages. */
export function describe(head: ArrayLike<number>): string {
  const hexs = hexHead(head);
  if (head[0] === 0x50 && head[1] === 0x4b) return `bytes ${hexs}: a zip archive; unzip it first`;
  const c = compressedAs(head);
  if (c) return `bytes ${hexs}: a ${c.name}-compressed file; decompress it first (${c.cat} FILE)`;
  if (looksText(head)) return `bytes ${hexs}, which look like text; tcpdump/tshark text output cannot be analysed, capture with -w`;
  return `bytes ${hexs}`;
}

function describeZh(head: ArrayLike<number>): string {
  const hexs = `字节 ${hexHead(head)}`;
  if (head[0] === 0x50 && head[1] === 0x4b) return `${hexs}：这是 ZIP 压缩包，请先解压`;
  const c = compressedAs(head);
  if (c) return `${hexs}：这是 ${c.name} 压缩的文件，请先解压（\`${c.cat} FILE\`）`;
  if (looksText(head)) return `${hexs}，看起来是文本；tcpdump/tshark 的文本输出无法分析，请用 \`-w\` 抓包`;
  return hexs;
}

// ---- gzip ---------------------------------------------------------------------------------------

/** What is wrong with the gzip data and where, in Chinese (gzipProblemText's words in English). */
export function gzipProblemZh(p: GzipProblem): string {
  const at = `压缩偏移 ${p.offset} 处`;
  switch (p.kind) {
    case 'header': return `${at}的 gzip 头部已损坏（${gzipDetailZh(p.detail)}）`;
    case 'corrupt': return `${at}的 gzip 数据已损坏（${gzipDetailZh(p.detail)}）`;
    case 'crc': return `${at}的 gzip 校验值（CRC-32）与解压后的数据不符，部分数据有误`;
    case 'length': return `${at}的 gzip 长度字段与解压后的数据不符（${gzipDetailZh(p.detail)}）`;
    default: return `gzip 数据在${at}中断，位于一个 gzip 成员的中间（文件被截断）`;
  }
}

/**
 * The detail of a gzip problem in Chinese: the reader's own details (gzip.ts, a few fixed
 * shapes) translated; anything else is zlib's message, quoted as zlib's.
 */
function gzipDetailZh(d: string): string {
  let m = /^compression method (\d+) is not deflate$/.exec(d);
  if (m) return `压缩方法 ${m[1]} 不是 deflate`;
  m = /^reserved flag bits (0x[0-9a-f]+) are set$/.exec(d);
  if (m) return `保留标志位 ${m[1]} 被置位`;
  if (d === 'no end to the file name or comment') return '文件名或注释没有结尾';
  if (d === 'its CRC-16 does not match') return '头部的 CRC-16 校验值不符';
  m = /^(\d+) bytes recorded, (\d+) decompressed$/.exec(d);
  if (m) return `记录的是 ${m[1]} 字节，解压出 ${m[2]} 字节`;
  return `zlib：“${d}”`;
}

/** A gzip problem from arguments (problem, offset, detail). */
export const gzipOf = (a: Args): GzipProblem => ({ kind: a['problem'] as GzipProblem['kind'], offset: Number(a['offset']), detail: String(a['detail'] ?? '') });

// ---- the words ----------------------------------------------------------------------------------

const s = (a: Args, k: string): string => String(a[k] ?? '?');

/**
 * The source a message names: args `source` ("the file", "stdin", "the input" or a stream's
 * name) and `gunzip` (the bytes are the decompressed ones).
 */
export function whereText(a: Args, lang: Lang): string {
  const src = s(a, 'source');
  if (lang === 'en') return a['gunzip'] === true ? `${src} (after gunzip)` : src;
  const name = src === 'the file' ? '文件' : src === 'stdin' ? '标准输入' : src === 'the input' ? '输入的数据' : src;
  return a['gunzip'] === true ? `${name}（gzip 解压后）` : name;
}

const DAMAGED = 'the file is damaged from here on; packets before this offset were read';
const DAMAGED_ZH = '文件从这里起已损坏；此偏移之前的数据包已读取';
const WRITTEN = 'check that the capture was written completely';
const WRITTEN_ZH = '请检查抓包文件是否已完整写入';

/** Packet blocks by their short name, as pcapng names them. */
const BLOCKS: Readonly<Record<string, { en: string; zh: string }>> = {
  EPB: { en: 'Enhanced Packet Block', zh: '增强分组块（EPB）' },
  PB: { en: 'Packet Block', zh: '分组块（PB）' },
  SPB: { en: 'Simple Packet Block', zh: '简单分组块（SPB）' },
  IDB: { en: 'Interface Description Block', zh: '接口描述块（IDB）' },
};
const block = (a: Args, lang: Lang): string => BLOCKS[s(a, 'block')]?.[lang] ?? s(a, 'block');

/** Why a file could not be opened or read, from the system's error code. */
function ioReason(a: Args, lang: Lang, dir: boolean): string {
  const r = s(a, 'reason');
  if (lang === 'en') return dir ? (r === 'EISDIR' ? 'it is a directory' : r) : r === 'ENOENT' ? 'no such file' : r === 'EACCES' ? 'permission denied' : r;
  return r === 'ENOENT' ? '没有这个文件' : r === 'EACCES' || r === 'EPERM' ? '没有权限' : r === 'EISDIR' ? '它是一个目录' : r;
}

interface Text {
  message: string;
  hint: string;
}
type Words = { readonly [L in Lang]: (a: Args) => Text };

const WORDS: Readonly<Record<CaptureErrorKind, Words>> = {
  open_failed: {
    en: (a) => ({
      message: `cannot open the file (${ioReason(a, 'en', false)})`,
      hint: a['reason'] === 'ENOENT' ? 'check the path' : a['reason'] === 'EACCES' ? 'check the file permissions' : 'check the file',
    }),
    zh: (a) => ({
      message: `无法打开文件（${ioReason(a, 'zh', false)}）`,
      hint: a['reason'] === 'ENOENT' ? '请检查路径' : a['reason'] === 'EACCES' ? '请检查文件的权限' : '请检查文件',
    }),
  },
  read_failed: {
    en: (a) => ({ message: `cannot read the file (${ioReason(a, 'en', true)})`, hint: a['reason'] === 'EISDIR' ? 'give a capture file, not a directory' : 'check the file' }),
    zh: (a) => ({ message: `无法读取文件（${ioReason(a, 'zh', true)}）`, hint: a['reason'] === 'EISDIR' ? '请给出抓包文件，而不是目录' : '请检查文件' }),
  },
  empty: {
    en: (a) => ({ message: `${whereText(a, 'en')} is empty (0 bytes)`, hint: WRITTEN }),
    zh: (a) => ({ message: `${whereText(a, 'zh')}是空的（0 字节）`, hint: WRITTEN_ZH }),
  },
  short: {
    en: (a) => ({ message: `${whereText(a, 'en')} is only ${s(a, 'bytes')} bytes, shorter than a capture file header`, hint: WRITTEN }),
    zh: (a) => ({ message: `${whereText(a, 'zh')}只有 ${s(a, 'bytes')} 字节，比抓包文件头还短`, hint: WRITTEN_ZH }),
  },
  not_capture: {
    en: (a) => ({
      message: `${whereText(a, 'en')} is not a pcap or pcapng capture (it starts with ${describe(a['head'] as number[])})`,
      hint: 'give a .pcap/.pcapng file (tcpdump -w, Wireshark, dumpcap); other formats convert with: editcap -F pcapng IN OUT',
    }),
    zh: (a) => ({
      message: `${whereText(a, 'zh')}不是 pcap 或 pcapng 抓包文件（开头是${describeZh(a['head'] as number[])}）`,
      hint: '请提供 .pcap/.pcapng 文件（由 `tcpdump -w`、Wireshark 或 `dumpcap` 生成）；其他格式可用 `editcap -F pcapng IN OUT` 转换',
    }),
  },
  compressed: {
    en: (a) => {
      const c = compressedAs(a['head'] as number[]) ?? { name: '?', cat: '?' };
      return {
        message: `${whereText(a, 'en')} is ${c.name}-compressed (it starts with ${hexHead(a['head'] as number[])}), which wirewhy does not decompress`,
        hint: `decompress it first: ${c.cat} FILE | wirewhy analyze -  (or ${c.name === 'bzip2' ? 'bunzip2' : `${c.name} -d`} FILE, then analyze the result)`,
      };
    },
    zh: (a) => {
      const c = compressedAs(a['head'] as number[]) ?? { name: '?', cat: '?' };
      return {
        message: `${whereText(a, 'zh')}是 ${c.name} 压缩的（开头是字节 ${hexHead(a['head'] as number[])}），wirewhy 不解压这种格式`,
        hint: `请先解压：\`${c.cat} FILE | wirewhy analyze -\`（或先 \`${c.name === 'bzip2' ? 'bunzip2' : `${c.name} -d`} FILE\`，再分析解压出的文件）`,
      };
    },
  },
  not_pcap: {
    en: (a) => ({ message: `not a pcap file (magic 0x${Number(a['magic']).toString(16).padStart(8, '0')})`, hint: 'give a pcap or pcapng capture' }),
    zh: (a) => ({ message: `不是 pcap 文件（格式标识 0x${Number(a['magic']).toString(16).padStart(8, '0')}）`, hint: '请提供 pcap 或 pcapng 抓包文件' }),
  },
  pcap_version: {
    en: (a) => ({ message: `pcap version ${s(a, 'major')} is not supported (expected 2)`, hint: 'convert the file with editcap -F pcap' }),
    zh: (a) => ({ message: `不支持 pcap 版本 ${s(a, 'major')}（应为 2）`, hint: '请用 `editcap -F pcap` 转换文件' }),
  },
  record_length: {
    en: (a) => ({ message: `record length ${s(a, 'length')} is over ${s(a, 'max')} bytes (corrupt record header)`, hint: DAMAGED }),
    zh: (a) => ({ message: `记录长度 ${s(a, 'length')} 超过了 ${s(a, 'max')} 字节（记录头已损坏）`, hint: DAMAGED_ZH }),
  },
  record_too_large: {
    en: (a) => ({ message: `record of ${s(a, 'bytes')} bytes is too large`, hint: 'the file is damaged from here on' }),
    zh: (a) => ({ message: `记录长达 ${s(a, 'bytes')} 字节，太大了`, hint: '文件从这里起已损坏' }),
  },
  first_record_cut: {
    en: (a) => ({ message: `the file ends in the middle of its first packet record (${s(a, 'have')} bytes of ${s(a, 'need')})`, hint: 'the capture was cut short; no packet could be read' }),
    zh: (a) => ({ message: `文件在第一个数据包记录的中间结束（记录需要 ${s(a, 'need')} 字节，只有 ${s(a, 'have')} 字节）`, hint: '抓包文件被截断了，没有读到任何数据包' }),
  },
  record_cut: {
    en: (a) => ({ message: `the file ends in the middle of a packet record (${s(a, 'have')} of ${s(a, 'need')} bytes)`, hint: '' }),
    zh: (a) => ({ message: `文件在一个数据包记录的中间结束（记录需要 ${s(a, 'need')} 字节，只有 ${s(a, 'have')} 字节）`, hint: '' }),
  },
  not_pcapng: {
    en: () => ({ message: 'not a pcapng file (first block is not a Section Header Block)', hint: 'give a pcap or pcapng capture' }),
    zh: () => ({ message: '不是 pcapng 文件（第一个数据块不是节头块 SHB）', hint: '请提供 pcap 或 pcapng 抓包文件' }),
  },
  byte_order: {
    en: () => ({ message: 'pcapng Section Header Block has no valid byte-order magic', hint: 'the file is damaged; check how it was transferred (binary mode)' }),
    zh: () => ({ message: 'pcapng 节头块（SHB）没有有效的字节序标识', hint: '文件已损坏；请检查它是怎样传输的（必须按二进制方式）' }),
  },
  pcapng_version: {
    en: (a) => ({ message: `pcapng version ${s(a, 'major')} is not supported`, hint: 'convert the file with editcap -F pcapng' }),
    zh: (a) => ({ message: `不支持 pcapng 版本 ${s(a, 'major')}`, hint: '请用 `editcap -F pcapng` 转换文件' }),
  },
  block_length: {
    en: (a) => ({ message: `pcapng block length ${s(a, 'length')} is invalid`, hint: DAMAGED }),
    zh: (a) => ({ message: `pcapng 数据块长度 ${s(a, 'length')} 无效`, hint: DAMAGED_ZH }),
  },
  block_trailer: {
    en: (a) => ({ message: `pcapng block at offset ${s(a, 'at')} has a trailing length that differs from its header`, hint: DAMAGED }),
    zh: (a) => ({ message: `偏移 ${s(a, 'at')} 处的 pcapng 数据块末尾的长度与块头中的不同`, hint: DAMAGED_ZH }),
  },
  block_short: {
    en: (a) => ({ message: `pcapng: ${block(a, 'en')} is too short`, hint: DAMAGED }),
    zh: (a) => ({ message: `pcapng：${block(a, 'zh')}太短`, hint: DAMAGED_ZH }),
  },
  packet_length: {
    en: (a) => ({ message: `pcapng: packet length ${s(a, 'length')} does not fit its block`, hint: DAMAGED }),
    zh: (a) => ({ message: `pcapng：数据包长度 ${s(a, 'length')} 超出了它所在的数据块`, hint: DAMAGED_ZH }),
  },
  no_interface: {
    en: (a) => ({ message: `pcapng: packet refers to interface ${s(a, 'iface')}, which has no Interface Description Block`, hint: DAMAGED }),
    zh: (a) => ({ message: `pcapng：数据包引用了接口 ${s(a, 'iface')}，但该接口没有接口描述块（IDB）`, hint: DAMAGED_ZH }),
  },
  ts_resolution: {
    en: () => ({ message: 'pcapng: Interface Description Block has an impossible timestamp resolution', hint: DAMAGED }),
    zh: () => ({ message: 'pcapng：接口描述块（IDB）的时间戳精度不可能', hint: DAMAGED_ZH }),
  },
  gzip: {
    en: (a) => ({
      message: `${gzipProblemText(gzipOf(a))}; no packet could be read before it`,
      hint: a['problem'] === 'cut' ? 'the capture was cut short; copy it again' : 'check how the file was compressed or transferred (gzip -t FILE tests it)',
    }),
    zh: (a) => ({
      message: `${gzipProblemZh(gzipOf(a))}，在此之前没有读到任何数据包`,
      hint: a['problem'] === 'cut' ? '抓包文件被截断了；请重新复制' : '请检查文件是怎样压缩或传输的（`gzip -t FILE` 可以检验）',
    }),
  },
};

/** Every kind with words (tests check each in both languages). */
export const CAPTURE_ERROR_KINDS = Object.keys(WORDS) as CaptureErrorKind[];

export function isCaptureErrorKind(k: unknown): k is CaptureErrorKind {
  return typeof k === 'string' && Object.prototype.hasOwnProperty.call(WORDS, k);
}

/** The message (what, where in the file it is not said: the caller adds the offset) and the hint. */
export function captureErrorText(r: CaptureReason, lang: Lang): Text {
  const w = WORDS[r.kind];
  return w ? w[lang](r.args) : { message: `${r.kind} ${JSON.stringify(r.args)}`, hint: '' };
}
