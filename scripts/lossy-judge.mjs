// node scripts/lossy-judge.mjs PROFILE FETCHES REPORT.json  (lossy-check.sh's judge)
// FETCHES: one line per curl fetch, "host port exitcode httpcode". Prints the profile's block to
// stderr and "FALSE MISSED" on stdout: error verdicts for a target every fetch of which curl
// completed (false FAIL), and fetches curl saw fail that no verdict names (missed).
import { readFileSync } from 'node:fs';

const [prof, fetchesFile, reportFile] = process.argv.slice(2);
const fetches = readFileSync(fetchesFile, 'utf8').trim().split('\n').filter(Boolean).map((l) => {
  const [host, port, rc, code] = l.split(' ');
  return { host, port: Number(port), ok: rc === '0' && code === '200', rc, code };
});
let report = null;
try {
  report = JSON.parse(readFileSync(reportFile, 'utf8'));
} catch {
  console.error(`${prof}: no report (wirewhy failed)`);
  console.log('1 0');
  process.exit(0);
}
const byTarget = new Map();
for (const f of fetches) {
  const k = `${f.host}:${f.port}`;
  const t = byTarget.get(k) ?? { ok: 0, failed: 0, codes: [] };
  if (f.ok) t.ok++;
  else {
    t.failed++;
    t.codes.push(`${f.rc}/${f.code}`);
  }
  byTarget.set(k, t);
}
const names = new Map();
for (const f of fetches) {
  const n = names.get(f.host) ?? { ok: 0, failed: 0 };
  // curl exit 6: could not resolve the host
  if (f.rc === '6') n.failed++;
  else n.ok++;
  names.set(f.host, n);
}
const lines = [];
let falseFail = 0;
let missed = 0;
const named = new Set();
for (const v of report.verdicts) {
  const t = v.target ?? {};
  const name = t.name ?? t.ip;
  let truth = '';
  if (v.layer === 'dns' || String(v.cause).startsWith('dns.')) {
    const n = names.get(t.name);
    if (n) named.add(`dns:${t.name}`);
    if (v.severity === 'error' && n && n.failed === 0) truth = 'FALSE FAIL (every lookup of curl resolved)';
  } else {
    const keys = [`${name}:${t.port}`];
    if (t.ip === '203.0.113.10') for (const h of names.keys()) keys.push(`${h}:${t.port}`);
    const ts = keys.map((k) => byTarget.get(k)).filter(Boolean);
    for (const k of keys) if (byTarget.has(k)) named.add(k);
    if (v.severity === 'error' && ts.length > 0 && ts.every((x) => x.failed === 0)) truth = 'FALSE FAIL (curl completed every fetch)';
  }
  if (truth) falseFail++;
  lines.push(`  ${v.severity.padEnd(7)} ${v.cause} ${name}:${t.port ?? ''}${truth ? '   <-- ' + truth : ''}`);
}
// Every fetch curl saw fail must be named: a lookup that failed (exit 6) by a DNS verdict of its
// name, anything else by a verdict of its target (a failure, or a warning such as "worked in the end").
const dnsNamed = new Set(report.verdicts.filter((v) => v.severity !== 'ok' && String(v.cause).startsWith('dns.')).map((v) => v.target?.name));
const targetNamed = new Set(report.verdicts.filter((v) => v.severity !== 'ok' && !String(v.cause).startsWith('dns.')).map((v) => `${v.target?.name ?? v.target?.ip}:${v.target?.port}`));
for (const f of fetches) {
  if (f.ok) continue;
  const told = f.rc === '6' ? dnsNamed.has(f.host) : targetNamed.has(`${f.host}:${f.port}`) || targetNamed.has(`203.0.113.10:${f.port}`);
  if (told) continue;
  missed++;
  lines.push(`  MISSED  ${f.host}:${f.port}: curl failed (exit ${f.rc}, HTTP ${f.code}) and no verdict names it`);
}
const ok = fetches.filter((f) => f.ok).length;
console.error(`${prof}: ${fetches.length} fetches, ${ok} completed, ${fetches.length - ok} failed (${fetches.filter((f) => !f.ok).map((f) => `${f.host}:${f.port} ${f.rc}/${f.code}`).join(', ') || 'none'}); ${report.capture.packets} packets, ${report.verdicts.length} verdicts`);
for (const l of lines) console.error(l);
console.log(`${falseFail} ${missed}`);
