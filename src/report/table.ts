import Table from 'cli-table3';
import type { Report } from './model.js';

export interface TableOptions {
  color: boolean;
}

/** Terminal rendering: capture facts, then verdicts. */
export function renderTable(r: Report, opts: TableOptions): string {
  const style = opts.color ? {} : { head: [], border: [] };
  const c = r.capture;
  const facts = new Table({ style });
  facts.push(
    { capture: `${c.source} (${c.format}${c.compressed ? ', gzip' : ''}; ${c.linkTypes.join(', ') || 'no interfaces'})` },
    { packets: `${c.packets} packets, ${c.bytes} bytes${c.truncatedPackets ? `, ${c.truncatedPackets} cut by snaplen` : ''}` },
    { time: c.start ? `${c.start} .. ${c.end}` : '-' },
  );
  const out = [facts.toString()];
  for (const w of c.warnings) out.push(`warning: ${w}`);
  if (r.verdicts.length === 0) out.push('No failure found.');
  return `${out.join('\n')}\n`;
}
