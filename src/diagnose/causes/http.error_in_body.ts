/**
 * http.error_in_body: the server answered 200 OK, but its whole answer is a short text that reads
 * as an error ("INVALIDPASSWORDID|Password or key and/or id are incorrect"). Every tool that reads
 * status codes (curl -f, monitoring, load balancers, a flow log) sees success; the program that
 * reads the answer fails on it. Practical Packet Analysis' weather_broken.pcapng: a weather
 * station's uploads rejected for a wrong password, in a 200 answer of 58 bytes.
 *
 * Claimed (a warning: the words are the server's, and only it knows what they mean) for a 200
 * answer whose body the capture holds whole, of BODY_HEAD (256) bytes or fewer, plain text (Content-Type
 * text/plain, text/html or none, no Content-Encoding; no markup, JSON or other structure: no
 * braces, brackets or angle brackets), printable, whose first line names an error among its first
 * four words (invalid, incorrect, denied, unauthorized, forbidden, failed, failure, error, wrong,
 * not allowed) and which names no success. The request's query string is left out of the report: such requests
 * carry the credentials the server refused.
 */
import { defineCause } from '../cause.js';
import { outcome, type ConnRule } from '../outcome.js';
import { HTTP_REQUEST, HTTP_RESPONSE, proof, way } from '../evidence.js';
import { BODY_HEAD, type HttpExchange } from '../../track/http.js';

/**
 * An error word among the first four words of the first line (a word may start with it:
 * "INVALIDPASSWORDID"): a message that says it failed, not a text that mentions an error somewhere
 * (robots.txt's "Disallow: /error").
 */
const ERROR_START = /^[^A-Za-z]*(?:[A-Za-z]+[^A-Za-z\n]+){0,3}(invalid|incorrect|denied|unauthori[sz]ed|forbidden|failed|failure|error|wrong|not allowed|not permitted)/i;
/** Structured data (JSON, JSONP, XML, HTML) carries such words as values: "{ "affiliate":"invalid" }". */
const STRUCTURE = /[{}[\]<>]/;
const SUCCESS_WORDS = /\b(success|successful|successfully|succeeded|no errors?|0 errors?)\b/i;
/** Characters of the server's text said in the explanation, and in the summary. */
const SAID = 160;
const SAID_SHORT = 60;

/** The answer's text when it is a short plain-text error message, else null. */
export function errorText(ex: HttpExchange): string | null {
  if (ex.status !== 200 || ex.bodyHead === null || ex.bodyBytes === 0 || ex.bodyBytes > BODY_HEAD) return null;
  const whole = ex.bodyKind === 'length' ? ex.bodyBytes === ex.bodyLength : ex.bodyKind === 'chunked' ? ex.lastChunk : ex.bodyKind === 'close';
  if (!whole || ex.bodyHead.length < ex.bodyBytes) return null;
  const text = ex.bodyHead.trim();
  if (text.length < 3 || STRUCTURE.test(text) || /[\x00-\x08\x0e-\x1f\x7f]/.test(text)) return null;
  return ERROR_START.test(text) && !SUCCESS_WORDS.test(text) ? text : null;
}

/** `text` cut to `n` characters, '…' when cut; line breaks as spaces. */
function cut(text: string, n: number): string {
  const one = text.replace(/\s+/g, ' ');
  return one.length <= n ? one : `${one.slice(0, n - 1)}…`;
}

const RULE: ConnRule = {
  on: 'conn',
  rank: 112,
  produces: ['http.error_in_body'],
  run(f) {
    for (const ex of f.http?.exchanges ?? []) {
      const text = errorText(ex);
      if (text === null || ex.responseFrame === null || ex.responseTime === null) continue;
      const path = ex.target.split('?')[0]!;
      const o = outcome('http.error_in_body', [
        proof(HTTP_REQUEST, ex.requestFrame, ex.requestTime, way(f.conn, true), { method: ex.method, path, host: ex.host }),
        proof(HTTP_RESPONSE, ex.responseFrame, ex.responseTime, way(f.conn, false), { status: 200, reason: ex.reason }),
      ], { status: 200, method: ex.method, path, bodyBytes: ex.bodyBytes, text: cut(text, SAID) },
      { method: ex.method, urlPath: path, serverText: cut(text, SAID), serverShort: cut(text, SAID_SHORT) }, 'warning');
      return o;
    }
    return null;
  },
};

export default defineCause({
  code: 'http.error_in_body',
  layer: 'http',
  severity: 'warning',
  live: 'end',
  rules: [RULE],
  words: {
    en: {
      summary: '{target}: HTTP 200 OK, but the answer is an error message: "{serverShort}"',
      explanation:
        'The server answered {method} {urlPath} with 200 OK — success for every tool that reads status codes (curl -f, monitoring, load balancers, flow logs) — but its whole answer is a short text that reads as an error: "{serverText}". The program that sent the request reads that answer and fails on it (a refused password or key, an unknown ID, a missing parameter), and nothing that looks at the status alone notices.',
      advice: [
        'Send the request again and read the answer: `curl -i http://{host}{urlPath}` with the parameters the program sends (its query string is left out of this report: it may hold the credentials the server refused).',
        'What the message names — a password, a key, an ID, a parameter — is what to check in the program\'s configuration, and on the server side whether the account or key is still valid.',
        'Make the monitoring of this service read the answer as well as the status (a keyword check): the status says OK.',
      ],
    },
    zh: {
      summary: '{target}：HTTP 200 OK，但应答内容是一条错误信息："{serverShort}"',
      explanation:
        '服务器对 {method} {urlPath} 回复了 200 OK——对所有只看状态码的工具（curl -f、监控、负载均衡、流日志）来说这就是成功——但它的全部应答只是一段读起来是错误的短文本："{serverText}"。发出请求的程序会读取这个应答并因此失败（密码或密钥被拒绝、ID 未知、缺少参数），而只看状态码的任何东西都察觉不到。',
      advice: [
        '重新发送请求并查看应答：`curl -i http://{host}{urlPath}`，带上程序发送的参数（本报告省略了请求的查询字符串：其中可能含有被服务器拒绝的凭据）。',
        '信息中提到的内容——密码、密钥、ID、参数——就是要在程序配置中检查的；在服务器端确认该账号或密钥是否仍然有效。',
        '让对该服务的监控在检查状态码之外也检查应答内容（关键字检查）：状态码显示的是正常。',
      ],
    },
  },
});
