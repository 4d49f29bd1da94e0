/**
 * Cross-check of stream reassembly and the TLS / DNS-over-TCP analyzers against tshark, per
 * frame: TLS handshake message types, alert descriptions and SNI, and DNS-over-TCP ids/rcodes,
 * each attributed to the frame that completes the message (as tshark reassembles).
 *
 * Deliberate differences, listed and checked below:
 *  - tshark dissects TLS only on ports it associates with TLS (or after a STARTTLS it knows);
 *    wirewhy recognises a ClientHello on any port. Frames where only wirewhy sees TLS are
 *    allowed when tshark saw no TLS at all on that connection (LISTED below).
 *  - tshark also reports handshake types from QUIC CRYPTO frames (UDP); wirewhy's TLS is TCP only.
 *  - wirewhy reads a connection's TLS from its ClientHello on; tshark dissects any record on port
 *    443, also a server's alert on a connection where the client sent nothing (LISTED below).
 */
import { eachDecoded } from '../helpers/decoded.js';
import { describe, expect, it } from 'vitest';
import { Tracker } from '../../src/track/tracker.js';
import { fixtureCaptures, readTsv, all } from '../tshark-fixture.js';

/** Captures where wirewhy sees TLS that tshark does not dissect, and why. */
const TLS_ONLY_OURS: Record<string, string> = {
  'shared/zeek/tls-https-to-http.pcap': 'ClientHello sent to port 80: tshark dissects port 80 as HTTP only',
  'samples/tls-to-plain-http-port.pcap': 'curl https:// to nginx on port 80 (frame 6, the ClientHello): tshark dissects port 80 as HTTP only',
};

/**
 * Frames where tshark reads a TLS alert that wirewhy does not: the server's answer on a connection
 * the client opened and closed without sending a byte (no ClientHello: no TLS session).
 */
const SERVER_ALERT_ONLY: Record<string, { frames: number[]; why: string }> = {
  'samples/port-scan-refused.pcap': { frames: [411], why: 'the scan connects to 443 and closes at once; openssl s_server answers the EOF with a decode_error alert' },
};

interface PerFrame {
  hs: number[];
  alerts: number[];
  sni: string[];
  dnsTcp: Array<{ id: number; rcode: number | null }>;
}

async function ours(file: string): Promise<Map<number, PerFrame>> {
  const out = new Map<number, PerFrame>();
  const at = (f: number): PerFrame => {
    let x = out.get(f);
    if (!x) out.set(f, (x = { hs: [], alerts: [], sni: [], dnsTcp: [] }));
    return x;
  };
  const tr = new Tracker({
    tlsEvents: true,
    onConn: (f) => {
      const s = f.tls;
      if (!s) return;
      for (const e of s.events) {
        if (e.kind === 'hs' || e.kind === 'sslv2') at(e.frame).hs.push(e.value);
        if (e.kind === 'alert') at(e.frame).alerts.push(e.value);
      }
      if (s.clientHello?.sni) at(s.clientHello.frame).sni.push(s.clientHello.sni);
    },
  });
  await eachDecoded(file, (p) => tr.packet(p));
  tr.flush();
  for (const t of tr.dns.all()) {
    if (t.transport !== 'tcp') continue;
    for (const f of t.queryFrames) at(f).dnsTcp.push({ id: t.id, rcode: null });
    if (t.responseFrame !== null) at(t.responseFrame).dnsTcp.push({ id: t.id, rcode: t.rcode });
  }
  return out;
}

const captures = fixtureCaptures();

describe('TLS and DNS-over-TCP agree with tshark per frame', () => {
  it('has fixtures', () => expect(captures.length).toBeGreaterThan(0));
  for (const c of captures) {
    it(c.label, async () => {
      const rows = readTsv(c.tsv);
      const mine = await ours(c.file);
      const diffs: string[] = [];
      let tsharkTls = 0;
      let oursTls = 0;
      for (const r of rows) {
        const f = Number(r['frame.number']);
        const m = mine.get(f) ?? { hs: [], alerts: [], sni: [], dnsTcp: [] };
        const isQuic = (r['frame.protocols'] ?? '').includes('quic');
        const isTcp = (r['frame.protocols'] ?? '').includes(':tcp');
        // Handshake types tshark saw in clear on TCP.
        const theirHs = isQuic || !isTcp ? [] : all(r, 'tls.handshake.type').map(Number);
        const theirAlerts = isTcp ? all(r, 'tls.alert_message.desc').map(Number) : [];
        const theirSni = isQuic || !isTcp ? [] : all(r, 'tls.handshake.extensions_server_name');
        tsharkTls += theirHs.length + theirAlerts.length;
        oursTls += m.hs.length + m.alerts.length;
        if (theirHs.join() !== m.hs.join() && !(theirHs.length === 0 && c.label in TLS_ONLY_OURS)) diffs.push(`frame ${f}: handshake types tshark [${theirHs}] ours [${m.hs}]`);
        const listedAlert = m.alerts.length === 0 && (SERVER_ALERT_ONLY[c.label]?.frames.includes(f) ?? false);
        if (theirAlerts.join() !== m.alerts.join() && !(theirAlerts.length === 0 && c.label in TLS_ONLY_OURS) && !listedAlert) diffs.push(`frame ${f}: alerts tshark [${theirAlerts}] ours [${m.alerts}]`);
        if (theirSni.join() !== m.sni.join() && !(theirSni.length === 0 && c.label in TLS_ONLY_OURS)) diffs.push(`frame ${f}: sni tshark [${theirSni}] ours [${m.sni}]`);
        // DNS over TCP: ids (and rcodes of responses) per frame.
        if (isTcp && !(r['frame.protocols'] ?? '').includes('icmp')) {
          const ids = all(r, 'dns.id').map((x) => parseInt(x, 16));
          const mineIds = m.dnsTcp.map((d) => d.id);
          if (ids.join() !== mineIds.join()) diffs.push(`frame ${f}: dns-over-tcp ids tshark [${ids}] ours [${mineIds}]`);
          const rc = all(r, 'dns.flags.rcode').map(Number).filter((_, i) => all(r, 'dns.flags.response')[i] === '1');
          const mineRc = m.dnsTcp.filter((d) => d.rcode !== null).map((d) => d.rcode! & 15);
          if (rc.join() !== mineRc.join()) diffs.push(`frame ${f}: dns-over-tcp rcodes tshark [${rc}] ours [${mineRc}]`);
        }
      }
      expect(diffs.slice(0, 20)).toEqual([]);
      const listed = SERVER_ALERT_ONLY[c.label];
      if (listed) {
        // Still real: tshark reads an alert there, sent by the server, on a connection where the
        // client sent no payload and tshark saw no handshake message.
        for (const f of listed.frames) {
          const r = rows.find((x) => Number(x['frame.number']) === f)!;
          expect(all(r, 'tls.alert_message.desc').length).toBeGreaterThan(0);
          const [sp, dp] = [r['tcp.srcport'], r['tcp.dstport']];
          expect(sp).toBe('443');
          const conn = rows.filter((x) => (x['tcp.srcport'] === sp && x['tcp.dstport'] === dp) || (x['tcp.srcport'] === dp && x['tcp.dstport'] === sp));
          expect(conn.filter((x) => x['tcp.srcport'] === dp && Number(x['tcp.len']) > 0)).toEqual([]);
          expect(conn.flatMap((x) => all(x, 'tls.handshake.type'))).toEqual([]);
        }
      }
      if (c.label in TLS_ONLY_OURS) {
        // The listed difference must still be real: tshark saw no TLS, we did.
        expect(tsharkTls).toBe(0);
        expect(oursTls).toBeGreaterThan(0);
      }
    });
  }
});
