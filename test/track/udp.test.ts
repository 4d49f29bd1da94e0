/** UDP flows: Zeek's UDP states, conn_state S0 / SF / SHR, D/d history, orientation. */
import { eachDecoded } from '../helpers/decoded.js';
import { describe, expect, it } from 'vitest';
import { UdpTracker, type UdpConn, type UdpTrackerOptions } from '../../src/track/udp.js';
import { dnsMessage, ethIp, pcapFile, udpIp, type CaptureRecord } from '../helpers/index.js';

async function runUdp(records: CaptureRecord[], opts: Partial<UdpTrackerOptions> = {}) {
  const conns: UdpConn[] = [];
  const t = new UdpTracker({ onFinish: (c) => conns.push(c), ...opts });
  const file = pcapFile({ linkType: 1 }, records);
  await eachDecoded(file, (p) => t.packet(p));
  t.flush();
  return { conns: conns.sort((a, b) => a.id - b.id), tracker: t };
}

const dg = (ts: number, src: string, sport: number, dst: string, dport: number, payload: Uint8Array): CaptureRecord => ({
  ts,
  frame: ethIp(udpIp({ src, dst, sport, dport }, payload)),
});
const query = dnsMessage({ id: 7, questions: [{ name: 'example.com', type: 'A' }] });
const reply = dnsMessage({ id: 7, qr: true, questions: [{ name: 'example.com', type: 'A' }], rcode: 'NXDOMAIN' });

describe('UDP flows', () => {
  it('S0: an unanswered DNS query (retried)', async () => {
    const { conns } = await runUdp([
      dg(1, '10.0.0.2', 40000, '10.0.0.53', 53, query),
      dg(2, '10.0.0.2', 40000, '10.0.0.53', 53, query),
    ]);
    expect(conns).toHaveLength(1);
    expect(conns[0]).toMatchObject({ state: 'S0', history: 'D' });
    expect(conns[0]!.orig.pkts).toBe(2);
    expect(conns[0]!.resp.pkts).toBe(0);
    expect(conns[0]!.orig.bytes).toBe(2 * query.length);
  });

  it('SF: query and answer', async () => {
    const { conns } = await runUdp([
      dg(1, '10.0.0.2', 40000, '10.0.0.53', 53, query),
      dg(1.01, '10.0.0.53', 53, '10.0.0.2', 40000, reply),
    ]);
    expect(conns).toHaveLength(1);
    expect(conns[0]).toMatchObject({ state: 'SF', history: 'Dd' });
    expect(conns[0]!.orig.ip).toBe('10.0.0.2');
    expect(conns[0]!.end - conns[0]!.start).toBeCloseTo(0.01, 6);
  });

  it('SHR: only the answer was captured; the server port makes it the responder', async () => {
    const { conns } = await runUdp([dg(1, '10.0.0.53', 53, '10.0.0.2', 40000, reply)]);
    expect(conns[0]).toMatchObject({ state: 'SHR', history: '^d' });
    expect(conns[0]!.orig.ip).toBe('10.0.0.2');
    expect(conns[0]!.resp.port).toBe(53);
  });

  it('first sender is the originator when no port is a server port', async () => {
    const { conns } = await runUdp([
      dg(1, '10.0.0.9', 47808, '10.0.0.10', 47808, new Uint8Array(4)),
      dg(2, '10.0.0.10', 47808, '10.0.0.9', 47808, new Uint8Array(4)),
    ]);
    expect(conns[0]).toMatchObject({ state: 'SF', history: 'Dd' });
    expect(conns[0]!.orig.ip).toBe('10.0.0.9');
  });

  it('a DNS response first between two server ports is turned around like Zeek\'s DNS analyzer does', async () => {
    const { conns } = await runUdp([dg(1, '10.0.0.53', 53, '10.0.0.54', 53, reply)]);
    expect(conns[0]!.history).toBe('D^');
    expect(conns[0]!.orig.ip).toBe('10.0.0.54');
    expect(conns[0]!.state).toBe('SHR');
  });

  it('idle flows are finished after the UDP timeout; a later datagram is a new flow', async () => {
    const { conns } = await runUdp([
      dg(1, '10.0.0.2', 40000, '10.0.0.53', 53, query),
      dg(100, '10.0.0.2', 40000, '10.0.0.53', 53, query),
    ]);
    expect(conns.map((c) => c.finishReason)).toEqual(['idle', 'end']);
  });
});

describe('DNS over UDP: a flow whose every query was answered is finished soon', () => {
  const q = (id: number): Uint8Array => dnsMessage({ id, questions: [{ name: 'example.com', type: 'A' }] });
  const r = (id: number): Uint8Array => dnsMessage({ id, qr: true, questions: [{ name: 'example.com', type: 'A' }], rcode: 'NOERROR' });

  it('finished 1 s after the last answer (a query 0.5 s later is still the same flow)', async () => {
    const { conns, tracker } = await runUdp([
      dg(1, '10.0.0.2', 40000, '10.0.0.53', 53, q(1)),
      dg(1.01, '10.0.0.53', 53, '10.0.0.2', 40000, r(1)),
      // Same socket, next question (glibc asks A then AAAA when single-request is set).
      dg(1.5, '10.0.0.2', 40000, '10.0.0.53', 53, q(2)),
      dg(1.51, '10.0.0.53', 53, '10.0.0.2', 40000, r(2)),
      // Another flow's packet 2 s later drives the clock: the answered flow is finished by then.
      dg(3.6, '10.0.0.3', 40001, '10.0.0.53', 53, q(3)),
    ]);
    expect(conns.map((c) => [c.orig.port, c.state, c.history, c.orig.pkts, c.resp.pkts, c.finishReason])).toEqual([
      [40000, 'SF', 'Dd', 2, 2, 'idle'],
      [40001, 'S0', 'D', 1, 0, 'end'],
    ]);
    expect(tracker.peakOpen).toBe(1);
  });

  it('a query still unanswered keeps the flow for the UDP inactivity timeout', async () => {
    const { conns } = await runUdp([
      dg(1, '10.0.0.2', 40000, '10.0.0.53', 53, q(1)),
      dg(1.001, '10.0.0.2', 40000, '10.0.0.53', 53, q(2)),
      dg(1.01, '10.0.0.53', 53, '10.0.0.2', 40000, r(1)),
      // 5 s later: id 2 was never answered, so the flow is still open and this is its retry.
      dg(6, '10.0.0.2', 40000, '10.0.0.53', 53, q(2)),
      dg(6.01, '10.0.0.53', 53, '10.0.0.2', 40000, r(2)),
    ]);
    expect(conns).toHaveLength(1);
    expect(conns[0]!.orig.pkts).toBe(3);
    expect(conns[0]!.resp.pkts).toBe(2);
  });

  it('the answered delay is an option', async () => {
    const { conns } = await runUdp([
      dg(1, '10.0.0.2', 40000, '10.0.0.53', 53, q(1)),
      dg(1.01, '10.0.0.53', 53, '10.0.0.2', 40000, r(1)),
      dg(4, '10.0.0.2', 40000, '10.0.0.53', 53, q(2)),
    ], { udpAnswered: 10 });
    expect(conns).toHaveLength(1);
    expect(conns[0]!.orig.pkts).toBe(2);
  });
});
