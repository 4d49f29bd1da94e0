/**
 * The words of the upload service's error answers (`{ "error", "hint", ... }`), in both report
 * languages. An error is made as a typed fact (a kind and its arguments) where it happens; its
 * words are chosen when it is answered, in the language of the request (`requestLang`):
 *
 *   errorWords(kind, args, lang)   { error, hint } in en or zh
 *   requestLang(lang, accept)      ?lang=en|zh, else Accept-Language, else English
 *   ERROR_KINDS                    every kind (tests check that each has words in both languages)
 *
 * Errors of the capture reader (src/capture/*) carry a code, an offset and a typed reason (what
 * was found, capture/error-words.ts): the English answer is the reader's own words, as before;
 * the Chinese one is the reason's Chinese words, said of the upload, with where and what to do.
 */
import type { Lang } from '../lang.js';
import type { Args } from '../facts.js';
import { compressedAs } from '../capture/open.js';
import { nothingDecodableText } from '../report/facts.js';
import { describeHead } from './sniff.js';
import { captureErrorText, isCaptureErrorKind } from '../capture/error-words.js';

export interface ErrorText {
  error: string;
  hint: string;
}

type Words = { readonly [L in Lang]: (a: Args) => ErrorText };

const s = (a: Args, k: string): string => String(a[k] ?? '?');
const num = (a: Args, k: string): number => Number(a[k] ?? 0);

/** A size as the answers give it: "1.5 MB". */
export const MB = (n: number): string => `${Math.round((n / 1048576) * 10) / 10} MB`;

const hexOf = (head: readonly number[]): string => head.slice(0, 4).map((b) => b.toString(16).padStart(2, '0')).join(' ');

/** What the first bytes of an upload that is not a capture look like, in Chinese (describeHead's words in English). */
function describeHeadZh(head: readonly number[]): string {
  const hex = `字节 ${hexOf(head)}`;
  const bytes = Uint8Array.from(head.slice(0, 4));
  if (head[0] === 0x2d && head[1] === 0x2d) return `${hex}：看起来是表单（multipart/form-data）；请直接把文件本身作为请求体发送`;
  if (head[0] === 0x50 && head[1] === 0x4b) return `${hex}：这是 ZIP 压缩包，请先解压`;
  const c = compressedAs(bytes);
  if (c) return `${hex}：这是 ${c.name} 压缩的文件，请先解压（\`${c.cat} FILE\`）`;
  const text = head.slice(0, 4).every((b) => b === 9 || b === 10 || b === 13 || (b >= 0x20 && b < 0x7f));
  if (text) return `${hex}，看起来是文本；tcpdump/tshark 的文本输出无法分析，请用 \`-w\` 抓包`;
  return hex;
}

const TOO_BIG_HINT = 'cut the capture first (editcap -c, or tshark -r IN -w OUT with a display filter for the failing host), or compress it with gzip, or run wirewhy analyze on it locally';
const TOO_BIG_HINT_ZH = '请先裁剪抓包（`editcap -c`，或 `tshark -r IN -w OUT` 加上只保留故障主机的显示过滤器），或用 gzip 压缩，或在本机运行 `wirewhy analyze`';
const RESEND_HINT = 'send the capture again in a moment (to the restarted server)';
const RESEND_HINT_ZH = '请稍后重新发送抓包文件（发给重启后的服务器）';
const BUG_HINT = 'this is a bug; please report it with the capture if you can share it';
const BUG_HINT_ZH = '这是程序缺陷；请报告它，如果可以分享，请附上抓包文件';
const GIVE_CAPTURE_HINT_ZH = '请提供 .pcap/.pcapng 文件（由 `tcpdump -w`、Wireshark 或 `dumpcap` 生成），可以用 gzip 压缩；其他格式可用 `editcap -F pcapng IN OUT` 转换';
const SEND_FILE_HINT_ZH = '请原样发送文件本身，例如 `curl --data-binary @capture.pcap -H "Content-Type: application/octet-stream"`';

/**
 * What each capture-reader code means, in Chinese, and what to do (the reader's hints differ by
 * where it stopped; one Chinese hint per code covers them).
 */
const CAPTURE_ZH: Readonly<Record<string, { error: (where: string) => string; hint: string }>> = {
  EMPTY: { error: () => '上传的内容是空的（0 字节）', hint: '请检查抓包文件是否已完整写入' },
  SHORT_HEADER: { error: (w) => `上传的内容比抓包文件头还短${w}`, hint: '请检查抓包文件是否已完整写入' },
  CUT_SHORT: { error: (w) => `上传的内容在第一个数据包记录的中间就结束了${w}`, hint: '抓包文件被截断了，没有读到任何数据包；请重新复制或重新抓包' },
  BAD_RECORD: { error: (w) => `第一个数据包的记录头已损坏${w}：记录长度不可能`, hint: '文件从这里起已损坏，之前没有可读的数据包；请检查文件是怎样传输的（必须按二进制方式）' },
  BAD_BLOCK: { error: (w) => `pcapng 数据块已损坏${w}`, hint: '文件从这里起已损坏，之前没有可读的数据包；请检查文件是怎样传输的（必须按二进制方式）' },
  BAD_HEADER: { error: (w) => `抓包文件头已损坏或其版本不受支持${w}`, hint: '版本不受支持时，用 `editcap -F pcapng IN OUT` 转换；否则请检查文件是怎样传输的（必须按二进制方式）' },
  BAD_MAGIC: { error: () => '上传的内容不是 pcap 或 pcapng 抓包文件', hint: GIVE_CAPTURE_HINT_ZH },
  GZIP: { error: (w) => `上传内容的 gzip 压缩数据已损坏${w}，在此之前没有读到任何数据包`, hint: '文件被截断时请重新复制；否则请检查文件是怎样压缩或传输的（`gzip -t FILE` 可以检验）' },
  IO: { error: () => '读取上传的内容失败', hint: '请重新上传' },
};

/** Codes whose English message names no offset (a gzip error names its own, compressed one). */
const NO_OFFSET = ['EMPTY', 'IO', 'GZIP', 'LINK_TYPE', 'BAD_MAGIC'];

const WORDS = {
  // ---- the request ------------------------------------------------------------------------------
  unknown_param: {
    en: (a) => ({ error: `unknown query parameter "${s(a, 'name')}"`, hint: 'parameters: format=json|md|html|bundle, lang=en|zh, all=1, redact=1, name=FILE' }),
    zh: (a) => ({ error: `未知的查询参数 "${s(a, 'name')}"`, hint: '可用的参数：`format=json|md|html|bundle`、`lang=en|zh`、`all=1`、`redact=1`、`name=FILE`' }),
  },
  unknown_format: {
    en: (a) => ({ error: `unknown format "${s(a, 'format')}"`, hint: 'format is one of json, md, html, bundle' }),
    zh: (a) => ({ error: `未知的格式 "${s(a, 'format')}"`, hint: '`format` 可取 `json`、`md`、`html`、`bundle` 之一' }),
  },
  unknown_lang: {
    en: (a) => ({ error: `unknown language "${s(a, 'lang')}"`, hint: 'lang is en or zh' }),
    zh: (a) => ({ error: `未知的语言 "${s(a, 'lang')}"`, hint: '`lang` 可取 `en` 或 `zh`' }),
  },
  bad_flag: {
    en: (a) => ({ error: `${s(a, 'name')}=${s(a, 'value')} is not a yes/no value`, hint: `use ${s(a, 'name')}=1 or leave it out` }),
    zh: (a) => ({ error: `${s(a, 'name')}=${s(a, 'value')} 不是“是/否”的取值`, hint: `请用 \`${s(a, 'name')}=1\`，或者不写这个参数` }),
  },
  method_not_allowed: {
    en: (a) => ({ error: `${s(a, 'method')} is not allowed here`, hint: a['api'] === true ? 'POST the capture as the request body' : 'this address only answers GET' }),
    zh: (a) => ({ error: `此地址不接受 ${s(a, 'method')} 请求`, hint: a['api'] === true ? '请用 POST 把抓包文件作为请求体发送' : '此地址只响应 GET 请求' }),
  },
  not_found: {
    en: (a) => ({ error: `nothing at ${s(a, 'path')}`, hint: 'the page is at /, the API at POST /api/analyze' }),
    zh: (a) => ({ error: `${s(a, 'path')} 处没有内容`, hint: '页面在 /，接口是 POST /api/analyze' }),
  },
  multipart: {
    en: (a) => ({ error: `the request body is a form (${s(a, 'type')}), not a capture`, hint: 'send the capture file itself as the body, e.g. curl --data-binary @capture.pcap -H "Content-Type: application/octet-stream"' }),
    zh: (a) => ({ error: `请求体是一个表单（${s(a, 'type')}），不是抓包文件`, hint: SEND_FILE_HINT_ZH }),
  },
  content_encoding: {
    en: (a) => ({ error: `Content-Encoding ${s(a, 'encoding')} is not accepted`, hint: 'send the file as it is; a .gz capture is recognised by its content' }),
    zh: (a) => ({ error: `不接受 Content-Encoding ${s(a, 'encoding')}`, hint: '请原样发送文件；`.gz` 抓包文件会按其内容识别' }),
  },
  form_encoded: {
    en: () => ({
      error: 'the capture was sent form-encoded (Content-Type application/x-www-form-urlencoded) and arrived without a single line-break byte: curl -d / --data drops them, which breaks a binary file',
      hint: 'send the file unchanged: curl --data-binary @capture.pcap -H "Content-Type: application/octet-stream" URL',
    }),
    zh: () => ({
      error: '抓包文件是以表单编码方式发送的（Content-Type application/x-www-form-urlencoded），收到的内容里一个换行字节也没有：`curl -d` / `--data` 会删掉这些字节，二进制文件因此被破坏',
      hint: '请原样发送文件：`curl --data-binary @capture.pcap -H "Content-Type: application/octet-stream" URL`',
    }),
  },
  // ---- size and time -------------------------------------------------------------------------
  too_big: {
    en: (a) => ({ error: `the capture is ${MB(num(a, 'bytes'))}, more than the ${MB(num(a, 'max'))} this server accepts`, hint: TOO_BIG_HINT }),
    zh: (a) => ({ error: `抓包文件大小为 ${MB(num(a, 'bytes'))}，超过了本服务器接受的上限 ${MB(num(a, 'max'))}`, hint: TOO_BIG_HINT_ZH }),
  },
  too_big_read: {
    en: (a) => ({ error: `the capture is larger than the ${MB(num(a, 'max'))} this server accepts (reading stopped at ${MB(num(a, 'received'))})`, hint: TOO_BIG_HINT }),
    zh: (a) => ({ error: `抓包文件超过了本服务器接受的上限 ${MB(num(a, 'max'))}（读到 ${MB(num(a, 'received'))} 时停止读取）`, hint: TOO_BIG_HINT_ZH }),
  },
  memory: {
    en: (a) => ({ error: s(a, 'message'), hint: TOO_BIG_HINT }),
    zh: () => ({ error: '这次分析需要的内存超过了单次上传允许的上限', hint: TOO_BIG_HINT_ZH }),
  },
  upload_timeout: {
    en: (a) => ({ error: `the upload did not finish within ${num(a, 'seconds')} s`, hint: 'try again on a faster connection, or compress the capture with gzip first' }),
    zh: (a) => ({ error: `上传没有在 ${num(a, 'seconds')} 秒内完成`, hint: '请换用更快的网络连接重试，或先用 gzip 压缩抓包文件' }),
  },
  upload_slow: {
    en: (a) => ({
      error: `the upload is too slow: ${num(a, 'bytes')} bytes in the last ${num(a, 'seconds')} s, less than the ${num(a, 'minKiBs')} KiB/s this server requires`,
      hint: 'send the capture over a faster connection, or compress it with gzip first',
    }),
    zh: (a) => ({
      error: `上传太慢：最近 ${num(a, 'seconds')} 秒只收到 ${num(a, 'bytes')} 字节，低于本服务器要求的 ${num(a, 'minKiBs')} KiB/s`,
      hint: '请通过更快的网络连接发送抓包文件，或先用 gzip 压缩',
    }),
  },
  analysis_timeout: {
    en: (a) => ({ error: `the analysis took too long: more than the ${num(a, 'seconds')} s this server allows`, hint: 'cut the capture to the time around the failure (editcap -A/-B) or run wirewhy analyze locally' }),
    zh: (a) => ({ error: `分析时间过长：超过了本服务器允许的 ${num(a, 'seconds')} 秒`, hint: '请把抓包裁剪到故障前后的时间段（`editcap -A/-B`），或在本机运行 `wirewhy analyze`' }),
  },
  // ---- what the body is ------------------------------------------------------------------------
  empty: {
    en: () => ({ error: 'the upload is empty (0 bytes)', hint: 'choose a capture file: .pcap, .pcapng, optionally gzip-compressed' }),
    zh: () => ({ error: '上传的内容是空的（0 字节）', hint: '请选择一个抓包文件：.pcap、.pcapng，可以用 gzip 压缩' }),
  },
  short: {
    en: (a) => ({ error: `the upload is only ${num(a, 'bytes')} bytes, shorter than a capture file header`, hint: 'check that the capture was written completely' }),
    zh: (a) => ({ error: `上传的内容只有 ${num(a, 'bytes')} 字节，比抓包文件头还短`, hint: '请检查抓包文件是否已完整写入' }),
  },
  compressed: {
    en: (a) => {
      const c = compressedAs(Uint8Array.from(a['head'] as number[]))!;
      return {
        error: `the upload is ${c.name}-compressed (it starts with ${describeHead(Uint8Array.from(a['head'] as number[])).replace(/:.*/, '')}), which this server does not decompress`,
        hint: `decompress it first (${c.cat} FILE > FILE.pcap) and upload the result, or compress it with gzip instead`,
      };
    },
    zh: (a) => {
      const c = compressedAs(Uint8Array.from(a['head'] as number[]))!;
      return {
        error: `上传的内容是 ${c.name} 压缩的（开头是字节 ${hexOf(a['head'] as number[])}），本服务器不解压这种格式`,
        hint: `请先解压（\`${c.cat} FILE > FILE.pcap\`）再上传结果，或改用 gzip 压缩`,
      };
    },
  },
  not_capture: {
    en: (a) => ({
      error: `the upload is not a pcap or pcapng capture (it starts with ${describeHead(Uint8Array.from(a['head'] as number[]))})`,
      hint: 'give a .pcap/.pcapng file (tcpdump -w, Wireshark, dumpcap), optionally gzip-compressed; other formats convert with: editcap -F pcapng IN OUT',
    }),
    zh: (a) => ({ error: `上传的内容不是 pcap 或 pcapng 抓包文件（开头是${describeHeadZh(a['head'] as number[])}）`, hint: GIVE_CAPTURE_HINT_ZH }),
  },
  /**
   * An error of the capture reader: args code, offset, message and hint (the reader's English),
   * reason (its typed reason: { kind, args }), gzip (the upload was gzip).
   */
  capture: {
    en: (a) => {
      const code = s(a, 'code');
      const where = NO_OFFSET.includes(code) ? '' : ` (at byte offset ${num(a, 'offset')})`;
      return { error: `${s(a, 'message').replace(/^the (file|input)/, 'the upload')}${where}`, hint: s(a, 'hint') };
    },
    zh: (a) => {
      const code = s(a, 'code');
      const w = CAPTURE_ZH[code] ?? { error: (x: string) => `无法读取上传的抓包文件${x}`, hint: '请检查抓包文件是否完整、未损坏' };
      const where = code === 'GZIP' ? `（压缩偏移 ${num(a, 'offset')}）` : NO_OFFSET.includes(code) ? '' : `（${a['gzip'] === true ? '解压后数据的' : ''}字节偏移 ${num(a, 'offset')}）`;
      const r = a['reason'] as { kind?: unknown; args?: Args } | null | undefined;
      if (r && isCaptureErrorKind(r.kind)) {
        // The reader's words, of the upload: its source ("the file", a name) is the upload.
        const args = r.args && 'source' in r.args ? { ...r.args, source: '上传的内容' } : (r.args ?? {});
        const said = captureErrorText({ kind: r.kind, args }, 'zh').message.replace(/^文件/, '上传的内容');
        const at = code === 'GZIP' || code === 'SHORT_HEADER' || NO_OFFSET.includes(code) ? '' : `在${a['gzip'] === true ? '解压后数据的' : ''}字节偏移 ${num(a, 'offset')} 处，`;
        return { error: `${at}${said}`, hint: w.hint };
      }
      const what = a['gzip'] === true && code === 'BAD_MAGIC' ? '上传的内容经 gzip 解压后不是 pcap 或 pcapng 抓包文件' : w.error(where);
      return { error: what, hint: w.hint };
    },
  },
  /** Packets, none of which can be decoded: args packets, linkTypes (names as the report gives them). */
  link_type: {
    en: (a) => {
      const t = nothingDecodableText(num(a, 'packets'), (a['linkTypes'] as string[]) ?? []);
      return { error: t.message, hint: t.hint };
    },
    zh: (a) => {
      const t = nothingDecodableText(num(a, 'packets'), (a['linkTypes'] as string[]) ?? [], 'zh');
      return { error: t.message, hint: t.hint };
    },
  },
  // ---- the server -----------------------------------------------------------------------------
  busy: {
    en: (a) => ({ error: `the server is busy: ${num(a, 'running')} analyses are running`, hint: `retry in ${num(a, 'retryS')} s (the Retry-After header)` }),
    zh: (a) => ({ error: `服务器繁忙：正在进行 ${num(a, 'running')} 个分析`, hint: `请在 ${num(a, 'retryS')} 秒后重试（见 Retry-After 响应头）` }),
  },
  busy_start: {
    en: (a) => ({ error: 'the server is busy', hint: `retry in ${num(a, 'retryS')} s` }),
    zh: (a) => ({ error: '服务器繁忙', hint: `请在 ${num(a, 'retryS')} 秒后重试` }),
  },
  shutting_down: {
    en: () => ({ error: 'the server is shutting down', hint: RESEND_HINT }),
    zh: () => ({ error: '服务器正在关闭', hint: RESEND_HINT_ZH }),
  },
  shutdown_unfinished: {
    en: (a) => ({ error: `the server is shutting down; the analysis did not finish within ${num(a, 'seconds')} s`, hint: RESEND_HINT }),
    zh: (a) => ({ error: `服务器正在关闭；这次分析没有在 ${num(a, 'seconds')} 秒内完成`, hint: RESEND_HINT_ZH }),
  },
  aborted: {
    en: (a) => ({ error: s(a, 'message'), hint: 'send the capture again' }),
    zh: () => ({ error: '分析被中止了', hint: '请重新发送抓包文件' }),
  },
  render_failed: {
    en: (a) => ({ error: a['reason'] ? s(a, 'reason') : `the ${s(a, 'format')} report could not be rendered`, hint: 'ask for format=json, which always works' }),
    zh: (a) => ({ error: `无法生成 ${s(a, 'format')} 格式的报告`, hint: '请改用 format=json，它总能生成' }),
  },
  analysis_failed: {
    en: (a) => ({ error: s(a, 'message'), hint: BUG_HINT }),
    zh: () => ({ error: '分析因内部错误而失败', hint: BUG_HINT_ZH }),
  },
  internal: {
    en: () => ({ error: 'internal error', hint: 'this is a bug; please report it' }),
    zh: () => ({ error: '服务器内部错误', hint: '这是程序缺陷，请报告它' }),
  },
  /** Never answered (nobody to answer); its English goes to the log. */
  client_gone: {
    en: () => ({ error: 'client closed the connection', hint: '' }),
    zh: () => ({ error: '客户端关闭了连接', hint: '' }),
  },
} as const satisfies Record<string, Words>;

export type ErrorKind = keyof typeof WORDS;

/** Every error kind with words. */
export const ERROR_KINDS = Object.keys(WORDS) as ErrorKind[];

export function errorWords(kind: ErrorKind, args: Args, lang: Lang): ErrorText {
  return (WORDS[kind] as Words)[lang](args);
}

/**
 * The language of an answer: `?lang=en|zh` when given (and valid); else the first of en / zh in
 * the Accept-Language header by preference (`zh`, `zh-CN`, `zh-TW`, ... are Chinese; q=0 is
 * "not acceptable"); else English.
 */
export function requestLang(param: string | null, acceptLanguage: string | undefined): Lang {
  if (param === 'en' || param === 'zh') return param;
  if (!acceptLanguage) return 'en';
  const prefs: Array<{ lang: Lang; q: number; i: number }> = [];
  // A header is bounded by node:http (16 KiB); the ranges looked at are bounded again here.
  const ranges = acceptLanguage.split(',', 64);
  for (let i = 0; i < ranges.length; i++) {
    const [tag = '', ...params] = ranges[i]!.split(';').map((x) => x.trim());
    const t = tag.toLowerCase();
    const lang: Lang | null = t === 'zh' || t.startsWith('zh-') ? 'zh' : t === 'en' || t.startsWith('en-') ? 'en' : null;
    if (!lang) continue;
    const qp = params.find((p) => /^q\s*=/i.test(p));
    const q = qp ? Number(qp.replace(/^q\s*=\s*/i, '')) : 1;
    if (!Number.isFinite(q) || q <= 0) continue;
    prefs.push({ lang, q, i });
  }
  prefs.sort((x, y) => y.q - x.q || x.i - y.i);
  return prefs[0]?.lang ?? 'en';
}
