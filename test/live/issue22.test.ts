/**
 * Issue 22 on the live stream, through `wirewhy capture` as a user runs it, without root: the
 * capture module is the stand-in (test/live/fake-pcap.cjs), which replays a sample with its
 * timestamps shifted to now. A forged RST (tcp.reset_injected) and a ClientHello answered in plain
 * text (tls.not_tls) are said at once, on the packet that shows them, before the capture stops; an
 * encrypted request that only got session tickets (http.no_response) is said on a tick once the
 * wait has passed (the client closed 5 s after its request, the line comes a second later), as a
 * dropped SYN is; its working twin says nothing.
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { CaptureRun } from './env.js';
import { REPO, SAMPLES } from '../tshark-fixture.js';

const FAKE = join(REPO, 'test/live/fake-pcap.cjs');

function capture(sample: string, args: string[]): CaptureRun {
  const saved = { ...process.env };
  Object.assign(process.env, { WIREWHY_CAP_MODULE: FAKE, WIREWHY_FAKE_PCAP: join(SAMPLES, sample), WIREWHY_FAKE_PCAP_NOW: '1', WIREWHY_FAKE_PCAP_BATCH: '1' });
  try {
    return new CaptureRun(['capture', '-i', 'fake0', '--format', 'json', ...args]);
  } finally {
    process.env = saved;
  }
}

const verdicts = (cap: CaptureRun): Array<Record<string, unknown>> => cap.json().filter((j) => j['type'] === 'verdict');

describe('issue 22 on the live stream (stand-in capture module, no root)', () => {
  for (const [sample, cause, frame, packets] of [
    ['tcp-reset-injected-syn.pcap', 'tcp.reset_injected', 16, 16],
    ['tcp-reset-injected-sni.pcap', 'tcp.reset_injected', 19, 19],
    ['tls-to-plain-http-port.pcap', 'tls.not_tls', 8, 11],
  ] as const) {
    it(`${sample}: ${cause} is said at once, on frame ${frame}`, async () => {
      // Stopped by the count on the last packet: no tick can have said it, only the packet.
      const cap = capture(sample, ['--count', String(packets)]);
      const exit = await cap.exited;
      expect(exit.code, cap.stderr).toBe(1);
      const v = verdicts(cap);
      expect(v.map((x) => x['cause'])).toEqual([cause]);
      expect(v[0]!['evidence']).toContain(frame);
      const lines = cap.json().map((j) => j['type']);
      expect(lines.indexOf('verdict')).toBeLessThan(lines.indexOf('stop'));
      const report = JSON.parse(cap.stdout) as { verdicts: Array<{ cause: string }> };
      expect(report.verdicts.map((x) => x.cause)).toContain(cause);
    });
  }

  it('https-no-response.pcap: http.no_response is said after the wait, not at once', async () => {
    const cap = capture('https-no-response.pcap', ['--duration', '9']);
    const start = await cap.waitFor((j) => j['type'] === 'start', 15_000);
    const line = await cap.waitFor((j) => j['type'] === 'verdict', 15_000);
    expect(line['cause']).toBe('http.no_response');
    // The stand-in hands every packet over at once, stamped from now (to the second): the request
    // at +0.03 s, the client's FIN at +5.0 s. The line waits for the clock to pass the FIN by the
    // watcher's second: seconds after the packets, not on them.
    expect(line.receivedAt - start.receivedAt).toBeGreaterThan(3500);
    expect((line['verdict'] as { details: Record<string, unknown> }).details).toMatchObject({ encrypted: true, tickets: 2 });
    const exit = await cap.exited;
    expect(exit.code, cap.stderr).toBe(1);
    expect(verdicts(cap)).toHaveLength(1);
  }, 30_000);

  it('https-no-response-tls12.pcap: the TLS 1.2 request the server never answered is said after the wait too', async () => {
    const cap = capture('https-no-response-tls12.pcap', ['--duration', '9']);
    const start = await cap.waitFor((j) => j['type'] === 'start', 15_000);
    const line = await cap.waitFor((j) => j['type'] === 'verdict', 15_000);
    expect(line['cause']).toBe('http.no_response');
    // The request at +0.004 s, the client's close_notify and FIN at +5.0 s: said seconds after the packets.
    expect(line.receivedAt - start.receivedAt).toBeGreaterThan(3500);
    expect((line['verdict'] as { details: Record<string, unknown> }).details).toMatchObject({ encrypted: true, tlsVersion: 'TLS1.2', tickets: 0, closedBy: 'client' });
    const exit = await cap.exited;
    expect(exit.code, cap.stderr).toBe(1);
    expect(verdicts(cap)).toHaveLength(1);
  }, 30_000);

  it('https-redirect-ok.pcap (the working twin): nothing is said', async () => {
    const cap = capture('https-redirect-ok.pcap', ['--duration', '3']);
    const exit = await cap.exited;
    expect(exit.code, cap.stderr).toBe(0);
    expect(verdicts(cap)).toEqual([]);
  }, 30_000);
});
