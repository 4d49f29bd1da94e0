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
import { redactReport } from '../../src/report/redact.js';

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

/** A catch-all bucket of DNS names refused by one resolver, told for `clients` clients (null: not counted). */
function refusedNames(clients: number | null, firstClient: string | null): Verdict {
  return {
    target: { name: 'a.example.com', ip: null, port: 53, transport: 'udp' },
    client: { ip: null },
    layer: 'dns',
    cause: 'dns.refused',
    severity: 'error',
    attempts: 3,
    facts: { server: '198.51.100.53', name: 'a.example.com', qtype: 'A', ...(firstClient ? { firstClient } : {}) },
    evidence: [],
    limits: [],
    details: { targets: { count: 3, examples: ['a.example.com', 'b.example.com', 'c.example.com'] }, clients: 'several', ...(clients === null ? {} : { clientCount: clients }) },
  };
}

describe('a verdict for many clients speaks of its first target\'s client, named', () => {
  it('says first that the targets came from many clients, and whose words follow', () => {
    const en = verdictWords(refusedNames(3, '10.7.0.1'), 'en').explanation;
    expect(en).toMatch(/^3 targets, from 3 clients, failed the same way; the words below speak of the first, and of its client, 10\.7\.0\.1\. 198\.51\.100\.53 answered REFUSED for a\.example\.com: it is reachable but will not answer this client — typically it does not offer recursion to 10\.7\.0\.1 /);
    expect(en).toMatch(/ There were too many to tell each on its own\.$/);
    expect(en).not.toMatch(/the words above|recursion to \?/);
    const zh = verdictWords(refusedNames(3, '10.7.0.1'), 'zh').explanation;
    expect(zh).toMatch(/^共有 3 个目标（来自 3 个客户端）以同样的方式失败；下面说的是第一个，它来自客户端 10\.7\.0\.1。198\.51\.100\.53 对 a\.example\.com 回复 REFUSED：它可达，但不愿为该客户端应答——通常是它不向 10\.7\.0\.1 提供递归查询/);
    expect(zh).toMatch(/目标太多，不再逐个列出。$/);
    // Advice naming {client} names the first client, not '?'.
    expect(verdictWords(refusedNames(3, '10.7.0.1'), 'en').advice.join('\n')).not.toMatch(/\?/);
    // Clients not counted: "several"; the first client not known: not named.
    expect(verdictWords(refusedNames(null, null), 'en').explanation).toMatch(/^3 targets, from several clients, failed the same way; the words below speak of the first\. /);
    expect(verdictWords(refusedNames(null, null), 'zh').explanation).toMatch(/^共有 3 个目标（来自多个客户端）以同样的方式失败；下面说的是第一个。/);
  });

  it('a bucket of one client keeps its words', () => {
    for (const v of [refusedNames(1, '10.7.0.1'), { ...refusedNames(1, null), client: { ip: '10.7.0.1' }, details: { targets: { count: 3, examples: ['a.example.com'] } } }]) {
      expect(verdictWords(v, 'en').explanation).toBe('198.51.100.53 answered REFUSED for a.example.com: it is reachable but will not answer this client — typically it does not offer recursion to 10.7.0.1 (an access list), or it is an authoritative-only server asked for a name outside its zones. 3 targets failed the same way; the words above speak of the first. There were too many to tell each on its own.');
      expect(verdictWords(v, 'zh').explanation).toMatch(/^198\.51\.100\.53 对 a\.example\.com 回复 REFUSED：.*共有 3 个目标以同样的方式失败，上面说的是第一个；目标太多，不再逐个列出。$/);
    }
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

  it('a catch-all verdict of many clients says so before its words, naming the first target\'s client (redacted with --redact)', () => {
    const silent = r.verdicts.find((v) => v.cause === 'tcp.syn_unanswered')!;
    const en = verdictWords(silent, 'en').explanation;
    expect(en).toMatch(/^50 targets, from 50 clients, failed the same way; the words below speak of the first, and of its client, 10\.9\.0\.0\. The client's connection attempt to 203\.0\.113\.5 port 5432 /);
    expect(verdictWords(silent, 'zh').explanation).toMatch(/^共有 50 个目标（来自 50 个客户端）以同样的方式失败；下面说的是第一个，它来自客户端 10\.9\.0\.0。客户端向 203\.0\.113\.5 端口 5432 的连接请求/);
    const refused = r.verdicts.find((v) => v.cause === 'tcp.refused' && v.client.ip === null)!;
    expect(verdictWords(refused, 'en').explanation).toMatch(/^20 targets, from 20 clients, failed the same way; the words below speak of the first, and of its client, 10\.7\.0\.0\. /);
    const red = redactReport({ ...r, verdicts: [silent] });
    const md = renderReport(red, 'md', { lang: 'en' });
    expect(md).toMatch(/the words below speak of the first, and of its client, 10\.\d+\.\d+\.\d+\./);
    expect(md).not.toContain('10.9.0.0');
  });
});
