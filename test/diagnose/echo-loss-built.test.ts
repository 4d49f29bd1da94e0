/**
 * icmp.echo_loss built packet by packet: pings partly unanswered — requests without a reply while
 * later ones were answered — told as a warning with the lost requests as evidence; and what is not
 * lost: replies out of order or late, the unanswered tail before the capture's end, a single lost
 * ping, a traceroute's probes (mtr, traceroute -I), IPv6 the same. The real-stack sample is
 * icmp-echo-loss.pcap (ping through a router dropping a third of the requests).
 */
import { describe, expect, it } from 'vitest';
import { openStream } from '../../src/capture/open.js';
import { analyze } from '../../src/analyze.js';
import type { Report } from '../../src/report/model.js';
import { verdictWords } from '../../src/report/words.js';
import { Capture, ICMP, ICMPV6, LINKTYPE, ethIp, icmpIp, quote } from '../helpers/index.js';

const T0 = 1_700_000_000;
const CLIENT = '192.0.2.10';
const HOST = '203.0.113.61';

/**
 * `n` pings a second apart from CLIENT to `host`; `answered(i)` says whether ping i is answered and
 * after how long (null: never). `v6`: ICMPv6 between documentation IPv6 addresses.
 */
async function run(n: number, answered: (i: number) => number | null, o: { v6?: boolean; ttlExceededFirst?: number } = {}): Promise<Report> {
  const client = o.v6 ? '2001:db8:2::10' : CLIENT;
  const host = o.v6 ? '2001:db8:203::61' : HOST;
  const req = o.v6 ? ICMPV6.ECHO_REQUEST : ICMP.ECHO_REQUEST;
  const rep = o.v6 ? ICMPV6.ECHO_REPLY : ICMP.ECHO_REPLY;
  const cap = new Capture();
  for (let i = 0; i < n; i++) {
    const rest = (0x4242 << 16) | (i + 1);
    const echo = icmpIp({ src: client, dst: host, type: req, code: 0, rest, ...(o.ttlExceededFirst !== undefined && i < o.ttlExceededFirst ? { ttl: 1 + (i % 3) } : {}) }, new Uint8Array(56));
    cap.add(T0 + i, ethIp(echo));
    if (o.ttlExceededFirst !== undefined && i < o.ttlExceededFirst) {
      // A traceroute's probe: a router on the way answers time exceeded, not the host.
      cap.add(T0 + i + 0.005, ethIp(icmpIp({ src: o.v6 ? '2001:db8:2::1' : '192.0.2.1', dst: client, type: o.v6 ? ICMPV6.TIME_EXCEEDED : ICMP.TIME_EXCEEDED, code: 0 }, quote(echo))));
      continue;
    }
    const after = answered(i);
    if (after !== null) cap.add(T0 + i + after, ethIp(icmpIp({ src: host, dst: client, type: rep, code: 0, rest }, new Uint8Array(56))));
  }
  async function* one(): AsyncIterable<Uint8Array> {
    yield cap.pcap({ linkType: LINKTYPE.ETHERNET });
  }
  return analyze(await openStream(one(), { name: 'built.pcap' }), { all: true });
}

const loss = (r: Report) => r.verdicts.filter((v) => v.cause === 'icmp.echo_loss');

describe('pings partly unanswered', () => {
  it('3 of 10 lost among answered ones: a warning, the lost requests as evidence', async () => {
    const lostAt = new Set([2, 5, 6]);
    const r = await run(10, (i) => (lostAt.has(i) ? null : 0.02));
    const [v] = loss(r);
    expect(v).toBeDefined();
    expect(v!.severity).toBe('warning');
    expect(v!.details).toMatchObject({ requests: 10, answered: 7, lost: 3, lossPercent: 30 });
    // Frames: one per request, and one per reply; the lost requests are pings 3, 6 and 7.
    expect(v!.evidence.map((e) => e.kind)).toEqual(['echo_lost', 'echo_lost', 'echo_lost']);
    expect(verdictWords(v!, 'en').summary).toBe(`${HOST}: 3 of 10 pings got no reply (30 % lost)`);
    expect(verdictWords(v!, 'zh').summary).toContain('丢包 30%');
  });

  it('the same over ICMPv6', async () => {
    const r = await run(8, (i) => (i === 1 || i === 4 ? null : 0.02), { v6: true });
    expect(loss(r).map((v) => v.details['lost'])).toEqual([2]);
  });

  it('not lost: late or out-of-order replies, the unanswered tail at the capture\'s end, one lost ping alone', async () => {
    // Replies that come after the next request (2.5 s late): every request answered.
    expect(loss(await run(6, () => 2.5))).toEqual([]);
    // The last three unanswered: nothing answered after them, so nothing shows them lost.
    expect(loss(await run(10, (i) => (i >= 7 ? null : 0.02)))).toEqual([]);
    // One lost of ten: no story.
    expect(loss(await run(10, (i) => (i === 3 ? null : 0.02)))).toEqual([]);
  });

  it('a traceroute\'s echo probes (time exceeded from a router) are not lost pings', async () => {
    const r = await run(12, (i) => (i < 6 ? null : 0.02), { ttlExceededFirst: 6 });
    expect(loss(r)).toEqual([]);
  });
});
