/**
 * The cause catalogue, built from the cause files (causes/index.ts): every code with its layer,
 * usual severity, words and rules, and the walks of rules the diagnosis runs — connection rules,
 * DNS rules and rules for an ICMP error alone, each ordered by rank (the order an operator walks
 * the layers: ICMP, TCP, TLS, HTTP).
 *
 *   CAUSES / CAUSE_CODES     code → its CauseDef; every code, sorted
 *   causeDef(code)           the entry of a code (throws for an unknown one: a bug)
 *   isCauseCode(s)
 *   CONN_RULES, DNS_RULES, ICMP_RULES, SCAN_RULES, SWEEP_RULES, …, FLOOD_RULES   the walks
 *   PLANNED                  codes no rule produces yet, with the issue that will build them
 */
import * as DEFS from './causes/index.js';
// The limits that belong to no single cause: declared here too, so that every kind a verdict can
// carry is known wherever the catalogue is (a renderer in the browser never loads diagnose.ts).
import './limits.js';
import type { CauseDef } from './cause.js';
import type { ConnRule, DnsRule, IcmpRule, Rule, ScanRule, SweepRule, UdpRequestsRule, PingRule, DnsUpdateRule, FloodRule, ForgedRule, ProbesRule } from './outcome.js';

type Defs = typeof DEFS;
export type CauseCode = Defs[keyof Defs]['code'];

const ALL: readonly CauseDef[] = Object.values(DEFS);

export const CAUSES: Readonly<Record<CauseCode, CauseDef>> = Object.fromEntries(ALL.map((d) => [d.code, d])) as Record<CauseCode, CauseDef>;

export const CAUSE_CODES: readonly CauseCode[] = ALL.map((d) => d.code as CauseCode).sort();

export function isCauseCode(s: unknown): s is CauseCode {
  return typeof s === 'string' && Object.prototype.hasOwnProperty.call(CAUSES, s);
}

export function causeDef(code: string): CauseDef {
  if (!isCauseCode(code)) throw new Error(`unknown cause code ${code}`);
  return CAUSES[code];
}

/** Every rule once (a rule shared by several causes is listed in each of their files). */
export const RULES: readonly Rule[] = [...new Set(ALL.flatMap((d) => d.rules))];

const walk = <R extends Rule>(on: R['on']): readonly R[] => RULES.filter((r): r is R => r.on === on).sort((a, b) => a.rank - b.rank);

export const CONN_RULES = walk<ConnRule>('conn');
export const DNS_RULES = walk<DnsRule>('dns');
export const ICMP_RULES = walk<IcmpRule>('icmp');
export const SCAN_RULES = walk<ScanRule>('scan');
export const SWEEP_RULES = walk<SweepRule>('sweep');
export const UDP_REQUEST_RULES = walk<UdpRequestsRule>('udpRequests');
export const PING_RULES = walk<PingRule>('pings');
export const DNS_UPDATE_RULES = walk<DnsUpdateRule>('dnsUpdate');
export const FLOOD_RULES = walk<FloodRule>('flood');
export const FORGED_RULES = walk<ForgedRule>('forged');
export const PROBES_RULES = walk<ProbesRule>('probes');

export const PLANNED: ReadonlyMap<string, string> = new Map(ALL.filter((d) => d.planned !== undefined).map((d) => [d.code, d.planned!]));
