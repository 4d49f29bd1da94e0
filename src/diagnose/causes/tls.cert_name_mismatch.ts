/**
 * tls.cert_name_mismatch: the certificate seen in clear does not cover the name the client asked for (SNI)
 */
import { defineCause, withVariants } from '../cause.js';
import { CERTIFICATE_RULE } from '../rules-tls.js';

const NO_NAMES = {
  en: 'no name at all (it has neither a subjectAltName nor a subject CN)',
  zh: '（没有任何名称：证书既没有 subjectAltName，也没有 subject CN）',
} as const;

const CAUSE = defineCause({
  code: 'tls.cert_name_mismatch',
  layer: 'tls',
  severity: 'error',
  live: 'end',
  rules: [CERTIFICATE_RULE],
  // A certificate that names nothing (no subjectAltName, no subject CN) is said so, not as an empty list.
  vars: (v, lang) => (Array.isArray(v.facts['san']) && v.facts['san'].length === 0 ? { san: NO_NAMES[lang] } : {}),
  words: {
    en: {
      summary: '{target}: the server certificate does not cover the name {sni}',
      explanation:
        'The client asked for {sni} (TLS SNI), and the certificate the server sent covers {san}, not that name. Clients refuse such a certificate (hostname mismatch). Often the server has no certificate or virtual host for {sni} and serves its default one, or the client reached the wrong server (DNS or /etc/hosts pointing elsewhere).',
      advice: [
        'Check the name resolves to the intended server: `dig {sni}`, /etc/hosts; a wrong address shows another site\'s certificate.',
        'On the server, install a certificate that covers {sni} (in its subjectAltName) and map it to the virtual host / SNI that serves the name.',
        'Check the client uses the name the certificate is issued for, not an IP address or an internal alias.',
        '`openssl s_client -connect {host}:{port} -servername {sni} </dev/null | openssl x509 -noout -ext subjectAltName` shows the names served.',
      ],
    },
    zh: {
      summary: '{target}：服务器证书不包含域名 {sni}',
      explanation:
        '客户端请求的是 {sni}（TLS SNI），而服务器发送的证书只覆盖 {san}，不包含该域名。客户端会拒绝这样的证书（域名不匹配）。常见原因是服务器没有为 {sni} 配置证书或虚拟主机而返回了默认证书，或客户端连到了错误的服务器（DNS 或 /etc/hosts 指向了别处）。',
      advice: [
        '检查域名是否解析到预期的服务器：`dig {sni}`、/etc/hosts；地址错误时会看到其他网站的证书。',
        '在服务器上安装覆盖 {sni} 的证书（写入 subjectAltName），并把它绑定到提供该域名的虚拟主机/SNI。',
        '检查客户端使用的是证书签发的域名，而不是 IP 地址或内部别名。',
        '`openssl s_client -connect {host}:{port} -servername {sni} </dev/null | openssl x509 -noout -ext subjectAltName` 可显示服务器提供的域名。',
      ],
    },
  },
  // The client completed the handshake anyway (CERTIFICATE_RULE: a warning): it did not refuse.
  warning: {
    en: {
      summary: '{target}: the server certificate does not cover the name {sni}; this client went on anyway',
      explanation:
        'The client asked for {sni} (TLS SNI), and the certificate the server sent covers {san}, not that name. This client went on with the handshake anyway: it does not check the name, or was told to accept this certificate. A client that checks, as browsers, curl and most TLS libraries do by default, refuses it (hostname mismatch). Often the server has no certificate or virtual host for {sni} and serves its default one, or the client reached the wrong server (DNS or /etc/hosts pointing elsewhere).',
      advice: [
        'On the server, install a certificate that covers {sni} (in its subjectAltName) and map it to the virtual host / SNI that serves the name.',
        'Check why this client accepts it (certificate checks turned off, `-k` / `verify=False`, a pinned certificate): clients that check will fail on this server.',
        '`openssl s_client -connect {host}:{port} -servername {sni} </dev/null | openssl x509 -noout -ext subjectAltName` shows the names served.',
      ],
    },
    zh: {
      summary: '{target}：服务器证书不包含域名 {sni}；该客户端仍继续了连接',
      explanation:
        '客户端请求的是 {sni}（TLS SNI），而服务器发送的证书只覆盖 {san}，不包含该域名。该客户端仍完成了握手：它不检查域名，或被配置为接受此证书。会检查域名的客户端（浏览器、curl 和大多数 TLS 库的默认行为）会拒绝它（域名不匹配）。常见原因是服务器没有为 {sni} 配置证书或虚拟主机而返回了默认证书，或客户端连到了错误的服务器（DNS 或 /etc/hosts 指向了别处）。',
      advice: [
        '在服务器上安装覆盖 {sni} 的证书（写入 subjectAltName），并把它绑定到提供该域名的虚拟主机/SNI。',
        '检查该客户端为何接受它（关闭了证书校验、`-k` / `verify=False`、固定证书）：会校验证书的客户端访问该服务器将失败。',
        '`openssl s_client -connect {host}:{port} -servername {sni} </dev/null | openssl x509 -noout -ext subjectAltName` 可显示服务器提供的域名。',
      ],
    },
  },
});

/**
 * A capture that stopped right after the certificate (CERTIFICATE_RULE: details.capturedAfterSeconds):
 * a warning in the failure's words, its limit saying the client's answer is not in the capture (the
 * warning's words say the client went on, which it is not shown to have done).
 */
export default withVariants(CAUSE, { tooSoon: CAUSE.words }, (v) => (v.details['capturedAfterSeconds'] !== undefined ? 'tooSoon' : null));
