/**
 * tls.chain_incomplete: the server sent its certificate without the intermediate CA certificate
 * that issued it (TLS ≤ 1.2, where the Certificate message is in clear). A warning: this client
 * completed the handshake (a browser fetches or remembers the intermediate), but a client that
 * only has the root CAs — curl, OpenSSL, Python, Go, Java, most programs — fails with "unable to
 * get local issuer certificate" against the same server. Zeek says the same
 * (validation_status "unable to get local issuer certificate"); tshark shows a normal handshake.
 *
 * Claimed only when the chain proves it:
 * - exactly one certificate was sent, not self-issued and not a CA;
 * - it names where its issuer's certificate is to be fetched (Authority Information Access, CA
 *   Issuers: RFC 5280 §4.2.2.1), as certificates of public CAs do — a private CA that signs
 *   leaves with its root directly seldom does, and its chain is then complete;
 * - no root CA of the store Node carries (Mozilla's) issued and signed it: then its issuer is an
 *   intermediate the server should have sent (a leaf signed by a root directly needs nothing more);
 * - the handshake completed (a client that refused the chain is told by tls.alert, with the chain).
 * A private CA of one's own with a CA Issuers URI, whose root the clients trust, would read the
 * same: the words say so.
 */
import { defineCause } from '../cause.js';
import { isTcp, outcome, type ConnRule } from '../outcome.js';
import { proof, way } from '../evidence.js';
import { evidenceKind } from '../words.js';
import { certFacts } from '../rules-tls.js';
import { tlsEstablished } from '../../track/tls-session.js';

const LEAF_ALONE = evidenceKind<{ subject: string; issuer: string }>('certificate_alone', {
  en: (a) => `Certificate: ${a.subject}, issued by ${a.issuer}, sent alone (no intermediate)`,
  zh: (a) => `证书：${a.subject}，签发者 ${a.issuer}，单独发送（没有中间证书）`,
}, {
  en: (a) => `Certificate ${a.subject} (alone)`,
  zh: (a) => `证书 ${a.subject}（单独）`,
});

/** The common name of a one-line DN ("CN=R3, O=Let's Encrypt, C=US" → "R3"), else the whole DN. */
function commonName(dn: string): string {
  const m = /(?:^|, )CN=((?:\\.|[^,\\])+)/.exec(dn);
  return m ? m[1]!.replace(/\\(.)/g, '$1') : dn;
}

const RULE: ConnRule = {
  on: 'conn',
  // After the certificate's own checks (dates, name: rules-tls.ts, rank 90).
  rank: 92,
  produces: ['tls.chain_incomplete'],
  run(f) {
    const s = f.tls;
    if (!s || !isTcp(f) || s.certificates.length !== 1 || s.certificateFrame === null) return null;
    const leaf = s.certificates[0]!;
    if (leaf.selfIssued || leaf.ca || leaf.caIssuers === null || leaf.issuedByRoot !== false) return null;
    if (!tlsEstablished(s) || s.alerts.length > 0) return null;
    const when = s.serverHello?.ts ?? f.conn.start;
    const ev = [proof(LEAF_ALONE, s.certificateFrame, when, way(f.conn, !s.clientIsOrig), { subject: leaf.subject, issuer: leaf.issuer })];
    return outcome('tls.chain_incomplete', ev, {
      ...certFacts(s),
      chain: { certificates: 1, subject: leaf.subject, issuer: leaf.issuer, caIssuers: leaf.caIssuers },
    }, { leafName: leaf.subjectCN ?? leaf.subject, issuerName: commonName(leaf.issuer), caIssuers: leaf.caIssuers, sni: s.clientHello?.sni ?? null }, 'warning');
  },
};

export default defineCause({
  code: 'tls.chain_incomplete',
  layer: 'tls',
  severity: 'warning',
  live: 'end',
  rules: [RULE],
  vars: (v) => {
    const sni = v.facts['sni'];
    return { servernameOpt: typeof sni === 'string' && sni !== '' ? ` -servername ${sni}` : '' };
  },
  words: {
    en: {
      summary: '{target}: the server sends its certificate without the intermediate CA certificate; clients that do not fetch it fail',
      explanation:
        'In the TLS handshake the server sent one certificate only, for {leafName}, issued by {issuerName}. That issuer is no root CA (none of the roots of Mozilla\'s store issued this certificate): it is an intermediate CA, and the server should send its certificate too. This client completed the handshake — browsers fetch the missing certificate from the address in the certificate ({caIssuers}) or remember it from other sites — but curl, OpenSSL, Python, Go, Java and most programs do not, and fail against this server with "unable to get local issuer certificate" (or "unable to verify the first certificate"). If {issuerName} is a root of your own that your clients trust, the chain is complete and this does not apply.',
      advice: [
        'Configure the server to send the full chain, the certificate followed by the intermediate: nginx `ssl_certificate` with the full-chain file (Let\'s Encrypt: fullchain.pem, not cert.pem); Apache `SSLCertificateFile` with the chain appended (`SSLCertificateChainFile` before 2.4.8); the certificate-chain field of a load balancer or CDN.',
        'Check from a machine without a browser: `openssl s_client -connect {ip}:{port}{servernameOpt} -showcerts` lists one certificate and ends with "Verify return code: 20 (unable to get local issuer certificate)" until the chain is fixed.',
        'The intermediate is at {caIssuers} (DER; `openssl x509 -inform der` converts it to PEM), or in the bundle the CA gave with the certificate.',
      ],
    },
    zh: {
      summary: '{target}：服务器发送证书时没有附带中间 CA 证书；不会自行获取它的客户端会失败',
      explanation:
        '在 TLS 握手中，服务器只发送了一张证书，颁发给 {leafName}，签发者为 {issuerName}。该签发者不是根 CA（Mozilla 根证书库中没有任何根证书签发了这张证书）：它是中间 CA，服务器应当一并发送它的证书。这个客户端完成了握手——浏览器会按证书中的地址（{caIssuers}）下载缺失的证书，或者记得在其他网站见过它——但 curl、OpenSSL、Python、Go、Java 以及大多数程序不会这样做，连接这台服务器时会报 "unable to get local issuer certificate"（或 "unable to verify the first certificate"）。如果 {issuerName} 是你们自己的、客户端信任的根证书，那么证书链是完整的，本条不适用。',
      advice: [
        '配置服务器发送完整的证书链，即证书后面接中间证书：nginx 的 `ssl_certificate` 使用完整链文件（"Let\'s Encrypt" 用 fullchain.pem，而不是 cert.pem）；Apache 的 `SSLCertificateFile` 附上证书链（2.4.8 之前用 `SSLCertificateChainFile`）；负载均衡或 CDN 的证书链字段。',
        '在没有浏览器的机器上检查：修复之前，`openssl s_client -connect {ip}:{port}{servernameOpt} -showcerts` 只列出一张证书，并以 "Verify return code: 20 (unable to get local issuer certificate)" 结束。',
        '中间证书可从 {caIssuers} 下载（DER 格式，用 `openssl x509 -inform der` 转成 PEM），或者在 CA 随证书提供的证书包中。',
      ],
    },
  },
});
