/**
 * dns.no_address: NOERROR but no A/AAAA record (NODATA)
 */
import { defineCause, withVariants, type Wording } from '../cause.js';
import type { DnsRule } from '../outcome.js';
import { dnsOutcome } from '../dns-group.js';

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
  run: (g) => (g.answered > 0 && (g.addrNodata || g.otherNodata)
    ? dnsOutcome(g, 'dns.no_address', { rcode: 'NOERROR', qtypes: (g.qtypes ?? []).sort((a, b) => a.seq - b.seq).map((x) => x.qtype) },
      g.addrNodata ? { rcode: 'NOERROR' } : { rcode: 'NOERROR', otherType: true }, g.addrNodata ? 'error' : 'warning')
    : null),
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

export default withVariants(CAUSE, { otherType: OTHER_TYPE }, (v) => (v.facts['otherType'] === true ? 'otherType' : null));
