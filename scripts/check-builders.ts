/**
 * Cross-checks the test packet builders with tshark (which the test suite itself never runs):
 *   npx tsc -p tsconfig.json && node dist/scripts/check-builders.js
 * Installs nothing: run scripts/tshark-fixtures.sh first on a machine without tshark.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { TcpConversation, Capture } from '../test/helpers/conversation.js';
import { pcapngFile, isbBlock, nrbBlock, dsbBlock, unknownBlock } from '../test/helpers/pcap.js';
import { buildSamples, samplesAsPcapngRecords } from '../test/helpers/samples.js';

const expect = (v: unknown) => ({
  toBe: (w: unknown) => assert.equal(v, w),
  toContain: (w: string) => assert.ok(String(v).includes(w), `expected to contain ${w}`),
  toMatch: (re: RegExp) => assert.match(String(v), re),
});

const dir = mkdtempSync(join(tmpdir(), 'wirewhy-helpers-'));
  const run = (file: string, extra: string[] = []) =>
    execFileSync('tshark', ['-r', file, '-o', 'tcp.check_checksum:TRUE', '-o', 'udp.check_checksum:TRUE', '-o', 'ip.check_checksum:TRUE',
      ...extra], { encoding: 'utf8', maxBuffer: 64 << 20 });

function samplesDecodeCleanly(): void {
    const samples = buildSamples();
    const { linkTypes, records } = samplesAsPcapngRecords(samples);
    const file = join(dir, 'samples.pcapng');
    writeFileSync(file, pcapngFile({ interfaces: linkTypes.map((l) => ({ linkType: l, name: `lt${l}` })) }, records));
    const bad = run(file, ['-Y', // A quoted (truncated) packet inside an ICMP error fails tshark's inner TCP checksum by nature.
      '_ws.malformed || (_ws.expert.severity >= error && !(icmp || icmpv6)) || icmp.checksum.status == 0 || icmpv6.checksum.status == 0 || ip.checksum.status == 0', '-T', 'fields', '-e', 'frame.number', '-e', 'frame.comment', '-e', '_ws.expert.message']);
    expect(bad.trim()).toBe('');
    const text = run(file, ['-T', 'fields', '-e', 'frame.protocols']);
    const all = text.split('\n');
    for (const p of ['dns', 'tls', 'http', 'icmp', 'icmpv6', 'vlan', 'sll', 'null', 'ipv6.hopopts', 'ipv6.dstopts', 'ipv6.routing', 'ipv6.fraghdr']) {
      expect(all.some((l) => l.split(':').includes(p.split('.')[0]!) || l.includes(p))).toBe(true);
    }
    const tls = run(file, ['-Y', 'tls.handshake.type', '-T', 'fields', '-e', 'tls.handshake.type', '-e', 'tls.handshake.extensions_server_name']);
    expect(tls).toContain('www.example.com');
    expect(tls).toMatch(/\b11\b/);
}

function pcapngVariantsRead(): void {
    const c = new TcpConversation({ client: ['10.0.0.1', 40000], server: ['10.0.0.2', 80] });
    c.syn(); c.synAck(); c.ack('client');
    const recs = c.frames.map((f) => ({ ...f, ts: 1_700_000_000_123_456_789n }));
    const s1 = pcapngFile({
      interfaces: [{ linkType: 1, tsresol: 9, name: 'eth0' }], bigEndian: true,
      before: [nrbBlock([{ addr: Uint8Array.of(10, 0, 0, 2), names: ['server.example'] }]), dsbBlock('CLIENT_RANDOM 00 11\n'), unknownBlock()],
      after: [isbBlock({ iface: 0, ts: 1_700_000_001, ifRecv: 3, ifDrop: 7 })],
    }, recs);
    const s2 = pcapngFile({ interfaces: [{ linkType: 1, tsresol: 0x80 | 20, tsoffset: 1_000_000_000 }] }, recs);
    const s3 = pcapngFile({ interfaces: [{ linkType: 1, snaplen: 60 }], blocks: 'spb' }, recs);
    const s4 = pcapngFile({ interfaces: [{ linkType: 1 }], blocks: 'pb' }, recs);
    const file = join(dir, 'variants.pcapng');
    const all = new Uint8Array([...s1, ...s2, ...s3, ...s4]);
    writeFileSync(file, all);
    const out = run(file, ['-T', 'fields', '-e', 'frame.time_epoch', '-e', 'frame.len', '-e', 'frame.cap_len']).trim().split('\n');
    expect(out.length).toBe(12);
    expect(out[0]).toMatch(/^1700000000\.123456789\t/);
    expect(out[3]).toMatch(/^1700000000\.12345/);
    expect(out[6]!.split('\t')[2]).toBe('60');
    const bad = run(file, ['-Y', '_ws.malformed || _ws.expert.severity >= error']);
    expect(bad.trim()).toBe('');
    const cap = new Capture().addAll(c.frames);
    writeFileSync(join(dir, 'ns.pcap'), cap.pcap({ linkType: 1, nanos: true }));
    expect(run(join(dir, 'ns.pcap'), ['-T', 'fields', '-e', 'tcp.flags.str']).trim().split('\n').length).toBe(3);
}

try {
  samplesDecodeCleanly();
  pcapngVariantsRead();
  process.stdout.write('builders: tshark decodes every sample cleanly\n');
} finally {
  rmSync(dir, { recursive: true, force: true });
}
