/**
 * tcp.reset_injected: a RST that the server most likely did not send (TTL / IP-ID differ from the
 * server's own packets).
 *
 * A RST from the server's side that arrives with a TTL (IPv4) / hop limit (IPv6) unlike every
 * other packet of that server in the capture was sent from a different distance: a device on the
 * path forged it (iptables `REJECT --reject-with tcp-reset`, an IPS, a content filter matching the
 * SNI). The baseline is the server's own packets (track/host-ttl.ts): those of this connection
 * when it has any (a SYN-ACK), else those of its other connections. It is claimed only when that
 * baseline is one value, and only for a RST that cut an exchange before it was answered (after the
 * SYN, the ClientHello, a request): a RST once all was done fails nothing. Without a baseline the
 * RST stays what it looks like (tcp.refused, tls.no_server_hello, tcp.reset). IPv4 IDs are compared
 * only inside the connection (counters are per connection on Linux) and only when the server's
 * are not 0: otherwise they cannot tell.
 */
import { defineCause } from '../cause.js';
import type { Args } from '../../facts.js';
import type { Lang } from '../../lang.js';
import { isTcp, outcome, rstTakenInSynSent, type ConnRule, type EvidenceAt } from '../outcome.js';
import { CLIENT_HELLO, HTTP_UNANSWERED, proof, synEvidence, way } from '../evidence.js';
import { evidenceKind, limitKind } from '../words.js';

const FORGED_RST = evidenceKind<{ ttl: number; ipId: number; v6: boolean }>('rst_forged', {
  en: (a) => `RST, ${a.v6 ? 'hop limit' : 'TTL'} ${a.ttl}${a.ipId >= 0 ? `, IP ID ${a.ipId}` : ''}`,
  zh: (a) => `RST，${a.v6 ? '跳数限制' : 'TTL'} ${a.ttl}${a.ipId >= 0 ? `，IP ID ${a.ipId}` : ''}`,
}, { en: () => 'RST (forged?)', zh: () => 'RST（伪造？）' });

const SERVER_PACKET = evidenceKind<{ ttl: number; ipId: number; v6: boolean; port: number; synAck: boolean }>('server_ttl', {
  en: (a) => `${a.synAck ? 'SYN-ACK' : `packet from the server's port ${a.port}`}, ${a.v6 ? 'hop limit' : 'TTL'} ${a.ttl}${a.ipId >= 0 ? `, IP ID ${a.ipId}` : ''}`,
  zh: (a) => `${a.synAck ? 'SYN-ACK' : `服务器端口 ${a.port} 发出的数据包`}，${a.v6 ? '跳数限制' : 'TTL'} ${a.ttl}${a.ipId >= 0 ? `，IP ID ${a.ipId}` : ''}`,
});

export const TTL_FROM_OTHER_CONNECTIONS = limitKind<{ port: number; packets: number }>('ttl_from_other_connections', {
  en: (a) => `the server sent nothing in this connection but the RST: its TTL is compared with the ${a.packets} packets the server sent from port ${a.port} in other connections of the capture; if another machine answers this port behind the same address (a load balancer, a port forward), that difference would not prove a forgery`,
  zh: (a) => `在这个连接中服务器除了 RST 没有发出任何数据包：其 TTL 是与该服务器在其他连接中（端口 ${a.port}）的 ${a.packets} 个数据包比较的；如果同一地址后面由另一台机器应答该端口（负载均衡、端口转发），这个差异就不能证明是伪造`,
});

export const IP_ID_UNKNOWN = limitKind<{ why: 'zero' | 'none' }>('ip_id_cannot_tell', {
  en: (a) => (a.why === 'zero'
    ? 'the IP IDs cannot tell here: the server\'s packets in this connection carry IP ID 0 (as Linux sends packets with DF set), and so does the RST; the TTL alone shows the difference'
    : 'the IP IDs cannot tell here: IP ID counters are per connection on Linux, and the server sent no packet of its own in this connection to compare with; the TTL alone shows the difference'),
  zh: (a) => (a.why === 'zero'
    ? '这里 IP ID 无法说明问题：该连接中服务器的数据包 IP ID 为 0（Linux 对设置了 DF 的数据包就是这样发送的），RST 也一样；只有 TTL 显示出差异'
    : '这里 IP ID 无法说明问题：Linux 的 IP ID 计数器是按连接的，而服务器在该连接中没有发出可供比较的自身数据包；只有 TTL 显示出差异'),
});

/** An IPv4 ID "follows" the server's when it is a little ahead of the server's last one in the connection. */
function ipIdJudgement(rstIpId: number, serverIpId: number): 'differs' | 'follows' | 'unknown' {
  if (rstIpId < 0 || serverIpId <= 0) return 'unknown';
  const ahead = (rstIpId - serverIpId + 0x10000) % 0x10000;
  return ahead > 0 && ahead <= 1024 ? 'follows' : 'differs';
}

/** A server RST from a different distance than the server's own packets, before the exchange was answered. */
const RESET_INJECTED: ConnRule = {
  on: 'conn',
  rank: 18,
  produces: ['tcp.reset_injected'],
  run(f, ctx) {
    if (!isTcp(f) || ctx.hostTtl === undefined) return null;
    const c = f.conn;
    const rst = c.rsts.find((r) => !r.fromOrig);
    if (!rst || rst.ttl <= 0) return null;
    // A close already under way, or the server already answering: nothing was cut (tcp.reset says when a reset matters).
    if (c.fins.some((x) => x.frame < rst.frame)) return null;
    const s = f.tls;
    const ex = f.http?.exchanges.find((e) => e.status === null && e.requestFrame < rst.frame);
    // What the RST cut. Not claimed elsewhere: a RST on an idle connection that carried nothing
    // (a middlebox's idle timeout fails nothing), or once the server had begun to answer.
    let after: 'SYN' | 'ClientHello' | 'request';
    if (c.synAckFrame === 0 || c.synAckFrame > rst.frame) {
      // A RST the client's stack drops in SYN-SENT (RFC 9293 §3.10.7.3) cut nothing.
      if (c.synFrames.length === 0 || !rstTakenInSynSent(c, rst)) return null;
      after = 'SYN';
    } else if (s && s.clientHello && s.clientHello.frame < rst.frame && !s.serverHello && s.plainAnswer === null && s.alerts.length === 0) after = 'ClientHello';
    else if (ex && !(c.dataFrames.resp !== 0 && c.dataFrames.resp < rst.frame)) after = 'request';
    else return null;
    const h = ctx.hostTtl(c.resp.ip);
    // One TTL for everything else the server sent, and the RST's another.
    if (!h || h.min !== h.max || rst.ttl === h.min) return null;
    const v6 = rst.ipId < 0 && c.resp.ip.includes(':');
    const own = c.synAckFrame !== 0 && c.synAckFrame < rst.frame;
    const serverIpId = own && h.lastConn === c.id ? h.lastIpId : own ? c.synAckIpId : -1;
    const ipId = v6 ? 'none' : ipIdJudgement(rst.ipId, serverIpId);
    const ev: EvidenceAt[] = [];
    if (own) ev.push(proof(SERVER_PACKET, c.synAckFrame, c.synAckTime, way(c, false), { ttl: c.synAckTtl, ipId: c.synAckIpId, v6, port: c.resp.port, synAck: true }));
    else ev.push(...synEvidence(c).slice(-1), proof(SERVER_PACKET, h.frame, h.ts, { from: c.resp.ip, to: c.orig.ip }, { ttl: h.min, ipId: -1, v6, port: h.port, synAck: false }));
    if (after === 'ClientHello' && s?.clientHello) ev.push(proof(CLIENT_HELLO, s.clientHello.frame, s.clientHello.ts, way(c, s.clientIsOrig), { sni: s.clientHello.sni }));
    if (after === 'request' && ex) ev.push(proof(HTTP_UNANSWERED, ex.requestFrame, ex.requestTime, way(c, true), { method: ex.method, path: ex.target }));
    ev.push(proof(FORGED_RST, rst.frame, rst.ts, way(c, false), { ttl: rst.ttl, ipId: rst.ipId, v6 }));
    ev.sort((a, b) => a.frame - b.frame);
    const sni = s?.clientHello?.sni ?? null;
    const o = outcome('tcp.reset_injected', ev, {
      after,
      ...(sni !== null ? { sni } : {}),
      rstTtl: rst.ttl,
      serverTtl: h.min,
      serverPackets: h.packets,
      comparedWith: own ? 'this_connection' : 'other_connections',
      ...(v6 ? {} : { rstIpId: rst.ipId, serverIpId: serverIpId >= 0 ? serverIpId : null, ipId }),
    }, {
      rstTtl: rst.ttl,
      serverTtl: h.min,
      rstIpId: v6 ? null : rst.ipId,
      serverIpId: serverIpId >= 0 ? serverIpId : null,
      ipId,
      v6: v6 ? 1 : 0,
      sni,
    });
    if (after === 'SYN') o.attempts = c.synFrames.length;
    if (!own) o.limits.push(TTL_FROM_OTHER_CONNECTIONS.of({ port: h.port, packets: h.packets }));
    if (ipId === 'unknown') o.limits.push(IP_ID_UNKNOWN.of({ why: serverIpId === 0 ? 'zero' : 'none' }));
    return o;
  },
};

/** The {ttlNote} sentence: the RST's TTL and IP ID against the server's own packets. */
export function ttlNote(f: Args, lang: Lang): string {
  const rstTtl = f['rstTtl'];
  const serverTtl = f['serverTtl'];
  if (typeof rstTtl !== 'number' || typeof serverTtl !== 'number') return '';
  const v6 = f['v6'] === 1;
  const rstIpId = f['rstIpId'];
  const serverIpId = f['serverIpId'];
  const ids = typeof rstIpId === 'number' && typeof serverIpId === 'number';
  const ipId = typeof f['ipId'] === 'string' ? f['ipId'] : ids ? ipIdJudgement(rstIpId, serverIpId) : 'unknown';
  if (lang === 'en') {
    const what = v6 ? 'hop limit' : 'TTL';
    let s = rstTtl !== serverTtl
      ? `The RST arrived with ${what} ${rstTtl}, while the server's own packets arrived with ${what} ${serverTtl}: it was sent from a different distance.`
      : `The RST arrived with the same ${what} (${rstTtl}) as the server's own packets.`;
    if (ids && ipId === 'differs') s += ` Its IP ID ${rstIpId} does not follow the server's (${serverIpId}).`;
    else if (ids && ipId === 'follows') s += ` Its IP ID ${rstIpId} follows the server's (${serverIpId}), which weakens the case.`;
    return s;
  }
  const what = v6 ? '跳数限制' : 'TTL';
  let s = rstTtl !== serverTtl
    ? `该 RST 的 ${what} 为 ${rstTtl}，而服务器自身数据包的 ${what} 为 ${serverTtl}：它来自不同的距离。`
    : `该 RST 的 ${what}（${rstTtl}）与服务器自身数据包相同。`;
  if (ids && ipId === 'differs') s += `其 IP ID ${rstIpId} 与服务器的 IP ID（${serverIpId}）不连续。`;
  else if (ids && ipId === 'follows') s += `其 IP ID ${rstIpId} 紧接在服务器的 IP ID（${serverIpId}）之后，这削弱了上述判断。`;
  return s;
}

export default defineCause({
  code: 'tcp.reset_injected',
  layer: 'tcp',
  severity: 'error',
  live: 'packet',
  rules: [RESET_INJECTED],
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
        'If you run the routers or firewalls on the path, look for a rule that rejects with a reset (`iptables -L FORWARD -n -v`, `REJECT --reject-with tcp-reset`, string or SNI matches `-m string`) and in the IPS / content-filter policy; a firewall on the server itself would send its RST with the server\'s own TTL, so look in between.',
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
        '如果路径上的路由器或防火墙由你管理，查找以重置方式拒绝的规则（`iptables -L FORWARD -n -v`、`REJECT --reject-with tcp-reset`、按字符串或 SNI 匹配的 `-m string`）以及 IPS/内容过滤策略；服务器本机的防火墙发出的 RST 会带有服务器自己的 TTL，所以应在中间的设备上查找。',
      ],
    },
  },
});
