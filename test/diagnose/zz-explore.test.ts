import { it } from 'vitest';
import { openStream } from '../../src/capture/open.js';
import { analyze } from '../../src/analyze.js';
import { Capture, LINKTYPE, ethIp, tcpIp, udpIp, icmpIp, quote } from '../helpers/index.js';
const HOST = '192.0.2.80';
const PORTS = [53, 123, 161, 1900, 5060, 11211, 1434, 1026, 1027, 137, 500, 69];
it('udp probes', async () => {
  const cap = new Capture();
  let t = 1_700_000_000;
  // served
  cap.add(t, ethIp(tcpIp({ src: '192.0.2.7', dst: HOST, sport: 4000, dport: 80, seq: 1, flags: 'S' })));
  cap.add(t + 0.001, ethIp(tcpIp({ src: HOST, dst: '192.0.2.7', sport: 80, dport: 4000, seq: 9, ack: 2, flags: 'SA' })));
  cap.add(t + 0.002, ethIp(tcpIp({ src: '192.0.2.7', dst: HOST, sport: 4000, dport: 80, seq: 2, ack: 10, flags: 'A' })));
  for (let i = 0; i < 24; i++) {
    t += 20;
    const src = `198.51.100.${i + 1}`;
    const d = udpIp({ src, dst: HOST, sport: 40000 + i, dport: PORTS[i % 12]! }, new Uint8Array(30));
    cap.add(t, ethIp(d));
    cap.add(t + 0.0002, ethIp(icmpIp({ src: HOST, dst: src, type: 3, code: 3 }, quote(d))));
  }
  cap.add(t + 60, ethIp(udpIp({ src: '192.0.2.99', dst: '198.51.100.250', sport: 45000, dport: 9 }, new Uint8Array(4))));
  async function* one(): AsyncIterable<Uint8Array> { yield cap.pcap({ linkType: LINKTYPE.ETHERNET }); }
  const r = await analyze(await openStream(one(), { name: 'b.pcap' }), { maxVerdicts: 0 });
  console.log(r.verdicts.map((v) => `${v.severity} ${v.cause} ${v.client.ip} ${v.target.port}`).join('\n'), r.summary.failures);
});
