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
import {
  TcpConversation, Capture, pcapFile, ascii, ethIp, udpIp, dnsMessage, LINKTYPE,
  type CaptureRecord,
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
