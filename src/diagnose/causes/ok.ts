/**
 * ok: the exchange worked at every layer seen
 */
import { defineCause } from '../cause.js';
import { isTcp, outcome, type ConnRule, type DnsRule, type EvidenceAt } from '../outcome.js';
import { CONN_START, FIRST_DATAGRAM, HTTP_RESPONSE, proof, way } from '../evidence.js';
import { serverHelloProof } from '../rules-tls.js';
import { icmpFacts, quotesOriginator, PMTU_DISCOVERY_WORKED } from '../rules-icmp.js';
import { icmpCause } from '../../track/icmp.js';
import { recoveredSmaller } from '../../track/tcp-watch.js';
import { FRAGMENT_ADVICE, FRAGMENT_MATCH, fragmentEvidence, offsetsSeen } from './dns.fragments_lost.js';
import type { Fact } from '../../facts.js';
import { dnsOutcome } from '../dns-group.js';
import { isChallenge } from '../auth-retry.js';
import { tlsVersionName } from '../../decode/names.js';
import type { Args } from '../../facts.js';
import type { Lang } from '../../lang.js';
import type { Verdict } from '../verdict.js';
import type { FinishedConn } from '../../track/tracker.js';
import { fill, fillText, type CauseText, type Vars } from '../words.js';

/** No rule found a failure: the connection worked at every layer seen (the last rule of the walk). */
const OK_CONN: ConnRule = {
  on: 'conn',
  rank: 1000,
  produces: ['ok'],
  run(f) {
    const c = f.conn;
    const ev: EvidenceAt[] = [proof(isTcp(f) ? CONN_START : FIRST_DATAGRAM, c.firstFrame, c.start, way(c, true), {})];
    if (f.tls?.serverHello) ev.push(serverHelloProof(c, f.tls));
    // The answer that settled a request: past an auth challenge the client answered (auth-retry.ts).
    const ok = f.http?.exchanges.find((e) => e.status !== null && !isChallenge(e)) ?? f.http?.exchanges.find((e) => e.status !== null);
    if (ok) ev.push(proof(HTTP_RESPONSE, ok.responseFrame!, ok.responseTime!, way(c, false), { status: ok.status!, reason: ok.reason }));
    // (A connection with one direction only never gets here: capture.one_sided, rank 15.)
    const rst = isTcp(f) ? f.conn.rsts[0] : undefined;
    const o = outcome('ok', ev, {
      ...(f.tls?.serverHello ? { tls: tlsVersionName(f.tls.serverHello.version) } : {}),
      // Closed by a reset that failed nothing (tcp.reset's rule says when).
      ...(rst ? { closedByReset: { sender: rst.fromOrig ? 'client' : 'server', frame: rst.frame } } : {}),
    }, {}, 'ok');
    const pmtu = pathMtu(f, ev);
    if (pmtu !== null) {
      Object.assign(o.details, pmtu.details);
      for (const l of pmtu.limits) o.limits.push(l);
    }
    return o;
  },
};

/**
 * A transfer that met a smaller path MTU and recovered: the ICMP fragmentation-needed the client
 * got (its evidence joins `ev`), or, without one in the capture, the sender's data that came again
 * in smaller packets after a full-size hole (tcp-watch.ts).
 */
function pathMtu(f: FinishedConn, ev: EvidenceAt[]): { details: Record<string, unknown>; limits: Fact[] } | null {
  const e = f.icmp.length === 0 ? undefined : f.icmp.find((x) => icmpCause(x) === 'icmp.frag_needed' && quotesOriginator(x, f.conn));
  if (e !== undefined && e.mtu !== null) {
    ev.push(icmpFacts(e).proof);
    ev.sort((a, b) => a.frame - b.frame);
    return { details: { pathMtu: e.mtu, fragNeeded: { from: e.from, mtu: e.mtu } }, limits: [PMTU_DISCOVERY_WORKED.of({})] };
  }
  if (!isTcp(f) || (f.conn.orig.watch === null && f.conn.resp.watch === null)) return null;
  const c = f.conn;
  const full = c.mss.orig > 0 && c.mss.resp > 0 ? Math.min(c.mss.orig, c.mss.resp) - 40 : 0;
  const largest = recoveredSmaller(c.resp.watch, full) || recoveredSmaller(c.orig.watch, full);
  return largest > 0 ? { details: { largestPacket: largest }, limits: [] } : null;
}

/** Some answer gave the name an address. */
const OK_DNS: DnsRule = {
  on: 'dns',
  rank: 10,
  produces: ['ok'],
  run(g) {
    if (!g.resolved) return null;
    const answers = (g.addrResolved ? g.addrs ?? [] : g.otherData ?? []).map((a) => a.data);
    const frags = g.answerFragments > 1 ? { fragments: g.answerFragments } : {};
    const lost = g.lostFragments;
    if (g.cnameOf !== undefined) return dnsOutcome(g, 'ok', { answers, cnameOf: g.cnameOf, ...frags }, {}, 'ok');
    if (lost === null || lost.length === 0) return dnsOutcome(g, 'ok', { answers, ...frags }, {}, 'ok');
    // Worked in the end, after answers that arrived in part (dns.fragments_lost): a warning.
    const offsets = offsetsSeen(g);
    const o = dnsOutcome(g, 'ok', {
      answers, ...frags,
      failedAttempts: [{ cause: 'dns.fragments_lost', answersInPart: lost.length, fragmentOffsetsSeen: offsets }],
    }, { failed: lost.length, conns: Math.max(g.queries, lost.length + 1), failedCause: 'dns.fragments_lost', failedIp: lost[0]!.server }, 'warning');
    o.evidence = [...o.evidence, ...fragmentEvidence(g)].sort((a, b) => a.frame - b.frame);
    o.limits.push(FRAGMENT_MATCH.of({}));
    return o;
  },
};

/** A short account of the attempts that failed before the target worked (no final stop: the text ends the sentence). */
function retriesNote(f: Args, lang: Lang): string {
  const failed = f['failed'];
  const conns = f['conns'];
  if (typeof failed !== 'number' || typeof conns !== 'number') return '';
  const what = typeof f['failedCause'] === 'string' ? `${f['failedCause']} (${String(f['failedIp'])})` : '';
  const after = typeof f['workedAfter'] === 'number' ? f['workedAfter'] : null;
  if (lang === 'en') {
    const later = after === null ? '' : `; the first attempt that worked after it came ${spanText(after, lang)} later (no retry of that moment: the failure was real then, and the target worked again later)`;
    return `${failed} of ${conns} attempts failed${what ? `, e.g. ${what}` : ''}${later}`;
  }
  const later = after === null ? '' : `；其后第一次成功的尝试在 ${spanText(after, lang)}之后（不是当时的重试：失败在当时是真实的，目标后来才恢复正常）`;
  return `${conns} 次尝试中有 ${failed} 次失败${what ? `，例如 ${what}` : ''}${later}`;
}

/** A span of seconds as a person reads it: '25 min', '3.5 h', '3 days'. */
function spanText(seconds: number, lang: Lang): string {
  const [n, en, zh] = seconds < 5_400 ? [Math.round(seconds / 60), 'min', '分钟']
    : seconds < 172_800 ? [Math.round(seconds / 360) / 10, 'h', '小时']
      : [Math.round(seconds / 8_640) / 10, 'days', '天'];
  return lang === 'en' ? `${n} ${en}` : `${n} ${zh}`;
}

/** The words of a traceroute (an ok verdict whose facts say traceroute: diagnose/traceroute.ts). */
const TRACEROUTE: { readonly en: CauseText; readonly zh: CauseText } = {
  en: {
    summary: '{target}: a traceroute ({transport}) through {hopsText}, {reachedText}',
    explanation:
      'The client sent probes with rising TTLs (hop limits) to {ip}; the routers on the way answered the probes that expired there with ICMP time exceeded, as traceroute means them to, and {reachedText}. The path: {path}. These ICMP messages are traceroute at work, not errors.',
    advice: [
      'Nothing to fix: this is the path the packets took. When a connection to {ip} fails, compare it with the route you expect (`ip route get {ip}`, `tracepath {ip}`, `mtr -n {ip}`).',
    ],
  },
  zh: {
    summary: '{target}：一次经过{hopsText}的 traceroute（{transport}），{reachedText}',
    explanation:
      '客户端向 {ip} 发送了 TTL（跳数限制）逐步增加的探测包；路径上的路由器对在其处到期的探测包回复了 ICMP 超时，这正是 traceroute 的工作方式，{reachedText}。路径：{path}。这些 ICMP 消息是 traceroute 正常运作的结果，不是错误。',
    advice: [
      '无需修复：这就是数据包所走的路径。当到 {ip} 的连接失败时，把它与预期的路由对比（`ip route get {ip}`、`tracepath {ip}`、`mtr -n {ip}`）。',
    ],
  },
};

function traceVars(v: Verdict, lang: Lang): Vars {
  if (v.facts['traceroute'] !== true) return {};
  const t = v.details['traceroute'] as { hops?: string[] } | undefined;
  const reached = v.facts['reached'] === true;
  const n = typeof v.facts['hopCount'] === 'number' ? v.facts['hopCount'] : 0;
  return {
    hopsText: lang === 'en' ? `${n} hop${n === 1 ? '' : 's'}` : ` ${n} 跳`,
    path: (t?.hops ?? []).join(' → '),
    reachedText: lang === 'en'
      ? (reached ? 'the destination answered the last probes' : 'no answer came from the destination itself (it, or a firewall before it, may drop the probes)')
      : (reached ? '目标本身回应了最后的探测包' : '目标本身没有回应（目标或其前面的防火墙可能丢弃了探测包）'),
  };
}

/** The words of a DHCP server's conflict check (an ok verdict whose facts say dhcpCheck: diagnose/dhcp-check.ts). */
const DHCP_CHECK: { readonly en: CauseText; readonly zh: CauseText } = {
  en: {
    summary: '{target}: a DHCP server\'s check that the address is free ({answerText}), then offered',
    explanation:
      'The DHCP server {client} pinged {ip} and then handed it out (frame {offerFrame}). A DHCP server probes an address before it allocates it (RFC 2131 §2.2; ISC dhcpd and dnsmasq do by default), and offers it only when nothing answers: {answerText} is the answer it hoped for, the address is free. Not a failure.',
    advice: [
      'Nothing to fix. Should clients report address conflicts, look for an echo reply to such a ping: the server then skips the address, and a host holds it without a lease (a static address inside the DHCP range).',
    ],
  },
  zh: {
    summary: '{target}：DHCP 服务器确认该地址空闲（{answerText}），随后分配了它',
    explanation:
      'DHCP 服务器 {client} 先 ping 了 {ip}，随后把它分配了出去（第 {offerFrame} 帧）。DHCP 服务器在分配地址前会探测该地址（RFC 2131 §2.2；ISC dhcpd 和 dnsmasq 默认如此），只有没有任何回应时才会提供它：{answerText}正是它所期望的结果，说明该地址空闲。这不是故障。',
    advice: [
      '无需修复。如果客户端报告地址冲突，请查找对这类 ping 的回显应答：服务器随后会跳过该地址，说明有主机在没有租约的情况下占用了它（DHCP 地址池内的静态地址）。',
    ],
  },
};

function dhcpVars(v: Verdict, lang: Lang): Vars {
  if (v.facts['dhcpCheck'] !== true) return {};
  const from = typeof v.facts['errorFrom'] === 'string' ? v.facts['errorFrom'] : '';
  const answer = v.facts['answer'];
  const answerText = answer === 'host_unreachable'
    ? (lang === 'en' ? `host unreachable from ${from}` : `${from} 回复了主机不可达`)
    : answer === 'icmp_error' ? (lang === 'en' ? `an ICMP error from ${from}` : `${from} 回复了 ICMP 差错`)
    : (lang === 'en' ? 'no reply' : '没有回应');
  return { answerText, client: v.client.ip ?? '' };
}

/** '1 failed attempt', '3 failed attempts' / '1 次失败尝试'. */
function failedAttempts(f: Args, lang: Lang): string {
  const n = typeof f['failed'] === 'number' ? f['failed'] : 1;
  return lang === 'en' ? `${n} failed attempt${n === 1 ? '' : 's'}` : ` ${n} 次失败尝试`;
}

export default defineCause({
  code: 'ok',
  layer: 'ok',
  severity: 'ok',
  live: 'end',
  rules: [OK_CONN, OK_DNS],
  vars: (v, lang) => ({ retriesNote: retriesNote(v.facts, lang), failedAttempts: failedAttempts(v.facts, lang), ...traceVars(v, lang), ...dhcpVars(v, lang) }),
  variants: { traceroute: TRACEROUTE, dhcpCheck: DHCP_CHECK },
  compose: (d, v, lang, vars) => {
    if (v.facts['traceroute'] === true) return fillText(TRACEROUTE[lang], vars);
    if (v.facts['dhcpCheck'] === true) return fillText(DHCP_CHECK[lang], vars);
    // A lookup whose earlier answers lost fragments: the advice on fragmented answers.
    if (v.severity === 'warning' && v.facts['failedCause'] === 'dns.fragments_lost') {
      return { ...d, advice: [d.advice[0]!.replace(/`attemptsSeen`[^)）]*/, '`failedAttempts`'), ...FRAGMENT_ADVICE.map((a) => fill(a[lang], vars))] };
    }
    // The IPv6 line only when the attempt that failed went to an IPv6 address.
    return v.severity !== 'warning' || (typeof v.facts['failedIp'] === 'string' && v.facts['failedIp'].includes(':')) ? d : { ...d, advice: d.advice.slice(0, 1) };
  },
  words: {
    en: {
      summary: '{target}: worked at every layer seen',
      explanation:
        'Every step of this exchange that the capture shows completed: name resolution, the TCP connection, the TLS handshake and the HTTP answer, where present. If a program still reports an error for {target}, the cause is above what the packets show, or on traffic this capture did not see.',
      advice: [
        'Nothing to fix on the network path for this target.',
        'If a program still fails, capture on the machine that runs it while it fails, and check its traffic goes where you expect: a proxy (`env | grep -i proxy`), another resolver in /etc/resolv.conf or IPv6 can send it elsewhere.',
        'Compare with `curl -v` against the same URL from the same machine.',
      ],
    },
    zh: {
      summary: '{target}：所见各层均正常',
      explanation:
        '抓包中能看到的每一步都已完成：域名解析、TCP 连接、TLS 握手以及 HTTP 应答（如有）。如果程序对 {target} 仍然报错，原因在数据包之上的层面，或在本次抓包没有捕获到的流量中。',
      advice: [
        '该目标的网络路径无需修复。',
        '如果程序仍然失败，请在运行它的机器上、在失败发生时抓包，并确认流量去往预期的地址：代理（`env | grep -i proxy`）、/etc/resolv.conf 中的其他 DNS 服务器或 IPv6 都可能让流量走向别处。',
        '在同一台机器上用 `curl -v` 访问同一 URL 进行对比。',
      ],
    },
  },
  warning: {
    en: {
      summary: '{target}: worked in the end, after {failedAttempts}',
      explanation:
        'The exchange with {target} completed, but not at the first try: {retriesNote}. Each failed attempt costs a timeout or a retry, which users notice as slowness, and the failure returns when the working path is unavailable.',
      advice: [
        'Read the failed attempt in the evidence and the details (`attemptsSeen`: address, cause, frame) and fix it as a failure of its own: its cause\'s advice applies.',
        'IPv6 filtered, then IPv4 worked: check the IPv6 route (`ip -6 route`) and the IPv6 rules of the security group and host firewall (`ip6tables -L -n`), or stop publishing the AAAA record until IPv6 works.',
      ],
    },
    zh: {
      summary: '{target}：经过{failedAttempts}后最终成功',
      explanation:
        '与 {target} 的交互最终完成，但不是第一次就成功：{retriesNote}。每次失败都会带来一次超时或重试，用户会感到变慢；当正常路径不可用时，故障会重现。',
      advice: [
        '查看证据和详细信息（`attemptsSeen`：地址、原因、帧）中的失败尝试，并把它作为独立故障处理：适用该原因的排查建议。',
        'IPv6 被过滤、随后 IPv4 成功：检查 IPv6 路由（`ip -6 route`）以及安全组和主机防火墙的 IPv6 规则（`ip6tables -L -n`），或在 IPv6 修好之前不要发布 AAAA 记录。',
      ],
    },
  },
});
