/**
 * icmp.port_unreachable: an ICMP/ICMPv6 error that quotes the failing flow (details.from = who sent it).
 * Told three ways: from the destination itself (nothing accepts the port); from another address
 * (details.fromDestination false: a firewall or router rejecting on the destination's behalf, not
 * the destination speaking), or from the client's own address (details.fromClient: a rule on the
 * client refused to let its packet out); and, for errors alone that quote traceroute's UDP probes (orphans.ts),
 * as the end of a traceroute (a warning); and, for an error alone that the quoted packet's own
 * destination sent about an answer from a server's port (details.refusedReply), as an answer that
 * came after the asking program had given up (a warning, told of the answering side).
 */
import { defineCause, reworded, type Wording } from '../cause.js';
import { ICMP_RULES, icmpVars, orphanVars, portKnown } from '../rules-icmp.js';
import { fill, fillText, type CauseText } from '../words.js';

const OTHER_HOST: { readonly en: CauseText; readonly zh: CauseText } = {
  en: {
    summary: '{target}: {from}, not {ip} itself, rejected the {transport} packet to port {port} (ICMP port unreachable)',
    explanation:
      'The port unreachable ({icmp}) came from {from}, a different address than the destination {ip}: this is not {ip} saying that nothing listens on port {port}. A firewall or router on the way rejected the packet on the destination\'s behalf (a reject rule answers icmp-port-unreachable by default: `iptables -j REJECT`, `nft ... reject`), or {from} is a router that owns {ip} and answers from another of its addresses. {repeatNote} Whether anything listens on {ip} port {port} cannot be told from this capture.',
    advice: [
      'Look for a reject rule on {from}: `iptables -L -n -v | grep -i reject`, `nft list ruleset | grep reject`, `firewall-cmd --list-all`, or the ACLs of that router or firewall; check the security group and network ACL too.',
      'Check that {from} is on the path you expect to {ip} (`traceroute -n {ip}`), and whether {ip} is one of its own addresses.',
      'Check that {port} is the port the service really uses (configuration, a changed port).',
    ],
  },
  zh: {
    summary: '{target}：拒绝发往端口 {port} 的 {transport} 数据包的是 {from}，而不是 {ip} 本身（ICMP 端口不可达）',
    explanation:
      '这条端口不可达（{icmp}）来自 {from}，与目标 {ip} 不是同一个地址：这并不是 {ip} 在表示端口 {port} 上没有服务监听。是路径上的防火墙或路由器代替目标拒绝了该数据包（REJECT 规则默认回复 icmp-port-unreachable，如 `iptables -j REJECT`、`nft ... reject`），或者 {from} 是拥有 {ip} 的路由器，以它的另一个地址作了回应。{repeatNote}{ip} 的端口 {port} 上是否有服务监听，无法从本次抓包判断。',
    advice: [
      '检查 {from} 上的 REJECT 规则：`iptables -L -n -v | grep -i reject`、`nft list ruleset | grep reject`、`firewall-cmd --list-all`，或该路由器、防火墙的 ACL；同时检查安全组和网络 ACL。',
      '确认 {from} 位于通往 {ip} 的预期路径上（`traceroute -n {ip}`），以及 {ip} 是否是它自己的地址之一。',
      '确认 {port} 是服务实际使用的端口（配置、端口是否变更）。',
    ],
  },
};

/** Sent by the client's own address about its own packet: a rule on the client refused to let it out. */
const FROM_CLIENT: { readonly en: CauseText; readonly zh: CauseText } = {
  en: {
    summary: '{target}: the client {from} itself rejected its own {transport} packet to port {port} before it left (ICMP port unreachable)',
    explanation:
      'The port unreachable ({icmp}) came from {from}, the address that sent the packet, to itself: a rule on the client\'s own system rejected the packet to {ip} port {port} before it left (a local firewall rejecting outgoing traffic: `iptables -A OUTPUT ... -j REJECT`, `nft ... reject`; an application firewall; a VPN that blocks traffic outside its tunnel). {ip} was never asked: whether anything listens on {ip} port {port} cannot be told from this capture. {repeatNote}',
    advice: [
      'Look for a reject rule on {from} itself: `iptables -L OUTPUT -n -v`, `nft list ruleset | grep reject`, the host firewall\'s outbound rules; on a phone, the app\'s network permissions or a firewall app.',
      'If a VPN client runs on {from} (an always-on VPN, a kill switch), check whether it blocks traffic to {ip} outside the tunnel.',
    ],
  },
  zh: {
    summary: '{target}：客户端 {from} 自己在数据包发出之前就拒绝了它发往端口 {port} 的 {transport} 数据包（ICMP 端口不可达）',
    explanation:
      '这条端口不可达（{icmp}）来自发出该数据包的地址 {from}，并发给了它自己：客户端本机上的规则在数据包发出之前就拒绝了发往 {ip} 端口 {port} 的数据包（拒绝出站流量的本机防火墙：`iptables -A OUTPUT ... -j REJECT`、`nft ... reject`；应用防火墙；阻止隧道外流量的 VPN）。{ip} 根本没有收到请求：{ip} 的端口 {port} 上是否有服务监听，无法从本次抓包判断。{repeatNote}',
    advice: [
      '检查 {from} 本机上的 REJECT 规则：`iptables -L OUTPUT -n -v`、`nft list ruleset | grep reject`、主机防火墙的出站规则；手机上检查该应用的网络权限或防火墙应用。',
      '如果 {from} 上运行着 VPN 客户端（始终开启的 VPN、断网保护），检查它是否阻止了隧道之外发往 {ip} 的流量。',
    ],
  },
};

const PROBE: { readonly en: CauseText; readonly zh: CauseText } = {
  en: {
    summary: '{target}: port unreachable from {from} for what look like {probeText} probes ({errorsText}); the probes are not in the capture',
    explanation:
      '{from} answered {errorsText} from {client} to {ip} with {icmp}. What it quotes looks like traceroute probes: {probeWhy}. Traceroute sends its probes to ports where nothing listens, so a port unreachable is how it learns that a probe got to the end of the path; nothing here shows a failure. {reporterNote}',
    advice: [
      'Nothing to fix if traceroute or mtr ran on {client} at that time.',
      'If {ip} should be reached beyond {from}, look for a reject rule on {from}: `iptables -L -n -v | grep -i reject`, `nft list ruleset | grep reject`, or the ACLs of that router or firewall.',
    ],
  },
  zh: {
    summary: '{target}：{from} 对看起来是 {probeText}探测包的数据包（{errorsText}）回复了端口不可达；抓包中没有这些探测包',
    explanation:
      '{from} 用 {icmp} 回应了 {client} 发往 {ip} 的 {errorsText}。它所引用的数据包看起来是 traceroute 探测包：{probeWhy}。traceroute 把探测包发往没有服务监听的端口，端口不可达正是它得知探测包到达路径终点的方式；这里没有任何失败的迹象。{reporterNote}',
    advice: [
      '如果当时在 {client} 上运行过 traceroute 或 mtr，则无需修复。',
      '如果应当能越过 {from} 到达 {ip}，请检查 {from} 上的 REJECT 规则：`iptables -L -n -v | grep -i reject`、`nft list ruleset | grep reject`，或该路由器、防火墙的 ACL。',
    ],
  },
};

const REPLY: { readonly en: CauseText; readonly zh: CauseText } = {
  en: {
    summary: '{target}: an answer from {ip} came back after {client} had stopped waiting for it ({client} refused it: ICMP port unreachable)',
    explanation:
      '{client} answered a {transport} packet from {ip} port {port} to its own port {replyPort} with {icmp}: nothing listened on that port any more. That packet was an answer (from the service port {port}) to something {client} had asked, and the program that asked had already given up and closed its socket: the answer came late, or a second time. The request is not in the capture, so whether the program got an answer in time cannot be told here. {repeatNote}',
    advice: [
      'If answers from {ip} are slow, check its load and the path to it (for DNS: the query time of `dig @{ip} NAME`; `mtr -n {ip}`); a client timeout shorter than the answer time (resolv.conf `options timeout:`) shows as this.',
      'The same answer sent twice (a server, or two behind one address, answering once more) shows as this too: nothing to fix if the first one arrived in time.',
    ],
  },
  zh: {
    summary: '{target}：{ip} 的应答在 {client} 已不再等待之后才到达（{client} 拒收：ICMP 端口不可达）',
    explanation:
      '{client} 用 {icmp} 回应了 {ip} 端口 {port} 发往其本机端口 {replyPort} 的 {transport} 数据包：该端口已没有程序监听。这个数据包是对 {client} 先前请求的应答（来自服务端口 {port}），而发出请求的程序已经放弃并关闭了套接字：应答来得太晚，或者是重复的应答。抓包中没有那个请求，因此无法从这里判断程序是否及时得到了应答。{repeatNote}',
    advice: [
      '如果 {ip} 的应答很慢，检查它的负载和到它的路径（DNS 可看 `dig @{ip} 域名` 的查询耗时；`mtr -n {ip}`）；客户端超时短于应答耗时（resolv.conf 的 `options timeout:`）时就会出现这种情况。',
      '同一应答被发送两次（服务器重发，或同一地址后面的两台服务器都作了应答）也会这样：如果第一个应答及时到达，则无需处理。',
    ],
  },
};

/**
 * Said without a port, when the errors alone quote a packet that has none or packets to several
 * ports (the target is then the host): of the destination, then of another host.
 */
const NO_PORT = {
  summary: {
    en: '{target}: {from} says nothing accepts the client\'s packets (ICMP port unreachable)',
    zh: '{target}：{from} 表示客户端的数据包无人接收（ICMP 端口不可达）',
  },
  explanation: {
    en: '{from} answered the client\'s packets to {ip} with {icmp}. For UDP this normally comes from the destination host: nothing listens on the port (for DNS: the resolver is not running). For TCP a closed port answers with a RST, so this message means a firewall rule: the default reject type of iptables REJECT is icmp-port-unreachable.',
    zh: '{from} 用 {icmp} 回应了客户端发往 {ip} 的数据包。对 UDP 而言，这通常来自目标主机本身：该端口没有服务监听（DNS 场景即 DNS 服务未运行）。对 TCP 而言，关闭的端口会回复 RST，因此出现这条消息意味着防火墙规则：iptables REJECT 的默认拒绝方式就是 icmp-port-unreachable。',
  },
  advice: {
    0: {
      en: 'UDP: check the service runs and listens on {ip} (`ss -lunp` on the server).',
      zh: 'UDP：检查服务是否在 {ip} 上运行并监听（在服务器上执行 `ss -lunp`）。',
    },
    2: {
      en: 'Check that the client uses the port the service really uses (configuration, a changed port).',
      zh: '确认客户端使用的是服务实际使用的端口（配置、端口是否变更）。',
    },
  },
} as const;

const OTHER_HOST_NO_PORT = {
  summary: {
    en: '{target}: {from}, not {ip} itself, rejected the client\'s packets (ICMP port unreachable)',
    zh: '{target}：拒绝客户端数据包的是 {from}，而不是 {ip} 本身（ICMP 端口不可达）',
  },
  explanation: {
    en: 'The port unreachable ({icmp}) came from {from}, a different address than the destination {ip}: this is not {ip} saying that nothing listens on the port. A firewall or router on the way rejected the packet on the destination\'s behalf (a reject rule answers icmp-port-unreachable by default: `iptables -j REJECT`, `nft ... reject`), or {from} is a router that owns {ip} and answers from another of its addresses. {repeatNote} Whether anything listens on {ip} cannot be told from this capture.',
    zh: '这条端口不可达（{icmp}）来自 {from}，与目标 {ip} 不是同一个地址：这并不是 {ip} 在表示该端口上没有服务监听。是路径上的防火墙或路由器代替目标拒绝了该数据包（REJECT 规则默认回复 icmp-port-unreachable，如 `iptables -j REJECT`、`nft ... reject`），或者 {from} 是拥有 {ip} 的路由器，以它的另一个地址作了回应。{repeatNote}{ip} 上是否有服务监听，无法从本次抓包判断。',
  },
  advice: { 2: NO_PORT.advice[2] },
} as const;

const CAUSE = defineCause({
  code: 'icmp.port_unreachable',
  layer: 'icmp',
  severity: 'error',
  live: 'packet',
  rules: ICMP_RULES,
  vars: (v, lang) => ({ ...icmpVars(v, lang), ...orphanVars(v, lang) }),
  compose: (d, v, lang, vars) => {
    if (v.facts['refusedReply'] === true) {
      const t = REPLY[lang];
      return { summary: fill(t.summary, vars), explanation: fill(t.explanation, vars), advice: t.advice.map((a) => fill(a, vars)) };
    }
    const probe = v.facts['probe'] === 'udp';
    if (!probe && v.facts['fromClient'] === true && portKnown(v)) {
      const t = FROM_CLIENT[lang];
      return { summary: fill(t.summary, vars), explanation: fill(t.explanation, vars), advice: t.advice.map((a) => fill(a, vars)) };
    }
    const other = v.facts['fromDestination'] === false;
    if (!probe && !portKnown(v)) return fillText((other ? VARIANTS.otherHostNoPort : VARIANTS.noPort)[lang], vars);
    if (!probe && !other) return d;
    const t = (probe ? PROBE : OTHER_HOST)[lang];
    // A probe answered by the destination itself: no reject rule to look for.
    const advice = probe && !other ? t.advice.slice(0, 1) : t.advice;
    return { summary: fill(t.summary, vars), explanation: fill(t.explanation, vars), advice: advice.map((a) => fill(a, vars)) };
  },
  words: {
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
});

/** Its wordings without a port: built from its own words and OTHER_HOST, chosen by its compose. */
const VARIANTS: Readonly<Record<'noPort' | 'otherHostNoPort', Wording>> = {
  noPort: reworded(CAUSE.words, NO_PORT),
  otherHostNoPort: reworded(OTHER_HOST, OTHER_HOST_NO_PORT),
};

export default { ...CAUSE, variants: { otherHost: OTHER_HOST, fromClient: FROM_CLIENT, probe: PROBE, reply: REPLY, ...VARIANTS } };
