// Issue 24's crash without the CLI's luck (root; run by stops.test.ts): a live capture on lo is
// opened, stopped and dropped, then the process allocates until V8 runs full collections — the
// allocation path on which the old binding's handle was collected without a V8 context and its
// destructor crashed. Prints "collected after stop: ok" and exits 0 when the process survives.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const live = await import(join(here, '../../dist/src/capture/live.js'));

async function once() {
  const src = live.LiveSource.open({ iface: 'lo', filter: 'udp port 9' });
  const done = src.forEach(() => true);
  await new Promise((r) => setTimeout(r, 100));
  src.stop('test');
  await done;
}
for (let i = 0; i < 3; i++) await once();
await new Promise((r) => setTimeout(r, 50));
// Allocate, keeping a window of objects alive so that they reach the old generation and full
// collections follow (bounded: 6 million small objects).
let keep = [];
for (let i = 0; i < 6_000_000; i++) {
  keep.push({ i, s: `x${i}` });
  if (keep.length > 500_000) keep = [];
}
await new Promise((r) => setTimeout(r, 50));
console.log('collected after stop: ok');
