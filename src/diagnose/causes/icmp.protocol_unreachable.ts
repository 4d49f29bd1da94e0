/**
 * icmp.protocol_unreachable: an ICMP/ICMPv6 error that quotes the failing flow (details.from = who sent it)
 */
import { defineCause } from '../cause.js';
import { ICMP_RULES, icmpVars } from '../rules-icmp.js';

export default defineCause({
  code: 'icmp.protocol_unreachable',
  layer: 'icmp',
  severity: 'error',
  live: 'packet',
  rules: ICMP_RULES,
  vars: icmpVars,
  words: {
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
});
