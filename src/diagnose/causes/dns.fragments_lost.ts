/**
 * dns.fragments_lost: an answer arrived as IP fragments and some never did: fragments are dropped
 * on the path (EDNS buffer size, firewalls).
 *
 * No query of the name was answered, and while a query waited, fragments of a UDP datagram came
 * from the server it was sent to that never made a whole datagram (track/dns.ts matches them by
 * addresses and time: a fragment after the first carries no UDP port). A lookup answered in the end
 * after such a loss is ok with a warning (causes/ok.ts).
 */
import { defineCause } from '../cause.js';
import type { DnsRule, EvidenceAt } from '../outcome.js';
import { tenths } from '../outcome.js';
import { dnsEvidence, dnsOutcome, type DnsGroup } from '../dns-group.js';
import { proof } from '../evidence.js';
import { qtypeName } from '../../decode/names.js';
import { interval } from '../../time.js';
import { evidenceKind, limitKind, type Vars } from '../words.js';
import type { Localised, Lang } from '../../lang.js';
import type { Verdict } from '../verdict.js';

const FRAGMENT = evidenceKind<{ offset: number; ident: string; first: boolean }>('dns_fragment', {
  en: (a) => `IP fragment at offset ${a.offset} (ident ${a.ident})${a.first ? ', the first' : ', its earlier fragments missing'}`,
  zh: (a) => `偏移 ${a.offset} 的 IP 分片（标识 ${a.ident}）${a.first ? '，第一个分片' : '，它之前的分片缺失'}`,
}, { en: (a) => `fragment @${a.offset}`, zh: (a) => `分片 @${a.offset}` });

export const FRAGMENT_MATCH = limitKind('dns_fragment_match', {
  en: () => 'a fragment after the first carries no UDP port: it is tied to the query by addresses and time, and what the lost part of the answer held cannot be known',
  zh: () => '第一个之后的分片不带 UDP 端口：只能按地址和时间把它与查询对应起来，丢失部分的应答内容无法得知',
});

/** The advice on fragmented DNS answers (also for a lookup that worked after such a loss: causes/ok.ts). */
export const FRAGMENT_ADVICE: readonly Localised[] = [
  {
    en: 'Ask for smaller answers: lower the EDNS buffer size to 1232 bytes (`dig +bufsize=1232 @{server} {name}`; resolvers: `edns-buffer-size: 1232` in Unbound, `max-udp-size 1232;` in BIND, on the resolver and the server), so answers that do not fit come back truncated and are retried over TCP.',
    zh: '请求更小的应答：把 EDNS 缓冲区调到 1232 字节（`dig +bufsize=1232 @{server} {name}`；解析器：Unbound 的 `edns-buffer-size: 1232`、BIND 的 `max-udp-size 1232;`，解析器和服务器都要设置），装不下的应答会被截断并改用 TCP 重试。',
  },
  {
    en: 'Check that TCP port 53 to {server} is allowed (security group outbound rules, `iptables -L -n`): the truncated answer is retried over TCP.',
    zh: '检查到 {server} 的 TCP 53 端口是否放行（安全组出站规则、`iptables -L -n`）：被截断的应答会改用 TCP 重试。',
  },
  {
    en: 'Find the device that drops fragments: firewalls, NAT gateways and security groups often drop IP fragments (IPv6 fragments in particular, or every first fragment); allow fragments from {server}, or make answers fit one packet.',
    zh: '找出丢弃分片的设备：防火墙、NAT 网关和安全组常常丢弃 IP 分片（尤其是 IPv6 分片，或所有首个分片）；放行来自 {server} 的分片，或让应答能装进一个数据包。',
  },
];

/** The offsets seen, ascending and once each. */
export function offsetsSeen(g: DnsGroup): number[] {
  const s = new Set<number>();
  for (const l of g.lostFragments ?? []) for (const o of l.offsets) s.add(o);
  return [...s].sort((a, b) => a - b);
}

/** The fragments of answers that never came whole, as evidence (the first few). */
export function fragmentEvidence(g: DnsGroup): EvidenceAt[] {
  const ev: EvidenceAt[] = [];
  for (const l of g.lostFragments ?? []) {
    for (let i = 0; i < l.frames.length && ev.length < 6; i++) {
      ev.push(proof(FRAGMENT, l.frames[i]!, l.times[i]!, { from: l.server, to: g.first[0]!.client.ip }, { offset: l.offsets[i]!, ident: `0x${(l.ident >>> 0).toString(16)}`, first: l.offsets[i] === 0 }));
    }
  }
  return ev;
}

/** Queries unanswered while fragments of answers from their server came and never made a whole datagram. */
const FRAGMENTS_LOST: DnsRule = {
  on: 'dns',
  // After an ICMP error about the queries (70), before the plain silence (80) and a capture that
  // stopped too soon (75): the fragments show the server did answer.
  rank: 72,
  produces: ['dns.fragments_lost'],
  run(g) {
    if (g.answered > 0 || g.lostFragments === null || g.lostFragments.length === 0) return null;
    const offsets = offsetsSeen(g);
    const l0 = g.lostFragments[0]!;
    const edns = l0.ednsSize;
    const t0 = g.first[0]!;
    const o = dnsOutcome(g, 'dns.fragments_lost', {
      qtype: t0.qtype === null ? '' : qtypeName(t0.qtype),
      queries: g.queries,
      ednsUdpSize: edns >= 0 ? edns : null,
      fragmentOffsetsSeen: offsets,
      firstFragmentSeen: offsets[0] === 0,
      answersInPart: g.lostFragments.length,
      idents: g.lostFragments.map((l) => `0x${(l.ident >>> 0).toString(16)}`),
    }, { attempts: g.queries, seconds: tenths(interval(g.lastQ, g.firstQ)), offsetsText: offsets.join(', '), ednsSize: edns });
    o.evidence = [...dnsEvidence(g), ...fragmentEvidence(g)].sort((a, b) => a.frame - b.frame);
    o.limits.push(FRAGMENT_MATCH.of({}));
    return o;
  },
};

function fragVars(v: Verdict, lang: Lang): Vars {
  const e = v.facts['ednsSize'];
  return { ednsSize: typeof e === 'number' && e >= 0 ? `${e}` : (lang === 'zh' ? '未声明（无 EDNS）' : 'not announced (no EDNS)') };
}

export default defineCause({
  code: 'dns.fragments_lost',
  layer: 'dns',
  severity: 'error',
  live: 'timeout',
  rules: [FRAGMENTS_LOST],
  vars: fragVars,
  words: {
    en: {
      summary: '{name}: the DNS answer from {server} was fragmented and fragments were lost',
      explanation:
        'The queries for {name} ({qtype}) to {server} announced an EDNS buffer size of {ednsSize} bytes, so the server sent an answer too big for one packet, in IP fragments. Only the fragments at offset {offsetsText} reached the client, so the answer could never be put together, and the lookup failed as if no answer had come. Something on the path drops IP fragments: a firewall, a NAT gateway or a security group that filters them.',
      advice: [FRAGMENT_ADVICE[0]!.en, FRAGMENT_ADVICE[1]!.en, FRAGMENT_ADVICE[2]!.en],
    },
    zh: {
      summary: '{name}：来自 {server} 的 DNS 应答被分片，且有分片丢失',
      explanation:
        '对 {name}（{qtype}）发往 {server} 的查询声明的 EDNS 缓冲区大小为 {ednsSize} 字节，因此服务器发出的应答一个数据包装不下，以 IP 分片的形式发出。只有偏移为 {offsetsText} 的分片到达了客户端，应答始终无法重组，查询就像没有收到应答一样失败了。路径上有设备丢弃了 IP 分片：防火墙、NAT 网关或过滤分片的安全组。',
      advice: [FRAGMENT_ADVICE[0]!.zh, FRAGMENT_ADVICE[1]!.zh, FRAGMENT_ADVICE[2]!.zh],
    },
  },
});
