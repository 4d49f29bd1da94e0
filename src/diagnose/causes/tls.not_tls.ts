/**
 * tls.not_tls: the server answered the ClientHello in plain text (HTTP or another protocol): TLS
 * spoken to a port that does not speak it.
 */
import { defineCause } from '../cause.js';
import { firstCloseAfter, isTcp, outcome, type ConnRule } from '../outcome.js';
import { CLIENT_HELLO, FIN, RST, proof, way } from '../evidence.js';
import { offered } from '../rules-tls.js';
import { evidenceKind } from '../words.js';

const PLAIN_ANSWER = evidenceKind<{ text: string }>('plain_answer', {
  en: (a) => `answer in plain text, not TLS: "${a.text}"`,
  zh: (a) => `明文应答（不是 TLS）："${a.text}"`,
}, { en: () => 'plain text', zh: () => '明文' });

/**
 * The server's first bytes after a ClientHello were not a TLS record (tls.ts keeps them, as
 * printable text): a plain-text service answered. Ranked before tls.no_server_hello, which would
 * otherwise call it silence.
 */
const NOT_TLS: ConnRule = {
  on: 'conn',
  rank: 68,
  produces: ['tls.not_tls'],
  run(f) {
    const s = f.tls;
    if (!s || !s.clientHello || s.serverHello || s.plainAnswer === null || !isTcp(f)) return null;
    const c = f.conn;
    // Bytes read as the server's first are its first only when its SYN-ACK was captured (the
    // stream is known from its start) and no hole came before them: else they may be the middle
    // of a record (a certificate) whose beginning the capture does not hold.
    if (c.synAckFrame === 0 || s.gap) return null;
    const hello = s.clientHello;
    const a = s.plainAnswer;
    const ev = [
      proof(CLIENT_HELLO, hello.frame, hello.ts, way(c, s.clientIsOrig), { sni: hello.sni }),
      proof(PLAIN_ANSWER, a.frame, a.ts, way(c, !s.clientIsOrig), { text: a.text }),
    ];
    const close = firstCloseAfter(c, a.frame);
    if (close) ev.push(proof(c.rsts.includes(close) ? RST : FIN, close.frame, close.ts, way(c, close.fromOrig), { sender: close.fromOrig === s.clientIsOrig ? 'client' : 'server' }));
    return outcome('tls.not_tls', ev, { sni: hello.sni, answerStarts: a.text, ...offered(s) }, { sni: hello.sni, answer: a.text });
  },
};

export default defineCause({
  code: 'tls.not_tls',
  layer: 'tls',
  severity: 'error',
  live: 'packet',
  rules: [NOT_TLS],
  words: {
    en: {
      summary: '{target}: the server answered the TLS ClientHello in plain text',
      explanation:
        'The client started TLS on port {port} of {ip} and the server answered with bytes that are not TLS, beginning "{answer}": a plain-text service (HTTP or another protocol) listens there. The client spoke https:// to a port that speaks http://, or the port is wrong. The answer is in clear, so what the service said can be read in the evidence.',
      advice: [
        'Check the URL\'s scheme and port: `https://` needs the port where the service speaks TLS (usually 443); use `http://{host}:{port}/` if this port is plain HTTP.',
        '`curl -v http://{host}:{port}/` shows what the port really speaks; `openssl s_client -connect {host}:443 -servername {host}` checks the usual TLS port.',
        'If TLS is meant to be on this port, check the server\'s configuration (nginx `listen {port} ssl;`, the application\'s TLS settings) and that a proxy in front does not terminate TLS elsewhere.',
        'If a CDN, cloud protection node (WAF) or load balancer connects to this server, check the protocol and port it uses towards the origin: HTTPS towards a plain HTTP port fails exactly this way.',
      ],
    },
    zh: {
      summary: '{target}：服务器以明文回应了 TLS ClientHello',
      explanation:
        '客户端在 {ip} 的端口 {port} 上发起 TLS，服务器回应的字节却不是 TLS，开头是 "{answer}"：那里监听的是明文服务（HTTP 或其他协议）。客户端对只支持 http:// 的端口使用了 https://，或者端口错了。该应答是明文的，证据中可以直接看到服务说了什么。',
      advice: [
        '检查 URL 的协议和端口：`https://` 需要使用服务提供 TLS 的端口（通常是 443）；如果该端口是明文 HTTP，请用 `http://{host}:{port}/`。',
        '`curl -v http://{host}:{port}/` 可以看到该端口实际使用的协议；`openssl s_client -connect {host}:443 -servername {host}` 可检查常用的 TLS 端口。',
        '如果该端口本应提供 TLS，检查服务器配置（nginx 的 `listen {port} ssl;`、应用的 TLS 设置），以及前端代理是否在别处终结了 TLS。',
        '如果有 CDN、云防护节点（WAF）或负载均衡连接到该服务器，检查其回源协议和端口：用 HTTPS 回源到明文 HTTP 端口就会出现这种失败。',
      ],
    },
  },
});
