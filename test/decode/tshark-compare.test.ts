/**
 * Cross-check of the capture readers and the link / IP / transport decoders against tshark's
 * reading of the same files (fixtures made by scripts/tshark-fixtures.sh), field by field.
 *
 * Deliberate differences (each is skipped by a rule below, and counted so it cannot grow
 * unnoticed):
 *  - tshark's tcp.flags has 12 bits (NS/AE and reserved); we decode the 8 classic flags.
 *  - Inside an ICMP error tshark also dissects the quoted packet, so its ip/tcp/udp fields hold
 *    both the carrier and the quoted values; we compare the carrier with our packet and the
 *    quoted values with our `quoted`.
 */
import { describe, expect, it } from 'vitest';
import { openCapture } from '../../src/capture/open.js';
import { Decoder } from '../../src/decode/decoder.js';
import { Packet, FRAG_PART } from '../../src/decode/packet.js';
import { decodeDns } from '../../src/decode/dns.js';
import { isStop } from '../../src/decode/stop.js';
import { all, fixtureCaptures, readTsv, type Row } from '../tshark-fixture.js';

const captures = fixtureCaptures();

function last<T>(a: T[]): T | undefined {
  return a[a.length - 1];
}

interface Ours {
  frame: number;
  time: string;
  capLen: number;
  len: number;
  ipVersion: number;
  src: string;
  dst: string;
  ttl: number;
  ipId: number;
  proto: number;
  fragPart: boolean;
  sport: number;
  dport: number;
  flags: number;
  seq: number;
  ack: number;
  win: number;
  tcpLen: number;
  mss: number;
  wscale: number;
  udpLen: number;
  icmpType: number;
  icmpCode: number;
  quoted: null | { src: string; dst: string; sport: number; dport: number; proto: number };
  /** DNS over UDP port 53: the decoded message (or the stop), else null. */
  dns: null | { id: number; qr: number; rcode: number; names: string[]; types: number[]; answers: number; a: string[]; aaaa: string[]; cname: string[] } | 'stop';
}

function dnsOf(p: Packet): Ours['dns'] {
  if (p.proto !== 17 || p.quoted.present || (p.sport !== 53 && p.dport !== 53) || p.payLen === 0) return null;
  const m = decodeDns(p.nb, p.payOff, p.payLen);
  if (isStop(m)) return 'stop';
  // tshark's dns.a / dns.aaaa / dns.cname list the records of every section, in order.
  const rrs = [...m.answers, ...m.authority, ...m.additional];
  const data = (t: number): string[] => rrs.filter((r) => r.type === t && r.data !== null).map((r) => r.data!);
  return {
    id: m.id,
    qr: m.qr ? 1 : 0,
    rcode: m.headerRcode,
    // tshark prints the root name as <Root>.
    names: m.questions.map((q) => (q.name === '' ? '<Root>' : q.name)),
    types: m.questions.map((q) => q.type),
    answers: m.ancount,
    a: data(1),
    aaaa: data(28),
    cname: data(5),
  };
}

async function decodeAll(file: string): Promise<Ours[]> {
  const src = await openCapture(file);
  const dec = new Decoder();
  const p = new Packet();
  const out: Ours[] = [];
  await src.forEach((raw) => {
    dec.decode(raw, p);
    out.push({
      frame: p.frame,
      time: `${p.tsSec}.${String(p.tsNsec).padStart(9, '0')}`,
      capLen: p.capLen,
      len: p.origLen,
      ipVersion: p.ipVersion,
      src: p.srcAddr(),
      dst: p.dstAddr(),
      ttl: p.ttl,
      ipId: p.ipId,
      proto: p.proto,
      fragPart: p.fragment === FRAG_PART,
      sport: p.sport,
      dport: p.dport,
      flags: p.tcpFlags,
      seq: p.seq,
      ack: p.ack,
      win: p.win,
      tcpLen: p.payWireLen,
      mss: p.mss,
      wscale: p.wscale,
      udpLen: p.proto === 17 ? p.payWireLen + 8 : -1,
      icmpType: p.icmpType,
      icmpCode: p.icmpCode,
      quoted: p.quoted.present
        ? { src: p.quotedSrc(), dst: p.quotedDst(), sport: p.quoted.sport, dport: p.quoted.dport, proto: p.quoted.proto }
        : null,
      dns: dnsOf(p),
    });
  });
  return out;
}

/** Compares one frame; returns the list of disagreements as strings. */
function compare(t: Row, o: Ours): string[] {
  const diffs: string[] = [];
  const eq = (field: string, theirs: string | number | undefined, ours: string | number): void => {
    if (theirs === undefined || theirs === '') return;
    if (String(theirs) !== String(ours)) diffs.push(`${field}: tshark ${theirs} ours ${ours}`);
  };
  eq('frame.number', t['frame.number'], o.frame);
  eq('frame.time_epoch', t['frame.time_epoch'], o.time);
  eq('frame.cap_len', t['frame.cap_len'], o.capLen);
  eq('frame.len', t['frame.len'], o.len);

  const icmpErr = o.quoted !== null;
  // Address lists: outer first, then inner, then (in ICMP errors) the quoted header.
  const v4src = all(t, 'ip.src');
  const v4dst = all(t, 'ip.dst');
  const v6src = all(t, 'ipv6.src');
  const v6dst = all(t, 'ipv6.dst');
  const pick = (list: string[], quotedToo: boolean): string | undefined =>
    quotedToo ? list[list.length - 2] : last(list);
  if (o.ipVersion === 4) {
    const q = icmpErr && o.quoted!.src.includes('.');
    eq('ip.src', pick(v4src, q), o.src);
    eq('ip.dst', pick(v4dst, q), o.dst);
    const ttls = all(t, 'ip.ttl');
    eq('ip.ttl', pick(ttls, q), o.ttl);
    const ids = all(t, 'ip.id').map((x) => String(parseInt(x, 16)));
    eq('ip.id', pick(ids, q), o.ipId);
  } else if (o.ipVersion === 6) {
    const q = icmpErr && o.quoted!.src.includes(':');
    eq('ipv6.src', pick(v6src, q), o.src);
    eq('ipv6.dst', pick(v6dst, q), o.dst);
    eq('ipv6.hlim', pick(all(t, 'ipv6.hlim'), q), o.ttl);
  } else if (v4src.length || v6src.length) {
    diffs.push(`ip: tshark sees IP (${v4src[0] ?? v6src[0]}), ours none`);
  }

  if (o.quoted) {
    const q = o.quoted;
    eq('quoted.src', q.src.includes(':') ? last(v6src) : last(v4src), q.src);
    eq('quoted.dst', q.dst.includes(':') ? last(v6dst) : last(v4dst), q.dst);
    if (q.proto === 6 && q.sport >= 0) {
      eq('quoted.tcp.srcport', last(all(t, 'tcp.srcport')), q.sport);
      eq('quoted.tcp.dstport', last(all(t, 'tcp.dstport')), q.dport);
    }
    if (q.proto === 17 && q.sport >= 0) {
      eq('quoted.udp.srcport', last(all(t, 'udp.srcport')), q.sport);
      eq('quoted.udp.dstport', last(all(t, 'udp.dstport')), q.dport);
    }
    eq('icmp.type', all(t, o.ipVersion === 6 ? 'icmpv6.type' : 'icmp.type')[0], o.icmpType);
    eq('icmp.code', all(t, o.ipVersion === 6 ? 'icmpv6.code' : 'icmp.code')[0], o.icmpCode);
    return diffs;
  }

  if (o.proto === 6 && !o.fragPart && o.sport >= 0) {
    eq('tcp.srcport', last(all(t, 'tcp.srcport')), o.sport);
    eq('tcp.dstport', last(all(t, 'tcp.dstport')), o.dport);
    const f = last(all(t, 'tcp.flags'));
    if (f !== undefined) eq('tcp.flags', parseInt(f, 16) & 0xff, o.flags);
    eq('tcp.seq_raw', last(all(t, 'tcp.seq_raw')), o.seq);
    eq('tcp.ack_raw', last(all(t, 'tcp.ack_raw')), o.ack);
    eq('tcp.window_size_value', last(all(t, 'tcp.window_size_value')), o.win);
    eq('tcp.len', last(all(t, 'tcp.len')), o.tcpLen);
    if (o.mss >= 0 || t['tcp.options.mss_val']) eq('tcp.options.mss_val', last(all(t, 'tcp.options.mss_val')) ?? '-', o.mss);
    if (o.wscale >= 0 || t['tcp.options.wscale.shift']) eq('tcp.options.wscale.shift', last(all(t, 'tcp.options.wscale.shift')) ?? '-', o.wscale);
  } else if (o.proto === 17 && !o.fragPart && o.sport >= 0) {
    eq('udp.srcport', last(all(t, 'udp.srcport')), o.sport);
    eq('udp.dstport', last(all(t, 'udp.dstport')), o.dport);
    eq('udp.length', last(all(t, 'udp.length')), o.udpLen);
  } else if (o.proto === 1 || o.proto === 58) {
    eq('icmp.type', all(t, o.proto === 58 ? 'icmpv6.type' : 'icmp.type')[0], o.icmpType);
    eq('icmp.code', all(t, o.proto === 58 ? 'icmpv6.code' : 'icmp.code')[0], o.icmpCode);
  }
  if (o.dns === 'stop') {
    if (t['dns.id']) diffs.push('dns: tshark decoded a DNS message, ours stopped');
  } else if (o.dns) {
    const m = o.dns;
    eq('dns.id', t['dns.id'] ? String(parseInt(t['dns.id'], 16)) : undefined, m.id);
    eq('dns.flags.response', t['dns.flags.response'], m.qr);
    eq('dns.flags.rcode', t['dns.flags.rcode'], m.rcode);
    eq('dns.qry.name', t['dns.qry.name'], m.names.join(','));
    eq('dns.qry.type', t['dns.qry.type'], m.types.join(','));
    eq('dns.count.answers', t['dns.count.answers'], m.answers);
    eq('dns.a', t['dns.a'], m.a.join(','));
    eq('dns.aaaa', t['dns.aaaa'], m.aaaa.join(','));
    eq('dns.cname', t['dns.cname'], m.cname.join(','));
  }
  if (o.fragPart && (t['tcp.srcport'] || t['udp.srcport'])) diffs.push('fragment: tshark decoded a transport header, ours waits for reassembly');
  return diffs;
}

describe('readers and decoders agree with tshark', () => {
  it('has fixtures to compare with', () => {
    expect(captures.length).toBeGreaterThan(0);
  });
  for (const c of captures) {
    it(c.label, async () => {
      const rows = readTsv(c.tsv);
      const ours = await decodeAll(c.file);
      expect(ours.length).toBe(c.index.packets);
      expect(ours.length).toBe(rows.length);
      const diffs: string[] = [];
      rows.forEach((r, i) => {
        for (const d of compare(r, ours[i]!)) diffs.push(`frame ${i + 1}: ${d}`);
      });
      expect(diffs.slice(0, 20)).toEqual([]);
    });
  }
});
