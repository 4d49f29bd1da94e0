/**
 * tcp.syn_flood: connection attempts to one server address and port from many forged source
 * addresses, none getting past the SYN (flood.ts says when). Told as one warning for the server and
 * port, not one failure per source: no client stood behind them. What the flood did to the server's
 * real clients is told by their own connections, which keep their verdicts.
 */
import { defineCause, reworded, withVariants } from '../cause.js';
import { interval } from '../../time.js';
import { outcome, tenths, type FloodRule } from '../outcome.js';
import { proof } from '../evidence.js';
import { evidenceKind } from '../words.js';
import type { Lang } from '../../lang.js';
import type { Verdict } from '../verdict.js';

const FLOOD_SYN = evidenceKind<{ attempts: number }>('flood_syn', {
  en: (a) => `SYN, the first of the flood's ${a.attempts}`,
  zh: (a) => `SYN，洪泛中 ${a.attempts} 个 SYN 的第一个`,
}, { en: () => 'SYN (flood)', zh: () => 'SYN（洪泛）' });

const FLOOD: FloodRule = {
  on: 'flood',
  rank: 10,
  produces: ['tcp.syn_flood'],
  run(t) {
    // (Null when the capture's clock cannot give the span: a step back, a wild timestamp.)
    const seconds = tenths(interval(t.lastTs, t.firstTs));
    const o = outcome('tcp.syn_flood', [proof(FLOOD_SYN, t.firstFrame, t.firstTs, { from: t.firstClient, to: t.ip }, { attempts: t.attempts })], {
      syns: t.attempts,
      sources: { count: t.sources.size, ...(t.sourcesAtLeast ? { atLeast: true } : {}) },
      seconds,
      peakPerSecond: t.rate.peak,
      watched: t.watched,
      sentOnce: t.sentOnce,
      synAcked: t.synAcked,
      completed: t.completed,
    }, { floodSyns: t.attempts, floodPeak: t.rate.peak, ...(seconds !== null ? { floodSeconds: seconds } : {}) }, 'warning');
    o.attempts = t.attempts;
    return o;
  },
};

function sourcesText(v: Verdict, lang: Lang): string {
  const s = v.details['sources'] as { count: number; atLeast?: boolean } | undefined;
  const n = s?.count ?? 0;
  return s?.atLeast ? (lang === 'zh' ? `至少 ${n}` : `at least ${n}`) : String(n);
}

/** What the capture shows of the retries the sources did not send. */
function sentOnceText(v: Verdict, lang: Lang): string {
  const watched = Number(v.details['watched'] ?? 0);
  const once = Number(v.details['sentOnce'] ?? 0);
  if (watched === 0) {
    return lang === 'zh'
      ? '抓包在这波请求之后很快就结束了，看不到是否有重发，但这样的速率、这么多来源且无一成功，不是真实客户端能达到的'
      : 'the capture stopped too soon after them to show resends, but no set of real clients comes at this rate from this many addresses with none getting through';
  }
  return lang === 'zh'
    ? `在抓包之后还持续了足够长时间的 ${watched} 个尝试中，有 ${once} 个 SYN 只发送了一次`
    : `of the ${watched} attempts the capture watched long enough, ${once} sent their SYN once and never again`;
}

function serverText(v: Verdict, lang: Lang): string {
  const acked = Number(v.details['synAcked'] ?? 0);
  const done = Number(v.details['completed'] ?? 0);
  const syns = Number(v.details['syns'] ?? 0);
  const completed = done === 0
    ? (lang === 'zh' ? '抓包中没有任何到该端口的连接完成握手' : 'no connection to the port completed its handshake in the capture')
    : (lang === 'zh' ? `抓包中有 ${done} 个到该端口的连接完成了握手` : `${done} connection${done === 1 ? '' : 's'} to the port completed ${done === 1 ? 'its' : 'their'} handshake in the capture`);
  if (acked > 0) {
    return lang === 'zh'
      ? `服务器用 SYN-ACK 应答了其中 ${acked} 个，但都没有得到确认：每一个都在它的积压队列中占据一个半开连接，直到超时，洪泛正是这样把真实客户端挡在门外的（开启 \`tcp_syncookies\` 后，它可以不占用队列就应答）；${completed}。`
      : `The server answered ${acked} of them with a SYN-ACK that was never acknowledged: each holds a half-open entry in its backlog until it times out, which is how a flood keeps real clients out (SYN cookies let it answer without the entry); ${completed}.`;
  }
  return lang === 'zh'
    ? `抓包中没有服务器对这 ${syns} 个 SYN 的任何应答，因此无法据此判断它是否仍在应答真实客户端；${completed}。`
    : `The capture holds no answer of the server to them, so whether it kept answering its real clients cannot be told from it; ${completed}.`;
}

const CAUSE = defineCause({
  code: 'tcp.syn_flood',
  layer: 'tcp',
  severity: 'warning',
  // Said in the final report: a flood is told by the count of its attempts.
  live: 'end',
  rules: [FLOOD],
  vars: (v, lang) => ({ floodSources: sourcesText(v, lang), floodResendText: sentOnceText(v, lang), floodServerText: serverText(v, lang) }),
  words: {
    en: {
      summary: '{target}: SYN flood, {floodSyns} connection attempts from {floodSources} addresses in {floodSeconds} s',
      explanation:
        '{floodSyns} SYNs came to {ip} port {port} from {floodSources} source addresses within {floodSeconds} s (up to {floodPeak} in one second), and none of them got past the SYN: a SYN flood, a denial-of-service attack whose source addresses are forged. A real client\'s kernel sends its SYN again when no answer comes (after 1 s on Linux); {floodResendText}. So these are not {floodSources} clients that failed to connect, and they are not counted as failures. {floodServerText}',
      advice: [
        'Keep SYN cookies on (`sysctl net.ipv4.tcp_syncookies`, 1 by default on Linux) and watch the listener: `ss -ltn \'sport = :{port}\'` (Recv-Q against its backlog), `nstat -az TcpExtListenOverflows TcpExtListenDrops TcpExtSyncookiesSent`.',
        'Forged sources cannot be blocked one by one: have the upstream provider or a DDoS protection service filter the flood (a SYN proxy, rate limits), or limit new connections to port {port} at the edge (nftables `limit rate`, iptables `hashlimit`, the cloud provider\'s DDoS protection).',
        'To see whether real clients still got through, look at the connections to port {port} that completed their handshake in the same capture, and at their own verdicts.',
      ],
    },
    zh: {
      summary: '{target}：SYN 洪泛，{floodSeconds} 秒内来自 {floodSources} 个地址的 {floodSyns} 次连接尝试',
      explanation:
        '在 {floodSeconds} 秒内，有 {floodSyns} 个 SYN 从 {floodSources} 个源地址发往 {ip} 端口 {port}（一秒内最多 {floodPeak} 个），没有一个越过 SYN 阶段：这是 SYN 洪泛，一种伪造源地址的拒绝服务攻击。真实客户端的内核在收不到应答时会重发 SYN（Linux 在 1 秒后）；{floodResendText}。因此它们不是 {floodSources} 个连接失败的客户端，不计为失败。{floodServerText}',
      advice: [
        '保持 `net.ipv4.tcp_syncookies` 开启（`sysctl net.ipv4.tcp_syncookies`，Linux 默认为 1），并观察监听队列：`ss -ltn \'sport = :{port}\'`（Recv-Q 与积压队列长度对比）、`nstat -az TcpExtListenOverflows TcpExtListenDrops TcpExtSyncookiesSent`。',
        '伪造的源地址无法逐个封禁：请上游运营商或抗 DDoS 服务过滤洪泛（SYN 代理、限速），或在边界限制到端口 {port} 的新建连接速率（nftables 的 `limit rate`、iptables 的 `hashlimit`、云服务商的 DDoS 防护）。',
        '要判断真实客户端是否仍能连上，请查看同一抓包中到端口 {port} 的、完成了握手的连接，以及它们各自的结论。',
      ],
    },
  },
});

/** Said without the flood's span, when the capture's clock cannot give it. */
const NO_SECONDS = {
  summary: {
    en: '{target}: SYN flood, {floodSyns} connection attempts from {floodSources} addresses',
    zh: '{target}：SYN 洪泛，来自 {floodSources} 个地址的 {floodSyns} 次连接尝试',
  },
  explanation: {
    en: '{floodSyns} SYNs came to {ip} port {port} from {floodSources} source addresses (up to {floodPeak} in one second), and none of them got past the SYN: a SYN flood, a denial-of-service attack whose source addresses are forged. A real client\'s kernel sends its SYN again when no answer comes (after 1 s on Linux); {floodResendText}. So these are not {floodSources} clients that failed to connect, and they are not counted as failures. {floodServerText}',
    zh: '有 {floodSyns} 个 SYN 从 {floodSources} 个源地址发往 {ip} 端口 {port}（一秒内最多 {floodPeak} 个），没有一个越过 SYN 阶段：这是 SYN 洪泛，一种伪造源地址的拒绝服务攻击。真实客户端的内核在收不到应答时会重发 SYN（Linux 在 1 秒后）；{floodResendText}。因此它们不是 {floodSources} 个连接失败的客户端，不计为失败。{floodServerText}',
  },
} as const;

export default withVariants(CAUSE, { noSeconds: reworded(CAUSE.words, NO_SECONDS) }, (v) => (typeof v.facts['floodSeconds'] === 'number' ? null : 'noSeconds'));
