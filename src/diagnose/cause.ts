/**
 * What one cause file declares (causes/<code>.ts): the cause's code, layer and usual severity,
 * the rules that can produce it, its words in both languages, and when the live stream says it.
 * The index (causes/index.ts) lists every cause file, one line each; catalogue.ts builds the
 * catalogue and the rule walk from it.
 */
import type { Lang } from '../lang.js';
import type { Layer, Severity, Verdict } from './verdict.js';
import type { Rule } from './outcome.js';
import { fillText, type CauseText, type Vars } from './words.js';

/**
 * When `wirewhy capture` says the cause on its live stream: `packet` at once, when the packet that
 * settles it arrives (a RST, an alert, an ICMP error, a DNS error answer); `timeout` when an
 * attempt stayed unanswered for the stream's timeout; `end` only in the final report.
 */
export type LiveWhen = 'packet' | 'timeout' | 'end';

/** The filled texts of one verdict. */
export interface Described {
  summary: string;
  explanation: string;
  advice: string[];
}

export interface CauseDef<C extends string = string> {
  readonly code: C;
  readonly layer: Layer;
  /** The severity a rule normally gives it (a rule may lower it when the capture cannot prove more). */
  readonly severity: Severity;
  readonly live: LiveWhen;
  /** The rules that produce this cause; a rule shared by several causes is listed in each. */
  readonly rules: readonly Rule[];
  /** A cause of the contract that no rule produces yet: the issue that will build it. */
  readonly planned?: string;
  readonly words: { readonly en: CauseText; readonly zh: CauseText };
  /** Wording when the verdict has severity 'warning' (ok after failed attempts). */
  readonly warning?: { readonly en: CauseText; readonly zh: CauseText };
  /** Other wordings the cause's `compose` chooses by the verdict's facts (ok: a traceroute). */
  readonly variants?: { readonly [name: string]: { readonly en: CauseText; readonly zh: CauseText } };
  /** Placeholder values this cause derives from the verdict in the report's language. */
  readonly vars?: (v: Verdict, lang: Lang) => Vars;
  /** A last step on the filled texts (tls.alert adds the reading of the alert it names). */
  readonly compose?: (d: Described, v: Verdict, lang: Lang, vars: Vars) => Described;
}

/** Declares a cause (keeps its code's literal type for the catalogue). */
export function defineCause<const C extends string>(def: CauseDef<C>): CauseDef<C> {
  return def;
}

/** A cause's words in both languages. */
export type Wording = { readonly en: CauseText; readonly zh: CauseText };

/** One text in both languages. */
type Both = { readonly en: string; readonly zh: string };

/**
 * Words like `w` with some parts said otherwise: the wording of a variant that changes a line or
 * two (said without a value the verdict lacks). `advice` replaces lines by their index.
 */
export function reworded(w: Wording, parts: { summary?: Both; explanation?: Both; advice?: Readonly<Record<number, Both>> }): Wording {
  const one = (lang: Lang): CauseText => ({
    summary: parts.summary?.[lang] ?? w[lang].summary,
    explanation: parts.explanation?.[lang] ?? w[lang].explanation,
    advice: w[lang].advice.map((a, i) => parts.advice?.[i]?.[lang] ?? a),
  });
  return { en: one('en'), zh: one('zh') };
}

/**
 * A cause told in one of its variants when `choose` names one for the verdict (its words need a
 * value the verdict lacks), else as `def` tells it (its own compose included). The variants are
 * declared in the catalogue, so the tests of words see them.
 */
export function withVariants<C extends string>(def: CauseDef<C>, variants: Readonly<Record<string, Wording>>, choose: (v: Verdict) => string | null): CauseDef<C> {
  const own = def.compose;
  return {
    ...def,
    variants: { ...def.variants, ...variants },
    compose: (d, v, lang, vars) => {
      const name = choose(v);
      const w = name === null ? undefined : variants[name];
      return w ? fillText(w[lang], vars) : own ? own(d, v, lang, vars) : d;
    },
  };
}
