/**
 * app.login_failed: the server refused the client's login and accepted none after it in the
 * connection (FTP, SMTP, POP3, IMAP on their ports: track/lines.ts).
 */
import { defineCause } from '../cause.js';
import { isTcp, outcome, type ConnRule } from '../outcome.js';
import { proof, way } from '../evidence.js';
import { evidenceKind } from '../words.js';
import { APP_REPLY, PROTOCOL_NAMES, replyVars } from './app.refused.js';

/** The client's login command: its verb only (what follows it, credentials, is never kept). */
const APP_LOGIN = evidenceKind<{ protocol: string; verb: string }>('app_login', {
  en: (a) => `${a.protocol} ${a.verb} (login; what follows is not shown)`,
  zh: (a) => `${a.protocol} ${a.verb}（登录；后面的内容不显示）`,
}, { en: (a) => `${a.protocol} ${a.verb}`, zh: (a) => `${a.protocol} ${a.verb}` });

/** A login refused (FTP 530, SMTP 535 / 534 / 538 / 454 / 530, POP3 -ERR, IMAP NO), none accepted after it. */
const LOGIN_REFUSED: ConnRule = {
  on: 'conn',
  rank: 96,
  produces: ['app.login_failed'],
  run(f) {
    const s = f.lines;
    if (!s || s.loginFailed === null || s.loginOk || !isTcp(f)) return null;
    const l = s.loginFailed;
    const name = PROTOCOL_NAMES[s.protocol];
    return outcome('app.login_failed', [
      proof(APP_LOGIN, l.frame, l.ts, way(f.conn, true), { protocol: name, verb: l.verb }),
      proof(APP_REPLY, l.reply.frame, l.reply.ts, way(f.conn, false), { protocol: name, text: l.reply.text }),
    ], { protocol: s.protocol, command: l.verb, code: l.reply.code, reply: l.reply.text }, { protocol: name, verb: l.verb, code: l.reply.code, reply: l.reply.text });
  },
};

export default defineCause({
  code: 'app.login_failed',
  layer: 'app',
  severity: 'error',
  // Said in the final report: a later login in the same connection may still work.
  live: 'end',
  rules: [LOGIN_REFUSED],
  vars: (v) => ({ ...replyVars(v), verb: String(v.facts['verb'] ?? '') }),
  words: {
    en: {
      summary: '{target}: the {protocolName} server refused the login ({code} after {verb})',
      explanation:
        'The connection to {ip} port {port} worked and the {protocolName} server greeted the client, but it refused the login: the client\'s {verb} was answered "{reply}", and no login was accepted after it in this connection. A wrong user name or password (or an expired password, or an account locked after failed tries), a way of logging in the server does not allow (a password in plain text before TLS, an authentication mechanism it does not offer), or a user not allowed on this service (FTP user lists, servers that take anonymous logins only).',
      advice: [
        'Check the credentials the program uses for {host}: the user name, the password, and whether the account is locked or expired; try them by hand (`curl -v ftp://USER@{host}/`, `curl -v --ssl-reqd smtp://{host}:{port} -u USER`).',
        'Read the server\'s authentication log for the client {client} at that time (/var/log/auth.log, /var/log/vsftpd.log, /var/log/mail.log).',
        'Check that the server allows this way of logging in: TLS first (STARTTLS, AUTH TLS) when it refuses plain-text passwords, the authentication mechanism the client offers, the user lists (vsftpd userlist_enable, /etc/ftpusers).',
        'Many refused logins from one client in a row are password guessing: block the client (fail2ban) rather than fix anything.',
      ],
    },
    zh: {
      summary: '{target}：{protocolName} 服务器拒绝了登录（{verb} 之后返回 {code}）',
      explanation:
        '到 {ip} 端口 {port} 的连接是通的，{protocolName} 服务器也向客户端发送了问候语，但拒绝了登录：客户端的 {verb} 得到的应答是 "{reply}"，此后在这个连接中没有任何登录被接受。可能是用户名或密码错误（或密码过期、多次失败后账户被锁定）、服务器不允许这种登录方式（在 TLS 之前以明文发送密码、它不提供的认证机制），或该用户不允许使用此服务（FTP 用户列表、只接受匿名登录的服务器）。',
      advice: [
        '检查程序访问 {host} 时使用的凭据：用户名、密码，以及账户是否被锁定或过期；手动试一下（`curl -v ftp://USER@{host}/`、`curl -v --ssl-reqd smtp://{host}:{port} -u USER`）。',
        '查看服务器在该时刻关于客户端 {client} 的认证日志（/var/log/auth.log、/var/log/vsftpd.log、/var/log/mail.log）。',
        '检查服务器是否允许这种登录方式：拒绝明文密码时需先启用 TLS（STARTTLS、AUTH TLS）、客户端提供的认证机制、用户列表（vsftpd 的 userlist_enable、/etc/ftpusers）。',
        '同一客户端连续多次登录被拒绝是在猜测密码：应封禁该客户端（fail2ban），而不是修复什么。',
      ],
    },
  },
});
