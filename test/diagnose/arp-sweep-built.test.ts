/**
 * A sweep proven by ARP: a host that asks ARP for dozens of addresses of its network within a few
 * seconds is sweeping it (nmap's host discovery on a local network, arp-scan), and its connection
 * attempts to those hosts right after are probes, even each from a source port of its own (nmap -sn
 * without privileges connects to 80 and 443). Zeek's nmap-vsn.pcap (245 ARP requests in 2 s, then
 * connects to the six hosts that answered) was told as five per-host FAILs. Now one
 * tcp.address_scan warning with details.arpSweep. A stack's few ARP requests, or many spread over a
 * minute (a busy server's cache refreshes), or many that their hosts answered (a monitoring server
 * checking its neighbours at once), prove nothing: the attempts keep their verdicts.
 * Built packet by packet through the whole pipeline.
 */
import { describe, expect, it } from 'vitest';
import { openStream } from '../../src/capture/open.js';
import { analyze } from '../../src/analyze.js';
import type { Report } from '../../src/report/model.js';
import { verdictWords } from '../../src/report/words.js';
import { Capture, ethernet, ethIp, tcpIp, LINKTYPE } from '../helpers/index.js';

const T0 = 1_700_000_000;
const SCANNER = '192.0.2.71';
const ip = (a: string) => a.split('.').map(Number);

/** An ARP request (RFC 826) from `sender` for `target`, broadcast. */
function arpRequest(sender: string, target: string): Uint8Array {
  const body = new Uint8Array([0, 1, 8, 0, 6, 4, 0, 1, 2, 0, 0, 0, 0, 0x47, ...ip(sender), 0, 0, 0, 0, 0, 0, ...ip(target)]);
  return ethernet({ type: 0x0806, src: '02:00:00:00:00:47', dst: 'ff:ff:ff:ff:ff:ff' }, body);
}

/** The ARP reply of `sender` to `target`. */
function arpReply(sender: string, target: string): Uint8Array {
  const body = new Uint8Array([0, 1, 8, 0, 6, 4, 0, 2, 2, 0, 0, 0, 0, 0x10, ...ip(sender), 2, 0, 0, 0, 0, 0x47, ...ip(target)]);
  return ethernet({ type: 0x0806, src: '02:00:00:00:00:10', dst: '02:00:00:00:00:47' }, body);
}

/** `arps` ARP requests over `spread` seconds, then connect probes (each from its own source port): refused, unanswered, refused. */
async function run(arps: number, spread: number, answered = 0): Promise<Report> {
  const cap = new Capture();
  for (let i = 0; i < arps; i++) {
    cap.add(T0 + (spread * i) / arps, arpRequest(SCANNER, `192.0.2.${i + 2}`));
    if (i < answered) cap.add(T0 + (spread * i) / arps + 0.0001, arpReply(`192.0.2.${i + 2}`, SCANNER));
  }
  const at = T0 + spread + 0.1;
  const probes: Array<[string, number, boolean]> = [['192.0.2.5', 80, true], ['192.0.2.9', 80, false], ['192.0.2.12', 443, true]];
  probes.forEach(([host, port, refused], i) => {
    const sport = 50_000 + i;
    cap.add(at + i * 0.01, ethIp(tcpIp({ src: SCANNER, dst: host, sport, dport: port, seq: 1000, flags: 'S' })));
    if (refused) cap.add(at + i * 0.01 + 0.001, ethIp(tcpIp({ src: host, dst: SCANNER, sport: port, dport: sport, seq: 0, ack: 1001, flags: 'RA' })));
  });
  // The capture goes on (a later packet of the scanner's): the silent probe is not cut short.
  cap.add(at + 30, arpRequest(SCANNER, '192.0.2.1'));
  async function* one(): AsyncIterable<Uint8Array> {
    yield cap.pcap({ linkType: LINKTYPE.ETHERNET });
  }
  return analyze(await openStream(one(), { name: 'built.pcap' }), { all: true });
}

const causes = (r: Report) => r.verdicts.map((v) => `${v.severity} ${v.cause}`).sort();

describe('a sweep proven by ARP', () => {
  it('60 addresses asked in 0.5 s, then connect probes: one address-scan warning', async () => {
    const r = await run(60, 0.5);
    expect(causes(r)).toEqual(['warning tcp.address_scan']);
    const v = r.verdicts[0]!;
    expect(v.details).toMatchObject({ hostsProbed: 3, open: 0, closed: 2, unanswered: 1, arpSweep: { addresses: 60, answered: 0, firstFrame: 1 } });
    expect(verdictWords(v, 'en').summary).toContain('after an ARP sweep of 60:');
    expect(v.evidence.some((e) => e.kind === 'arp_sweep')).toBe(true);
    expect(r.summary.failures).toBe(0);
  });

  it('half of the addresses answered or fewer: still a sweep (a scanner asks where no host is)', async () => {
    expect(causes(await run(60, 0.5, 30))).toEqual(['warning tcp.address_scan']);
  });

  it('a stack\'s few requests, many spread over a minute, or many that hosts answered: the attempts keep their verdicts', async () => {
    // (The last: a monitoring server asking for its many neighbours at once, which exist.)
    for (const [arps, spread, answered] of [[10, 0.5, 0], [60, 60, 0], [60, 0.5, 31]] as const) {
      const r = await run(arps, spread, answered);
      expect(causes(r), `${arps} over ${spread} s, ${answered} answered`).toEqual(['error tcp.refused', 'error tcp.refused', 'error tcp.syn_unanswered']);
    }
  });
});
