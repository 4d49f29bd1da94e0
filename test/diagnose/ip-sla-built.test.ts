/**
 * A Cisco IP SLA TCP connect probe: the sender tells the responder (UDP 1967) which port to open,
 * connects to it, and the responder closes the connection at once — the measurement, which read
 * FAIL tcp.closed_at_once (Nicholas Russo's ipsla_tcp_connect.pcapng, a capture of what right
 * looks like). A connection closed at once to a port no control message announced is still one.
 */
import { describe, expect, it } from 'vitest';
import { openStream } from '../../src/capture/open.js';
import { analyze } from '../../src/analyze.js';
import type { Report } from '../../src/report/model.js';
import { Capture, LINKTYPE, ethIp, tcpIp, udpIp } from '../helpers/index.js';

const T0 = 1_700_000_000;
const SENDER = '192.0.2.1';
const RESPONDER = '192.0.2.2';
const PORT = 42518;

/** The control message announcing a TCP connect probe to `ip`:`port` (type 3), 5,000 ms to wait. */
function control(ip: string, port: number, type = 3): Uint8Array {
  const m = new Uint8Array(52);
  const v = new DataView(m.buffer);
  m[0] = 1;
  m[1] = 0x74;
  v.setUint16(2, 52);
  v.setUint16(8, type);
  v.setUint16(10, 16);
  ip.split('.').forEach((x, i) => (m[16 + i] = Number(x)));
  v.setUint16(20, port);
  v.setUint16(22, 5000);
  v.setUint16(24, 1);
  v.setUint16(26, 28);
  return m;
}

async function run(o: { announce: boolean; type?: number; at?: number }): Promise<Report> {
  const cap = new Capture();
  if (o.announce) {
    cap.add(T0, ethIp(udpIp({ src: SENDER, dst: RESPONDER, sport: 63191, dport: 1967 }, control(RESPONDER, PORT, o.type))));
    cap.add(T0 + 0.0005, ethIp(udpIp({ src: RESPONDER, dst: SENDER, sport: 1967, dport: 63191 }, control(RESPONDER, PORT, o.type).subarray(0, 24))));
  }
  const t = T0 + (o.at ?? 0.001);
  const c = { src: SENDER, dst: RESPONDER, sport: 27293, dport: PORT };
  const s = { src: RESPONDER, dst: SENDER, sport: PORT, dport: 27293 };
  cap.add(t, ethIp(tcpIp({ ...c, seq: 0, flags: 'S' })));
  cap.add(t + 0.0002, ethIp(tcpIp({ ...s, seq: 0, ack: 1, flags: 'SA' })));
  cap.add(t + 0.0003, ethIp(tcpIp({ ...c, seq: 1, ack: 1, flags: 'A' })));
  cap.add(t + 0.0004, ethIp(tcpIp({ ...s, seq: 1, ack: 1, flags: 'FPA' })));
  cap.add(t + 0.007, ethIp(tcpIp({ ...c, seq: 1, ack: 2, flags: 'FPA' })));
  cap.add(t + 0.0073, ethIp(tcpIp({ ...s, seq: 2, ack: 2, flags: 'A' })));
  async function* one(): AsyncIterable<Uint8Array> {
    yield cap.pcap({ linkType: LINKTYPE.ETHERNET });
  }
  return analyze(await openStream(one(), { name: 'built.pcap' }), { maxVerdicts: 0 });
}

const causes = (r: Report): string[] => r.verdicts.map((v) => v.cause);

describe('IP SLA TCP connect probes', () => {
  it('announced to the responder on UDP 1967: the probe closed at once is no failure', async () => {
    const r = await run({ announce: true });
    expect(causes(r)).toEqual([]);
    expect(r.summary.failures).toBe(0);
  });

  it('not announced, announced as another operation (UDP echo), or past the wait: tcp.closed_at_once', async () => {
    expect(causes(await run({ announce: false }))).toEqual(['tcp.closed_at_once']);
    expect(causes(await run({ announce: true, type: 2 }))).toEqual(['tcp.closed_at_once']);
    expect(causes(await run({ announce: true, at: 6 }))).toEqual(['tcp.closed_at_once']);
  });
});
