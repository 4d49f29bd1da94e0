import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { createRequire } from 'node:module';
import { X509Certificate } from 'node:crypto';
import {
  LINKTYPE, dnsMessage, internetChecksum, ipv4, ipv6, parseIpv6, pseudoHeaderSum, sum16, finishChecksum, tcp, udp,
  icmpv6, fragmentIpv4, fragmentIpv6, IPPROTO_UDP, filler, testCertDer, testCertPem, toHex, hex, clientHello,
  handshakeRecord, sslv2ClientHello, HRR_RANDOM, serverHello, tcpOptions,
} from '../helpers/index.js';
import { buildSamples } from '../helpers/samples.js';
import { TcpConversation, Capture, pcapFile, pcapngFile, isbBlock, nrbBlock, dsbBlock, unknownBlock } from '../helpers/conversation.js';

const require = createRequire(import.meta.url);

describe('checksums', () => {
  it('IPv4 header sums to zero', () => {
    const p = ipv4({ src: '192.0.2.1', dst: '198.51.100.2', proto: 6, id: 0x1c46, ttl: 64, df: true }, new Uint8Array(10));
    expect(internetChecksum(p.subarray(0, 20))).toBe(0);
  });
  it('matches the RFC 1071 worked example words', () => {
    // RFC 1071 §3: 00 01 f2 03 f4 f5 f6 f7 sums (folded) to 0xddf2.
    const s = sum16(hex('0001f203f4f5f6f7'));
    expect(0xffff - finishChecksum(s)).toBe(0xddf2);
  });
  it('TCP/UDP over IPv4 and IPv6 verify with the pseudo-header', () => {
    for (const [src, dst] of [['10.0.0.1', '10.0.0.2'], ['2001:db8::1', '2001:db8::2']] as const) {
      const t = tcp({ src, dst, sport: 1234, dport: 443, seq: 1, ack: 2, flags: 'PA', options: { ts: [1, 2] } }, filler(33));
      expect(finishChecksum(sum16(t, pseudoHeaderSum(src, dst, 6, t.length)))).toBe(0);
      const u = udp({ src, dst, sport: 1, dport: 53 }, filler(17));
      expect(finishChecksum(sum16(u, pseudoHeaderSum(src, dst, 17, u.length)))).toBe(0);
      const i = icmpv6({ src, dst, type: 128, code: 0 }, filler(5));
      if (src.includes(':')) expect(finishChecksum(sum16(i, pseudoHeaderSum(src, dst, 58, i.length)))).toBe(0);
    }
  });
  it('TCP options are Linux-ordered and padded', () => {
    expect(toHex(tcpOptions({ mss: 1460, sackPerm: true, ts: [1, 0], wscale: 7 }))).toBe('020405b40402080a00000001000000000103030 7'.replace(/ /g, ''));
  });
});

describe('addresses', () => {
  it('parses IPv6 text forms', () => {
    expect(toHex(parseIpv6('::'))).toBe('0'.repeat(32));
    expect(toHex(parseIpv6('2001:db8::1'))).toBe('20010db8000000000000000000000001');
    expect(toHex(parseIpv6('::ffff:192.0.2.1'))).toBe('00000000000000000000ffffc0000201');
    expect(() => parseIpv6('1::2::3')).toThrow();
  });
});

describe('fragments', () => {
  it('IPv4 fragments reassemble to the original payload', () => {
    const orig = ipv4({ src: '10.0.0.1', dst: '10.0.0.2', proto: IPPROTO_UDP, id: 5 }, udp({ src: '10.0.0.1', dst: '10.0.0.2', sport: 1, dport: 2 }, filler(3000)));
    const frags = fragmentIpv4(orig, 1500);
    expect(frags.length).toBe(3);
    const data: number[] = [];
    for (const f of frags) {
      expect(f.length).toBeLessThanOrEqual(1500);
      expect(internetChecksum(f.subarray(0, 20))).toBe(0);
      const off = ((f[6]! << 8 | f[7]!) & 0x1fff) * 8;
      expect(off).toBe(data.length);
      data.push(...f.subarray(20));
    }
    expect(Uint8Array.from(data)).toEqual(orig.subarray(20));
    expect((frags[2]![6]! & 0x20)).toBe(0);
  });
  it('IPv6 fragments carry the unfragmentable part and a fragment header', () => {
    const orig = ipv6({ src: '2001:db8::1', dst: '2001:db8::2', next: 17, ext: [{ type: 'hop' }] }, udp({ src: '2001:db8::1', dst: '2001:db8::2', sport: 1, dport: 2 }, filler(3000)));
    const frags = fragmentIpv6(orig, 1280);
    const data: number[] = [];
    for (const f of frags) {
      expect(f.length).toBeLessThanOrEqual(1280);
      expect(f[6]).toBe(0); // hop-by-hop first
      expect(f[40]).toBe(44); // then fragment
      data.push(...f.subarray(56));
    }
    expect(Uint8Array.from(data)).toEqual(orig.subarray(48));
  });
});

/** Reads a (possibly compressed) name; bounded by the message length in jumps. */
function readName(m: Uint8Array, off: number): [string, number] {
  const labels: string[] = [];
  let o = off;
  let end = -1;
  for (let jumps = 0; jumps < m.length; jumps++) {
    const l = m[o]!;
    if (l === 0) { if (end < 0) end = o + 1; return [labels.join('.'), end]; }
    if ((l & 0xc0) === 0xc0) { if (end < 0) end = o + 2; o = ((l & 0x3f) << 8) | m[o + 1]!; continue; }
    labels.push(new TextDecoder().decode(m.subarray(o + 1, o + 1 + l)));
    o += 1 + l;
  }
  throw new Error('loop');
}

describe('DNS', () => {
  it('compresses names and they read back the same', () => {
    const opts = {
      id: 1, qr: true, rcode: 0, questions: [{ name: 'www.example.com', type: 'A' }],
      answers: [
        { name: 'www.example.com', type: 'CNAME', data: 'edge.example.com' },
        { name: 'edge.example.com', type: 'A', data: '192.0.2.7' },
      ],
    } as const;
    const plain = dnsMessage({ ...opts, answers: [...opts.answers], questions: [...opts.questions] });
    const comp = dnsMessage({ ...opts, answers: [...opts.answers], questions: [...opts.questions], compress: true });
    expect(comp.length).toBeLessThan(plain.length);
    for (const m of [plain, comp]) {
      let [n, o] = readName(m, 12);
      expect(n).toBe('www.example.com');
      o += 4;
      [n, o] = readName(m, o);
      expect(n).toBe('www.example.com');
      o += 8;
      const rdlen = (m[o]! << 8) | m[o + 1]!;
      expect(readName(m, o + 2)[0]).toBe('edge.example.com');
      o += 2 + rdlen;
      [n, o] = readName(m, o);
      expect(n).toBe('edge.example.com');
      expect(toHex(m.subarray(o + 10, o + 14))).toBe('c0000207');
    }
    expect(toHex(comp.subarray(comp.length - 16 - 14, comp.length - 14))).toContain('c0');
  });
  it('encodes EDNS OPT with DO and the extended rcode', () => {
    const m = dnsMessage({ id: 2, qr: true, rcode: 0, edns: { udpSize: 1232, do: true, extRcode: 1 } });
    expect(toHex(m.subarray(12))).toBe('00' + '0029' + '04d0' + '01008000' + '0000');
    expect((m[11]!)).toBe(1);
  });
});

describe('TLS', () => {
  it('test certificates parse and have the documented validity', () => {
    const v = new X509Certificate(testCertDer('valid'));
    expect(v.subjectAltName).toContain('DNS:www.example.com');
    expect(new Date(v.validTo).getUTCFullYear()).toBe(2049);
    expect(new Date(new X509Certificate(testCertPem('expired')).validTo).getUTCFullYear()).toBe(2021);
    expect(new Date(new X509Certificate(testCertDer('not-yet-valid')).validFrom).getUTCFullYear()).toBe(2090);
  });
  it('certs-data.ts matches the committed DER files', () => {
    for (const n of ['valid', 'expired', 'not-yet-valid'] as const) {
      const der = readFileSync(new URL(`../helpers/certs/${n}.der`, import.meta.url));
      expect(testCertDer(n)).toEqual(new Uint8Array(der));
    }
  });
  it('ClientHello lengths nest correctly', () => {
    const rec = handshakeRecord([clientHello({ ciphers: [0x1301], sni: 'a.example' })], 0x0301);
    expect((rec[3]! << 8) | rec[4]!).toBe(rec.length - 5);
    expect(rec[5]).toBe(1);
    expect((rec[6]! << 16) | (rec[7]! << 8) | rec[8]!).toBe(rec.length - 9);
  });
  it('HelloRetryRequest uses the special random', () => {
    const m = serverHello({ cipher: 0x1301, supportedVersion: 0x0304, helloRetryRequest: true });
    expect(m.subarray(6, 38)).toEqual(HRR_RANDOM);
  });
  it('SSLv2 hello has the 2-byte header with the high bit', () => {
    const h = sslv2ClientHello({ ciphers: [0x002f] });
    expect(h[0]! & 0x80).toBe(0x80);
    expect(((h[0]! & 0x7f) << 8) | h[1]!).toBe(h.length - 2);
    expect(h[2]).toBe(1);
  });
});

describe('TcpConversation', () => {
  it('advances sequence numbers like a stack', () => {
    const c = new TcpConversation({ client: ['10.0.0.1', 40000], server: ['10.0.0.2', 80], clientIsn: 100, serverIsn: 900 });
    c.syn(); c.synAck(); c.ack('client');
    c.send('client', new Uint8Array(10));
    c.send('server', new Uint8Array(20));
    c.send('server', new Uint8Array(20), { retransmit: true });
    c.fin('client');
    expect(c.nextSeq('client')).toBe(100 + 1 + 10 + 1);
    expect(c.nextSeq('server')).toBe(900 + 1 + 20);
    const tcpAt = (f: Uint8Array) => new DataView(f.buffer, f.byteOffset + 34);
    const last = c.frames[c.frames.length - 1]!.frame;
    expect(tcpAt(last).getUint32(4)).toBe(111);
    expect(tcpAt(last).getUint32(8)).toBe(921);
    const rtx = c.frames[5]!.frame;
    expect(tcpAt(rtx).getUint32(4)).toBe(901);
    expect(c.frames[1]!.frame[22]).toBe(56); // server TTL
  });
});

interface PcapParserRecord { ts: number; data: Buffer; orig: number }
function parseWithPcapParser(file: Uint8Array): Promise<{ linkType: number; recs: PcapParserRecord[] }> {
  const pcapp = require('pcap-parser') as { parse(s: NodeJS.ReadableStream): NodeJS.EventEmitter };
  return new Promise((resolve, reject) => {
    const recs: PcapParserRecord[] = [];
    let linkType = -1;
    const p = pcapp.parse(Readable.from([Buffer.from(file)]));
    p.on('globalHeader', (h: { linkLayerType: number }) => { linkType = h.linkLayerType; });
    p.on('packet', (pk: { header: { timestampSeconds: number; timestampMicroseconds: number; originalLength: number }; data: Buffer }) =>
      recs.push({ ts: pk.header.timestampSeconds + pk.header.timestampMicroseconds / 1e6, data: pk.data, orig: pk.header.originalLength }));
    p.on('end', () => resolve({ linkType, recs }));
    p.on('error', reject);
  });
}

describe('pcap writer', () => {
  it('is read back identically by pcap-parser (LE and BE)', async () => {
    const samples = buildSamples().filter((s) => s.linkType === LINKTYPE.ETHERNET);
    const records = samples.map((s, i) => ({ ts: 1_700_000_000 + i * 0.25 + 0.000001, frame: s.frame }));
    for (const bigEndian of [false, true]) {
      const file = pcapFile({ linkType: LINKTYPE.ETHERNET, bigEndian }, records);
      const got = await parseWithPcapParser(file);
      expect(got.linkType).toBe(1);
      expect(got.recs.length).toBe(records.length);
      got.recs.forEach((r, i) => {
        expect(new Uint8Array(r.data)).toEqual(records[i]!.frame);
        expect(r.ts).toBeCloseTo(records[i]!.ts, 6);
        expect(r.orig).toBe(records[i]!.frame.length);
      });
    }
  });
  it('cuts at snaplen and keeps the original length', async () => {
    const file = pcapFile({ linkType: 1, snaplen: 64 }, [{ ts: 1, frame: filler(200) }]);
    const got = await parseWithPcapParser(file);
    expect(got.recs[0]!.data.length).toBe(64);
    expect(got.recs[0]!.orig).toBe(200);
  });
});
