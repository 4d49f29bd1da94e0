/**
 * Words chosen at render time: a language-free verdict (diagnose/verdict.ts) gets its summary,
 * explanation, advice and evidence notes in the language asked for, from its cause's entry in the
 * catalogue and its typed facts. Every renderer goes through here, so a report says the same in
 * every format.
 *
 *   verdictWords(v, lang)     { summary, explanation, advice, notes, limits }
 *   evidenceNote(e, lang)     one evidence packet's note
 *   evidenceLabel(e, lang)    the short label of its arrow in the ladder diagram
 *   limitText(l, lang)        one limit of what the capture can prove
 */
import type { Lang } from '../lang.js';
import type { Arg, Fact } from '../facts.js';
import type { Evidence, Verdict } from '../diagnose/verdict.js';
import { targetText } from '../diagnose/verdict.js';
import { causeDef } from '../diagnose/catalogue.js';
import { EVIDENCE_KINDS, LIMIT_KINDS, MISSING, fill, senderName, type Vars } from '../diagnose/words.js';

export interface VerdictWords {
  summary: string;
  explanation: string;
  advice: string[];
  /** The note of each evidence packet, in order. */
  notes: string[];
  /** What the capture cannot prove (already part of the explanation). */
  limits: string[];
}

export function evidenceNote(e: Pick<Evidence, 'kind' | 'args' | 'port'>, lang: Lang): string {
  const k = EVIDENCE_KINDS.get(e.kind);
  const note = k ? k.note[lang](e.args) : e.kind;
  // A packet of one of several ports told at once (aggregate.ts): which port.
  if (e.port === undefined) return note;
  return lang === 'zh' ? `端口 ${e.port}：${note}` : `port ${e.port}: ${note}`;
}

export function evidenceLabel(e: Pick<Evidence, 'kind' | 'args'>, lang: Lang): string {
  const k = EVIDENCE_KINDS.get(e.kind);
  if (!k) return e.kind;
  return (k.label ?? k.note)[lang](e.args);
}

export function limitText(l: Fact, lang: Lang): string {
  const k = LIMIT_KINDS.get(l.kind);
  return k ? k.text[lang](l.args) : l.kind;
}

/** {client} of a verdict that stands for several clients: each of them. */
const SEVERAL_CLIENTS: Readonly<Record<Lang, string>> = { en: 'each client', zh: '各客户端' };

/** A fact as a placeholder value: scalars and lists of strings; other shapes are for `vars` functions. */
function asVar(x: Arg): Vars[string] {
  if (typeof x === 'string' || typeof x === 'number' || x === null) return x;
  if (Array.isArray(x) && x.every((y) => typeof y === 'string')) return x as readonly string[];
  return undefined;
}

/** The placeholder values of a verdict: its target, its facts, and what its cause derives. */
export function verdictVars(v: Verdict, lang: Lang): Vars {
  const vars: Record<string, Vars[string]> = {
    target: targetText(v.target),
    host: v.target.name ?? v.target.ip ?? MISSING,
    name: v.target.name,
    // A target reached through an HTTP proxy has no address of its own in the capture: the
    // name the tunnel was asked for stands for it (what the client connected to, in the end).
    ip: v.target.ip ?? v.target.name,
    port: v.target.port,
    transport: v.target.transport,
    // A verdict told once for several clients (a bucket of the overflow) has none of its own.
    client: v.client.ip ?? SEVERAL_CLIENTS[lang],
    attempts: v.attempts,
  };
  for (const [k, x] of Object.entries(v.facts)) vars[k] = asVar(x);
  // A verdict for several clients (a catch-all bucket) speaks of its first target: its client.
  if (v.client.ip === null && typeof v.facts['firstClient'] === 'string') vars['client'] = v.facts['firstClient'];
  if ('sender' in v.facts) vars['sender'] = senderName(v.facts['sender'], lang);
  const own = causeDef(v.cause).vars?.(v, lang);
  return own ? { ...vars, ...own } : vars;
}

/**
 * A verdict told once for several ports of one host (diagnose/aggregate.ts): which ports, in the
 * summary and the explanation (the cause's words speak of the first port).
 */
function portsWords(v: Verdict, lang: Lang): { summary: string; explanation: string } | null {
  const p = v.details['ports'] as { count: number; examples: number[]; withEvidence?: number } | undefined;
  if (!p || typeof p.count !== 'number' || !Array.isArray(p.examples)) return null;
  const more = p.count - p.examples.length;
  // The evidence shows some ports only (bounded): how many it leaves out.
  const shown = typeof p.withEvidence === 'number' && p.withEvidence < p.count ? p.withEvidence : null;
  const left = shown === null ? '' : lang === 'zh'
    ? `证据只列出其中 ${shown} 个端口的数据包，其余 ${p.count - shown} 个未列出。`
    : ` The evidence shows the packets of ${shown} of these ports; the other ${p.count - shown} are left out.`;
  // One port (a bucket of one client's targets on one port of a host): said as the port.
  if (p.count === 1 && p.examples.length === 1) {
    return lang === 'zh' ? { summary: `，端口 ${p.examples[0]}`, explanation: '' } : { summary: `, on port ${p.examples[0]}`, explanation: '' };
  }
  if (lang === 'zh') {
    const list = `${p.examples.join('、')}${more > 0 ? ` 等` : ''}`;
    return {
      summary: `（共 ${p.count} 个端口：${list}）`,
      explanation: `同一客户端对该主机的 ${p.count} 个端口（${list}）都得到了同样的结果，上面说的是第一个端口：这是端口扫描，或是客户端在尝试多个服务。${left}`,
    };
  }
  const list = `${p.examples.join(', ')}${more > 0 ? ` and ${more} more` : ''}`;
  return {
    summary: `, on ${p.count} ports: ${list}`,
    explanation: ` The same client met the same on ${p.count} ports of this host (${list}); the words above speak of the first: a port scan, or a client trying several services.${left}`,
  };
}

/**
 * A verdict told once for many targets that failed the same way past the diagnosis's limits
 * (diagnose/overflow.ts): how many, and a few of them, in the summary and the explanation (the
 * cause's words speak of the first target only). When they came from more than one client, the
 * explanation says so first (`lead`), and that the words after it — "the client" — speak of the
 * first target's client, named; a verdict of one client keeps its words.
 */
function targetsWords(v: Verdict, lang: Lang): { summary: string; explanation: string; lead: string } | null {
  const t = v.details['targets'] as { count: number; examples: string[]; atMost?: boolean } | undefined;
  if (!t || typeof t.count !== 'number' || t.count < 2 || !Array.isArray(t.examples)) return null;
  const others = t.examples.slice(1, 4);
  const several = v.details['clients'] === 'several';
  const k = typeof v.details['clientCount'] === 'number' ? v.details['clientCount'] : null;
  const atLeast = v.details['clientsAtLeast'] === true;
  // Several clients: more than one counted, or a count not known.
  const many = several && (k === null || k > 1);
  const first = typeof v.facts['firstClient'] === 'string' ? v.facts['firstClient'] : null;
  if (lang === 'zh') {
    const n = `${t.atMost ? '至多 ' : ''}${t.count}`;
    const summary = `（共 ${n} 个目标${others.length > 0 ? `，另如 ${others.join('、')}` : ''}）`;
    if (many) {
      const from = k !== null ? `来自${atLeast ? '至少 ' : ' '}${k} 个客户端` : '来自多个客户端';
      return {
        summary,
        lead: `共有 ${n} 个目标（${from}）以同样的方式失败；下面说的是第一个${first !== null ? `，它来自客户端 ${first}` : ''}。`,
        explanation: '目标太多，不再逐个列出。',
      };
    }
    return { summary, lead: '', explanation: `共有 ${n} 个目标以同样的方式失败，上面说的是第一个；目标太多，不再逐个列出。` };
  }
  const n = `${t.atMost ? 'at most ' : ''}${t.count}`;
  const summary = `, and the same for ${t.atMost ? 'at most ' : ''}${t.count - 1} other targets${others.length > 0 ? ` (${others.join(', ')}${t.count - 1 > others.length ? ', …' : ''})` : ''}`;
  if (many) {
    const from = k !== null ? `from ${atLeast ? 'at least ' : ''}${k} clients` : 'from several clients';
    return {
      summary,
      lead: `${n} targets, ${from}, failed the same way; the words below speak of the first${first !== null ? `, and of its client, ${first}` : ''}. `,
      explanation: ' There were too many to tell each on its own.',
    };
  }
  return { summary, lead: '', explanation: ` ${n} targets failed the same way; the words above speak of the first. There were too many to tell each on its own.` };
}

export function verdictWords(v: Verdict, lang: Lang): VerdictWords {
  const def = causeDef(v.cause);
  const t = v.severity === 'warning' && def.warning ? def.warning[lang] : def.words[lang];
  const vars = verdictVars(v, lang);
  let d = { summary: fill(t.summary, vars), explanation: fill(t.explanation, vars), advice: t.advice.map((a) => fill(a, vars)) };
  if (def.compose) d = def.compose(d, v, lang, vars);
  const ports = portsWords(v, lang);
  if (ports) d = { ...d, summary: `${d.summary}${ports.summary}`, explanation: `${d.explanation}${ports.explanation}` };
  const targets = targetsWords(v, lang);
  if (targets) d = { ...d, summary: `${d.summary}${targets.summary}`, explanation: `${targets.lead}${d.explanation}${targets.explanation}` };
  const limits = v.limits.map((l) => limitText(l, lang));
  const explanation = limits.length === 0 ? d.explanation
    : lang === 'en' ? `${d.explanation} Note: ${limits.join('; ')}.` : `${d.explanation}注意：${limits.join('；')}。`;
  return { summary: d.summary, explanation, advice: d.advice, notes: v.evidence.map((e) => evidenceNote(e, lang)), limits };
}
