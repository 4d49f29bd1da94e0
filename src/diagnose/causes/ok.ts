/**
 * ok: the exchange worked at every layer seen
 */
import { defineCause } from '../cause.js';
import { isTcp, outcome, type ConnRule, type DnsRule, type EvidenceAt } from '../outcome.js';
import { CONN_START, FIRST_DATAGRAM, HTTP_RESPONSE, proof, way } from '../evidence.js';
import { serverHelloProof } from '../rules-tls.js';
import { dnsOutcome } from '../dns-group.js';
import { tlsVersionName } from '../../decode/names.js';
import { limitKind } from '../words.js';
import type { Args } from '../../facts.js';
import type { Lang } from '../../lang.js';

export const ONE_DIRECTION = limitKind('one_direction', {
  en: () => 'the capture holds only one direction of this connection, so it cannot show whether the exchange worked',
  zh: () => '抓包中只有该连接一个方向的数据，因此无法说明交互是否成功',
});

/** No rule found a failure: the connection worked at every layer seen (the last rule of the walk). */
const OK_CONN: ConnRule = {
  on: 'conn',
  rank: 1000,
  produces: ['ok'],
  run(f) {
    const c = f.conn;
    const ev: EvidenceAt[] = [proof(isTcp(f) ? CONN_START : FIRST_DATAGRAM, c.firstFrame, c.start, way(c, true), {})];
    if (f.tls?.serverHello) ev.push(serverHelloProof(c, f.tls));
    const ok = f.http?.exchanges.find((e) => e.status !== null);
    if (ok) ev.push(proof(HTTP_RESPONSE, ok.responseFrame!, ok.responseTime!, way(c, false), { status: ok.status!, reason: ok.reason }));
    const o = outcome('ok', ev, f.tls?.serverHello ? { tls: tlsVersionName(f.tls.serverHello.version) } : {}, {}, 'ok');
    if (c.orig.pkts === 0 || c.resp.pkts === 0) o.limits.push(ONE_DIRECTION.of({}));
    return o;
  },
};

/** Some answer gave the name an address. */
const OK_DNS: DnsRule = {
  on: 'dns',
  rank: 10,
  produces: ['ok'],
  run: (g) => (g.resolved ? dnsOutcome(g, 'ok', { answers: (g.addrs ?? []).map((a) => a.data) }, {}, 'ok') : null),
};

/** A short account of the attempts that failed before the target worked. */
function retriesNote(f: Args, lang: Lang): string {
  const failed = f['failed'];
  const conns = f['conns'];
  if (typeof failed !== 'number' || typeof conns !== 'number') return '';
  const what = typeof f['failedCause'] === 'string' ? `${f['failedCause']} (${String(f['failedIp'])})` : '';
  return lang === 'en'
    ? `${failed} of ${conns} attempts failed first${what ? `, e.g. ${what}` : ''}.`
    : `${conns} 次尝试中有 ${failed} 次先失败${what ? `，例如 ${what}` : ''}。`;
}

export default defineCause({
  code: 'ok',
  layer: 'ok',
  severity: 'ok',
  live: 'end',
  rules: [OK_CONN, OK_DNS],
  vars: (v, lang) => ({ retriesNote: retriesNote(v.facts, lang) }),
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
      summary: '{target}: worked in the end, after {attempts} failed attempt(s)',
      explanation:
        'The exchange with {target} completed, but earlier attempts failed on the way: {retriesNote}. Each failed attempt costs a timeout or a retry, which users notice as slowness, and the failure returns when the working path is unavailable.',
      advice: [
        'Read the failed attempts in the details and fix them as failures of their own.',
        'IPv6 filtered, then IPv4 worked: check the IPv6 route (`ip -6 route`) and the IPv6 rules of the security group and host firewall (`ip6tables -L -n`), or stop publishing the AAAA record until IPv6 works.',
        'A DNS query that had to be retried: check the resolvers in /etc/resolv.conf; the first one may be slow or unreachable (security group outbound UDP 53).',
      ],
    },
    zh: {
      summary: '{target}：经过 {attempts} 次失败尝试后最终成功',
      explanation:
        '与 {target} 的交互最终完成，但此前的尝试失败了：{retriesNote}。每次失败都会带来一次超时或重试，用户会感到变慢；当正常路径不可用时，故障会重现。',
      advice: [
        '查看详细信息中的失败尝试，并把它们作为独立故障处理。',
        'IPv6 被过滤、随后 IPv4 成功：检查 IPv6 路由（`ip -6 route`）以及安全组和主机防火墙的 IPv6 规则（`ip6tables -L -n`），或在 IPv6 修好之前不要发布 AAAA 记录。',
        'DNS 查询需要重试：检查 /etc/resolv.conf 中的 DNS 服务器；第一个可能很慢或不可达（安全组出站 UDP 53）。',
      ],
    },
  },
});
