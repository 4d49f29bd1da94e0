/**
 * The wireless and netfilter link types (src/decode/wlan.ts), built byte by byte: 802.11 data
 * frames behind radiotap, Prism, AVS and PPI headers and bare (105), NFLOG (239) in either byte
 * order. What carries IP is decoded to the transport; what cannot (management frames, protected
 * data, A-MSDUs) ends without a stop; damaged headers stop with a reason. Real captures of these
 * link types (Zeek's radiotap.pcap and nflog-http.pcap, tcpdump's nflog.pcap and
 * ieee802.11_htc.pcap) were checked against tshark by hand: the same IP packets.
 */
import { describe, expect, it } from 'vitest';
import { Decoder } from '../../src/decode/decoder.js';
import { Packet } from '../../src/decode/packet.js';
import { newRawPacket } from '../../src/capture/types.js';
import { openStream } from '../../src/capture/open.js';
import { analyze } from '../../src/analyze.js';
import { Capture, concat, u8, udpIp, tcpIp, dnsMessage } from '../helpers/index.js';

const IP = udpIp({ src: '192.0.2.10', dst: '198.51.100.53', sport: 40000, dport: 53 }, dnsMessage({ id: 7, qr: false, rd: true, questions: [{ name: 'nope.example', type: 'A' }] }));
const ANSWER = udpIp({ src: '198.51.100.53', dst: '192.0.2.10', sport: 53, dport: 40000 }, dnsMessage({ id: 7, qr: true, rd: true, ra: true, rcode: 'NXDOMAIN', questions: [{ name: 'nope.example', type: 'A' }] }));
const SNAP_IPV4 = u8(0xaa, 0xaa, 0x03, 0x00, 0x00, 0x00, 0x08, 0x00);
const MAC = (n: number) => u8(0x02, 0, 0, 0, 0, n);

/** An 802.11 data frame header: QoS data to the AP (toDS) by default. */
function wlanHeader(o: { qos?: boolean; flags?: number; amsdu?: boolean; subtype?: number; type?: number } = {}): Uint8Array {
  const qos = o.qos ?? true;
  const subtype = o.subtype ?? (qos ? 8 : 0);
  const fc0 = (subtype << 4) | ((o.type ?? 2) << 2);
  const flags = o.flags ?? 0x01;
  const four = (flags & 0x03) === 0x03;
  return concat([
    u8(fc0, flags, 0x2c, 0x00), MAC(1), MAC(2), MAC(3), u8(0x10, 0x00),
    four ? MAC(4) : u8(),
    qos ? u8(o.amsdu ? 0x80 : 0x00, 0x00) : u8(),
    qos && (flags & 0x80) !== 0 ? u8(0, 0, 0, 0) : u8(),
  ]);
}

/** A radiotap header with TSFT and Flags (FCS at the end when `fcs`). */
function radiotap(fcs: boolean): Uint8Array {
  // version, pad, length 24 (LE), present = TSFT | Flags | Rate; 4 bytes of padding before TSFT is
  // not needed (it starts at 8); TSFT 8 bytes, Flags 1 byte, Rate 1 byte, 6 bytes of padding.
  return concat([u8(0, 0, 24, 0, 0x07, 0, 0, 0), new Uint8Array(8).fill(0x11), u8(fcs ? 0x10 : 0x00, 0x02), new Uint8Array(6)]);
}

function decode(bytes: Uint8Array, linkType: number): Packet {
  const raw = newRawPacket();
  Object.assign(raw, { frame: 1, linkType, buf: bytes, off: 0, capLen: bytes.length, origLen: bytes.length });
  return new Decoder().decode(raw, new Packet());
}

function expectDns(p: Packet): void {
  expect(p.stop).toBeNull();
  expect(p.ipVersion).toBe(4);
  expect(p.proto).toBe(17);
  expect([p.sport, p.dport]).toEqual([40000, 53]);
  expect(p.payLen).toBe(IP.length - 28);
}

describe('802.11', () => {
  it('radiotap + QoS data + LLC/SNAP: the IP packet, the FCS left out', () => {
    const frame = concat([radiotap(true), wlanHeader(), SNAP_IPV4, IP, u8(0xde, 0xad, 0xbe, 0xef)]);
    expectDns(decode(frame, 127));
  });

  it('radiotap without an FCS, plain data (no QoS), and a four-address frame (a bridge)', () => {
    expectDns(decode(concat([radiotap(false), wlanHeader({ qos: false }), SNAP_IPV4, IP]), 127));
    expectDns(decode(concat([wlanHeader({ flags: 0x03 }), SNAP_IPV4, IP]), 105));
    expectDns(decode(concat([wlanHeader({ flags: 0x81 }), SNAP_IPV4, IP]), 105)); // QoS with HT control
  });

  it('Prism, AVS and PPI headers in front of the frame', () => {
    const inner = concat([wlanHeader(), SNAP_IPV4, IP]);
    const prism = concat([u8(0x41, 0, 0, 0), u8(16, 0, 0, 0), new Uint8Array(8)]);
    expectDns(decode(concat([prism, inner]), 119));
    const avs = concat([u8(0x80, 0x21, 0x10, 0x01), u8(0, 0, 0, 16), new Uint8Array(8)]);
    expectDns(decode(concat([avs, inner]), 163));
    const ppi = u8(0, 0, 8, 0, 105, 0, 0, 0);
    expectDns(decode(concat([ppi, inner]), 192));
  });

  it('protected data, management frames, null data and A-MSDUs hold no IP to read, and are no damage', () => {
    for (const h of [wlanHeader({ flags: 0x41 }), wlanHeader({ type: 0, subtype: 8, qos: false }), wlanHeader({ subtype: 12 }), wlanHeader({ amsdu: true })]) {
      const p = decode(concat([radiotap(false), h, SNAP_IPV4, IP]), 127);
      expect(p.ipVersion).toBe(0);
      expect(p.stop).toBeNull();
    }
  });

  it('a radiotap length beyond the frame stops with a reason', () => {
    const p = decode(u8(0, 0, 200, 0, 0, 0, 0, 0, 1, 2), 127);
    expect(p.ipVersion).toBe(0);
    expect(p.stop?.layer).toBe('radiotap');
  });

  it('a monitor-mode capture of a failing lookup gets its verdict', async () => {
    const cap = new Capture();
    cap.add(1_700_000_000, concat([radiotap(true), wlanHeader(), SNAP_IPV4, IP, u8(1, 2, 3, 4)]));
    cap.add(1_700_000_000.02, concat([radiotap(true), wlanHeader({ flags: 0x02 }), SNAP_IPV4, ANSWER, u8(1, 2, 3, 4)]));
    const bytes = cap.pcap({ linkType: 127 });
    async function* one(): AsyncIterable<Uint8Array> {
      yield bytes;
    }
    const r = await analyze(await openStream(one(), { name: 'wlan.pcap' }));
    expect(r.verdicts.map((v) => v.cause)).toEqual(['dns.nxdomain']);
    expect(r.verdicts[0]!.evidence.map((e) => e.frame)).toEqual([1, 2]);
  });
});

describe('NFLOG', () => {
  const syn = tcpIp({ src: '192.0.2.10', dst: '203.0.113.80', sport: 49762, dport: 80, flags: 'S', seq: 1 });
  /** A TLV in little- or big-endian host order, padded to 4 bytes. */
  function tlv(type: number, value: Uint8Array, le: boolean): Uint8Array {
    const len = value.length + 4;
    const head = le ? u8(len & 0xff, len >> 8, type & 0xff, type >> 8) : u8(len >> 8, len & 0xff, type >> 8, type & 0xff);
    return concat([head, value, new Uint8Array((4 - (len % 4)) % 4)]);
  }

  for (const le of [true, false]) {
    it(`the payload TLV after others (${le ? 'little' : 'big'}-endian host)`, () => {
      const frame = concat([u8(2, 0, 0, 1), tlv(1, u8(0x08, 0x00, 3, 0), le), tlv(10, new TextEncoder().encode('wirewhy-log'), le), tlv(9, syn, le)]);
      const p = decode(frame, 239);
      expect(p.stop).toBeNull();
      expect(p.ipVersion).toBe(4);
      expect(p.proto).toBe(6);
      expect([p.sport, p.dport]).toEqual([49762, 80]);
    });
  }

  it('a TLV length beyond the frame stops with a reason, without throwing', () => {
    const p = decode(concat([u8(2, 0, 0, 1), u8(0xff, 0x7f, 9, 0), u8(1, 2, 3, 4)]), 239);
    expect(p.ipVersion).toBe(0);
    expect(p.stop?.layer).toBe('nflog');
  });
});
