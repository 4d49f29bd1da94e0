/**
 * A TLS 1.2 full handshake up to the client's Finished, on a built conversation: the ClientHello
 * (SNI `sni`), the server's ServerHello, certificate (the test certificate valid 2024 .. 2049) and
 * ServerHelloDone, the client's ACK, then its key exchange, ChangeCipherSpec and encrypted
 * Finished. What the server does next is the test's.
 */
import type { TcpConversation } from './conversation.js';
import {
  handshakeRecord, clientHello, serverHello, certificateMsg, serverHelloDone, clientKeyExchangeRsa, changeCipherSpec,
  encryptedHandshake, testCertDer, TLS_VERSION, TLS_CIPHER,
} from './build.js';

export function tls12UntilClientFinished(c: TcpConversation, sni: string, cipher: number = TLS_CIPHER.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256): void {
  c.send('client', handshakeRecord([clientHello({ ciphers: [cipher], sni })], TLS_VERSION.TLS10));
  c.send('server', handshakeRecord([serverHello({ cipher }), certificateMsg([testCertDer('valid')]), serverHelloDone()]));
  c.ack('client');
  c.send('client', new Uint8Array([...handshakeRecord([clientKeyExchangeRsa()]), ...changeCipherSpec(), ...encryptedHandshake(40)]));
}
