/**
 * tls.not_tls: the server answered the ClientHello in plain text (HTTP or another protocol): TLS
 * spoken to a port that does not speak it.
 */
import { defineCause } from '../cause.js';

export default defineCause({
  code: 'tls.not_tls',
  layer: 'tls',
  severity: 'error',
  live: 'packet',
  rules: [],
  planned: 'issue 22',
  words: {
    en: {
      summary: '{target}: the server answered the TLS ClientHello in plain text',
      explanation:
        'The client started TLS on port {port} of {ip} and the server answered with bytes that are not TLS: a plain-text service (HTTP or another protocol) listens there. The client spoke https:// to a port that speaks http://, or the port is wrong.',
      advice: [
        'Check the URL\'s scheme and port: `https://` needs the port where the service speaks TLS (usually 443); use `http://{host}:{port}/` if this port is plain HTTP.',
        'If TLS is meant to be on this port, check the server\'s configuration (nginx `listen {port} ssl;`, the application\'s TLS settings) and that a proxy in front does not terminate TLS elsewhere.',
        '`curl -v http://{host}:{port}/` shows what the port really speaks.',
      ],
    },
    zh: {
      summary: '{target}：服务器以明文回应了 TLS ClientHello',
      explanation:
        '客户端在 {ip} 的端口 {port} 上发起 TLS，服务器回应的字节却不是 TLS：那里监听的是明文服务（HTTP 或其他协议）。客户端对只支持 http:// 的端口使用了 https://，或者端口错了。',
      advice: [
        '检查 URL 的协议和端口：`https://` 需要使用服务提供 TLS 的端口（通常是 443）；如果该端口是明文 HTTP，请用 `http://{host}:{port}/`。',
        '如果该端口本应提供 TLS，检查服务器配置（nginx 的 `listen {port} ssl;`、应用的 TLS 设置），以及前端代理是否在别处终结了 TLS。',
        '`curl -v http://{host}:{port}/` 可以看到该端口实际使用的协议。',
      ],
    },
  },
});
