/**
 * samples/ stands alone: every capture file is described in expected.json (and the reverse),
 * has a tshark fixture (so the decoder cross-checks cover it), stays under 200 KB, reads to its
 * end, and names only cause codes of the contract.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { openCapture } from '../src/capture/open.js';
import { CAUSE_CODES } from '../src/diagnose/catalogue.js';
import { FIXTURES, SAMPLES } from './tshark-fixture.js';

interface Expect { target: { name: string | null; ip: string | null; port: number | null; transport: string }; layer: string; cause: string; severity: string }
interface Sample { file: string; format: string; tsresol: string; behaviour: string; expect: Expect[] }

const expected = JSON.parse(readFileSync(join(SAMPLES, 'expected.json'), 'utf8')) as { schema: string; samples: Sample[] };
const files = readdirSync(SAMPLES).filter((f) => /\.(pcap|pcapng)$/.test(f)).sort();
const index = JSON.parse(readFileSync(join(FIXTURES, 'samples/index.json'), 'utf8')) as Record<string, { packets: number }>;

describe('samples/', () => {
  it('expected.json lists exactly the capture files', () => {
    expect(expected.schema).toBe('wirewhy.samples/1');
    expect(expected.samples.map((s) => s.file).sort()).toEqual(files);
    expect(files.length).toBeGreaterThanOrEqual(30);
  });

  it('covers the behaviours the project promises', () => {
    const causes = new Set(expected.samples.flatMap((s) => s.expect.map((e) => e.cause)));
    for (const c of ['ok', 'dns.nxdomain', 'dns.servfail', 'dns.refused', 'dns.no_response', 'dns.no_address', 'tcp.syn_unanswered', 'tcp.refused',
      'tcp.reset', 'tls.alert', 'tls.no_server_hello', 'tls.client_rejected', 'http.error_status', 'http.no_response', 'http.proxy_refused',
      'icmp.net_unreachable', 'icmp.host_unreachable', 'icmp.admin_prohibited', 'icmp.port_unreachable']) {
      expect(causes, c).toContain(c);
    }
  });

  for (const s of expected.samples) {
    it(s.file, async () => {
      const path = join(SAMPLES, s.file);
      expect(statSync(path).size).toBeLessThan(200 * 1024);
      for (const e of s.expect) expect(CAUSE_CODES).toContain(e.cause);
      expect(existsSync(join(FIXTURES, 'samples', `${s.file}.tsv`))).toBe(true);
      const src = await openCapture(path);
      const info = await src.forEach(() => {});
      expect(info.damage).toBeNull();
      expect(info.format).toBe(s.format);
      expect(info.interfaces[0]!.tsDigits).toBe(s.tsresol === 'ns' ? 9 : 6);
      expect(info.packets).toBe(index[s.file]!.packets);
    });
  }
});
