/**
 * icmp.port_unreachable: an ICMP/ICMPv6 error that quotes the failing flow (details.from = who sent it)
 */
import { defineCause } from '../cause.js';
import { ICMP_RULES, icmpVars } from '../rules-icmp.js';

export default defineCause({
  code: 'icmp.port_unreachable',
  layer: 'icmp',
  severity: 'error',
  live: 'packet',
  rules: ICMP_RULES,
  vars: icmpVars,
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
