/**
 * icmp.forged_source built packet by packet through the whole pipeline (diagnose/forged.ts): ICMP
 * errors alone from many hosts at once, about packets "from" one address the capture never shows
 * sending, are answers to packets forged in its name — one warning, not a failure per destination
 * (StopDDoS's amplification captures read 246, 131 and 139 FAILs `icmp.*`). And what must not be
 * folded: errors from a few routers, from a source the capture shows sending, or spread over minutes.
 */
import { describe, expect, it } from 'vitest';
import { openStream } from '../../src/capture/open.js';
import { analyze } from '../../src/analyze.js';
import type { Report } from '../../src/report/model.js';
import { verdictWords } from '../../src/report/words.js';
import { Capture, ICMP, LINKTYPE, TcpConversation, ethIp, icmpIp, quote, udpIp } from '../helpers/index.js';

const T0 = 1_700_000_000;
const VICTIM = '192.0.2.77';
const CAPTURED = '192.0.2.10';

interface Shape {
  /** Distinct hosts sending the errors (default 120). */
  senders?: number;
  /** Seconds between errors (default 0.001). */
  gap?: number;
  /** The victim also makes a connection the capture holds. */
  sends?: boolean;
}

async function run(o: Shape = {}): Promise<Report> {
  const cap = new Capture();
  const senders = o.senders ?? 120;
  for (let i = 0; i < 120; i++) {
    const dst = `198.51.100.${1 + i}`;
    const from = `198.51.100.${1 + (i % senders)}`;
    // The request forged in VICTIM's name, as the error quotes it (the capture never holds it).
    const forged = udpIp({ src: VICTIM, dst, sport: 40000 + i, dport: 161, ttl: 50 }, new Uint8Array(40));
    cap.add(T0 + i * (o.gap ?? 0.001), ethIp(icmpIp({ src: from, dst: CAPTURED, type: ICMP.DEST_UNREACH, code: ICMP.PORT_UNREACH }, quote(forged))));
  }
  if (o.sends) {
    const c = new TcpConversation({ client: [VICTIM, 41000], server: ['203.0.113.5', 443], start: T0 + 0.05 });
    c.syn();
    c.synAck();
    c.ack('client');
    c.fin('client');
    c.fin('server');
    c.ack('client');
    cap.addAll(c.frames);
  }
  async function* one(): AsyncIterable<Uint8Array> {
    yield cap.pcap({ linkType: LINKTYPE.ETHERNET });
  }
  return analyze(await openStream(one(), { name: 'built.pcap' }), { maxVerdicts: 0 });
}

const causes = (r: Report): string[] => [...new Set(r.verdicts.map((v) => `${v.severity} ${v.cause}`))].sort();

describe('icmp.forged_source', () => {
  it('120 port unreachables from 120 hosts in 0.12 s about packets from an address never seen sending: one warning', async () => {
    const r = await run();
    expect(causes(r)).toEqual(['warning icmp.forged_source']);
    expect(r.verdicts.length).toBe(1);
    const v = r.verdicts[0]!;
    expect(v.target.ip).toBe(VICTIM);
    expect(v.client.ip).toBeNull();
    expect(v.details).toMatchObject({ errors: 120, senders: 120, destinations: 120, ports: [161], causes: { 'icmp.port_unreachable': 120 } });
    expect(r.summary.failures).toBe(0);
    const en = verdictWords(v, 'en');
    expect(en.summary).toBe(`${VICTIM}: 120 ICMP errors from 120 hosts about packets sent in its name`);
    expect(en.explanation).toContain('within 119 ms');
    expect(en.explanation).toContain('(port 161)');
    expect(verdictWords(v, 'zh').summary).toContain('以其名义发送');
  });

  it('errors from a few routers (a route, a firewall): each target told as before', async () => {
    const r = await run({ senders: 10 });
    expect(causes(r)).not.toContain('warning icmp.forged_source');
    expect(r.summary.failures).toBeGreaterThan(0);
  });

  it('a source the capture shows sending: its errors are its own', async () => {
    const r = await run({ sends: true });
    expect(causes(r)).not.toContain('warning icmp.forged_source');
    expect(r.summary.failures).toBeGreaterThan(0);
  });

  it('spread over two minutes (one a second): not folded', async () => {
    const r = await run({ gap: 1 });
    expect(causes(r)).not.toContain('warning icmp.forged_source');
  });
});
