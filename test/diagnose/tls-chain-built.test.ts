/**
 * A client that refuses the server's certificate chain (alert unknown_ca, bad_certificate,
 * certificate_unknown) with the chain in the clear (TLS <= 1.2): the explanation says what the
 * chain shows — a self-signed certificate, a certificate sent alone and its issuer, a second
 * certificate that is not the issuer of the first, or the CA at the top of the chain. Built
 * handshakes through the whole pipeline, and the real sample (curl against a private CA).
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { openStream, openCapture } from '../../src/capture/open.js';
import { analyze } from '../../src/analyze.js';
import type { Report } from '../../src/report/model.js';
import { verdictWords } from '../../src/report/words.js';
import { SAMPLES } from '../tshark-fixture.js';
import { TcpConversation, pcapFile, handshakeRecord, clientHello, serverHello, certificateMsg, serverHelloDone, alert, testCertDer, TLS_VERSION, type TestCertName } from '../helpers/index.js';

async function refused(certs: TestCertName[], description = 48): Promise<Report> {
  const c = new TcpConversation({ client: ['192.0.2.10', 41000], server: ['203.0.113.5', 443] });
  c.syn();
  c.synAck();
  c.ack('client');
  c.send('client', handshakeRecord([clientHello({ ciphers: [0xc02f], sni: 'www.example.com' })], TLS_VERSION.TLS10));
  c.send('server', handshakeRecord([serverHello({ cipher: 0xc02f }), certificateMsg(certs.map(testCertDer)), serverHelloDone()]));
  c.send('client', alert(2, description));
  c.fin('client');
  c.ack('server');
  const bytes = pcapFile({ linkType: 1 }, c.frames);
  async function* one(): AsyncIterable<Uint8Array> {
    yield bytes;
  }
  return analyze(await openStream(one(), { name: 'built.pcap' }), { all: true });
}

const alertOf = (r: Report) => r.verdicts.find((v) => v.cause === 'tls.alert')!;

describe('tls.alert from the client: what the certificate chain shows', () => {
  it('a self-signed certificate alone', async () => {
    const v = alertOf(await refused(['valid']));
    expect(v.details['chain']).toMatchObject({ certificates: 1, kind: 'self_signed' });
    expect(verdictWords(v, 'en').explanation).toContain('The server\'s certificate is self-signed ("O=wirewhy test, CN=www.example.com")');
    expect(verdictWords(v, 'zh').explanation).toContain('服务器的证书是自签名的');
  });

  it('a second certificate that is not the issuer of the first: the wrong intermediate', async () => {
    const v = alertOf(await refused(['valid', 'expired']));
    expect(v.details['chain']).toMatchObject({ certificates: 2, kind: 'wrong_intermediate' });
    expect(verdictWords(v, 'en').explanation).toContain('is not the issuer of its certificate');
  });

  it('a chain whose links hold: the CA at its top is named (certificate_unknown too)', async () => {
    const v = alertOf(await refused(['valid', 'valid'], 46));
    expect(v.details['chain']).toMatchObject({ certificates: 2, kind: 'chain', topIssuer: 'O=wirewhy test, CN=www.example.com' });
    expect(verdictWords(v, 'en').explanation).toContain('the last issued by "O=wirewhy test, CN=www.example.com"');
  });

  it('not for an alert about something else (handshake_failure), nor from the server', async () => {
    expect(alertOf(await refused(['valid'], 40)).details['chain']).toBeUndefined();
  });

  it('the real sample: curl refuses a certificate a private root signed, sent alone', async () => {
    const r = await analyze(await openCapture(join(SAMPLES, 'tls-unknown-ca.pcapng')), {});
    const v = alertOf(r);
    expect(v.details['chain']).toMatchObject({ certificates: 1, kind: 'leaf_only', topIssuer: 'CN=Private Root CA, O=Unknown Private PKI' });
    expect(verdictWords(v, 'en').explanation).toContain('The server sent its certificate alone, issued by "CN=Private Root CA, O=Unknown Private PKI"');
  });
});
