/**
 * Typed facts: what a report says, as data. Every sentence a report shows (an evidence note, a
 * capture warning, a limit of what the capture can prove) is made from one of these when the
 * report is rendered, in the language asked for; the analysis itself writes no prose.
 *
 * `kind` names the sentence (its words live with the code that knows it: evidence and limit kinds
 * in diagnose/, capture warnings in report/warnings.ts); `args` are the values it needs —
 * addresses and names as they are, so that redaction can replace them before any sentence exists.
 */
export type Arg = string | number | boolean | null | readonly Arg[] | { readonly [k: string]: Arg };
export type Args = { readonly [k: string]: Arg };

export interface Fact {
  readonly kind: string;
  readonly args: Args;
}

export const NO_ARGS: Args = Object.freeze({});

export function fact(kind: string, args: Args = NO_ARGS): Fact {
  return { kind, args };
}
