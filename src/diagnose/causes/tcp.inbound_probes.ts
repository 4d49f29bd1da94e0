/**
 * tcp.inbound_probes: connection attempts from many addresses to many ports of one host, each
 * address trying a port or a few, none getting past the SYN, on ports the host served nothing on
 * (probes.ts says when): the internet's background scanning. Told as one warning for the host, not
 * one failure per address and port: no client of the host failed. Attempts that do not look like
 * probes (sent again, many addresses refused on one port, a port that served connections) keep
 * their own verdicts.
 */
import { defineCause, reworded, withVariants } from '../cause.js';
import { interval } from '../../time.js';
import { outcome, tenths, type ProbesRule } from '../outcome.js';
import { topPorts } from '../probes.js';
import type { Lang } from '../../lang.js';
import type { Verdict } from '../verdict.js';

const PROBES: ProbesRule = {
  on: 'probes',
  rank: 10,
  produces: ['tcp.inbound_probes'],
  run(h) {
    const seconds = tenths(interval(h.lastTs, h.first.firstTs));
    // The first probe's own evidence: its SYN, and the RST that refused it.
    const evidence = h.first.kept[0]?.o.evidence ?? [];
    const o = outcome('tcp.inbound_probes', evidence, {
      attempts: h.attempts,
      refused: h.refused,
      unanswered: h.attempts - h.refused,
      watched: h.watched,
      notResent: h.unresent,
      ports: { count: h.ports.size, top: topPorts(h.ports) },
      seconds,
    }, { probeAttempts: h.attempts, probeClients: h.clients.size, probePorts: h.ports.size, ...(seconds !== null ? { probeSeconds: seconds } : {}) }, 'warning');
    o.attempts = h.attempts;
    return o;
  },
};

/** The most tried ports, with their attempts ('23 (14), 445 (11) …') or without ('23, 445 …'). */
function topPortsText(v: Verdict, lang: Lang, counts: boolean): string {
  const ports = v.details['ports'] as { count: number; top: Array<{ port: number; attempts: number }> } | undefined;
  const top = ports?.top ?? [];
  const list = top.map((p) => (counts ? `${p.port} (${p.attempts})` : String(p.port))).join(lang === 'zh' ? '、' : ', ');
  const more = (ports?.count ?? 0) > top.length;
  return more ? `${list}${lang === 'zh' ? ' 等' : ' …'}` : list;
}

/** How the host answered: refused, dropped, or both. */
function howText(v: Verdict, lang: Lang): string {
  const refused = Number(v.details['refused'] ?? 0);
  const unanswered = Number(v.details['unanswered'] ?? 0);
  if (unanswered === 0) {
    return lang === 'zh'
      ? `每一个都被拒绝了（SYN 得到的是 RST：端口上没有程序在监听）。`
      : `Every one was refused (a RST answered the SYN: nothing listens on the port).`;
  }
  if (refused === 0) {
    return lang === 'zh'
      ? `没有一个得到应答（防火墙或安全组丢弃了它们）。`
      : `None got an answer (a firewall or security group dropped them).`;
  }
  return lang === 'zh'
    ? `其中 ${refused} 个被拒绝（SYN 得到的是 RST：端口上没有程序在监听），${unanswered} 个没有得到应答（防火墙或安全组丢弃了它们）。`
    : `${refused} were refused (a RST answered the SYN: nothing listens on the port) and ${unanswered} got no answer (a firewall or security group dropped them).`;
}

/** What shows they were no clients: SYNs not sent again, one connect() per refused port. */
function onceText(v: Verdict, lang: Lang): string {
  const watched = Number(v.details['watched'] ?? 0);
  const refused = Number(v.details['refused'] ?? 0);
  const parts: string[] = [];
  if (watched > 0) {
    parts.push(lang === 'zh'
      ? `在抓包之后还持续了足够长时间的 ${watched} 个未获应答的尝试中，每一个都只发送了一两次 SYN 就不再重发，而等待应答的客户端内核会以 1 秒、2 秒、4 秒……的间隔一直重发`
      : `of the ${watched} unanswered attempts the capture watched long enough, every one sent its SYN once or twice and not again, where a client's kernel waiting for an answer keeps sending it, 1 s, 2 s, 4 s … apart`);
  }
  if (refused > 0) {
    parts.push(lang === 'zh'
      ? `被拒绝的地址在每个端口上只发起了一次连接（Windows 被拒绝时会把 SYN 发三次），而且要么还试了本主机的其他端口，要么在同一端口上被拒绝的地址寥寥无几，不像是一个停止了的服务的客户端`
      : `the refused addresses made one connection attempt per port (Windows sends its SYN three times when refused), each either trying other ports of the host as well or among few refused on that port, unlike the clients of a service that stopped`);
  }
  return parts.join(lang === 'zh' ? '；' : '; ');
}

const CAUSE = defineCause({
  code: 'tcp.inbound_probes',
  layer: 'tcp',
  severity: 'warning',
  // Said in the final report: the probes are told by their count, once all are known.
  live: 'end',
  rules: [PROBES],
  vars: (v, lang) => ({ probeTopPorts: topPortsText(v, lang, true), probePortList: topPortsText(v, lang, false), probeHowText: howText(v, lang), probeOnceText: onceText(v, lang) }),
  words: {
    en: {
      summary: '{target}: {probeAttempts} unsolicited connection attempts from {probeClients} addresses to {probePorts} ports (background scanning)',
      explanation:
        '{probeAttempts} connection attempts came to {ip} from {probeClients} addresses within {probeSeconds} s, to {probePorts} ports on which the capture shows it serving no connection (the most tried, with their attempts: {probeTopPorts}), and none got past the SYN. {probeHowText} Each address tried a port or a few, the way scanners and worms try every address on the internet for an exposed service, and none came back as a client does: {probeOnceText}. So these are not clients of this host that failed, and they are not counted as failures: the host refused or dropped them, as a closed or filtered port should.',
      advice: [
        'If one of these ports ({probePortList}) is a service this host should offer, it is down or filtered: check that it listens (`ss -ltnp`) and that the firewall and the security group let the port in.',
        'Otherwise nothing failed. Expose only the ports you serve (the security group\'s inbound rules, `nft list ruleset`); if the noise matters, let fail2ban or the provider\'s firewall ban repeat probers.',
      ],
    },
    zh: {
      summary: '{target}：来自 {probeClients} 个地址、发往 {probePorts} 个端口的 {probeAttempts} 次不请自来的连接尝试（后台扫描）',
      explanation:
        '在 {probeSeconds} 秒内，有 {probeAttempts} 次连接尝试从 {probeClients} 个地址发往 {ip}，目标是 {probePorts} 个在抓包中没有提供过任何连接的端口（尝试最多的端口及次数：{probeTopPorts}），没有一次越过 SYN 阶段。{probeHowText}每个地址只试了一两个端口，正是扫描器和蠕虫在整个互联网上逐个地址搜寻暴露服务的方式，而且没有一个像客户端那样再来：{probeOnceText}。因此它们不是本主机连接失败的客户端，不计为失败：主机拒绝或丢弃了它们，这正是关闭或被过滤的端口应有的表现。',
      advice: [
        '如果这些端口（{probePortList}）中有本主机应当提供的服务，那么它已停止或被过滤：检查它是否在监听（`ss -ltnp`），以及防火墙和安全组是否放行该端口。',
        '否则没有任何东西失败。只暴露你提供服务的端口（安全组的入站规则、`nft list ruleset`）；如果这些噪声有影响，可以用 fail2ban 或云服务商的防火墙封禁反复探测的地址。',
      ],
    },
  },
});

/** Said without the span, when the capture's clock cannot give it. */
const NO_SECONDS = {
  explanation: {
    en: '{probeAttempts} connection attempts came to {ip} from {probeClients} addresses, to {probePorts} ports on which the capture shows it serving no connection (the most tried, with their attempts: {probeTopPorts}), and none got past the SYN. {probeHowText} Each address tried a port or a few, the way scanners and worms try every address on the internet for an exposed service, and none came back as a client does: {probeOnceText}. So these are not clients of this host that failed, and they are not counted as failures: the host refused or dropped them, as a closed or filtered port should.',
    zh: '有 {probeAttempts} 次连接尝试从 {probeClients} 个地址发往 {ip}，目标是 {probePorts} 个在抓包中没有提供过任何连接的端口（尝试最多的端口及次数：{probeTopPorts}），没有一次越过 SYN 阶段。{probeHowText}每个地址只试了一两个端口，正是扫描器和蠕虫在整个互联网上逐个地址搜寻暴露服务的方式，而且没有一个像客户端那样再来：{probeOnceText}。因此它们不是本主机连接失败的客户端，不计为失败：主机拒绝或丢弃了它们，这正是关闭或被过滤的端口应有的表现。',
  },
} as const;

export default withVariants(CAUSE, { noSeconds: reworded(CAUSE.words, NO_SECONDS) }, (v) => (typeof v.facts['probeSeconds'] === 'number' ? null : 'noSeconds'));
