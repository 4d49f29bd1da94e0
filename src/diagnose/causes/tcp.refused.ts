/**
 * tcp.refused: RST in reply to SYN (Zeek REJ)
 */
import { defineCause } from '../cause.js';
import { isTcp, outcome, rstTakenInSynSent, type ConnRule } from '../outcome.js';
import { RST_TO_SYN, proof, synEvidence, way } from '../evidence.js';

const REFUSED: ConnRule = {
  on: 'conn',
  rank: 20,
  produces: ['tcp.refused'],
  run(f) {
    if (!isTcp(f)) return null;
    const c = f.conn;
    // Only a RST the client's stack takes refuses (its ACK acknowledges the SYN): one it drops
    // (no ACK bit, another acknowledgment) refused nothing (tcp.syn_unanswered says so).
    const rst = c.rsts.find((r) => !r.fromOrig && rstTakenInSynSent(c, r));
    if (!rst || c.synAckFrame !== 0 || c.synFrames.length === 0) return null;
    const o = outcome('tcp.refused', [...synEvidence(c).slice(-1), proof(RST_TO_SYN, rst.frame, rst.ts, way(c, rst.fromOrig), {})],
      { rstTtl: rst.ttl, synAttempts: c.synFrames.length });
    o.attempts = c.synFrames.length;
    return o;
  },
};

export default defineCause({
  code: 'tcp.refused',
  layer: 'tcp',
  severity: 'error',
  live: 'packet',
  rules: [REFUSED],
  words: {
    en: {
      summary: '{target}: connection refused (RST in reply to SYN)',
      explanation:
        '{ip} answered the SYN to port {port} with a RST: the host, or a device in front of it, is reachable and refused the connection. Usually nothing listens on port {port}; it can also be a firewall rule `REJECT --reject-with tcp-reset`, or a load balancer without healthy backends.',
      advice: [
        'On the server, check the service runs and listens on port {port} on the right address (not only 127.0.0.1): `ss -ltnp \'sport = :{port}\'`.',
        'Check {port} is the right port (the URL, the configuration, a changed port).',
        'Look for a firewall REJECT with tcp-reset on the server or in front of it: `iptables -L -n`, `firewall-cmd --list-all`.',
        'If {ip} is a load balancer or a port forward (NAT), check its listener and the health of its targets.',
        '`nc -zv {host} {port}` answers "Connection refused" for the same reason.',
      ],
    },
    zh: {
      summary: '{target}：连接被拒绝（SYN 得到 RST 回应）',
      explanation:
        '{ip} 用 RST 回应了发往端口 {port} 的 SYN：主机（或其前面的设备）可达，但拒绝了连接。通常是端口 {port} 上没有服务监听；也可能是防火墙规则 `REJECT --reject-with tcp-reset`，或负载均衡没有健康的后端。',
      advice: [
        '在服务器上检查服务是否运行，并在正确的地址上监听端口 {port}（而不是只监听 127.0.0.1）：`ss -ltnp \'sport = :{port}\'`。',
        '确认 {port} 是正确的端口（URL、配置、端口是否变更）。',
        '检查服务器上或其前面是否有使用 tcp-reset 的防火墙 REJECT 规则：`iptables -L -n`、`firewall-cmd --list-all`。',
        '如果 {ip} 是负载均衡或端口转发（NAT），检查其监听器和后端目标的健康状态。',
        '`nc -zv {host} {port}` 会因同样的原因报 "Connection refused"。',
      ],
    },
  },
});
