/**
 * tls.client_rejected: TLS 1.3: client aborted right after the server's encrypted flight (certificate most likely rejected)
 */
import { defineCause } from '../cause.js';
import { isTls13 } from '../../track/tls-session.js';
import { isTcp, outcome, type ConnRule, type EvidenceAt } from '../outcome.js';
import { proof, way } from '../evidence.js';
import { offered, tlsEstablishedAndUsed } from '../rules-tls.js';
import { evidenceKind } from '../words.js';
import { OPENSSL } from '../advice.js';

const SERVER_FLIGHT = evidenceKind<Record<string, never>>('server_hello_flight', {
  en: () => 'ServerHello (TLS1.3), then the encrypted certificate flight',
  zh: () => 'ServerHello（TLS1.3），随后是加密的证书报文',
});

const CLIENT_RECORD = evidenceKind<{ length: number }>('client_encrypted_record', {
  en: (a) => `client's ${a.length}-byte encrypted record (an alert, by its size)`,
  zh: (a) => `客户端的 ${a.length} 字节加密记录（从长度看是告警）`,
});

/** TLS 1.3: the client answered the server's encrypted flight with one small record, then left. */
const CLIENT_REJECTED: ConnRule = {
  on: 'conn',
  rank: 80,
  produces: ['tls.client_rejected'],
  run(f) {
    const s = f.tls;
    if (!s || !isTls13(s) || tlsEstablishedAndUsed(s) || !isTcp(f)) return null;
    const after = s.clientAfterServerFlight;
    // An encrypted alert is 2 bytes + content type + 16-byte AEAD tag = 19 bytes (RFC 8446 §5.2).
    if (after.length === 0 || after.length > 2 || after.some((r) => r.length > 24)) return null;
    const c = f.conn;
    const clientClosed = [...c.rsts, ...c.fins].some((x) => x.fromOrig === s.clientIsOrig);
    if (!clientClosed || s.encrypted.client > after.length + 1) return null;
    const ev: EvidenceAt[] = [];
    if (s.serverHello) ev.push(proof(SERVER_FLIGHT, s.serverHello.frame, s.serverHello.ts, way(c, !s.clientIsOrig), {}));
    ev.push(proof(CLIENT_RECORD, after[0]!.frame, s.serverHello?.ts ?? c.start, way(c, s.clientIsOrig), { length: after[0]!.length }));
    return outcome('tls.client_rejected', ev, { recordLength: after[0]!.length, ...offered(s) }, { sni: s.clientHello?.sni ?? null });
  },
};

export default defineCause({
  code: 'tls.client_rejected',
  layer: 'tls',
  severity: 'error',
  live: 'end',
  rules: [CLIENT_REJECTED],
  words: {
    en: {
      summary: '{target}: the client aborted the TLS 1.3 handshake, most likely rejecting the certificate',
      explanation:
        'The server sent its encrypted TLS 1.3 flight, which carries its certificate, and the client answered with a small encrypted record instead of its Finished message, then closed. In TLS 1.3 that alert is encrypted, so the capture cannot show which one; the usual reason is that the client did not accept the server certificate: unknown CA, wrong name, or outside its validity dates.',
      advice: [
        OPENSSL.en,
        '"unable to get local issuer certificate": install or update the CA bundle (`ca-certificates`, then `update-ca-certificates`), check the server sends its intermediate certificates, and add a corporate TLS-inspection CA to the client\'s trust store (container image, JVM cacerts).',
        '"certificate has expired" or "not yet valid": check the client\'s clock first (`date`, `timedatectl`, NTP sync with chrony), then the certificate\'s dates.',
        'Name mismatch: check the certificate\'s names cover {host} (`openssl x509 -noout -ext subjectAltName` on the certificate).',
        'The client program\'s own error names the reason (Java: "PKIX path building failed").',
      ],
    },
    zh: {
      summary: '{target}：客户端中止了 TLS 1.3 握手，很可能是拒绝了服务器证书',
      explanation:
        '服务器发送了加密的 TLS 1.3 握手消息（其中包含证书），客户端没有回复 Finished，而是回了一条很小的加密记录，随后关闭连接。TLS 1.3 中告警是加密的，抓包无法看到具体是哪个；最常见的原因是客户端不接受服务器证书：CA 不受信任、域名不匹配或不在有效期内。',
      advice: [
        OPENSSL.zh,
        '"unable to get local issuer certificate"：安装或更新根证书库（`ca-certificates`，然后执行 `update-ca-certificates`），检查服务器是否发送了中间证书，并把公司 TLS 解密设备的 CA 加入客户端信任库（容器镜像、JVM cacerts）。',
        '"certificate has expired" 或 "not yet valid"：先检查客户端系统时间（`date`、`timedatectl`、用 chrony 做 NTP 时间同步），再检查证书有效期。',
        '域名不匹配：检查证书包含的域名是否覆盖 {host}（对证书执行 `openssl x509 -noout -ext subjectAltName`）。',
        '客户端程序自身的报错会写明原因（Java 报 "PKIX path building failed"）。',
      ],
    },
  },
});
