/**
 * icmp.forged_source: ICMP errors from many hosts at once about packets "from" one address that
 * the capture never shows sending: answers to packets forged in its name (forged.ts says when).
 * Told as one warning for that address, not as a failure per destination: it sent nothing of the
 * kind.
 */
import { defineCause, reworded, withVariants } from '../cause.js';
import { outcome, tenths, type ForgedRule } from '../outcome.js';
import { proof } from '../evidence.js';
import { evidenceKind } from '../words.js';
import { interval } from '../../time.js';
import type { Lang } from '../../lang.js';
import type { Verdict } from '../verdict.js';

const FORGED_ERROR = evidenceKind<{ errors: number }>('forged_error', {
  en: (a) => `the first of ${a.errors} ICMP errors about packets the capture never holds`,
  zh: (a) => `${a.errors} 个 ICMP 差错报文中的第一个，所涉及的报文抓包中都没有`,
}, { en: () => 'ICMP error (forged source)', zh: () => 'ICMP 差错（伪造源地址）' });

const FORGED: ForgedRule = {
  on: 'forged',
  rank: 10,
  produces: ['icmp.forged_source'],
  run(s) {
    const span = interval(s.lastTs, s.first.ts);
    const seconds = span === null ? null : Math.round(span * 1000) / 1000;
    const causes = Object.fromEntries([...s.causes].sort((a, b) => b[1] - a[1]));
    const o = outcome('icmp.forged_source', [proof(FORGED_ERROR, s.first.frame, s.first.ts, { from: s.first.from, to: s.first.to }, { errors: s.errors })], {
      errors: s.errors,
      senders: s.senders.size,
      destinations: s.destinations.size,
      ...(s.atLeast ? { atLeast: true } : {}),
      ports: s.ports,
      causes,
      seconds,
      peakPerSecond: s.rate.peak,
    }, {
      forgedErrors: s.errors, forgedSenders: s.senders.size, forgedDestinations: s.destinations.size,
      ...(seconds !== null ? { forgedSeconds: seconds } : {}),
    }, 'warning');
    o.attempts = s.errors;
    return o;
  },
};

/** The span of the errors: '23 ms', '2.5 s' / '23 毫秒', '2.5 秒'. */
function spanText(v: Verdict, lang: Lang): string {
  const s = typeof v.facts['forgedSeconds'] === 'number' ? v.facts['forgedSeconds'] : 0;
  if (s < 1) return lang === 'zh' ? `${Math.round(s * 1000)} 毫秒` : `${Math.round(s * 1000)} ms`;
  const t = tenths(s) ?? s;
  return lang === 'zh' ? `${t} 秒` : `${t} s`;
}

/** 'port 161', 'ports 80, 443' / '端口 161'. */
function portsText(v: Verdict, lang: Lang): string {
  const p = Array.isArray(v.details['ports']) ? (v.details['ports'] as number[]) : [];
  if (p.length === 0) return lang === 'zh' ? '各种端口' : 'various ports';
  return lang === 'zh' ? `端口 ${p.join('、')}` : `port${p.length === 1 ? '' : 's'} ${p.join(', ')}`;
}

export const FORGED_WORDS = {
  en: {
    summary: '{target}: {forgedErrors} ICMP errors from {forgedSenders} hosts about packets sent in its name',
    explanation:
      '{forgedErrors} ICMP errors came from {forgedSenders} different hosts within {forgedSpan}, each about a packet from {ip} to one of {forgedDestinations} destinations ({forgedPorts}), and the capture holds none of those packets, nor any other that {ip} sent. Packets sent in another host\'s name draw their answers to it: someone sends requests with {ip} as their source address — to have servers on these ports answer it in bulk (a reflection or amplification attack aimed at {ip}), or to hide a scan — and the errors are what some of those servers, or the routers before them, send back. They are not failures of {ip}, which sent nothing of the kind, and are not counted as failures.',
    advice: [
      'If {ip} is this host or its public address (behind NAT), it is the target of a reflection attack: look for the answers that flood in with the errors (UDP from {forgedPorts}, SYN-ACKs, DNS answers it never asked for) and have the upstream provider or a DDoS protection service filter them.',
      'Make sure no host of yours serves as a reflector: no open resolver, SNMP, NTP, SSDP or memcached reachable from the internet, and outgoing packets whose source address is not your network\'s dropped at the edge (BCP 38).',
    ],
  },
  zh: {
    summary: '{target}：来自 {forgedSenders} 台主机的 {forgedErrors} 个 ICMP 差错报文，涉及以其名义发送的报文',
    explanation:
      '在 {forgedSpan}内，{forgedSenders} 台不同的主机发来了 {forgedErrors} 个 ICMP 差错报文，每一个都涉及一个从 {ip} 发往 {forgedDestinations} 个目的地址之一（{forgedPorts}）的报文，而抓包中既没有这些报文，也没有 {ip} 发出的任何其他报文。以其他主机名义发送的报文，其应答会发回给该主机：有人以 {ip} 作为源地址发送请求——让这些端口上的服务器向它大量应答（针对 {ip} 的反射或放大攻击），或者用来掩盖扫描——这些差错报文就是其中一些服务器或它们之前的路由器发回的。它们不是 {ip} 的失败，{ip} 根本没有发送过这样的报文，也不计为失败。',
    advice: [
      '如果 {ip} 是本机或它在地址转换之后的公网地址，它正遭受反射攻击：查看随这些差错报文一起大量涌入的应答（来自 {forgedPorts} 的 UDP、SYN-ACK、它从未请求过的 DNS 应答），并请上游运营商或抗 DDoS 服务过滤它们。',
      '确保自己的主机不会被用作反射器：不要让开放的递归解析器、SNMP、NTP、SSDP 或 memcached 暴露在互联网上，并在边界丢弃源地址不属于本网络的出站报文（BCP 38）。',
    ],
  },
};

const CAUSE = defineCause({
  code: 'icmp.forged_source',
  layer: 'icmp',
  severity: 'warning',
  // Said in the final report: told by the count of its errors.
  live: 'end',
  rules: [FORGED],
  vars: (v, lang) => ({ forgedPorts: portsText(v, lang), forgedSpan: spanText(v, lang) }),
  words: FORGED_WORDS,
});

/** Said without the span, when the capture's clock cannot give it. */
const NO_SECONDS = {
  explanation: {
    en: FORGED_WORDS.en.explanation.replace(' within {forgedSpan}', ''),
    zh: FORGED_WORDS.zh.explanation.replace('在 {forgedSpan}内，', ''),
  },
} as const;

export default withVariants(CAUSE, { noSeconds: reworded(CAUSE.words, NO_SECONDS) }, (v) => (typeof v.facts['forgedSeconds'] === 'number' ? null : 'noSeconds'));
