/**
 * UDP flows with Zeek's vocabulary: each side is UDP_INACTIVE until it sends a datagram, then
 * UDP_ACTIVE; conn_state is SF (both sent), S0 (only the originator), SHR (only the responder) or
 * OTH; history has `D` / `d` the first time each side sends. The originator is the first sender,
 * unless its source port is a likely server port and the destination port is not (Zeek
 * UDPAnalyzer::WantConnection). Like Zeek's DNS and NTP analyzers, a first DNS message that is a
 * response, or an NTP server-mode message from the originator, turns the flow around (`^`).
 */
import { FRAG_PART, PROTO_UDP, type Packet } from '../decode/packet.js';
import { fnv1a } from './hash.js';
import { CLS_UDP, CLS_UDP_ANSWERED, FlowConn, FlowTracker, isBroadcast4, isLikelyServerPort, packetTime, type FlowTrackerOptions } from './flow.js';
import type { Conn, EndpointStats } from './types.js';

export const UDP_INACTIVE = 0;
export const UDP_ACTIVE = 1;

export type UdpConnState = 'SF' | 'S0' | 'SHR' | 'OTH';

export class UdpEndpoint implements EndpointStats {
  ip = '';
  port = 0;
  state = UDP_INACTIVE;
  pkts = 0;
  /** Payload bytes (Zeek orig_bytes / resp_bytes: UDP length minus header). */
  bytes = 0;
  ttl = 0;
  ipId = -1;
  firstFrame = 0;

  constructor() {
    this.reset();
  }

  /** Back to the state of a new endpoint. */
  reset(): void {
    this.ip = '';
    this.port = this.state = this.pkts = this.bytes = this.ttl = this.firstFrame = 0;
    this.ipId = -1;
  }
}

const H_ORIG_DATA = 0x1;
const H_RESP_DATA = 0x2;

const DNS_PORTS = new Set([53, 137, 5353, 5355]);

/**
 * UDP request/response services whose answers come back on the request's flow, by server port
 * (diagnose/udp-requests.ts gathers their requests): a flow to one of them notes whether the client
 * sent the same datagram again before any answer (a retransmission: it waited in vain).
 */
export const REQUEST_SERVICES: ReadonlyMap<number, string> = new Map([
  [123, 'NTP'], [161, 'SNMP'], [1812, 'RADIUS'], [1645, 'RADIUS'], [1813, 'RADIUS accounting'], [1646, 'RADIUS accounting'], [88, 'Kerberos'], [500, 'IKE'],
]);

/** Bytes of a request compared (hashed) to tell it sent again. */
const REQUEST_HASHED = 256;

export class UdpConn extends FlowConn implements Conn {
  readonly transport = 'udp' as const;
  orig = new UdpEndpoint();
  resp = new UdpEndpoint();
  state: UdpConnState | '' = '';
  finishReason: 'idle' | 'evicted' | 'end' | '' = '';
  /** Port-analyzer flip checks done (first DNS message / first NTP message). */
  appChecked = false;
  /**
   * DNS over UDP (port 53): ids of the queries not answered yet (dnsAnswered): one id in
   * `dnsPendingId` (-1: none) until a second is pending, then all of them in `dnsPending`. A
   * flow whose every query was answered is finished after a short delay (FlowTimeouts.udpAnswered).
   */
  dnsPendingId = -1;
  dnsPending: number[] | null = null;
  /** A DNS query was seen. */
  dnsQueried = false;
  /** More queries were outstanding at once than followed: the flow just times out. */
  dnsOverflow = false;
  /** NTP (port 123): the originator's first message was a client request (mode 3), which a server answers. */
  ntpClient = false;
  /** REQUEST_SERVICES: hash of the originator's first datagram, and whether it sent the same again before any answer. */
  reqHash = 0;
  reqRepeated = false;

  constructor() {
    super();
    this.reset();
    // flipRoles swaps the endpoints: written twice from the start (shape.ts).
    this.orig = this.orig; // eslint-disable-line no-self-assign
    this.resp = this.resp; // eslint-disable-line no-self-assign
  }

  connState(): UdpConnState {
    return udpConnState(this.orig.state, this.resp.state);
  }

  /** Back to the state of `new UdpConn()` (see FlowConn.reset). */
  override reset(): void {
    this.resetConn();
    this.orig.reset();
    this.resp.reset();
    this.state = '';
    this.finishReason = '';
    this.appChecked = false;
    this.dnsPendingId = -1;
    this.dnsPending = null;
    this.dnsQueried = false;
    this.dnsOverflow = false;
    this.ntpClient = false;
    this.reqHash = 0;
    this.reqRepeated = false;
  }
}

export function udpConnState(os: number, rs: number): UdpConnState {
  if (os === UDP_ACTIVE) return rs === UDP_ACTIVE ? 'SF' : 'S0';
  return rs === UDP_ACTIVE ? 'SHR' : 'OTH';
}

export interface UdpTrackerOptions extends FlowTrackerOptions {
  onFinish: (c: UdpConn) => void;
}

export class UdpTracker extends FlowTracker<UdpConn, UdpConn['finishReason']> {
  /** Set by `packet`: whether the last packet came from the originator. */
  lastFromOrig = true;

  constructor(o: UdpTrackerOptions) {
    super(o, undefined, o.onFinish);
  }

  packet(p: Packet, now: number = packetTime(p)): UdpConn | null {
    if (p.proto !== PROTO_UDP) return null;
    if (p.payOff === 0 || p.fragment === FRAG_PART || (p.ipVersion !== 4 && p.ipVersion !== 6)) return null;
    if (now >= this.nextSweep) this.sweep(now);
    let c = this.table.find(p);
    let fwd = this.table.fwd;
    if (c !== null && this.table.isExpired(c, now)) {
      this.finish(c, 'idle');
      c = null;
    }
    if (c === null) {
      c = this.create(p, now);
      fwd = true;
    }
    let isOrig = fwd === c.keyIsOrig;
    const e = isOrig ? c.orig : c.resp;
    c.end = now;
    c.lastFrame = p.frame;
    e.pkts++;
    e.bytes += p.payWireLen;
    e.ttl = p.ttl;
    e.ipId = p.ipId;
    if (e.firstFrame === 0) e.firstFrame = p.frame;
    e.state = UDP_ACTIVE;
    const m = isOrig ? H_ORIG_DATA : H_RESP_DATA;
    if ((c.histSeen & m) === 0) {
      c.histSeen |= m;
      c.history += isOrig ? 'D' : 'd';
    }
    if (!c.appChecked) isOrig = this.appFlip(c, p, isOrig);
    this.lastFromOrig = isOrig;
    if (c.resp.pkts === 0 && isOrig && !c.reqRepeated && p.payLen > 0 && REQUEST_SERVICES.has(c.resp.port)) {
      const h = (fnv1a(p.nb, p.payOff, p.payOff + Math.min(p.payLen, REQUEST_HASHED)) ^ p.payLen) | 0;
      if (c.orig.pkts === 1) c.reqHash = h;
      else if (h === c.reqHash) c.reqRepeated = true;
    }
    let cls = CLS_UDP;
    if ((c.resp.port === 53 || c.orig.port === 53) && p.payLen >= 12) cls = dnsAnswered(c, p) ? CLS_UDP_ANSWERED : CLS_UDP;
    this.table.touch(c, cls, now);
    return c;
  }

  /** Zeek's DNS (first message is a response) and NTP (mode says server/client) analyzers flip roles. */
  private appFlip(c: UdpConn, p: Packet, isOrig: boolean): boolean {
    const respPort = c.resp.port;
    const b = p.nb;
    const o = p.payOff;
    if (DNS_PORTS.has(respPort)) {
      if (p.payLen < 12) return isOrig;
      c.appChecked = true;
      const qr = (b[o + 2]! & 0x80) !== 0;
      if (qr && isOrig && !isMulticast(c)) {
        c.flipRoles();
        return false;
      }
    } else if (respPort === 123) {
      if (p.payLen < 1) return isOrig;
      const mode = b[o]! & 7;
      // A client request's sender is the originator, flipped to it when it was not.
      if (mode === 3) c.ntpClient = true;
      if ((mode === 4 && isOrig) || (mode === 3 && !isOrig)) {
        c.appChecked = true;
        c.flipRoles();
        return !isOrig;
      }
      if (mode === 3 || mode === 4) c.appChecked = true;
    } else c.appChecked = true;
    return isOrig;
  }

  private create(p: Packet, now: number): UdpConn {
    const c = this.begin(newUdpConn, p, now, CLS_UDP);
    if (isLikelyServerPort(p.sport, true) && !isLikelyServerPort(p.dport, true) && !(p.ipVersion === 4 && isBroadcast4(p.dst4))) c.flipRoles();
    return c;
  }

  protected override close(c: UdpConn): void {
    c.state = udpConnState(c.orig.state, c.resp.state);
  }
}

const newUdpConn = (): UdpConn => new UdpConn();

const MAX_DNS_PENDING = 16;

/**
 * Follows the queries and responses of a DNS-over-UDP flow by id; true when every query seen was
 * answered (and at least one message was a response).
 */
function dnsAnswered(c: UdpConn, p: Packet): boolean {
  const b = p.nb;
  const o = p.payOff;
  const id = (b[o]! << 8) | b[o + 1]!;
  const qr = (b[o + 2]! & 0x80) !== 0;
  if (c.dnsOverflow) return false;
  // The usual flow has one query pending at a time: its id is kept without a list.
  const pend = c.dnsPending;
  if (!qr) {
    c.dnsQueried = true;
    if (pend === null) {
      if (c.dnsPendingId < 0) c.dnsPendingId = id;
      else if (c.dnsPendingId !== id) {
        c.dnsPending = [c.dnsPendingId, id];
        c.dnsPendingId = -1;
      }
    } else if (!pend.includes(id)) {
      // Too many outstanding ids: not a simple resolver exchange, let the flow time out.
      if (pend.length >= MAX_DNS_PENDING) {
        c.dnsOverflow = true;
        return false;
      }
      pend.push(id);
    }
    return false;
  }
  if (!c.dnsQueried) return true;
  if (pend === null) {
    if (c.dnsPendingId === id) c.dnsPendingId = -1;
    return c.dnsPendingId < 0;
  }
  const i = pend.indexOf(id);
  if (i >= 0) {
    pend[i] = pend[pend.length - 1]!;
    pend.pop();
  }
  return pend.length === 0;
}

function isMulticast(c: UdpConn): boolean {
  const ip = c.resp.ip;
  if (ip.includes(':')) return ip.toLowerCase().startsWith('ff');
  const first = Number(ip.slice(0, ip.indexOf('.')));
  return first >= 224 && first <= 239;
}
