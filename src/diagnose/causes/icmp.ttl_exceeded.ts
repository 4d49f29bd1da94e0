/**
 * icmp.ttl_exceeded: an ICMP/ICMPv6 error that quotes the failing flow (details.from = who sent it)
 */
import { defineCause } from '../cause.js';
import { ICMP_RULES, icmpVars } from '../rules-icmp.js';

export default defineCause({
  code: 'icmp.ttl_exceeded',
  layer: 'icmp',
  severity: 'error',
  live: 'packet',
  rules: ICMP_RULES,
  vars: icmpVars,
  words: {
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
});
