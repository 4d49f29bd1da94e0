/**
 * The lanes of the HTML report's ladder diagram for IPv6 clients, as for IPv4 ones: a client
 * that asked over IPv4 and connected over IPv6 (or tried both: Happy Eyeballs) has its two
 * addresses labelled as the client's, each with its family, not "Host"; the server's other
 * address likewise; the DNS lookup made from the host's IPv4 address is drawn as it is for an
 * IPv4-only client; a name's lookup that worked in the end labels its server "DNS server".
 */
import { describe, expect, it } from 'vitest';
import { renderHtml } from '../../src/report/html.js';
import { sampleReport } from './reports.js';

/** Each ladder of the page: its lanes as [role, address], left to right. */
async function lanes(file: string, lang: 'en' | 'zh' = 'en'): Promise<Array<Array<[string, string]>>> {
  const html = renderHtml(await sampleReport(file, true), { lang });
  const out: Array<Array<[string, string]>> = [];
  for (const m of html.matchAll(/<svg[^>]*role="img"[^>]*>([\s\S]*?)<\/svg>/g)) {
    const texts = [...m[1]!.matchAll(/<text x="[0-9.]+" y="(18|34)"[^>]*>([^<]*)<\/text>/g)].map((t) => t[2]!);
    const pairs: Array<[string, string]> = [];
    for (let i = 0; i + 1 < texts.length; i += 2) pairs.push([texts[i]!, texts[i + 1]!]);
    out.push(pairs);
  }
  return out;
}

describe('ladder lanes of IPv6 clients', () => {
  it('Happy Eyeballs: both client addresses are the client, both server addresses the server, each with its family', async () => {
    expect(await lanes('happy-eyeballs-v6-dropped.pcap')).toEqual([[
      ['Client (IPv4)', '192.0.2.10'], ['Client (IPv6)', '2001:db8:2::10'], ['DNS server', '198.51.100.53'],
      ['Server (IPv6)', '2001:db8:203::11'], ['Server (IPv4)', '203.0.113.10'],
    ]]);
    expect((await lanes('happy-eyeballs-v6-dropped.pcap', 'zh'))[0]!.map((l) => l[0])).toEqual(['客户端（IPv4）', '客户端（IPv6）', 'DNS 服务器', '服务器（IPv6）', '服务器（IPv4）']);
  });

  it('a connection over IPv6 after a lookup over IPv4: the lookup drawn, as for an IPv4 client', async () => {
    expect(await lanes('tcp-syn-dropped-v6.pcap')).toEqual([[
      ['Client (IPv6)', '2001:db8:2::10'], ['Client (IPv4)', '192.0.2.10'], ['DNS server', '198.51.100.53'], ['Server', '2001:db8:203::11'],
    ]]);
    // The IPv4 sample of the same failure, for comparison (unchanged).
    expect(await lanes('tcp-syn-dropped.pcap')).toEqual([[['Client', '192.0.2.10'], ['DNS server', '198.51.100.53'], ['Server', '203.0.113.11']]]);
    const html = renderHtml(await sampleReport('tcp-syn-dropped-v6.pcap', true), { lang: 'en' });
    expect(html).toMatch(/DNS query AAAA blocked\.example\.com/);
    expect(html).toMatch(/DNS NOERROR 2001:db8:203::11/);
  });

  it('IPv6 only: client, DNS server, server', async () => {
    expect(await lanes('tcp-refused-v6.pcap')).toEqual([[['Client', '2001:db8:2::10'], ['Server', '2001:db8:203::10']]]);
    expect(await lanes('dns-nxdomain-v6.pcap')).toEqual([[['Client', '2001:db8:2::10'], ['DNS server', '2001:db8:198::53']]]);
    expect(await lanes('icmp6-admin-prohibited.pcap')).toEqual([[['Client', '2001:db8:2::10'], ['ICMP sender', '2001:db8:2::1'], ['Server', '2001:db8:203::30']]]);
    // A lookup that worked in the end, after fragments were lost: the host asked is the DNS server.
    expect(await lanes('dns-fragments-lost-retry-v6.pcap')).toEqual([[['Client', '2001:db8:2::10'], ['DNS server', '2001:db8:198::55']]]);
  });

  it('no lane of any sample is a plain "Host" when the capture tells who it is', async () => {
    for (const f of ['happy-eyeballs-v6-dropped.pcap', 'tcp-syn-dropped-v6.pcap', 'dns-fragments-lost-v6.pcap', 'icmp6-addr-unreachable.pcap']) {
      for (const l of (await lanes(f)).flat()) expect(l[0], `${f}: ${l[1]}`).not.toBe('Host');
    }
  });
});
