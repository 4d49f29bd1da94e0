/**
 * dns.fragments_lost: an answer arrived as IP fragments and some never did: fragments are dropped
 * on the path (EDNS buffer size, firewalls).
 */
import { defineCause } from '../cause.js';

export default defineCause({
  code: 'dns.fragments_lost',
  layer: 'dns',
  severity: 'error',
  live: 'end',
  rules: [],
  planned: 'issue 22',
  words: {
    en: {
      summary: '{name}: the DNS answer from {server} was fragmented and fragments were lost',
      explanation:
        'The answer from {server} for {name} was too big for one packet and arrived as IP fragments, but only some of them reached the client, so the answer could never be put together. Something on the path drops IP fragments (a firewall, a NAT or a security group that filters fragments).',
      advice: [
        'Ask for a smaller answer: lower the EDNS buffer size to 1232 bytes (`dig +bufsize=1232 @{server} {name}`; resolvers: `edns-buffer-size: 1232` in Unbound, `max-udp-size 1232;` in BIND), so answers that do not fit come back truncated and are retried over TCP.',
        'Check that TCP port 53 to {server} is allowed (security group outbound rules, `iptables -L -n`): the truncated answer is retried over TCP.',
        'Find the device that drops fragments: firewalls and NAT gateways often drop non-first fragments; allow IP fragments from {server}.',
      ],
    },
    zh: {
      summary: '{name}：来自 {server} 的 DNS 应答被分片，且有分片丢失',
      explanation:
        '{server} 对 {name} 的应答太大，一个数据包装不下，以 IP 分片的形式发出，但只有部分分片到达了客户端，应答始终无法重组。路径上有设备丢弃了 IP 分片（防火墙、NAT 或过滤分片的安全组）。',
      advice: [
        '请求更小的应答：把 EDNS 缓冲区调到 1232 字节（`dig +bufsize=1232 @{server} {name}`；解析器：Unbound 的 `edns-buffer-size: 1232`、BIND 的 `max-udp-size 1232;`），装不下的应答会被截断并改用 TCP 重试。',
        '检查到 {server} 的 TCP 53 端口是否放行（安全组出站规则、`iptables -L -n`）：被截断的应答会改用 TCP 重试。',
        '找出丢弃分片的设备：防火墙和 NAT 网关常常丢弃非首个分片；放行来自 {server} 的 IP 分片。',
      ],
    },
  },
});
