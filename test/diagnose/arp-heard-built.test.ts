/**
 * An ARP reply to the client shows the capture holds packets sent toward it: a capture of the
 * client's outgoing packets only (a `src host` filter) holds no reply to it. Practical Packet
 * Analysis' nowebaccess1.pcapng (the gateway's ARP reply, then DNS queries never answered) was told
 * with the limit of a capture in which nothing goes toward any client ("a capture of outgoing
 * packets only would look the same"), which the ARP reply disproves. Built packet by packet through
 * the whole pipeline, with the same capture without the reply (and with a gratuitous ARP, which
 * proves nothing of the client), keeping the limit; behind a VLAN tag too.
 */
import { describe, expect, it } from 'vitest';
import { openStream } from '../../src/capture/open.js';
import { analyze } from '../../src/analyze.js';
import type { Report } from '../../src/report/model.js';
import { Capture, ethernet, ethIp, udpIp, dnsMessage, LINKTYPE } from '../helpers/index.js';

const T0 = 1_700_000_000;
const CLIENT = '192.0.2.8';
const GATEWAY = '192.0.2.10';

/** An ARP reply (RFC 826) from `sender` to `target`. */
function arpReply(sender: string, target: string, vlans?: number[]): Uint8Array {
  const ip = (a: string) => a.split('.').map(Number);
  const body = new Uint8Array([0, 1, 8, 0, 6, 4, 0, 2, 2, 0, 0, 0, 0, 0xa, ...ip(sender), 2, 0, 0, 0, 0, 8, ...ip(target)]);
  return ethernet({ type: 0x0806, src: '02:00:00:00:00:0a', dst: '02:00:00:00:00:08', ...(vlans ? { vlans } : {}) }, body);
}

async function run(arp: 'reply' | 'gratuitous' | 'vlan' | null): Promise<Report> {
  const cap = new Capture();
  if (arp === 'reply') cap.add(T0, arpReply(GATEWAY, CLIENT));
  if (arp === 'vlan') cap.add(T0, arpReply(GATEWAY, CLIENT, [7]));
  if (arp === 'gratuitous') cap.add(T0, arpReply(GATEWAY, GATEWAY));
  for (const at of [0.01, 1, 3]) {
    cap.add(T0 + at, ethIp(udpIp({ src: CLIENT, dst: '198.51.100.53', sport: 40001, dport: 53 }, dnsMessage({ id: 9, qr: false, rd: true, questions: [{ name: 'www.example.com', type: 'A' }] }))));
  }
  cap.add(T0 + 8, ethIp(udpIp({ src: CLIENT, dst: '198.51.100.99', sport: 45000, dport: 9 }, new Uint8Array(4))));
  async function* one(): AsyncIterable<Uint8Array> {
    yield cap.pcap({ linkType: LINKTYPE.ETHERNET });
  }
  return analyze(await openStream(one(), { name: 'built.pcap' }), {});
}

const told = (r: Report) => {
  const v = r.verdicts.find((x) => x.cause === 'dns.no_response')!;
  return [v.severity, v.details['nothingTowardClient'] === true];
};

describe('an ARP reply toward the client', () => {
  it('shows packets toward it are captured: the unanswered lookup is told without the one-way limit', async () => {
    expect(told(await run('reply'))).toEqual(['error', false]);
    expect(told(await run('vlan'))).toEqual(['error', false]);
  });

  it('without it, or with a gratuitous ARP only, the limit stays', async () => {
    expect(told(await run(null))).toEqual(['error', true]);
    expect(told(await run('gratuitous'))).toEqual(['error', true]);
  });
});
