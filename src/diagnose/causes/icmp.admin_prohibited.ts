/**
 * icmp.admin_prohibited: an ICMP/ICMPv6 error that quotes the failing flow (details.from = who sent it)
 */
import { defineCause, reworded, withVariants } from '../cause.js';
import { ICMP_RULES, UNDELIVERED_REPLY, icmpVars, portKnown, undeliveredVariant } from '../rules-icmp.js';

/**
 * The advice when the quoted packet has no port (ICMP, GRE, ESP ...) or the errors quote packets to
 * several ports: the rules to look for match the traffic to the destination.
 */
const NO_PORT_ADVICE = {
  0: {
    en: 'If {from} is the client or its gateway, check the local rules for a REJECT matching this traffic to {ip}: `iptables -L -n -v`, `nft list ruleset`, `firewall-cmd --list-all`.',
    zh: '如果 {from} 是客户端本机或其网关，检查本地规则中是否有匹配发往 {ip} 的这类流量的 REJECT：`iptables -L -n -v`、`nft list ruleset`、`firewall-cmd --list-all`。',
  },
  1: {
    en: 'If {from} is {ip} itself, the server\'s own firewall rejects the client: allow {client} (or its NAT address) there.',
    zh: '如果 {from} 就是 {ip}，说明服务器自身的防火墙拒绝了客户端：在服务器上放行 {client}（或其 NAT 地址）。',
  },
  2: {
    en: 'If {from} is a router or cloud firewall, check its ACL, the security group and the network ACL rules for {ip}.',
    zh: '如果 {from} 是路由器或云防火墙，检查其 ACL、安全组以及网络 ACL 中关于 {ip} 的规则。',
  },
} as const;

const CAUSE = defineCause({
  code: 'icmp.admin_prohibited',
  layer: 'icmp',
  severity: 'error',
  live: 'packet',
  rules: ICMP_RULES,
  vars: icmpVars,
  words: {
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
});

const BY_PORT = withVariants(CAUSE, { noPort: reworded(CAUSE.words, { advice: NO_PORT_ADVICE }) }, (v) => (portKnown(v) ? null : 'noPort'));
export default withVariants(BY_PORT, { undeliveredReply: UNDELIVERED_REPLY }, undeliveredVariant);
