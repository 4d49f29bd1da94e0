/**
 * The words of the capture warnings (typed facts made by the readers and the analysis), and of
 * where a damaged file stopped, in both report languages.
 *
 *   warningText(w, lang)       one warning as a sentence
 *   damageText(damage, lang)   the reader's message on the damage, in the report's language
 */
import type { Lang } from '../lang.js';
import type { Args, Fact } from '../facts.js';
import type { CaptureSummary } from './model.js';
import { gzipDamageWarning, gzipRecordsWarning, gzipTrailingWarning } from '../capture/gzip-text.js';
import { captureErrorText, gzipOf as gz, gzipProblemZh, isCaptureErrorKind } from '../capture/error-words.js';

/** What is wrong with the gzip data, in Chinese (the English is the reader's, capture/gzip-text.ts). */
const gzipZh = (a: Args): string => gzipProblemZh(gz(a));

type Words = { readonly [L in Lang]: (a: Args) => string };

const n = (a: Args, k: string): string => String(a[k] ?? '?');

/** What each kind of damage is, in Chinese, when its reason is not known (a report made before reasons). */
const DAMAGE_ZH: Readonly<Record<string, string>> = {
  BAD_RECORD: '数据包记录头损坏（记录长度不可能）',
  BAD_BLOCK: 'pcapng 数据块损坏',
  CUT_SHORT: '文件在一个数据包记录中间结束',
  BAD_HEADER: '文件头损坏',
  BAD_MAGIC: '格式标识损坏',
  GZIP: 'gzip 压缩数据损坏',
  SHORT_HEADER: '文件头不完整',
  EMPTY: '文件为空',
  IO: '读取失败',
};

export function damageText(d: NonNullable<CaptureSummary['damage']>, lang: Lang): string {
  if (lang === 'en') return d.message;
  const r = d.reason;
  if (!r) return DAMAGE_ZH[d.code] ?? '文件损坏';
  // A reader's reason, or (gzip) the warning that tells it.
  return isCaptureErrorKind(r.kind) ? captureErrorText({ kind: r.kind, args: r.args }, lang).message : warningText(r, lang);
}

/** The reader's reason of a `damage` warning, in Chinese (its English is the warning's `message`). */
function damageZh(a: Args): string {
  const r = a['reason'] as { kind?: unknown; args?: Args } | undefined;
  return r && isCaptureErrorKind(r.kind) ? captureErrorText({ kind: r.kind, args: r.args ?? {} }, 'zh').message : (DAMAGE_ZH[String(a['code'])] ?? '文件损坏');
}

const WORDS: Readonly<Record<string, Words>> = {
  damage: {
    en: (a) => `${n(a, 'message')} ${a['inflated'] === true ? `at offset ${n(a, 'offset')} of the decompressed data` : `at file offset ${n(a, 'offset')}`} (where frame ${n(a, 'frame')} would start); ${n(a, 'packets')} packets before it were read`,
    zh: (a) => `${damageZh(a)}：位于${a['inflated'] === true ? '解压后数据的偏移' : '文件偏移'} ${n(a, 'offset')}（第 ${n(a, 'frame')} 帧本应从这里开始）；此前的 ${n(a, 'packets')} 个数据包已读取`,
  },
  gzip_damage: {
    en: (a) => gzipDamageWarning(gz(a), Number(a['packets'])),
    zh: (a) => `${gzipZh(a)}；${a['problem'] === 'crc' || a['problem'] === 'length' ? `解压出的 ${n(a, 'packets')} 个数据包已按原样分析` : `此前解压出的 ${n(a, 'packets')} 个数据包已分析`}`,
  },
  gzip_records_damage: {
    en: (a) => gzipRecordsWarning(gz(a), Number(a['recordOffset']), Number(a['frame']), Number(a['packets'])),
    zh: (a) => `${gzipZh(a)}；解压后的记录在此之前就已中断，位于解压后数据的偏移 ${n(a, 'recordOffset')}（第 ${n(a, 'frame')} 帧本应从这里开始）；此前的 ${n(a, 'packets')} 个数据包已分析`,
  },
  gzip_trailing: {
    en: (a) => gzipTrailingWarning({ bytes: Number(a['bytes']), offset: Number(a['offset']) }),
    zh: (a) => `gzip 数据结束（压缩偏移 ${n(a, 'offset')}）之后的 ${n(a, 'bytes')} 个字节不是 gzip 数据，已忽略（与 gzip -d 的做法相同）`,
  },
  pcapng_untimed: {
    en: (a) => `${n(a, 'packets')} packets carry no timestamp and come before any packet that has one (pcapng Simple Packet Blocks, the first at offset ${n(a, 'offset')}): they are stamped 1970-01-01T00:00:00Z, so the capture's start, and times and intervals up to the first timed packet, are not real`,
    zh: (a) => `有 ${n(a, 'packets')} 个数据包没有时间戳，且位于任何带时间戳的数据包之前（pcapng 简单数据包块，第一个位于偏移 ${n(a, 'offset')}）：它们的时间记为 1970-01-01T00:00:00Z，因此抓包的开始时间，以及到第一个带时间的数据包为止的时间和间隔都不真实`,
  },
  pcapng_unknown_block: {
    en: (a) => `pcapng: skipped a block of unknown type 0x${Number(a['type']).toString(16)} at offset ${n(a, 'offset')}`,
    zh: (a) => `pcapng：跳过了偏移 ${n(a, 'offset')} 处一个未知类型（0x${Number(a['type']).toString(16)}）的数据块`,
  },
  unknown_link_type: {
    en: (a) => `${n(a, 'packets')} packets of link type ${n(a, 'name')} (${n(a, 'linkType')}) could not be decoded`,
    zh: (a) => `${n(a, 'packets')} 个链路类型为 ${n(a, 'name')}（${n(a, 'linkType')}）的数据包无法解码`,
  },
  fragments_lost: {
    en: (a) => `${n(a, 'count')} fragmented IP datagrams could not be reassembled (fragments missing or expired)`,
    zh: (a) => `${n(a, 'count')} 个分片的 IP 数据报无法重组（分片缺失或超时）`,
  },
  capture_drops: {
    en: (a) => `the capturing system dropped ${n(a, 'count')} packets: what they held is missing from this analysis`,
    zh: (a) => `抓包系统丢弃了 ${n(a, 'count')} 个数据包：本次分析缺少它们的内容`,
  },
  clock_stepped_back: {
    en: (a) => `the capture's time goes backwards (its clock stepped back, or packets from clocks that differ were merged): frame ${n(a, 'frame')} is stamped ${n(a, 'seconds')} s before a packet ahead of it${Number(a['count']) > 1 ? ` (${n(a, 'count')} packets in all, by up to ${n(a, 'longest')} s)` : ''}; intervals across a step are not reported (null) and may be wrong`,
    zh: (a) => `抓包的时间发生了倒退（时钟被调回，或合并了时钟不一致的来源）：第 ${n(a, 'frame')} 帧的时间戳比它前面的数据包早 ${n(a, 'seconds')} 秒${Number(a['count']) > 1 ? `（共 ${n(a, 'count')} 个数据包，最多早 ${n(a, 'longest')} 秒）` : ''}；跨越倒退的时间间隔不予报告（记为空），也可能不准确`,
  },
  time_out_of_range: {
    en: (a) => (Number(a['count']) === 1
      ? `frame ${n(a, 'frame')} is stamped outside the years 0000 to 9999: its time is not reported (null), nor any interval to it`
      : `${n(a, 'count')} packets are stamped outside the years 0000 to 9999 (the first: frame ${n(a, 'frame')}): their times are not reported (null), nor any interval to them`),
    zh: (a) => `${Number(a['count']) === 1 ? `第 ${n(a, 'frame')} 帧` : `${n(a, 'count')} 个数据包`}的时间戳超出 0000 至 9999 年的范围${Number(a['count']) > 1 ? `（第一个是第 ${n(a, 'frame')} 帧）` : ''}：其时间不予报告（记为空），与之相关的时间间隔也不予报告`,
  },
  no_packets: {
    en: () => 'the capture holds no packets',
    zh: () => '抓包文件中没有数据包',
  },
  duplicates: {
    en: (a) => `${n(a, 'count')} packet${Number(a['count']) === 1 ? ' was a copy' : 's were copies'} of one just before (the same IP packet within ${n(a, 'ms')} ms, or one hop on): the capture holding ${Number(a['count']) === 1 ? 'it' : 'them'} twice (tcpdump -i any on a host with a bridge or containers or on a router, a mirror port copying both directions) or the sender sending ${Number(a['count']) === 1 ? 'it' : 'them'} twice (macOS sends its resets twice); each was read once, not as a retransmission`,
    zh: (a) => `${n(a, 'count')} 个数据包是紧邻其前的某个数据包的副本（${n(a, 'ms')} 毫秒内相同的 IP 数据包，或经过一跳路由后的同一个包）：要么抓包把它们记录了两次（在有网桥或容器的主机或路由器上用 tcpdump 抓取所有接口，或镜像端口同时复制了两个方向），要么发送方发了两次（macOS 会把 RST 发两次）；每个只按一次读取，不视为重传`,
  },
  not_listed: {
    en: (a) => `${n(a, 'count')} more connections were analyzed but are not listed (the list stops at ${n(a, 'cap')})`,
    zh: (a) => `另有 ${n(a, 'count')} 个连接已分析但未列出（列表最多 ${n(a, 'cap')} 条）`,
  },
  capture_loss: {
    en: (a) => `the capture missed packets: ${n(a, 'bytes')} bytes that a receiver acknowledged never appeared in it (${n(a, 'connections')} connection${Number(a['connections']) === 1 ? '' : 's'}, ${n(a, 'percent')} % of their bytes); what those packets carried cannot be judged, and a missing answer there is not claimed`,
    zh: (a) => `抓包漏掉了数据包：接收方已确认的 ${n(a, 'bytes')} 字节从未出现在抓包中（${n(a, 'connections')} 个连接，占其字节的 ${n(a, 'percent')}%）；这些数据包的内容无法判断，其中缺失的应答也不作为故障认定`,
  },
  evicted: {
    en: (a) => `${n(a, 'count')} connections were closed early because too many were open at once`,
    zh: (a) => `同时打开的连接过多，${n(a, 'count')} 个连接被提前结束分析`,
  },
  attempts_let_go: {
    en: (a) => `${n(a, 'count')} unanswered connection attempts were judged after 2 s of silence instead of waiting for their retries, because more than 20,000 were open at once (a scan): a retry after that counts as another attempt`,
    zh: (a) => `同时未应答的连接请求超过 20,000 个（扫描）：其中 ${n(a, 'count')} 个在静默 2 秒后即被判定，不再等待重传；之后的重传算作另一次尝试`,
  },
  kernel_drops_unknown: {
    en: () => 'the kernel drop count could not be read (build native/bin/ww-pktstats with native/build.sh, or install python3): packets may be missing without notice',
    zh: () => '无法读取内核丢包计数（用 native/build.sh 构建 native/bin/ww-pktstats，或安装 python3）：可能有数据包在无提示的情况下丢失',
  },
  kernel_stats_failed: {
    en: () => 'the kernel drop count could not be read (pcap_stats failed): packets may be missing without notice',
    zh: () => '无法读取内核丢包计数（pcap_stats 失败）：可能有数据包在无提示的情况下丢失',
  },
  interface_drops: {
    en: (a) => `the interface ${n(a, 'iface')} dropped ${n(a, 'count')} packets while capturing (pcap_stats ps_ifdrop): traffic the kernel never saw`,
    zh: (a) => `抓包期间网卡 ${n(a, 'iface')} 丢弃了 ${n(a, 'count')} 个数据包（pcap_stats ps_ifdrop）：这些流量内核从未见到`,
  },
  libpcap_warning: {
    en: (a) => `libpcap: ${n(a, 'message')}`,
    zh: (a) => `libpcap 警告：${n(a, 'message')}`,
  },
  binding_lost: {
    en: (a) => `${n(a, 'count')} packets could not be handed over by the binding (a bug: please report it)`,
    zh: (a) => `${n(a, 'count')} 个数据包未能由绑定模块交给 wirewhy（这是缺陷，请报告）`,
  },
  cap_fallback: {
    en: (a) => `captured through the npm 'cap' binding, not wirewhy's own${a['why'] ? ` (${n(a, 'why')})` : ''}: packets are timestamped when they reach wirewhy, not by the kernel (build wirewhy's: cd ${n(a, 'root')} && npm run build:native)`,
    zh: (a) => `通过 npm 的 cap 绑定抓包，而不是 wirewhy 自己的绑定${a['why'] ? `（${n(a, 'why')}）` : ''}：数据包的时间戳是到达 wirewhy 时打上的，而不是内核打的（构建 wirewhy 的绑定：cd ${n(a, 'root')} && npm run build:native）`,
  },
  read_failed: {
    en: (a) => `the capture stopped early: libpcap failed to read from ${n(a, 'iface')} (${n(a, 'message')})`,
    zh: (a) => `抓包提前停止：libpcap 从 ${n(a, 'iface')} 读取失败（${n(a, 'message')}）`,
  },
  queue_drops: {
    en: (a) => `${n(a, 'count')} packets were dropped by wirewhy (its queue was full)`,
    zh: (a) => `wirewhy 丢弃了 ${n(a, 'count')} 个数据包（其队列已满）`,
  },
};

/** Every warning kind with words (tests check that each kind made anywhere is here). */
export const WARNING_KINDS: readonly string[] = Object.keys(WORDS);

export function warningText(w: Fact, lang: Lang): string {
  const words = WORDS[w.kind];
  return words ? words[lang](w.args) : `${w.kind} ${JSON.stringify(w.args)}`;
}
