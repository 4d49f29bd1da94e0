/**
 * dns.no_address: NOERROR but no A/AAAA record (NODATA)
 */
import { defineCause, withVariants, type Wording } from '../cause.js';
import type { DnsRule } from '../outcome.js';
import { dnsOutcome, isUnspecified } from '../dns-group.js';

/**
 * An address query (A / AAAA) answered NOERROR without an address (NODATA): nothing to connect
 * to. NODATA for another type a program asked (PTR, MX, TXT, ...) is not a connection failure
 * (contract): a warning. For the types a resolver asks on its way (NS, SOA, DS, ...) it is the
 * ordinary answer: no verdict but ok (dns-group.ts).
 */
const NODATA: DnsRule = {
  on: 'dns',
  rank: 60,
  produces: ['dns.no_address'],
  run(g) {
    if (g.answered === 0 || !(g.addrNodata || g.otherNodata)) return null;
    const qtypes = (g.qtypes ?? []).sort((a, b) => a.seq - b.seq).map((x) => x.qtype);
    // The only addresses answered are unspecified (0.0.0.0, ::): a DNS filter's block, in its own words.
    const blocked = g.addrNodata && g.addrs !== null && g.addrs.length > 0 && g.addrs.every((a) => isUnspecified(a.data));
    if (blocked) {
      const addrs = [...new Set(g.addrs!.map((a) => a.data!))];
      return dnsOutcome(g, 'dns.no_address', { rcode: 'NOERROR', qtypes, unspecifiedAnswer: addrs }, { rcode: 'NOERROR', blocked: true, sinkAddr: addrs.join(' / ') });
    }
    return dnsOutcome(g, 'dns.no_address', { rcode: 'NOERROR', qtypes },
      g.addrNodata ? { rcode: 'NOERROR' } : { rcode: 'NOERROR', otherType: true }, g.addrNodata ? 'error' : 'warning');
  },
};

/**
 * The name answered with the unspecified address only (0.0.0.0 for A, :: for AAAA): what DNS
 * filters answer for the names they block. tshark and dig show a normal answer; the program's
 * connection goes nowhere (on Linux, to the client itself).
 */
const BLOCKED: Wording = {
  en: {
    summary: '{name}: the DNS answer is {sinkAddr}, an address nothing can be reached at: a DNS filter most likely blocks the name',
    explanation:
      '{server} answered NOERROR for {name} with {sinkAddr} and no other address. That is the unspecified address: no host has it, and a connection to it goes nowhere (on Linux it reaches the client itself). DNS filters answer so for the names they block — Pi-hole, AdGuard Home, a corporate DNS security service, a response policy zone (RPZ) — while tshark and dig show a normal answer and the program fails to connect.',
    advice: [
      'Ask another resolver and compare: `dig @{server} {name} {qtype}` against `dig @1.1.1.1 {name} {qtype}`: a real address from the other means {server} (or a filter in front of it) blocks the name.',
      'Look the name up in the filter\'s query log and block lists (Pi-hole\'s Query Log, the DNS security console, the RPZ zone) and allow it if it should work.',
      'If the client should not use this resolver at all, check its DNS settings (`resolvectl status`, /etc/resolv.conf, the DHCP lease, a VPN that pushes its own resolver).',
    ],
  },
  zh: {
    summary: '{name}：DNS 应答为 {sinkAddr}，这是一个无法连接的地址：很可能是 DNS 过滤拦截了该域名',
    explanation:
      '{server} 对 {name} 回复 NOERROR，应答只有 {sinkAddr}，没有其他地址。这是未指定地址：没有任何主机拥有它，连接它哪里也到不了（在 Linux 上会连到客户端自己）。DNS 过滤对其拦截的域名就是这样应答的——Pi-hole、AdGuard、企业 DNS 安全服务、响应策略区（RPZ）——而 tshark 和 dig 显示的是一个正常的应答，程序则连接失败。',
    advice: [
      '换一个解析器对比：`dig @{server} {name} {qtype}` 与 `dig @1.1.1.1 {name} {qtype}`：如果另一个给出真实地址，说明 {server}（或其前面的过滤）拦截了该域名。',
      '在过滤器的查询日志和拦截列表中查找该域名（Pi-hole 的查询日志、DNS 安全控制台、RPZ 区域），如果它应当可用就放行。',
      '如果客户端根本不应使用这个解析器，检查其 DNS 设置（`resolvectl status`、/etc/resolv.conf、DHCP 租约、推送自己解析器的 VPN）。',
    ],
  },
};

const CAUSE = defineCause({
  code: 'dns.no_address',
  layer: 'dns',
  severity: 'error',
  live: 'end',
  rules: [NODATA],
  words: {
    en: {
      summary: '{name}: the name exists but has no {qtype} record (NODATA)',
      explanation:
        '{server} answered NOERROR for {name} without any {qtype} record: the name exists (it may have other record types) but not the address type the client asked for, so there is nothing to connect to. Typical: an IPv6-only client asking AAAA for an IPv4-only name, or the reverse.',
      advice: [
        'Query both address types: `dig {name} A` and `dig {name} AAAA`; if only one exists, check the client\'s address family (IPv6-only network, /etc/gai.conf, a program forced to IPv4 or IPv6).',
        'If {name} is a CNAME, check that the target of the CNAME has the record (`dig {name} +trace`).',
        'On the authoritative side, add the missing {qtype} record; on an IPv6-only network, make sure DNS64/NAT64 is provided.',
        'With split-horizon DNS, the internal zone may define {name} with fewer records than the public one.',
      ],
    },
    zh: {
      summary: '{name}：域名存在但没有 {qtype} 记录（NODATA）',
      explanation:
        '{server} 对 {name} 回复 NOERROR，但没有任何 {qtype} 记录：该域名存在（可能有其他类型的记录），但没有客户端所需的地址类型，因此无处可连。典型情况：纯 IPv6 客户端查询只有 IPv4 的域名的 AAAA 记录，或者相反。',
      advice: [
        '查询两种地址类型：`dig {name} A` 和 `dig {name} AAAA`；如果只有一种，检查客户端使用的地址族（纯 IPv6 网络、/etc/gai.conf、被强制使用 IPv4 或 IPv6 的程序）。',
        '如果 {name} 是 CNAME，检查 CNAME 指向的域名是否有该记录（`dig {name} +trace`）。',
        '在权威端添加缺失的 {qtype} 记录；在纯 IPv6 网络中确保提供 DNS64/NAT64。',
        '使用内外网分离解析时，内部区域中 {name} 的记录可能比公网区域少。',
      ],
    },
  },
});

/**
 * NODATA for a type that is no address (PTR, MX, TXT, ...): the words of the address case ("nothing
 * to connect to", an IPv6-only client asking AAAA) do not apply (field: a PTR of
 * 255.255.255.255.in-addr.arpa, PcapPlusPlus many_interfaces).
 */
const OTHER_TYPE: Wording = {
  en: {
    summary: '{name}: the name exists but has no {qtype} record (NODATA)',
    explanation:
      '{server} answered NOERROR for {name} without any {qtype} record: the name exists (it may hold records of other types) but none of the type asked for. Nothing needed an address from this answer, so no connection failed by it. For a reverse lookup (PTR), the address has no reverse name: programs that log or check reverse names (sshd with UseDNS, mail servers, access logs) see none.',
    advice: [
      '`dig {name} {qtype}` shows the same answer; `dig {name} +trace` shows where the name is defined.',
      'If a {qtype} record is expected, add it on the authoritative side (for PTR: in the reverse zone of the address, kept by whoever holds the address block).',
      'With split-horizon DNS, the internal zone may define {name} with fewer records than the public one.',
    ],
  },
  zh: {
    summary: '{name}：域名存在但没有 {qtype} 记录（NODATA）',
    explanation:
      '{server} 对 {name} 回复 NOERROR，但没有任何 {qtype} 记录：该域名存在（可能有其他类型的记录），只是没有所查询类型的记录。这个应答并不用于获取地址，因此没有连接因它而失败。对于反向查询（PTR），说明该地址没有反向域名：记录或检查反向域名的程序（启用 `UseDNS` 的 `sshd`、邮件服务器、访问日志）将查不到它。',
    advice: [
      '`dig {name} {qtype}` 会得到同样的应答；`dig {name} +trace` 可以看到该域名在哪里定义。',
      '如果应当有 {qtype} 记录，在权威端添加（PTR：在该地址的反向区域中添加，由地址段的持有者维护）。',
      '使用内外网分离解析时，内部区域中 {name} 的记录可能比公网区域少。',
    ],
  },
};

export default withVariants(CAUSE, { otherType: OTHER_TYPE, blocked: BLOCKED }, (v) => (v.facts['otherType'] === true ? 'otherType' : v.facts['blocked'] === true ? 'blocked' : null));
