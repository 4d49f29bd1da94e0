/**
 * udp.no_response: a UDP request/response service never answered — NTP, SNMP, RADIUS, Kerberos,
 * IKE. The client sent its request, waited and sent it again, and nothing came back: no reply, no
 * ICMP error. These services drop what they will not answer without a word (an SNMP agent a
 * request with a wrong community, a RADIUS server one from a client it does not know or with the
 * wrong shared secret), and firewalls and security groups opened for TCP only drop UDP the same way.
 * tshark and Zeek list the requests; nothing says the service failed.
 *
 * Claimed only when the packets prove it:
 * - the server's port is one of these services' (NTP 123 with a client request, mode 3; SNMP 161;
 *   RADIUS 1812, 1813, 1645, 1646; Kerberos 88; IKE 500), whose answers come back on the request's
 *   flow (not TFTP, whose server answers from another port; not traps, syslog or keepalives, which
 *   expect none); the requests of one client to one server and port are taken together
 *   (udp-requests.ts: chrony sends each from a source port of its own);
 * - the client had waited in vain: it sent the same datagram again (a retransmission, as RADIUS,
 *   SNMP and Kerberos clients do), or sent MIN_REQUESTS requests or more (an NTP client polls with
 *   new timestamps each time; iburst sends several in a few seconds). Two different requests, each
 *   sent once, show no waiting;
 * - no datagram came from the server on any of those flows, and no ICMP error about them (those
 *   are told by their own rules);
 * - the capture shows the client receiving other traffic (diagnose.ts asks when the verdicts are
 *   made): a capture of one direction only cannot show any answer, and claims nothing.
 */
import { defineCause } from '../cause.js';
import { outcome, type UdpRequestsRule } from '../outcome.js';
import { evidenceKind } from '../words.js';
import { requestsTold } from '../span.js';

/** Requests, at least, when none was sent again as it was (an NTP client's polls, each with new timestamps). */
export const MIN_REQUESTS = 3;

const REQUEST = evidenceKind<{ service: string; which: string }>('udp_request', {
  en: (a) => `${a.service} request${a.which === 'last' ? ', the last sent' : ''}`,
  zh: (a) => `${a.service} 请求${a.which === 'last' ? '（最后一次发送）' : ''}`,
});

const RULE: UdpRequestsRule = {
  on: 'udpRequests',
  rank: 10,
  produces: ['udp.no_response'],
  run(s, ctx) {
    if (s.answered || s.icmp || !(s.repeated || s.requests >= MIN_REQUESTS)) return null;
    const { evidence, seconds, waited } = requestsTold(REQUEST, s, { from: s.client, to: s.server }, { service: s.service }, ctx.captureEnd);
    const o = outcome('udp.no_response', evidence, { service: s.service, requests: s.requests, flows: s.flows, seconds, waitedSeconds: waited },
      { service: s.service, requests: s.requests, seconds, waited });
    o.attempts = s.requests;
    return o;
  },
};

/** What to check for each service, by language. */
const SERVICE_ADVICE: Record<string, { en: string; zh: string }> = {
  NTP: {
    en: '`chronyc sources -v` or `ntpq -p` on the client shows the server unreachable. Until the clock is synchronized it drifts, and TLS certificates start to look expired or not yet valid: fix this before chasing certificate errors.',
    zh: '在客户端上用 `chronyc sources -v` 或 `ntpq -p` 会看到该服务器不可达。时钟不同步就会漂移，TLS 证书随之看起来已过期或尚未生效：先解决这里，再排查证书错误。',
  },
  SNMP: {
    en: 'An agent ignores, without a word, requests with a wrong community (v1/v2c) or unknown user (v3), or from a source its access rules do not allow (`rocommunity`, `agentaddress` in snmpd.conf); compare with `snmpget -v2c -c <community> {ip} sysUpTime.0`.',
    zh: '团体名错误（v1/v2c）、用户未知（v3），或来源不在访问规则允许范围内的请求，会被代理默默忽略（snmpd.conf 中的 `rocommunity`、`agentaddress`）；用 `snmpget -v2c -c <团体名> {ip} sysUpTime.0` 对比。',
  },
  RADIUS: {
    en: 'A server drops, without a word, requests from a client (NAS) it does not know or signed with the wrong shared secret: check the client entry and secret (FreeRADIUS clients.conf; its log says "Ignoring request from unknown client").',
    zh: '来自未登记客户端（NAS）或共享密钥错误的请求会被服务器默默丢弃：检查客户端条目和共享密钥（FreeRADIUS 的 clients.conf；其日志会记录 "Ignoring request from unknown client"）。',
  },
  'RADIUS accounting': {
    en: 'The same as for authentication (client entry and shared secret), on the accounting port; a server may serve authentication and not accounting.',
    zh: '与认证相同（客户端条目和共享密钥），但针对计费端口；服务器可能只提供认证而不提供计费。',
  },
  Kerberos: {
    en: 'Check the KDC address in krb5.conf (`kdc =` of the realm, or its DNS SRV records) and that the KDC listens on UDP 88; large tickets go over TCP 88 instead.',
    zh: '检查 krb5.conf 中该域的 KDC 地址（`kdc =`，或其 DNS SRV 记录），以及 KDC 是否在 UDP 88 上监听；较大的票据会改走 TCP 88。',
  },
  IKE: {
    en: 'UDP 500, and 4500 for NAT traversal, must pass every firewall on the way; check the peer\'s address and that its IKE daemon listens (`ss -ulnp | grep :500`).',
    zh: '路径上的每道防火墙都要放行 UDP 500，以及用于 NAT 穿越的 4500；检查对端地址及其 IKE 守护进程是否在监听（`ss -ulnp | grep :500`）。',
  },
};

export default defineCause({
  code: 'udp.no_response',
  layer: 'udp',
  severity: 'error',
  live: 'end',
  rules: [RULE],
  vars: (v, lang) => {
    const a = SERVICE_ADVICE[String(v.facts['service'])];
    return { serviceAdvice: a === undefined ? '' : a[lang] };
  },
  words: {
    en: {
      summary: '{target}: the {service} server never answered ({requests} requests over {seconds} s)',
      explanation:
        'The client sent {requests} {service} requests to {ip} port {port} over {seconds} s — it kept asking, so it waited for an answer in vain — and nothing came back: no reply, no ICMP error; the last was sent {waited} s before the capture ended, and the capture shows the client receiving other traffic. Such a server drops what it will not answer without a word, and so does a firewall or security group that lets UDP through one way or not at all (rules opened for TCP only are a classic).',
      advice: [
        'Check that UDP port {port} to {ip} is allowed on the way and at the server: the cloud security group and network ACL (inbound on the server side, UDP, not only TCP), the host firewall (`iptables -L -n`, `nft list ruleset`), and that replies can come back (a stateless ACL needs the return traffic allowed too).',
        'Check the service on {ip} is running and listening on UDP {port} (`ss -ulnp | grep :{port}`) on the address the client uses.',
        'The {service} service itself: {serviceAdvice}',
      ],
    },
    zh: {
      summary: '{target}：{service} 服务器始终没有应答（{seconds} 秒内 {requests} 次请求）',
      explanation:
        '客户端在 {seconds} 秒内向 {ip} 端口 {port} 发送了 {requests} 次 {service} 请求——它一直在重复请求，说明在等待应答而未果——却没有任何回复：没有应答，也没有 ICMP 错误；最后一次请求在抓包结束前 {waited} 秒发出，并且抓包中能看到该客户端收到的其他流量。这类服务器对不愿应答的请求会直接丢弃、不作任何回应；只放行单向 UDP 或完全不放行 UDP 的防火墙、安全组也是如此（只开放了 TCP 的规则是典型情况）。',
      advice: [
        '检查去往 {ip} 的 UDP 端口 {port} 在路径上和服务器上是否放行：云安全组和网络 ACL（服务器一侧的入方向，UDP 而不只是 TCP）、主机防火墙（`iptables -L -n`、`nft list ruleset`），以及回包能否返回（无状态 ACL 需要同时放行返回流量）。',
        '检查 {ip} 上的服务是否在运行，并在客户端使用的地址上监听 UDP {port}（`ss -ulnp | grep :{port}`）。',
        '{service} 服务本身：{serviceAdvice}',
      ],
    },
  },
});
