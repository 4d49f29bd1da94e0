/**
 * Happy Eyeballs (RFC 8305) built packet by packet: a name with an AAAA and an A record, the IPv6
 * SYN unanswered, the client turning to IPv4 200 ms later and the fetch working there, the capture
 * ending soon after (as samples/happy-eyeballs-v6-dropped.pcap, made by curl). The client gave up
 * the IPv6 attempt itself: the capture's early end does not make it unjudgeable, and the name's
 * verdict is "worked in the end" (a warning), not plain ok.
 */
import { describe, expect, it } from 'vitest';
import { openStream } from '../../src/capture/open.js';
import { analyze } from '../../src/analyze.js';
import type { Report } from '../../src/report/model.js';
import { verdictWords } from '../../src/report/words.js';
import { Capture, LINKTYPE, TcpConversation, ascii, dnsMessage, ethIp, udpIp } from '../helpers/index.js';

const T0 = 1_750_000_000;
const C4 = '192.0.2.10';
const C6 = '2001:db8:2::10';
const DNS = '198.51.100.53';
const V4 = '203.0.113.10';
const V6 = '2001:db8:203::11';
const NAME = 'dual.example.com';

async function run(bytes: Uint8Array): Promise<Report> {
  async function* one(): AsyncIterable<Uint8Array> {
    yield bytes;
  }
  return analyze(await openStream(one(), { name: 'built.pcap' }), { all: true });
}

/** The A and AAAA lookups of NAME (answered at once). */
function lookups(cap: Capture, v4 = V4, v6 = V6): void {
  const q = (id: number, type: 'A' | 'AAAA', data: string, t: number): void => {
    const questions = [{ name: NAME, type }];
    cap.add(t, ethIp(udpIp({ src: C4, dst: DNS, sport: 40000 + id, dport: 53 }, dnsMessage({ id, qr: false, rd: true, questions }))));
    cap.add(t + 0.0002, ethIp(udpIp({ src: DNS, dst: C4, sport: 53, dport: 40000 + id }, dnsMessage({ id, qr: true, rd: true, ra: true, questions, answers: [{ name: NAME, type, data }] }))));
  };
  q(1, 'A', v4, T0);
  q(2, 'AAAA', v6, T0 + 0.0001);
}

/** An HTTP fetch that works, from `start`. */
function fetch(cap: Capture, client: string, server: string, start: number, port = 41000): void {
  const c = new TcpConversation({ client: [client, port], server: [server, 80], start, step: 0.0001 });
  c.syn();
  c.synAck();
  c.ack('client');
  c.send('client', ascii(`GET / HTTP/1.1\r\nHost: ${NAME}\r\n\r\n`));
  c.send('server', ascii('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'));
  c.fin('server');
  c.fin('client');
  c.ack('server');
  cap.addAll(c.frames);
}

/** One SYN, never answered nor sent again. */
function lostSyn(cap: Capture, client: string, server: string, at: number): void {
  const c = new TcpConversation({ client: [client, 52720], server: [server, 80], start: at });
  c.syn();
  cap.addAll(c.frames);
}

describe('Happy Eyeballs: IPv6 unanswered, IPv4 worked', () => {
  it('a SYN the client left for the other address is a failed attempt of a target that worked in the end', async () => {
    const cap = new Capture();
    lookups(cap);
    lostSyn(cap, C6, V6, T0 + 0.0016);
    fetch(cap, C4, V4, T0 + 0.2016);
    const r = await run(cap.pcap({ linkType: LINKTYPE.ETHERNET }));
    expect(r.verdicts.map((v) => [v.target.name, v.target.ip, v.cause, v.severity])).toEqual([[NAME, V4, 'ok', 'warning']]);
    const v = r.verdicts[0]!;
    expect(v.client.ip).toBe(C4);
    expect(v.details['attemptsSeen']).toEqual([
      { ip: V6, cause: 'tcp.syn_unanswered', frame: 5 },
      { ip: V4, cause: 'ok', frame: 6 },
    ]);
    // The IPv6 SYN is the first evidence; nothing says an attempt could not be judged.
    expect(v.evidence[0]!.frame).toBe(5);
    expect(v.limits.map((l) => l.kind)).toEqual(['syn_left_for_other_address']);
    const en = verdictWords(v, 'en');
    expect(en.summary).toBe(`${NAME}: worked in the end, after 1 failed attempt`);
    expect(en.explanation).toContain(`tcp.syn_unanswered (${V6})`);
    expect(en.explanation).toContain(`the SYN to ${V6} had no answer 200 ms later, when the client turned to ${V4}`);
    expect(en.explanation).not.toContain('cannot be judged');
    expect(en.advice.join(' ')).toContain('ip6tables');
    expect(verdictWords(v, 'zh').explanation).toContain('200 毫秒');
  });

  it('a lone SYN at the end of the capture stays unjudged (no other address was tried)', async () => {
    const cap = new Capture();
    lookups(cap);
    lostSyn(cap, C6, V6, T0 + 0.0016);
    cap.add(T0 + 0.2, ethIp(udpIp({ src: C4, dst: DNS, sport: 40009, dport: 53 }, dnsMessage({ id: 9, qr: false, rd: true, questions: [{ name: 'other.example.com', type: 'A' }] }))));
    const r = await run(cap.pcap({ linkType: LINKTYPE.ETHERNET }));
    const v = r.verdicts.find((x) => x.target.ip === V6)!;
    expect([v.cause, v.severity]).toEqual(['capture.ended_early', 'warning']);
  });

  it('a SYN followed by a working attempt to the same address stays unjudged', async () => {
    const cap = new Capture();
    lookups(cap, V4, '2001:db8:203::10');
    lostSyn(cap, C4, V4, T0 + 0.0016);
    fetch(cap, C4, V4, T0 + 0.2016);
    const r = await run(cap.pcap({ linkType: LINKTYPE.ETHERNET }));
    const v = r.verdicts.find((x) => x.target.ip === V4)!;
    expect([v.cause, v.severity]).toEqual(['ok', 'ok']);
    expect(v.details['attemptsSeen']).toEqual([
      { ip: V4, cause: 'capture.ended_early', frame: 5 },
      { ip: V4, cause: 'ok', frame: 6 },
    ]);
  });

  it('the IPv4 attempt failed too: the SYN stays unjudged and the failure is told', async () => {
    const cap = new Capture();
    lookups(cap);
    lostSyn(cap, C6, V6, T0 + 0.0016);
    const c = new TcpConversation({ client: [C4, 41000], server: [V4, 80], start: T0 + 0.2016, step: 0.0001 });
    c.syn();
    c.rst('server', { flags: 'RA' });
    cap.addAll(c.frames);
    const r = await run(cap.pcap({ linkType: LINKTYPE.ETHERNET }));
    const v = r.verdicts[0]!;
    expect([v.cause, v.severity]).toEqual(['tcp.refused', 'error']);
    expect((v.details['attemptsSeen'] as Array<{ cause: string }>).map((a) => a.cause)).toEqual(['capture.ended_early', 'tcp.refused']);
  });
});
