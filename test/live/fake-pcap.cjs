// A stand-in for wirewhy's libpcap binding (native/build/Release/wwpcap.node), with the same
// shape, for tests that need `wirewhy capture` without root or libpcap:
//
//   WIREWHY_CAP_MODULE=test/live/fake-pcap.cjs WIREWHY_FAKE_PCAP=samples/tcp-refused.pcap \
//     wirewhy capture -i fake0 -c 2
//
// It "captures" the packets of a classic pcap file (microsecond or nanosecond magic, either byte
// order): on interface fake0 (the file's link type), one batch per event-loop turn of at most
// WIREWHY_FAKE_PCAP_BATCH packets (default 64), written into the caller's ring exactly as the
// binding writes them (u32 seconds, nanoseconds, captured length, wire length, bytes padded to 4).
// Timestamps are the file's, or, with WIREWHY_FAKE_PCAP_NOW=1, shifted so that the first packet
// is "now" (streaming lines then look live). When the file is exhausted the capture stays open
// and idle until closed, as an interface would. stats(): received = packets handed over,
// dropped = WIREWHY_FAKE_PCAP_DROPS (default 0), ifDropped = 0. WIREWHY_FAKE_PCAP_FAIL_AFTER=n:
// after n packets, a read failure (onBatch(-1, 0, message)), as when an interface disappears. A filter is accepted and ignored,
// except 'fail' (BAD_FILTER) and the device name 'denied0' (PERM_DENIED), to exercise the errors.
'use strict';
const fs = require('node:fs');

const file = process.env.WIREWHY_FAKE_PCAP;

function readPcap(path) {
  const b = fs.readFileSync(path);
  if (b.length < 24) throw new Error(`${path}: not a pcap file`);
  const m = b.readUInt32LE(0);
  let le;
  let nano;
  if (m === 0xa1b2c3d4 || m === 0xa1b23c4d) {
    le = true;
    nano = m === 0xa1b23c4d;
  } else if (b.readUInt32BE(0) === 0xa1b2c3d4 || b.readUInt32BE(0) === 0xa1b23c4d) {
    le = false;
    nano = b.readUInt32BE(0) === 0xa1b23c4d;
  } else throw new Error(`${path}: not a classic pcap file (pcapng is not replayed by this stand-in)`);
  const u32 = (o) => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
  const linkType = u32(20) & 0x0fffffff;
  const snaplen = u32(16);
  const pkts = [];
  for (let o = 24; o + 16 <= b.length && pkts.length < 1_000_000;) {
    const cap = u32(o + 8);
    if (o + 16 + cap > b.length) break;
    pkts.push({ sec: u32(o), nsec: nano ? u32(o + 4) : u32(o + 4) * 1000, cap, len: u32(o + 12), data: b.subarray(o + 16, o + 16 + cap) });
    o += 16 + cap;
  }
  return { linkType, snaplen, pkts };
}

function codeError(code, message) {
  const e = new Error(message);
  e.code = code;
  return e;
}

class Capture {
  constructor(o, ring, onBatch) {
    if (!file) throw codeError('OPEN', 'WIREWHY_FAKE_PCAP names no file');
    if (o.device === 'denied0') throw codeError('PERM_DENIED', "You don't have permission to perform this capture on that device (socket: Operation not permitted)");
    if (o.device !== 'fake0') throw codeError('NO_SUCH_DEVICE', `${o.device}: No such device exists`);
    if (o.filter === 'fail') throw codeError('BAD_FILTER', "can't parse filter expression: syntax error");
    const f = readPcap(file);
    this.linkType = f.linkType;
    this.linkTypeName = null;
    this.snaplen = Math.min(o.snaplen ?? 262144, 262144);
    this.tsDigits = 9;
    this.warning = null;
    this._pkts = f.pkts;
    this._next = 0;
    this._delivered = 0;
    this._closed = false;
    this._ring = new Uint8Array(ring);
    this._u32 = new Uint32Array(ring);
    this._onBatch = onBatch;
    const batch = Math.max(1, Number(process.env.WIREWHY_FAKE_PCAP_BATCH) || 64);
    const failAfter = process.env.WIREWHY_FAKE_PCAP_FAIL_AFTER === undefined ? -1 : Number(process.env.WIREWHY_FAKE_PCAP_FAIL_AFTER);
    let shift = 0;
    if (process.env.WIREWHY_FAKE_PCAP_NOW === '1' && f.pkts.length) shift = Math.floor(Date.now() / 1000) - f.pkts[0].sec;
    const step = () => {
      if (this._closed || this._next >= this._pkts.length) return;
      let used = 0;
      let n = 0;
      while (n < batch && this._next < this._pkts.length) {
        const p = this._pkts[this._next];
        const cap = Math.min(p.cap, this.snaplen);
        const padded = (cap + 3) & ~3;
        if (used + 16 + padded > this._ring.length) break;
        const w = used >>> 2;
        this._u32[w] = p.sec + shift;
        this._u32[w + 1] = p.nsec;
        this._u32[w + 2] = cap;
        this._u32[w + 3] = p.len;
        this._ring.set(p.data.subarray(0, cap), used + 16);
        this._ring.fill(0, used + 16 + cap, used + 16 + padded);
        used += 16 + padded;
        n++;
        this._next++;
      }
      this._delivered += n;
      this._onBatch(n, used);
      if (failAfter >= 0 && this._delivered >= failAfter && !this._closed) {
        this._onBatch(-1, 0, 'The interface disappeared (fake-pcap WIREWHY_FAKE_PCAP_FAIL_AFTER)');
        return;
      }
      setImmediate(step);
    };
    // Like the binding: nothing is delivered before the constructor has returned. The capture
    // keeps the event loop alive until it is closed, as the binding's poll handle does.
    this._idle = setInterval(() => undefined, 1 << 30);
    setTimeout(step, 20);
  }

  stats() {
    return { received: this._delivered, dropped: Number(process.env.WIREWHY_FAKE_PCAP_DROPS) || 0, ifDropped: 0 };
  }

  close() {
    if (this._closed) return false;
    this._closed = true;
    clearInterval(this._idle);
    return true;
  }
}

module.exports = {
  version: () => 'fake-pcap (wirewhy test stand-in)',
  devices: () => [
    { name: 'fake0', description: 'replays WIREWHY_FAKE_PCAP', flags: 0, addresses: [{ addr: '192.0.2.1', netmask: '255.255.255.0', broadaddr: null, dstaddr: null }] },
    { name: 'denied0', description: 'refuses to open', flags: 0, addresses: [] },
  ],
  Capture,
};
