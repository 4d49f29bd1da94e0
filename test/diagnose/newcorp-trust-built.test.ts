/**
 * Verdicts checked against captures wirewhy had never seen (FoxIO ja4's, scapy's, dpkt's,
 * PyPCAPKit's, termshark's and gopacket's test captures): each kind of over-claim found there,
 * built packet by packet and run through the whole pipeline, and beside it a real failure of the
 * same cause that must stay claimed.
 */
import { describe, expect, it } from 'vitest';
import { openStream } from '../../src/capture/open.js';
import { analyze } from '../../src/analyze.js';
import type { Report } from '../../src/report/model.js';
import { renderReport } from '../../src/report/render.js';
import {
  Capture, TcpConversation, ethIp, udpIp, tcpIp, dnsMessage, ascii, concat, LINKTYPE, pcapngFile, pcapngBlock, nrbBlock, dsbBlock,
  handshakeRecord, clientHello, serverHello, applicationData, TLS_VERSION, type DnsRecord, type CaptureRecord,
} from '../helpers/index.js';

async function run(bytes: Uint8Array, all = true): Promise<Report> {
  async function* one(): AsyncIterable<Uint8Array> {
    yield bytes;
  }
  return analyze(await openStream(one(), { name: 'built.pcap' }), { all });
}

const errors = (r: Report) => r.verdicts.filter((v) => v.severity === 'error').map((v) => `${v.cause} ${v.target.name ?? v.target.ip}`);

describe('a CNAME target whose address came in the answer to its alias is not NODATA', () => {
  const T0 = 1_700_000_000;
  const DNS = '198.51.100.53';
  const ALIAS = 'cdn.example.net';
  const TARGET = 'edge.cdn-provider.example';

  interface Q { at: number; client: string; id: number; name: string; type: 'A' | 'AAAA'; answers: DnsRecord[] }

  function lookups(qs: Q[], all = true): Promise<Report> {
    const cap = new Capture();
    for (const q of qs) {
      const sport = 40000 + q.id;
      cap.add(T0 + q.at, ethIp(udpIp({ src: q.client, dst: DNS, sport, dport: 53 }, dnsMessage({ id: q.id, qr: false, rd: true, questions: [{ name: q.name, type: q.type }] }))));
      cap.add(T0 + q.at + 0.03, ethIp(udpIp({ src: DNS, dst: q.client, sport: 53, dport: sport }, dnsMessage({ id: q.id, qr: true, rd: true, ra: true, questions: [{ name: q.name, type: q.type }], answers: q.answers }))));
    }
    cap.add(T0 + 5, ethIp(udpIp({ src: '192.0.2.99', dst: '198.51.100.99', sport: 45000, dport: 9 }, new Uint8Array(4))));
    return run(cap.pcap({ linkType: LINKTYPE.ETHERNET }), all);
  }

  const C = '192.0.2.10';
  const cname: DnsRecord = { name: ALIAS, type: 'CNAME', data: TARGET };
  const aaaaAlias = (at: number, client = C): Q => ({ at, client, id: 1, name: ALIAS, type: 'AAAA', answers: [cname] });
  const aaaaTarget = (at: number, client = C): Q => ({ at, client, id: 2, name: TARGET, type: 'AAAA', answers: [] });
  const aAlias = (at: number, client = C, withAddress = true): Q => ({
    at, client, id: 3, name: ALIAS, type: 'A', answers: withAddress ? [cname, { name: TARGET, type: 'A', data: '203.0.113.5' }] : [cname],
  });

  it('AAAA of the alias (CNAME only), AAAA of the target (NODATA), then A of the alias with the target\'s address: no failure (dpkt nb6-http.pcap)', async () => {
    const r = await lookups([aaaaAlias(0), aaaaTarget(0.05), aAlias(0.1)]);
    expect(errors(r)).toEqual([]);
    const v = r.verdicts.find((x) => x.target.name === TARGET)!;
    expect(v.cause).toBe('ok');
    expect(v.details['cnameOf']).toBe(ALIAS);
    // Without --all (names that resolved are let go as they do): the same judgement.
    const quiet = await lookups([aaaaAlias(0), aaaaTarget(0.05), aAlias(0.1)], false);
    expect(errors(quiet)).toEqual([]);
    expect(quiet.summary.failures).toBe(0);
  });

  it('the alias answered first, the target\'s NODATA after: no failure either', async () => {
    expect(errors(await lookups([aAlias(0), aaaaTarget(0.05)]))).toEqual([]);
    expect(errors(await lookups([aAlias(0), aaaaTarget(0.05)], false))).toEqual([]);
  });

  it('no answer gave the target an address (the A of the alias is NODATA too): dns.no_address stays for both names', async () => {
    const r = await lookups([aaaaAlias(0), aaaaTarget(0.05), aAlias(0.1, C, false)]);
    expect(errors(r).sort()).toEqual([`dns.no_address ${ALIAS}`, `dns.no_address ${TARGET}`]);
  });

  it('the address went to another client: the target\'s NODATA for this client stays dns.no_address', async () => {
    const r = await lookups([aaaaTarget(0.05), aAlias(0.1, '192.0.2.20')]);
    expect(errors(r)).toEqual([`dns.no_address ${TARGET}`]);
    expect(errors(await lookups([aaaaTarget(0.05), aAlias(0.1, '192.0.2.20')], false))).toEqual([`dns.no_address ${TARGET}`]);
  });
});

describe('pcapng: the records Wireshark numbers as frames without a packet shift the frame numbers', () => {
  const T0 = 1_700_000_000;
  const syn = (at: number): CaptureRecord => ({ ts: T0 + at, frame: ethIp(tcpIp({ src: '192.0.2.10', dst: '198.51.100.7', sport: 51000, dport: 443, seq: 1000, flags: 'S' })) });
  const end: CaptureRecord = { ts: T0 + 12, frame: ethIp(udpIp({ src: '192.0.2.10', dst: '198.51.100.99', sport: 45000, dport: 9 }, ascii('end'))) };
  /** A custom block (0x00000BAD, or 0x40000BAD not to be copied) with the documentation PEN 32473. */
  const custom = (copy: boolean) => (le: boolean): Uint8Array => pcapngBlock(copy ? 0x00000bad : 0x40000bad, le, (w) => {
    w.u32(32473);
    w.bytes(ascii('wirewhy'));
  });
  /** A systemd journal export block (type 9): one entry. */
  const journal = (le: boolean): Uint8Array => pcapngBlock(9, le, (w) => w.bytes(ascii('__REALTIME_TIMESTAMP=1700000000500000\nMESSAGE=hello\n')));
  const ETH = { interfaces: [{ linkType: LINKTYPE.ETHERNET }] };

  async function synFrames(bytes: Uint8Array): Promise<{ frames: number[]; packets: number }> {
    const r = await run(bytes);
    const v = r.verdicts.find((x) => x.cause === 'tcp.syn_unanswered')!;
    return { frames: v.evidence.map((e) => e.frame), packets: r.capture.packets };
  }

  it('a custom block before the packets and a journal entry and a custom block between them: the SYNs are frames 2, 5 and 6 as tshark lists them (gopacket pcapgo/tests test018, test202)', async () => {
    const bytes = concat([
      pcapngFile({ ...ETH, before: [custom(true)] }, [syn(0)]),
      pcapngFile({ ...ETH, before: [journal, custom(false)] }, [syn(1), syn(3), end]),
    ]);
    expect(await synFrames(bytes)).toEqual({ frames: [2, 5, 6], packets: 4 });
  });

  it('without such blocks (name resolution and decryption secrets are not frames either) the SYNs stay frames 1, 2 and 3', async () => {
    const nrb = nrbBlock([{ addr: Uint8Array.of(198, 51, 100, 7), names: ['www.example.com'] }]);
    const dsb = dsbBlock('CLIENT_RANDOM 00 00\n');
    const bytes = concat([pcapngFile({ ...ETH, before: [nrb] }, [syn(0)]), pcapngFile({ ...ETH, before: [dsb] }, [syn(1), syn(3), end])]);
    expect(await synFrames(bytes)).toEqual({ frames: [1, 2, 3], packets: 4 });
  });
});

describe('an address several names led to: a connection is told under the name the client looked up last before it', () => {
  const T0 = 1_700_000_000;
  const C = '192.0.2.10';
  const DNS = '198.51.100.53';
  const IP = '203.0.113.9';

  function answer(cap: Capture, at: number, id: number, name: string): void {
    const q = { id, rd: true, questions: [{ name, type: 'A' as const }] };
    cap.add(T0 + at, ethIp(udpIp({ src: C, dst: DNS, sport: 41000 + id, dport: 53 }, dnsMessage({ ...q, qr: false }))));
    cap.add(T0 + at + 0.02, ethIp(udpIp({ src: DNS, dst: C, sport: 53, dport: 41000 + id }, dnsMessage({ ...q, qr: true, ra: true, answers: [{ name, type: 'A', data: IP }] }))));
  }
  function unansweredSyns(cap: Capture, at: number, sport: number): void {
    for (const d of [0, 1, 3, 7]) cap.add(T0 + at + d, ethIp(tcpIp({ src: C, dst: IP, sport, dport: 1, seq: 77, flags: 'S' })));
  }
  const target = (r: Report) => r.verdicts.filter((v) => v.cause === 'tcp.syn_unanswered').map((v) => `${v.target.name}:${v.target.port}`);

  it('updates.example resolved first, api.example 1 ms before the SYNs to port 1: the failure is api.example\'s (ja4 ssh2.pcapng: OpenDNS\'s port-1 probe)', async () => {
    const cap = new Capture();
    answer(cap, 0, 1, 'updates.example');
    answer(cap, 0.1, 2, 'api.example');
    unansweredSyns(cap, 0.121, 50001);
    cap.add(T0 + 20, ethIp(udpIp({ src: C, dst: '198.51.100.99', sport: 45000, dport: 9 }, ascii('end'))));
    expect(target(await run(cap.pcap({ linkType: LINKTYPE.ETHERNET })))).toEqual(['api.example:1']);
  });

  it('a name used again after the connection started (an SNI of a later connection) still counts for its use before: the SYNs are not told under the CNAME\'s owner (suricata-verify base64-decode-5885)', async () => {
    const cap = new Capture();
    // client2.example asked, answered through a CNAME: its owner edge.example also leads to IP.
    const q = { id: 7, rd: true, questions: [{ name: 'client2.example', type: 'A' as const }] };
    cap.add(T0, ethIp(udpIp({ src: C, dst: DNS, sport: 41007, dport: 53 }, dnsMessage({ ...q, qr: false }))));
    cap.add(T0 + 0.02, ethIp(udpIp({ src: DNS, dst: C, sport: 53, dport: 41007 }, dnsMessage({ ...q, qr: true, ra: true, answers: [
      { name: 'client2.example', type: 'CNAME', data: 'edge.example' }, { name: 'edge.example', type: 'A', data: IP }] }))));
    // A first connection's SYNs go unanswered; a second one, with SNI client2.example, works and closes.
    for (const d of [0, 1, 3, 7]) cap.add(T0 + 0.05 + d, ethIp(tcpIp({ src: C, dst: IP, sport: 50003, dport: 443, seq: 77, flags: 'S' })));
    const c = new TcpConversation({ client: [C, 50004], server: [IP, 443], start: T0 + 0.5 });
    c.syn();
    c.synAck();
    c.ack('client');
    c.send('client', handshakeRecord([clientHello({ ciphers: [0xc02f], sni: 'client2.example' })], TLS_VERSION.TLS10));
    c.send('server', handshakeRecord([serverHello({ cipher: 0xc02f })]));
    c.send('client', applicationData(100, TLS_VERSION.TLS12, 1));
    c.send('server', applicationData(300, TLS_VERSION.TLS12, 2));
    c.fin('client');
    c.fin('server');
    c.ack('client');
    cap.addAll(c.frames);
    cap.add(T0 + 20, ethIp(udpIp({ src: C, dst: '198.51.100.99', sport: 45000, dport: 9 }, ascii('end'))));
    const r = await run(cap.pcap({ linkType: LINKTYPE.ETHERNET }));
    expect(errors(r)).toEqual([]);
    const v = r.verdicts.find((x) => x.target.name === 'client2.example' && x.target.port === 443)!;
    expect(v.severity).toBe('warning');
    expect(v.details['failedConnections']).toBe(1);
  });

  it('SYNs sent before the second name was looked up stay under the first name', async () => {
    const cap = new Capture();
    answer(cap, 0, 1, 'updates.example');
    unansweredSyns(cap, 0.05, 50002);
    answer(cap, 0.1, 2, 'api.example');
    cap.add(T0 + 20, ethIp(udpIp({ src: C, dst: '198.51.100.99', sport: 45000, dport: 9 }, ascii('end'))));
    expect(target(await run(cap.pcap({ linkType: LINKTYPE.ETHERNET })))).toEqual(['updates.example:1']);
  });
});

describe('one direction only: a slice of a connection is not shown to be a filtered capture', () => {
  const T0 = 1_700_000_000;
  const C = '192.0.2.10';
  const S = '198.51.100.80';
  /** The client's packets of a connection the capture joined in its middle, each with its ACK number. */
  function clientOnly(acks: number[]): Uint8Array {
    const cap = new Capture();
    let seq = 5000;
    acks.forEach((ack, i) => {
      const data = ascii(`GET /${i} HTTP/1.1\r\nHost: slice.example\r\n\r\n`);
      cap.add(T0 + i * 0.2, ethIp(tcpIp({ src: C, dst: S, sport: 50100, dport: 80, seq, ack, flags: 'PA' }, data)));
      seq += data.length;
    });
    return cap.pcap({ linkType: LINKTYPE.ETHERNET });
  }
  async function oneSided(bytes: Uint8Array): Promise<{ slice: unknown; explanation: string }> {
    const r = await run(bytes);
    const v = r.verdicts.find((x) => x.cause === 'capture.one_sided')!;
    const j = JSON.parse(renderReport(r, 'json', { lang: 'en' })) as { verdicts: Array<{ cause: string; explanation: string }> };
    return { slice: v.facts['slice'], explanation: j.verdicts.find((x) => x.cause === 'capture.one_sided')!.explanation };
  }

  it('two requests whose ACK never moves (nothing the server sent during the capture is acknowledged): the words leave a short capture open (ja4 tls-sni.pcapng, scapy http_compressed.pcap)', async () => {
    const o = await oneSided(clientOnly([9000, 9000]));
    expect(o.slice).toBe(true);
    expect(o.explanation).toContain('too little of this connection');
    expect(o.explanation).not.toContain('The capture was filtered to one direction');
  });

  it('the client\'s ACK moving from one request to the next (the server answered during the capture, unseen): still told as a one-way capture', async () => {
    const o = await oneSided(clientOnly([9000, 9400]));
    expect(o.slice).toBeUndefined();
    expect(o.explanation).toContain('The capture was filtered to one direction');
  });
});

describe('pcapng: Simple Packet Blocks before any timestamp are said to have none', () => {
  const T0 = 1_700_000_000;
  const pkt = (sport: number): Uint8Array => ethIp(udpIp({ src: '192.0.2.10', dst: '198.51.100.99', sport, dport: 9 }, ascii('x')));
  /** A Simple Packet Block (type 3): original length, then the bytes; no timestamp. */
  const spb = (frame: Uint8Array) => (le: boolean): Uint8Array => pcapngBlock(3, le, (w) => {
    w.u32(frame.length);
    w.bytes(frame);
  });
  const ETH = { interfaces: [{ linkType: LINKTYPE.ETHERNET }] };
  const untimed = (r: Report) => r.capture.warnings.filter((w) => w.kind === 'pcapng_untimed').map((w) => w.args['packets']);

  it('two SPBs, then packets with timestamps: a warning counts the two, its words say the start is not real (gopacket pcapgo/tests test011)', async () => {
    const r = await run(pcapngFile({ ...ETH, before: [spb(pkt(1)), spb(pkt(2))] }, [{ ts: T0, frame: pkt(3) }, { ts: T0 + 1, frame: pkt(4) }]));
    expect(r.capture.packets).toBe(4);
    expect(untimed(r)).toEqual([2]);
    const j = JSON.parse(renderReport(r, 'json', { lang: 'en' })) as { capture: { warnings: string[] } };
    expect(j.capture.warnings.some((w) => w.startsWith('2 packets carry no timestamp') && w.includes('not real'))).toBe(true);
  });

  it('an SPB after a packet with a timestamp takes that time: no warning', async () => {
    const r = await run(pcapngFile({ ...ETH, after: [spb(pkt(2))] }, [{ ts: T0, frame: pkt(1) }]));
    expect(r.capture.packets).toBe(2);
    expect(untimed(r)).toEqual([]);
    expect(r.capture.start).toBe('2023-11-14T22:13:20.000000Z');
  });
});

describe('a connection without a name of its own is its server\'s named target, whatever the order connections ended in', () => {
  const T0 = 1_700_000_000;
  const C = '192.0.2.10';
  const IP = '203.0.113.20';

  /** A TLS connection with this SNI (null: none) that worked; `close`: it ends, else it stays open to the capture's end. */
  function worked(sport: number, at: number, sni: string | null, close: boolean): TcpConversation {
    const c = new TcpConversation({ client: [C, sport], server: [IP, 443], start: T0 + at });
    c.syn();
    c.synAck();
    c.ack('client');
    c.send('client', handshakeRecord([clientHello({ ciphers: [0xc02f], ...(sni ? { sni } : {}) })], TLS_VERSION.TLS10));
    c.send('server', handshakeRecord([serverHello({ cipher: 0xc02f })]));
    c.send('client', applicationData(100, TLS_VERSION.TLS12, 1));
    c.send('server', applicationData(300, TLS_VERSION.TLS12, 2));
    if (close) {
      c.fin('client');
      c.fin('server');
      c.ack('client');
    } else {
      // Still busy long after the other connection ended (so that one ends first).
      c.at(T0 + 30 + at);
      c.send('client', applicationData(100, TLS_VERSION.TLS12, 3));
      c.send('server', applicationData(300, TLS_VERSION.TLS12, 4));
      c.at(T0 + 45 + at);
      c.send('client', applicationData(100, TLS_VERSION.TLS12, 5));
      c.send('server', applicationData(300, TLS_VERSION.TLS12, 6));
    }
    return c;
  }
  /** A ClientHello without SNI the server never answered: the client gave up after 12 s. */
  function unanswered(sport: number, at: number): TcpConversation {
    const c = new TcpConversation({ client: [C, sport], server: [IP, 443], start: T0 + at });
    c.syn();
    c.synAck();
    c.ack('client');
    c.send('client', handshakeRecord([clientHello({ ciphers: [0xc02f] })], TLS_VERSION.TLS10));
    c.ack('server');
    c.wait(12);
    c.fin('client');
    c.fin('server');
    c.ack('client');
    return c;
  }
  async function targets(convs: TcpConversation[]): Promise<string[]> {
    const cap = new Capture();
    for (const c of convs) cap.addAll(c.frames);
    cap.add(T0 + 60, ethIp(udpIp({ src: C, dst: '198.51.100.99', sport: 45000, dport: 9 }, ascii('end'))));
    const r = await run(cap.pcap({ linkType: LINKTYPE.ETHERNET }));
    return r.verdicts.filter((v) => v.target.port === 443).map((v) => `${v.severity} ${v.cause} ${v.target.name ?? v.target.ip}`).sort();
  }

  it('a long connection with SNI radcom.example still open when a ClientHello without SNI to the same address failed: the failure is radcom.example\'s (nDPI webex.pcap)', async () => {
    expect(await targets([worked(50001, 0, 'radcom.example', false), unanswered(50002, 1)])).toEqual(['error tls.no_server_hello radcom.example']);
  });

  it('two names reached that address (a shared host): the connection without a name stays under the address', async () => {
    const got = await targets([worked(50001, 0, 'a.example', false), worked(50003, 0.5, 'b.example', false), unanswered(50002, 1)]);
    expect(got).toEqual([`error tls.no_server_hello ${IP}`, 'ok ok a.example', 'ok ok b.example']);
  });
});

describe('a request and its FIN resent after both sides closed stay one connection', () => {
  const T0 = 1_700_000_000;
  /** The server answers and closes at once; the client's request and FIN are never acknowledged and resent, then reset. */
  function resent(): TcpConversation {
    const c = new TcpConversation({ client: ['192.168.235.1', 53649], server: ['192.168.235.136', 8089], start: T0 });
    c.syn();
    c.synAck();
    c.send('server', ascii('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'));
    c.fin('server');
    c.ack('client');
    const req = ascii('GET / HTTP/1.1\r\nHost: 192.168.235.136:8089\r\n\r\n');
    const seq = c.nextSeq('client');
    c.send('client', req, { ack: c.nextSeq('server') });
    c.fin('client');
    for (const at of [0.3, 0.9, 2.1, 4.5, 9.3]) c.raw('client', { seq, ack: c.nextSeq('server'), flags: 'FPA', payload: req, ts: T0 + at });
    c.raw('client', { seq: (seq + req.length + 1) >>> 0, ack: c.nextSeq('server'), flags: 'RA', ts: T0 + 18.9 });
    return c;
  }

  it('resent for 18 s after the server\'s FIN: one connection, not one-sided pieces of it (suricata CVE-2018-6794.pcap: 9 connections of 3)', async () => {
    const cap = new Capture().addAll(resent().frames);
    const r = await run(cap.pcap({ linkType: LINKTYPE.ETHERNET }));
    expect(r.connections.length).toBe(1);
    expect(r.verdicts.map((v) => v.cause)).toEqual(['tcp.stalled']);
  });

  it('a close whose last ACK the capture lacks is let go as before: the same ports used again 5 s later are a new connection', async () => {
    const a = new TcpConversation({ client: ['192.0.2.10', 40000], server: ['198.51.100.8', 80], start: T0 });
    a.syn();
    a.synAck();
    a.ack('client');
    a.send('client', ascii('GET / HTTP/1.1\r\nHost: x.example\r\n\r\n'));
    a.send('server', ascii('HTTP/1.1 204 No Content\r\n\r\n'));
    a.fin('client');
    a.fin('server');
    const b = new TcpConversation({ client: ['192.0.2.10', 40000], server: ['198.51.100.8', 80], start: T0 + 5, clientIsn: 900000 });
    b.syn();
    b.synAck();
    b.ack('client');
    b.fin('client');
    b.fin('server');
    b.ack('client');
    const r = await run(new Capture().addAll(a.frames).addAll(b.frames).pcap({ linkType: LINKTYPE.ETHERNET }));
    expect(r.connections.length).toBe(2);
  });
});
