/**
 * A DataView over the bytes being decoded, made once per buffer: the capture reader hands out
 * every packet from the same buffer, so a new view is made only when it grows or for a
 * reassembled datagram. A DataView read of 2 or 4 bytes is one bounds check and one load, where
 * reading them from the Uint8Array is one per byte.
 */
let lastBytes: Uint8Array | null = null;
let lastView: DataView = new DataView(new ArrayBuffer(0));

export function viewOf(b: Uint8Array): DataView {
  if (b !== lastBytes) {
    lastBytes = b;
    lastView = new DataView(b.buffer, b.byteOffset, b.byteLength);
  }
  return lastView;
}
