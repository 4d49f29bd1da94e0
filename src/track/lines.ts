/**
 * Server-first line protocols on their own ports — FTP (21), SMTP (25, submission 587), POP3
 * (110), IMAP (143) — read for what turns a client away with the connection itself working: the
 * server's greeting refusing it (FTP and SMTP 4xx/5xx, RFC 959 §4.2 and RFC 5321 §3.1; POP3 -ERR,
 * RFC 1939 §4; IMAP "* BYE", RFC 9051 §7.1.5), or its login refused (FTP 530 after USER or PASS;
 * SMTP 535, 534, 538, 454 or 530 after AUTH, RFC 4954 §6 and RFC 3207 §4; POP3 -ERR after USER,
 * PASS, APOP or AUTH; IMAP a tagged NO after LOGIN or AUTHENTICATE) with no login that worked
 * after it (FTP 230, SMTP 235, POP3 +OK, IMAP tagged OK); and on SMTP, a message refused for good
 * (550 to 554, RFC 5321 §4.2.2): its sender, each of its recipients, or its content at the end of
 * DATA.
 *
 * Lines are read from the reassembled stream of each direction (tracker.ts, a stream the server
 * spoke first on), at most MAX_LINES per direction and MAX_LINE bytes each (a longer line is
 * skipped); reading stops when TLS starts (AUTH TLS, STARTTLS, STLS accepted) or past the lines.
 * Nothing the client sends after the command word is kept: credentials never reach a report.
 */
import type { Time } from './types.js';

export type LineProtocol = 'ftp' | 'smtp' | 'pop3' | 'imap';

/** The protocol a server port speaks here, or null. */
export function lineProtocolOf(port: number): LineProtocol | null {
  switch (port) {
    case 21:
      return 'ftp';
    case 25:
    case 587:
      return 'smtp';
    case 110:
      return 'pop3';
    case 143:
      return 'imap';
    default:
      return null;
  }
}

/** A server reply: its final line (a multi-line FTP / SMTP reply's last), printable, cut to MAX_TEXT. */
export interface LineReply {
  frame: number;
  ts: Time;
  /** The reply's code: '530', '-ERR', 'NO', 'BYE', … */
  code: string;
  text: string;
  /** IMAP: the reply's tag ('*' untagged). */
  tag?: string;
}

export interface LineSession {
  protocol: LineProtocol;
  /** The server's first reply. */
  greeting: LineReply | null;
  /** The greeting turned the client away. */
  greetingRefused: boolean;
  /** The first login the server refused: the client's command (its verb only) and the reply. */
  loginFailed: { frame: number; ts: Time; verb: string; reply: LineReply } | null;
  /** The last login the server answered was accepted. */
  loginOk: boolean;
  /** Logins the server refused in the connection (each answer counted once). */
  loginsRefused: number;
  /** The last login the server accepted: the frame and time of its accepting reply; null when none was. */
  loginAccepted: { frame: number; ts: Time } | null;
  /** TLS was started in the connection (what follows is not read). */
  tls: boolean;
  /** Bytes of the stream were missing (capture loss): nothing after them was read. */
  gap: boolean;
  /**
   * SMTP: the first message the server refused — its MAIL FROM, its end of DATA, or every one of
   * its recipients refused with 550 to 554 (a permanent refusal: RFC 5321 §4.2.2) — the command
   * refused (its verb; '.' for the end of DATA) and the reply; recipients refused and accepted.
   */
  mailRejected: { frame: number; ts: Time; verb: string; reply: LineReply; refusedRecipients: number; acceptedRecipients: number } | null;
}

const MAX_LINES = 64;
const MAX_LINE = 512;
const MAX_TEXT = 96;
const CR = 13;
const LF = 10;

/** Each direction's line being read: its bytes so far as text, and whether it is being skipped (too long). */
interface Dir {
  part: string;
  skip: boolean;
  lines: number;
}

/** The reader behind a LineSession (kept in the tracker's stream state). */
/**
 * An FTP data connection announced on a control connection: the address and port it will be
 * opened to — the server's for passive mode (227 "(h1,h2,h3,h4,p1,p2)", RFC 959; 229 "(|||port|)",
 * RFC 2428, whose address is the control connection's server: null), the client's for active
 * mode (PORT h1,h2,h3,h4,p1,p2; EPRT |1|addr|port|, the server connecting from port 20).
 */
export type DataChannel = (ip: string | null, port: number, ts: Time) => void;

/** 227's or PORT's six numbers: address and port, or null. */
function hostPort(text: string): { ip: string; port: number } | null {
  const m = /(\d{1,3}),(\d{1,3}),(\d{1,3}),(\d{1,3}),(\d{1,3}),(\d{1,3})/.exec(text);
  if (m === null) return null;
  const n = m.slice(1).map(Number);
  if (n.some((x) => x > 255)) return null;
  const port = n[4]! * 256 + n[5]!;
  return port === 0 ? null : { ip: n.slice(0, 4).join('.'), port };
}

/** EPRT's or 229's delimited fields (|1|192.0.2.5|40000| or (|||40000|)): address (null when empty) and port, or null. */
function extendedHostPort(text: string): { ip: string | null; port: number } | null {
  const m = /([!-~])([12]?)\1([0-9a-fA-F.:]*)\1(\d{1,5})\1/.exec(text);
  if (m === null) return null;
  const port = Number(m[4]);
  return port > 0 && port < 65536 ? { ip: m[3] === '' ? null : m[3]!.toLowerCase(), port } : null;
}

export class LineReader {
  readonly session: LineSession;
  /** FTP: told of each data connection announced (passive replies, PORT / EPRT commands). */
  onDataChannel: DataChannel | null = null;
  private readonly dirs: [Dir, Dir] = [{ part: '', skip: false, lines: 0 }, { part: '', skip: false, lines: 0 }];
  /** The client's login command waiting for its answer (verb, frame, time; IMAP: its tag). */
  private pending: { verb: string; frame: number; ts: Time; tag: string } | null = null;
  /** The client asked to start TLS (verb; IMAP: its tag). */
  private tlsAsked: { tag: string } | null = null;
  private done = false;
  /** FTP / SMTP: the code of the multi-line reply being read ('220-…' seen, its last line not yet), or ''. */
  private multi = '';
  /** SMTP: the client's commands waiting for their replies, in order (PIPELINING, RFC 2920). */
  private queue: Array<{ verb: string; frame: number; ts: Time }> = [];
  /** SMTP: an AUTH exchange is under way (the client's lines answer 334 challenges), or the message is being sent (DATA). */
  private inAuth = false;
  private inData = false;
  /** SMTP: the message being sent (from MAIL FROM): its recipients accepted and refused, the first refusal. */
  private txn: { ok: number; refused: number; first: { frame: number; ts: Time; reply: LineReply } | null } | null = null;

  constructor(protocol: LineProtocol) {
    this.session = { protocol, greeting: null, greetingRefused: false, loginFailed: null, loginOk: false, loginsRefused: 0, loginAccepted: null, tls: false, gap: false, mailRejected: null };
  }

  /** Bytes of the stream were not captured: what follows cannot be read in order, and is not. */
  gap(): void {
    this.session.gap = true;
    this.done = true;
  }

  /** Bytes of one direction, in stream order. */
  data(fromClient: boolean, b: Uint8Array, off: number, len: number, frame: number, ts: Time): void {
    if (this.done) return;
    const d = this.dirs[fromClient ? 0 : 1];
    const end = off + len;
    let start = off;
    for (let i = off; i < end && !this.done; i++) {
      if (b[i] !== LF) continue;
      const line = this.take(d, b, start, i);
      start = i + 1;
      // The lines of a message (DATA) are not counted: only its end is looked for.
      const counted = !(fromClient && this.inData);
      if (line !== null) this.line(fromClient, line, frame, ts);
      if (counted && ++d.lines >= MAX_LINES) this.done = true;
    }
    if (!this.done && start < end) this.keep(d, b, start, end);
  }

  /** The line ending before `lf`: what was carried over and these bytes, or null when it was too long. */
  private take(d: Dir, b: Uint8Array, from: number, lf: number): string | null {
    const skip = d.skip || d.part.length + (lf - from) > MAX_LINE;
    let s = skip ? '' : d.part + latin1(b, from, lf);
    d.part = '';
    d.skip = false;
    if (skip) return null;
    if (s.length > 0 && s.charCodeAt(s.length - 1) === CR) s = s.slice(0, -1);
    return s;
  }

  private keep(d: Dir, b: Uint8Array, from: number, end: number): void {
    if (d.skip) return;
    if (d.part.length + (end - from) > MAX_LINE) {
      d.part = '';
      d.skip = true;
    } else d.part += latin1(b, from, end);
  }

  private line(fromClient: boolean, line: string, frame: number, ts: Time): void {
    if (fromClient) this.command(line, frame, ts);
    else this.reply(line, frame, ts);
  }

  private command(line: string, frame: number, ts: Time): void {
    const s = this.session;
    const words = line.trimStart().split(' ', 3);
    const imap = s.protocol === 'imap';
    const tag = imap ? words[0] ?? '' : '';
    const verb = (imap ? words[1] : words[0])?.toUpperCase() ?? '';
    const arg = (imap ? words[2] : words[1])?.toUpperCase() ?? '';
    switch (s.protocol) {
      case 'ftp':
        if ((verb === 'PORT' || verb === 'EPRT') && this.onDataChannel !== null) {
          const hp = verb === 'PORT' ? hostPort(line) : extendedHostPort(line);
          if (hp !== null && hp.ip !== null) this.onDataChannel(hp.ip, hp.port, ts);
        }
        if (verb === 'AUTH' && (arg.startsWith('TLS') || arg.startsWith('SSL'))) this.tlsAsked = { tag };
        else if (verb === 'USER' || verb === 'PASS') this.pending = { verb, frame, ts, tag };
        return;
      case 'smtp':
        this.smtpCommand(line, verb, frame, ts);
        return;
      case 'pop3':
        if (verb === 'STLS') this.tlsAsked = { tag };
        // (AUTH without a mechanism asks which ones the server offers: RFC 5034 §4 clients send it.)
        else if (verb === 'USER' || verb === 'PASS' || verb === 'APOP' || (verb === 'AUTH' && arg !== '')) this.pending = { verb, frame, ts, tag };
        return;
      case 'imap':
        if (verb === 'STARTTLS') this.tlsAsked = { tag };
        else if (verb === 'LOGIN' || verb === 'AUTHENTICATE') this.pending = { verb, frame, ts, tag };
        return;
    }
  }

  /**
   * An SMTP client line: a command, queued for its reply (PIPELINING sends several at once); a
   * line answering an AUTH challenge (credentials) or of the message (DATA) is none: only the
   * message's end ('.') is.
   */
  private smtpCommand(line: string, verb: string, frame: number, ts: Time): void {
    if (this.inData) {
      if (line === '.') {
        this.inData = false;
        this.queue.push({ verb: '.', frame, ts });
      }
      return;
    }
    if (this.inAuth) return;
    if (this.queue.length >= MAX_QUEUE) {
      this.done = true;
      return;
    }
    this.queue.push({ verb, frame, ts });
  }

  /** An SMTP reply (not the greeting), to the oldest command waiting. */
  private smtpReply(r: LineReply): void {
    const s = this.session;
    const cmd = this.queue[0];
    if (cmd === undefined) return;
    if (cmd.verb === 'AUTH' && r.code === '334') {
      this.inAuth = true;
      return;
    }
    this.queue.shift();
    this.inAuth = false;
    const refused = REFUSED_MAIL.has(r.code);
    switch (cmd.verb) {
      case 'STARTTLS':
        if (startsTls('smtp', r.code)) {
          s.tls = true;
          this.done = true;
        }
        return;
      case 'AUTH':
        this.loginAnswered(cmd, r, loginOutcome('smtp', 'AUTH', r.code));
        return;
      case 'MAIL':
        this.endTxn();
        if (refused) this.mailRefused(cmd, r, 0, 0);
        else if (r.code[0] === '2') this.txn = { ok: 0, refused: 0, first: null };
        return;
      case 'RCPT':
        if (this.txn === null) return;
        if (r.code[0] === '2') this.txn.ok++;
        else if (refused) {
          this.txn.refused++;
          this.txn.first ??= { frame: cmd.frame, ts: cmd.ts, reply: r };
        }
        return;
      case 'DATA': {
        if (r.code === '354') {
          this.inData = true;
          return;
        }
        // Refused before the message was sent: each of its recipients, or by the server at DATA.
        const t = this.txn;
        if (!this.endTxn() && refused && t !== null) this.mailRefused(cmd, r, t.refused, t.ok);
        return;
      }
      case '.': {
        const t = this.txn;
        if (refused) this.mailRefused(cmd, r, t?.refused ?? 0, t?.ok ?? 0);
        this.txn = null;
        return;
      }
      case 'RSET':
      case 'QUIT':
        this.endTxn();
        return;
      default:
        return;
    }
  }

  /** The message under way ends: refused when each of its recipients was (true then). */
  private endTxn(): boolean {
    const t = this.txn;
    this.txn = null;
    if (t === null || t.refused === 0 || t.ok > 0 || t.first === null) return false;
    this.mailRefused({ verb: 'RCPT', frame: t.first.frame, ts: t.first.ts }, t.first.reply, t.refused, t.ok);
    return true;
  }

  private mailRefused(cmd: { verb: string; frame: number; ts: Time }, reply: LineReply, refusedRecipients: number, acceptedRecipients: number): void {
    if (this.session.mailRejected !== null) return;
    this.session.mailRejected = { frame: cmd.frame, ts: cmd.ts, verb: cmd.verb, reply, refusedRecipients, acceptedRecipients };
  }

  /** The end of the connection: a message whose every recipient was refused, and nothing after. */
  end(): void {
    if (this.session.protocol === 'smtp') this.endTxn();
  }

  private reply(line: string, frame: number, ts: Time): void {
    const s = this.session;
    if (s.protocol === 'ftp' || s.protocol === 'smtp') {
      // Every line of a multi-line reply has the reply's code (RFC 959 §4.2, RFC 5321 §4.2.1): a
      // line with another code does not end it.
      const code = line.length >= 4 && line[3] === '-' ? line.slice(0, 3) : '';
      if (code !== '') {
        if (this.multi === '') this.multi = code;
        return;
      }
      if (this.multi !== '' && !line.startsWith(this.multi)) return;
      this.multi = '';
    }
    const r = parseReply(s.protocol, line, frame, ts);
    // A line that is not a reply's last (FTP / SMTP "220-…"), or IMAP's untagged data.
    if (r === null) return;
    if (s.greeting === null) {
      s.greeting = r;
      s.greetingRefused = refusesGreeting(s.protocol, r.code);
      if (s.greetingRefused) this.done = true;
      return;
    }
    if (this.tlsAsked !== null && answers(s.protocol, r, this.tlsAsked.tag)) {
      this.tlsAsked = null;
      if (startsTls(s.protocol, r.code)) {
        s.tls = true;
        this.done = true;
      }
      return;
    }
    if (s.protocol === 'smtp') {
      this.smtpReply(r);
      return;
    }
    if (s.protocol === 'ftp' && (r.code === '227' || r.code === '229') && this.onDataChannel !== null) {
      const hp = r.code === '227' ? hostPort(r.text.slice(4)) : extendedHostPort(r.text.slice(4));
      if (hp !== null) this.onDataChannel(hp.ip, hp.port, ts);
    }
    const p = this.pending;
    if (p === null || !answers(s.protocol, r, p.tag)) return;
    const outcome = loginOutcome(s.protocol, p.verb, r.code);
    if (outcome === 'more') return;
    this.pending = null;
    this.loginAnswered(p, r, outcome);
  }

  /** A login command's final answer: the last login accepted or not; the first refusal kept. */
  private loginAnswered(cmd: { verb: string; frame: number; ts: Time }, r: LineReply, outcome: ReturnType<typeof loginOutcome>): void {
    const s = this.session;
    if (outcome === 'ok') {
      s.loginOk = true;
      s.loginAccepted = { frame: r.frame, ts: r.ts };
    } else if (outcome === 'refused') {
      s.loginOk = false;
      s.loginsRefused++;
      if (s.loginFailed === null) s.loginFailed = { frame: cmd.frame, ts: cmd.ts, verb: cmd.verb, reply: r };
    }
  }
}

/** SMTP codes of a permanent refusal of a message or a recipient (RFC 5321 §4.2.2, §4.2.3). */
const REFUSED_MAIL = new Set(['550', '551', '552', '553', '554']);
/** SMTP commands waiting for their replies, at most (past it, reading stops). */
const MAX_QUEUE = 32;

/** A server line as a reply (its code and text), or null when it is not a reply's final line. */
function parseReply(protocol: LineProtocol, line: string, frame: number, ts: Time): LineReply | null {
  if (protocol === 'ftp' || protocol === 'smtp') {
    // "ddd text" ends a reply; "ddd-text" is a line of a multi-line one.
    if (line.length < 3 || !isDigit(line, 0) || !isDigit(line, 1) || !isDigit(line, 2)) return null;
    if (line.length > 3 && line[3] !== ' ') return null;
    return { frame, ts, code: line.slice(0, 3), text: printable(line) };
  }
  if (protocol === 'pop3') {
    if (line.startsWith('+OK')) return { frame, ts, code: '+OK', text: printable(line) };
    if (line.startsWith('-ERR')) return { frame, ts, code: '-ERR', text: printable(line) };
    return null;
  }
  // IMAP: "* OK / PREAUTH / BYE …" (untagged status), "tag OK / NO / BAD …" (tagged), "+ …" (continuation).
  const sp = line.indexOf(' ');
  if (sp <= 0) return null;
  const tag = line.slice(0, sp);
  const status = line.slice(sp + 1).split(' ', 1)[0]!.toUpperCase();
  if (tag === '+') return { frame, ts, code: '+', text: printable(line) };
  if (status !== 'OK' && status !== 'NO' && status !== 'BAD' && status !== 'BYE' && status !== 'PREAUTH') return null;
  return { frame, ts, code: tag === '*' ? `* ${status}` : status, text: printable(line), tag };
}

/** Does reply `r` answer the command with IMAP tag `tag` (other protocols: any final reply does)? */
function answers(protocol: LineProtocol, r: LineReply, tag: string): boolean {
  if (protocol !== 'imap') return true;
  return r.tag === tag;
}

function refusesGreeting(protocol: LineProtocol, code: string): boolean {
  switch (protocol) {
    case 'ftp':
    case 'smtp':
      return code[0] === '4' || code[0] === '5';
    case 'pop3':
      return code === '-ERR';
    case 'imap':
      return code === '* BYE';
  }
}

function startsTls(protocol: LineProtocol, code: string): boolean {
  switch (protocol) {
    case 'ftp':
      return code === '234';
    case 'smtp':
      return code === '220';
    case 'pop3':
      return code === '+OK';
    case 'imap':
      return code === 'OK';
  }
}

/** What reply `code` to login command `verb` says: accepted, refused, or more to come. */
function loginOutcome(protocol: LineProtocol, verb: string, code: string): 'ok' | 'refused' | 'more' | 'other' {
  switch (protocol) {
    case 'ftp':
      if (code === '230') return 'ok';
      if (code === '530') return 'refused';
      // 331 / 332: the password or the account is asked for next.
      return code[0] === '3' ? 'more' : 'other';
    case 'smtp':
      if (code === '235') return 'ok';
      // 530: "Must issue a STARTTLS command first" (RFC 3207 §4), the login refused before TLS.
      // (Its 334 challenges are read before: smtpReply.)
      return code === '535' || code === '534' || code === '538' || code === '454' || code === '530' ? 'refused' : 'other';
    case 'pop3':
      // (An +OK to USER only asks for the password.)
      if (code === '+OK') return verb === 'USER' ? 'more' : 'ok';
      return 'refused';
    case 'imap':
      if (code === '+') return 'more';
      if (code === 'OK') return 'ok';
      return code === 'NO' ? 'refused' : 'other';
  }
}

function isDigit(s: string, i: number): boolean {
  const c = s.charCodeAt(i);
  return c >= 48 && c <= 57;
}

/** The line as a report may show it: control characters and non-ASCII as '?', at most MAX_TEXT characters. */
function printable(s: string): string {
  const cut = s.length > MAX_TEXT ? s.slice(0, MAX_TEXT) : s;
  // eslint-disable-next-line no-control-regex
  return cut.replace(/[^\x20-\x7e]/g, '?') + (s.length > MAX_TEXT ? '…' : '');
}

function latin1(b: Uint8Array, from: number, to: number): string {
  let s = '';
  for (let i = from; i < to; i++) s += String.fromCharCode(b[i]!);
  return s;
}
