/**
 * dns.servfail: the resolver answered with that rcode
 */
import { defineCause } from '../cause.js';
import type { DnsRule } from '../outcome.js';
import { rcodeOutcome } from '../dns-group.js';
import { edeNote } from '../alerts.js';
import { edeList } from '../dns-group.js';

const SERVFAIL: DnsRule = {
  on: 'dns',
  rank: 30,
  produces: ['dns.servfail'],
  run: (g) => (g.servfail ? rcodeOutcome(g, g.servfail, 'dns.servfail') : null),
};

export default defineCause({
  code: 'dns.servfail',
  layer: 'dns',
  severity: 'error',
  live: 'packet',
  rules: [SERVFAIL],
  vars: (v, lang) => ({ edeNote: edeNote(edeList(v.facts), lang) }),
  words: {
    en: {
      summary: '{name}: the DNS server {server} failed to resolve the name (SERVFAIL)',
      explanation:
        '{server} answered SERVFAIL for {name} ({qtype}): the resolver is reachable but could not get an answer itself — usually it cannot reach the zone\'s authoritative servers, or DNSSEC validation of the answer failed. {edeNote}',
      advice: [
        'Ask a second resolver you control (`dig @<other-resolver> {name}`): if it answers, the problem is {server}\'s own access to the internet (its firewall or security group outbound UDP/TCP 53) or its DNSSEC view.',
        'Run `dig @{server} {name} +cd` (checking disabled): an answer with +cd but SERVFAIL without it means DNSSEC validation fails (expired signatures, DS/DNSKEY mismatch on the zone).',
        '`dig {name} +trace` shows which authoritative servers do not answer or are misconfigured (lame delegation).',
        'If {server} is your own resolver (BIND, Unbound, dnsmasq), read its log, and check its clock (`timedatectl`): DNSSEC signatures fail on a wrong time.',
      ],
    },
    zh: {
      summary: '{name}：DNS 服务器 {server} 无法解析该域名（SERVFAIL）',
      explanation:
        '{server} 对 {name}（{qtype}）回复 SERVFAIL：DNS 服务器可达，但它自己没能得到答案——通常是无法访问该区域的权威服务器，或应答的 DNSSEC 验证失败。{edeNote}',
      advice: [
        '向另一台你可控的 DNS 服务器查询（`dig @<其他DNS服务器> {name}`）：若它能应答，问题在于 {server} 自身的外网访问（其防火墙或安全组出站 UDP/TCP 53）或其 DNSSEC 验证。',
        '执行 `dig @{server} {name} +cd`（关闭验证）：加 +cd 能得到应答而不加则 SERVFAIL，说明 DNSSEC 验证失败（签名过期、区域的 DS/DNSKEY 不一致）。',
        '`dig {name} +trace` 可显示哪台权威服务器没有应答或配置错误（无效委派）。',
        '如果 {server} 是你自己的 DNS 服务器（BIND、Unbound、dnsmasq），查看其日志，并检查其系统时间（`timedatectl`）：时间错误会导致 DNSSEC 签名验证失败。',
      ],
    },
  },
});
