/**
 * app.login_failed: the server refused the client's login and accepted none after it in the
 * connection (FTP, SMTP, POP3, IMAP on their ports: track/lines.ts).
 */
import { defineCause, withVariants, type Wording } from '../cause.js';
import { isTcp, outcome, type ConnRule } from '../outcome.js';
import { proof, way } from '../evidence.js';
import { evidenceKind } from '../words.js';
import { APP_REPLY, PROTOCOL_NAMES, replyVars } from './app.refused.js';

/** The client's login command: its verb only (what follows it, credentials, is never kept). */
const APP_LOGIN = evidenceKind<{ protocol: string; verb: string }>('app_login', {
  en: (a) => `${a.protocol} ${a.verb} (login; what follows is not shown)`,
  zh: (a) => `${a.protocol} ${a.verb}（登录；后面的内容不显示）`,
}, { en: (a) => `${a.protocol} ${a.verb}`, zh: (a) => `${a.protocol} ${a.verb}` });

/** A login the server accepted, after refused ones of the same client (diagnose.ts loginsTold). */
export const APP_LOGIN_ACCEPTED = evidenceKind<Record<string, never>>('app_login_accepted', {
  en: () => 'the server accepted a login (after the refused ones)',
  zh: () => '服务器接受了一次登录（在多次被拒绝之后）',
}, { en: () => 'login accepted', zh: () => '登录被接受' });

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

const GUESS_ADVICE = {
  en: [
    'Find out whether {client} is yours. If it is not, block it (fail2ban, the firewall) and read the server\'s authentication log for the user names it tried (/var/log/auth.log, /var/log/vsftpd.log, /var/log/mail.log); if it is, stop the program that keeps retrying and give it the right credentials.',
    'Make guessing useless: limit failed logins per client (fail2ban; vsftpd max_login_fails and delay_failed_login), lock or slow an account after failures, and offer no password login in plain text (FTP, POP3, IMAP, SMTP AUTH without TLS) where anyone can reach it.',
  ],
  zh: [
    '先确认 {client} 是否是自己的主机。如果不是，封禁它（fail2ban、防火墙），并在服务器的认证日志中查看它尝试过哪些用户名（/var/log/auth.log、/var/log/vsftpd.log、/var/log/mail.log）；如果是，停止那个不断重试的程序，并给它正确的凭据。',
    '让猜测无从得逞：限制每个客户端的失败登录次数（fail2ban；vsftpd 的 max_login_fails 和 delay_failed_login），多次失败后锁定账户或减慢登录，不要在任何人都能访问的地方提供明文密码登录（FTP、POP3、IMAP、不带 TLS 的 SMTP AUTH）。',
  ],
};

/** Many refused logins from one client: password guessing (diagnose.ts GUESSING_MIN). */
const GUESSING: Wording = {
  en: {
    summary: '{target}: {refusedLogins} logins of {client} refused: password guessing',
    explanation:
      'The {protocolName} server at {ip} port {port} refused {refusedLogins} logins of {client} within {guessSeconds} s, over {loginConns} connections; the last refused one was answered "{reply}", and none was accepted. A person who mistyped a password tries a few times; this many is a program trying passwords one after another (a brute-force or dictionary attack), or a program that retries a wrong password without end. The server did its part: it refused them.',
    advice: GUESS_ADVICE.en,
  },
  zh: {
    summary: '{target}：{client} 的 {refusedLogins} 次登录被拒绝：在猜测密码',
    explanation:
      '{ip} 端口 {port} 上的 {protocolName} 服务器在 {guessSeconds} 秒内、{loginConns} 个连接中拒绝了 {client} 的 {refusedLogins} 次登录；最后一次被拒绝时的应答是 "{reply}"，没有任何一次被接受。输错密码的人只会试几次；这么多次，是程序在逐个尝试密码（暴力破解或字典攻击），或者是程序在无休止地用错误的密码重试。服务器尽到了职责：拒绝了这些登录。',
    advice: GUESS_ADVICE.zh,
  },
};

/** Password guessing, then a login accepted: the guess that worked. */
const GUESSED: Wording = {
  en: {
    summary: '{target}: a login of {client} accepted after {refusedLogins} refused: a password guessed?',
    explanation:
      'The {protocolName} server at {ip} port {port} refused {refusedLogins} logins of {client} within {guessSeconds} s, over {loginConns} connections (the last refused one was answered "{reply}"), then accepted one (frame {acceptedFrame}). A person who mistyped a password tries a few times; this many is a program trying passwords one after another. If these were guesses, one was right: the account it logged in to is open to whoever sent them.',
    advice: [
      'Treat the account as taken until you know better: change its password, end its sessions, and read what {client} did once logged in (the commands after frame {acceptedFrame}, the server\'s logs).',
      ...GUESS_ADVICE.en,
    ],
  },
  zh: {
    summary: '{target}：{client} 在 {refusedLogins} 次登录被拒绝之后登录成功：密码被猜中了？',
    explanation:
      '{ip} 端口 {port} 上的 {protocolName} 服务器在 {guessSeconds} 秒内、{loginConns} 个连接中拒绝了 {client} 的 {refusedLogins} 次登录（最后一次被拒绝时的应答是 "{reply}"），随后接受了一次（第 {acceptedFrame} 帧）。输错密码的人只会试几次；这么多次，是程序在逐个尝试密码。如果这些是猜测，那么其中一次猜对了：它登录的账户已向发出这些尝试的人敞开。',
    advice: [
      '在弄清楚之前，把该账户当作已被盗用：修改密码、结束它的会话，并查看 {client} 登录后做了什么（第 {acceptedFrame} 帧之后的命令、服务器日志）。',
      ...GUESS_ADVICE.zh,
    ],
  },
};

const CAUSE = defineCause({
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

export default withVariants(CAUSE, { guessing: GUESSING, guessed: GUESSED }, (v) =>
  typeof v.facts['acceptedFrame'] === 'number' ? 'guessed' : typeof v.facts['refusedLogins'] === 'number' ? 'guessing' : null);
