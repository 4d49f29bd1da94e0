/**
 * The order the verdicts are listed in (summary.ts order; README "Busy captures"): failures, then
 * warnings, then what worked; within each, the capture's own exchanges before inbound ones; causes
 * taken in turn, the rarest first (by the targets they stand for), so that a few TLS alerts are not
 * buried under thousands of NXDOMAIN names; each cause's verdicts keep their own order.
 *
 * Checked on lists made here (the rule itself), on a capture built packet by packet through the
 * whole pipeline, and, as properties of every report, on every sample and every capture under
 * ../shared/captures (MANIFEST.json and field/) when that folder is there.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { openCapture, openStream } from '../../src/capture/open.js';
import { analyze } from '../../src/analyze.js';
import { order, targetsOf } from '../../src/diagnose/summary.js';
import type { Severity, Verdict } from '../../src/diagnose/verdict.js';
import type { Report } from '../../src/report/model.js';
import { SAMPLES, SHARED } from '../tshark-fixture.js';
import { Capture, TcpConversation, dnsMessage, ethIp, udpIp } from '../helpers/index.js';

let serial = 0;
function verdict(cause: string, severity: Severity, o: { inbound?: boolean; ports?: number } = {}): Verdict {
  serial++;
  return {
    target: { name: `t${serial}.example.org`, ip: null, port: 443, transport: 'tcp' },
    client: { ip: '192.0.2.10' },
    layer: cause.split('.')[0] as Verdict['layer'],
    cause,
    severity,
    attempts: 1,
    facts: {},
    evidence: [],
    limits: [],
    details: o.ports !== undefined ? { ports: { count: o.ports } } : {},
    ...(o.inbound !== undefined ? { inbound: o.inbound } : {}),
  };
}

const names = (vs: readonly Verdict[]): string[] => vs.map((v) => v.target.name!);
const rank = (s: Severity): number => (s === 'error' ? 0 : s === 'warning' ? 1 : 2);

/** What breaks the reading order in `vs` (none: an empty list). */
function orderProblems(vs: readonly Verdict[], inbound: (v: Verdict) => boolean): string[] {
  const out: string[] = [];
  for (let i = 1; i < vs.length; i++) {
    const a = vs[i - 1]!;
    const b = vs[i]!;
    const ka = rank(a.severity) * 2 + (inbound(a) ? 1 : 0);
    const kb = rank(b.severity) * 2 + (inbound(b) ? 1 : 0);
    if (kb < ka) out.push(`#${i} ${b.cause} (${b.severity}${inbound(b) ? ', inbound' : ''}) after ${a.cause} (${a.severity}${inbound(a) ? ', inbound' : ''})`);
  }
  // Within each failing or warning part: causes in turn, the rarest first — a cause's k-th verdict
  // never comes before the (k-1)-th of a cause with as many targets or more.
  const parts = new Map<number, Verdict[]>();
  for (const v of vs) {
    const k = rank(v.severity) * 2 + (inbound(v) ? 1 : 0);
    if (k >= 4) continue;
    parts.set(k, [...(parts.get(k) ?? []), v]);
  }
  for (const p of parts.values()) {
    const targets = new Map<string, number>();
    for (const v of p) targets.set(v.cause, (targets.get(v.cause) ?? 0) + targetsOf(v));
    const seen = new Map<string, number>();
    const turn = p.map((v) => {
      const k = seen.get(v.cause) ?? 0;
      seen.set(v.cause, k + 1);
      return k;
    });
    for (let i = 1; i < p.length; i++) {
      if (turn[i]! < turn[i - 1]!) out.push(`${p[i]!.cause}'s verdict #${turn[i]} after ${p[i - 1]!.cause}'s #${turn[i - 1]}`);
      if (turn[i] === turn[i - 1] && targets.get(p[i]!.cause)! < targets.get(p[i - 1]!.cause)!) {
        out.push(`${p[i]!.cause} (${targets.get(p[i]!.cause)} targets) after ${p[i - 1]!.cause} (${targets.get(p[i - 1]!.cause)}) in turn ${turn[i]}`);
      }
    }
  }
  return out;
}

describe('verdict order (the rule)', () => {
  it('failures, then warnings, then what worked; own before inbound within each', () => {
    const list = [
      verdict('ok', 'ok'),
      verdict('capture.one_sided', 'warning', { inbound: true }),
      verdict('tcp.refused', 'error', { inbound: true }),
      verdict('capture.one_sided', 'warning'),
      verdict('dns.nxdomain', 'error'),
    ];
    const inbound = (v: Verdict): boolean => v.inbound === true;
    const out = order(list, inbound);
    expect(out.map((v) => `${v.severity}${inbound(v) ? '/in' : ''}`)).toEqual(['error', 'error/in', 'warning', 'warning/in', 'ok']);
    expect(orderProblems(out, inbound)).toEqual([]);
  });

  it('causes in turn, the rarest first: 2 TLS alerts before the 3rd of 5 NXDOMAIN names, each cause in its own order', () => {
    const nx = [1, 2, 3, 4, 5].map(() => verdict('dns.nxdomain', 'error'));
    const alerts = [1, 2].map(() => verdict('tls.alert', 'error'));
    const refused = verdict('tcp.refused', 'error');
    const out = order([...nx.slice(0, 3), alerts[0]!, ...nx.slice(3), refused, alerts[1]!], () => false);
    expect(names(out)).toEqual(names([refused, alerts[0]!, nx[0]!, alerts[1]!, nx[1]!, nx[2]!, nx[3]!, nx[4]!]));
    expect(orderProblems(out, () => false)).toEqual([]);
  });

  it('a verdict standing for many targets (ports counted) weighs them all', () => {
    const scan = verdict('tcp.refused', 'error', { ports: 40 });
    const nx = [1, 2, 3].map(() => verdict('dns.nxdomain', 'error'));
    const out = order([scan, ...nx], () => false);
    // tcp.refused stands for 40 targets, dns.nxdomain for 3: NXDOMAIN goes first.
    expect(names(out)).toEqual(names([nx[0]!, scan, nx[1]!, nx[2]!]));
  });

  it('what worked keeps its order, whatever the causes', () => {
    const oks = [1, 2, 3].map(() => verdict('ok', 'ok'));
    expect(names(order([oks[2]!, oks[0]!, oks[1]!], () => false))).toEqual(names([oks[2]!, oks[0]!, oks[1]!]));
  });

  it('the check itself catches a list out of order', () => {
    const a = verdict('dns.nxdomain', 'error');
    const b = verdict('dns.nxdomain', 'error');
    const c = verdict('tls.alert', 'error');
    expect(orderProblems([a, b, c], () => false)).not.toEqual([]);
    expect(orderProblems([verdict('ok', 'ok'), a], () => false)).not.toEqual([]);
  });
});

async function run(cap: Capture): Promise<Report> {
  const bytes = cap.pcap({ linkType: 1 });
  async function* one(): AsyncIterable<Uint8Array> {
    yield bytes;
  }
  return analyze(await openStream(one(), { name: 'built.pcap' }), { maxVerdicts: 0 });
}

describe('verdict order through the pipeline', () => {
  it('six NXDOMAIN names, then one refused port: the refusal (the rarer cause) is listed first, not seventh', async () => {
    const cap = new Capture();
    const T0 = 1_700_000_000;
    for (let i = 0; i < 6; i++) {
      const name = `missing${i}.example.org`;
      const q = dnsMessage({ id: 100 + i, rd: true, questions: [{ name, type: 1 }] });
      const a = dnsMessage({ id: 100 + i, qr: true, rd: true, ra: true, rcode: 3, questions: [{ name, type: 1 }] });
      cap.add(T0 + i, ethIp(udpIp({ src: '192.0.2.10', dst: '198.51.100.53', sport: 40000 + i, dport: 53 }, q)));
      cap.add(T0 + i + 0.01, ethIp(udpIp({ src: '198.51.100.53', dst: '192.0.2.10', sport: 53, dport: 40000 + i }, a)));
    }
    const c = new TcpConversation({ client: ['192.0.2.10', 41000], server: ['203.0.113.40', 8443], start: T0 + 10 });
    c.syn();
    c.rst('server');
    cap.addAll(c.frames);
    const r = await run(cap);
    expect(r.verdicts.map((v) => v.cause)).toEqual(['tcp.refused', ...Array(6).fill('dns.nxdomain')]);
    // The names in the order they failed.
    expect(r.verdicts.slice(1).map((v) => v.target.name)).toEqual([0, 1, 2, 3, 4, 5].map((i) => `missing${i}.example.org`));
  });

  it('every sample\'s report is in reading order', async () => {
    const files = readdirSync(SAMPLES).filter((f) => /\.(pcap|pcapng)$/.test(f));
    expect(files.length).toBeGreaterThan(50);
    for (const f of files) {
      const r = await analyze(await openCapture(join(SAMPLES, f)), { maxVerdicts: 0, all: true });
      expect(orderProblems(r.verdicts, (v) => v.inbound === true), f).toEqual([]);
    }
  });

  const manifest = join(SHARED, 'MANIFEST.json');
  const inDir = (dir: string): string[] => (existsSync(dir) ? readdirSync(dir).filter((f) => /\.(pcap|pcapng|cap)(\.gz)?$/.test(f)).map((f) => join(dir, f)) : []);
  const shared = existsSync(manifest)
    ? [...new Set([...(JSON.parse(readFileSync(manifest, 'utf8')) as Array<{ path: string }>).map((m) => join(SHARED, m.path)), ...inDir(join(SHARED, 'field'))])]
    : [];
  it.skipIf(shared.length === 0)('every capture under ../shared/captures is in reading order (skipped when that folder is absent)', async () => {
    for (const f of shared) {
      const r = await analyze(await openCapture(f), { maxVerdicts: 0, all: true });
      expect(orderProblems(r.verdicts, (v) => v.inbound === true), f).toEqual([]);
    }
  });
});
