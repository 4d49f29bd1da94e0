/**
 * TCP connection tracking with Zeek's vocabulary: per-endpoint states (INACTIVE, SYN_SENT,
 * SYN_ACK_SENT, PARTIAL, ESTABLISHED, CLOSED, RESET), the `history` letters and the `conn_state`
 * function over the two states, following the behaviour of Zeek's TCP session adapter
 * (TCPSessionAdapter.cc, TCP_Endpoint.cc, conn/main.zeek) so that results can be cross-checked
 * against a Zeek conn.log. On top of that it records what diagnosis needs: every SYN of an
 * attempt, handshake timing, who sent each RST / FIN with the TTL and IP ID of that packet, the
 * server's SYN-ACK baseline, retransmissions, duplicate ACKs, zero windows and unacknowledged data,
 * and it reassembles each direction for the application analyzers (reassembly.ts).
 */
import {
  FRAG_PART, PROTO_TCP, TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN, type Packet,
} from '../decode/packet.js';
import {
  CLS_TCP, CLS_TCP_ATTEMPT, CLS_TCP_CLOSED, CLS_TCP_DONE, CLS_TCP_INTERACTIVE, FlowConn, FlowEntry, FlowTracker, isBroadcast4, isLikelyServerPort, packetTime,
  type FlowTrackerOptions,
} from './flow.js';
import { FRAG_NONE, Packet as DecodedPacket } from '../decode/packet.js';
import { Decoder } from '../decode/decoder.js';
import { newRawPacket, type RawPacket } from '../capture/types.js';
import { StreamDir, type StreamCut } from './reassembly.js';
import { TcpWatch } from './tcp-watch.js';
import type { HostTtl } from './host-ttl.js';
import { DOUBLE } from '../decode/shape.js';
import type { Conn, EndpointStats, StreamSink, Time } from './types.js';
import { interval } from '../time.js';

/** Where the stacks' ephemeral ports begin (Linux 32768, Windows and IANA 49152): a client's, never a service's. */
const EPHEMERAL_FROM = 32_768;

/** Seconds as milliseconds; null (a clock step: time.ts `interval`) stays null. */
const ms = (s: number | null): number | null => (s === null ? null : s * 1000);

/** Zeek endpoint states (values of Zeek's TCP_INACTIVE ... TCP_RESET). */
export const TcpState = {
  INACTIVE: 0,
  SYN_SENT: 1,
  SYN_ACK_SENT: 2,
  PARTIAL: 3,
  ESTABLISHED: 4,
  CLOSED: 5,
  RESET: 6,
} as const;
const INACTIVE = 0;
const SYN_SENT = 1;
const SYN_ACK_SENT = 2;
const PARTIAL = 3;
const ESTABLISHED = 4;
const CLOSED = 5;
const RESET = 6;

export type ConnState = 'S0' | 'S1' | 'SF' | 'REJ' | 'S2' | 'S3' | 'RSTO' | 'RSTR' | 'RSTOS0' | 'RSTRH' | 'SH' | 'SHR' | 'OTH';

/** Zeek's TOO_LARGE_SEQ_DELTA: sequence jumps beyond this in SYN/RST/ACK are not trusted. */
const TOO_LARGE_SEQ_DELTA = 1048576;
const TWO32 = 4294967296;

// History masks (Zeek HIST_*), shifted by 16 for the responder.
const H_SYN = 0x1;
const H_FIN = 0x2;
const H_RST = 0x4;
const H_FIN_RST = 0x8;
const H_DATA = 0x10;
const H_ACK = 0x20;
const H_MULTI = 0x40;

/** A RST or FIN as seen on the wire: enough to tell later whether the peer really sent it. */
export interface TcpControl {
  frame: number;
  ts: Time;
  fromOrig: boolean;
  /** IP TTL / hop limit and IPv4 identification (-1 for IPv6 without fragment header). */
  ttl: number;
  ipId: number;
  seq: number;
  ack: number;
  /** ACK flag set. */
  hasAck: boolean;
  /** Payload bytes carried (RST payloads are sometimes block pages). */
  payLen: number;
  /** Capture time of the other side's last data before this packet (0: none). */
  peerDataTs: Time;
}

export interface TcpDirStats {
  orig: number;
  resp: number;
}

export class TcpEndpoint implements EndpointStats {
  ip = '';
  port = 0;
  state = INACTIVE;
  prevState = INACTIVE;
  /** Packets (Zeek orig_pkts/resp_pkts) and bytes by sequence space (orig_bytes/resp_bytes, set when finished). */
  pkts = 0;
  bytes = DOUBLE;
  /** Payload bytes on the wire (not by sequence space). */
  payloadBytes = 0;
  ttl = 0;
  ipId = -1;
  isOrig: boolean;

  // Zeek TCP_Endpoint sequence tracking. Sequence numbers are int32 (x | 0): small integers kept
  // in the object; compared as uint32 (x >>> 0) where order matters, through (a - b) | 0 otherwise.
  startSeq = 0;
  lastSeq = 0;
  ackSeq = 0;
  seqWraps = 0;
  ackWraps = 0;
  /** Positions relative to the ISN (64-bit: doubles). */
  histLastSyn = DOUBLE;
  histLastFin = DOUBLE;
  histLastRst = DOUBLE;
  finCnt = 0;
  rstCnt = 0;
  /** Absolute sequence number of the FIN octet. */
  finAbs = 0;
  didClose = false;
  /** Logarithmic history counters (Zeek ScaledHistoryEntry): count and next threshold. */
  rxmtCnt = 0;
  rxmtThresh = 1;
  win0Cnt = 0;
  win0Thresh = 1;
  gapCnt = 0;
  gapThresh = 1;

  // Diagnosis statistics
  retransmits = 0;
  dupAcks = 0;
  zeroWindows = 0;
  /** First frame carrying payload from this endpoint (0 = none). */
  firstDataFrame = 0;
  /** Capture time of that first payload (0 = none). */
  firstDataTime: Time = DOUBLE;
  /** The last frame carrying payload from this endpoint, and its time (0 = none). */
  lastDataFrame = 0;
  lastDataTime: Time = DOUBLE;
  /** Last ACK number / window this endpoint sent, for duplicate ACK detection (window -1 = none yet). */
  lastAckSent = -1;
  lastWinSent = -1;
  /**
   * An ACK of this endpoint's acknowledged more than one before it, outside the established fast
   * path: the peer sent something while the capture ran (capture.one_sided tells it when the
   * peer's packets are absent).
   */
  ackMoved = false;
  /** Highest sequence number sent (one past the last octet, FIN included), -1 until data/FIN/SYN seen. */
  stream: StreamDir | null = null;
  /** Back-off, holes, delivered sizes and zero windows of this endpoint (tcp-watch.ts), made on a sign of trouble. */
  watch: TcpWatch | null = null;
  /** The largest payload this endpoint sent. */
  maxSeg = 0;

  constructor(isOrig: boolean) {
    this.isOrig = isOrig;
    this.reset(isOrig);
  }

  /** Back to the state of `new TcpEndpoint(isOrig)`. */
  reset(isOrig: boolean): void {
    this.ip = '';
    this.port = 0;
    this.state = this.prevState = INACTIVE;
    this.pkts = this.bytes = this.payloadBytes = this.ttl = 0;
    this.ipId = -1;
    this.isOrig = isOrig;
    this.startSeq = this.lastSeq = this.ackSeq = 0;
    this.seqWraps = this.ackWraps = 0;
    this.histLastSyn = this.histLastFin = this.histLastRst = 0;
    this.finCnt = this.rstCnt = 0;
    this.finAbs = 0;
    this.didClose = false;
    this.rxmtCnt = this.win0Cnt = this.gapCnt = 0;
    this.rxmtThresh = this.win0Thresh = this.gapThresh = 1;
    this.retransmits = this.dupAcks = this.zeroWindows = 0;
    this.firstDataFrame = 0;
    this.firstDataTime = 0;
    this.lastDataFrame = 0;
    this.lastDataTime = 0;
    this.lastAckSent = this.lastWinSent = -1;
    this.ackMoved = false;
    this.stream = null;
    this.watch = null;
    this.maxSeg = 0;
  }

  setState(s: number): void {
    if (s !== this.state) {
      this.prevState = this.state;
      this.state = s;
    }
  }

  initStart(seq: number): void {
    this.startSeq = seq | 0;
  }
  initAck(seq: number): void {
    this.ackSeq = seq | 0;
    this.ackWraps = 0;
  }
  initLast(seq: number): void {
    this.lastSeq = seq | 0;
    this.seqWraps = 0;
  }
  updateLast(seq: number): void {
    seq |= 0;
    if (seq >>> 0 < this.lastSeq >>> 0) this.seqWraps++;
    this.lastSeq = seq;
  }
  relAck(seq: number): number {
    return this.ackWraps * TWO32 + (this.ackSeq >>> 0) - (this.startSeq >>> 0) + ((seq - this.ackSeq) | 0);
  }
  noDataAcked(): boolean {
    const a = this.ackWraps * TWO32 + (this.ackSeq >>> 0);
    const s = this.startSeq >>> 0;
    return a === s || a === s + 1;
  }
  /** Zeek TCP_Endpoint::Size(): bytes by sequence space, SYN and FIN octets excluded. */
  size(peer: TcpEndpoint): number {
    if (this.prevState === SYN_SENT && this.state === RESET && peer.state === INACTIVE && !this.noDataAcked()) return 0;
    const last = this.seqWraps * TWO32 + (this.lastSeq >>> 0);
    const ack = this.ackWraps * TWO32 + (this.ackSeq >>> 0);
    let size = (last > ack ? last : ack) - (this.startSeq >>> 0);
    if (size < 0) size = 0;
    if (size !== 0) size--;
    if (this.finCnt > 0 && size !== 0) size--;
    return size;
  }
}

/** The typed TCP connection record. */
export class TcpConn extends FlowConn implements Conn {
  readonly transport = 'tcp' as const;
  orig: TcpEndpoint = new TcpEndpoint(true);
  resp: TcpEndpoint = new TcpEndpoint(false);

  /** Zeek conn_state, set when the connection is finished (and by `connState()` at any time). */
  state: ConnState | '' = '';
  /** Why the tracker let go of it. */
  finishReason: 'closed' | 'idle' | 'evicted' | 'reused' | 'end' | '' = '';
  /** First packet was not a SYN (Zeek is_partial at start). */
  partial = false;
  /** Its SYN or SYN-ACK carried an MPTCP option: a subflow of a Multipath TCP connection. */
  mptcp = false;
  /**
   * Established as a connection of an interactive service (TCP port 21, 22, 23 or 513): idles
   * out after the interactive timeout (1 hour), as Zeek's conn/inactivity.zeek sets it.
   */
  interactive = false;

  /** The originator's SYNs of this attempt (retransmissions with the same ISN included). */
  synFrames: number[] = NO_NUMBERS;
  synTimes: Time[] = NO_NUMBERS;
  synTtl = -1;
  synIpId = -1;
  /** Payload bytes of the originator's SYN (TCP Fast Open data, RFC 7413), the largest of its copies. */
  synLen = 0;
  /**
   * The first packet of the connection with flags no TCP stack sends (craftedBits), 0 if none, and
   * its flags: the exchange is a scanner's or a test tool's, not a program's connection.
   */
  craftedFrame = 0;
  craftedFlags = 0;
  /** The client's SYN carried a segment signature: TCP MD5 (19) or TCP-AO (29); 0 without. */
  synAuth = 0;
  /** Copies of the SYN that carried data (each is counted as data sent again in `retransmits`). */
  synDataSends = 0;
  /** The first SYN-ACK acknowledged the SYN's data too (else the client sends it again after the handshake). */
  synDataAcked = false;
  /** Responder's SYN-ACK (first one), with the TTL / IP ID baseline of the server. */
  synAckFrame = 0;
  /**
   * The ISN of a second SYN-ACK of another ISN before the client's ACK (two devices answering one
   * SYN), kept aside: the client's ACK tells which of the two it took. -1: none (an ISN as uint32).
   */
  altIsn = -1;
  /** SYN-ACKs the responder sent (more than one: it resent it, unacknowledged). */
  synAcks = 0;
  synAckTime: Time = DOUBLE;
  synAckTtl = -1;
  synAckIpId = -1;
  /**
   * The responder's first bare ACK (no SYN, no RST) before any SYN-ACK: an answer to a SYN that
   * does not accept it (a challenge ACK of an old connection on the same ports, RFC 5961 §4).
   */
  bareAckFrame = 0;
  bareAckTime: Time = DOUBLE;
  /** Originator's first ACK after the SYN-ACK (handshake completion). */
  ackFrame = 0;
  ackTime: Time = DOUBLE;
  /** SYN → SYN-ACK and SYN-ACK → ACK, milliseconds (null when not seen). RTT from the capture point. */
  handshakeRttMs: { synToSynAck: number | null; synAckToAck: number | null } = NO_RTT;
  /** Negotiated options from the SYN / SYN-ACK (-1 / false when absent). */
  mss: TcpDirStats = NONE;
  wscale: TcpDirStats = NONE;
  rsts: TcpControl[] = NO_CONTROLS;
  fins: TcpControl[] = NO_CONTROLS;
  /** The per-direction counters below are filled when the connection is finished. */
  retransmits: TcpDirStats = ZERO;
  dupAcks: TcpDirStats = ZERO;
  zeroWindows: TcpDirStats = ZERO;
  /** First frame with payload each way (0 = none). */
  dataFrames: TcpDirStats = ZERO;
  /** Sent but never acknowledged by the peer at the end (sequence space, SYN/FIN excluded), each way. */
  unackedBytes: TcpDirStats = ZERO;
  /** Payload bytes missing from the capture (reported as gaps), each way. */
  gapBytes: TcpDirStats = ZERO;
  /** The frame of the first bytes past each direction's first gap (0: none, or no gap). */
  gapResumed: TcpDirStats = ZERO;
  /**
   * Where each direction's in-order bytes stopped inside an encrypted TLS record (reassembly.ts
   * StreamCut), set when the connection is finished; null otherwise.
   */
  cutOrig: StreamCut | null = null;
  cutResp: StreamCut | null = null;
  /** Zeek weird names seen (first occurrence each), for diagnosis. */
  weirds: string[] = NO_STRINGS;
  /** The server's entry in the tracker's TTL table (host-ttl.ts), once looked up; dropped when the roles flip. */
  hostTtl: HostTtl | null = null;

  constructor() {
    super();
    // The per-direction counters hold the shared frozen ZERO / NONE until a connection has its own
    // pair: one plain pair first, so that the fields take any object from the start and the first
    // connection given its own pair does not throw away the optimized code (shape.ts).
    this.mss = this.wscale = this.retransmits = this.dupAcks = this.zeroWindows = this.dataFrames = this.unackedBytes =
      this.gapBytes = this.gapResumed = { orig: 0, resp: 0 };
    this.reset();
    // flipRoles swaps the endpoints: written twice from the start (shape.ts).
    this.orig = this.orig; // eslint-disable-line no-self-assign
    this.resp = this.resp; // eslint-disable-line no-self-assign
  }

  /** Roles swapped: each endpoint knows which it now is. */
  override flipRoles(): void {
    super.flipRoles();
    this.hostTtl = null;
    this.orig.isOrig = true;
    this.resp.isOrig = false;
  }

  /** Back to the state of `new TcpConn()` (see FlowConn.reset). */
  override reset(): void {
    this.resetConn();
    this.orig.reset(true);
    this.resp.reset(false);
    this.state = '';
    this.finishReason = '';
    this.partial = false;
    this.mptcp = false;
    this.interactive = false;
    this.synFrames = NO_NUMBERS;
    this.synTimes = NO_NUMBERS;
    this.synTtl = this.synIpId = -1;
    this.synLen = 0;
    this.craftedFrame = 0;
    this.craftedFlags = 0;
    this.synAuth = 0;
    this.synDataSends = 0;
    this.synDataAcked = false;
    this.synAckFrame = 0;
    this.altIsn = -1;
    this.synAcks = 0;
    this.synAckTime = 0;
    this.synAckTtl = this.synAckIpId = -1;
    this.bareAckFrame = 0;
    this.bareAckTime = 0;
    this.ackFrame = 0;
    this.ackTime = 0;
    this.handshakeRttMs = NO_RTT;
    this.mss = this.wscale = NONE;
    this.rsts = this.fins = NO_CONTROLS;
    this.retransmits = this.dupAcks = this.zeroWindows = this.dataFrames = this.unackedBytes = this.gapBytes = this.gapResumed = ZERO;
    this.weirds = NO_STRINGS;
    this.hostTtl = null;
    this.cutOrig = this.cutResp = null;
  }

  /** Zeek's conn_state over the current endpoint states. */
  connState(): ConnState {
    return tcpConnState(this.orig.state, this.resp.state, this.orig.size(this.resp), this.resp.size(this.orig), this.history);
  }
}

const RSTOS0_RE = /^\^?S[^HAFGIQ]*R/;

// Shared empty lists: most connections never fill them, and a short connection's footprint is
// what bounds memory at high connection rates. Replaced by a fresh array on the first push.
const NO_NUMBERS: number[] = Object.freeze([]) as unknown as number[];
const NO_CONTROLS: TcpControl[] = Object.freeze([]) as unknown as TcpControl[];
const NO_STRINGS: string[] = Object.freeze([]) as unknown as string[];
const ZERO: TcpDirStats = Object.freeze({ orig: 0, resp: 0 }) as TcpDirStats;
const NONE: TcpDirStats = Object.freeze({ orig: -1, resp: -1 }) as TcpDirStats;
const NO_RTT = Object.freeze({ synToSynAck: null, synAckToAck: null }) as { synToSynAck: number | null; synAckToAck: number | null };

/** Zeek's `conn_state` for TCP (conn/main.zeek). */
export function tcpConnState(os: number, rs: number, origSize: number, respSize: number, history: string): ConnState {
  const oInactive = os === INACTIVE || os === PARTIAL;
  const rInactive = rs === INACTIVE || rs === PARTIAL;
  if (rs === RESET) {
    if (os === SYN_SENT || os === SYN_ACK_SENT || (os === RESET && origSize === 0 && respSize === 0)) return 'REJ';
    return oInactive ? 'RSTRH' : 'RSTR';
  }
  if (os === RESET) {
    if (rInactive) return RSTOS0_RE.test(history) ? 'RSTOS0' : 'OTH';
    return 'RSTO';
  }
  if (rs === CLOSED && os === CLOSED) return 'SF';
  if (os === CLOSED) return rInactive ? 'SH' : 'S2';
  if (rs === CLOSED) return oInactive ? 'SHR' : 'S3';
  if (os === SYN_SENT && rs === INACTIVE) return 'S0';
  if (os === ESTABLISHED && rs === ESTABLISHED) return 'S1';
  return 'OTH';
}

/** One SYN of a compact attempt as it was captured (its frame's bytes as latin1 text: one small string on the heap). */
interface HeldSyn {
  bytes: string;
  frame: number;
  tsSec: number;
  tsNsec: number;
  origLen: number;
  linkType: number;
  iface: number;
  /** The time the tracker took for it (s). */
  now: number;
}

/** SYNs a compact attempt holds at most (a client's retries; a seventh SYN expands it). */
const MAX_HELD_SYNS = 6;
/** Captured bytes of a SYN held at most (an Ethernet SYN with every option is about 90). */
const MAX_HELD_BYTES = 256;

/**
 * A connection attempt while all it has is its originator's SYNs, held as those SYNs (about 500
 * bytes, where a TcpConn with its two endpoints is about 2.4 KB): a scan of a filtered network
 * keeps tens of thousands of attempts waiting for an answer at once. Its first other packet (an
 * answer, a new ISN), an ICMP error quoting it, or its end expands it: the held SYNs are decoded
 * again and replayed, in order and at their own times, through the very steps that would have
 * taken them, so the connection is the same as if it had been a TcpConn from the start.
 */
export class TcpAttempt extends FlowEntry {
  override fHeld = true;
  id = 0;
  /** The first SYN's sequence number (int32): a SYN with another starts a new connection. */
  seq = 0;
  syns: HeldSyn[] = NO_SYNS;
  /** Expanded (its TcpConn has taken over). */
  done = false;
}

const NO_SYNS: HeldSyn[] = [];
const isAttempt = (c: FlowEntry): boolean => c.fHeld;

export interface TcpTrackerOptions extends FlowTrackerOptions {
  sink: StreamSink;
  onFinish: (c: TcpConn) => void;
  /**
   * Hold a new connection attempt compactly (TcpAttempt) while this many or more unanswered
   * attempts are tracked (default 5,000; Infinity: never, e.g. for a live watcher that is given
   * every segment's connection). Below it every connection is a TcpConn from its first SYN.
   */
  compactAttempts?: number;
  /** Bytes held above a hole per direction before giving up on it (default 256 KiB). */
  maxHeldBytes?: number;
}

/** How long after a connection's last packet a copy of its first SYN (same ISN) is still read as a late duplicate, not a new attempt (s). */
const LATE_SYN_S = 3;

/** Reassembly states kept for reuse, at most (two per connection). */
const STREAM_POOL_MAX = 8192;

const MAX_LIST = 64;

export class TcpTracker extends FlowTracker<TcpConn, TcpConn['finishReason']> {
  private readonly sink: StreamSink;
  private readonly maxHeld: number;
  /** Reassembly states of finished connections, for reuse (null when not reusing). */
  private readonly streams: StreamDir[] | null;
  /** The shortest timeout of any class: a smaller jump of the clock cannot expire a connection. */
  private readonly minTimeout: number;
  /**
   * Packets whose timestamps were taken for clock glitches (`responds`, or stamped a whole
   * timeout before their connection's last packet), and the first frames of them.
   */
  clockGlitches = 0;
  /** Whether the last packet given to `packet` came from its connection's originator. */
  lastFromOrig = true;
  /**
   * The time taken for the packet being processed (s): read by `established` and `watchSegment`
   * rather than passed, since a double passed to a call is boxed (an allocation per packet).
   */
  private t = DOUBLE;
  readonly clockGlitchFrames: number[] = [];
  /** Unanswered attempts tracked from which a new attempt is held compactly (TcpAttempt). */
  private readonly compactFrom: number;
  /** The latest time taken for a packet (s). */
  private latest = -Infinity;
  /** Decoding the held SYNs of an attempt again (its own decoder, packet and bytes: the caller's packet stays as it is). */
  private readonly replay: { decoder: Decoder; pkt: DecodedPacket; raw: RawPacket; buf: Uint8Array } | null = null;
  /**
   * Usable segments without SYN so far: none in a capture that holds SYN-ACKs means a filter
   * kept only connection openings, and a missing handshake ACK proves nothing.
   */
  nonSyn = 0;
  /** Attempts held compactly, and expanded (counted for the benchmark and the tests). */
  attemptsHeld = 0;
  attemptsExpanded = 0;
  /**
   * Capture loss (Zeek's capture_loss reads the same sign): bytes a receiver acknowledged that the
   * capture never held, the connections that had such a hole, and the bytes of every connection
   * closed so far (sequence space, the holes included), to put the loss in proportion.
   */
  unseenBytes = 0;
  unseenConns = 0;
  connBytes = 0;

  constructor(o: TcpTrackerOptions) {
    super(o, o.sink, o.onFinish);
    this.sink = o.sink;
    this.t = 0;
    this.compactFrom = o.compactAttempts ?? 5_000;
    if (this.compactFrom !== Infinity) {
      this.replay = { decoder: new Decoder(), pkt: new DecodedPacket(), raw: newRawPacket(), buf: new Uint8Array(MAX_HELD_BYTES) };
    }
    this.maxHeld = o.maxHeldBytes ?? 256 * 1024;
    this.streams = o.reuse === true ? [] : null;
    this.minTimeout = Math.min(...this.table.timeouts);
  }

  /** The byte stream `e` sends, from just past its SYN (a reused object when there is one). */
  private newStream(c: TcpConn, e: TcpEndpoint): StreamDir {
    const start = (e.startSeq + 1) | 0;
    const s = this.streams !== null ? this.streams.pop() : undefined;
    return s !== undefined ? s.reinit(start, c, e.isOrig) : new StreamDir(start, this.sink, c, e.isOrig, this.maxHeld);
  }

  /** Feeds one decoded packet; returns its connection (null when it is not a usable TCP segment). */
  packet(p: Packet, now: number = packetTime(p)): TcpConn | null {
    if (p.proto !== PROTO_TCP) return null;
    if (p.tcpHdrLen < 20 || p.payOff === 0 || p.fragment === FRAG_PART || (p.ipVersion !== 4 && p.ipVersion !== 6)) return null;
    if ((p.tcpFlags & TCP_SYN) === 0) this.nonSyn++;
    if (now >= this.nextSweep) {
      // The clock jumped by the shortest timeout or more since the last sweep (at most a sweep
      // interval before the previous packet): before sweeping at the packet's time, see whether
      // the packet is a clock glitch of its connection, which then keeps it at its own time.
      if (now - this.lastSweep >= this.minTimeout && this.glitchAhead(p, now)) now = packetTime(p);
      else this.sweep(now);
    }
    if (now > this.latest) this.latest = now;
    const table = this.table;
    let c = table.find(p);
    let fwd = table.fwd;
    if (c !== null && isAttempt(c)) {
      const a = c as unknown as TcpAttempt;
      if (fwd && this.holdsAgain(a, p, now)) {
        a.syns.push(held(p, now));
        table.touch(c, CLS_TCP_ATTEMPT, now);
        this.lastFromOrig = true;
        return null;
      }
      // Anything else: the attempt becomes the connection it would have been, then takes the packet.
      c = this.expand(a, true);
    }
    if (c !== null) {
      // table.isExpired, written out: a double passed to a call is boxed.
      if (c.lCls >= 0 && c.end + table.timeouts[c.lCls]! <= now) {
        // Idle for its timeout or longer: Zeek's inactivity split.
        this.finish(c, 'idle');
        c = null;
      } else if ((p.tcpFlags & TCP_SYN) !== 0 && this.isReuse(c, p)) {
        this.finish(c, 'reused');
        c = null;
      } else if (now < this.lastSweep && now + table.timeouts[c.lCls]! <= c.end) {
        // Stamped earlier than the connection's last packet by its whole timeout: a clock glitch
        // (or a merged capture whose clocks differ), never idleness. Taken at the connection's time.
        now = this.retime(c, p);
      }
    }
    if (c === null) {
      if (this.compacts(p)) {
        this.hold(p, now);
        this.lastFromOrig = true;
        return null;
      }
      c = this.create(p, now);
      fwd = true;
    }
    const isOrig = fwd === c.keyIsOrig;
    this.lastFromOrig = isOrig;
    const f = p.tcpFlags;
    if ((f & (TCP_SYN | TCP_FIN | TCP_RST | TCP_ACK)) === TCP_ACK && c.orig.state === ESTABLISHED && c.resp.state === ESTABLISHED &&
        (c.ackFrame !== 0 || c.synAckFrame === 0)) {
      // Most segments: data or a pure ACK inside an established connection.
      this.t = now;
      this.established(c, p, isOrig);
      // It stays in the open class (`touch` would only set the time, which is set).
      if (c.lCls === CLS_TCP) return c;
    } else this.process(c, p, isOrig, now);
    // An open connection stays in the open class until a SYN, FIN or RST: without one no endpoint
    // can close, reset or go back to an attempt.
    table.touch(c, c.lCls === CLS_TCP && (f & (TCP_SYN | TCP_FIN | TCP_RST)) === 0 ? CLS_TCP : this.classOf(c), now);
    return c;
  }

  /**
   * Is `p`, whose time jumped at least the shortest timeout past the last sweep, a clock glitch?
   * Its connection would idle out at its time, the jump is at least that connection's timeout,
   * and the packet `responds`. Then the packet is re-timed (`retime`) and true returned.
   */
  private glitchAhead(p: Packet, now: number): boolean {
    const table = this.table;
    let c = table.find(p);
    if (c !== null && isAttempt(c) && table.isExpired(c, now)) c = this.expand(c as unknown as TcpAttempt, true);
    if (c === null || !table.isExpired(c, now) || now - this.lastSweep < table.timeouts[c.lCls]! || !this.responds(c, p, table.fwd === c.keyIsOrig)) {
      return false;
    }
    this.retime(c, p);
    return true;
  }

  /**
   * Does this segment answer what the peer sent? It acknowledges sequence space of the peer that
   * was not acknowledged yet (a SYN, data, a FIN), and its own sequence number continues where
   * its sender left off. A receiver acknowledges within a round trip (RFC 9293 §3.8.6.3: delayed
   * ACKs wait at most 0.5 s) and no segment outlives the network's maximum segment lifetime, so
   * such an answer cannot come minutes after the last packet of its connection: when its
   * timestamp says so, the timestamp is wrong. (A packet that acknowledges nothing new cannot
   * tell a clock glitch from idleness without the packets after it: it splits as in Zeek.)
   */
  private responds(c: TcpConn, p: Packet, isOrig: boolean): boolean {
    const f = p.tcpFlags;
    if ((f & TCP_ACK) === 0 || (f & TCP_RST) !== 0) return false;
    const e = isOrig ? c.orig : c.resp;
    const peer = isOrig ? c.resp : c.orig;
    if (peer.state === INACTIVE || peer.state === RESET) return false;
    const ack = p.ack | 0;
    if (((ack - peer.ackSeq) | 0) <= 0 || ((ack - peer.lastSeq) | 0) > 0) return false;
    // Without its SYN, an endpoint's first octet (start + 1) is where the capture began: an ACK of
    // it acknowledges nothing that was seen.
    if ((c.histSeen & (isOrig ? H_SYN << 16 : H_SYN)) === 0 && ((ack - peer.startSeq) | 0) <= 1) return false;
    return e.state === INACTIVE || (p.seq | 0) === e.lastSeq;
  }

  /**
   * A packet of `c` whose timestamp is a clock glitch: counted, named in the connection's weirds,
   * and re-timed to the connection's last time, which is returned. The packet's own timestamp is
   * replaced (it is read again, for the stream's delivery times); frames and evidence keep their
   * numbers, and the capture's times are the reader's. Zeek has no such rule: its network time
   * jumps with the packet and every connection idles out.
   */
  private retime(c: TcpConn, p: Packet): number {
    this.clockGlitches++;
    if (this.clockGlitchFrames.length < MAX_LIST) this.clockGlitchFrames.push(p.frame);
    this.weird(c, 'timestamp_glitch');
    const at = c.end;
    const sec = Math.floor(at);
    p.tsSec = sec;
    p.tsNsec = Math.round((at - sec) * 1e9);
    return at;
  }


  /**
   * `process` for a segment with ACK and without SYN, FIN or RST while both endpoints are
   * ESTABLISHED and the handshake's completion is known (or there was no handshake to complete):
   * the same steps, without those that cannot apply (endpoint initialization, SYN / FIN / RST
   * history and records, the state machine, which changes nothing for such a segment).
   */
  private established(c: TcpConn, p: Packet, isOrig: boolean): void {
    const now = this.t;
    const e = isOrig ? c.orig : c.resp;
    const peer = isOrig ? c.resp : c.orig;
    const resentBefore = e.retransmits;
    const baseSeq = p.seq | 0;
    const ackSeq = p.ack | 0;
    const len = p.payWireLen;
    const win = p.win;
    c.end = now;
    c.lastFrame = p.frame;
    e.pkts++;
    e.ttl = p.ttl;
    e.ipId = p.ipId;
    const seqOnePast = (baseSeq + len) | 0;
    // Payload below the ISN (position relative to it, 64-bit, taken before lastSeq moves) is not delivered.
    const seqUnderflow = len > 0 && e.seqWraps * TWO32 + (e.lastSeq >>> 0) - (e.startSeq >>> 0) + ((baseSeq - e.lastSeq) | 0) < 0;

    // update_history
    if (len !== 0) {
      if ((c.histSeen & (isOrig ? H_DATA : H_DATA << 16)) === 0) this.checkHistory(c, isOrig, H_DATA, 'D');
    } else if ((c.histSeen & (isOrig ? H_ACK : H_ACK << 16)) === 0) this.checkHistory(c, isOrig, H_ACK, 'A');

    if (win === 0) this.zeroWindow(c, e, isOrig);
    if (len === 0 && ackSeq === e.lastAckSent && win === e.lastWinSent && ((peer.lastSeq - ackSeq) | 0) > 0) e.dupAcks++;
    e.lastAckSent = ackSeq;
    e.lastWinSent = win;

    // update_ack_seq
    const d = (ackSeq - peer.ackSeq) | 0;
    if (peer.ackWraps * TWO32 + (peer.ackSeq >>> 0) - (peer.startSeq >>> 0) + d >= 0 && !(ackSeq === 0 && d > TOO_LARGE_SEQ_DELTA) && d > 0) {
      if (ackSeq >>> 0 < peer.ackSeq >>> 0) peer.ackWraps++;
      peer.ackSeq = ackSeq;
    }

    // update_last_seq
    const deltaLast = (seqOnePast - e.lastSeq) | 0;
    if (deltaLast > 0) {
      if (seqOnePast >>> 0 < e.lastSeq >>> 0) e.seqWraps++;
      e.lastSeq = seqOnePast;
    } else if (len > 0) this.retransmission(c, e, isOrig);

    this.ackReceived(c, peer, p);

    if (len > 0) this.payload(c, e, p, baseSeq, len, seqUnderflow);
    this.watchSegment(c, e, peer, p, len, e.retransmits !== resentBefore);
  }

  /**
   * `len` payload bytes from `e` starting at sequence number `dataSeq`: counted, and given to the
   * endpoint's stream unless they lie below its ISN. (The time is read from the packet: a double
   * argument would be boxed on every call.)
   */
  private payload(c: TcpConn, e: TcpEndpoint, p: Packet, dataSeq: number, len: number, seqUnderflow: boolean): void {
    const now = packetTime(p);
    if (e.firstDataFrame === 0) {
      e.firstDataFrame = p.frame;
      e.firstDataTime = now;
    }
    e.payloadBytes += len;
    e.lastDataFrame = p.frame;
    e.lastDataTime = now;
    if (seqUnderflow) return;
    let st = e.stream;
    if (st === null) st = e.stream = this.newStream(c, e);
    st.segmentAt(((dataSeq - st.next) | 0), p.nb, p.payOff, p.payLen < len ? p.payLen : len, len, p.frame, now);
  }

  private classOf(c: TcpConn): number {
    const o = c.orig;
    const r = c.resp;
    if ((o.didClose || r.didClose) &&
        ((o.didClose && r.didClose) || o.state === RESET || r.state === RESET || o.state === INACTIVE || r.state === INACTIVE)) {
      // Refused (a SYN answered by a RST, Zeek REJ): the client has given up; nothing but a copy of
      // the RST or a new attempt can follow. Let go after the short delay of a clean close, so
      // that a scan's tens of thousands of refused ports a second are not held twice as long.
      if (r.state === RESET && o.state === SYN_SENT && o.finCnt === 0 && r.finCnt === 0) return CLS_TCP_DONE;
      // Both FINs sent and each acknowledged by the other side: the connection is over.
      if (o.state === CLOSED && r.state === CLOSED && o.finCnt > 0 && r.finCnt > 0 &&
          o.lastWinSent >= 0 && r.lastWinSent >= 0 &&
          o.lastAckSent === ((r.finAbs + 1) | 0) && r.lastAckSent === ((o.finAbs + 1) | 0)) return CLS_TCP_DONE;
      // Both FINs sent, and one side's data before its FIN never acknowledged (no RST): it goes
      // on retransmitting data and FIN at its backing-off timeout, seconds apart, and those are
      // the same connection's, not new one-sided ones (suricata's CVE-2018-6794 capture: a request
      // and its FIN resent for 18 s). A final ACK of a FIN alone missing is the ordinary close.
      if (o.state === CLOSED && r.state === CLOSED && o.finCnt > 0 && r.finCnt > 0 && r.lastWinSent >= 0 && o.lastWinSent >= 0 &&
          (((o.finAbs - r.lastAckSent) | 0) > 0 || ((r.finAbs - o.lastAckSent) | 0) > 0)) return CLS_TCP;
      return CLS_TCP_CLOSED;
    }
    if ((o.state === SYN_SENT || o.state === SYN_ACK_SENT) && r.state === INACTIVE) return CLS_TCP_ATTEMPT;
    return c.interactive ? CLS_TCP_INTERACTIVE : CLS_TCP;
  }

  private create(p: Packet, now: number): TcpConn {
    const c = this.begin(newTcpConn, p, now, CLS_TCP);
    this.opened(c, p);
    return c;
  }

  /** A new connection's first packet: partial or not, and which side is the originator. */
  private opened(c: TcpConn, p: Packet): void {
    const f = p.tcpFlags;
    const syn = (f & TCP_SYN) !== 0;
    const ack = (f & TCP_ACK) !== 0;
    c.partial = !syn || ack;
    // Zeek WantConnection: a flow that starts without a SYN, or with a SYN-ACK, is turned around
    // when its source port is a likely server port and its destination is not (both plausible:
    // only for non-SYN packets towards a higher port). Deviation: a first SYN-ACK is always
    // turned around, since its sender answered a SYN and so is the server.
    if (!syn || ack) {
      let flip = false;
      if (syn && ack) flip = true;
      else if (isLikelyServerPort(p.sport, false)) {
        flip = isLikelyServerPort(p.dport, false) ? p.sport < p.dport : true;
      } else if (p.sport < 1024 && p.dport >= EPHEMERAL_FROM && !isLikelyServerPort(p.dport, false)) {
        // Deviation: a system port not in Zeek's list (BGP's 179, LDAP's 3268 is in it) toward a
        // port of the stacks' ephemeral range: the sender is the service (a BGP session joined in
        // its middle was read the other way round). NFS's 2049 and the like are below the range.
        flip = true;
      }
      if (flip && !(p.ipVersion === 4 && isBroadcast4(p.dst4))) c.flipRoles();
    }
  }

  // --- Compact attempts (TcpAttempt)

  /** Is `p` a new attempt's first SYN to hold compactly? (The table missed it just before.) */
  private compacts(p: Packet): boolean {
    return this.table.counts[CLS_TCP_ATTEMPT]! >= this.compactFrom && this.heldKind(p);
  }

  /** A SYN alone (no ACK, FIN or RST), without payload, not reassembled from fragments, not in a tunnel, small enough to hold. */
  private heldKind(p: Packet): boolean {
    return (p.tcpFlags & (TCP_SYN | TCP_ACK | TCP_FIN | TCP_RST)) === TCP_SYN && p.payWireLen === 0 && p.fragment === FRAG_NONE &&
      p.tunnels === 0 && p.capLen <= MAX_HELD_BYTES;
  }

  /**
   * Does the attempt take this SYN from its originator as one more held SYN? A retransmission
   * (same ISN) that the full path would pass straight to `process`: not idle past its timeout,
   * not stamped before the attempt's last SYN.
   */
  private holdsAgain(a: TcpAttempt, p: Packet, now: number): boolean {
    return this.heldKind(p) && (p.seq | 0) === a.seq && a.syns.length < MAX_HELD_SYNS && now >= a.end && !this.table.isExpired(a as unknown as TcpConn, now);
  }

  /** A new attempt held compactly: the room, the id and the table entry a TcpConn would get. */
  private hold(p: Packet, now: number): void {
    this.makeRoom(now);
    const a = new TcpAttempt();
    a.id = this.newId();
    a.seq = p.seq | 0;
    a.syns = [held(p, now)];
    // A new connection enters the attempt class after its first SYN: directly here.
    this.table.add(a as unknown as TcpConn, p, CLS_TCP_ATTEMPT, now);
    this.attemptsHeld++;
  }

  /**
   * The attempt as the TcpConn it would have been: its SYNs replayed through `opened` and
   * `process`. `keep`: the connection takes the attempt's place in the table (and in the attempt
   * class, queued now), else it is left out of the table (to be finished at once).
   */
  private expand(a: TcpAttempt, keep: boolean): TcpConn {
    const table = this.table;
    table.remove(a as unknown as TcpConn);
    a.done = true;
    this.attemptsExpanded++;
    const first = a.syns[0]!;
    const p0 = this.unheld(first);
    const c = this.take(newTcpConn);
    c.id = a.id;
    this.enter(c, p0, first.now, p0.sport, p0.dport);
    if (keep) table.add(c, p0, CLS_TCP_ATTEMPT, this.latest > first.now ? this.latest : first.now);
    this.opened(c, p0);
    this.process(c, p0, true, first.now);
    for (let i = 1; i < a.syns.length; i++) {
      const h = a.syns[i]!;
      this.process(c, this.unheld(h), true, h.now);
    }
    return c;
  }

  /** A held SYN decoded again (into the replay packet: valid until the next call). */
  private unheld(h: HeldSyn): Packet {
    const r = this.replay!;
    const n = h.bytes.length;
    for (let i = 0; i < n; i++) r.buf[i] = h.bytes.charCodeAt(i);
    const raw = r.raw;
    raw.buf = r.buf;
    raw.off = 0;
    raw.capLen = n;
    raw.origLen = h.origLen;
    raw.frame = h.frame;
    raw.tsSec = h.tsSec;
    raw.tsNsec = h.tsNsec;
    raw.linkType = h.linkType;
    raw.iface = h.iface;
    return r.decoder.decode(raw, r.pkt);
  }

  /** The open flow quoted in an ICMP error carried by `p` (an attempt held compactly is expanded: the error is kept on it). */
  override lookupQuoted(p: Packet): TcpConn | null {
    const c = super.lookupQuoted(p);
    return c !== null && isAttempt(c) ? this.expand(c as unknown as TcpAttempt, true) : c;
  }

  /** An attempt held compactly is expanded before it is finished. */
  protected override finish(c: TcpConn, reason: TcpConn['finishReason']): void {
    if (isAttempt(c)) {
      const a = c as unknown as TcpAttempt;
      if (a.done) return;
      c = this.expand(a, false);
    }
    super.finish(c, reason);
  }

  private weird(c: TcpConn, name: string): void {
    if (c.weirds === NO_STRINGS) c.weirds = [];
    if (c.weirds.length < 32 && !c.weirds.includes(name)) c.weirds.push(name);
  }

  /** Zeek TCPSessionAdapter::IsReuse: does this SYN start a new connection on the same 4-tuple? */
  private isReuse(c: TcpConn, p: Packet): boolean {
    const f = p.tcpFlags;
    let connOrig = c.orig;
    if ((f & TCP_ACK) !== 0) {
      if (c.orig.state !== INACTIVE) return false;
      connOrig = c.resp;
    }
    const closed = c.orig.didClose || c.resp.didClose;
    if (!closed) {
      const seq = p.seq | 0;
      if (seq === connOrig.startSeq) return false;
      if ((f & TCP_ACK) === 0 && connOrig.state === SYN_ACK_SENT && c.resp.state === INACTIVE && seq === c.resp.startSeq) return false;
      return true;
    }
    // The first SYN again, its ISN unchanged, right after a connection the server had answered
    // with a SYN-ACK closed: a copy the network or the capture delayed (Wireshark: a
    // retransmission; arkime tcp-reassembly-synthetic), not a new attempt, which starts from a new
    // ISN (RFC 9293 §3.4.1). (A SYN refused by a RST and sent again with its ISN, as Windows does,
    // is a new attempt, as Zeek counts it: REJ each.)
    if ((f & TCP_ACK) === 0 && c.synAckFrame !== 0 && (p.seq | 0) === c.orig.startSeq && p.tsSec + p.tsNsec * 1e-9 - c.end <= LATE_SYN_S) return false;
    return true;
  }

  private addHistory(c: TcpConn, isOrig: boolean, code: string): void {
    c.history += isOrig ? code : code.toLowerCase();
  }
  /** A zero window advertised by `e` (history 'W' on a logarithmic scale: 1st, 10th, 100th...). */
  private zeroWindow(c: TcpConn, e: TcpEndpoint, isOrig: boolean): void {
    e.zeroWindows++;
    if (++e.win0Cnt === e.win0Thresh) {
      this.addHistory(c, isOrig, 'W');
      e.win0Thresh *= 10;
    }
  }

  /** Data from `e` at or below what it sent before (Zeek DidRxmit; history 'T' on a logarithmic scale). */
  private retransmission(c: TcpConn, e: TcpEndpoint, isOrig: boolean): void {
    e.retransmits++;
    if (++e.rxmtCnt === e.rxmtThresh) {
      this.addHistory(c, isOrig, 'T');
      e.rxmtThresh *= 10;
    }
  }

  /** Zeek CheckHistory: adds the letter the first time; returns true when already seen. */
  private checkHistory(c: TcpConn, isOrig: boolean, mask: number, code: string): boolean {
    const m = isOrig ? mask : mask << 16;
    if ((c.histSeen & m) === 0) {
      c.histSeen |= m;
      this.addHistory(c, isOrig, code);
      return false;
    }
    return true;
  }

  private process(c: TcpConn, p: Packet, isOrig: boolean, now: number): void {
    this.t = now;
    const e = isOrig ? c.orig : c.resp;
    const peer = isOrig ? c.resp : c.orig;
    const resentBefore = e.retransmits;
    const f = p.tcpFlags;
    if (c.craftedFrame === 0 && craftedBits(f)) {
      c.craftedFrame = p.frame;
      c.craftedFlags = f & 0x3f;
    }
    const SYN = (f & TCP_SYN) !== 0;
    const FIN = (f & TCP_FIN) !== 0;
    const RST = (f & TCP_RST) !== 0;
    const ACK = (f & TCP_ACK) !== 0;
    const baseSeq = p.seq | 0;
    const ackSeq = p.ack | 0;
    const len = p.payWireLen;
    c.end = now;
    c.lastFrame = p.frame;
    e.pkts++;
    e.ttl = p.ttl;
    e.ipId = p.ipId;

    // Zeek SetPartialStatus / first packets
    let segLen = len + (SYN ? 1 : 0) + (FIN ? 1 : 0);
    if (RST) segLen -= len;
    const seqOnePast = (baseSeq + segLen) | 0;

    // The client's first ACK of the other SYN-ACK's ISN (altIsn): it took that one; the
    // responder's sequence numbers go on from it.
    if (isOrig && ACK && !SYN && c.ackFrame === 0 && c.altIsn >= 0 && ackSeq === ((c.altIsn + 1) | 0) && ackSeq !== ((peer.startSeq + 1) | 0)) {
      peer.initStart(c.altIsn | 0);
      peer.initAck(c.altIsn | 0);
      peer.initLast((c.altIsn + 1) | 0);
      c.altIsn = -1;
    }

    // A second SYN-ACK of another ISN put aside (altIsn): one 'h' in the history, as Zeek writes it.
    let altSynAck = false;
    // init_endpoint
    switch (e.state) {
      case INACTIVE:
        if (SYN) {
          e.initAck(baseSeq);
          e.initStart(baseSeq);
          e.initLast(seqOnePast);
        } else {
          e.initAck(baseSeq - 1);
          e.initStart(baseSeq - 1);
          e.initLast(baseSeq);
        }
        break;
      case SYN_SENT:
      case SYN_ACK_SENT:
        if (SYN && baseSeq !== e.startSeq) {
          this.weird(c, 'SYN_seq_jump');
          e.initStart(baseSeq);
          e.initAck(baseSeq);
          e.initLast(seqOnePast);
        }
        break;
      case ESTABLISHED:
      case PARTIAL:
        if (SYN) {
          if (baseSeq !== e.startSeq) {
            this.weird(c, 'SYN_seq_jump');
            // A SYN-ACK of another ISN once the client acknowledged the responder's SYN (a stray
            // one: another path's answer to a SYN sent again, as with TCP Fast Open) is not this
            // connection's: its sequence numbers go on from the SYN the client took.
            if (!isOrig && c.ackFrame !== 0) break;
            // Before the client's ACK (two devices answering one SYN: nDPI KakaoTalk_talk.pcap,
            // whose server's response was read as old data): the client takes the first SYN-ACK
            // that reaches it (RFC 9293 §3.10.7.3) and answers the other with an ACK of the first.
            // Kept: the first; the other's ISN is put aside until the client's ACK tells.
            if (!isOrig && ACK && c.synAckFrame !== 0) {
              c.altIsn = baseSeq >>> 0;
              altSynAck = true;
              break;
            }
          }
          e.initStart(baseSeq);
          e.initAck(baseSeq);
          e.initLast(seqOnePast);
        }
        break;
      case RESET:
        if (SYN && e.prevState === INACTIVE) {
          e.initStart(baseSeq);
          e.initAck(baseSeq);
          e.initLast(seqOnePast);
        }
        break;
      default:
        break;
    }

    // Position of baseSeq relative to the ISN (64-bit, anchored at lastSeq), written out: this function is too large for its callees to be inlined,
    // and a uint32 passed to (or returned from) a call is a boxed double.
    const relSeq = e.seqWraps * TWO32 + (e.lastSeq >>> 0) - (e.startSeq >>> 0) + ((baseSeq - e.lastSeq) | 0);
    const seqUnderflow = relSeq < 0;

    // update_history
    const bits = (SYN ? 1 : 0) + (FIN ? 1 : 0) + (RST ? 1 : 0);
    if (bits > 1) {
      if (FIN && RST) this.checkHistory(c, isOrig, H_FIN_RST, 'I');
      else this.checkHistory(c, isOrig, H_MULTI, 'Q');
    } else if (bits === 1) {
      if (SYN) {
        const code = ACK ? 'H' : 'S';
        if (this.checkHistory(c, isOrig, H_SYN, code) && relSeq !== e.histLastSyn && !altSynAck) this.addHistory(c, isOrig, code);
        if (!altSynAck) e.histLastSyn = relSeq;
      }
      if (FIN) {
        if (this.checkHistory(c, isOrig, H_FIN, 'F') && relSeq + len !== e.histLastFin) this.addHistory(c, isOrig, 'F');
        e.histLastFin = relSeq + len;
      }
      if (RST) {
        if (this.checkHistory(c, isOrig, H_RST, 'R') && relSeq !== e.histLastRst) this.addHistory(c, isOrig, 'R');
        e.histLastRst = relSeq;
      }
    } else if (len !== 0) {
      if ((c.histSeen & (isOrig ? H_DATA : H_DATA << 16)) === 0) this.checkHistory(c, isOrig, H_DATA, 'D');
    } else if (ACK) {
      if ((c.histSeen & (isOrig ? H_ACK : H_ACK << 16)) === 0) this.checkHistory(c, isOrig, H_ACK, 'A');
    }

    // update_window: zero windows (not with/after a RST, not after the peer's FIN)
    if (p.win === 0 && !RST && peer.state !== CLOSED && e.state !== RESET) this.zeroWindow(c, e, isOrig);

    // Duplicate ACK: a pure ACK repeating the previous ACK number and window while the peer has
    // data outstanding (Wireshark's tcp.analysis.duplicate_ack, roughly).
    if (ACK && len === 0 && !SYN && !FIN && !RST) {
      if (ackSeq === e.lastAckSent && p.win === e.lastWinSent && ((peer.lastSeq - ackSeq) | 0) > 0 && peer.state !== INACTIVE) {
        e.dupAcks++;
      }
    }
    if (ACK) {
      // A SYN-ACK sent again (late, or by a second path: TCP Fast Open) acknowledges only the SYN:
      // it takes back no data acknowledged since.
      if (e.lastWinSent >= 0 && ((ackSeq - e.lastAckSent) | 0) > 0) e.ackMoved = true;
      if (!SYN || e.lastWinSent < 0 || ((ackSeq - e.lastAckSent) | 0) > 0) e.lastAckSent = ackSeq;
      e.lastWinSent = p.win;
    }

    if (SYN) this.synFacts(c, p, isOrig, now, ACK, len);
    else if (!isOrig && ACK && !RST && c.synAckFrame === 0 && c.bareAckFrame === 0) {
      c.bareAckFrame = p.frame;
      c.bareAckTime = now;
    }

    if (FIN) {
      e.finCnt++;
      e.finAbs = (baseSeq + len) | 0;
      // A list of exactly one first (most connections see one FIN each way, or one RST).
      if (c.fins === NO_CONTROLS) c.fins = [control(p, isOrig, now, ACK, peer.lastDataTime)];
      else if (c.fins.length < MAX_LIST) c.fins.push(control(p, isOrig, now, ACK, peer.lastDataTime));
    }
    if (RST) {
      e.rstCnt++;
      if (c.rsts === NO_CONTROLS) c.rsts = [control(p, isOrig, now, ACK, peer.lastDataTime)];
      else if (c.rsts.length < MAX_LIST) c.rsts.push(control(p, isOrig, now, ACK, peer.lastDataTime));
    }

    if (ACK) {
      if (peer.state === INACTIVE) {
        // init_peer
        if (!SYN && !FIN && !RST && (e.state === SYN_SENT || e.state === SYN_ACK_SENT || e.state === ESTABLISHED)) {
          this.weird(c, 'possible_split_routing');
        }
        peer.initStart(ackSeq - 1);
        peer.initAck(ackSeq - 1);
        peer.initLast(ackSeq - 1);
      } else if (!RST && peer.ackWraps * TWO32 + (peer.ackSeq >>> 0) - (peer.startSeq >>> 0) + ((ackSeq - peer.ackSeq) | 0) >= 0) {
        // update_ack_seq (Zeek's UpdateAckSeq, written out)
        const d = (ackSeq - peer.ackSeq) | 0;
        if (!(ackSeq === 0 && d > TOO_LARGE_SEQ_DELTA) && d > 0) {
          if (ackSeq >>> 0 < peer.ackSeq >>> 0) peer.ackWraps++;
          peer.ackSeq = ackSeq;
        }
      }
    }

    // update_last_seq
    const deltaLast = (seqOnePast - e.lastSeq) | 0;
    if ((SYN || RST) && (deltaLast > TOO_LARGE_SEQ_DELTA || deltaLast < -TOO_LARGE_SEQ_DELTA)) {
      // untrusted jump
    } else if (FIN && e.lastSeq === ((e.startSeq + 1) | 0)) {
      e.updateLast(seqOnePast);
    } else if (e.state === RESET) {
      // don't trust sequence numbers after a RST
    } else if (deltaLast > 0) {
      // e.updateLast(seqOnePast), written out
      if (seqOnePast >>> 0 < e.lastSeq >>> 0) e.seqWraps++;
      e.lastSeq = seqOnePast;
    } else if (len > 0) this.retransmission(c, e, isOrig);

    // (Sequence numbers are read from the packet again by the callees: a uint32 passed as an
    // argument would be boxed on every call.)
    const doClose = this.stateMachine(c, e, peer, p, len, isOrig, f);

    // The ACK may reveal data of the peer that the capture never saw (Zeek AckReceived → Gap).
    if (ACK && !RST && peer.state !== INACTIVE) this.ackReceived(c, peer, p);

    // Payload
    if (len > 0 && !RST) this.payload(c, e, p, SYN ? (baseSeq + 1) | 0 : baseSeq, len, seqUnderflow);
    if ((FIN || RST) && e.stream !== null && e.stream.holding) e.stream.flush();
    if (!RST && !SYN) this.watchSegment(c, e, peer, p, len, e.retransmits !== resentBefore);

    if (doClose && !e.didClose) e.didClose = true;
  }

  /**
   * What the endpoints' watches (tcp-watch.ts) take of a segment without SYN or RST: `e`'s data,
   * its acknowledgement of the peer's data, its window, and a probe of the peer's zero window. A
   * watch is made only on a sign of trouble — `e` resends data or its data arrives above a hole,
   * `e` announces a zero window, the peer's data is SACKed — so that a connection without any
   * costs one number (the largest segment).
   */
  private watchSegment(c: TcpConn, e: TcpEndpoint, peer: TcpEndpoint, p: Packet, len: number, resent: boolean): void {
    if (len > e.maxSeg) e.maxSeg = len;
    const ack = (p.tcpFlags & TCP_ACK) !== 0;
    if (e.watch === null && peer.watch === null && p.win !== 0 && p.sackLe < 0) {
      if (len === 0 || (!resent && (e.stream === null || !e.stream.holding))) return;
    }
    const now = this.t;
    const full = c.mss.orig > 0 && c.mss.resp > 0 ? Math.min(c.mss.orig, c.mss.resp) - 40 : 0;
    if (len > 0) {
      let w = e.watch;
      if (w === null) {
        // Above a hole: the watch starts at the first byte not yet seen in order.
        const from = !resent && e.stream !== null && e.stream.holding ? e.stream.next : e.lastSeq;
        if (resent || from !== e.lastSeq) w = e.watch = TcpWatch.begin(e, peer, from, full);
      }
      if (w !== null) w.sent(p, len, now, full, peer.pkts);
    }
    if (!ack) return;
    if (peer.watch === null && p.sackLe >= 0) peer.watch = TcpWatch.begin(peer, e, peer.lastSeq, full);
    if (peer.watch !== null) {
      peer.watch.acked(p.ack, p.sackLe >= 0, p.sackLe, p.sackRe, p.frame, now);
      if (peer.watch.zwOpen) peer.watch.probe(p.frame, now);
    }
    if (p.win === 0 || (e.watch !== null && e.watch.zwOpen)) (e.watch ??= TcpWatch.begin(e, peer, e.lastSeq, full)).window(p.win, p.frame, now);
  }

  private synFacts(c: TcpConn, p: Packet, isOrig: boolean, now: number, ack: boolean, len: number): void {
    if (isOrig && !ack) {
      if (c.synFrames.length === 0 || c.orig.startSeq === (p.seq | 0)) {
        if (len > c.synLen) c.synLen = len;
        if (len > 0) c.synDataSends++;
        if (c.synFrames === NO_NUMBERS) {
          c.synFrames = [p.frame];
          c.synTimes = [now];
        } else if (c.synFrames.length < MAX_LIST) {
          c.synFrames.push(p.frame);
          c.synTimes.push(now);
        }
        if (c.synTtl < 0) {
          c.synTtl = p.ttl;
          c.synIpId = p.ipId;
        }
      }
      negotiated(c);
      c.mss.orig = p.mss;
      c.wscale.orig = p.wscale;
      if (p.mptcp) c.mptcp = true;
      if (p.tcpAuth !== 0) c.synAuth = p.tcpAuth;
    } else if (!isOrig && ack) {
      c.synAcks++;
      if (c.synAckFrame === 0) {
        c.synDataAcked = c.synLen > 0 && ((p.ack - c.orig.startSeq) | 0) > 1;
        c.synAckFrame = p.frame;
        c.synAckTime = now;
        c.synAckTtl = p.ttl;
        c.synAckIpId = p.ipId;
        negotiated(c);
        c.mss.resp = p.mss;
        c.wscale.resp = p.wscale;
        if (p.mptcp) c.mptcp = true;
        if (c.handshakeRttMs === NO_RTT) c.handshakeRttMs = { synToSynAck: null, synAckToAck: null };
        if (c.synTimes.length !== 0) c.handshakeRttMs.synToSynAck = ms(interval(now, c.synTimes[c.synTimes.length - 1]!));
      }
    }
  }

  /** Zeek UpdateStateMachine; returns do_close. */
  private stateMachine(c: TcpConn, e: TcpEndpoint, peer: TcpEndpoint, p: Packet, len: number,
    isOrig: boolean, f: number): boolean {
    const baseSeq = p.seq | 0;
    const ackSeq = p.ack | 0;
    const SYN = (f & TCP_SYN) !== 0;
    const FIN = (f & TCP_FIN) !== 0;
    const RST = (f & TCP_RST) !== 0;
    const ACK = (f & TCP_ACK) !== 0;
    let doClose = false;
    switch (e.state) {
      case INACTIVE: {
        if (SYN) {
          if (isOrig) {
            if (ACK) {
              this.weird(c, 'connection_originator_SYN_ack');
              e.setState(SYN_ACK_SENT);
            } else e.setState(SYN_SENT);
          } else {
            if (!ACK && peer.state === SYN_ACK_SENT && baseSeq === e.startSeq) {
              // SYN/SYN-ACK reversal (IsReuse discussion): flip and establish.
              c.partial = false;
              c.flipRoles();
              peer.setState(ESTABLISHED);
            } else if (!ACK) this.weird(c, 'simultaneous_open');
            if (peer.state === SYN_SENT) peer.setState(ESTABLISHED);
            else if (peer.state === INACTIVE) this.weird(c, 'unsolicited_SYN_response');
            e.setState(ESTABLISHED);
            if (peer.state !== PARTIAL) this.connectionEstablished(c);
          }
        }
        if (FIN) {
          e.setState(CLOSED);
          doClose = true;
        }
        if (RST) {
          e.setState(RESET);
          doClose = true;
        }
        if (e.state === INACTIVE) {
          if (!isOrig && len === 0 && c.orig.state === SYN_SENT) {
            // An ACK of the SYN before the SYN-ACK: not a partial connection.
          } else if (ACK && peer.state === ESTABLISHED) {
            // Missed the SYN but saw the SYN-ACK, now a pure ACK: establish.
            e.setState(ESTABLISHED);
            c.partial = false;
            this.handshakeAck(c, e);
          } else {
            e.setState(PARTIAL);
          }
        }
        break;
      }
      case SYN_SENT:
      case SYN_ACK_SENT: {
        if (FIN) {
          if (peer.state === INACTIVE || peer.state === SYN_SENT) this.weird(c, 'inappropriate_FIN');
          e.setState(CLOSED);
          doClose = true;
        }
        if (RST) {
          e.setState(RESET);
          doClose = true;
        } else if (len > 0) this.weird(c, 'data_before_established');
        break;
      }
      case ESTABLISHED:
      case PARTIAL: {
        if (SYN && e.state === PARTIAL && peer.state === INACTIVE && !ACK) {
          this.weird(c, 'SYN_after_partial');
          e.setState(SYN_SENT);
        }
        if (FIN && !RST) {
          e.setState(CLOSED);
          if (peer.state === RESET && peer.prevState === CLOSED) peer.setState(CLOSED);
          doClose = true;
        }
        if (RST) {
          e.setState(RESET);
          doClose = true;
        }
        break;
      }
      case CLOSED: {
        if (RST && peer.state !== CLOSED) {
          e.setState(RESET);
          if (!e.didClose) doClose = true;
        }
        break;
      }
      default:
        break;
    }
    // Handshake completion facts: the originator's first ACK after the responder's SYN-ACK.
    if (isOrig && ACK && !SYN && c.ackFrame === 0 && c.synAckFrame !== 0 && ((ackSeq - ((c.resp.startSeq + 1) | 0)) | 0) >= 0) {
      this.handshakeAck(c, e);
    }
    return doClose;
  }

  /**
   * Zeek's connection_established event (the responder's SYN), as conn/inactivity.zeek handles
   * it: the service port is the responder's, or the originator's when only the originator's is a
   * likely server port and the originator was not seen (a capture that starts at the SYN-ACK);
   * ports 21, 22, 23 and 513 make the connection interactive.
   */
  private connectionEstablished(c: TcpConn): void {
    let port = c.resp.port;
    if (c.orig.state === INACTIVE && !isLikelyServerPort(port, false) && isLikelyServerPort(c.orig.port, false)) port = c.orig.port;
    if (port === 21 || port === 22 || port === 23 || port === 513) c.interactive = true;
  }

  private handshakeAck(c: TcpConn, e: TcpEndpoint): void {
    if (!e.isOrig || c.ackFrame !== 0 || c.synAckFrame === 0) return;
    c.ackFrame = c.lastFrame;
    c.ackTime = c.end;
    if (c.handshakeRttMs === NO_RTT) c.handshakeRttMs = { synToSynAck: null, synAckToAck: null };
    c.handshakeRttMs.synAckToAck = ms(interval(c.end, c.synAckTime));
  }

  /** Zeek TCP_Reassembler::AckReceived: an ACK above the bytes seen from `e` means a content gap. */
  private ackReceived(c: TcpConn, e: TcpEndpoint, p: Packet): void {
    const ackSeq = p.ack | 0;
    let st = e.stream;
    // Fast path: nothing above what was delivered is acknowledged.
    if (st !== null ? ((ackSeq - st.next) | 0) <= 0 : ((ackSeq - ((e.startSeq + 1) | 0)) | 0) <= 0) return;
    let ack = ackSeq;
    if (e.finCnt > 0 && ((ack - e.finAbs) | 0) > 0) ack = e.finAbs;
    const rel = e.relAck(ack);
    if (rel <= 1) return;
    if (st === null) {
      if (((ack - ((e.startSeq + 1) | 0)) | 0) <= 0) return;
      st = e.stream = this.newStream(c, e);
    }
    if (((ack - st.next) | 0) <= 0) return;
    // Zeek ignores the first octets of partial connections (a keep-alive can start them).
    if (c.partial && rel <= 2) return;
    const lost = st.acked(ack);
    if (lost > 0) {
      const peer = e.isOrig ? c.resp : c.orig;
      const clean = (x: TcpEndpoint): boolean => x.state === ESTABLISHED || (x.state === CLOSED && x.prevState === ESTABLISHED);
      if (clean(e) && clean(peer)) {
        // (A FIN sent again one octet further on, as nDPI tunnelbear's server does, leaves the first
        // FIN's octet looking like data: Zeek's gap, but no packet the capture missed.)
        if (!(lost === 1 && e.finCnt > 1)) {
          if (c.orig.gapCnt === 0 && c.resp.gapCnt === 0) this.unseenConns++;
          this.unseenBytes += lost;
        }
        if (++e.gapCnt === e.gapThresh) {
          this.addHistory(c, e.isOrig, 'G');
          e.gapThresh *= 10;
        }
      }
    }
  }

  /** A connection's final facts: stream ends, byte counts by sequence space, conn_state, per-direction counters. */
  protected override close(c: TcpConn): void {
    const o = c.orig;
    const r = c.resp;
    if (o.stream !== null) o.stream.flush();
    if (r.stream !== null) r.stream.flush();
    o.bytes = o.size(r);
    r.bytes = r.size(o);
    this.connBytes += o.bytes + r.bytes;
    c.state = tcpConnState(o.state, r.state, o.bytes, r.bytes, c.history);
    c.retransmits = dir(o.retransmits, r.retransmits);
    c.dupAcks = dir(o.dupAcks, r.dupAcks);
    c.zeroWindows = dir(o.zeroWindows, r.zeroWindows);
    c.dataFrames = dir(o.firstDataFrame, r.firstDataFrame);
    c.unackedBytes = dir(unacked(o, r), unacked(r, o));
    c.gapBytes = dir(o.stream?.gapBytes ?? 0, r.stream?.gapBytes ?? 0);
    c.gapResumed = dir(o.stream?.resumedFrame ?? 0, r.stream?.resumedFrame ?? 0);
    c.cutOrig = o.stream !== null ? o.stream.cut() : null;
    c.cutResp = r.stream !== null ? r.stream.cut() : null;
  }

  /** The reassembly states are not part of the record: dropped (kept for reuse when reusing). */
  protected override release(c: TcpConn): void {
    const o = c.orig;
    const r = c.resp;
    const pool = this.streams;
    if (pool !== null) {
      if (o.stream !== null && pool.length < STREAM_POOL_MAX) pool.push(o.stream);
      if (r.stream !== null && pool.length < STREAM_POOL_MAX) pool.push(r.stream);
    }
    o.stream = r.stream = null;
  }
}

const newTcpConn = (): TcpConn => new TcpConn();

const latin1 = Buffer.prototype.latin1Slice as (this: Uint8Array, start: number, end: number) => string;

/**
 * Flags no TCP stack sends: a SYN with a FIN or a RST (with ACK or not), and without ACK anything
 * but a SYN (without URG) or a RST alone — every segment after a SYN carries ACK (RFC 9293
 * §3.10.7); no flags at all, a FIN, a PSH or an URG alone are a scanner's (nmap's NULL, FIN and
 * Xmas probes) or a test tool's. (tracker.ts craftedFlags names them, for the scan watch and the
 * verdicts.)
 */
export function craftedBits(flags: number): boolean {
  const f = flags & 0x3f;
  if ((f & TCP_SYN) !== 0) return (f & (TCP_FIN | TCP_RST)) !== 0 || ((f & TCP_ACK) === 0 && (f & URG) !== 0);
  return (f & TCP_ACK) === 0 && f !== TCP_RST;
}

const URG = 0x20;

/** A SYN to hold: its captured bytes and what its replay needs. */
function held(p: Packet, now: number): HeldSyn {
  return {
    bytes: latin1.call(p.buf, p.off, p.off + p.capLen), frame: p.frame, tsSec: p.tsSec, tsNsec: p.tsNsec, origLen: p.origLen,
    linkType: p.linkType, iface: p.iface, now,
  };
}

/** The connection's own MSS / window-scale pair, made on its first SYN (until then the shared NONE). */
function negotiated(c: TcpConn): void {
  if (c.mss === NONE) {
    c.mss = { orig: -1, resp: -1 };
    c.wscale = { orig: -1, resp: -1 };
  }
}

function dir(orig: number, resp: number): TcpDirStats {
  return orig === 0 && resp === 0 ? ZERO : { orig, resp };
}

/** Payload octets `e` sent that `peer` never acknowledged (0 when the peer never acknowledged anything). */
function unacked(e: TcpEndpoint, peer: TcpEndpoint): number {
  if (e.state === INACTIVE || e.firstDataFrame === 0) return 0;
  if (peer.lastWinSent < 0) return e.payloadBytes;
  let end = e.lastSeq;
  if (e.finCnt > 0) end = e.finAbs;
  const d = (end - peer.lastAckSent) | 0;
  return d > 0 ? d : 0;
}

function control(p: Packet, fromOrig: boolean, ts: Time, hasAck: boolean, peerDataTs: Time): TcpControl {
  return { frame: p.frame, ts, fromOrig, ttl: p.ttl, ipId: p.ipId, seq: p.seq >>> 0, ack: p.ack >>> 0, hasAck, payLen: p.payWireLen, peerDataTs };
}
