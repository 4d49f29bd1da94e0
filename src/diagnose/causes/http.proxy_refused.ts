/**
 * http.proxy_refused: an HTTP proxy refused CONNECT (details.status)
 */
import { defineCause } from '../cause.js';
import { outcome, type ConnRule } from '../outcome.js';
import { proof, way } from '../evidence.js';
import { evidenceKind } from '../words.js';
import { challengeOf, firstFailure, isChallenge } from '../auth-retry.js';
import { authSteps } from './http.error_status.js';

const CONNECT = evidenceKind<{ authority: string }>('http_connect', {
  en: (a) => `CONNECT ${a.authority}`,
  zh: (a) => `CONNECT ${a.authority}`,
});

const STATUS_LINE = evidenceKind<{ status: number; reason: string | null }>('http_status', {
  en: (a) => `${a.status} ${a.reason ?? ''}`.trim(),
  zh: (a) => `${a.status} ${a.reason ?? ''}`.trim(),
});

/** A CONNECT answered with anything but 2xx. */
const PROXY_REFUSED: ConnRule = {
  on: 'conn',
  rank: 100,
  produces: ['http.proxy_refused'],
  run(f) {
    // A 407 the client answered with a CONNECT carrying Proxy-Authorization: a step (auth-retry.ts).
    const found = f.http ? firstFailure(f.http.exchanges, (e) => e.method === 'CONNECT' && e.status !== null && (e.status < 200 || e.status >= 300)) : null;
    if (!found) return null;
    const ex = found.ex;
    const o = outcome('http.proxy_refused', [
      proof(CONNECT, ex.requestFrame, ex.requestTime, way(f.conn, true), { authority: ex.target }),
      proof(STATUS_LINE, ex.responseFrame!, ex.responseTime!, way(f.conn, false), { status: ex.status!, reason: ex.reason }),
    ], { status: ex.status, reason: ex.reason, authority: ex.target, ...authSteps(found.steps) }, { status: ex.status, reason: ex.reason ?? '', proxy: f.conn.resp.ip, proxyPort: f.conn.resp.port });
    if (isChallenge(ex)) o.authChallenge = challengeOf(ex);
    return o;
  },
};

export default defineCause({
  code: 'http.proxy_refused',
  layer: 'http',
  severity: 'error',
  live: 'end',
  rules: [PROXY_REFUSED],
  words: {
    en: {
      summary: '{target}: the proxy refused to open a tunnel (CONNECT answered {status} {reason})',
      explanation:
        'The client asked the HTTP proxy at {proxy} port {proxyPort} to CONNECT to {target}, and the proxy answered {status} {reason} instead of opening the tunnel: its policy does not allow this destination or port, it wants authentication (407), or it could not reach the destination itself (502 / 503 / 504).',
      advice: [
        '407: give the proxy credentials (http_proxy=http://user:password@proxy:port, or the program\'s proxy settings).',
        '403: the proxy\'s policy blocks this domain or port; ask its administrator to allow it (Squid: `http_access`, the `SSL_ports` / CONNECT port ACL).',
        'Check which proxy is used and whether {target} should bypass it (`no_proxy`): `env | grep -i proxy`.',
        '502 / 503 / 504: the proxy itself could not reach {target}: the failure is on the proxy\'s side (its DNS, firewall, security group outbound rules).',
      ],
    },
    zh: {
      summary: '{target}：代理拒绝建立隧道（CONNECT 返回 {status} {reason}）',
      explanation:
        '客户端请求位于 {proxy} 端口 {proxyPort} 的 HTTP 代理 CONNECT 到 {target}，代理返回 {status} {reason}，没有建立隧道：其策略不允许该目标或端口、要求认证（407），或代理自身无法访问目标（502 / 503 / 504）。',
      advice: [
        '407：为代理提供凭据（http_proxy=http://user:password@proxy:port，或程序的代理设置）。',
        '403：代理策略拦截了该域名或端口；请代理管理员放行（Squid：`http_access`、`SSL_ports` / CONNECT 端口 ACL）。',
        '检查实际使用的是哪个代理，以及 {target} 是否应绕过代理（`no_proxy`）：`env | grep -i proxy`。',
        '502 / 503 / 504：代理自身无法访问 {target}：故障在代理一侧（其 DNS、防火墙、安全组出站规则）。',
      ],
    },
  },
});
