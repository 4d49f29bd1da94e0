/**
 * DNS message decoder (RFC 1035 §4, RFC 3596 AAAA, RFC 6891 EDNS(0), RFC 2308 negative answers,
 * RFC 8914 Extended DNS Errors, RFC 7766 DNS over TCP).
 *
 * API
 *   decodeDns(b, off, len): DnsMessage | DecodeStop
 *     A DecodeStop only when the 12-byte header itself is not there; otherwise a DnsMessage that
 *     keeps every question/RR decoded before a problem and records the problem in `stop`.
 *   dnsOverTcpMessages(b, off, len): DnsTcpChunk[]
 *     Splits a TCP payload into 2-byte-length-prefixed messages (RFC 1035 §4.2.2); a partial last
 *     message is `{ complete: false, need }` so the caller can reassemble.
 *   rcodeName / qtypeName / qclassName / opcodeName are re-exported from ./names.js.
 *
 * Presentation choices (differences from tshark's field output):
 *   - Names have no trailing dot; the root is "" (tshark prints "<Root>").
 *   - Label bytes outside 0x21..0x7e are escaped as \DDD, '.' inside a label as '\.', and '\' as
 *     '\\' (RFC 1035 §5.1), so a name with odd bytes stays one unambiguous string. tshark instead
 *     prints such bytes as-is or as '\xHH'-like escapes depending on the version.
 *   - `rcode` is the full 12-bit rcode (header | OPT extended-rcode << 4, RFC 6891 §6.1.3), so
 *     BADVERS is 16; `headerRcode` keeps the 4 header bits.
 *
 * Safety: every name read is bounded by MAX_POINTER_JUMPS jumps, pointers must point strictly
 * before the pointer itself (so they cannot loop), and a name's wire length is at most 255 bytes
 * (RFC 1035 §3.1). RR loops are bounded by the bytes: every question/RR consumes >= 5/11 bytes
 * or stops, so a lying qdcount/ancount cannot make us spin.
 */
import { escapeTable, latin1, u16, u32, u8 } from './bytes.js';
import { ipv4ToString, ipv6ToString } from './addr.js';
import { malformed, truncated, type DecodeStop } from './stop.js';

export { rcodeName, qtypeName, qclassName, opcodeName } from './names.js';

const LAYER = 'dns';
/** RFC 1035 §4.1.1: fixed header size. */
const HEADER_LEN = 12;
/** RFC 1035 §3.1: a name is at most 255 octets on the wire (length bytes included). */
const MAX_NAME_WIRE = 255;
/** Pointers must go strictly backwards, so this is only a second guard. */
const MAX_POINTER_JUMPS = 64;

export interface DnsQuestion {
  name: string;
  type: number;
  cls: number;
}

export interface DnsRR {
  name: string;
  type: number;
  /** CLASS; for OPT this is the requestor's UDP payload size (RFC 6891 §6.1.2). */
  cls: number;
  ttl: number;
  rdlength: number;
  /**
   * Presentation text of the RDATA for the types we need to report:
   *   A: dotted IPv4; AAAA: RFC 5952 text; CNAME/NS/PTR/DNAME: target name;
   *   MX: "<preference> <exchange>"; SRV: "<priority> <weight> <port> <target>";
   *   SOA: "<mname> <rname> <serial> <refresh> <retry> <expire> <minimum>";
   *   TXT: the character-strings joined with a single space (bytes outside 0x20..0x7e as \DDD).
   * null for other types, and for RDATA whose length does not fit its type.
   */
  data: string | null;
}

export interface DnsEdeOption {
  /** RFC 8914 §4 INFO-CODE (e.g. 6 DNSSEC Bogus, 18 Prohibited, 22 No Reachable Authority). */
  code: number;
  /** EXTRA-TEXT, UTF-8 in the RFC; kept as printable ASCII here. */
  text: string;
}

export interface DnsEdns {
  /** Requestor's UDP payload size (RFC 6891 §6.1.2: the OPT CLASS field). */
  udpSize: number;
  /** Upper 8 bits of the 12-bit rcode (RFC 6891 §6.1.3). */
  extRcode: number;
  version: number;
  /** DNSSEC OK bit (RFC 3225). */
  do: boolean;
  /** Extended DNS Errors (option 15, RFC 8914) found in the OPT RDATA. */
  ede: DnsEdeOption[];
  /** Option codes in order (e.g. 8 client-subnet, 10 cookie, 12 padding, 15 EDE). */
  options: number[];
}

export interface DnsMessage {
  id: number;
  qr: boolean;
  opcode: number;
  aa: boolean;
  tc: boolean;
  rd: boolean;
  ra: boolean;
  /** RFC 4035 §3.2.3 AD, §3.2.2 CD. */
  ad: boolean;
  cd: boolean;
  /** The 4 rcode bits of the header. */
  headerRcode: number;
  /** Full rcode: headerRcode | edns.extRcode << 4 when an OPT RR was decoded (RFC 6891 §6.1.3). */
  rcode: number;
  qdcount: number;
  ancount: number;
  nscount: number;
  arcount: number;
  questions: DnsQuestion[];
  answers: DnsRR[];
  authority: DnsRR[];
  /** Additional RRs, including the OPT pseudo-RR (which is also summarised in `edns`). */
  additional: DnsRR[];
  edns: DnsEdns | null;
  /** Set when the message ends early or holds an impossible value; sections above are partial. */
  stop?: DecodeStop;
}

// ---------------------------------------------------------------------------------------------
// Names

/** Result slot for readName, reused so name reading allocates only the string. */
let nameEnd = 0;

/**
 * Names already read in the message being decoded, by the offset they start at (only names read
 * without following a pointer): a name that is just a pointer to one of them (the usual answer
 * owner, 0xc00c) gets the same string without reading it again. Reset by decodeDns.
 */
const MEMO = 8;
const memoPos = new Int32Array(MEMO);
const memoStr: string[] = new Array<string>(MEMO).fill('');
let memoN = 0;

/** Label bytes that labelText would escape ('.', '\\', and bytes outside 0x21..0x7e). */
const LABEL_ESC = escapeTable([0x2e, 0x5c], 0x21);
/** Plain names are assembled here (at most 255 octets on the wire, so at most 254 characters). */
const scratch = new Uint8Array(MAX_NAME_WIRE + 1);

/**
 * readName for the usual name: labels of plain bytes only, built in one pass into one flat string.
 * Returns null (and reads nothing) when the name needs escaping or is not well formed: readName
 * then does the full job, with its exact errors.
 */
function readPlainName(b: Uint8Array, base: number, end: number, pos: number): string | null {
  if (end > b.length) return null;
  let p = pos;
  let n = 0;
  let wire = 0;
  let jumps = 0;
  let after = -1;
  for (;;) {
    if (p >= end) return null;
    const l = b[p]!;
    const kind = l & 0xc0;
    if (kind === 0xc0) {
      if (p + 2 > end) return null;
      const target = ((l & 0x3f) << 8) | b[p + 1]!;
      if (base + target >= p) return null;
      if (++jumps > MAX_POINTER_JUMPS) return null;
      if (after < 0) {
        after = p + 2;
        if (p === pos) {
          // A pointer straight to a name read before.
          for (let i = 0; i < memoN; i++) {
            if (memoPos[i] === base + target) {
              nameEnd = after;
              return memoStr[i]!;
            }
          }
        }
      }
      p = base + target;
      continue;
    }
    if (kind !== 0) return null;
    wire += l + 1;
    if (wire > MAX_NAME_WIRE) return null;
    if (l === 0) {
      nameEnd = after < 0 ? p + 1 : after;
      const name = latin1(scratch, 0, n);
      if (jumps === 0 && memoN < MEMO) {
        memoPos[memoN] = pos;
        memoStr[memoN++] = name;
      }
      return name;
    }
    if (p + 1 + l > end) return null;
    if (n > 0) scratch[n++] = 0x2e;
    for (let i = p + 1; i <= p + l; i++) {
      const c = b[i]!;
      if (LABEL_ESC[c] === 1) return null;
      scratch[n++] = c;
    }
    p += 1 + l;
  }
}

/**
 * Reads a possibly-compressed name at `pos` (absolute). On success returns the name and sets
 * `nameEnd` to the absolute offset just after the name's in-place bytes (after the first
 * pointer, if any). Offsets in stops are relative to `base` (the message start).
 */
function readName(b: Uint8Array, base: number, end: number, pos: number): string | DecodeStop {
  const plain = readPlainName(b, base, end, pos);
  if (plain !== null) return plain;
  return walkName(b, base, end, pos, true);
}

/**
 * Walks a name with every check (pointers backwards only, at most MAX_POINTER_JUMPS, 255 octets,
 * labels inside the message) and sets `nameEnd`; builds its text only when `build` is set
 * (else returns '').
 */
function walkName(b: Uint8Array, base: number, end: number, pos: number, build: boolean): string | DecodeStop {
  let name = '';
  let p = pos;
  let wire = 0; // RFC 1035 §3.1 counts length octets + label octets
  let jumps = 0;
  let after = -1; // where the caller resumes: just after the first pointer
  for (;;) {
    if (p >= end) return truncated(LAYER, p - base, 'name runs past end of message');
    const l = u8(b, p);
    const kind = l & 0xc0;
    if (kind === 0xc0) {
      // RFC 1035 §4.1.4 compression pointer: 14-bit offset from the message start.
      if (p + 2 > end) return truncated(LAYER, p - base, 'name pointer cut');
      const target = ((l & 0x3f) << 8) | u8(b, p + 1);
      // A pointer must refer to a prior occurrence (§4.1.4 "prior occurance"); requiring it to
      // point strictly before itself also makes loops impossible.
      if (base + target >= p) return malformed(LAYER, p - base, 'name pointer does not point backwards');
      if (++jumps > MAX_POINTER_JUMPS) return malformed(LAYER, p - base, 'too many name pointers');
      if (after < 0) after = p + 2;
      p = base + target;
      continue;
    }
    if (kind !== 0) {
      // 0x40 extended label types (RFC 6891 §5, deprecated by RFC 6891) and 0x80 reserved.
      return malformed(LAYER, p - base, 'unsupported label type');
    }
    wire += l + 1;
    if (wire > MAX_NAME_WIRE) return malformed(LAYER, p - base, 'name longer than 255 octets');
    if (l === 0) {
      nameEnd = after < 0 ? p + 1 : after;
      return name;
    }
    if (p + 1 + l > end) return truncated(LAYER, p - base, 'label runs past end of message');
    if (build) {
      if (name.length > 0) name += '.';
      name += labelText(b, p + 1, l);
    }
    p += 1 + l;
  }
}

/** RFC 1035 §5.1 presentation of one label. */
function labelText(b: Uint8Array, o: number, n: number): string {
  let s = '';
  for (let i = o; i < o + n; i++) {
    const c = b[i]!;
    if (c === 0x2e || c === 0x5c) s += '\\' + String.fromCharCode(c);
    else if (c > 0x20 && c < 0x7f) s += String.fromCharCode(c);
    else s += '\\' + (c < 10 ? '00' : c < 100 ? '0' : '') + c;
  }
  return s;
}

/** Character-string bytes (RFC 1035 §3.3) as text; bytes outside 0x20..0x7e as \DDD. */
function charText(b: Uint8Array, o: number, n: number): string {
  let s = '';
  for (let i = o; i < o + n; i++) {
    const c = b[i]!;
    if (c === 0x5c) s += '\\\\';
    else if (c >= 0x20 && c < 0x7f) s += String.fromCharCode(c);
    else s += '\\' + (c < 10 ? '00' : c < 100 ? '0' : '') + c;
  }
  return s;
}

// ---------------------------------------------------------------------------------------------
// Addresses

// ---------------------------------------------------------------------------------------------
// RDATA

/** RDATA presentation for the types we report; null otherwise or when it does not fit. */
function rdataText(b: Uint8Array, base: number, end: number, type: number, o: number, n: number): string | null {
  const rdEnd = o + n;
  switch (type) {
    case 1: // A, RFC 1035 §3.4.1
      return n === 4 ? ipv4ToString(u32(b, o)) : null;
    case 28: // AAAA, RFC 3596 §2.2
      return n === 16 ? ipv6ToString(b, o) : null;
    case 2: // NS
    case 5: // CNAME
    case 12: // PTR
    case 39: { // DNAME, RFC 6672
      const name = readName(b, base, end, o);
      return typeof name === 'string' && nameEnd <= rdEnd ? name : null;
    }
    case 15: { // MX, RFC 1035 §3.3.9
      if (n < 3) return null;
      const name = readName(b, base, end, o + 2);
      return typeof name === 'string' && nameEnd <= rdEnd ? `${u16(b, o)} ${name}` : null;
    }
    case 33: { // SRV, RFC 2782
      if (n < 7) return null;
      const name = readName(b, base, end, o + 6);
      return typeof name === 'string' && nameEnd <= rdEnd
        ? `${u16(b, o)} ${u16(b, o + 2)} ${u16(b, o + 4)} ${name}`
        : null;
    }
    case 6: { // SOA, RFC 1035 §3.3.13; its MINIMUM bounds negative caching (RFC 2308 §5)
      const mname = readName(b, base, end, o);
      if (typeof mname !== 'string' || nameEnd > rdEnd) return null;
      const rname = readName(b, base, end, nameEnd);
      if (typeof rname !== 'string' || nameEnd + 20 > rdEnd) return null;
      const q = nameEnd;
      return `${mname} ${rname} ${u32(b, q)} ${u32(b, q + 4)} ${u32(b, q + 8)} ${u32(b, q + 12)} ${u32(b, q + 16)}`;
    }
    case 16: { // TXT, RFC 1035 §3.3.14: one or more <character-string>
      let s = '';
      let p = o;
      while (p < rdEnd) {
        const l = u8(b, p);
        if (p + 1 + l > rdEnd) return null;
        if (p > o) s += ' ';
        s += charText(b, p + 1, l);
        p += 1 + l;
      }
      return s;
    }
    default:
      return null;
  }
}

/** OPT RDATA (RFC 6891 §6.1.2): {OPTION-CODE, OPTION-LENGTH, OPTION-DATA}*, bounded by rdlength. */
function decodeEdns(b: Uint8Array, cls: number, ttl: number, o: number, n: number): DnsEdns {
  const ede: DnsEdeOption[] = [];
  const options: number[] = [];
  const end = o + n;
  let p = o;
  while (p + 4 <= end) {
    const code = u16(b, p);
    const l = u16(b, p + 2);
    if (p + 4 + l > end) break; // cut option: keep the ones before it
    options.push(code);
    if (code === 15 && l >= 2) {
      // RFC 8914 §2: INFO-CODE (2 bytes) then EXTRA-TEXT.
      ede.push({ code: u16(b, p + 4), text: charText(b, p + 6, l - 2) });
    }
    p += 4 + l;
  }
  return {
    udpSize: cls,
    extRcode: ttl >>> 24,
    version: (ttl >>> 16) & 0xff,
    do: (ttl & 0x8000) !== 0,
    ede,
    options,
  };
}

// ---------------------------------------------------------------------------------------------
// Message

/** Walks a name like readName, with the same checks and errors, without building its text. */
function skipName(b: Uint8Array, base: number, end: number, pos: number): DecodeStop | null {
  const r = walkName(b, base, end, pos, false);
  return typeof r === 'string' ? null : r;
}

export interface DecodeDnsOptions {
  /**
   * Only what a transaction tracker reads: authority and additional records keep their type,
   * class, TTL and length, and the OPT record is decoded, but their owner names are '' and their
   * `data` null (names are still walked, so `stop` and every count are those of a full decode).
   */
  lite?: boolean;
}

export function decodeDns(b: Uint8Array, off: number, len: number, opts?: DecodeDnsOptions): DnsMessage | DecodeStop {
  const end = Math.min(off + len, b.length);
  if (end - off < HEADER_LEN) return truncated(LAYER, 0, 'shorter than the 12-byte header');
  memoN = 0;
  const lite = opts !== undefined && opts.lite === true;
  // RFC 1035 §4.1.1 header; AD/CD from RFC 4035 §3.2.
  const flags = u16(b, off + 2);
  const msg: DnsMessage = {
    id: u16(b, off),
    qr: (flags & 0x8000) !== 0,
    opcode: (flags >> 11) & 0xf,
    aa: (flags & 0x0400) !== 0,
    tc: (flags & 0x0200) !== 0,
    rd: (flags & 0x0100) !== 0,
    ra: (flags & 0x0080) !== 0,
    ad: (flags & 0x0020) !== 0,
    cd: (flags & 0x0010) !== 0,
    headerRcode: flags & 0xf,
    rcode: flags & 0xf,
    qdcount: u16(b, off + 4),
    ancount: u16(b, off + 6),
    nscount: u16(b, off + 8),
    arcount: u16(b, off + 10),
    questions: [],
    answers: [],
    authority: [],
    additional: [],
    edns: null,
  };
  let p = off + HEADER_LEN;

  // Questions (RFC 1035 §4.1.2): QNAME, QTYPE, QCLASS.
  for (let i = 0; i < msg.qdcount; i++) {
    const name = readName(b, off, end, p);
    if (typeof name !== 'string') {
      msg.stop = name;
      return msg;
    }
    p = nameEnd;
    if (p + 4 > end) {
      msg.stop = truncated(LAYER, p - off, 'question type/class cut');
      return msg;
    }
    const q = { name, type: u16(b, p), cls: u16(b, p + 2) };
    // A list made with its first entry is of that length (a push to an empty one reserves 16).
    if (i === 0) msg.questions = [q];
    else msg.questions.push(q);
    p += 4;
  }

  // Resource records (RFC 1035 §4.1.3): NAME, TYPE, CLASS, TTL, RDLENGTH, RDATA.
  for (let s = 0; s < 3; s++) {
    const count = s === 0 ? msg.ancount : s === 1 ? msg.nscount : msg.arcount;
    let list = s === 0 ? msg.answers : s === 1 ? msg.authority : msg.additional;
    const full = !lite || s === 0;
    for (let i = 0; i < count; i++) {
      let name = '';
      if (full) {
        const r = readName(b, off, end, p);
        if (typeof r !== 'string') {
          msg.stop = r;
          return msg;
        }
        name = r;
      } else {
        const st = skipName(b, off, end, p);
        if (st !== null) {
          msg.stop = st;
          return msg;
        }
      }
      p = nameEnd;
      if (p + 10 > end) {
        msg.stop = truncated(LAYER, p - off, 'resource record header cut');
        return msg;
      }
      const type = u16(b, p);
      const cls = u16(b, p + 2);
      const ttl = u32(b, p + 4);
      const rdlength = u16(b, p + 8);
      const rd = p + 10;
      if (rd + rdlength > end) {
        msg.stop = truncated(LAYER, rd - off, 'RDATA runs past end of message');
        return msg;
      }
      if (type === 41 && s === 2) {
        // RFC 6891 §6.1.1: only one OPT, owner must be root; a second one makes the message
        // FORMERR for a server. We keep the first and flag a second as malformed.
        if (msg.edns !== null) {
          msg.stop = malformed(LAYER, p - off, 'more than one OPT record');
          return msg;
        }
        msg.edns = decodeEdns(b, cls, ttl, rd, rdlength);
        msg.rcode = msg.headerRcode | (msg.edns.extRcode << 4);
      }
      const rr = { name, type, cls, ttl, rdlength, data: full ? rdataText(b, off, end, type, rd, rdlength) : null };
      if (i === 0) {
        list = [rr];
        if (s === 0) msg.answers = list;
        else if (s === 1) msg.authority = list;
        else msg.additional = list;
      } else list.push(rr);
      p = rd + rdlength;
    }
  }
  return msg;
}

// ---------------------------------------------------------------------------------------------
// DNS over TCP

export type DnsTcpChunk =
  /** A whole message at b[offset .. offset+length) (absolute offsets, length prefix excluded). */
  | { complete: true; offset: number; length: number }
  /**
   * The last message is cut: `have` bytes of it (prefix included) are at b[offset..], and at
   * least `need` more bytes are required (exactly `need` once the 2-byte prefix is complete).
   */
  | { complete: false; offset: number; have: number; need: number };

/** RFC 1035 §4.2.2 / RFC 7766 §8: each message is preceded by a 2-byte length; a segment may
 *  carry several messages and a message may span segments. Each step consumes >= 2 bytes. */
export function dnsOverTcpMessages(b: Uint8Array, off: number, len: number): DnsTcpChunk[] {
  const end = Math.min(off + len, b.length);
  const out: DnsTcpChunk[] = [];
  let p = off;
  while (p < end) {
    if (p + 2 > end) {
      out.push({ complete: false, offset: p, have: end - p, need: 1 });
      break;
    }
    const l = u16(b, p);
    if (p + 2 + l > end) {
      out.push({ complete: false, offset: p, have: end - p, need: p + 2 + l - end });
      break;
    }
    out.push({ complete: true, offset: p + 2, length: l });
    p += 2 + l;
  }
  return out;
}
