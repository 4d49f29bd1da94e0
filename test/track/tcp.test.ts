/**
 * TCP tracker: short synthetic packet sequences (TcpConversation), decoded and tracked, checked
 * against Zeek's conn_state / history vocabulary and the diagnosis facts.
 */
import { eachDecoded } from '../helpers/decoded.js';
import { describe, expect, it } from 'vitest';
import { TcpTracker, TcpState, type TcpConn, type TcpTrackerOptions } from '../../src/track/tcp.js';
import type { Conn, StreamSink } from '../../src/track/types.js';
import { StreamDir } from '../../src/track/reassembly.js';
import { TcpConversation, ascii, filler, pcapFile, type CaptureRecord } from '../helpers/index.js';

interface Ev {
  kind: 'data' | 'gap' | 'end';
  orig?: boolean;
  bytes?: string;
  len?: number;
  frame?: number;
  conn: number;
}

export async function runTcp(records: readonly CaptureRecord[], linkType: number, opts: Partial<TcpTrackerOptions> = {}, snaplen?: number) {
  const conns: TcpConn[] = [];
  const events: Ev[] = [];
  const chunks = new Map<string, number[]>();
  const sink: StreamSink = {
    data(c: Conn, fromOrig, buf, off, len, frame) {
      events.push({ kind: 'data', orig: fromOrig, len, frame, conn: c.id });
      const k = `${c.id}:${fromOrig ? 'o' : 'r'}`;
      const a = chunks.get(k) ?? [];
      for (const b of buf.subarray(off, off + len)) a.push(b);
      chunks.set(k, a);
    },
    gap(c, fromOrig, len) {
      events.push({ kind: 'gap', orig: fromOrig, len, conn: c.id });
    },
    end(c) {
      events.push({ kind: 'end', conn: c.id });
    },
  };
  const t = new TcpTracker({ sink, onFinish: (c) => conns.push(c), ...opts });
  const file = pcapFile({ linkType, ...(snaplen ? { snaplen } : {}) }, records);
  await eachDecoded(file, (p) => t.packet(p));
  t.flush();
  conns.sort((a, b) => a.id - b.id);
  const stream = (id: number, orig: boolean): string => Buffer.from(chunks.get(`${id}:${orig ? 'o' : 'r'}`) ?? []).toString('latin1');
  return { conns, events, stream, tracker: t };
}

const conv = (o: Partial<ConstructorParameters<typeof TcpConversation>[0]> = {}) =>
  new TcpConversation({ client: ['192.0.2.1', 50000], server: ['198.51.100.7', 443], ...o });

async function one(c: TcpConversation, opts: Partial<TcpTrackerOptions> = {}) {
  const r = await runTcp(c.frames, c.linkType, opts);
  expect(r.conns).toHaveLength(1);
  return { ...r, conn: r.conns[0]! };
}

describe('conn_state and history', () => {
  it('S0: SYN unanswered', async () => {
    const c = conv();
    c.syn();
    const { conn } = await one(c);
    expect(conn.state).toBe('S0');
    expect(conn.history).toBe('S');
    expect(conn.orig.state).toBe(TcpState.SYN_SENT);
    expect(conn.resp.state).toBe(TcpState.INACTIVE);
  });

  it('SYN retries with the same ISN are one attempt, one S, all frames kept', async () => {
    const c = conv();
    c.syn();
    c.wait(1).syn();
    c.wait(2).syn();
    const { conn } = await one(c);
    expect(conn.state).toBe('S0');
    expect(conn.history).toBe('S');
    expect(conn.synFrames).toEqual([1, 2, 3]);
    expect(conn.synTimes[2]! - conn.synTimes[0]!).toBeCloseTo(3.002, 3);
    expect(conn.orig.pkts).toBe(3);
  });

  it('REJ: SYN answered by RST-ACK, with the RST facts', async () => {
    const c = conv({ serverTtl: 57 });
    c.syn();
    c.rst('server');
    const { conn } = await one(c);
    expect(conn.state).toBe('REJ');
    expect(conn.history).toBe('Sr');
    expect(conn.rsts).toHaveLength(1);
    expect(conn.rsts[0]).toMatchObject({ frame: 2, fromOrig: false, ttl: 57, ipId: 0x8000 });
  });

  it('S1 and SF, handshake RTT, the SYN-ACK baseline', async () => {
    const c = conv({ serverTtl: 50, serverIpId: 77 });
    c.syn();
    c.wait(0.02).synAck();
    c.wait(0.005).ack('client');
    const s1 = await one(c);
    expect(s1.conn.state).toBe('S1');
    expect(s1.conn.history).toBe('ShA');
    expect(s1.conn.synAckTtl).toBe(50);
    expect(s1.conn.synAckIpId).toBe(77);
    expect(s1.conn.handshakeRttMs.synToSynAck).toBeCloseTo(21, 3);
    expect(s1.conn.handshakeRttMs.synAckToAck).toBeCloseTo(6, 3);
    expect(s1.conn.ackFrame).toBe(3);

    c.send('client', ascii('hello'));
    c.ack('server');
    c.send('server', ascii('world!'));
    c.ack('client');
    c.fin('client');
    c.fin('server');
    c.ack('client');
    const sf = await one(c);
    expect(sf.conn.state).toBe('SF');
    expect(sf.conn.history).toBe('ShADadFf');
    expect(sf.conn.orig.bytes).toBe(5);
    expect(sf.conn.resp.bytes).toBe(6);
    expect(sf.stream(sf.conn.id, true)).toBe('hello');
    expect(sf.stream(sf.conn.id, false)).toBe('world!');
    expect(sf.conn.fins.map((f) => f.fromOrig)).toEqual([true, false]);
    expect(sf.conn.dataFrames).toEqual({ orig: 4, resp: 6 });
    expect(sf.conn.unackedBytes).toEqual({ orig: 0, resp: 0 });
    expect(sf.events.at(-1)!.kind).toBe('end');
  });

  it('S2 and S3: one side closed', async () => {
    const a = conv();
    a.syn(); a.synAck(); a.ack('client'); a.fin('client');
    expect((await one(a)).conn.state).toBe('S2');
    const b = conv();
    b.syn(); b.synAck(); b.ack('client'); b.fin('server');
    const r = await one(b);
    expect(r.conn.state).toBe('S3');
    expect(r.conn.history).toBe('ShAf');
  });

  it('RSTO and RSTR: reset by either side after establishment', async () => {
    const a = conv();
    a.syn(); a.synAck(); a.ack('client'); a.send('client', ascii('x')); a.rst('client');
    const ra = await one(a);
    expect(ra.conn.state).toBe('RSTO');
    expect(ra.conn.history).toBe('ShADR');
    expect(ra.conn.rsts[0]!.fromOrig).toBe(true);
    const b = conv();
    b.syn(); b.synAck(); b.ack('client'); b.send('client', ascii('GET')); b.rst('server', { ttl: 61, ipId: 4242 });
    const rb = await one(b);
    expect(rb.conn.state).toBe('RSTR');
    expect(rb.conn.history).toBe('ShADr');
    expect(rb.conn.rsts[0]).toMatchObject({ fromOrig: false, ttl: 61, ipId: 4242, frame: 5 });
    expect(rb.conn.synAckTtl).toBe(56);
    expect(rb.conn.unackedBytes.orig).toBe(3);
  });

  it('RSTOS0: SYN then RST from the originator, no SYN-ACK', async () => {
    const c = conv();
    c.syn();
    c.rst('client', { seq: 1001 });
    const { conn } = await one(c);
    expect(conn.state).toBe('RSTOS0');
    expect(conn.history).toBe('SR');
  });

  it('RSTRH: SYN-ACK then RST from the responder, no SYN', async () => {
    const c = conv();
    c.synAck();
    c.rst('server');
    const { conn } = await one(c);
    expect(conn.history).toBe('^hr');
    expect(conn.state).toBe('RSTRH');
    expect(conn.orig.ip).toBe('192.0.2.1');
  });

  it('SH and SHR: a FIN after an unanswered SYN / after a SYN-ACK only', async () => {
    const a = conv();
    a.syn(); a.fin('client');
    const ra = await one(a);
    expect(ra.conn.state).toBe('SH');
    expect(ra.conn.history).toBe('SF');
    const b = conv();
    b.synAck(); b.fin('server');
    const rb = await one(b);
    expect(rb.conn.state).toBe('SHR');
    expect(rb.conn.history).toBe('^hf');
  });

  it('OTH and the flip: mid-stream traffic whose first sender uses a server port', async () => {
    const c = conv({ serverIsn: 90000, clientIsn: 7000 });
    // No handshake captured: the server speaks first.
    c.raw('server', { seq: 90001, ack: 7001, flags: 'PA', payload: ascii('data') });
    c.raw('client', { seq: 7001, ack: 90005, flags: 'A' });
    const { conn, stream } = await one(c);
    expect(conn.state).toBe('OTH');
    expect(conn.history).toBe('^dA');
    expect(conn.orig.ip).toBe('192.0.2.1');
    expect(conn.orig.port).toBe(50000);
    expect(conn.resp.port).toBe(443);
    expect(stream(conn.id, false)).toBe('data');
  });

  it('the flip from a system port toward an ephemeral one (BGP joined in its middle); not toward NFS 2049', async () => {
    // A BGP keepalive from the speaker on 179 to its peer's 35069: 179 is not in Zeek's list.
    const bgp = new TcpConversation({ client: ['172.16.0.2', 35069], server: ['172.16.0.3', 179], serverIsn: 500, clientIsn: 900 });
    bgp.raw('server', { seq: 501, ack: 901, flags: 'PA', payload: filler(19) });
    const a = await one(bgp);
    expect([a.conn.orig.port, a.conn.resp.port]).toEqual([35069, 179]);
    // An NFS client's privileged port toward 2049 (below the ephemeral range): no flip.
    const nfs = new TcpConversation({ client: ['192.0.2.1', 800], server: ['198.51.100.7', 2049], serverIsn: 500, clientIsn: 900 });
    nfs.raw('client', { seq: 901, ack: 501, flags: 'PA', payload: filler(40) });
    const b = await one(nfs);
    expect([b.conn.orig.port, b.conn.resp.port]).toEqual([800, 2049]);
  });

  it("simultaneous open: as in Zeek, the peer's SYN (another ISN) starts a new connection", async () => {
    // Zeek's IsReuse does not look at the direction of a SYN: a SYN whose sequence number is not
    // the originator's ISN on a connection that is not closed is a reuse of the 4-tuple.
    const c = new TcpConversation({ client: ['192.0.2.1', 40000], server: ['198.51.100.7', 40001] });
    c.syn();
    c.raw('server', { seq: 5000, flags: 'S' });
    c.raw('client', { seq: 1000, ack: 5001, flags: 'SA' });
    c.raw('server', { seq: 5000, ack: 1001, flags: 'SA' });
    c.raw('client', { seq: 1001, ack: 5001, flags: 'A' });
    const r = await runTcp(c.frames, c.linkType);
    expect(r.conns.map((x) => [x.orig.port, x.state, x.history, x.finishReason])).toEqual([
      [40000, 'S0', 'S', 'reused'],
      [40001, 'S1', 'Sha', 'end'],
    ]);
    expect(r.conns[1]!.orig.state).toBe(TcpState.ESTABLISHED);
    expect(r.conns[1]!.resp.state).toBe(TcpState.ESTABLISHED);
  });

  it('a new SYN with another ISN after a RST starts a new connection (Zeek IsReuse)', async () => {
    const c = conv();
    c.syn();
    c.rst('server');
    const d = conv({ clientIsn: 999999 });
    // Within the second a refused attempt is held (flow.ts tcpDone) after its RST.
    d.at(c.clock + 0.5).syn();
    d.synAck();
    d.ack('client');
    const r = await runTcp([...c.frames, ...d.frames], c.linkType);
    expect(r.conns.map((x) => [x.state, x.history])).toEqual([['REJ', 'Sr'], ['S1', 'ShA']]);
    expect(r.conns[0]!.finishReason).toBe('reused');
  });
});

describe('retransmissions, windows, ACKs', () => {
  it('T: retransmitted data, counted, delivered once', async () => {
    const c = conv();
    c.syn(); c.synAck(); c.ack('client');
    c.send('client', ascii('abc'));
    c.send('client', ascii('abc'), { retransmit: true });
    c.ack('server');
    const { conn, stream } = await one(c);
    expect(conn.history).toBe('ShADTa');
    expect(conn.retransmits).toEqual({ orig: 1, resp: 0 });
    expect(stream(conn.id, true)).toBe('abc');
  });

  it('T is logarithmic: again at 10 and 100', async () => {
    const c = conv();
    c.syn(); c.synAck(); c.ack('client');
    c.send('client', ascii('abc'));
    for (let i = 0; i < 100; i++) c.send('client', ascii('abc'), { retransmit: true });
    const { conn } = await one(c);
    expect(conn.history).toBe('ShADTTT');
    expect(conn.retransmits.orig).toBe(100);
  });

  it('W: zero window, and duplicate ACKs', async () => {
    const c = conv();
    c.syn(); c.synAck(); c.ack('client');
    c.send('client', ascii('abcd'));
    c.ack('server', { win: 0 });
    c.send('client', ascii('efgh'));
    c.ack('server', { ack: 1005, win: 100 });
    c.ack('server', { ack: 1005, win: 100 });
    c.ack('server', { ack: 1005, win: 100 });
    const { conn } = await one(c);
    expect(conn.history).toBe('ShADaw');
    expect(conn.zeroWindows).toEqual({ orig: 0, resp: 1 });
    expect(conn.dupAcks).toEqual({ orig: 0, resp: 2 });
  });
});

describe('reassembly', () => {
  it('out-of-order segments are delivered in order, zero-copy when in order', async () => {
    const c = conv();
    c.syn(); c.synAck(); c.ack('client');
    const base = c.nextSeq('client');
    c.send('client', ascii('world'), { seq: base + 5 });
    c.send('client', ascii('hello'), { seq: base });
    c.send('client', ascii('!'), { seq: base + 10 });
    const { conn, stream, events } = await one(c);
    expect(stream(conn.id, true)).toBe('helloworld!');
    expect(events.filter((e) => e.kind === 'gap')).toHaveLength(0);
    expect(events.filter((e) => e.kind === 'data').map((e) => e.frame)).toEqual([5, 4, 6]);
  });

  it('a hole is reported as a gap of the right length at the end', async () => {
    const c = conv();
    c.syn(); c.synAck(); c.ack('client');
    const base = c.nextSeq('client');
    c.send('client', ascii('aaaa'), { seq: base });
    c.send('client', ascii('cccc'), { seq: base + 10 });
    c.fin('client', { seq: base + 14 });
    const { conn, stream, events } = await one(c);
    expect(stream(conn.id, true)).toBe('aaaacccc');
    expect(events.filter((e) => e.kind === 'gap')).toEqual([{ kind: 'gap', orig: true, len: 6, conn: conn.id }]);
    expect(conn.gapBytes.orig).toBe(6);
  });

  it('an ACK above unseen data is a content gap (g) and the stream goes on', async () => {
    const c = conv();
    c.syn(); c.synAck(); c.ack('client');
    c.send('client', ascii('GET'));
    c.ack('server');
    const s = c.nextSeq('server');
    c.send('server', filler(100), { seq: s }); // lost below
    c.send('server', ascii('tail'), { seq: s + 100 });
    c.ack('client', { ack: s + 104 });
    const frames = c.frames.filter((_, i) => i !== 5);
    const r = await runTcp(frames, c.linkType);
    const conn = r.conns[0]!;
    expect(conn.history).toBe('ShADadg');
    expect(r.events.filter((e) => e.kind === 'gap')).toEqual([{ kind: 'gap', orig: false, len: 100, conn: conn.id }]);
    expect(r.stream(conn.id, false)).toBe('tail');
  });

  it('bounded buffer: beyond maxHeldBytes the hole is given up', async () => {
    const c = conv();
    c.syn(); c.synAck(); c.ack('client');
    const base = c.nextSeq('client');
    for (let i = 0; i < 4; i++) c.send('client', filler(1000, i + 1), { seq: base + 500 + i * 1000 });
    const r = await runTcp(c.frames, c.linkType, { maxHeldBytes: 2500 });
    const gaps = r.events.filter((e) => e.kind === 'gap');
    expect(gaps).toEqual([{ kind: 'gap', orig: true, len: 500, conn: r.conns[0]!.id }]);
    expect(r.stream(r.conns[0]!.id, true).length).toBe(4000);
  });

  it('sequence numbers wrapping around 2^32', async () => {
    const c = conv({ clientIsn: 0xfffffffa });
    c.syn(); c.synAck(); c.ack('client');
    c.send('client', ascii('0123456789'));
    c.send('client', ascii('abcdef'));
    c.ack('server');
    c.fin('client'); c.fin('server'); c.ack('client');
    const { conn, stream } = await one(c);
    expect(stream(conn.id, true)).toBe('0123456789abcdef');
    expect(conn.history).toBe('ShADaFf');
    expect(conn.state).toBe('SF');
    expect(conn.orig.bytes).toBe(16);
    expect(conn.retransmits.orig).toBe(0);
  });

  it('sequence numbers crossing 2^31 (stored as int32, compared as uint32), with a retransmission and a hole on the far side', async () => {
    const c = conv({ clientIsn: 0x7ffffff8, serverIsn: 0xfffffff0 });
    c.syn(); c.synAck(); c.ack('client');
    const base = c.nextSeq('client');
    c.send('client', ascii('01234567'));            // crosses 0x80000000
    c.send('client', ascii('01234567'), { seq: base }); // retransmitted
    c.send('client', ascii('QRST'), { seq: base + 12 }); // 4 bytes above a 4-byte hole
    c.send('server', ascii('0123456789abcdefghij'));    // crosses 2^32
    c.ack('client');
    c.fin('client', { seq: base + 16 }); c.fin('server'); c.ack('client');
    const { conn, stream, events } = await one(c);
    expect(stream(conn.id, true)).toBe('01234567QRST');
    expect(stream(conn.id, false)).toBe('0123456789abcdefghij');
    expect(events.filter((e) => e.kind === 'gap')).toEqual([{ kind: 'gap', orig: true, len: 4, conn: conn.id }]);
    expect(conn.state).toBe('SF');
    expect(conn.retransmits.orig).toBe(1);
    expect(conn.orig.bytes).toBe(16);
    expect(conn.resp.bytes).toBe(20);
    // The server acknowledged only up to the hole: the hole and what followed stay unacknowledged.
    expect(conn.unackedBytes).toEqual({ orig: 8, resp: 0 });
  });

  it('a segment cut by the snaplen: the missing tail is a gap', async () => {
    const c = conv();
    c.syn(); c.synAck(); c.ack('client');
    c.send('client', filler(200));
    c.send('client', ascii('next'));
    // Ethernet 14 + IPv4 20 + TCP 20 + 24 options (SYN only) → data frames have 54 header bytes.
    const r = await runTcp(c.frames, c.linkType, {}, 54 + 100);
    const conn = r.conns[0]!;
    expect(r.events.filter((e) => e.kind === 'gap')).toEqual([{ kind: 'gap', orig: true, len: 100, conn: conn.id }]);
    expect(r.stream(conn.id, true).length).toBe(104);
    expect(r.stream(conn.id, true).endsWith('next')).toBe(true);
  });

  it('IPv6 connections', async () => {
    const c = new TcpConversation({ client: ['2001:db8::1', 50000], server: ['2001:db8::2', 80] });
    c.syn(); c.synAck(); c.ack('client'); c.send('client', ascii('GET /')); c.rst('server');
    const { conn, stream } = await one(c);
    expect(conn.state).toBe('RSTR');
    expect(conn.orig.ip).toBe('2001:db8::1');
    expect(stream(conn.id, true)).toBe('GET /');
  });
});

describe('passing over bytes the sink does not need', () => {
  // A sink that asks to pass over `skip` bytes after each delivery that starts with '#'.
  function passOverSink(skip: number) {
    const got: string[] = [];
    const gaps: number[] = [];
    const sink: StreamSink = {
      data(_c, _o, buf, off, len) {
        const s = Buffer.from(buf.subarray(off, off + len)).toString('latin1');
        got.push(s);
        return s.startsWith('#') ? skip : 0;
      },
      gap(_c, _o, len) {
        gaps.push(len);
      },
      end() {},
    };
    const dir = new StreamDir(1000, sink, {} as Conn, true, 1 << 20);
    const seg = (seq: number, s: string) => dir.segment(seq, Buffer.from(s, 'latin1'), 0, s.length, s.length, 1, 0);
    return { got, gaps, dir, seg };
  }

  it('passed-over bytes are counted, not delivered; delivery resumes at the first byte after them', () => {
    const { got, dir, seg } = passOverSink(8);
    seg(1000, '#ab');      // asks to pass over the next 8 bytes
    seg(1003, 'xxxxx');    // 5 passed over
    seg(1008, 'xxxHELLO'); // 3 more passed over, 'HELLO' delivered
    seg(1016, 'z');
    expect(got).toEqual(['#ab', 'HELLO', 'z']);
    expect(dir.next).toBe(1017);
  });

  it('held segments drained after a hole honour it too, and a retransmission of passed-over bytes is not delivered', () => {
    const { got, seg } = passOverSink(4);
    seg(1000, '#');
    seg(1005, 'bcDE'); // above a hole: held
    seg(1001, 'xxxx'); // fills it: all 4 passed over; then the held one: 'bcDE' delivered
    seg(1001, 'xxxx'); // retransmission: already behind `next`
    expect(got).toEqual(['#', 'bcDE']);
  });

  it('a gap ends the passing over: bytes after it are delivered', () => {
    const { got, gaps, dir, seg } = passOverSink(100);
    seg(1000, '#');
    seg(1001, 'xx');
    dir.acked(1011); // 8 bytes never seen: a gap
    seg(1011, 'after');
    expect(gaps).toEqual([8]);
    expect(got).toEqual(['#', 'after']);
  });
});

describe('flow table', () => {
  it('closed connections are finished soon after, idle ones after the timeout, memory follows open connections', async () => {
    const frames: CaptureRecord[] = [];
    for (let i = 0; i < 50; i++) {
      const c = new TcpConversation({ client: ['192.0.2.1', 10000 + i], server: ['198.51.100.7', 80], start: 1_700_000_000 + i * 10 });
      c.syn(); c.synAck(); c.ack('client'); c.fin('client'); c.fin('server'); c.ack('client');
      frames.push(...c.frames);
    }
    const r = await runTcp(frames, 1);
    expect(r.conns).toHaveLength(50);
    expect(r.tracker.peakOpen).toBe(1);
    expect(r.conns.every((c) => c.state === 'SF')).toBe(true);
  });

  it('a connection closed both ways and acknowledged goes after 1 s; a close not yet acknowledged waits 2 s', async () => {
    const clean = new TcpConversation({ client: ['192.0.2.1', 30000], server: ['198.51.100.7', 80], start: 1_700_000_000 });
    clean.syn(); clean.synAck(); clean.ack('client'); clean.fin('client'); clean.fin('server'); clean.ack('client');
    // The server's FIN is never acknowledged: it is sent again 1.5 s later, on the same connection.
    const open = new TcpConversation({ client: ['192.0.2.1', 30001], server: ['198.51.100.7', 80], start: 1_700_000_000 });
    open.syn(); open.synAck(); open.ack('client'); open.fin('client'); open.fin('server');
    const refin = open.frames.at(-1)!;
    // A third connection starts 1.2 s later and drives the capture clock.
    const clock = new TcpConversation({ client: ['192.0.2.1', 30002], server: ['198.51.100.7', 80], start: 1_700_000_001.2 });
    clock.syn();
    const lastTs = Number(open.frames.at(-1)!.ts);
    const frames = [...clean.frames, ...open.frames, ...clock.frames, { ts: lastTs + 1.5, frame: refin.frame }]
      .sort((a, b) => Number(a.ts) - Number(b.ts));
    const r = await runTcp(frames, 1);
    const byPort = new Map(r.conns.map((c) => [c.orig.port, c]));
    expect(r.conns).toHaveLength(3);
    expect(byPort.get(30000)).toMatchObject({ state: 'SF', finishReason: 'idle' });
    expect(byPort.get(30001)).toMatchObject({ state: 'SF', finishReason: 'end' });
    expect(byPort.get(30001)!.resp.pkts).toBe(3);
  });

  it('the cap finishes the least recently active connection and counts it', async () => {
    const frames: CaptureRecord[] = [];
    for (let i = 0; i < 10; i++) {
      const c = new TcpConversation({ client: ['192.0.2.1', 20000 + i], server: ['198.51.100.7', 80], start: 1_700_000_000 + i });
      c.syn();
      frames.push(...c.frames);
    }
    const r = await runTcp(frames, 1, { maxConns: 4 });
    expect(r.tracker.evictions).toBe(6);
    expect(r.conns.filter((c) => c.finishReason === 'evicted').map((c) => c.orig.port)).toEqual([20000, 20001, 20002, 20003, 20004, 20005]);
  });
});
