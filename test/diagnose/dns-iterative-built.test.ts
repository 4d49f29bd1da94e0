/**
 * A resolver's own queries down the tree (RD clear) are answered by referrals (the zone's NS
 * records, no answer) and by aliases whose target another zone answers (a CNAME alone): steps of
 * iterative resolution, not NODATA (RFC 2308 §2.1-2.2: a negative answer carries the SOA). An
 * authoritative NODATA (SOA) to such a query is the resolver's ordinary answer too: resolvers ask
 * both address types of names as a matter of course (for clients of either family, for name
 * servers' addresses, for empty non-terminals with QNAME minimisation, RFC 9156); whether a program
 * lacked an address is seen only at the stub (read as failures in Zeek's dns-edns-ecs, nDPI's
 * dns_fragmented: Google's resolvers asking AAAA of an IPv4-only name; Zeek's dnssec_nsec). Built
 * packet by packet through the whole pipeline, with the answers that stay dns.no_address: the same
 * answers to a recursive query (RD set: the server's final word).
 */
import { describe, expect, it } from 'vitest';
import { openStream } from '../../src/capture/open.js';
import { analyze } from '../../src/analyze.js';
import type { Report } from '../../src/report/model.js';
import { Capture, LINKTYPE, dnsMessage, ethIp, udpIp } from '../helpers/index.js';

const T0 = 1_700_000_000;
const RESOLVER = '192.0.2.53';
const SERVER = '198.51.100.7';
const NAME = 'www.example.com';
/** SOA rdata: root MNAME and RNAME, then five 32-bit numbers. */
const SOA = new Uint8Array(22);

type Shape = 'referral' | 'cname' | 'soa';

async function run(shape: Shape, rd: boolean, qtype: 'A' | 'AAAA' = 'A'): Promise<Report> {
  const cap = new Capture();
  const questions = [{ name: NAME, type: qtype }];
  const answer = shape === 'cname'
    ? { aa: true, answers: [{ name: NAME, type: 'CNAME', data: 'www.example.net' }] }
    : shape === 'referral'
      ? { authority: [{ name: 'example.com', type: 'NS', data: 'ns1.example.com' }, { name: 'example.com', type: 'NS', data: 'ns2.example.com' }] }
      : { aa: true, authority: [{ name: 'example.com', type: 'SOA', data: SOA }] };
  cap.add(T0, ethIp(udpIp({ src: RESOLVER, dst: SERVER, sport: 40001, dport: 53 }, dnsMessage({ id: 7, rd, questions }))));
  cap.add(T0 + 0.02, ethIp(udpIp({ src: SERVER, dst: RESOLVER, sport: 53, dport: 40001 }, dnsMessage({ id: 7, qr: true, rd, questions, ...answer }))));
  cap.add(T0 + 10, ethIp(udpIp({ src: '192.0.2.99', dst: '198.51.100.99', sport: 45000, dport: 9 }, new Uint8Array(4))));
  async function* one(): AsyncIterable<Uint8Array> {
    yield cap.pcap({ linkType: LINKTYPE.ETHERNET });
  }
  return analyze(await openStream(one(), { name: 'built.pcap' }), {});
}

const causes = (r: Report): string[] => r.verdicts.map((v) => v.cause);

describe('iterative resolution is no NODATA', () => {
  it('a referral, a CNAME alone or an authoritative NODATA (SOA), A or AAAA, to a query without RD: no dns.no_address', async () => {
    for (const qtype of ['A', 'AAAA'] as const) {
      expect(causes(await run('referral', false, qtype)), qtype).toEqual([]);
      expect(causes(await run('cname', false, qtype)), qtype).toEqual([]);
      expect(causes(await run('soa', false, qtype)), qtype).toEqual([]);
    }
  });

  it('still dns.no_address: the same answers to a recursive query (RD set)', async () => {
    for (const qtype of ['A', 'AAAA'] as const) {
      expect(causes(await run('referral', true, qtype)), qtype).toEqual(['dns.no_address']);
      expect(causes(await run('cname', true, qtype)), qtype).toEqual(['dns.no_address']);
      expect(causes(await run('soa', true, qtype)), qtype).toEqual(['dns.no_address']);
    }
  });
});
