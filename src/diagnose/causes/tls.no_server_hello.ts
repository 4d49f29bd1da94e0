/**
 * tls.no_server_hello: ClientHello sent, the server closed, reset or stayed silent
 */
import { defineCause, reworded, withVariants } from '../cause.js';
import { clientLeftAtOnce, firstCloseAfter, isTcp, outcome, tenths, type ConnRule } from '../outcome.js';
import { CLIENT_HELLO, FIN, RST, proof, way } from '../evidence.js';
import { offered } from '../rules-tls.js';
import { hasText, limitKind } from '../words.js';
import { TLS_REPRO } from '../advice.js';
import { interval } from '../../time.js';

export const PLAINTEXT_ANSWER = limitKind('plaintext_answer', {
  en: () => 'the server answered with bytes that are not TLS: probably a plain-text service (HTTP?) on this port',
  zh: () => '服务器回应的字节不是 TLS：该端口上很可能是明文服务（HTTP？）',
});

/** A ClientHello that got no ServerHello and no alert: the server closed, reset or stayed silent. */
const NO_SERVER_HELLO: ConnRule = {
  on: 'conn',
  rank: 70,
  produces: ['tls.no_server_hello'],
  run(f) {
    const s = f.tls;
    if (!s || !s.clientHello || s.serverHello || s.alerts.length > 0 || !isTcp(f)) return null;
    // The server's ChangeCipherSpec or encrypted records show it answered: the ServerHello is
    // missing from the capture (lost, or filtered away), not from the wire. (Not the CCS sent
    // with a HelloRetryRequest: camouflage, before the ServerHello the retry still waits for.)
    if ((s.ccs.server && s.helloRetryFrames.length === 0) || s.encrypted.server > 0) return null;
    const c = f.conn;
    // Server bytes that did not read as TLS, in a stream not known from its start (no SYN-ACK
    // captured) or after a hole: the middle of a record, not proof of a plain-text answer.
    if (s.broken.server && (c.synAckFrame === 0 || s.gap)) return null;
    const hello = s.clientHello;
    const ev = [proof(CLIENT_HELLO, hello.frame, hello.ts, way(c, s.clientIsOrig), { sni: null })];
    const close = firstCloseAfter(c, hello.frame);
    // A client that closed or reset within a second of its ClientHello did not wait for an answer
    // (a scanner, a probe, a program that gave up at once); a server that then closed followed it.
    const waited = s.broken.server ? null : clientLeftAtOnce(close, s.clientIsOrig, hello.ts);
    if (close) ev.push(proof(c.rsts.includes(close) ? RST : FIN, close.frame, close.ts, way(c, close.fromOrig), { sender: close.fromOrig === s.clientIsOrig ? 'client' : 'server' }));
    const o = outcome('tls.no_server_hello', ev, { sni: hello.sni, ...offered(s), ...(s.broken.server ? { serverSpokePlaintext: true } : {}) },
      { sni: hello.sni, seconds: tenths(interval(c.end, hello.ts)) });
    if (s.broken.server) o.limits.push(PLAINTEXT_ANSWER.of({}));
    if (waited !== null) {
      const ms = Math.round(waited * 1e5) / 100;
      o.severity = 'warning';
      o.details['clientClosedAfterSeconds'] = Math.round(waited * 1e6) / 1e6;
      o.facts['closedMs'] = ms;
    }
    return o;
  },
};

/** The explanation when the ClientHello named no server (no SNI): nothing to say the name of. */
const NO_SNI_EXPLANATION = {
  en: 'The TCP connection to {ip} port {port} worked and the client sent a TLS ClientHello without a server name (no SNI), but no ServerHello came back: the server closed, reset or stayed silent. The service on port {port} may not speak TLS (plain HTTP or another protocol), a middlebox may filter such connections, or the server has nothing configured for a connection that names no server (no default certificate) or for the versions and ciphers offered.',
  zh: '到 {ip} 端口 {port} 的 TCP 连接正常，客户端发送了不带服务器名（SNI）的 TLS ClientHello，但没有收到 ServerHello：服务器关闭、重置了连接或一直没有回应。端口 {port} 上的服务可能不是 TLS（明文 HTTP 或其他协议），中间设备可能过滤了这类连接，或者服务器没有为不带服务器名的连接（没有默认证书）或客户端提供的版本和加密套件做配置。',
} as const;

const CAUSE = defineCause({
  code: 'tls.no_server_hello',
  layer: 'tls',
  severity: 'error',
  live: 'end',
  rules: [NO_SERVER_HELLO],
  // The client closed or reset within a second of its ClientHello (details.clientClosedAfterSeconds).
  warning: {
    en: {
      summary: '{target}: the client closed the connection {closedMs} ms after its TLS ClientHello, before an answer could be expected',
      explanation:
        'The client sent a TLS ClientHello to {ip} port {port} and closed or reset its own connection {closedMs} ms later, before a server could be expected to answer. That the server sent nothing in that time says nothing about the server or the path: the client did not wait.',
      advice: [
        'Find which program opened the connection (`ss -tp`, its log): a scanner, a health check or a probe that sends a ClientHello and leaves looks like this.',
        'If a real client fails this way, check its handshake timeout and whether it gives up on its own (a cancelled request, a proxy setting it did not use).',
      ],
    },
    zh: {
      summary: '{target}：客户端发出 TLS ClientHello {closedMs} 毫秒后就关闭了连接，早于可以预期的应答',
      explanation:
        '客户端向 {ip} 端口 {port} 发送了 TLS ClientHello，{closedMs} 毫秒后就自己关闭或重置了连接，早于服务器可以应答的时间。服务器在这段时间内没有发送任何内容，并不能说明服务器或网络路径有问题：客户端根本没有等待。',
      advice: [
        '找出是哪个程序打开了这个连接（`ss -tp`、程序日志）：发送 ClientHello 后立即离开的扫描器、健康检查或探测程序看起来就是这样。',
        '如果真实的客户端这样失败，检查它的握手超时，以及它是否自己放弃了（请求被取消、没有使用应使用的代理）。',
      ],
    },
  },
  words: {
    en: {
      summary: '{target}: the server did not answer the TLS ClientHello',
      explanation:
        'The TCP connection to {ip} port {port} worked and the client sent a TLS ClientHello for the name {sni}, but no ServerHello came back: the server closed, reset or stayed silent. The service on port {port} may not speak TLS (plain HTTP or another protocol), a middlebox may filter by server name, or the server has nothing configured for {sni} or for the versions and ciphers offered.',
      advice: [
        'Check that port {port} is a TLS port for this service (plain HTTP on 80/8080, HTTPS on 443): `curl -v http://{host}:{port}/`.',
        'Run `openssl s_client -connect {host}:{port} -servername {host}`, then with `-tls1_2` / `-tls1_3` and without `-servername`: a different result points at server-name (SNI) or version handling.',
        'A firewall, proxy or filter may drop connections by server name: compare from another network, and check whether a proxy is required (`env | grep -i proxy`).',
        'On the server, check the TLS listener and its error log (virtual host / SNI configuration, enabled versions and ciphers).',
        'If the client only offers old versions or ciphers, upgrade its OpenSSL / TLS library.',
      ],
    },
    zh: {
      summary: '{target}：服务器没有回应 TLS ClientHello',
      explanation:
        '到 {ip} 端口 {port} 的 TCP 连接正常，客户端为域名 {sni} 发送了 TLS ClientHello，但没有收到 ServerHello：服务器关闭、重置了连接或一直没有回应。端口 {port} 上的服务可能不是 TLS（明文 HTTP 或其他协议），中间设备可能按服务器名进行过滤，或者服务器没有为 {sni} 或客户端提供的版本和加密套件做配置。',
      advice: [
        '确认端口 {port} 是该服务的 TLS 端口（明文 HTTP 在 80/8080，HTTPS 在 443）：`curl -v http://{host}:{port}/`。',
        '执行 `openssl s_client -connect {host}:{port} -servername {host}`，再分别加 `-tls1_2` / `-tls1_3` 以及去掉 `-servername` 尝试：结果不同说明与服务器名（SNI）或版本处理有关。',
        '防火墙、代理或过滤设备可能按服务器名丢弃连接：从其他网络环境对比，并检查是否必须使用代理（`env | grep -i proxy`）。',
        '在服务器上检查 TLS 监听配置及其错误日志（虚拟主机/SNI 配置、启用的版本和加密套件）。',
        '如果客户端只提供旧版本或旧加密套件，升级其 OpenSSL / TLS 库。',
      ],
    },
  },
});

export default withVariants(CAUSE, { noSni: reworded(CAUSE.words, { explanation: NO_SNI_EXPLANATION }) }, (v) => (v.severity === 'warning' || hasText(v.facts['sni']) ? null : 'noSni'));
