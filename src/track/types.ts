/**
 * Shared shapes of the tracking stage (decoded packets → connection / DNS / TLS / ICMP / HTTP
 * records). The TCP/UDP connection tracker owns connections and reassembles each direction's
 * bytes in order; protocol analyzers (DNS over TCP, TLS, HTTP) receive those bytes through
 * `StreamSink` and keep their own per-connection state in slots of `Conn`.
 */

/** Capture time in seconds since the epoch, as a double (µs precision is plenty for timing). */
export type Time = number;

export interface EndpointStats {
  /** IP text (built once per connection). */
  ip: string;
  port: number;
  /** Zeek endpoint state (TCP): see ZeekTcpState. UDP: 'active' | 'inactive'. */
  state: number;
  /** Packets and payload bytes (Zeek orig_pkts / orig_bytes semantics: bytes by sequence space for TCP). */
  pkts: number;
  bytes: number;
  /** Last IP TTL / hop limit and IP ID seen from this endpoint (for injected-RST checks). */
  ttl: number;
  ipId: number;
}

export interface Conn {
  /** Stable, 1-based, in order of the first packet: used to order records deterministically. */
  id: number;
  transport: 'tcp' | 'udp';
  orig: EndpointStats;
  resp: EndpointStats;
  start: Time;
  end: Time;
  /** Frame numbers of the first and last packets. */
  firstFrame: number;
  lastFrame: number;
  /** Zeek history letters (TCP and UDP). */
  history: string;
  /** True once the tracker released it (idle timeout, end of capture, eviction). */
  done: boolean;
  /** The tracker's state of this connection's stream (classification, DNS-over-TCP bytes, ICMP errors); null until needed. */
  trk: object | null;
  /** TLS and HTTP analyzer states (owned by those analyzers); null when not analyzed. */
  tlsState: unknown;
  httpState: unknown;
}

/** Receives each direction's payload in sequence order, once, with the frame that carried it. */
/** What `StreamSink.data` returns to pass over everything that follows (until a gap). */
export const PASS_ALL = 0x7fffffff;

export interface StreamSink {
  /**
   * The bytes are buf[off .. off+len), valid only during the call (copy what you keep; no view
   * is made per delivery). `frame`/`ts` are those of the packet whose segment carried these bytes
   * (the last one, when a hole was filled).
   *
   * May return how many of the bytes that follow in this direction it does not need to see (the
   * rest of an encrypted TLS record, say): the stream then only counts them. A gap ends that.
   */
  data(conn: Conn, fromOrig: boolean, buf: Uint8Array, off: number, len: number, frame: number, ts: Time): number | void;
  /** `len` bytes are missing from one direction (not captured): the stream continues after them. */
  gap(conn: Conn, fromOrig: boolean, len: number): void;
  /** The connection is finished (closed, reset, idle, or end of capture). */
  end(conn: Conn): void;
}
