/**
 * Tunnels: GENEVE, Teredo, AYIYA and PPTP's enhanced GRE, from annotated hex (raw IP frames,
 * LINKTYPE_RAW), the cases that must not be taken for a tunnel, and every frame of the tunnel
 * captures (test/fixtures/tunnels, checked against tshark in tshark-compare.test.ts) cut at every
 * byte: the decoder stops, never throws, never reads past the frame.
 */
import { describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Decoder } from '../../src/decode/decoder.js';
import { Packet } from '../../src/decode/packet.js';
import { newRawPacket } from '../../src/capture/types.js';
import { openCapture } from '../../src/capture/open.js';
import { TUNNELS } from '../tshark-fixture.js';
import { ayiya, concat, geneve, greV1, hex, ipv4, ipv6, pppFrame, teredoAuth, teredoOrigin, u8, udp, udpIp } from '../helpers/index.js';

const RAW = 101;

function decode(bytes: Uint8Array, linkType = RAW, fill = 0): Packet {
  const buf = new Uint8Array(bytes.length + 32).fill(fill);
  buf.set(bytes, 16);
  const raw = newRawPacket();
  Object.assign(raw, { frame: 1, linkType, buf, off: 16, capLen: bytes.length, origLen: bytes.length });
  return new Decoder().decode(raw, new Packet());
}

const facts = (p: Packet) => ({
  ip: `${p.srcAddr()} > ${p.dstAddr()}`,
  proto: p.proto,
  ports: [p.sport, p.dport],
  tunnels: p.tunnels,
  payload: Buffer.from(p.payload()).toString('hex'),
  stop: p.stop?.layer ?? null,
});

// The inner datagram of the first, third and fourth examples: IPv4 192.0.2.1:40000 > 192.0.2.2:53, payload ab cd.
const INNER_V4 = `
  45 00 00 1e 00 01 00 00 40 11 f6 ca c0 00 02 01 c0 00 02 02   IPv4, 30 bytes, UDP
  9c 40 00 35 00 0a 33 93 ab cd                                  UDP 40000 > 53, length 10, payload ab cd`;
// The inner packet of the Teredo and AYIYA examples: IPv6 2001:db8:20::1 > ::2, UDP 40000 > 53, ab cd.
const INNER_V6 = `
  60 00 00 00 00 0a 11 40                                        IPv6, payload length 10, next header UDP, hop limit 64
  20 01 0d b8 00 20 00 00 00 00 00 00 00 00 00 01                source 2001:db8:20::1
  20 01 0d b8 00 20 00 00 00 00 00 00 00 00 00 02                destination 2001:db8:20::2
  9c 40 00 35 00 0a 5b e2 ab cd                                  UDP 40000 > 53, length 10, payload ab cd`;

/** Annotated hex: everything after three spaces on a line is a comment. */
const annotated = (s: string): Uint8Array => hex(s.split('\n').map((l) => l.trim().split(/ {3,}/)[0]!).join(' '));

describe('GENEVE (UDP 6081, RFC 8926)', () => {
  const frame = annotated(`
    45 00 00 4a 00 01 00 00 40 11 26 38 c6 33 64 01 c6 33 64 02   IPv4 198.51.100.1 > 198.51.100.2, UDP
    c3 50 17 c1 00 36 9e da                                        UDP 50000 > 6081, length 54
    02 40 08 00                                                    version 0, options 2 words, C (critical) set, protocol IPv4
    00 00 2a 00                                                    VNI 42
    01 02 80 01 00 00 00 07                                        option class 0x0102, type 0x80 (critical), 1 word: 00 00 00 07
    ${INNER_V4}`);

  it('the inner datagram is the one analysed', () => {
    expect(facts(decode(frame))).toEqual({ ip: '192.0.2.1 > 192.0.2.2', proto: 17, ports: [40000, 53], tunnels: 1, payload: 'abcd', stop: null });
    // The builder writes the same bytes.
    const built = udpIp({ src: '198.51.100.1', dst: '198.51.100.2', sport: 50000, dport: 6081, id: 1 },
      geneve({ vni: 42, proto: 0x0800, critical: true, options: [{ cls: 0x0102, type: 0x80, data: u8(0, 0, 0, 7) }] }, annotated(INNER_V4)));
    expect(Buffer.from(built).toString('hex')).toBe(Buffer.from(frame).toString('hex'));
  });

  it('an Ethernet frame inside (protocol 0x6558), and options of every length', () => {
    const eth = concat([hex('02 00 00 00 00 02 02 00 00 00 00 01 08 00'), annotated(INNER_V4)]);
    for (const options of [[], [{ cls: 1, type: 2, data: new Uint8Array(124) }], [{ cls: 1, type: 2, data: new Uint8Array(0) }, { cls: 3, type: 4, data: new Uint8Array(8) }]]) {
      const g = geneve({ vni: 1, proto: 0x6558, options }, eth);
      const p = decode(udpIp({ src: '198.51.100.1', dst: '198.51.100.2', sport: 1, dport: 6081 }, g));
      expect(facts(p)).toMatchObject({ ip: '192.0.2.1 > 192.0.2.2', ports: [40000, 53], payload: 'abcd' });
    }
  });

  it('version 1, an unknown protocol, or the GENEVE port as the source only: the UDP datagram stays', () => {
    const g = geneve({ vni: 1, proto: 0x0800 }, annotated(INNER_V4));
    const v1 = g.slice();
    v1[0] = 0x40;
    const other = g.slice();
    other[2] = 0x88;
    for (const [payload, sport, dport] of [[v1, 1, 6081], [other, 1, 6081], [g, 6081, 1]] as const) {
      const p = decode(udpIp({ src: '198.51.100.1', dst: '198.51.100.2', sport, dport }, payload));
      expect(facts(p)).toMatchObject({ ip: '198.51.100.1 > 198.51.100.2', ports: [sport, dport], tunnels: 0 });
    }
  });
});

describe('Teredo (UDP 3544, RFC 4380)', () => {
  const frame = annotated(`
    45 00 00 63 00 02 00 00 40 11 14 48 c6 33 64 02 cb 00 71 0a   IPv4 198.51.100.2 > 203.0.113.10, UDP
    0d d8 9c 40 00 4f fb 48                                        UDP 3544 > 40000, length 79
    00 01 00 00                                                    authentication: client id length 0, authentication length 0
    01 02 03 04 05 06 07 08 00                                     nonce, confirmation 0
    00 00 63 bf 34 ff 8e f5                                        origin indication: port 40000, 203.0.113.10 (bits inverted)
    ${INNER_V6}`);

  it('authentication header and origin indication, then the IPv6 packet', () => {
    expect(facts(decode(frame))).toEqual({ ip: '2001:db8:20::1 > 2001:db8:20::2', proto: 17, ports: [40000, 53], tunnels: 1, payload: 'abcd', stop: null });
    const built = udpIp({ src: '198.51.100.2', dst: '203.0.113.10', sport: 3544, dport: 40000, id: 2 },
      concat([teredoAuth({ nonce: u8(1, 2, 3, 4, 5, 6, 7, 8) }), teredoOrigin(40000, '203.0.113.10'), annotated(INNER_V6)]));
    expect(Buffer.from(built).toString('hex')).toBe(Buffer.from(frame).toString('hex'));
  });

  it('with a client id and an authentication value, or bare; a bubble', () => {
    const six = annotated(INNER_V6);
    const auth = teredoAuth({ clientId: u8(1, 2, 3), auth: u8(4, 5, 6, 7, 8), nonce: new Uint8Array(8), confirmation: 1 });
    for (const payload of [concat([auth, six]), six, concat([teredoOrigin(1, '192.0.2.9'), six])]) {
      const p = decode(udpIp({ src: '203.0.113.10', dst: '198.51.100.2', sport: 40000, dport: 3544 }, payload));
      expect(facts(p)).toMatchObject({ ip: '2001:db8:20::1 > 2001:db8:20::2', ports: [40000, 53], payload: 'abcd' });
    }
    const bubble = ipv6({ src: '2001:db8:20::1', dst: '2001:db8:20::2', next: 59 }, new Uint8Array(0));
    const p = decode(udpIp({ src: '203.0.113.10', dst: '198.51.100.2', sport: 40000, dport: 3544 }, bubble));
    expect(facts(p)).toMatchObject({ ip: '2001:db8:20::1 > 2001:db8:20::2', proto: 59, ports: [-1, -1], tunnels: 1 });
  });

  it('on another port only a bare IPv6 packet from or to a Teredo address (2001:0::/32)', () => {
    // A Teredo client's address (RFC 4380 §4: prefix, server, flags, port and address obfuscated).
    // Never sent anywhere: a frame in memory, as Zeek's protocol detection sees them.
    const teredo = ipv6({ src: '2001:0:c633:6402::9c3f:34ff:8ef5', dst: '2001:db8:20::2', next: 17 },
      udp({ src: '2001:0:c633:6402::9c3f:34ff:8ef5', dst: '2001:db8:20::2', sport: 40000, dport: 53 }, u8(0xab, 0xcd)));
    const relay = decode(udpIp({ src: '203.0.113.10', dst: '198.51.100.7', sport: 40000, dport: 51000 }, teredo));
    expect(facts(relay)).toMatchObject({ ip: '2001:0:c633:6402:0:9c3f:34ff:8ef5 > 2001:db8:20::2', ports: [40000, 53], tunnels: 1 });
    // Without the prefix, or after an origin indication, it is some other UDP payload.
    for (const payload of [annotated(INNER_V6), concat([teredoOrigin(1, '192.0.2.9'), teredo])]) {
      const p = decode(udpIp({ src: '203.0.113.10', dst: '198.51.100.7', sport: 40000, dport: 51000 }, payload));
      expect(facts(p)).toMatchObject({ ip: '203.0.113.10 > 198.51.100.7', ports: [40000, 51000], tunnels: 0 });
    }
  });

  it('an IPv6 payload length that does not fill the datagram is not Teredo', () => {
    for (const extra of [u8(0), new Uint8Array(0)]) {
      const six = annotated(INNER_V6);
      const payload = extra.length ? concat([six, extra]) : six.subarray(0, six.length - 1);
      const p = decode(udpIp({ src: '203.0.113.10', dst: '198.51.100.2', sport: 40000, dport: 3544 }, payload));
      expect(facts(p)).toMatchObject({ ip: '203.0.113.10 > 198.51.100.2', ports: [40000, 3544], tunnels: 0 });
    }
  });
});

describe('AYIYA (UDP 5072)', () => {
  const frame = annotated(`
    45 00 00 7a 00 03 00 00 40 11 26 06 c6 33 64 01 c6 33 64 02   IPv4 198.51.100.1 > 198.51.100.2, UDP
    13 d0 13 d0 00 66 b3 b6                                        UDP 5072 > 5072, length 102
    41 52 11 29                                                    identity 2^4 bytes, type IPv6 address; signature 5 words, SHA-1; shared secret, forward; next header IPv6
    65 53 f1 00                                                    epoch 1700000000
    20 01 0d b8 00 20 00 00 00 00 00 00 00 00 00 01                identity 2001:db8:20::1
    5a 5a 5a 5a 5a 5a 5a 5a 5a 5a 5a 5a 5a 5a 5a 5a 5a 5a 5a 5a    signature
    ${INNER_V6}`);

  it('forward with next header 41: the IPv6 packet is the one analysed', () => {
    expect(facts(decode(frame))).toEqual({ ip: '2001:db8:20::1 > 2001:db8:20::2', proto: 17, ports: [40000, 53], tunnels: 1, payload: 'abcd', stop: null });
  });

  it('IPv4 inside (next header 4); other opcodes and next headers are not decapsulated', () => {
    const id = new Uint8Array(16);
    const ok = ayiya({ identity: id, signature: new Uint8Array(20), next: 4, epoch: 1 }, annotated(INNER_V4));
    expect(facts(decode(udpIp({ src: '198.51.100.1', dst: '198.51.100.2', sport: 40000, dport: 5072 }, ok)))).toMatchObject({ ip: '192.0.2.1 > 192.0.2.2', ports: [40000, 53] });
    for (const bad of [
      ayiya({ identity: id, signature: new Uint8Array(20), next: 4, epoch: 1, opcode: 2 }, annotated(INNER_V4)),
      ayiya({ identity: id, signature: new Uint8Array(20), next: 17, epoch: 1 }, annotated(INNER_V4)),
    ]) {
      expect(facts(decode(udpIp({ src: '198.51.100.1', dst: '198.51.100.2', sport: 40000, dport: 5072 }, bad)))).toMatchObject({ ports: [40000, 5072], tunnels: 0 });
    }
  });
});

describe("PPTP's enhanced GRE (GRE version 1, RFC 2637)", () => {
  const frame = annotated(`
    45 00 00 43 00 04 40 00 40 2f e6 1d c6 33 64 01 c6 33 64 02   IPv4 198.51.100.1 > 198.51.100.2, GRE
    30 81 88 0b                                                    K and S, A and version 1; protocol PPP (0x880B)
    00 1f 40 00                                                    payload length 31, call id 0x4000
    00 00 00 05 00 00 00 04                                        sequence number 5, acknowledgment number 4
    21                                                             PPP, address and control compressed away, protocol IPv4 in one byte
    ${INNER_V4}`);

  it('PPP with compressed fields, IPv4 inside', () => {
    expect(facts(decode(frame))).toEqual({ ip: '192.0.2.1 > 192.0.2.2', proto: 17, ports: [40000, 53], tunnels: 1, payload: 'abcd', stop: null });
    const built = ipv4({ src: '198.51.100.1', dst: '198.51.100.2', proto: 47, id: 4, df: true },
      greV1({ callId: 0x4000, seq: 5, ack: 4 }, pppFrame({ proto: 0x21, acfc: true, pfc: true }, annotated(INNER_V4))));
    expect(Buffer.from(built).toString('hex')).toBe(Buffer.from(frame).toString('hex'));
  });

  it('FF 03 and a two-byte protocol, IPv6, no acknowledgment; bytes after the payload length are not read', () => {
    const ppp = pppFrame({ proto: 0x57 }, annotated(INNER_V6));
    const g = concat([greV1({ callId: 7, seq: 1 }, ppp), u8(0xee, 0xee)]);
    const p = decode(ipv4({ src: '198.51.100.1', dst: '198.51.100.2', proto: 47 }, g));
    expect(facts(p)).toMatchObject({ ip: '2001:db8:20::1 > 2001:db8:20::2', ports: [40000, 53], payload: 'abcd' });
  });

  it('an acknowledgment alone, LCP and an encrypted (MPPE) frame: nothing inside to analyse', () => {
    for (const g of [
      greV1({ callId: 7, ack: 9 }, new Uint8Array(0)),
      greV1({ callId: 7, seq: 2 }, pppFrame({ proto: 0xc021 }, u8(1, 1, 0, 4))),
      greV1({ callId: 7, seq: 3 }, pppFrame({ proto: 0xfd }, u8(0x90, 0x01, 0x02, 0x03))),
    ]) {
      expect(facts(decode(ipv4({ src: '198.51.100.1', dst: '198.51.100.2', proto: 47 }, g)))).toMatchObject({ ip: '198.51.100.1 > 198.51.100.2', proto: 47, tunnels: 0, stop: null });
    }
  });
});

describe('tunnel frames cut at every byte', () => {
  it('stop, never throw, never read past the frame', async () => {
    const frames: Array<{ linkType: number; bytes: Uint8Array }> = [];
    for (const name of readdirSync(TUNNELS).filter((f) => f.endsWith('.pcap')).sort()) {
      const src = await openCapture(join(TUNNELS, name));
      await src.forEach((r) => {
        frames.push({ linkType: r.linkType, bytes: r.buf.slice(r.off, r.off + r.capLen) });
      });
    }
    expect(frames.length).toBeGreaterThan(100);
    let cuts = 0;
    let stops = 0;
    for (const { linkType, bytes } of frames) {
      for (let n = 0; n <= bytes.length; n++) {
        const cut = bytes.subarray(0, n);
        const a = decode(cut, linkType, 0x00);
        const b = decode(cut, linkType, 0xff);
        expect(JSON.stringify(facts(a))).toBe(JSON.stringify(facts(b)));
        if (a.stop !== null) stops++;
        cuts++;
      }
    }
    expect(cuts).toBeGreaterThan(10_000);
    expect(stops).toBeGreaterThan(cuts / 4);
  });
});
