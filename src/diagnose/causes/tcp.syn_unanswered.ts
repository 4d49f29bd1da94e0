/**
 * tcp.syn_unanswered: SYN and its retransmissions got no reply (Zeek S0)
 */
import { defineCause } from '../cause.js';
import { isTcp, noSynAck, outcome, tenths, type ConnRule } from '../outcome.js';
import { synEvidence } from '../evidence.js';
import { limitKind } from '../words.js';

export const SYN_ENDED_EARLY = limitKind('syn_ended_early', {
  en: () => 'the capture ended less than a second after the only SYN, before any retransmission: it cannot show that the SYN was dropped',
  zh: () => '抓包在唯一的 SYN 之后不到一秒就结束了，早于任何重传：无法证明 SYN 被丢弃',
});

const SYN_UNANSWERED: ConnRule = {
  on: 'conn',
  rank: 30,
  produces: ['tcp.syn_unanswered'],
  run(f, ctx) {
    if (!isTcp(f)) return null;
    const c = f.conn;
    if (!noSynAck(c) || c.rsts.some((r) => !r.fromOrig)) return null;
    const first = c.synTimes[0] ?? c.start;
    const last = c.synTimes[c.synTimes.length - 1] ?? first;
    const o = outcome('tcp.syn_unanswered', synEvidence(c), { syns: c.synFrames.length, clientAborted: c.rsts.some((r) => r.fromOrig) },
      { attempts: c.synFrames.length, seconds: tenths(Math.max(last, c.end) - first), waited: tenths(ctx.captureEnd - last) });
    o.attempts = c.synFrames.length;
    // Linux retransmits a SYN after 1 s: a capture that stopped sooner cannot tell a drop from a slow answer.
    if (c.synFrames.length === 1 && ctx.captureEnd - first < 1) {
      o.severity = 'warning';
      o.limits.push(SYN_ENDED_EARLY.of({}));
    }
    return o;
  },
};

export default defineCause({
  code: 'tcp.syn_unanswered',
  layer: 'tcp',
  severity: 'error',
  live: 'timeout',
  rules: [SYN_UNANSWERED],
  words: {
    en: {
      summary: '{target}: no reply to the connection attempt ({attempts} SYNs over {seconds} s)',
      explanation:
        'The client sent {attempts} SYNs to {ip} port {port} over {seconds} s and saw no reply at all — no SYN-ACK, no RST, no ICMP error. Something dropped the packets silently: a firewall or security group, a wrong route, or a host that is down. A capture on the client cannot tell at which hop, or in which direction, they were lost.',
      advice: [
        'Cloud security group, the most common cause: check the client\'s security group outbound rules allow TCP {port} to {ip}, and the server\'s security group inbound rules (and network ACLs) allow the client.',
        'The client\'s host firewall: `iptables -L -n`, `firewall-cmd --list-all` (a DROP rule for outbound traffic).',
        'Routes: `ip route get {ip}`; in a VPC the subnet route table needs 0.0.0.0/0 to an internet gateway, or to a NAT gateway with an elastic IP for private subnets.',
        'A proxy may be required to reach the outside: `env | grep -i proxy` (http_proxy, https_proxy, no_proxy), and does the program use it?',
        'The server\'s own firewall, or the server blocking your address: run `nc -zv {host} {port}` from another network and compare.',
        'Check the server is up and listening: `ss -ltnp` on the server.',
      ],
    },
    zh: {
      summary: '{target}：连接请求没有任何回应（{seconds} 秒内发送 {attempts} 个 SYN）',
      explanation:
        '客户端在 {seconds} 秒内向 {ip} 端口 {port} 发送了 {attempts} 个 SYN，没有收到任何回应——没有 SYN-ACK、没有 RST，也没有 ICMP 差错。数据包被悄悄丢弃了：防火墙或安全组、错误的路由，或主机已宕机。在客户端抓包无法判断在哪一跳、哪个方向上丢失。',
      advice: [
        '云平台安全组，最常见的原因：检查客户端所属安全组的出站规则是否放行了到 {ip} 的 TCP {port}，以及服务器安全组的入站规则（和网络 ACL）是否允许该客户端。',
        '客户端本机防火墙：`iptables -L -n`、`firewall-cmd --list-all`（是否有针对出站流量的 DROP 规则）。',
        '路由：`ip route get {ip}`；在 VPC 中，子网路由表需要有 0.0.0.0/0 指向互联网网关，私有子网则需指向已绑定弹性 IP 的 NAT 网关。',
        '访问外网可能必须经过代理：`env | grep -i proxy`（http_proxy、https_proxy、no_proxy），并确认程序是否使用了代理。',
        '目标服务器自身的防火墙，或服务器封禁了你的 IP：从其他网络环境执行 `nc -zv {host} {port}` 进行对比。',
        '检查服务器是否在运行并监听端口：在服务器上执行 `ss -ltnp`。',
      ],
    },
  },
});
