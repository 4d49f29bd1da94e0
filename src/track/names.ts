/**
 * Which names led to which addresses: DNS answers (following CNAME chains back to the name the
 * client asked for), TLS SNI, HTTP Host and CONNECT authorities. A connection to an address is
 * then reported under the name the client wanted, as an operator thinks of it.
 */
import { isAddressType, type DnsTransaction } from './dns.js';

const MAX_NAMES_PER_IP = 8;
const MAX_CHAIN = 16;

function hasUpper(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c >= 0x41 && c <= 0x5a) || c > 0x7f) return true;
  }
  return false;
}

export class NameMap {
  /**
   * For each address, the names that led to it (first MAX_NAMES_PER_IP) and, beside each, when
   * the client first and last used it: twice the frame of the DNS answer, or of the first frame
   * of the connection whose TLS ClientHello or HTTP request gave it, plus one for the name the
   * client asked (a DNS question), so that of one answer the question's name comes before the
   * owner of the address record.
   */
  private readonly byIp = new Map<string, { names: string[]; first: number[]; at: number[] }>();

  /** `frame`: where the client used the name (the DNS answer, or the connection's first frame). */
  add(ip: string, name: string, frame = 0, asked = true): void {
    if (!name) return;
    let n = hasUpper(name) ? name.toLowerCase() : name;
    if (n.charCodeAt(n.length - 1) === 0x2e) n = n.slice(0, -1);
    const at = 2 * frame + (asked ? 1 : 0);
    const e = this.byIp.get(ip);
    if (!e) {
      this.byIp.set(ip, { names: [n], first: [at], at: [at] });
      return;
    }
    const i = e.names.indexOf(n);
    if (i >= 0) {
      if (at > e.at[i]!) e.at[i] = at;
      if (at < e.first[i]!) e.first[i] = at;
    } else if (e.names.length < MAX_NAMES_PER_IP) {
      // A full list takes no more (a busy address's list is full).
      e.names.push(n);
      e.first.push(at);
      e.at.push(at);
    }
  }

  /** Maps every A/AAAA answer to the question's name (through CNAMEs), then to the record's owner. */
  addAnswers(query: string, answers: ReadonlyArray<{ name: string; type: number; data: string | null }>, frame = 0): void {
    for (const rr of answers) {
      if (isAddressType(rr.type) && rr.data) {
        // The owner of the address record is the end of the chain; the client asked for `query`.
        this.add(rr.data, query, frame, true);
        if (rr.name !== query && rr.name.toLowerCase() !== query.toLowerCase()) this.add(rr.data, rr.name, frame, false);
      }
    }
  }

  /** The same for a whole transaction (answered NOERROR only). */
  addDns(t: DnsTransaction): void {
    if (t.query !== null && t.rcode === 0) this.addAnswers(t.query, t.answers, t.responseFrame ?? 0);
  }

  /**
   * The name a connection that starts at frame `before` most likely asked for: of the names
   * that led to the address, the one the client used last before it (several names share an
   * address: a CDN, or one service's host names, each looked up just before its own connection);
   * without `before`, or when none came before it, the first name. Null when none.
   */
  name(ip: string, before?: number): string | null {
    const e = this.byIp.get(ip);
    if (!e) return null;
    if (before === undefined || e.names.length === 1) return e.names[0]!;
    let best = 0;
    let bestAt = -1;
    const limit = 2 * before;
    for (let i = 0; i < e.at.length; i++) {
      // Its last use before the connection, as far as its first and last uses tell.
      const last = e.at[i]!;
      const at = last < limit ? last : e.first[i]!;
      if (at < limit && at > bestAt) {
        best = i;
        bestAt = at;
      }
    }
    return e.names[best]!;
  }

  names(ip: string): string[] {
    return this.byIp.get(ip)?.names ?? [];
  }
}

/** The CNAME chain of a transaction, from the question to the final name. */
export function cnameChain(t: DnsTransaction): string[] {
  if (t.query === null) return [];
  const chain = [t.query];
  let cur = t.query.toLowerCase();
  for (let i = 0; i < MAX_CHAIN; i++) {
    const next = t.answers.find((rr) => rr.type === 5 && rr.name.toLowerCase() === cur && rr.data);
    if (!next) break;
    chain.push(next.data!);
    cur = next.data!.toLowerCase();
  }
  return chain;
}
