/**
 * A DHCP server's conflict check answered (dhcp.address_in_use): the server pings an address, a
 * host answers, and the server offers another address of the same network instead. Built packet
 * by packet through the whole pipeline, with the shapes that are no such finding: the pinged
 * address offered after all, an offer far from the ping or of another network, a ping from a host
 * that offers nothing, and the unanswered check (the ok of dhcp-check.ts).
 */
import { describe, expect, it } from 'vitest';
import { openStream } from '../../src/capture/open.js';
import { analyze } from '../../src/analyze.js';
import type { Report } from '../../src/report/model.js';
import { verdictWords } from '../../src/report/words.js';
import { Capture, ethIp, icmpIp, udpIp, LINKTYPE, ICMP } from '../helpers/index.js';

const T0 = 1_700_000_000;
const SERVER = '198.51.100.53';
const RELAY = '192.0.2.1';
const TAKEN = '192.0.2.101';

/** A BOOTREPLY from the server (DHCPOFFER, or DHCPACK) giving `yiaddr` (RFC 2131 §2, RFC 2132 §9.6). */
function dhcpReply(yiaddr: string, ack = false): Uint8Array {
  const m = new Uint8Array(240 + 4);
  m[0] = 2; // BOOTREPLY
  m[1] = 1;
  m[2] = 6;
  yiaddr.split('.').forEach((x, i) => (m[16 + i] = Number(x)));
  m.set([0x63, 0x82, 0x53, 0x63], 236);
  m.set([53, 1, ack ? 5 : 2, 255], 240);
  return m;
}

interface Shape {
  /** Whether the pinged address answers. */
  answered?: boolean;
  /** The address offered, and when after the ping (s); null: no offer. */
  offer?: { address: string; after: number } | null;
}

async function run(o: Shape): Promise<Report> {
  const cap = new Capture();
  const rest = (0x4242 << 16) | 0;
  cap.add(T0, ethIp(icmpIp({ src: SERVER, dst: TAKEN, type: ICMP.ECHO_REQUEST, code: 0, rest }, new Uint8Array(28))));
  if (o.answered ?? true) cap.add(T0 + 0.0002, ethIp(icmpIp({ src: TAKEN, dst: SERVER, type: ICMP.ECHO_REPLY, code: 0, rest }, new Uint8Array(28))));
  const offer = o.offer === undefined ? { address: '192.0.2.102', after: 3 } : o.offer;
  if (offer !== null) cap.add(T0 + offer.after, ethIp(udpIp({ src: SERVER, dst: RELAY, sport: 67, dport: 67 }, dhcpReply(offer.address))));
  cap.add(T0 + 20, ethIp(udpIp({ src: '192.0.2.99', dst: '198.51.100.99', sport: 45000, dport: 9 }, new Uint8Array(4))));
  async function* one(): AsyncIterable<Uint8Array> {
    yield cap.pcap({ linkType: LINKTYPE.ETHERNET });
  }
  return analyze(await openStream(one(), { name: 'built.pcap' }), { all: true });
}

const told = (r: Report) => r.verdicts.filter((v) => v.target.ip === TAKEN).map((v) => `${v.severity} ${v.cause}`);

describe('dhcp.address_in_use', () => {
  it('the ping answered, another address of the network offered 3 s later: told, with the ping, its reply and the offer', async () => {
    const r = await run({});
    expect(told(r)).toEqual(['warning dhcp.address_in_use']);
    const v = r.verdicts.find((x) => x.cause === 'dhcp.address_in_use')!;
    expect([v.layer, v.client.ip]).toEqual(['dhcp', SERVER]);
    expect(v.details['offeredInstead']).toEqual({ address: '192.0.2.102', frame: 3, message: 'offer' });
    expect(v.evidence.map((e) => [e.frame, e.kind])).toEqual([[1, 'echo_request'], [2, 'echo_reply'], [3, 'dhcp_offer']]);
    expect(verdictWords(v, 'en').summary).toBe(`${TAKEN}: a host answers at an address the DHCP server ${SERVER} was about to give out; it gave 192.0.2.102 instead`);
    expect(r.summary.failures).toBe(0);
  });

  it('not claimed: the pinged address offered, an offer 15 s after or of another network, no offer at all', async () => {
    // (An answered ping is no verdict of its own.)
    expect(told(await run({ offer: { address: TAKEN, after: 3 } }))).toEqual([]);
    expect(told(await run({ offer: { address: '192.0.2.102', after: 15 } }))).toEqual([]);
    expect(told(await run({ offer: { address: '203.0.113.102', after: 3 } }))).toEqual([]);
    expect(told(await run({ offer: null }))).toEqual([]);
  });

  it('an unanswered check stays the conflict check that found the address free (ok), not this', async () => {
    const r = await run({ answered: false, offer: { address: TAKEN, after: 3 } });
    expect(told(r)).toEqual(['ok ok']);
    expect(r.verdicts.find((v) => v.target.ip === TAKEN)!.details['dhcpConflictCheck']).toBeDefined();
  });
});
