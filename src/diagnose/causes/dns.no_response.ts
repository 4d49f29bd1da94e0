/**
 * dns.no_response: queries (and their retries) got no answer
 */
import { defineCause, reworded, withVariants } from '../cause.js';
import type { DnsRule } from '../outcome.js';
import { tenths } from '../outcome.js';
import { dnsOutcome, type DnsGroup } from '../dns-group.js';
import type { Lang } from '../../lang.js';
import type { Verdict } from '../verdict.js';
import { limitKind, MISSING, type Vars } from '../words.js';
import { interval } from '../../time.js';

export const MISSES_CLIENT = limitKind<{ client: string }>('capture_misses_client', {
  en: (a) => `the capture misses packets sent to ${a.client}: a TCP connection of it holds only its own side`,
  zh: (a) => `抓包缺少发往 ${a.client} 的数据包：它的某条 TCP 连接只有它自己一侧的报文`,
});

/** Seconds after a name's last unanswered query within which a connection by that name shows the client had its address. */
export const NAME_USED_WITHIN = 10;

/** Queries (and their retries) without any answer, and no ICMP error about them. */
const UNANSWERED: DnsRule = {
  on: 'dns',
  rank: 80,
  produces: ['dns.no_response'],
  run(g, ctx) {
    if (g.answered > 0) return null;
    const queries = g.queries;
    const waited = tenths(interval(ctx.captureEnd, g.lastQ));
    // (One query, or one burst, and a capture that stopped before the resolver's timeout: capture.ended_early, rank 75.)
    const o = dnsOutcome(g, 'dns.no_response', { queries, waitedSeconds: waited }, { attempts: queries, seconds: tenths(interval(g.lastQ, g.firstQ)), waited, askedAgain: g.askedAgain });
    // Answered only truncated, without records: the client had to ask again over TCP, and no
    // answer over TCP came (or the TCP retry was never made).
    if (g.truncated > 0) {
      o.details['truncated'] = true;
      o.facts['truncated'] = true;
    }
    // Queries sent to several servers (a client going through its resolvers): all are named.
    const servers = serversAsked(g);
    if (servers.length > 1) {
      o.details['servers'] = servers;
      o.facts['servers'] = servers;
    }
    // The capture misses packets toward this client (a connection of its was one-sided): answers
    // may have come without being captured.
    const client = g.first[0]!.client.ip;
    // The one server asked answered other queries in the capture: it is up and reachable, and its
    // answers are seen here; the silence is particular to this lookup.
    const answers = servers.length <= 1 && g.truncated === 0 ? ctx.answersFrom?.(g.first[0]!.server.ip, client) : undefined;
    if (answers !== undefined && answers.all > 0) {
      o.details['serverAnsweredOthers'] = { answers: answers.all, toClient: answers.toClient };
      o.facts['serverAnswers'] = answers.all;
      o.facts['toClient'] = answers.toClient;
    }
    if (ctx.missesToward?.(client) === true) {
      o.severity = 'warning';
      o.details['captureMissesClient'] = true;
      o.facts['client'] = client;
      o.limits.push(MISSES_CLIENT.of({ client }));
    }
    return o;
  },
};

/** The servers the group's queries went to, in the order first asked (at most MAX_NAMED). */
function serversAsked(g: DnsGroup): string[] {
  const out: string[] = [];
  for (const f of g.flows ?? []) if (!out.includes(f.server.ip)) out.push(f.server.ip);
  return out;
}

/** Servers named in the words at most; more are counted. */
const MAX_NAMED = 3;

/** 'the DNS server 192.0.2.53', 'the DNS servers 4.2.2.2 and 4.2.2.1' (and the bare list, for the explanation). */
function serverVars(v: Verdict, lang: Lang): Vars {
  const list = Array.isArray(v.facts['servers']) ? (v.facts['servers'] as unknown[]).map(String) : [];
  if (list.length < 2) {
    const one = String(v.facts['server'] ?? '');
    return { serversText: one, fromServers: lang === 'en' ? `the DNS server ${one}` : `DNS 服务器 ${one}` };
  }
  const named = list.slice(0, MAX_NAMED);
  const more = list.length - named.length;
  const text = lang === 'en'
    ? (more > 0 ? `${named.join(', ')} and ${more} more` : `${named.slice(0, -1).join(', ')} and ${named[named.length - 1]}`)
    : (more > 0 ? `${named.join('、')} 等 ${list.length} 个服务器` : `${named.slice(0, -1).join('、')} 和 ${named[named.length - 1]}`);
  return { serversText: text, fromServers: lang === 'en' ? `the DNS servers ${text}` : `DNS 服务器 ${text}` };
}

/** '3 other queries' a server answered, and ' (2 of them to this client)' (nothing when none went to the client). */
function answersVars(v: Verdict, lang: Lang): Vars {
  const n = typeof v.facts['serverAnswers'] === 'number' ? v.facts['serverAnswers'] : 0;
  const to = typeof v.facts['toClient'] === 'number' ? v.facts['toClient'] : 0;
  const otherAnswersText = lang === 'zh' ? `其他 ${n} 个查询` : n === 1 ? '1 other query' : `${n} other queries`;
  if (to === 0) return { otherAnswersText, toClientText: '' };
  if (lang === 'zh') return { otherAnswersText, toClientText: n === 1 ? '（就是给该客户端的）' : `（其中 ${to} 个是给该客户端的）` };
  return { otherAnswersText, toClientText: to === 1 ? (n === 1 ? ' (to this client)' : ' (one of them to this client)') : ` (${to} of them to this client)` };
}

/**
 * '3 queries over 10 s', '1 query' (a single query spans no time), '3 queries' when the span is
 * unknown (the capture's clock stepped back between them: time.ts `interval`).
 */
function queryVars(v: Verdict, lang: Lang): Vars {
  const n = typeof v.facts['attempts'] === 'number' ? v.facts['attempts'] : v.attempts;
  const seconds = v.facts['seconds'] ?? MISSING;
  const known = v.facts['seconds'] !== null;
  if (lang === 'zh') return { queriesText: n === 1 ? '只查询 1 次' : known ? `${seconds} 秒内查询 ${n} 次` : `查询 ${n} 次` };
  return { queriesText: n === 1 ? '1 query' : known ? `${n} queries over ${seconds} s` : `${n} queries` };
}

/** Said without how long the capture went on after the last query, when its clock cannot tell (it stepped back). */
const NO_WAIT = {
  explanation: {
    en: 'The client\'s queries for {name} ({qtype}) to {serversText} ({queriesText}) got no reply. A capture on the client cannot tell whether the queries or the answers were lost.',
    zh: '客户端向 {serversText} 查询 {name}（{qtype}）（{queriesText}），均未收到应答。在客户端抓包无法判断丢失的是查询还是应答。',
  },
  advice: {
    4: {
      en: 'If the capture stopped soon after the last query, the answer may simply have come later: capture longer.',
      zh: '如果抓包在最后一次查询后很快就停止了，应答可能只是来得晚：延长抓包时间。',
    },
  },
} as const;

const CAUSE = defineCause({
  code: 'dns.no_response',
  layer: 'dns',
  severity: 'error',
  live: 'timeout',
  rules: [UNANSWERED],
  vars: (v, lang) => ({ ...queryVars(v, lang), ...serverVars(v, lang), ...answersVars(v, lang) }),
  // The capture is shown to miss packets toward the client (MISSES_CLIENT): answers may be unseen.
  warning: {
    en: {
      summary: '{name}: no answer seen from {fromServers} ({queriesText}); the capture misses packets toward the client',
      explanation:
        'The client\'s queries for {name} ({qtype}) to {serversText} ({queriesText}) have no reply in the capture, but the capture is shown to miss packets sent to {client}: one of its TCP connections holds only the client\'s side. The answers may have come without being captured. Whether this name resolved cannot be judged from this capture.',
      advice: [
        'Capture on the client itself (`tcpdump -i any host {client}`), or on a link that carries both directions.',
        'Check the capture filter: a filter on the source address (`src host ...`) keeps one direction only.',
      ],
    },
    zh: {
      summary: '{name}：抓包中没有看到 {fromServers} 的应答（{queriesText}）；抓包缺少发往客户端的数据包',
      explanation:
        '客户端向 {serversText} 查询 {name}（{qtype}）（{queriesText}），抓包中没有应答，但可以证明抓包缺少发往 {client} 的数据包：它的某条 TCP 连接只有客户端一侧的报文。应答可能来过但没有被抓到。据此无法判断该域名是否解析成功。',
      advice: [
        '在客户端本机抓包（`tcpdump -i any host {client}`），或在同时承载双向流量的链路上抓包。',
        '检查抓包过滤条件：按源地址过滤（`src host ...`）只会保留一个方向。',
      ],
    },
  },
  words: {
    en: {
      summary: '{name}: no answer from {fromServers} ({queriesText})',
      explanation:
        'The client\'s queries for {name} ({qtype}) to {serversText} ({queriesText}) got no reply; the capture went on {waited} s after the last query. A capture on the client cannot tell whether the queries or the answers were lost.',
      advice: [
        'Check that outbound UDP and TCP port 53 to {server} is allowed: the cloud security group outbound rules and network ACL, and the host firewall (`iptables -L -n`, `firewall-cmd --list-all`).',
        'Check that {server} is the right resolver and is up: the `nameserver` lines of /etc/resolv.conf; `dig @{server} {name}` or `nslookup {name} {server}` from this host and from another host on the same network.',
        'Check the route to {server}: `ip route get {server}`; a VPN or a changed route table can send DNS elsewhere.',
        'If only large answers are lost (DNSSEC, many records), a firewall may drop UDP fragments or TCP 53: try `dig +tcp @{server} {name}`.',
        'If the capture stopped soon after the last query ({waited} s), the answer may simply have come later: capture longer.',
      ],
    },
    zh: {
      summary: '{name}：{fromServers} 无应答（{queriesText}）',
      explanation:
        '客户端向 {serversText} 查询 {name}（{qtype}）（{queriesText}），均未收到应答；最后一次查询之后抓包又持续了 {waited} 秒。在客户端抓包无法判断丢失的是查询还是应答。',
      advice: [
        '检查到 {server} 的出站 UDP 和 TCP 53 端口是否放行：云平台安全组出站规则和网络 ACL，以及主机防火墙（`iptables -L -n`、`firewall-cmd --list-all`）。',
        '确认 {server} 是正确的 DNS 服务器且在运行：/etc/resolv.conf 中的 `nameserver` 行；在本机和同网络的另一台主机上执行 `dig @{server} {name}` 或 `nslookup {name} {server}`。',
        '检查到 {server} 的路由：`ip route get {server}`；VPN 或路由表变更可能把 DNS 流量送到别处。',
        '如果只有大的应答丢失（DNSSEC、记录很多），防火墙可能丢弃了 UDP 分片或 TCP 53：试试 `dig +tcp @{server} {name}`。',
        '如果抓包在最后一次查询后很快就停止了（{waited} 秒），应答可能只是来得晚：延长抓包时间。',
      ],
    },
  },
});

/**
 * The server asked answered other queries in the capture (details.serverAnsweredOthers): it is up,
 * reachable from the capture point, and its answers are captured, so the firewall and route
 * advice of the general words does not fit; what is left is particular to this lookup. (Zeek's
 * dns-edns-ecs, captured at an authoritative server: a Google resolver's query it left
 * unanswered among the answers it gave.)
 */
const SERVER_ANSWERS = {
  en: {
    summary: '{name}: no answer from {server} ({queriesText}), which answered other queries in this capture',
    explanation:
      'The client\'s queries for {name} ({qtype}) to {server} ({queriesText}) got no reply; the capture went on {waited} s after the last query. {server} answered {otherAnswersText} in this capture{toClientText}: it answers, and its answers reach the capture point, so what failed is most likely particular to this lookup. A server drops the queries it is told to ignore without a word (a deny zone, a DNS firewall or filter, response rate limiting); a resolver stays silent while it cannot get an answer from the name\'s authoritative servers (down, unreachable from it, or answering badly). Queries or answers lost on the way are possible too, the likelier the fewer the queries.',
    advice: [
      'Ask again by hand: `dig @{server} {name} {qtype}`; then, from another host, `dig {name} {qtype} +trace` to see which authoritative servers the name has and whether they answer.',
      'On {server}, look for what drops this name or this client: its query log, a deny or drop zone (Unbound `local-zone: ... deny`, a BIND response policy zone), a DNS firewall, rate limiting (`unbound-control stats`, `rndc stats`).',
      'If {server} is a resolver, check that it reaches the name\'s authoritative servers: outbound UDP and TCP port 53 from the resolver, and `dig @<authoritative server> {name}` run on it.',
      'If the capture stopped soon after the last query ({waited} s), the answer may simply have come later: capture longer.',
    ],
  },
  zh: {
    summary: '{name}：{server} 无应答（{queriesText}），而它在本次抓包中应答了其他查询',
    explanation:
      '客户端向 {server} 查询 {name}（{qtype}）（{queriesText}），均未收到应答；最后一次查询之后抓包又持续了 {waited} 秒。{server} 在本次抓包中应答了{otherAnswersText}{toClientText}：它会应答，它的应答也能被抓到，所以失败的很可能是这一次解析本身。服务器会不作回应地丢弃它被配置为忽略的查询（拒绝查询的区域、DNS 防火墙或过滤、应答限速）；递归解析服务器在得不到该域名权威服务器的应答时（权威服务器宕机、从它那里不可达或应答异常）也会保持沉默。查询或应答也可能在路上丢失，查询次数越少，这种可能越大。',
    advice: [
      '手动再查一次：`dig @{server} {name} {qtype}`；然后在另一台主机上执行 `dig {name} {qtype} +trace`，查看该域名有哪些权威服务器以及它们是否应答。',
      '在 {server} 上查找丢弃该域名或该客户端查询的原因：查询日志、拒绝或丢弃查询的区域（Unbound 中拒绝类型的 `local-zone`、BIND 的响应策略区）、DNS 防火墙、限速（`unbound-control stats`、`rndc stats`）。',
      '如果 {server} 是递归解析服务器，检查它能否访问该域名的权威服务器：从解析服务器出站的 UDP 和 TCP 53 端口，并在它上面执行 `dig @<权威服务器> {name}`。',
      '如果抓包在最后一次查询后很快就停止了（{waited} 秒），应答可能只是来得晚：延长抓包时间。',
    ],
  },
} as const;

/**
 * Answered only with truncated responses without records (the TC flag): the answer did not fit
 * in UDP and no answer over TCP followed — TCP 53 blocked or not served, the classic of large
 * answers (DNSSEC, TXT, many records). A NODATA was read from such an answer before.
 */
const TRUNCATED = {
  en: {
    summary: '{name}: the answer from {fromServers} did not fit in UDP (truncated) and no answer over TCP followed',
    explanation:
      '{serversText} answered the query for {name} ({qtype}) with a truncated response (the TC flag, no records): the answer is larger than a UDP message may carry, and the client must ask again over TCP port 53. No answer over TCP is in the capture: the TCP connection to port 53 failed, was never made, or got no reply. Usually a firewall or security group lets UDP 53 through but blocks TCP 53, or the resolver does not serve TCP.',
    advice: [
      'Ask over TCP yourself: `dig +tcp @{server} {name} {qtype}`; a timeout or a refusal means TCP 53 is blocked or not served.',
      'Allow TCP port 53 to {server} as well as UDP: the cloud security group and network ACL outbound rules, the host firewall (`iptables -L -n`, `firewall-cmd --list-all`).',
      'On the resolver, check that it listens on TCP port 53 (`ss -ltn \'sport = :53\'`).',
    ],
  },
  zh: {
    summary: '{name}：{fromServers} 的应答在 UDP 中放不下（被截断），之后没有经 TCP 的应答',
    explanation:
      '{serversText} 对 {name}（{qtype}）的查询回复了一个被截断的应答（TC 标志，没有记录）：应答超出了一个 UDP 消息能承载的大小，客户端必须改用 TCP 53 端口重新查询。抓包中没有经 TCP 的应答：到 53 端口的 TCP 连接失败、没有发起，或没有得到回复。常见原因是防火墙或安全组放行了 UDP 53 却拦截了 TCP 53，或者该解析服务器不提供 TCP 服务。',
    advice: [
      '自己用 TCP 查询一次：`dig +tcp @{server} {name} {qtype}`；超时或被拒绝说明 TCP 53 被拦截或未提供服务。',
      '除 UDP 外也放行到 {server} 的 TCP 53 端口：云平台安全组和网络 ACL 的出站规则、主机防火墙（`iptables -L -n`、`firewall-cmd --list-all`）。',
      '在解析服务器上检查是否在 TCP 53 端口监听（`ss -ltn \'sport = :53\'`）。',
    ],
  },
} as const;

/**
 * A lookup the client gave up on, of a name its other lookups resolved (diagnose.ts dnsVerdicts,
 * a warning): the queries or their answers were lost now and then. The program that made that
 * lookup failed ("could not resolve host") or waited.
 */
const INTERMITTENT = {
  en: {
    summary: '{name}: a lookup got no answer from {fromServers} ({queriesText}); other lookups of the name were answered',
    explanation:
      'The client asked {serversText} for {name} ({qtype}) and got no reply ({queriesText}), and no answer for the name came from any server while it waited: that lookup failed, and the program that made it saw an error such as "Could not resolve host", or gave up waiting. Its other lookups of {name} in this capture were answered, so the name exists and the resolver answers: queries or answers are lost now and then (packet loss on the way, or a resolver that drops queries under load or rate-limits this client). A capture on the client cannot tell which of the two was lost.',
    advice: [
      'Look for packet loss on the path to {server}: `mtr -n -u -P 53 {server}`, the interfaces\' error and drop counters (`ip -s link`), a saturated link or a busy firewall.',
      'Look at the resolver {server} under load: its query logs and statistics (`unbound-control stats`, `rndc stats`), rate limiting (RRL) that may catch this client.',
      'Make the client ride over single losses: a second `nameserver` line in /etc/resolv.conf and `options timeout:1 attempts:3`, or a local caching resolver (systemd-resolved, nscd, dnsmasq).',
      'Capture on the resolver as well: a query seen there unanswered is the resolver\'s; a query never seen there was lost on the way.',
    ],
  },
  zh: {
    summary: '{name}：一次查询没有得到 {fromServers} 的应答（{queriesText}）；对该域名的其他查询均有应答',
    explanation:
      '客户端向 {serversText} 查询 {name}（{qtype}），没有收到回复（{queriesText}），在等待期间也没有任何服务器给出该域名的应答：这次解析失败了，发起它的程序会看到"Could not resolve host"之类的错误，或者等待超时后放弃。本次抓包中客户端对 {name} 的其他查询都有应答，说明该域名存在、解析服务器也在应答：查询或应答时有丢失（路径上丢包，或解析服务器在高负载时丢弃查询、对该客户端限速）。在客户端抓包无法判断丢失的是查询还是应答。',
    advice: [
      '检查到 {server} 的路径是否丢包：`mtr -n -u -P 53 {server}`，网卡的错误和丢包计数（`ip -s link`），链路是否拥塞、防火墙是否过载。',
      '检查解析服务器 {server} 在负载下的表现：查询日志和统计（`unbound-control stats`、`rndc stats`），以及可能作用于该客户端的限速（RRL）。',
      '让客户端能承受偶发丢包：在 /etc/resolv.conf 中增加第二个 `nameserver` 并设置 `options timeout:1 attempts:3`，或使用本地缓存解析（systemd-resolved、nscd、dnsmasq）。',
      '同时在解析服务器上抓包：在那里看到但未应答的查询是解析服务器的问题；在那里根本没有出现的查询是在路上丢失的。',
    ],
  },
} as const;

const BY_WAIT = withVariants(CAUSE, { noWait: reworded(CAUSE.words, NO_WAIT) }, (v) => (typeof v.facts['waited'] === 'number' ? null : 'noWait'));
const BY_TRUNCATION = withVariants(BY_WAIT, { truncated: TRUNCATED }, (v) => (v.facts['truncated'] === true && v.severity === 'error' ? 'truncated' : null));
/**
 * Said of a query sent once and never again in a capture whose every packet goes one way
 * (diagnose.ts `silence`, details.sentOnce): nothing shows the client waited, nor that an answer
 * could be seen.
 */
const SENT_ONCE = {
  en: {
    summary: '{name}: one query to {serversText}, never sent again, with no answer seen; nothing in the capture answers anything',
    explanation:
      'The client asked {serversText} for {name} ({qtype}) once and never asked again, although the capture went on {waited} s: a resolver library still waiting for an answer asks again after 1 to 5 s. And the capture holds no reply to anything (no packet in it answers another, none to {client}): a capture of outgoing packets only (a `src host` filter, or a link that carries one direction) looks the same. So nothing shows the query went unanswered: its answer may have come without being captured, or the program that asked stopped waiting at once.',
    advice: [
      'Capture both directions on the client (`tcpdump -i any host {client} and port 53`), and check the capture filter: a filter on the source address (`src host ...`) keeps one direction only.',
      'Ask the resolver yourself: `dig @{server} {name}`; no answer there is a resolver that does not answer, and then the firewall rules for UDP and TCP port 53 to {server} are the next to check.',
    ],
  },
  zh: {
    summary: '{name}：向 {serversText} 只查询了一次，没有重发，也没有看到应答；抓包中没有任何数据包应答过别的数据包',
    explanation:
      '客户端向 {serversText} 查询 {name}（{qtype}）只查询了一次，之后再没有重发，而抓包又持续了 {waited} 秒：仍在等待应答的解析库会在 1 到 5 秒后重新查询。而且抓包中没有任何回应（没有一个数据包是对另一个数据包的应答，也没有发往 {client} 的应答）：只抓取发出数据包的抓包（`src host` 过滤条件，或只承载一个方向的链路）看起来也是这样。所以没有任何证据表明这个查询没有得到应答：应答可能来过但没有被抓到，或者发起查询的程序立即停止了等待。',
    advice: [
      '在客户端同时抓取两个方向的流量（`tcpdump -i any host {client} and port 53`），并检查抓包过滤条件：按源地址过滤（`src host ...`）只会保留一个方向。',
      '自己向解析服务器查询：`dig @{server} {name}`；如果没有应答，才是解析服务器不回应，接下来检查到 {server} 的 UDP 和 TCP 53 端口的防火墙规则。',
    ],
  },
} as const;

const BY_ANSWERS = withVariants(BY_TRUNCATION, { serverAnswers: SERVER_ANSWERS },
  (v) => (typeof v.facts['serverAnswers'] === 'number' && typeof v.facts['waited'] === 'number' && v.severity === 'error' && v.facts['truncated'] !== true ? 'serverAnswers' : null));
const BY_INTERMITTENT = withVariants(BY_ANSWERS, { intermittent: INTERMITTENT }, (v) => (v.facts['intermittent'] === true ? 'intermittent' : null));
/** No answer in the capture, yet the client connected to the name by that name (details.connectedByName: Diagnosis.dnsVerdicts). */
const CONNECTED = {
  en: {
    summary: '{name}: no answer seen from {fromServers} ({queriesText}), yet the client connected to {name}',
    explanation:
      'The client\'s queries for {name} ({qtype}) to {serversText} ({queriesText}) have no reply in the capture, yet the client then connected to {name} by that name (TLS SNI or HTTP Host): it had the address. The answer came and the capture missed it, or the address came from elsewhere (a cache, a hosts file, another resolver): either way, this silence did not stop the client.',
    advice: [
      'If the capture dropped packets (see its warnings), capture again with a larger buffer (`tcpdump -B 4096`) or on the client itself.',
      'Compare `getent hosts {name}` with `dig @{server} {name}`: an address from /etc/hosts or a cache does not need the resolver.',
    ],
  },
  zh: {
    summary: '{name}：抓包中没有看到 {fromServers} 的应答（{queriesText}），但客户端随后连接了 {name}',
    explanation:
      '客户端向 {serversText} 查询 {name}（{qtype}）（{queriesText}），抓包中没有应答，但客户端随后以这个名字（TLS SNI 或 HTTP Host）连接了 {name}：它已经有了地址。要么应答到了而抓包漏掉了，要么地址来自别处（缓存、hosts 文件、另一个解析服务器）：无论哪种情况，这次无应答都没有妨碍客户端。',
    advice: [
      '如果抓包丢了包（见抓包的警告），用更大的缓冲区重新抓包（`tcpdump -B 4096`），或直接在客户端上抓包。',
      '对比 `getent hosts {name}` 和 `dig @{server} {name}` 的结果：来自 /etc/hosts 或缓存的地址不需要经过解析器。',
    ],
  },
};
const BY_CONNECTED = withVariants(BY_INTERMITTENT, { connectedByName: CONNECTED }, (v) => (v.details['connectedByName'] === true ? 'connectedByName' : null));
/** Sent once for each of several query types (an A, then an AAAA …), none asked again: SENT_ONCE's case for several queries. */
const SENT_ONCE_EACH = {
  en: {
    summary: '{name}: {queriesText} to {serversText}, none asked again, with no answer seen; nothing in the capture answers anything',
    explanation:
      'The client asked {serversText} for {name} ({qtype}), each question once, and never asked the same again, although the capture went on {waited} s: a resolver library still waiting for an answer asks again after 1 to 5 s. And the capture holds no reply to anything (no packet in it answers another, none to {client}): a capture of outgoing packets only (a `src host` filter, or a link that carries one direction) looks the same. So nothing shows the queries went unanswered: their answers may have come without being captured.',
    advice: SENT_ONCE.en.advice,
  },
  zh: {
    summary: '{name}：向 {serversText} {queriesText}，没有一个重发，也没有看到应答；抓包中没有任何数据包应答过别的数据包',
    explanation:
      '客户端向 {serversText} 查询 {name}（{qtype}），每个问题只问了一次，之后再没有重复询问，而抓包又持续了 {waited} 秒：仍在等待应答的解析库会在 1 到 5 秒后重新查询。而且抓包中没有任何回应（没有一个数据包是对另一个数据包的应答，也没有发往 {client} 的应答）：只抓取发出数据包的抓包（`src host` 过滤条件，或只承载一个方向的链路）看起来也是这样。所以没有任何证据表明这些查询没有得到应答：应答可能来过但没有被抓到。',
    advice: SENT_ONCE.zh.advice,
  },
} as const;

export default withVariants(BY_CONNECTED, { sentOnce: SENT_ONCE, sentOnceEach: SENT_ONCE_EACH },
  (v) => (v.details['sentOnce'] !== true ? null : v.details['queries'] === 1 ? 'sentOnce' : 'sentOnceEach'));
