/**
 * Limits of what a capture can prove that concern a verdict as a whole rather than one cause (the
 * others are declared in their cause's file): said plainly in the verdict's explanation.
 */
import { limitKind } from './words.js';

export const SOME_ATTEMPTS_WORKED = limitKind<{ worked: number; total: number }>('some_attempts_worked', {
  en: (a) => `${a.worked} of ${a.total} attempts to this target worked`,
  zh: (a) => `对该目标的 ${a.total} 次尝试中有 ${a.worked} 次成功`,
});

export const SOME_ATTEMPTS_UNJUDGED = limitKind<{ unjudged: number; total: number; cause: string }>('some_attempts_unjudged', {
  en: (a) => `${a.unjudged} of ${a.total} attempts to this target cannot be judged from the capture (${a.cause})`,
  zh: (a) => `对该目标的 ${a.total} 次尝试中有 ${a.unjudged} 次无法根据抓包判断（${a.cause}）`,
});
