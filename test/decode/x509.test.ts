import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { certCoversName, decodeCertificate, type CertInfo } from '../../src/decode/x509.js';
import { isStop } from '../../src/decode/stop.js';

// See test/fixtures/app/make-fixtures.sh for how this certificate was made.
const DER = Uint8Array.from(readFileSync(new URL('../fixtures/app/wirewhy-test.der', import.meta.url)));

function info(der: Uint8Array): CertInfo {
  const c = decodeCertificate(der);
  if (isStop(c)) throw new Error(JSON.stringify(c));
  return c as CertInfo;
}

describe('decodeCertificate', () => {
  test('fields of the test certificate', () => {
    const c = info(DER);
    expect(c.subject).toBe('CN=www.wirewhy.test, O=wirewhy test\\, Inc., C=DE');
    expect(c.issuer).toBe(c.subject);
    expect(c.subjectCN).toBe('www.wirewhy.test');
    expect(c.notBefore).toBe('2026-11-21T14:03:36Z');
    expect(c.notAfter).toBe('2036-11-18T14:03:36Z');
    expect(c.san).toEqual(['www.wirewhy.test', '*.api.wirewhy.test', '192.0.2.7', '2001:db8::1']);
    expect(c.sanIp).toEqual(['192.0.2.7', '2001:db8::1']);
    expect(c.serial).toBe('1234ABCD');
    expect(c.selfIssued).toBe(true);
    expect(c.ca).toBe(true);
    expect(c.fingerprint256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  });

  test('a certificate with an empty subject and issuer decodes (Node gives undefined for them)', () => {
    // suricata-verify tls-cert-noissuer: the decoder threw on it (oneLineName(undefined)).
    const c = info(Uint8Array.from(readFileSync(new URL('../fixtures/app/wirewhy-noname.der', import.meta.url))));
    expect(c.subject).toBe('');
    expect(c.issuer).toBe('');
    expect(c.subjectCN).toBeNull();
    expect(c.san).toEqual(['noissuer.wirewhy.test']);
    expect(c.selfIssued).toBe(true);
  });

  test('bad DER is malformed, never a throw', () => {
    expect(decodeCertificate(new Uint8Array([1, 2, 3]))).toMatchObject({ stop: 'malformed', layer: 'x509', offset: 0 });
    expect(decodeCertificate(new Uint8Array(0))).toMatchObject({ stop: 'malformed' });
    for (let n = 0; n < DER.length; n += 7) {
      expect(decodeCertificate(DER.subarray(0, n))).toMatchObject({ stop: 'malformed' });
    }
    const flipped = Uint8Array.from(DER);
    for (let i = 0; i < flipped.length; i += 3) {
      flipped[i] = flipped[i]! ^ 0xff;
      const r = decodeCertificate(flipped); // either decodes or is a stop; must not throw
      expect(typeof r).toBe('object');
      flipped[i] = flipped[i]! ^ 0xff;
    }
  });
});

describe('certCoversName (RFC 6125)', () => {
  const c = info(DER);
  test.each([
    ['www.wirewhy.test', true],
    ['WWW.WireWhy.TEST', true],
    ['www.wirewhy.test.', true],
    ['wirewhy.test', false],
    ['x.api.wirewhy.test', true],
    ['X.API.wirewhy.test', true],
    ['api.wirewhy.test', false], // wildcard needs one label
    ['a.b.api.wirewhy.test', false], // and only one
    ['.api.wirewhy.test', false],
    ['192.0.2.7', true],
    ['192.0.2.8', false],
    ['2001:db8::1', true],
    ['2001:DB8:0:0:0:0:0:1', true],
    ['[2001:db8::1]', true],
    ['2001:db8::2', false],
    ['', false],
  ])('%s → %s', (name, want) => {
    expect(certCoversName(c, name)).toBe(want);
  });

  test('CN only when there is no DNS SAN; wildcard rules on synthetic entries', () => {
    const base: CertInfo = { ...c, san: [], sanDns: [], sanIp: [], subjectCN: 'legacy.example.com' };
    expect(certCoversName(base, 'legacy.example.com')).toBe(true);
    expect(certCoversName({ ...base, sanDns: ['other.example.com'] }, 'legacy.example.com')).toBe(false);
    expect(certCoversName({ ...base, sanDns: ['*.com'] }, 'example.com')).toBe(false);
    expect(certCoversName({ ...base, sanDns: ['f*.example.com'] }, 'foo.example.com')).toBe(false);
    expect(certCoversName({ ...base, sanDns: ['*.*.example.com'] }, 'a.b.example.com')).toBe(false);
    expect(certCoversName({ ...base, subjectCN: '192.0.2.7' }, '192.0.2.7')).toBe(false); // IPs only via IP SANs
  });
});
