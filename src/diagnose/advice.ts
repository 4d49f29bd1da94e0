/**
 * Advice lines that several causes give, in both languages (one place, so the wording stays the
 * same wherever it appears).
 */
import type { Localised } from '../lang.js';

/** Reproduce the certificate check from the client. */
export const OPENSSL: Localised = {
  en: 'Reproduce from the client: `openssl s_client -connect {host}:{port} -servername {host}` and read the "Verify return code" line; `curl -v https://{host}:{port}/` shows the same failure from curl.',
  zh: '在客户端复现：`openssl s_client -connect {host}:{port} -servername {host}`，查看 "Verify return code" 一行；`curl -v https://{host}:{port}/` 可从 curl 的角度看到同样的失败。',
};
/** Reproduce a TLS failure from the client. */
export const TLS_REPRO: Localised = {
  en: 'Reproduce from the client: `openssl s_client -connect {host}:{port} -servername {host}` and read the error it prints; `curl -v https://{host}:{port}/` shows the same failure from curl.',
  zh: '在客户端复现：`openssl s_client -connect {host}:{port} -servername {host}`，查看它打印的错误；`curl -v https://{host}:{port}/` 可从 curl 的角度看到同样的失败。',
};
/** Read the validity dates the server serves now. */
export const CERT_DATES: Localised = {
  en: 'Read the dates the server serves now: `openssl s_client -connect {host}:{port} -servername {host} </dev/null | openssl x509 -noout -dates`.',
  zh: '查看服务器当前提供的证书有效期：`openssl s_client -connect {host}:{port} -servername {host} </dev/null | openssl x509 -noout -dates`。',
};
/** Measure the path MTU. */
export const MTU_TEST: Localised = {
  en: 'Measure the path MTU: `ping -M do -s 1472 {ip}` (a 1500-byte packet), lowering the size until it passes (packet size = size + 28); `tracepath {ip}` prints the path MTU.',
  zh: '测量路径 MTU：`ping -M do -s 1472 {ip}`（1500 字节的包），逐步减小直到能通（包长 = 数值 + 28）；`tracepath {ip}` 会显示路径 MTU。',
};
/** Clamp the MSS or lower the MTU on the tunnel. */
export const MSS_CLAMP: Localised = {
  en: 'Clamp the TCP MSS on the VPN / tunnel gateway (`iptables -t mangle -A FORWARD -p tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu`) or lower the interface MTU (`ip link set dev <if> mtu 1400`).',
  zh: '在 VPN/隧道网关上钳制 TCP MSS（`iptables -t mangle -A FORWARD -p tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu`），或调低网卡 MTU（`ip link set dev <if> mtu 1400`）。',
};
