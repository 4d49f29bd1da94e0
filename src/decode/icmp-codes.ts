/**
 * The one table of ICMP and ICMPv6 types and codes (RFC 792, RFC 1812 §5.2.7.1, RFC 4443 §3):
 * for each, its name in the report's vocabulary (the contract's cause codes where one applies),
 * the contract cause it maps to, and — for the errors a verdict can rest on — what it is called
 * and what it usually means in practice (../shared/REFERENCE.md), in both report languages.
 *
 *   icmpCode(v6, type, code)   { name, cause, words } for one message (never undefined)
 *   icmpName(v6, type, code)   the name alone: 'admin_prohibited', 'packet_too_big', 'icmp_42_7'
 *   icmpCause(e)               'icmp.port_unreachable', ... or null when it is not a reachability failure
 */
import type { Localised } from '../lang.js';

export interface IcmpWords {
  /** What it is called: 'communication administratively prohibited'. */
  title: Localised;
  /** Who usually sends it and what it points to. */
  meaning: Localised;
}

export interface IcmpCodeInfo {
  name: string;
  /** The contract's cause code, or null (not a reachability failure: echo, redirect, ...). */
  cause: string | null;
  /** Words for the errors that REFERENCE.md describes; null for the others. */
  words: IcmpWords | null;
}

type Row = [name: string, cause: string | null, en?: string, zh?: string, men?: string, mzh?: string];

const FW_EN = 'usually a firewall or ACL rejecting the traffic (REJECT with icmp-admin-prohibited / icmp-host-prohibited / icmp-net-prohibited)';
const FW_ZH = '通常是防火墙或 ACL 拒绝了该流量（REJECT 的 icmp-admin-prohibited / icmp-host-prohibited / icmp-net-prohibited）';
const NET = 'icmp.net_unreachable';
const HOST = 'icmp.host_unreachable';
const ADMIN = 'icmp.admin_prohibited';

const V4: Readonly<Record<string, Row>> = {
  '0/0': ['echo_reply', null],
  '8/0': ['echo_request', null],
  '3/0': ['net_unreachable', NET, 'network unreachable', '网络不可达', 'a router has no route to the destination network (or a REJECT icmp-net-unreachable rule)', '路由器没有到目标网络的路由（或 REJECT icmp-net-unreachable 规则）'],
  '3/1': ['host_unreachable', HOST, 'host unreachable', '主机不可达', 'the last-hop router got no ARP reply for the destination: host down or wrong IP (or a REJECT icmp-host-unreachable rule)', '最后一跳路由器对目标的 ARP 请求无应答：主机宕机或 IP 错误（或 REJECT icmp-host-unreachable 规则）'],
  '3/2': ['protocol_unreachable', 'icmp.protocol_unreachable', 'protocol unreachable', '协议不可达', 'the host does not support the IP protocol (GRE, ESP, SCTP ...) or a firewall blocks it', '主机不支持该 IP 协议（GRE、ESP、SCTP 等）或防火墙阻止了它'],
  '3/3': ['port_unreachable', 'icmp.port_unreachable', 'port unreachable', '端口不可达', 'UDP: nothing listens on the port; for TCP it means a firewall REJECT rule (the iptables default reject type)', 'UDP：该端口无服务监听；对 TCP 而言意味着防火墙 REJECT 规则（iptables 默认的拒绝方式）'],
  '3/4': ['frag_needed', 'icmp.frag_needed', 'fragmentation needed and DF set', '需要分片但设置了 DF', 'a router says the packet is larger than the next link\'s MTU: path MTU issue', '路由器指出数据包超过下一跳链路的 MTU：路径 MTU 问题'],
  '3/5': ['source_route_failed', HOST, 'source route failed', '源路由失败', 'rare; a source-routing problem at a router', '罕见；路由器上的源路由问题'],
  '3/6': ['net_unknown', NET, 'destination network unknown', '目标网络未知', 'rare; a routing misconfiguration', '罕见；路由配置错误'],
  '3/7': ['host_unknown', HOST, 'destination host unknown', '目标主机未知', 'rare; a routing misconfiguration', '罕见；路由配置错误'],
  '3/8': ['source_host_isolated', HOST, 'source host isolated', '源主机被隔离', 'obsolete', '已废弃'],
  '3/9': ['net_admin_prohibited', ADMIN, 'network administratively prohibited', '网络被管理性禁止', FW_EN, FW_ZH],
  '3/10': ['host_admin_prohibited', ADMIN, 'host administratively prohibited', '主机被管理性禁止', FW_EN, FW_ZH],
  '3/11': ['net_unreachable_for_tos', NET, 'network unreachable for TOS', '对该 TOS 网络不可达', 'rare; a router has no route for this type of service', '罕见；路由器没有该服务类型的路由'],
  '3/12': ['host_unreachable_for_tos', HOST, 'host unreachable for TOS', '对该 TOS 主机不可达', 'rare; a router cannot reach the host for this type of service', '罕见；路由器无法以该服务类型到达主机'],
  '3/13': ['admin_prohibited', ADMIN, 'communication administratively prohibited', '通信被管理性禁止', FW_EN, FW_ZH],
  '3/14': ['host_precedence_violation', ADMIN, 'host precedence violation', '主机优先级违规', 'rare; a precedence policy at a router', '罕见；路由器上的优先级策略'],
  '3/15': ['precedence_cutoff', ADMIN, 'precedence cutoff in effect', '优先级截止生效', 'rare; a precedence policy at a router', '罕见；路由器上的优先级策略'],
  '11/0': ['ttl_exceeded', 'icmp.ttl_exceeded', 'TTL exceeded in transit', '传输中 TTL 超时', 'a routing loop (or traceroute)', '路由环路（或 traceroute 探测）'],
  '11/1': ['reassembly_time_exceeded', null, 'fragment reassembly time exceeded', '分片重组超时', 'the destination lost fragments (for example a large fragmented DNS answer with one fragment dropped)', '目标丢失了部分分片（例如大的分片 DNS 应答中有一个分片被丢弃）'],
  '12/0': ['parameter_problem', null, 'parameter problem (pointer)', '参数问题（指针）', 'a malformed IP header', 'IP 头格式错误'],
  '12/1': ['parameter_problem', null, 'parameter problem (missing option)', '参数问题（缺少选项）', 'a malformed IP header', 'IP 头格式错误'],
  '12/2': ['parameter_problem', null, 'parameter problem (bad length)', '参数问题（长度错误）', 'a malformed IP header', 'IP 头格式错误'],
  '4/0': ['source_quench', null, 'source quench', '源抑制', 'deprecated congestion signal', '已废弃的拥塞信号'],
  '5/0': ['redirect', null, 'redirect for network', '网络重定向', 'the first-hop router suggests a better gateway', '第一跳路由器建议使用更优的网关'],
  '5/1': ['redirect', null, 'redirect for host', '主机重定向', 'the first-hop router suggests a better gateway', '第一跳路由器建议使用更优的网关'],
};

const V6: Readonly<Record<string, Row>> = {
  '128/0': ['echo_request', null],
  '129/0': ['echo_reply', null],
  '1/0': ['no_route', NET, 'no route to destination', '没有到目标的路由', 'a router has no route (ip6tables icmp6-no-route)', '路由器没有路由（ip6tables icmp6-no-route）'],
  '1/1': ['admin_prohibited', ADMIN, 'administratively prohibited', '被管理性禁止', 'a firewall rejects the traffic (icmp6-adm-prohibited)', '防火墙拒绝了该流量（icmp6-adm-prohibited）'],
  '1/2': ['beyond_scope', NET, 'beyond scope of source address', '超出源地址作用域', 'e.g. a link-local or ULA source sent to a global destination', '例如用链路本地或 ULA 源地址访问全局地址'],
  '1/3': ['address_unreachable', HOST, 'address unreachable', '地址不可达', 'neighbour discovery for the destination failed on the last hop: host down or wrong address', '最后一跳对目标的邻居发现失败：主机宕机或地址错误'],
  '1/4': ['port_unreachable', 'icmp.port_unreachable', 'port unreachable', '端口不可达', 'UDP: nothing listens on the port; for TCP a firewall REJECT (the ip6tables default)', 'UDP：该端口无服务监听；对 TCP 而言是防火墙 REJECT（ip6tables 默认）'],
  '1/5': ['source_policy_failed', ADMIN, 'source address failed ingress/egress policy', '源地址未通过出入口策略', 'a source-address filter (BCP 38) rejects the client\'s address', '源地址过滤（BCP 38）拒绝了客户端地址'],
  '1/6': ['reject_route', NET, 'reject route to destination', '到目标的拒绝路由', 'a router has a reject/blackhole route for the destination', '路由器对目标配置了拒绝/黑洞路由'],
  '2/0': ['packet_too_big', 'icmp.frag_needed', 'packet too big', '数据包过大', 'a router says the packet exceeds the next link\'s MTU (IPv6 routers never fragment)', '路由器指出数据包超过下一跳链路 MTU（IPv6 路由器从不分片）'],
  '3/0': ['hop_limit_exceeded', 'icmp.ttl_exceeded', 'hop limit exceeded in transit', '传输中跳数超限', 'a routing loop (or traceroute)', '路由环路（或 traceroute 探测）'],
  '3/1': ['reassembly_time_exceeded', null, 'fragment reassembly time exceeded', '分片重组超时', 'the destination lost fragments', '目标丢失了部分分片'],
  '4/0': ['parameter_problem', null, 'parameter problem (header field)', '参数问题（头部字段）', 'a malformed header', '头部格式错误'],
  '4/1': ['parameter_problem', null, 'parameter problem (unrecognised next header)', '参数问题（无法识别的下一个头部）', 'an unsupported extension header or protocol', '不支持的扩展头部或协议'],
  '4/2': ['parameter_problem', null, 'parameter problem (unrecognised option)', '参数问题（无法识别的选项）', 'an unsupported IPv6 option', '不支持的 IPv6 选项'],
};

function fromRow(r: Row): IcmpCodeInfo {
  const [name, cause, en, zh, men, mzh] = r;
  return { name, cause, words: en !== undefined ? { title: { en, zh: zh! }, meaning: { en: men!, zh: mzh! } } : null };
}

/** Messages outside the table keep a name (and, for destination unreachable, a cause). */
function fallback(v6: boolean, type: number, code: number): IcmpCodeInfo {
  if (!v6) {
    if (type === 0) return { name: 'echo_reply', cause: null, words: null };
    if (type === 8) return { name: 'echo_request', cause: null, words: null };
    if (type === 3) return { name: `dest_unreachable_${code}`, cause: HOST, words: null };
    if (type === 11) return { name: 'reassembly_time_exceeded', cause: null, words: null };
    if (type === 12) return { name: 'parameter_problem', cause: null, words: null };
    if (type === 5) return { name: 'redirect', cause: null, words: null };
    if (type === 4) return { name: 'source_quench', cause: null, words: null };
    return { name: `icmp_${type}_${code}`, cause: null, words: null };
  }
  if (type === 1) return { name: `dest_unreachable_${code}`, cause: HOST, words: null };
  if (type === 2) return { name: 'packet_too_big', cause: 'icmp.frag_needed', words: null };
  if (type === 3) return { name: code === 0 ? 'hop_limit_exceeded' : 'reassembly_time_exceeded', cause: null, words: null };
  if (type === 4) return { name: 'parameter_problem', cause: null, words: null };
  if (type === 128) return { name: 'echo_request', cause: null, words: null };
  if (type === 129) return { name: 'echo_reply', cause: null, words: null };
  return { name: `icmpv6_${type}_${code}`, cause: null, words: null };
}

const cache4 = new Map<number, IcmpCodeInfo>();
const cache6 = new Map<number, IcmpCodeInfo>();

export function icmpCode(v6: boolean, type: number, code: number): IcmpCodeInfo {
  const cache = v6 ? cache6 : cache4;
  const k = type * 256 + code;
  let info = cache.get(k);
  if (info === undefined) {
    const row = (v6 ? V6 : V4)[`${type}/${code}`];
    info = row ? fromRow(row) : fallback(v6, type, code);
    cache.set(k, info);
  }
  return info;
}

export function icmpName(v6: boolean, type: number, code: number): string {
  return icmpCode(v6, type, code).name;
}

export function icmpCause(e: { v6: boolean; type: number; code: number }): string | null {
  return icmpCode(e.v6, e.type, e.code).cause;
}
