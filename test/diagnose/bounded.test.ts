/**
 * Summary first, bounded at any size (issue 21): many failing targets through the whole
 * pipeline — capture reader, decoders, trackers, diagnosis, every renderer — without a stack
 * overflow (no spread of an unbounded list), with the summary counting every target while the
 * verdict list and the report stay bounded.
 */
import { describe, expect, it } from 'vitest';
import { renderReport } from '../../src/report/render.js';
import { isoOf } from '../../src/time.js';
import type { Report } from '../../src/report/model.js';
import { BUCKET_CLIENTS, MAX_BUCKETS, MAX_GROUPS } from '../../src/diagnose/overflow.js';
import { crowd, nxdomains, run, scan, SLOWER_THAN_A_SCAN } from '../helpers/failures.js';
import { docOf } from '../report/reports.js';
import { problems } from '../report/schema-check.js';

const byCause = (r: Report, cause: string) => r.summary!.byCause.find((c) => c.cause === cause);

describe('a million failing targets cost what a thousand do', () => {
  it('300 k NXDOMAIN names: no stack overflow, every name counted, the list and the report bounded', async () => {
    const N = 300_000;
    const r = await run(nxdomains(N));
    const s = r.summary!;
    expect(byCause(r, 'dns.nxdomain')?.targets).toBe(N);
    expect(s.failures).toBe(N);
    expect(r.verdicts.length).toBeLessThanOrEqual(200);
    expect(s.listed).toBe(r.verdicts.length);
    expect(s.listed + s.omitted).toBeGreaterThan(r.verdicts.length);
    // The summary's examples are bounded whatever the number of names.
    expect(byCause(r, 'dns.nxdomain')!.examples.length).toBeLessThanOrEqual(3);
    // Every renderer copes and stays small.
    const json = renderReport(r, 'json', { lang: 'en' });
    expect(json.length).toBeLessThan(4_000_000); // 200 verdicts and 2,000 DNS records
    expect(renderReport(r, 'table', { lang: 'en' }).length).toBeLessThan(1_000_000);
    expect(renderReport(r, 'md', { lang: 'zh' }).length).toBeLessThan(1_000_000);
    expect(renderReport(r, 'html', { lang: 'en' }).length).toBeLessThan(2_000_000);
  }, 240_000);

  it('a verdict that stands for many names says so in its own words, not only in its details', async () => {
    const r = await run(nxdomains(15_000), 0);
    type Told = { summary: string; explanation: string; details: { targets?: { count: number } } };
    const told = (lang: 'en' | 'zh') => (JSON.parse(renderReport(r, 'json', { lang })) as { verdicts: Told[] }).verdicts;
    const many = told('en').find((v) => (v.details.targets?.count ?? 0) > 100);
    expect(many).toBeDefined();
    const count = many!.details.targets!.count;
    expect(many!.summary).toContain(`the same for ${count - 1} other targets`);
    expect(many!.explanation).toContain(`${count} targets`);
    const zh = told('zh').find((v) => v.details.targets?.count === count)!;
    expect(zh.summary).toContain(`共 ${count} 个目标`);
    // A verdict for one name keeps its words.
    const one = told('en').find((v) => v.details.targets === undefined)!;
    expect(one.summary).not.toContain('other targets');
  }, 240_000);

  it('a port scan of one host is one warning with its ports counted, under every limit', async () => {
    const N = 30_000;
    for (const max of [undefined, 0]) {
      const r = await run(scan(N), max);
      // Probes past every group and bucket limit: all told by the scan, none a failure.
      expect(r.summary!.failures).toBe(0);
      expect(r.verdicts.map((v) => v.cause)).toEqual(['tcp.port_scan']);
      const d = r.verdicts[0]!.details as { portsProbed: number; closed: { count: number; ports: number[] }; unanswered: { count: number; ports: number[] }; open: { count: number } };
      expect(d.portsProbed).toBe(N);
      expect([d.closed.count, d.unanswered.count, d.open.count]).toEqual([N / 2, N / 2, 0]);
      expect(d.closed.ports.slice(0, 3)).toEqual([2, 4, 6]);
      expect(d.unanswered.ports.slice(0, 3)).toEqual([1, 3, 5]);
      expect(byCause(r, 'tcp.port_scan')).toMatchObject({ targets: 1, clients: 1, severity: 'warning' });
    }
  }, 240_000);

  it('a client failing on many ports of one host, too slowly for a port scan, is one verdict per cause with its ports counted, under every limit', async () => {
    const N = 30_000;
    const gap = SLOWER_THAN_A_SCAN;
    for (const max of [undefined, 0]) {
      const r = await run(scan(N, gap), max);
      const refused = r.verdicts.filter((v) => v.cause === 'tcp.refused');
      const silent = r.verdicts.filter((v) => v.cause === 'tcp.syn_unanswered');
      expect(refused).toHaveLength(1);
      expect(silent).toHaveLength(1);
      expect((refused[0]!.details['ports'] as { count: number }).count).toBe(N / 2);
      expect((silent[0]!.details['ports'] as { count: number }).count).toBe(N / 2);
      expect(byCause(r, 'tcp.refused')?.targets).toBe(N / 2);
      expect(byCause(r, 'tcp.syn_unanswered')?.targets).toBe(N / 2);
      // First and last times are those of the first and the last port's SYN, whatever the
      // verdict's evidence shows (the first ports') and however the targets were kept.
      expect(byCause(r, 'tcp.refused')?.first).toBe(isoOf(1_700_000_000 + gap * 1e-6));
      expect(byCause(r, 'tcp.refused')?.last).toBe(isoOf(1_700_000_000 + (N - 1) * gap * 1e-6));
      expect(byCause(r, 'tcp.syn_unanswered')?.first).toBe('2023-11-14T22:13:20.000000Z');
      const series = r.summary!.timeline!.series.find((x) => x.cause === 'tcp.refused')!;
      expect(series.counts.reduce((a, b) => a + b, 0)).toBe(N / 2);
    }
  }, 240_000);

  it('the summary counts the same with the list cut (default) and whole (--max-verdicts 0)', async () => {
    // Names past the per-kind limit fall into buckets: the counts must not depend on the cut.
    const N = 12_000;
    const cut = await run(nxdomains(N));
    const all = await run(nxdomains(N), 0);
    expect(cut.summary!.byCause).toEqual(all.summary!.byCause);
    expect(cut.summary!.failures).toBe(all.summary!.failures);
    expect(cut.verdicts.length).toBe(200);
    expect(all.verdicts.length).toBe(all.summary!.listed);
    expect(all.summary!.omitted).toBe(0);
    // Every name is in some verdict of the whole list, counted once.
    const counted = all.verdicts.reduce((n, v) => n + ((v.details['targets'] as { count?: number } | undefined)?.count ?? 1), 0);
    expect(counted).toBe(N);
  }, 240_000);

  it('counts the clients of targets past every limit (buckets for several clients)', async () => {
    // Every group and bucket taken by one client's refusals; then 50 clients' SYNs go unanswered
    // and 20 refusals come from 19 new clients and the first one: no verdict of either names a client.
    const shape = { groups: MAX_GROUPS, buckets: MAX_BUCKETS, silent: 50, refused: 20 };
    const cut = await run(crowd(shape));
    const all = await run(crowd(shape), 0);
    const silent = all.verdicts.filter((v) => v.cause === 'tcp.syn_unanswered');
    expect(silent.every((v) => v.client.ip === null)).toBe(true); // the case at hand: catch-all buckets
    expect(byCause(cut, 'tcp.syn_unanswered')).toMatchObject({ targets: 50, clients: 50 });
    expect(byCause(cut, 'tcp.refused')).toMatchObject({ targets: MAX_GROUPS + MAX_BUCKETS + 20, clients: 20 });
    for (const c of cut.summary!.byCause) expect(c.clientsAtLeast, c.cause).toBeUndefined();
    expect(cut.summary!.byCause).toEqual(all.summary!.byCause);
    expect(renderReport(cut, 'table', { lang: 'en' })).toMatch(/tcp\.syn_unanswered\s*│\s*50[^│]*│\s*50\s*│/);
  }, 240_000);

  it('past the clients a bucket keeps, the count is a lower bound and says so', async () => {
    const N = BUCKET_CLIENTS + 500;
    const r = await run(crowd({ groups: MAX_GROUPS, buckets: MAX_BUCKETS, silent: N, refused: 0 }));
    expect(byCause(r, 'tcp.syn_unanswered')).toMatchObject({ targets: N, clients: BUCKET_CLIENTS, clientsAtLeast: true });
    expect(byCause(r, 'tcp.refused')!.clientsAtLeast).toBeUndefined();
    // The targets cell may add how many were inbound: '4596 (4596 inbound)'.
    expect(renderReport(r, 'table', { lang: 'en' })).toMatch(new RegExp(`tcp\\.syn_unanswered\\s*│\\s*${N}[^│]*│\\s*≥ ${BUCKET_CLIENTS}\\s*│`));
    expect(renderReport(r, 'md', { lang: 'zh' })).toMatch(new RegExp(`\\| \`tcp\\.syn_unanswered\` \\| ${N}[^|]* \\| 至少 ${BUCKET_CLIENTS} \\|`));
    expect(renderReport(r, 'html', { lang: 'en' })).toMatch(new RegExp(`<td class="n">${N}[^<]*</td><td class="n">≥ ${BUCKET_CLIENTS}</td>`));
    expect(problems(docOf(r, 'en'))).toEqual([]);
    const doc = JSON.parse(renderReport(r, 'json', { lang: 'en' })) as { summary: { byCause: Array<Record<string, unknown>> } };
    expect(doc.summary.byCause.find((c) => c['cause'] === 'tcp.syn_unanswered')!['clientsAtLeast']).toBe(true);
  }, 240_000);
});
