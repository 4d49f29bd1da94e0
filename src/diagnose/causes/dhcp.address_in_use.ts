/**
 * dhcp.address_in_use: a DHCP server's conflict check answered. Before it hands out an address, a
 * DHCP server pings it (RFC 2131 §2.2; ISC dhcpd and dnsmasq by default); an echo reply means a
 * host already uses the address without a lease from this server, and the server gives another
 * address instead (dnsmasq tries the next; ISC dhcpd marks the address abandoned). The client got
 * an address, so nothing failed yet, but a host squats in the server's pool: a static address
 * inside the DHCP range, a second DHCP server's lease, a device that kept an expired lease. Its
 * address is lost to the pool, and whoever is given it later (after a restart of the server, or by
 * another) collides with it. No log of the client's side and no connection shows it.
 *
 * Claimed when the pinging host offered (DHCPOFFER) or acknowledged (DHCPACK) another address of the
 * same /24 within track/dhcp.ts PING_CHECK_SECONDS after the ping, and never the pinged one
 * (track/dhcp.ts offeredInstead; diagnose.ts sets Pings.dhcpInstead). A warning.
 */
import { defineCause } from '../cause.js';
import { outcome, type PingRule } from '../outcome.js';
import { proof } from '../evidence.js';
import { evidenceKind } from '../words.js';
import { ECHO } from './icmp.echo_unanswered.js';
import { DHCP_OFFER } from '../dhcp-check.js';

const ECHO_REPLY = evidenceKind<Record<string, never>>('echo_reply', {
  en: () => 'echo reply: a host answers at this address',
  zh: () => '回显应答：该地址上有主机应答',
});

const RULE: PingRule = {
  on: 'pings',
  rank: 5,
  produces: ['dhcp.address_in_use'],
  run(p) {
    const o = p.dhcpInstead;
    if (o === undefined || !p.answered) return null;
    const evidence = [proof(ECHO, p.first.frame, p.first.ts, { from: p.client, to: p.host }, { which: 'first' })];
    if (p.reply.frame > 0) evidence.push(proof(ECHO_REPLY, p.reply.frame, p.reply.ts, { from: p.host, to: p.client }, {}));
    evidence.push(proof(DHCP_OFFER, o.frame, o.ts, { from: p.client, to: o.to }, { address: o.address, ack: o.ack }));
    const out = outcome('dhcp.address_in_use', evidence,
      { pings: p.requests, answered: p.answeredCount, offeredInstead: { address: o.address, frame: o.frame, message: o.ack ? 'ack' : 'offer' } },
      { offered: o.address }, 'warning');
    out.attempts = p.requests;
    return out;
  },
};

export default defineCause({
  code: 'dhcp.address_in_use',
  layer: 'dhcp',
  severity: 'warning',
  live: 'end',
  rules: [RULE],
  words: {
    en: {
      summary: '{target}: a host answers at an address the DHCP server {client} was about to give out; it gave {offered} instead',
      explanation:
        'Before handing out an address, the DHCP server {client} pinged {ip} and got an echo reply: a host already uses {ip} without a lease from this server — a static address inside the DHCP range, a lease of a second DHCP server on the same network, or a device that kept an expired lease. The server gave {offered} instead, so its client got an address and nothing failed yet; but {ip} is lost to the pool (ISC dhcpd marks it abandoned, dnsmasq skips it for a while), and whoever is given it later collides with the host that squats on it: two machines with one address, connections that reach the wrong one and break at random.',
      advice: [
        'Find the host at {ip}: `arping -c 3 {ip}` or `ip neigh show {ip}` on the same network gives its MAC address; the switch\'s MAC table (or the MAC\'s vendor prefix) tells which machine it is.',
        'Give static addresses outside the DHCP range, or reserve them on the server by MAC address (dnsmasq `dhcp-host=`, ISC dhcpd `host { hardware ethernet ...; fixed-address ...; }`).',
        'Look for a second DHCP server on the network (`nmap --script broadcast-dhcp-discover`, or DHCPOFFERs from more than one server in a capture) and the server\'s log about {ip} (ISC dhcpd: "Abandoning IP address"; dnsmasq: the address answered ping).',
      ],
    },
    zh: {
      summary: '{target}：DHCP 服务器 {client} 准备分配的地址上已有主机应答；它改为分配了 {offered}',
      explanation:
        'DHCP 服务器 {client} 在分配地址之前 ping 了 {ip}，收到了回显应答：已经有主机在使用 {ip}，却没有从该服务器获得租约——DHCP 地址池内的静态地址、同一网络中第二台 DHCP 服务器的租约，或是保留了过期租约的设备。服务器改为分配了 {offered}，所以它的客户端拿到了地址，暂时没有失败；但 {ip} 从地址池中流失了（ISC dhcpd 会将其标记为废弃，dnsmasq 会暂时跳过它），之后分到它的设备会与占用它的主机冲突：两台机器使用同一个地址，连接会到达错误的一台并随机中断。',
      advice: [
        '找出 {ip} 上的主机：在同一网络中执行 `arping -c 3 {ip}` 或 `ip neigh show {ip}` 得到它的 MAC 地址；交换机的 MAC 地址表（或 MAC 的厂商前缀）可以确定是哪台机器。',
        '把静态地址设在 DHCP 范围之外，或在服务器上按 MAC 地址保留（dnsmasq 的 `dhcp-host=`、ISC dhcpd 的 `host { hardware ethernet ...; fixed-address ...; }`）。',
        '检查网络中是否有第二台 DHCP 服务器（`nmap --script broadcast-dhcp-discover`，或抓包中有不止一台服务器发出的 DHCPOFFER），并查看服务器关于 {ip} 的日志（ISC dhcpd 的 `Abandoning IP address`；dnsmasq 中该地址应答了 ping 的记录）。',
      ],
    },
  },
});
