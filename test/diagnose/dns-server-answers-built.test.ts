/**
 * Queries of one name left unanswered by a server that answered other queries in the capture: the
 * server is up and its answers are captured, so the general words (check the firewall toward it,
 * the route, that it is the right resolver; "a capture on the client cannot tell") do not fit.
 * Told with details.serverAnsweredOthers and words of their own (Zeek's dns-edns-ecs, captured at
 * an authoritative server). Built packet by packet through the whole pipeline.
 */
import { describe, expect, it } from 'vitest';
import { openStream } from '../../src/capture/open.js';
import { analyze } from '../../src/analyze.js';
import type { Report } from '../../src/report/model.js';
import { verdictWords } from '../../src/report/words.js';
import { Capture, ethIp, udpIp, dnsMessage, LINKTYPE } from '../helpers/index.js';

const T0 = 1_700_000_000;
const DNS = '198.51.100.53';
const CLIENT = '192.0.2.10';
const OTHER = '192.0.2.11';
const NAME = 'www.deny.example.org';

/** The answered lookups (`to` of them each a name of its own), then three queries of NAME by CLIENT, never answered. */
async function run(answered: Array<{ client: string; server?: string }>): Promise<Report> {
  const cap = new Capture();
  let t = T0;
  answered.forEach((a, i) => {
    const q = { name: `n${i}.example.org`, type: 'A' };
    const server = a.server ?? DNS;
    cap.add(t, ethIp(udpIp({ src: a.client, dst: server, sport: 41000 + i, dport: 53 }, dnsMessage({ id: 100 + i, qr: false, rd: true, questions: [q] }))));
    cap.add(t + 0.01, ethIp(udpIp({ src: server, dst: a.client, sport: 53, dport: 41000 + i }, dnsMessage({
      id: 100 + i, qr: true, rd: true, ra: true, questions: [q], answers: [{ name: q.name, type: 'A', data: '203.0.113.5' }],
    }))));
    t += 0.1;
  });
  for (let k = 0; k < 3; k++) {
    cap.add(t + k, ethIp(udpIp({ src: CLIENT, dst: DNS, sport: 40001, dport: 53 }, dnsMessage({ id: 7, qr: false, rd: true, questions: [{ name: NAME, type: 'A' }] }))));
  }
  cap.add(t + 15, ethIp(udpIp({ src: '192.0.2.99', dst: '198.51.100.99', sport: 45000, dport: 9 }, new Uint8Array(4))));
  async function* one(): AsyncIterable<Uint8Array> {
    yield cap.pcap({ linkType: LINKTYPE.ETHERNET });
  }
  return analyze(await openStream(one(), { name: 'built.pcap' }), {});
}

const failure = (r: Report) => r.verdicts.find((v) => v.target.name === NAME);

describe('dns.no_response from a server that answered other queries', () => {
  it('counts the server\'s other answers, and those to the same client, and says so', async () => {
    const r = await run([{ client: CLIENT }, { client: OTHER }, { client: OTHER }]);
    const v = failure(r)!;
    expect([v.cause, v.severity]).toEqual(['dns.no_response', 'error']);
    expect(v.details['serverAnsweredOthers']).toEqual({ answers: 3, toClient: 1 });
    expect(verdictWords(v, 'en').summary).toBe(`${NAME}: no answer from ${DNS} (3 queries over 2 s), which answered other queries in this capture`);
    expect(verdictWords(v, 'en').explanation).toContain(`${DNS} answered 3 other queries in this capture (one of them to this client)`);
    expect(verdictWords(v, 'en').explanation).not.toContain('A capture on the client cannot tell');
  });

  it('answers to other clients only: counted, none to this client', async () => {
    const v = failure(await run([{ client: OTHER }]))!;
    expect(v.details['serverAnsweredOthers']).toEqual({ answers: 1, toClient: 0 });
    expect(verdictWords(v, 'en').explanation).toContain(`${DNS} answered 1 other query in this capture:`);
  });

  it('not said of a server that answered nothing (another server\'s answers do not count)', async () => {
    const v = failure(await run([{ client: CLIENT, server: '198.51.100.54' }]))!;
    expect([v.cause, v.severity]).toEqual(['dns.no_response', 'error']);
    expect(v.details['serverAnsweredOthers']).toBeUndefined();
    expect(verdictWords(v, 'en').summary).toBe(`${NAME}: no answer from the DNS server ${DNS} (3 queries over 2 s)`);
  });
});
