/**
 * dns.update_refused: a DNS server answered a dynamic update (RFC 2136, opcode UPDATE) with an
 * error: the client's records were not changed. A dynamic update is no lookup: its "question" is
 * the zone to change; the name lookup rules (dns.refused, dns.error) would read it as one ("the
 * server refused the query for the zone's SOA"). Clients send such updates to register their own
 * name (Windows with every address change, DHCP clients, nsupdate in scripts); a refusal is a
 * failure only of that registration, and often harmless (the DHCP server registers names instead,
 * nothing looks the host up): a warning. Other messages that are no lookups (NOTIFY, IQUERY) make
 * no verdict at all (diagnose.ts addDns).
 */
import { defineCause } from '../cause.js';
import { outcome, type DnsUpdateRule } from '../outcome.js';
import { proof } from '../evidence.js';
import { evidenceKind } from '../words.js';
import { rcodeName } from '../../decode/names.js';

/** The opcode of a dynamic update (RFC 2136 §1.3). */
export const OPCODE_UPDATE = 5;

const UPDATE = evidenceKind<{ zone: string; server: string }>('dns_update', {
  en: (a) => `DNS dynamic update of zone ${a.zone} to ${a.server}`,
  zh: (a) => `发往 ${a.server} 的 DNS 动态更新，区域 ${a.zone}`,
}, { en: () => 'UPDATE', zh: () => 'UPDATE' });

const UPDATE_ANSWER = evidenceKind<{ rcode: string }>('dns_update_answer', {
  en: (a) => `answer ${a.rcode}: the update was not made`,
  zh: (a) => `应答 ${a.rcode}：更新未执行`,
}, { en: (a) => a.rcode, zh: (a) => a.rcode });

const RULE: DnsUpdateRule = {
  on: 'dnsUpdate',
  rank: 10,
  produces: ['dns.update_refused'],
  run(t) {
    if (t.opcode !== OPCODE_UPDATE || t.rcode === null || t.rcode === 0 || t.responseFrame === null || t.query === null) return null;
    const rcode = rcodeName(t.rcode);
    const server = t.server.ip;
    const ev = [proof(UPDATE, t.queryFrames[0] ?? t.responseFrame, t.queryTimes[0] ?? t.responseTime!, { from: t.client.ip, to: server }, { zone: t.query, server })];
    ev.push(proof(UPDATE_ANSWER, t.responseFrame, t.responseTime!, { from: server, to: t.client.ip }, { rcode }));
    ev.sort((a, b) => a.frame - b.frame);
    return outcome('dns.update_refused', ev, { server, rcode, zone: t.query }, { server, rcode }, 'warning');
  },
};

export default defineCause({
  code: 'dns.update_refused',
  layer: 'dns',
  severity: 'warning',
  live: 'end',
  rules: [RULE],
  words: {
    en: {
      summary: '{name}: the DNS server {server} did not take the client\'s dynamic update ({rcode})',
      explanation:
        '{client} sent {server} a dynamic update of zone {name} (RFC 2136), to register its own name or records, and the server answered {rcode}: nothing was changed. REFUSED: the server takes no updates from {client} (none allowed for it, or secure updates only, as Active Directory zones); NOTIMP: it does not implement updates (a caching resolver, a home router); NOTAUTH: it is not authoritative for the zone. Lookups of the name the client meant to register give the old answer, or none. Many clients try such an update with every address change and carry on: harmless when nothing needs to find this host by name, or when the DHCP server registers names for its clients.',
      advice: [
        'Find out whether the name needs registering: if other hosts look {client} up by name, check the name resolves (`dig` it at the zone\'s servers).',
        'Updates go to the zone\'s primary server, the one named in its SOA record (`dig {name} SOA`): a resolver or a secondary does not take them.',
        'On the primary, allow updates from {client}: BIND `allow-update` or `update-policy` for the zone (with a TSIG key: `nsupdate -k`), or the Active Directory zone\'s dynamic updates setting (secure only needs a domain-joined client); or let the DHCP server register names for its clients.',
      ],
    },
    zh: {
      summary: '{name}：DNS 服务器 {server} 未接受客户端的动态更新（{rcode}）',
      explanation:
        '{client} 向 {server} 发送了区域 {name} 的动态更新（RFC 2136），用于登记它自己的名称或记录，服务器回复 {rcode}：没有任何改动。REFUSED：服务器不接受来自 {client} 的更新（没有为它开放更新，或只接受安全更新，例如活动目录的区域）；NOTIMP：服务器不支持更新（缓存解析器、家用路由器）；NOTAUTH：它不是该区域的权威服务器。客户端想登记的名称，查询时得到的是旧的结果，或者查不到。许多客户端每次地址变化都会尝试这样的更新，失败后照常工作：如果没有谁需要按名称找到这台主机，或由 DHCP 服务器为客户端登记名称，就没有影响。',
      advice: [
        '先确认这个名称是否需要登记：如果其他主机要按名称访问 {client}，检查该名称能否解析（在该区域的服务器上用 `dig` 查询）。',
        '更新应发往区域的主服务器，即其 SOA 记录中指明的那台（`dig {name} SOA`）：解析器或辅服务器不接受更新。',
        '在主服务器上允许 {client} 更新：BIND 为该区域配置 `allow-update` 或 `update-policy`（使用 TSIG 密钥：`nsupdate -k`），或活动目录区域的动态更新设置（仅安全更新要求客户端加入域）；也可以改由 DHCP 服务器为客户端登记名称。',
      ],
    },
  },
});
