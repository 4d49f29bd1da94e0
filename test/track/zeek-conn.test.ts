/**
 * Cross-check with Zeek: every capture of shared/captures whose conn section comes from a Zeek
 * baseline is read, decoded and tracked, and each connection's conn_state / history (and packet
 * counts where the baseline has them) are compared with Zeek's conn.log rows. Every difference
 * must be listed below with its reason; the test fails on an unlisted difference and on a listed
 * one that went away, so both regressions and unexplained fixes are seen.
 */
import { eachDecoded } from '../helpers/decoded.js';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { TcpTracker, type TcpConn } from '../../src/track/tcp.js';
import { UdpTracker, type UdpConn } from '../../src/track/udp.js';
import type { StreamSink } from '../../src/track/types.js';

const dir = fileURLToPath(new URL('../../../shared/captures/', import.meta.url));
const have = existsSync(`${dir}MANIFEST.json`);

interface Row {
  orig_h: string;
  orig_p: number;
  resp_h: string;
  resp_p: number;
  proto: string;
  conn_state: string;
  history: string;
  orig_pkts?: number;
  resp_pkts?: number;
}
interface Entry {
  path: string;
  truth_sources?: Record<string, string>;
  expected: { conn?: Row[] };
}

/**
 * Known differences: `capture tuple field` → reason. Field is `state`, `history` or `pkts`.
 * The tuple is written `proto orig_h:orig_p > resp_h:resp_p`.
 */
const KNOWN: Record<string, string> = {
};

const noSink: StreamSink = { data() {}, gap() {}, end() {} };

async function track(path: string): Promise<(TcpConn | UdpConn)[]> {
  const out: (TcpConn | UdpConn)[] = [];
  let id = 0;
  const nextId = (): number => ++id;
  // Zeek's timers: a SYN attempt is given up 5 s after it started (tcp_attempt_delay).
  const tcp = new TcpTracker({ sink: noSink, onFinish: (c) => out.push(c), nextId, tcpAttempt: 5 });
  const udp = new UdpTracker({ onFinish: (c) => out.push(c), nextId });
  await eachDecoded(path, (p) => {
    if (p.proto === 6) tcp.packet(p);
    else if (p.proto === 17) udp.packet(p);
  });
  tcp.flush();
  udp.flush();
  return out.sort((a, b) => a.id - b.id);
}

const tupleOf = (proto: string, oh: string, op: number, rh: string, rp: number): string => `${proto} ${oh}:${op} > ${rh}:${rp}`;

describe.skipIf(!have)('Zeek conn.log baselines (shared/captures)', () => {
  const manifest: Entry[] = have ? (JSON.parse(readFileSync(`${dir}MANIFEST.json`, 'utf8')) as Entry[]) : [];
  const entries = manifest.filter((e) => e.truth_sources?.conn === 'zeek-baseline' && e.expected.conn);

  it('agrees with Zeek on conn_state and history for >= 98% of connections, every difference explained', async () => {
    const diffs = new Map<string, string>();
    let total = 0;
    let agree = 0;
    let pktTotal = 0;
    let pktAgree = 0;
    for (const e of entries) {
      const ours = await track(`${dir}${e.path}`);
      const used = new Set<number>();
      for (const row of e.expected.conn!) {
        if (row.proto !== 'tcp' && row.proto !== 'udp') continue;
        total++;
        const t = tupleOf(row.proto, row.orig_h, row.orig_p, row.resp_h, row.resp_p);
        const idx = ours.findIndex((c, i) => !used.has(i) && c.transport === row.proto && c.orig.ip === row.orig_h &&
          c.orig.port === row.orig_p && c.resp.ip === row.resp_h && c.resp.port === row.resp_p);
        if (idx < 0) {
          diffs.set(`${e.path} ${t} missing`, `Zeek ${row.conn_state} '${row.history}', ours: no such connection`);
          continue;
        }
        used.add(idx);
        const c = ours[idx]!;
        let ok = true;
        if (c.state !== row.conn_state) {
          ok = false;
          diffs.set(`${e.path} ${t} state`, `Zeek ${row.conn_state}, ours ${c.state}`);
        }
        if (c.history !== row.history) {
          ok = false;
          diffs.set(`${e.path} ${t} history`, `Zeek '${row.history}', ours '${c.history}'`);
        }
        if (ok) agree++;
        if (row.orig_pkts !== undefined && row.resp_pkts !== undefined) {
          pktTotal++;
          if (c.orig.pkts === row.orig_pkts && c.resp.pkts === row.resp_pkts) pktAgree++;
          else diffs.set(`${e.path} ${t} pkts`, `Zeek ${row.orig_pkts}/${row.resp_pkts}, ours ${c.orig.pkts}/${c.resp.pkts}`);
        }
      }
      // Connections we report that Zeek does not.
      ours.forEach((c, i) => {
        if (used.has(i)) return;
        const t = tupleOf(c.transport, c.orig.ip, c.orig.port, c.resp.ip, c.resp.port);
        if (e.expected.conn!.some((r) => r.proto === c.transport)) diffs.set(`${e.path} ${t} extra`, `ours ${c.state} '${c.history}', not in Zeek's log`);
      });
    }
    const report = [...diffs].map(([k, v]) => `${k}: ${v}`).join('\n');
    process.stdout.write(`zeek conn agreement: ${agree}/${total}; packet counts ${pktAgree}/${pktTotal}\n${report}\n`);
    expect(total).toBeGreaterThan(0);
    expect(agree / total).toBeGreaterThanOrEqual(0.98);
    expect([...diffs.keys()].sort()).toEqual(Object.keys(KNOWN).sort());
  });
});
