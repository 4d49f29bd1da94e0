/**
 * --redact: for every sample, no original address or name is left in any format (JSON, table,
 * Markdown, HTML); the mapping is consistent (one original → one pseudonym, distinct originals →
 * distinct pseudonyms) and keeps the kind of address; ports, causes, times and frames are kept;
 * the same input gives the same output; the CLI applies it.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { isIPv4, isIPv6 } from 'node:net';
import { join } from 'node:path';
import { redactReport, isReservedName } from '../../src/report/redact.js';
import { warningText } from '../../src/report/warnings.js';
import { renderReport, FORMATS } from '../../src/report/render.js';
import type { Report } from '../../src/report/model.js';
import { REPO, SAMPLES } from '../tshark-fixture.js';
import { SAMPLE_FILES, hostileCaptureReport, sampleReport } from './reports.js';

const KEPT = (ip: string): boolean => ip === '0.0.0.0' || ip === '255.255.255.255' || ip.startsWith('127.') || ip === '::' || ip === '::1' || /^2(2[4-9]|3\d)\./.test(ip) || /^ff/i.test(ip);

/** Addresses and names of a report, read from its structured fields (not from its prose). */
function originals(r: Report): { ips: Set<string>; names: Set<string> } {
  const ips = new Set<string>();
  const names = new Set<string>();
  const ip = (s: string | null | undefined): void => {
    if (s && (isIPv4(s) || isIPv6(s)) && !KEPT(s)) ips.add(s);
  };
  const name = (s: string | null | undefined): void => {
    if (!s) return;
    const n = s.replace(/:\d+$/, '').replace(/^\*\./, '').replace(/\.$/, '').toLowerCase();
    if (isIPv4(n) || isIPv6(n)) return ip(n);
    if (n && !isReservedName(n) && !/\.(in-addr|ip6)\.arpa$/.test(n)) names.add(n);
  };
  for (const v of r.verdicts) {
    ip(v.target.ip);
    ip(v.client.ip);
    name(v.target.name);
    for (const e of v.evidence) {
      ip(e.from);
      ip(e.to);
    }
  }
  for (const c of r.connections) {
    ip(c.client.ip);
    ip(c.server.ip);
    name(c.name);
  }
  for (const d of r.dns) {
    ip(d.client.ip);
    ip(d.server.ip);
    name(d.query);
    d.answers.forEach(name);
  }
  for (const t of r.tls) {
    ip(t.client.ip);
    ip(t.server.ip);
    name(t.sni);
    t.certificate?.san.forEach(name);
  }
  for (const e of r.icmp) ip(e.from);
  for (const h of r.http) {
    ip(h.client.ip);
    ip(h.server.ip);
    name(h.host);
  }
  return { ips, names };
}

const escRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** Undo the formats' escaping, so an escaped original is still found. */
const plain = (s: string): string =>
  s.replace(/\\([!-/:-@[-`{-~])/g, '$1').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');

function leftovers(text: string, o: { ips: Set<string>; names: Set<string> }): string[] {
  const t = plain(text);
  const found: string[] = [];
  for (const ip of o.ips) if (new RegExp(`(?<![0-9A-Fa-f.:])${escRe(ip)}(?![0-9A-Fa-f]|\\.\\d|:[0-9A-Fa-f])`, 'i').test(t)) found.push(ip);
  for (const n of o.names) if (new RegExp(`(?<![0-9A-Za-z_-])${escRe(n)}(?![0-9A-Za-z_-])`, 'i').test(t)) found.push(n);
  return found;
}

/** Pairs (original, pseudonym) read from the same structured positions of the two reports. */
function pairs(a: Report, b: Report): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const add = (x: string | null | undefined, y: string | null | undefined): void => {
    if (x && y) out.push([x, y]);
  };
  a.verdicts.forEach((v, i) => {
    const w = b.verdicts[i]!;
    add(v.target.ip, w.target.ip);
    add(v.client.ip, w.client.ip);
    add(v.target.name, w.target.name);
  });
  a.connections.forEach((c, i) => {
    add(c.client.ip, b.connections[i]!.client.ip);
    add(c.server.ip, b.connections[i]!.server.ip);
    add(c.name, b.connections[i]!.name);
  });
  a.dns.forEach((d, i) => {
    add(d.client.ip, b.dns[i]!.client.ip);
    add(d.server.ip, b.dns[i]!.server.ip);
    add(d.query, b.dns[i]!.query);
  });
  a.tls.forEach((t, i) => add(t.sni, b.tls[i]!.sni));
  return out;
}

const inV4 = (ip: string, net: string, bits: number): boolean => {
  const n = (s: string): number => s.split('.').reduce((x, o) => x * 256 + Number(o), 0);
  return Math.floor(n(ip) / 2 ** (32 - bits)) === Math.floor(n(net) / 2 ** (32 - bits));
};

describe('redactReport', () => {
  it.each(SAMPLE_FILES)('%s: no original address or name in any format; consistent; kinds kept', async (f) => {
    const r = await sampleReport(f, true);
    const o = originals(r);
    expect(o.ips.size, 'the sample has addresses').toBeGreaterThan(0);
    const red = redactReport(r);
    for (const lang of ['en', 'zh'] as const) {
      for (const format of FORMATS) {
        const out = renderReport(red, format, { lang });
        expect(leftovers(out, o), `${format} ${lang}`).toEqual([]);
      }
    }
    expect(red.capture.source).toMatch(/^capture\.pcap(ng)?$/);
    // A function, and one-to-one.
    const fwd = new Map<string, string>();
    const back = new Map<string, string>();
    for (const [x, y] of pairs(r, red)) {
      const k = x.toLowerCase();
      if (fwd.has(k)) expect(fwd.get(k), x).toBe(y);
      fwd.set(k, y);
      if (back.has(y)) expect(back.get(y), y).toBe(k);
      back.set(y, k);
      if (isIPv4(x)) {
        expect(isIPv4(y), `${x} → ${y}`).toBe(true);
        for (const [net, bits] of [['192.0.2.0', 24], ['198.51.100.0', 24], ['203.0.113.0', 24], ['10.0.0.0', 8], ['172.16.0.0', 12], ['192.168.0.0', 16]] as const) {
          if (inV4(x, net, bits)) expect(inV4(y, net, bits), `${x} → ${y}`).toBe(true);
        }
      }
      if (isIPv6(x)) {
        expect(isIPv6(y), `${x} → ${y}`).toBe(true);
        if (/^2001:db8:/i.test(x)) expect(y, x).toMatch(/^2001:db8:/);
      }
    }
    // Kept as they were: the shape and every number that is not an address.
    expect(red.verdicts.map((v) => [v.cause, v.layer, v.severity, v.target.port, v.attempts, v.evidence.map((e) => [e.frame, e.time])]))
      .toEqual(r.verdicts.map((v) => [v.cause, v.layer, v.severity, v.target.port, v.attempts, v.evidence.map((e) => [e.frame, e.time])]));
    expect(red.connections.map((c) => [c.client.port, c.server.port, c.state, c.history, c.start])).toEqual(r.connections.map((c) => [c.client.port, c.server.port, c.state, c.history, c.start]));
    // Deterministic.
    expect(JSON.stringify(redactReport(r))).toBe(JSON.stringify(red));
  });

  it('maps public addresses to the benchmarking ranges, private ones into their range, names label by label', () => {
    const r = {
      schema: 'wirewhy.report/1', tool: { name: 'wirewhy', version: 'x' },
      capture: { source: '/home/alice/prod-db.acme.de.pcapng.gz', format: 'pcapng', compressed: true, linkTypes: [], packets: 1, bytes: 1, start: null, end: null, truncatedPackets: 0, drops: null, damage: null, warnings: [] },
      verdicts: [], dns: [], tls: [], icmp: [], http: [],
      connections: [
        ['8.8.8.8', '10.1.2.3', 'api.acme.de'], ['2a00:1450::1', 'fd12::5', 'www.acme.de'], ['172.20.0.9', '192.168.1.1', 'x.y.example.com'], ['127.0.0.1', '8.8.8.8', null],
      ].map(([s, c, name]) => ({ transport: 'tcp', client: { ip: c, port: 1 }, server: { ip: s, port: 443 }, state: 'SF', history: 'S', start: '', end: '', packets: { client: 0, server: 0 }, bytes: { client: 0, server: 0 }, name })),
    } as unknown as Report;
    r.capture.warnings.push({ kind: 'damage', args: { code: 'BAD_RECORD', message: 'seen 8.8.8.8 and api.acme.de and a.api.acme.de, 7.0.0.10.in-addr.arpa', offset: 1, frame: 2, packets: 1 } });
    const red = redactReport(r);
    const c = red.connections;
    expect(c[0]!.server.ip).toMatch(/^198\.1[89]\./);
    expect(c[3]!.client.ip).toBe(c[0]!.server.ip);
    expect(c[0]!.client.ip).toMatch(/^10\./);
    expect(c[1]!.server.ip).toMatch(/^2001:2::/);
    expect(c[1]!.client.ip).toMatch(/^fd00::/);
    expect(c[2]!.server.ip).toMatch(/^172\.(1[6-9]|2\d|3[01])\./);
    expect(c[2]!.client.ip).toMatch(/^192\.168\./);
    expect(c[3]!.server.ip).toBe('127.0.0.1');
    // Same parent domain → same parent pseudonym; the country TLD and the reserved suffix stay.
    const [a, b] = [c[0]!.name!, c[1]!.name!];
    expect(a).toMatch(/^n\d+\.n\d+\.de$/);
    expect(a.split('.').slice(1)).toEqual(b.split('.').slice(1));
    expect(c[2]!.name).toMatch(/^n\d+\.n\d+\.example\.com$/);
    expect(red.capture.source).toBe('capture.pcapng.gz');
    const w = warningText(red.capture.warnings[0]!, 'en');
    expect(w).toContain(`seen ${c[0]!.server.ip} and ${a} and n`);
    expect(w).toMatch(new RegExp(`and n\\d+\\.${a.replace(/\./g, '\\.')},`));
    expect(w).not.toMatch(/acme|8\.8\.8\.8|10\.0\.0\.7|7\.0\.0\.10/);
    expect(w).toMatch(/\d+\.\d+\.\d+\.10\.in-addr\.arpa/);
  });

  it('a hostile capture: the Host name and the path are replaced too', async () => {
    const r = await hostileCaptureReport();
    const red = redactReport(r);
    const json = JSON.stringify(red);
    expect(json).not.toContain('<script>alert(1)</script>.evil');
    expect(json).not.toContain('a\\"b');
    expect(red.http[0]!.path).toBe('/path-1');
  });
});

describe('analyze --redact', () => {
  it('applies to the CLI output', () => {
    const BIN = join(REPO, 'dist/src/cli/main.js');
    const run = (args: string[]): string => spawnSync(process.execPath, [BIN, 'analyze', ...args], { encoding: 'utf8', timeout: 30_000 }).stdout;
    const plainOut = run(['--format', 'json', join(SAMPLES, 'tls-unknown-ca.pcapng')]);
    const redOut = run(['--format', 'json', '--redact', join(SAMPLES, 'tls-unknown-ca.pcapng')]);
    expect(plainOut).toContain('untrusted.example.net');
    expect(redOut).not.toContain('untrusted.example.net');
    expect(redOut).not.toContain('192.0.2.10');
    expect(JSON.parse(redOut).verdicts[0].cause).toBe('tls.alert');
  });
});
