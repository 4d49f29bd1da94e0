/**
 * Detail tables for the diagnosis: TLS alerts (what an alert means depending on who sent it),
 * ICMP / ICMPv6 errors and DNS Extended DNS Errors, in English and Simplified Chinese.
 * Sources: ../shared/REFERENCE.md (alert and ICMP tables, which stack sends which alert),
 * RFC 5246 §7.2, RFC 8446 §6, RFC 792 / 1812 / 4443, RFC 8914.
 *
 *   TLS_ALERTS                         code → { usual, meaning, bySender } (names: decode/names.ts)
 *   alertAdvice(code, sender, lang, vars?)  { meaning, advice, usual } for one alert and sender
 *   icmpMeaning(v6, type, code, lang)  { title, meaning } of an ICMP / ICMPv6 error (decode/icmp-codes.ts)
 *   icmpTitle(v6, type, code, lang)    the title alone
 *   edeMeaning(code, lang)             name of an Extended DNS Error code
 *   edeNote(ede, lang)                 the {edeNote} sentence of dns.servfail / dns.error
 *
 * Alert advice texts may use {host} and {port} (see PLACEHOLDERS in words.ts); alertAdvice()
 * fills them from `vars`, and with '<host>' / '<port>' when they are not given.
 */
import type { Lang, Localised } from '../lang.js';
import { icmpCode } from '../decode/icmp-codes.js';
import { fill, senderName, type Vars } from './words.js';

export type Sender = 'client' | 'server';

export interface SenderReading {
  /** What it means when this side sent the alert. */
  en: string;
  zh: string;
  /** What to check, most likely first. */
  advice: { en: readonly string[]; zh: readonly string[] };
}

export interface AlertInfo {
  /** Who usually sends it (REFERENCE.md "Usual sender"). */
  usual: 'client' | 'server' | 'either' | 'legacy';
  meaning: Localised;
  /** Readings for the sides that normally send it; a missing side is unusual for this alert. */
  bySender: { client?: SenderReading; server?: SenderReading };
}

// Shared advice lines (en / zh), kept in one place so wording stays consistent.
const A = {
  sClient: {
    en: 'Reproduce from the client: `openssl s_client -connect {host}:{port} -servername {host}` and read the error and "Verify return code" lines; `curl -v https://{host}:{port}/` shows the same from curl.',
    zh: '在客户端复现：`openssl s_client -connect {host}:{port} -servername {host}`，查看错误行和 "Verify return code"；`curl -v https://{host}:{port}/` 可从 curl 的角度看到同样的失败。',
  },
  caBundle: {
    en: 'Install or update the CA bundle on the client: the `ca-certificates` package (`apt install ca-certificates` / `yum install ca-certificates`), then `update-ca-certificates` (Debian/Ubuntu) or `update-ca-trust` (RHEL); containers and the JVM (cacerts, `keytool -importcert`) have their own trust stores.',
    zh: '在客户端安装或更新根证书库（CA 证书包）：安装 `ca-certificates` 包（`apt install ca-certificates` / `yum install ca-certificates`），然后执行 `update-ca-certificates`（Debian/Ubuntu）或 `update-ca-trust`（RHEL）；容器镜像和 JVM（cacerts，`keytool -importcert`）有各自独立的信任库。',
  },
  chain: {
    en: 'Check that the server sends its intermediate certificates: `openssl s_client -connect {host}:{port} -servername {host} -showcerts` should list the chain up to a root the client trusts; fix the server\'s chain file if not.',
    zh: '检查服务器是否发送了中间证书：`openssl s_client -connect {host}:{port} -servername {host} -showcerts` 应列出直到客户端信任的根证书的完整证书链；否则修正服务器的证书链文件。',
  },
  inspection: {
    en: 'If a corporate proxy or firewall inspects TLS, its own CA signs the certificate: add that CA to the client\'s trust store (system bundle, container image, JVM), or exempt this destination from inspection.',
    zh: '如果公司代理或防火墙做了 TLS 解密检查，证书由它自己的 CA 签发：把该 CA 加入客户端信任库（系统证书库、容器镜像、JVM），或让该目标不经过解密检查。',
  },
  clock: {
    en: 'Check the client\'s clock first (the most frequent cause): `date`, `timedatectl` ("System clock synchronized: yes"); enable NTP time sync (`timedatectl set-ntp true`, chrony or `ntpdate`).',
    zh: '首先检查客户端的系统时间（最常见的原因）：`date`、`timedatectl`（"System clock synchronized: yes"）；开启 NTP 时间同步（`timedatectl set-ntp true`、chrony 或 `ntpdate`）。',
  },
  dates: {
    en: 'Read the certificate\'s dates: `openssl s_client -connect {host}:{port} -servername {host} </dev/null | openssl x509 -noout -dates`; renew it on the server if it really expired (the intermediate too) and reload the service.',
    zh: '查看证书有效期：`openssl s_client -connect {host}:{port} -servername {host} </dev/null | openssl x509 -noout -dates`；若证书确实过期（包括中间证书），在服务器上续期并重新加载服务。',
  },
  names: {
    en: 'Check that the certificate names cover {host}: `openssl s_client -connect {host}:{port} -servername {host} </dev/null | openssl x509 -noout -ext subjectAltName`; the client must use a name the certificate is issued for, not an IP or internal alias.',
    zh: '检查证书包含的域名是否覆盖 {host}：`openssl s_client -connect {host}:{port} -servername {host} </dev/null | openssl x509 -noout -ext subjectAltName`；客户端应使用证书签发的域名，而不是 IP 或内部别名。',
  },
  clientCert: {
    en: 'Check the client certificate and key the client presents (mTLS): `openssl s_client -connect {host}:{port} -servername {host} -cert client.crt -key client.key`, its chain, dates and extended key usage (clientAuth).',
    zh: '检查客户端出示的证书和私钥（双向 TLS）：`openssl s_client -connect {host}:{port} -servername {host} -cert client.crt -key client.key`，以及其证书链、有效期和扩展密钥用途（clientAuth）。',
  },
  serverLogs: {
    en: 'Read the server\'s TLS error log at the time of the capture (nginx/Apache error log, the application or load balancer log): it names the exact reason.',
    zh: '查看抓包时间点服务器端的 TLS 错误日志（nginx/Apache 的错误日志、应用或负载均衡日志），其中会写明具体原因。',
  },
  clientLogs: {
    en: 'Read the client program\'s error message or log: it names the exact reason.',
    zh: '查看客户端程序的报错信息或日志，其中会写明具体原因。',
  },
  upgrade: {
    en: 'Upgrade the TLS library of the side that is too old (OpenSSL, the language runtime), or update the system crypto policy (`update-crypto-policies --show` on RHEL/Fedora).',
    zh: '升级过旧一方的 TLS 库（OpenSSL、语言运行时），或调整系统加密策略（RHEL/Fedora 上 `update-crypto-policies --show`）。',
  },
  middlebox: {
    en: 'Compare from another network (another host, a VPN): if it works there, a TLS-inspecting proxy, firewall or load balancer on this path alters the handshake.',
    zh: '从其他网络环境对比（另一台主机、VPN）：若那里正常，说明本路径上的 TLS 解密代理、防火墙或负载均衡篡改了握手。',
  },
};

function reading(en: string, zh: string, lines: Localised[]): SenderReading {
  return { en, zh, advice: { en: lines.map((l) => l.en), zh: lines.map((l) => l.zh) } };
}

const legacy = (en: string, zh: string): AlertInfo => ({
  usual: 'legacy',
  meaning: { en, zh },
  bySender: {},
});

/** TLS AlertDescription values (REFERENCE.md table, plus 111 and 114 from the IANA registry). */
export const TLS_ALERTS: Readonly<Record<number, AlertInfo>> = {
  0: {
    usual: 'either',
    meaning: {
      en: 'close_notify is the normal end of a TLS session, not a failure.',
      zh: 'close_notify 是 TLS 会话的正常关闭，本身不是故障。',
    },
    bySender: {
      client: reading(
        'The client closed the TLS session normally.',
        '客户端正常关闭了 TLS 会话。',
        [{ en: 'Not a failure by itself: look at what happened before it (an application timeout, an error in the data).', zh: '本身不是故障：查看此前发生了什么（应用超时、数据中的错误）。' }],
      ),
      server: reading(
        'The server closed the TLS session normally.',
        '服务器正常关闭了 TLS 会话。',
        [{ en: 'Not a failure by itself; if the server closed before answering, check its logs and timeouts.', zh: '本身不是故障；如果服务器在应答前就关闭，检查其日志和超时设置。' }],
      ),
    },
  },
  10: {
    usual: 'either',
    meaning: {
      en: 'unexpected_message: a TLS message arrived at a point of the handshake where it is not allowed.',
      zh: 'unexpected_message：握手中在不允许的位置收到了某条 TLS 消息。',
    },
    bySender: {
      client: reading(
        'The client got a message from the server it did not expect: a server TLS bug, or a TLS-intercepting middlebox that altered the server\'s flight.',
        '客户端收到了不符合预期的服务器消息：服务器 TLS 实现有缺陷，或中间的 TLS 拦截设备篡改了服务器的握手消息。',
        [A.middlebox, A.sClient, A.upgrade],
      ),
      server: reading(
        'The server got a message from the client it did not expect: a client TLS bug, a middlebox altering the client\'s flight, or something that is not TLS sent to a TLS port.',
        '服务器收到了不符合预期的客户端消息：客户端 TLS 实现有缺陷、中间设备篡改了客户端消息，或向 TLS 端口发送了非 TLS 数据。',
        [A.middlebox, A.serverLogs, A.upgrade],
      ),
    },
  },
  20: {
    usual: 'either',
    meaning: {
      en: 'bad_record_mac: a record failed its integrity check — it was corrupted in transit or the two sides derived different keys.',
      zh: 'bad_record_mac：某条记录未通过完整性校验——传输中被损坏，或双方推导出的密钥不一致。',
    },
    bySender: {
      client: reading(
        'The client could not authenticate a record from the server: data corrupted on the path (a faulty middlebox, NIC offload on a gateway) or a key mismatch caused by a buggy peer.',
        '客户端无法校验来自服务器的记录：路径上数据被损坏（有问题的中间设备、网关的网卡卸载功能），或对端缺陷导致密钥不一致。',
        [A.middlebox, { en: 'On hosts or gateways you manage, try disabling segmentation offload on the interface (`ethtool -K <if> tso off gso off gro off`) to rule out broken offload.', zh: '在你管理的主机或网关上，可尝试关闭网卡分段卸载（`ethtool -K <if> tso off gso off gro off`）以排除卸载故障。' }, A.upgrade],
      ),
      server: reading(
        'The server could not authenticate a record from the client: data corrupted on the path or a key mismatch caused by a buggy peer.',
        '服务器无法校验来自客户端的记录：路径上数据被损坏，或对端缺陷导致密钥不一致。',
        [A.middlebox, A.serverLogs, A.upgrade],
      ),
    },
  },
  21: legacy('decryption_failed is reserved (obsolete since TLS 1.1); a modern stack should not send it.', 'decryption_failed 是保留的旧告警（TLS 1.1 起已废弃），现代 TLS 实现不应发送它。'),
  22: {
    usual: 'either',
    meaning: {
      en: 'record_overflow: a record was longer than allowed.',
      zh: 'record_overflow：收到的记录超过了允许的长度。',
    },
    bySender: {
      client: reading(
        'The client received an oversized record from the server: a buggy server or a middlebox rewriting records (or a max_fragment_length / record_size_limit the server ignored).',
        '客户端收到了服务器发来的超长记录：服务器实现有缺陷、中间设备改写了记录，或服务器没有遵守 max_fragment_length / record_size_limit。',
        [A.middlebox, A.upgrade],
      ),
      server: reading(
        'The server received an oversized record from the client: a buggy client or a middlebox rewriting records.',
        '服务器收到了客户端发来的超长记录：客户端实现有缺陷或中间设备改写了记录。',
        [A.middlebox, A.upgrade],
      ),
    },
  },
  30: legacy('decompression_failure is reserved (TLS compression is no longer used).', 'decompression_failure 是保留的旧告警（TLS 压缩已不再使用）。'),
  40: {
    usual: 'server',
    meaning: {
      en: 'handshake_failure: the two sides could not agree on the security parameters of the connection.',
      zh: 'handshake_failure：双方无法就连接的安全参数达成一致。',
    },
    bySender: {
      server: reading(
        'The server found nothing acceptable in the ClientHello: no common cipher suite, key exchange group or signature algorithm (OpenSSL\'s "no shared cipher"); some servers also send it when the server name (SNI) is missing or unknown, or a required client certificate is missing.',
        '服务器在 ClientHello 中找不到可接受的参数：没有共同的加密套件、密钥交换组或签名算法（即 OpenSSL 的 "no shared cipher"）；有些服务器在缺少或不认识 SNI 服务器名、或缺少必需的客户端证书时也会发送它。',
        [
          { en: 'Compare what the client offers (the details list the offered versions) with what the server accepts: `openssl s_client -connect {host}:{port} -servername {host}` from a recent OpenSSL, or `nmap --script ssl-enum-ciphers -p {port} {host}`.', zh: '对比客户端提供的参数（详细信息中列出了提供的版本）与服务器接受的参数：用较新的 OpenSSL 执行 `openssl s_client -connect {host}:{port} -servername {host}`，或 `nmap --script ssl-enum-ciphers -p {port} {host}`。' },
          A.upgrade,
          { en: 'Make sure the client sends the server name (SNI): connecting by IP address sends none, and many servers then fail the handshake.', zh: '确保客户端发送了服务器名（SNI）：用 IP 地址连接时不会发送 SNI，很多服务器会因此握手失败。' },
          { en: 'If the server requires a client certificate (mTLS), configure one in the client.', zh: '如果服务器要求客户端证书（双向 TLS），在客户端配置证书。' },
          A.serverLogs,
        ],
      ),
      client: reading(
        'The client refused the parameters the server chose (cipher suite, group or signature algorithm it does not accept), often because of a strict client crypto policy.',
        '客户端拒绝了服务器选择的参数（它不接受的加密套件、密钥交换组或签名算法），常见于客户端加密策略过严。',
        [A.upgrade, A.clientLogs, A.sClient],
      ),
    },
  },
  41: legacy('no_certificate is an SSLv3-only alert; it should not appear with TLS.', 'no_certificate 只存在于 SSLv3，TLS 中不应出现。'),
  42: {
    usual: 'either',
    meaning: {
      en: 'bad_certificate: the receiver of a certificate refused it.',
      zh: 'bad_certificate：收到证书的一方拒绝了该证书。',
    },
    bySender: {
      client: reading(
        'The client refused the server\'s certificate. From OpenSSL and Go clients this usually means the certificate names do not match the name asked for, or (OpenSSL) the certificate is not yet valid because the client\'s clock is behind; a corrupt certificate is rarer.',
        '客户端拒绝了服务器证书。OpenSSL 和 Go 客户端发送它通常表示证书中的域名与请求的域名不匹配，或（OpenSSL）由于客户端时间落后导致证书"尚未生效"；证书损坏较少见。',
        [A.names, A.clock, A.sClient],
      ),
      server: reading(
        'The server refused the client certificate (mTLS): malformed, wrong type, or failing the server\'s checks.',
        '服务器拒绝了客户端证书（双向 TLS）：证书格式错误、类型不对或未通过服务器检查。',
        [A.clientCert, A.serverLogs],
      ),
    },
  },
  43: {
    usual: 'either',
    meaning: {
      en: 'unsupported_certificate: the certificate is of a kind the receiver does not accept (key type, key usage / extended key usage).',
      zh: 'unsupported_certificate：证书类型不被接收方接受（密钥类型、密钥用途/扩展密钥用途）。',
    },
    bySender: {
      client: reading(
        'The client does not accept the server certificate\'s purpose or key type: for example an extended key usage without serverAuth (OpenSSL "invalid purpose") or an unsupported key algorithm.',
        '客户端不接受服务器证书的用途或密钥类型：例如扩展密钥用途中没有 serverAuth（OpenSSL 的 "invalid purpose"），或密钥算法不受支持。',
        [
          { en: 'Inspect the server certificate: `openssl s_client -connect {host}:{port} -servername {host} </dev/null | openssl x509 -noout -text` (Key Usage, Extended Key Usage must include TLS Web Server Authentication, public key type).', zh: '查看服务器证书：`openssl s_client -connect {host}:{port} -servername {host} </dev/null | openssl x509 -noout -text`（Key Usage、Extended Key Usage 必须包含 TLS Web Server Authentication，公钥类型）。' },
          { en: 'Re-issue the certificate with the right usage, or with a key type the client supports (RSA or ECDSA P-256).', zh: '重新签发用途正确、或客户端支持的密钥类型（RSA 或 ECDSA P-256）的证书。' },
        ],
      ),
      server: reading(
        'The server does not accept the client certificate\'s purpose or key type (mTLS): extended key usage without clientAuth, or an unsupported key.',
        '服务器不接受客户端证书的用途或密钥类型（双向 TLS）：扩展密钥用途中没有 clientAuth，或密钥类型不受支持。',
        [A.clientCert, A.serverLogs],
      ),
    },
  },
  44: {
    usual: 'client',
    meaning: {
      en: 'certificate_revoked: the certificate was revoked by its issuer (OCSP or CRL).',
      zh: 'certificate_revoked：证书已被签发者吊销（OCSP 或 CRL）。',
    },
    bySender: {
      client: reading(
        'The client found the server certificate revoked (OCSP answer, stapled OCSP response or CRL).',
        '客户端发现服务器证书已被吊销（OCSP 应答、OCSP stapling 或 CRL）。',
        [
          { en: 'Replace the certificate on the server with a new one and reload the service; check the OCSP staple it serves (`openssl s_client -connect {host}:{port} -servername {host} -status`).', zh: '在服务器上更换新证书并重新加载服务；检查其提供的 OCSP stapling 应答（`openssl s_client -connect {host}:{port} -servername {host} -status`）。' },
          A.sClient,
        ],
      ),
      server: reading(
        'The server found the client certificate revoked (mTLS).',
        '服务器发现客户端证书已被吊销（双向 TLS）。',
        [{ en: 'Issue a new client certificate and configure it in the client.', zh: '签发新的客户端证书并在客户端配置。' }, A.serverLogs],
      ),
    },
  },
  45: {
    usual: 'client',
    meaning: {
      en: 'certificate_expired: a certificate is outside its validity period for the side that checked it.',
      zh: 'certificate_expired：对检查它的一方而言，证书不在有效期内。',
    },
    bySender: {
      client: reading(
        'The client considers the server certificate (or an intermediate) expired: either it really expired, or the client\'s clock is ahead. Compare the certificate\'s notAfter with the capture time.',
        '客户端认为服务器证书（或中间证书）已过期：要么证书确实过期，要么客户端的系统时间超前。请对比证书的 notAfter 与抓包时间。',
        [A.clock, A.dates, A.chain],
      ),
      server: reading(
        'The server considers the client certificate expired (mTLS), or the server\'s clock is wrong.',
        '服务器认为客户端证书已过期（双向 TLS），或者服务器的系统时间不正确。',
        [
          { en: 'Check the client certificate\'s dates (`openssl x509 -in client.crt -noout -dates`) and renew it.', zh: '检查客户端证书有效期（`openssl x509 -in client.crt -noout -dates`）并续期。' },
          { en: 'Check the server\'s clock (`date`, `timedatectl`, NTP time sync).', zh: '检查服务器的系统时间（`date`、`timedatectl`、NTP 时间同步）。' },
        ],
      ),
    },
  },
  46: {
    usual: 'client',
    meaning: {
      en: 'certificate_unknown: the certificate was refused for a reason that has no more specific alert.',
      zh: 'certificate_unknown：证书因某种没有更具体告警的原因被拒绝。',
    },
    bySender: {
      client: reading(
        'The client refused the server certificate. From Java (JSSE) clients this is the usual "PKIX path building failed": the CA that issued the certificate is missing from the client\'s trust store or the server\'s chain is incomplete; from OpenSSL it is the catch-all for other verification errors.',
        '客户端拒绝了服务器证书。Java（JSSE）客户端发送它通常就是 "PKIX path building failed"：客户端信任库中缺少签发该证书的 CA，或服务器的证书链不完整；OpenSSL 发送它表示其他验证错误。',
        [
          { en: 'For Java: import the issuing CA into the JVM trust store (`keytool -importcert -cacerts -file ca.crt`) or point the JVM at the system bundle; check which cacerts the program really uses.', zh: 'Java 程序：把签发 CA 导入 JVM 信任库（`keytool -importcert -cacerts -file ca.crt`），或让 JVM 使用系统证书库；确认程序实际使用的是哪个 cacerts。' },
          A.chain,
          A.caBundle,
          A.inspection,
        ],
      ),
      server: reading(
        'The server refused the client certificate (mTLS) for an unspecified reason.',
        '服务器以未说明的原因拒绝了客户端证书（双向 TLS）。',
        [A.serverLogs, A.clientCert],
      ),
    },
  },
  47: {
    usual: 'either',
    meaning: {
      en: 'illegal_parameter: a handshake field was out of range or inconsistent.',
      zh: 'illegal_parameter：握手消息中某个字段取值超出范围或前后矛盾。',
    },
    bySender: {
      client: reading(
        'The client found an invalid field in the server\'s messages (for example a key share or version it did not offer): a server bug or a middlebox altering the handshake.',
        '客户端发现服务器消息中的字段无效（例如选择了客户端未提供的密钥交换参数或版本）：服务器缺陷，或中间设备篡改了握手。',
        [A.middlebox, A.upgrade, A.sClient],
      ),
      server: reading(
        'The server found an invalid field in the ClientHello or a later client message (for example a malformed key share): a client bug or a middlebox altering the handshake.',
        '服务器发现 ClientHello 或之后的客户端消息中字段无效（例如格式错误的 key share）：客户端缺陷，或中间设备篡改了握手。',
        [A.middlebox, A.upgrade, A.serverLogs],
      ),
    },
  },
  48: {
    usual: 'client',
    meaning: {
      en: 'unknown_ca: the certificate chain does not lead to a CA the receiver trusts.',
      zh: 'unknown_ca：证书链无法追溯到接收方信任的 CA。',
    },
    bySender: {
      client: reading(
        'The client does not trust the CA behind the server certificate (OpenSSL "unable to get local issuer certificate"): its CA bundle lacks the root, the server does not send the intermediate certificate, or a corporate TLS-inspection CA signed it and is not trusted in this container or JVM.',
        '客户端不信任服务器证书背后的 CA（OpenSSL 报 "unable to get local issuer certificate"）：客户端的根证书库缺少根证书、服务器没有发送中间证书，或证书由公司 TLS 解密设备的 CA 签发，而该 CA 未被此容器或 JVM 信任。',
        [A.caBundle, A.chain, A.inspection, A.sClient],
      ),
      server: reading(
        'The server does not trust the CA that issued the client certificate (mTLS): the server\'s client-CA list does not include it, or the client sends the wrong certificate or no intermediate.',
        '服务器不信任签发客户端证书的 CA（双向 TLS）：服务器配置的客户端 CA 列表中没有它，或客户端发送了错误的证书或缺少中间证书。',
        [
          { en: 'On the server, add the issuing CA to the trusted client CAs (nginx `ssl_client_certificate`, Apache `SSLCACertificateFile`, the load balancer\'s trust store).', zh: '在服务器上把签发 CA 加入受信任的客户端 CA（nginx `ssl_client_certificate`、Apache `SSLCACertificateFile`、负载均衡的信任库）。' },
          A.clientCert,
        ],
      ),
    },
  },
  49: {
    usual: 'server',
    meaning: {
      en: 'access_denied: the peer\'s identity was verified but it is not allowed in.',
      zh: 'access_denied：对端身份已验证，但没有访问权限。',
    },
    bySender: {
      server: reading(
        'The server accepted the client certificate but refuses this client (an mTLS access list or policy).',
        '服务器接受了客户端证书，但拒绝该客户端访问（双向 TLS 的访问控制列表或策略）。',
        [
          { en: 'Ask the server owner to authorise this client\'s certificate (subject, SAN or issuer rules on the server or API gateway).', zh: '请服务器管理员授权该客户端证书（服务器或 API 网关上按 subject、SAN 或签发者配置的规则）。' },
          { en: 'Check the client presents the certificate meant for this service.', zh: '检查客户端出示的是为该服务准备的证书。' },
          A.serverLogs,
        ],
      ),
    },
  },
  50: {
    usual: 'either',
    meaning: {
      en: 'decode_error: a message could not be parsed.',
      zh: 'decode_error：某条消息无法解析。',
    },
    bySender: {
      client: reading(
        'The client could not parse a server message: a buggy server or a middlebox that truncates or rewrites the handshake.',
        '客户端无法解析服务器消息：服务器实现有缺陷，或中间设备截断、改写了握手。',
        [A.middlebox, A.upgrade],
      ),
      server: reading(
        'The server could not parse a client message (for example an empty Certificate where one was required, or a malformed extension): a buggy client or a middlebox.',
        '服务器无法解析客户端消息（例如要求证书时发送了空的 Certificate，或扩展格式错误）：客户端缺陷或中间设备所致。',
        [A.middlebox, A.upgrade, A.serverLogs],
      ),
    },
  },
  51: {
    usual: 'either',
    meaning: {
      en: 'decrypt_error: a signature or Finished check failed.',
      zh: 'decrypt_error：签名或 Finished 校验失败。',
    },
    bySender: {
      client: reading(
        'The client could not verify the server\'s signature or Finished message: the server\'s certificate and private key do not match, or a middlebox altered the handshake.',
        '客户端无法验证服务器的签名或 Finished 消息：服务器证书与私钥不匹配，或中间设备篡改了握手。',
        [
          { en: 'On the server, check that the certificate and key belong together: `openssl x509 -in server.crt -noout -pubkey` and `openssl pkey -in server.key -pubout` must print the same key.', zh: '在服务器上确认证书与私钥匹配：`openssl x509 -in server.crt -noout -pubkey` 与 `openssl pkey -in server.key -pubout` 的输出应相同。' },
          A.middlebox,
        ],
      ),
      server: reading(
        'The server could not verify the client\'s signature, Finished or PSK binder: a client certificate/key mismatch, a stale session ticket, or a middlebox.',
        '服务器无法验证客户端的签名、Finished 或 PSK binder：客户端证书与私钥不匹配、会话票据过期，或中间设备所致。',
        [A.clientCert, A.middlebox, A.serverLogs],
      ),
    },
  },
  60: legacy('export_restriction is reserved (export ciphers are gone).', 'export_restriction 是保留的旧告警（出口级加密套件已被淘汰）。'),
  70: {
    usual: 'server',
    meaning: {
      en: 'protocol_version: the two sides have no TLS version in common.',
      zh: 'protocol_version：双方没有共同支持的 TLS 版本。',
    },
    bySender: {
      server: reading(
        'The server refuses the versions the client offers: the client\'s highest version is below the server\'s minimum (for example a TLS 1.0/1.1 client against a TLS 1.2+ server). Compare the offered versions in the details.',
        '服务器拒绝客户端提供的版本：客户端支持的最高版本低于服务器要求的最低版本（例如 TLS 1.0/1.1 客户端连接只支持 TLS 1.2+ 的服务器）。请对比详细信息中客户端提供的版本。',
        [
          { en: 'Upgrade the client\'s OpenSSL / TLS library or runtime so it offers TLS 1.2 or 1.3 (OpenSSL reports "unsupported protocol" / "wrong version number").', zh: '升级客户端的 OpenSSL / TLS 库或运行时，使其支持 TLS 1.2 或 1.3（OpenSSL 会报 "unsupported protocol" / "wrong version number"）。' },
          { en: 'Check the client configuration does not cap the version (for example `-tls1`, `MaxProtocol`, `ssl_protocols`, `https.protocols` in Java).', zh: '检查客户端配置没有限制最高版本（例如 `-tls1`、`MaxProtocol`、`ssl_protocols`、Java 的 `https.protocols`）。' },
          A.sClient,
        ],
      ),
      client: reading(
        'The client refuses the version the server chose: the server only offers an old version (TLS 1.0/1.1) that the client\'s policy forbids.',
        '客户端拒绝服务器选择的版本：服务器只支持客户端策略禁止的旧版本（TLS 1.0/1.1）。',
        [
          { en: 'Enable TLS 1.2/1.3 on the server (`ssl_protocols`, `SSLProtocol`, the load balancer\'s TLS policy).', zh: '在服务器上启用 TLS 1.2/1.3（`ssl_protocols`、`SSLProtocol`、负载均衡的 TLS 策略）。' },
          { en: 'Only if the server cannot be fixed: relax the client\'s minimum version (system crypto policy, `MinProtocol` in openssl.cnf).', zh: '仅当服务器无法修改时：放宽客户端的最低版本（系统加密策略、openssl.cnf 中的 `MinProtocol`）。' },
        ],
      ),
    },
  },
  71: {
    usual: 'server',
    meaning: {
      en: 'insufficient_security: parameters in common exist, but they are weaker than the sender requires.',
      zh: 'insufficient_security：存在共同参数，但都低于发送方要求的安全强度。',
    },
    bySender: {
      server: reading(
        'The server accepts none of the client\'s cipher suites because all are below its security floor.',
        '服务器不接受客户端的任何加密套件，因为它们都低于服务器的安全下限。',
        [A.upgrade, { en: 'Check the client\'s cipher configuration does not restrict it to weak suites.', zh: '检查客户端的加密套件配置没有把它限制在弱套件上。' }],
      ),
    },
  },
  80: {
    usual: 'either',
    meaning: {
      en: 'internal_error: the sender failed for a reason unrelated to the peer (a bug, a resource or configuration failure).',
      zh: 'internal_error：发送方自身出错（缺陷、资源或配置故障），与对端无关。',
    },
    bySender: {
      server: reading(
        'The server failed internally during the handshake — for example a Go server whose certificate lookup failed for this server name, a missing key file, or exhausted resources.',
        '服务器在握手中内部出错——例如 Go 服务器按该服务器名查找证书失败、密钥文件缺失，或资源耗尽。',
        [A.serverLogs, { en: 'Check the server has a certificate configured for the name {host} (SNI) and can read its key.', zh: '检查服务器为域名 {host}（SNI）配置了证书，并能读取其私钥。' }],
      ),
      client: reading(
        'The client failed internally during the handshake (a bug, a missing file, exhausted resources).',
        '客户端在握手中内部出错（缺陷、文件缺失、资源耗尽）。',
        [A.clientLogs, A.upgrade],
      ),
    },
  },
  86: {
    usual: 'server',
    meaning: {
      en: 'inappropriate_fallback: the client retried with a lower TLS version after a failed attempt (TLS_FALLBACK_SCSV), which the server refuses.',
      zh: 'inappropriate_fallback：客户端在一次失败后用更低的 TLS 版本重试（TLS_FALLBACK_SCSV），服务器拒绝了这种降级。',
    },
    bySender: {
      server: reading(
        'The server refused a version fallback: the client\'s first, higher-version attempt failed — look at that earlier attempt, it is the real failure (often a flaky network or a middlebox that breaks newer hellos).',
        '服务器拒绝了版本降级：客户端先前更高版本的尝试失败了——真正的故障在那次尝试中（常见于网络不稳定或中间设备无法处理新版 ClientHello）。',
        [
          { en: 'Find the client\'s previous connection to {host} in the capture and read its verdict.', zh: '在抓包中找到客户端此前到 {host} 的连接，查看其结论。' },
          A.middlebox,
        ],
      ),
    },
  },
  90: {
    usual: 'either',
    meaning: {
      en: 'user_canceled: the application aborted the handshake.',
      zh: 'user_canceled：应用程序主动中止了握手。',
    },
    bySender: {
      client: reading('The client application cancelled the handshake (a timeout or a user action).', '客户端应用取消了握手（超时或用户操作）。', [A.clientLogs]),
      server: reading('The server application cancelled the handshake.', '服务器应用取消了握手。', [A.serverLogs]),
    },
  },
  100: {
    usual: 'either',
    meaning: {
      en: 'no_renegotiation: a request to renegotiate the session was refused.',
      zh: 'no_renegotiation：重新协商会话的请求被拒绝。',
    },
    bySender: {
      client: reading(
        'The client refused the server\'s renegotiation request (often a server asking for a client certificate mid-session, per directory).',
        '客户端拒绝了服务器的重新协商请求（常见于服务器在会话中途按目录索要客户端证书）。',
        [{ en: 'Configure the server to request the client certificate at the start of the connection instead of by renegotiation.', zh: '把服务器配置为在连接开始时就索要客户端证书，而不是通过重新协商。' }, A.serverLogs],
      ),
      server: reading(
        'The server refused the client\'s renegotiation request.',
        '服务器拒绝了客户端的重新协商请求。',
        [{ en: 'Avoid renegotiation in the client (open a new connection instead); TLS 1.3 has no renegotiation.', zh: '客户端避免重新协商（改为新建连接）；TLS 1.3 已没有重新协商。' }],
      ),
    },
  },
  109: {
    usual: 'either',
    meaning: {
      en: 'missing_extension: a TLS 1.3 message lacks a mandatory extension (supported_versions, key_share, signature_algorithms ...).',
      zh: 'missing_extension：TLS 1.3 消息缺少必需的扩展（supported_versions、key_share、signature_algorithms 等）。',
    },
    bySender: {
      client: reading('The server\'s message lacked an extension TLS 1.3 requires: a server bug or a middlebox stripping extensions.', '服务器消息缺少 TLS 1.3 必需的扩展：服务器缺陷或中间设备删除了扩展。', [A.middlebox, A.upgrade]),
      server: reading('The ClientHello lacked an extension TLS 1.3 requires: an old or buggy client, or a middlebox stripping extensions.', 'ClientHello 缺少 TLS 1.3 必需的扩展：客户端过旧或有缺陷，或中间设备删除了扩展。', [A.middlebox, A.upgrade]),
    },
  },
  110: {
    usual: 'either',
    meaning: {
      en: 'unsupported_extension: a message carried an extension that was not offered or is not allowed there.',
      zh: 'unsupported_extension：消息中带有对方未提供或此处不允许的扩展。',
    },
    bySender: {
      client: reading('The server answered with an extension the client did not offer: a server bug or a middlebox.', '服务器在应答中带了客户端未提供的扩展：服务器缺陷或中间设备所致。', [A.middlebox, A.upgrade]),
      server: reading('The client sent an extension the server does not allow at that point.', '客户端在该位置发送了服务器不允许的扩展。', [A.upgrade, A.serverLogs]),
    },
  },
  111: {
    usual: 'either',
    meaning: {
      en: 'certificate_unobtainable: a certificate referenced by URL could not be fetched (RFC 6066 client_certificate_url; rare).',
      zh: 'certificate_unobtainable：无法获取通过 URL 引用的证书（RFC 6066 client_certificate_url，罕见）。',
    },
    bySender: {
      server: reading('The server could not fetch the client certificate from the URL the client gave.', '服务器无法从客户端给出的 URL 获取客户端证书。', [A.serverLogs, A.clientCert]),
    },
  },
  112: {
    usual: 'server',
    meaning: {
      en: 'unrecognized_name: the server has no configuration for the server name (SNI) the client asked for.',
      zh: 'unrecognized_name：服务器没有为客户端请求的服务器名（SNI）做配置。',
    },
    bySender: {
      server: reading(
        'The server does not know the name the client sent in SNI: no virtual host / certificate is configured for it (with a warning level the handshake may go on with a default certificate).',
        '服务器不认识客户端在 SNI 中发送的域名：没有为它配置虚拟主机/证书（若告警级别为 warning（警告），握手可能会用默认证书继续）。',
        [
          { en: 'On the server, add {host} to the virtual host (nginx `server_name`, Apache `ServerName`/`ServerAlias`, the load balancer\'s listener certificates).', zh: '在服务器上把 {host} 加入虚拟主机（nginx `server_name`、Apache `ServerName`/`ServerAlias`、负载均衡监听器证书）。' },
          { en: 'Check the client uses the public name of the service, and that DNS for {host} points to this server (`dig {host}`).', zh: '检查客户端使用的是服务的正式域名，且 {host} 的 DNS 解析指向该服务器（`dig {host}`）。' },
        ],
      ),
    },
  },
  113: {
    usual: 'client',
    meaning: {
      en: 'bad_certificate_status_response: the OCSP response stapled by the server is invalid.',
      zh: 'bad_certificate_status_response：服务器提供的 OCSP stapling 应答无效。',
    },
    bySender: {
      client: reading(
        'The client rejected the server\'s stapled OCSP response (stale, unsigned or for another certificate).',
        '客户端拒绝了服务器的 OCSP stapling 应答（过期、未签名或属于其他证书）。',
        [
          { en: 'Check the staple: `openssl s_client -connect {host}:{port} -servername {host} -status`; make sure the server can reach its CA\'s OCSP responder (outbound firewall / security group) or disable stapling until fixed.', zh: '检查 stapling 应答：`openssl s_client -connect {host}:{port} -servername {host} -status`；确保服务器能访问 CA 的 OCSP 服务器（出站防火墙/安全组），或在修复前关闭 stapling。' },
        ],
      ),
    },
  },
  114: {
    usual: 'server',
    meaning: {
      en: 'bad_certificate_hash_value: a certificate fetched by URL did not match its announced hash (RFC 6066; rare).',
      zh: 'bad_certificate_hash_value：通过 URL 获取的证书与声明的哈希不符（RFC 6066，罕见）。',
    },
    bySender: {
      server: reading('The client certificate fetched by URL did not match the hash the client announced.', '通过 URL 获取的客户端证书与客户端声明的哈希不符。', [A.clientCert]),
    },
  },
  115: {
    usual: 'server',
    meaning: {
      en: 'unknown_psk_identity: the server does not know the pre-shared key identity the client offered.',
      zh: 'unknown_psk_identity：服务器不认识客户端提供的预共享密钥（PSK）身份。',
    },
    bySender: {
      server: reading(
        'The server does not know the client\'s PSK identity: a wrong PSK configuration, or a stale session ticket after a server key rotation.',
        '服务器不认识客户端的 PSK 身份：PSK 配置错误，或服务器轮换密钥后客户端使用了过期的会话票据。',
        [
          { en: 'Check the PSK identity and key configured on both sides; restart the client (clears its session cache) and retry.', zh: '核对双方配置的 PSK 身份与密钥；重启客户端（清除会话缓存）后重试。' },
          A.serverLogs,
        ],
      ),
    },
  },
  116: {
    usual: 'server',
    meaning: {
      en: 'certificate_required: the server requires a client certificate (mTLS) and the client sent none.',
      zh: 'certificate_required：服务器要求客户端证书（双向 TLS），但客户端没有发送。',
    },
    bySender: {
      server: reading(
        'The server requires a client certificate (mTLS) and the client did not present one.',
        '服务器要求客户端证书（双向 TLS），而客户端没有出示证书。',
        [
          { en: 'Configure the client certificate and key in the client (`curl --cert client.crt --key client.key`, the program\'s TLS settings); test with `openssl s_client -connect {host}:{port} -servername {host} -cert client.crt -key client.key`.', zh: '在客户端配置客户端证书和私钥（`curl --cert client.crt --key client.key`，或程序的 TLS 设置）；用 `openssl s_client -connect {host}:{port} -servername {host} -cert client.crt -key client.key` 测试。' },
          { en: 'If the client has a certificate but did not send it, its issuer may not be in the server\'s list of acceptable CAs (shown by `openssl s_client` as "Acceptable client certificate CA names").', zh: '如果客户端有证书却没有发送，可能是其签发者不在服务器可接受的 CA 列表中（`openssl s_client` 输出的 "Acceptable client certificate CA names"）。' },
        ],
      ),
    },
  },
  117: {
    usual: 'either',
    meaning: {
      en: 'general_error: the sender aborted for a reason it does not specify.',
      zh: 'general_error：发送方因未说明的原因中止。',
    },
    bySender: {
      client: reading('The client aborted for an unspecified reason.', '客户端因未说明的原因中止。', [A.clientLogs, A.sClient]),
      server: reading('The server aborted for an unspecified reason.', '服务器因未说明的原因中止。', [A.serverLogs]),
    },
  },
  120: {
    usual: 'server',
    meaning: {
      en: 'no_application_protocol: client and server have no application protocol (ALPN) in common.',
      zh: 'no_application_protocol：客户端与服务器没有共同的应用层协议（ALPN）。',
    },
    bySender: {
      server: reading(
        'The server supports none of the application protocols the client offered in ALPN (for example a client offering only h2 — gRPC — to a server or proxy that speaks only http/1.1).',
        '服务器不支持客户端在 ALPN 中提供的任何应用层协议（例如只提供 h2 的客户端——gRPC——连接只支持 http/1.1 的服务器或代理）。',
        [
          { en: 'Compare the ALPN lists: `openssl s_client -connect {host}:{port} -servername {host} -alpn h2,http/1.1` shows what the server selects.', zh: '对比 ALPN 列表：`openssl s_client -connect {host}:{port} -servername {host} -alpn h2,http/1.1` 会显示服务器选择的协议。' },
          { en: 'Enable HTTP/2 on the server, proxy or load balancer that terminates TLS (gRPC needs h2 end to end), or let the client also offer http/1.1.', zh: '在终结 TLS 的服务器、代理或负载均衡上启用 HTTP/2（gRPC 需要全程 h2），或让客户端同时提供 http/1.1。' },
        ],
      ),
    },
  },
  121: {
    usual: 'server',
    meaning: {
      en: 'ech_required: Encrypted Client Hello was expected but not used.',
      zh: 'ech_required：期望使用加密 ClientHello（ECH），但实际未使用。',
    },
    bySender: {
      server: reading('The server expected Encrypted Client Hello and the client did not use it.', '服务器期望客户端使用 ECH，但客户端没有使用。', [A.serverLogs, A.upgrade]),
      client: reading(
        'The client offered Encrypted Client Hello and the server did not accept it, so the client aborted (it may retry with new ECH settings): an outdated ECH configuration in DNS (HTTPS record) or a server/front-end without ECH.',
        '客户端提供了 ECH 而服务器未接受，于是客户端中止（可能会用新的 ECH 配置重试）：DNS 中（HTTPS 记录）的 ECH 配置过期，或服务器/前端不支持 ECH。',
        [{ en: 'Check the ECH configuration published in DNS (`dig {host} HTTPS`) matches the server\'s keys.', zh: '检查 DNS 中发布的 ECH 配置（`dig {host} HTTPS`）与服务器密钥一致。' }, A.clientLogs],
      ),
    },
  },
};

const GENERIC = {
  meaning: {
    en: 'Alert {alertCode} is not a registered TLS alert.',
    zh: '告警 {alertCode} 不是已登记的 TLS 告警。',
  },
  unusual: {
    en: 'It is unusual for the {sender} to send this alert: suspect a bug in that side\'s TLS stack or a middlebox speaking for it.',
    zh: '该告警由{sender}发送并不常见：怀疑该方的 TLS 实现有缺陷，或有中间设备代为发送。',
  },
  advice: {
    en: [A.sClient.en, A.serverLogs.en, A.clientLogs.en, A.middlebox.en],
    zh: [A.sClient.zh, A.serverLogs.zh, A.clientLogs.zh, A.middlebox.zh],
  },
};

export interface AlertAdvice {
  /** What the alert means, for this sender when that is known. */
  meaning: string;
  /** What to check, most likely first. */
  advice: string[];
  /** False when the code is unknown or this side does not normally send it. */
  usual: boolean;
}

/**
 * What a fatal alert `code` sent by `sender` means and what to check. Unknown codes and senders
 * that are unusual for the alert get a generic reading that says so. `vars` fills {host} and
 * {port} in the advice (defaults '<host>' and '<port>').
 */
export function alertAdvice(code: number, sender: Sender, lang: Lang, vars: Vars = {}): AlertAdvice {
  const v: Vars = {
    host: '<host>',
    port: '<port>',
    ...Object.fromEntries(Object.entries(vars).filter(([, x]) => x !== null && x !== undefined)),
    alertCode: code,
    sender: senderName(sender, lang),
  };
  const info = TLS_ALERTS[code];
  if (!info) {
    return { meaning: fill(GENERIC.meaning[lang], v), advice: GENERIC.advice[lang].map((t) => fill(t, v)), usual: false };
  }
  const r = info.bySender[sender];
  if (!r) {
    return {
      meaning: `${info.meaning[lang]}${lang === 'en' ? ' ' : ''}${fill(GENERIC.unusual[lang], v)}`,
      advice: GENERIC.advice[lang].map((t) => fill(t, v)),
      usual: false,
    };
  }
  return { meaning: fill(r[lang], v), advice: r.advice[lang].map((t) => fill(t, v)), usual: true };
}

// --- ICMP ------------------------------------------------------------------------------------

/** An ICMP / ICMPv6 error in words: `title` names it ("ICMP 3/13 communication administratively
 *  prohibited"), `meaning` says who usually sends it and what it points to (REFERENCE.md). */
export function icmpMeaning(v6: boolean, type: number, code: number, lang: Lang): { title: string; meaning: string } {
  const w = icmpCode(v6, type, code).words;
  const proto = v6 ? 'ICMPv6' : 'ICMP';
  if (!w) {
    return {
      title: `${proto} ${type}/${code}`,
      meaning: lang === 'en' ? `${proto} type ${type} code ${code}` : `${proto} 类型 ${type} 代码 ${code}`,
    };
  }
  return { title: `${proto} ${type}/${code} ${w.title[lang]}`, meaning: w.meaning[lang] };
}

/** The title alone ("ICMPv6 2/0 packet too big"). */
export function icmpTitle(v6: boolean, type: number, code: number, lang: Lang): string {
  return icmpMeaning(v6, type, code, lang).title;
}

// --- DNS Extended DNS Errors (RFC 8914 §4) ---------------------------------------------------

const EDE: readonly Localised[] = [
  { en: 'Other Error', zh: '其他错误' },
  { en: 'Unsupported DNSKEY Algorithm', zh: '不支持的 DNSKEY 算法' },
  { en: 'Unsupported DS Digest Type', zh: '不支持的 DS 摘要类型' },
  { en: 'Stale Answer', zh: '过期缓存应答' },
  { en: 'Forged Answer', zh: '伪造应答' },
  { en: 'DNSSEC Indeterminate', zh: 'DNSSEC 状态不确定' },
  { en: 'DNSSEC Bogus', zh: 'DNSSEC 验证失败' },
  { en: 'Signature Expired', zh: '签名已过期' },
  { en: 'Signature Not Yet Valid', zh: '签名尚未生效' },
  { en: 'DNSKEY Missing', zh: '缺少 DNSKEY' },
  { en: 'RRSIGs Missing', zh: '缺少 RRSIG' },
  { en: 'No Zone Key Bit Set', zh: '未设置区域密钥位' },
  { en: 'NSEC Missing', zh: '缺少 NSEC' },
  { en: 'Cached Error', zh: '缓存的错误' },
  { en: 'Not Ready', zh: '尚未就绪' },
  { en: 'Blocked', zh: '已拦截' },
  { en: 'Censored', zh: '已审查屏蔽' },
  { en: 'Filtered', zh: '已过滤' },
  { en: 'Prohibited', zh: '禁止访问' },
  { en: 'Stale NXDOMAIN Answer', zh: '过期的 NXDOMAIN 缓存应答' },
  { en: 'Not Authoritative', zh: '非权威' },
  { en: 'Not Supported', zh: '不支持' },
  { en: 'No Reachable Authority', zh: '无法访问任何权威服务器' },
  { en: 'Network Error', zh: '网络错误' },
  { en: 'Invalid Data', zh: '无效数据' },
];

/** Name of an Extended DNS Error info-code (RFC 8914), e.g. 6 → 'DNSSEC Bogus'. */
export function edeMeaning(code: number, lang: Lang): string {
  return EDE[code]?.[lang] ?? (lang === 'en' ? `EDE ${code}` : `扩展错误码 ${code}`);
}

/** The {edeNote} sentence from the Extended DNS Errors of an answer ('' when there are none). */
export function edeNote(ede: readonly { code: number; text?: string | null }[], lang: Lang): string {
  if (ede.length === 0) return '';
  const items = ede.map((e) => {
    const t = e.text ? (lang === 'en' ? `: "${e.text}"` : `："${e.text}"`) : '';
    return `${e.code} (${edeMeaning(e.code, lang)})${t}`;
  });
  return lang === 'en'
    ? `The server added Extended DNS Error ${items.join('; ')}.`
    : `服务器附带了扩展 DNS 错误（EDE）${items.join('；')}。`;
}
