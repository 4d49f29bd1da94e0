/**
 * icmp.echo_unanswered: pings that got no reply. A warning, never a failure by itself: many hosts
 * and clouds drop ICMP echo ("many servers forbid ping, so a failed ping does not mean the port is
 * closed"), so a silent ping says the host is down or the path drops ICMP, and nothing more.
 *
 * Claimed only when the packets show it:
 * - the client sent echo requests to the host at least MIN_PINGS times (ping sends one a second),
 *   and no echo reply came back from it in the whole capture;
 * - no ICMP error about them (host unreachable, admin prohibited: told by the ICMP rules), and no
 *   traceroute toward the host (its probes are told by the traceroute);
 * - the capture shows the client receiving other traffic (a capture of one direction claims
 *   nothing), and the host answered nothing else in the capture (a TCP or UDP exchange it
 *   answered: then it is up, ICMP is filtered, and nothing is said);
 * - the host is no multicast or broadcast address.
 */
import { defineCause } from '../cause.js';
import { outcome, type PingRule } from '../outcome.js';
import { evidenceKind } from '../words.js';
import { requestsTold } from '../span.js';

/** Echo requests, at least: one lost ping is no story. */
export const MIN_PINGS = 2;

export const ECHO = evidenceKind<{ which: string }>('echo_request', {
  en: (a) => `echo request (ping)${a.which === 'last' ? ', the last sent' : ''}`,
  zh: (a) => `回显请求（ping）${a.which === 'last' ? '（最后一次发送）' : ''}`,
});

const RULE: PingRule = {
  on: 'pings',
  rank: 10,
  produces: ['icmp.echo_unanswered'],
  run(p, ctx) {
    if (p.answered || p.requests < MIN_PINGS) return null;
    const { evidence, seconds, waited } = requestsTold(ECHO, p, { from: p.client, to: p.host }, {}, ctx.captureEnd);
    const o = outcome('icmp.echo_unanswered', evidence, { requests: p.requests, seconds, waitedSeconds: waited }, { pings: p.requests, seconds, waited }, 'warning');
    o.attempts = p.requests;
    return o;
  },
};

export default defineCause({
  code: 'icmp.echo_unanswered',
  layer: 'icmp',
  severity: 'warning',
  live: 'end',
  rules: [RULE],
  words: {
    en: {
      summary: '{target}: no reply to ping ({pings} echo requests over {seconds} s)',
      explanation:
        'The client sent {pings} echo requests (ping) to {ip} over {seconds} s and got no echo reply, and no ICMP error either; the last was sent {waited} s before the capture ended, and the capture shows the client receiving other traffic. Either {ip} is down (or not at that address), or ICMP echo is dropped on the way or by the host — many servers and clouds drop ping, so this alone does not mean its services are unreachable; nothing else of {ip} answered in the capture.',
      advice: [
        'Test the service itself rather than ping: `nc -vz {ip} <port>` or `curl -v` for the port you need; a host that drops ping may serve it fine.',
        'If the host should answer ping: check it is up and has this address (from its console, `ip addr`), then the firewalls on the way and on the host for ICMP echo (a cloud security group allows "All ICMP" only when told to; `iptables -L -n | grep icmp`).',
        'Locate where the packets stop: `mtr -n {ip}` or `traceroute -n {ip}` from the client.',
      ],
    },
    zh: {
      summary: '{target}：ping 没有回应（{seconds} 秒内 {pings} 次回显请求）',
      explanation:
        '客户端在 {seconds} 秒内向 {ip} 发送了 {pings} 次回显请求（ping），没有收到任何回显应答，也没有 ICMP 错误；最后一次请求在抓包结束前 {waited} 秒发出，并且抓包中能看到该客户端收到的其他流量。要么 {ip} 已关机（或不在这个地址上），要么 ICMP 回显在路径上或在主机上被丢弃——很多服务器和云平台禁 ping，因此仅凭这一点并不代表它的服务不可达；在本抓包中 {ip} 也没有以其他方式回应过任何请求。',
      advice: [
        '直接测试服务本身，而不是 ping：对需要的端口用 `nc -vz {ip} <端口>` 或 `curl -v`；禁 ping 的主机完全可能正常提供服务。',
        '如果该主机本应回应 ping：先确认它已开机并持有这个地址（在其控制台上 `ip addr`），再检查路径上和主机上针对 ICMP 回显的防火墙（云安全组只有明确配置时才放行"全部 ICMP"；`iptables -L -n | grep icmp`）。',
        '定位数据包在哪里丢失：在客户端上运行 `mtr -n {ip}` 或 `traceroute -n {ip}`。',
      ],
    },
  },
});
