/**
 * The tracking stage: decoded packets in; connections, DNS transactions, TLS sessions, HTTP
 * exchanges and ICMP errors out. TCP and UDP connection state lives in their trackers; each
 * TCP stream is classified by its first bytes (TLS on any port, HTTP, DNS over TCP, TLS after a
 * STARTTLS; FTP and mail servers' lines on their ports, lines.ts) and fed to that analyzer. Finished connections are handed to `onConn` with their
 * analyzer state, then forgotten: memory follows open connections, not the capture's length.
 */
import { ArpRequests } from './arp.js';
import { u16, u32 } from '../decode/bytes.js';
import { ipv4ToString } from '../decode/addr.js';
import type { Packet } from '../decode/packet.js';
import { ETH_ARP } from '../decode/ethernet.js';
import { FRAG_NONE, FRAG_PART, FRAG_REASSEMBLED, PROTO_ICMP, PROTO_ICMPV6, PROTO_TCP, PROTO_UDP, TCP_RST } from '../decode/packet.js';
import { isIcmpv4Error, isIcmpv6Error } from '../decode/icmp.js';
import { decodeDns, dnsOverTcpMessages, type DnsMessage } from '../decode/dns.js';
import { isStop } from '../decode/stop.js';
import { TcpTracker, craftedBits, type TcpConn } from './tcp.js';
import { UdpTracker, type UdpConn } from './udp.js';
import { DnsTracker, type DnsEndpoint, type DnsTransaction } from './dns.js';
import { AddrText } from './flow.js';
import { TlsAnalyzer, looksLikeClientHello, type TlsSession } from './tls.js';
import { HttpAnalyzer, looksLikeHttpRequest, requestHost, type HttpSession } from './http.js';
import { IcmpTracker, type IcmpError } from './icmp.js';
import { IcmpFlowTracker, type IcmpConn } from './icmpflow.js';
import { NameMap } from './names.js';
import { HostTtls } from './host-ttl.js';
import { DhcpOffers } from './dhcp.js';
import { LineReader, lineProtocolOf, type LineSession } from './lines.js';
import { PASS_ALL, type Conn, type StreamSink, type Time } from './types.js';

const DNS_PORT = 53;
/** DHCP servers send from port 67 (RFC 2131 §4.1). */
const DHCP_SERVER_PORT = 67;
/** The tracker reads questions, answers, the authority's record types and EDNS only. */
const LITE = Object.freeze({ lite: true });
/** How far into a stream we keep looking for a ClientHello after a STARTTLS-style exchange. */
const STARTTLS_SCAN = 64 * 1024;
const MAX_DNS_TCP_BUF = 64 * 1024;

const NO_BYTES = new Uint8Array(0);

/** Shared empty list for connections no ICMP error quoted (do not push to it). */
const NO_ICMP: IcmpError[] = Object.freeze([]) as unknown as IcmpError[];

type StreamKind = 'tls' | 'http' | 'dns' | 'scan' | 'none';

interface StreamState {
  /** null until the first bytes classify the stream. */
  kind: StreamKind | null;
  scanned: number;
  /** DNS over TCP: bytes of an unfinished message carried over, per direction. */
  dnsBuf?: [Uint8Array, Uint8Array];
  icmp?: IcmpError[];
  /** FTP, SMTP, POP3, IMAP on their ports, spoken first by the server (lines.ts). */
  lines?: LineReader;
}

export interface FinishedConn {
  conn: TcpConn | UdpConn;
  tls: TlsSession | null;
  http: HttpSession | null;
  /** ICMP errors that quote this flow (sent while it was open). */
  icmp: IcmpError[];
  /** FTP, SMTP, POP3 or IMAP: the greeting and logins (lines.ts); null for any other connection. */
  lines?: LineSession | null;
  /**
   * A connection opened to an address and port a control exchange announced for it: an FTP data
   * connection (an FTP control connection's 227 / 229 / PORT / EPRT: lines.ts DataChannel), or
   * the TCP connect probe of a Cisco IP SLA operation (its control message to the responder, UDP
   * 1967: ipSlaControl). Absent for any other.
   */
  dataChannel?: 'ftp' | 'ip-sla';
}

export interface TrackerOptions {
  onConn: (f: FinishedConn) => void;
  maxConns?: number;
  /** Optional: every TCP segment's connection, right after the segment was processed (live watcher). */
  onTcp?: (c: TcpConn, p: Packet) => void;
  /** Optional: every DNS-over-UDP message, as the tracker decoded it (live watcher). */
  onDns?: (m: DnsMessage, p: Packet) => void;
  /**
   * Optional: each DNS transaction once it is finished (quiet for a while, or at the end), after
   * which the tracker forgets it. Without it, `dns.all()` keeps every transaction of the capture.
   */
  onDnsDone?: (t: DnsTransaction) => void;
  /**
   * Reuse finished TCP connection and UDP flow objects for new ones (TcpTrackerOptions.reuse): only
   * when `onConn` keeps nothing of the connection object itself (default false).
   */
  reuse?: boolean;
  /** Keep the TLS sessions' record-level event lists (TlsAnalyzerOptions.events; default false). */
  tlsEvents?: boolean;
  /**
   * Optional: ICMP and ICMPv6 flows as Zeek's conn.log has them (icmpflow.ts), each once it is
   * finished (idle for a minute, or at the end). Without it no ICMP flow is kept.
   */
  onIcmpFlow?: (c: IcmpConn) => void;
  /**
   * Unanswered attempts tracked from which new ones are held compactly (TcpTrackerOptions.
   * compactAttempts; default 5,000). Never with `onTcp`, which is given every segment's connection.
   */
  compactAttempts?: number;
}

/** Addresses remembered as sent an ARP reply (Tracker.arpAnswered). */
const MAX_ARP_ANSWERED = 4_096;

/** Client and server pairs a crafted TCP packet was seen between (Tracker.crafted). */
const MAX_CRAFTED = 4_096;

/** A TCP packet no stack sends (craftedFlags): the first of its client and server pair. */
export interface CraftedPacket {
  frame: number;
  ts: number;
  /** Its flags as a person reads them: 'SYN+FIN+PSH+URG', 'none', 'SYN, timestamp 0xFFFFFFFF'. */
  what: string;
}

const FLAG_NAMES: ReadonlyArray<[number, string]> = [[0x02, 'SYN'], [0x01, 'FIN'], [0x04, 'RST'], [0x08, 'PSH'], [0x10, 'ACK'], [0x20, 'URG']];

/**
 * The flags of a TCP packet no TCP stack sends (tcp.ts craftedBits), as a person reads them, or
 * null; besides those, a SYN without ACK whose timestamp is 0xFFFFFFFF (nmap's OS detection
 * probes) is a scanner's, made on a raw socket. `tsVal` -1: not asked.
 */
export function craftedFlags(flags: number, tsVal: number): string | null {
  const f = flags & 0x3f;
  if (!craftedBits(f)) return (f & 0x02) !== 0 && tsVal === 0xffffffff ? 'SYN, timestamp 0xFFFFFFFF' : null;
  if (f === 0) return 'none';
  const names: string[] = [];
  for (const [bit, name] of FLAG_NAMES) if ((f & bit) !== 0) names.push(name);
  return names.join('+');
}

/**
 * Whether `p` is an IPv4 packet of the same protocol and addresses as the last one noted in `last`;
 * if not, it becomes the last (-1 fields: none yet). Streams of one kind between the same two hosts
 * (a tunnel's packets, a scan's crafted probes) then build no key per packet.
 */
function repeatsLast(last: { proto: number; src4: number; dst4: number }, p: Packet): boolean {
  if (p.ipVersion !== 4) return false;
  if (p.proto === last.proto && p.src4 === last.src4 && p.dst4 === last.dst4) return true;
  last.proto = p.proto;
  last.src4 = p.src4;
  last.dst4 = p.dst4;
  return false;
}

/** Conversations of other IP protocols remembered (Tracker.otherSeen). */
const MAX_OTHER_SEEN = 10_000;

/** Data channels remembered at most, and how long (s) after its announcement one is expected (FTP's). */
const MAX_DATA_CHANNELS = 1024;
const FTP_DATA_WAIT = 120;
/** The IP SLA control protocol's UDP port (Cisco's responder), and the longest wait for a TCP connect probe it announced (s). */
const IP_SLA_CONTROL_PORT = 1967;
const IP_SLA_WAIT = 60;

export class Tracker implements StreamSink {
  readonly tcp: TcpTracker;
  readonly udp: UdpTracker;
  readonly dns: DnsTracker;
  readonly tls: TlsAnalyzer;
  readonly http: HttpAnalyzer;
  readonly icmp = new IcmpTracker();
  /** ICMP flows, when `onIcmpFlow` was given. */
  readonly icmpFlows: IcmpFlowTracker | null;
  readonly names = new NameMap();
  /** The TTL / hop limit of each server's own TCP packets (its RSTs left out): tcp.reset_injected's baseline. */
  readonly hostTtls = new HostTtls();
  /** Addresses DHCP servers offered, by server and time (a server's ping of one is its conflict check: dhcp.ts). */
  readonly dhcp = new DhcpOffers();
  /** ICMP errors whose quoted flow was not (or no longer) tracked. */
  readonly orphanIcmp: IcmpError[] = [];
  /** proto|source|destination of packets of protocols other than TCP, UDP and ICMP (at most MAX_OTHER_SEEN). */
  private readonly otherSeen = new Set<string>();
  /**
   * The first crafted TCP packet (craftedFlags) from a client to a server, by `client|server`: a
   * scanner's (at most MAX_CRAFTED pairs). The diagnosis tells that pair's failed attempts as its
   * probes (diagnose.ts scanPair).
   */
  readonly crafted = new Map<string, CraftedPacket>();
  private readonly lastCrafted = { proto: -1, src4: -1, dst4: -1 };
  /** Addresses an ARP reply was sent to (Tracker.arp): hosts the capture shows packets toward. */
  readonly arpAnswered = new Set<string>();
  /** ARP requests by sender: a burst of them is a sweep of the network (arp.ts). */
  readonly arpRequests = new ArpRequests();
  /**
   * Data channels announced by control exchanges (FTP's: lines.ts DataChannel; IP SLA's:
   * ipSlaControl): `ip|port` of the side that will accept it, with the time of the announcement
   * and how long a connection to it is expected (at most MAX_DATA_CHANNELS; the oldest let go
   * first).
   */
  private readonly dataChannels = new Map<string, { kind: 'ftp' | 'ip-sla'; ts: number; wait: number }>();
  /** The IPv4 protocol and addresses last remembered in otherSeen (-1: none). */
  private readonly lastOther = { proto: -1, src4: -1, dst4: -1 };
  private idCounter = 0;
  private readonly onConn: (f: FinishedConn) => void;
  private readonly onTcp: ((c: TcpConn, p: Packet) => void) | undefined;
  private readonly onDns: ((m: DnsMessage, p: Packet) => void) | undefined;
  /** Last capture time seen (seconds). */
  now: Time = 0;

  constructor(o: TrackerOptions) {
    this.onConn = o.onConn;
    this.onTcp = o.onTcp;
    this.onDns = o.onDns;
    this.dns = new DnsTracker({ onDone: o.onDnsDone });
    this.tls = new TlsAnalyzer({ events: o.tlsEvents === true });
    const nextId = (): number => ++this.idCounter;
    this.http = new HttpAnalyzer((conn, fromOrig, rest, frame, ts) => this.tunnel(conn as Conn, fromOrig, rest, frame, ts));
    // One id counter and one address-text cache for both: ids follow first-packet order, and a
    // server's address is the same string in its TCP and UDP flows.
    const shared = { nextId, addrs: new AddrText(), maxConns: o.maxConns, reuse: o.reuse === true };
    const compactAttempts = o.onTcp !== undefined ? Infinity : o.compactAttempts;
    this.tcp = new TcpTracker({ ...shared, sink: this, onFinish: (c) => this.finished(c), ...(compactAttempts !== undefined ? { compactAttempts } : {}) });
    this.udp = new UdpTracker({ ...shared, onFinish: (c) => this.finished(c) });
    this.icmpFlows = o.onIcmpFlow !== undefined ? new IcmpFlowTracker({ ...shared, reuse: false, onFinish: o.onIcmpFlow }) : null;
  }

  packet(p: Packet): void {
    const ts = p.tsSec + p.tsNsec * 1e-9;
    this.now = ts;
    switch (p.proto) {
      case PROTO_TCP: {
        // The time is taken from the packet there: a double passed to a call is boxed, once per packet.
        // A packet without ACK: a SYN, a RST, or one a scanner made (craftedFlags).
        // (A fragment's flags are not read: a first fragment may end inside the header.)
        if ((p.tcpFlags & 0x10) === 0 && p.fragment !== FRAG_PART) this.craftedTcp(p, ts);
        const c = this.tcp.packet(p);
        if (c !== null && !this.tcp.lastFromOrig && (p.tcpFlags & TCP_RST) === 0) this.hostTtls.add(c, p);
        if (c !== null && this.onTcp !== undefined) this.onTcp(c, p);
        return;
      }
      case PROTO_UDP: {
        // A fragment: perhaps a piece of a DNS answer (track/dns.ts, DnsTracker.fragment).
        if (p.fragment !== FRAG_NONE) this.udpFragment(p, ts);
        if (p.sport === DHCP_SERVER_PORT) this.dhcp.see(p, ts);
        else if (p.dport === IP_SLA_CONTROL_PORT) this.ipSlaControl(p, ts);
        const c = this.udp.packet(p, ts);
        if (c !== null && (p.sport === DNS_PORT || p.dport === DNS_PORT) && p.payLen > 0) this.dnsDatagram(c, p, ts);
        return;
      }
      case PROTO_ICMP:
      case PROTO_ICMPV6:
        if (this.icmpFlows !== null) this.icmpFlows.packet(p, ts);
        if (p.ipVersion === 4 ? isIcmpv4Error(p.icmpType) : isIcmpv6Error(p.icmpType)) this.icmpError(p, ts);
        return;
      default:
        // Another protocol over IP (SCTP, GRE, ESP …): remembered by its addresses, so that an
        // ICMP error quoting one can say the capture holds it.
        if (p.ipVersion !== 0) this.otherProtocol(p);
        else if (p.etherType === ETH_ARP) this.arp(p, ts);
        return;
    }
  }

  /**
   * An ARP packet (RFC 826, Ethernet and IPv4) between two different hosts. A reply: its target
   * address is remembered in `arpAnswered` (at most MAX_ARP_ANSWERED), a host the capture shows
   * packets sent to (a capture of one host's outgoing packets, `src host` filtered, holds no reply
   * to it). A request: counted by its sender (arp.ts), whose burst of them is a sweep.
   */
  private arp(p: Packet, ts: Time): void {
    const b = p.nb;
    const o = p.payOff;
    if (p.payLen < 28) return;
    // htype 1, ptype 0x0800, hlen 6, plen 4; oper 1 (request) or 2 (reply).
    if (b[o] !== 0 || b[o + 1] !== 1 || b[o + 2] !== 8 || b[o + 3] !== 0 || b[o + 4] !== 6 || b[o + 5] !== 4 || b[o + 6] !== 0) return;
    const op = b[o + 7];
    const from = u32(b, o + 14);
    const to = u32(b, o + 24);
    if (from === to || to === 0) return;
    if (op === 1) {
      // (A probe from 0.0.0.0, duplicate address detection, is no host's.)
      if (from !== 0) this.arpRequests.request(from, to, ts, p.frame);
      return;
    }
    if (op !== 2) return;
    this.arpRequests.reply(from, to);
    if (this.arpAnswered.size < MAX_ARP_ANSWERED) this.arpAnswered.add(ipv4ToString(to));
  }

  /** A TCP packet without ACK: remembered when it is crafted (craftedFlags), the first of its pair. */
  private craftedTcp(p: Packet, ts: Time): void {
    const what = craftedFlags(p.tcpFlags, p.tsVal);
    if (what === null) return;
    // A scan's packets come one after another between the same two IPv4 hosts: no key per packet.
    if (repeatsLast(this.lastCrafted, p)) return;
    const key = `${p.srcAddr()}|${p.dstAddr()}`;
    if (!this.crafted.has(key) && this.crafted.size < MAX_CRAFTED) this.crafted.set(key, { frame: p.frame, ts, what });
  }

  /**
   * Remembers a packet of another IP protocol by its addresses. A tunnel's packets (ESP, GRE) come
   * one after another between the same two IPv4 hosts: the last pair is kept as numbers, so that
   * such a stream builds no key per packet.
   */
  private otherProtocol(p: Packet): void {
    if (repeatsLast(this.lastOther, p)) return;
    if (this.otherSeen.size < MAX_OTHER_SEEN) this.otherSeen.add(`${p.proto}|${p.srcAddr()}|${p.dstAddr()}`);
  }

  /**
   * A UDP fragment, or the datagram it completed: given to the DNS tracker when it is a piece
   * from a DNS server (a completed datagram from port 53; a piece, which may carry no port,
   * whatever it is: the tracker matches it to a query by addresses and time).
   */
  private udpFragment(p: Packet, ts: Time): void {
    const done = p.fragment === FRAG_REASSEMBLED;
    if (done && p.sport !== DNS_PORT) return;
    this.dns.fragment(p.srcAddr(), p.dstAddr(), p.ipId, p.fragOff, done, p.frame, ts);
  }

  /** End of capture: finish everything still open. */
  flush(): void {
    this.tcp.flush();
    this.udp.flush();
    this.icmpFlows?.flush();
    this.dns.flush();
  }

  // --- UDP DNS

  private dnsDatagram(c: UdpConn, p: Packet, ts: Time): void {
    const m = decodeDns(p.nb, p.payOff, p.payLen, LITE);
    if (isStop(m)) return;
    // The flow's endpoints carry the address text already: no string is built per datagram.
    const fromOrig = this.udp.lastFromOrig;
    const src = fromOrig ? c.orig : c.resp;
    const dst = fromOrig ? c.resp : c.orig;
    this.dnsMessage(m, 'udp', src, dst, p.frame, ts);
    if (this.onDns !== undefined) this.onDns(m, p);
  }

  /** One DNS message (UDP or TCP): its transaction, and the names its answers give addresses. */
  private dnsMessage(m: DnsMessage, transport: 'udp' | 'tcp', src: DnsEndpoint, dst: DnsEndpoint, frame: number, ts: Time): void {
    this.dns.message(m, transport, src, dst, frame, ts);
    // (Only a query's answer names addresses: an update's records are what the client asked to register.)
    if (m.qr && m.rcode === 0 && m.opcode === 0 && m.questions[0]) this.names.addAnswers(m.questions[0].name, m.answers, frame);
  }

  // --- ICMP

  private icmpError(p: Packet, ts: Time): void {
    const err = this.icmp.add(p, ts);
    const q = p.quoted;
    const tracked = q.proto === PROTO_TCP || q.proto === PROTO_UDP;
    if (!q.present || q.sport < 0 || !tracked) {
      // Quotes a ping, another protocol, or nothing usable: judged on its own.
      if (this.icmpFlows !== null && this.icmpFlows.quotedEchoSeen(p)) err.quotedSeen = true;
      if (q.present && q.proto !== PROTO_ICMP && q.proto !== PROTO_ICMPV6 && !tracked && this.otherSeen.has(`${q.proto}|${p.quotedSrc()}|${p.quotedDst()}`)) err.quotedSeen = true;
      if (this.orphanIcmp.length < 1000) this.orphanIcmp.push(err);
      return;
    }
    const c = q.proto === PROTO_TCP ? this.tcp.lookupQuoted(p) : this.udp.lookupQuoted(p);
    if (c === null) {
      if (this.orphanIcmp.length < 1000) this.orphanIcmp.push(err);
      return;
    }
    const st = this.state(c);
    (st.icmp ??= []).push(err);
  }

  // --- TCP streams (StreamSink)

  private state(conn: Conn): StreamState {
    let st = conn.trk as StreamState | null;
    if (st === null) {
      st = { kind: null, scanned: 0 };
      conn.trk = st;
    }
    return st;
  }

  /** Returns how many following bytes of this direction the stream may pass over (StreamSink.data). */
  data(conn: Conn, fromOrig: boolean, buf: Uint8Array, off: number, len: number, frame: number, ts: Time): number {
    let st = conn.trk as StreamState | null;
    if (st === null) st = this.state(conn);
    if (st.kind === null) this.classify(conn, st, fromOrig, buf, off, len);
    switch (st.kind) {
      case 'tls':
        return this.tls.data(conn, fromOrig, buf, frame, ts, off, len, true);
      case 'http':
        this.http.data(conn, fromOrig, buf, frame, ts, off, len);
        return 0;
      case 'dns':
        this.dnsStream(conn as TcpConn, st, fromOrig, buf.subarray(off, off + len), frame, ts);
        return 0;
      case 'scan':
        // A server-first protocol (SMTP, IMAP, POP3, FTP): TLS may start after STARTTLS / AUTH TLS.
        if (st.lines !== undefined) st.lines.data(fromOrig, buf, off, len, frame, ts);
        if (fromOrig && looksLikeClientHello(buf, off, len)) {
          st.kind = 'tls';
          this.tls.start(conn, true);
          return this.tls.data(conn, fromOrig, buf, frame, ts, off, len, true);
        }
        st.scanned += len;
        if (st.scanned > STARTTLS_SCAN) st.kind = 'none';
        return 0;
      default:
        // 'none': nothing more is read from this connection, either way.
        return PASS_ALL;
    }
  }

  private classify(conn: Conn, st: StreamState, fromOrig: boolean, b: Uint8Array, off: number, len: number): void {
    if (conn.resp.port === DNS_PORT || conn.orig.port === DNS_PORT) {
      st.kind = 'dns';
      st.dnsBuf = [NO_BYTES, NO_BYTES];
      return;
    }
    if (looksLikeClientHello(b, off, len)) {
      st.kind = 'tls';
      this.tls.start(conn, fromOrig);
      return;
    }
    if (fromOrig && looksLikeHttpRequest(b, off, len)) {
      st.kind = 'http';
      this.http.start(conn, true);
      return;
    }
    st.kind = fromOrig ? 'none' : 'scan';
    if (!fromOrig) {
      const protocol = lineProtocolOf(conn.resp.port);
      if (protocol !== null) {
        const lines = new LineReader(protocol);
        if (protocol === 'ftp') lines.onDataChannel = (ip, port, ts) => this.dataChannel(ip ?? conn.resp.ip, port, ts);
        st.lines = lines;
      }
    }
  }

  private tunnel(conn: Conn, fromOrig: boolean, rest: Uint8Array, frame: number, ts: Time): void {
    // Bytes inside an HTTP CONNECT tunnel: TLS when the client starts with a ClientHello.
    if (!this.tls.session(conn)) {
      if (!(fromOrig && looksLikeClientHello(rest, 0, rest.length))) return;
      this.tls.start(conn, true);
      this.state(conn).kind = 'tls';
    }
    this.tls.data(conn, fromOrig, rest, frame, ts);
  }

  private dnsStream(conn: TcpConn, st: StreamState, fromOrig: boolean, bytes: Uint8Array, frame: number, ts: Time): void {
    const i = fromOrig ? 0 : 1;
    let buf = bytes;
    const carried = st.dnsBuf![i]!;
    if (carried.length > 0) {
      buf = new Uint8Array(carried.length + bytes.length);
      buf.set(carried, 0);
      buf.set(bytes, carried.length);
    }
    // The transaction copies the endpoints it keeps; the connection's are passed as they are.
    const src = fromOrig ? conn.orig : conn.resp;
    const dst = fromOrig ? conn.resp : conn.orig;
    let used = 0;
    for (const ch of dnsOverTcpMessages(buf, 0, buf.length)) {
      if (!ch.complete) break;
      const m = decodeDns(buf, ch.offset, ch.length, LITE);
      used = ch.offset + ch.length;
      if (!isStop(m)) this.dnsMessage(m, 'tcp', src, dst, frame, ts);
    }
    const left = buf.length - used;
    st.dnsBuf![i] = left === 0 || left > MAX_DNS_TCP_BUF ? NO_BYTES : buf.slice(used);
  }

  gap(conn: Conn, fromOrig: boolean, _len: number): void {
    const st = conn.trk as StreamState | null;
    if (st === null) return;
    if (st.kind === 'tls') this.tls.gap(conn, fromOrig);
    else if (st.kind === 'http') this.http.gap(conn, fromOrig);
    else if (st.kind === 'dns') st.dnsBuf![fromOrig ? 0 : 1] = NO_BYTES;
    else if (st.lines !== undefined) st.lines.gap();
  }

  end(_conn: Conn): void {}

  private dataChannel(ip: string, port: number, ts: Time, kind: 'ftp' | 'ip-sla' = 'ftp', wait = FTP_DATA_WAIT): void {
    const key = `${ip}|${port}`;
    this.dataChannels.delete(key);
    if (this.dataChannels.size >= MAX_DATA_CHANNELS) this.dataChannels.delete(this.dataChannels.keys().next().value!);
    this.dataChannels.set(key, { kind, ts, wait });
  }

  /** The data channel this connection was opened to, announced less than its wait before it, or undefined. */
  private dataChannelOf(c: TcpConn | UdpConn): 'ftp' | 'ip-sla' | undefined {
    if (this.dataChannels.size === 0 || c.transport !== 'tcp') return undefined;
    const at = this.dataChannels.get(`${c.resp.ip}|${c.resp.port}`);
    return at !== undefined && c.start >= at.ts && c.start - at.ts <= at.wait ? at.kind : undefined;
  }

  /**
   * A Cisco IP SLA control message to a responder (UDP 1967) that announces a TCP connect probe:
   * the responder opens the port named for it, accepts the probe and closes it at once — the
   * measurement, not a service turning a client away. The layout, as the responders' messages
   * show it: version 1, a length, then a block of type 3 (TCP connect; 2 is UDP echo, 4 jitter) and
   * length 16 holding the responder's IPv4 address, the port and the wait in milliseconds.
   */
  private ipSlaControl(p: Packet, ts: Time): void {
    const b = p.nb;
    const o = p.payOff;
    if (p.payLen < 24 || b[o] !== 1 || p.ipVersion !== 4) return;
    if (u16(b, o + 8) !== 3 || u16(b, o + 10) !== 16) return;
    const ip = u32(b, o + 16);
    if (ip !== p.dst4 >>> 0) return;
    const port = u16(b, o + 20);
    const waitMs = u16(b, o + 22);
    if (port === 0) return;
    this.dataChannel(ipv4ToString(ip), port, ts, 'ip-sla', Math.min(IP_SLA_WAIT, Math.max(1, waitMs / 1000)));
  }

  /** The FTP / mail session read from a connection so far (lines.ts), or null. */
  lines(c: Conn): LineSession | null {
    return (c.trk as StreamState | null)?.lines?.session ?? null;
  }

  private finished(c: TcpConn | UdpConn): void {
    const st = c.trk as StreamState | null;
    st?.lines?.end();
    const tls = this.tls.session(c);
    const http = this.http.session(c);
    // Names the client used for this server: SNI, Host, CONNECT authority.
    if (tls?.clientHello?.sni) this.names.add(c.resp.ip, tls.clientHello.sni, c.firstFrame);
    if (http) {
      for (const e of http.exchanges) {
        const host = requestHost(e);
        if (host !== null) this.names.add(c.resp.ip, host, c.firstFrame);
      }
    }
    this.onConn({ conn: c, tls, http, icmp: st?.icmp ?? NO_ICMP, lines: this.lines(c), dataChannel: this.dataChannelOf(c) });
  }
}
