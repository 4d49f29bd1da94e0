/**
 * What the command line and the server take from a finished report besides its rendering: the
 * failure count (exit status 1 / X-Wirewhy-Failures) and the capture-damage warning. No
 * dependencies beyond the report model, so the analysis worker thread can import it too.
 */
import type { Report } from './model.js';
import type { Lang } from '../lang.js';
import { damageText as reportDamageText, warningText } from './warnings.js';
import { LINK_DECODERS, linkTypeName } from '../decode/registry.js';

/** Names (as the report gives them, capture.linkTypes) of the link types that are decoded. */
const DECODED = new Set([...LINK_DECODERS.keys()].map(linkTypeName));

/** Verdicts of severity error. */
export function failureCount(r: Report): number {
  // Every failure, listed or not (--max-verdicts caps the list, not the count).
  return r.summary.failures;
}

/** The warning to show when the capture was cut or damaged part-way, else null. */
export function damageText(r: Report, lang: Lang = 'en'): string | null {
  const d = r.capture.damage;
  if (!d) return null;
  // The warning that tells it (with the offset and frame), whichever place it has among them.
  const w = r.capture.warnings.find((x) => x.kind === 'damage' || x.kind.startsWith('gzip_'));
  return w ? warningText(w, lang) : reportDamageText(d, lang);
}

/**
 * When the capture has packets but none of its link types can be decoded (every interface's
 * type is unsupported, so no packet was analysed): what to say (without the file name), else
 * null. The contract makes this exit status 2 (422 from the server), not "no failure found".
 */
export function nothingDecodable(r: Report, lang: Lang = 'en'): { message: string; hint: string } | null {
  const c = r.capture;
  if (c.packets === 0 || c.linkTypes.length === 0 || c.linkTypes.some((n) => DECODED.has(n))) return null;
  return nothingDecodableText(c.packets, c.linkTypes, lang);
}

/** The words of it, from its facts (the packets, the link types' names as the report gives them). */
export function nothingDecodableText(packets: number, linkTypes: string[], lang: Lang = 'en'): { message: string; hint: string } {
  const types = linkTypes.map((n) => {
    const m = /^LINKTYPE_(\d+)$/.exec(n);
    return m ? m[1]! : n;
  });
  if (lang === 'zh') {
    return {
      message: `${packets} 个数据包都无法解码：不支持链路类型 ${types.join('、')}`,
      hint: '能读取的抓包类型：以太网、“Linux cooked”（SLL、SLL2）、原始 IP、BSD 环回和 PPP；请在主机自己的网卡上抓包（`tcpdump -i any` 得到的是“Linux cooked”格式）',
    };
  }
  return {
    message: `none of the ${packets} packets could be decoded: link type ${types.join(', ')} is not supported`,
    hint: 'wirewhy reads Ethernet, Linux cooked (SLL, SLL2), raw IP, BSD loopback, PPP, 802.11 (radiotap, Prism, AVS, PPI) and NFLOG captures; capture on the host\'s own interface (tcpdump -i any gives Linux cooked capture)',
  };
}
