/**
 * DNS messages that are no lookups: a dynamic update (RFC 2136, opcode 5) carries the zone to change
 * where a query carries its question. A refused update is dns.update_refused (a warning, by zone);
 * a NOTIFY (opcode 4) refused, an update that worked, make no verdict; neither is judged as a
 * lookup of the zone (Zeek's dns-dynamic-update.pcap and dns_notify2.pcap were dns.refused errors,
 * Arkime's dns-update.pcap a dns.error with EDNS advice). Built packet by packet.
 */
import { describe, expect, it } from 'vitest';
import { openStream } from '../../src/capture/open.js';
import { analyze } from '../../src/analyze.js';
import type { Report } from '../../src/report/model.js';
import { verdictWords } from '../../src/report/words.js';
import { Capture, ethIp, udpIp, dnsMessage, LINKTYPE } from '../helpers/index.js';

const T0 = 1_700_000_000;

async function run(opcode: number, rcode: 'REFUSED' | 'NOTIMP' | 'NOERROR'): Promise<Report> {
  const cap = new Capture();
  const q = [{ name: 'example.org', type: 'SOA' as const }];
  cap.add(T0, ethIp(udpIp({ src: '192.0.2.10', dst: '198.51.100.53', sport: 40001, dport: 53 }, dnsMessage({ id: 7, qr: false, opcode, questions: q }))));
  cap.add(T0 + 0.01, ethIp(udpIp({ src: '198.51.100.53', dst: '192.0.2.10', sport: 53, dport: 40001 }, dnsMessage({ id: 7, qr: true, opcode, rcode, questions: q }))));
  async function* one(): AsyncIterable<Uint8Array> {
    yield cap.pcap({ linkType: LINKTYPE.ETHERNET });
  }
  return analyze(await openStream(one(), { name: 'built.pcap' }), { all: true });
}

describe('DNS messages that are no lookups', () => {
  it('a refused dynamic update: dns.update_refused, a warning, by zone', async () => {
    for (const rcode of ['REFUSED', 'NOTIMP'] as const) {
      const r = await run(5, rcode);
      expect(r.verdicts.map((v) => `${v.severity} ${v.cause} ${v.target.name}`)).toEqual(['warning dns.update_refused example.org']);
      const v = r.verdicts[0]!;
      expect(v.details).toMatchObject({ server: '198.51.100.53', rcode, zone: 'example.org' });
      expect(verdictWords(v, 'en').summary).toBe(`example.org: the DNS server 198.51.100.53 did not take the client's dynamic update (${rcode})`);
      expect(r.summary.failures).toBe(0);
    }
  });

  it('an update that worked, a NOTIFY refused: no verdict, no lookup failure', async () => {
    expect((await run(5, 'NOERROR')).verdicts.filter((v) => v.severity !== 'ok')).toEqual([]);
    expect((await run(4, 'REFUSED')).verdicts.filter((v) => v.severity !== 'ok')).toEqual([]);
    // The same messages as queries are lookups, and fail as such.
    expect((await run(0, 'REFUSED')).verdicts.map((v) => `${v.severity} ${v.cause}`)).toEqual(['error dns.refused']);
  });
});
