/**
 * One host, two addresses: a dual-stack client tries a name over IPv6 and IPv4 (Happy Eyeballs,
 * RFC 8305), from two client addresses. Stories are told per client (another client's attempts
 * are its own), so the two families of one host must be put back together: when exactly one IPv4
 * client and exactly one IPv6 client tried the same story (name, port, transport), they are taken
 * for one host. With more clients of a family, which addresses belong together cannot be told,
 * and each client keeps its own story.
 */

export const isV6 = (ip: string): boolean => ip.includes(':');

/**
 * The pairs [IPv6 item, IPv4 item] to put together, among items grouped by `story` (null: never
 * paired). Each item has one client; several items may share a client.
 */
export function dualStackPairs<T>(items: Iterable<T>, story: (t: T) => string | null, client: (t: T) => string | null): Array<[T, T]> {
  const by = new Map<string, { v4: Set<string>; v6: Set<string>; a4: T | null; a6: T | null; n4: number; n6: number }>();
  for (const t of items) {
    const s = story(t);
    const c = client(t);
    if (s === null || c === null) continue;
    let e = by.get(s);
    if (!e) by.set(s, (e = { v4: new Set(), v6: new Set(), a4: null, a6: null, n4: 0, n6: 0 }));
    if (isV6(c)) {
      e.v6.add(c);
      e.a6 = t;
      e.n6++;
    } else {
      e.v4.add(c);
      e.a4 = t;
      e.n4++;
    }
  }
  const out: Array<[T, T]> = [];
  for (const e of by.values()) if (e.n4 === 1 && e.n6 === 1 && e.a4 !== null && e.a6 !== null) out.push([e.a6, e.a4]);
  return out;
}
