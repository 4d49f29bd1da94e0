// Foreign traffic for the loopback tests (root not needed; not a test): UDP datagrams from
// 127.0.0.1 to every port of a range on 127.0.0.1, over and over, paced, until killed or for
// `seconds`. A test whose capture filter is `udp and dst port P` (P in the range) sees some.
//   node test/live/lo-noise.mjs [seconds=30] [pps=20000] [ports=32768-60999]
import dgram from 'node:dgram';

const seconds = Number(process.argv[2] ?? 30);
const pps = Number(process.argv[3] ?? 20000);
const [lo, hi] = (process.argv[4] ?? '32768-60999').split('-').map(Number);
if (!(seconds > 0 && pps > 0 && lo > 0 && hi >= lo && hi < 65536)) {
  console.error('usage: lo-noise.mjs [seconds] [pps] [lo-hi]');
  process.exit(2);
}
const tx = dgram.createSocket('udp4');
tx.on('error', () => {}); // ICMP port unreachable comes back as ECONNREFUSED on some sends
await new Promise((r) => tx.bind(0, '127.0.0.1', r));
const payload = Buffer.alloc(64, 0x6e);
const t0 = Date.now();
let sent = 0;
let port = lo;
while (Date.now() - t0 < seconds * 1000) {
  for (let i = 0; i < 100; i++) {
    tx.send(payload, port, '127.0.0.1');
    port = port === hi ? lo : port + 1;
  }
  sent += 100;
  const due = t0 + (sent / pps) * 1000;
  const wait = due - Date.now();
  await new Promise((r) => setTimeout(r, wait > 0 ? wait : 0));
}
console.log(`noise: sent ${sent} datagrams to ports ${lo}-${hi} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
tx.close();
