/**
 * The same SYN twice within 100 ms is one send (a copy the capture holds twice, or a stack sending
 * it twice at once), not a retransmission: tcp.syn_unanswered counts sends (capture.ended_early.ts
 * synSends), and its evidence must number them the same way. Practical Packet Analysis'
 * nowebaccess3.pcapng: SYN, the same SYN 5 ms later (same IP ID), a retransmission 1 s later, told
 * as "2 SYNs" over evidence reading "retransmission 1, retransmission 2".
 */
import { describe, expect, it } from 'vitest';
import { openStream } from '../../src/capture/open.js';
import { analyze } from '../../src/analyze.js';
import { verdictWords } from '../../src/report/words.js';
import { Capture, ethIp, tcpIp, udpIp, LINKTYPE } from '../helpers/index.js';

const T0 = 1_700_000_000;

describe('a SYN copied at once', () => {
  it('is counted once and labelled a copy; the retransmission after it is the first', async () => {
    const cap = new Capture();
    const syn = ethIp(tcpIp({ src: '192.0.2.8', dst: '203.0.113.105', sport: 1251, dport: 80, seq: 91743089, flags: 'S', options: { mss: 1460 } }));
    for (const at of [0, 0.005, 1.002]) cap.add(T0 + at, syn);
    cap.add(T0 + 20, ethIp(udpIp({ src: '192.0.2.99', dst: '198.51.100.99', sport: 45000, dport: 9 }, new Uint8Array(4))));
    async function* one(): AsyncIterable<Uint8Array> {
      yield cap.pcap({ linkType: LINKTYPE.ETHERNET });
    }
    const r = await analyze(await openStream(one(), { name: 'built.pcap' }), {});
    const v = r.verdicts.find((x) => x.cause === 'tcp.syn_unanswered')!;
    expect(v.details['syns']).toBe(2);
    expect(v.evidence.map((e) => [e.frame, e.args])).toEqual([[1, { retransmission: 0 }], [2, { retransmission: 0, copy: true }], [3, { retransmission: 1 }]]);
    expect(verdictWords(v, 'en').summary).toContain('(2 SYNs over 1 s)');
  });
});
