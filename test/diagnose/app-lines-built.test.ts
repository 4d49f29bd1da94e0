/**
 * app.refused and app.login_failed, built packet by packet: FTP, SMTP, POP3 and IMAP servers
 * turning the client away in their greeting or refusing its login (track/lines.ts), and what is
 * not claimed — a login that worked after a refused one, a greeting the capture may not hold
 * from its start, a POP3 AUTH without a mechanism, a multi-line reply's odd line, credentials.
 * The real-stack samples are ftp-login-failed.pcap and ftp-too-many-users.pcap (vsftpd, curl).
 */
import { describe, expect, it } from 'vitest';
import { openStream } from '../../src/capture/open.js';
import { analyze } from '../../src/analyze.js';
import type { Report } from '../../src/report/model.js';
import { verdictWords } from '../../src/report/words.js';
import { redactReport } from '../../src/report/redact.js';
import { LineReader } from '../../src/track/lines.js';
import { TcpConversation, ascii, pcapFile } from '../helpers/index.js';

const SERVER = '198.51.100.25';

type Step = ['s' | 'c', string];

/** A connection to SERVER:port in which the server and the client say `steps` in turn, then close. */
async function run(port: number, steps: Step[], o: { noHandshake?: boolean } = {}): Promise<Report> {
  const c = new TcpConversation({ client: ['192.0.2.10', 40100], server: [SERVER, port] });
  if (!o.noHandshake) {
    c.syn();
    c.synAck();
    c.ack('client');
  }
  for (const [who, text] of steps) {
    c.wait(0.01);
    c.send(who === 's' ? 'server' : 'client', ascii(`${text}\r\n`));
    c.ack(who === 's' ? 'client' : 'server');
  }
  c.fin('client');
  c.fin('server');
  c.ack('client');
  const bytes = pcapFile({ linkType: c.linkType }, c.frames);
  async function* one(): AsyncIterable<Uint8Array> {
    yield bytes;
  }
  return analyze(await openStream(one(), { name: 'built.pcap' }), { all: true });
}
const verdict = (r: Report) => r.verdicts.find((v) => v.target.ip === SERVER)!;
const causeOf = (r: Report) => [verdict(r).cause, verdict(r).severity];

describe('a server that turns the client away in its greeting', () => {
  it('SMTP 554 greeting: app.refused, the reply in the words and the evidence', async () => {
    const r = await run(25, [['s', '554 mail.corp.example.de ESMTP not accepting mail from your network'], ['c', 'QUIT'], ['s', '221 bye']]);
    const v = verdict(r);
    expect(causeOf(r)).toEqual(['app.refused', 'error']);
    expect(v.details).toMatchObject({ protocol: 'smtp', code: '554', stage: 'greeting' });
    const en = verdictWords(v, 'en');
    expect(en.summary).toBe(`${SERVER}:25: the SMTP server turned the client away in its greeting (554)`);
    expect(en.explanation).toContain('"554 mail.corp.example.de ESMTP not accepting mail from your network"');
    expect(verdictWords(v, 'zh').summary).toContain('问候语中拒绝');
    // --redact: the host the server names in its own words is a name like any other.
    const red = JSON.stringify(redactReport(r));
    expect(red).not.toContain('corp.example.de');
  });

  it('FTP 421 after a multi-line 220- whose lines carry another code: the odd line does not end it', async () => {
    const odd = await run(21, [['s', '220-Welcome'], ['s', '421 not the end of the reply'], ['s', '220 ready'], ['c', 'QUIT'], ['s', '221 bye']]);
    expect(causeOf(odd)).toEqual(['ok', 'ok']);
    const r = await run(21, [['s', '421 There are too many connected users, please try later.']]);
    expect(causeOf(r)).toEqual(['app.refused', 'error']);
  });

  it('POP3 -ERR and IMAP * BYE greetings', async () => {
    expect(causeOf(await run(110, [['s', '-ERR [SYS/TEMP] server busy']]))).toEqual(['app.refused', 'error']);
    expect(causeOf(await run(143, [['s', '* BYE Too many connections']]))).toEqual(['app.refused', 'error']);
  });

  it('not claimed when the capture does not hold the connection from its start (the first reply seen may be any)', async () => {
    const r = await run(25, [['s', '550 5.1.1 mailbox unavailable'], ['c', 'QUIT'], ['s', '221 bye']], { noHandshake: true });
    expect(r.verdicts.filter((v) => v.cause === 'app.refused')).toEqual([]);
  });
});

describe('a login the server refused', () => {
  it('FTP USER / 331 / PASS / 530: app.login_failed, and the password is in no report', async () => {
    const r = await run(21, [['s', '220 (vsFTPd 3.0.3)'], ['c', 'USER alice'], ['s', '331 Please specify the password.'], ['c', 'PASS s3cret-Pw'], ['s', '530 Login incorrect.'], ['c', 'QUIT'], ['s', '221 Goodbye.']]);
    const v = verdict(r);
    expect(causeOf(r)).toEqual(['app.login_failed', 'error']);
    expect(v.details).toMatchObject({ protocol: 'ftp', command: 'PASS', code: '530', reply: '530 Login incorrect.' });
    expect(verdictWords(v, 'en').summary).toBe(`${SERVER}:21: the FTP server refused the login (530 after PASS)`);
    expect(JSON.stringify(r)).not.toContain('s3cret');
    expect(JSON.stringify(r)).not.toContain('alice');
  });

  it('a refused login followed by one that worked in the same connection is no failure', async () => {
    const r = await run(21, [['s', '220 hi'], ['c', 'USER a'], ['s', '331 pw'], ['c', 'PASS x'], ['s', '530 Login incorrect.'], ['c', 'USER a'], ['s', '331 pw'], ['c', 'PASS y'], ['s', '230 Login successful.']]);
    expect(causeOf(r)).toEqual(['ok', 'ok']);
  });

  it('SMTP AUTH answered 535 after its challenge lines; accepted with 235 is no failure', async () => {
    const bad = await run(587, [['s', '220 mx ESMTP'], ['c', 'EHLO me'], ['s', '250 mx'], ['c', 'AUTH LOGIN'], ['s', '334 VXNlcm5hbWU6'], ['c', 'dXNlcg=='], ['s', '334 UGFzc3dvcmQ6'], ['c', 'cGFzcw=='], ['s', '535 5.7.8 Authentication credentials invalid']]);
    expect(causeOf(bad)).toEqual(['app.login_failed', 'error']);
    expect(verdict(bad).details).toMatchObject({ command: 'AUTH', code: '535' });
    const noTls = await run(587, [['s', '220 mx ESMTP'], ['c', 'AUTH PLAIN AGEAYg=='], ['s', '530 5.7.0 Must issue a STARTTLS command first']]);
    expect(causeOf(noTls)).toEqual(['app.login_failed', 'error']);
    const good = await run(587, [['s', '220 mx ESMTP'], ['c', 'AUTH PLAIN AGEAYg=='], ['s', '235 2.7.0 Authentication successful']]);
    expect(causeOf(good)).toEqual(['ok', 'ok']);
  });

  it('POP3: AUTH without a mechanism is a question (no claim); PASS answered -ERR is a refused login', async () => {
    const probe = await run(110, [['s', '+OK ready'], ['c', 'AUTH'], ['s', '-ERR 1 argument required'], ['c', 'QUIT'], ['s', '+OK bye']]);
    expect(causeOf(probe)).toEqual(['ok', 'ok']);
    const bad = await run(110, [['s', '+OK ready'], ['c', 'USER bob'], ['s', '+OK'], ['c', 'PASS nope'], ['s', '-ERR [AUTH] Authentication failed.']]);
    expect(causeOf(bad)).toEqual(['app.login_failed', 'error']);
    expect(verdict(bad).details).toMatchObject({ command: 'PASS', code: '-ERR' });
  });

  it('IMAP: a tagged NO to LOGIN is refused; another tag\'s NO or an untagged line is not its answer', async () => {
    const bad = await run(143, [['s', '* OK IMAP4rev1 ready'], ['c', 'a1 LOGIN bob pw'], ['s', '* NO [ALERT] something else'], ['s', 'a1 NO [AUTHENTICATIONFAILED] Authentication failed.']]);
    expect(causeOf(bad)).toEqual(['app.login_failed', 'error']);
    const other = await run(143, [['s', '* OK ready'], ['c', 'a1 LOGIN bob pw'], ['s', 'a0 NO not yours'], ['s', 'a1 OK LOGIN completed']]);
    expect(causeOf(other)).toEqual(['ok', 'ok']);
  });
});

describe('a message the SMTP server rejected', () => {
  const hello: Step[] = [['s', '220 mx.example.net ESMTP'], ['c', 'EHLO client.example'], ['s', '250-mx.example.net'], ['s', '250 PIPELINING']];

  it('its only recipient refused (relaying denied): app.mail_rejected at RCPT, the addresses in no report', async () => {
    const r = await run(25, [...hello, ['c', 'MAIL FROM:<a@client.example>'], ['s', '250 2.1.0 Ok'], ['c', 'RCPT TO:<bob@elsewhere.example>'], ['s', '554 5.7.1 <bob@elsewhere.example>: Relay access denied'], ['c', 'QUIT'], ['s', '221 Bye']]);
    const v = verdict(r);
    expect(causeOf(r)).toEqual(['app.mail_rejected', 'error']);
    expect(v.details).toMatchObject({ protocol: 'smtp', command: 'RCPT', code: '554', refusedRecipients: 1, acceptedRecipients: 0 });
    const en = verdictWords(v, 'en');
    expect(en.summary).toBe(`${SERVER}:25: the SMTP server rejected the message (554)`);
    expect(en.explanation).toContain('refused its recipient (RCPT TO): "554 5.7.1');
    expect(v.evidence.map((e) => e.kind)).toEqual(['smtp_command', 'app_reply']);
    expect(JSON.stringify(v.evidence)).not.toContain('a@client.example');
  });

  it('pipelined (MAIL, RCPT, RCPT, DATA in one segment): each reply answers its command', async () => {
    const r = await run(25, [...hello, ['c', 'MAIL FROM:<a@c.example>\r\nRCPT TO:<x@d.example>\r\nRCPT TO:<y@d.example>\r\nDATA'],
      ['s', '250 2.1.0 Ok\r\n550 5.1.1 <x@d.example>: Recipient address rejected\r\n550 5.1.1 <y@d.example>: Recipient address rejected\r\n554 5.5.1 Error: no valid recipients'], ['c', 'QUIT'], ['s', '221 Bye']]);
    const v = verdict(r);
    expect(causeOf(r)).toEqual(['app.mail_rejected', 'error']);
    expect(v.details).toMatchObject({ command: 'RCPT', code: '550', refusedRecipients: 2, acceptedRecipients: 0 });
    expect(verdictWords(v, 'en').explanation).toContain('each of its 2 recipients (RCPT TO)');
  });

  it('the sender refused (MAIL FROM 553), the message refused at the end of DATA (554)', async () => {
    const mail = await run(25, [...hello, ['c', 'MAIL FROM:<a@c.example>'], ['s', '553 5.7.1 Sender address rejected: not owned by user']]);
    expect(verdict(mail).details).toMatchObject({ command: 'MAIL', code: '553' });
    const data = await run(25, [...hello, ['c', 'MAIL FROM:<a@c.example>'], ['s', '250 Ok'], ['c', 'RCPT TO:<b@d.example>'], ['s', '250 Ok'], ['c', 'DATA'], ['s', '354 go ahead'],
      ['c', 'Subject: hi'], ['c', ''], ['c', '550 this line is the message, not a reply'], ['c', '.'], ['s', '554 5.7.1 Message rejected as spam'], ['c', 'QUIT'], ['s', '221 Bye']]);
    expect(causeOf(data)).toEqual(['app.mail_rejected', 'error']);
    expect(verdict(data).details).toMatchObject({ command: 'DATA', code: '554', acceptedRecipients: 1 });
  });

  it('not claimed: one recipient of two refused, a temporary refusal (451 greylisting), a bad command sequence (503), a message sent', async () => {
    const some = await run(25, [...hello, ['c', 'MAIL FROM:<a@c.example>'], ['s', '250 Ok'], ['c', 'RCPT TO:<x@d.example>'], ['s', '550 5.1.1 no such user'], ['c', 'RCPT TO:<y@d.example>'], ['s', '250 Ok'],
      ['c', 'DATA'], ['s', '354 go'], ['c', 'hi'], ['c', '.'], ['s', '250 2.0.0 queued']]);
    expect(causeOf(some)).toEqual(['ok', 'ok']);
    const grey = await run(25, [...hello, ['c', 'MAIL FROM:<a@c.example>'], ['s', '250 Ok'], ['c', 'RCPT TO:<x@d.example>'], ['s', '451 4.7.1 Greylisted, try again later'], ['c', 'QUIT'], ['s', '221 Bye']]);
    expect(causeOf(grey)).toEqual(['ok', 'ok']);
    const seq = await run(25, [...hello, ['c', 'RCPT TO:<x@d.example>'], ['s', '503 5.5.1 Error: need MAIL command'], ['c', 'QUIT'], ['s', '221 Bye']]);
    expect(causeOf(seq)).toEqual(['ok', 'ok']);
  });
});

describe('the line reader', () => {
  it('reads lines split across segments, skips overlong ones, and stops at a gap', () => {
    const r = new LineReader('ftp');
    const feed = (fromClient: boolean, s: string) => r.data(fromClient, ascii(s), 0, s.length, 1, 0);
    feed(false, '220 he');
    feed(false, 'llo\r\n');
    expect(r.session.greeting?.text).toBe('220 hello');
    feed(true, `USER ${'x'.repeat(2000)}\r\n`);
    feed(false, '530 no\r\n');
    // The overlong command was skipped: no login was pending, so the 530 answers nothing.
    expect(r.session.loginFailed).toBeNull();
    r.gap();
    feed(true, 'PASS a\r\n');
    feed(false, '530 no\r\n');
    expect(r.session.loginFailed).toBeNull();
    expect(r.session.gap).toBe(true);
  });

  it('never throws on any bytes, and reads at most its bound of lines', () => {
    const r = new LineReader('smtp');
    const junk = new Uint8Array(70_000);
    for (let i = 0; i < junk.length; i++) junk[i] = (i * 131 + 7) & 255;
    expect(() => r.data(false, junk, 0, junk.length, 1, 0)).not.toThrow();
    const lines = ascii('250 ok\r\n'.repeat(200));
    expect(() => r.data(false, lines, 0, lines.length, 2, 0)).not.toThrow();
  });
});
