/**
 * DNS transactions (RFC 1035 §7, RFC 7766 for TCP): a query matched to its response by
 * transport, client, server, id and question; repeats of the same query before an answer are
 * retries of one transaction; a truncated (TC) answer followed by the same question over TCP
 * is linked to that TCP transaction. Queries still unanswered at the end carry how long the
 * capture ran after them, so a capture stopped too soon is not mistaken for a DNS failure.
 *
 * Memory: with an `onDone` consumer, a transaction is handed over and forgotten once it has been
 * quiet for a while (answered: RETIRE_ANSWERED seconds of capture time, unanswered:
 * RETIRE_UNANSWERED), so what is held follows the queries in flight, not the capture's length.
 * Without one, finished transactions are kept in `done` (tests and cross-checks read `all()`).
 */
import type { DnsMessage } from '../decode/dns.js';
import { qtypeName, rcodeName } from '../decode/names.js';
import type { Time } from './types.js';
import { interval } from '../time.js';

export interface DnsEndpoint {
  ip: string;
  port: number;
}

export interface DnsTransaction {
  /** 1-based, in order of the first message seen. */
  seq: number;
  transport: 'udp' | 'tcp';
  client: DnsEndpoint;
  server: DnsEndpoint;
  id: number;
  /**
   * The message's opcode (RFC 1035 §4.1.1, RFC 2136): 0 for a query; 5 a dynamic update, whose
   * "question" is the zone updated; 4 a NOTIFY. Only queries are lookups of a name.
   */
  opcode: number;
  /** Question name ('' for the root), type and class. null when the message had no question. */
  query: string | null;
  qtype: number | null;
  queryFrames: number[];
  queryTimes: Time[];
  responseFrame: number | null;
  responseTime: Time | null;
  /** Full rcode (with EDNS extension), null while unanswered. */
  rcode: number | null;
  tc: boolean;
  aa: boolean;
  ra: boolean;
  /** Answer RRs in order: A/AAAA addresses and CNAME targets. */
  answers: Array<{ name: string; type: number; data: string | null; ttl: number }>;
  /** Authority-section SOA present (a real negative answer) — RFC 2308. */
  soa: boolean;
  /** Authority-section NS present: with no answer and no SOA, a referral to the zone's servers (iterative resolution). */
  ns: boolean;
  /** The response's RD bit, copied from the query (RFC 1035 §4.1.1): false for a resolver's own iterative queries. */
  rd: boolean;
  /** EDNS Extended DNS Error codes in the response (RFC 8914). */
  ede: Array<{ code: number; text: string }>;
  /** Later responses with the same id (duplicates, or a server answering retries). */
  extraResponses: number;
  /** When a TC=1 UDP answer was followed by the same question over TCP: that transaction's seq. */
  tcpRetry: number | null;
  /** For a TCP transaction that retries a truncated UDP answer: the UDP transaction's seq. */
  retryOf: number | null;
  /** The EDNS UDP buffer size the query announced (RFC 6891), -1 without EDNS (or no query seen). */
  ednsSize?: number;
  /**
   * A query asked more than once (the client kept waiting for this answer): set when its lookup got
   * an answer with records for the same name anyway, or when that cannot be told (the recent
   * answers remembered do not reach back far enough, too many retries watched at once). Its
   * lookup's answers: to the same client port (the stub's socket: a query of the other type sent
   * with it, or just before it, from OVERLAP_BEFORE s before its first query to its last), or from
   * another server (the next in the stub's list, which asks from another socket) until
   * OVERLAP_AFTER s after its last query. An answer of the same server to another port is another
   * program's lookup.
   */
  answeredElsewhere?: boolean;
  /**
   * IP fragments from the server to the client that came while this UDP query waited (matched by
   * addresses and time: a fragment after the first carries no port), by datagram (ident), at
   * most MAX_FRAG_SETS; `completed` when the datagram was put together.
   */
  fragments?: DnsFragments[] | null;
}

export interface DnsFragments {
  ident: number;
  /** Offsets (bytes) of the fragments that arrived, ascending, at most MAX_FRAG_PIECES. */
  offsets: number[];
  frames: number[];
  times: Time[];
  completed: boolean;
}

const MAX_FRAG_SETS = 4;
const MAX_FRAG_PIECES = 16;
/** Seconds after a query within which a fragment from its server may belong to its answer. */
const FRAG_WINDOW = 5;

const MAX_PENDING = 100_000;
/**
 * A retried query's lookup counts as answered by an answer to its socket from this long before its
 * first query (s): a stub that asks A, then AAAA once the A is answered (glibc single-request),
 * sends the second within a millisecond...
 */
const OVERLAP_BEFORE = 0.1;
/**
 * ... to its last query, and for an answer from another server to this long after it (s): a client
 * that kept asking one server, then turned to the next in its list. (An answer of the same server
 * after the last query is to a lookup of its own: the program asking again.)
 */
export const OVERLAP_AFTER = 5;
/** Answers with records remembered, newest last (name, client, time), for the retries that come after them. */
const RECENT_ANSWERS = 2048;
/** Retried queries watched at once for an answer to their name (past it, a retry is taken as answered elsewhere). */
const MAX_RETRYING = 4096;
/** Answer records a transaction keeps. */
const MAX_ANSWERS = 64;
/**
 * Seconds of capture time after which a quiet transaction is finished: an answered one after its
 * answer (a duplicate answer later than that is not counted on it; a Windows client in the shared
 * captures, suricata-verify/flow-drop-iponly-02, gets the answers to its retries 8 s apart), an
 * unanswered one after its last query (resolvers give up long before: glibc after 2 x 5 s, dig
 * after 3 x 5 s).
 */
export const RETIRE_ANSWERED = 10;
export const RETIRE_UNANSWERED = 60;
/** Capture seconds between two looks for quiet transactions. */
const SWEEP_INTERVAL = 1;

export interface DnsTrackerOptions {
  /** Takes each finished transaction (then forgotten here); without it they are kept in `done`. */
  onDone?: (t: DnsTransaction) => void;
}

/** An A or AAAA record (RFC 1035, RFC 3596): the answers that give an address. */
export function isAddressType(type: number): boolean {
  return type === 1 || type === 28;
}

/** Key of a question asked by a client of a server (a truncated answer's TCP retry is found by it). */
function questionKey(client: DnsEndpoint, server: DnsEndpoint, name: string, qtype: number | null): string {
  return `${client.ip}|${server.ip}|${name.toLowerCase()}|${qtype}`;
}

/**
 * Transactions in the order of a message time (a query's or a response's), oldest first: a
 * transaction is added again at each such message, so the entry that counts is its latest.
 */
class TimeQueue {
  /** Entries before `head` are taken (null: nothing is held by them). */
  private items: Array<DnsTransaction | null> = [];
  private stamps: number[] = [];
  private head = 0;

  push(t: DnsTransaction, ts: Time): void {
    this.items.push(t);
    this.stamps.push(ts);
  }

  /** Takes out the entries older than `before` (oldest first), giving each to `f`. */
  takeOlder(before: Time, f: (t: DnsTransaction, ts: Time) => void): void {
    while (this.head < this.items.length && this.stamps[this.head]! < before) {
      const t = this.items[this.head]!;
      const ts = this.stamps[this.head]!;
      this.items[this.head++] = null;
      f(t, ts);
    }
    this.compact();
  }

  /** Takes entries from the front up to the first whose transaction `wanted` accepts, and gives that one. */
  takeFirst(wanted: (t: DnsTransaction) => boolean): DnsTransaction | undefined {
    let found: DnsTransaction | undefined;
    while (found === undefined && this.head < this.items.length) {
      const t = this.items[this.head];
      this.items[this.head++] = null;
      if (t && wanted(t)) found = t;
    }
    this.compact();
    return found;
  }

  private compact(): void {
    if (this.head > 4096 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.stamps = this.stamps.slice(this.head);
      this.head = 0;
    }
  }
}

/** Does a query ask what transaction `t` asked (name without regard to ASCII case, type)? */
function sameQuestion(t: DnsTransaction, q: { name: string; type: number } | undefined): boolean {
  if (q === undefined || t.query === null) return q === undefined && t.query === null;
  return t.qtype === q.type && sameName(t.query, q.name);
}

/** The same name, without regard to ASCII case (RFC 4343). */
function sameName(a: string, b: string): boolean {
  return a === b || (a.length === b.length && a.toLowerCase() === b.toLowerCase());
}

/**
 * The open-transaction table's key: the client's port and the message id (32 bits, a small
 * integer to V8). Client and server addresses and the transport are compared on lookup; the
 * rare transactions that share a key sit together in an array.
 */
function key(client: DnsEndpoint, id: number): number {
  return ((client.port & 0xffff) << 16) | (id & 0xffff);
}

function matches(t: DnsTransaction, transport: 'udp' | 'tcp', client: DnsEndpoint, server: DnsEndpoint, id: number): boolean {
  return t.id === id && t.client.port === client.port && t.server.port === server.port && t.transport === transport &&
    t.client.ip === client.ip && t.server.ip === server.ip;
}

type Bucket = DnsTransaction | DnsTransaction[];

/** The transaction of an open-table entry that matches (see matches()). */
function inBucket(b: Bucket | undefined, transport: 'udp' | 'tcp', client: DnsEndpoint, server: DnsEndpoint, id: number): DnsTransaction | undefined {
  if (b === undefined) return undefined;
  if (!Array.isArray(b)) return matches(b, transport, client, server, id) ? b : undefined;
  for (const t of b) if (matches(t, transport, client, server, id)) return t;
  return undefined;
}

/**
 * Transactions by client and server address: by client (the address strings are the flows' own,
 * their hashes kept in them, where a joined key would be a new string to hash for every
 * message), then by server in two short lists (a client asks one resolver or two; a list is
 * scanned where a map would be hashed), in a map past PAIR_LIST servers.
 */
const PAIR_LIST = 8;

interface PairList {
  servers: string[];
  txs: DnsTransaction[];
}

class PairMap {
  private readonly byClient = new Map<string, PairList | Map<string, DnsTransaction>>();

  get(client: string, server: string): DnsTransaction | undefined {
    const e = this.byClient.get(client);
    if (e === undefined) return undefined;
    if (e instanceof Map) return e.get(server);
    const i = e.servers.indexOf(server);
    return i < 0 ? undefined : e.txs[i];
  }

  set(client: string, server: string, t: DnsTransaction): void {
    const e = this.byClient.get(client);
    if (e === undefined) this.byClient.set(client, { servers: [server], txs: [t] });
    else if (e instanceof Map) e.set(server, t);
    else {
      const i = e.servers.indexOf(server);
      if (i >= 0) e.txs[i] = t;
      else if (e.servers.length < PAIR_LIST) {
        e.servers.push(server);
        e.txs.push(t);
      } else {
        const m = new Map<string, DnsTransaction>();
        for (let j = 0; j < e.servers.length; j++) m.set(e.servers[j]!, e.txs[j]!);
        m.set(server, t);
        this.byClient.set(client, m);
      }
    }
  }

  clear(): void {
    this.byClient.clear();
  }

  /** Forgets the pair's transaction when it is `t`. */
  deleteIf(client: string, server: string, t: DnsTransaction): void {
    const e = this.byClient.get(client);
    if (e === undefined) return;
    if (e instanceof Map) {
      if (e.get(server) !== t) return;
      e.delete(server);
      if (e.size === 0) this.byClient.delete(client);
      return;
    }
    const i = e.servers.indexOf(server);
    if (i < 0 || e.txs[i] !== t) return;
    const last = e.servers.length - 1;
    e.servers[i] = e.servers[last]!;
    e.txs[i] = e.txs[last]!;
    e.servers.pop();
    e.txs.pop();
    if (last === 0) this.byClient.delete(client);
  }
}

/** Shared empty lists until a transaction has its own (do not push to them). */
const NO_ANSWERS: DnsTransaction['answers'] = Object.freeze([]) as unknown as DnsTransaction['answers'];
const NO_EDE: DnsTransaction['ede'] = Object.freeze([]) as unknown as DnsTransaction['ede'];
const NO_NUMBERS: number[] = Object.freeze([]) as unknown as number[];

export class DnsTracker {
  /** Open transactions by key() (insertion order: the oldest first), and how many there are. */
  private readonly open = new Map<number, Bucket>();
  private pending = 0;
  private readonly truncatedByQuestion = new Map<string, DnsTransaction>();
  /** Finished transactions, when there is no `onDone` consumer. */
  readonly done: DnsTransaction[] = [];
  private readonly onDone: ((t: DnsTransaction) => void) | undefined;
  private nextSeq = 1;
  private nextSweep = 0;
  /**
   * With a consumer: transactions by their queries (for RETIRE_ANSWERED seconds, then, if still
   * unanswered, in `unanswered` until RETIRE_UNANSWERED), and by their answer. An answered
   * transaction is not held past its window by a queue either.
   */
  private readonly byQuery = new TimeQueue();
  private readonly unanswered = new TimeQueue();
  private readonly byAnswer = new TimeQueue();
  /** Transactions dropped because too many were pending at once. */
  evicted = 0;
  /** The latest UDP transaction of each client|server address pair while it is open (for fragments). */
  private readonly latestByPair = new PairMap();
  /** A ring of the latest answers with records: question name (as asked), client address and port, server address, time. */
  private readonly recentName: Array<string | null> = new Array<string | null>(RECENT_ANSWERS).fill(null);
  private readonly recentClient: string[] = new Array<string>(RECENT_ANSWERS).fill('');
  private readonly recentPort = new Int32Array(RECENT_ANSWERS);
  private readonly recentServer: string[] = new Array<string>(RECENT_ANSWERS).fill('');
  private readonly recentTime = new Float64Array(RECENT_ANSWERS);
  private recentNext = 0;
  private recentCount = 0;
  /** Queries asked again and not answered yet, by client address (see answeredElsewhere). */
  private readonly retrying = new Map<string, DnsTransaction[]>();
  private retryingCount = 0;

  constructor(o: DnsTrackerOptions = {}) {
    this.onDone = o.onDone;
  }

  /** Transactions open now (not finished). */
  get openCount(): number {
    return this.pending;
  }

  /** Adds `t` to the open table at `k`, whose entry is `b`. */
  private insert(k: number, b: Bucket | undefined, t: DnsTransaction): void {
    if (b === undefined) this.open.set(k, t);
    else if (Array.isArray(b)) b.push(t);
    else this.open.set(k, [b, t]);
    this.pending++;
  }

  /** create(), then insert(): the table's entry `b` at `k` is looked up again when create() let a transaction go. */
  private openNew(
    k: number, b: Bucket | undefined, transport: 'udp' | 'tcp', client: DnsEndpoint, server: DnsEndpoint, m: DnsMessage,
    q: DnsMessage['questions'][number] | undefined, queryFrames: number[], queryTimes: Time[],
  ): DnsTransaction {
    const evicts = this.pending >= MAX_PENDING;
    const t = this.create(transport, client, server, m, q, queryFrames, queryTimes);
    this.insert(k, evicts ? this.open.get(k) : b, t);
    return t;
  }

  /**
   * One DNS message. `src`/`dst` are the packet's source and destination; the message's QR bit
   * says which of them is the client.
   */
  message(m: DnsMessage, transport: 'udp' | 'tcp', src: DnsEndpoint, dst: DnsEndpoint, frame: number, ts: Time): void {
    if (this.onDone !== undefined && ts >= this.nextSweep) this.sweep(ts);
    const q = m.questions[0];
    if (!m.qr) {
      const k = key(src, m.id);
      let b = this.open.get(k);
      let t = inBucket(b, transport, src, dst, m.id);
      if (t && t.responseFrame !== null) {
        // Same id reused after an answer: a new transaction (the old one is complete).
        this.finishIn(k, b, t);
        t = undefined;
        b = this.open.get(k);
      } else if (t && !sameQuestion(t, q)) {
        // Same id and port but another question: a new query, not a retry of the open one (a
        // tool that numbers every query 1, a stub with a fixed id). The old one is done unanswered.
        this.finishIn(k, b, t);
        t = undefined;
        b = this.open.get(k);
      }
      if (!t) {
        t = this.openNew(k, b, transport, src, dst, m, q, [frame], [ts]);
        if (transport === 'udp') this.latestByPair.set(src.ip, dst.ip, t);
        if (this.onDone !== undefined) this.byQuery.push(t, ts);
        if (transport === 'tcp' && q) {
          const u = this.truncatedByQuestion.get(questionKey(src, dst, q.name, q.type));
          if (u) {
            u.tcpRetry = t.seq;
            t.retryOf = u.seq;
          }
        }
        return;
      }
      t.queryFrames.push(frame);
      t.queryTimes.push(ts);
      if (t.queryFrames.length === 2) this.watchRetry(t);
      if (transport === 'udp') this.latestByPair.set(src.ip, dst.ip, t);
      if (this.onDone !== undefined) this.byQuery.push(t, ts);
      return;
    }
    const k = key(dst, m.id);
    const b = this.open.get(k);
    let t = inBucket(b, transport, dst, src, m.id);
    if (!t) {
      // A response whose query was not captured (no query is added to it later: a query with
      // its key after the response starts a new transaction).
      t = this.openNew(k, b, transport, dst, src, m, q, NO_NUMBERS, NO_NUMBERS);
    } else if (t.responseFrame !== null) {
      t.extraResponses++;
      return;
    }
    t.responseFrame = frame;
    t.responseTime = ts;
    if (this.onDone !== undefined) this.byAnswer.push(t, ts);
    t.rcode = m.rcode;
    t.tc = m.tc;
    t.aa = m.aa;
    t.ra = m.ra;
    if (t.query === null && q) {
      t.query = q.name;
      t.qtype = q.type;
    }
    // Set once: a transaction takes one response (later ones are only counted).
    // The decoded records themselves (nothing writes to them), in a list of their own length: the
    // decoder makes a list of one record with that record (decode/dns.ts), longer ones are copied.
    if (m.answers.length > 0) t.answers = m.answers.length === 1 ? m.answers : m.answers.slice(0, MAX_ANSWERS);
    t.soa = m.authority.some((rr) => rr.type === 6);
    t.ns = m.authority.some((rr) => rr.type === 2);
    t.rd = m.rd;
    if (m.edns && m.edns.ede.length > 0) t.ede = m.edns.ede.slice(0, 8);
    if (m.tc && transport === 'udp' && t.query !== null) {
      this.truncatedByQuestion.set(questionKey(t.client, t.server, t.query, t.qtype), t);
    }
    if (m.rcode === 0 && m.answers.length > 0 && t.query !== null) this.answered(t, t.query, ts);
  }

  /** An answer with records to `a` (for `name`): remembered, and the retried queries whose lookup it answers marked. */
  private answered(a: DnsTransaction, name: string, ts: Time): void {
    const i = this.recentNext;
    const client = a.client.ip;
    this.recentName[i] = name;
    this.recentClient[i] = client;
    this.recentPort[i] = a.client.port;
    this.recentServer[i] = a.server.ip;
    this.recentTime[i] = ts;
    this.recentNext = i + 1 === RECENT_ANSWERS ? 0 : i + 1;
    if (this.recentCount < RECENT_ANSWERS) this.recentCount++;
    if (this.retryingCount === 0) return;
    const list = this.retrying.get(client);
    if (list === undefined) return;
    for (const u of list) {
      // (A retry is watched only with its question: watchRetry.)
      if (u.responseFrame !== null || u.answeredElsewhere === true) continue;
      const last = u.queryTimes[u.queryTimes.length - 1]!;
      const other = a.server.ip !== u.server.ip;
      const lookup = (ts <= last && (other || a.client.port === u.client.port)) || (other && ts <= last + OVERLAP_AFTER);
      if (lookup && sameName(u.query!, name)) u.answeredElsewhere = true;
    }
  }

  /**
   * A query asked a second time: its lookup answered already (an answer for its name to its
   * socket since OVERLAP_BEFORE s before its first query, or from another server since it, in the
   * recent answers), or watched for such an answer.
   */
  private watchRetry(t: DnsTransaction): void {
    if (t.query === null) return;
    const first = t.queryTimes[0]!;
    const from = first - OVERLAP_BEFORE;
    const client = t.client.ip;
    // The ring's oldest answer is later than that (a busy resolver): it cannot tell, look no further.
    if (this.recentCount === RECENT_ANSWERS && this.recentTime[this.recentNext]! >= from) {
      t.answeredElsewhere = true;
      return;
    }
    // (Otherwise the ring reaches back to `from`: the newest answers first, down to it.)
    let i = this.recentNext;
    for (let n = 0; n < this.recentCount; n++) {
      i = i === 0 ? RECENT_ANSWERS - 1 : i - 1;
      const at = this.recentTime[i]!;
      if (at < from) break;
      if (this.recentClient[i] !== client || !sameName(this.recentName[i]!, t.query)) continue;
      if (this.recentPort[i] === t.client.port || (at >= first && this.recentServer[i] !== t.server.ip)) {
        t.answeredElsewhere = true;
        return;
      }
    }
    // Too many retries watched already: cannot tell.
    if (this.retryingCount >= MAX_RETRYING) {
      t.answeredElsewhere = true;
      return;
    }
    const list = this.retrying.get(client);
    if (list === undefined) this.retrying.set(client, [t]);
    else list.push(t);
    this.retryingCount++;
  }

  /** A finished transaction leaves the retries watched. */
  private unwatch(t: DnsTransaction): void {
    const list = this.retrying.get(t.client.ip);
    if (list === undefined) return;
    const i = list.indexOf(t);
    if (i < 0) return;
    list.splice(i, 1);
    if (list.length === 0) this.retrying.delete(t.client.ip);
    this.retryingCount--;
  }

  private create(
    transport: 'udp' | 'tcp', client: DnsEndpoint, server: DnsEndpoint, m: DnsMessage, q: DnsMessage['questions'][number] | undefined,
    queryFrames: number[], queryTimes: Time[],
  ): DnsTransaction {
    if (this.pending >= MAX_PENDING) {
      // The oldest query still open goes first. Not by the table's own order: finding a Map's
      // first live entry walks over every deleted one before it (quadratic under churn).
      const victim = this.onDone !== undefined ? this.byQuery.takeFirst((t) => this.isOpen(t)) : undefined;
      const oldest = victim ? undefined : this.open.entries().next().value;
      if (victim) {
        this.finish(key(victim.client, victim.id), victim);
        this.evicted++;
      } else if (oldest !== undefined) {
        const [k, b] = oldest;
        this.finish(k, Array.isArray(b) ? b[0]! : b);
        this.evicted++;
      }
    }
    return {
      seq: this.nextSeq++,
      transport,
      client: { ip: client.ip, port: client.port },
      server: { ip: server.ip, port: server.port },
      id: m.id,
      opcode: m.opcode,
      query: q ? q.name : null,
      qtype: q ? q.type : null,
      queryFrames,
      queryTimes,
      responseFrame: null,
      responseTime: null,
      rcode: null,
      tc: false,
      aa: false,
      ra: false,
      answers: NO_ANSWERS,
      soa: false,
      ns: false,
      rd: false,
      ede: NO_EDE,
      extraResponses: 0,
      tcpRetry: null,
      retryOf: null,
      ednsSize: !m.qr && m.edns !== null ? m.edns.udpSize : -1,
      answeredElsewhere: false,
      fragments: null,
    };
  }

  private finish(k: number, t: DnsTransaction): void {
    this.finishIn(k, this.open.get(k), t);
  }

  /** finish(), given the open table's entry at `k`. */
  private finishIn(k: number, b: Bucket | undefined, t: DnsTransaction): void {
    if (b === t) this.open.delete(k);
    else if (Array.isArray(b)) {
      const i = b.indexOf(t);
      if (i >= 0) b.splice(i, 1);
      if (b.length === 1) this.open.set(k, b[0]!);
    }
    this.pending--;
    if (t.transport === 'udp') {
      this.latestByPair.deleteIf(t.client.ip, t.server.ip, t);
    }
    if (this.retryingCount !== 0 && t.queryFrames.length >= 2) this.unwatch(t);
    if (t.tc && t.query !== null) {
      const qk = questionKey(t.client, t.server, t.query, t.qtype);
      if (this.truncatedByQuestion.get(qk) === t) this.truncatedByQuestion.delete(qk);
    }
    if (this.onDone !== undefined) this.onDone(t);
    else this.done.push(t);
  }

  /**
   * An IP fragment of a UDP datagram from `src` to `dst` (`completed`: the one that completed its
   * datagram): given to the latest query `dst` sent to `src`, when that query is still unanswered
   * and was sent at most FRAG_WINDOW seconds before. Bounded per transaction.
   */
  fragment(src: string, dst: string, ident: number, offset: number, completed: boolean, frame: number, ts: Time): void {
    const t = this.latestByPair.get(dst, src);
    if (t === undefined || t.responseFrame !== null) return;
    const q = t.queryTimes[t.queryTimes.length - 1];
    if (q === undefined || ts < q || ts - q > FRAG_WINDOW) return;
    const sets = t.fragments ??= [];
    let set = sets.find((x) => x.ident === ident);
    if (set === undefined) {
      if (sets.length >= MAX_FRAG_SETS) return;
      set = { ident, offsets: [], frames: [], times: [], completed: false };
      sets.push(set);
    }
    if (completed) set.completed = true;
    if (set.offsets.length >= MAX_FRAG_PIECES || set.offsets.includes(offset)) return;
    let i = set.offsets.length;
    while (i > 0 && set.offsets[i - 1]! > offset) i--;
    set.offsets.splice(i, 0, offset);
    set.frames.splice(i, 0, frame);
    set.times.splice(i, 0, ts);
  }

  /** Finishes the transactions that have been quiet long enough (see RETIRE_ANSWERED). */
  private sweep(now: Time): void {
    this.nextSweep = now + SWEEP_INTERVAL;
    // A query entry counts when it is the transaction's latest and no answer came.
    const latestUnanswered = (t: DnsTransaction, ts: Time): boolean => t.responseFrame === null && t.queryTimes[t.queryTimes.length - 1] === ts;
    this.byQuery.takeOlder(now - RETIRE_ANSWERED, (t, ts) => {
      if (latestUnanswered(t, ts)) this.unanswered.push(t, ts);
    });
    this.unanswered.takeOlder(now - RETIRE_UNANSWERED, (t, ts) => {
      if (latestUnanswered(t, ts)) this.finishIfOpen(t);
    });
    this.byAnswer.takeOlder(now - RETIRE_ANSWERED, (t) => this.finishIfOpen(t));
  }

  private isOpen(t: DnsTransaction): boolean {
    const b = this.open.get(key(t.client, t.id));
    return b === t || (Array.isArray(b) && b.includes(t));
  }

  private finishIfOpen(t: DnsTransaction): void {
    const k = key(t.client, t.id);
    const b = this.open.get(k);
    if (b === t || (Array.isArray(b) && b.includes(t))) this.finishIn(k, b, t);
  }

  /** End of capture: every open transaction is finished, in the order of their first message. */
  flush(): void {
    const open = this.openTransactions().sort((a, b) => a.seq - b.seq);
    // Every table is emptied at once, rather than entry by entry as finish() does.
    this.open.clear();
    this.pending = 0;
    this.truncatedByQuestion.clear();
    this.latestByPair.clear();
    this.retrying.clear();
    this.retryingCount = 0;
    for (const t of open) {
      if (this.onDone !== undefined) this.onDone(t);
      else this.done.push(t);
    }
  }

  /** Every open transaction. */
  private openTransactions(): DnsTransaction[] {
    const out: DnsTransaction[] = [];
    for (const b of this.open.values()) {
      if (Array.isArray(b)) for (const t of b) out.push(t);
      else out.push(b);
    }
    return out;
  }

  /**
   * All transactions, in order of their first message (pending ones included). With an `onDone`
   * consumer, only those not yet handed over.
   */
  all(): DnsTransaction[] {
    return this.done.concat(this.openTransactions()).sort((a, b) => a.seq - b.seq);
  }
}

/**
 * Milliseconds from the query to its answer; null when unanswered, and when the answer is stamped
 * before every query (the capture's clock stepped back: no round trip is negative).
 */
export function dnsRttMs(t: DnsTransaction): number | null {
  if (t.responseTime === null || t.queryTimes.length === 0) return null;
  // RTT from the last query sent before the answer (the one most likely answered).
  let q = t.queryTimes[0]!;
  for (const x of t.queryTimes) if (x <= t.responseTime) q = x;
  const s = interval(t.responseTime, q);
  return s === null ? null : Math.round(s * 1e6) / 1e3;
}

export { qtypeName, rcodeName };
