/**
 * tls.transfer_cut_short built packet by packet (test/helpers) through the whole pipeline: a TLS 1.2
 * session whose server data stops inside a record, then the client gives up (a warning) or the
 * server closes (an error); and every case that must not be called so — whole records, a client
 * that closed while the data was still flowing, bytes the capture missed, a capture that ended.
 * The shape comes from scripts/lossy-check.sh's blackhole profile (curl --max-time 6, exit 28,
 * told as "worked" before).
 */
import { describe, expect, it } from 'vitest';
import { openStream } from '../../src/capture/open.js';
import { analyze } from '../../src/analyze.js';
import type { Report } from '../../src/report/model.js';
import { verdictWords } from '../../src/report/words.js';
import {
  TcpConversation, pcapFile, handshakeRecord, clientHello, serverHello, certificateMsg, serverHelloDone,
  clientKeyExchangeRsa, changeCipherSpec, applicationData, encryptedHandshake, tlsRecord, filler, testCertDer,
  TLS_VERSION, TLS_CIPHER, type CaptureRecord,
} from '../helpers/index.js';

async function run(frames: CaptureRecord[]): Promise<Report> {
  const bytes = pcapFile({ linkType: 1 }, frames);
  async function* one(): AsyncIterable<Uint8Array> {
    yield bytes;
  }
  return analyze(await openStream(one(), { name: 'built.pcap' }), { all: true });
}

const SERVER = '198.51.100.30';
const CLIENT = '192.0.2.10';
const causes = (r: Report) => r.verdicts.map((v) => `${v.cause}|${v.severity}`);

interface Transfer {
  port?: number;
  start?: number;
  /** Whole 16 KiB records the server sends, then this many bytes of the next one (0: none). */
  records: number;
  partial: number;
  /** Segments of the server's stream the capture (and the client) never got, after the bytes sent: lost while the path was black. */
  lostAfter?: number;
  /** The capture missed one of the server's segments that the client got and acknowledged. */
  captureMissed?: boolean;
  /** After its records, the server sends bytes that are no TLS record (its direction stops reading as TLS). */
  notTls?: boolean;
  /** The client's last ACK before the silence closes its window (it stopped reading). */
  zeroWindow?: boolean;
  /** After the server's bytes, one segment lost on the way, then this many more that arrived (the client's ACKs stay at the hole). */
  pastHole?: number;
  /** The server sends this many of its first data segments again (a lossy path: retransmissions), before the hole. */
  resend?: number;
  wait: number;
  end: 'client-fin' | 'client-rst' | 'client-alert-fin' | 'server-fin' | 'server-rst' | 'capture';
}

const RECORD = 16384;

/** The server's handshake bytes (ServerHello, certificate, ServerHelloDone; ChangeCipherSpec, Finished): its stream before its data. */
let serverHandshakeBytes = 0;

/** A TLS 1.2 session: the handshake, the client's request, then the server's records in 1400-byte segments. */
function transfer(o: Transfer): TcpConversation {
  const cipher = TLS_CIPHER.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256;
  const c = new TcpConversation({ client: [CLIENT, o.port ?? 40300], server: [SERVER, 443], start: o.start ?? 1_760_000_000 });
  c.syn();
  c.synAck();
  c.ack('client');
  c.send('client', handshakeRecord([clientHello({ ciphers: [cipher], sni: 'www.example.com' })], TLS_VERSION.TLS10));
  const hello = handshakeRecord([serverHello({ cipher }), certificateMsg([testCertDer('valid')]), serverHelloDone()]);
  c.send('server', hello);
  c.ack('client');
  c.send('client', new Uint8Array([...handshakeRecord([clientKeyExchangeRsa()]), ...changeCipherSpec(), ...encryptedHandshake(40)]));
  const finished = new Uint8Array([...changeCipherSpec(), ...encryptedHandshake(40)]);
  c.send('server', finished);
  serverHandshakeBytes = hello.length + finished.length;
  c.send('client', applicationData(107, TLS_VERSION.TLS12, 6));
  const parts: number[] = [];
  for (let i = 0; i < o.records; i++) parts.push(...applicationData(RECORD - 5, TLS_VERSION.TLS12, 20 + i));
  if (o.partial > 0) parts.push(...applicationData(RECORD - 5, TLS_VERSION.TLS12, 90).subarray(0, o.partial));
  if (o.notTls) parts.push(...new TextEncoder().encode('HTTP/1.1 400 Bad Request\r\n\r\n'));
  const stream = new Uint8Array(parts);
  let n = 0;
  const sent: Array<{ seq: number; bytes: Uint8Array }> = [];
  for (let off = 0; off < stream.length; off += 1400) {
    const bytes = stream.subarray(off, Math.min(off + 1400, stream.length));
    sent.push({ seq: c.nextSeq('server'), bytes });
    c.send('server', bytes);
    if (o.captureMissed && n === 3) c.frames.pop();
    if (++n % 2 === 0 || off + 1400 >= stream.length) c.ack('client');
  }
  for (const x of sent.slice(0, o.resend ?? 0)) c.send('server', x.bytes, { seq: x.seq });
  if (o.zeroWindow) c.ack('client', { win: 0 });
  let lostFrom = c.nextSeq('server');
  if (o.pastHole !== undefined) {
    c.send('server', filler(1400, 80));
    c.frames.pop();
    for (let i = 0; i < o.pastHole; i++) {
      c.send('server', filler(1400, 81 + i));
      c.ack('client', { ack: lostFrom });
    }
  } else lostFrom = c.nextSeq('server');
  for (let i = 0; i < (o.lostAfter ?? 0); i++) {
    c.send('server', filler(1400, 60 + i));
    c.frames.pop();
  }
  c.wait(o.wait);
  switch (o.end) {
    case 'client-fin':
      c.fin('client', { ack: lostFrom });
      c.ack('server');
      break;
    case 'client-alert-fin':
      c.send('client', tlsRecord(21, TLS_VERSION.TLS12, filler(26, 31)), { ack: lostFrom });
      c.fin('client', { ack: lostFrom });
      if ((o.lostAfter ?? 0) > 0) {
        // The path is back: the server's next segment arrives past the hole; the client, closed, resets.
        c.wait(0.2);
        c.send('server', filler(1400, 70), { seq: (lostFrom + 1400 * o.lostAfter!) >>> 0 });
        c.rst('client');
      } else c.ack('server');
      break;
    case 'client-rst':
      c.rst('client');
      break;
    case 'server-fin':
      c.fin('server');
      c.ack('client');
      c.fin('client');
      c.ack('server');
      break;
    case 'server-rst':
      c.rst('server');
      break;
    case 'capture':
      break;
  }
  return c;
}

describe('tls.transfer_cut_short', () => {
  it('the server\'s data stops inside a record, and 5 s later the client closes: it gave up (warning), with the record\'s missing bytes', async () => {
    const c = transfer({ records: 3, partial: 9000, wait: 5, end: 'client-alert-fin' });
    const r = await run(c.frames);
    expect(causes(r)).toEqual(['tls.transfer_cut_short|warning']);
    const v = r.verdicts[0]!;
    expect(v.layer).toBe('tls');
    expect(v.details).toMatchObject({ tlsVersion: 'TLS1.2', sni: 'www.example.com', receivedBytes: serverHandshakeBytes + 3 * RECORD + 9000, recordBytesMissing: RECORD - 9000, endedBy: { sender: 'client', flag: 'FIN' }, idleSeconds: 5 });
    expect(v.details['lostAfterClose']).toBeUndefined();
    expect(v.evidence.map((e) => e.kind)).toEqual(['server_hello', 'tls_data_first', 'tls_data_last', 'fin']);
    const en = verdictWords(v, 'en');
    expect(en.summary).toBe('www.example.com: the server\'s encrypted data stopped in the middle of a TLS record, and 5 s later the client closed the connection (FIN): the transfer did not finish');
    expect(en.explanation).toContain(`${RECORD - 9000} bytes of that record never came`);
    expect(en.explanation).toContain('No byte is missing from the capture: the client gave up');
    expect(verdictWords(v, 'zh').summary).toContain('服务器的加密数据在一个 TLS 记录的中途停止');
    expect(r.summary.failures).toBe(0);
  });

  it('the path went black: the server\'s segments lost, then one past the hole after the client\'s close: lost on the way, told', async () => {
    const c = transfer({ records: 2, partial: 4200, lostAfter: 3, wait: 5.6, end: 'client-alert-fin' });
    const r = await run(c.frames);
    expect(causes(r)).toEqual(['tls.transfer_cut_short|warning']);
    const v = r.verdicts[0]!;
    expect(v.details).toMatchObject({ receivedBytes: serverHandshakeBytes + 2 * RECORD + 4200, lostAfterClose: 4200 });
    expect(verdictWords(v, 'en').explanation).toContain('past 4200 bytes the client never received and never acknowledged: they were lost on the way');
  });

  it('the server closes (FIN) right after the bytes it sent, inside a record: cut short by the server (an error)', async () => {
    const c = transfer({ records: 1, partial: 5000, wait: 0.5, end: 'server-fin' });
    const r = await run(c.frames);
    expect(causes(r)).toEqual(['tls.transfer_cut_short|error']);
    const v = r.verdicts[0]!;
    expect(v.details).toMatchObject({ endedBy: { sender: 'server', flag: 'FIN' }, receivedBytes: serverHandshakeBytes + RECORD + 5000, recordBytesMissing: RECORD - 5000 });
    expect(verdictWords(v, 'en').summary).toBe('www.example.com: the server closed the connection (FIN) in the middle of a TLS record: the transfer was cut short');
    expect(verdictWords(v, 'en').explanation).toContain('unexpected eof while reading');
  });

  it('the server resets inside a record: cut short, with the RST', async () => {
    const r = await run(transfer({ records: 1, partial: 5000, wait: 0.5, end: 'server-rst' }).frames);
    expect(causes(r)).toEqual(['tls.transfer_cut_short|error']);
    expect(r.verdicts[0]!.details).toMatchObject({ endedBy: { sender: 'server', flag: 'RST' } });
  });

  it('not claimed: whole records (the transfer ended on a record\'s end), then the client closes after a pause', async () => {
    const r = await run(transfer({ records: 3, partial: 0, wait: 5, end: 'client-alert-fin' }).frames);
    expect(causes(r)).toEqual(['ok|ok']);
  });

  it('not claimed: the client closed while the data was still flowing (under 3 s), or reset it at once', async () => {
    const a = await run(transfer({ records: 3, partial: 9000, wait: 1, end: 'client-alert-fin' }).frames);
    expect(causes(a)).toEqual(['ok|ok']);
    const b = await run(transfer({ records: 3, partial: 9000, wait: 0.01, end: 'client-rst' }).frames);
    expect(b.verdicts.map((v) => v.cause)).not.toContain('tls.transfer_cut_short');
    expect(b.verdicts).toHaveLength(1);
  });

  it('not claimed: the capture missed a segment the client got (its ACKs went past the hole), or the capture ended during the silence', async () => {
    const a = await run(transfer({ records: 3, partial: 9000, captureMissed: true, wait: 5, end: 'client-alert-fin' }).frames);
    expect(a.verdicts.map((v) => v.cause)).not.toContain('tls.transfer_cut_short');
    expect(a.verdicts).toHaveLength(1);
    const b = await run(transfer({ records: 3, partial: 9000, wait: 30, end: 'capture' }).frames);
    expect(b.verdicts.map((v) => v.cause)).not.toContain('tls.transfer_cut_short');
    expect(b.verdicts).toHaveLength(1);
  });

  it('the client closes while the server\'s data still arrives through heavy loss (a tenth of its packets sent again): it gave up on a crawling transfer (warning)', async () => {
    const c = transfer({ records: 3, partial: 9000, resend: 8, pastHole: 3, wait: 0.2, end: 'client-fin' });
    const r = await run(c.frames);
    expect(causes(r)).toEqual(['tls.transfer_cut_short|warning']);
    const v = r.verdicts[0]!;
    const received = serverHandshakeBytes + 3 * RECORD + 9000;
    expect(v.details).toMatchObject({ receivedBytes: received, serverBytesBeyond: 4 * 1400, endedBy: { sender: 'client', flag: 'FIN' } });
    expect(v.details['stillArriving']).toMatchObject({ serverPacketsResent: 8 });
    expect(v.evidence.map((e) => e.kind)).toEqual(['server_hello', 'tls_data_first', 'data_still_arriving', 'fin']);
    const en = verdictWords(v, 'en');
    expect(en.summary).toContain('while the server\'s data still crawled in');
    expect(en.explanation).toContain('8 of its');
    expect(verdictWords(v, 'zh').summary).toContain('仍在缓慢到达');
    expect(r.summary.failures).toBe(0);
  });

  it('not claimed: the same close with no data sent again (a client that closed early proves nothing), or with the data stopped 2 s before', async () => {
    const a = await run(transfer({ records: 3, partial: 9000, pastHole: 3, wait: 0.2, end: 'client-fin' }).frames);
    expect(a.verdicts.map((v) => v.cause)).not.toContain('tls.transfer_cut_short');
    const b = await run(transfer({ records: 3, partial: 9000, resend: 8, pastHole: 3, wait: 2, end: 'client-fin' }).frames);
    expect(b.verdicts.map((v) => v.cause)).not.toContain('tls.transfer_cut_short');
  });

  it('a path that went black, with data sent again before it: the bytes that came after the close do not make it a crawl (the data had stopped)', async () => {
    const r = await run(transfer({ records: 2, partial: 4200, resend: 8, lostAfter: 3, wait: 5.6, end: 'client-alert-fin' }).frames);
    expect(causes(r)).toEqual(['tls.transfer_cut_short|warning']);
    expect(r.verdicts[0]!.details['stillArriving']).toBeUndefined();
    expect(r.verdicts[0]!.details).toMatchObject({ lostAfterClose: 4200, idleSeconds: 5.6 });
  });

  it('not claimed: the client closed its window before the silence (it stopped reading: the stall was its own)', async () => {
    const r = await run(transfer({ records: 3, partial: 9000, zeroWindow: true, wait: 5, end: 'client-alert-fin' }).frames);
    expect(causes(r)).toEqual(['ok|ok']);
  });

  it('stuck on a hole: the server\'s data past a hole came before the client\'s close (it kept sending; the hole stayed): told as such, not as lost after the close', async () => {
    const r = await run(transfer({ records: 3, partial: 9000, pastHole: 3, wait: 5, end: 'client-alert-fin' }).frames);
    expect(causes(r)).toEqual(['tls.transfer_cut_short|warning']);
    const v = r.verdicts[0]!;
    expect(v.details['stuckOnHole']).toMatchObject({ missingBytes: expect.any(Number) });
    expect(v.details['lostAfterClose']).toBeUndefined();
    const en = verdictWords(v, 'en').explanation;
    expect(en).toContain('bytes of the server\'s data never reached the client while later data did');
    expect(en).not.toContain('came again only after that close');
  });

  it('not claimed: the server\'s bytes stopped reading as TLS records, then it closed (no record is known to be cut)', async () => {
    const r = await run(transfer({ records: 2, partial: 0, notTls: true, wait: 0.5, end: 'server-fin' }).frames);
    expect(r.verdicts.map((v) => v.cause)).not.toContain('tls.transfer_cut_short');
    expect(r.verdicts).toHaveLength(1);
  });

  it('one fetch cut, the next one whole: the cut one is still told, with how many worked', async () => {
    const cut = transfer({ port: 40310, records: 3, partial: 9000, wait: 5, end: 'client-alert-fin' });
    const whole = transfer({ port: 40311, start: 1_760_000_060, records: 2, partial: 0, wait: 0.1, end: 'client-alert-fin' });
    const r = await run([...cut.frames, ...whole.frames]);
    expect(causes(r)).toEqual(['tls.transfer_cut_short|warning']);
    expect(r.verdicts[0]!.details).toMatchObject({ connections: 2, failedConnections: 0 });
    expect(verdictWords(r.verdicts[0]!, 'en').explanation).toContain('1 of 2 attempts to this target worked');
  });

  it('one fetch cut by the server, the next one whole: the failure is told (each transfer is its own), not "worked in the end"', async () => {
    const cut = transfer({ port: 40320, records: 1, partial: 5000, wait: 0.5, end: 'server-rst' });
    const whole = transfer({ port: 40321, start: 1_760_000_060, records: 2, partial: 0, wait: 0.1, end: 'client-alert-fin' });
    const r = await run([...cut.frames, ...whole.frames]);
    expect(causes(r)).toEqual(['tls.transfer_cut_short|error']);
    expect(r.verdicts[0]!.details).toMatchObject({ connections: 2, failedConnections: 1 });
  });
});
