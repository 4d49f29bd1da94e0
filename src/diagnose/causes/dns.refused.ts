/**
 * dns.refused: the resolver answered with that rcode
 */
import { defineCause } from '../cause.js';
import type { DnsRule } from '../outcome.js';
import { rcodeOutcome } from '../dns-group.js';

const REFUSED: DnsRule = {
  on: 'dns',
  rank: 40,
  produces: ['dns.refused'],
  run: (g) => (g.refused ? rcodeOutcome(g, g.refused, 'dns.refused') : null),
};

export default defineCause({
  code: 'dns.refused',
  layer: 'dns',
  severity: 'error',
  live: 'packet',
  rules: [REFUSED],
  words: {
    en: {
      summary: '{name}: the DNS server {server} refused the query (REFUSED)',
      explanation:
        '{server} answered REFUSED for {name}: it is reachable but will not answer this client — typically it does not offer recursion to {client} (an access list), or it is an authoritative-only server asked for a name outside its zones.',
      advice: [
        'Check that {server} is the resolver you intend to use: the `nameserver` lines of /etc/resolv.conf (or DHCP, `resolvectl status`, the container\'s DNS settings).',
        'On {server}, allow recursion for {client}\'s network (BIND `allow-query` / `allow-recursion`, Unbound `access-control`, dnsmasq listening interfaces, the cloud resolver\'s rules).',
        'If the client\'s address is translated (NAT), the resolver sees the NAT address, not {client}: allow that address.',
        'If {server} is an authoritative-only server, point the client at a recursive resolver instead.',
      ],
    },
    zh: {
      summary: '{name}：DNS 服务器 {server} 拒绝了查询（REFUSED）',
      explanation:
        '{server} 对 {name} 回复 REFUSED：它可达，但不愿为该客户端应答——通常是它不向 {client} 提供递归查询（访问控制列表），或它是只做权威解析的服务器，被问到了其区域之外的域名。',
      advice: [
        '确认 {server} 是你想使用的 DNS 服务器：/etc/resolv.conf 中的 `nameserver` 行（或 DHCP、`resolvectl status`、容器的 DNS 设置）。',
        '在 {server} 上为 {client} 所在网段开放递归查询（BIND `allow-query` / `allow-recursion`、Unbound `access-control`、dnsmasq 监听接口、云解析器规则）。',
        '如果客户端地址经过了 NAT 转换，DNS 服务器看到的是 NAT 地址而不是 {client}：应放行该地址。',
        '如果 {server} 只做权威解析，请让客户端改用递归 DNS 服务器。',
      ],
    },
  },
});
