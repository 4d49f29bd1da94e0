/**
 * Every labelled case in samples/expected.json gets the right target, layer, cause, severity and
 * identifying details (alert code and sender, rcode, ICMP type/code/sender, HTTP status), and no
 * other target is reported as an error.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openCapture } from '../../src/capture/open.js';
import { analyze } from '../../src/analyze.js';
import type { Verdict } from '../../src/report/model.js';
import { SAMPLES } from '../tshark-fixture.js';

interface Expect {
  target: { name: string | null; ip: string | null; port: number | null; transport: string };
  client: string;
  layer: string;
  cause: string;
  severity: string;
  details: Record<string, unknown>;
}
const expected = JSON.parse(readFileSync(join(SAMPLES, 'expected.json'), 'utf8')) as { samples: Array<{ file: string; expect: Expect[] }> };

function matches(v: Verdict, e: Expect): boolean {
  const t = e.target;
  if (t.name !== null) return v.target.name?.toLowerCase() === t.name.toLowerCase() && (t.port === null || v.target.port === t.port || v.target.port === null);
  return v.target.ip === t.ip && v.target.port === t.port;
}

function detailsAgree(v: Verdict, e: Expect): string[] {
  const d = v.details as Record<string, unknown>;
  const out: string[] = [];
  const ed = e.details;
  if (ed['alert']) {
    const a = ed['alert'] as { code: number; sender: string };
    const got = d['alert'] as { code: number; sender: string } | undefined;
    if (got?.code !== a.code || got?.sender !== a.sender) out.push(`alert ${JSON.stringify(a)} got ${JSON.stringify(got)}`);
  }
  if (ed['rcode'] && d['rcode'] !== ed['rcode']) out.push(`rcode ${ed['rcode']} got ${d['rcode']}`);
  if (ed['icmp']) {
    const i = ed['icmp'] as { type: number; code: number; from: string };
    if (d['type'] !== i.type || d['code'] !== i.code || d['from'] !== i.from) out.push(`icmp ${JSON.stringify(i)} got ${JSON.stringify([d['type'], d['code'], d['from']])}`);
  }
  if (ed['status'] !== undefined && d['status'] !== ed['status']) out.push(`status ${ed['status']} got ${d['status']}`);
  if (ed['endedBy'] !== undefined) {
    const want = ed['endedBy'] as { sender: string; flag: string };
    const got = d['endedBy'] as { sender: string; flag: string } | undefined;
    if (got?.sender !== want.sender || got?.flag !== want.flag) out.push(`endedBy ${JSON.stringify(want)} got ${JSON.stringify(got)}`);
  }
  if (ed['intermittent'] !== undefined && JSON.stringify(d['intermittent']) !== JSON.stringify(ed['intermittent'])) {
    out.push(`intermittent ${JSON.stringify(ed['intermittent'])} got ${JSON.stringify(d['intermittent'])}`);
  }
  if (ed['serverAnsweredOthers'] !== undefined && JSON.stringify(d['serverAnsweredOthers']) !== JSON.stringify(ed['serverAnsweredOthers'])) {
    out.push(`serverAnsweredOthers ${JSON.stringify(ed['serverAnsweredOthers'])} got ${JSON.stringify(d['serverAnsweredOthers'])}`);
  }
  // Password guessing: how many logins were refused, and whether one was accepted after them.
  if (ed['loginsRefused'] !== undefined && d['loginsRefused'] !== ed['loginsRefused']) out.push(`loginsRefused ${ed['loginsRefused']} got ${d['loginsRefused']}`);
  if (ed['loginAccepted'] !== undefined && (d['loginAccepted'] !== undefined) !== ed['loginAccepted']) out.push(`loginAccepted ${ed['loginAccepted']} got ${JSON.stringify(d['loginAccepted'])}`);
  // A port scan: the ports probed, and how many (and, when listed, which) answered each way.
  if (ed['portsProbed'] !== undefined && d['portsProbed'] !== ed['portsProbed']) out.push(`portsProbed ${ed['portsProbed']} got ${d['portsProbed']}`);
  for (const k of ['open', 'closed', 'unanswered']) {
    const want = ed[k] as { count: number; ports?: number[] } | undefined;
    const got = d[k] as { count: number; ports: number[] } | undefined;
    if (want === undefined) continue;
    if (got?.count !== want.count) out.push(`${k} count ${want.count} got ${got?.count}`);
    if (want.ports !== undefined && JSON.stringify(got?.ports) !== JSON.stringify(want.ports)) out.push(`${k} ports ${JSON.stringify(want.ports)} got ${JSON.stringify(got?.ports)}`);
  }
  return out;
}

describe('verdicts for every sample', () => {
  for (const s of expected.samples) {
    it(s.file, async () => {
      const report = await analyze(await openCapture(join(SAMPLES, s.file)), { all: true });
      const problems: string[] = [];
      const used = new Set<Verdict>();
      for (const e of s.expect) {
        const v = report.verdicts.find((x) => !used.has(x) && matches(x, e));
        if (!v) {
          problems.push(`no verdict for ${JSON.stringify(e.target)}; got ${report.verdicts.map((x) => `${x.cause} ${JSON.stringify(x.target)}`).join(' | ')}`);
          continue;
        }
        used.add(v);
        if (v.layer !== e.layer || v.cause !== e.cause || v.severity !== e.severity) {
          problems.push(`${JSON.stringify(e.target)}: expected ${e.layer}/${e.cause}/${e.severity}, got ${v.layer}/${v.cause}/${v.severity}`);
        }
        problems.push(...detailsAgree(v, e).map((x) => `${JSON.stringify(e.target)}: ${x}`));
        if (v.client.ip !== e.client) problems.push(`${JSON.stringify(e.target)}: client ${e.client} got ${v.client.ip}`);
        for (const ev of v.evidence) if (!(ev.frame >= 1 && ev.frame <= report.capture.packets)) problems.push(`evidence frame ${ev.frame} out of range`);
      }
      const extraErrors = report.verdicts.filter((v) => !used.has(v) && v.severity === 'error');
      for (const v of extraErrors) problems.push(`unexpected error verdict ${v.cause} ${JSON.stringify(v.target)}`);
      expect(problems).toEqual([]);
    });
  }
});
