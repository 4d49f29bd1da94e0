/**
 * Causes that no bundled sample shows, built packet by packet (test/helpers) and run through the
 * whole pipeline (reader → decoder → tracker → diagnosis): the verdict's cause, layer, severity
 * and evidence frames must follow from the packets.
 */
import { describe, expect, it } from 'vitest';
import { openStream } from '../../src/capture/open.js';
import { analyze } from '../../src/analyze.js';
import type { Report } from '../../src/report/model.js';
import { verdictWords } from '../../src/report/words.js';
import {
  TcpConversation, Capture, pcapFile, handshakeRecord, clientHello, serverHello, certificateMsg, serverHelloDone,
  testCertDer, icmpIp, ICMP, quote, tcpIp, ethIp, ascii, LINKTYPE, alert,
} from '../helpers/index.js';

async function run(bytes: Uint8Array): Promise<Report> {
  async function* one(): AsyncIterable<Uint8Array> {
    yield bytes;
  }
  return analyze(await openStream(one(), { name: 'built.pcap' }));
}

const errors = (r: Report) => r.verdicts.filter((v) => v.severity === 'error');

describe('causes built from packets', () => {
  it('tcp.handshake_incomplete: SYN-ACK repeated, never acknowledged', async () => {
    const c = new TcpConversation({ client: ['192.0.2.10', 40001], server: ['198.51.100.20', 8443] });
    c.syn();
    c.synAck();
    c.wait(1);
    c.synAck({ seq: 5000 });
    c.wait(2);
    c.synAck({ seq: 5000 });
    c.wait(10);
    const r = await run(pcapFile({ linkType: c.linkType }, c.frames));
    const e = errors(r);
    expect(e.map((v) => v.cause)).toEqual(['tcp.handshake_incomplete']);
    expect(e[0]!.target.port).toBe(8443);
    expect(e[0]!.evidence.map((x) => x.frame)).toEqual([1, 2]);
  });

  it('tcp.stalled: request retransmitted, never acknowledged', async () => {
    const c = new TcpConversation({ client: ['192.0.2.10', 40002], server: ['198.51.100.20', 80] });
    c.syn();
    c.synAck();
    c.ack('client');
    c.wait(2);
    c.send('client', ascii('GET / HTTP/1.1\r\nHost: slow.example\r\n\r\n'));
    for (const gap of [0.2, 0.4, 0.8, 1.6, 3.2]) {
      c.wait(gap);
      c.send('client', ascii('GET / HTTP/1.1\r\nHost: slow.example\r\n\r\n'), { retransmit: true });
    }
    c.wait(6);
    c.rst('client');
    const r = await run(pcapFile({ linkType: c.linkType }, c.frames));
    const e = errors(r);
    expect(e.map((v) => v.cause)).toEqual(['tcp.stalled']);
    expect(e[0]!.evidence[0]!.frame).toBe(4);
    expect(e[0]!.details).toMatchObject({ retransmits: 5, unackedBytes: 38 });
    expect(verdictWords(e[0]!, 'en').summary).toBe('slow.example: data was retransmitted 5 times without acknowledgement, then abandoned');
    // Timed from the first data (2 s after the handshake), not from the SYN.
    const conn = r.connections[0]!;
    expect(e[0]!.evidence[0]!.time).not.toBe(conn.start);
    const after = Date.parse(e[0]!.evidence[0]!.time) - Date.parse(conn.start);
    expect(after).toBeGreaterThanOrEqual(2000);
    expect(after).toBeLessThan(2100);
    expect(verdictWords(e[0]!, 'en').explanation).toContain('12.2');
  });

  /** A TLS 1.2 handshake up to the server's certificate; the client then closes without a word. */
  function certHandshake(port: number, sni: string, cert: 'valid' | 'no-san' | 'expired' = 'valid', step?: number, cut = false): Uint8Array {
    const c = new TcpConversation({ client: ['192.0.2.10', port], server: ['198.51.100.30', 443], start: 1_750_000_000, ...(step !== undefined ? { step } : {}) });
    c.syn();
    c.synAck();
    c.ack('client');
    c.send('client', handshakeRecord([clientHello({ ciphers: [0xc02f], sni })], 0x0301));
    c.ack('server');
    c.send('server', handshakeRecord([serverHello({ cipher: 0xc02f }), certificateMsg([testCertDer(cert)]), serverHelloDone()]));
    if (cut) return pcapFile({ linkType: c.linkType }, c.frames);
    c.fin('client');
    c.fin('server');
    c.ack('client');
    return pcapFile({ linkType: c.linkType }, c.frames);
  }

  it('tls.cert_name_mismatch: the certificate does not cover the SNI, the client gives up', async () => {
    const r = await run(certHandshake(40003, 'shop.example.org'));
    const e = errors(r);
    expect(e.map((v) => v.cause)).toEqual(['tls.cert_name_mismatch']);
    expect(e[0]!.target.name).toBe('shop.example.org');
    expect(e[0]!.evidence[0]!.frame).toBe(6);
    expect(JSON.stringify(e[0]!.details)).toContain('www.example.com');
  });

  it('tls.cert_name_mismatch in a capture that stopped right after the certificate: a warning in the failure\'s words (the client is not shown to have gone on)', async () => {
    const r = await run(certHandshake(40013, 'shop.example.org', 'valid', undefined, true));
    expect(errors(r)).toEqual([]);
    const v = r.verdicts.find((x) => x.cause === 'tls.cert_name_mismatch')!;
    expect(v.severity).toBe('warning');
    expect(v.limits.map((l) => l.kind)).toEqual(['cert_too_soon']);
    const en = verdictWords(v, 'en');
    expect(en.summary).toBe('shop.example.org: the server certificate does not cover the name shop.example.org');
    expect(en.explanation).not.toContain('went on');
    expect(en.explanation).toContain('whether the client refused it cannot be seen');
  });

  /** A handshake the server answers with a warning alert unrecognized_name before its hello, then the capture goes on `more` s (or the client resets). */
  function warnedHandshake(port: number, more: number, reset = false): Uint8Array {
    const c = new TcpConversation({ client: ['192.0.2.10', port], server: ['198.51.100.31', 443], start: 1_750_000_000 });
    c.syn();
    c.synAck();
    c.ack('client');
    c.send('client', handshakeRecord([clientHello({ ciphers: [0xc02f], sni: 'www.example.com' })], 0x0301));
    const hello = handshakeRecord([serverHello({ cipher: 0xc02f }), certificateMsg([testCertDer('valid')]), serverHelloDone()]);
    const warn = alert(1, 112);
    const both = new Uint8Array(warn.length + hello.length);
    both.set(warn, 0);
    both.set(hello, warn.length);
    c.send('server', both);
    c.ack('client');
    if (reset) c.rst('client');
    if (more > 0) {
      c.wait(more);
      c.ack('client');
    }
    return pcapFile({ linkType: c.linkType }, c.frames);
  }

  it('a warning alert before the handshake completed, the capture stopping right after: no failure (a warning does not end the handshake)', async () => {
    const r = await run(warnedHandshake(40021, 0));
    expect(errors(r)).toEqual([]);
    expect(r.verdicts.map((v) => v.cause)).not.toContain('tls.alert');
  });

  it('the same warning alert, the handshake never going on in the 8 s the capture went on, or the client resetting: tls.alert', async () => {
    for (const [more, reset] of [[8, false], [0, true]] as const) {
      const r = await run(warnedHandshake(40022, more, reset));
      expect(errors(r).map((v) => v.cause), `${more} ${reset}`).toEqual(['tls.alert']);
    }
  });

  it('a certificate without subjectAltName is told by its subject CN (chrissanders/packets mail_receiver_server_3: "covers , not that name")', async () => {
    const r = await run(certHandshake(40005, 'mail02.example.org', 'no-san'));
    const e = errors(r);
    expect(e.map((v) => v.cause)).toEqual(['tls.cert_name_mismatch']);
    expect(e[0]!.facts['san']).toEqual(['mail02']);
    const en = verdictWords(e[0]!, 'en').explanation;
    expect(en).toContain('covers mail02, not that name');
    expect(en).not.toMatch(/covers ,/);
    expect(verdictWords(e[0]!, 'zh').explanation).toContain('只覆盖 mail02');
    // This client gave up (an error): the words say clients refuse it; one that went on is not said to refuse.
    expect(en).toContain('Clients refuse such a certificate');
    const went = verdictWords({ ...e[0]!, severity: 'warning' }, 'en');
    expect(went.summary).toContain('this client went on anyway');
    expect(went.explanation).not.toContain('Clients refuse such a certificate');
    // A certificate naming nothing at all is said so.
    const none = { ...e[0]!, facts: { ...e[0]!.facts, san: [] } };
    expect(verdictWords(none, 'en').explanation).toContain('covers no name at all (it has neither a subjectAltName nor a subject CN), not that name');
    // The one-label CN does not cover the name asked for; it covers itself.
    const same = await run(certHandshake(40006, 'mail02', 'no-san'));
    expect(same.verdicts.map((v) => v.cause)).not.toContain('tls.cert_name_mismatch');
  });

  it('certificate dates are not judged on a clock that does not move (every packet the same instant: nDPI tls-rdn-extract)', async () => {
    const moving = await run(certHandshake(40007, 'expired.example.com', 'expired'));
    expect(errors(moving).map((v) => v.cause)).toEqual(['tls.cert_expired']);
    const frozen = await run(certHandshake(40008, 'expired.example.com', 'expired', 0));
    expect(frozen.verdicts.map((v) => v.cause)).not.toContain('tls.cert_expired');
    // A name the certificate does not cover is still told: it needs no clock.
    const name = await run(certHandshake(40009, 'other.example.com', 'expired', 0));
    expect(errors(name).map((v) => v.cause)).toEqual(['tls.cert_name_mismatch']);
  });

  it('the same handshake with a name the certificate covers (wildcard) is not a mismatch', async () => {
    const r = await run(certHandshake(40004, 'img.cdn.example.com'));
    expect(r.verdicts.map((v) => v.cause)).not.toContain('tls.cert_name_mismatch');
    expect(errors(r)).toEqual([]);
  });

  it('icmp.protocol_unreachable: the router names the protocol it does not carry', async () => {
    const cap = new Capture();
    const syn = tcpIp({ src: '192.0.2.10', dst: '203.0.113.9', sport: 40005, dport: 25, flags: 'S', seq: 7 });
    cap.add(1_700_000_000, ethIp(syn));
    const err = icmpIp({ src: '198.51.100.1', dst: '192.0.2.10', type: ICMP.DEST_UNREACH, code: 2 }, quote(syn));
    cap.add(1_700_000_000.01, ethIp(err));
    cap.add(1_700_000_005, ethIp(tcpIp({ src: '192.0.2.10', dst: '203.0.113.9', sport: 40006, dport: 26, flags: 'S', seq: 9 })));
    const r = await run(cap.pcap({ linkType: LINKTYPE.ETHERNET }));
    const v = r.verdicts.find((x) => x.target.port === 25);
    expect(v?.cause).toBe('icmp.protocol_unreachable');
    expect(v?.evidence.map((x) => x.frame)).toContain(2);
    expect(JSON.stringify(v?.details)).toContain('198.51.100.1');
  });
});
