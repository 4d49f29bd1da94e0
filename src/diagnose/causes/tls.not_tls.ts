/**
 * tls.not_tls: the server answered the ClientHello in plain text (HTTP or another protocol): TLS
 * spoken to a port that does not speak it.
 */
import { defineCause, withVariants, type Wording } from '../cause.js';
import { firstCloseAfter, isTcp, outcome, type ConnRule } from '../outcome.js';
import { CLIENT_HELLO, FIN, RST, proof, way } from '../evidence.js';
import { offered } from '../rules-tls.js';
import { evidenceKind } from '../words.js';

const PLAIN_ANSWER = evidenceKind<{ text: string }>('plain_answer', {
  en: (a) => `answer in plain text, not TLS: "${a.text}"`,
  zh: (a) => `明文应答（不是 TLS）："${a.text}"`,
}, { en: () => 'plain text', zh: () => '明文' });

/** Ports of the mail and file-transfer protocols, plain (STARTTLS) and implicit TLS, by protocol. */
const SMTP_PORTS = new Set([25, 465, 587, 2525]);
const FTP_PORTS = new Set([21, 990]);

/**
 * The protocol of a mail or file-transfer server that answered a ClientHello in clear, read from
 * its answer (the reply to the ClientHello read as a command, or its greeting), else null: POP3's
 * "+OK" / "-ERR" (RFC 1939), IMAP's untagged "* OK" / "* BAD" / "* BYE" (RFC 9051), and the
 * three-digit replies of SMTP (RFC 5321) and FTP (RFC 959), told apart by an enhanced mail status
 * code (RFC 3463) or the server's own words, else by the port. These servers offer TLS on such a
 * port only after STARTTLS (AUTH TLS for FTP), if at all: the client expected implicit TLS.
 */
export function plainProtocol(text: string, port: number): 'SMTP' | 'FTP' | 'POP3' | 'IMAP' | null {
  if (/^(\+OK|-ERR)\b/.test(text)) return 'POP3';
  if (/^\* (OK|PREAUTH|BYE|BAD|NO)\b/.test(text)) return 'IMAP';
  if (!/^[2-5]\d\d[ -]/.test(text)) return null;
  if (/^\d{3}[ -][245]\.\d{1,3}\.\d{1,3}\b/.test(text) || /\bE?SMTP\b/i.test(text)) return 'SMTP';
  if (/\bFTP/i.test(text)) return 'FTP';
  return SMTP_PORTS.has(port) ? 'SMTP' : FTP_PORTS.has(port) ? 'FTP' : null;
}

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
    const protocol = plainProtocol(a.text, c.resp.port);
    return outcome('tls.not_tls', ev, { sni: hello.sni, answerStarts: a.text, ...(protocol !== null ? { protocol } : {}), ...offered(s) }, { sni: hello.sni, answer: a.text, ...(protocol !== null ? { protocol } : {}) });
  },
};

/**
 * A mail or file-transfer server (plainProtocol) answered: the client asked for implicit TLS on a
 * port where the server speaks its protocol in clear; the words are theirs, not HTTP's.
 */
const MAIL_OR_FTP: Wording = {
  en: {
    summary: '{target}: the server answered the TLS ClientHello in plain {protocolName}',
    explanation:
      'The client started TLS on port {port} of {ip} from its first byte (implicit TLS), and the server answered in clear, "{answer}": the server speaks {protocolName} in plain text on this port. On such a port TLS, if offered at all, starts only after the client asks for it (STARTTLS; AUTH TLS for FTP). The client\'s security setting and the server\'s port do not match.',
    advice: [
      'Match the client\'s security setting to the port: "SSL/TLS" (implicit TLS) is for SMTP 465, IMAP 993, POP3 995 and FTP 990; "STARTTLS" is for the plain ports (SMTP 587 or 25, IMAP 143, POP3 110, FTP 21). Set the client to STARTTLS on port {port}, or point it at the server\'s implicit-TLS port.',
      '`openssl s_client -connect {host}:{port}` fails the same way; `openssl s_client -connect {host}:{port} -starttls smtp` (or `imap`, `pop3`, `ftp`) shows whether the server offers TLS after STARTTLS on this port.',
      'If the server is meant to offer implicit TLS on port {port}, turn it on there: Postfix `-o smtpd_tls_wrappermode=yes` for that service in master.cf; Dovecot `ssl = yes` with an `inet_listener imaps` or `pop3s` on the port; vsftpd `implicit_ssl=YES`.',
    ],
  },
  zh: {
    summary: '{target}：服务器以明文 {protocolName} 回应了 TLS ClientHello',
    explanation:
      '客户端在 {ip} 的端口 {port} 上从第一个字节就开始 TLS（隐式 TLS），服务器却以明文回应："{answer}"：该服务器在这个端口上以明文使用 {protocolName}。在这样的端口上，TLS（如果提供的话）只有在客户端请求之后才开始（STARTTLS；FTP 为 AUTH TLS）。客户端的安全设置与服务器的端口不匹配。',
    advice: [
      '让客户端的安全设置与端口一致：“SSL/TLS”（隐式 TLS）对应 SMTP 465、IMAP 993、POP3 995 和 FTP 990；“STARTTLS”对应明文端口（SMTP 587 或 25、IMAP 143、POP3 110、FTP 21）。把客户端在端口 {port} 上改为 STARTTLS，或改用服务器的隐式 TLS 端口。',
      '`openssl s_client -connect {host}:{port}` 会以同样方式失败；`openssl s_client -connect {host}:{port} -starttls smtp`（或 `imap`、`pop3`、`ftp`）可查看服务器在该端口上是否在 STARTTLS 之后提供 TLS。',
      '如果服务器本应在端口 {port} 上提供隐式 TLS，请在那里开启：Postfix 在 master.cf 中为该服务设置 `-o smtpd_tls_wrappermode=yes`；Dovecot 设置 `ssl = yes` 并在该端口上配置 `inet_listener imaps` 或 `pop3s`；vsftpd 设置 `implicit_ssl=YES`。',
    ],
  },
};

const CAUSE = defineCause({
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
  vars: (v) => ({ protocolName: typeof v.facts['protocol'] === 'string' ? v.facts['protocol'] : null }),
});

export default withVariants(CAUSE, { mailOrFtp: MAIL_OR_FTP }, (v) => (typeof v.facts['protocol'] === 'string' ? 'mailOrFtp' : null));
