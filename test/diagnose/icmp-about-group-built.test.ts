/**
 * An ICMP error about a datagram sent to a multicast or broadcast group (an IGMP report sent with
 * TTL 1 to stay on its link, answered with "TTL exceeded" by VirtualBox's NAT: HoneyNet's
 * suspicious-time.pcap, four FAILs "routing loop") makes no verdict: hosts and routers must not
 * send one (RFC 1122 §3.2.2, RFC 4443 §2.4 e) and no exchange failed by it. The same error about a
 * unicast datagram is still told. Built packet by packet through the whole pipeline.
 */
import { describe, expect, it } from 'vitest';
import { openStream } from '../../src/capture/open.js';
import { analyze } from '../../src/analyze.js';
import type { Report } from '../../src/report/model.js';
import { Capture, ICMP, LINKTYPE, ethIp, icmpIp, ipv4, quote, u8, udpIp } from '../helpers/index.js';

const T0 = 1_700_000_000;
const CLIENT = '192.0.2.15';
const ROUTER = '192.0.2.2';

/** An IGMPv3 membership report (type 0x22) to 224.0.0.22, TTL 1, with the Router Alert option. */
function igmpReport(id: number): Uint8Array {
  const body = u8(0x22, 0, 0xea, 0x03, 0, 0, 0, 1, 4, 0, 0, 0, 239, 255, 255, 250);
  return ipv4({ src: CLIENT, dst: '224.0.0.22', proto: 2, ttl: 1, id, options: u8(0x94, 4, 0, 0) }, body);
}

async function run(offending: (i: number) => Uint8Array): Promise<Report> {
  const cap = new Capture();
  for (let i = 0; i < 2; i++) {
    const p = offending(i);
    cap.add(T0 + i, ethIp(p));
    cap.add(T0 + i + 0.001, ethIp(icmpIp({ src: ROUTER, dst: CLIENT, ttl: 255, type: ICMP.TIME_EXCEEDED, code: 0 }, quote(p))));
  }
  async function* one(): AsyncIterable<Uint8Array> {
    yield cap.pcap({ linkType: LINKTYPE.ETHERNET });
  }
  return analyze(await openStream(one(), { name: 'built.pcap' }), {});
}

describe('ICMP errors about group datagrams', () => {
  it('TTL exceeded about an IGMP report to 224.0.0.22: no verdict', async () => {
    const r = await run((i) => igmpReport(0x157 + i));
    expect(r.verdicts).toEqual([]);
    expect(r.icmp.length).toBe(2);
  });

  it('the same error about a unicast datagram sent twice is still a verdict', async () => {
    const r = await run(() => udpIp({ src: CLIENT, dst: '203.0.113.9', sport: 40000, dport: 5000, ttl: 1 }, new Uint8Array(20)));
    expect(r.verdicts.map((v) => `${v.severity} ${v.cause} ${v.target.ip}`)).toEqual(['error icmp.ttl_exceeded 203.0.113.9']);
  });
});
