/**
 * ICMP errors whose triggering packets are not in the capture (taken on a router, or filtered to
 * ICMP), built packet by packet: a verdict claims only what the errors prove.
 *
 * - Time exceeded for probes that look like traceroute's (UDP to ports from 33434, each quoted
 *   once) or ping's with a small TTL (echo requests): a warning, not a routing loop.
 * - Time exceeded for an ordinary connection's packets (a TCP SYN to 443 sent again, DNS to 53),
 *   or one probe quoted again: still a failure, told once per target with what repeated.
 * - Port unreachable from an address other than the quoted destination: the words say the error
 *   came from another host than the destination, and point at a reject rule there.
 */
import { describe, expect, it } from 'vitest';
import { openStream } from '../../src/capture/open.js';
import { analyze } from '../../src/analyze.js';
import type { Report } from '../../src/report/model.js';
import { verdictWords } from '../../src/report/words.js';
import { FORMATS, renderReport } from '../../src/report/render.js';
import { Capture, icmpIp, ICMP, quote, tcpIp, udpIp, ethIp, ascii, LINKTYPE } from '../helpers/index.js';
import { englishWords, tokens } from '../helpers/zh-prose.js';

/** The report of a built capture; its Chinese renderings are checked for English prose on the way. */
async function run(cap: Capture): Promise<Report> {
  const bytes = cap.pcap({ linkType: LINKTYPE.ETHERNET });
  async function* one(): AsyncIterable<Uint8Array> {
    yield bytes;
  }
  const r = await analyze(await openStream(one(), { name: 'built.pcap' }), { all: true });
  const data = new Set<string>();
  const walk = (x: unknown): void => {
    if (typeof x === 'string') for (const t of tokens(x)) data.add(t.toLowerCase());
    else if (Array.isArray(x)) x.forEach(walk);
    else if (x !== null && typeof x === 'object') Object.values(x).forEach(walk);
  };
  walk(r);
  for (const format of FORMATS) expect(englishWords(renderReport(r, format, { lang: 'zh' }), format, data), format).toEqual([]);
  return r;
}

const CLIENT = '192.0.2.10';
const DEST = '203.0.113.5';
const ROUTER = '198.51.100.1';
const T0 = 1_700_000_000;

/** A time exceeded from `from` quoting `pkt` (the packet as it reached the router). */
const timeExceeded = (from: string, pkt: Uint8Array): Uint8Array =>
  ethIp(icmpIp({ src: from, dst: CLIENT, type: ICMP.TIME_EXCEEDED, code: 0 }, quote(pkt)));
const portUnreachable = (from: string, pkt: Uint8Array): Uint8Array =>
  ethIp(icmpIp({ src: from, dst: CLIENT, type: ICMP.DEST_UNREACH, code: ICMP.PORT_UNREACH }, quote(pkt)));

/** A UDP probe of traceroute as it reached the router that answers: TTL 1. */
const udpProbe = (dport: number, id: number, ttl = 1): Uint8Array =>
  udpIp({ src: CLIENT, dst: DEST, sport: 45000, dport, ttl, id }, new Uint8Array(32));

describe('ICMP errors alone (the triggering packets are not captured)', () => {
  it('time exceeded for traceroute-like UDP probes is a warning naming the router and the probes, not a failure', async () => {
    const cap = new Capture();
    // traceroute's first hop: three probes to 33434..33436, each answered by the first router.
    for (let i = 0; i < 3; i++) cap.add(T0 + i * 0.01, timeExceeded(ROUTER, udpProbe(33434 + i, 100 + i)));
    const r = await run(cap);
    expect(r.verdicts.filter((v) => v.severity === 'error')).toEqual([]);
    const v = r.verdicts.find((x) => x.cause === 'icmp.ttl_exceeded');
    expect(v?.severity).toBe('warning');
    expect(v?.target).toMatchObject({ ip: DEST, port: null, transport: 'udp' });
    expect(v?.attempts).toBe(3);
    expect(v?.details).toMatchObject({ from: ROUTER, probe: 'udp_traceroute', errors: 3, quotedTtl: 1 });
    expect(v?.evidence.map((e) => e.frame)).toEqual([1, 2, 3]);
    const en = verdictWords(v!, 'en');
    expect(en.summary).toBe(`${DEST}: time exceeded from ${ROUTER} for what look like traceroute (UDP) probes (3 packets); the probes are not in the capture`);
    expect(en.explanation).toContain('33434, 33435, 33436');
    expect(en.explanation).not.toMatch(/this means a routing loop/);
    expect(verdictWords(v!, 'zh').summary).toContain('抓包中没有这些探测包');
  });

  it('time exceeded for echo requests (ping -t, traceroute -I, mtr) is a warning too', async () => {
    const cap = new Capture();
    for (let seq = 1; seq <= 2; seq++) {
      const echo = icmpIp({ src: CLIENT, dst: DEST, type: ICMP.ECHO_REQUEST, code: 0, rest: (0x1234 << 16) | seq, ttl: 1, id: 200 + seq }, new Uint8Array(16));
      cap.add(T0 + seq, timeExceeded(ROUTER, echo));
    }
    const r = await run(cap);
    expect(r.verdicts.filter((v) => v.severity === 'error')).toEqual([]);
    const v = r.verdicts.find((x) => x.cause === 'icmp.ttl_exceeded');
    expect(v?.severity).toBe('warning');
    expect(v?.details).toMatchObject({ probe: 'icmp_echo', errors: 2 });
  });

  it('mtr-like UDP probes to ports that follow closely outside the default range are probes too', async () => {
    const cap = new Capture();
    // mtr sends each probe to its sequence number as port (from 33000): hop 1 every ~30 sequence numbers.
    for (let i = 0; i < 4; i++) cap.add(T0 + i, timeExceeded(ROUTER, udpProbe(33010 + 30 * i, 400 + i)));
    const r = await run(cap);
    expect(r.verdicts.filter((v) => v.severity === 'error')).toEqual([]);
    expect(r.verdicts.find((x) => x.cause === 'icmp.ttl_exceeded')?.details).toMatchObject({ probe: 'udp_traceroute', quotedPorts: { count: 4 } });
  });

  it('a router capture of a whole UDP traceroute (two routers, then the destination) is one traceroute', async () => {
    const cap = new Capture();
    cap.add(T0, timeExceeded(ROUTER, udpProbe(33434, 1)));
    cap.add(T0 + 0.1, timeExceeded('198.51.100.2', udpProbe(33437, 2)));
    cap.add(T0 + 0.2, portUnreachable(DEST, udpProbe(33440, 3)));
    const r = await run(cap);
    expect(r.verdicts.filter((v) => v.severity !== 'ok')).toEqual([]);
    const v = r.verdicts.find((x) => x.details['traceroute'] !== undefined);
    expect(v?.details['traceroute']).toMatchObject({ hops: [ROUTER, '198.51.100.2', DEST], reached: true });
  });

  it('one error seen twice by the capture (two interfaces) is not a packet expiring again', async () => {
    const cap = new Capture();
    const err = timeExceeded(ROUTER, udpProbe(33434, 7));
    cap.add(T0, err);
    cap.add(T0 + 0.0001, err);
    const r = await run(cap);
    expect(r.verdicts.find((x) => x.cause === 'icmp.ttl_exceeded')?.severity).toBe('warning');
  });

  it('time exceeded for a TCP SYN to 443 sent again and again is still a failure, told once, with the repeats', async () => {
    const cap = new Capture();
    // The client's SYN (TTL 64 when sent) and two retransmissions, all expiring at the same router.
    for (let i = 0; i < 3; i++) {
      const syn = tcpIp({ src: CLIENT, dst: DEST, sport: 51000, dport: 443, flags: 'S', seq: 1000, ttl: 1, id: 300 + i });
      cap.add(T0 + (2 ** i - 1), timeExceeded(ROUTER, syn));
    }
    const r = await run(cap);
    const e = r.verdicts.filter((v) => v.severity === 'error');
    expect(e.map((v) => v.cause)).toEqual(['icmp.ttl_exceeded']);
    const v = e[0]!;
    expect(v.target).toMatchObject({ ip: DEST, port: 443, transport: 'tcp' });
    expect(v.attempts).toBe(3);
    expect(v.details).toMatchObject({ from: ROUTER, errors: 3, repeats: 2 });
    expect(v.details['probe']).toBeUndefined();
    const en = verdictWords(v, 'en');
    expect(en.summary).toBe(`${DEST}:443: packets expired in transit at ${ROUTER} (ICMP TTL exceeded)`);
    expect(en.explanation).toContain('The client sent the same packet again and it expired again (3 errors, 2 of them about a packet quoted before)');
    expect(verdictWords(v, 'zh').explanation).toContain('客户端再次发送了同一个数据包');
  });

  it('time exceeded for DNS to port 53, or for one traceroute-range probe quoted again, stays a failure', async () => {
    const cap = new Capture();
    const query = udpIp({ src: CLIENT, dst: DEST, sport: 40000, dport: 53, ttl: 1, id: 9 }, ascii('\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00'));
    cap.add(T0, timeExceeded(ROUTER, query));
    // The same probe (same ports) expiring again a second later: not traceroute's pattern.
    cap.add(T0 + 10, timeExceeded(ROUTER, udpProbe(33500, 11)));
    cap.add(T0 + 11, timeExceeded(ROUTER, udpProbe(33500, 12)));
    // A DNS server's answer (from port 53) to a resolver's port that happens to be in traceroute's range.
    const answer = udpIp({ src: CLIENT, dst: '203.0.113.7', sport: 53, dport: 33460, ttl: 1, id: 13 }, new Uint8Array(40));
    cap.add(T0 + 20, timeExceeded(ROUTER, answer));
    const r = await run(cap);
    const e = r.verdicts.filter((v) => v.severity === 'error' && v.cause === 'icmp.ttl_exceeded');
    expect(e.map((v) => v.target.port).sort()).toEqual([33460, 33500, 53]);
    expect(e.find((v) => v.target.port === 33500)?.details).toMatchObject({ errors: 2, repeats: 1 });
  });

  it('port unreachable from a third host: the words say it is not the destination, and point at a reject rule there', async () => {
    const cap = new Capture();
    // SIP to 5060 with an ordinary TTL: rejected by a firewall on the way, not by the destination.
    const sip = udpIp({ src: CLIENT, dst: DEST, sport: 5060, dport: 5060, ttl: 57, id: 21 }, ascii('OPTIONS sip:x SIP/2.0\r\n\r\n'));
    cap.add(T0, portUnreachable(ROUTER, sip));
    const r = await run(cap);
    const e = r.verdicts.filter((v) => v.severity === 'error');
    expect(e.map((v) => v.cause)).toEqual(['icmp.port_unreachable']);
    const v = e[0]!;
    expect(v.details).toMatchObject({ from: ROUTER, fromDestination: false });
    const en = verdictWords(v, 'en');
    expect(en.summary).toBe(`${DEST}:5060: ${ROUTER}, not ${DEST} itself, rejected the udp packet to port 5060 (ICMP port unreachable)`);
    expect(en.summary).not.toContain('says nothing accepts');
    expect(en.explanation).toContain(`came from ${ROUTER}, a different address than the destination ${DEST}`);
    expect(en.advice[0]).toContain(`Look for a reject rule on ${ROUTER}`);
    const zh = verdictWords(v, 'zh');
    expect(zh.summary).toContain(`拒绝发往端口 5060 的 udp 数据包的是 ${ROUTER}，而不是 ${DEST} 本身`);
    expect(zh.advice[0]).toContain(`检查 ${ROUTER} 上的 REJECT 规则`);
  });

  it('port unreachable from a third host about a captured flow says the same; from the destination itself, the usual words', async () => {
    const cap = new Capture();
    const dgram = udpIp({ src: CLIENT, dst: DEST, sport: 41000, dport: 1812, ttl: 64, id: 31 }, new Uint8Array(20));
    cap.add(T0, ethIp(dgram));
    cap.add(T0 + 0.01, portUnreachable(ROUTER, dgram));
    const own = udpIp({ src: CLIENT, dst: '203.0.113.6', sport: 41001, dport: 1812, ttl: 64, id: 32 }, new Uint8Array(20));
    cap.add(T0 + 1, ethIp(own));
    cap.add(T0 + 1.01, ethIp(icmpIp({ src: '203.0.113.6', dst: CLIENT, type: ICMP.DEST_UNREACH, code: ICMP.PORT_UNREACH }, quote(own))));
    const r = await run(cap);
    const other = r.verdicts.find((v) => v.target.ip === DEST);
    expect(other?.details).toMatchObject({ fromDestination: false });
    expect(verdictWords(other!, 'en').summary).toContain(`${ROUTER}, not ${DEST} itself, rejected`);
    const self = r.verdicts.find((v) => v.target.ip === '203.0.113.6');
    expect(self?.details).toMatchObject({ fromDestination: true });
    expect(verdictWords(self!, 'en').summary).toBe('203.0.113.6:1812: 203.0.113.6 says nothing accepts udp port 1812 (ICMP port unreachable)');
  });
});

describe('a port unreachable about an answer (the asking host had stopped listening)', () => {
  const RESOLVER = '198.51.100.53';
  /** A DNS answer from the resolver to the client's port, refused by the client itself. */
  const refused = (from: string, dport: number, sport = 53): Uint8Array =>
    ethIp(icmpIp({ src: from, dst: RESOLVER, type: ICMP.DEST_UNREACH, code: ICMP.PORT_UNREACH },
      quote(udpIp({ src: RESOLVER, dst: CLIENT, sport, dport, ttl: 60, id: 7 }, new Uint8Array(40)))));

  it('a DNS answer refused by the host that asked is a warning told of the resolver, not "nothing accepts port 59207"', async () => {
    const cap = new Capture();
    cap.add(T0, refused(CLIENT, 59207));
    const r = await run(cap);
    expect(r.verdicts.filter((v) => v.severity === 'error')).toEqual([]);
    const v = r.verdicts.find((x) => x.cause === 'icmp.port_unreachable')!;
    expect(v.severity).toBe('warning');
    expect(v.target).toMatchObject({ ip: RESOLVER, port: 53, transport: 'udp' });
    expect(v.client.ip).toBe(CLIENT);
    expect(v.details['refusedReply']).toBe(true);
    const en = verdictWords(v, 'en');
    expect(en.summary).toContain('came back after');
    expect(en.summary).not.toContain('nothing accepts');
    expect(en.explanation).toContain('59207');
    expect(verdictWords(v, 'zh').summary).toContain('不再等待');
  });

  it('the same error sent by a third host, or about a datagram to a service port, is not such an answer', async () => {
    const third = new Capture();
    third.add(T0, refused(ROUTER, 59207));
    const a = (await run(third)).verdicts.find((x) => x.cause === 'icmp.port_unreachable')!;
    expect(a.details['refusedReply']).toBeUndefined();
    expect(a.severity).toBe('error');
    // A query from the client's port to the resolver's 53, refused by the resolver: nothing listens on 53.
    const query = new Capture();
    query.add(T0, ethIp(icmpIp({ src: RESOLVER, dst: CLIENT, type: ICMP.DEST_UNREACH, code: ICMP.PORT_UNREACH },
      quote(udpIp({ src: CLIENT, dst: RESOLVER, sport: 59207, dport: 53, ttl: 60, id: 8 }, new Uint8Array(40))))));
    const b = (await run(query)).verdicts.find((x) => x.cause === 'icmp.port_unreachable')!;
    expect(b.severity).toBe('error');
    expect(b.target).toMatchObject({ ip: RESOLVER, port: 53 });
    expect(b.details['refusedReply']).toBeUndefined();
  });
});

describe('an error alone about a server\'s reply that could not reach the client', () => {
  const SERVER = '203.0.113.7';
  /** Host unreachable (or another code) from the router about a segment from the server's port 993 to the client's port 60491. */
  const aboutReply = (code: number, from = ROUTER): Uint8Array =>
    ethIp(icmpIp({ src: from, dst: SERVER, type: ICMP.DEST_UNREACH, code },
      quote(tcpIp({ src: SERVER, dst: CLIENT, sport: 993, dport: 60491, seq: 1000, ack: 2000, flags: 'PA', ttl: 54, id: 9 }, new Uint8Array(40)))));

  it('is a warning about the exchange with the server, the client being the side that could not be reached', async () => {
    const cap = new Capture();
    cap.add(T0, aboutReply(ICMP.HOST_UNREACH));
    const r = await run(cap);
    expect(r.verdicts.filter((v) => v.severity === 'error')).toEqual([]);
    const v = r.verdicts.find((x) => x.cause === 'icmp.host_unreachable')!;
    expect(v.severity).toBe('warning');
    expect(v.target).toMatchObject({ ip: SERVER, port: 993, transport: 'tcp' });
    expect(v.client.ip).toBe(CLIENT);
    expect(v.details['undeliveredReply']).toBe(true);
    const en = verdictWords(v, 'en');
    expect(en.summary).toBe(`${SERVER}:993: ${ROUTER} did not deliver its reply to the client ${CLIENT} (ICMP 3/1 host unreachable)`);
    expect(en.explanation).toContain('port 60491');
    expect(en.explanation).not.toContain('but not the packet it answers');
    expect(verdictWords(v, 'zh').summary).toContain('未能把它的回复送达客户端');
    // Administratively prohibited and net unreachable are told the same way; a UDP answer from 53 too.
    for (const code of [ICMP.ADMIN_PROHIBITED, ICMP.NET_UNREACH]) {
      const c = new Capture();
      c.add(T0, aboutReply(code));
      const w = (await run(c)).verdicts.find((x) => x.cause.startsWith('icmp.'))!;
      expect([w.severity, w.target.ip, w.client.ip, verdictWords(w, 'en').summary]).toEqual(['warning', SERVER, CLIENT, expect.stringContaining('did not deliver its reply')]);
    }
    const dns = new Capture();
    dns.add(T0, ethIp(icmpIp({ src: ROUTER, dst: '198.51.100.53', type: ICMP.DEST_UNREACH, code: ICMP.HOST_UNREACH },
      quote(udpIp({ src: '198.51.100.53', dst: CLIENT, sport: 53, dport: 40001, ttl: 60, id: 10 }, new Uint8Array(40))))));
    const d = (await run(dns)).verdicts.find((x) => x.cause === 'icmp.host_unreachable')!;
    expect([d.severity, d.target.ip, d.target.port, d.client.ip]).toEqual(['warning', '198.51.100.53', 53, CLIENT]);
  });

  it('the same error about the client\'s request to the server is still a failure of that server', async () => {
    const cap = new Capture();
    cap.add(T0, ethIp(icmpIp({ src: ROUTER, dst: CLIENT, type: ICMP.DEST_UNREACH, code: ICMP.HOST_UNREACH },
      quote(tcpIp({ src: CLIENT, dst: SERVER, sport: 60491, dport: 993, seq: 2000, ack: 1000, flags: 'PA', ttl: 54, id: 11 }, new Uint8Array(40))))));
    const v = (await run(cap)).verdicts.find((x) => x.cause === 'icmp.host_unreachable')!;
    expect(v.severity).toBe('error');
    expect(v.target).toMatchObject({ ip: SERVER, port: 993 });
    expect(v.client.ip).toBe(CLIENT);
    expect(v.details['undeliveredReply']).toBeUndefined();
    expect(verdictWords(v, 'en').summary).toBe(`${SERVER}:993: ${ROUTER} could not deliver to the host ${SERVER} (ICMP host unreachable)`);
    // Fragmentation needed about the server's large reply is the path MTU's problem, not a client gone.
    const frag = new Capture();
    frag.add(T0, aboutReply(ICMP.FRAG_NEEDED));
    const f = (await run(frag)).verdicts.find((x) => x.cause === 'icmp.frag_needed')!;
    expect(f.details['undeliveredReply']).toBeUndefined();
  });
});
