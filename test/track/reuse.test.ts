/**
 * Reused connection objects (Tracker option `reuse`, used by `analyze`): a finished TCP
 * connection's object is taken again for a later connection. What the tracker hands out must be
 * the same as with a new object every time, and a reset object must be exactly a new one.
 */
import { describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { eachDecoded } from '../helpers/decoded.js';
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

describe('reused TCP connection and UDP flow objects', () => {
  // The shared captures (real stacks, when ../shared is there) add what the samples lack.
  const files = [...captures(SAMPLES), ...(existsSync(SHARED) ? captures(SHARED) : [])];

  it('hand out the same facts as new objects, for every sample (and shared capture)', async () => {
    expect(files.length).toBeGreaterThan(30);
    let reusedSomewhere = 0;
    for (const f of files) {
      const fresh = await finished(f, false);
      const reused = await finished(f, true);
      expect(reused.snaps, f).toEqual(fresh.snaps);
      if (reused.objects.size < fresh.objects.size) reusedSomewhere++;
    }
    // The comparison means something only if objects were in fact taken again.
    expect(reusedSomewhere).toBeGreaterThan(5);
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
