/**
 * The labelled cases of ../shared/captures/MANIFEST.json: each failure category of a capture
 * must appear as a verdict cause (README table "Categories and the cause codes"), and captures
 * labelled only with working categories get no error verdict. Where one verdict per target
 * tells the story differently from a category, the capture is listed in KNOWN with the reason;
 * the test fails if a listed difference disappears (so the list stays true).
 */
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openCapture } from '../../src/capture/open.js';
import { analyze } from '../../src/analyze.js';
import { SHARED } from '../tshark-fixture.js';

const CATEGORY_CAUSE: Record<string, string> = {
  'dns-nxdomain': 'dns.nxdomain', 'dns-servfail': 'dns.servfail', 'dns-refused': 'dns.refused', 'dns-no-response': 'dns.no_response',
  'dns-formerr': 'dns.error', 'dns-notimp': 'dns.error', 'dns-extended-rcode': 'dns.error', 'tcp-s0': 'tcp.syn_unanswered',
  'tcp-rej': 'tcp.refused', 'tcp-rsto': 'tcp.reset', 'tcp-rstr': 'tcp.reset', 'tls-cert-expired': 'tls.cert_expired',
  'icmp-port-unreachable': 'icmp.port_unreachable', 'icmp-host-unreachable': 'icmp.host_unreachable', 'icmp-admin-prohibited': 'icmp.admin_prohibited',
  'icmp-frag-needed': 'icmp.frag_needed', 'icmp-time-exceeded': 'icmp.ttl_exceeded', 'icmpv6-port-unreachable': 'icmp.port_unreachable',
  'icmpv6-address-unreachable': 'icmp.host_unreachable', 'icmpv6-admin-prohibited': 'icmp.admin_prohibited', 'icmpv6-no-route': 'icmp.net_unreachable',
  'icmpv6-packet-too-big': 'icmp.frag_needed', 'icmpv6-time-exceeded': 'icmp.ttl_exceeded', 'http-4xx': 'http.error_status', 'http-5xx': 'http.error_status',
  'tls-to-non-tls-server': 'tls.not_tls',
};

/** capture → [missing cause (or causes, in the categories' order), why the verdict differs]. */
const KNOWN: Record<string, [string | string[], string]> = {
  'zeek/tls13draft16-ff52.pcap': ['tls.alert:unknown_ca', 'the same server is contacted again and that handshake completes: the target worked in the end (ok, warning; the unknown_ca attempt is in details.attemptsSeen)'],
  'zeek/tls-early-alert.pcap': ['tls.alert:unrecognized_name', 'a warning-level unrecognized_name alert that the handshake went past; the expired certificate (tls.cert_expired) is the verdict'],
  'zeek/tls-https-to-http.pcap': ['tcp.reset', 'the client sent a ClientHello to a plain-HTTP server, which answered in text: tls.not_tls (with the answer\'s first bytes) says more than the reset that followed'],
  'ndpi/selfsigned.pcap': ['tcp.reset', 'one verdict per target: the expired certificate is reported; the reset after the exchange is secondary'],
  // Issue 20 (claim only what the packets prove):
  'suricata-verify/flow-drop-iponly-02.pcap': ['icmp.port_unreachable', 'the ICMP errors refuse the DNS server\'s late answers (the client had stopped listening once a retry was answered): they show the server answered; the name\'s SERVFAIL is the verdict'],
  'ndpi/doq.pcapng': ['icmp.port_unreachable', 'the ICMPv6 errors refuse the server\'s packets after the client closed its port: late packets, not a failure of the server'],
  'suricata-verify/dns-udp-junkrequest-first.pcap': ['dns.error', 'the FORMERR answers a malformed request that has no question: no name failed (junk claims nothing); the real query worked'],
  'tcpdump/dns-badvers.pcap': ['dns.error', 'BADVERS, then the client\'s retry answered NOERROR: EDNS version negotiation, not a failure'],
  'zeek/nmap-vsn.pcap': [['tcp.syn_unanswered', 'tcp.refused', 'tcp.reset'], 'nmap\'s host discovery: the scanner asked ARP for 245 addresses of its /24 in 2 s, then connected to 80 and 443 of the hosts that answered; the refused and unanswered probes are its sweep (tcp.address_scan, a warning), and it resets its own probes after the SYN-ACK: nothing failed'],
  'zeek/dns-dynamic-update.pcap': ['dns.refused', 'the REFUSED answers a dynamic update (opcode UPDATE) of the zone, not a lookup: dns.update_refused (a warning) tells it'],
  'zeek/ftp-auth-tls.pcap': ['tcp.reset', 'the server\'s reset comes after the client\'s FIN: a close, not a failure'],
  'zeek/tls-missing-intermediate.pcap': ['tcp.reset', 'the resets come after a FIN or once every exchange was done: closes, not failures'],
  // Issue 22 (a smaller path MTU that the sender learned: the target worked):
  'zeek/smtp.pcap': ['icmp.frag_needed', 'the client resent in smaller packets after the fragmentation-needed and every byte was acknowledged: the target worked (ok, details.pathMtu 1492)'],
  'ndpi/6in4tunnel.pcap': ['icmp.frag_needed', 'the sender resent in smaller packets after the packet-too-big and every byte was acknowledged: the target worked (ok, details.pathMtu 1460)'],
};

/** Categories that describe format, link layer or protocol, not an outcome. */
const NEUTRAL = /^(pcap|pcapng|linktype-|vlan-|mpls|ipv6$|ip-fragments|ipv6-fragments|tunnel|extension-mismatch|single-packet|empty-capture|tls1[0-3]$|tls-certificate|tls-handshake-multi-segment|tls-starttls|tls-nonstandard-port|sslv2|quic-|tcp-fastopen|missing-syn|corrupt-file|file-cut-short|snaplen-truncated|dns-over-tcp|dns-retransmission|dns-truncated-tc)/;
/** Categories that say the traffic worked. */
const WORKING = new Set(['tcp-sf', 'tls12-success', 'tls13-success', 'dns-noerror']);

interface Entry { path: string; categories: string[] }
const manifest: Entry[] = existsSync(join(SHARED, 'MANIFEST.json')) ? JSON.parse(readFileSync(join(SHARED, 'MANIFEST.json'), 'utf8')) : [];

describe.skipIf(manifest.length === 0)('verdicts for the labelled shared captures', () => {
  for (const e of manifest) {
    it(e.path, async () => {
      const r = await analyze(await openCapture(join(SHARED, e.path)), { all: true });
      const got = new Set(r.verdicts.map((v) => v.cause + (v.cause === 'tls.alert' ? `:${(v.details['alert'] as { name: string }).name}` : '')));
      const want = e.categories.map((c) => (c.startsWith('tls-alert-') ? `tls.alert:${c.slice(10)}` : CATEGORY_CAUSE[c])).filter((x): x is string => !!x);
      const missing = want.filter((w) => !got.has(w));
      const known = KNOWN[e.path];
      if (known) expect(missing).toEqual(Array.isArray(known[0]) ? known[0] : [known[0]]);
      else expect(missing).toEqual([]);
      // Captures whose every category is neutral or a working outcome: nothing may be called an error.
      if (e.categories.every((c) => WORKING.has(c) || NEUTRAL.test(c))) {
        expect(r.verdicts.filter((v) => v.severity === 'error').map((v) => v.cause)).toEqual([]);
      }
      for (const v of r.verdicts) for (const ev of v.evidence) expect(ev.frame).toBeLessThanOrEqual(r.capture.packets);
    });
  }
});
