/** Address text: dotted quad, and RFC 5952 canonical IPv6 (lowercase, longest zero run as ::). */

export function ipv4ToString(a: number): string {
  return `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`;
}

/** A dotted quad as an unsigned number (ipv4ToString's inverse), or -1 when `ip` is none. */
export function ipv4Number(ip: string): number {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip);
  if (m === null) return -1;
  const p = [Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4])];
  if (p.some((x) => x > 255)) return -1;
  return ((p[0]! << 24) | (p[1]! << 16) | (p[2]! << 8) | p[3]!) >>> 0;
}

export function ipv6ToString(b: Uint8Array, o: number): string {
  const w: number[] = new Array(8);
  for (let i = 0; i < 8; i++) w[i] = ((b[o + 2 * i]! << 8) | b[o + 2 * i + 1]!) >>> 0;
  // IPv4-mapped ::ffff:a.b.c.d keeps its dotted tail (RFC 5952 §5).
  if (w[0] === 0 && w[1] === 0 && w[2] === 0 && w[3] === 0 && w[4] === 0 && w[5] === 0xffff) {
    return `::ffff:${b[o + 12]}.${b[o + 13]}.${b[o + 14]}.${b[o + 15]}`;
  }
  let bestStart = -1;
  let bestLen = 1; // a single zero group is not compressed (RFC 5952 §4.2.2)
  for (let i = 0; i < 8; ) {
    if (w[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && w[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hexw = (x: number): string => x.toString(16);
  if (bestStart < 0) return w.map(hexw).join(':');
  const head = w.slice(0, bestStart).map(hexw).join(':');
  const tail = w.slice(bestStart + bestLen).map(hexw).join(':');
  return `${head}::${tail}`;
}
