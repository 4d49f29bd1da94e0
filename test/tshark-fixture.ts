/** Reads the tshark fixtures written by scripts/tshark-fixtures.sh (see test/fixtures/tshark/README.md). */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export const REPO = new URL('..', import.meta.url).pathname;
export const FIXTURES = join(REPO, 'test/fixtures/tshark');
export const SHARED = join(REPO, '../shared/captures');
export const SAMPLES = join(REPO, 'samples');
/** Tunnel captures (scripts/tunnel-captures.sh): real inner traffic, tunnel headers from the RFCs. */
export const TUNNELS = join(REPO, 'test/fixtures/tunnels');

export type Row = Record<string, string>;

export function readTsv(path: string): Row[] {
  const lines = readFileSync(path, 'utf8').split('\n');
  const head = lines[0]!.split('\t');
  const rows: Row[] = [];
  for (const line of lines.slice(1)) {
    if (line === '') continue;
    const cells = line.split('\t');
    const r: Row = {};
    head.forEach((h, i) => {
      r[h] = cells[i] ?? '';
    });
    rows.push(r);
  }
  return rows;
}

/** Every occurrence of a field (tshark joins them with ','). */
export function all(r: Row, f: string): string[] {
  const v = r[f] ?? '';
  return v === '' ? [] : v.split(',');
}

export interface FixtureCapture {
  /** Path of the capture file. */
  file: string;
  /** Path of its fixture TSV. */
  tsv: string;
  /** Label for test names, e.g. shared/zeek/smtp.pcap. */
  label: string;
  index: { packets: number; capinfos_packets: number | null; tshark_error: string | null; format: string | null };
}

/** Captures that have a fixture: ../shared/captures/<sub>/*, samples/* and test/fixtures/tunnels/*. */
export function fixtureCaptures(): FixtureCapture[] {
  const out: FixtureCapture[] = [];
  const sets: Array<[string, string]> = [];
  if (existsSync(join(FIXTURES, 'shared')) && existsSync(SHARED)) {
    for (const sub of readdirSync(join(FIXTURES, 'shared')).sort()) sets.push([`shared/${sub}`, join(SHARED, sub)]);
  }
  if (existsSync(join(FIXTURES, 'samples'))) sets.push(['samples', SAMPLES]);
  if (existsSync(join(FIXTURES, 'tunnels'))) sets.push(['tunnels', TUNNELS]);
  for (const [set, dir] of sets) {
    const idxPath = join(FIXTURES, set, 'index.json');
    if (!existsSync(idxPath)) continue;
    const index = JSON.parse(readFileSync(idxPath, 'utf8')) as Record<string, FixtureCapture['index']>;
    for (const name of Object.keys(index).sort()) {
      const file = join(dir, name);
      if (!existsSync(file)) continue;
      out.push({ file, tsv: join(FIXTURES, set, `${name}.tsv`), label: `${set}/${name}`, index: index[name]! });
    }
  }
  return out;
}
