import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { decodeDns, dnsOverTcpMessages, type DnsMessage } from '../../src/decode/dns.js';
import { ipv6ToString as formatIpv6 } from '../../src/decode/addr.js';
import { qtypeName, rcodeName } from '../../src/decode/names.js';
import { isStop, type DecodeStop } from '../../src/decode/stop.js';

/** Annotated hex: '#' starts a comment to end of line; whitespace ignored. */
function h(s: string): Uint8Array {
  return Uint8Array.from(Buffer.from(s.replace(/#.*$/gm, '').replace(/\s+/g, ''), 'hex'));
}
function fixture(name: string): Uint8Array {
  const t = readFileSync(new URL(`../fixtures/app/${name}`, import.meta.url), 'utf8');
  return h(t);
}
function msg(r: DnsMessage | DecodeStop): DnsMessage {
  if (isStop(r)) throw new Error(`unexpected stop ${JSON.stringify(r)}`);
  return r as DnsMessage;
}

// suricata-verify dns-tcp-multirequest-buffer.pcap frame 8 (TCP payload): NXDOMAIN with SOA.
const NXDOMAIN_TCP = h(`
  0050                      # TCP length prefix: 80
  0000                      # id 0
  8183                      # QR=1 opcode=0 AA=0 TC=0 RD=1 RA=1 Z=0 AD=0 CD=0 rcode=3 NXDOMAIN
  0001 0000 0001 0000       # qd=1 an=0 ns=1 ar=0
  01 30 06 676f6f676c65 03 636f6d 00   # @12 "0.google.com"
  0001 0001                 # A IN
  c00e                      # authority owner -> @14 "google.com"
  0006 0001                 # SOA IN
  0000003c                  # TTL 60
  0026                      # RDLENGTH 38
  03 6e7332 c00e            # MNAME ns2.google.com
  09 646e732d61646d696e c00e   # RNAME dns-admin.google.com
  082d36ed                  # SERIAL 137180909
  00000384 00000384         # REFRESH 900, RETRY 900
  00000708 0000003c         # EXPIRE 1800, MINIMUM 60 (RFC 2308 negative TTL bound)
`);

// zeek pcapng-multi-interface.pcapng frame 2 (UDP payload): A query answered by a CNAME chain.
const CNAME_CHAIN = h(`
  4fe8 8180 0001 0004 0000 0001   # id, QR RD RA NOERROR, qd=1 an=4 ns=0 ar=1
  03 777777 05 6170706c65 03 636f6d 00 0001 0001   # @12 www.apple.com A IN
  c00c 0005 0001 0000010f 001a    # www.apple.com CNAME IN ttl 271 rdlen 26
    0d 7777772d6170706c652d636f6d 01 76 07 6161706c696d67 c016   # www-apple-com.v.aaplimg + @22 "com"
  c02b 0005 0001 0000010f 001b    # @43 www-apple-com.v.aaplimg.com CNAME
    03 777777 05 6170706c65 03 636f6d 07 656467656b6579 03 6e6574 00   # www.apple.com.edgekey.net
  c051 0005 0001 0000010f 0019    # @81 www.apple.com.edgekey.net CNAME
    05 6536383538 05 6473636539 0a 616b616d6169656467 65 c067   # e6858.dsce9.akamaiedge + @103 "net"
  c078 0001 0001 00000009 0004 17c26518   # @120 e6858.dsce9.akamaiedge.net A 23.194.101.24 ttl 9
  00 0029 04d0 00000000 0000      # OPT: root owner, udp 1232, ext-rcode 0 version 0 DO=0, rdlen 0
`);

// tcpdump tests/dns-badvers.pcap frame 2 (UDP payload): a root server answering an EDNS
// version-255 query with BADVERS (header rcode 0, OPT extended rcode 1 → 16).
const BADVERS = h(`
  8fb3 8100 0001 0000 0000 0001   # id, QR RD, header rcode 0; qd=1 ar=1
  00 0010 0001                    # <Root> TXT IN
  00 0029 0200                    # OPT, udp 512
  01 00 0000                      # extended rcode 1, version 0, DO=0 Z=0
  0000                            # rdlen 0
`);

// zeek pcapng-multi-interface.pcapng frame 6: AAAA answers (RFC 5952 text expected).
const AAAA = h(`
  0005 8180 0001 0004 0000 0000
  06 676f6f676c65 03 636f6d 00 001c 0001          # google.com AAAA IN
  c00c 001c 0001 00000070 0010 2607f8b0402320070000000000000066
  c00c 001c 0001 00000070 0010 2607f8b040232007000000000000008b
  c00c 001c 0001 00000070 0010 2607f8b0402320070000000000000071
  c00c 001c 0001 00000070 0010 2607f8b040232007000000000000008a
`);

// suricata-verify flow-drop-iponly-02.pcap frame 4: SERVFAIL, no records.
const SERVFAIL = h(`
  c5a5 8182 0001 0000 0000 0000   # QR RD RA rcode=2 SERVFAIL
  08 646f776e6c6f6164 0d 77696e646f7773757064617465 03 636f6d 00 0001 0001
`);

// Synthetic: odd label bytes, MX, TXT, SRV, EDE (RFC 8914) in OPT, DO bit, extended rcode 0.
const SYNTH = h(`
  1234 8583 0001 0003 0000 0001   # QR AA RD RA rcode=3 (NXDOMAIN), an=3 ar=1
  04 612e 00 20 01 62 00 00ff 0001    # @12 labels "a.\\000 " and "b": a\\.\\000\\032.b  ANY IN
  c00c 000f 0001 00000e10 0009 000a 04 6d61696c c00c   # MX 10 mail.<@12>
  c00c 0010 0001 00000e10 000b 03 763d31 00 05 615c2209 ff   # TXT "v=1" "" "a\\\"\\t\\xff"
  c00c 0021 0001 00000e10 0008 0001 0002 01bb c026     # SRV 1 2 443 -> @38 (the MX target)
  00 0029 1000 00 00 8000 000e    # OPT udp 4096, ext 0, v0, DO=1, rdlen 14
    000f 0006 0012 626c6f63          # EDE code 18 "Prohibited", text "bloc"
    000a 0000                        # COOKIE, empty (kept as an option code)
`);

describe('decodeDns on real captures', () => {
  test('NXDOMAIN with SOA authority (over TCP)', () => {
    const m = msg(decodeDns(NXDOMAIN_TCP, 2, NXDOMAIN_TCP.length - 2));
    expect(m).toMatchObject({ id: 0, qr: true, opcode: 0, aa: false, tc: false, rd: true, ra: true, rcode: 3 });
    expect(rcodeName(m.rcode)).toBe('NXDOMAIN');
    expect(m.questions).toEqual([{ name: '0.google.com', type: 1, cls: 1 }]);
    expect(m.answers).toEqual([]);
    expect(m.authority).toEqual([
      { name: 'google.com', type: 6, cls: 1, ttl: 60, rdlength: 38, data: 'ns2.google.com dns-admin.google.com 137180909 900 900 1800 60' },
    ]);
    expect(m.edns).toBeNull();
    expect(m.stop).toBeUndefined();
  });

  test('CNAME chain with compression pointers', () => {
    const m = msg(decodeDns(CNAME_CHAIN, 0, CNAME_CHAIN.length));
    expect(m.answers.map((r) => [r.name, qtypeName(r.type), r.ttl, r.data])).toEqual([
      ['www.apple.com', 'CNAME', 271, 'www-apple-com.v.aaplimg.com'],
      ['www-apple-com.v.aaplimg.com', 'CNAME', 271, 'www.apple.com.edgekey.net'],
      ['www.apple.com.edgekey.net', 'CNAME', 271, 'e6858.dsce9.akamaiedge.net'],
      ['e6858.dsce9.akamaiedge.net', 'A', 9, '23.194.101.24'],
    ]);
    expect(m.additional[0]).toMatchObject({ name: '', type: 41 });
    expect(m.edns).toEqual({ udpSize: 1232, extRcode: 0, version: 0, do: false, ede: [], options: [] });
  });

  test('EDNS BADVERS combines the extended rcode', () => {
    const m = msg(decodeDns(BADVERS, 0, BADVERS.length));
    expect(m.headerRcode).toBe(0);
    expect(m.edns).toMatchObject({ udpSize: 512, extRcode: 1, version: 0, do: false });
    expect(m.rcode).toBe(16);
    expect(rcodeName(m.rcode)).toBe('BADVERS');
    expect(m.questions).toEqual([{ name: '', type: 16, cls: 1 }]);
  });

  test('AAAA answers in RFC 5952 form', () => {
    const m = msg(decodeDns(AAAA, 0, AAAA.length));
    expect(m.answers.map((r) => r.data)).toEqual([
      '2607:f8b0:4023:2007::66',
      '2607:f8b0:4023:2007::8b',
      '2607:f8b0:4023:2007::71',
      '2607:f8b0:4023:2007::8a',
    ]);
  });

  test('SERVFAIL', () => {
    const m = msg(decodeDns(SERVFAIL, 0, SERVFAIL.length));
    expect(rcodeName(m.rcode)).toBe('SERVFAIL');
    expect(m.questions[0]!.name).toBe('download.windowsupdate.com');
  });

  test('SOA response with NS authority, A/AAAA glue and OPT (zeek dns-edns-ecs.pcap)', () => {
    const b = fixture('dns-edns-ecs-response.hex');
    const m = msg(decodeDns(b, 0, b.length));
    expect(m.aa).toBe(true);
    expect(m.answers[0]!.data).toBe('ns1.weberdns.de webmaster.weberdns.de 2016051801 14400 1800 604800 180');
    expect(m.authority.map((r) => r.data)).toEqual(['ns1.weberdns.de', 'ns2.weberdns.de']);
    expect(m.additional.map((r) => r.data)).toEqual(['80.154.108.230', '2003:51:6012:110::a07:53', '213.61.29.182', null]);
    expect(m.edns?.udpSize).toBe(4096);
  });

  test('AAAA with NS and glue (ndpi 6in4tunnel.pcap)', () => {
    const b = fixture('dns-6in4-aaaa-response.hex');
    const m = msg(decodeDns(b, 0, b.length));
    expect(m.answers[0]).toMatchObject({ name: 'star.c10r.facebook.com', type: 28, ttl: 60, data: '2a03:2880:1010:6f03:face:b00c:0:2' });
    expect(m.authority.map((r) => r.data)).toEqual(['a.ns.c10r.facebook.com', 'b.ns.c10r.facebook.com']);
    expect(m.additional[2]!.data).toBe('2a03:2880:ffff:b:face:b00c:0:99');
  });
});

describe('decodeDns synthetic cases', () => {
  test('escaped labels, MX, TXT, SRV, EDE and DO', () => {
    const m = msg(decodeDns(SYNTH, 0, SYNTH.length));
    expect(m.questions[0]).toEqual({ name: 'a\\.\\000\\032.b', type: 255, cls: 1 });
    expect(m.answers.map((r) => r.data)).toEqual([
      '10 mail.a\\.\\000\\032.b',
      'v=1  a\\\\"\\009\\255',
      '1 2 443 mail.a\\.\\000\\032.b',
    ]);
    expect(m.edns).toEqual({ udpSize: 4096, extRcode: 0, version: 0, do: true, ede: [{ code: 18, text: 'bloc' }], options: [15, 10] });
    expect(m.rcode).toBe(3);
  });

  test('a pointer to itself is malformed, not a hang', () => {
    const b = h('0001 0100 0001 0000 0000 0000  c00c 0001 0001');
    const m = msg(decodeDns(b, 0, b.length));
    expect(m.questions).toEqual([]);
    expect(m.stop).toMatchObject({ stop: 'malformed', layer: 'dns', offset: 12 });
  });

  test('a forward pointer is malformed', () => {
    const b = h('0001 0100 0001 0000 0000 0000  c00e 00 0001 0001');
    expect(msg(decodeDns(b, 0, b.length)).stop).toMatchObject({ stop: 'malformed', offset: 12 });
  });

  test('pointer chains: 64 jumps allowed, more is malformed', () => {
    // an=2. RR1: root owner, TYPE999 whose RDATA (@23) holds "a" then N pointers, each pointing
    // at the one before (the first at "a"). RR2's owner points at the last pointer of the chain.
    const chain = (n: number) => {
      let rd = '016100';
      for (let i = 0; i < n; i++) rd += (0xc000 | (i === 0 ? 23 : 26 + 2 * (i - 1))).toString(16);
      const rr1 = '00 03e7 0001 00000000 ' + (rd.length / 2).toString(16).padStart(4, '0') + rd;
      const rr2 = (0xc000 | (26 + 2 * (n - 1))).toString(16) + ' 0001 0001 00000000 0004 01020304';
      return h('0001 8100 0000 0002 0000 0000 ' + rr1 + rr2);
    };
    const ok = msg(decodeDns(chain(63), 0, chain(63).length)); // 63 + the owner pointer = 64 jumps
    expect(ok.stop).toBeUndefined();
    expect(ok.answers[1]).toMatchObject({ name: 'a', data: '1.2.3.4' });
    const bad = msg(decodeDns(chain(64), 0, chain(64).length));
    expect(bad.answers).toHaveLength(1);
    expect(bad.stop).toMatchObject({ stop: 'malformed', reason: 'too many name pointers' });
  });

  test('names longer than 255 octets are malformed', () => {
    const label = '3f' + '61'.repeat(63);
    const b = h('0001 0100 0001 0000 0000 0000 ' + label.repeat(4) + ' 00 0001 0001');
    expect(msg(decodeDns(b, 0, b.length)).stop).toMatchObject({ stop: 'malformed', reason: 'name longer than 255 octets' });
  });

  test('extended label types are malformed', () => {
    const b = h('0001 0100 0001 0000 0000 0000 41 00 0001 0001');
    expect(msg(decodeDns(b, 0, b.length)).stop).toMatchObject({ stop: 'malformed', offset: 12 });
  });

  test('counts larger than the bytes stop as truncated with what was read', () => {
    // qdcount 65535 but one question present.
    const b = h('0001 0100 ffff 0000 0000 0000 01 61 00 0001 0001');
    const m = msg(decodeDns(b, 0, b.length));
    expect(m.questions).toEqual([{ name: 'a', type: 1, cls: 1 }]);
    expect(m.stop).toMatchObject({ stop: 'truncated', offset: 19 });
  });

  test('header shorter than 12 bytes is a bare stop', () => {
    expect(decodeDns(new Uint8Array(11), 0, 11)).toMatchObject({ stop: 'truncated', layer: 'dns' });
  });

  test('wrong-length A rdata gives data null, not a wrong address', () => {
    const b = h('0001 8180 0000 0001 0000 0000 00 0001 0001 00000001 0003 010203');
    expect(msg(decodeDns(b, 0, b.length)).answers[0]!.data).toBeNull();
  });
});

describe('names', () => {
  test('rcodes and types', () => {
    expect([0, 1, 2, 3, 4, 5, 9, 11, 16, 23, 24].map(rcodeName)).toEqual([
      'NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED', 'NOTAUTH', 'DSOTYPENI', 'BADVERS', 'BADCOOKIE', 'RCODE24',
    ]);
    expect([1, 28, 65, 64, 41, 255, 252, 251, 257, 52, 50, 9999].map(qtypeName)).toEqual([
      'A', 'AAAA', 'HTTPS', 'SVCB', 'OPT', 'ANY', 'AXFR', 'IXFR', 'CAA', 'TLSA', 'NSEC3', 'TYPE9999',
    ]);
  });

  test('formatIpv6 follows RFC 5952', () => {
    const f = (s: string) => formatIpv6(h(s), 0);
    expect(f('00000000000000000000000000000000')).toBe('::');
    expect(f('00000000000000000000000000000001')).toBe('::1');
    expect(f('20010db8000000000000000000000001')).toBe('2001:db8::1');
    expect(f('20010db8000000010000000000000001')).toBe('2001:db8:0:1::1'); // longest run
    expect(f('20010db8000000000001000000000001')).toBe('2001:db8::1:0:0:1'); // first on tie
    expect(f('20010db8000100010001000100010001')).toBe('2001:db8:1:1:1:1:1:1');
    expect(f('20010db8000000010001000100010001')).toBe('2001:db8:0:1:1:1:1:1'); // single 0 not compressed
    expect(f('00000000000000000000ffffc0000207')).toBe('::ffff:192.0.2.7');
    expect(f('fe800000000000000000000000000000')).toBe('fe80::');
  });
});

describe('dnsOverTcpMessages', () => {
  // suricata-verify dns-tcp-multirequest-buffer.pcap frame 4: 20 length-prefixed queries in one segment.
  const MULTI = h(
    '001e000001000001000000000000013006676f6f676c6503636f6d0000010001001e000101000001000000000000013106676f6f676c6503636f6d0000010001001e000201000001000000000000013206676f6f676c6503636f6d0000010001001e000301000001000000000000013306676f6f676c6503636f6d0000010001001e000401000001000000000000013406676f6f676c6503636f6d0000010001001e000501000001000000000000013506676f6f676c6503636f6d0000010001001e000601000001000000000000013606676f6f676c6503636f6d0000010001001e000701000001000000000000013706676f6f676c6503636f6d0000010001001e000801000001000000000000013806676f6f676c6503636f6d0000010001001e000901000001000000000000013906676f6f676c6503636f6d0000010001001f000a0100000100000000000002313006676f6f676c6503636f6d0000010001001f000b0100000100000000000002313106676f6f676c6503636f6d0000010001001f000c0100000100000000000002313206676f6f676c6503636f6d0000010001001f000d0100000100000000000002313306676f6f676c6503636f6d0000010001001f000e0100000100000000000002313406676f6f676c6503636f6d0000010001001f000f0100000100000000000002313506676f6f676c6503636f6d0000010001001f00100100000100000000000002313606676f6f676c6503636f6d0000010001001f00110100000100000000000002313706676f6f676c6503636f6d0000010001001f00120100000100000000000002313806676f6f676c6503636f6d0000010001001f00130100000100000000000002313906676f6f676c6503636f6d0000010001',
  );

  test('splits 20 queries', () => {
    const chunks = dnsOverTcpMessages(MULTI, 0, MULTI.length);
    expect(chunks).toHaveLength(20);
    const names = chunks.map((c) => {
      if (!c.complete) throw new Error('partial');
      return msg(decodeDns(MULTI, c.offset, c.length)).questions[0]!.name;
    });
    expect(names).toEqual(Array.from({ length: 20 }, (_, i) => `${i}.google.com`));
  });

  test('partial last message reports what is needed', () => {
    expect(dnsOverTcpMessages(MULTI, 0, 40).at(-1)).toEqual({ complete: false, offset: 32, have: 8, need: 24 });
    expect(dnsOverTcpMessages(MULTI, 0, 33).at(-1)).toEqual({ complete: false, offset: 32, have: 1, need: 1 });
    expect(dnsOverTcpMessages(MULTI, 0, 32)).toEqual([{ complete: true, offset: 2, length: 30 }]);
    expect(dnsOverTcpMessages(MULTI, 0, 0)).toEqual([]);
  });
});

describe('every fixture cut at every length', () => {
  const cases: [string, Uint8Array, number][] = [
    ['nxdomain', NXDOMAIN_TCP, 2],
    ['cname', CNAME_CHAIN, 0],
    ['badvers', BADVERS, 0],
    ['aaaa', AAAA, 0],
    ['servfail', SERVFAIL, 0],
    ['synth', SYNTH, 0],
    ['edns-ecs', fixture('dns-edns-ecs-response.hex'), 0],
    ['6in4', fixture('dns-6in4-aaaa-response.hex'), 0],
  ];
  for (const [name, full, off] of cases) {
    test(name, () => {
      const whole = msg(decodeDns(full, off, full.length - off));
      for (let n = 0; n < full.length - off; n++) {
        const r = decodeDns(full, off, n);
        // Reading past `len` would show up as a difference from decoding the cut copy.
        expect(decodeDns(full.slice(0, off + n), off, n)).toEqual(r);
        if (isStop(r)) {
          expect(n).toBeLessThan(12);
          expect((r as DecodeStop).stop).toBe('truncated');
          continue;
        }
        const m = r as DnsMessage;
        expect(m.stop?.stop).toBe('truncated');
        // What was kept is a prefix of the full decode, field for field.
        expect(whole.questions.slice(0, m.questions.length)).toEqual(m.questions);
        expect(whole.answers.slice(0, m.answers.length)).toEqual(m.answers);
        expect(whole.authority.slice(0, m.authority.length)).toEqual(m.authority);
        expect(whole.additional.slice(0, m.additional.length)).toEqual(m.additional);
        expect(m.stop!.offset).toBeLessThanOrEqual(n);
      }
    });
  }
});
