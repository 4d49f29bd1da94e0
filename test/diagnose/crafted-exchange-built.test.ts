/**
 * An exchange holding a packet whose TCP flags no stack sends (a SYN with a RST or a FIN, no flags,
 * a FIN alone …) is a scanner's or a test tool's: what it shows failing is told as a warning that
 * says why, not as a failure (ESnet's curated-pcaps tcp/control set: every flag combination sent
 * and answered, 504 captures read tcp.reset failures). A program's connection reset by its server
 * stays a failure.
 */
import { describe, expect, it } from 'vitest';
import { openStream } from '../../src/capture/open.js';
import { analyze } from '../../src/analyze.js';
import type { Report } from '../../src/report/model.js';
import { verdictWords } from '../../src/report/words.js';
import { craftedBits } from '../../src/track/tcp.js';
import { Capture, LINKTYPE, ethIp, tcpIp } from '../helpers/index.js';

const T0 = 1_700_000_000;
const C = '192.0.2.10';
const S = '198.51.100.80';

async function run(cap: Capture): Promise<Report> {
  async function* one(): AsyncIterable<Uint8Array> {
    yield cap.pcap({ linkType: LINKTYPE.ETHERNET });
  }
  return analyze(await openStream(one(), { name: 'built.pcap' }), { maxVerdicts: 0 });
}

describe('crafted TCP flags', () => {
  it('which flags no stack sends', () => {
    const F = 0x01, S_ = 0x02, R = 0x04, P = 0x08, A = 0x10, U = 0x20;
    for (const f of [S_ | R | A, S_ | F | A, S_ | F | R | P | A, 0, F, P, U, F | P | U, S_ | U, S_ | F, R | P]) expect(craftedBits(f), `flags 0x${f.toString(16)}`).toBe(true);
    for (const f of [S_, S_ | A, A, R, R | A, F | A, P | A, U | P | A, S_ | P, S_ | A | 0xc0]) expect(craftedBits(f), `flags 0x${f.toString(16)}`).toBe(false);
  });

  it('every flag but URG at once, answered by an ACK: a warning that says why, not a failure', async () => {
    const cap = new Capture();
    cap.add(T0, ethIp(tcpIp({ src: C, dst: S, sport: 31545, dport: 80, seq: 0, ack: 1, flags: 'SFRPA' })));
    cap.add(T0 + 0.0004, ethIp(tcpIp({ src: S, dst: C, sport: 80, dport: 31545, seq: 1, ack: 0, flags: 'A' })));
    const r = await run(cap);
    expect(r.summary.failures).toBe(0);
    expect(r.verdicts.length).toBe(1);
    const v = r.verdicts[0]!;
    expect(v.severity).toBe('warning');
    expect(v.details['craftedPacket']).toEqual({ frame: 1, flags: 'SYN+FIN+RST+PSH+ACK' });
    expect(verdictWords(v, 'en').explanation).toContain('frame 1 carries TCP flags no stack sends (SYN+FIN+RST+PSH+ACK)');
    expect(verdictWords(v, 'zh').explanation).toContain('第 1 帧带有任何 TCP 协议栈都不会发出的标志组合');
  });

  it("a program's connection reset by its server: still a failure", async () => {
    const cap = new Capture();
    cap.add(T0, ethIp(tcpIp({ src: C, dst: S, sport: 40000, dport: 80, seq: 100, flags: 'S' })));
    cap.add(T0 + 0.001, ethIp(tcpIp({ src: S, dst: C, sport: 80, dport: 40000, seq: 900, ack: 101, flags: 'SA' })));
    cap.add(T0 + 0.002, ethIp(tcpIp({ src: C, dst: S, sport: 40000, dport: 80, seq: 101, ack: 901, flags: 'A' })));
    cap.add(T0 + 0.003, ethIp(tcpIp({ src: C, dst: S, sport: 40000, dport: 80, seq: 101, ack: 901, flags: 'PA' }, new TextEncoder().encode('GET / HTTP/1.1\r\nHost: x\r\n\r\n'))));
    cap.add(T0 + 0.004, ethIp(tcpIp({ src: S, dst: C, sport: 80, dport: 40000, seq: 901, ack: 128, flags: 'RA' })));
    const r = await run(cap);
    expect(r.summary.failures).toBe(1);
    expect(r.verdicts[0]!.details['craftedPacket']).toBeUndefined();
  });
});
