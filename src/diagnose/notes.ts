/**
 * Evidence notes in the report's language. Rules write each note once, in English, from a small
 * set of shapes ("SYN (retransmission 2)", "DNS query A x to y", "TLS alert n (fatal) from the
 * client", ...); a Chinese report gets the same facts in Chinese. Protocol words (SYN, RST,
 * ClientHello, NXDOMAIN, alert names) stay as Wireshark shows them; only the prose around them
 * is translated. A note of a shape not listed here stays English (a test lists every shape the
 * rules produce for the samples, so a new one is noticed).
 */
import type { Lang } from './text.js';

const SIDE: Record<string, string> = { client: '客户端', server: '服务器' };

/** [English shape, Chinese replacement] in order; the first match wins. */
const SHAPES: ReadonlyArray<[RegExp, (m: RegExpExecArray) => string]> = [
  [/^SYN$/, () => 'SYN'],
  [/^SYN \(retransmission (\d+)\)$/, (m) => `SYN（第 ${m[1]} 次重传）`],
  [/^RST in reply to the SYN$/, () => '回应 SYN 的 RST'],
  [/^(RST|FIN) from the (client|server)$/, (m) => `${SIDE[m[2]!]}发出的 ${m[1]}`],
  [/^SYN-ACK, never acknowledged$/, () => 'SYN-ACK，始终未被确认'],
  [/^first data from the client$/, () => '客户端的第一个数据段'],
  [/^first datagram$/, () => '第一个数据报'],
  [/^connection start$/, () => '连接开始'],
  [/^DNS query (\S*) ?(\S+) to (\S+) \(sent (\d+) times\)$/, (m) => `向 ${m[3]} 发出的 DNS 查询 ${m[1]} ${m[2]}（共发送 ${m[4]} 次）`],
  [/^DNS query (\S*) ?(\S+) to (\S+)$/, (m) => `向 ${m[3]} 发出的 DNS 查询 ${m[1]} ${m[2]}`],
  [/^DNS response (\S+) \(truncated, TC\)(.*)$/, (m) => `DNS 响应 ${m[1]}（被截断，TC）${m[2]!.replace(/^: /, '：')}`],
  [/^DNS response (\S+)(.*)$/, (m) => `DNS 响应 ${m[1]}${m[2]!.replace(/^: /, '：')}`],
  [/^ClientHello \(SNI (.+)\)$/, (m) => `ClientHello（SNI ${m[1]}）`],
  [/^ClientHello$/, () => 'ClientHello'],
  [/^ServerHello \((\S+)\), then the encrypted certificate flight$/, (m) => `ServerHello（${m[1]}），随后是加密的证书报文`],
  [/^ServerHello \((\S+)\)$/, (m) => `ServerHello（${m[1]}）`],
  [/^client's (\d+)-byte encrypted record \(an alert, by its size\)$/, (m) => `客户端的 ${m[1]} 字节加密记录（从长度看是告警）`],
  [/^TLS alert (\S+) \((fatal|warning)\) from the (client|server)$/, (m) => `${SIDE[m[3]!]}发出的 TLS 告警 ${m[1]}（${m[2] === 'fatal' ? '致命' : '警告'}）`],
  [/^Certificate: (.*), valid (\S+) \.\. (\S+)$/, (m) => `证书：${m[1]}，有效期 ${m[2]} 至 ${m[3]}`],
  [/^CONNECT (\S+)$/, (m) => `CONNECT ${m[1]}`],
  [/^(\S+) (\S+), no response$/, (m) => `${m[1]} ${m[2]}，无响应`],
  [/^(\S+) (\S+) \(Host (\S+)\)$/, (m) => `${m[1]} ${m[2]}（Host ${m[3]}）`],
  [/^HTTP (\d+)(.*)$/, (m) => `HTTP ${m[1]}${m[2]}`],
  [/^(\d{3})(.*)$/, (m) => `${m[1]}${m[2]}`],
];

/** True when the note has one of the known shapes (tests use it to find new ones). */
export function knownNoteShape(note: string): boolean {
  return SHAPES.some(([re]) => re.test(note));
}

/** The note in `lang`; `zh` is a ready Chinese text when the rule had one (ICMP titles). */
export function localNote(note: string, lang: Lang, zh?: string): string {
  if (lang === 'en') return note;
  if (zh !== undefined) return zh;
  for (const [re, f] of SHAPES) {
    const m = re.exec(note);
    if (m) return f(m);
  }
  return note;
}
