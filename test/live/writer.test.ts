/**
 * The -w writer, without libpcap: packets written as pcapng (ns timestamps, interface name,
 * filter, statistics block) and as pcap (by extension) read back identically with wirewhy's
 * reader (itself cross-checked against tshark); the caller's buffer may be reused at once.
 * Also: importing the live module does not load the binding.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { tempDir } from '../helpers/tmp.js';
import { join } from 'node:path';
import { CaptureWriter, formatForPath } from '../../src/capture/writer.js';
import { openCapture } from '../../src/capture/open.js';
import { linkTypeOf, wireLength } from '../../src/capture/live.js';

const dir = tempDir('wirewhy-writer-');

interface Pkt {
  tsSec: number;
  tsNsec: number;
  bytes: Uint8Array;
  origLen: number;
}

function frames(n: number): Pkt[] {
  const out: Pkt[] = [];
  for (let i = 0; i < n; i++) {
    const len = 14 + (i * 37) % 1500 + 1; // odd lengths exercise the 32-bit padding
    const bytes = new Uint8Array(len).map((_, j) => (i * 7 + j) & 0xff);
    out.push({ tsSec: 1_763_700_000 + i, tsNsec: (i * 123_456_789) % 1_000_000_000, bytes, origLen: len + (i % 3 === 0 ? 100 : 0) });
  }
  return out;
}

async function readBack(file: string): Promise<{ pk: Pkt[]; info: Awaited<ReturnType<Awaited<ReturnType<typeof openCapture>>['forEach']>> }> {
  const src = await openCapture(file);
  const pk: Pkt[] = [];
  const info = await src.forEach((p) => {
    pk.push({ tsSec: p.tsSec, tsNsec: p.tsNsec, bytes: p.buf.slice(p.off, p.off + p.capLen), origLen: p.origLen });
  });
  return { pk, info };
}

describe('capture writer', () => {
  it('chooses pcap by extension, else pcapng', () => {
    expect(formatForPath('a.pcap')).toBe('pcap');
    expect(formatForPath('a.PCAP')).toBe('pcap');
    expect(formatForPath('a.pcapng')).toBe('pcapng');
    expect(formatForPath('capture')).toBe('pcapng');
  });

  for (const ext of ['pcapng', 'pcap']) {
    it(`${ext}: what is written reads back, from one reused buffer`, async () => {
      const file = join(dir, `t.${ext}`);
      const w = new CaptureWriter(file, { linkType: 1, snaplen: 65535, ifName: 'veth0', filter: 'tcp port 443' });
      const shared = new Uint8Array(2048);
      const src = frames(3000); // > 1 MiB: the buffer is written out while packets keep coming
      for (const p of src) {
        shared.set(p.bytes, 10);
        w.write(p.tsSec, p.tsNsec, shared, 10, p.bytes.length, p.origLen);
        shared.fill(0xee); // the next packet overwrites the binding's buffer
      }
      w.close({ received: 3100, dropped: 100 });
      w.close(); // twice is harmless
      expect(w.packets).toBe(3000);
      const { pk, info } = await readBack(file);
      expect(info.format).toBe(ext);
      expect(pk).toHaveLength(src.length);
      const bad = src.findIndex((a, i) => {
        const b = pk[i]!;
        return Buffer.compare(Buffer.from(a.bytes), Buffer.from(b.bytes)) !== 0 || b.origLen !== a.origLen || b.tsSec !== a.tsSec ||
          b.tsNsec !== (ext === 'pcap' ? Math.floor(a.tsNsec / 1000) * 1000 : a.tsNsec);
      });
      expect(bad, `packet ${bad + 1} differs`).toBe(-1);
      if (ext === 'pcapng') {
        expect(info.drops).toBe(100); // isb_osdrop from the statistics block written at close
        expect(info.interfaces[0]).toMatchObject({ linkType: 1, name: 'veth0', tsDigits: 9 });
        expect(Buffer.from(readFileSync(file)).includes(Buffer.from('tcp port 443'))).toBe(true);
      } else {
        expect(readFileSync(file).readUInt32LE(0)).toBe(0xa1b2c3d4);
      }
    });
  }

  it('is readable while it is being written (flushed on a timer)', async () => {
    const file = join(dir, 'open.pcapng');
    const w = new CaptureWriter(file, { linkType: 1, snaplen: 65535, flushMs: 20 });
    for (const p of frames(5)) w.write(p.tsSec, p.tsNsec, p.bytes, 0, p.bytes.length, p.origLen);
    await new Promise((r) => setTimeout(r, 100));
    expect((await readBack(file)).pk).toHaveLength(5);
    w.close();
  });
});

describe('live helpers (no binding needed)', () => {
  it('maps the binding\'s link type names', () => {
    expect(linkTypeOf('ETHERNET')).toBe(1);
    expect(linkTypeOf('LINKTYPE_LINUX_SLL')).toBe(113);
    expect(linkTypeOf('RAW')).toBe(101);
    expect(linkTypeOf('NULL')).toBe(0);
    expect(linkTypeOf('Unknown linktype 276')).toBe(276);
  });

  it('reads the wire length of a truncated packet from its IP header', () => {
    const eth = new Uint8Array(64);
    eth[12] = 0x08;
    eth[14] = 0x45;
    eth[16] = 0x05;
    eth[17] = 0xdc; // IPv4 total length 1500
    expect(wireLength(eth, 64, 1)).toBe(1514);
    const v6 = new Uint8Array(64);
    v6[12] = 0x81; // one 802.1Q tag
    v6[16] = 0x86;
    v6[17] = 0xdd;
    v6[18] = 0x60;
    v6[22] = 0x04; // payload length 1024
    expect(wireLength(v6, 64, 1)).toBe(18 + 40 + 1024);
    expect(wireLength(new Uint8Array(10), 10, 1)).toBe(10);
  });
});
