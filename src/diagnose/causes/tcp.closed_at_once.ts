/**
 * tcp.closed_at_once: the server accepted the connection and closed it at once, before either
 * side sent any data
 */
import { defineCause } from '../cause.js';
import { isTcp, outcome, type ConnRule } from '../outcome.js';
import { CONN_START, FIN, proof, way } from '../evidence.js';
import { interval } from '../../time.js';

/**
 * Seconds after the handshake within which a close by the server, nothing said either way, is
 * the service turning the client away. Servers close a connection on which the client says
 * nothing only after their header or idle timeouts (nginx 60 s, Apache's mod_reqtimeout 20 s and
 * more, load balancers 10 s and more): a browser's unused preconnect ends so, much later.
 */
export const AT_ONCE_SECONDS = 1;

/**
 * The handshake completed, then the server closed (FIN) within AT_ONCE_SECONDS, first, before
 * any data from either side: its program hung up right after accepting (tcp_wrappers, an
 * allow-list, a connection limit such as sshd's MaxStartups, a session that failed to start).
 * Before this rule such a connection read "worked at every layer seen". A server's reset instead
 * of its FIN is tcp.reset's.
 */
const CLOSED_AT_ONCE: ConnRule = {
  on: 'conn',
  rank: 130,
  produces: ['tcp.closed_at_once'],
  run(f) {
    // An FTP data connection closed at once is an empty transfer (an empty directory listing, an
    // empty file): the server closes it to say the transfer is over (RFC 959 §3.2). An IP SLA
    // responder closes the TCP connect probe it was told to expect at once: the measurement.
    if (!isTcp(f) || f.dataChannel !== undefined) return null;
    const c = f.conn;
    if (c.synAckFrame === 0 || c.ackFrame === 0 || c.orig.payloadBytes > 0 || c.resp.payloadBytes > 0) return null;
    const fin = c.fins.find((x) => !x.fromOrig);
    if (fin === undefined) return null;
    // The server's FIN came first: no close or reset from the client before it.
    if (c.fins.some((x) => x.fromOrig && x.frame < fin.frame) || c.rsts.some((r) => r.frame < fin.frame)) return null;
    const after = interval(fin.ts, c.ackTime);
    if (after === null || after > AT_ONCE_SECONDS) return null;
    return outcome('tcp.closed_at_once', [proof(CONN_START, c.firstFrame, c.start, way(c, true), {}), proof(FIN, fin.frame, fin.ts, way(c, false), { sender: 'server' })],
      { afterHandshakeSeconds: Math.round(after * 1e6) / 1e6 }, { afterMs: Math.round(after * 1e4) / 10 });
  },
};

export default defineCause({
  code: 'tcp.closed_at_once',
  layer: 'tcp',
  severity: 'error',
  live: 'packet',
  rules: [CLOSED_AT_ONCE],
  words: {
    en: {
      summary: '{target}: the server accepted the connection and closed it at once, before anything was sent',
      explanation:
        '{ip} completed the TCP handshake on port {port} and closed the connection (FIN) {afterMs} ms later, before either side had sent any data. The network path works; the service itself hung up right after accepting: its access rules (tcp_wrappers /etc/hosts.deny, an allow-list, fail2ban), a limit reached (sshd MaxStartups, a per-client or total connection limit), or a session that failed to start (a crashed worker, a missing configuration). A proxy or load balancer whose backend is down can do the same.',
      advice: [
        'Read the service\'s log on {ip} at the time of the connection (for sshd: `journalctl -u ssh` / /var/log/auth.log, "refused connect" or "MaxStartups"; for a proxy: its error log).',
        'Check the service\'s access rules for the client {client}: /etc/hosts.allow and /etc/hosts.deny, fail2ban (`fail2ban-client status`), the service\'s own allow-list.',
        'Check connection limits: sshd MaxStartups / MaxSessions, the service\'s max connections, and how many connections are open (`ss -tn state established \'( sport = :{port} )\' | wc -l`).',
        '`nc -v {host} {port}` from the client shows the connection open and close at once.',
      ],
    },
    zh: {
      summary: '{target}：服务器接受连接后立即关闭了它，双方都还没有发送任何数据',
      explanation:
        '{ip} 在端口 {port} 上完成了 TCP 握手，{afterMs} 毫秒后就关闭了连接（FIN），此时双方都还没有发送任何数据。网络路径是通的；是服务本身在接受连接后立即挂断：服务的访问规则（tcp_wrappers 的 /etc/hosts.deny、白名单、fail2ban）、达到了某个限制（sshd 的 MaxStartups、按客户端或总数的连接数限制），或会话未能启动（工作进程崩溃、缺少配置）。后端宕机的代理或负载均衡也会这样。',
      advice: [
        '查看 {ip} 上该服务在连接时刻的日志（sshd：`journalctl -u ssh` 或 /var/log/auth.log 中的 "refused connect"、"MaxStartups"；代理：其错误日志）。',
        '检查服务针对客户端 {client} 的访问规则：/etc/hosts.allow 和 /etc/hosts.deny、fail2ban（`fail2ban-client status`）、服务自身的白名单。',
        '检查连接数限制：sshd 的 MaxStartups / MaxSessions、服务的最大连接数，以及当前已打开的连接数（`ss -tn state established \'( sport = :{port} )\' | wc -l`）。',
        '在客户端执行 `nc -v {host} {port}` 可以看到连接建立后立即被关闭。',
      ],
    },
  },
});
