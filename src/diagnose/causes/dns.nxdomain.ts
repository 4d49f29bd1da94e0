/**
 * dns.nxdomain: the resolver answered with that rcode
 */
import { defineCause } from '../cause.js';
import type { DnsRule } from '../outcome.js';
import { rcodeOutcome } from '../dns-group.js';

const NXDOMAIN: DnsRule = {
  on: 'dns',
  rank: 20,
  produces: ['dns.nxdomain'],
  run: (g) => (g.nx ? rcodeOutcome(g, g.nx, 'dns.nxdomain') : null),
};

export default defineCause({
  code: 'dns.nxdomain',
  layer: 'dns',
  severity: 'error',
  live: 'packet',
  rules: [NXDOMAIN],
  words: {
    en: {
      summary: '{name}: the DNS server {server} says the name does not exist (NXDOMAIN)',
      explanation:
        'The client asked {server} for {name} ({qtype}) and got NXDOMAIN: according to that server no record of any type exists for this name. The resolver was reachable, so this is an answer, not a network failure.',
      advice: [
        'Check the spelling of {name} in the URL or configuration the program uses (a typo, a missing or extra label).',
        'Check the `search` and `ndots` lines of /etc/resolv.conf: if {name} is a search-domain expansion of a short name, the name you meant may never have been asked as such.',
        'Compare `dig @{server} {name}` with the same query to a second resolver you control: if only {server} says NXDOMAIN, it serves a different (private, split-horizon) view or a cached negative answer.',
        'On the authoritative side, check the record exists in the zone and the zone is reachable from here (NS delegation, a private hosted zone associated with this VPC).',
        'If the name exists only inside a VPN or corporate network, check the client uses that network\'s DNS server (`resolvectl status`, /etc/resolv.conf, the container\'s DNS settings).',
      ],
    },
    zh: {
      summary: '{name}：DNS 服务器 {server} 回复该域名不存在（NXDOMAIN）',
      explanation:
        '客户端向 {server} 查询 {name}（{qtype}），得到 NXDOMAIN：该服务器认为这个域名不存在任何类型的记录。DNS 服务器是可达的，所以这是一个应答，而不是网络故障。',
      advice: [
        '检查程序所用 URL 或配置中 {name} 的拼写（拼写错误、多了或少了一级域名）。',
        '检查 /etc/resolv.conf 中的 `search` 和 `ndots`：如果 {name} 是短域名经搜索域扩展后的结果，那么你想查询的域名可能根本没有被原样查询。',
        '对比 `dig @{server} {name}` 与向另一台你可控的 DNS 服务器的同一查询：如果只有 {server} 回复 NXDOMAIN，说明它提供的是不同的视图（私有区域、内外网分离解析）或缓存了否定应答。',
        '在权威端检查该记录是否存在于区域中，以及该区域从这里是否可达（NS 委派、私有托管区域是否关联到本 VPC）。',
        '如果该域名只存在于 VPN 或公司内网中，检查客户端是否使用了该网络的 DNS 服务器（`resolvectl status`、/etc/resolv.conf、容器的 DNS 设置）。',
      ],
    },
  },
});
