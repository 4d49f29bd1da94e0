/**
 * tcp.address_scan: one client probed the same TCP port (or a few) on many hosts in a short span,
 * from one source port reused toward them all, completing no handshake (a horizontal sweep). Told
 * as one warning, not as a failure per host: no program tried to reach those hosts.
 *
 * When a client's probes (sweep.ts) are a sweep:
 * - at least SWEEP_HOSTS distinct hosts, SWEEP_HOSTS of them first probed within SWEEP_WINDOW
 *   seconds — Zeek's address-scan thresholds (policy/misc/scan.zeek: addr_scan_threshold 25 hosts,
 *   addr_scan_interval 5 min); each probe as for a port scan (scan.ts: no handshake completed, no
 *   payload, not a SYN sent three times or more from a source port of its own);
 * - one source port served SWEEP_HOSTS distinct hosts: a scanner's raw SYNs (nmap, masscan). A
 *   program's connections each get a port of their own, so a client failing against many servers
 *   (DNS gave many addresses, a crawler, a P2P client, a connect sweep: nmap -sT) keeps its
 *   verdicts: from its packets alone it cannot be told from a scanner;
 * - at most SWEEP_MAX_PORTS destination ports (more is a port scan of each host: tcp.port_scan).
 */
import { defineCause, withVariants, type Wording } from '../cause.js';
import type { Outcome, SweepRule } from '../outcome.js';
import { tenths } from '../outcome.js';
import { proof } from '../evidence.js';
import { evidenceKind } from '../words.js';
import type { Lang } from '../../lang.js';
import type { Verdict } from '../verdict.js';
import { SWEEP_HOSTS, SWEEP_MAX_PORTS, SWEEP_WINDOW, type Sweep } from '../sweep.js';

const SWEEP_PROBE = evidenceKind<{ host: string; port: number; which: string }>('sweep_probe', {
  en: (a) => `${a.host}:${a.port}: SYN, the ${a.which === 'last' ? 'last' : 'first'} probe`,
  zh: (a) => `${a.host}:${a.port}：SYN，${a.which === 'last' ? '最后一个' : '第一个'}探测`,
}, {
  en: (a) => `SYN ${a.host}:${a.port}`,
  zh: (a) => `SYN ${a.host}:${a.port}`,
});
const SWEEP_OPEN = evidenceKind<{ host: string; port: number }>('sweep_open', {
  en: (a) => `${a.host}:${a.port}: SYN-ACK, the first host to answer open`,
  zh: (a) => `${a.host}:${a.port}：SYN-ACK，第一个应答端口开放的主机`,
}, {
  en: (a) => `SYN-ACK ${a.host}:${a.port}`,
  zh: (a) => `SYN-ACK ${a.host}:${a.port}`,
});
const SWEEP_CLOSED = evidenceKind<{ host: string; port: number }>('sweep_closed', {
  en: (a) => `${a.host}:${a.port}: RST, the first host to answer closed`,
  zh: (a) => `${a.host}:${a.port}：RST，第一个应答端口关闭的主机`,
}, {
  en: (a) => `RST ${a.host}:${a.port}`,
  zh: (a) => `RST ${a.host}:${a.port}`,
});

/** Hosts a client must probe, after its ARP sweep (track/arp.ts) covered them, for its probes to be told as the sweep. */
export const ARP_SWEEP_PROBED = 2;

const ARP_SWEEP = evidenceKind<{ target: string; addresses: number; seconds: number }>('arp_sweep', {
  en: (a) => `ARP request for ${a.target}, the first of ${a.addresses} addresses asked within ${a.seconds} s`,
  zh: (a) => `ARP 请求 ${a.target}，${a.seconds} 秒内询问的 ${a.addresses} 个地址中的第一个`,
}, {
  en: (a) => `ARP ${a.target}`,
  zh: (a) => `ARP ${a.target}`,
});

/** After a new host of the sweep: SWEEP_HOSTS new hosts within SWEEP_WINDOW seconds make a burst. */
export function seeSweepBurst(s: Sweep): void {
  if (s.burst || s.recentCount < SWEEP_HOSTS) return;
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < SWEEP_HOSTS; i++) {
    const t = s.recent[i]!;
    if (t < lo) lo = t;
    if (t > hi) hi = t;
  }
  if (hi - lo <= SWEEP_WINDOW) s.burst = true;
}

/** A sweep, sure while the capture is read: its burst of hosts, one source port serving SWEEP_HOSTS of them, few ports. */
export function sureSweep(s: Sweep): boolean {
  if (s.ports.length > SWEEP_MAX_PORTS) return false;
  // Its ARP sweep proved it (sweep.ts arp): two hosts probed are its probes already.
  if (s.arp !== null && s.hosts >= ARP_SWEEP_PROBED) return true;
  if (!s.burst) return false;
  const top = s.topSourcePort();
  return top !== null && top.hosts >= SWEEP_HOSTS;
}

const RULE: SweepRule = {
  on: 'sweep',
  rank: 10,
  produces: ['tcp.address_scan'],
  run(s) {
    // Confirmed while read (its later probes told by it alone), or sure now.
    if (!(s.confirmed || sureSweep(s)) || s.first === null || s.last === null || !(s.lastTs >= s.firstTs)) return null;
    const top = s.topSourcePort()!;
    const ev = [proof(SWEEP_PROBE, s.first.frame, s.first.ts, { from: s.client, to: s.first.host }, { host: s.first.host, port: s.first.port, which: 'first' })];
    if (s.firstOpen) ev.push(proof(SWEEP_OPEN, s.firstOpen.frame, s.firstOpen.ts, { from: s.firstOpen.host, to: s.client }, { host: s.firstOpen.host, port: s.firstOpen.port }));
    if (s.firstClosed) ev.push(proof(SWEEP_CLOSED, s.firstClosed.frame, s.firstClosed.ts, { from: s.firstClosed.host, to: s.client }, { host: s.firstClosed.host, port: s.firstClosed.port }));
    if (s.last.frame !== s.first.frame) ev.push(proof(SWEEP_PROBE, s.last.frame, s.last.ts, { from: s.client, to: s.last.host }, { host: s.last.host, port: s.last.port, which: 'last' }));
    const arp = s.arp;
    const arpSeconds = arp === null ? 0 : (tenths(Math.max(0, arp.last - arp.first)) ?? 0);
    if (arp !== null) ev.push(proof(ARP_SWEEP, arp.firstFrame, arp.first, { from: s.client, to: arp.firstTarget }, { target: arp.firstTarget, addresses: arp.addresses, seconds: arpSeconds }));
    ev.sort((a, b) => a.frame - b.frame);
    const ports = s.scannerPorts();
    // Host discovery's bare ACKs from the scanner's source ports (sweep.ts ackProbeOf).
    const acks = s.scannerAckProbes();
    const o: Outcome = {
      cause: 'tcp.address_scan',
      severity: 'warning',
      evidence: ev,
      details: {
        hostsProbed: s.hosts,
        ...(s.atMost ? { hostsAtMost: true } : {}),
        hosts: [...s.hostList],
        ports: ports.slice(0, SWEEP_MAX_PORTS),
        ...(s.ports.length > SWEEP_MAX_PORTS ? { portsMore: true } : {}),
        probes: s.probes,
        open: s.open,
        closed: s.closed,
        unanswered: s.silent,
        spanSeconds: tenths(Math.max(0, s.lastTs - s.firstTs)) ?? 0,
        sourcePort: { port: top.port, hosts: top.hosts, probes: top.probes },
        ...(acks.probes > 0 ? { ackProbes: acks } : {}),
        ...(s.pingHosts > 0 ? { pings: { hosts: s.pingHosts, requests: s.pingRequests } } : {}),
        ...(arp !== null ? { arpSweep: { addresses: arp.addresses, ...(arp.more ? { addressesAtLeast: true } : {}), answered: arp.answered, seconds: arpSeconds, firstFrame: arp.firstFrame } } : {}),
      },
      facts: {},
      attempts: s.probes,
      limits: [],
    };
    return o;
  },
};

function sweepVars(v: Verdict, lang: Lang): Record<string, string | number> {
  const d = v.details as { arpSweep?: { addresses: number; addressesAtLeast?: boolean; seconds: number }; ackProbes?: { probes: number; answered: number; ports: number[] }; pings?: { hosts: number; requests: number }; hostsProbed?: number; hostsAtMost?: boolean; hosts?: string[]; ports?: number[]; portsMore?: boolean; open?: number; closed?: number; unanswered?: number; spanSeconds?: number; sourcePort?: { port: number; hosts: number } };
  const zh = lang === 'zh';
  const seconds = d.spanSeconds ?? 0;
  let span = seconds < 0.1 ? (zh ? '不到 0.1 秒' : 'under 0.1 s') : zh ? `${seconds} 秒` : `${seconds} s`;
  // Said by a live capture while the sweep goes on (live.ts): the counts so far.
  if (v.facts['soFar'] === true) span = zh ? `截至目前的 ${span}` : `${span} so far`;
  const hosts = d.hosts ?? [];
  const n = d.hostsProbed ?? 0;
  const more = n - hosts.length;
  const list = (d.ports ?? []).join(', ') + (d.portsMore ? (zh ? ' 等' : ' and more') : '');
  const ports = zh ? `端口 ${list}` : `${(d.ports ?? []).length > 1 || d.portsMore ? 'ports' : 'port'} ${list}`;
  const sp = d.sourcePort;
  return {
    hostsProbed: `${d.hostsAtMost ? (zh ? '至多 ' : 'at most ') : ''}${n}`,
    otherHosts: `${d.hostsAtMost ? (zh ? '至多 ' : 'at most ') : ''}${Math.max(0, n - 1)}`,
    sweepPorts: ports,
    sweepSpan: span,
    hostsText: zh ? `${hosts.join(', ')}${more > 0 ? ` 等共 ${n} 台` : ''}` : `${hosts.join(', ')}${more > 0 ? ` and ${more} more` : ''}`,
    openHosts: d.open ?? 0,
    closedHosts: d.closed ?? 0,
    silentHosts: d.unanswered ?? 0,
    sweepSourcePort: sp?.port ?? 0,
    sweepSourceHosts: sp?.hosts ?? 0,
    ackText: ackText(d.ackProbes, zh) + pingText(d.pings, zh),
    arpAddresses: `${d.arpSweep?.addressesAtLeast ? (zh ? '至少 ' : 'at least ') : ''}${d.arpSweep?.addresses ?? 0}`,
    arpSpan: (d.arpSweep?.seconds ?? 0) < 0.1 ? (zh ? '不到 0.1 秒' : 'under 0.1 s') : zh ? `${d.arpSweep!.seconds} 秒` : `${d.arpSweep!.seconds} s`,
  };
}

/** The sentence on the sweep's unanswered pings of its hosts (after the ACK sentence), or '' when none. */
function pingText(p: { hosts: number; requests: number } | undefined, zh: boolean): string {
  if (p === undefined || p.hosts === 0) return '';
  if (zh) return `${p.hosts} 台被扫描的主机收到了 ${p.requests} 个 ping（ICMP 回显请求，主机发现的一部分），均无应答：它们与这次扫描一起统计，不单独列出。`;
  return ` ${p.hosts === 1 ? '1 host' : `${p.hosts} hosts`} of the sweep got ${p.requests === 1 ? 'a ping' : `${p.requests} pings`} (ICMP echo requests, part of host discovery) and answered none: counted with the sweep, not told one by one.`;
}

/** The sentence on the sweep's bare ACK probes, or '' when it sent none. */
function ackText(a: { probes: number; answered: number; ports: number[] } | undefined, zh: boolean): string {
  if (a === undefined || a.probes === 0) return '';
  const ports = a.ports.join(', ');
  if (zh) {
    return `它还从同一个源端口向端口 ${ports} 发出了 ${a.probes} 个单独的 ACK 探测（主机发现，例如 nmap -sn 的 ACK ping），其中 ${a.answered} 个得到了 RST 回应（在线的主机对意外的 ACK 回 RST，与端口无关）：这些不是只抓到单向流量的连接。`;
  }
  const n = a.probes === 1 ? 'a bare ACK probe' : `${a.probes} bare ACK probes`;
  return `It also sent ${n} to port${a.ports.length > 1 ? 's' : ''} ${ports} from the same source port (host discovery, as nmap -sn's ACK ping), of which ${a.answered} ${a.answered === 1 ? 'was' : 'were'} answered with RST (a host that is up answers an unexpected ACK with RST, whatever its ports): not connections caught in one direction.`;
}

/**
 * A sweep proven by the client's ARP requests (track/arp.ts): its connection attempts may each come
 * from a port of their own (a connect sweep: nmap -sn without privileges connects to 80 and 443).
 */
const BY_ARP: Wording = {
  en: {
    summary: '{target} and {otherHosts} other hosts, swept by {client} after an ARP sweep of {arpAddresses}: {openHosts} open, {closedHosts} closed, {silentHosts} silent',
    explanation:
      '{client} asked ARP for {arpAddresses} addresses of its network within {arpSpan} — a stack asks only for the neighbours it is about to send to — and sent connection attempts (SYN) to {sweepPorts} of {hostsProbed} of those hosts ({hostsText}) within {sweepSpan}, with no data on any of them: a scanner sweeping the local network (nmap\'s host discovery, arp-scan and the like), not a program that tried to reach those hosts and failed, so it is not counted as a failure. {ackText} Hosts that answered SYN-ACK serve the port (a host probed on several ports counts its best answer), those that answered RST are up and do not, and the silent ones are absent or filtered. Connections of {client} that did more than probe are told on their own.',
    advice: [
      'Find out who runs the scanner on {client} and whether the sweep is expected (an inventory or vulnerability scanner, a penetration test, a person running nmap). An unexpected one is a security matter: look at what else {client} did.',
      'The hosts that answered SYN-ACK expose {sweepPorts} to {client}: check each is meant to.',
      'If the sweep is unwelcome, find {client} on the switch (its MAC address in the ARP requests) and stop it there; a local sweep does not cross a firewall.',
    ],
  },
  zh: {
    summary: '{target} 及另外 {otherHosts} 台主机：被 {client} 扫描（先用 ARP 询问了 {arpAddresses} 个地址）；{openHosts} 台开放，{closedHosts} 台关闭，{silentHosts} 台无应答',
    explanation:
      '{client} 在 {arpSpan}内用 ARP 询问了本网络中的 {arpAddresses} 个地址（协议栈只会询问它马上要发送数据的邻居），并在 {sweepSpan}内向其中 {hostsProbed} 台主机（{hostsText}）的{sweepPorts} 发出了连接请求（SYN），且在任何一个连接上都没有发送数据：这是扫描器在扫描本地网络（nmap 的主机发现、arp-scan 之类），不是某个程序想访问这些主机而失败，因此不算作故障。{ackText}回应 SYN-ACK 的主机提供该端口的服务（探测了多个端口的主机按其最好的应答计），回应 RST 的主机在线但没有提供，无应答的主机不存在或被过滤。{client} 不只是探测的连接会单独给出结论。',
    advice: [
      '查明是谁在 {client} 上运行扫描器，这次扫描是否在预期之内（资产盘点或漏洞扫描器、渗透测试、有人在运行 nmap）。意料之外的扫描是安全问题：检查 {client} 还做了什么。',
      '回应 SYN-ACK 的主机向 {client} 暴露了{sweepPorts}：逐一确认是否应当如此。',
      '如果这次扫描不受欢迎，在交换机上找到 {client}（ARP 请求中的 MAC 地址）并在那里阻止它；本地网络内的扫描不经过防火墙。',
    ],
  },
};

const CAUSE = defineCause({
  code: 'tcp.address_scan',
  layer: 'tcp',
  severity: 'warning',
  live: 'end',
  rules: [RULE],
  vars: (v, lang) => sweepVars(v, lang),
  words: {
    en: {
      summary: '{target} and {otherHosts} other hosts, swept by {client} ({sweepPorts}, {sweepSpan}): {openHosts} open, {closedHosts} closed (RST), {silentHosts} silent',
      explanation:
        '{client} sent connection attempts (SYN) to {sweepPorts} of {hostsProbed} hosts ({hostsText}) within {sweepSpan}, from one source port, {sweepSourcePort}, toward {sweepSourceHosts} hosts or more, and sent no data on any of them: a scanner sweeping the network (nmap, masscan and the like), not a program that tried to reach those hosts and failed, so it is not counted as a failure. A program\'s connections each get a source port of their own; a scanner crafting its own SYNs reuses one. {ackText} Hosts that answered SYN-ACK serve the port (a host probed on several ports counts its best answer), those that answered RST are up and do not, and the silent ones are absent or filtered. Connections of {client} that did more than probe are told on their own.',
      advice: [
        'Find out who runs the scanner on {client} and whether the sweep is expected (an inventory or vulnerability scanner, a penetration test). An unexpected one is a security matter, typical of a worm or an intruder looking for {sweepPorts}: look at what else {client} did.',
        'The hosts that answered SYN-ACK expose {sweepPorts} to {client}: check each is meant to.',
        'If the sweep is unwelcome, block or rate-limit {client} at the firewall, and look for the same source in its firewall or IDS logs.',
      ],
    },
    zh: {
      summary: '{target} 及另外 {otherHosts} 台主机：被 {client} 扫描（{sweepPorts}，{sweepSpan}）；{openHosts} 台开放（SYN-ACK），{closedHosts} 台关闭（RST），{silentHosts} 台无应答',
      explanation:
        '{client} 在 {sweepSpan}内向 {hostsProbed} 台主机（{hostsText}）的{sweepPorts} 发出了连接请求（SYN），同一个源端口 {sweepSourcePort} 被用于 {sweepSourceHosts} 台或更多主机，且在任何一个连接上都没有发送数据：这是扫描器在扫描网络（nmap、masscan 之类），不是某个程序想访问这些主机而失败，因此不算作故障。程序的每个连接各用一个源端口，自己构造 SYN 的扫描器则反复使用同一个。{ackText}回应 SYN-ACK 的主机提供该端口的服务（探测了多个端口的主机按其最好的应答计），回应 RST 的主机在线但没有提供，无应答的主机不存在或被过滤。{client} 不只是探测的连接会单独给出结论。',
      advice: [
        '查明是谁在 {client} 上运行扫描器，这次扫描是否在预期之内（资产盘点或漏洞扫描器、渗透测试）。意料之外的扫描是安全问题，常见于寻找{sweepPorts} 的蠕虫或入侵者：检查 {client} 还做了什么。',
        '回应 SYN-ACK 的主机向 {client} 暴露了{sweepPorts}：逐一确认是否应当如此。',
        '如果这次扫描不受欢迎，在防火墙上封禁 {client} 或对其限速，并在防火墙或 IDS 日志中查找同一来源。',
      ],
    },
  },
});

export default withVariants(CAUSE, { byArp: BY_ARP }, (v) => (v.details['arpSweep'] !== undefined ? 'byArp' : null));
