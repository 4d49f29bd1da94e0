/**
 * The words of verdicts told for several targets past the limits (diagnose/overflow.ts): a
 * client's bucket on one port of a host reads "on port 80", not "on 1 ports"; a catch-all bucket
 * (its client: several) shows how many clients in every report format, as the summary counts them.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Verdict } from '../../src/diagnose/verdict.js';
import type { Report } from '../../src/report/model.js';
import { renderReport } from '../../src/report/render.js';
import { verdictWords } from '../../src/report/words.js';
import { BUCKET_CLIENTS, MAX_BUCKETS, MAX_GROUPS } from '../../src/diagnose/overflow.js';
import { crowd, run } from '../helpers/failures.js';

function bucket(ports: { count: number; examples: number[] }): Verdict {
  return {
    target: { name: null, ip: '198.18.0.7', port: null, transport: 'tcp' },
    client: { ip: '192.0.2.10' },
    layer: 'tcp',
    cause: 'tcp.refused',
    severity: 'error',
    attempts: 2,
    facts: { port: ports.examples[0]! },
    evidence: [{ frame: 3, time: '2026-12-06T00:00:00Z', kind: 'syn', args: {} }],
    limits: [],
    details: { ports },
  };
}

describe('a bucket of one port', () => {
  it('is said as the port, in English and Chinese', () => {
    const one = bucket({ count: 1, examples: [80] });
    const en = verdictWords(one, 'en');
    expect(en.summary).toMatch(/, on port 80$/);
    expect(`${en.summary} ${en.explanation}`).not.toMatch(/\b1 ports\b|same client met the same/);
    const zh = verdictWords(one, 'zh');
    expect(zh.summary).toMatch(/，端口 80$/);
    expect(`${zh.summary}${zh.explanation}`).not.toMatch(/共 1 个端口|1 个端口/);
  });

  it('two ports or more keep their count and list', () => {
    const two = bucket({ count: 2, examples: [80, 443] });
    expect(verdictWords(two, 'en').summary).toMatch(/, on 2 ports: 80, 443$/);
    expect(verdictWords(two, 'en').explanation).toMatch(/The same client met the same on 2 ports of this host \(80, 443\)/);
    expect(verdictWords(two, 'zh').summary).toMatch(/（共 2 个端口：80、443）$/);
  });
});

describe('targets past every limit, through the whole pipeline', () => {
  let r: Report;
  let low: Report;
  beforeAll(async () => {
    // One client's refusals take every group and every bucket (a bucket each: port 80 of a host),
    // then 50 clients' SYNs go unanswered and 20 clients are refused: catch-all buckets.
    r = await run(crowd({ groups: MAX_GROUPS, buckets: MAX_BUCKETS, silent: 50, refused: 20 }), 0);
    // More clients than a bucket keeps: their count is a lower bound.
    low = await run(crowd({ groups: MAX_GROUPS, buckets: MAX_BUCKETS, silent: BUCKET_CLIENTS + 100, refused: 0 }), 0);
  }, 240_000);

  it('a client\'s bucket on port 80 of a host reads "on port 80"', () => {
    const one = r.verdicts.find((v) => v.cause === 'tcp.refused' && v.target.ip === '198.18.0.7');
    expect(one, 'the bucket of host 198.18.0.7').toBeDefined();
    expect(one!.details['ports']).toEqual({ count: 1, examples: [80] });
    const table = renderReport({ ...r, verdicts: [one!] }, 'table', { lang: 'en' });
    expect(table).toMatch(/198\.18\.0\.7.*, on port 80/);
    expect(table).not.toMatch(/1 ports/);
    expect(renderReport({ ...r, verdicts: [one!] }, 'md', { lang: 'zh' })).not.toMatch(/共 1 个端口/);
  });

  it('a catch-all verdict shows its number of clients in every format', () => {
    const silent = r.verdicts.filter((v) => v.cause === 'tcp.syn_unanswered');
    expect(silent).toHaveLength(1);
    expect(silent[0]!.client.ip).toBeNull();
    expect(silent[0]!.details).toMatchObject({ clients: 'several', clientCount: 50 });
    expect(silent[0]!.details['clientsAtLeast']).toBeUndefined();
    const only = { ...r, verdicts: silent };
    expect(renderReport(only, 'table', { lang: 'en' })).toMatch(/Cause: tcp\.syn_unanswered {2}Clients: 50\n/);
    expect(renderReport(only, 'table', { lang: 'zh' })).toMatch(/tcp\.syn_unanswered {2}客户端数: 50\n/);
    expect(renderReport(only, 'md', { lang: 'en' })).toMatch(/^- \*\*Clients:\*\* 50$/m);
    expect(renderReport(only, 'md', { lang: 'zh' })).toMatch(/^- \*\*客户端数:\*\* 50$/m);
    expect(renderReport(only, 'html', { lang: 'en' })).toContain('<dt>Clients</dt><dd>50</dd>');
    const json = JSON.parse(renderReport(only, 'json', { lang: 'en' })) as { verdicts: Array<{ client: unknown; details: Record<string, unknown> }> };
    expect(json.verdicts[0]!.client).toEqual({ ip: null });
    expect(json.verdicts[0]!.details['clientCount']).toBe(50);
    // The refusals of 20 clients (a catch-all bucket, CLIENT among them) say 20.
    const refused = r.verdicts.find((v) => v.cause === 'tcp.refused' && v.client.ip === null);
    expect(refused!.details['clientCount']).toBe(20);
    // A verdict that names its client has no count.
    const named = r.verdicts.find((v) => v.client.ip !== null)!;
    expect(renderReport({ ...r, verdicts: [named] }, 'table', { lang: 'en' })).not.toMatch(/Clients:/);
  });

  it('past the clients a bucket keeps: a lower bound, said as one', () => {
    const silent = low.verdicts.find((v) => v.cause === 'tcp.syn_unanswered')!;
    expect(silent.details).toMatchObject({ clientCount: BUCKET_CLIENTS, clientsAtLeast: true });
    const only = { ...low, verdicts: [silent] };
    expect(renderReport(only, 'table', { lang: 'en' })).toMatch(new RegExp(`Clients: ≥ ${BUCKET_CLIENTS}\\n`));
    expect(renderReport(only, 'md', { lang: 'zh' })).toMatch(new RegExp(`^- \\*\\*客户端数:\\*\\* 至少 ${BUCKET_CLIENTS}$`, 'm'));
    expect(renderReport(only, 'html', { lang: 'zh' })).toContain(`<dt>客户端数</dt><dd>至少 ${BUCKET_CLIENTS}</dd>`);
  });
});
