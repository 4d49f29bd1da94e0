/**
 * icmp.net_unreachable: an ICMP/ICMPv6 error that quotes the failing flow (details.from = who sent it)
 */
import { defineCause, withVariants } from '../cause.js';
import { ICMP_RULES, UNDELIVERED_REPLY, icmpVars, undeliveredVariant } from '../rules-icmp.js';

const CAUSE = defineCause({
  code: 'icmp.net_unreachable',
  layer: 'icmp',
  severity: 'error',
  live: 'packet',
  rules: ICMP_RULES,
  vars: icmpVars,
  words: {
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
});

export default withVariants(CAUSE, { undeliveredReply: UNDELIVERED_REPLY }, undeliveredVariant);
