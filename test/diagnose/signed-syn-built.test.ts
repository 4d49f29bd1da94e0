/**
 * An unanswered SYN that carries a segment signature — TCP MD5 (RFC 2385), TCP-AO (RFC 5925), as
 * BGP sessions use — is told with the key as the first thing to check: a peer whose key differs, or
 * that has none, drops the SYN without a word (Nicholas Russo's bgp_v4u_ebgp_wrong_md5.pcapng).
 */
import { describe, expect, it } from 'vitest';
import { openStream } from '../../src/capture/open.js';
import { analyze } from '../../src/analyze.js';
import type { Report } from '../../src/report/model.js';
import { verdictWords } from '../../src/report/words.js';
import { Capture, LINKTYPE, ethIp, tcpIp } from '../helpers/index.js';

const T0 = 1_700_000_000;
const A = '192.0.2.8';
const B = '192.0.2.9';

/** Three SYNs of A to B:179, 1 s and 2 s apart, with option `kind` (a 16-byte digest) or none. */
async function run(kind: number | null): Promise<Report> {
  const cap = new Capture();
  const raw = kind === null ? undefined : new Uint8Array([kind, 18, ...new Array<number>(16).fill(0xab)]);
  for (const dt of [0, 1, 3]) {
    cap.add(T0 + dt, ethIp(tcpIp({ src: A, dst: B, sport: 40001, dport: 179, seq: 5000, flags: 'S', options: { mss: 1460, ...(raw ? { raw } : {}) } })));
  }
  // Something answered in the capture (another host's ping reply is enough): not a one-way capture.
  cap.add(T0 + 0.5, ethIp(tcpIp({ src: '192.0.2.20', dst: B, sport: 50000, dport: 22, seq: 1, flags: 'S' })));
  cap.add(T0 + 0.5005, ethIp(tcpIp({ src: B, dst: '192.0.2.20', sport: 22, dport: 50000, seq: 0, ack: 2, flags: 'RA' })));
  cap.add(T0 + 30, ethIp(tcpIp({ src: '192.0.2.20', dst: B, sport: 50001, dport: 22, seq: 1, flags: 'S' })));
  async function* one(): AsyncIterable<Uint8Array> {
    yield cap.pcap({ linkType: LINKTYPE.ETHERNET });
  }
  return analyze(await openStream(one(), { name: 'built.pcap' }), { maxVerdicts: 0 });
}

const bgp = (r: Report) => r.verdicts.find((v) => v.target.port === 179)!;

describe('a signed SYN unanswered', () => {
  it('TCP MD5: the keys first', async () => {
    const v = bgp(await run(19));
    expect(v.cause).toBe('tcp.syn_unanswered');
    expect(v.severity).toBe('error');
    expect(v.details['tcpAuth']).toBe('md5');
    const en = verdictWords(v, 'en');
    expect(en.explanation).toContain('Its SYN carries a TCP MD5 (RFC 2385) signature');
    expect(en.advice[0]).toContain(`Compare the keys`);
    expect(en.advice[0]).toContain(`on ${B} a key for ${A}`);
    expect(verdictWords(v, 'zh').explanation).toContain('TCP MD5 (RFC 2385) 签名');
  });

  it('TCP-AO: named as such', async () => {
    const v = bgp(await run(29));
    expect(v.details['tcpAuth']).toBe('ao');
    expect(verdictWords(v, 'en').explanation).toContain('TCP-AO (RFC 5925)');
  });

  it('an unsigned SYN: the usual words', async () => {
    const v = bgp(await run(null));
    expect(v.details['tcpAuth']).toBeUndefined();
    expect(verdictWords(v, 'en').advice[0]).toContain('security group');
  });
});
