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
  const failed = r.connections.filter((x) => ['S0', 'REJ', 'RSTO', 'RSTR', 'RSTOS0', 'RSTRH', 'SH', 'SHR'].includes(x.state));
  const dnsFailed = r.dns.filter((d) => d.rcode !== 'NOERROR');
  const alerts = r.tls.flatMap((t) => t.alerts);
  const httpErr = r.http.filter((h) => h.status === null || h.status >= 400);
  out.push(
    `Seen: ${r.connections.length} connections (${failed.length} not cleanly established or closed), ` +
      `${r.dns.length} DNS transactions (${dnsFailed.length} not NOERROR), ${r.tls.length} TLS sessions (${alerts.length} alerts), ` +
      `${r.http.length} HTTP requests (${httpErr.length} errors or unanswered), ${r.icmp.length} ICMP errors.`,
  );
  if (r.verdicts.length === 0) {
    // Verdicts come from the diagnosis stage; until a rule names a failure, say what was seen
    // rather than claiming that nothing failed.
    out.push('No verdict: this version reports the records above; --format json lists them in full.');
  }
  return `${out.join('\n')}\n`;
}
