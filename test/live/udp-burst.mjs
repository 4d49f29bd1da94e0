// Sends a bounded burst of UDP datagrams to 127.0.0.1 (loopback only), optionally paced:
//   node udp-burst.mjs <port> <count> [pps (0 = as fast as possible)] [payload bytes] [marker]
// A receiving socket is bound on the port (and never read) so the kernel does not answer each
// datagram with an ICMP port unreachable. Prints "sent <n> seconds <s> pps <r>".
// Each datagram's payload starts with its sequence number (4 bytes, big-endian); with a marker
// (8 hex digits) the next 4 bytes are the marker, so that a capture filter can match this run's
// datagrams alone (`udp[12:4] = 0x<marker>`).
// Port 0: the kernel chooses both ports, held for the whole run (no other socket can send from
// the source port to the destination port meanwhile); the program prints "ports <src> <dst>" and
// waits for a line on standard input before it sends (it exits 3 if standard input ends first).
import dgram from 'node:dgram';

const port = Number(process.argv[2]);
const count = Math.min(Number(process.argv[3] ?? 200000), 5_000_000);
const pps = Number(process.argv[4] ?? 0);
const size = Number(process.argv[5] ?? 64);
const marker = process.argv[6];
if (!(port >= 0 && port < 65536 && count > 0) || (marker !== undefined && !/^[0-9a-f]{8}$/i.test(marker))) {
  console.error('usage: udp-burst.mjs <port> <count> [pps] [payload] [marker: 8 hex digits]');
  process.exit(2);
}
const rx = dgram.createSocket('udp4');
rx.on('message', () => {});
await new Promise((r) => rx.bind(port, '127.0.0.1', r));
rx.setRecvBufferSize?.(1 << 16);
rx.pause?.();
const tx = dgram.createSocket('udp4');
await new Promise((r) => tx.bind(0, '127.0.0.1', r));
const dst = rx.address().port;
tx.connect(dst, '127.0.0.1');
await new Promise((r) => tx.once('connect', r));
if (port === 0) {
  console.log(`ports ${tx.address().port} ${dst}`);
  const go = await new Promise((r) => {
    let line = '';
    process.stdin.setEncoding('utf8');
    process.stdin.on('data', (d) => {
      line += d;
      if (line.includes('\n')) r(true);
    });
    process.stdin.once('end', () => r(false));
  });
  process.stdin.destroy();
  if (!go) {
    console.error('udp-burst: standard input ended before the go');
    process.exit(3);
  }
}
const payload = Buffer.alloc(Math.max(size, marker === undefined ? 4 : 8), 0x61);
if (marker !== undefined) payload.writeUInt32BE(Number.parseInt(marker, 16), 4);
const t0 = process.hrtime.bigint();
let sent = 0;
const BATCH = 32;
while (sent < count) {
  const n = Math.min(BATCH, count - sent);
  let pending = n;
  await new Promise((res) => {
    for (let i = 0; i < n; i++) {
      // each datagram carries its sequence number (a copy: send() keeps the buffer until it is sent)
      const b = Buffer.from(payload);
      b.writeUInt32BE(sent + i, 0);
      tx.send(b, () => { if (--pending === 0) res(); });
    }
  });
  sent += n;
  if (pps > 0) {
    // pace: wait until the schedule allows the next batch
    const due = Number(t0) / 1e6 + (sent / pps) * 1000;
    let now = Number(process.hrtime.bigint()) / 1e6;
    if (due - now > 1) await new Promise((r) => setTimeout(r, due - now - 1));
    while ((now = Number(process.hrtime.bigint()) / 1e6) < due) { /* spin the last millisecond */ }
  }
}
const secs = Number(process.hrtime.bigint() - t0) / 1e9;
console.log(`sent ${sent} seconds ${secs.toFixed(3)} pps ${Math.round(sent / secs)}`);
tx.close();
rx.close();
