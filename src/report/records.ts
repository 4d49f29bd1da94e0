/**
 * Tracking records → the report's record sections (contract: connections, dns, tls, icmp,
 * http). Plain conversions; no judgement here.
 */
import type { TcpConn } from '../track/tcp.js';
import type { UdpConn } from '../track/udp.js';
import type { IcmpConn } from '../track/icmpflow.js';
import type { DnsTransaction } from '../track/dns.js';
import { dnsRttMs } from '../track/dns.js';
import type { TlsSession } from '../track/tls-session.js';
import { tlsEstablished } from '../track/tls-session.js';
import type { HttpExchange } from '../track/http.js';
import type { IcmpError } from '../track/icmp.js';
import { icmpName, quotedTransport } from '../track/icmp.js';
import { alertName, cipherName, qtypeName, rcodeName, tlsVersionName } from '../decode/names.js';
import type { ConnectionRecord, DnsRecord, HttpRecord, IcmpRecord, TlsRecord } from './model.js';
import { isoOf } from '../time.js';

/** A connection as Zeek's conn.log has it (ICMP flows: the message types as ports, state OTH). */
export function connectionRecord(c: TcpConn | UdpConn | IcmpConn, name: string | null): ConnectionRecord {
  return {
    transport: c.transport,
    client: { ip: c.orig.ip, port: c.orig.port },
    server: { ip: c.resp.ip, port: c.resp.port },
    state: c.state || (c.transport === 'icmp' ? 'OTH' : c.connState()),
    history: c.history,
    start: isoOf(c.start),
    end: isoOf(c.end),
    packets: { client: c.orig.pkts, server: c.resp.pkts },
    bytes: { client: c.orig.bytes, server: c.resp.bytes },
    name,
  };
}

export function dnsRecord(t: DnsTransaction): DnsRecord {
  const frames = [...t.queryFrames];
  if (t.responseFrame !== null) frames.push(t.responseFrame);
  return {
    client: { ip: t.client.ip, port: t.client.port },
    server: { ip: t.server.ip, port: t.server.port },
    transport: t.transport,
    id: t.id,
    query: t.query ?? '',
    qtype: t.qtype === null ? '' : qtypeName(t.qtype),
    rcode: t.rcode === null ? null : rcodeName(t.rcode),
    answers: t.answers.filter((a) => a.data !== null && (a.type === 1 || a.type === 28 || a.type === 5)).map((a) => a.data!),
    rttMs: dnsRttMs(t),
    retries: Math.max(0, t.queryFrames.length - 1),
    frames: frames.sort((a, b) => a - b),
  };
}

export function tlsRecord(c: TcpConn, s: TlsSession): TlsRecord {
  const client = s.clientIsOrig ? c.orig : c.resp;
  const server = s.clientIsOrig ? c.resp : c.orig;
  const leaf = s.certificates[0] ?? null;
  return {
    client: { ip: client.ip, port: client.port },
    server: { ip: server.ip, port: server.port },
    sni: s.clientHello?.sni ?? null,
    offeredVersions: (s.clientHello?.versions ?? []).map(tlsVersionName),
    version: s.serverHello ? tlsVersionName(s.serverHello.version) : null,
    cipher: s.serverHello ? cipherName(s.serverHello.cipher) : null,
    alpn: s.serverHello?.alpn ? [s.serverHello.alpn] : (s.clientHello?.alpn ?? []),
    established: tlsEstablished(s),
    alerts: s.alerts.map((a) => ({
      frame: a.frame,
      sender: a.fromClient ? ('client' as const) : ('server' as const),
      level: a.level === 2 ? ('fatal' as const) : a.level === 1 ? ('warning' as const) : ('unknown' as const),
      code: a.description,
      name: alertName(a.description),
    })),
    certificate: leaf ? { subject: leaf.subject, issuer: leaf.issuer, notBefore: leaf.notBefore, notAfter: leaf.notAfter, san: leaf.san } : null,
  };
}

export function icmpRecord(e: IcmpError): IcmpRecord {
  const q = e.quoted;
  const transport = q === null ? '' : (quotedTransport(q.proto) ?? String(q.proto));
  return {
    frame: e.frame,
    from: e.from,
    type: e.type,
    code: e.code,
    name: icmpName(e.v6, e.type, e.code),
    quoted: q === null ? null : {
      transport,
      client: q.sport >= 0 ? { ip: q.src, port: q.sport } : { ip: q.src },
      server: q.dport >= 0 ? { ip: q.dst, port: q.dport } : { ip: q.dst },
    },
  };
}

export function httpRecord(c: TcpConn, clientIsOrig: boolean, e: HttpExchange): HttpRecord {
  const client = clientIsOrig ? c.orig : c.resp;
  const server = clientIsOrig ? c.resp : c.orig;
  const frames = [e.requestFrame];
  if (e.responseFrame !== null) frames.push(e.responseFrame);
  return {
    client: { ip: client.ip, port: client.port },
    server: { ip: server.ip, port: server.port },
    method: e.method,
    host: e.host,
    path: e.target,
    status: e.status,
    frames,
  };
}
