/**
 * The tracking stage never throws on packet bytes: real frames from the bundled samples, with
 * random bytes overwritten, are decoded and tracked in random order, and every connection still
 * comes out finished with a conn_state. (The decoder's own robustness is test/decode/fuzz.)
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { openCapture } from '../../src/capture/open.js';
import { newRawPacket } from '../../src/capture/types.js';
import { Decoder } from '../../src/decode/decoder.js';
import { Packet } from '../../src/decode/packet.js';
import { Tracker, type FinishedConn } from '../../src/track/tracker.js';

const SAMPLES = join(import.meta.dirname, '../../samples');

async function sampleFrames(): Promise<Array<{ linkType: number; bytes: Uint8Array; tsSec: number; tsNsec: number }>> {
  const out: Array<{ linkType: number; bytes: Uint8Array; tsSec: number; tsNsec: number }> = [];
  for (const f of readdirSync(SAMPLES).filter((x) => /\.pcap(ng)?$/.test(x)).sort()) {
    const src = await openCapture(join(SAMPLES, f));
    await src.forEach((r) => {
      out.push({ linkType: r.linkType, bytes: r.buf.slice(r.off, r.off + r.capLen), tsSec: r.tsSec, tsNsec: r.tsNsec });
    });
  }
  return out;
}

describe('tracker robustness', () => {
  it('mutated real frames in random order: no exception, every connection finished', async () => {
    const frames = await sampleFrames();
    expect(frames.length).toBeGreaterThan(200);
    const mutation = fc.record({
      frame: fc.nat(frames.length - 1),
      // Offsets into the first 120 bytes: the headers the tracker reads.
      edits: fc.array(fc.tuple(fc.nat(119), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }),
      cut: fc.nat(200),
    });
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 60 }), (muts) => {
        const dec = new Decoder();
        const p = new Packet();
        // Connection objects are reused: what is checked is read when each one is handed over.
        const states: string[] = [];
        const tr = new Tracker({ onConn: (f: FinishedConn) => states.push(f.conn.state), reuse: true });
        const raw = newRawPacket();
        let n = 0;
        for (const m of muts) {
          const f = frames[m.frame]!;
          const bytes = f.bytes.slice(0, Math.max(0, f.bytes.length - m.cut));
          for (const [at, v] of m.edits) if (at < bytes.length) bytes[at] = v;
          // Surrounded by other bytes, as in the reader's buffer.
          const buf = new Uint8Array(bytes.length + 32).fill(0xa5);
          buf.set(bytes, 16);
          Object.assign(raw, { frame: ++n, linkType: f.linkType, buf, off: 16, capLen: bytes.length, origLen: f.bytes.length,
            tsSec: f.tsSec + n, tsNsec: f.tsNsec });
          dec.decode(raw, p);
          tr.packet(p);
        }
        tr.flush();
        for (const st of states) expect(st).not.toBe('');
        if (states.length > 0) expect(tr.tcp.peakOpen + tr.udp.peakOpen).toBeGreaterThan(0);
      }),
      { numRuns: 400 },
    );
  });
});
