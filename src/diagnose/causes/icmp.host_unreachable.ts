/**
 * icmp.host_unreachable: an ICMP/ICMPv6 error that quotes the failing flow (details.from = who sent it)
 */
import { defineCause, withVariants } from '../cause.js';
import { ICMP_RULES, UNDELIVERED_REPLY, icmpVars, undeliveredVariant } from '../rules-icmp.js';

const CAUSE = defineCause({
  code: 'icmp.host_unreachable',
  layer: 'icmp',
  severity: 'error',
  live: 'packet',
  rules: ICMP_RULES,
  vars: icmpVars,
  words: {
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
});

export default withVariants(CAUSE, { undeliveredReply: UNDELIVERED_REPLY }, undeliveredVariant);
