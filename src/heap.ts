/**
 * The engine's heap, tuned for a packet loop (the command line and the benchmark's stages that
 * stand for it; the library leaves its host's settings alone). V8 lets its heap grow to several
 * times what is alive when a program allocates as fast as a packet loop does: 80 MB of live
 * state took 365 MB of memory on the 200k-NXDOMAIN bench capture. A heap that grows by 30 %
 * after each full collection holds that to 228 MB at the same speed (the mixed capture: no
 * change; a 1M-SYN scan: 790 -> 353 MB, 1.5x the time). The flag is read at every collection, so
 * it applies from the call on. WIREWHY_HEAP_GROWING=N sets another percentage; 0 leaves V8's own.
 */
import { setFlagsFromString } from 'node:v8';

export function tuneHeap(): void {
  const pct = process.env['WIREWHY_HEAP_GROWING'] ?? '30';
  if (pct !== '0' && /^\d{1,3}$/.test(pct)) setFlagsFromString(`--heap-growing-percent=${pct}`);
}
