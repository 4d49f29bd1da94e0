/**
 * tls.not_tls from a mail or file-transfer server: the client asked for implicit TLS (SMTPS 465,
 * IMAPS 993, POP3S 995, FTPS 990) and the server speaks its protocol in clear on that port
 * (Suricata-verify's smtp-errors and smtp-tls-protodetect captures: a Postfix answering a
 * ClientHello on 465 with "402 4.5.2 Error: command not recognized", another greeting with
 * "220 ... ESMTP"). The words are the mail protocols' (STARTTLS against implicit TLS), not HTTP's
 * (`http://host:465/`). Built packet by packet through the whole pipeline.
 */
import { describe, expect, it } from 'vitest';
import { openStream } from '../../src/capture/open.js';
import { analyze } from '../../src/analyze.js';
import type { Report } from '../../src/report/model.js';
import { verdictWords } from '../../src/report/words.js';
import { plainProtocol } from '../../src/diagnose/causes/tls.not_tls.js';
import { TcpConversation, pcapFile, ascii, handshakeRecord, clientHello } from '../helpers/index.js';

/** A ClientHello to `port` answered in clear with `answer`, then the client's RST. */
async function run(port: number, answer: string): Promise<Report> {
  const c = new TcpConversation({ client: ['192.0.2.10', 41000], server: ['203.0.113.25', port], start: 1_700_000_000 });
  c.syn();
  c.synAck();
  c.ack('client');
  c.send('client', handshakeRecord([clientHello({ ciphers: [0xc02f], sni: 'mail.example.org' })], 0x0301));
  c.send('server', ascii(`${answer}\r\n`));
  c.rst('client');
  const bytes = pcapFile({ linkType: 1 }, c.frames);
  async function* one(): AsyncIterable<Uint8Array> {
    yield bytes;
  }
  return analyze(await openStream(one(), { name: 'built.pcap' }), { all: true });
}

describe('tls.not_tls from a mail or file-transfer server', () => {
  it('SMTP on 465: the mail words, the protocol in details', async () => {
    const r = await run(465, '402 4.5.2 Error: command not recognized');
    expect(r.verdicts.map((v) => `${v.severity} ${v.cause}`)).toEqual(['error tls.not_tls']);
    const v = r.verdicts[0]!;
    expect(v.details['protocol']).toBe('SMTP');
    const en = verdictWords(v, 'en');
    expect(en.summary).toBe('mail.example.org:465: the server answered the TLS ClientHello in plain SMTP');
    expect(en.explanation).toContain('STARTTLS');
    expect(en.advice.join(' ')).not.toContain('http://');
    expect(verdictWords(v, 'zh').summary).toBe('mail.example.org:465：服务器以明文 SMTP 回应了 TLS ClientHello');
  });

  it('an HTTP server keeps the words of https:// to an http:// port', async () => {
    const r = await run(8443, 'HTTP/1.1 400 Bad Request');
    const v = r.verdicts.find((x) => x.cause === 'tls.not_tls')!;
    expect(v.details['protocol']).toBeUndefined();
    expect(verdictWords(v, 'en').advice.join(' ')).toContain('http://mail.example.org:8443/');
  });

  it('reads the protocol from the answer, else from the port', () => {
    expect(plainProtocol('220 poczta.example.pl ESMTP', 2525)).toBe('SMTP');
    expect(plainProtocol('500 5.5.2 Error: bad syntax', 10025)).toBe('SMTP');
    expect(plainProtocol('220 (vsFTPd 3.0.3)', 990)).toBe('FTP');
    expect(plainProtocol('500 Unknown command.', 990)).toBe('FTP');
    expect(plainProtocol('500 Unknown command.', 587)).toBe('SMTP');
    expect(plainProtocol('500 Unknown command.', 8443)).toBeNull();
    expect(plainProtocol('+OK Dovecot ready.', 995)).toBe('POP3');
    expect(plainProtocol('-ERR Unknown command.', 995)).toBe('POP3');
    expect(plainProtocol('* BAD Error in IMAP command received by server.', 993)).toBe('IMAP');
    expect(plainProtocol('HTTP/1.1 400 Bad Request', 465)).toBeNull();
    expect(plainProtocol('SSH-2.0-OpenSSH_9.2', 465)).toBeNull();
    expect(plainProtocol('2000 words', 465)).toBeNull();
  });
});
