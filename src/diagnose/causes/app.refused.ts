/**
 * app.refused: the server's greeting turned the client away (FTP, SMTP, POP3, IMAP on their
 * ports: track/lines.ts). The TCP connection worked; the service said no in its first words.
 */
import { defineCause } from '../cause.js';
import { isTcp, outcome, type ConnRule } from '../outcome.js';
import { proof, way } from '../evidence.js';
import { evidenceKind, type Vars } from '../words.js';
import type { LineProtocol } from '../../track/lines.js';
import type { Verdict } from '../verdict.js';

/** The protocols' names as a person writes them. */
export const PROTOCOL_NAMES: Record<LineProtocol, string> = { ftp: 'FTP', smtp: 'SMTP', pop3: 'POP3', imap: 'IMAP' };

/** A server's reply line, as it came (printable, cut: lines.ts). */
export const APP_REPLY = evidenceKind<{ protocol: string; text: string }>('app_reply', {
  en: (a) => `${a.protocol} reply: ${a.text}`,
  zh: (a) => `${a.protocol} 应答：${a.text}`,
}, { en: (a) => `${a.protocol} reply`, zh: (a) => `${a.protocol} 应答` });

/** The protocol's name and the reply's code and text, for the words. */
export function replyVars(v: Verdict): Vars {
  return { protocolName: String(v.facts['protocol'] ?? ''), code: String(v.facts['code'] ?? ''), reply: String(v.facts['reply'] ?? '') };
}

/** The greeting refused the client: FTP / SMTP 4xx or 5xx, POP3 -ERR, IMAP * BYE. */
const GREETING_REFUSED: ConnRule = {
  on: 'conn',
  rank: 95,
  produces: ['app.refused'],
  run(f) {
    const s = f.lines;
    // The server's first line is its greeting only when the stream is known from its start: the
    // SYN-ACK captured, no hole before it (else a reply in the middle of a session could read so).
    if (!s || !s.greetingRefused || s.greeting === null || s.gap || !isTcp(f) || f.conn.synAckFrame === 0) return null;
    const g = s.greeting;
    const name = PROTOCOL_NAMES[s.protocol];
    return outcome('app.refused', [proof(APP_REPLY, g.frame, g.ts, way(f.conn, false), { protocol: name, text: g.text })],
      { protocol: s.protocol, code: g.code, reply: g.text, stage: 'greeting' }, { protocol: name, code: g.code, reply: g.text });
  },
};

export default defineCause({
  code: 'app.refused',
  layer: 'app',
  severity: 'error',
  live: 'packet',
  rules: [GREETING_REFUSED],
  vars: (v) => replyVars(v),
  words: {
    en: {
      summary: '{target}: the {protocolName} server turned the client away in its greeting ({code})',
      explanation:
        'The TCP connection to {ip} port {port} worked, but the {protocolName} server\'s first words refused the client: "{reply}". The network path is fine; the service itself said no: a connection limit reached (too many users, or too many connections from this address), the client\'s address refused (a mail server\'s blocklist or its access rules), or a service shutting down or not offered to this network.',
      advice: [
        'Read the reply in the evidence: the server usually names its reason (too many connections, a blocklist, service not available).',
        'On the server, read its log for the client {client} at that time, and check its connection limits (vsftpd max_clients and max_per_ip; Postfix postscreen and smtpd_client_connection_count_limit; Dovecot mail_max_userip_connections).',
        'A mail server you do not run that refuses with 554 or 5xx: check whether your address {client} is on a blocklist (a DNSBL lookup), and whether it accepts mail from your network at all.',
        'See the greeting yourself: `nc -v {host} {port}`.',
      ],
    },
    zh: {
      summary: '{target}：{protocolName} 服务器在问候语中拒绝了客户端（{code}）',
      explanation:
        '到 {ip} 端口 {port} 的 TCP 连接是通的，但 {protocolName} 服务器的第一句话就拒绝了客户端："{reply}"。网络路径没有问题；是服务本身拒绝了：达到了连接数限制（用户过多，或来自该地址的连接过多）、客户端地址被拒绝（邮件服务器的黑名单或其访问规则），或服务正在关闭、不向该网络提供。',
      advice: [
        '阅读证据中的应答：服务器通常会写明原因（连接过多、黑名单、服务不可用）。',
        '在服务器上查看该时刻关于客户端 {client} 的日志，并检查其连接数限制（vsftpd 的 max_clients 和 max_per_ip；Postfix 的 postscreen 和 smtpd_client_connection_count_limit；Dovecot 的 mail_max_userip_connections）。',
        '如果是别人的邮件服务器以 554 或 5xx 拒绝：检查你的地址 {client} 是否在黑名单上（DNSBL 查询），以及对方是否接受来自你所在网络的邮件。',
        '自己查看问候语：`nc -v {host} {port}`。',
      ],
    },
  },
});
