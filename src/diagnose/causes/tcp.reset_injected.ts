/**
 * tcp.reset_injected: a RST that the server most likely did not send (TTL / IP-ID differ from the server's own packets)
 */
import { defineCause } from '../cause.js';
import type { Args } from '../../facts.js';
import type { Lang } from '../../lang.js';

/** The {ttlNote} sentence: the RST's TTL and IP ID against the server's own packets. */
export function ttlNote(f: Args, lang: Lang): string {
  const rstTtl = f['rstTtl'];
  const serverTtl = f['serverTtl'];
  if (typeof rstTtl !== 'number' || typeof serverTtl !== 'number') return '';
  const rstIpId = f['rstIpId'];
  const serverIpId = f['serverIpId'];
  const ipid = typeof rstIpId === 'number' && typeof serverIpId === 'number';
  if (lang === 'en') {
    let s = rstTtl !== serverTtl
      ? `The RST arrived with TTL ${rstTtl}, while the server's own packets arrived with TTL ${serverTtl}: it was sent from a different distance.`
      : `The RST arrived with the same TTL (${rstTtl}) as the server's own packets.`;
    if (ipid) s += ` Its IP ID ${rstIpId} does not follow the server's (${serverIpId}).`;
    return s;
  }
  let s = rstTtl !== serverTtl
    ? `该 RST 的 TTL 为 ${rstTtl}，而服务器自身数据包的 TTL 为 ${serverTtl}：它来自不同的距离。`
    : `该 RST 的 TTL（${rstTtl}）与服务器自身数据包相同。`;
  if (ipid) s += `其 IP ID ${rstIpId} 与服务器的 IP ID（${serverIpId}）不连续。`;
  return s;
}

export default defineCause({
  code: 'tcp.reset_injected',
  layer: 'tcp',
  severity: 'error',
  live: 'packet',
  rules: [],
  planned: 'issue 22',
  vars: (v, lang) => ({ ttlNote: ttlNote(v.facts, lang) }),
  words: {
    en: {
      summary: '{target}: a RST that the server most likely did not send ended the connection',
      explanation:
        'The connection to {ip} port {port} was reset, but the RST does not look like it came from {ip}. {ttlNote} A device on the path — a firewall, an intrusion prevention system, a content filter — most likely forged it on the server\'s behalf to cut the connection.',
      advice: [
        'Find which device on the path filters this traffic (corporate firewall, IPS/IDS, content filter, proxy); its log should show the block.',
        'Compare from another network (another ISP, a VPN): if it works there, the filter is on this network\'s path.',
        'Check whether the name the client sent (TLS SNI, HTTP Host) is blocked by policy; an explicit proxy may be required (`env | grep -i proxy`).',
        'Compare the RST\'s TTL with the hop counts of `traceroute -n {ip}` to estimate how far from the client it was sent.',
      ],
    },
    zh: {
      summary: '{target}：连接被一个很可能不是服务器发出的 RST 中断',
      explanation:
        '到 {ip} 端口 {port} 的连接被重置，但这个 RST 看起来不是 {ip} 发出的。{ttlNote}很可能是路径上的设备——防火墙、入侵防御系统、内容过滤——冒充服务器伪造了它来切断连接。',
      advice: [
        '找出路径上过滤该流量的设备（公司防火墙、IPS/IDS、内容过滤、代理）；其日志中应有拦截记录。',
        '从其他网络环境对比（其他运营商、VPN）：如果在那里正常，过滤设备就在本网络的路径上。',
        '检查客户端发送的域名（TLS SNI、HTTP Host）是否被策略拦截；可能必须使用显式代理（`env | grep -i proxy`）。',
        '把 RST 的 TTL 与 `traceroute -n {ip}` 的跳数对比，估算它是在距离客户端多远的地方发出的。',
      ],
    },
  },
});
