/**
 * A name a DNS filter blocks: the answer is NOERROR with the unspecified address (0.0.0.0 for A,
 * :: for AAAA), what Pi-hole, AdGuard Home, RPZ and DNS security services answer. tshark and dig
 * show a normal answer, and wirewhy said "ok"; the program's connection goes nowhere. Built
 * packet by packet through the whole pipeline: dns.no_address in its own words, and what must not
 * be called so (a real address beside it, another answer that resolves the name).
 */
import { describe, expect, it } from 'vitest';
import { openStream } from '../../src/capture/open.js';
import { analyze } from '../../src/analyze.js';
import type { Report } from '../../src/report/model.js';
import { verdictWords } from '../../src/report/words.js';
import { Capture, ethIp, udpIp, dnsMessage, LINKTYPE, type DnsRecord } from '../helpers/index.js';

const T0 = 1_700_000_000;
const DNS = '198.51.100.53';
const C = '192.0.2.10';

interface Q { at: number; id: number; name: string; type: 'A' | 'AAAA'; answers: DnsRecord[] }

async function lookups(qs: Q[], all = true): Promise<Report> {
  const cap = new Capture();
  for (const q of qs) {
    const sport = 40000 + q.id;
    cap.add(T0 + q.at, ethIp(udpIp({ src: C, dst: DNS, sport, dport: 53 }, dnsMessage({ id: q.id, qr: false, rd: true, questions: [{ name: q.name, type: q.type }] }))));
    cap.add(T0 + q.at + 0.02, ethIp(udpIp({ src: DNS, dst: C, sport: 53, dport: sport }, dnsMessage({ id: q.id, qr: true, rd: true, ra: true, questions: [{ name: q.name, type: q.type }], answers: q.answers }))));
  }
  cap.add(T0 + 10, ethIp(udpIp({ src: '192.0.2.99', dst: '198.51.100.99', sport: 45000, dport: 9 }, new Uint8Array(4))));
  async function* one(): AsyncIterable<Uint8Array> {
    yield cap.pcap({ linkType: LINKTYPE.ETHERNET });
  }
  return analyze(await openStream(one(), { name: 'built.pcap' }), { all });
}

const NAME = 'ads.tracker.example';
const a = (data: string, name = NAME): DnsRecord => ({ name, type: 'A', data });
const aaaa = (data: string, name = NAME): DnsRecord => ({ name, type: 'AAAA', data });
const byName = (r: Report, name = NAME) => r.verdicts.filter((v) => v.target.name === name).map((v) => `${v.cause}|${v.severity}`);

describe('dns.no_address: a name answered with the unspecified address (a DNS filter\'s block)', () => {
  it('A 0.0.0.0 and AAAA ::, nothing else: dns.no_address (error) in the words of a DNS filter, not ok', async () => {
    for (const all of [true, false]) {
      const r = await lookups([{ at: 0, id: 1, name: NAME, type: 'A', answers: [a('0.0.0.0')] }, { at: 0.01, id: 2, name: NAME, type: 'AAAA', answers: [aaaa('::')] }], all);
      expect(byName(r), String(all)).toEqual(['dns.no_address|error']);
      const v = r.verdicts.find((x) => x.target.name === NAME)!;
      expect(v.details).toMatchObject({ rcode: 'NOERROR', unspecifiedAnswer: ['0.0.0.0', '::'] });
      const en = verdictWords(v, 'en');
      expect(en.summary).toBe(`${NAME}: the DNS answer is 0.0.0.0 / ::, an address nothing can be reached at: a DNS filter most likely blocks the name`);
      expect(en.advice.join(' ')).toContain(`dig @1.1.1.1 ${NAME}`);
      expect(verdictWords(v, 'zh').summary).toContain('很可能是 DNS 过滤拦截了该域名');
    }
  });

  it('not claimed when the name has a real address too: ok (an AAAA :: beside an A that works; a real A beside 0.0.0.0)', async () => {
    const v6Only = await lookups([{ at: 0, id: 1, name: NAME, type: 'A', answers: [a('203.0.113.9')] }, { at: 0.01, id: 2, name: NAME, type: 'AAAA', answers: [aaaa('::')] }]);
    expect(byName(v6Only)).toEqual(['ok|ok']);
    const mixed = await lookups([{ at: 0, id: 1, name: NAME, type: 'A', answers: [a('0.0.0.0'), a('203.0.113.9')] }]);
    expect(byName(mixed)).toEqual(['ok|ok']);
  });

  it('an ordinary NODATA keeps its own words, and a 127.0.0.1 answer (a lab name, a DNSBL code) is an address', async () => {
    const nodata = await lookups([{ at: 0, id: 1, name: NAME, type: 'A', answers: [] }]);
    expect(byName(nodata)).toEqual(['dns.no_address|error']);
    expect(verdictWords(nodata.verdicts.find((x) => x.target.name === NAME)!, 'en').summary).toContain('has no A record (NODATA)');
    const loop = await lookups([{ at: 0, id: 1, name: 'test.lan', type: 'A', answers: [a('127.0.0.1', 'test.lan')] }]);
    expect(byName(loop, 'test.lan')).toEqual(['ok|ok']);
  });
});
