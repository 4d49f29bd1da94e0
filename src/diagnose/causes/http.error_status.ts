/**
 * http.error_status: HTTP answered 4xx/5xx (details.status)
 */
import { defineCause } from '../cause.js';
import { outcome, type ConnRule } from '../outcome.js';
import { HTTP_REQUEST, HTTP_RESPONSE, proof, way } from '../evidence.js';
import { challengeOf, firstFailure, isChallenge } from '../auth-retry.js';
import type { HttpExchange } from '../../track/http.js';

/**
 * A 4xx or 5xx answer to a request other than CONNECT. A 401 or 407 the client answered by sending
 * the request again with credentials is a step of the auth exchange: the answer to the request sent
 * again is judged instead (auth-retry.ts).
 */
const ERROR_STATUS: ConnRule = {
  on: 'conn',
  rank: 110,
  produces: ['http.error_status'],
  run(f) {
    const found = f.http ? firstFailure(f.http.exchanges, (e) => e.status !== null && e.status >= 400 && e.method !== 'CONNECT') : null;
    if (!found) return null;
    const ex = found.ex;
    const o = outcome('http.error_status', [
      proof(HTTP_REQUEST, ex.requestFrame, ex.requestTime, way(f.conn, true), { method: ex.method, path: ex.target, host: ex.host }),
      proof(HTTP_RESPONSE, ex.responseFrame!, ex.responseTime!, way(f.conn, false), { status: ex.status!, reason: ex.reason }),
    ], { status: ex.status, reason: ex.reason, method: ex.method, path: ex.target, ...authSteps(found.steps) }, { status: ex.status, reason: ex.reason ?? '' });
    if (isChallenge(ex)) o.authChallenge = challengeOf(ex);
    return o;
  },
};

/** The auth challenges answered before the failure judged (details.authChallenges), if any. */
export function authSteps(steps: readonly HttpExchange[]): Record<string, unknown> {
  return steps.length === 0 ? {} : { authChallenges: steps.map((e) => ({ status: e.status, frame: e.responseFrame })) };
}

export default defineCause({
  code: 'http.error_status',
  layer: 'http',
  severity: 'error',
  live: 'end',
  rules: [ERROR_STATUS],
  words: {
    en: {
      summary: '{target}: the server answered HTTP {status} {reason}',
      explanation:
        'The network and the TCP connection worked; the HTTP server answered {status} {reason}. A 4xx status means the server refused this request (authentication, permission, path, rate); a 5xx status means the server, or something behind it, failed.',
      advice: [
        '401 / 403: credentials, tokens, IP allow-lists or a WAF rule; find the request in the server or WAF log.',
        '404: a wrong path or virtual host (the Host header); check the URL and that {host} is the right host.',
        '407: the proxy wants authentication: check the credentials in http_proxy / https_proxy (`env | grep -i proxy`).',
        '429: rate limited; slow down and honour Retry-After.',
        '502 / 503 / 504: a proxy or load balancer got no good answer from its backend: check the backend\'s health checks, the upstream service and its timeouts.',
        '`curl -v` with the same URL and headers shows the whole response; the body often states the reason.',
      ],
    },
    zh: {
      summary: '{target}：服务器返回 HTTP {status} {reason}',
      explanation:
        '网络和 TCP 连接都正常；HTTP 服务器返回了 {status} {reason}。4xx 状态表示服务器拒绝了这个请求（认证、权限、路径、频率）；5xx 状态表示服务器本身或其后端出错。',
      advice: [
        '401 / 403：凭据、令牌、IP 白名单或 WAF 规则；在服务器或 WAF 日志中查找该请求。',
        '404：路径或虚拟主机（Host 请求头）错误；检查 URL，并确认 {host} 是正确的主机。',
        '407：代理要求认证：检查 http_proxy / https_proxy 中的凭据（`env | grep -i proxy`）。',
        '429：请求频率受限；降低频率并遵守 Retry-After。',
        '502 / 503 / 504：代理或负载均衡没有从后端得到正常应答：检查后端健康检查、上游服务及其超时设置。',
        '用 `curl -v` 以相同的 URL 和请求头访问可看到完整响应；响应体中通常写有原因。',
      ],
    },
  },
});
