/**
 * tls.chain_incomplete: a server that sends its certificate without the intermediate that issued
 * it. The real sample (samples/make.sh: openssl s_server with a leaf of an issuing CA, curl holding
 * the intermediate), Zeek's missing-intermediate capture against Zeek's own validation (MANIFEST.json,
 * when ../shared is there), and the root check on its own.
 */
import { describe, expect, it } from 'vitest';
import { X509Certificate } from 'node:crypto';
import { rootCertificates } from 'node:tls';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openCapture } from '../../src/capture/open.js';
import { analyze } from '../../src/analyze.js';
import { issuedByKnownRoot } from '../../src/decode/x509.js';
import { SAMPLES, SHARED } from '../tshark-fixture.js';

describe('tls.chain_incomplete', () => {
  it('the sample: one warning, with the certificate sent alone, its issuer and where the intermediate is', async () => {
    const r = await analyze(await openCapture(join(SAMPLES, 'tls-chain-incomplete.pcap')), {});
    expect(r.verdicts.map((v) => `${v.cause}|${v.severity}|${v.target.name}`)).toEqual(['tls.chain_incomplete|warning|nochain.example.net']);
    expect(r.verdicts[0]!.details['chain']).toEqual({
      certificates: 1,
      subject: 'CN=nochain.example.net',
      issuer: 'CN=wirewhy Samples Issuing CA 1, O=wirewhy samples',
      caIssuers: 'http://pki.example.net/issuing-ca-1.crt',
    });
    // Evidence: the Certificate message (tshark: frame 10, one certificate of 922 bytes).
    expect(r.verdicts[0]!.evidence.map((e) => [e.frame, e.kind])).toEqual([[10, 'certificate_alone']]);
  });

  const manifest = join(SHARED, 'MANIFEST.json');
  it.skipIf(!existsSync(manifest))('Zeek\'s missing-intermediate capture: warned exactly for the servers Zeek could not validate', async () => {
    const entry = (JSON.parse(readFileSync(manifest, 'utf8')) as Array<{ path: string; expected: { ssl: Array<{ resp_h: string; validation_status: string }> } }>)
      .find((m) => m.path === 'zeek/tls-missing-intermediate.pcap')!;
    const unvalidated = [...new Set(entry.expected.ssl.filter((s) => s.validation_status === 'unable to get local issuer certificate').map((s) => s.resp_h))];
    const validated = [...new Set(entry.expected.ssl.filter((s) => s.validation_status === 'ok').map((s) => s.resp_h))];
    expect(unvalidated.length).toBeGreaterThan(0);
    expect(validated.length).toBeGreaterThan(0);
    const r = await analyze(await openCapture(join(SHARED, entry.path)), { all: true });
    const warned = r.verdicts.filter((v) => v.cause === 'tls.chain_incomplete').map((v) => v.target.ip);
    expect(warned.sort()).toEqual(unvalidated.sort());
    for (const ip of validated) expect(r.verdicts.find((v) => v.target.ip === ip)?.cause).toBe('ok');
  });

  it('the root check: a root of Node\'s store is one (it issued itself); the sample\'s leaf was issued by none', () => {
    const root = new X509Certificate(rootCertificates[0]!);
    expect(issuedByKnownRoot(new Uint8Array(root.raw))).toBe(true);
    const bytes = readFileSync(join(SAMPLES, 'tls-chain-incomplete.pcap'));
    // The leaf's DER inside the capture: the SEQUENCE (30 82 len) that parses as its certificate.
    let der: Uint8Array | null = null;
    for (let i = 0; i + 4 < bytes.length && der === null; i++) {
      if (bytes[i] !== 0x30 || bytes[i + 1] !== 0x82) continue;
      const len = (bytes[i + 2]! << 8) | bytes[i + 3]!;
      if (i + 4 + len > bytes.length) continue;
      try {
        const c = new X509Certificate(bytes.subarray(i, i + 4 + len));
        if (c.subject.includes('nochain.example.net')) der = new Uint8Array(c.raw);
      } catch {
        // Not a certificate's start.
      }
    }
    expect(der).not.toBeNull();
    expect(issuedByKnownRoot(der!)).toBe(false);
    expect(issuedByKnownRoot(new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x00]))).toBe(false);
  });
});
