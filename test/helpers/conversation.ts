/**
 * TCP conversations with consistent sequence numbers, for tracker tests.
 *
 *   const c = new TcpConversation({ client: ['192.0.2.1', 50000], server: ['198.51.100.7', 443] });
 *   c.syn(); c.synAck(); c.ack('client');
 *   c.send('client', bytes); c.ack('server');
 *   c.fin('client'); c.fin('server'); c.ack('client');
 *   const file = pcapFile({ linkType: c.linkType }, c.frames);
 *
 * Every method returns the frame it made and also appends `{ ts, frame }` to `c.frames`, with a
 * clock that advances by `step` seconds per packet (`wait(s)` adds more, `at(t)` sets it).
 * Sequence and acknowledgment numbers advance the way a stack's would: SYN and FIN count one,
 * data counts its length, a retransmission repeats an earlier sequence number without advancing.
 */
import {
  ETH_IPV4, ETH_IPV6, LINKTYPE, ethernet, isIpv6, nullLoopback, sll, sll2, tcpIp, type IpCommon, type TcpOptionSet,
} from './build.js';
import { pcapFile, pcapngFile } from './pcap.js';
import type { CaptureRecord, PcapOptions, PcapngOptions } from './pcap.js';

export { pcapFile, pcapngFile, isbBlock, nrbBlock, dsbBlock, unknownBlock } from './pcap.js';
export type { CaptureRecord, PcapOptions, PcapngOptions, PcapngInterface } from './pcap.js';

export type Side = 'client' | 'server';
export type LinkKind = 'ethernet' | 'raw' | 'sll' | 'sll2' | 'null';

export interface Endpoint {
  ip: string;
  port: number;
}
export interface TcpConversationOptions {
  client: Endpoint | [string, number];
  server: Endpoint | [string, number];
  clientIsn?: number;
  serverIsn?: number;
  /** Link layer of the frames (default 'ethernet'). */
  link?: LinkKind;
  vlans?: number[];
  clientMac?: string;
  serverMac?: string;
  /** TTL / hop limit as seen at the capture point (defaults 64 for the client, 56 for the server). */
  clientTtl?: number;
  serverTtl?: number;
  /** First IPv4 identification per side (then +1 per packet; defaults 0x1000 / 0x8000). */
  clientIpId?: number;
  serverIpId?: number;
  /** Send RFC 7323 timestamps on every segment (negotiated in SYN / SYN-ACK). */
  timestamps?: boolean;
  mss?: number;
  wscale?: number;
  /**
   * Window in bytes per side (defaults 64240 / 65160). SYNs carry it unscaled; later segments
   * carry it divided by 2^wscale, as a stack does after window scaling is agreed (RFC 7323 §2.2).
   */
  clientWin?: number;
  serverWin?: number;
  /** Clock start (seconds since epoch) and default step between packets. */
  start?: number;
  step?: number;
}

export interface PacketOptions {
  /** Overrides the flags letters. */
  flags?: string;
  /** Absolute sequence number to use instead of the side's next one (does not advance). */
  seq?: number;
  /** Acknowledgment number to use instead of the peer's next sequence number. */
  ack?: number;
  ttl?: number;
  ipId?: number;
  win?: number;
  /** Extra or replacement TCP options (merged over the defaults). */
  options?: TcpOptionSet;
  /** Timestamp of this packet (seconds); the clock continues from it. */
  ts?: number;
}
export interface SendOptions extends PacketOptions {
  /**
   * Resend an earlier segment without advancing: `true` repeats the side's previous data segment's
   * sequence number; a number is an absolute sequence number.
   */
  retransmit?: boolean | number;
}

interface SideState {
  ip: string;
  port: number;
  mac: string;
  isn: number;
  /** Next sequence number to send (SND.NXT), or undefined before its SYN. */
  nxt: number | undefined;
  lastDataSeq: number;
  ttl: number;
  ipId: number;
  win: number;
  tsVal: number;
  /** Last TSval received from the peer (what this side echoes). */
  tsRecent: number;
}

function endpoint(e: Endpoint | [string, number]): Endpoint {
  return Array.isArray(e) ? { ip: e[0], port: e[1] } : e;
}

export class TcpConversation {
  readonly frames: CaptureRecord[] = [];
  readonly link: LinkKind;
  clock: number;
  step: number;
  private c: SideState;
  private s: SideState;
  private readonly o: TcpConversationOptions;

  constructor(o: TcpConversationOptions) {
    this.o = o;
    const ce = endpoint(o.client);
    const se = endpoint(o.server);
    if (isIpv6(ce.ip) !== isIpv6(se.ip)) throw new Error('client and server must be the same address family');
    this.link = o.link ?? 'ethernet';
    this.clock = o.start ?? 1_700_000_000;
    this.step = o.step ?? 0.001;
    const mk = (e: Endpoint, isn: number, mac: string, ttl: number, ipId: number, win: number, ts: number): SideState => ({
      ip: e.ip, port: e.port, mac, isn: isn >>> 0, nxt: undefined, lastDataSeq: isn >>> 0, ttl, ipId, win,
      tsVal: ts, tsRecent: 0,
    });
    this.c = mk(ce, o.clientIsn ?? 1000, o.clientMac ?? '02:00:00:00:00:01', o.clientTtl ?? 64, o.clientIpId ?? 0x1000, o.clientWin ?? 64240, 100000);
    this.s = mk(se, o.serverIsn ?? 5000, o.serverMac ?? '02:00:00:00:00:02', o.serverTtl ?? 56, o.serverIpId ?? 0x8000, o.serverWin ?? 65160, 900000);
  }

  /** pcap LINKTYPE for these frames. */
  get linkType(): number {
    return { ethernet: LINKTYPE.ETHERNET, raw: LINKTYPE.RAW, sll: LINKTYPE.LINUX_SLL, sll2: LINKTYPE.LINUX_SLL2, null: LINKTYPE.NULL }[this.link];
  }
  /** Next sequence number of a side (after its SYN), for assertions. */
  nextSeq(side: Side): number {
    const st = this.side(side);
    return st.nxt ?? st.isn;
  }
  wait(seconds: number): this {
    this.clock += seconds;
    return this;
  }
  at(ts: number): this {
    this.clock = ts;
    return this;
  }

  /** Client SYN (a second call is a retransmission: same ISN). */
  syn(opts: PacketOptions = {}): Uint8Array {
    this.c.nxt = (this.c.isn + 1) >>> 0;
    return this.emit('client', this.c.isn, opts.flags ?? 'S', new Uint8Array(0), opts, this.handshakeOptions(this.c, false));
  }
  /** Server SYN-ACK acknowledging the client's SYN. */
  synAck(opts: PacketOptions = {}): Uint8Array {
    this.s.nxt = (this.s.isn + 1) >>> 0;
    return this.emit('server', this.s.isn, opts.flags ?? 'SA', new Uint8Array(0), opts, this.handshakeOptions(this.s, true));
  }
  /** Pure ACK of everything the peer has sent. */
  ack(from: Side, opts: PacketOptions = {}): Uint8Array {
    return this.emit(from, this.nextSeq(from), opts.flags ?? 'A', new Uint8Array(0), opts);
  }
  /** Data segment (default flags PA). Does not segment: pass at most one MSS. */
  send(from: Side, bytes: Uint8Array, opts: SendOptions = {}): Uint8Array {
    const st = this.side(from);
    let seq: number;
    if (opts.retransmit === true) seq = st.lastDataSeq;
    else if (typeof opts.retransmit === 'number') seq = opts.retransmit >>> 0;
    else if (opts.seq !== undefined) seq = opts.seq >>> 0;
    else {
      seq = this.nextSeq(from);
      st.lastDataSeq = seq;
      st.nxt = (seq + bytes.length) >>> 0;
    }
    return this.emit(from, seq, opts.flags ?? 'PA', bytes, opts);
  }
  /** FIN (with ACK); consumes one sequence number. */
  fin(from: Side, opts: PacketOptions = {}): Uint8Array {
    const seq = opts.seq ?? this.nextSeq(from);
    const st = this.side(from);
    if (opts.seq === undefined) st.nxt = (seq + 1) >>> 0;
    return this.emit(from, seq, opts.flags ?? 'FA', new Uint8Array(0), opts);
  }
  /**
   * Reset. Before this side has sent a SYN (a refused connection) it is RST-ACK with seq 0
   * acknowledging the peer's SYN (RFC 9293 §3.10.7.1); afterwards a plain RST at SND.NXT.
   */
  rst(from: Side, opts: PacketOptions = {}): Uint8Array {
    const st = this.side(from);
    const refused = st.nxt === undefined;
    const seq = opts.seq ?? (refused ? 0 : st.nxt!);
    return this.emit(from, seq, opts.flags ?? (refused ? 'RA' : 'R'), new Uint8Array(0), opts);
  }
  /** A frame from arbitrary header values, still with this conversation's addresses and link. */
  raw(from: Side, o: { seq: number; ack?: number; flags: string; payload?: Uint8Array } & PacketOptions): Uint8Array {
    return this.emit(from, o.seq, o.flags, o.payload ?? new Uint8Array(0), { ...o, ack: o.ack ?? 0 });
  }

  private side(s: Side): SideState {
    return s === 'client' ? this.c : this.s;
  }
  private handshakeOptions(st: SideState, isServer: boolean): TcpOptionSet {
    const o: TcpOptionSet = { mss: this.o.mss ?? 1460, sackPerm: true, wscale: this.o.wscale ?? 7 };
    if (this.o.timestamps) o.ts = [st.tsVal, isServer ? st.tsRecent : 0];
    return o;
  }

  private emit(from: Side, seq: number, flags: string, payload: Uint8Array, opts: PacketOptions, base?: TcpOptionSet): Uint8Array {
    const me = this.side(from);
    const peer = this.side(from === 'client' ? 'server' : 'client');
    if (opts.ts !== undefined) this.clock = opts.ts;
    const ts = this.clock;
    this.clock += this.step;
    let options: TcpOptionSet | undefined = base;
    if (this.o.timestamps) {
      me.tsVal = (me.tsVal + Math.max(1, Math.round(this.step * 1000))) >>> 0;
      if (!base) options = { ts: [me.tsVal, me.tsRecent] };
      else if (base.ts) base.ts = [me.tsVal, base.ts[1]];
      peer.tsRecent = me.tsVal;
    }
    if (opts.options) options = { ...options, ...opts.options };
    const ack = opts.ack ?? peer.nxt ?? 0;
    const isSyn = flags.toUpperCase().includes('S');
    const win = opts.win ?? (isSyn ? Math.min(me.win, 0xffff) : Math.min(0xffff, Math.ceil(me.win / 2 ** (this.o.wscale ?? 7))));
    const ipOpts: IpCommon = { src: me.ip, dst: peer.ip, ttl: opts.ttl ?? me.ttl, df: true };
    if (!isIpv6(me.ip)) {
      ipOpts.id = opts.ipId ?? me.ipId;
      me.ipId = (me.ipId + 1) & 0xffff;
    }
    const ip = tcpIp({
      ...ipOpts, sport: me.port, dport: peer.port, seq, ack, flags, win,
      ...(options ? { options } : {}),
    }, payload);
    const frame = this.wrap(from, ip);
    this.frames.push({ ts, frame });
    return frame;
  }

  private wrap(from: Side, ip: Uint8Array): Uint8Array {
    const v6 = isIpv6(this.c.ip);
    const type = v6 ? ETH_IPV6 : ETH_IPV4;
    const me = this.side(from);
    const peer = this.side(from === 'client' ? 'server' : 'client');
    switch (this.link) {
      case 'ethernet':
        return ethernet({ src: me.mac, dst: peer.mac, type, ...(this.o.vlans ? { vlans: this.o.vlans } : {}) }, ip);
      case 'raw':
        return ip;
      case 'sll':
        return sll({ protocol: type, packetType: from === 'client' ? 4 : 0, addr: me.mac }, ip);
      case 'sll2':
        return sll2({ protocol: type, packetType: from === 'client' ? 4 : 0, addr: me.mac }, ip);
      case 'null':
        return nullLoopback(v6 ? 'ipv6' : 'ipv4', ip);
    }
  }
}

/**
 * Collects frames from several sources (conversations, hand-built frames) with timestamps and
 * writes them sorted by time (stable).
 */
export class Capture {
  readonly records: CaptureRecord[] = [];
  add(ts: number | bigint, frame: Uint8Array, extra: { origLen?: number; iface?: number } = {}): this {
    this.records.push({ ts, frame, ...extra });
    return this;
  }
  addAll(records: readonly CaptureRecord[]): this {
    this.records.push(...records);
    return this;
  }
  sorted(): CaptureRecord[] {
    const key = (t: number | bigint): number => (typeof t === 'bigint' ? Number(t) / 1e9 : t);
    return this.records.map((r, i) => ({ r, i })).sort((a, b) => key(a.r.ts) - key(b.r.ts) || a.i - b.i).map((x) => x.r);
  }
  pcap(o: PcapOptions): Uint8Array {
    return pcapFile(o, this.sorted());
  }
  pcapng(o: PcapngOptions): Uint8Array {
    return pcapngFile(o, this.sorted());
  }
}
