/**
 * The report languages. Verdicts and records are language-free data; words are chosen when a
 * report is rendered (report/), in one of these.
 */
export type Lang = 'en' | 'zh';

export const LANGS: readonly Lang[] = ['en', 'zh'];

export function isLang(s: unknown): s is Lang {
  return s === 'en' || s === 'zh';
}

/** A text in every report language. */
export interface Localised {
  en: string;
  zh: string;
}
