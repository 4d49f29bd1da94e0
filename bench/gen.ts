/**
 * Deterministic benchmark capture generator.
 *
 *   node dist/bench/gen.js [--out PATH] [--bytes N] [--packets N]
 *                          [--mode mixed|short-conns|dns|failure-rich|syn-scan|nxdomain] [--conns N]
 *                          [--rate N] [--concurrency N] [--seed N]
 *
 * --rate: mixed, failure-rich and syn-scan modes, new flows per second of capture time (Poisson
 *   arrivals; default 4000, 3000 for failure-rich, 50,000 probes for syn-scan).
 * --packets: stop after about N packets (every mode; default: no limit). --bytes and --conns stop
 *   the run too; whichever comes first.
 * --concurrency: short-conns mode, connections kept open at once (default 80).
 *
 * mixed (default): ~1 GiB classic pcap (Ethernet, µs) of many interleaved flows, ~20% IPv6:
 *   TLS 1.3 / 1.2 (handshake, then bulk application data in 1448-byte segments), plain HTTP,
 *   DNS over UDP (NOERROR, NXDOMAIN, unanswered), and failures: unanswered SYNs with
 *   retransmissions, RST in reply to SYN, TLS fatal alerts, ICMP port / admin-prohibited
 *   unreachables quoting the flow, HTTP 503.
 * short-conns: N (default 1,000,000) short complete TCP connections, at most ~100 open at once.
 * dns: N DNS queries over UDP, at most `concurrency` in flight, as a resolver's capture: 90%
 *   answered, each for a name of its own; 8% NXDOMAIN and 2% never answered, for 50 and 20
 *   names (a failing name is asked again and again, and each failing name is one verdict).
 * failure-rich: ~1 GiB (default) of working traffic like mixed, with bigger transfers (about 60 k
 *   flows, 1.5 M packets), into which about one flow in eight fails, each failure with a target
 *   of its own (a name, an address, a port): NXDOMAIN, SERVFAIL and REFUSED for distinct names,
 *   unanswered queries, ICMP port unreachable; unanswered SYNs and refused SYNs (distinct hosts,
 *   and distinct ports of a few hosts), ICMP admin-prohibited; resets after the request; TLS
 *   fatal alerts from the server (TLS 1.3 and 1.2: handshake_failure, protocol_version,
 *   insufficient_security, internal_error, unrecognized_name, no_application_protocol) and from
 *   the client (bad_certificate, unknown_ca, certificate_expired, certificate_unknown,
 *   decrypt_error), TLS 1.3 client aborts, servers closing after the ClientHello; HTTP 400, 401,
 *   403, 404, 429, 500, 502, 503, 504 and requests never answered.
 * syn-scan: N (--conns, default 1,000,000) probes of one host (198.51.100.7), one per port in a
 *   scrambled order, --rate (default 50,000) a second; each port is closed (RST|ACK, 85%) or
 *   filtered (no answer; its SYN is sent again 1 s later). A sweep covers
 *   the 65,535 ports once, from one scanner address and source port; past that, the next sweep
 *   comes from the next scanner address (203.0.113.x: a distributed scan), so every SYN is a
 *   target of its own: up to 65,535 SYNs, one scanner against distinct ports of one host.
 * nxdomain: N (--conns, default 200,000) DNS queries, each for a name of its own, all answered
 *   NXDOMAIN (a resolver's capture under a random-subdomain flood or a DGA).
 *
 * Same arguments → same bytes (seeded PRNG, no clock, no Math.random). The file is streamed in
 * 4 MiB writes. Hot packets (every TCP segment) are written straight into the output buffer with
 * the checksums computed there; rare packets (DNS, ICMP) go through the test builders.
 */
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import {
  ICMP, ICMPV6, TLS_ALERT, TLS_CIPHER, TLS_GROUP, TLS_VERSION, alert, certificateMsg, changeCipherSpec,
  clientHello, clientKeyExchangeRsa, concat, dnsMessage, dnsName, encryptedHandshake, ethIp, finishChecksum,
  handshakeRecord, httpRequest, httpResponse, icmpIp, parseIp, quote, serverHello, serverHelloDone, sum16,
  testCertDer, tlsRecord, udpIp,
} from '../test/helpers/build.js';

// ---------------------------------------------------------------------------------------------
// Arguments
// ---------------------------------------------------------------------------------------------

const MODES = ['mixed', 'short-conns', 'dns', 'failure-rich', 'syn-scan', 'nxdomain'] as const;
type Mode = typeof MODES[number];

interface Args {
  out: string;
  bytes: number;
  mode: Mode;
  conns: number;
  packets: number;
  concurrency: number;
  rate: number;
  seed: number;
}
function parseArgs(argv: string[]): Args {
  const get = (name: string): string | undefined => {
    const i = argv.indexOf(`--${name}`);
    if (i >= 0) return argv[i + 1];
    const eq = argv.find((a) => a.startsWith(`--${name}=`));
    return eq?.slice(name.length + 3);
  };
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`usage: node dist/bench/gen.js [--out PATH] [--bytes N] [--packets N] [--mode ${MODES.join('|')}] [--conns N] [--rate N] [--concurrency N] [--seed N]\n`);
    process.exit(0);
  }
  const mode = (get('mode') ?? 'mixed') as Mode;
  if (!MODES.includes(mode)) throw new Error(`unknown --mode ${mode}`);
  const num = (name: string, dflt: number): number => {
    const v = get(name);
    if (v === undefined) return dflt;
    const n = Number(v.replace(/_/g, ''));
    if (!Number.isFinite(n) || n <= 0) throw new Error(`bad --${name} ${v}`);
    return Math.floor(n);
  };
  const defaultOut = join(tmpdir(), 'wirewhy-bench', `${mode}.pcap`);
  return {
    out: get('out') ?? defaultOut,
    // short-conns, dns, syn-scan and nxdomain stop after --conns flows unless a byte limit is given as well.
    bytes: num('bytes', mode === 'mixed' || mode === 'failure-rich' ? 1024 ** 3 : Number.MAX_SAFE_INTEGER),
    mode,
    conns: num('conns', mode === 'nxdomain' ? 200_000 : 1_000_000),
    packets: num('packets', Number.MAX_SAFE_INTEGER),
    concurrency: num('concurrency', 80),
    rate: num('rate', mode === 'failure-rich' ? 3000 : mode === 'syn-scan' ? 50_000 : 4000),
    seed: num('seed', 1),
  };
}

// ---------------------------------------------------------------------------------------------
// PRNG (mulberry32) and helpers
// ---------------------------------------------------------------------------------------------

let rngState = 1;
function rand(): number {
  rngState = (rngState + 0x6d2b79f5) | 0;
  let t = rngState;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
function randInt(lo: number, hi: number): number {
  return lo + Math.floor(rand() * (hi - lo + 1));
}
function rand32(): number {
  return Math.floor(rand() * 4294967296) >>> 0;
}
function logUniform(lo: number, hi: number): number {
  return Math.floor(Math.exp(Math.log(lo) + rand() * (Math.log(hi) - Math.log(lo))));
}
function pick<T>(a: readonly T[]): T {
  return a[Math.floor(rand() * a.length)]!;
}
function fillRandom(b: Uint8Array, off: number, len: number): void {
  for (let i = 0; i < len; i++) b[off + i] = (rand() * 256) | 0;
}

// ---------------------------------------------------------------------------------------------
// Output: pcap (µs, little-endian, Ethernet) streamed through a 4 MiB buffer
// ---------------------------------------------------------------------------------------------

const CHUNK = 4 << 20;
const buf = Buffer.allocUnsafe(CHUNK);
let pos = 0;
let fd = -1;
let written = 0;
let packets = 0;
const hash = createHash('sha256');
/** Capture time in microseconds since the epoch (exact in a double for centuries). */
let now = 0;

function flush(): void {
  if (pos === 0) return;
  const view = buf.subarray(0, pos);
  let off = 0;
  while (off < pos) off += writeSync(fd, view, off, pos - off);
  hash.update(view);
  written += pos;
  pos = 0;
}
function reserve(n: number): void {
  if (pos + n > CHUNK) flush();
}
function writeRecordHeader(len: number): void {
  const sec = Math.floor(now / 1e6);
  buf.writeUInt32LE(sec, pos);
  buf.writeUInt32LE(now - sec * 1e6, pos + 4);
  buf.writeUInt32LE(len, pos + 8);
  buf.writeUInt32LE(len, pos + 12);
  pos += 16;
  packets++;
}
/** A frame built elsewhere (DNS, ICMP). */
function emitFrame(frame: Uint8Array): void {
  reserve(16 + frame.length);
  writeRecordHeader(frame.length);
  buf.set(frame, pos);
  pos += frame.length;
}
function outputBytes(): number {
  return written + pos;
}

// ---------------------------------------------------------------------------------------------
// Flows and the fast TCP writer
// ---------------------------------------------------------------------------------------------

const FIN = 0x01, SYN = 0x02, RST = 0x04, PSH = 0x08, ACK = 0x10;
const OPT_NONE = 0, OPT_TS = 1, OPT_SYN = 2;
const ROUTER_MAC = [0x00, 0x1b, 0x21, 0x0a, 0x0b, 0x0c];
const ROUTER_MAC_TEXT = macText(ROUTER_MAC);

type Step = Generator<number, void, void>;

class Flow {
  v6 = false;
  cAddr: Uint8Array = new Uint8Array(4);
  sAddr: Uint8Array = new Uint8Array(4);
  cIp = '';
  sIp = '';
  cPort = 0;
  sPort = 0;
  /** Sum of the address words of the pseudo-header (same in both directions). */
  addrSum = 0;
  cMac: number[] = [];
  ttlC = 64;
  ttlS = 56;
  ipIdC = 0;
  ipIdS = 0;
  flowLabelC = 0;
  flowLabelS = 0;
  cIsn = 0;
  sIsn = 0;
  cSeq = 0;
  sSeq = 0;
  cTsBase = 0;
  sTsBase = 0;
  cTsLast = 0;
  sTsLast = 0;
  cWin = 502;
  sWin = 509;
  /** Round-trip time in µs. */
  rtt = 10000;
  /** Client acknowledges every `delAck` data segments. */
  delAck = 1;
  /** Largest burst (segments per RTT), and whether the sender is application-paced (video-like). */
  maxCwnd = 32;
  paced = false;
  /** Offset into the random pool used for this flow's bulk bytes. */
  poolOff = 0;
  gen: Step | null = null;
  t = 0;
  seq = 0;
}

/**
 * Writes one Ethernet/IP/TCP frame. Payload = a[aOff..aOff+aLen] followed by b[bOff..bOff+bLen].
 * Sequence/ack numbers come from the flow; the caller advances them.
 */
function emitTcp(f: Flow, fromClient: boolean, flags: number, seq: number, ack: number, opt: number,
  a: Uint8Array | null, aOff: number, aLen: number, b: Uint8Array | null, bOff: number, bLen: number): void {
  const ipLen = f.v6 ? 40 : 20;
  const optLen = opt === OPT_NONE ? 0 : opt === OPT_TS ? 12 : 20;
  const thl = 20 + optLen;
  const tcpLen = thl + aLen + bLen;
  const frameLen = 14 + ipLen + tcpLen;
  reserve(16 + frameLen);
  writeRecordHeader(frameLen);
  let p = pos;
  lastFrameStart = p;
  lastFrameEnd = p + frameLen;
  // Ethernet
  const dstMac = fromClient ? ROUTER_MAC : f.cMac;
  const srcMac = fromClient ? f.cMac : ROUTER_MAC;
  for (let i = 0; i < 6; i++) {
    buf[p + i] = dstMac[i]!;
    buf[p + 6 + i] = srcMac[i]!;
  }
  buf[p + 12] = f.v6 ? 0x86 : 0x08;
  buf[p + 13] = f.v6 ? 0xdd : 0x00;
  p += 14;
  const src = fromClient ? f.cAddr : f.sAddr;
  const dst = fromClient ? f.sAddr : f.cAddr;
  if (f.v6) {
    const fl = fromClient ? f.flowLabelC : f.flowLabelS;
    buf[p] = 0x60;
    buf[p + 1] = (fl >>> 16) & 0x0f;
    buf[p + 2] = (fl >>> 8) & 0xff;
    buf[p + 3] = fl & 0xff;
    buf[p + 4] = tcpLen >>> 8;
    buf[p + 5] = tcpLen & 0xff;
    buf[p + 6] = 6;
    buf[p + 7] = fromClient ? f.ttlC : f.ttlS;
    buf.set(src, p + 8);
    buf.set(dst, p + 24);
  } else {
    const total = 20 + tcpLen;
    let id: number;
    if (fromClient) id = f.ipIdC = (f.ipIdC + 1) & 0xffff;
    else id = f.ipIdS = (f.ipIdS + 1) & 0xffff;
    buf[p] = 0x45;
    buf[p + 1] = 0;
    buf[p + 2] = total >>> 8;
    buf[p + 3] = total & 0xff;
    buf[p + 4] = id >>> 8;
    buf[p + 5] = id & 0xff;
    buf[p + 6] = 0x40; // DF
    buf[p + 7] = 0;
    buf[p + 8] = fromClient ? f.ttlC : f.ttlS;
    buf[p + 9] = 6;
    buf[p + 10] = 0;
    buf[p + 11] = 0;
    for (let i = 0; i < 4; i++) {
      buf[p + 12 + i] = src[i]!;
      buf[p + 16 + i] = dst[i]!;
    }
    const c = finishChecksum(sum16(buf.subarray(p, p + 20)));
    buf[p + 10] = c >>> 8;
    buf[p + 11] = c & 0xff;
  }
  p += ipLen;
  // TCP
  const t = p;
  const sport = fromClient ? f.cPort : f.sPort;
  const dport = fromClient ? f.sPort : f.cPort;
  buf[t] = sport >>> 8;
  buf[t + 1] = sport & 0xff;
  buf[t + 2] = dport >>> 8;
  buf[t + 3] = dport & 0xff;
  buf.writeUInt32BE(seq >>> 0, t + 4);
  buf.writeUInt32BE(ack >>> 0, t + 8);
  buf[t + 12] = (thl >>> 2) << 4;
  buf[t + 13] = flags;
  const win = flags & SYN ? (fromClient ? 64240 : 65160) : fromClient ? f.cWin : f.sWin;
  buf[t + 14] = win >>> 8;
  buf[t + 15] = win & 0xff;
  buf[t + 16] = 0;
  buf[t + 17] = 0;
  buf[t + 18] = 0;
  buf[t + 19] = 0;
  if (opt !== OPT_NONE) {
    // RFC 7323 timestamps: TSval from the sender's clock (ms), TSecr = peer's last TSval.
    const ms = Math.floor(now / 1000);
    const tsVal = ((fromClient ? f.cTsBase : f.sTsBase) + ms) >>> 0;
    const tsEcr = fromClient ? f.sTsLast : f.cTsLast;
    if (fromClient) f.cTsLast = tsVal;
    else f.sTsLast = tsVal;
    let o = t + 20;
    if (opt === OPT_SYN) {
      buf[o] = 2; buf[o + 1] = 4; buf[o + 2] = 0x05; buf[o + 3] = 0xb4; // MSS 1460
      buf[o + 4] = 4; buf[o + 5] = 2; // SACK permitted
      o += 6;
    } else {
      buf[o] = 1; buf[o + 1] = 1;
      o += 2;
    }
    buf[o] = 8; buf[o + 1] = 10;
    buf.writeUInt32BE(tsVal, o + 2);
    buf.writeUInt32BE(flags & ACK ? tsEcr : 0, o + 6);
    o += 10;
    if (opt === OPT_SYN) {
      buf[o] = 1; buf[o + 1] = 3; buf[o + 2] = 3; buf[o + 3] = 7; // NOP, WS 7
    }
  }
  let q = t + thl;
  if (a !== null && aLen > 0) {
    buf.set(aLen === a.length && aOff === 0 ? a : a.subarray(aOff, aOff + aLen), q);
    q += aLen;
  }
  if (b !== null && bLen > 0) {
    buf.set(b.subarray(bOff, bOff + bLen), q);
    q += bLen;
  }
  // Checksum over pseudo-header + segment (RFC 9293 §3.1).
  const end = t + tcpLen;
  const c = finishChecksum(sum16(buf.subarray(t, end), f.addrSum + 6 + tcpLen));
  buf[t + 16] = c >>> 8;
  buf[t + 17] = c & 0xff;
  pos = end;
}

/** Sends a segment at the side's SND.NXT, acknowledging everything the peer sent, and advances. */
function seg(f: Flow, c: boolean, flags: number, opt: number,
  a: Uint8Array | null = null, aOff = 0, aLen = a ? a.length - aOff : 0, b: Uint8Array | null = null, bOff = 0, bLen = 0): void {
  const seq = c ? f.cSeq : f.sSeq;
  const ack = flags & ACK ? (c ? f.sSeq : f.cSeq) : 0;
  emitTcp(f, c, flags, seq, ack, opt, a, aOff, aLen, b, bOff, bLen);
  const adv = aLen + bLen + (flags & (SYN | FIN) ? 1 : 0);
  if (c) f.cSeq = (f.cSeq + adv) >>> 0;
  else f.sSeq = (f.sSeq + adv) >>> 0;
}

/** Where emitTcp wrote its last frame (valid until the next write), for ICMP quotes. */
let lastFrameStart = 0;
let lastFrameEnd = 0;
function lastIpPacket(): Uint8Array {
  // A copy: the output buffer is reused after the next flush (and Buffer#slice would be a view).
  return Uint8Array.from(buf.subarray(lastFrameStart + 14, lastFrameEnd));
}

// ---------------------------------------------------------------------------------------------
// Hosts, names and reusable payloads
// ---------------------------------------------------------------------------------------------

const NAMES = Array.from({ length: 64 }, (_, i) =>
  i % 4 === 0 ? `www.site${i}.example.com` : i % 4 === 1 ? `api${i}.example.net` : i % 4 === 2 ? `cdn${i}.example.org` : `static${i}.example.com`);

interface Server { v4: string; v6: string; name: string; ttl: number }
const SERVERS: Server[] = NAMES.map((name, i) => ({
  v4: `198.18.${(i >> 4) & 0xff}.${10 + (i & 15)}`, v6: `2001:db8:5:${i.toString(16)}::443`, name, ttl: 64 - randIntFixed(i, 4, 20),
}));
function randIntFixed(i: number, lo: number, hi: number): number {
  return lo + (((i * 2654435761) >>> 0) % (hi - lo + 1));
}
const RESOLVERS = { v4: ['10.0.0.53', '10.0.1.53'], v6: ['2001:db8:53::53', '2001:db8:53::54'] };
const N_CLIENTS = 600;
const clientPorts = new Uint16Array(N_CLIENTS).map((_, i) => 32768 + ((i * 7919) % 20000));

function clientV4(i: number): string {
  return `10.${1 + (i >> 16)}.${(i >> 8) & 0xff}.${(i & 0xff) || 1}`;
}
function clientV6(i: number): string {
  return `2001:db8:c::${(i + 1).toString(16)}`;
}
function nextPort(ci: number): number {
  let p = clientPorts[ci]! + 1;
  if (p > 60999) p = 32768;
  clientPorts[ci] = p;
  return p;
}

function clientMac(ci: number): number[] {
  return [0x02, 0x42, 0x0a, (ci >> 16) & 0xff, (ci >> 8) & 0xff, ci & 0xff];
}

/** 1 MiB of random bytes: bulk payloads are slices of it. */
const POOL_SIZE = 1 << 20;
let pool = new Uint8Array(POOL_SIZE);

function newFlow(v6: boolean, server: Server, sPort: number, clientIndex?: number): Flow {
  const f = new Flow();
  const ci = clientIndex ?? randInt(0, N_CLIENTS - 1);
  f.v6 = v6;
  f.cIp = v6 ? clientV6(ci) : clientV4(ci);
  f.sIp = v6 ? server.v6 : server.v4;
  f.cAddr = parseIp(f.cIp);
  f.sAddr = parseIp(f.sIp);
  f.addrSum = sum16(f.cAddr) + sum16(f.sAddr);
  f.cPort = nextPort(ci);
  f.sPort = sPort;
  f.cMac = clientMac(ci);
  f.ttlS = server.ttl;
  f.ipIdC = randInt(0, 0xffff);
  f.ipIdS = randInt(0, 0xffff);
  f.flowLabelC = rand32() & 0xfffff;
  f.flowLabelS = rand32() & 0xfffff;
  f.cIsn = f.cSeq = rand32();
  f.sIsn = f.sSeq = rand32();
  f.cTsBase = rand32();
  f.sTsBase = rand32();
  f.rtt = logUniform(1500, 150000);
  f.delAck = rand() < 0.85 ? 1 : 2;
  f.maxCwnd = randInt(8, 44);
  f.paced = rand() < 0.5;
  f.poolOff = randInt(0, POOL_SIZE - 65536) & ~1;
  return f;
}

// ---------------------------------------------------------------------------------------------
// Flow scripts. Each `yield d` waits d µs; everything between yields happens at `now`.
// ---------------------------------------------------------------------------------------------

const gap = (): number => randInt(8, 60);

function* handshake(f: Flow): Step {
  seg(f, true, SYN, OPT_SYN);
  yield f.rtt;
  seg(f, false, SYN | ACK, OPT_SYN);
  yield randInt(20, 200);
  seg(f, true, ACK, OPT_TS);
}

/** Sends `msg` from one side in MSS-sized segments (last one PSH). */
function* sendMsg(f: Flow, c: boolean, msg: Uint8Array): Step {
  for (let o = 0; o < msg.length; o += 1448) {
    const n = Math.min(1448, msg.length - o);
    seg(f, c, ACK | (o + n >= msg.length ? PSH : 0), OPT_TS, msg, o, n);
    if (o + n < msg.length) yield gap();
  }
}

/**
 * Server bulk transfer of `total` stream bytes, client ACKs every delAck segments, slow-start
 * bursts one RTT apart. `prefix` (e.g. HTTP headers) starts the stream; with `tls`, the stream
 * is TLS application-data records of 11 segments each (record boundaries on segment boundaries).
 */
function* bulk(f: Flow, total: number, prefix: Uint8Array | null, tls: boolean): Step {
  let sent = 0;
  let cwnd = 10;
  let since = 0;
  let recLeft = 0;
  const hdr = new Uint8Array(5);
  let po = f.poolOff;
  while (sent < total) {
    for (let k = 0; k < cwnd && sent < total; k++) {
      const n = Math.min(1448, total - sent);
      if (po + n > POOL_SIZE) po = 0;
      let a: Uint8Array | null = null;
      let aLen = 0;
      if (tls && recLeft === 0) {
        const rec = Math.min(11 * 1448, total - sent);
        hdr[0] = 23; hdr[1] = 3; hdr[2] = 3; hdr[3] = (rec - 5) >>> 8; hdr[4] = (rec - 5) & 0xff;
        a = hdr;
        aLen = 5;
        recLeft = rec;
      } else if (!tls && prefix && sent === 0) {
        a = prefix;
        aLen = Math.min(prefix.length, n);
      }
      const last = sent + n >= total;
      seg(f, false, ACK | (last ? PSH : 0), OPT_TS, a, 0, aLen, pool, po, n - aLen);
      po += (n - aLen + 1) & ~1;
      sent += n;
      if (tls) recLeft -= n;
      since++;
      if (since >= f.delAck || last) {
        yield randInt(15, 80);
        seg(f, true, ACK, OPT_TS);
        since = 0;
      }
      yield gap();
    }
    cwnd = Math.min(cwnd * 2, f.maxCwnd);
    yield f.rtt + (f.paced ? randInt(50_000, 500_000) : 0);
  }
}

/** Most responses are small (API calls, pages); a minority are downloads. */
function responseSize(): number {
  return rand() < smallShare ? logUniform(300, 30_000) : logUniform(20_000, 1_500_000);
}
/** The share of small responses (failure-rich: more, so that 1 GiB holds more connections). */
let smallShare = 0.88;

/** Total TLS stream size such that the last record has at least 1 byte of body. */
function tlsTotal(n: number): number {
  const r = n % (11 * 1448);
  return r > 0 && r < 6 ? n + 6 : Math.max(n, 6);
}

/** A few small request/response exchanges with think time between them (keep-alive use). */
function* smallExchanges(f: Flow, n: number): Step {
  for (let i = 0; i < n; i++) {
    yield* sendMsg(f, true, appRecord(randInt(60, 600)));
    yield f.rtt;
    yield* sendMsg(f, false, appRecord(randInt(150, 2800)));
    yield randInt(15, 80);
    seg(f, true, ACK, OPT_TS);
    yield randInt(10_000, 400_000);
  }
}

function* closeClientFirst(f: Flow): Step {
  seg(f, true, FIN | ACK, OPT_TS);
  yield f.rtt;
  seg(f, false, FIN | ACK, OPT_TS);
  yield randInt(20, 200);
  seg(f, true, ACK, OPT_TS);
}

/** The server closes first (after an alert or an error page); `wait` bounds the client's delays (ms). */
function* closeServerFirst(f: Flow, wait: number): Step {
  seg(f, false, FIN | ACK, OPT_TS);
  yield randInt(50, wait);
  seg(f, true, ACK, OPT_TS);
  yield randInt(50, wait);
  seg(f, true, FIN | ACK, OPT_TS);
  yield f.rtt;
  seg(f, false, ACK, OPT_TS);
}

// Cached handshake bytes (random fields are re-randomised per flow in a copy).
const cache = new Map<string, Uint8Array>();
function cached(key: string, make: () => Uint8Array): Uint8Array {
  let v = cache.get(key);
  if (!v) {
    v = make();
    cache.set(key, v);
  }
  return v;
}
function withRandom(t: Uint8Array, off: number, len: number): Uint8Array {
  const c = t.slice();
  fillRandom(c, off, len);
  return c;
}

function clientHelloRecord(name: string, v13: boolean): Uint8Array {
  const t = cached(`ch|${name}|${v13}`, () =>
    handshakeRecord([clientHello(v13 ? {
      ciphers: [TLS_CIPHER.TLS_AES_128_GCM_SHA256, TLS_CIPHER.TLS_AES_256_GCM_SHA384, TLS_CIPHER.TLS_CHACHA20_POLY1305_SHA256, 0xc02b, 0xc02f],
      sni: name, alpn: ['h2', 'http/1.1'], supportedVersions: [TLS_VERSION.TLS13, TLS_VERSION.TLS12],
      keyShareGroups: [TLS_GROUP.x25519], sessionId: new Uint8Array(32),
    } : {
      ciphers: [0xc02f, 0xc030, TLS_CIPHER.TLS_RSA_WITH_AES_128_GCM_SHA256, 0x002f], sni: name, alpn: ['http/1.1'],
    })], TLS_VERSION.TLS10));
  // record(5) + handshake header(4) + version(2) → random(32), then session id length + id.
  const c = withRandom(t, 11, 32);
  if (v13) fillRandom(c, 44, 32);
  return c;
}
function serverFlight13(sessionIdFrom: Uint8Array, encLen: number): Uint8Array {
  const t = cached(`sf13|${encLen}`, () => concat([
    handshakeRecord([serverHello({ cipher: TLS_CIPHER.TLS_AES_128_GCM_SHA256, supportedVersion: TLS_VERSION.TLS13, sessionId: new Uint8Array(32) })]),
    changeCipherSpec(),
    tlsRecord(23, TLS_VERSION.TLS12, new Uint8Array(encLen)),
  ]));
  const c = withRandom(t, 11, 32);
  c.set(sessionIdFrom.subarray(44, 76), 44); // echo legacy_session_id
  const shLen = ((c[3]! << 8) | c[4]!) + 5;
  fillRandom(c, shLen + 6 + 5, encLen);
  return c;
}
function serverFlight12(): Uint8Array {
  const t = cached('sf12', () => handshakeRecord([
    serverHello({ cipher: TLS_CIPHER.TLS_RSA_WITH_AES_128_GCM_SHA256, alpn: 'http/1.1' }),
    certificateMsg([testCertDer('valid')]),
    serverHelloDone(),
  ]));
  return withRandom(t, 11, 32);
}
const appRecord = (len: number): Uint8Array => {
  const c = cached(`app|${len}`, () => tlsRecord(23, TLS_VERSION.TLS12, new Uint8Array(len))).slice();
  fillRandom(c, 5, len);
  return c;
};

function* tls13Flow(f: Flow, name: string, fail: 'none' | 'server-alert' | 'client-alert'): Step {
  yield* handshake(f);
  yield randInt(50, 2000);
  const ch = clientHelloRecord(name, true);
  yield* sendMsg(f, true, ch);
  yield f.rtt;
  if (fail === 'server-alert') {
    yield* sendMsg(f, false, alert(2, pick([TLS_ALERT.handshake_failure, TLS_ALERT.protocol_version, TLS_ALERT.unrecognized_name])));
    yield randInt(20, 200);
    yield* closeServerFirst(f, 500);
    return;
  }
  yield* sendMsg(f, false, serverFlight13(ch, pick([2400, 3100, 4200, 5300])));
  yield randInt(20, 200);
  seg(f, true, ACK, OPT_TS);
  yield randInt(200, 3000);
  if (fail === 'client-alert') {
    // The client rejects the certificate (TLS 1.3 alerts are encrypted: an opaque record) and resets.
    yield* sendMsg(f, true, appRecord(19));
    yield randInt(20, 200);
    seg(f, true, RST | ACK, OPT_NONE);
    return;
  }
  yield* sendMsg(f, true, concat([changeCipherSpec(), appRecord(53)]));
  yield randInt(20, 300);
  yield* smallExchanges(f, randInt(0, 8));
  yield* sendMsg(f, true, appRecord(randInt(60, 700)));
  yield f.rtt;
  yield* bulk(f, tlsTotal(responseSize()), null, true);
  yield randInt(1000, 200000);
  yield* closeClientFirst(f);
}

function* tls12Flow(f: Flow, name: string, fail: 'none' | 'client-alert'): Step {
  yield* handshake(f);
  yield randInt(50, 2000);
  yield* sendMsg(f, true, clientHelloRecord(name, false));
  yield f.rtt;
  yield* sendMsg(f, false, serverFlight12());
  yield randInt(20, 200);
  seg(f, true, ACK, OPT_TS);
  yield randInt(200, 3000);
  if (fail === 'client-alert') {
    yield* sendMsg(f, true, alert(2, pick([TLS_ALERT.bad_certificate, TLS_ALERT.unknown_ca, TLS_ALERT.certificate_expired])));
    yield randInt(20, 200);
    seg(f, true, RST | ACK, OPT_NONE);
    return;
  }
  yield* sendMsg(f, true, cached('cke', () => concat([handshakeRecord([clientKeyExchangeRsa()]), changeCipherSpec(), encryptedHandshake()])));
  yield f.rtt;
  yield* sendMsg(f, false, cached('sfin', () => concat([changeCipherSpec(), encryptedHandshake()])));
  yield randInt(20, 300);
  yield* smallExchanges(f, randInt(0, 8));
  yield* sendMsg(f, true, appRecord(randInt(60, 700)));
  yield f.rtt;
  yield* bulk(f, tlsTotal(responseSize()), null, true);
  yield randInt(1000, 200000);
  yield* closeClientFirst(f);
}

const PATHS = ['/', '/index.html', '/api/v1/items', '/static/app.js', '/images/logo.png', '/download/file.bin'];
function* httpFlow(f: Flow, name: string, status: 200 | 503): Step {
  yield* handshake(f);
  yield randInt(50, 1000);
  yield* sendMsg(f, true, httpRequest({ method: 'GET', target: pick(PATHS), host: name, headers: [['User-Agent', 'bench/1.0'], ['Accept', '*/*']] }));
  yield f.rtt;
  if (status === 503) {
    const body = 'Service temporarily unavailable\n';
    yield* sendMsg(f, false, httpResponse({
      status: 503, body,
      headers: [['Server', 'nginx'], ['Retry-After', '30'], ['Content-Type', 'text/plain'], ['Content-Length', String(body.length)], ['Connection', 'close']],
    }));
    yield randInt(10, 100);
    yield* closeServerFirst(f, 300);
    return;
  }
  const len = responseSize();
  // Headers only: the body is streamed by bulk().
  const head = httpResponse({ status: 200, headers: [['Server', 'nginx'], ['Content-Type', 'application/octet-stream'], ['Content-Length', String(len)]] });
  yield* bulk(f, head.length + len, head, false);
  yield randInt(1000, 100000);
  yield* closeClientFirst(f);
}

function* synTimeout(f: Flow): Step {
  // Linux: initial RTO 1 s, doubling.
  for (let i = 0; i < 4; i++) {
    f.cSeq = f.cIsn;
    seg(f, true, SYN, OPT_SYN);
    if (i < 3) yield 1_000_000 * 2 ** i + randInt(0, 3000);
  }
}
function* synRst(f: Flow): Step {
  seg(f, true, SYN, OPT_SYN);
  yield f.rtt;
  f.sSeq = 0;
  seg(f, false, RST | ACK, OPT_NONE);
}
function* synAdminProhibited(f: Flow): Step {
  for (let i = 0; i < 2; i++) {
    f.cSeq = f.cIsn;
    seg(f, true, SYN, OPT_SYN);
    const q = quote(lastIpPacket());
    yield Math.floor(f.rtt / 2);
    const router = f.v6 ? '2001:db8:ff::1' : '203.0.113.1';
    emitFrame(ethIp(icmpIp({
      src: router, dst: f.cIp, ttl: 250,
      type: f.v6 ? ICMPV6.DEST_UNREACH : ICMP.DEST_UNREACH, code: f.v6 ? ICMPV6.ADMIN_PROHIBITED : ICMP.ADMIN_PROHIBITED,
    }, q), { src: ROUTER_MAC_TEXT, dst: macText(f.cMac) }));
    if (i === 0) yield 1_000_000 + randInt(0, 3000);
  }
}
function macText(m: number[]): string {
  return m.map((x) => x.toString(16).padStart(2, '0')).join(':');
}

let dnsId = 1;
/** servfail and refused: the resolver's own failure (failure-rich mode; an empty answer, no SOA). */
function* dnsFlow(v6: boolean, kind: 'ok' | 'nx' | 'lost' | 'refused-port' | 'servfail' | 'refused', ownName?: string): Step {
  const ci = randInt(0, N_CLIENTS - 1);
  const cIp = v6 ? clientV6(ci) : clientV4(ci);
  const resolver = pick(v6 ? RESOLVERS.v6 : RESOLVERS.v4);
  const sport = nextPort(ci);
  const cMac = macText(clientMac(ci));
  const toServer = { src: cMac, dst: ROUTER_MAC_TEXT };
  const toClient = { src: ROUTER_MAC_TEXT, dst: cMac };
  const server = pick(SERVERS);
  const name = ownName ?? (kind === 'nx' ? `h${rand32().toString(36)}.nonexistent.example.net` : server.name);
  const qtype = v6 || rand() < 0.3 ? 'AAAA' : 'A';
  const id = (dnsId = (dnsId * 1103515245 + 12345) & 0xffff);
  const query = dnsMessage({ id, qr: false, rd: true, questions: [{ name, type: qtype }], edns: { udpSize: 1232 } });
  const qpkt = udpIp({ src: cIp, dst: resolver, sport, dport: 53, ttl: 64, id: randInt(0, 0xffff) }, query);
  emitFrame(ethIp(qpkt, toServer));
  const rtt = logUniform(300, 80000);
  if (kind === 'lost') {
    yield 1_000_000 + randInt(0, 1000);
    emitFrame(ethIp(udpIp({ src: cIp, dst: resolver, sport, dport: 53, ttl: 64, id: randInt(0, 0xffff) }, query), toServer));
    return;
  }
  yield rtt;
  if (kind === 'refused-port') {
    emitFrame(ethIp(icmpIp({ src: resolver, dst: cIp, ttl: 64, type: v6 ? ICMPV6.DEST_UNREACH : ICMP.DEST_UNREACH, code: v6 ? ICMPV6.PORT_UNREACH : ICMP.PORT_UNREACH }, quote(qpkt)), toClient));
    return;
  }
  const empty = kind === 'nx' || kind === 'servfail' || kind === 'refused';
  const answers = empty ? [] : qtype === 'A'
    ? [{ name, type: 'CNAME', data: `edge${randInt(1, 9)}.cdn.example.net` }, { name: `edge${randInt(1, 9)}.cdn.example.net`, type: 'A', data: server.v4 }]
    : [{ name, type: 'AAAA', data: server.v6.replace('::443', '::1') }];
  const resp = dnsMessage({
    id, qr: true, rd: true, ra: true, rcode: kind === 'nx' ? 'NXDOMAIN' : kind === 'servfail' ? 'SERVFAIL' : kind === 'refused' ? 'REFUSED' : 'NOERROR', compress: true,
    questions: [{ name, type: qtype }], answers: answers.map((a) => ({ ...a, ttl: 300 })),
    ...(kind === 'nx' ? { authority: [{ name: 'example.net', type: 'SOA', ttl: 900, data: soaData() }] } : {}),
    edns: { udpSize: 1232 },
  });
  emitFrame(ethIp(udpIp({ src: resolver, dst: cIp, sport: 53, dport: sport, ttl: 63, id: randInt(0, 0xffff) }, resp), toClient));
}
function soaData(): Uint8Array {
  return cached('soa', () => {
    const nums = new Uint8Array(20);
    new DataView(nums.buffer).setUint32(0, 2024010101);
    [7200, 3600, 1209600, 300].forEach((v, i) => new DataView(nums.buffer).setUint32(4 + 4 * i, v));
    return concat([dnsName('ns1.example.net'), dnsName('hostmaster.example.net'), nums]);
  });
}

const kinds: Record<string, number> = {};
function count(kind: string): void {
  kinds[kind] = (kinds[kind] ?? 0) + 1;
}

/** Picks and starts one flow of the mixed workload. */
function startMixed(): Step {
  const v6 = rand() < 0.2;
  const server = pick(SERVERS);
  const r = rand();
  const mk = (port: number) => newFlow(v6, server, port);
  if (r < 0.38) {
    const k = rand();
    const kind = k < 0.85 ? 'ok' : k < 0.93 ? 'nx' : k < 0.97 ? 'lost' : 'refused-port';
    count(`dns-${kind}`);
    return dnsFlow(v6, kind);
  }
  if (r < 0.60) return count('tls13'), tls13Flow(mk(443), server.name, 'none');
  if (r < 0.70) return count('tls12'), tls12Flow(mk(443), server.name, 'none');
  if (r < 0.86) return count('http-200'), httpFlow(mk(80), server.name, 200);
  if (r < 0.89) return count('http-503'), httpFlow(mk(80), server.name, 503);
  if (r < 0.915) return count('syn-timeout'), synTimeout(mk(443));
  if (r < 0.94) return count('syn-rst'), synRst(mk(pick([443, 80, 8443])));
  if (r < 0.955) return count('tls13-server-alert'), tls13Flow(mk(443), server.name, 'server-alert');
  if (r < 0.97) return count('tls13-client-abort'), tls13Flow(mk(443), server.name, 'client-alert');
  if (r < 0.985) return count('tls12-client-alert'), tls12Flow(mk(443), server.name, 'client-alert');
  count('icmp-admin-prohibited');
  return synAdminProhibited(mk(pick([443, 22, 3389])));
}

// ---- dns ----

let dnsIndex = 0;
function dnsOnly(): Step {
  const i = dnsIndex++;
  const k = rand();
  const kind = k < 0.9 ? 'ok' : k < 0.98 ? 'nx' : 'lost';
  count(`dns-${kind}`);
  const name = kind === 'ok' ? `q${i.toString(36)}.svc.example.net` : kind === 'nx' ? `nx${i % 50}.nonexistent.example.net` : `lost${i % 20}.svc.example.net`;
  return dnsFlow(rand() < 0.2, kind, name);
}

// ---- short-conns ----

let shortIndex = 0;
const SHORT_SERVERS: Server[] = SERVERS.slice(0, 8);
function* shortConn(): Step {
  const i = shortIndex++;
  const server = SHORT_SERVERS[i % SHORT_SERVERS.length]!;
  const f = newFlow(false, server, 80, 0);
  // Unique 4-tuples for a million connections: the client address walks 10.64.0.0/10.
  f.cIp = `10.${64 + ((i >>> 16) & 0x3f)}.${(i >>> 8) & 0xff}.${i & 0xff}`;
  f.cAddr = parseIp(f.cIp);
  f.addrSum = sum16(f.cAddr) + sum16(f.sAddr);
  f.cPort = 1024 + ((i * 7) % 60000);
  f.rtt = randInt(200, 3000);
  yield* handshake(f);
  yield randInt(20, 200);
  yield* sendMsg(f, true, cached('sreq', () => httpRequest({ method: 'GET', target: '/health', host: 'svc.example.com' })));
  yield f.rtt;
  yield* sendMsg(f, false, cached('sresp', () => httpResponse({ status: 200, headers: [['Content-Type', 'text/plain']], body: 'ok\n' })));
  yield randInt(20, 200);
  seg(f, true, ACK, OPT_TS);
  yield randInt(20, 500);
  yield* closeClientFirst(f);
}

// ---- failure-rich ----

/**
 * Each failure has a target of its own: failServer() gives a new name and address each call
 * (198.19.0.0/16, 2001:db8:f::/48). Nothing about them is cached, so memory stays flat.
 */
let failIndex = 0;
function failServer(): Server {
  const k = failIndex++;
  return {
    v4: `198.19.${(k >> 8) & 0xff}.${k & 0xff}`, v6: `2001:db8:f:${(k >> 16).toString(16)}:${(k & 0xffff).toString(16)}::1`,
    name: `f${k.toString(36)}.svc${k % 37}.example.com`, ttl: 64 - randIntFixed(k, 4, 20),
  };
}
/** A few hosts refusing many ports (a client probing them): told per host, with the ports counted. */
const PROBED: Server[] = Array.from({ length: 8 }, (_, i) => ({
  v4: `198.18.200.${1 + i}`, v6: `2001:db8:5:c8::${(1 + i).toString(16)}`, name: `probed${i}.example.com`, ttl: 60,
}));

const SERVER_ALERTS = [TLS_ALERT.handshake_failure, TLS_ALERT.protocol_version, TLS_ALERT.insufficient_security,
  TLS_ALERT.internal_error, TLS_ALERT.unrecognized_name, TLS_ALERT.no_application_protocol];
const CLIENT_ALERTS = [TLS_ALERT.bad_certificate, TLS_ALERT.unknown_ca, TLS_ALERT.certificate_expired,
  TLS_ALERT.certificate_unknown, TLS_ALERT.decrypt_error];
const HTTP_ERRORS = [400, 401, 403, 404, 404, 404, 429, 500, 502, 503, 504];

/** A ClientHello for a name of its own (not cached: every failing name is new). */
function clientHelloFresh(name: string, v13: boolean): Uint8Array {
  const c = handshakeRecord([clientHello(v13 ? {
    ciphers: [TLS_CIPHER.TLS_AES_128_GCM_SHA256, TLS_CIPHER.TLS_AES_256_GCM_SHA384, TLS_CIPHER.TLS_CHACHA20_POLY1305_SHA256, 0xc02b, 0xc02f],
    sni: name, alpn: ['h2', 'http/1.1'], supportedVersions: [TLS_VERSION.TLS13, TLS_VERSION.TLS12],
    keyShareGroups: [TLS_GROUP.x25519], sessionId: new Uint8Array(32),
  } : {
    ciphers: [0xc02f, 0xc030, TLS_CIPHER.TLS_RSA_WITH_AES_128_GCM_SHA256, 0x002f], sni: name, alpn: ['http/1.1'],
  })], TLS_VERSION.TLS10);
  fillRandom(c, 11, 32);
  if (v13) fillRandom(c, 44, 32);
  return c;
}

/** A TLS handshake that fails: the server's alert after the ClientHello, or its silent close. */
function* tlsServerFails(f: Flow, name: string, v13: boolean, how: 'alert' | 'close'): Step {
  yield* handshake(f);
  yield randInt(50, 2000);
  yield* sendMsg(f, true, clientHelloFresh(name, v13));
  yield f.rtt;
  if (how === 'alert') {
    yield* sendMsg(f, false, alert(2, pick(SERVER_ALERTS)));
    yield randInt(20, 200);
  }
  yield* closeServerFirst(f, 500);
}

/** The client rejects the server's flight: a TLS 1.2 fatal alert in clear, or a TLS 1.3 abort. */
function* tlsClientFails(f: Flow, name: string, v13: boolean): Step {
  yield* handshake(f);
  yield randInt(50, 2000);
  const ch = clientHelloFresh(name, v13);
  yield* sendMsg(f, true, ch);
  yield f.rtt;
  yield* sendMsg(f, false, v13 ? serverFlight13(ch, pick([2400, 3100, 4200, 5300])) : serverFlight12());
  yield randInt(20, 200);
  seg(f, true, ACK, OPT_TS);
  yield randInt(200, 3000);
  yield* sendMsg(f, true, v13 ? appRecord(19) : alert(2, pick(CLIENT_ALERTS)));
  yield randInt(20, 200);
  seg(f, true, RST | ACK, OPT_NONE);
}

/** An HTTP request answered with an error status, never answered, or answered by a reset. */
function* httpFails(f: Flow, name: string, how: 'status' | 'silent' | 'reset'): Step {
  yield* handshake(f);
  yield randInt(50, 1000);
  yield* sendMsg(f, true, httpRequest({ method: pick(['GET', 'GET', 'POST']), target: `${pick(PATHS)}?id=${rand32().toString(36)}`, host: name, headers: [['User-Agent', 'bench/1.0'], ['Accept', '*/*']] }));
  yield f.rtt;
  if (how === 'reset') {
    seg(f, false, ACK, OPT_TS);
    yield randInt(1000, 50_000);
    seg(f, false, RST | ACK, OPT_NONE);
    return;
  }
  if (how === 'silent') {
    // The server acknowledges the request and says nothing; the client gives up after 5 to 30 s.
    seg(f, false, ACK, OPT_TS);
    yield randInt(5_000_000, 30_000_000);
    yield* closeClientFirst(f);
    return;
  }
  const status = pick(HTTP_ERRORS);
  const body = `{"error":${status},"request":"${rand32().toString(36)}"}\n`;
  yield* sendMsg(f, false, httpResponse({
    status, body,
    headers: [['Server', 'nginx'], ['Content-Type', 'application/json'], ['Content-Length', String(body.length)]],
  }));
  yield randInt(1000, 100000);
  yield* closeClientFirst(f);
}

/** A TLS 1.3 connection that works, then the server resets it in the middle of the response. */
function* tlsResetMidway(f: Flow, name: string): Step {
  yield* handshake(f);
  yield randInt(50, 2000);
  const ch = clientHelloFresh(name, true);
  yield* sendMsg(f, true, ch);
  yield f.rtt;
  yield* sendMsg(f, false, serverFlight13(ch, pick([2400, 3100, 4200, 5300])));
  yield randInt(20, 200);
  seg(f, true, ACK, OPT_TS);
  yield randInt(200, 3000);
  yield* sendMsg(f, true, concat([changeCipherSpec(), appRecord(53)]));
  yield randInt(20, 300);
  yield* sendMsg(f, true, appRecord(randInt(60, 700)));
  yield f.rtt;
  yield* sendMsg(f, false, appRecord(randInt(150, 2800)));
  yield randInt(1000, 50_000);
  seg(f, false, RST | ACK, OPT_NONE);
}

/** Picks and starts one flow of the failure-rich workload. */
function startFailureRich(): Step {
  const v6 = rand() < 0.2;
  const r = rand();
  if (r < 0.30) {
    const k = rand();
    const kind = k < 0.80 ? 'ok' : k < 0.88 ? 'nx' : k < 0.92 ? 'servfail' : k < 0.935 ? 'refused' : k < 0.97 ? 'lost' : 'refused-port';
    count(`dns-${kind}`);
    // Failing names are each of their own; working ones are the servers' names.
    return dnsFlow(v6, kind, kind === 'ok' ? undefined : `${rand32().toString(36)}-${(failIndex++).toString(36)}.${pick(['corp', 'svc', 'cdn', 'api'])}.example.net`);
  }
  if (r < 0.92) {
    // Working traffic, with more and larger downloads than mixed (fewer, bigger flows).
    const server = pick(SERVERS);
    const mk = (port: number) => newFlow(v6, server, port);
    if (r < 0.56) return count('tls13'), tls13Flow(mk(443), server.name, 'none');
    // TLS 1.2 shows its certificate: these names are the ones it covers (*.cdn.example.com), so
    // that working traffic is told as working.
    if (r < 0.68) return count('tls12'), tls12Flow(mk(443), `n${SERVERS.indexOf(server)}.cdn.example.com`, 'none');
    return count('http-200'), httpFlow(mk(80), server.name, 200);
  }
  const f = (r - 0.92) / 0.08;
  const s = failServer();
  const mk = (port: number, clientIndex?: number) => newFlow(v6, s, port, clientIndex);
  if (f < 0.12) return count('syn-timeout'), synTimeout(mk(pick([443, 80, 8443, 22, 5432, randInt(1024, 65535)])));
  if (f < 0.22) return count('syn-rst'), synRst(mk(pick([443, 80, 8443, 8080, randInt(1024, 65535)])));
  if (f < 0.30) {
    // Ports of a few hosts, each probed by one client.
    const i = randInt(0, PROBED.length - 1);
    count('syn-rst-probe');
    return synRst(newFlow(v6, PROBED[i]!, randInt(1, 65535), 17 * i));
  }
  if (f < 0.36) return count('icmp-admin-prohibited'), synAdminProhibited(mk(pick([443, 22, 3389, randInt(1024, 65535)])));
  if (f < 0.41) return count('http-reset'), httpFails(mk(80), s.name, 'reset');
  if (f < 0.46) return count('tls13-reset'), tlsResetMidway(mk(443), s.name);
  if (f < 0.54) return count('tls13-server-alert'), tlsServerFails(mk(443), s.name, true, 'alert');
  if (f < 0.60) return count('tls12-server-alert'), tlsServerFails(mk(443), s.name, false, 'alert');
  if (f < 0.68) return count('tls12-client-alert'), tlsClientFails(mk(443), s.name, false);
  if (f < 0.73) return count('tls13-client-abort'), tlsClientFails(mk(443), s.name, true);
  if (f < 0.77) return count('tls-no-server-hello'), tlsServerFails(mk(443), s.name, rand() < 0.5, 'close');
  if (f < 0.95) return count('http-error'), httpFails(mk(80), s.name, 'status');
  return count('http-no-response'), httpFails(mk(80), s.name, 'silent');
}

// ---- syn-scan ----

let scanIndex = 0;
const SCANNED: Server = { v4: '198.51.100.7', v6: '2001:db8:64::7', name: 'scanned.example.com', ttl: 64 };
const SWEEP = 65535;
/**
 * One probe: SYN to the next port; a closed port answers RST|ACK, a filtered one nothing (the SYN
 * is sent again after 1 s). Probes start at --rate per second (default 50,000), not from a pool:
 * a filtered port's wait does not slow the scan.
 */
function* scanProbe(): Step {
  const i = scanIndex++;
  const sweep = Math.floor(i / SWEEP);
  // Ports in a scrambled order (7919 is prime to 65535): each once per sweep.
  const port = 1 + (((i % SWEEP) * 7919) % SWEEP);
  const f = newFlow(false, SCANNED, port, 0);
  f.cIp = `203.0.113.${(10 + sweep) & 0xff}`;
  f.cAddr = parseIp(f.cIp);
  f.addrSum = sum16(f.cAddr) + sum16(f.sAddr);
  f.cPort = 61000;
  f.cMac = clientMac(sweep);
  f.rtt = randInt(200, 900);
  const closed = ((Math.imul(port, 2654435761) >>> 0) % 100) < 85;
  count(closed ? 'scan-closed' : 'scan-filtered');
  seg(f, true, SYN, OPT_SYN);
  if (!closed) {
    // A filtered port: the scanner tries once more a second later (as nmap does), then gives up.
    yield 1_000_000 + randInt(0, 3000);
    f.cSeq = f.cIsn;
    seg(f, true, SYN, OPT_SYN);
    return;
  }
  yield f.rtt;
  f.sSeq = 0;
  seg(f, false, RST | ACK, OPT_NONE);
}

// ---- nxdomain ----

let nxIndex = 0;
function nxOnly(): Step {
  const i = nxIndex++;
  count('dns-nx');
  return dnsFlow(rand() < 0.2, 'nx', `${rand32().toString(36)}-${i.toString(36)}.nonexistent.example.net`);
}

function startFlow(mode: Mode): Step {
  switch (mode) {
    case 'short-conns': return shortConn();
    case 'dns': return dnsOnly();
    case 'failure-rich': return startFailureRich();
    case 'syn-scan': return scanProbe();
    case 'nxdomain': return nxOnly();
    default: return startMixed();
  }
}

// ---------------------------------------------------------------------------------------------
// Scheduler: a binary min-heap of flows keyed by (next time, creation order)
// ---------------------------------------------------------------------------------------------

const heap: Flow[] = [];
function less(a: Flow, b: Flow): boolean {
  return a.t < b.t || (a.t === b.t && a.seq < b.seq);
}
function push(f: Flow): void {
  heap.push(f);
  let i = heap.length - 1;
  while (i > 0) {
    const p = (i - 1) >> 1;
    if (!less(heap[i]!, heap[p]!)) break;
    [heap[i], heap[p]] = [heap[p]!, heap[i]!];
    i = p;
  }
}
function pop(): Flow | undefined {
  const top = heap[0];
  const last = heap.pop();
  if (heap.length > 0 && last) {
    heap[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heap.length && less(heap[l]!, heap[m]!)) m = l;
      if (r < heap.length && less(heap[r]!, heap[m]!)) m = r;
      if (m === i) break;
      [heap[i], heap[m]] = [heap[m]!, heap[i]!];
      i = m;
    }
  }
  return top;
}

function main(): void {
  const args = parseArgs(process.argv.slice(2));
  rngState = args.seed | 0;
  if (args.mode === 'failure-rich') smallShare = 0.96;
  pool = new Uint8Array(POOL_SIZE);
  fillRandom(pool, 0, POOL_SIZE);
  mkdirSync(dirname(args.out), { recursive: true });
  fd = openSync(args.out, 'w');
  // pcap global header: µs, version 2.4, snaplen 262144, LINKTYPE_ETHERNET.
  buf.writeUInt32LE(0xa1b2c3d4, 0);
  buf.writeUInt16LE(2, 4);
  buf.writeUInt16LE(4, 6);
  buf.writeUInt32LE(0, 8);
  buf.writeUInt32LE(0, 12);
  buf.writeUInt32LE(262144, 16);
  buf.writeUInt32LE(1, 20);
  pos = 24;

  const started = process.hrtime.bigint();
  const t0 = 1_709_294_400 * 1e6; // 2024-03-01T12:00:00Z
  now = t0;
  let order = 0;
  let flowsStarted = 0;
  let maxOpen = 0;
  // short-conns and dns: a fixed pool of flows in flight (see below).
  const short = args.mode !== 'mixed' && args.mode !== 'failure-rich' && args.mode !== 'syn-scan';
  const spawn = (at: number): void => {
    const f = new Flow();
    f.t = at;
    f.seq = order++;
    flowsStarted++;
    f.gen = null; // the script is created when the flow first runs, so its PRNG draws happen in time order
    push(f);
  };
  let open = 0;
  let stop = false;
  // mixed: a spawner entry in the heap starts flows as a Poisson process, so the number open at
  // once is rate × mean duration rather than a fixed pool. short-conns: a fixed pool; each
  // finished connection starts the next, so at most `concurrency` are open.
  const spawner = new Flow();
  if (short) {
    for (let i = 0; i < args.concurrency && flowsStarted < args.conns; i++) spawn(t0 + Math.floor((i / args.concurrency) * 20000));
  } else {
    spawner.t = t0;
    spawner.seq = order++;
    push(spawner);
  }
  const meanGap = 1e6 / args.rate;
  while (heap.length > 0) {
    const f = pop()!;
    now = f.t;
    if (f === spawner) {
      spawn(now);
      open++;
      // syn-scan: the spawner stops after --conns probes (mixed and failure-rich: at the byte limit).
      if (args.mode === 'syn-scan' && flowsStarted >= args.conns) continue;
      f.t = now + Math.max(1, Math.round(-Math.log(1 - rand()) * meanGap));
      push(f);
      continue;
    }
    if (f.gen === null) {
      f.gen = startFlow(args.mode);
      if (short) open++;
    }
    const r = f.gen.next();
    if (open > maxOpen) maxOpen = open;
    if (outputBytes() >= args.bytes || packets >= args.packets) {
      stop = true;
      break;
    }
    if (r.done) {
      open--;
      if (short && flowsStarted < args.conns) spawn(now + randInt(0, 400));
    } else {
      f.t = now + Math.max(1, r.value);
      push(f);
    }
  }
  flush();
  closeSync(fd);
  const secs = Number(process.hrtime.bigint() - started) / 1e9;
  const digest = hash.digest('hex');
  const stats = {
    out: args.out, mode: args.mode, seed: args.seed, bytes: written, packets, avgRecordBytes: +(written / Math.max(1, packets)).toFixed(1),
    flows: flowsStarted, kinds: args.mode === 'short-conns' ? undefined : kinds, maxOpenFlows: maxOpen, stoppedAtLimit: stop,
    captureSeconds: +((now - t0) / 1e6).toFixed(3), genSeconds: +secs.toFixed(2), sha256: digest.slice(0, 16),
  };
  process.stdout.write(JSON.stringify(stats, null, 1) + '\n');
}

main();
