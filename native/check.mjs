#!/usr/bin/env node
// Does live capture work here? Prints which binding loads (wirewhy's own, native/build/Release/
// wwpcap.node, or the `cap` fallback) and libpcap's version, whether this user may capture, and
// how kernel drops are counted — each with the fix when not. Exit status 0 when capture will
// work, 2 when not. Uses the same checks as `wirewhy interfaces` and the capture errors
// (src/capture/live.ts, built into dist/ by `npm install`).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const built = join(root, 'dist/src/capture/live.js');
if (!existsSync(built)) {
  console.log(`wirewhy is not built (${built} missing): run npm install (or npx tsc -p tsconfig.json) in ${root}`);
  process.exit(2);
}
const live = await import(built);
const s = live.captureStatus();
let ok = true;
if (s.binding.ok) {
  const what = s.binding.kind === 'wwpcap' ? `wirewhy's binding, ${s.binding.libpcap ?? 'libpcap version unknown'}` : "the npm 'cap' fallback: timestamps on arrival, not the kernel's; build wirewhy's with npm run build:native";
  console.log(`binding: ok (${s.binding.module} loads: ${what})`);
} else {
  ok = false;
  console.log(`binding: NOT LOADED — ${s.binding.error}\n  fix: ${s.binding.hint}`);
}
if (s.permission.permitted) console.log(`permission: ok (${s.permission.how})`);
else {
  ok = false;
  console.log(`permission: NOT PERMITTED (${s.permission.how})\n  fix: ${live.permissionFix()}`);
}
if (s.binding.ok) console.log(s.dropCounter ? `kernel drops: read with ${s.dropCounter}` : 'kernel drops: unknown (cap fallback without native/bin/ww-pktstats or python3): run native/build.sh');
process.exit(ok ? 0 : 2);
