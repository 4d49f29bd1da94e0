/**
 * Reports of the sample captures (and of hand-made hostile ones) for the report tests. Each
 * capture is analysed once per process; tests take deep copies. Reports are language-free;
 * `docOf` gives the contract's document in one language (what a JSON consumer reads).
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { openCapture, openStream } from '../../src/capture/open.js';
import { analyze } from '../../src/analyze.js';
import type { Report } from '../../src/report/model.js';
import type { Lang } from '../../src/lang.js';
import { reportDocument, type VerdictDoc } from '../../src/report/json.js';
import { REPO, SAMPLES, SHARED } from '../tshark-fixture.js';
import { Capture, TcpConversation, httpRequest, httpResponse } from '../helpers/index.js';

/** Every capture in samples/, sorted by name. */
export const SAMPLE_FILES: string[] = readdirSync(SAMPLES).filter((f) => /\.(pcap|pcapng)$/.test(f)).sort();

/** Every capture of ../shared/captures (MANIFEST.json order), or [] when the folder is not there. */
export function sharedCaptures(): string[] {
  const m = join(SHARED, 'MANIFEST.json');
  if (!existsSync(m)) return [];
  return (JSON.parse(readFileSync(m, 'utf8')) as Array<{ path: string }>).map((e) => e.path).filter((p) => existsSync(join(SHARED, p)));
}

/** Every hand-judged capture of ../shared/captures/field (FIELD.json order, paths under ../shared/captures), or []. */
export function fieldCaptures(): string[] {
  const m = join(SHARED, 'field/FIELD.json');
  if (!existsSync(m)) return [];
  return (JSON.parse(readFileSync(m, 'utf8')) as Array<{ path: string }>).map((e) => `field/${e.path}`).filter((p) => existsSync(join(SHARED, p)));
}

const cache = new Map<string, Promise<Report>>();

/** The contract's JSON document of a report in `lang`, as a consumer parses it. */
export interface ReportDoc {
  capture: Report['capture'] & { warnings: string[]; damage: { offset: number; frame: number; message: string } | null };
  verdicts: VerdictDoc[];
  [k: string]: unknown;
}

export function docOf(r: Report, lang: Lang = 'en'): ReportDoc {
  return JSON.parse(JSON.stringify(reportDocument(r, lang))) as ReportDoc;
}

/** The report of a sample, with the source named relative to the repository (as the CLI run there would). */
export function sampleReport(file: string, all = false): Promise<Report> {
  const key = `${file}|${all}`;
  let p = cache.get(key);
  if (!p) {
    p = (async () => analyze(await openCapture(join(SAMPLES, file), { name: relative(REPO, join(SAMPLES, file)) }), { all }))();
    cache.set(key, p);
  }
  return p.then((r) => structuredClone(r));
}

export async function sharedReport(path: string): Promise<Report> {
  return analyze(await openCapture(join(SHARED, path), { name: `shared/${path}` }), { all: true });
}

/** Markup and Markdown that must come out inert wherever a capture's text is shown. */
export const HOSTILE = '<script>alert(1)</script><img src=x onerror=alert(2)>|`x`*y*[z](http://evil.invalid/)';

/**
 * A capture whose HTTP Host and path are hostile: the request is answered 404, so the Host
 * becomes the verdict's target name and the path appears in evidence notes and details.
 */
export async function hostileCaptureReport(): Promise<Report> {
  const conv = new TcpConversation({ client: ['192.0.2.77', 40000], server: ['198.51.100.80', 80] });
  conv.syn();
  conv.synAck();
  conv.ack('client');
  conv.send('client', httpRequest({ method: 'GET', target: '/a"b\'c<d>&e|`f`', host: '<script>alert(1)</script>.evil' }));
  conv.send('server', httpResponse({ status: 404 }));
  conv.fin('client');
  conv.fin('server');
  const bytes = new Capture().addAll(conv.frames).pcap({ linkType: conv.linkType });
  async function* one(): AsyncIterable<Uint8Array> {
    yield bytes;
  }
  return analyze(await openStream(one(), { name: `<img src=x onerror=alert(3)>|${'`'}name${'`'}.pcap` }), { all: true });
}

/**
 * A sample report with hostile text put in every free-text and name field a report can carry:
 * names, the file name, a warning's and a damage's text, typed facts and evidence arguments that
 * the words quote (a Host, a path, a certificate subject), details.
 */
export async function hostileReport(): Promise<Report> {
  const r = await sampleReport('multi-failure.pcap', true);
  r.capture.source = `${HOSTILE}.pcap`;
  r.capture.warnings.push({ kind: 'damage', args: { code: 'BAD_RECORD', message: `warning ${HOSTILE}`, offset: 1, frame: 2, packets: 1 } });
  r.capture.damage = { code: 'BAD_RECORD', offset: 1, frame: 2, message: `damage ${HOSTILE}` };
  for (const v of r.verdicts) {
    v.target.name = `${HOSTILE}.example`;
    v.facts = { ...v.facts, server: HOSTILE, sni: HOSTILE, status: 404, reason: `reason ${HOSTILE}`, from: HOSTILE };
    for (const e of v.evidence) e.args = { ...e.args, query: HOSTILE, server: HOSTILE, path: `/${HOSTILE}`, host: HOSTILE, subject: HOSTILE, sni: HOSTILE };
    v.details = { ...v.details, hostile: HOSTILE };
  }
  return r;
}
