/**
 * icmp.frag_needed: an ICMP/ICMPv6 error that quotes the failing flow (details.from = who sent it)
 */
import { defineCause, reworded, withVariants } from '../cause.js';
import { ICMP_RULES, icmpVars } from '../rules-icmp.js';
import { MTU_TEST } from '../advice.js';

/** Said without the MTU when the message gives none (0: a router older than RFC 1191, §4). */
const NO_MTU = {
  summary: {
    en: '{target}: {from} says the packets are too big for the path (no MTU given)',
    zh: '{target}：{from} 表示数据包超过路径 MTU（未给出 MTU）',
  },
  explanation: {
    en: '{from} answered with {icmp}: a packet that must not be fragmented was larger than the next link allows; the message gives no size (a next-hop MTU of 0, as routers older than RFC 1191 send). The sender is expected to send smaller packets (path MTU discovery). If the connection still stalls, the sender is not acting on the message; where such messages are filtered, large transfers stall without any sign (a PMTU black hole).',
    zh: '{from} 回复了 {icmp}：一个不允许分片的数据包超过了下一跳链路允许的大小；该消息没有给出大小（下一跳 MTU 为 0，早于 RFC 1191 的路由器就是这样发送的）。发送方应改发更小的包（路径 MTU 发现）。如果连接仍然卡住，说明发送方没有响应该消息；而在这类消息被过滤的地方，大数据传输会毫无提示地卡住（PMTU 黑洞）。',
  },
  advice: {
    1: {
      en: 'Lower the MTU of the client interface to the path MTU measured above (`ip link set dev <if> mtu <mtu>`), or clamp the TCP MSS on the VPN / tunnel gateway (`iptables -t mangle -A FORWARD -p tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu`).',
      zh: '把客户端网卡的 MTU 调低到上面测得的路径 MTU（`ip link set dev <if> mtu <mtu>`），或在 VPN/隧道网关上钳制 TCP MSS（`iptables -t mangle -A FORWARD -p tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu`）。',
    },
  },
} as const;

const CAUSE = defineCause({
  code: 'icmp.frag_needed',
  layer: 'icmp',
  severity: 'error',
  live: 'packet',
  rules: ICMP_RULES,
  vars: icmpVars,
  words: {
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
});

export default withVariants(CAUSE, { noMtu: reworded(CAUSE.words, NO_MTU) }, (v) => (typeof v.facts['mtu'] === 'number' && v.facts['mtu'] > 0 ? null : 'noMtu'));
