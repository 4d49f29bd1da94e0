/**
 * `capture --redact` (issue 19): no original address or name in the live lines (stderr) or the
 * final report (stdout), in every format. No root needed: the capture runs through
 * test/live/fake-pcap.cjs (the binding's shape, replaying a sample), so the live analyzer, the
 * stream of verdicts and the report are the real ones.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO, SAMPLES } from '../tshark-fixture.js';

const FAKE = join(REPO, 'test/live/fake-pcap.cjs');
const SAMPLE = join(SAMPLES, 'multi-failure.pcap'); // 43 packets: NXDOMAIN, refused, unknown_ca, one that worked
const BIN = join(REPO, 'dist/src/cli/main.js');

function capture(args: string[]): { out: string; err: string; status: number | null } {
  const r = spawnSync(process.execPath, [BIN, 'capture', '-i', 'fake0', '-c', '43', ...args], {
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, WIREWHY_CAP_MODULE: FAKE, WIREWHY_FAKE_PCAP: SAMPLE, WIREWHY_FAKE_PCAP_NOW: '1', NO_COLOR: '1' },
  });
  return { out: r.stdout, err: r.stderr, status: r.status };
}

/** Addresses and names of the capture, as the unredacted report (JSON) gives them. */
function originals(): string[] {
  const r = capture(['--format', 'json', '--all']);
  const doc = JSON.parse(r.out) as { verdicts: Array<{ target: { name: string | null; ip: string | null }; client: { ip: string | null } }>; dns: Array<{ query: string; server: { ip: string } }> };
  const set = new Set<string>();
  for (const v of doc.verdicts) for (const x of [v.target.name, v.target.ip, v.client.ip]) if (x) set.add(x);
  for (const d of doc.dns) for (const x of [d.query, d.server.ip]) if (x) set.add(x);
  return [...set];
}

describe('capture --redact', () => {
  it('shows no original address or name in the live lines or the final report', () => {
    const secret = originals();
    // The capture's hosts and names: client, servers, resolver, the names asked for.
    expect(secret).toEqual(expect.arrayContaining(['192.0.2.10', '203.0.113.10', '198.51.100.53', 'nosuch.example.com', 'untrusted.example.net']));
    const token = (s: string) => new RegExp(`(^|[^0-9A-Za-z.-])${s.replace(/[.]/g, '\\.')}($|[^0-9A-Za-z-]|\\.[^0-9A-Za-z])`, 'm');
    for (const format of ['table', 'json', 'md', 'html']) {
      const r = capture(['--redact', '--format', format, '--all']);
      expect(r.status, r.err).toBe(1);
      // The live lines (JSON lines with --format json) name the three failures as they happen.
      expect(r.err.split('\n').filter((l) => /tcp\.refused|dns\.nxdomain|tls\.alert/.test(l)).length, r.err).toBeGreaterThanOrEqual(3);
      for (const s of secret) {
        expect(r.err, `${format}: live lines hold ${s}`).not.toMatch(token(s));
        expect(r.out, `${format}: report holds ${s}`).not.toMatch(token(s));
      }
    }
    // Without --redact the same run does show them (the check above can fail).
    const plain = capture(['--format', 'md', '--all']);
    expect(plain.out).toMatch(token('nosuch.example.com'));
    expect(plain.err).toMatch(token('203.0.113.10'));
  });
});
