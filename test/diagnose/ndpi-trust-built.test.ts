/**
 * FAIL verdicts checked against nDPI's test captures (ntop/nDPI tests/cfgs/default/pcap, never
 * seen by wirewhy before): each kind of over-claim found there, built packet by packet and run
 * through the whole pipeline, and beside it a real failure of the same cause that must stay
 * claimed.
 */
import { describe, expect, it } from 'vitest';
import { openStream } from '../../src/capture/open.js';
import { analyze } from '../../src/analyze.js';
import type { Report } from '../../src/report/model.js';
import { renderReport } from '../../src/report/render.js';
import { CaptureClock } from '../../src/clock.js';
import {
  TcpConversation, Capture, pcapFile, ascii, ethIp, udpIp, dnsMessage, LINKTYPE, changeCipherSpec, encryptedHandshake,
  applicationData, tls12UntilClientFinished, TLS_VERSION, tcpIp, icmpIp, quote, ICMP, type CaptureRecord,
} from '../helpers/index.js';

async function run(bytes: Uint8Array): Promise<Report> {
  async function* one(): AsyncIterable<Uint8Array> {
    yield bytes;
  }
  return analyze(await openStream(one(), { name: 'built.pcap' }), { all: true });
}

const errors = (r: Report) => r.verdicts.filter((v) => v.severity === 'error').map((v) => v.cause);
const T0 = 1_700_000_000;

/** Another client's short exchange at `at` (a DNS query answered at once): packets of another recording. */
function otherTraffic(at: number, id: number): CaptureRecord[] {
  const cap = new Capture();
  const q = dnsMessage({ id, qr: false, rd: true, questions: [{ name: `other${id}.example`, type: 'A' }] });
  const a = dnsMessage({ id, qr: true, rd: true, ra: true, questions: [{ name: `other${id}.example`, type: 'A' }], answers: [{ name: `other${id}.example`, type: 'A', data: '203.0.113.77' }] });
  cap.add(at, ethIp(udpIp({ src: '192.0.2.50', dst: '198.51.100.53', sport: 40000 + id, dport: 53 }, q)));
  cap.add(at + 0.01, ethIp(udpIp({ src: '198.51.100.53', dst: '192.0.2.50', sport: 53, dport: 40000 + id }, a)));
  return cap.records;
}

/** A plain HTTP request the server acknowledged and never answered, at T0. */
function unanswered(): TcpConversation {
  const c = new TcpConversation({ client: ['192.0.2.10', 37504], server: ['198.51.100.45', 80], start: T0 });
  c.syn();
  c.synAck();
  c.ack('client');
  c.send('client', ascii('POST /ddns/update HTTP/1.1\r\nHost: ddns.example\r\nContent-Length: 0\r\n\r\n'));
  c.ack('server');
  return c;
}

/** A TLS 1.2 handshake and the client's encrypted request at T1 (in 2025: the test certificate is valid), the server silent after. */
const T1 = 1_760_000_000;
function httpsUnanswered(): TcpConversation {
  const c = new TcpConversation({ client: ['192.0.2.10', 44558], server: ['198.51.100.174', 443], start: T1 });
  c.syn();
  c.synAck();
  c.ack('client');
  tls12UntilClientFinished(c, 'www.example.com');
  c.send('server', new Uint8Array([...changeCipherSpec(), ...encryptedHandshake(40)]));
  c.send('client', applicationData(288, TLS_VERSION.TLS12, 6));
  c.ack('server');
  return c;
}

describe('silence is judged within the recording that holds it, not across a break between recordings', () => {
  it('a request, then nothing at all for 38 days, then other traffic: capture.ended_early, not http.no_response (nDPI softether.pcap, flows cut from several captures)', async () => {
    const c = unanswered();
    const frames = [...c.frames, ...otherTraffic(T0 + 38 * 86400, 1), ...otherTraffic(T0 + 38 * 86400 + 30, 2)];
    const r = await run(pcapFile({ linkType: LINKTYPE.ETHERNET }, frames));
    expect(errors(r)).toEqual([]);
    const v = r.verdicts.find((x) => x.target.port === 80)!;
    expect(v.cause).toBe('capture.ended_early');
  });

  it('a request, then the clock stepped back an hour (a file of flows pasted together): not judged against the earlier recording\'s later times (nDPI yandex.pcapng)', async () => {
    const frames = [...otherTraffic(T0 + 3600, 1), ...otherTraffic(T0 + 3700, 2), ...unanswered().frames];
    const r = await run(pcapFile({ linkType: LINKTYPE.ETHERNET }, frames));
    expect(errors(r)).toEqual([]);
    expect(r.verdicts.find((x) => x.target.port === 80)!.cause).toBe('capture.ended_early');
  });

  it('the same request and 60 s of other traffic before the break: http.no_response stays, and no wait of 38 days is said (nDPI instagram.pcap)', async () => {
    const c = unanswered();
    const frames = [...c.frames];
    for (let i = 1; i <= 6; i++) frames.push(...otherTraffic(T0 + i * 10, i));
    frames.push(...otherTraffic(T0 + 38 * 86400, 7));
    const r = await run(pcapFile({ linkType: LINKTYPE.ETHERNET }, frames));
    expect(errors(r)).toEqual(['http.no_response']);
    const v = r.verdicts.find((x) => x.cause === 'http.no_response')!;
    // 38 days are 3,283,200 s: no figure of that size in the words.
    expect(renderReport(r, 'json', { lang: 'en' })).not.toMatch(/328\d{4}/);
    expect(v.evidence.map((e) => e.frame)).toEqual([4]);
  });

  it('an HTTPS request, 44 s of other traffic, then a recording 4 years later: http.no_response says 44 s, not 132075345 s (nDPI instagram.pcap)', async () => {
    const c = httpsUnanswered();
    const frames = [...c.frames];
    for (let i = 1; i <= 4; i++) frames.push(...otherTraffic(T1 + i * 11, i));
    frames.push(...otherTraffic(T1 + 132_075_345, 9));
    const r = await run(pcapFile({ linkType: LINKTYPE.ETHERNET }, frames));
    expect(errors(r)).toEqual(['http.no_response']);
    const v = r.verdicts.find((x) => x.cause === 'http.no_response')!;
    expect(v.details['encrypted']).toBe(true);
    expect(v.details['silenceSeconds']).toBeCloseTo(44, 0);
    const json = JSON.parse(renderReport(r, 'json', { lang: 'en' })) as { verdicts: Array<{ cause: string; summary: string }> };
    expect(json.verdicts.find((x) => x.cause === 'http.no_response')!.summary).toMatch(/no answer came in 44(\.0)? s$/);
  });

  it('an HTTPS request and 3 s of other traffic before the break: capture.ended_early, not http.no_response (nDPI yandex.pcapng)', async () => {
    const c = httpsUnanswered();
    const frames = [...c.frames, ...otherTraffic(T1 + 3, 1), ...otherTraffic(T1 + 7200, 2)];
    const r = await run(pcapFile({ linkType: LINKTYPE.ETHERNET }, frames));
    expect(errors(r)).toEqual([]);
  });

  it('a request, then nothing for 40 minutes (a capture filtered to one connection) until the client\'s retransmission and FIN: http.no_response stays', async () => {
    const c = unanswered();
    c.wait(2400);
    c.send('client', ascii('POST /ddns/update HTTP/1.1\r\nHost: ddns.example\r\nContent-Length: 0\r\n\r\n'), { retransmit: true });
    c.wait(1);
    c.fin('client');
    const r = await run(pcapFile({ linkType: LINKTYPE.ETHERNET }, c.frames));
    expect(errors(r)).toEqual(['http.no_response']);
  });

  it('a lone SYN, then nothing for two hours: capture.ended_early, not tcp.syn_unanswered (nDPI malware.pcap)', async () => {
    const c = new TcpConversation({ client: ['192.0.2.10', 33706], server: ['198.51.100.220', 80], start: T0 });
    c.syn();
    const frames = [...c.frames, ...otherTraffic(T0 + 7932, 1), ...otherTraffic(T0 + 7940, 2)];
    const r = await run(pcapFile({ linkType: LINKTYPE.ETHERNET }, frames));
    expect(errors(r)).toEqual([]);
    expect(r.verdicts.find((x) => x.target.port === 80)!.cause).toBe('capture.ended_early');
  });

  it('SYNs retransmitted for 15 s before the break: tcp.syn_unanswered stays', async () => {
    const c = new TcpConversation({ client: ['192.0.2.10', 33707], server: ['198.51.100.220', 80], start: T0 });
    c.syn();
    for (const d of [1, 2, 4, 8]) {
      c.wait(d);
      c.syn();
    }
    const frames = [...c.frames, ...otherTraffic(T0 + 7932, 1)];
    const r = await run(pcapFile({ linkType: LINKTYPE.ETHERNET }, frames));
    expect(errors(r)).toEqual(['tcp.syn_unanswered']);
  });

  it('a DNS query, then a break of a day: not dns.no_response', async () => {
    const cap = new Capture();
    cap.add(T0, ethIp(udpIp({ src: '192.0.2.10', dst: '198.51.100.53', sport: 44000, dport: 53 }, dnsMessage({ id: 7, qr: false, rd: true, questions: [{ name: 'cut.example', type: 'A' }] }))));
    const frames = [...cap.records, ...otherTraffic(T0 + 86400, 1)];
    const r = await run(pcapFile({ linkType: LINKTYPE.ETHERNET }, frames));
    expect(errors(r)).toEqual([]);
    expect(r.verdicts.find((x) => x.target.name === 'cut.example')!.cause).toBe('capture.ended_early');
  });

  it('a DNS query retried for 10 s before the break: dns.no_response stays', async () => {
    const cap = new Capture();
    for (const at of [0, 5, 10]) cap.add(T0 + at, ethIp(udpIp({ src: '192.0.2.10', dst: '198.51.100.53', sport: 44000, dport: 53 }, dnsMessage({ id: 7, qr: false, rd: true, questions: [{ name: 'down.example', type: 'A' }] }))));
    const frames = [...cap.records, ...otherTraffic(T0 + 86400, 1)];
    const r = await run(pcapFile({ linkType: LINKTYPE.ETHERNET }, frames));
    expect(errors(r)).toEqual(['dns.no_response']);
  });
});

describe('CaptureClock.recordingEnd: the latest time of the recording that holds a frame', () => {
  it('splits at a forward gap over an hour and at a step back over 5 minutes, not at shorter ones', () => {
    const clock = new CaptureClock();
    // Frames 1-3: one recording (a 50-minute quiet spell inside it); 4-5 after a two-hour gap; 6-7 stamped 20 minutes earlier.
    const times = [T0, T0 + 10, T0 + 3010, T0 + 10210, T0 + 10220, T0 + 9000, T0 + 9005];
    times.forEach((t, i) => clock.see(t, 0, i + 1));
    expect(clock.breaks).toBe(2);
    expect([1, 2, 3].map((f) => clock.recordingEnd(f))).toEqual([T0 + 3010, T0 + 3010, T0 + 3010]);
    expect([4, 5].map((f) => clock.recordingEnd(f))).toEqual([T0 + 10220, T0 + 10220]);
    expect([6, 7].map((f) => clock.recordingEnd(f))).toEqual([T0 + 9005, T0 + 9005]);
    expect(clock.inLastRecording(5)).toBe(false);
    expect(clock.inLastRecording(6)).toBe(true);
    // The latest time of the file stays what it was.
    expect(clock.latest).toBe(T0 + 10220);
  });

  it('a clock stepped back by a few seconds (two interfaces merged) is no break', () => {
    const clock = new CaptureClock();
    [T0, T0 + 5, T0 + 1, T0 + 6, T0 + 2].forEach((t, i) => clock.see(t, 0, i + 1));
    expect(clock.breaks).toBe(0);
    expect(clock.recordingEnd(1)).toBe(T0 + 6);
  });
});

describe('ICMP port unreachable: who sent it, and whether the port had been answering', () => {
  const CLIENT = '192.168.0.103';
  const SERVER = '173.194.40.20';

  it('sent by the client to itself about its own SYN: the client\'s own rule, not "a firewall on the way" (nDPI instagram.pcap)', async () => {
    const syn = tcpIp({ src: CLIENT, dst: SERVER, sport: 49400, dport: 443, flags: 'S', seq: 1000 });
    const cap = new Capture();
    cap.add(T0, ethIp(icmpIp({ src: CLIENT, dst: CLIENT, type: ICMP.DEST_UNREACH, code: ICMP.PORT_UNREACH }, quote(syn, 20))));
    cap.add(T0 + 5, ethIp(udpIp({ src: CLIENT, dst: '198.51.100.99', sport: 45000, dport: 9 }, ascii('end'))));
    const r = await run(cap.pcap({ linkType: LINKTYPE.ETHERNET }));
    expect(errors(r)).toEqual(['icmp.port_unreachable']);
    const v = r.verdicts.find((x) => x.cause === 'icmp.port_unreachable')!;
    expect(v.details['fromClient']).toBe(true);
    const en = JSON.parse(renderReport(r, 'json', { lang: 'en' })) as { verdicts: Array<{ cause: string; summary: string; explanation: string }> };
    const w = en.verdicts.find((x) => x.cause === 'icmp.port_unreachable')!;
    expect(w.summary).toContain('the client 192.168.0.103 itself rejected its own tcp packet to port 443');
    expect(w.explanation).not.toContain('on the way');
    const zh = JSON.parse(renderReport(r, 'json', { lang: 'zh' })) as { verdicts: Array<{ cause: string; summary: string }> };
    expect(zh.verdicts.find((x) => x.cause === 'icmp.port_unreachable')!.summary).toContain('客户端 192.168.0.103 自己');
  });

  it('sent by a router about the client\'s SYN: still a firewall or router on the way', async () => {
    const syn = tcpIp({ src: CLIENT, dst: SERVER, sport: 49401, dport: 443, flags: 'S', seq: 1000 });
    const cap = new Capture();
    cap.add(T0, ethIp(icmpIp({ src: '192.168.0.1', dst: CLIENT, type: ICMP.DEST_UNREACH, code: ICMP.PORT_UNREACH }, quote(syn, 20))));
    cap.add(T0 + 5, ethIp(udpIp({ src: CLIENT, dst: '198.51.100.99', sport: 45000, dport: 9 }, ascii('end'))));
    const r = await run(cap.pcap({ linkType: LINKTYPE.ETHERNET }));
    expect(errors(r)).toEqual(['icmp.port_unreachable']);
    const v = r.verdicts.find((x) => x.cause === 'icmp.port_unreachable')!;
    expect(v.details['fromClient']).toBeUndefined();
    expect(v.details['fromDestination']).toBe(false);
    const en = JSON.parse(renderReport(r, 'json', { lang: 'en' })) as { verdicts: Array<{ cause: string; summary: string }> };
    expect(en.verdicts.find((x) => x.cause === 'icmp.port_unreachable')!.summary).toContain('192.168.0.1, not 173.194.40.20 itself, rejected');
  });

  /** A peer's UDP media flow to a host's port, answered both ways for `seconds`, then the host's port unreachable about the peer's next datagram. */
  function media(answered: boolean, from: string): Uint8Array {
    const PEER = '91.252.56.51';
    const HOST = '192.168.2.12';
    const cap = new Capture();
    let t = T0;
    for (let i = 0; i < 20; i++) {
      cap.add(t, ethIp(udpIp({ src: PEER, dst: HOST, sport: 32704, dport: 56328 }, new Uint8Array(120).fill(i))));
      if (answered) cap.add(t + 0.01, ethIp(udpIp({ src: HOST, dst: PEER, sport: 56328, dport: 32704 }, new Uint8Array(130).fill(i))));
      t += 0.5;
    }
    const late = udpIp({ src: PEER, dst: HOST, sport: 32704, dport: 56328 }, new Uint8Array(74));
    cap.add(t, ethIp(late));
    cap.add(t + 0.001, ethIp(icmpIp({ src: from, dst: PEER, type: ICMP.DEST_UNREACH, code: ICMP.PORT_UNREACH }, quote(late))));
    cap.add(t + 2, ethIp(udpIp({ src: HOST, dst: '198.51.100.99', sport: 45000, dport: 9 }, ascii('end'))));
    return cap.pcap({ linkType: LINKTYPE.ETHERNET });
  }

  it('from the host whose port had been sending for 10 s (a call hung up, late packets refused): no failure (nDPI wa_voice.pcap)', async () => {
    const r = await run(media(true, '192.168.2.12'));
    expect(errors(r)).toEqual([]);
  });

  it('from the host whose port never answered: icmp.port_unreachable stays', async () => {
    const r = await run(media(false, '192.168.2.12'));
    expect(errors(r)).toEqual(['icmp.port_unreachable']);
  });

  it('from a firewall on the way after the flow had gone both ways: icmp.port_unreachable stays (a middlebox started refusing)', async () => {
    const r = await run(media(true, '192.168.2.1'));
    expect(errors(r)).toEqual(['icmp.port_unreachable']);
  });
});

describe('tcp.stalled after a handshake: the data left unacknowledged must be what was resent', () => {
  const REQ = ascii('GET /login HTTP/1.1\r\nHost: game.example\r\n\r\n');

  it('every packet captured twice, microseconds apart, and the capture ending right after the last data: no stall (nDPI wow.pcap, fix2.pcap)', async () => {
    const c = new TcpConversation({ client: ['192.0.2.20', 39329], server: ['198.51.100.153', 3724], start: T0 });
    c.syn();
    c.synAck();
    c.ack('client');
    for (let i = 0; i < 4; i++) {
      c.send('client', ascii(`MSG ${i} ........................................`));
      // The same segment again 50 µs later: the capture saw it twice (two interfaces, a bridge).
      c.step = 0.00005;
      c.send('client', ascii(`MSG ${i} ........................................`), { retransmit: true });
      c.step = 0.001;
      c.wait(0.2);
      c.ack('server');
      c.send('server', ascii(`OK ${i}`));
      c.ack('client');
    }
    c.send('client', ascii('MSG last'));
    c.step = 0.00005;
    c.send('client', ascii('MSG last'), { retransmit: true });
    const r = await run(pcapFile({ linkType: LINKTYPE.ETHERNET }, c.frames));
    expect(errors(r)).toEqual([]);
  });

  it('retransmissions the server acknowledged, then data the capture stopped after: no stall (nDPI forticlient.pcap)', async () => {
    const c = new TcpConversation({ client: ['192.0.2.20', 61820], server: ['198.51.100.13', 10443], start: T0 });
    c.syn();
    c.synAck();
    c.ack('client');
    for (let i = 0; i < 3; i++) {
      c.send('client', ascii(`chunk ${i} ${'x'.repeat(200)}`));
      c.wait(0.3);
      c.send('client', ascii(`chunk ${i} ${'x'.repeat(200)}`), { retransmit: true });
      c.ack('server');
    }
    c.send('client', ascii(`tail ${'y'.repeat(300)}`));
    const r = await run(pcapFile({ linkType: LINKTYPE.ETHERNET }, c.frames));
    expect(errors(r)).toEqual([]);
  });

  it('a request resent with back-off and never acknowledged: tcp.stalled stays', async () => {
    const c = new TcpConversation({ client: ['192.0.2.20', 39330], server: ['198.51.100.153', 80], start: T0 });
    c.syn();
    c.synAck();
    c.ack('client');
    c.send('client', REQ);
    for (const gap of [0.2, 0.4, 0.8, 1.6]) {
      c.wait(gap);
      c.send('client', REQ, { retransmit: true });
    }
    c.wait(3);
    c.rst('client');
    const r = await run(pcapFile({ linkType: LINKTYPE.ETHERNET }, c.frames));
    expect(errors(r)).toEqual(['tcp.stalled']);
  });

  it('a small segment resent once, then a full-size one resent with back-off, none acknowledged: tcp.stalled stays (suricata-verify ssh-hassh-incomplete)', async () => {
    const c = new TcpConversation({ client: ['192.0.2.20', 51840], server: ['198.51.100.254', 22], start: T0 });
    c.syn();
    c.synAck();
    c.ack('client');
    c.send('client', ascii('SSH-2.0-OpenSSH_6.7p1\r\n'));
    c.ack('server');
    c.send('server', ascii('SSH-2.0-OpenSSH_7.4p1\r\n'));
    c.ack('client');
    const big = new Uint8Array(1440).fill(0x41);
    const small = new Uint8Array(528).fill(0x42);
    const bigSeq = c.nextSeq('client');
    c.send('client', big);
    c.send('client', small);
    c.wait(0.4);
    c.send('client', small, { retransmit: true });
    for (const gap of [0.6, 1.2, 2.4, 4.7, 9.5]) {
      c.wait(gap);
      c.send('client', big, { retransmit: bigSeq });
    }
    const r = await run(pcapFile({ linkType: LINKTYPE.ETHERNET }, c.frames));
    expect(errors(r)).toEqual(['tcp.stalled']);
  });
});

describe('tcp.handshake_incomplete: what the missing ACK proves', () => {
  function opening(port: number): TcpConversation {
    const c = new TcpConversation({ client: ['192.0.2.30', port], server: ['198.51.100.91', 443], start: T0 });
    c.syn();
    c.wait(0.03);
    c.synAck();
    return c;
  }

  it('the client resets the connection when a prompt SYN-ACK comes (a raced connection it dropped): a warning in its own words (nDPI reddit.pcap, telegram_videocall.pcapng)', async () => {
    const c = opening(36972);
    c.rst('client', { flags: 'R', ack: 0 });
    const r = await run(pcapFile({ linkType: LINKTYPE.ETHERNET }, [...c.frames, ...otherTraffic(T0 + 10, 1)]));
    expect(errors(r)).toEqual([]);
    const v = r.verdicts.find((x) => x.cause === 'tcp.handshake_incomplete')!;
    expect(v.severity).toBe('warning');
    expect(v.details['clientReset']).toMatchObject({ frame: 3 });
    expect(v.evidence.map((e) => e.frame)).toEqual([1, 2, 3]);
    const en = JSON.parse(renderReport(r, 'json', { lang: 'en' })) as { verdicts: Array<{ cause: string; summary: string }> };
    expect(en.verdicts.find((x) => x.cause === 'tcp.handshake_incomplete')!.summary).toContain('it had already given up on it');
  });

  it('the client resets after its SYNs were resent and the SYN-ACK came late: the failure stands', async () => {
    const c = new TcpConversation({ client: ['192.0.2.30', 36973], server: ['198.51.100.91', 443], start: T0 });
    c.syn();
    c.wait(1);
    c.syn();
    c.wait(2);
    c.syn();
    c.wait(1.5);
    c.synAck();
    c.rst('client', { flags: 'R', ack: 0 });
    const r = await run(pcapFile({ linkType: LINKTYPE.ETHERNET }, [...c.frames, ...otherTraffic(T0 + 10, 1)]));
    expect(errors(r)).toEqual(['tcp.handshake_incomplete']);
    // Told as a slow answer, not a lost one: the reset shows the SYN-ACK reached the client.
    const v = r.verdicts.find((x) => x.cause === 'tcp.handshake_incomplete')!;
    expect(v.details).toMatchObject({ clientReset: { frame: 5 } });
    expect(v.details['synAckAfterSeconds']).toBeCloseTo(4.5, 1);
    expect(v.evidence.map((e) => e.kind)).toEqual(['syn', 'synack_unacked', 'rst']);
    const words = JSON.parse(renderReport(r, 'json', { lang: 'en' })) as { verdicts: Array<{ cause: string; summary: string; explanation: string }> };
    const w = words.verdicts.find((x) => x.cause === 'tcp.handshake_incomplete')!;
    expect(w.summary).toContain('the SYN-ACK came 4.5 s after the first SYN, too late: the client had given up and reset it');
    expect(w.explanation).toContain('(3 sent in all)');
    expect(w.explanation).not.toContain('asymmetric routing');
    const zh = JSON.parse(renderReport(r, 'json', { lang: 'zh' })) as { verdicts: Array<{ cause: string; summary: string }> };
    expect(zh.verdicts.find((x) => x.cause === 'tcp.handshake_incomplete')!.summary).toContain('4.5 秒才到达');
  });

  it('no reset after a SYN-ACK the client never acknowledged: the lost-reply story, no late-answer words', async () => {
    const c = new TcpConversation({ client: ['192.0.2.30', 36974], server: ['198.51.100.91', 443], start: T0 });
    c.syn();
    c.wait(0.03);
    c.synAck();
    c.wait(1);
    c.synAck();
    const r = await run(pcapFile({ linkType: LINKTYPE.ETHERNET }, [...c.frames, ...otherTraffic(T0 + 10, 1)]));
    const v = r.verdicts.find((x) => x.cause === 'tcp.handshake_incomplete')!;
    expect(v.severity).toBe('error');
    expect(v.details['synAckAfterSeconds']).toBeUndefined();
    const words = JSON.parse(renderReport(r, 'json', { lang: 'en' })) as { verdicts: Array<{ cause: string; summary: string }> };
    expect(words.verdicts.find((x) => x.cause === 'tcp.handshake_incomplete')!.summary).toContain('the handshake never completed');
  });

  /** A connection that worked, at `at`: the capture holds TCP segments without SYN. */
  function working(at: number): CaptureRecord[] {
    const w = new TcpConversation({ client: ['192.0.2.30', 50000], server: ['198.51.100.92', 80], start: at });
    w.syn();
    w.synAck();
    w.ack('client');
    w.fin('client');
    w.fin('server');
    w.ack('client');
    return w.frames;
  }

  it('one SYN-ACK, nothing resent by either side while the capture went on 10 s: a warning, the ACK was most likely missed (nDPI sites.pcapng)', async () => {
    const c = opening(45936);
    const frames = [...c.frames, ...working(T0 + 1)];
    for (let i = 1; i <= 5; i++) frames.push(...otherTraffic(T0 + i * 2, i));
    const r = await run(pcapFile({ linkType: LINKTYPE.ETHERNET }, frames));
    expect(errors(r)).toEqual([]);
    const v = r.verdicts.find((x) => x.cause === 'tcp.handshake_incomplete')!;
    expect(v.severity).toBe('warning');
    expect(v.details['synAckNotResent']).toBe(true);
  });

  it('the server resending its SYN-ACK while the capture went on: tcp.handshake_incomplete stays a failure', async () => {
    const c = opening(45937);
    c.wait(1);
    c.synAck({ seq: 5000 });
    c.wait(2);
    c.synAck({ seq: 5000 });
    const frames = [...c.frames, ...working(T0 + 1)];
    for (let i = 1; i <= 5; i++) frames.push(...otherTraffic(T0 + i * 2, i));
    const r = await run(pcapFile({ linkType: LINKTYPE.ETHERNET }, frames));
    expect(errors(r)).toEqual(['tcp.handshake_incomplete']);
  });
});

describe('a request never acknowledged and never resent: the capture lost the connection, not the server its answer', () => {
  /** Other traffic every 2 s for 20 s after T1: the capture went on. */
  const later = (): CaptureRecord[] => Array.from({ length: 10 }, (_, i) => otherTraffic(T1 + 2 * (i + 1), i + 1)).flat();

  it('an HTTPS request the capture shows no ACK for, not resent in 20 s: capture.packets_missing, not http.no_response (nDPI instagram, pinterest, reddit)', async () => {
    const c = httpsUnanswered();
    // The server's ACK of the request is not in the capture (httpsUnanswered's last frame).
    c.frames.pop();
    const r = await run(pcapFile({ linkType: LINKTYPE.ETHERNET }, [...c.frames, ...later()]));
    expect(errors(r)).toEqual([]);
    const v = r.verdicts.find((x) => x.target.port === 443)!;
    expect(v.cause).toBe('capture.packets_missing');
    expect(v.details).toMatchObject({ notResent: true });
    const en = JSON.parse(renderReport(r, 'json', { lang: 'en' })) as { verdicts: Array<{ cause: string; summary: string }> };
    expect(en.verdicts.find((x) => x.cause === 'capture.packets_missing')!.summary).toContain('the capture stopped seeing this connection after the request');
  });

  it('a plain HTTP request likewise (nDPI 1kxun.pcap)', async () => {
    const c = new TcpConversation({ client: ['192.0.2.10', 46184], server: ['198.51.100.82', 80], start: T1 });
    c.syn();
    c.synAck();
    c.ack('client');
    c.send('client', ascii('GET /images/5903.jpg HTTP/1.1\r\nHost: pic.example\r\n\r\n'));
    const r = await run(pcapFile({ linkType: LINKTYPE.ETHERNET }, [...c.frames, ...later()]));
    expect(errors(r)).toEqual([]);
    expect(r.verdicts.find((x) => x.target.port === 80)!.cause).toBe('capture.packets_missing');
  });

  it('the server acknowledged the HTTPS request and stayed silent 20 s: http.no_response stays', async () => {
    const c = httpsUnanswered();
    const r = await run(pcapFile({ linkType: LINKTYPE.ETHERNET }, [...c.frames, ...later()]));
    expect(errors(r)).toEqual(['http.no_response']);
  });

  it('a request never acknowledged and resent with back-off (a server gone): still a failure, not capture.packets_missing', async () => {
    const c = new TcpConversation({ client: ['192.0.2.10', 46185], server: ['198.51.100.82', 80], start: T1 });
    c.syn();
    c.synAck();
    c.ack('client');
    const req = ascii('GET /images/5904.jpg HTTP/1.1\r\nHost: pic.example\r\n\r\n');
    c.send('client', req);
    for (const gap of [0.3, 0.6, 1.2, 2.4]) {
      c.wait(gap);
      c.send('client', req, { retransmit: true });
    }
    const r = await run(pcapFile({ linkType: LINKTYPE.ETHERNET }, [...c.frames, ...later()]));
    expect(errors(r).length).toBe(1);
    expect(r.verdicts.map((x) => x.cause)).not.toContain('capture.packets_missing');
  });
});

describe('service discovery\'s own questions to a unicast server are background, not failures', () => {
  /** One query of `type` for `name`, answered NXDOMAIN. */
  function nx(name: string, type: string): Promise<Report> {
    const cap = new Capture();
    const q = { name, type };
    cap.add(T0, ethIp(udpIp({ src: '192.168.1.6', dst: '192.168.1.1', sport: 42000, dport: 53 }, dnsMessage({ id: 5, qr: false, rd: true, questions: [q] }))));
    cap.add(T0 + 0.01, ethIp(udpIp({ src: '192.168.1.1', dst: '192.168.1.6', sport: 53, dport: 42000 }, dnsMessage({ id: 5, qr: true, rd: true, ra: true, rcode: 'NXDOMAIN', questions: [q] }))));
    return run(cap.pcap({ linkType: LINKTYPE.ETHERNET }));
  }

  it('DNS-SD browsing-domain PTR answered NXDOMAIN: no verdict (nDPI teams.pcap, telegram.pcap)', async () => {
    for (const label of ['b', 'db', 'r', 'dr', 'lb']) {
      const r = await nx(`${label}._dns-sd._udp.ntop.org`, 'PTR');
      expect(r.verdicts.map((v) => v.cause), label).toEqual([]);
    }
  });

  it('the SOA of "local" answered NXDOMAIN (a Multicast DNS host asking its unicast server): no verdict (nDPI zoom.pcap, anyconnect-vpn.pcap)', async () => {
    const r = await nx('local', 'SOA');
    expect(r.verdicts.map((v) => v.cause)).toEqual([]);
  });

  it('a name a program asked for, NXDOMAIN, stays a failure, .local or DNS-SD-like or not', async () => {
    expect(errors(await nx('printer.local', 'A'))).toEqual(['dns.nxdomain']);
    expect(errors(await nx('b._dns-sd._udp.ntop.org', 'A'))).toEqual(['dns.nxdomain']);
    expect(errors(await nx('www.ntop.org', 'A'))).toEqual(['dns.nxdomain']);
  });
});

describe('two SYN-ACKs of different ISNs before the client\'s ACK: the client\'s ACK tells which it took', () => {
  const REQ = ascii('POST /cgi-bin/report HTTP/1.1\r\nHost: report.example\r\nContent-Length: 0\r\n\r\n');
  const RESP = ascii('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n');
  // The ISNs of nDPI's KakaoTalk_talk.pcap: the second SYN-ACK's 16 M above the first.
  const CLIENT_ISN = 2400381342;
  const ISN1 = 1668392964;
  const ISN2 = 1684474054;

  /** SYN, a SYN-ACK of ISN1 (the conversation's own), then one of ISN2 from another device 1 ms later. */
  function twoAnswers(port: number): TcpConversation {
    const c = new TcpConversation({ client: ['10.24.82.188', port], server: ['198.51.100.215', 80], start: T0, clientIsn: CLIENT_ISN, serverIsn: ISN1 });
    c.syn();
    c.synAck();
    const other = new TcpConversation({ client: ['10.24.82.188', port], server: ['198.51.100.215', 80], start: T0, clientIsn: CLIENT_ISN, serverIsn: ISN2 });
    other.syn();
    other.synAck();
    c.wait(0.001);
    c.frames.push({ ts: c.clock, frame: other.frames[1]!.frame });
    return c;
  }

  it('the client acknowledges the first: the server\'s response in its sequence space is read, no http.no_response (nDPI KakaoTalk_talk.pcap)', async () => {
    const c = twoAnswers(48489);
    c.ack('client');
    c.send('client', REQ);
    c.ack('server');
    c.send('server', RESP);
    c.ack('client');
    c.wait(15);
    c.fin('client');
    c.fin('server');
    c.ack('client');
    const r = await run(pcapFile({ linkType: LINKTYPE.ETHERNET }, c.frames));
    expect(errors(r)).toEqual([]);
    expect(r.http[0]!.status).toBe(200);
    // One 'h' in the history, as Zeek writes it.
    expect(r.connections[0]!.history).toBe('ShADadFf');
  });

  it('the client acknowledges the second: the response in the second\'s sequence space is read', async () => {
    const c = twoAnswers(48490);
    c.ack('client', { ack: ISN2 + 1 });
    c.send('client', REQ, { ack: ISN2 + 1 });
    c.send('server', RESP, { seq: ISN2 + 1 });
    c.wait(15);
    const r = await run(pcapFile({ linkType: LINKTYPE.ETHERNET }, [...c.frames, ...otherTraffic(T0 + 20, 1)]));
    expect(errors(r)).toEqual([]);
    expect(r.http[0]!.status).toBe(200);
  });

  it('the same handshake with a server that never answers: http.no_response stays', async () => {
    const c = twoAnswers(48491);
    c.ack('client');
    c.send('client', REQ);
    c.ack('server');
    c.wait(15);
    c.fin('client');
    c.fin('server');
    c.ack('client');
    const r = await run(pcapFile({ linkType: LINKTYPE.ETHERNET }, c.frames));
    expect(errors(r)).toEqual(['http.no_response']);
  });
});
