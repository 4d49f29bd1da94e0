/**
 * icmp.ttl_exceeded: an ICMP/ICMPv6 error that quotes the failing flow (details.from = who sent it).
 * When the errors alone quote probes — traceroute's UDP, echo requests — sent with a small TTL
 * (orphans.ts), the verdict is a warning told in the `probe` wording: what traceroute, mtr or
 * `ping -t` produce, not a routing loop.
 */
import { defineCause } from '../cause.js';
import { ICMP_RULES, icmpVars, orphanVars } from '../rules-icmp.js';
import { fill, type CauseText } from '../words.js';

const PROBE: { readonly en: CauseText; readonly zh: CauseText } = {
  en: {
    summary: '{target}: time exceeded from {from} for what look like {probeText} probes ({errorsText}); the probes are not in the capture',
    explanation:
      '{from} answered {errorsText} from {client} to {ip} with {icmp}. What it quotes looks like probes sent with a small TTL on purpose: {probeWhy}. Traceroute, mtr and `ping -t` send such probes so that each router on the way answers this way; nothing here shows a failure. These errors alone cannot rule out a routing loop, but nothing in them shows one: a loop would catch the client\'s ordinary connections too (a TCP SYN and its retransmissions, DNS queries), whose packets would expire again and again.',
    advice: [
      'Nothing to fix if traceroute, mtr or ping with a small TTL ran on {client} at that time.',
      'To see the whole path, capture on {client}, or without a filter that keeps only ICMP, so that the probes and each hop\'s answer are in the capture; or run `mtr -n {ip}` from {client}: hops that repeat show a loop.',
    ],
  },
  zh: {
    summary: '{target}：{from} 对看起来是 {probeText}探测包的数据包（{errorsText}）回复了 TTL 超时；抓包中没有这些探测包',
    explanation:
      '{from} 用 {icmp} 回应了 {client} 发往 {ip} 的 {errorsText}。它所引用的数据包看起来是有意用很小的 TTL 发出的探测包：{probeWhy}。traceroute、mtr 和 `ping -t` 发送这样的探测包，正是为了让路径上的每个路由器这样回应；这里没有任何失败的迹象。仅凭这些差错无法排除路由环路，但其中也没有任何环路的迹象：环路同样会影响客户端的普通连接（TCP SYN 及其重传、DNS 查询），这些连接的数据包会一次又一次地超时。',
    advice: [
      '如果当时在 {client} 上运行过 traceroute、mtr 或小 TTL 的 ping，则无需修复。',
      '要看到完整路径，请在 {client} 上抓包，或不要只过滤保留 ICMP，使探测包和每一跳的回应都在抓包中；或者在 {client} 上运行 `mtr -n {ip}`：重复出现的跳即为环路。',
    ],
  },
};

export default defineCause({
  code: 'icmp.ttl_exceeded',
  layer: 'icmp',
  severity: 'error',
  live: 'packet',
  rules: ICMP_RULES,
  vars: (v, lang) => ({ ...icmpVars(v, lang), ...orphanVars(v, lang) }),
  variants: { probe: PROBE },
  compose: (d, v, lang, vars) => {
    if (v.facts['probe'] !== 'udp' && v.facts['probe'] !== 'echo') return d;
    const t = PROBE[lang];
    return { summary: fill(t.summary, vars), explanation: fill(t.explanation, vars), advice: t.advice.map((a) => fill(a, vars)) };
  },
  words: {
    en: {
      summary: '{target}: packets expired in transit at {from} (ICMP TTL exceeded)',
      explanation:
        '{from} answered with {icmp}: the packet\'s TTL (hop limit) reached zero before it got to {ip}. {repeatNote} Unless the client was running traceroute, this means a routing loop: routers keep passing the packet between them.',
      advice: [
        '`traceroute -n {ip}` or `mtr -n {ip}`: hops that repeat show the loop.',
        'Check the route tables of the routers around {from}: two routes pointing at each other, a static route that conflicts with a dynamic (BGP/OSPF) one, a VPN or VPC route table.',
        'If the client sets a very low TTL itself, check `sysctl net.ipv4.ip_default_ttl` and the program\'s settings.',
      ],
    },
    zh: {
      summary: '{target}：数据包在 {from} 处传输超时（ICMP TTL 超时）',
      explanation:
        '{from} 回复了 {icmp}：数据包在到达 {ip} 之前 TTL（跳数限制）已降为零。{repeatNote}除非客户端正在运行 traceroute，这意味着存在路由环路：数据包在路由器之间来回转发。',
      advice: [
        '`traceroute -n {ip}` 或 `mtr -n {ip}`：重复出现的跳即为环路所在。',
        '检查 {from} 附近路由器的路由表：互相指向的两条路由、与动态路由（BGP/OSPF）冲突的静态路由、VPN 或 VPC 路由表。',
        '如果是客户端自己设置了很小的 TTL，检查 `sysctl net.ipv4.ip_default_ttl` 和程序设置。',
      ],
    },
  },
});
