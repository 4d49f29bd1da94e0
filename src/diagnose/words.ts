/**
 * The words of the diagnosis, and how they are declared. Every sentence a verdict shows is
 * declared next to the code that knows its meaning — a cause's summary, explanation and advice in
 * its own file (causes/), the note of each kind of evidence packet (evidence.ts, or the cause file
 * that alone produces it), each limit of what a capture can prove (limits.ts, or its cause file) —
 * in English and Simplified Chinese. The diagnosis itself writes none of them: it records kinds and
 * typed values, and report/words.ts fills the words in when a report is rendered.
 *
 *   fill(template, vars)              replaces {name}; null / undefined / absent → MISSING
 *   fillText(text, vars)              a whole CauseText filled in
 *   placeholders(template)            the placeholder names a template uses
 *   PLACEHOLDERS                      every placeholder a cause text may use, with its meaning
 *   evidenceKind(id, words)           declares the note (and ladder label) of one kind of evidence
 *   limitKind(id, words)              declares one limit sentence
 *   EVIDENCE_KINDS / LIMIT_KINDS      what has been declared, by id
 *   senderName(sender, lang)          'client' / 'server' as a person reads it
 */
import type { Lang } from '../lang.js';
import type { Arg, Args, Fact } from '../facts.js';

export type Vars = Readonly<Record<string, string | number | null | undefined | readonly string[]>>;

export interface CauseText {
  /** The one line a person reads first. */
  summary: string;
  /** What the packets show, in plain words. */
  explanation: string;
  /** The next things to check or change, most likely first. */
  advice: readonly string[];
}

/**
 * The placeholders cause texts use. A verdict's texts are filled from its target (target, host,
 * name, ip, port, transport, client, attempts), its facts, and values report/words.ts derives
 * from the facts in the report's language (the `…Note` sentences, {icmp}, {sender}).
 */
export const PLACEHOLDERS = {
  target: 'the target as a person reads it: the name asked for when known, else ip:port',
  host: 'what to type in a command: the name when known, else the IP address',
  name: 'the DNS name asked for',
  qtype: 'the DNS query type (A, AAAA, ...)',
  otherAnswersText: 'how many other queries the DNS server answered in the capture ("3 other queries")',
  toClientText: 'how many of those went to this client, as a parenthesis (empty when none)',
  ip: 'the target (server) IP address',
  port: 'the target (server) port',
  rstFrame: 'the frame of the first RST the client\'s stack drops in SYN-SENT (tcp.syn_unanswered, RFC 9293 §3.10.7.3)',
  proxy: 'the HTTP proxy\'s IP address (CONNECT through a proxy)',
  proxyPort: 'the HTTP proxy\'s port',
  transport: "the failing flow's transport as written in the report ('tcp', 'udp')",
  client: "the client's IP address",
  offered: 'the address a DHCP server offered instead of the one that answered its ping',
  server: 'the DNS server (resolver) the query went to',
  from: 'who sent the ICMP error (a router, a firewall, or the destination itself)',
  icmp: 'the ICMP message in words, derived from facts icmpV6 / icmpType / icmpCode (e.g. "ICMP 3/13 communication administratively prohibited")',
  attempts: 'how many attempts were seen (SYNs, queries, retransmissions); for ok with severity warning, how many attempts failed',
  synsText: "the SYNs sent and over how long ('3 SYNs over 3.1 s', '1 SYN, not sent again')",
  queriesText: "the DNS queries sent and over how long ('3 queries over 10 s', '1 query')",
  retryNote: "a sentence on a SYN never sent again (a scanner, or a program that gave up), or ''",
  fromServers: "dns.no_response: 'the DNS server X', or 'the DNS servers X and Y' when the queries went to several",
  serversText: "dns.no_response: the servers asked, 'X' or 'X and Y' ('X, Y, Z and N more' past three)",
  endText: "tcp.stalled: how the resending ended, after the summary's clause (', then abandoned' / ', still being resent when the capture ended')",
  untilText: "tcp.stalled: the same, in the explanation (', until the sender gave up' / '; the sender was still resending when the capture ended')",
  seconds: 'a duration in seconds: how long the client kept trying, or how long the connection lived before it ended',
  waited: 'how long the capture went on after the last attempt, in milliseconds',
  rcode: 'the DNS response code name (FORMERR, NOTIMP, BADVERS, ...)',
  protocolName: "app.refused, app.login_failed: the protocol ('FTP', 'SMTP', 'POP3', 'IMAP')",
  code: "app.refused, app.login_failed: the server reply's code ('530', '554', '-ERR', 'NO', '* BYE')",
  verb: "app.login_failed: the client's login command ('PASS', 'USER', 'AUTH', 'LOGIN')",
  reply: "app.refused, app.login_failed: the server's reply line, printable, cut to 96 characters",
  lost: 'icmp.echo_loss: echo requests lost (unanswered while later ones were answered)',
  judged: 'icmp.echo_loss: echo requests judged (answered or lost)',
  percent: 'icmp.echo_loss: the share of those judged that were lost, in percent (one decimal)',
  stageText: "app.mail_rejected: what the server refused, as words ('the sender (MAIL FROM)', 'its recipient (RCPT TO)', 'the message itself (at the end of DATA)')",
  edeNote: "a sentence about the DNS server's Extended DNS Errors, derived from fact ede, or ''",
  status: 'the HTTP status code',
  method: 'the HTTP request method',
  urlPath: 'the request path, without its query string',
  serverText: "the server's answer text (cut to 160 characters)",
  serverShort: "the server's answer text, cut to 60 characters for a summary",
  reason: 'the HTTP reason phrase (may be empty)',
  alert: 'the TLS alert name (unknown_ca, ...)',
  alertCode: 'the TLS alert code (48, ...)',
  sender: "who sent the alert / RST, from fact sender ('client' / 'server'), in the report's language",
  notBefore: "the certificate's notBefore (ISO-8601)",
  notAfter: "the certificate's notAfter (ISO-8601)",
  captureTime: 'the time of the packet that carried the certificate (ISO-8601)',
  sni: 'the server name the client asked for in the TLS ClientHello',
  san: 'the names the certificate covers (subjectAltName, else subject CN), comma separated',
  mtu: 'the next-hop MTU carried by ICMP fragmentation needed / packet too big',
  answer: "the first bytes of a plain-text answer to a TLS ClientHello (printable, its first line, at most 64 bytes)",
  endedText: "how the wait for an unanswered plain-HTTP request ended and after how long (a side reset or closed the connection, or it went quiet), as words of a sentence",
  closedText: "how an unanswered encrypted request's silence ended (the client closed, the server closed, the capture ended), as words of a sentence",
  ticketsText: 'what the server sent after the TLS 1.3 handshake of an unanswered encrypted request (its session tickets, or nothing), as the start of a sentence',
  silence: 'seconds without anything from the server after its last record (an unanswered encrypted request)',
  afterMs: 'milliseconds from the handshake\'s completion to the server\'s close (tcp.closed_at_once)',
  closedMs: 'milliseconds from the client\'s TLS ClientHello to its own close or reset, when it left before an answer could be expected',
  ttlNote: "a sentence comparing the RST's TTL / IP ID with the server's own packets, derived from facts rstTtl / serverTtl / rstIpId / serverIpId, or ''",
  missing: "the side of a connection whose packets the capture does not hold ('server' / 'client'), in the report's language",
  packets: 'how many packets of the connection the capture holds',
  bytes: 'a count of bytes (capture loss: acknowledged bytes missing from the capture)',
  // issue 22 (black holes, zero windows, stalls without a handshake, lost DNS fragments)
  answeredAfter: 'seconds from the first SYN to a SYN-ACK that came after the client had given up (tcp.handshake_incomplete)',
  synCount: 'SYNs the client sent before a SYN-ACK it reset came (tcp.handshake_incomplete)',
  sinkAddr: 'the unspecified addresses (0.0.0.0, ::) a DNS answer gave a name instead of a real one (dns.no_address: a DNS filter\'s block)',
  mssClient: 'the MSS the client announced in its SYN',
  mssServer: 'the MSS the server announced in its SYN-ACK',
  largest: 'the largest TCP payload (bytes) that got through',
  fullText: "the payload (bytes) of the full-size segments that never got through ('1448', or 'up to 1460' when only inferred from the MSS)",
  directionText: "which way the data that stalled went ('upload: client to server'), in the report's language",
  seenText: "a sentence part on how the capture shows the loss (the sender's back-off, or the receiver waiting), in the report's language",
  receiverText: "the side that kept its window at zero ('server' / 'client'), in the report's language",
  probes: "how many zero-window probes the other side sent while the window was zero",
  backoffText: "the intervals between a segment's transmissions, doubling ('0.2 s, 0.4 s, 0.8 s ...')",
  offsetsText: "the fragment offsets (bytes) that arrived, comma separated",
  ednsSize: "the EDNS UDP buffer size the query announced (bytes), or the words for none",
  failedAttempts: "how many attempts failed before the target worked, with its noun ('1 failed attempt', '3 failed attempts')",
  hopsText: "how many routers answered a traceroute, with its noun ('1 hop', '3 hops')",
  path: "a traceroute's hops in order, ' → ' between them",
  reachedText: "whether a traceroute's probes reached the destination, as words of a sentence",
  beyond: "bytes the server had sent past what the client had received in order when it closed",
  resent: "how many of the server's packets were sent again (a transfer that crawled through loss)",
  segments: "how many packets the server sent on the connection",
  arrivingText: "when the server's last data came against the client's close ('40 ms after the server's last segment', or that its segments kept coming after it)",
  answerText: "what answered a DHCP server's conflict-check ping ('no reply', 'host unreachable from 198.51.100.1')",
  offerFrame: "the frame of the DHCP offer (or acknowledgement) that followed a DHCP server's conflict-check ping",
  errorsText: "how many packets the ICMP errors of a verdict quote, with its noun ('1 packet', '3 packets')",
  probeText: "what the quoted probes look like ('traceroute (UDP)', 'ping / traceroute -I / mtr (ICMP echo)'), when ICMP errors alone quote probes sent with a small TTL, else ''",
  probeWhy: "why the quoted packets look like probes: their ports or type, each quoted once, and the quoted TTL, or ''",
  replyPort: 'the port of its own to which an answer came after the asking program had stopped listening (a port unreachable about an answer)',
  repeatNote: "a sentence on the same packet quoted by several ICMP errors (sent again, expired or refused again), or ''",
  reporterNote: "a sentence on a port unreachable for a probe that came from another address than the destination, or ''",
  // http.body_cut_short
  bodyText: "what arrived of an HTTP response body cut short ('65536 of the 1048576 bytes its Content-Length announced', or chunked data without its last chunk), in the report's language",
  cutText: "how the side that ended a response body cut short did it ('closed the connection (FIN)' / 'reset the connection (RST)'), in the report's language",
  byClientText: "what the capture shows of a body's bytes after the client gave up on it: none missing, or the bytes past its close lost on the way (http.body_cut_short, facts.lostAfter), in the report's language",
  idle: 'seconds without body bytes before the close that cut an HTTP response body short (tls.transfer_cut_short: without the server\'s data)',
  received: 'bytes of an HTTP response body that arrived (http.body_stalled); tls.transfer_cut_short: bytes of the server\'s stream that arrived',
  pending: 'bytes of the TLS record in progress that never came (tls.transfer_cut_short)',
  lostText: "what the capture shows of the server's bytes after the client gave up: none missing, or the bytes past its close lost on the way (tls.transfer_cut_short, facts.lostAfter), in the report's language",
  promised: "bytes an HTTP response's Content-Length announced (http.body_stalled)",
  silent: 'seconds an HTTP response body had stopped coming, the connection open, when the capture ended (http.body_stalled)',
  curlText: "what curl reports for an HTTP response body cut short (its message and exit status), in the report's language",
  // tcp.port_scan
  probed: 'how many distinct ports a port scan probed (\'at most\' before it when counted past the bounds)',
  scanSpan: "how long a port scan's probes took, from the first to the last, with its unit, in the report's language ('so far' after it on a live capture's line)",
  openPortsText: "a port scan's open ports (answered SYN-ACK), the lowest listed, with the answer, or the words for none",
  closedPortsText: "a port scan's closed ports (answered RST), the lowest listed, with the answer, or the words for none",
  unanswered: "how many ports of a port scan never answered (filtered)",
  sourceNote: "a sentence part on the one source port a scanner reused for its probes, or ''",
  openPorts: "a port scan's open ports as a list, or the words for none",
  craftedNote: "a sentence on a packet no TCP stack sends among a port scan's (its frame and flags), or ''",
  wrappedNote: "a sentence on the open ports of a port scan whose service closed the scanner's connections right after the handshake (tcpwrapped), or ''",
  versionNote: "a sentence on the scanner's connections to the open ports that carried its probes (version detection), or ''",
  // tcp.address_scan
  hostsProbed: "how many distinct hosts a sweep probed ('at most' before it when counted past the bounds)",
  otherHosts: "how many hosts a sweep probed besides its first (the verdict's target), 'at most' before it past the bounds",
  sweepPorts: "the port a sweep probed, or its few ports, with the word ('port 445', 'ports 22, 445'), in the report's language",
  sweepSpan: "how long a sweep's probes took, from the first to the last, with its unit, in the report's language",
  hostsText: "the first hosts a sweep probed, listed, with how many more",
  openHosts: 'how many hosts of a sweep answered SYN-ACK',
  closedHosts: 'how many hosts of a sweep answered RST',
  silentHosts: 'how many hosts of a sweep never answered',
  sweepSourcePort: 'the one source port a sweeping scanner reused toward many hosts',
  sweepSourceHosts: 'how many distinct hosts that source port served (counted up to the rule\'s threshold)',
  arpAddresses: "how many addresses of its network a sweeping client asked ARP for in its burst ('at least' before it past the bound)",
  arpSpan: 'how long that burst of ARP requests lasted, with its unit, in the report\'s language',
  ackText: 'a sweep\'s sentence on its bare ACK probes (host discovery) from the scanner\'s source ports, or nothing when it sent none',
  leafName: 'the common name of the certificate a server sent alone (its subject when it has none)',
  issuerName: 'the common name of that certificate\'s issuer (its whole name when it has none)',
  caIssuers: 'where the issuer\'s certificate can be fetched (the certificate\'s Authority Information Access, CA Issuers URI)',
  servernameOpt: 'openssl s_client\'s -servername option with the name the client asked for (SNI), or nothing when it named none',
  service: 'the UDP service a silent request was for (NTP, SNMP, RADIUS, RADIUS accounting, Kerberos, IKE)',
  requests: 'how many requests the client sent to a UDP service that never answered',
  serviceAdvice: 'what to check for that UDP service in particular (NTP, SNMP, RADIUS, Kerberos, IKE)',
  pings: 'how many echo requests (ping) the client sent to a host that never replied',
  refusedLogins: 'app.login_failed: how many logins of one client the server refused over a group of connections (password guessing past diagnose.ts GUESSING_MIN)',
  loginConns: 'app.login_failed: how many connections those refused logins came over',
  guessSeconds: 'app.login_failed: the seconds from the first to the last of those connections',
  acceptedFrame: 'app.login_failed: the frame of the server\'s reply that accepted a login after those refused',
  forgedErrors: 'icmp.forged_source: how many ICMP errors quote packets from the forged address',
  forgedSenders: 'icmp.forged_source: from how many distinct hosts',
  forgedDestinations: 'icmp.forged_source: about packets to how many distinct destinations',
  forgedSpan: "icmp.forged_source: the span from the first error to the last as a person reads it ('23 ms', '2.5 s'), in the report's language",
  forgedPorts: "icmp.forged_source: the quoted packets' destination ports ('port 161', 'ports 80, 443')",
  tcpAuthText: "tcp.syn_unanswered: the SYN's segment signature ('TCP MD5 (RFC 2385)', 'TCP-AO (RFC 5925)'), empty without",
  probeAttempts: "tcp.inbound_probes: how many strangers' attempts to the host were folded",
  probeClients: 'tcp.inbound_probes: from how many addresses',
  probePorts: 'tcp.inbound_probes: to how many ports of the host',
  probeSeconds: 'tcp.inbound_probes: the seconds from the first of those attempts to the last',
  probeTopPorts: "tcp.inbound_probes: the most tried ports with their attempts ('23 (14), 445 (11) …')",
  probePortList: "tcp.inbound_probes: the most tried ports alone ('23, 445 …')",
  probeHowText: 'tcp.inbound_probes: how the host answered them (refused, dropped, or how many of each)',
  probeOnceText: 'tcp.inbound_probes: what shows they were no clients (SYNs not sent again, one connect() per refused port)',
  floodSyns: 'tcp.syn_flood: how many attempts to the server and port stopped at the SYN',
  floodSources: "tcp.syn_flood: from how many source addresses ('at least' before it past the bound)",
  floodSeconds: 'tcp.syn_flood: the seconds from the first to the last of those attempts',
  floodPeak: 'tcp.syn_flood: the most of them that started within one second',
  floodResendText: 'tcp.syn_flood: what the capture shows of the resends a real client would have sent',
  floodServerText: "tcp.syn_flood: what the capture shows of the server's answers, and of the connections to the port that completed",
  retriesNote: 'a short account of the attempts that failed before the target worked (ok, severity warning), derived from facts failed / conns / failedCause / failedIp (and workedAfter, the seconds to the first success after it when they are far apart)',
} as const;

export type Placeholder = keyof typeof PLACEHOLDERS;

/**
 * Written in place of a placeholder that has no value, so a gap is visible, not silent. Words
 * should never need it (a cause's `vars` or a variant says the sentence without the value); tests
 * swap it for a marker no sentence holds (missingMarker) to find every gap left.
 */
export let MISSING = '?';

/** Sets what a missing value is written as (tests: a marker no real sentence holds); returns the previous one. */
export function missingMarker(marker: string): string {
  const was = MISSING;
  MISSING = marker;
  return was;
}

const PLACEHOLDER_RE = /\{([A-Za-z][A-Za-z0-9]*)\}/g;
/**
 * English nouns counted by a placeholder in the cause texts ("{packets} packets"): one of them is
 * said in the singular ("1 packet", not "1 packets"). The Chinese texts have no plural.
 */
const SINGULAR: Record<string, string> = {
  packets: 'packet', bytes: 'byte', times: 'time', SYNs: 'SYN', queries: 'query', attempts: 'attempt',
  ports: 'port', hosts: 'host', connections: 'connection', seconds: 'second', retransmissions: 'retransmission',
  names: 'name', requests: 'request', responses: 'response', segments: 'segment', probes: 'probe',
};
/** A placeholder, with the counted noun after it when there is one. */
const COUNTED_RE = new RegExp(`\\{([A-Za-z][A-Za-z0-9]*)\\}(?: (${Object.keys(SINGULAR).join('|')})\\b)?`, 'g');

/** Placeholder names used in a template, in order of first use. */
export function placeholders(template: string): string[] {
  const out: string[] = [];
  for (const m of template.matchAll(PLACEHOLDER_RE)) {
    const n = m[1]!;
    if (!out.includes(n)) out.push(n);
  }
  return out;
}

/** A number as a person reads it: durations with three significant digits (12.3, 0.25, 120). */
export function showNumber(v: number): string {
  if (!Number.isFinite(v)) return MISSING;
  if (Number.isInteger(v)) return String(v);
  return String(Math.abs(v) >= 100 ? Math.round(v) : Number(v.toPrecision(3)));
}

function show(v: string | number | readonly string[]): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return showNumber(v);
  return v.join(', ');
}

/**
 * Replaces every `{name}` with vars[name]. A placeholder whose value is null, undefined or
 * absent becomes MISSING. Numbers are shown with at most three significant digits after the
 * point; a list is joined with ', '. Spaces doubled by an empty value are collapsed and the
 * result is trimmed.
 */
export function fill(template: string, vars: Vars): string {
  const out = template.replace(COUNTED_RE, (_m, n: string, noun: string | undefined) => {
    const v = Object.prototype.hasOwnProperty.call(vars, n) ? vars[n] : undefined;
    if (v === null || v === undefined) return noun === undefined ? MISSING : `${MISSING} ${noun}`;
    if (noun === undefined) return show(v);
    return `${show(v)} ${v === 1 ? SINGULAR[noun]! : noun}`;
  });
  return out.replace(/ {2,}/g, ' ').trim();
}

/** A cause text filled in: summary, explanation and each advice line. */
export function fillText(t: CauseText, vars: Vars): { summary: string; explanation: string; advice: string[] } {
  return { summary: fill(t.summary, vars), explanation: fill(t.explanation, vars), advice: t.advice.map((a) => fill(a, vars)) };
}

/** A string fact that holds a value ('' is none: an empty SNI names nothing). */
export function hasText(x: unknown): x is string {
  return typeof x === 'string' && x !== '';
}

const SIDES = { client: { en: 'client', zh: '客户端' }, server: { en: 'server', zh: '服务器' } } as const;

/** 'client' / 'server' as a person reads it in the report language; anything else unchanged. */
export function senderName(sender: Arg | undefined, lang: Lang): string {
  if (sender === 'client' || sender === 'server') return SIDES[sender][lang];
  return typeof sender === 'string' ? sender : MISSING;
}

// --- kinds of evidence and of limits -----------------------------------------------------------

/** A sentence in each language, from typed values. */
export type Sentence<A extends Args = Args> = { readonly [L in Lang]: (a: A) => string };

export interface EvidenceKind<A extends Args = Args> {
  readonly id: string;
  /** The evidence note: what this packet was ('SYN (retransmission 2)'). */
  readonly note: Sentence<A>;
  /** A short label for the ladder diagram's arrow (default: the note). */
  readonly label?: Sentence<A>;
}

export interface LimitKind<A extends Args = Args> {
  readonly id: string;
  readonly text: Sentence<A>;
}

/** Every kind declared, by id (filled as the modules that declare them load). */
export const EVIDENCE_KINDS = new Map<string, EvidenceKind>();
export const LIMIT_KINDS = new Map<string, LimitKind>();

export function evidenceKind<A extends Args>(id: string, note: Sentence<A>, label?: Sentence<A>): EvidenceKind<A> {
  if (EVIDENCE_KINDS.has(id)) throw new Error(`evidence kind ${id} is declared twice`);
  const k: EvidenceKind<A> = label ? { id, note, label } : { id, note };
  EVIDENCE_KINDS.set(id, k as unknown as EvidenceKind);
  return k;
}

export function limitKind<A extends Args>(id: string, text: Sentence<A>): LimitKind<A> & { of(a: A): Fact } {
  if (LIMIT_KINDS.has(id)) throw new Error(`limit kind ${id} is declared twice`);
  const k = { id, text, of: (a: A): Fact => ({ kind: id, args: a }) };
  LIMIT_KINDS.set(id, k as unknown as LimitKind);
  return k;
}

/** A limit kind without arguments. */
export function limitOf(k: LimitKind<Record<string, never>>): Fact {
  return { kind: k.id, args: {} };
}
