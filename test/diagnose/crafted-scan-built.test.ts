/**
 * Packets no TCP stack sends (track/tracker.ts craftedFlags): a segment without flags, FIN or PSH or
 * URG without ACK, a SYN with FIN, RST or URG, a SYN whose timestamp is 0xFFFFFFFF. A client that
 * sends one to a server is a scanner (nmap's OS detection, its FIN, Xmas and null scans): its failed
 * attempts to that server are probes, told as tcp.port_scan even for few ports, not per-port
 * FAILs (Practical Packet Analysis' activeosfingerprinting.pcapng: nmap -O against a Windows host,
 * read as tcp.handshake_incomplete on 135 and tcp.syn_unanswered on 41296; nDPI's tcp_scan.pcapng).
 * Built packet by packet through the whole pipeline, with the same attempts without the crafted
 * packet, which keep their verdicts.
 */
import { describe, expect, it } from 'vitest';
import { openStream } from '../../src/capture/open.js';
import { analyze } from '../../src/analyze.js';
import type { Report } from '../../src/report/model.js';
import { craftedFlags } from '../../src/track/tracker.js';
import { tcpFlagBits, Capture, ethIp, tcpIp, udpIp, LINKTYPE } from '../helpers/index.js';

const T0 = 1_700_000_000;
const SCANNER = '192.0.2.128';
const HOST = '198.51.100.150';

/** A SYN refused on 135, a SYN to 41296 sent 4 times 0.2 s apart from one port (no answer), and, with `crafted`, a probe of those flags to 135. */
async function run(crafted: string | null): Promise<Report> {
  const cap = new Capture();
  cap.add(T0, ethIp(tcpIp({ src: SCANNER, dst: HOST, sport: 53936, dport: 135, seq: 1000, flags: 'S', options: { mss: 1460 } })));
  cap.add(T0 + 0.001, ethIp(tcpIp({ src: HOST, dst: SCANNER, sport: 135, dport: 53936, seq: 0, ack: 1001, flags: 'RA' })));
  if (crafted !== null) cap.add(T0 + 0.1, ethIp(tcpIp({ src: SCANNER, dst: HOST, sport: 53951, dport: 135, seq: 5000, flags: crafted })));
  for (let i = 0; i < 4; i++) cap.add(T0 + 0.2 + 0.2 * i, ethIp(tcpIp({ src: SCANNER, dst: HOST, sport: 53953, dport: 41296, seq: 7000, flags: 'S', win: 31337 })));
  cap.add(T0 + 30, ethIp(udpIp({ src: '192.0.2.99', dst: '198.51.100.99', sport: 45000, dport: 9 }, new Uint8Array(4))));
  async function* one(): AsyncIterable<Uint8Array> {
    yield cap.pcap({ linkType: LINKTYPE.ETHERNET });
  }
  return analyze(await openStream(one(), { name: 'built.pcap' }), {});
}

const errors = (r: Report) => r.verdicts.filter((v) => v.severity === 'error').map((v) => `${v.cause} ${v.target.port}`).sort();

describe('a scanner\'s crafted packets', () => {
  it('names the flags no stack sends, and only those', () => {
    const f = (s: string): number => tcpFlagBits(s);
    expect(craftedFlags(f('SFPU'), -1)).toBe('SYN+FIN+PSH+URG');
    expect(craftedFlags(0, -1)).toBe('none');
    expect(craftedFlags(f('FPU'), -1)).toBe('FIN+PSH+URG');
    expect(craftedFlags(f('F'), -1)).toBe('FIN');
    expect(craftedFlags(f('SR'), -1)).toBe('SYN+RST');
    expect(craftedFlags(f('S'), 0xffffffff)).toBe('SYN, timestamp 0xFFFFFFFF');
    // A stack's: a SYN (ECN setup too), a RST alone.
    for (const ok of ['S', 'SEC', 'R']) expect(craftedFlags(f(ok), 12345), ok).toBeNull();
  });

  it('with a crafted probe, the pair\'s failed attempts are one port scan (warning), the crafted packet named', async () => {
    for (const flags of ['SFPU', 'FPU', '']) {
      const r = await run(flags);
      expect(errors(r), flags).toEqual([]);
      const scan = r.verdicts.find((v) => v.cause === 'tcp.port_scan')!;
      expect(scan.severity).toBe('warning');
      expect(scan.details['portsProbed']).toBe(2);
      expect(scan.details['craftedPacket']).toEqual({ frame: 3, flags: flags === '' ? 'none' : craftedFlags(tcpFlagBits(flags), -1) });
    }
  });

  it('without it, the refused port and the SYN sent again keep their failures', async () => {
    expect(errors(await run(null))).toEqual(['tcp.refused 135', 'tcp.syn_unanswered 41296']);
  });
});
