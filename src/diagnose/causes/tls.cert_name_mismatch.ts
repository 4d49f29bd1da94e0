/**
 * tls.cert_name_mismatch: the certificate seen in clear does not cover the name the client asked for (SNI)
 */
import { defineCause } from '../cause.js';
import { CERTIFICATE_RULE } from '../rules-tls.js';

export default defineCause({
  code: 'tls.cert_name_mismatch',
  layer: 'tls',
  severity: 'error',
  live: 'end',
  rules: [CERTIFICATE_RULE],
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
});
