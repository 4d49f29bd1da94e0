/**
 * What the command line and the server take from a finished report besides its rendering: the
 * failure count (exit status 1 / X-Wirewhy-Failures) and the capture-damage warning. No
 * dependencies beyond the report model, so the analysis worker thread can import it too.
 */
import type { Report } from '../report/model.js';
import { warningText } from '../report/warnings.js';

/** Verdicts of severity error. */
export function failureCount(r: Report): number {
  return r.verdicts.filter((v) => v.severity === 'error').length;
}

/** The warning to show when the capture was cut or damaged part-way, else null. */
export function damageText(r: Report): string | null {
  if (!r.capture.damage) return null;
  const w = r.capture.warnings.find((x) => x.kind === 'damage') ?? r.capture.warnings[0];
  return w ? warningText(w, 'en') : r.capture.damage.message;
}
