/**
 * DNS transactions and TLS sessions against the ground truth in ../shared/captures/MANIFEST.json:
 * Zeek dns.log / ssl.log rows where a Zeek baseline exists, tshark readings elsewhere.
 * Every difference must be listed in KNOWN with its reason; the test fails on an unlisted
 * difference and on a listed one that no longer occurs.
 */
import { eachDecoded } from '../helpers/decoded.js';
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Tracker } from '../../src/track/tracker.js';
import { tlsEstablished, type TlsSession } from '../../src/track/tls.js';
import type { TcpConn } from '../../src/track/tcp.js';
import { alertName, cipherName, qtypeName, rcodeName, tlsVersionName } from '../../src/decode/names.js';
import { SHARED } from '../tshark-fixture.js';

/** "<capture> <section> <row key> <field>" → reason. */
const KNOWN: Record<string, string> = {
  'zeek/dns-dynamic-update.pcap dns 62763>47952 query': 'UPDATE message: the question section holds the zone (StratoLab.org); Zeek logs the updated name instead',
  'zeek/dns-dynamic-update.pcap dns 62763>61191 query': 'UPDATE message: the question section holds the zone (StratoLab.org); Zeek logs the updated name instead',
  'zeek/dns-dynamic-update.pcap dns 62763>47952 qtype_name': 'UPDATE message: Zeek logs no qtype; wirewhy reports the type of the zone section entry (SOA)',
  'zeek/dns-dynamic-update.pcap dns 62763>61191 qtype_name': 'UPDATE message: Zeek logs no qtype; wirewhy reports the type of the zone section entry (SOA)',
};

interface Row { [k: string]: unknown }
interface Entry { path: string; expected: Record<string, Row[]>; truth_sources: Record<string, string> }

const manifest: Entry[] = existsSync(join(SHARED, 'MANIFEST.json')) ? JSON.parse(readFileSync(join(SHARED, 'MANIFEST.json'), 'utf8')) : [];

const zeekVersion = (v: number): string => tlsVersionName(v).replace(/^TLS(\d)\.(\d)/, 'TLSv$1$2');

async function track(path: string): Promise<{ tr: Tracker; tls: Array<{ c: TcpConn; s: TlsSession }> }> {
  const tls: Array<{ c: TcpConn; s: TlsSession }> = [];
  const tr = new Tracker({ onConn: (f) => { if (f.tls) tls.push({ c: f.conn as TcpConn, s: f.tls }); } });
  await eachDecoded(join(SHARED, path), (p) => tr.packet(p));
  tr.flush();
  return { tr, tls };
}

describe.skipIf(manifest.length === 0)('DNS and TLS records agree with Zeek logs and tshark readings', () => {
  const seen = new Set<string>();
  const entries = manifest.filter((e) => e.expected['dns'] || e.expected['ssl']);
  for (const e of entries) {
    it(e.path, async () => {
      const { tr, tls } = await track(e.path);
      const diffs: string[] = [];
      const check = (key: string, field: string, theirs: unknown, ours: unknown): void => {
        const k = `${e.path} ${key} ${field}`;
        if (JSON.stringify(theirs ?? null) === JSON.stringify(ours ?? null)) return;
        if (KNOWN[k]) {
          seen.add(k);
          return;
        }
        diffs.push(`${k}: expected ${JSON.stringify(theirs)} got ${JSON.stringify(ours)}`);
      };
      const txs = tr.dns.all();
      for (const row of e.expected['dns'] ?? []) {
        const key = `dns ${row['orig_p']}>${row['trans_id']}`;
        const cands = txs.filter((t) => t.transport === row['proto'] && t.client.ip === row['orig_h'] && t.client.port === row['orig_p'] &&
          t.server.ip === row['resp_h'] && t.server.port === row['resp_p'] && t.id === row['trans_id']);
        const t = cands.find((x) => (x.query === '' ? '<Root>' : x.query) === row['query']) ?? cands[0];
        if (!t) {
          diffs.push(`${e.path} ${key}: no transaction`);
          continue;
        }
        check(key, 'query', row['query'], t.query === '' ? '<Root>' : t.query);
        if ('qtype_name' in row) check(key, 'qtype_name', row['qtype_name'], t.qtype === null ? null : qtypeName(t.qtype));
        check(key, 'rcode_name', row['rcode_name'], t.rcode === null ? null : rcodeName(t.rcode));
        if ('n_queries' in row) check(key, 'n_queries', row['n_queries'], t.queryFrames.length);
        if ('n_responses' in row) check(key, 'n_responses', Math.min(1, Number(row['n_responses'])), t.responseFrame === null ? 0 : 1);
      }
      for (const row of e.expected['ssl'] ?? []) {
        const key = `ssl ${row['orig_p']}`;
        const m = tls.find(({ c, s }) => {
          const cl = s.clientIsOrig ? c.orig : c.resp;
          const sv = s.clientIsOrig ? c.resp : c.orig;
          return cl.ip === row['orig_h'] && cl.port === row['orig_p'] && sv.ip === row['resp_h'] && sv.port === row['resp_p'];
        });
        if (!m) {
          // QUIC carries TLS over UDP (not analyzed yet); tshark rows marked direction_unknown saw no hello at all.
          if (e.path.includes('quic') || row['direction_unknown']) continue;
          diffs.push(`${e.path} ${key}: no TLS session`);
          continue;
        }
        const s = m.s;
        check(key, 'server_name', row['server_name'], s.clientHello?.sni ?? null);
        check(key, 'version', row['version'], s.serverHello ? zeekVersion(s.serverHello.version) : null);
        check(key, 'last_alert', row['last_alert'], s.alerts.length ? alertName(s.alerts[s.alerts.length - 1]!.description) : null);
        if (e.truth_sources['ssl'] === 'zeek-baseline') {
          check(key, 'cipher', row['cipher'], s.serverHello && s.serverHello.cipher ? cipherName(s.serverHello.cipher) : null);
          check(key, 'established', row['established'], tlsEstablished(s));
        }
      }
      expect(diffs).toEqual([]);
    });
  }
  it('every listed difference still occurs', () => {
    expect(Object.keys(KNOWN).filter((k) => !seen.has(k))).toEqual([]);
  });
});
