/**
 * tls.handshake_incomplete: TLS 1.2 or older — the server answered the ClientHello and the client
 * sent its key exchange and Finished, which the server acknowledged, but the server never sent its
 * ChangeCipherSpec and Finished
 */
import { defineCause } from '../cause.js';
import { firstCloseAfter, isTcp, outcome, tenths, type ConnRule, type EvidenceAt } from '../outcome.js';
import { CLIENT_HELLO, FIN, RST, proof, way } from '../evidence.js';
import { serverHelloProof } from '../rules-tls.js';
import { isTls13 } from '../../track/tls-session.js';
import { tlsVersionName } from '../../decode/names.js';
import { TLS_REPRO } from '../advice.js';
import { tooSoon, WAIT } from '../waits.js';
import { interval } from '../../time.js';

/**
 * The server's half of a TLS <= 1.2 handshake never finished: its ServerHello came, the client
 * answered with its ChangeCipherSpec and (encrypted) Finished, and nothing of the server's
 * ChangeCipherSpec, Finished or data followed, no alert either, for longer than a server takes
 * (WAIT.tls) until a side closed or the capture ended. Such a connection read "worked at every
 * layer seen" before. TLS 1.3 hides the server's Finished in its encrypted flight: not judged here.
 */
const SERVER_NEVER_FINISHED: ConnRule = {
  on: 'conn',
  rank: 75,
  produces: ['tls.handshake_incomplete'],
  run(f, ctx) {
    const s = f.tls;
    if (!s || !s.serverHello || isTls13(s) || s.alerts.length > 0 || s.encryptedAlerts.length > 0 || !isTcp(f)) return null;
    if (!s.ccs.client || s.encrypted.client === 0 || s.ccs.server || s.encrypted.server > 0) return null;
    const c = f.conn;
    // Bytes of the server's the capture lost, or that did not read as TLS: its Finished may be among them.
    if (s.gap || s.broken.server || c.gapBytes.resp !== 0) return null;
    // The server acknowledged what the client sent: its stack got the key exchange and Finished.
    // Unacknowledged and never sent again, the capture lacks the server's packets (nDPI
    // instagram.pcap: two handshakes whose last client flight nothing ever acknowledges, and that
    // the client never resends); resent, it is tcp.stalled's.
    if ((s.clientIsOrig ? c.unackedBytes.orig : c.unackedBytes.resp) !== 0) return null;
    const hello = s.serverHello;
    const close = firstCloseAfter(c, hello.frame);
    const end = close ? close.ts : ctx.captureEnd;
    // A server answers the client's Finished within a round trip; a capture or a client that
    // stopped sooner than WAIT.tls after the ServerHello shows nothing either way.
    if (close ? (interval(close.ts, hello.ts) ?? Infinity) <= WAIT.tls : tooSoon(ctx, hello.ts, WAIT.tls)) return null;
    const ev: EvidenceAt[] = [];
    if (s.clientHello) ev.push(proof(CLIENT_HELLO, s.clientHello.frame, s.clientHello.ts, way(c, s.clientIsOrig), { sni: s.clientHello.sni }));
    ev.push(serverHelloProof(c, s));
    const closedBy = close ? (close.fromOrig === s.clientIsOrig ? 'client' : 'server') : null;
    if (close) ev.push(proof(c.rsts.includes(close) ? RST : FIN, close.frame, close.ts, way(c, close.fromOrig), { sender: closedBy! }));
    return outcome('tls.handshake_incomplete', ev,
      { tlsVersion: tlsVersionName(hello.version), sni: s.clientHello?.sni ?? null, waitedSeconds: tenths(interval(end, hello.ts)), closedBy },
      { seconds: tenths(interval(end, hello.ts)) });
  },
};

export default defineCause({
  code: 'tls.handshake_incomplete',
  layer: 'tls',
  severity: 'error',
  live: 'timeout',
  rules: [SERVER_NEVER_FINISHED],
  words: {
    en: {
      summary: '{target}: the server never finished the TLS handshake',
      explanation:
        '{ip} answered the ClientHello with its ServerHello, and the client sent its key exchange, ChangeCipherSpec and Finished, but the server never sent its own ChangeCipherSpec and Finished, nor an alert ({seconds} s after its ServerHello, until the connection closed or the capture ended). The TCP path works; the server, or a TLS terminator in front of it, stalled halfway: it could not complete the key exchange (a key or cipher problem, a slow hardware key store), it dropped a client certificate it did not accept without saying so, or a device on the path drops the flow from the key exchange on.',
      advice: [
        'Read the server\'s TLS error log (nginx or Apache error log, the load balancer\'s TLS log) at that time: a handshake that failed there leaves a line.',
        TLS_REPRO.en,
        'If the server asks for client certificates, check that it accepts the client\'s (the issuing CA in its trust list).',
        'If a firewall, IPS or TLS-inspecting proxy is on the path, check whether it drops the flow after the key exchange.',
      ],
    },
    zh: {
      summary: '{target}：服务器始终没有完成 TLS 握手',
      explanation:
        '{ip} 以 ServerHello 回应了 ClientHello，客户端也发送了密钥交换、ChangeCipherSpec 和 Finished，但服务器始终没有发送它自己的 ChangeCipherSpec 和 Finished，也没有发送告警（距 ServerHello {seconds} 秒，直到连接关闭或抓包结束）。TCP 路径是通的；是服务器或其前面的 TLS 终结设备在中途停住了：无法完成密钥交换（密钥或加密套件问题、缓慢的硬件密钥存储），不声不响地丢弃了它不接受的客户端证书，或者路径上的设备从密钥交换开始丢弃了该连接的数据。',
      advice: [
        '查看服务器在该时刻的 TLS 错误日志（nginx 或 Apache 的错误日志、负载均衡的 TLS 日志）：在那里失败的握手会留下记录。',
        TLS_REPRO.zh,
        '如果服务器要求客户端证书，检查它是否接受客户端的证书（签发的 CA 是否在其信任列表中）。',
        '如果路径上有防火墙、IPS 或做 TLS 解密的代理，检查它是否在密钥交换之后丢弃了该连接。',
      ],
    },
  },
});
