/**
 * Requests of UDP request/response services (NTP, SNMP, RADIUS, Kerberos, IKE), gathered by
 * client, server and server port across flows: an NTP client such as chrony sends each request
 * from a source port of its own, so one flow holds one request, and only the requests together
 * show the client asking again and again (causes/udp.no_response.ts judges them). Any answer on
 * any of the flows marks the service answered.
 *
 * Bounded: at most MAX_SERVICES (client, server, port) triples; past it new ones are not watched.
 */
import type { FinishedConn } from '../track/tracker.js';
import { REQUEST_SERVICES, type UdpConn } from '../track/udp.js';
import { spanOf, widen, type Span } from './span.js';

const MAX_SERVICES = 4_096;

export interface UdpRequests extends Span {
  client: string;
  server: string;
  port: number;
  service: string;
  /** The name the client asked the server's address by, when known. */
  name: string | null;
  /** Datagrams the client sent, over all flows. */
  requests: number;
  flows: number;
  /** A flow on which the client sent the same datagram again before any answer (track/udp.ts reqRepeated). */
  repeated: boolean;
  /** A datagram came back from the server on some flow. */
  answered: boolean;
  /** An ICMP error came about some flow (told by the ICMP rules). */
  icmp: boolean;
}

export class UdpRequestWatch {
  private readonly byKey = new Map<string, UdpRequests>();

  /** A finished UDP flow: counted when it is one of a service's. */
  offer(f: FinishedConn, name: string | null): void {
    const c = f.conn;
    if (c.transport !== 'udp') return;
    const u = c as UdpConn;
    const service = REQUEST_SERVICES.get(u.resp.port);
    if (service === undefined || u.orig.pkts === 0) return;
    // NTP: only a client's requests (mode 3) call for an answer (not symmetric peers, not broadcast).
    if (u.resp.port === 123 && !u.ntpClient) return;
    const key = `${u.orig.ip}|${u.resp.ip}|${u.resp.port}`;
    let e = this.byKey.get(key);
    if (e === undefined) {
      if (this.byKey.size >= MAX_SERVICES) return;
      e = {
        client: u.orig.ip, server: u.resp.ip, port: u.resp.port, service, name, requests: 0, flows: 0, repeated: false, answered: false, icmp: false,
        ...spanOf(u.orig.firstFrame, u.start, u.lastFrame, u.end),
      };
      this.byKey.set(key, e);
    }
    e.requests += u.orig.pkts;
    e.flows++;
    if (u.reqRepeated) e.repeated = true;
    if (u.resp.pkts > 0) e.answered = true;
    if (f.icmp.length > 0) e.icmp = true;
    if (e.name === null) e.name = name;
    widen(e, u.orig.firstFrame, u.start, u.lastFrame, u.end);
  }

  values(): IterableIterator<UdpRequests> {
    return this.byKey.values();
  }

  clear(): void {
    this.byKey.clear();
  }
}
