/**
 * tcp.pmtu_blackhole: small segments pass, full-size segments are retransmitted without progress, no ICMP frag-needed
 */
import { defineCause } from '../cause.js';
import { MTU_TEST, MSS_CLAMP } from '../advice.js';

export default defineCause({
  code: 'tcp.pmtu_blackhole',
  layer: 'tcp',
  severity: 'error',
  live: 'end',
  rules: [],
  planned: 'issue 22',
  words: {
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
});
