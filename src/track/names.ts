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
  private readonly byIp = new Map<string, string[]>();

  add(ip: string, name: string): void {
    if (!name) return;
    let n = hasUpper(name) ? name.toLowerCase() : name;
    if (n.charCodeAt(n.length - 1) === 0x2e) n = n.slice(0, -1);
    const l = this.byIp.get(ip);
    if (!l) this.byIp.set(ip, [n]);
    // A full list takes no more (checked first: a busy address's list is full, and compares cost).
    else if (l.length < MAX_NAMES_PER_IP && !l.includes(n)) l.push(n);
  }

  /** Maps every A/AAAA answer to the question's name (through CNAMEs), then to the record's owner. */
  addAnswers(query: string, answers: ReadonlyArray<{ name: string; type: number; data: string | null }>): void {
    for (const rr of answers) {
      if (isAddressType(rr.type) && rr.data) {
        // The owner of the address record is the end of the chain; the client asked for `query`.
        this.add(rr.data, query);
        if (rr.name !== query && rr.name.toLowerCase() !== query.toLowerCase()) this.add(rr.data, rr.name);
      }
    }
  }

  /** The same for a whole transaction (answered NOERROR only). */
  addDns(t: DnsTransaction): void {
    if (t.query !== null && t.rcode === 0) this.addAnswers(t.query, t.answers);
  }

  /** The first (most likely asked-for) name of an address, or null. */
  name(ip: string): string | null {
    return this.byIp.get(ip)?.[0] ?? null;
  }

  names(ip: string): string[] {
    return this.byIp.get(ip) ?? [];
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
