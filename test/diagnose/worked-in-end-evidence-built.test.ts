/**
 * "Worked in the end": the evidence shows the failed attempt and the first attempt that worked
 * after it — the retry that got through — not the group's latest success, which in a long capture
 * (tcpdump's of13_ericsson.pcapng: refused, a retry 4 s later, another session 3 days after) may be
 * days later and tells nothing of the retry.
 */
import { describe, expect, it } from 'vitest';
import { openStream } from '../../src/capture/open.js';
import { analyze } from '../../src/analyze.js';
import type { Report } from '../../src/report/model.js';
import { verdictWords } from '../../src/report/words.js';
import { TcpConversation, pcapFile } from '../helpers/index.js';

const CLIENT = '192.0.2.10';
const SERVER = '198.51.100.30';
const T0 = 1_700_000_000;

/** Connections from CLIENT to SERVER:6633, one per start time; `refused` ones get RST,ACK to their SYN. */
async function run(attempts: Array<{ at: number; refused: boolean }>): Promise<Report> {
  const frames = [];
  let port = 40000;
  for (const a of attempts) {
    const c = new TcpConversation({ client: [CLIENT, port++], server: [SERVER, 6633], start: T0 + a.at });
    c.syn();
    if (a.refused) c.rst('server');
    else {
      c.synAck();
      c.ack('client');
      c.send('client', new Uint8Array(8).fill(4));
      c.ack('server');
      c.fin('client');
      c.fin('server');
      c.ack('client');
    }
    frames.push(...c.frames);
  }
  frames.sort((x, y) => x.ts - y.ts);
  const bytes = pcapFile({ linkType: 1 }, frames);
  async function* one(): AsyncIterable<Uint8Array> {
    yield bytes;
  }
  return analyze(await openStream(one(), { name: 'built.pcap' }), { all: true });
}

const verdict = (r: Report) => r.verdicts.find((v) => v.target.ip === SERVER)!;
/** The frame numbers of the conn_start evidence: the attempt shown as the one that worked. */
const startsShown = (r: Report) => verdict(r).evidence.filter((e) => e.kind === 'conn_start').map((e) => e.frame);

describe('worked in the end: which success the evidence shows', () => {
  it('refused, a retry 4 s later that worked, another session 3 days later: the retry is shown', async () => {
    const r = await run([{ at: 0, refused: true }, { at: 4, refused: false }, { at: 3 * 86400, refused: false }]);
    const v = verdict(r);
    expect([v.cause, v.severity]).toEqual(['ok', 'warning']);
    // Frames: 1-2 the refused attempt, 3.. the retry, the late session after it.
    expect(v.evidence[0]!.frame).toBe(1);
    expect(startsShown(r)).toEqual([3]);
  });

  it('a success before the failure is not the one shown: the first after it is', async () => {
    const r = await run([{ at: 0, refused: false }, { at: 60, refused: true }, { at: 62, refused: false }, { at: 600, refused: false }]);
    const v = verdict(r);
    expect([v.cause, v.severity]).toEqual(['ok', 'warning']);
    const refusedSyn = v.evidence[0]!.frame;
    // The first session has 8 packets: the refused SYN is frame 9, its RST 10, the retry starts at 11.
    expect(refusedSyn).toBe(9);
    expect(startsShown(r)).toEqual([11]);
  });

  it('the earliest failure is the one told, also when more attempts than those kept came first', async () => {
    // Five sessions that worked, then a refusal and its retry, then a late one.
    const r = await run([0, 10, 20, 30, 40].map((at) => ({ at, refused: false })).concat([{ at: 50, refused: true }, { at: 51, refused: false }, { at: 9000, refused: false }]));
    const v = verdict(r);
    expect([v.cause, v.severity]).toEqual(['ok', 'warning']);
    expect(v.facts['failedCause']).toBe('tcp.refused');
    expect(v.evidence[0]!.frame).toBe(41);
    expect(startsShown(r)).toEqual([43]);
  });

  it('a success far after the failure (10 min or more) is told apart: how long after, in details and words', async () => {
    const r = await run([{ at: 0, refused: true }, { at: 2 * 3600, refused: false }]);
    const v = verdict(r);
    expect([v.cause, v.severity]).toEqual(['ok', 'warning']);
    expect(v.details['workedAfterSeconds']).toBe(7200);
    expect(verdictWords(v, 'en').explanation).toContain('the first attempt that worked after it came 2 h later (no retry of that moment');
    expect(verdictWords(v, 'zh').explanation).toContain('其后第一次成功的尝试在 2 小时之后');
    // A retry within minutes: no such words.
    const near = verdict(await run([{ at: 0, refused: true }, { at: 4, refused: false }, { at: 3 * 86400, refused: false }]));
    expect(near.details['workedAfterSeconds']).toBeUndefined();
    expect(verdictWords(near, 'en').explanation).not.toContain('later (no retry');
  });
});
