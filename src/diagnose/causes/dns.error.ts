/**
 * dns.error: any other non-zero rcode (details.rcode)
 */
import { defineCause } from '../cause.js';
import type { DnsRule } from '../outcome.js';
import { rcodeOutcome } from '../dns-group.js';
import { edeNote } from '../alerts.js';
import { edeList } from '../dns-group.js';

/** Any other failing rcode (FORMERR, NOTIMP, BADVERS, BADCOOKIE ...). */
const ERROR: DnsRule = {
  on: 'dns',
  rank: 50,
  produces: ['dns.error'],
  // An EDNS negotiation answer (BADVERS, BADCOOKIE) is a failure only when nothing else answered.
  run: (g) => {
    const t = g.otherError ?? (g.negotiation !== null && g.negotiations === g.answered ? g.negotiation : null);
    return t ? rcodeOutcome(g, t, 'dns.error') : null;
  },
};

export default defineCause({
  code: 'dns.error',
  layer: 'dns',
  severity: 'error',
  live: 'packet',
  rules: [ERROR],
  vars: (v, lang) => ({ edeNote: edeNote(edeList(v.facts), lang) }),
  words: {
    en: {
      summary: '{name}: the DNS server {server} answered with the error {rcode}',
      explanation:
        '{server} answered {rcode} for {name} ({qtype}). This is neither "no such name" nor "server failure": FORMERR means it could not parse the query, NOTIMP that it does not implement the request, BADVERS and BADCOOKIE concern EDNS. Usually an old resolver, a DNS-rewriting middlebox, or a client sending unusual EDNS options. {edeNote}',
      advice: [
        'Repeat the query with `dig @{server} {name} {qtype}`, then with `+noedns` or `+nocookie`: if those work, {server} (or a DNS-inspecting firewall in front of it) does not handle EDNS.',
        'Look for a firewall or load balancer in front of {server} that inspects and rewrites DNS.',
        'Compare with a second resolver you control; if it works, update or replace {server} (`nameserver` in /etc/resolv.conf).',
      ],
    },
    zh: {
      summary: '{name}：DNS 服务器 {server} 回复错误 {rcode}',
      explanation:
        '{server} 对 {name}（{qtype}）回复 {rcode}。这既不是"域名不存在"也不是"服务器失败"：FORMERR 表示它无法解析查询，NOTIMP 表示不支持该请求，BADVERS 和 BADCOOKIE 与 EDNS 有关。通常是 DNS 服务器过旧、中间设备改写了 DNS，或客户端发送了不常见的 EDNS 选项。{edeNote}',
      advice: [
        '用 `dig @{server} {name} {qtype}` 重复查询，再加 `+noedns` 或 `+nocookie`：如果这样能成功，说明 {server}（或其前面检查 DNS 的防火墙）不能正确处理 EDNS。',
        '检查 {server} 前面是否有检查并改写 DNS 的防火墙或负载均衡。',
        '与另一台你可控的 DNS 服务器对比；如果那台正常，升级或更换 {server}（/etc/resolv.conf 中的 `nameserver`）。',
      ],
    },
  },
});
