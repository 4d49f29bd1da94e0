/**
 * http.no_response: request sent, no response before close or end of capture
 */
import { defineCause } from '../cause.js';
import { HTTP_UNANSWERED_RULE } from '../rules-http.js';

export default defineCause({
  code: 'http.no_response',
  layer: 'http',
  severity: 'error',
  live: 'end',
  rules: [HTTP_UNANSWERED_RULE],
  words: {
    en: {
      summary: '{target}: the request was sent but no HTTP response came back',
      explanation:
        'The client sent an HTTP request to {ip} port {port}, and the connection closed, or the capture ended {waited} s later, without any response. The server or a proxy in front of it hung, timed out, or closed the connection without answering.',
      advice: [
        'Check the server application: is it stuck (a slow database, an exhausted thread pool)? Find the request in its log.',
        'If a proxy or load balancer is in between, check its timeouts and its log.',
        'Reproduce with `curl -v --max-time 60 http://{host}:{port}/` and see how long the answer takes.',
        'If the capture ended soon after the request ({waited} s), capture longer: the answer may have come later.',
      ],
    },
    zh: {
      summary: '{target}：请求已发出，但没有收到 HTTP 响应',
      explanation:
        '客户端向 {ip} 端口 {port} 发送了 HTTP 请求，随后连接关闭（或抓包在 {waited} 秒后结束），始终没有响应。服务器或其前面的代理卡住、超时，或没有应答就关闭了连接。',
      advice: [
        '检查服务器应用是否卡住（数据库慢、线程池耗尽），并在其日志中查找该请求。',
        '如果中间有代理或负载均衡，检查其超时设置和日志。',
        '用 `curl -v --max-time 60 http://{host}:{port}/` 复现，看应答需要多长时间。',
        '如果抓包在请求之后很快就结束了（{waited} 秒），延长抓包时间：应答可能来得较晚。',
      ],
    },
  },
});
