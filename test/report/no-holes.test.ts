/**
 * A report never prints a placeholder it could not fill. Rendered with a marker for a missing value
 * (words.ts missingMarker) that no real sentence holds — a '?' that stands for a value is told
 * apart from the question marks of prose ("(HTTP?)") and of URLs that way — every verdict of
 * every sample, and of every shared capture (../shared/captures: MANIFEST.json and field/, when
 * present), in every format and both languages, with --all and --max-verdicts 0: no marker, no
 * '{name}' left, no 'undefined' / 'NaN' in a summary, an explanation, an advice line or an
 * evidence note, and no marker anywhere in the rendered reports.
 *
 * Then each way a value can be absent that the words now say without it, built packet by packet
 * (test/helpers) — or, where a capture cannot show it cheaply (a bucket of several clients, a
 * clock that stepped back inside a zero window), a sample's verdict with that fact taken away:
 * a ClientHello without SNI, ICMP errors alone quoting a packet without ports (or SCTP's), a
 * target reached through a proxy, a next-hop MTU of 0, times the capture's clock cannot give.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { openCapture, openStream } from '../../src/capture/open.js';
import { analyze } from '../../src/analyze.js';
import type { Report, Verdict } from '../../src/report/model.js';
import { FORMATS, renderReport } from '../../src/report/render.js';
import { verdictWords } from '../../src/report/words.js';
import { missingMarker } from '../../src/diagnose/words.js';
import { LANGS } from '../../src/lang.js';
import { SAMPLES, SHARED } from '../tshark-fixture.js';
import { SAMPLE_FILES, fieldCaptures, sharedCaptures } from './reports.js';
import {
  TcpConversation, Capture, pcapFile, pcapngFile, handshakeRecord, clientHello, serverHello, certificateMsg, serverHelloDone,
  testCertDer, icmpIp, ICMP, quote, tcpIp, udpIp, ipv4, ethIp, ascii, httpRequest, httpResponse, dnsMessage, LINKTYPE,
  type CaptureRecord,
} from '../helpers/index.js';

/** What a missing value is written as while these tests run: nothing a sentence or a URL holds. */
const MARK = '⟦MISSING⟧';
let was = '?';
beforeAll(() => {
  was = missingMarker(MARK);
});
afterAll(() => {
  missingMarker(was);
});

const LEFT = /\{[A-Za-z][A-Za-z0-9]*\}/;
const UNSET = /\b(undefined|NaN)\b/;

/** Every text of a verdict in both languages: summary, explanation, advice, evidence notes. */
function texts(v: Verdict): string[] {
  return LANGS.flatMap((lang) => {
    const w = verdictWords(v, lang);
    return [w.summary, w.explanation, ...w.advice, ...w.notes].map((t) => `${v.cause} ${lang}: ${t}`);
  });
}

/** The holes of a report: texts with a gap, and renderings that show the marker (with some context). */
function holes(r: Report): string[] {
  const out = r.verdicts.flatMap(texts).filter((t) => t.includes(MARK) || LEFT.test(t) || UNSET.test(t));
  for (const format of FORMATS) {
    for (const lang of LANGS) {
      const s = renderReport(r, format, { lang });
      const at = s.indexOf(MARK);
      if (at >= 0) out.push(`${format} ${lang}: …${s.slice(Math.max(0, at - 120), at + 40)}…`);
    }
  }
  return out;
}

const all = { all: true, maxVerdicts: 0 } as const;

async function runBytes(bytes: Uint8Array, name = 'built.pcap'): Promise<Report> {
  async function* one(): AsyncIterable<Uint8Array> {
    yield bytes;
  }
  return analyze(await openStream(one(), { name }), all);
}

describe('no unfilled placeholder in any report of a sample', () => {
  it('has samples', () => expect(SAMPLE_FILES.length).toBeGreaterThan(30));
  for (const f of SAMPLE_FILES) {
    it(f, async () => {
      const r = await analyze(await openCapture(join(SAMPLES, f)), all);
      expect(holes(r)).toEqual([]);
    });
  }
});

const shared = [...sharedCaptures(), ...fieldCaptures()];

describe.skipIf(shared.length === 0)('no unfilled placeholder in any report of a shared capture (skipped when ../shared/captures is absent)', () => {
  for (const p of shared) {
    it(p, async () => {
      const r = await analyze(await openCapture(join(SHARED, p)), all);
      expect(holes(r)).toEqual([]);
    });
  }
});

/** The one verdict of `cause` in `r`, with no hole in any format or language. */
function only(r: Report, cause: string): Verdict {
  expect(holes(r)).toEqual([]);
  const vs = r.verdicts.filter((v) => v.cause === cause);
  expect(vs.map((v) => v.cause), r.verdicts.map((v) => v.cause).join(', ')).toEqual([cause]);
  return vs[0]!;
}

const en = (v: Verdict) => verdictWords(v, 'en');
const zh = (v: Verdict) => verdictWords(v, 'zh');

const CLIENT = '192.0.2.10';
const SERVER = '198.51.100.30';
const ROUTER = '198.51.100.1';
const T0 = 1_700_000_000;

describe('a ClientHello without SNI', () => {
  it('tls.no_server_hello says the ClientHello named no server', async () => {
    const c = new TcpConversation({ client: [CLIENT, 40100], server: [SERVER, 443] });
    c.syn();
    c.synAck();
    c.ack('client');
    c.send('client', handshakeRecord([clientHello({ ciphers: [0xc02f] })], 0x0301));
    c.ack('server');
    c.wait(6);
    c.fin('server');
    const v = only(await runBytes(pcapFile({ linkType: c.linkType }, c.frames)), 'tls.no_server_hello');
    expect(v.facts['sni']).toBeNull();
    expect(en(v).explanation).toContain(`The TCP connection to ${SERVER} port 443 worked and the client sent a TLS ClientHello without a server name (no SNI), but`);
    expect(en(v).explanation).toContain('nothing configured for a connection that names no server');
    expect(zh(v).explanation).toContain('客户端发送了不带服务器名（SNI）的 TLS ClientHello');
  });

  /** A TLS 1.2 handshake up to the server's certificate, without SNI; the client then closes. */
  async function certVerdict(cert: 'expired' | 'not-yet-valid', cause: string): Promise<Verdict> {
    const c = new TcpConversation({ client: [CLIENT, cert === 'expired' ? 40101 : 40102], server: [SERVER, 443], start: 1_750_000_000 });
    c.syn();
    c.synAck();
    c.ack('client');
    c.send('client', handshakeRecord([clientHello({ ciphers: [0xc02f] })], 0x0301));
    c.ack('server');
    c.send('server', handshakeRecord([serverHello({ cipher: 0xc02f }), certificateMsg([testCertDer(cert)]), serverHelloDone()]));
    c.fin('client');
    c.fin('server');
    return only(await runBytes(pcapFile({ linkType: c.linkType }, c.frames)), cause);
  }

  it('tls.cert_expired says the certificate the server sent, for no name', async () => {
    const v = await certVerdict('expired', 'tls.cert_expired');
    expect(en(v).explanation).toMatch(/^The certificate the server sent is valid from /);
    expect(en(v).advice).toContain(`If several servers or load-balancer nodes answer for ${SERVER}, check every one serves the renewed certificate.`);
    expect(zh(v).explanation).toMatch(/^服务器发送的证书有效期为 /);
  });

  it('tls.cert_not_yet_valid says the certificate the server sent, for no name', async () => {
    const v = await certVerdict('not-yet-valid', 'tls.cert_not_yet_valid');
    expect(en(v).explanation).toMatch(/^The certificate the server sent is valid from .*, before that\./);
    expect(zh(v).explanation).toMatch(/^服务器发送的证书有效期为 /);
  });
});

describe('ICMP errors alone that quote a packet without a port', () => {
  const error = (code: number, from: string, quoted: Uint8Array): Uint8Array =>
    ethIp(icmpIp({ src: from, dst: CLIENT, type: ICMP.DEST_UNREACH, code }, quote(quoted)));
  const echo = icmpIp({ src: CLIENT, dst: SERVER, type: ICMP.ECHO_REQUEST, code: 0, rest: (0x4242 << 16) | 1, ttl: 60, id: 300 }, new Uint8Array(16));

  it('icmp.admin_prohibited about a ping: the rules to look for match the traffic to the host', async () => {
    const cap = new Capture().add(T0, error(ICMP.ADMIN_PROHIBITED, ROUTER, echo));
    const v = only(await runBytes(cap.pcap({ linkType: LINKTYPE.ETHERNET })), 'icmp.admin_prohibited');
    expect(v.target).toMatchObject({ ip: SERVER, port: null, transport: 'icmp' });
    expect(en(v).advice[0]).toBe(`If ${ROUTER} is the client or its gateway, check the local rules for a REJECT matching this traffic to ${SERVER}: \`iptables -L -n -v\`, \`nft list ruleset\`, \`firewall-cmd --list-all\`.`);
    expect(en(v).advice[1]).toBe(`If ${ROUTER} is ${SERVER} itself, the server's own firewall rejects the client: allow ${CLIENT} (or its NAT address) there.`);
    expect(zh(v).advice[2]).toBe(`如果 ${ROUTER} 是路由器或云防火墙，检查其 ACL、安全组以及网络 ACL 中关于 ${SERVER} 的规则。`);
  });

  it('icmp.port_unreachable about a ping, from the host itself and from another', async () => {
    const own = only(await runBytes(new Capture().add(T0, error(ICMP.PORT_UNREACH, SERVER, echo)).pcap({ linkType: LINKTYPE.ETHERNET })), 'icmp.port_unreachable');
    expect(en(own).summary).toBe(`${SERVER}: ${SERVER} says nothing accepts the client's packets (ICMP port unreachable)`);
    expect(en(own).advice[0]).toBe(`UDP: check the service runs and listens on ${SERVER} (\`ss -lunp\` on the server).`);
    expect(zh(own).summary).toBe(`${SERVER}：${SERVER} 表示客户端的数据包无人接收（ICMP 端口不可达）`);
    const other = only(await runBytes(new Capture().add(T0, error(ICMP.PORT_UNREACH, ROUTER, echo)).pcap({ linkType: LINKTYPE.ETHERNET })), 'icmp.port_unreachable');
    expect(en(other).summary).toBe(`${SERVER}: ${ROUTER}, not ${SERVER} itself, rejected the client's packets (ICMP port unreachable)`);
    expect(en(other).explanation).toContain(`Whether anything listens on ${SERVER} cannot be told from this capture.`);
  });

  it('icmp.port_unreachable about SCTP (a port, but no transport a target names): said without the transport', async () => {
    const sctp = ipv4({ src: CLIENT, dst: SERVER, proto: 132, ttl: 60, id: 301 }, Uint8Array.from([0x13, 0xc4, 0x13, 0xc4, 0, 0, 0, 1, 0, 0, 0, 0]));
    const v = only(await runBytes(new Capture().add(T0, error(ICMP.PORT_UNREACH, SERVER, sctp)).pcap({ linkType: LINKTYPE.ETHERNET })), 'icmp.port_unreachable');
    expect(v.target).toMatchObject({ port: 5060, transport: null });
    expect(en(v).summary).toBe(`${SERVER}:5060: ${SERVER} says nothing accepts port 5060 (ICMP port unreachable)`);
    expect(zh(v).summary).toBe(`${SERVER}:5060：${SERVER} 表示 端口 5060 无人接收（ICMP 端口不可达）`);
  });

  it('icmp.frag_needed with a next-hop MTU of 0 (a router older than RFC 1191) says no MTU was given', async () => {
    const syn = tcpIp({ src: CLIENT, dst: SERVER, sport: 40103, dport: 443, seq: 1000, flags: 'PA', ttl: 60, id: 302 }, new Uint8Array(64));
    const cap = new Capture().add(T0, ethIp(icmpIp({ src: ROUTER, dst: CLIENT, type: ICMP.DEST_UNREACH, code: ICMP.FRAG_NEEDED, rest: 0 }, quote(syn))));
    const v = only(await runBytes(cap.pcap({ linkType: LINKTYPE.ETHERNET })), 'icmp.frag_needed');
    expect(v.facts['mtu']).toBe(0);
    expect(en(v).summary).toBe(`${SERVER}:443: ${ROUTER} says the packets are too big for the path (no MTU given)`);
    expect(en(v).advice.join('\n')).not.toMatch(/mtu 0\b/);
    expect(zh(v).summary).toContain('（未给出 MTU）');
  });
});

describe('a target reached through an HTTP proxy (no address of its own)', () => {
  it('tls.no_server_hello in a CONNECT tunnel names the target', async () => {
    const c = new TcpConversation({ client: [CLIENT, 40104], server: ['203.0.113.22', 3128] });
    c.syn();
    c.synAck();
    c.ack('client');
    c.send('client', httpRequest({ method: 'CONNECT', target: 'www.example.com:443', host: 'www.example.com:443' }));
    c.send('server', httpResponse({ status: 200, reason: 'Connection established', headers: [['Content-Length', '0']] }));
    c.send('client', handshakeRecord([clientHello({ ciphers: [0xc02f], sni: 'www.example.com' })], 0x0301));
    c.ack('server');
    c.wait(6);
    c.fin('server');
    const v = only(await runBytes(pcapFile({ linkType: c.linkType }, c.frames)), 'tls.no_server_hello');
    expect(v.target).toMatchObject({ name: 'www.example.com', ip: null, port: 443 });
    expect(en(v).explanation).toMatch(/^The TCP connection to www\.example\.com port 443 worked/);
    expect(zh(v).explanation).toMatch(/^到 www\.example\.com 端口 443 的 TCP 连接正常/);
  });
});

describe('times the capture\'s clock cannot give (it stepped back)', () => {
  it('tcp.reset: reset, not "after ? s"', async () => {
    const c = new TcpConversation({ client: [CLIENT, 40105], server: [SERVER, 80] });
    c.syn();
    c.synAck();
    c.ack('client');
    c.send('client', ascii('GET / HTTP/1.1\r\nHost: reset.example\r\n\r\n'));
    c.at(T0 - 100);
    c.rst('server');
    const v = only(await runBytes(pcapFile({ linkType: c.linkType }, c.frames)), 'tcp.reset');
    expect(v.facts['seconds']).toBeNull();
    expect(en(v).summary).toBe('reset.example: the server reset the established connection');
    expect(en(v).explanation).toContain('then the server sent a RST and ended it abruptly');
    expect(zh(v).summary).toBe('reset.example：服务器重置了已建立的连接');
  });

  it('http.no_response: how the wait ended, without how long', async () => {
    const c = new TcpConversation({ client: [CLIENT, 40106], server: [SERVER, 80] });
    c.syn();
    c.synAck();
    c.ack('client');
    c.send('client', ascii('GET /slow HTTP/1.1\r\nHost: quiet.example\r\n\r\n'));
    c.ack('server');
    c.at(T0 - 100);
    c.fin('client');
    c.fin('server');
    const v = only(await runBytes(pcapFile({ linkType: c.linkType }, c.frames)), 'http.no_response');
    expect(v.facts['waited']).toBeNull();
    expect(en(v).explanation).toContain(`The client sent an HTTP request to ${SERVER} port 80, and the client closed the connection, without any response.`);
    expect(en(v).advice.join('\n')).toContain('If the capture ended soon after the request, capture longer');
    expect(zh(v).explanation).toContain('随后客户端关闭了连接，始终没有响应');
  });

  it('tcp.stalled: retransmitted, not "over ? s"', async () => {
    const c = new TcpConversation({ client: [CLIENT, 40107], server: [SERVER, 80] });
    c.syn();
    c.synAck();
    c.ack('client');
    c.send('client', ascii('GET / HTTP/1.1\r\nHost: stall.example\r\n\r\n'));
    c.at(T0 - 100);
    for (const gap of [0.2, 0.4, 0.8, 1.6, 3.2]) {
      c.wait(gap);
      c.send('client', ascii('GET / HTTP/1.1\r\nHost: stall.example\r\n\r\n'), { retransmit: true });
    }
    const v = only(await runBytes(pcapFile({ linkType: c.linkType }, c.frames)), 'tcp.stalled');
    expect(v.facts['seconds']).toBeNull();
    expect(en(v).explanation).toContain('but data was retransmitted 5 times without being acknowledged, until');
    expect(zh(v).explanation).toContain('但数据重传了 5 次都没有得到确认');
  });

  it('dns.no_response: no "the capture went on ? s" after a query at a time no report can write', async () => {
    const q = (id: number) => udpIp({ src: CLIENT, dst: '198.51.100.53', sport: 40108, dport: 53, id }, dnsMessage({ id: 7, qr: false, rd: true, questions: [{ name: 'lost.example', type: 'A' }] }));
    const frames: CaptureRecord[] = [
      { ts: T0, frame: ethIp(q(1)) },
      { ts: T0 + 1, frame: ethIp(q(2)) },
      // A timestamp past the year 9999: no report can write it (time.ts), so no wait is known.
      { ts: 400_000_000_000n * 1_000_000_000n, frame: ethIp(q(3)) },
    ];
    const v = only(await runBytes(pcapngFile({ interfaces: [{ linkType: LINKTYPE.ETHERNET }] }, frames), 'built.pcapng'), 'dns.no_response');
    expect(v.facts['waited']).toBeNull();
    expect(en(v).explanation).toMatch(/got no reply\. A capture on the client cannot tell/);
    expect(zh(v).explanation).toMatch(/均未收到应答。在客户端抓包/);
  });
});

/** A sample's first verdict of `cause`. */
async function sampleVerdict(file: string, cause: string): Promise<Verdict> {
  const r = await analyze(await openCapture(join(SAMPLES, file)), all);
  const v = r.verdicts.find((x) => x.cause === cause);
  expect(v, `${file}: ${cause}`).toBeDefined();
  return v!;
}

/** The verdict with some facts taken away (set to null, as the rules write an unknown value). */
function without(v: Verdict, ...facts: string[]): Verdict {
  const w = structuredClone(v);
  for (const f of facts) w.facts[f] = null;
  return w;
}

const gaps = (v: Verdict) => texts(v).filter((t) => t.includes(MARK) || LEFT.test(t) || UNSET.test(t));

describe('values a capture cannot cheaply show absent: a sample verdict without them', () => {
  it('a verdict for several clients (a bucket of the overflow) says "each client"', async () => {
    const v = await sampleVerdict('dns-refused.pcap', 'dns.refused');
    const several: Verdict = { ...structuredClone(v), client: { ip: null }, details: { ...v.details, clients: 'several' } };
    expect(gaps(several)).toEqual([]);
    expect(en(several).advice.join('\n')).toContain('allow recursion for each client\'s network');
    expect(zh(several).explanation).toContain('不向 各客户端 提供递归查询');
  });

  it('tcp.zero_window without how long', async () => {
    const v = without(await sampleVerdict('tcp-zero-window.pcap', 'tcp.zero_window'), 'seconds');
    expect(gaps(v)).toEqual([]);
    expect(en(v).summary).toBe('sink.example.org: the server kept its TCP window at zero (it stopped reading)');
    expect(zh(v).explanation).toContain('并一直保持到连接结束');
  });

  it('tcp.stalled in a connection joined in its middle, without how long', async () => {
    const v = without(await sampleVerdict('tcp-stalled-mid-connection.pcap', 'tcp.stalled'), 'seconds');
    expect(gaps(v)).toEqual([]);
    expect(en(v).explanation).toMatch(/doubling each time \([^)]*\), and nothing came back/);
  });

  it('tcp.pmtu_blackhole without how long, seen from either side', async () => {
    for (const f of ['pmtu-blackhole-download.pcap', 'pmtu-blackhole-upload.pcap']) {
      const v = without(await sampleVerdict(f, 'tcp.pmtu_blackhole'), 'seconds');
      expect(gaps(v), f).toEqual([]);
      expect(en(v).explanation, f).not.toMatch(/\bnull\b|after {2}s| over s/);
    }
  });

  it('an unanswered encrypted request without the wait, the silence, or both', async () => {
    const v = await sampleVerdict('https-no-response-tls12.pcap', 'http.no_response');
    for (const gone of [['waited'], ['silence'], ['waited', 'silence']]) {
      const w = without(v, ...gone);
      expect(gaps(w), gone.join('+')).toEqual([]);
    }
    expect(en(without(v, 'waited')).summary).toBe('quiet12.example.org: the HTTPS request was sent but no answer came');
    expect(en(without(v, 'silence')).explanation).toMatch(/after the handshake, until the client gave up/);
  });

  it('capture.ended_early without the wait', async () => {
    const v = without(await sampleVerdict('capture-ended-after-client-hello.pcap', 'capture.ended_early'), 'waited');
    expect(gaps(v)).toEqual([]);
    expect(en(v).summary).toBe('slow.example.org: the capture stopped soon after the last attempt, too soon to tell');
    expect(zh(v).summary).toContain('最后一次尝试后不久抓包就停止了');
  });
});
