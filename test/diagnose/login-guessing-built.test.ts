/**
 * Logins over several connections of one client to one FTP server, built packet by packet
 * through the whole pipeline (track/lines.ts, diagnose.ts loginsTold):
 * - many refused logins are password guessing (Zeek's ftp_bruteforce.pcap: 30 in 57 s; Practical
 *   Packet Analysis' ftp-crack.pcap), told in words of their own with details.loginsRefused;
 * - a login accepted after them is the guess that worked: still a FAIL, with the accepting reply
 *   in the evidence and details.loginAccepted;
 * - a refused login is not undone by a later connection that never logged in (ftp-crack read
 *   "worked in the end" on the strength of connections closed after the greeting); a login
 *   accepted later does undo a few refused ones ("worked in the end", as before).
 */
import { describe, expect, it } from 'vitest';
import { openStream } from '../../src/capture/open.js';
import { analyze } from '../../src/analyze.js';
import type { Report } from '../../src/report/model.js';
import { verdictWords } from '../../src/report/words.js';
import { Capture, LINKTYPE, TcpConversation, ascii } from '../helpers/index.js';

const SERVER = '198.51.100.21';
const CLIENT = '192.0.2.44';
const T0 = 1_700_000_000;

type Kind = 'refused' | 'accepted' | 'nologin';

async function run(kinds: readonly Kind[]): Promise<{ r: Report; acceptedFrames: number[] }> {
  const cap = new Capture();
  const acceptedFrames: number[] = [];
  let frames = 0;
  kinds.forEach((k, i) => {
    const c = new TcpConversation({ client: [CLIENT, 40000 + i], server: [SERVER, 21], start: T0 + i * 2 });
    c.syn();
    c.synAck();
    c.ack('client');
    const say = (who: 'server' | 'client', text: string): void => {
      c.wait(0.01);
      c.send(who, ascii(`${text}\r\n`));
    };
    say('server', '220 (vsFTPd 3.0.3)');
    if (k !== 'nologin') {
      say('client', 'USER admin');
      say('server', '331 Please specify the password.');
      say('client', `PASS guess${i}`);
      say('server', k === 'refused' ? '530 Login incorrect.' : '230 Login successful.');
      if (k === 'accepted') acceptedFrames.push(frames + c.frames.length);
    }
    say('client', 'QUIT');
    say('server', '221 Goodbye.');
    c.fin('client');
    c.fin('server');
    c.ack('client');
    frames += c.frames.length;
    cap.addAll(c.frames);
  });
  async function* one(): AsyncIterable<Uint8Array> {
    yield cap.pcap({ linkType: LINKTYPE.ETHERNET });
  }
  return { r: await analyze(await openStream(one(), { name: 'built.pcap' }), { all: true }), acceptedFrames };
}

const line = (r: Report): string[] => r.verdicts.map((v) => `${v.severity} ${v.cause}`);

describe('refused logins over several connections', () => {
  it('twelve refused logins: password guessing', async () => {
    const { r } = await run(Array<Kind>(12).fill('refused'));
    expect(line(r)).toEqual(['error app.login_failed']);
    const v = r.verdicts[0]!;
    expect(v.details).toMatchObject({ loginsRefused: 12, connections: 12, failedConnections: 12 });
    expect(v.details['loginAccepted']).toBeUndefined();
    const en = verdictWords(v, 'en');
    expect(en.summary).toBe(`${SERVER}:21: 12 logins of ${CLIENT} refused: password guessing`);
    expect(en.explanation).toContain('within 22 s, over 12 connections');
    expect(verdictWords(v, 'zh').summary).toContain('猜测密码');
  });

  it('a login accepted after them: the guess that worked, a FAIL with the accepting reply as evidence', async () => {
    const { r, acceptedFrames } = await run([...Array<Kind>(11).fill('refused'), 'accepted', 'nologin']);
    expect(line(r)).toEqual(['error app.login_failed']);
    const v = r.verdicts[0]!;
    expect(v.details).toMatchObject({ loginsRefused: 11, loginAccepted: { frame: acceptedFrames[0] } });
    expect(v.evidence.at(-1)).toMatchObject({ frame: acceptedFrames[0], from: SERVER, to: CLIENT });
    expect(verdictWords(v, 'en').summary).toBe(`${SERVER}:21: a login of ${CLIENT} accepted after 11 refused: a password guessed?`);
  });

  it('a refused login is not undone by a later connection that never logged in', async () => {
    const { r } = await run(['refused', 'refused', 'nologin', 'nologin']);
    expect(line(r)).toEqual(['error app.login_failed']);
    const v = r.verdicts[0]!;
    expect(v.details['loginsRefused']).toBeUndefined();
    // Connections that did not log in are not said to have worked.
    expect(v.limits ?? []).toEqual([]);
    expect(verdictWords(v, 'en').summary).toBe(`${SERVER}:21: the FTP server refused the login (530 after PASS)`);
  });

  it('a few refused logins, then one accepted in a later connection: worked in the end, as before', async () => {
    const { r } = await run(['refused', 'refused', 'accepted']);
    expect(line(r)).toEqual(['warning ok']);
    expect(verdictWords(r.verdicts[0]!, 'en').summary).toContain('worked in the end');
  });
});
