/**
 * ICMP and ICMPv6 "connections" as Zeek keeps them (packet_analysis/protocol/icmp): the key is the
 * two addresses with the message type as the source "port" and, as the destination "port", the
 * counterpart type of a request/reply pair (echo request 8 and reply 0, router solicitation and
 * advertisement, timestamp, information and address mask; ICMPv6 echo, router, neighbour, MLD
 * query/report, node information, home agent discovery), else the code, and then the flow is one
 * way: it matches only packets in the direction of its first one. The first packet's sender is
 * the originator; orig_bytes / resp_bytes count the ICMP payload (after the 8-byte header);
 * conn_state is always OTH and the history empty. A flow idle for icmp_inactivity_timeout (1
 * minute) or longer ends, and the next packet starts another (FlowTable.isExpired).
 */
import { FRAG_PART, PROTO_ICMP, PROTO_ICMPV6, type Packet } from '../decode/packet.js';
import { CLS_ICMP, FlowConn, FlowTracker, packetTime, type FlowTrackerOptions } from './flow.js';

export class IcmpEndpoint {
  ip = '';
  /** Zeek's port of this side: the type it sends (originator) or the counterpart / code. */
  port = 0;
  pkts = 0;
  /** ICMP payload bytes (after the 8-byte header), as in Zeek's conn.log. */
  bytes = 0;
  /** Zeek ICMP_ACTIVE (1) once this side sent a message, else ICMP_INACTIVE (0). */
  state = 0;

  reset(): void {
    this.ip = '';
    this.port = this.pkts = this.bytes = this.state = 0;
  }
}

export class IcmpConn extends FlowConn {
  readonly transport = 'icmp' as const;
  orig = new IcmpEndpoint();
  resp = new IcmpEndpoint();
  /** Zeek's conn_state of every ICMP flow. */
  state: 'OTH' | '' = '';
  finishReason: 'idle' | 'evicted' | 'end' | '' = '';
  /** IPv6 (ICMPv6). */
  v6 = false;
  /** The key matches only the first packet's direction (no counterpart type). */
  oneWay = false;
  /**
   * Echo requests of this flow not answered yet, by identifier and sequence number: when and in
   * which frame each was sent (at most MAX_ECHO_OUT; past it, `echoOverflow`), for the loss count.
   */
  echoOut: Map<number, { ts: number; frame: number }> | null = null;
  echoOverflow = false;
  /** Requests answered (a reply with their identifier and sequence number), and the latest send time among them. */
  echoAnswered = 0;
  lastAnsweredSent = -Infinity;
  /** The first echo reply matched to a request: its frame and time (0 / NaN: none yet). */
  firstReplyFrame = 0;
  firstReplyTs = Number.NaN;

  constructor() {
    super();
    this.reset();
  }

  override reset(): void {
    this.resetConn();
    this.orig.reset();
    this.resp.reset();
    this.state = '';
    this.finishReason = '';
    this.v6 = this.oneWay = false;
    this.echoOut = null;
    this.echoOverflow = false;
    this.echoAnswered = 0;
    this.lastAnsweredSent = -Infinity;
    this.firstReplyFrame = 0;
    this.firstReplyTs = Number.NaN;
  }

  /**
   * Echo requests lost: those left unanswered although a request sent after them was answered (so
   * neither a slow reply nor the capture's end explains them), in send order (their frames and times).
   */
  echoLost(): Array<{ ts: number; frame: number }> {
    const out: Array<{ ts: number; frame: number }> = [];
    if (this.echoOut === null) return out;
    for (const r of this.echoOut.values()) if (r.ts < this.lastAnsweredSent) out.push(r);
    return out.sort((a, b) => a.ts - b.ts);
  }
}

/** Echo requests of one flow waiting for their reply, at most. */
const MAX_ECHO_OUT = 4096;

/** Zeek's ICMP4_counterpart: the type of the answer, or -1 for a one-way message. */
export function icmp4Counterpart(type: number): number {
  switch (type) {
    case 8: return 0;
    case 0: return 8;
    case 13: return 14;
    case 14: return 13;
    case 15: return 16;
    case 16: return 15;
    case 10: return 9;
    case 9: return 10;
    case 17: return 18;
    case 18: return 17;
    default: return -1;
  }
}

/** Zeek's ICMP6_counterpart: the type of the answer, or -1 for a one-way message. */
export function icmp6Counterpart(type: number): number {
  switch (type) {
    case 128: return 129;
    case 129: return 128;
    case 133: return 134;
    case 134: return 133;
    case 135: return 136;
    case 136: return 135;
    case 130: return 131;
    case 131: return 130;
    case 139: return 140;
    case 140: return 139;
    case 144: return 145;
    case 145: return 144;
    default: return -1;
  }
}

/** The table's protocol value of a one-way flow: the same tuple in the other direction is another flow. */
const ONE_WAY = 0x100;

export interface IcmpFlowTrackerOptions extends FlowTrackerOptions {
  onFinish: (c: IcmpConn) => void;
}

export class IcmpFlowTracker extends FlowTracker<IcmpConn, IcmpConn['finishReason']> {
  constructor(o: IcmpFlowTrackerOptions) {
    super(o, undefined, o.onFinish);
  }

  /** Feeds one decoded packet; returns its flow (null when it is not a whole ICMP message). */
  packet(p: Packet, now: number = packetTime(p)): IcmpConn | null {
    const v6 = p.proto === PROTO_ICMPV6;
    if ((p.proto !== PROTO_ICMP && !v6) || p.icmpType < 0 || p.payOff === 0 || p.fragment === FRAG_PART ||
        (p.ipVersion !== 4 && p.ipVersion !== 6)) return null;
    if (now >= this.nextSweep) this.sweep(now);
    const type = p.icmpType;
    const counter = v6 ? icmp6Counterpart(type) : icmp4Counterpart(type);
    const oneWay = counter < 0;
    const proto = oneWay ? p.proto | ONE_WAY : p.proto;
    const dport = oneWay ? p.icmpCode : counter;
    const table = this.table;
    let c = table.findAs(p, proto, type, dport);
    let fwd = table.fwd;
    if (c !== null && oneWay && !fwd) c = null;
    if (c !== null && table.isExpired(c, now)) {
      this.finish(c, 'idle');
      c = null;
    }
    if (c === null) {
      c = this.begin(newIcmpConn, p, now, CLS_ICMP, proto, type, dport);
      c.v6 = v6;
      c.oneWay = oneWay;
      fwd = true;
    }
    const e = fwd === c.keyIsOrig ? c.orig : c.resp;
    if (!c.oneWay) this.echo(c, p, type, v6, now);
    c.end = now;
    c.lastFrame = p.frame;
    e.pkts++;
    e.bytes += p.payWireLen;
    e.state = 1;
    table.touch(c, CLS_ICMP, now);
    return c;
  }

  /**
   * An echo request is noted until its reply comes (IcmpConn.echoOut); the reply is matched by
   * identifier and sequence number (the header's second word, Packet.icmpRest: RFC 792, RFC 4443 §4).
   */
  private echo(c: IcmpConn, p: Packet, type: number, v6: boolean, now: number): void {
    const key = p.icmpRest;
    if (type === (v6 ? 128 : 8)) {
      const out = (c.echoOut ??= new Map());
      if (out.has(key)) return;
      if (out.size >= MAX_ECHO_OUT) c.echoOverflow = true;
      else out.set(key, { ts: now, frame: p.frame });
    } else if (type === (v6 ? 129 : 0) && c.echoOut !== null) {
      const r = c.echoOut.get(key);
      if (r === undefined) return;
      c.echoOut.delete(key);
      if (c.echoAnswered === 0) {
        c.firstReplyFrame = p.frame;
        c.firstReplyTs = now;
      }
      c.echoAnswered++;
      if (r.ts > c.lastAnsweredSent) c.lastAnsweredSent = r.ts;
    }
  }

  /** Whether the echo request quoted in the ICMP error `p` carries belongs to a ping flow the capture holds. */
  quotedEchoSeen(p: Packet): boolean {
    const q = p.quoted;
    const v6 = q.version === 6;
    if (!q.present || q.icmpType !== (v6 ? 128 : 8)) return false;
    return this.table.findQuotedAs(p, v6 ? PROTO_ICMPV6 : PROTO_ICMP, q.icmpType, v6 ? 129 : 0) !== null;
  }

  protected override close(c: IcmpConn): void {
    c.state = 'OTH';
  }
}

const newIcmpConn = (): IcmpConn => new IcmpConn();
