/**
 * tls.cert_not_yet_valid: the server certificate seen in clear (TLS ≤ 1.2) was outside its validity at capture time (a clock off, or an expired certificate)
 */
import { defineCause, reworded, withVariants } from '../cause.js';
import { hasText } from '../words.js';
import { CERTIFICATE_RULE } from '../rules-tls.js';
import { CERT_DATES } from '../advice.js';

/** Said without a server name when the ClientHello named none (no SNI). */
const NO_SNI_EXPLANATION = {
  en: 'The certificate the server sent is valid from {notBefore} to {notAfter}, and the packet that carried it was captured at {captureTime}, before that. Almost always the clock of the client (and of the capturing machine) is behind; rarely a certificate was just issued with a start time in the future.',
  zh: '服务器发送的证书有效期为 {notBefore} 至 {notAfter}，而携带它的数据包抓取时间是 {captureTime}，早于生效时间。几乎总是客户端（以及抓包机器）的系统时间落后；极少数情况是证书刚刚签发，生效时间在未来。',
} as const;

const CAUSE = defineCause({
  code: 'tls.cert_not_yet_valid',
  layer: 'tls',
  severity: 'error',
  live: 'end',
  rules: [CERTIFICATE_RULE],
  words: {
    en: {
      summary: '{target}: the server certificate was not yet valid at capture time (valid from {notBefore})',
      explanation:
        'The certificate the server sent for {sni} is valid from {notBefore} to {notAfter}, and the packet that carried it was captured at {captureTime}, before that. Almost always the clock of the client (and of the capturing machine) is behind; rarely a certificate was just issued with a start time in the future.',
      advice: [
        'Check and fix the client\'s clock: `date`, `timedatectl`; enable NTP time sync (`timedatectl set-ntp true`, chrony); a virtual machine restored from a snapshot often has an old time.',
        CERT_DATES.en,
        'If the certificate was just issued, wait until its start time or re-issue it.',
      ],
    },
    zh: {
      summary: '{target}：抓包时服务器证书尚未生效（生效时间 {notBefore}）',
      explanation:
        '服务器为 {sni} 发送的证书有效期为 {notBefore} 至 {notAfter}，而携带它的数据包抓取时间是 {captureTime}，早于生效时间。几乎总是客户端（以及抓包机器）的系统时间落后；极少数情况是证书刚刚签发，生效时间在未来。',
      advice: [
        '检查并校正客户端的系统时间：`date`、`timedatectl`；开启 NTP 时间同步（`timedatectl set-ntp true`、chrony）；从快照恢复的虚拟机常常时间偏旧。',
        CERT_DATES.zh,
        '如果证书刚刚签发，等到生效时间或重新签发。',
      ],
    },
  },
});

export default withVariants(CAUSE, { noSni: reworded(CAUSE.words, { explanation: NO_SNI_EXPLANATION }) }, (v) => (hasText(v.facts['sni']) ? null : 'noSni'));
