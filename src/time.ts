/**
 * The capture times a report can write: the years 0000 to 9999 of ISO-8601 without a sign (the
 * report schema's `time`; a JavaScript Date holds more, ±8.64e15 ms, but writes years past these
 * with a sign and six digits). A time outside them, or not a number, is no time: null.
 */
export const MIN_TIME = -62_167_219_200;
export const MAX_TIME = 253_402_300_800;

/** Whether `t` (seconds since the epoch) is a time a report can write. */
export function isReportableTime(t: number): boolean {
  return t >= MIN_TIME && t < MAX_TIME;
}

/**
 * `later - earlier` in seconds, or null when it is negative (the capture's clock stepped back
 * between the two), when either is no reportable time, or when it is not a number: an interval
 * a report gives is never negative.
 */
export function interval(later: number, earlier: number): number | null {
  if (!isReportableTime(later) || !isReportableTime(earlier)) return null;
  const d = later - earlier;
  return d >= 0 ? d : null;
}

/**
 * ISO-8601 UTC text with microseconds, from integer seconds + nanoseconds (no wall clock
 * involved); null when the time is not one a report can write (isReportableTime).
 */
export function isoTime(sec: number, nsec: number): string | null {
  if (!Number.isFinite(sec) || !Number.isFinite(nsec)) return null;
  // Some files store a fraction of a second of 1e9 or more (Wireshark shows it as is); carry it.
  if (nsec >= 1e9) {
    sec += Math.floor(nsec / 1e9);
    nsec %= 1e9;
  }
  sec = Math.floor(sec);
  if (!isReportableTime(sec) || nsec < 0) return null;
  // Microseconds and the 'Z' first: a short string is made flat, so the result is one
  // concatenation of two flat strings (a report keeps tens of thousands of these).
  const tail = `${String(Math.floor(nsec / 1000)).padStart(6, '0')}Z`;
  const slot = sec & (PREFIX_SLOTS - 1);
  let prefix = prefixText[slot]!;
  if (prefixSec[slot] !== sec) {
    prefix = secondPrefix(sec);
    prefixSec[slot] = sec;
    prefixText[slot] = prefix;
  }
  return prefix + tail;
}

/** "YYYY-MM-DDTHH:MM:SS." of a second (a year beyond 9999 is written "+YYYYYY"), as one flat string. */
function secondPrefix(sec: number): string {
  // The date part comes from a Date once per day; the time of day is plain arithmetic.
  const day = Math.floor(sec / 86400);
  if (day !== lastDay) {
    const iso = new Date(day * 86400000).toISOString();
    lastDayText = iso.slice(0, iso.length - 13);
    lastDay = day;
  }
  const s = sec - day * 86400;
  const h = Math.floor(s / 3600);
  const m = Math.floor((s - h * 3600) / 60);
  return [lastDayText, TWO_DIGITS[h]!, ':', TWO_DIGITS[m]!, ':', TWO_DIGITS[s - h * 3600 - m * 60]!, '.'].join('');
}

const TWO_DIGITS: string[] = Array.from({ length: 100 }, (_, i) => (i < 10 ? `0${i}` : String(i)));
/**
 * The prefixes of recent seconds, by the second's low bits: connection records alternate
 * between start and end times, and evidence lists between a few seconds.
 */
const PREFIX_SLOTS = 64;
const prefixSec = new Float64Array(PREFIX_SLOTS).fill(Number.NaN);
const prefixText: string[] = new Array<string>(PREFIX_SLOTS).fill('');
let lastDay = Number.NaN;
let lastDayText = '';

/** ISO time of a capture time in seconds (double, µs precision); null as for isoTime. */
export function isoOf(t: number): string | null {
  const sec = Math.floor(t);
  return isoTime(sec, Math.round((t - sec) * 1e6) * 1000);
}
