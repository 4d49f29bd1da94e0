/**
 * Reads a capture (a file path or the bytes of one) and hands every decoded packet to `onPacket`:
 * what tracker tests do before they look at connections. The Packet object is reused.
 */
import { openCapture, openStream } from '../../src/capture/open.js';
import { Decoder } from '../../src/decode/decoder.js';
import { Packet } from '../../src/decode/packet.js';

export async function eachDecoded(capture: string | Uint8Array, onPacket: (p: Packet) => void): Promise<void> {
  const src = typeof capture === 'string'
    ? await openCapture(capture)
    : await openStream((async function* () {
      yield capture;
    })());
  const dec = new Decoder();
  const p = new Packet();
  await src.forEach((r) => {
    dec.decode(r, p);
    onPacket(p);
  });
}
