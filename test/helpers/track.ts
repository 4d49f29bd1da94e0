/** Runs Ethernet frames (numbered from 1, in order) through the decoder and the whole tracker. */
import { Decoder } from '../../src/decode/decoder.js';
import { Packet } from '../../src/decode/packet.js';
import { newRawPacket } from '../../src/capture/types.js';
import { Tracker, type FinishedConn } from '../../src/track/tracker.js';

export function trackFrames(frames: Array<{ ts: number; frame: Uint8Array }>): { done: FinishedConn[]; tr: Tracker } {
  const dec = new Decoder();
  const p = new Packet();
  const done: FinishedConn[] = [];
  const tr = new Tracker({ onConn: (f) => done.push(f) });
  frames.forEach((f, i) => {
    const raw = newRawPacket();
    Object.assign(raw, { frame: i + 1, tsSec: Math.floor(f.ts), tsNsec: Math.round((f.ts % 1) * 1e9), linkType: 1, buf: f.frame, off: 0, capLen: f.frame.length, origLen: f.frame.length });
    tr.packet(dec.decode(raw, p));
  });
  tr.flush();
  return { done, tr };
}
