/**
 * A verdict as the diagnosis makes it: language-free data. Its words (summary, explanation,
 * advice, evidence notes) are chosen when the report is rendered (report/words.ts), from the
 * cause's entry in the catalogue and the typed facts below — so one analysis renders in any
 * language, and redaction replaces addresses and names before any sentence is made.
 */
import type { Args, Fact } from '../facts.js';
import { MISSING } from './words.js';

export type Layer = 'capture' | 'dns' | 'icmp' | 'tcp' | 'udp' | 'tls' | 'http' | 'app' | 'dhcp' | 'ok';
export type Severity = 'error' | 'warning' | 'ok';

export interface Target {
  name: string | null;
  ip: string | null;
  port: number | null;
  transport: 'tcp' | 'udp' | 'icmp' | null;
}

/** One packet that proves the verdict: what it was is `kind` with `args` (evidence kinds, evidence.ts). */
export interface Evidence {
  frame: number;
  /** ISO-8601 UTC capture time; null when the packet's time is none a report can write (time.ts). */
  time: string | null;
  /** The packet's sender and receiver (IP addresses), when known: the HTML ladder draws them. */
  from?: string;
  to?: string;
  kind: string;
  args: Args;
  /**
   * The port of the attempt this packet belongs to, in a verdict told for several ports of one
   * host (aggregate.ts): its packets interleave, and the note says which port each is about.
   */
  port?: number;
}

export interface Verdict {
  target: Target;
  client: { ip: string | null };
  layer: Layer;
  /** A code of the cause catalogue (catalogue.ts). */
  cause: string;
  severity: Severity;
  attempts: number;
  /** The typed values the cause's words need (placeholders of words.ts). */
  facts: Args;
  evidence: Evidence[];
  /** What the capture cannot prove about this verdict (limit kinds), said plainly in the report. */
  limits: Fact[];
  /** Cause-specific data for scripts (contract: details), language-free. */
  details: Record<string, unknown>;
  /**
   * The exchanges came from outside the capture's own hosts, to one of them (perspective.ts);
   * absent when the capture has no perspective.
   */
  inbound?: boolean;
}

/** An address as it goes before ':port': IPv6 in brackets. */
export const bracket = (ip: string): string => (ip.includes(':') ? `[${ip}]` : ip);

/** The target as a person reads it: the name asked for (with its port unless 80 / 443), else ip:port. */
export function targetText(t: Target): string {
  if (t.name) return t.port !== null && t.port !== 443 && t.port !== 80 ? `${t.name}:${t.port}` : t.name;
  if (t.ip) return t.port !== null ? `${bracket(t.ip)}:${t.port}` : t.ip;
  return MISSING;
}
