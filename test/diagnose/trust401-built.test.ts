/**
 * Verdicts that took a step of a working exchange for its failure (found on public captures:
 * nDPI's webdav.pcap, suricata-verify's bug-76 and tcp-fastopen tests), built packet by packet and
 * run through the whole pipeline; beside each, the real failure of the same cause, still claimed.
 */
import { describe, expect, it } from 'vitest';
import { openStream } from '../../src/capture/open.js';
import { analyze } from '../../src/analyze.js';
import type { Report } from '../../src/report/model.js';
import { TcpConversation, pcapFile, ascii } from '../helpers/index.js';
import type { CaptureRecord } from '../helpers/index.js';
import { verdictWords } from '../../src/report/words.js';
import { reportDocument } from '../../src/report/json.js';
import { problems } from '../report/schema-check.js';

async function run(frames: CaptureRecord[], linkType: number): Promise<Report> {
  const bytes = pcapFile({ linkType }, [...frames].sort((a, b) => Number(a.ts) - Number(b.ts)));
  async function* one(): AsyncIterable<Uint8Array> {
    yield bytes;
  }
  return analyze(await openStream(one(), { name: 'built.pcap' }), { all: true });
}

const errors = (r: Report) => r.verdicts.filter((v) => v.severity === 'error').map((v) => v.cause);

const T0 = 1_700_000_000;
const CLIENT = '192.0.2.10';
const SERVER = '198.51.100.80';

const req = (method: string, path: string, auth?: string, proxyAuth?: string) =>
  ascii(`${method} ${path} HTTP/1.1\r\nHost: dav.example\r\n${auth ? `Authorization: ${auth}\r\n` : ''}${proxyAuth ? `Proxy-Authorization: ${proxyAuth}\r\n` : ''}\r\n`);
const resp = (status: number, reason: string, extra = '') => ascii(`HTTP/1.1 ${status} ${reason}\r\n${extra}Content-Length: 0\r\n\r\n`);
const CHALLENGE = resp(401, 'Unauthorized', 'WWW-Authenticate: Basic realm="dav"\r\n');

/** One connection: each request then its answer, a short pause between exchanges, then both close. */
function http(port: number, start: number, steps: Array<[Uint8Array, Uint8Array]>, server = SERVER, serverPort = 80): TcpConversation {
  const c = new TcpConversation({ client: [CLIENT, port], server: [server, serverPort], start });
  c.syn();
  c.synAck();
  c.ack('client');
  for (const [q, a] of steps) {
    c.send('client', q);
    c.send('server', a);
    c.wait(0.2);
  }
  c.fin('client');
  c.fin('server');
  c.ack('client');
  return c;
}

describe('http.error_status: an auth challenge the client answered is a step, not the failure', () => {
  it('401, then the same request with credentials on the same connection answered 200: no failure', async () => {
    const c = http(41000, T0, [[req('GET', '/files'), CHALLENGE], [req('GET', '/files', 'Basic dXNlcjpwYXNz'), resp(200, 'OK')]]);
    const r = await run(c.frames, c.linkType);
    expect(errors(r)).toEqual([]);
    expect(r.verdicts.map((v) => v.cause)).toEqual(['ok']);
  });

  it('NTLM (webdav.pcap): the answer to the request sent again is judged — 400 at its frame, not the 401', async () => {
    const c = http(41001, T0, [
      [req('PROPPATCH', '/webdav', 'NTLM TlRMTVNTUAABAAAABoIIAAAAAAAAAAAAAAAAAAAAAAA='), resp(401, 'Unauthorized', 'WWW-Authenticate: NTLM TlRMTVNTUAACAAAA\r\n')],
      [req('PROPPATCH', '/webdav', 'NTLM TlRMTVNTUAADAAAAGAAYAEAAAAC='), resp(400, 'Bad Request')],
    ]);
    const r = await run(c.frames, c.linkType);
    expect(errors(r)).toEqual(['http.error_status']);
    const v = r.verdicts[0]!;
    expect(v.details['status']).toBe(400);
    // The evidence is the request sent again and its answer (frames 6 and 7), not the challenge's.
    expect(v.evidence.map((e) => e.frame)).toEqual([6, 7]);
    expect(v.details['authChallenges']).toEqual([{ status: 401, frame: 5 }]);
  });

  it('a 401 to the credentials sent is told by that answer (the last challenge), not the first', async () => {
    const wrong = http(41020, T0, [[req('GET', '/files'), CHALLENGE], [req('GET', '/files', 'Basic d3Jvbmc6cGFzcw=='), CHALLENGE]]);
    const r = await run(wrong.frames, wrong.linkType);
    expect(errors(r)).toEqual(['http.error_status']);
    expect(r.verdicts[0]!.evidence.map((e) => e.frame)).toEqual([6, 7]);
  });

  it('401 with Connection: close, the request sent again with credentials on a new connection answered 200: no failure', async () => {
    const a = http(41002, T0, [[req('GET', '/report'), resp(401, 'Unauthorized', 'WWW-Authenticate: Digest realm="r", nonce="1"\r\nConnection: close\r\n')]]);
    const b = http(41003, T0 + 2, [[req('GET', '/report', 'Digest username="u", response="x"'), resp(200, 'OK')]]);
    const r = await run([...a.frames, ...b.frames], a.linkType);
    expect(errors(r)).toEqual([]);
    expect(r.verdicts.map((v) => [v.cause, v.severity])).toEqual([['ok', 'ok']]);
    // The same with the connections finishing in the other order (the challenge's held open longer).
    const a2 = new TcpConversation({ client: [CLIENT, 41004], server: [SERVER, 80], start: T0 });
    a2.syn(); a2.synAck(); a2.ack('client');
    a2.send('client', req('GET', '/report'));
    a2.send('server', CHALLENGE);
    const b2 = http(41005, T0 + 1, [[req('GET', '/report', 'Basic dXNlcjpwYXNz'), resp(200, 'OK')]]);
    a2.at(T0 + 30);
    a2.fin('client'); a2.fin('server'); a2.ack('client');
    expect(errors(await run([...a2.frames, ...b2.frames], a2.linkType))).toEqual([]);
  });

  it('407 to CONNECT, the CONNECT sent again with Proxy-Authorization on a new connection: no http.proxy_refused', async () => {
    const a = http(41006, T0, [[req('CONNECT', 'secure.example:443'), resp(407, 'Proxy Authentication Required', 'Proxy-Authenticate: Basic realm="proxy"\r\nConnection: close\r\n')]], '198.51.100.3', 3128);
    const b = http(41007, T0 + 0.5, [[req('CONNECT', 'secure.example:443', undefined, 'Basic dXNlcjpwYXNz'), resp(200, 'Connection established')]], '198.51.100.3', 3128);
    const r = await run([...a.frames, ...b.frames], a.linkType);
    expect(r.verdicts.map((v) => v.cause)).not.toContain('http.proxy_refused');
    expect(errors(r)).toEqual([]);
  });

  it('the true failures stay: a 401 never answered, a 401 to the credentials sent, a retry without credentials, a retry too late', async () => {
    const never = http(41010, T0, [[req('GET', '/files'), CHALLENGE]]);
    let r = await run(never.frames, never.linkType);
    expect(errors(r)).toEqual(['http.error_status']);
    expect(r.verdicts[0]!.details['status']).toBe(401);

    // Wrong password: the request sent again with credentials gets 401 again, and the client stops.
    const wrong = http(41011, T0, [[req('GET', '/files'), CHALLENGE], [req('GET', '/files', 'Basic d3Jvbmc6cGFzcw=='), CHALLENGE]]);
    r = await run(wrong.frames, wrong.linkType);
    expect(errors(r)).toEqual(['http.error_status']);
    expect(r.verdicts[0]!.details['status']).toBe(401);

    // The same request again without credentials is no answer to the challenge.
    const bare = http(41012, T0, [[req('GET', '/files'), CHALLENGE], [req('GET', '/files'), CHALLENGE]]);
    expect(errors(await run(bare.frames, bare.linkType))).toEqual(['http.error_status']);

    // Credentials for another request, or sent long after (past AUTH_RETRY_WINDOW): a new request.
    const a = http(41013, T0, [[req('GET', '/report'), CHALLENGE]]);
    const other = http(41014, T0 + 1, [[req('GET', '/other', 'Basic dXNlcjpwYXNz'), resp(200, 'OK')]]);
    r = await run([...a.frames, ...other.frames], a.linkType);
    expect(errors(r)).toEqual(['http.error_status']);
    expect(r.verdicts[0]!.details['status']).toBe(401);
    const late = http(41015, T0 + 600, [[req('GET', '/report', 'Basic dXNlcjpwYXNz'), resp(200, 'OK')]]);
    expect(errors(await run([...a.frames, ...late.frames], a.linkType))).toEqual(['http.error_status']);

    // A 407 to CONNECT never answered with Proxy-Authorization stays http.proxy_refused.
    const p = http(41016, T0, [[req('CONNECT', 'secure.example:443'), resp(407, 'Proxy Authentication Required', 'Proxy-Authenticate: Basic realm="proxy"\r\n')]], '198.51.100.3', 3128);
    expect(errors(await run(p.frames, p.linkType))).toEqual(['http.proxy_refused']);
  });
});

describe('tcp.refused: only a RST the client takes in SYN-SENT refuses (RFC 9293 §3.10.7.3)', () => {
  function attempt(port: number): TcpConversation {
    const c = new TcpConversation({ client: [CLIENT, port], server: [SERVER, 80], start: T0 });
    c.syn();
    return c;
  }

  it('a RST without the ACK bit (suricata-verify bug-76), then silence: not refused — the SYN is unanswered, and the words say the RST is dropped', async () => {
    const c = attempt(42000);
    c.wait(0.05);
    c.raw('server', { seq: 0, ack: 0, flags: 'R' });
    c.at(T0 + 1);
    c.syn();
    c.at(T0 + 3);
    c.syn();
    const r = await run(c.frames, c.linkType);
    expect(errors(r)).toEqual(['tcp.syn_unanswered']);
    const v = r.verdicts[0]!;
    expect(v.details['ignoredRsts']).toEqual({ count: 1, firstFrame: 2, hasAck: false });
    // The first SYN, the dropped RST and the SYN sent twice more: one attempt.
    expect(v.evidence.map((e) => e.frame)).toEqual([1, 2, 3, 4]);
    for (const lang of ['en', 'zh'] as const) {
      const w = verdictWords(v, lang);
      expect(w.explanation).toContain('RFC 9293');
      expect(w.explanation).toContain(lang === 'en' ? 'frame 2' : '第 2 帧');
    }
    expect(verdictWords(v, 'en').explanation).not.toContain('no RST');
  });

  it('a RST whose ACK is not of the SYN is dropped too: one attempt, not a refused one then another', async () => {
    const c = attempt(42001);
    c.raw('server', { seq: 0, ack: 77777, flags: 'RA' });
    c.at(T0 + 1);
    c.syn();
    c.at(T0 + 3);
    c.syn();
    const r = await run(c.frames, c.linkType);
    expect(errors(r)).toEqual(['tcp.syn_unanswered']);
    const v = r.verdicts[0]!;
    expect(v.details['ignoredRsts']).toEqual({ count: 1, firstFrame: 2, hasAck: true });
    expect(v.details['attemptsSeen']).toBeUndefined();
    expect(v.evidence.map((e) => e.frame)).toEqual([1, 2, 3, 4]);
  });

  it('the true refusal stays: a RST-ACK acknowledging the SYN, also one acknowledging Fast Open data in the SYN', async () => {
    const ok = attempt(42002);
    ok.rst('server'); // RST-ACK acknowledging the SYN (the helper's refusal)
    expect(errors(await run(ok.frames, ok.linkType))).toEqual(['tcp.refused']);
    // A SYN carrying 20 bytes (TCP Fast Open): an ACK of ISN+1+20 acknowledges it too (RFC 9293: SND.NXT).
    const tfo = new TcpConversation({ client: [CLIENT, 42004], server: [SERVER, 80], start: T0, clientIsn: 1000 });
    tfo.raw('client', { seq: 1000, ack: 0, flags: 'S', payload: new Uint8Array(20) });
    tfo.raw('server', { seq: 0, ack: 1021, flags: 'RA' });
    expect(errors(await run(tfo.frames, tfo.linkType))).toEqual(['tcp.refused']);
  });

  it('a RST without ACK, then the SYN sent again and answered: the connection that worked is not a failure', async () => {
    const c = attempt(42003);
    c.wait(0.05);
    c.raw('server', { seq: 0, ack: 0, flags: 'R' });
    c.at(T0 + 1);
    c.syn();
    c.synAck();
    c.ack('client');
    c.send('client', req('GET', '/'));
    c.send('server', resp(200, 'OK'));
    c.wait(0.2);
    c.fin('client');
    c.fin('server');
    c.ack('client');
    const r = await run(c.frames, c.linkType);
    expect(errors(r)).toEqual([]);
    expect(r.verdicts.map((v) => v.severity)).toEqual(['ok']);
    // What the packets show: the dropped RST, then the connection that worked.
    expect(r.verdicts[0]!.details['ignoredRsts']).toEqual({ count: 1, firstFrame: 2, hasAck: false });
  });
});

describe('TCP Fast Open (RFC 7413) and SYN-ACKs sent again: not a stall', () => {
  const REQ = req('GET', '/tfo');
  const L = REQ.length;
  const RESP = ascii('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi');
  const R = RESP.length;
  const tfo = (port: number) => new TcpConversation({ client: [CLIENT, port], server: [SERVER, 80], start: T0, clientIsn: 1000, serverIsn: 5000 });

  it('data in the SYN, a SYN-ACK of the SYN only, the data sent again until acknowledged, then a late copy of the SYN-ACK: ok', async () => {
    const c = tfo(43001);
    c.raw('client', { seq: 1000, ack: 0, flags: 'S', payload: REQ });
    c.raw('server', { seq: 5000, ack: 1001, flags: 'SA' });
    c.raw('client', { seq: 1001, ack: 5001, flags: 'PA', payload: REQ });
    c.wait(0.3);
    c.raw('client', { seq: 1001, ack: 5001, flags: 'PA', payload: REQ });
    c.wait(0.6);
    c.raw('client', { seq: 1001, ack: 5001, flags: 'PA', payload: REQ });
    c.raw('server', { seq: 5001, ack: 1001 + L, flags: 'A' });
    c.raw('server', { seq: 5001, ack: 1001 + L, flags: 'PA', payload: RESP });
    c.raw('client', { seq: 1001 + L, ack: 5001 + R, flags: 'FA' });
    c.raw('server', { seq: 5001 + R, ack: 1002 + L, flags: 'FA' });
    c.raw('client', { seq: 1002 + L, ack: 5002 + R, flags: 'A' });
    c.wait(0.3);
    c.raw('server', { seq: 5000, ack: 1001, flags: 'SA' });
    const r = await run(c.frames, c.linkType);
    expect(r.verdicts.map((v) => [v.cause, v.severity])).toEqual([['ok', 'ok']]);
  });

  it('a SYN-ACK of another ISN after the client took one (tcp-fastopen-10: a second path answering the SYN sent again): ok, no capture gap', async () => {
    const c = tfo(43002);
    c.raw('client', { seq: 1000, ack: 0, flags: 'S', payload: REQ });
    c.raw('server', { seq: 5000, ack: 1001, flags: 'SA' });
    c.wait(0.03);
    c.raw('client', { seq: 1000, ack: 0, flags: 'S' });
    c.raw('server', { seq: 900000, ack: 1001, flags: 'SA' });
    c.raw('client', { seq: 1001, ack: 900001, flags: 'PA', payload: REQ });
    c.raw('server', { seq: 5000, ack: 1001, flags: 'SA' }); // the first path's SYN-ACK again
    c.raw('server', { seq: 900001, ack: 1001 + L, flags: 'PA', payload: RESP });
    c.raw('client', { seq: 1001 + L, ack: 900001 + R, flags: 'FA' });
    c.raw('server', { seq: 900001 + R, ack: 1002 + L, flags: 'FA' });
    c.raw('client', { seq: 1002 + L, ack: 900002 + R, flags: 'A' });
    const r = await run(c.frames, c.linkType);
    expect(r.verdicts.map((v) => [v.cause, v.severity])).toEqual([['ok', 'ok']]);
    expect(r.http.map((h) => h.status)).toEqual([200]);
  });

  it('a Fast Open exchange that worked (the SYN-ACK takes the data) is ok', async () => {
    const c = tfo(43003);
    c.raw('client', { seq: 1000, ack: 0, flags: 'S', payload: REQ });
    c.raw('server', { seq: 5000, ack: 1001 + L, flags: 'SA' });
    c.raw('client', { seq: 1001 + L, ack: 5001, flags: 'A' });
    c.raw('server', { seq: 5001, ack: 1001 + L, flags: 'PA', payload: RESP });
    c.raw('client', { seq: 1001 + L, ack: 5001 + R, flags: 'FA' });
    c.raw('server', { seq: 5001 + R, ack: 1002 + L, flags: 'FA' });
    c.raw('client', { seq: 1002 + L, ack: 5002 + R, flags: 'A' });
    expect((await run(c.frames, c.linkType)).verdicts.map((v) => [v.cause, v.severity])).toEqual([['ok', 'ok']]);
  });

  it('the true stall stays: the data of the SYN sent again after the handshake and 3 times more, never acknowledged', async () => {
    const c = tfo(43004);
    c.raw('client', { seq: 1000, ack: 0, flags: 'S', payload: REQ });
    c.raw('server', { seq: 5000, ack: 1001, flags: 'SA' });
    c.raw('client', { seq: 1001, ack: 5001, flags: 'PA', payload: REQ });
    for (const w of [1, 2, 4]) {
      c.wait(w);
      c.raw('client', { seq: 1001, ack: 5001, flags: 'PA', payload: REQ });
    }
    c.wait(8);
    c.raw('client', { seq: 1001 + L, ack: 0, flags: 'R' });
    const r = await run(c.frames, c.linkType);
    expect(errors(r)).toEqual(['tcp.stalled']);
    // It counts only what was sent again for want of an acknowledgement: 3, not the SYN nor its fallback.
    expect(r.verdicts[0]!.details['retransmits']).toBe(3);
  });

});

describe('a lone SYN is unanswered only when the capture watched strictly longer than the retransmission takes', () => {
  /** A lone SYN at `t0`, and another client's connection whose last packet ends the capture at `end`. */
  function loneSyn(t0: number, end: number): CaptureRecord[] {
    const c = new TcpConversation({ client: [CLIENT, 44000], server: [SERVER, 443], start: t0 });
    c.syn();
    const other = new TcpConversation({ client: ['192.0.2.99', 44001], server: ['198.51.100.7', 80], start: t0 + 0.1 });
    other.syn();
    other.synAck();
    other.ack('client');
    other.fin('client');
    other.fin('server');
    other.ack('client', { ts: end });
    return [...c.frames, ...other.frames];
  }

  it('the capture ends exactly 1.0 s after the SYN: too soon to tell (capture.ended_early), not tcp.syn_unanswered', async () => {
    for (const t0 of [T0, T0 + 0.123456]) {
      const r = await run(loneSyn(t0, Math.round((t0 + 1) * 1e6) / 1e6), 1);
      const v = r.verdicts.find((x) => x.target.ip === SERVER)!;
      expect([v.cause, v.severity]).toEqual(['capture.ended_early', 'warning']);
    }
  });

  it('the capture goes on 1.5 s: the SYN never sent again is tcp.syn_unanswered (the claim stays)', async () => {
    const r = await run(loneSyn(T0, T0 + 1.5), 1);
    expect(errors(r)).toEqual(['tcp.syn_unanswered']);
  });
});

describe('a verdict merged over several ports counts every port\'s connections', () => {
  it('refused on 80 twice, on 443 and 8080 once: 4 connections, each attempt with its port; the schema holds', async () => {
    const frames: CaptureRecord[] = [];
    let t = T0;
    let sport = 45000;
    for (const port of [80, 80, 443, 8080]) {
      const c = new TcpConversation({ client: [CLIENT, sport++], server: [SERVER, port], start: t });
      c.syn();
      c.rst('server');
      frames.push(...c.frames);
      t += 0.5;
    }
    const r = await run(frames, 1);
    expect(errors(r)).toEqual(['tcp.refused']);
    const v = r.verdicts[0]!;
    expect(v.details['connections']).toBe(4);
    expect(v.details['failedConnections']).toBe(4);
    expect((v.details['attemptsSeen'] as Array<{ port: number; frame: number }>).map((a) => [a.port, a.frame])).toEqual([[80, 1], [80, 3], [443, 5], [8080, 7]]);
    expect(v.details['ports']).toEqual({ count: 3, examples: [80, 443, 8080], first: 80 });
    expect(problems(reportDocument(r, 'en'))).toEqual([]);
  });
});
