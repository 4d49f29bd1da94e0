/**
 * app.mail_rejected: the SMTP server refused a message (track/lines.ts): its sender (MAIL FROM),
 * each of its recipients (RCPT TO), or the message itself at the end of DATA, with a permanent
 * refusal (550 to 554). The session worked; the mail was not sent through this server.
 */
import { defineCause } from '../cause.js';
import { isTcp, outcome, type ConnRule } from '../outcome.js';
import { proof, way } from '../evidence.js';
import { evidenceKind, type Vars } from '../words.js';
import type { Lang } from '../../lang.js';
import type { Verdict } from '../verdict.js';
import { APP_REPLY, replyVars } from './app.refused.js';

/** The client's command the server refused: its verb only (addresses are not kept). */
const SMTP_COMMAND = evidenceKind<{ verb: string }>('smtp_command', {
  en: (a) => (a.verb === '.' ? 'SMTP end of the message (DATA)' : `SMTP ${a.verb}`),
  zh: (a) => (a.verb === '.' ? 'SMTP 邮件内容结束（DATA）' : `SMTP ${a.verb}`),
});

/** What was refused, as words: the sender, the recipients, the message. */
function stageVars(v: Verdict, lang: Lang): Vars {
  const verb = String(v.facts['verb'] ?? '');
  const refused = Number(v.facts['refusedRecipients'] ?? 0);
  const en = verb === 'MAIL' ? 'the sender (MAIL FROM)' : verb === 'RCPT' ? (refused > 1 ? `each of its ${refused} recipients (RCPT TO)` : 'its recipient (RCPT TO)') : 'the message itself (at the end of DATA)';
  const zh = verb === 'MAIL' ? '发件人（MAIL FROM）' : verb === 'RCPT' ? (refused > 1 ? `全部 ${refused} 个收件人（RCPT TO）` : '收件人（RCPT TO）') : '邮件本身（DATA 结束时）';
  return { ...replyVars(v), stageText: lang === 'zh' ? zh : en };
}

/** A message refused: sender, every recipient, or its content (550–554). */
const MAIL_REFUSED: ConnRule = {
  on: 'conn',
  rank: 97,
  produces: ['app.mail_rejected'],
  run(f) {
    const s = f.lines;
    if (!s || s.mailRejected === null || !isTcp(f)) return null;
    const m = s.mailRejected;
    return outcome('app.mail_rejected', [
      proof(SMTP_COMMAND, m.frame, m.ts, way(f.conn, true), { verb: m.verb }),
      proof(APP_REPLY, m.reply.frame, m.reply.ts, way(f.conn, false), { protocol: 'SMTP', text: m.reply.text }),
    ], { protocol: 'smtp', command: m.verb === '.' ? 'DATA' : m.verb, code: m.reply.code, reply: m.reply.text, refusedRecipients: m.refusedRecipients, acceptedRecipients: m.acceptedRecipients },
    { protocol: 'SMTP', verb: m.verb, code: m.reply.code, reply: m.reply.text, refusedRecipients: m.refusedRecipients });
  },
};

export default defineCause({
  code: 'app.mail_rejected',
  layer: 'app',
  severity: 'error',
  live: 'end',
  rules: [MAIL_REFUSED],
  vars: (v, lang) => stageVars(v, lang),
  words: {
    en: {
      summary: '{target}: the SMTP server rejected the message ({code})',
      explanation:
        'The SMTP session with {ip} port {port} worked, but the server refused {stageText}: "{reply}". The mail was not sent through this server. Usual reasons: relaying denied (the server takes mail for other domains only from clients that log in, or from its own network), a recipient that does not exist, a sender address or domain the server refuses (SPF, DMARC, a blocklist, its policy), or a message too large (552).',
      advice: [
        'Read the reply in the evidence: the enhanced status code (5.7.1 policy or relaying, 5.1.1 no such user, 5.2.2 mailbox full, 5.3.4 too large) says which.',
        'Relaying denied: log in first (SMTP AUTH on port 587, usually after STARTTLS), or send through your own mail relay rather than straight to {host}.',
        'A refused sender: check the sending domain\'s SPF and DMARC records (`dig TXT <domain>`, `dig TXT _dmarc.<domain>`) include this client {client}, and whether {client} is on a blocklist (a DNSBL lookup).',
        'On the server, its mail log at that time names the rule that refused the message (/var/log/mail.log).',
      ],
    },
    zh: {
      summary: '{target}：SMTP 服务器拒收了邮件（{code}）',
      explanation:
        '与 {ip} 端口 {port} 的 SMTP 会话是通的，但服务器拒绝了{stageText}："{reply}"。邮件没有通过这台服务器发出。常见原因：拒绝中继（服务器只接受已登录的客户端或其自身网络发往其他域的邮件）、收件人不存在、服务器拒绝该发件地址或域（SPF、DMARC、黑名单、其策略），或邮件过大（552）。',
      advice: [
        '阅读证据中的应答：扩展状态码说明了原因（5.7.1 策略或中继、5.1.1 用户不存在、5.2.2 邮箱已满、5.3.4 邮件过大）。',
        '拒绝中继：先登录（在 587 端口上使用 SMTP AUTH，通常在 STARTTLS 之后），或者通过自己的邮件中继发送，而不是直接发往 {host}。',
        '发件人被拒绝：检查发件域的 SPF 和 DMARC 记录（`dig TXT <domain>`、`dig TXT _dmarc.<domain>`）是否包含该客户端 {client}，以及 {client} 是否在黑名单上（DNSBL 查询）。',
        '在服务器上，当时的邮件日志会写明拒收邮件的规则（/var/log/mail.log）。',
      ],
    },
  },
});
