/** FNV-1a (32-bit) of b[off .. end): a fast hash of bytes, for caches and comparisons, not security. */
export function fnv1a(b: Uint8Array, off = 0, end = b.length): number {
  let h = 0x811c9dc5;
  for (let i = off; i < end; i++) h = Math.imul(h ^ b[i]!, 0x01000193);
  return h >>> 0;
}
