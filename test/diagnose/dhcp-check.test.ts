/**
 * A DHCP server's conflict check (diagnose/dhcp-check.ts): a server pings an address before it
 * offers it, and the silence or the router's host unreachable is the answer it hoped for, not a
 * failure. On the real capture (samples/dhcp-ping-check.pcap: dnsmasq behind dnsmasq's relay),
 * and built packet by packet for every case that must stay a failure.
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { openCapture, openStream } from '../../src/capture/open.js';
import { analyze } from '../../src/analyze.js';
import { DhcpOffers } from '../../src/track/dhcp.js';
import { Packet } from '../../src/decode/packet.js';
import { Decoder } from '../../src/decode/decoder.js';
import { newRawPacket } from '../../src/capture/types.js';
import type { Report } from '../../src/report/model.js';
import { Capture, ICMP, LINKTYPE, concat, ethIp, icmpIp, parseIpv4, quote, udpIp, u8, be32, be16 } from '../helpers/index.js';
import { SAMPLES, FIXTURES, readTsv } from '../tshark-fixture.js';

const SAMPLE = join(SAMPLES, 'dhcp-ping-check.pcap');
const rows = readTsv(join(FIXTURES, 'samples', 'dhcp-ping-check.pcap.tsv'));

describe('the real capture: dnsmasq pings the address it then offers through the relay', () => {
  const server = '198.51.100.53';
  const echo = rows.find((r) => r['ip.src'] === server && r['icmp.type'] === '8')!;
  // (tshark gives the quoted header's fields after the error's own: '198.51.100.1,198.51.100.53'.)
  const unreachable = rows.find((r) => r['ip.dst']?.startsWith(`${server},`) && r['icmp.type']?.startsWith('3,'))!;
  const offer = rows.find((r) => r['ip.src'] === server && r['udp.srcport'] === '67')!;

  it('tshark shows the ping, the host unreachable and the offer after it', () => {
    expect(echo['ip.dst']).toBe('192.0.2.101');
    expect(unreachable['icmp.code']?.split(',')[0]).toBe('1');
    expect(Number(offer['frame.number'])).toBeGreaterThan(Number(echo['frame.number']));
  });

  it('is no failure: no verdict without --all', async () => {
    const r = await analyze(await openCapture(SAMPLE));
    expect(r.verdicts).toEqual([]);
    expect(r.summary.failures).toBe(0);
  });

  it('with --all, one ok verdict says what the ping was, with tshark\'s frames', async () => {
    const r = await analyze(await openCapture(SAMPLE), { all: true });
    expect(r.verdicts).toHaveLength(1);
    const v = r.verdicts[0]!;
    expect([v.cause, v.severity, v.target.ip, v.target.transport, v.client.ip]).toEqual(['ok', 'ok', '192.0.2.101', 'icmp', server]);
    expect(v.details['dhcpConflictCheck']).toEqual({ pings: 1, answer: 'host_unreachable', from: unreachable['ip.src']?.split(',')[0], type: 3, code: 1, offerFrame: Number(offer['frame.number']), offered: 'offer' });
    expect(v.evidence.map((e) => e.frame)).toEqual([echo, unreachable, offer].map((x) => Number(x['frame.number'])));
  });
});

// ---------------------------------------------------------------- built

const T0 = 1_700_000_000;
const SERVER = '198.51.100.53';
const ROUTER = '198.51.100.1';
const ADDR = '192.0.2.101';

/** A BOOTREPLY (RFC 2131 §2) from `server` giving `yiaddr`, DHCP message type `type` (option 53). */
function bootReply(yiaddr: string, type: number, options: Uint8Array = u8(53, 1, type, 255)): Uint8Array {
  const head = new Uint8Array(236);
  head[0] = 2; // op BOOTREPLY
  head[1] = 1; // htype Ethernet
  head[2] = 6; // hlen
  head.set(be32(0x26fec85c), 4); // xid
  head.set(parseIpv4(yiaddr), 16);
  head.set(parseIpv4('192.0.2.1'), 24); // giaddr: the relay
  return concat([head, be32(0x63825363), options]);
}

interface Shape {
  /** Seconds from the ping to the offer; null: no offer. */
  offerAfter?: number | null;
  /** Who sends the offer. */
  offerFrom?: string;
  /** The address offered. */
  offered?: string;
  /** DHCP message type of the reply (2 offer, 5 ack, 6 nak). */
  type?: number;
}

async function run(o: Shape = {}, all = false): Promise<Report> {
  const cap = new Capture();
  const ping = icmpIp({ src: SERVER, dst: ADDR, type: ICMP.ECHO_REQUEST, code: 0, rest: (0x4f31 << 16) | 0 }, new Uint8Array(20));
  cap.add(T0, ethIp(udpIp({ src: '192.0.2.1', dst: SERVER, sport: 67, dport: 67 }, new Uint8Array(300))));
  cap.add(T0 + 0.001, ethIp(ping));
  cap.add(T0 + 0.5, ethIp(icmpIp({ src: ROUTER, dst: SERVER, type: ICMP.DEST_UNREACH, code: ICMP.HOST_UNREACH }, quote(ping))));
  const after = o.offerAfter === undefined ? 3 : o.offerAfter;
  if (after !== null) {
    cap.add(T0 + after, ethIp(udpIp({ src: o.offerFrom ?? SERVER, dst: '192.0.2.1', sport: 67, dport: 67 }, bootReply(o.offered ?? ADDR, o.type ?? 2))));
  }
  async function* one(): AsyncIterable<Uint8Array> {
    yield cap.pcap({ linkType: LINKTYPE.ETHERNET });
  }
  return analyze(await openStream(one(), { name: 'built.pcap' }), { all });
}

const causes = (r: Report): string[] => r.verdicts.map((v) => `${v.cause}|${v.severity}|${v.target.ip}`);

describe('a ping before a DHCP offer', () => {
  it('offered 3 s after the ping: the conflict check, no failure', async () => {
    expect(causes(await run())).toEqual([]);
    expect(causes(await run({}, true))).toEqual([`ok|ok|${ADDR}`]);
  });

  it('acknowledged (DHCPACK) rather than offered: the same', async () => {
    const r = await run({ type: 5 }, true);
    expect(causes(r)).toEqual([`ok|ok|${ADDR}`]);
    expect((r.verdicts[0]!.details['dhcpConflictCheck'] as { offered: string }).offered).toBe('ack');
  });

  it('without an offer the host unreachable stays a failure', async () => {
    expect(causes(await run({ offerAfter: null }))).toEqual([`icmp.host_unreachable|error|${ADDR}`]);
  });

  it('an offer long after the ping (30 s) is not its check', async () => {
    expect(causes(await run({ offerAfter: 30 }))).toEqual([`icmp.host_unreachable|error|${ADDR}`]);
  });

  it('an offer of another address, or from another host, is not its check', async () => {
    expect(causes(await run({ offered: '192.0.2.102' }))).toEqual([`icmp.host_unreachable|error|${ADDR}`]);
    expect(causes(await run({ offerFrom: '198.51.100.54' }))).toEqual([`icmp.host_unreachable|error|${ADDR}`]);
  });

  it('a DHCPNAK (type 6) gives no address: not a check', async () => {
    expect(causes(await run({ type: 6 }))).toEqual([`icmp.host_unreachable|error|${ADDR}`]);
  });
});

describe('DhcpOffers reads only what the datagram holds', () => {
  function packetOf(payload: Uint8Array): Packet {
    const frame = ethIp(udpIp({ src: SERVER, dst: '192.0.2.1', sport: 67, dport: 67 }, payload));
    const raw = newRawPacket();
    Object.assign(raw, { frame: 1, tsSec: T0, tsNsec: 0, linkType: 1, buf: frame, off: 0, capLen: frame.length, origLen: frame.length });
    return new Decoder().decode(raw, new Packet());
  }

  it('finds option 53 past padding and other options', () => {
    const d = new DhcpOffers();
    d.see(packetOf(bootReply(ADDR, 2, concat([u8(0, 0, 1, 4), be32(0xffffff00), u8(54, 4), parseIpv4(SERVER), u8(53, 1, 2, 255)]))), T0);
    expect(d.offered(SERVER, ADDR, T0 + 1)?.ack).toBe(false);
    expect(d.offered(SERVER, ADDR, T0 + 11)).toBeNull();
  });

  it('never throws on cut or damaged options, and takes no offer from them', () => {
    const good = bootReply(ADDR, 2, concat([u8(1, 4), be32(0xffffff00), u8(53, 1, 2, 255)]));
    for (let cut = 0; cut <= good.length; cut++) {
      const d = new DhcpOffers();
      expect(() => d.see(packetOf(good.subarray(0, cut)), T0)).not.toThrow();
      // Option 53 ends at byte 240 + 6 + 3: any shorter datagram holds no message type.
      if (cut < 249) expect(d.offered(SERVER, ADDR, T0)).toBeNull();
    }
    // A length byte that runs past the datagram, and a magic cookie that is not DHCP's.
    const long = new DhcpOffers();
    long.see(packetOf(bootReply(ADDR, 2, concat([u8(1, 250), be16(0)]))), T0);
    expect(long.offered(SERVER, ADDR, T0)).toBeNull();
    const bootp = bootReply(ADDR, 2);
    bootp[236] = 0;
    const plain = new DhcpOffers();
    plain.see(packetOf(bootp), T0);
    expect(plain.offered(SERVER, ADDR, T0)).toBeNull();
  });
});
