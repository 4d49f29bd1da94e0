/**
 * tcp.syn_unanswered from a client the capture is shown to miss packets toward (another TCP
 * connection of it holds only its own side): a warning that says so (details.captureMissesClient),
 * whichever connection ended first; a failure as before for a client the capture sees both ways.
 * The real capture is samples/capture-one-sided-syn.pcap (samples-verdicts.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { openStream } from '../../src/capture/open.js';
import { analyze } from '../../src/analyze.js';
import type { Report } from '../../src/report/model.js';
import { Capture, LINKTYPE, TcpConversation, ascii, tcpIp, ethIp } from '../helpers/index.js';

const T0 = 1_700_000_000;
const CLIENT = '192.0.2.10';
const OTHER = '192.0.2.20';

/** A fetch that worked, of which the capture holds only `client`'s packets. */
function oneSidedFetch(cap: Capture, client: string, start: number): void {
  const c = new TcpConversation({ client: [client, 41000], server: ['203.0.113.20', 80], start });
  const keep: Array<{ ts: number | bigint; frame: Uint8Array }> = [];
  const mine = (f: Uint8Array): void => {
    keep.push({ ts: c.frames[c.frames.length - 1]!.ts, frame: f });
  };
  mine(c.syn());
  c.synAck();
  mine(c.ack('client'));
  mine(c.send('client', ascii('GET / HTTP/1.1\r\nHost: app.example.com\r\n\r\n')));
  c.send('server', ascii('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'));
  mine(c.ack('client'));
  mine(c.fin('client'));
  c.fin('server');
  mine(c.ack('client'));
  for (const k of keep) cap.add(k.ts, k.frame);
}

/** SYNs of `client` to 203.0.113.11:443, sent three times (1 s, 2 s apart), never answered. */
function silentSyns(cap: Capture, client: string, start: number): void {
  for (const dt of [0, 1, 3]) cap.add(start + dt, ethIp(tcpIp({ src: client, dst: '203.0.113.11', sport: 42000, dport: 443, seq: 7777, flags: 'S' })));
}

async function run(build: (cap: Capture) => void): Promise<Report> {
  const cap = new Capture();
  build(cap);
  async function* one(): AsyncIterable<Uint8Array> {
    yield cap.pcap({ linkType: LINKTYPE.ETHERNET });
  }
  return analyze(await openStream(one(), { name: 'built.pcap' }), {});
}

const syn = (r: Report): Array<[string, string | null, unknown]> =>
  r.verdicts.filter((v) => v.cause === 'tcp.syn_unanswered').map((v) => [v.severity, v.client.ip, v.details['captureMissesClient'] ?? null]);

describe('an unanswered SYN in a capture that misses packets toward its client', () => {
  it('a one-sided fetch before the SYNs: a warning that says why', async () => {
    const r = await run((cap) => {
      oneSidedFetch(cap, CLIENT, T0);
      silentSyns(cap, CLIENT, T0 + 2);
    });
    expect(syn(r)).toEqual([['warning', CLIENT, true]]);
    expect(r.verdicts.find((v) => v.cause === 'tcp.syn_unanswered')!.limits.map((l) => l.kind)).toContain('capture_misses_client');
  });

  it('the one-sided fetch after the SYNs\' attempt ended: the same', async () => {
    const r = await run((cap) => {
      silentSyns(cap, CLIENT, T0);
      oneSidedFetch(cap, CLIENT, T0 + 200);
    });
    expect(syn(r)).toEqual([['warning', CLIENT, true]]);
  });

  it('without it, or when another client is the one-sided one: a failure', async () => {
    expect(syn(await run((cap) => silentSyns(cap, CLIENT, T0)))).toEqual([['error', CLIENT, null]]);
    expect(syn(await run((cap) => {
      oneSidedFetch(cap, OTHER, T0);
      silentSyns(cap, CLIENT, T0 + 2);
    }))).toEqual([['error', CLIENT, null]]);
  });
});
