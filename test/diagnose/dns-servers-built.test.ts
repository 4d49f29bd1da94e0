/**
 * dns.no_response names every server the queries went to (chrissanders/packets nowebaccess1: a
 * client alternating between 4.2.2.2 and 4.2.2.1, seven queries over 8 s; the words named one).
 */
import { describe, expect, it } from 'vitest';
import { openStream } from '../../src/capture/open.js';
import { analyze } from '../../src/analyze.js';
import type { Report } from '../../src/report/model.js';
import { verdictWords } from '../../src/report/words.js';
import { Capture, LINKTYPE, dnsMessage, ethIp, udpIp } from '../helpers/index.js';

async function run(servers: string[], queries: number): Promise<Report> {
  const cap = new Capture();
  const t0 = 1_700_000_000;
  for (let i = 0; i < queries; i++) {
    const q = dnsMessage({ id: 0x80d1, qr: false, rd: true, questions: [{ name: 'www.example.com', type: 'A' }] });
    cap.add(t0 + i * 1.5, ethIp(udpIp({ src: '192.0.2.8', dst: servers[i % servers.length]!, sport: 51000, dport: 53 }, q)));
  }
  // The capture goes on (another host's traffic) long past the resolver's timeout.
  cap.add(t0 + queries * 1.5 + 20, ethIp(udpIp({ src: '192.0.2.99', dst: '192.0.2.98', sport: 5000, dport: 5001 }, new Uint8Array(4))));
  const bytes = cap.pcap({ linkType: LINKTYPE.ETHERNET });
  async function* one(): AsyncIterable<Uint8Array> {
    yield bytes;
  }
  return analyze(await openStream(one(), { name: 'dns.pcap' }));
}

describe('dns.no_response with several servers', () => {
  it('names both servers in its words and details', async () => {
    const r = await run(['198.51.100.2', '198.51.100.1'], 7);
    const v = r.verdicts.find((x) => x.cause === 'dns.no_response')!;
    expect(v.details['servers']).toEqual(['198.51.100.2', '198.51.100.1']);
    const en = verdictWords(v, 'en');
    expect(en.summary).toBe('www.example.com: no answer from the DNS servers 198.51.100.2 and 198.51.100.1 (7 queries over 9 s)');
    expect(en.explanation).toContain('to 198.51.100.2 and 198.51.100.1 (7 queries');
    expect(verdictWords(v, 'zh').summary).toContain('DNS 服务器 198.51.100.2 和 198.51.100.1 无应答');
  });

  it('counts the servers past three', async () => {
    const r = await run(['198.51.100.1', '198.51.100.2', '198.51.100.3', '198.51.100.4', '198.51.100.5'], 5);
    const v = r.verdicts.find((x) => x.cause === 'dns.no_response')!;
    expect(verdictWords(v, 'en').summary).toContain('the DNS servers 198.51.100.1, 198.51.100.2, 198.51.100.3 and 2 more');
  });

  it('one server is told as before', async () => {
    const r = await run(['198.51.100.2'], 3);
    const v = r.verdicts.find((x) => x.cause === 'dns.no_response')!;
    expect(v.details['servers']).toBeUndefined();
    expect(verdictWords(v, 'en').summary).toBe('www.example.com: no answer from the DNS server 198.51.100.2 (3 queries over 3 s)');
  });
});
