/**
 * Wraps real inner traffic (an Ethernet capture made by scripts/tunnel-captures.sh) in tunnel
 * headers built from the RFCs, one capture per encapsulation, each varying the optional parts:
 *
 *   geneve.pcap    GENEVE over UDP 6081 (RFC 8926): Ethernet frames (0x6558) with 0, 1 or 2
 *                  options, IPv6 packets (0x86DD) bare.
 *   pptp-gre.pcap  PPTP's enhanced GRE (RFC 2637 §4.1) with PPP (FF 03 and the protocol, or both
 *                  compressed), sequence and acknowledgment numbers, and acknowledgments alone.
 *   teredo.pcap    Teredo over UDP 3544 (RFC 4380): IPv6 packets, some after an authentication
 *                  header and an origin indication, and a bubble.
 *   ayiya.pcap     AYIYA over UDP 5072: IPv6 (next header 41) and IPv4 (4) packets.
 *
 *   node dist/scripts/tunnel-captures.js INNER.pcap OUTDIR
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { openCapture } from '../src/capture/open.js';
import {
  ETH_IPV4, ETH_IPV6, IPPROTO_UDP, ayiya, concat, ethernet, geneve, greV1, ipv4, ipv6, parseIpv6, pppFrame, teredoAuth,
  teredoOrigin, u8, udp, udpIp,
} from '../test/helpers/build.js';
import { pcapFile, type CaptureRecord } from '../test/helpers/pcap.js';

interface Inner {
  ts: bigint;
  /** The whole Ethernet frame, and the IP packet in it. */
  eth: Uint8Array;
  ip: Uint8Array;
  v6: boolean;
  /** Sent by namespace A (192.0.2.1 / 2001:db8:20::1). */
  fromA: boolean;
}

const [input, outDir] = process.argv.slice(2);
if (input === undefined || outDir === undefined) {
  process.stderr.write('usage: node dist/scripts/tunnel-captures.js INNER.pcap OUTDIR\n');
  process.exit(2);
}

const inner: Inner[] = [];
const src = await openCapture(input);
await src.forEach((r) => {
  const eth = r.buf.slice(r.off, r.off + r.capLen);
  const type = (eth[12]! << 8) | eth[13]!;
  if (type !== ETH_IPV4 && type !== ETH_IPV6) return;
  const ip = eth.subarray(14);
  const v6 = type === ETH_IPV6;
  // Multicast listener reports from link-local addresses are not part of the exchange.
  if (v6 && ip[8] === 0xfe) return;
  const fromA = v6 ? ip[23] === 1 : ip[15] === 1;
  inner.push({ ts: BigInt(r.tsSec) * 1_000_000_000n + BigInt(r.tsNsec), eth, ip, v6, fromA });
});
if (inner.length === 0) throw new Error(`${input}: no IP packets`);

const UNDERLAY_A = '198.51.100.1';
const UNDERLAY_B = '198.51.100.2';
const MAC_A = '02:00:00:00:51:01';
const MAC_B = '02:00:00:00:51:02';

/** The outer Ethernet + IPv4 frame of a packet between the tunnel endpoints. */
function outer4(fromA: boolean, proto: number, payload: Uint8Array, id: number): Uint8Array {
  const [s, d] = fromA ? [UNDERLAY_A, UNDERLAY_B] : [UNDERLAY_B, UNDERLAY_A];
  return ethernet({ src: fromA ? MAC_A : MAC_B, dst: fromA ? MAC_B : MAC_A, type: ETH_IPV4 }, ipv4({ src: s, dst: d, proto, ttl: 64, id, df: true }, payload));
}
function outerUdp(fromA: boolean, sport: number, dport: number, payload: Uint8Array, id: number): Uint8Array {
  const [s, d] = fromA ? [UNDERLAY_A, UNDERLAY_B] : [UNDERLAY_B, UNDERLAY_A];
  return outer4(fromA, IPPROTO_UDP, udp({ src: s, dst: d, sport, dport }, payload), id);
}

/** A stable source port per inner flow (the RFC 8926 §3.3 entropy port), in 49152-65535. */
function entropyPort(ip: Uint8Array): number {
  const h = createHash('sha256').update(ip.subarray(0, 1)).update(ip[0]! >> 4 === 6 ? ip.subarray(8, 40) : ip.subarray(12, 20)).digest();
  return 49152 + (((h[0]! << 8) | h[1]!) & 0x3fff);
}

function write(name: string, records: CaptureRecord[]): void {
  writeFileSync(join(outDir!, name), pcapFile({ linkType: 1 }, records));
}

// --- GENEVE
{
  const recs: CaptureRecord[] = [];
  inner.forEach((p, i) => {
    const opts = [
      [],
      [{ cls: 0x0102, type: 0x80, data: u8(0, 0, 0, i & 0xff) }],
      [{ cls: 0x0103, type: 0x01, data: u8(0xde, 0xad, 0xbe, 0xef, 0, 0, 0, 1) }, { cls: 0xffff, type: 0x7f, data: new Uint8Array(0) }],
    ][i % 3]!;
    const g = p.v6
      ? geneve({ vni: 0x2a, proto: ETH_IPV6, options: opts }, p.ip)
      : geneve({ vni: 0x2a, proto: 0x6558, options: opts, critical: opts.some((o) => (o.type & 0x80) !== 0) }, p.eth);
    recs.push({ ts: p.ts, frame: outerUdp(p.fromA, entropyPort(p.ip), 6081, g, 0x100 + i) });
  });
  write('geneve.pcap', recs);
}

// --- PPTP (enhanced GRE, PPP)
{
  const recs: CaptureRecord[] = [];
  const seq = { a: 0, b: 0 };
  const got = { a: -1, b: -1 };
  inner.forEach((p, i) => {
    const me = p.fromA ? 'a' : 'b';
    const peer = p.fromA ? 'b' : 'a';
    const ppp = pppFrame({ proto: p.v6 ? 0x0057 : 0x0021, acfc: i % 4 === 1, pfc: i % 4 >= 2 }, p.ip);
    const ack = got[me] >= 0 ? got[me] : undefined;
    const s = seq[me]++;
    got[peer] = s;
    recs.push({ ts: p.ts, frame: outer4(p.fromA, 47, greV1({ callId: p.fromA ? 0x4000 : 0x8001, seq: s, ...(ack !== undefined ? { ack } : {}) }, ppp), 0x200 + i) });
    if (!p.fromA) {
      // The PNS acknowledges at once, with no data: an acknowledgment alone (no sequence number).
      recs.push({ ts: p.ts + 20_000n, frame: outer4(true, 47, greV1({ callId: 0x4000, ack: s }, new Uint8Array(0)), 0x300 + i) });
      got.a = -1;
    }
  });
  write('pptp-gre.pcap', recs);
}

// --- Teredo (IPv6 only)
{
  const recs: CaptureRecord[] = [];
  const CLIENT = '203.0.113.10';
  const SERVER = '198.51.100.2';
  const nonce = u8(1, 2, 3, 4, 5, 6, 7, 8);
  const six = inner.filter((p) => p.v6);
  // A bubble first (RFC 4380 §2.8: an IPv6 header, no next header, no payload), client to server.
  const bubble = ipv6({ src: '2001:db8:20::1', dst: '2001:db8:20::2', next: 59 }, new Uint8Array(0));
  recs.push({ ts: six[0]!.ts - 1_000_000n, frame: teredoFrame(true, bubble, 0x3ff) });
  six.forEach((p, i) => {
    let head: Uint8Array = new Uint8Array(0);
    if (i === 0) head = teredoAuth({ nonce });
    else if (i === 1) head = concat([teredoAuth({ clientId: u8(0x63, 0x6c, 0x69), auth: u8(9, 8, 7, 6), nonce, confirmation: 1 }), teredoOrigin(40000, CLIENT)]);
    else if (!p.fromA && i % 2 === 0) head = teredoOrigin(40000, CLIENT);
    recs.push({ ts: p.ts, frame: teredoFrame(p.fromA, concat([head, p.ip]), 0x400 + i) });
  });
  write('teredo.pcap', recs);

  function teredoFrame(fromClient: boolean, payload: Uint8Array, id: number): Uint8Array {
    const [s, d, sp, dp] = fromClient ? [CLIENT, SERVER, 40000, 3544] : [SERVER, CLIENT, 3544, 40000];
    const ip = udpIp({ src: s, dst: d, sport: sp, dport: dp, id, ttl: 64 }, payload);
    return ethernet({ src: fromClient ? MAC_A : MAC_B, dst: fromClient ? MAC_B : MAC_A, type: ETH_IPV4 }, ip);
  }
}

// --- AYIYA
{
  const recs: CaptureRecord[] = [];
  inner.forEach((p, i) => {
    const identity = p.v6 ? p.ip.slice(8, 24) : parseIpv6(p.fromA ? '2001:db8:20::1' : '2001:db8:20::2');
    const epoch = Number(p.ts / 1_000_000_000n);
    const signature = createHash('sha1').update(p.ip).update(String(i)).digest();
    const a = ayiya({ identity, signature: new Uint8Array(signature), next: p.v6 ? 41 : 4, epoch }, p.ip);
    recs.push({ ts: p.ts, frame: outerUdp(p.fromA, 5072, 5072, a, 0x500 + i) });
  });
  write('ayiya.pcap', recs);
}

process.stdout.write(`${inner.length} inner packets wrapped\n`);
