/**
 * tcp.port_scan: one client probed many TCP ports of one server in a short span, completing no
 * handshake (a vertical port scan). Told as one warning, not as a failure per port: no program
 * tried to connect and failed.
 *
 * When the probes of a pair (scan.ts) are a scan:
 * - at least MIN_PORTS distinct ports, MIN_PORTS of them first probed within WINDOW seconds — Zeek's
 *   own port-scan thresholds (policy/misc/scan.zeek: port_scan_threshold 15 failed ports of one
 *   host, port_scan_interval 5 min). Each probe never completed its handshake (unanswered, refused,
 *   or a SYN-ACK never acknowledged), carried no payload, and was not sent three times or more from
 *   a source port of its own (a program's stack backing off: scan.ts PERSISTENT_SYNS), so a client
 *   whose connections to a few ports fail (two ports tried, 445 and 3389) keeps its verdicts;
 * - and either a source port used for SOURCE_PORT_PORTS destination ports or more (a program's
 *   connections each get a port of their own; nmap, masscan and zmap's raw probes reuse one), or no
 *   session of the pair (a connection that carried payload) overlapped the probes: a program that
 *   talks to the server while its other connections fail (passive FTP data connections beside the
 *   control connection, RPC's dynamic ports) is not told as a scan.
 */
import { defineCause } from '../cause.js';
import type { Outcome, ScanRule } from '../outcome.js';
import { tenths } from '../outcome.js';
import { proof } from '../evidence.js';
import { evidenceKind } from '../words.js';
import type { Lang } from '../../lang.js';
import type { Verdict } from '../verdict.js';
import { RECENT, type ScanPair } from '../scan.js';

export const MIN_PORTS = RECENT;
export const WINDOW = 300;
export const SOURCE_PORT_PORTS = 3;
/** Ports probed, at least, for a pair with a crafted packet (scan.ts ScanPair.crafted) to be a scan: one port is a test packet's. */
const MIN_CRAFTED_PORTS = 2;
/**
 * Seconds before the first probe and after the last in which the scanner's own connections to the
 * open ports (a connect scan's, version detection's: diagnose.ts withinScan) are the scan's: Zeek's
 * port-scan interval again; nmap -sV probes each open port for up to about 30 s, in parallel.
 */
export const SCAN_TAIL = WINDOW;

const SCAN_PROBE = evidenceKind<{ port: number; which: string }>('scan_probe', {
  en: (a) => `port ${a.port}: SYN, the ${a.which === 'last' ? 'last' : 'first'} probe`,
  zh: (a) => `端口 ${a.port}：SYN，${a.which === 'last' ? '最后一个' : '第一个'}探测`,
}, {
  en: (a) => `SYN :${a.port}`,
  zh: (a) => `SYN :${a.port}`,
});
const SCAN_OPEN = evidenceKind<{ port: number }>('scan_open', {
  en: (a) => `port ${a.port}: SYN-ACK, the first open port`,
  zh: (a) => `端口 ${a.port}：SYN-ACK，第一个开放端口`,
}, {
  en: (a) => `SYN-ACK :${a.port}`,
  zh: (a) => `SYN-ACK :${a.port}`,
});
const SCAN_CLOSED = evidenceKind<{ port: number }>('scan_closed', {
  en: (a) => `port ${a.port}: RST, the first closed port`,
  zh: (a) => `端口 ${a.port}：RST，第一个关闭端口`,
}, {
  en: (a) => `RST :${a.port}`,
  zh: (a) => `RST :${a.port}`,
});

const CRAFTED = evidenceKind<{ flags: string }>('crafted_packet', {
  en: (a) => `a packet no TCP stack sends (flags: ${a.flags}): a scanner's`,
  zh: (a) => `任何 TCP 协议栈都不会发出的数据包（标志：${a.flags}）：来自扫描器`,
}, {
  en: () => 'crafted packet',
  zh: () => '伪造的数据包',
});

/** After a new port of the pair: MIN_PORTS new ports within WINDOW seconds make a burst. */
export function seeBurst(s: ScanPair): void {
  if (s.burst || s.recentCount < MIN_PORTS) return;
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < MIN_PORTS; i++) {
    const t = s.recent[i]!;
    if (t < lo) lo = t;
    if (t > hi) hi = t;
  }
  if (hi - lo <= WINDOW) s.burst = true;
}

/** The source port the scanner reused, when it did. */
function reusedPort(s: ScanPair): { port: number; ports: number; probes: number } | null {
  const top = s.topSourcePort();
  return top !== null && top.ports >= SOURCE_PORT_PORTS ? top : null;
}

/** Already sure while the capture is read (no session can change it): a burst from a reused source port. */
export function sureScan(s: ScanPair): boolean {
  return s.burst && reusedPort(s) !== null;
}

const RULE: ScanRule = {
  on: 'scan',
  rank: 10,
  produces: ['tcp.port_scan'],
  run(s) {
    // A burst needs MIN_PORTS times a report can write: firstTs and lastTs are such times. A pair
    // the client sent a crafted packet (one no TCP stack makes) is a scanner's at any size.
    const crafted = s.ports >= MIN_CRAFTED_PORTS ? s.crafted : null;
    if (!(s.burst || crafted !== null) || s.first === null || s.last === null || !(s.lastTs >= s.firstTs)) return null;
    const reused = reusedPort(s);
    const talked = s.sessionStart <= s.lastTs && s.sessionEnd >= s.firstTs;
    if (talked && reused === null && crafted === null) return null;
    const ev = [proof(SCAN_PROBE, s.first.frame, s.first.ts, { from: s.client, to: s.server }, { port: s.first.port, which: 'first' })];
    if (s.firstOpen) ev.push(proof(SCAN_OPEN, s.firstOpen.frame, s.firstOpen.ts, { from: s.server, to: s.client }, { port: s.firstOpen.port }));
    if (s.firstClosed) ev.push(proof(SCAN_CLOSED, s.firstClosed.frame, s.firstClosed.ts, { from: s.server, to: s.client }, { port: s.firstClosed.port }));
    if (s.last.frame !== s.first.frame) ev.push(proof(SCAN_PROBE, s.last.frame, s.last.ts, { from: s.client, to: s.server }, { port: s.last.port, which: 'last' }));
    if (crafted !== null && !ev.some((e) => e.frame === crafted.frame)) ev.push(proof(CRAFTED, crafted.frame, crafted.ts, { from: s.client, to: s.server }, { flags: crafted.what }));
    ev.sort((a, b) => a.frame - b.frame);
    const span = tenths(Math.max(0, s.lastTs - s.firstTs)) ?? 0;
    const o: Outcome = {
      cause: 'tcp.port_scan',
      severity: 'warning',
      evidence: ev,
      details: {
        portsProbed: s.ports,
        ...(s.atMost ? { portsAtMost: true } : {}),
        probes: s.probes,
        open: { count: s.open, ports: [...s.openList] },
        closed: { count: s.closed, ports: [...s.closedList] },
        unanswered: { count: s.silent, ports: [...s.silentList] },
        ...(s.connected > 0 ? { connected: s.connected } : {}),
        ...(s.probeSessions > 0 ? { versionProbes: { connections: s.probeSessions, ports: [...s.probeSessionPorts] } } : {}),
        ...(s.closedAtOnce > 0 ? { closedAtOnce: { count: s.closedAtOnce, ports: [...s.closedAtOncePorts] } } : {}),
        spanSeconds: span,
        sourcePortReused: reused !== null,
        ...(crafted !== null ? { craftedPacket: { frame: crafted.frame, flags: crafted.what } } : {}),
        ...(reused !== null ? { sourcePort: { port: reused.port, ports: reused.ports, probes: reused.probes } } : {}),
      },
      facts: {},
      attempts: s.probes,
      limits: [],
    };
    return o;
  },
};

interface PortList {
  count: number;
  ports: number[];
}

/** Ports a summary line names (details list up to scan.ts LISTED_PORTS). */
const SAID_PORTS = 10;

function listText(l: PortList | undefined, lang: Lang, what: string): string {
  if (!l || l.count === 0) return lang === 'zh' ? '无' : 'none';
  const said = l.ports.slice(0, SAID_PORTS);
  const more = l.count - said.length;
  const list = said.join(', ');
  if (lang === 'zh') return `${list}${more > 0 ? ` 等共 ${l.count} 个` : ''}（${what}）`;
  return `${list}${more > 0 ? ` and ${more} more` : ''} (${what})`;
}

function scanVars(v: Verdict, lang: Lang): Record<string, string | number> {
  const d = v.details as {
    portsProbed?: number; portsAtMost?: boolean; open?: PortList; closed?: PortList; unanswered?: PortList; spanSeconds?: number; sourcePort?: { port: number; probes: number };
    closedAtOnce?: PortList; versionProbes?: { connections: number; ports: number[] };
  };
  const zh = lang === 'zh';
  const seconds = d.spanSeconds ?? 0;
  let span = seconds < 0.1 ? (zh ? '不到 0.1 秒' : 'under 0.1 s') : zh ? `${seconds} 秒` : `${seconds} s`;
  // Said by a live capture while the scan goes on (live.ts): the counts so far.
  if (v.facts['soFar'] === true) span = zh ? `截至目前的 ${span}` : `${span} so far`;
  const sp = d.sourcePort;
  const sourceNote = sp === undefined ? ''
    : zh ? `，其中 ${sp.probes} 个探测来自同一个源端口 ${sp.port}（程序的每个连接各用一个源端口，扫描器则反复使用同一个）`
      : `, ${sp.probes} of the probes from one source port, ${sp.port} (a program's connections each get a port of their own; a scanner reuses one)`;
  const open = d.open;
  const ports = (l: { count: number; ports: number[] }): string => `${l.ports.slice(0, SAID_PORTS).join(', ')}${l.count > Math.min(l.ports.length, SAID_PORTS) ? (zh ? ` 等共 ${l.count} 个` : ` and ${l.count - Math.min(l.ports.length, SAID_PORTS)} more`) : ''}`;
  const w = d.closedAtOnce;
  const wrappedNote = w === undefined ? ''
    : zh ? `端口 ${ports(w)} 在握手完成后立即关闭连接，什么都没有收发（tcp_wrappers 之类拒绝了这个客户端；nmap 称之为 tcpwrapped）：这是扫描得到的回应，不是某个程序的故障。`
      : ` Port${w.count > 1 ? 's' : ''} ${ports(w)} closed the connection right after the handshake, before anything was sent (tcp_wrappers or the like refusing this client; nmap calls it tcpwrapped): an answer to the scan, not a program's failure.`;
  const cp = (v.details as { craftedPacket?: { frame: number; flags: string } }).craftedPacket;
  const craftedNote = cp === undefined ? ''
    : zh ? `其中有任何 TCP 协议栈都不会发出的数据包（帧 ${cp.frame}，标志：${cp.flags}）：扫描器在原始套接字上构造的探测（nmap 的操作系统识别和 FIN、Xmas、Null 扫描都会发送这种包），所以即使端口不多，这也是扫描。`
      : ` Among them is a packet no TCP stack sends (frame ${cp.frame}, flags: ${cp.flags}): a probe a scanner made on a raw socket (nmap's OS detection, and its FIN, Xmas and null scans, send such), so this is a scan however few the ports.`;
  const vp = d.versionProbes;
  const versionNote = vp === undefined ? ''
    : zh ? `随后 ${vp.connections} 个连接在开放端口（${ports({ count: vp.ports.length, ports: vp.ports })}）上发送了扫描器的探测内容（服务版本探测，如 nmap -sV）：服务对它们的报错、重置或沉默也不算作故障。`
      : ` ${vp.connections} connection${vp.connections > 1 ? 's' : ''} to the open ports (${ports({ count: vp.ports.length, ports: vp.ports })}) then carried the scanner's probes (service version detection, as nmap -sV does): the services' errors, resets or silence in answer are not counted as failures either.`;
  return {
    craftedNote,
    wrappedNote,
    versionNote,
    probed: `${d.portsAtMost ? (zh ? '至多 ' : 'at most ') : ''}${d.portsProbed ?? 0}`,
    scanSpan: span,
    openPortsText: listText(open, lang, 'SYN-ACK'),
    closedPortsText: listText(d.closed, lang, 'RST'),
    unanswered: d.unanswered?.count ?? 0,
    sourceNote,
    openPorts: !open || open.count === 0 ? (zh ? '没有端口应答 SYN-ACK' : 'no port answered SYN-ACK')
      : `${open.ports.join(', ')}${open.count > open.ports.length ? (zh ? ` 等共 ${open.count} 个` : ` and ${open.count - open.ports.length} more`) : ''}`,
  };
}

export default defineCause({
  code: 'tcp.port_scan',
  layer: 'tcp',
  severity: 'warning',
  live: 'end',
  rules: [RULE],
  vars: (v, lang) => scanVars(v, lang),
  words: {
    en: {
      summary: '{target}: a port scan from {client}: {probed} ports probed in {scanSpan}; open {openPortsText}; closed {closedPortsText}; {unanswered} no answer (filtered)',
      explanation:
        '{client} sent connection attempts (SYN) to {probed} ports of {ip} within {scanSpan}{sourceNote}, and sent no data on any of them: a port scan (nmap, masscan and the like), not a program that tried to connect and failed, so it is not counted as a failure.{craftedNote} Open ports answered SYN-ACK (a service listens there), closed ones RST (the host is reachable and nothing listens), and the unanswered ones are filtered (something drops the probes).{wrappedNote}{versionNote} Connections between the two hosts that did more than probe are told on their own.',
      advice: [
        'Find out who runs the scanner on {client} and whether the scan is expected (a vulnerability scanner, an inventory or monitoring tool, a penetration test). An unexpected one is a security matter: look at what else {client} did.',
        'The open ports are what {ip} exposes to {client}: {openPorts}. Check each is meant to be reachable from there (`ss -ltnp` on {ip}); close or filter what is not.',
        'If the scan is unwelcome, block or rate-limit {client} at the firewall in front of {ip}, and look for the same source in its firewall or IDS logs.',
      ],
    },
    zh: {
      summary: '{target}：来自 {client} 的端口扫描：{scanSpan}内探测了 {probed} 个端口；开放 {openPortsText}；关闭 {closedPortsText}；{unanswered} 个无应答（被过滤）',
      explanation:
        '{client} 在 {scanSpan}内向 {ip} 的 {probed} 个端口发出了连接请求（SYN）{sourceNote}，在其中任何一个连接上都没有发送数据：这是端口扫描（nmap、masscan 之类），不是某个程序连接失败，因此不算作故障。{craftedNote}开放的端口回应 SYN-ACK（有服务在监听），关闭的端口回应 RST（主机可达，但没有服务监听），无应答的端口被过滤（探测包被丢弃）。{wrappedNote}{versionNote}两台主机之间不只是探测的连接会单独给出结论。',
      advice: [
        '查明是谁在 {client} 上运行扫描器，这次扫描是否在预期之内（漏洞扫描器、资产盘点或监控工具、渗透测试）。意料之外的扫描是安全问题：检查 {client} 还做了什么。',
        '开放的端口就是 {ip} 对 {client} 暴露的服务：{openPorts}。逐一确认它们是否应当可以从那里访问（在 {ip} 上执行 `ss -ltnp`）；不应开放的请关闭或过滤。',
        '如果这次扫描不受欢迎，在 {ip} 前面的防火墙上封禁 {client} 或对其限速，并在防火墙或 IDS 日志中查找同一来源。',
      ],
    },
  },
});
