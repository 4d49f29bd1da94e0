/**
 * Zeek's inactivity timeouts (init-bare.zeek: tcp_inactivity_timeout 5 min, udp_inactivity_timeout
 * 1 min; conn/inactivity.zeek: 1 hour for established connections to TCP ports 21, 22, 23, 513).
 * Session::InactivityTimer removes a connection once the network time reaches its last packet's
 * time plus the timeout (`last_time + timeout <= t`), and timers run before the packet that moved
 * the network time is processed: the first packet after an idle period of the timeout or longer
 * starts a new connection, which Zeek sees as one that began mid-stream.
 *
 * The expected states and histories below are derived by hand from Zeek's TCP session adapter and
 * conn/main.zeek (the reasoning is next to each), not read from wirewhy's output.
 *
 * Then clock glitches: a packet stamped years away from its neighbours whose sequence and
 * acknowledgment numbers continue its connection does not split it.
 */
import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { SHARED } from '../tshark-fixture.js';
import { eachDecoded } from '../helpers/decoded.js';
import { TcpTracker, type TcpConn, type TcpTrackerOptions } from '../../src/track/tcp.js';
import { UdpTracker, type UdpConn } from '../../src/track/udp.js';
import { IcmpFlowTracker, type IcmpConn } from '../../src/track/icmpflow.js';
import { Tracker } from '../../src/track/tracker.js';
import type { StreamSink } from '../../src/track/types.js';
import { Capture, TcpConversation, ascii, ethIp, tcpIp, filler, icmpIp, pcapFile, udpIp, type CaptureRecord } from '../helpers/index.js';

const noSink: StreamSink = { data() {}, gap() {}, end() {} };

async function tcpConns(records: readonly CaptureRecord[], opts: Partial<TcpTrackerOptions> = {}) {
  const conns: TcpConn[] = [];
  const tracker = new TcpTracker({ sink: noSink, onFinish: (c) => conns.push(c), ...opts });
  await eachDecoded(pcapFile({ linkType: 1 }, records), (p) => tracker.packet(p));
  tracker.flush();
  return { conns: conns.sort((a, b) => a.id - b.id), tracker };
}

async function udpConns(records: readonly CaptureRecord[]) {
  const conns: UdpConn[] = [];
  const tracker = new UdpTracker({ onFinish: (c) => conns.push(c) });
  await eachDecoded(pcapFile({ linkType: 1 }, records), (p) => tracker.packet(p));
  tracker.flush();
  return conns.sort((a, b) => a.id - b.id);
}

async function icmpFlows(records: readonly CaptureRecord[]) {
  const conns: IcmpConn[] = [];
  const tracker = new IcmpFlowTracker({ onFinish: (c) => conns.push(c) });
  await eachDecoded(pcapFile({ linkType: 1 }, records), (p) => tracker.packet(p));
  tracker.flush();
  return conns.sort((a, b) => a.id - b.id);
}

const brief = (c: TcpConn | UdpConn | IcmpConn) => ({
  orig: `${c.orig.ip}:${c.orig.port}`,
  resp: `${c.resp.ip}:${c.resp.port}`,
  state: c.state,
  history: c.history,
  pkts: [c.orig.pkts, c.resp.pkts],
});

/** Handshake, one request and its ACK, `idle` seconds of silence, then one more request and both FINs. */
function idleTcp(idle: number, server: [string, number] = ['198.51.100.7', 443]): TcpConversation {
  const c = new TcpConversation({ client: ['192.0.2.1', 50000], server });
  c.syn();
  c.synAck();
  c.ack('client');
  c.send('client', ascii('first'));
  c.ack('server');
  c.wait(idle);
  c.send('client', ascii('second'));
  c.ack('server');
  c.fin('client');
  c.fin('server');
  c.ack('client');
  return c;
}

describe('TCP inactivity timeout (5 minutes)', () => {
  it('a connection idle for 6 minutes is split in two, as Zeek does', async () => {
    const { conns } = await tcpConns(idleTcp(360).frames);
    expect(conns.map(brief)).toEqual([
      // S, SYN-ACK h, the handshake's ACK A, data D, the server's ACK a; both ESTABLISHED: S1.
      { orig: '192.0.2.1:50000', resp: '198.51.100.7:443', state: 'S1', history: 'ShADa', pkts: [3, 2] },
      // Starts without a SYN: the client's data makes it PARTIAL (D), the server's ACK PARTIAL (a);
      // both FINs close them (F f: SF); the last ACK is the client's first pure ACK here (A). The
      // first packet comes from 192.0.2.1:50000 to port 443, a likely server port: no flip.
      { orig: '192.0.2.1:50000', resp: '198.51.100.7:443', state: 'SF', history: 'DaFfA', pkts: [3, 2] },
    ]);
    expect(conns[0]!.finishReason).toBe('idle');
    expect(conns[1]!.partial).toBe(true);
    // The second part starts at the packet after the silence.
    expect(conns[1]!.start - conns[0]!.end).toBeCloseTo(360, 2);
  });

  it('splits at exactly the timeout (last_time + timeout <= t), not a microsecond before', async () => {
    const at = (gap: number) => {
      const c = new TcpConversation({ client: ['192.0.2.1', 50000], server: ['198.51.100.7', 443], start: 1_700_000_000, step: 0 });
      c.syn();
      c.synAck();
      c.ack('client');
      c.wait(gap);
      c.send('client', ascii('x'));
      return c.frames;
    };
    expect((await tcpConns(at(300))).conns.map((c) => c.history)).toEqual(['ShA', 'D']);
    expect((await tcpConns(at(299.999))).conns.map((c) => c.history)).toEqual(['ShAD']);
  });

  it('an established connection to an interactive port (22) gets an hour (conn/inactivity.zeek)', async () => {
    const six = await tcpConns(idleTcp(360, ['198.51.100.7', 22]).frames);
    expect(six.conns.map((c) => c.history)).toEqual(['ShADaFf']);
    expect(six.conns[0]!.state).toBe('SF');
    const hour = await tcpConns(idleTcp(3600, ['198.51.100.7', 22]).frames);
    expect(hour.conns.map((c) => c.history)).toEqual(['ShADa', 'DaFfA']);
    // Port 443 is not interactive: the hour splits it too, and so does the shorter idle.
    expect((await tcpConns(idleTcp(360).frames)).conns).toHaveLength(2);
  });

  it('a connection to port 22 seen without its handshake is not "established": 5 minutes apply', async () => {
    // Zeek raises connection_established on the responder's SYN only; a capture that starts
    // mid-stream never does, so the port's hour is never set.
    const c = new TcpConversation({ client: ['192.0.2.1', 50000], server: ['198.51.100.7', 22] });
    c.syn();
    c.synAck();
    c.ack('client');
    const mid = c.frames.length;
    c.send('client', ascii('a'));
    c.ack('server');
    c.wait(360);
    c.send('client', ascii('b'));
    const { conns } = await tcpConns(c.frames.slice(mid));
    expect(conns.map((x) => x.history)).toEqual(['Da', 'D']);
  });
});

describe('UDP inactivity timeout (1 minute)', () => {
  const dg = (ts: number, from: 'c' | 's', payload = ascii('ping')): CaptureRecord => ({
    ts,
    frame: ethIp(from === 'c'
      ? udpIp({ src: '192.0.2.1', dst: '198.51.100.9', sport: 40000, dport: 9999 }, payload)
      : udpIp({ src: '198.51.100.9', dst: '192.0.2.1', sport: 9999, dport: 40000 }, payload)),
  });

  it('a flow idle for 61 s is split; each part has its own states', async () => {
    const conns = await udpConns([dg(100, 'c'), dg(100.01, 's'), dg(100.02, 'c'), dg(161.02, 's'), dg(161.03, 'c')]);
    expect(conns.map(brief)).toEqual([
      { orig: '192.0.2.1:40000', resp: '198.51.100.9:9999', state: 'SF', history: 'Dd', pkts: [2, 1] },
      // The second part starts with the server's datagram: neither port is a likely server port
      // (Zeek UDPAnalyzer::WantConnection), so its first sender is the originator.
      { orig: '198.51.100.9:9999', resp: '192.0.2.1:40000', state: 'SF', history: 'Dd', pkts: [1, 1] },
    ]);
  });

  it('splits at exactly 60 s, not at 59.999 s', async () => {
    expect((await udpConns([dg(100, 'c'), dg(160, 'c')])).map((c) => c.orig.pkts)).toEqual([1, 1]);
    expect((await udpConns([dg(100, 'c'), dg(159.999, 'c')])).map((c) => c.orig.pkts)).toEqual([2]);
  });
});

describe('ICMP inactivity timeout (1 minute)', () => {
  const CLIENT = '192.0.2.1';
  const SERVER = '198.51.100.9';
  const data = filler(56, 3);
  const ping = (ts: number, seq: number, reply: boolean): CaptureRecord => ({
    ts,
    frame: ethIp(reply
      ? icmpIp({ src: SERVER, dst: CLIENT, type: 0, code: 0, rest: (0x1234 << 16) | seq }, data)
      : icmpIp({ src: CLIENT, dst: SERVER, type: 8, code: 0, rest: (0x1234 << 16) | seq }, data)),
  });
  const pings = (times: number[]): CaptureRecord[] => times.flatMap((t, i) => [ping(t, i, false), ping(t + 0.001, i, true)]);

  it('a ping silent for 61 s is two flows (Zeek: key type 8 / counterpart 0, OTH, no history)', async () => {
    const flows = await icmpFlows(pings([100, 101, 102, 163]));
    expect(flows.map(brief)).toEqual([
      { orig: `${CLIENT}:8`, resp: `${SERVER}:0`, state: 'OTH', history: '', pkts: [3, 3] },
      { orig: `${CLIENT}:8`, resp: `${SERVER}:0`, state: 'OTH', history: '', pkts: [1, 1] },
    ]);
    // orig_bytes / resp_bytes: the ICMP payload after the 8-byte header.
    expect(flows.map((f) => [f.orig.bytes, f.resp.bytes])).toEqual([[168, 168], [56, 56]]);
    expect(flows[0]!.finishReason).toBe('idle');
  });

  it('splits at exactly 60 s after the last message, not at 59.999 s', async () => {
    expect((await icmpFlows(pings([100, 160.001]))).map((f) => f.orig.pkts)).toEqual([1, 1]);
    expect((await icmpFlows(pings([100, 160]))).map((f) => f.orig.pkts)).toEqual([2]);
  });

  it('one-way messages match only their own direction; a reply seen first is the originator', async () => {
    const te = (ts: number, src: string, dst: string): CaptureRecord => ({
      ts,
      frame: ethIp(icmpIp({ src, dst, type: 11, code: 0 }, new Uint8Array(28))),
    });
    const flows = await icmpFlows([ping(100, 0, true), te(101, '203.0.113.254', CLIENT), te(102, CLIENT, '203.0.113.254'), te(103, '203.0.113.254', CLIENT)]);
    expect(flows.map(brief)).toEqual([
      { orig: `${SERVER}:0`, resp: `${CLIENT}:8`, state: 'OTH', history: '', pkts: [1, 0] },
      { orig: '203.0.113.254:11', resp: `${CLIENT}:0`, state: 'OTH', history: '', pkts: [2, 0] },
      { orig: `${CLIENT}:11`, resp: '203.0.113.254:0', state: 'OTH', history: '', pkts: [1, 0] },
    ]);
  });

  it('the Tracker hands them over when asked (onIcmpFlow), and keeps none otherwise', async () => {
    const got: IcmpConn[] = [];
    const tr = new Tracker({ onConn: () => {}, onIcmpFlow: (c) => got.push(c) });
    await eachDecoded(pcapFile({ linkType: 1 }, pings([100, 200])), (p) => tr.packet(p));
    tr.flush();
    expect(got.map((f) => f.orig.pkts)).toEqual([1, 1]);
    expect(new Tracker({ onConn: () => {} }).icmpFlows).toBeNull();
  });
});

describe('clock glitches (a timestamp far from its neighbours)', () => {
  const YEARS = 1_472_003_999; // the jump of the field capture: 46 years

  function glitched(at: 'synAck' | 'serverData', jump: number): TcpConversation {
    const c = new TcpConversation({ client: ['127.0.0.1', 40304], server: ['127.0.0.2', 3306] });
    c.syn();
    let t = c.clock;
    if (at === 'synAck') {
      c.synAck({ ts: t + jump });
      c.at(t + 0.00005);
    } else c.synAck();
    c.ack('client');
    c.send('client', ascii('query'));
    t = c.clock;
    if (at === 'serverData') {
      c.send('server', ascii('answer'), { ts: t + jump });
      c.at(t + 0.0002);
    } else c.send('server', ascii('answer'));
    c.ack('client');
    c.fin('client');
    c.fin('server');
    c.ack('client');
    return c;
  }

  it('a SYN-ACK stamped 46 years after the SYN, whose numbers continue the handshake, is one connection', async () => {
    const c = glitched('synAck', YEARS);
    const { conns, tracker } = await tcpConns(c.frames);
    expect(conns.map(brief)).toEqual([
      { orig: '127.0.0.1:40304', resp: '127.0.0.2:3306', state: 'SF', history: 'ShADdFf', pkts: [6, 3] },
    ]);
    const conn = conns[0]!;
    expect(conn.start).toBe(c.frames[0]!.ts);
    expect(conn.end).toBeLessThan(Number(c.frames[0]!.ts) + 1);
    expect(conn.weirds).toContain('timestamp_glitch');
    expect(conn.handshakeRttMs.synToSynAck).toBeGreaterThanOrEqual(0);
    expect(conn.handshakeRttMs.synToSynAck).toBeLessThan(1);
    expect(tracker.clockGlitches).toBe(1);
    expect(tracker.clockGlitchFrames).toEqual([2]);
  });

  it('the same for an answer stamped hours later that acknowledges the request', async () => {
    const { conns } = await tcpConns(glitched('serverData', 7200).frames);
    expect(conns.map((x) => x.history)).toEqual(['ShADdFf']);
    expect(conns[0]!.weirds).toContain('timestamp_glitch');
  });

  it('a packet that acknowledges nothing new cannot tell a glitch from idleness: it splits, as in Zeek', async () => {
    // The server's ACK after it is stamped back at the old time, 46 years before the late packet:
    // it joins the second part (Zeek too: its network time never goes back, so nothing idles out),
    // taken at that part's time.
    const c = new TcpConversation({ client: ['127.0.0.1', 40304], server: ['127.0.0.2', 3306] });
    c.syn();
    c.synAck();
    c.ack('client');
    const t = c.clock;
    c.send('client', ascii('late'), { ts: t + YEARS });
    c.at(t + 0.001);
    c.ack('server');
    const { conns, tracker } = await tcpConns(c.frames);
    expect(conns.map((x) => x.history)).toEqual(['ShA', 'Da']);
    expect(tracker.clockGlitchFrames).toEqual([5]);
  });

  it('an answer after a silence that other packets of the capture span is not a glitch', async () => {
    // Another connection's packets fill the silence: the capture's clock really moved, so the
    // late answer (to a request the capture saw 6 minutes before) splits as Zeek splits it.
    const a = new TcpConversation({ client: ['192.0.2.1', 50000], server: ['198.51.100.7', 443], start: 1_700_000_000 });
    a.syn();
    a.synAck();
    a.ack('client');
    a.send('client', ascii('request'));
    a.wait(360);
    a.send('server', ascii('answer'));
    const b = new TcpConversation({ client: ['192.0.2.2', 50001], server: ['198.51.100.8', 443], start: 1_700_000_000 + 100, step: 60 });
    b.syn();
    b.synAck();
    b.ack('client');
    b.send('client', ascii('tick'));
    b.ack('server');
    const cap = new Capture().addAll(a.frames).addAll(b.frames);
    const { conns, tracker } = await tcpConns(cap.sorted());
    const ofA = conns.filter((c) => c.orig.port === 50000 || c.resp.port === 50000);
    expect(ofA.map((c) => c.history)).toEqual(['ShAD', '^d']);
    expect(tracker.clockGlitches).toBe(0);
  });

  it('a packet stamped far before its connection neither splits it nor moves its end back', async () => {
    const c = new TcpConversation({ client: ['192.0.2.1', 50000], server: ['198.51.100.7', 443], start: 1_700_000_000 });
    c.syn();
    c.synAck();
    c.ack('client');
    const t = c.clock;
    c.send('client', ascii('request'), { ts: 1000 });
    c.at(t + 0.01);
    c.send('server', ascii('answer'));
    c.ack('client');
    const { conns, tracker } = await tcpConns(c.frames);
    expect(conns.map((x) => x.history)).toEqual(['ShADd']);
    expect(conns[0]!.end).toBeGreaterThan(1_700_000_000);
    expect(conns[0]!.dataFrames).toEqual({ orig: 4, resp: 5 });
    expect(tracker.clockGlitches).toBe(1);
  });
});

describe.skipIf(!existsSync(join(SHARED, 'field')))('clock glitches in real captures (../shared/captures)', () => {
  async function of(path: string, port: number) {
    const conns: TcpConn[] = [];
    const tracker = new TcpTracker({ sink: noSink, onFinish: (c) => conns.push(c) });
    await eachDecoded(join(SHARED, path), (p) => tracker.packet(p));
    tracker.flush();
    return { conns: conns.filter((c) => c.resp.port === port).map(brief), glitches: tracker.clockGlitchFrames };
  }

  it('field pcapng-example: the SYN-ACK stamped 46 years later (frame 2) does not split 127.0.0.1:3306', async () => {
    // Before: S0 'S' (frame 1 alone) and SF '^hAdDaFf' starting in 2061 (tshark pairs frames 1-3).
    expect(await of('field/ppp-Pcap++Test_PcapExamples_pcapng-example.pcapng', 3306)).toEqual({
      conns: [{ orig: '127.0.0.1:40304', resp: '127.0.0.1:3306', state: 'SF', history: 'ShAdDaFf', pkts: [29, 30] }],
      glitches: [2],
    });
  });

  it('suricata-verify tls_DER-incomplete-header: the SYN-ACK stamped 21 years earlier does not either', async () => {
    // MANIFEST.json's reading: one connection, S1 'ShADad', 3 and 3 packets. Before: S1 'Sh' + OTH 'ADad'.
    expect(await of('suricata-verify/tls_DER-incomplete-header.pcap', 10443)).toEqual({
      conns: [{ orig: '127.0.0.1:50802', resp: '127.0.0.1:10443', state: 'S1', history: 'ShADad', pkts: [3, 3] }],
      glitches: [2],
    });
  });
});

describe('a refused scan is not held past the closing cap (flow.ts maxDone)', () => {
  // 3,000 SYNs to distinct ports, each refused by a RST 10 µs later, all within 0.3 s: without a
  // cap every refused connection waits its 1 s closing delay, so all 3,000 are open at once.
  function scan(n: number): CaptureRecord[] {
    const out: CaptureRecord[] = [];
    const t0 = 1_700_000_000_000_000_000n; // ns
    for (let i = 0; i < n; i++) {
      const ts = t0 + BigInt(i * 100_000);
      const port = 1000 + i;
      out.push({ ts, frame: ethIp(tcpIp({ src: '203.0.113.10', dst: '198.51.100.7', sport: 61000, dport: port, seq: 1000 + i, flags: 'S' })) });
      out.push({ ts: ts + 10_000n, frame: ethIp(tcpIp({ src: '198.51.100.7', dst: '203.0.113.10', sport: port, dport: 61000, seq: 0, ack: 1001 + i, flags: 'RA' })) });
    }
    return out;
  }

  it('holds at most maxDone refused connections, and every one is still reported refused once', async () => {
    const capped = await tcpConns(scan(3000), { maxDone: 500 });
    expect(capped.tracker.peakOpen).toBeLessThanOrEqual(502);
    expect(capped.conns).toHaveLength(3000);
    expect(capped.conns.every((c) => c.state === 'REJ' && c.history === 'Sr')).toBe(true);
    expect(new Set(capped.conns.map((c) => c.resp.port)).size).toBe(3000);
    // The same scan under the default cap (10,000) holds them all: the cap is what bounds it.
    const free = await tcpConns(scan(3000));
    expect(free.tracker.peakOpen).toBeGreaterThan(2900);
  });
});
