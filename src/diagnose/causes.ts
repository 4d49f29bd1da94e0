/**
 * The cause catalogue: for every cause code of the contract, its layer, severity and the words a
 * person reads — a one-line summary, what the packets show, and what to check next (most likely
 * first) — in English and Simplified Chinese. The advice follows the troubleshooting guides the
 * product is built from (security group outbound rules, `iptables -L -n`, routes, proxies,
 * /etc/resolv.conf, CA bundle, NTP, `openssl s_client`, `curl -v`, `nc -zv`, `dig` ...).
 *
 *   CAUSES                           code → { layer, severity, en, zh, warning? }
 *   type CauseCode                   keyof typeof CAUSES (exactly the contract's codes)
 *   CAUSE_CODES                      every code, in catalogue order
 *   isCauseCode(s)                   type guard
 *   describeCause(code, lang, vars, severity?)  { summary, explanation, advice } filled in
 *   pickLang(vars, lang)             resolves { en, zh } values of a vars object to one language
 *   ttlNote(facts, lang)             the {ttlNote} sentence for tcp.reset_injected
 *   edeNote(ede, lang)               the {edeNote} sentence for dns.servfail / dns.error
 *
 * Texts use the placeholders documented in text.ts (PLACEHOLDERS); en and zh of one entry use
 * the same set (the tests check both).
 */
import { alertAdvice, edeMeaning, TLS_ALERTS } from './alerts.js';
import { fill, senderName, type Lang, type Vars } from './text.js';
import type { Layer, Severity } from '../report/model.js';

export type { Layer, Severity };

export interface CauseText {
  /** The one line a person reads first. */
  summary: string;
  /** What the packets show, in plain words. */
  explanation: string;
  /** The next things to check or change, most likely first. */
  advice: readonly string[];
}

export interface CauseEntry {
  layer: Layer;
  severity: Severity;
  en: CauseText;
  zh: CauseText;
  /** Wording when the diagnosis gives this cause severity 'warning' (ok after failed attempts). */
  warning?: { en: CauseText; zh: CauseText };
}

/** The cause codes of ../shared/CONTRACT.md. */
export const CONTRACT_CAUSES = [
  'ok',
  'dns.nxdomain', 'dns.servfail', 'dns.refused', 'dns.no_response', 'dns.no_address', 'dns.error',
  'icmp.net_unreachable', 'icmp.host_unreachable', 'icmp.port_unreachable', 'icmp.protocol_unreachable',
  'icmp.admin_prohibited', 'icmp.frag_needed', 'icmp.ttl_exceeded',
  'tcp.syn_unanswered', 'tcp.refused', 'tcp.reset', 'tcp.reset_injected', 'tcp.handshake_incomplete',
  'tcp.stalled', 'tcp.pmtu_blackhole',
  'tls.alert', 'tls.no_server_hello', 'tls.client_rejected', 'tls.cert_expired', 'tls.cert_not_yet_valid',
  'tls.cert_name_mismatch',
  'http.error_status', 'http.no_response', 'http.proxy_refused',
] as const;

type ContractCause = (typeof CONTRACT_CAUSES)[number];
type LayerOf<K extends string> = K extends `${infer L}.${string}` ? L : K;

/** Every contract code, each with the layer its prefix names; no other key (satisfies). */
type Catalogue = { readonly [K in ContractCause]: CauseEntry & { layer: LayerOf<K> } };

// Advice lines shared by several entries.
const OPENSSL = {
  en: 'Reproduce from the client: `openssl s_client -connect {host}:{port} -servername {host}` and read the "Verify return code" line; `curl -v https://{host}:{port}/` shows the same failure from curl.',
  zh: '在客户端复现：`openssl s_client -connect {host}:{port} -servername {host}`，查看 "Verify return code" 一行；`curl -v https://{host}:{port}/` 可从 curl 的角度看到同样的失败。',
};
const TLS_REPRO = {
  en: 'Reproduce from the client: `openssl s_client -connect {host}:{port} -servername {host}` and read the error it prints; `curl -v https://{host}:{port}/` shows the same failure from curl.',
  zh: '在客户端复现：`openssl s_client -connect {host}:{port} -servername {host}`，查看它打印的错误；`curl -v https://{host}:{port}/` 可从 curl 的角度看到同样的失败。',
};
const CERT_DATES = {
  en: 'Read the dates the server serves now: `openssl s_client -connect {host}:{port} -servername {host} </dev/null | openssl x509 -noout -dates`.',
  zh: '查看服务器当前提供的证书有效期：`openssl s_client -connect {host}:{port} -servername {host} </dev/null | openssl x509 -noout -dates`。',
};
const MTU_TEST = {
  en: 'Measure the path MTU: `ping -M do -s 1472 {ip}` (a 1500-byte packet), lowering the size until it passes (packet size = size + 28); `tracepath {ip}` prints the path MTU.',
  zh: '测量路径 MTU：`ping -M do -s 1472 {ip}`（1500 字节的包），逐步减小直到能通（包长 = 数值 + 28）；`tracepath {ip}` 会显示路径 MTU。',
};
const MSS_CLAMP = {
  en: 'Clamp the TCP MSS on the VPN / tunnel gateway (`iptables -t mangle -A FORWARD -p tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu`) or lower the interface MTU (`ip link set dev <if> mtu 1400`).',
  zh: '在 VPN/隧道网关上钳制 TCP MSS（`iptables -t mangle -A FORWARD -p tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu`），或调低网卡 MTU（`ip link set dev <if> mtu 1400`）。',
};

export const CAUSES = {
  ok: {
    layer: 'ok',
    severity: 'ok',
    en: {
      summary: '{target}: worked at every layer seen',
      explanation:
        'Every step of this exchange that the capture shows completed: name resolution, the TCP connection, the TLS handshake and the HTTP answer, where present. If a program still reports an error for {target}, the cause is above what the packets show, or on traffic this capture did not see.',
      advice: [
        'Nothing to fix on the network path for this target.',
        'If a program still fails, capture on the machine that runs it while it fails, and check its traffic goes where you expect: a proxy (`env | grep -i proxy`), another resolver in /etc/resolv.conf or IPv6 can send it elsewhere.',
        'Compare with `curl -v` against the same URL from the same machine.',
      ],
    },
    zh: {
      summary: '{target}：所见各层均正常',
      explanation:
        '抓包中能看到的每一步都已完成：域名解析、TCP 连接、TLS 握手以及 HTTP 应答（如有）。如果程序对 {target} 仍然报错，原因在数据包之上的层面，或在本次抓包没有捕获到的流量中。',
      advice: [
        '该目标的网络路径无需修复。',
        '如果程序仍然失败，请在运行它的机器上、在失败发生时抓包，并确认流量去往预期的地址：代理（`env | grep -i proxy`）、/etc/resolv.conf 中的其他 DNS 服务器或 IPv6 都可能让流量走向别处。',
        '在同一台机器上用 `curl -v` 访问同一 URL 进行对比。',
      ],
    },
    warning: {
      en: {
        summary: '{target}: worked in the end, after {attempts} failed attempt(s)',
        explanation:
          'The exchange with {target} completed, but earlier attempts failed on the way: {retriesNote}. Each failed attempt costs a timeout or a retry, which users notice as slowness, and the failure returns when the working path is unavailable.',
        advice: [
          'Read the failed attempts in the details and fix them as failures of their own.',
          'IPv6 filtered, then IPv4 worked: check the IPv6 route (`ip -6 route`) and the IPv6 rules of the security group and host firewall (`ip6tables -L -n`), or stop publishing the AAAA record until IPv6 works.',
          'A DNS query that had to be retried: check the resolvers in /etc/resolv.conf; the first one may be slow or unreachable (security group outbound UDP 53).',
        ],
      },
      zh: {
        summary: '{target}：经过 {attempts} 次失败尝试后最终成功',
        explanation:
          '与 {target} 的交互最终完成，但此前的尝试失败了：{retriesNote}。每次失败都会带来一次超时或重试，用户会感到变慢；当正常路径不可用时，故障会重现。',
        advice: [
          '查看详细信息中的失败尝试，并把它们作为独立故障处理。',
          'IPv6 被过滤、随后 IPv4 成功：检查 IPv6 路由（`ip -6 route`）以及安全组和主机防火墙的 IPv6 规则（`ip6tables -L -n`），或在 IPv6 修好之前不要发布 AAAA 记录。',
          'DNS 查询需要重试：检查 /etc/resolv.conf 中的 DNS 服务器；第一个可能很慢或不可达（安全组出站 UDP 53）。',
        ],
      },
    },
  },

  // --- DNS ----------------------------------------------------------------------------------
  'dns.nxdomain': {
    layer: 'dns',
    severity: 'error',
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
  'dns.servfail': {
    layer: 'dns',
    severity: 'error',
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
  'dns.refused': {
    layer: 'dns',
    severity: 'error',
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
  'dns.no_response': {
    layer: 'dns',
    severity: 'error',
    en: {
      summary: '{name}: no answer from the DNS server {server} ({attempts} queries over {seconds} s)',
      explanation:
        'The client sent {attempts} queries for {name} ({qtype}) to {server} over {seconds} s and no reply came back; the capture went on {waited} s after the last query. A capture on the client cannot tell whether the queries or the answers were lost.',
      advice: [
        'Check that outbound UDP and TCP port 53 to {server} is allowed: the cloud security group outbound rules and network ACL, and the host firewall (`iptables -L -n`, `firewall-cmd --list-all`).',
        'Check that {server} is the right resolver and is up: the `nameserver` lines of /etc/resolv.conf; `dig @{server} {name}` or `nslookup {name} {server}` from this host and from another host on the same network.',
        'Check the route to {server}: `ip route get {server}`; a VPN or a changed route table can send DNS elsewhere.',
        'If only large answers are lost (DNSSEC, many records), a firewall may drop UDP fragments or TCP 53: try `dig +tcp @{server} {name}`.',
        'If the capture stopped soon after the last query ({waited} s), the answer may simply have come later: capture longer.',
      ],
    },
    zh: {
      summary: '{name}：DNS 服务器 {server} 无应答（{seconds} 秒内查询 {attempts} 次）',
      explanation:
        '客户端在 {seconds} 秒内向 {server} 发送了 {attempts} 次 {name}（{qtype}）查询，均未收到应答；最后一次查询之后抓包又持续了 {waited} 秒。在客户端抓包无法判断丢失的是查询还是应答。',
      advice: [
        '检查到 {server} 的出站 UDP 和 TCP 53 端口是否放行：云平台安全组出站规则和网络 ACL，以及主机防火墙（`iptables -L -n`、`firewall-cmd --list-all`）。',
        '确认 {server} 是正确的 DNS 服务器且在运行：/etc/resolv.conf 中的 `nameserver` 行；在本机和同网络的另一台主机上执行 `dig @{server} {name}` 或 `nslookup {name} {server}`。',
        '检查到 {server} 的路由：`ip route get {server}`；VPN 或路由表变更可能把 DNS 流量送到别处。',
        '如果只有大的应答丢失（DNSSEC、记录很多），防火墙可能丢弃了 UDP 分片或 TCP 53：试试 `dig +tcp @{server} {name}`。',
        '如果抓包在最后一次查询后很快就停止了（{waited} 秒），应答可能只是来得晚：延长抓包时间。',
      ],
    },
  },
  'dns.no_address': {
    layer: 'dns',
    severity: 'error',
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
  'dns.error': {
    layer: 'dns',
    severity: 'error',
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

  // --- ICMP ---------------------------------------------------------------------------------
  'icmp.net_unreachable': {
    layer: 'icmp',
    severity: 'error',
    en: {
      summary: '{target}: {from} has no route to the destination network (ICMP network unreachable)',
      explanation:
        '{from} answered the client\'s packet to {ip} with {icmp}: a router on the way has no route to {ip}\'s network (or a firewall uses a reject route). The closer {from} is to the client, the more likely the client\'s own network is at fault: a missing default route, or a VPC route table without a route to an internet gateway or NAT gateway.',
      advice: [
        'Check the client\'s routes: `ip route get {ip}` and `ip route` (or `route -n`): is there a default route through the expected gateway?',
        'In a cloud VPC, check the subnet\'s route table: 0.0.0.0/0 (and ::/0) must point to an internet gateway or a NAT gateway, and the NAT gateway must be available with its elastic IP.',
        'If {from} is a router you manage, check its routing table (static, VPN and BGP routes) for {ip}\'s network.',
        'If {ip} is on a private network (VPN, peering), check the tunnel or peering is up and its route is advertised.',
        '`traceroute -n {ip}` or `mtr -n {ip}` shows where the path ends.',
      ],
    },
    zh: {
      summary: '{target}：{from} 没有到目标网络的路由（ICMP 网络不可达）',
      explanation:
        '{from} 用 {icmp} 回应了客户端发往 {ip} 的数据包：路径上的某台路由器没有到 {ip} 所在网络的路由（或防火墙使用了拒绝路由）。{from} 离客户端越近，越可能是客户端自己的网络问题：缺少默认路由，或 VPC 路由表中没有指向互联网网关或 NAT 网关的路由。',
      advice: [
        '检查客户端路由：`ip route get {ip}` 和 `ip route`（或 `route -n`）：是否有经由正确网关的默认路由？',
        '在云 VPC 中检查子网的路由表：0.0.0.0/0（以及 ::/0）必须指向互联网网关或 NAT 网关，且 NAT 网关状态正常并已绑定弹性 IP。',
        '如果 {from} 是你管理的路由器，检查其路由表（静态路由、VPN 路由和 BGP 路由）中是否有 {ip} 所在网络。',
        '如果 {ip} 位于私有网络（VPN、对等连接），检查隧道或对等连接是否正常，路由是否已发布。',
        '`traceroute -n {ip}` 或 `mtr -n {ip}` 可显示路径在哪里中断。',
      ],
    },
  },
  'icmp.host_unreachable': {
    layer: 'icmp',
    severity: 'error',
    en: {
      summary: '{target}: {from} could not deliver to the host {ip} (ICMP host unreachable)',
      explanation:
        '{from} answered with {icmp}. Usually the last router before {ip} tried to reach it on the local network and got no ARP / neighbour discovery reply: the host is down, or the address is wrong or no longer assigned. Some firewalls also reject with host unreachable.',
      advice: [
        'Check that {ip} is the right address: a stale DNS record, an old IP after a restart, an elastic IP no longer associated.',
        'Check the host is running and its network interface is up (instance state in the cloud console, the hypervisor).',
        'If {from} is a router you manage, check its neighbour table for {ip} (`ip neigh`).',
        'If {from} is a firewall, look for a REJECT rule with icmp-host-unreachable (`iptables -L -n`, `firewall-cmd --list-all`).',
      ],
    },
    zh: {
      summary: '{target}：{from} 无法将数据送达主机 {ip}（ICMP 主机不可达）',
      explanation:
        '{from} 回复了 {icmp}。通常是 {ip} 之前的最后一台路由器在本地网络上寻找它，但没有得到 ARP/邻居发现应答：主机已宕机，或地址错误、已不再分配。有些防火墙也会以主机不可达的方式拒绝。',
      advice: [
        '确认 {ip} 是正确的地址：DNS 记录过期、重启后 IP 变化、弹性 IP 已解除关联。',
        '检查主机是否在运行、网卡是否启用（云控制台中的实例状态、虚拟化平台）。',
        '如果 {from} 是你管理的路由器，检查其邻居表中 {ip} 的条目（`ip neigh`）。',
        '如果 {from} 是防火墙，检查是否有 icmp-host-unreachable 的 REJECT 规则（`iptables -L -n`、`firewall-cmd --list-all`）。',
      ],
    },
  },
  'icmp.port_unreachable': {
    layer: 'icmp',
    severity: 'error',
    en: {
      summary: '{target}: {from} says nothing accepts {transport} port {port} (ICMP port unreachable)',
      explanation:
        '{from} answered the client\'s {transport} packet to port {port} with {icmp}. For UDP this normally comes from the destination host: nothing listens on that port (for DNS: the resolver is not running). For TCP a closed port answers with a RST, so this message means a firewall rule: the default reject type of iptables REJECT is icmp-port-unreachable.',
      advice: [
        'UDP: check the service runs and listens on port {port} on {ip} (`ss -lunp` on the server).',
        'If the flow is TCP, or the ICMP came from a device other than the server: look for a REJECT rule on {from} (`iptables -L -n`, `firewall-cmd --list-all`) and check the security group and network ACL.',
        'Check that {port} is the port the service really uses (configuration, a changed port).',
      ],
    },
    zh: {
      summary: '{target}：{from} 表示 {transport} 端口 {port} 无人接收（ICMP 端口不可达）',
      explanation:
        '{from} 用 {icmp} 回应了客户端发往端口 {port} 的 {transport} 数据包。对 UDP 而言，这通常来自目标主机本身：该端口没有服务监听（DNS 场景即 DNS 服务未运行）。对 TCP 而言，关闭的端口会回复 RST，因此出现这条消息意味着防火墙规则：iptables REJECT 的默认拒绝方式就是 icmp-port-unreachable。',
      advice: [
        'UDP：检查服务是否在 {ip} 上运行并监听端口 {port}（在服务器上执行 `ss -lunp`）。',
        '如果是 TCP 连接，或 ICMP 来自服务器以外的设备：检查 {from} 上的 REJECT 规则（`iptables -L -n`、`firewall-cmd --list-all`），以及安全组和网络 ACL。',
        '确认 {port} 是服务实际使用的端口（配置、端口是否变更）。',
      ],
    },
  },
  'icmp.protocol_unreachable': {
    layer: 'icmp',
    severity: 'error',
    en: {
      summary: '{target}: {from} does not accept the IP protocol used (ICMP protocol unreachable)',
      explanation:
        '{from} answered with {icmp}: the host does not handle the IP protocol of the packet (GRE, ESP, SCTP ...), or a firewall rejects that protocol.',
      advice: [
        'Check the protocol is enabled on {ip} (the kernel module, the tunnel or VPN endpoint configuration).',
        'Check that firewalls and the security group allow the protocol itself, not only TCP/UDP ports (GRE is IP protocol 47, ESP 50).',
        'For IPsec, check whether NAT traversal (UDP 4500) should be used instead of raw ESP behind a NAT gateway.',
      ],
    },
    zh: {
      summary: '{target}：{from} 不接受所用的 IP 协议（ICMP 协议不可达）',
      explanation:
        '{from} 回复了 {icmp}：该主机不处理数据包所用的 IP 协议（GRE、ESP、SCTP 等），或防火墙拒绝了该协议。',
      advice: [
        '检查 {ip} 上是否启用了该协议（内核模块、隧道或 VPN 端点配置）。',
        '检查防火墙和安全组是否放行了该协议本身，而不仅是 TCP/UDP 端口（GRE 是 IP 协议号 47，ESP 是 50）。',
        '对于 IPsec，检查在 NAT 网关之后是否应改用 NAT 穿越（UDP 4500）而不是原始 ESP。',
      ],
    },
  },
  'icmp.admin_prohibited': {
    layer: 'icmp',
    severity: 'error',
    en: {
      summary: '{target}: a firewall at {from} rejected the traffic (ICMP administratively prohibited)',
      explanation:
        '{from} answered with {icmp}: a firewall or ACL rule explicitly rejects this traffic (REJECT with icmp-admin-prohibited or icmp-host-prohibited, a router ACL, a cloud network ACL). The packet was refused by policy, not lost.',
      advice: [
        'If {from} is the client or its gateway, check the local rules for a REJECT matching port {port}: `iptables -L -n -v`, `nft list ruleset`, `firewall-cmd --list-all`.',
        'If {from} is {ip} itself, the server\'s own firewall rejects the client: allow {client} (or its NAT address) to port {port} there.',
        'If {from} is a router or cloud firewall, check its ACL, the security group and the network ACL rules for {ip} port {port}.',
        'Outbound traffic may be allowed only through a proxy: `env | grep -i proxy` (http_proxy, https_proxy, no_proxy).',
      ],
    },
    zh: {
      summary: '{target}：{from} 上的防火墙拒绝了该流量（ICMP 管理性禁止）',
      explanation:
        '{from} 回复了 {icmp}：防火墙或 ACL 规则明确拒绝了该流量（使用 icmp-admin-prohibited 或 icmp-host-prohibited 的 REJECT、路由器 ACL、云网络 ACL）。数据包是被策略拒绝，而不是丢失。',
      advice: [
        '如果 {from} 是客户端本机或其网关，检查本地规则中是否有匹配端口 {port} 的 REJECT：`iptables -L -n -v`、`nft list ruleset`、`firewall-cmd --list-all`。',
        '如果 {from} 就是 {ip}，说明服务器自身的防火墙拒绝了客户端：在服务器上放行 {client}（或其 NAT 地址）访问端口 {port}。',
        '如果 {from} 是路由器或云防火墙，检查其 ACL、安全组以及网络 ACL 中关于 {ip} 端口 {port} 的规则。',
        '出站流量可能只允许经由代理：`env | grep -i proxy`（http_proxy、https_proxy、no_proxy）。',
      ],
    },
  },
  'icmp.frag_needed': {
    layer: 'icmp',
    severity: 'error',
    en: {
      summary: '{target}: {from} says the packets are too big for the path (MTU {mtu})',
      explanation:
        '{from} answered with {icmp}: a packet that must not be fragmented was larger than the next link allows ({mtu} bytes). The sender is expected to send smaller packets (path MTU discovery). If the connection still stalls, the sender is not acting on the message; where such messages are filtered, large transfers stall without any sign (a PMTU black hole).',
      advice: [
        MTU_TEST.en,
        'Lower the MTU of the client interface to {mtu} (`ip link set dev <if> mtu {mtu}`), or clamp the TCP MSS on the VPN / tunnel gateway (`iptables -t mangle -A FORWARD -p tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu`).',
        'Let ICMP "fragmentation needed" (type 3 code 4) and ICMPv6 "packet too big" through firewalls and security groups to the sender.',
        'Typical smaller links: VPNs and tunnels (IPsec, GRE, VXLAN), PPPoE (1492).',
      ],
    },
    zh: {
      summary: '{target}：{from} 表示数据包超过路径 MTU（MTU {mtu}）',
      explanation:
        '{from} 回复了 {icmp}：一个不允许分片的数据包超过了下一跳链路允许的大小（{mtu} 字节）。发送方应改发更小的包（路径 MTU 发现）。如果连接仍然卡住，说明发送方没有响应该消息；而在这类消息被过滤的地方，大数据传输会毫无提示地卡住（PMTU 黑洞）。',
      advice: [
        MTU_TEST.zh,
        '把客户端网卡的 MTU 调低到 {mtu}（`ip link set dev <if> mtu {mtu}`），或在 VPN/隧道网关上钳制 TCP MSS（`iptables -t mangle -A FORWARD -p tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu`）。',
        '让 ICMP "需要分片"（类型 3 代码 4）和 ICMPv6 "数据包过大" 消息能通过防火墙和安全组到达发送方。',
        '常见的小 MTU 链路：VPN 和隧道（IPsec、GRE、VXLAN）、PPPoE（1492）。',
      ],
    },
  },
  'icmp.ttl_exceeded': {
    layer: 'icmp',
    severity: 'error',
    en: {
      summary: '{target}: packets expired in transit at {from} (ICMP TTL exceeded)',
      explanation:
        '{from} answered with {icmp}: the packet\'s TTL (hop limit) reached zero before it got to {ip}. Unless the client was running traceroute, this means a routing loop: routers keep passing the packet between them.',
      advice: [
        '`traceroute -n {ip}` or `mtr -n {ip}`: hops that repeat show the loop.',
        'Check the route tables of the routers around {from}: two routes pointing at each other, a static route that conflicts with a dynamic (BGP/OSPF) one, a VPN or VPC route table.',
        'If the client sets a very low TTL itself, check `sysctl net.ipv4.ip_default_ttl` and the program\'s settings.',
      ],
    },
    zh: {
      summary: '{target}：数据包在 {from} 处传输超时（ICMP TTL 超时）',
      explanation:
        '{from} 回复了 {icmp}：数据包在到达 {ip} 之前 TTL（跳数限制）已降为零。除非客户端正在运行 traceroute，这意味着存在路由环路：数据包在路由器之间来回转发。',
      advice: [
        '`traceroute -n {ip}` 或 `mtr -n {ip}`：重复出现的跳即为环路所在。',
        '检查 {from} 附近路由器的路由表：互相指向的两条路由、与动态路由（BGP/OSPF）冲突的静态路由、VPN 或 VPC 路由表。',
        '如果是客户端自己设置了很小的 TTL，检查 `sysctl net.ipv4.ip_default_ttl` 和程序设置。',
      ],
    },
  },

  // --- TCP ----------------------------------------------------------------------------------
  'tcp.syn_unanswered': {
    layer: 'tcp',
    severity: 'error',
    en: {
      summary: '{target}: no reply to the connection attempt ({attempts} SYNs over {seconds} s)',
      explanation:
        'The client sent {attempts} SYNs to {ip} port {port} over {seconds} s and saw no reply at all — no SYN-ACK, no RST, no ICMP error. Something dropped the packets silently: a firewall or security group, a wrong route, or a host that is down. A capture on the client cannot tell at which hop, or in which direction, they were lost.',
      advice: [
        'Cloud security group, the most common cause: check the client\'s security group outbound rules allow TCP {port} to {ip}, and the server\'s security group inbound rules (and network ACLs) allow the client.',
        'The client\'s host firewall: `iptables -L -n`, `firewall-cmd --list-all` (a DROP rule for outbound traffic).',
        'Routes: `ip route get {ip}`; in a VPC the subnet route table needs 0.0.0.0/0 to an internet gateway, or to a NAT gateway with an elastic IP for private subnets.',
        'A proxy may be required to reach the outside: `env | grep -i proxy` (http_proxy, https_proxy, no_proxy), and does the program use it?',
        'The server\'s own firewall, or the server blocking your address: run `nc -zv {host} {port}` from another network and compare.',
        'Check the server is up and listening: `ss -ltnp` on the server.',
      ],
    },
    zh: {
      summary: '{target}：连接请求没有任何回应（{seconds} 秒内发送 {attempts} 个 SYN）',
      explanation:
        '客户端在 {seconds} 秒内向 {ip} 端口 {port} 发送了 {attempts} 个 SYN，没有收到任何回应——没有 SYN-ACK、没有 RST，也没有 ICMP 差错。数据包被悄悄丢弃了：防火墙或安全组、错误的路由，或主机已宕机。在客户端抓包无法判断在哪一跳、哪个方向上丢失。',
      advice: [
        '云平台安全组，最常见的原因：检查客户端所属安全组的出站规则是否放行了到 {ip} 的 TCP {port}，以及服务器安全组的入站规则（和网络 ACL）是否允许该客户端。',
        '客户端本机防火墙：`iptables -L -n`、`firewall-cmd --list-all`（是否有针对出站流量的 DROP 规则）。',
        '路由：`ip route get {ip}`；在 VPC 中，子网路由表需要有 0.0.0.0/0 指向互联网网关，私有子网则需指向已绑定弹性 IP 的 NAT 网关。',
        '访问外网可能必须经过代理：`env | grep -i proxy`（http_proxy、https_proxy、no_proxy），并确认程序是否使用了代理。',
        '目标服务器自身的防火墙，或服务器封禁了你的 IP：从其他网络环境执行 `nc -zv {host} {port}` 进行对比。',
        '检查服务器是否在运行并监听端口：在服务器上执行 `ss -ltnp`。',
      ],
    },
  },
  'tcp.refused': {
    layer: 'tcp',
    severity: 'error',
    en: {
      summary: '{target}: connection refused (RST in reply to SYN)',
      explanation:
        '{ip} answered the SYN to port {port} with a RST: the host, or a device in front of it, is reachable and refused the connection. Usually nothing listens on port {port}; it can also be a firewall rule `REJECT --reject-with tcp-reset`, or a load balancer without healthy backends.',
      advice: [
        'On the server, check the service runs and listens on port {port} on the right address (not only 127.0.0.1): `ss -ltnp | grep :{port}`.',
        'Check {port} is the right port (the URL, the configuration, a changed port).',
        'Look for a firewall REJECT with tcp-reset on the server or in front of it: `iptables -L -n`, `firewall-cmd --list-all`.',
        'If {ip} is a load balancer or a port forward (NAT), check its listener and the health of its targets.',
        '`nc -zv {host} {port}` answers "Connection refused" for the same reason.',
      ],
    },
    zh: {
      summary: '{target}：连接被拒绝（SYN 得到 RST 回应）',
      explanation:
        '{ip} 用 RST 回应了发往端口 {port} 的 SYN：主机（或其前面的设备）可达，但拒绝了连接。通常是端口 {port} 上没有服务监听；也可能是防火墙规则 `REJECT --reject-with tcp-reset`，或负载均衡没有健康的后端。',
      advice: [
        '在服务器上检查服务是否运行，并在正确的地址上监听端口 {port}（而不是只监听 127.0.0.1）：`ss -ltnp | grep :{port}`。',
        '确认 {port} 是正确的端口（URL、配置、端口是否变更）。',
        '检查服务器上或其前面是否有使用 tcp-reset 的防火墙 REJECT 规则：`iptables -L -n`、`firewall-cmd --list-all`。',
        '如果 {ip} 是负载均衡或端口转发（NAT），检查其监听器和后端目标的健康状态。',
        '`nc -zv {host} {port}` 会因同样的原因报 "Connection refused"。',
      ],
    },
  },
  'tcp.reset': {
    layer: 'tcp',
    severity: 'error',
    en: {
      summary: '{target}: the {sender} reset the established connection after {seconds} s',
      explanation:
        'The connection to {ip} port {port} was established, then the {sender} sent a RST after {seconds} s and ended it abruptly. A reset from the server side usually means the application closed on an error, crashed or restarted, or a load balancer, NAT gateway or firewall dropped an idle connection; a reset from the client side means the client program gave up (a timeout, a rejected certificate, a cancelled request).',
      advice: [
        'Look at the evidence: what was the last data before the RST, and how long was the connection idle? A long idle time points at the idle timeout of a load balancer, NAT gateway or firewall; enable TCP keepalive or shorten the client\'s pool idle time.',
        'Reset by the server: read the server application\'s log at that time (crash, restart, connection limit, request too large).',
        'Reset by the client: read the client program\'s log and timeouts; `curl -v` with the same request shows whether it is the program.',
        'A RST right after the first request can be a proxy, WAF or firewall blocking the content: compare through another network path.',
      ],
    },
    zh: {
      summary: '{target}：{sender}在 {seconds} 秒后重置了已建立的连接',
      explanation:
        '到 {ip} 端口 {port} 的连接已建立，随后{sender}在 {seconds} 秒后发送 RST，连接被强行中断。来自服务器一侧的重置通常表示应用因错误关闭连接、崩溃或重启，或负载均衡、NAT 网关、防火墙丢弃了空闲连接；来自客户端一侧的重置表示客户端程序放弃了（超时、证书被拒绝、请求被取消）。',
      advice: [
        '查看证据：RST 之前最后传输的是什么数据，连接空闲了多久？空闲时间长说明是负载均衡、NAT 网关或防火墙的空闲超时；启用 TCP keepalive 或缩短客户端连接池的空闲时间。',
        '服务器重置：查看该时间点服务器应用的日志（崩溃、重启、连接数上限、请求过大）。',
        '客户端重置：查看客户端程序的日志和超时设置；用 `curl -v` 发送同样的请求，判断是否是程序本身的问题。',
        '如果在第一个请求之后立即出现 RST，可能是代理、WAF 或防火墙拦截了内容：通过其他网络路径进行对比。',
      ],
    },
  },
  'tcp.reset_injected': {
    layer: 'tcp',
    severity: 'error',
    en: {
      summary: '{target}: a RST that the server most likely did not send ended the connection',
      explanation:
        'The connection to {ip} port {port} was reset, but the RST does not look like it came from {ip}. {ttlNote} A device on the path — a firewall, an intrusion prevention system, a content filter — most likely forged it on the server\'s behalf to cut the connection.',
      advice: [
        'Find which device on the path filters this traffic (corporate firewall, IPS/IDS, content filter, proxy); its log should show the block.',
        'Compare from another network (another ISP, a VPN): if it works there, the filter is on this network\'s path.',
        'Check whether the name the client sent (TLS SNI, HTTP Host) is blocked by policy; an explicit proxy may be required (`env | grep -i proxy`).',
        'Compare the RST\'s TTL with the hop counts of `traceroute -n {ip}` to estimate how far from the client it was sent.',
      ],
    },
    zh: {
      summary: '{target}：连接被一个很可能不是服务器发出的 RST 中断',
      explanation:
        '到 {ip} 端口 {port} 的连接被重置，但这个 RST 看起来不是 {ip} 发出的。{ttlNote}很可能是路径上的设备——防火墙、入侵防御系统、内容过滤——冒充服务器伪造了它来切断连接。',
      advice: [
        '找出路径上过滤该流量的设备（公司防火墙、IPS/IDS、内容过滤、代理）；其日志中应有拦截记录。',
        '从其他网络环境对比（其他运营商、VPN）：如果在那里正常，过滤设备就在本网络的路径上。',
        '检查客户端发送的域名（TLS SNI、HTTP Host）是否被策略拦截；可能必须使用显式代理（`env | grep -i proxy`）。',
        '把 RST 的 TTL 与 `traceroute -n {ip}` 的跳数对比，估算它是在距离客户端多远的地方发出的。',
      ],
    },
  },
  'tcp.handshake_incomplete': {
    layer: 'tcp',
    severity: 'error',
    en: {
      summary: '{target}: the server answered SYN-ACK but the handshake never completed',
      explanation:
        '{ip} answered the SYN with a SYN-ACK, but the client\'s final ACK did not follow. Either the SYN-ACK never reached the client program (asymmetric routing, a firewall dropping the reply direction or not tracking the connection), or the client gave up. If this capture was taken on the client and shows the SYN-ACK, the client host itself dropped it.',
      advice: [
        'Check the client\'s firewall for the reply direction: `iptables -L -n` (INPUT rules, connection tracking state), `firewall-cmd --list-all`.',
        'Check for asymmetric routing: replies arriving on another interface than the SYN left (`ip route get {ip}`, `sysctl net.ipv4.conf.all.rp_filter`).',
        'Check stateful firewalls and NAT on the path: a full connection-tracking table (`conntrack -S`, /proc/net/nf_conntrack).',
        'If the server keeps resending its SYN-ACK, check the server\'s listen backlog and SYN flood protection (`ss -ltn` Recv-Q on the server).',
      ],
    },
    zh: {
      summary: '{target}：服务器回复了 SYN-ACK，但三次握手未能完成',
      explanation:
        '{ip} 用 SYN-ACK 回应了 SYN，但客户端没有发出最后的 ACK。要么 SYN-ACK 没有到达客户端程序（非对称路由、防火墙丢弃了回程方向或没有跟踪该连接），要么客户端放弃了。如果本次抓包是在客户端上进行且能看到 SYN-ACK，说明是客户端主机自己丢弃了它。',
      advice: [
        '检查客户端防火墙对回程方向的处理：`iptables -L -n`（INPUT 规则、连接跟踪状态）、`firewall-cmd --list-all`。',
        '检查是否存在非对称路由：回包从与 SYN 发出不同的网卡进入（`ip route get {ip}`、`sysctl net.ipv4.conf.all.rp_filter`）。',
        '检查路径上的有状态防火墙和 NAT：连接跟踪表是否已满（`conntrack -S`、/proc/net/nf_conntrack）。',
        '如果服务器不断重发 SYN-ACK，检查服务器的监听队列和 SYN Flood 防护（在服务器上查看 `ss -ltn` 的 Recv-Q）。',
      ],
    },
  },
  'tcp.stalled': {
    layer: 'tcp',
    severity: 'error',
    en: {
      summary: '{target}: data was retransmitted {attempts} times without acknowledgement, then abandoned',
      explanation:
        'The connection to {ip} port {port} was established, but data was retransmitted {attempts} times over {seconds} s without being acknowledged, until the sender gave up. Packets stopped getting through after the handshake: loss on the path, an overloaded or hung receiver, a stateful firewall or NAT that lost the connection, or an MTU problem if only full-size segments were affected.',
      advice: [
        'If only large segments were retransmitted, suspect the path MTU: `ping -M do -s 1472 {ip}`, `tracepath {ip}`.',
        'Check the receiving side\'s load and whether the application is stuck (CPU, memory, a growing Recv-Q in `ss -tn`).',
        'Check firewalls and NAT gateways on the path for dropped state (connection-tracking timeouts or a full table) and the security group rules.',
        '`mtr -n {ip}` shows loss along the path; repeat the transfer with `curl -v` to see whether it is reproducible.',
      ],
    },
    zh: {
      summary: '{target}：数据重传 {attempts} 次仍未被确认，最终被放弃',
      explanation:
        '到 {ip} 端口 {port} 的连接已建立，但数据在 {seconds} 秒内重传了 {attempts} 次都没有得到确认，直到发送方放弃。握手之后数据包无法通过：路径丢包、接收方过载或挂起、有状态防火墙或 NAT 丢失了连接状态；如果只有满长度的报文受影响，则是 MTU 问题。',
      advice: [
        '如果只有大报文被重传，怀疑路径 MTU：`ping -M do -s 1472 {ip}`、`tracepath {ip}`。',
        '检查接收方的负载以及应用是否卡住（CPU、内存、`ss -tn` 中不断增长的 Recv-Q）。',
        '检查路径上的防火墙和 NAT 网关是否丢失了连接状态（连接跟踪超时或表满），以及安全组规则。',
        '`mtr -n {ip}` 可显示路径上的丢包；用 `curl -v` 重复传输，看是否能复现。',
      ],
    },
  },
  'tcp.pmtu_blackhole': {
    layer: 'tcp',
    severity: 'error',
    en: {
      summary: '{target}: full-size packets are lost on the path (path MTU black hole)',
      explanation:
        'Small packets (the handshake, short requests) got through, but full-size segments to {ip} were retransmitted without progress and no ICMP "fragmentation needed" came back. A link on the path has a smaller MTU (VPN, tunnel, PPPoE) and the ICMP message that would tell the sender is blocked, so large transfers — a TLS certificate, a download — stall.',
      advice: [
        MTU_TEST.en,
        MSS_CLAMP.en,
        'Allow ICMP "fragmentation needed" (type 3 code 4) and ICMPv6 "packet too big" through firewalls and security groups.',
        'On Linux hosts, `sysctl -w net.ipv4.tcp_mtu_probing=1` lets TCP find a working size by itself.',
      ],
    },
    zh: {
      summary: '{target}：满长度的数据包在路径上丢失（路径 MTU 黑洞）',
      explanation:
        '小数据包（握手、短请求）能够通过，但发往 {ip} 的满长度报文不断重传没有进展，也没有收到 ICMP "需要分片" 消息。路径上某段链路的 MTU 较小（VPN、隧道、PPPoE），而本应通知发送方的 ICMP 消息被拦截了，因此大数据传输——TLS 证书、文件下载——会卡住。',
      advice: [
        MTU_TEST.zh,
        MSS_CLAMP.zh,
        '让 ICMP "需要分片"（类型 3 代码 4）和 ICMPv6 "数据包过大" 消息能通过防火墙和安全组。',
        '在 Linux 主机上，`sysctl -w net.ipv4.tcp_mtu_probing=1` 可让 TCP 自行探测可用的报文大小。',
      ],
    },
  },

  // --- TLS ----------------------------------------------------------------------------------
  'tls.alert': {
    layer: 'tls',
    severity: 'error',
    en: {
      summary: '{target}: the {sender} aborted the TLS handshake with alert {alert} ({alertCode})',
      explanation:
        'The TCP connection to {ip} port {port} worked; then the {sender} sent the fatal TLS alert {alert} ({alertCode}) and the handshake failed.',
      advice: [
        TLS_REPRO.en,
        'Read the error on both sides at the time of the capture: the client program\'s message and the server\'s TLS error log name the exact reason.',
      ],
    },
    zh: {
      summary: '{target}：{sender}以 TLS 告警 {alert}（{alertCode}）中止了握手',
      explanation:
        '到 {ip} 端口 {port} 的 TCP 连接正常；随后{sender}发送了致命 TLS 告警 {alert}（{alertCode}），握手失败。',
      advice: [
        TLS_REPRO.zh,
        '查看抓包时间点双方的报错：客户端程序的报错信息和服务器的 TLS 错误日志会写明具体原因。',
      ],
    },
  },
  'tls.no_server_hello': {
    layer: 'tls',
    severity: 'error',
    en: {
      summary: '{target}: the server did not answer the TLS ClientHello',
      explanation:
        'The TCP connection to {ip} port {port} worked and the client sent a TLS ClientHello for the name {sni}, but no ServerHello came back: the server closed, reset or stayed silent. The service on port {port} may not speak TLS (plain HTTP or another protocol), a middlebox may filter by server name, or the server has nothing configured for {sni} or for the versions and ciphers offered.',
      advice: [
        'Check that port {port} is a TLS port for this service (plain HTTP on 80/8080, HTTPS on 443): `curl -v http://{host}:{port}/`.',
        'Run `openssl s_client -connect {host}:{port} -servername {host}`, then with `-tls1_2` / `-tls1_3` and without `-servername`: a different result points at server-name (SNI) or version handling.',
        'A firewall, proxy or filter may drop connections by server name: compare from another network, and check whether a proxy is required (`env | grep -i proxy`).',
        'On the server, check the TLS listener and its error log (virtual host / SNI configuration, enabled versions and ciphers).',
        'If the client only offers old versions or ciphers, upgrade its OpenSSL / TLS library.',
      ],
    },
    zh: {
      summary: '{target}：服务器没有回应 TLS ClientHello',
      explanation:
        '到 {ip} 端口 {port} 的 TCP 连接正常，客户端为域名 {sni} 发送了 TLS ClientHello，但没有收到 ServerHello：服务器关闭、重置了连接或一直没有回应。端口 {port} 上的服务可能不是 TLS（明文 HTTP 或其他协议），中间设备可能按服务器名进行过滤，或者服务器没有为 {sni} 或客户端提供的版本和加密套件做配置。',
      advice: [
        '确认端口 {port} 是该服务的 TLS 端口（明文 HTTP 在 80/8080，HTTPS 在 443）：`curl -v http://{host}:{port}/`。',
        '执行 `openssl s_client -connect {host}:{port} -servername {host}`，再分别加 `-tls1_2` / `-tls1_3` 以及去掉 `-servername` 尝试：结果不同说明与服务器名（SNI）或版本处理有关。',
        '防火墙、代理或过滤设备可能按服务器名丢弃连接：从其他网络环境对比，并检查是否必须使用代理（`env | grep -i proxy`）。',
        '在服务器上检查 TLS 监听配置及其错误日志（虚拟主机/SNI 配置、启用的版本和加密套件）。',
        '如果客户端只提供旧版本或旧加密套件，升级其 OpenSSL / TLS 库。',
      ],
    },
  },
  'tls.client_rejected': {
    layer: 'tls',
    severity: 'error',
    en: {
      summary: '{target}: the client aborted the TLS 1.3 handshake, most likely rejecting the certificate',
      explanation:
        'The server sent its encrypted TLS 1.3 flight, which carries its certificate, and the client answered with a small encrypted record instead of its Finished message, then closed. In TLS 1.3 that alert is encrypted, so the capture cannot show which one; the usual reason is that the client did not accept the server certificate: unknown CA, wrong name, or outside its validity dates.',
      advice: [
        OPENSSL.en,
        '"unable to get local issuer certificate": install or update the CA bundle (`ca-certificates`, then `update-ca-certificates`), check the server sends its intermediate certificates, and add a corporate TLS-inspection CA to the client\'s trust store (container image, JVM cacerts).',
        '"certificate has expired" or "not yet valid": check the client\'s clock first (`date`, `timedatectl`, NTP sync with chrony), then the certificate\'s dates.',
        'Name mismatch: check the certificate\'s names cover {host} (`openssl x509 -noout -ext subjectAltName` on the certificate).',
        'The client program\'s own error names the reason (Java: "PKIX path building failed").',
      ],
    },
    zh: {
      summary: '{target}：客户端中止了 TLS 1.3 握手，很可能是拒绝了服务器证书',
      explanation:
        '服务器发送了加密的 TLS 1.3 握手消息（其中包含证书），客户端没有回复 Finished，而是回了一条很小的加密记录，随后关闭连接。TLS 1.3 中告警是加密的，抓包无法看到具体是哪个；最常见的原因是客户端不接受服务器证书：CA 不受信任、域名不匹配或不在有效期内。',
      advice: [
        OPENSSL.zh,
        '"unable to get local issuer certificate"：安装或更新根证书库（`ca-certificates`，然后执行 `update-ca-certificates`），检查服务器是否发送了中间证书，并把公司 TLS 解密设备的 CA 加入客户端信任库（容器镜像、JVM cacerts）。',
        '"certificate has expired" 或 "not yet valid"：先检查客户端系统时间（`date`、`timedatectl`、用 chrony 做 NTP 时间同步），再检查证书有效期。',
        '域名不匹配：检查证书包含的域名是否覆盖 {host}（对证书执行 `openssl x509 -noout -ext subjectAltName`）。',
        '客户端程序自身的报错会写明原因（Java 报 "PKIX path building failed"）。',
      ],
    },
  },
  'tls.cert_expired': {
    layer: 'tls',
    severity: 'error',
    en: {
      summary: '{target}: the server certificate was expired at capture time (valid until {notAfter})',
      explanation:
        'The certificate the server sent for {sni} is valid from {notBefore} to {notAfter}, and the packet that carried it was captured at {captureTime}, after that. Either the certificate really expired, or the clock of the capturing machine (probably the client too) is ahead.',
      advice: [
        'Check the client\'s clock first, the most frequent cause: `date`, `timedatectl` ("System clock synchronized: yes"); sync it with NTP (chrony, `ntpdate`).',
        CERT_DATES.en,
        'If it really expired, renew the certificate on the server (and the intermediate, if that expired) and reload the service.',
        'If several servers or load-balancer nodes answer for {sni}, check every one serves the renewed certificate.',
      ],
    },
    zh: {
      summary: '{target}：抓包时服务器证书已过期（有效期至 {notAfter}）',
      explanation:
        '服务器为 {sni} 发送的证书有效期为 {notBefore} 至 {notAfter}，而携带它的数据包抓取时间是 {captureTime}，已超出有效期。要么证书确实过期了，要么抓包机器（很可能也包括客户端）的系统时间超前。',
      advice: [
        '首先检查客户端的系统时间，这是最常见的原因：`date`、`timedatectl`（"System clock synchronized: yes"）；开启 NTP 时间同步（chrony、`ntpdate`）。',
        CERT_DATES.zh,
        '如果证书确实过期，在服务器上续期（若中间证书过期也一并更换）并重新加载服务。',
        '如果有多台服务器或负载均衡节点为 {sni} 提供服务，逐一确认都已使用续期后的证书。',
      ],
    },
  },
  'tls.cert_not_yet_valid': {
    layer: 'tls',
    severity: 'error',
    en: {
      summary: '{target}: the server certificate was not yet valid at capture time (valid from {notBefore})',
      explanation:
        'The certificate the server sent for {sni} is valid from {notBefore} to {notAfter}, and the packet that carried it was captured at {captureTime}, before that. Almost always the clock of the client (and of the capturing machine) is behind; rarely a certificate was just issued with a start time in the future.',
      advice: [
        'Check and fix the client\'s clock: `date`, `timedatectl`; enable NTP time sync (`timedatectl set-ntp true`, chrony); a virtual machine restored from a snapshot often has an old time.',
        CERT_DATES.en,
        'If the certificate was just issued, wait until its start time or re-issue it.',
      ],
    },
    zh: {
      summary: '{target}：抓包时服务器证书尚未生效（生效时间 {notBefore}）',
      explanation:
        '服务器为 {sni} 发送的证书有效期为 {notBefore} 至 {notAfter}，而携带它的数据包抓取时间是 {captureTime}，早于生效时间。几乎总是客户端（以及抓包机器）的系统时间落后；极少数情况是证书刚刚签发，生效时间在未来。',
      advice: [
        '检查并校正客户端的系统时间：`date`、`timedatectl`；开启 NTP 时间同步（`timedatectl set-ntp true`、chrony）；从快照恢复的虚拟机常常时间偏旧。',
        CERT_DATES.zh,
        '如果证书刚刚签发，等到生效时间或重新签发。',
      ],
    },
  },
  'tls.cert_name_mismatch': {
    layer: 'tls',
    severity: 'error',
    en: {
      summary: '{target}: the server certificate does not cover the name {sni}',
      explanation:
        'The client asked for {sni} (TLS SNI), and the certificate the server sent covers {san}, not that name. Clients refuse such a certificate (hostname mismatch). Often the server has no certificate or virtual host for {sni} and serves its default one, or the client reached the wrong server (DNS or /etc/hosts pointing elsewhere).',
      advice: [
        'Check the name resolves to the intended server: `dig {sni}`, /etc/hosts; a wrong address shows another site\'s certificate.',
        'On the server, install a certificate that covers {sni} (in its subjectAltName) and map it to the virtual host / SNI that serves the name.',
        'Check the client uses the name the certificate is issued for, not an IP address or an internal alias.',
        '`openssl s_client -connect {host}:{port} -servername {sni} </dev/null | openssl x509 -noout -ext subjectAltName` shows the names served.',
      ],
    },
    zh: {
      summary: '{target}：服务器证书不包含域名 {sni}',
      explanation:
        '客户端请求的是 {sni}（TLS SNI），而服务器发送的证书只覆盖 {san}，不包含该域名。客户端会拒绝这样的证书（域名不匹配）。常见原因是服务器没有为 {sni} 配置证书或虚拟主机而返回了默认证书，或客户端连到了错误的服务器（DNS 或 /etc/hosts 指向了别处）。',
      advice: [
        '检查域名是否解析到预期的服务器：`dig {sni}`、/etc/hosts；地址错误时会看到其他网站的证书。',
        '在服务器上安装覆盖 {sni} 的证书（写入 subjectAltName），并把它绑定到提供该域名的虚拟主机/SNI。',
        '检查客户端使用的是证书签发的域名，而不是 IP 地址或内部别名。',
        '`openssl s_client -connect {host}:{port} -servername {sni} </dev/null | openssl x509 -noout -ext subjectAltName` 可显示服务器提供的域名。',
      ],
    },
  },

  // --- HTTP ---------------------------------------------------------------------------------
  'http.error_status': {
    layer: 'http',
    severity: 'error',
    en: {
      summary: '{target}: the server answered HTTP {status} {reason}',
      explanation:
        'The network, TCP and TLS worked; the HTTP server answered {status} {reason}. A 4xx status means the server refused this request (authentication, permission, path, rate); a 5xx status means the server, or something behind it, failed.',
      advice: [
        '401 / 403: credentials, tokens, IP allow-lists or a WAF rule; find the request in the server or WAF log.',
        '404: a wrong path or virtual host (the Host header); check the URL and that {host} is the right host.',
        '407: the proxy wants authentication: check the credentials in http_proxy / https_proxy (`env | grep -i proxy`).',
        '429: rate limited; slow down and honour Retry-After.',
        '502 / 503 / 504: a proxy or load balancer got no good answer from its backend: check the backend\'s health checks, the upstream service and its timeouts.',
        '`curl -v` with the same URL and headers shows the whole response; the body often states the reason.',
      ],
    },
    zh: {
      summary: '{target}：服务器返回 HTTP {status} {reason}',
      explanation:
        '网络、TCP 和 TLS 都正常；HTTP 服务器返回了 {status} {reason}。4xx 状态表示服务器拒绝了这个请求（认证、权限、路径、频率）；5xx 状态表示服务器本身或其后端出错。',
      advice: [
        '401 / 403：凭据、令牌、IP 白名单或 WAF 规则；在服务器或 WAF 日志中查找该请求。',
        '404：路径或虚拟主机（Host 请求头）错误；检查 URL，并确认 {host} 是正确的主机。',
        '407：代理要求认证：检查 http_proxy / https_proxy 中的凭据（`env | grep -i proxy`）。',
        '429：请求频率受限；降低频率并遵守 Retry-After。',
        '502 / 503 / 504：代理或负载均衡没有从后端得到正常应答：检查后端健康检查、上游服务及其超时设置。',
        '用 `curl -v` 以相同的 URL 和请求头访问可看到完整响应；响应体中通常写有原因。',
      ],
    },
  },
  'http.no_response': {
    layer: 'http',
    severity: 'error',
    en: {
      summary: '{target}: the request was sent but no HTTP response came back',
      explanation:
        'The client sent an HTTP request to {ip} port {port}, and the connection closed, or the capture ended {waited} s later, without any response. The server or a proxy in front of it hung, timed out, or closed the connection without answering.',
      advice: [
        'Check the server application: is it stuck (a slow database, an exhausted thread pool)? Find the request in its log.',
        'If a proxy or load balancer is in between, check its timeouts and its log.',
        'Reproduce with `curl -v --max-time 60 http://{host}:{port}/` and see how long the answer takes.',
        'If the capture ended soon after the request ({waited} s), capture longer: the answer may have come later.',
      ],
    },
    zh: {
      summary: '{target}：请求已发出，但没有收到 HTTP 响应',
      explanation:
        '客户端向 {ip} 端口 {port} 发送了 HTTP 请求，随后连接关闭（或抓包在 {waited} 秒后结束），始终没有响应。服务器或其前面的代理卡住、超时，或没有应答就关闭了连接。',
      advice: [
        '检查服务器应用是否卡住（数据库慢、线程池耗尽），并在其日志中查找该请求。',
        '如果中间有代理或负载均衡，检查其超时设置和日志。',
        '用 `curl -v --max-time 60 http://{host}:{port}/` 复现，看应答需要多长时间。',
        '如果抓包在请求之后很快就结束了（{waited} 秒），延长抓包时间：应答可能来得较晚。',
      ],
    },
  },
  'http.proxy_refused': {
    layer: 'http',
    severity: 'error',
    en: {
      summary: '{target}: the proxy refused to open a tunnel (CONNECT answered {status} {reason})',
      explanation:
        'The client asked the HTTP proxy at {proxy} port {proxyPort} to CONNECT to {target}, and the proxy answered {status} {reason} instead of opening the tunnel: its policy does not allow this destination or port, it wants authentication (407), or it could not reach the destination itself (502 / 503 / 504).',
      advice: [
        '407: give the proxy credentials (http_proxy=http://user:password@proxy:port, or the program\'s proxy settings).',
        '403: the proxy\'s policy blocks this domain or port; ask its administrator to allow it (Squid: `http_access`, the `SSL_ports` / CONNECT port ACL).',
        'Check which proxy is used and whether {target} should bypass it (`no_proxy`): `env | grep -i proxy`.',
        '502 / 503 / 504: the proxy itself could not reach {target}: the failure is on the proxy\'s side (its DNS, firewall, security group outbound rules).',
      ],
    },
    zh: {
      summary: '{target}：代理拒绝建立隧道（CONNECT 返回 {status} {reason}）',
      explanation:
        '客户端请求位于 {proxy} 端口 {proxyPort} 的 HTTP 代理 CONNECT 到 {target}，代理返回 {status} {reason}，没有建立隧道：其策略不允许该目标或端口、要求认证（407），或代理自身无法访问目标（502 / 503 / 504）。',
      advice: [
        '407：为代理提供凭据（http_proxy=http://user:password@proxy:port，或程序的代理设置）。',
        '403：代理策略拦截了该域名或端口；请代理管理员放行（Squid：`http_access`、`SSL_ports` / CONNECT 端口 ACL）。',
        '检查实际使用的是哪个代理，以及 {target} 是否应绕过代理（`no_proxy`）：`env | grep -i proxy`。',
        '502 / 503 / 504：代理自身无法访问 {target}：故障在代理一侧（其 DNS、防火墙、安全组出站规则）。',
      ],
    },
  },
} satisfies Catalogue;

export type CauseCode = keyof typeof CAUSES;

export const CAUSE_CODES = Object.keys(CAUSES) as CauseCode[];

export function isCauseCode(s: unknown): s is CauseCode {
  return typeof s === 'string' && Object.prototype.hasOwnProperty.call(CAUSES, s);
}

/** Vars whose language-dependent values ({icmp}, notes) may be given once for both languages. */
export type LocalisedVars = Readonly<Record<string, string | number | null | undefined | { en: string; zh: string }>>;

/** The value for `lang` of every { en, zh } in `vars`. */
export function pickLang(vars: LocalisedVars, lang: Lang): Vars {
  const out: Record<string, string | number | null | undefined> = {};
  for (const [k, x] of Object.entries(vars)) out[k] = x !== null && typeof x === 'object' ? x[lang] : x;
  return out;
}

export interface Described {
  summary: string;
  explanation: string;
  advice: string[];
}

/**
 * The texts of a cause for one verdict, filled from `vars` (placeholders in text.ts); a value may
 * be { en, zh } (e.g. icmp: { en: icmpMeaning(..,'en').title, zh: ... }) and the one for `lang` is used. `sender`
 * 'client' / 'server' is localised. With severity 'warning' the entry's warning wording is used
 * when it has one. For 'tls.alert' with a numeric alertCode and a sender, the alert's reading
 * (alerts.ts) is appended to the explanation and its advice comes first; {alert} defaults to
 * the alert's name.
 */
export function describeCause(code: CauseCode, lang: Lang, lvars: LocalisedVars, severity?: Severity): Described {
  const entry: CauseEntry = CAUSES[code];
  const t = severity === 'warning' && entry.warning ? entry.warning[lang] : entry[lang];
  const vars = pickLang(lvars, lang);
  const rawSender = vars['sender'];
  const ac = vars['alertCode'];
  const alertSender = code === 'tls.alert' && typeof ac === 'number' && (rawSender === 'client' || rawSender === 'server') ? rawSender : null;
  const v: Vars = {
    ...vars,
    ...(typeof rawSender === 'string' ? { sender: senderName(rawSender, lang) } : {}),
    ...(alertSender !== null && (vars['alert'] === null || vars['alert'] === undefined) ? { alert: TLS_ALERTS[ac as number]?.name ?? `alert_${ac}` } : {}),
  };

  const summary = fill(t.summary, v);
  let explanation = fill(t.explanation, v);
  let advice = t.advice.map((a) => fill(a, v));

  if (alertSender !== null) {
    const a = alertAdvice(ac as number, alertSender, lang, vars);
    explanation = `${explanation}${lang === 'en' ? ' ' : ''}${a.meaning}`;
    // The generic lines go after the alert's own, minus those that repeat a step the alert's
    // advice already gives (same lead-in before the colon: "Reproduce from the client", or a
    // server error log already named).
    const lead = (x: string): string => x.split(/[:：]/, 1)[0]!;
    const leads = new Set(a.advice.map(lead));
    const namesLog = a.advice.some((x) => /error log|错误日志/.test(x));
    advice = [...a.advice, ...advice.filter((x) => !leads.has(lead(x)) && !(namesLog && /error log|错误日志/.test(x)))];
  }
  return { summary, explanation, advice };
}

// --- notes -----------------------------------------------------------------------------------

export interface RstFacts {
  /** TTL (hop limit) of the RST as captured. */
  rstTtl: number;
  /** TTL of the server's own packets (its SYN-ACK) as captured. */
  serverTtl: number;
  /** IPv4 ID of the RST and of the server's last packet, when compared. */
  rstIpId?: number | null;
  serverIpId?: number | null;
}

/** The {ttlNote} sentence for tcp.reset_injected. */
export function ttlNote(f: RstFacts, lang: Lang): string {
  const ipid = f.rstIpId !== null && f.rstIpId !== undefined && f.serverIpId !== null && f.serverIpId !== undefined;
  if (lang === 'en') {
    let s = f.rstTtl !== f.serverTtl
      ? `The RST arrived with TTL ${f.rstTtl}, while the server's own packets arrived with TTL ${f.serverTtl}: it was sent from a different distance.`
      : `The RST arrived with the same TTL (${f.rstTtl}) as the server's own packets.`;
    if (ipid) s += ` Its IP ID ${f.rstIpId} does not follow the server's (${f.serverIpId}).`;
    return s;
  }
  let s = f.rstTtl !== f.serverTtl
    ? `该 RST 的 TTL 为 ${f.rstTtl}，而服务器自身数据包的 TTL 为 ${f.serverTtl}：它来自不同的距离。`
    : `该 RST 的 TTL（${f.rstTtl}）与服务器自身数据包相同。`;
  if (ipid) s += `其 IP ID ${f.rstIpId} 与服务器的 IP ID（${f.serverIpId}）不连续。`;
  return s;
}

/** The {edeNote} sentence from the Extended DNS Errors of an answer ('' when there are none). */
export function edeNote(ede: readonly { code: number; text?: string | null }[], lang: Lang): string {
  if (ede.length === 0) return '';
  const items = ede.map((e) => {
    const t = e.text ? (lang === 'en' ? `: "${e.text}"` : `："${e.text}"`) : '';
    return `${e.code} (${edeMeaning(e.code, lang)})${t}`;
  });
  return lang === 'en'
    ? `The server added Extended DNS Error ${items.join('; ')}.`
    : `服务器附带了扩展 DNS 错误（EDE）${items.join('；')}。`;
}
