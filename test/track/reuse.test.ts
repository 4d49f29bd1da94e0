/**
 * Reused connection objects (Tracker option `reuse`, used by `analyze`): a finished TCP
 * connection's object is taken again for a later connection. What the tracker hands out must be
 * the same as with a new object every time, and a reset object must be exactly a new one.
 */
import { describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { tempDir } from '../helpers/tmp.js';
import { eachDecoded } from '../helpers/decoded.js';
import { TcpConversation, ascii, pcapFile, type CaptureRecord } from '../helpers/index.js';
import { Tracker, type FinishedConn } from '../../src/track/tracker.js';
import { TcpConn } from '../../src/track/tcp.js';
import { UdpConn } from '../../src/track/udp.js';
import { StreamDir } from '../../src/track/reassembly.js';
import type { Conn, StreamSink } from '../../src/track/types.js';
import { existsSync } from 'node:fs';
import { SAMPLES, SHARED } from '../tshark-fixture.js';

/** Everything a consumer can read of a finished connection, as text, at the moment it is handed out. */
function snapshot(f: FinishedConn): string {
  const skip = new Set(['stream', 'fNext', 'lPrev', 'lNext', 'trk', 'tlsState', 'httpState', 'fA6', 'fB6']);
  return JSON.stringify({ conn: f.conn, tls: f.tls, http: f.http, icmp: f.icmp }, (k, v) => (skip.has(k) ? undefined : v));
}

async function finished(file: string, reuse: boolean): Promise<{ snaps: string[]; objects: Set<object> }> {
  const snaps: string[] = [];
  const objects = new Set<object>();
  const tr = new Tracker({ reuse, onConn: (f) => { snaps.push(snapshot(f)); objects.add(f.conn); } });
  await eachDecoded(file, (p) => tr.packet(p));
  tr.flush();
  return { snaps, objects };
}

/** Capture files under `dir`, one level of subfolders included. */
function captures(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.isDirectory()) out.push(...captures(join(dir, e.name)).filter((f) => f.split('/').length <= dir.split('/').length + 2));
    else if (/\.(pcap|pcapng|cap)(\.gz)?$/.test(e.name)) out.push(join(dir, e.name));
  }
  return out.sort();
}

/**
 * Forty connections one after another, ten seconds apart, of five kinds (complete exchange,
 * refused, reset after data, retransmitted data, SYN retried then answered): each finishes before
 * the next starts, so later ones are built on reused objects.
 */
function sequentialCapture(): string {
  const records: CaptureRecord[] = [];
  for (let i = 0; i < 40; i++) {
    const c = new TcpConversation({
      client: ['192.0.2.10', 40000 + i], server: [`198.51.100.${1 + (i % 7)}`, i % 2 ? 443 : 80],
      start: 1_700_000_000 + i * 10, clientIsn: 1000 + i * 7919, serverIsn: 5000 + i * 104729, clientTtl: 64 - (i % 3),
    });
    const kind = i % 5;
    c.syn();
    if (kind === 4) {
      c.wait(1);
      c.syn();
    }
    if (kind === 1) {
      c.rst('server', { flags: 'RA' });
    } else {
      c.synAck();
      c.ack('client');
      c.send('client', ascii(`GET /${i} HTTP/1.1\r\nHost: h${i}.example\r\n\r\n`));
      if (kind === 3) {
        c.wait(0.3);
        c.send('client', ascii(`GET /${i} HTTP/1.1\r\nHost: h${i}.example\r\n\r\n`), { retransmit: true });
      }
      c.ack('server');
      if (kind === 2) c.rst('server');
      else {
        c.send('server', ascii(`HTTP/1.1 ${200 + i} OK\r\nContent-Length: 3\r\n\r\nabc`));
        c.ack('client');
        c.fin('client');
        c.fin('server');
        c.ack('client');
      }
    }
    records.push(...c.frames);
  }
  const dir = tempDir('wirewhy-reuse-');
  const path = join(dir, 'sequential.pcap');
  writeFileSync(path, pcapFile({ linkType: 1 }, records));
  return path;
}

describe('reused TCP connection and UDP flow objects', () => {
  // The shared captures (real stacks, when ../shared is there) add what the samples lack.
  const files = [sequentialCapture(), ...captures(SAMPLES), ...(existsSync(SHARED) ? captures(SHARED) : [])];

  it('hand out the same facts as new objects, for every sample (and shared capture)', async () => {
    expect(files.length).toBeGreaterThan(30);
    let reusedObjects = 0;
    for (const f of files) {
      const fresh = await finished(f, false);
      const reused = await finished(f, true);
      expect(reused.snaps, f).toEqual(fresh.snaps);
      reusedObjects += fresh.objects.size - reused.objects.size;
    }
    // The comparison means something only if objects were in fact taken again.
    expect(reusedObjects).toBeGreaterThan(30);
  });

  it('a reset connection is exactly a new one', async () => {
    const seen: Array<TcpConn | UdpConn> = [];
    const tr = new Tracker({ onConn: (f) => { seen.push(f.conn); } });
    for (const f of [...captures(SAMPLES), ...(existsSync(SHARED) ? captures(SHARED) : [])]) await eachDecoded(f, (p) => tr.packet(p));
    tr.flush();
    expect(seen.length).toBeGreaterThan(20);
    expect(seen.filter((c) => c instanceof UdpConn).length).toBeGreaterThan(20);
    for (const c of seen) {
      c.reset();
      expect(c).toStrictEqual(c instanceof TcpConn ? new TcpConn() : new UdpConn());
    }
  });

  it('a reinitialised stream is exactly a new one', () => {
    const sink: StreamSink = { data() {}, gap() {}, end() {} };
    const a = {} as Conn;
    const b = {} as Conn;
    const s = new StreamDir(1000, sink, a, true, 64);
    const bytes = new Uint8Array(100);
    s.segment(1000, bytes, 0, 10, 10, 1, 0);
    s.segment(1050, bytes, 0, 40, 40, 2, 0); // above a hole: held
    s.segment(1100, bytes, 0, 40, 40, 3, 0); // past the bound: the hole is given up
    expect(s.gapBytes).toBeGreaterThan(0);
    expect(s.reinit(77, b, false)).toStrictEqual(new StreamDir(77, sink, b, false, 64));
  });
});
