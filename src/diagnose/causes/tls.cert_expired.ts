/**
 * tls.cert_expired: the server certificate seen in clear (TLS ≤ 1.2) was outside its validity at capture time (a clock off, or an expired certificate)
 */
import { defineCause, reworded, withVariants } from '../cause.js';
import { hasText } from '../words.js';
import { CERTIFICATE_RULE } from '../rules-tls.js';
import { CERT_DATES } from '../advice.js';

/** Said without a server name when the ClientHello named none (no SNI). */
const NO_SNI_EXPLANATION = {
  en: 'The certificate the server sent is valid from {notBefore} to {notAfter}, and the packet that carried it was captured at {captureTime}, after that. Either the certificate really expired, or the clock of the capturing machine (probably the client too) is ahead.',
  zh: '服务器发送的证书有效期为 {notBefore} 至 {notAfter}，而携带它的数据包抓取时间是 {captureTime}，已超出有效期。要么证书确实过期了，要么抓包机器（很可能也包括客户端）的系统时间超前。',
} as const;

const NO_SNI_ADVICE = {
  3: { en: 'If several servers or load-balancer nodes answer for {host}, check every one serves the renewed certificate.', zh: '如果有多台服务器或负载均衡节点为 {host} 提供服务，逐一确认都已使用续期后的证书。' },
} as const;

const CAUSE = defineCause({
  code: 'tls.cert_expired',
  layer: 'tls',
  severity: 'error',
  live: 'end',
  rules: [CERTIFICATE_RULE],
  words: {
    en: {
      summary: '{target}: the server certificate was expired at capture time (valid until {notAfter})',
      explanation:
        'The certificate the server sent for {sni} is valid from {notBefore} to {notAfter}, and the packet that carried it was captured at {captureTime}, after that. Either the certificate really expired, or the clock of the capturing machine (probably the client too) is ahead.',
      advice: [
        'Check the client\'s clock first, the most frequent cause: `date`, `timedatectl` ("System clock synchronized: yes"); sync it with NTP (chrony, `ntpdate`).',
        CERT_DATES.en,
        'If it really expired, renew the certificate on the server (and the intermediate, if that expired) and reload the service.',
        'If several servers or load-balancer nodes answer for {sni}, check every one serves the renewed certificate.',
      ],
    },
    zh: {
      summary: '{target}：抓包时服务器证书已过期（有效期至 {notAfter}）',
      explanation:
        '服务器为 {sni} 发送的证书有效期为 {notBefore} 至 {notAfter}，而携带它的数据包抓取时间是 {captureTime}，已超出有效期。要么证书确实过期了，要么抓包机器（很可能也包括客户端）的系统时间超前。',
      advice: [
        '首先检查客户端的系统时间，这是最常见的原因：`date`、`timedatectl`（"System clock synchronized: yes"）；开启 NTP 时间同步（chrony、`ntpdate`）。',
        CERT_DATES.zh,
        '如果证书确实过期，在服务器上续期（若中间证书过期也一并更换）并重新加载服务。',
        '如果有多台服务器或负载均衡节点为 {sni} 提供服务，逐一确认都已使用续期后的证书。',
      ],
    },
  },
});

export default withVariants(CAUSE, { noSni: reworded(CAUSE.words, { explanation: NO_SNI_EXPLANATION, advice: NO_SNI_ADVICE }) }, (v) => (hasText(v.facts['sni']) ? null : 'noSni'));
