/**
 * tcp.reset: connection reset after it was established (details.sender: client / server)
 */
import { defineCause, reworded, withVariants } from '../cause.js';
import { isTcp, outcome, type ConnRule } from '../outcome.js';
import { synEvidence } from '../evidence.js';
import { tlsEstablishedAndUsed } from '../rules-tls.js';
import { HTTP_UNANSWERED_RULE, rstFacts } from '../rules-http.js';
import { limitKind } from '../words.js';

export const NOT_TLS_BEFORE_RESET = limitKind('not_tls_before_reset', {
  en: () => 'the server answered the ClientHello with bytes that are not TLS (a plain-text service on this port?)',
  zh: () => '服务器用非 TLS 的字节回应了 ClientHello（该端口上可能是明文服务？）',
});

export const RESET_AFTER_DATA = limitKind('reset_after_data', {
  en: () => 'the reset came after both sides had exchanged data; many programs close this way, so the capture alone cannot show that anything failed',
  zh: () => '重置发生在双方都已交换数据之后；很多程序就是这样关闭连接的，因此仅凭抓包无法说明有任何失败',
});

export const CLIENT_SENT_NOTHING = limitKind('client_sent_nothing', {
  en: () => 'the client sent nothing and reset the connection after the server\'s first words: health checks (a load balancer\'s or HAProxy\'s TCP check), monitoring probes and banner grabs (nmap -sV) close this way; a program that used the service would have answered them',
  zh: () => '客户端什么也没发送，在服务器说出第一句话之后就重置了连接：健康检查（负载均衡或 HAProxy 的 TCP 检查）、监控探测和抓取服务标识（nmap -sV）都是这样关闭的；真正使用该服务的程序会作出回应',
});

/**
 * The most a server's first words (a greeting: an SSH or FTP banner, SMTP's 220, a MySQL
 * handshake) come to, in payload bytes: long FTP banners and SSH pre-version text stay within a
 * few KiB. More than this is a transfer toward the client (an FTP active-mode data connection of
 * an upload, a server that pushes), not a greeting a probe came to see.
 */
const GREETING_MAX = 4096;

/** Reset after the connection was established, while the exchange was not finished. */
const RESET: ConnRule = {
  on: 'conn',
  rank: 130,
  produces: ['tcp.reset'],
  run(f) {
    if (!isTcp(f)) return null;
    const c = f.conn;
    if (c.ackFrame === 0 && c.synAckFrame === 0) return null;
    const rst = c.rsts[0];
    if (!rst) return null;
    // How programs close, which fail nothing: a reset once a close had begun (a FIN from either
    // side before it); an MPTCP subflow, which is closed by a reset while the connection goes on
    // over its other subflows (RFC 8684 §3.6); a reset when nothing was outstanding — every HTTP
    // request answered, or no data either way after the server had stayed idle a while (a
    // pre-opened connection let go, an idle keep-alive timed out).
    if (c.fins.some((x) => x.frame < rst.frame) || c.mptcp) return null;
    if (f.http && f.http.exchanges.length > 0 && f.http.exchanges.every((e) => e.status !== null)) return null;
    const idleSince = c.ackFrame !== 0 ? c.ackTime : c.synAckFrame !== 0 ? c.synAckTime : c.start;
    // (Data sent after the reset went to no connection: it does not count.)
    const dataBefore = (e: typeof c.orig): boolean => e.firstDataFrame !== 0 && e.firstDataFrame < rst.frame;
    if (!dataBefore(c.orig) && !dataBefore(c.resp) && (rst.fromOrig || rst.ts - idleSince >= 1)) return null;
    const tlsOk = f.tls ? tlsEstablishedAndUsed(f.tls) : true;
    const bothData = c.dataFrames.orig !== 0 && c.dataFrames.resp !== 0;
    const r = rstFacts(c, rst);
    const o = outcome('tcp.reset', [...synEvidence(c).slice(0, 1), r.proof], { sender: r.sender, rstTtl: rst.ttl, serverTtl: c.synAckTtl }, r.facts);
    if (f.tls && f.tls.broken.server && !f.tls.serverHello) o.limits.push(NOT_TLS_BEFORE_RESET.of({}));
    // After both sides exchanged data (and TLS, if any, completed) a reset is how many programs
    // close: the capture cannot tell whether anything was lost.
    if (tlsOk && bothData) {
      o.severity = 'warning';
      o.limits.push(RESET_AFTER_DATA.of({}));
    } else if (rst.fromOrig && !dataBefore(c.orig) && dataBefore(c.resp) && c.resp.payloadBytes <= GREETING_MAX) {
      // The server spoke first (a greeting: SSH, SMTP, FTP, MySQL) and the client left without a
      // word: it came to see the port open, not to use the service. The server did its part.
      // (Megabytes toward the client before its reset are a transfer it cut, not a greeting.)
      o.severity = 'warning';
      o.details['clientSentNothing'] = true;
      o.limits.push(CLIENT_SENT_NOTHING.of({}));
    }
    return o;
  },
};

/** Said without how long the connection lived, when the capture's clock cannot tell (it stepped back). */
const NO_SECONDS = {
  summary: {
    en: '{target}: the {sender} reset the established connection',
    zh: '{target}：{sender}重置了已建立的连接',
  },
  explanation: {
    en: 'The connection to {ip} port {port} was established, then the {sender} sent a RST and ended it abruptly. A reset from the server side usually means the application closed on an error, crashed or restarted, or a load balancer, NAT gateway or firewall dropped an idle connection; a reset from the client side means the client program gave up (a timeout, a rejected certificate, a cancelled request).',
    zh: '到 {ip} 端口 {port} 的连接已建立，随后{sender}发送 RST，连接被强行中断。来自服务器一侧的重置通常表示应用因错误关闭连接、崩溃或重启，或负载均衡、NAT 网关、防火墙丢弃了空闲连接；来自客户端一侧的重置表示客户端程序放弃了（超时、证书被拒绝、请求被取消）。',
  },
} as const;

const CAUSE = defineCause({
  code: 'tcp.reset',
  layer: 'tcp',
  severity: 'error',
  live: 'packet',
  rules: [RESET, HTTP_UNANSWERED_RULE],
  words: {
    en: {
      summary: '{target}: the {sender} reset the established connection after {seconds} s',
      explanation:
        'The connection to {ip} port {port} was established, then the {sender} sent a RST after {seconds} s and ended it abruptly. A reset from the server side usually means the application closed on an error, crashed or restarted, or a load balancer, NAT gateway or firewall dropped an idle connection; a reset from the client side means the client program gave up (a timeout, a rejected certificate, a cancelled request).',
      advice: [
        'Look at the evidence: what was the last data before the RST, and how long was the connection idle? A long idle time points at the idle timeout of a load balancer, NAT gateway or firewall; enable TCP keepalive or shorten the client\'s pool idle time.',
        'Reset by the server: read the server application\'s log at that time (crash, restart, connection limit, request too large).',
        'Reset by the client: read the client program\'s log and timeouts; `curl -v` with the same request shows whether it is the program.',
        'A RST right after the first request can be a proxy, WAF or firewall blocking the content: compare through another network path.',
      ],
    },
    zh: {
      summary: '{target}：{sender}在 {seconds} 秒后重置了已建立的连接',
      explanation:
        '到 {ip} 端口 {port} 的连接已建立，随后{sender}在 {seconds} 秒后发送 RST，连接被强行中断。来自服务器一侧的重置通常表示应用因错误关闭连接、崩溃或重启，或负载均衡、NAT 网关、防火墙丢弃了空闲连接；来自客户端一侧的重置表示客户端程序放弃了（超时、证书被拒绝、请求被取消）。',
      advice: [
        '查看证据：RST 之前最后传输的是什么数据，连接空闲了多久？空闲时间长说明是负载均衡、NAT 网关或防火墙的空闲超时；启用 TCP keepalive 或缩短客户端连接池的空闲时间。',
        '服务器重置：查看该时间点服务器应用的日志（崩溃、重启、连接数上限、请求过大）。',
        '客户端重置：查看客户端程序的日志和超时设置；用 `curl -v` 发送同样的请求，判断是否是程序本身的问题。',
        '如果在第一个请求之后立即出现 RST，可能是代理、WAF 或防火墙拦截了内容：通过其他网络路径进行对比。',
      ],
    },
  },
});

export default withVariants(CAUSE, { noSeconds: reworded(CAUSE.words, NO_SECONDS) }, (v) => (typeof v.facts['seconds'] === 'number' ? null : 'noSeconds'));
