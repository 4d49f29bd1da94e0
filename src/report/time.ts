/** ISO-8601 UTC text with microseconds, from integer seconds + nanoseconds (no wall clock involved). */
export function isoTime(sec: number, nsec: number): string {
  // Some files store a fraction of a second of 1e9 or more (Wireshark shows it as is); carry it.
  if (nsec >= 1e9) {
    sec += Math.floor(nsec / 1e9);
    nsec %= 1e9;
  }
  sec = Math.floor(sec);
  const micro = String(Math.floor(nsec / 1000)).padStart(6, '0');
  // The date part comes from a Date once per day (a report's times come in runs within a day);
  // the time of day is plain arithmetic.
  const day = Math.floor(sec / 86400);
  if (day !== lastDay) {
    const d = new Date(day * 86400000);
    if (Number.isNaN(d.getTime()) || Math.abs(sec) > MAX_DATE_SECONDS) return `${sec}.${micro}`;
    const iso = d.toISOString();
    // "YYYY-MM-DDT" (a year beyond 9999 is written "+YYYYYY-MM-DDT").
    lastDayText = iso.slice(0, iso.length - 13);
    lastDay = day;
  } else if (Math.abs(sec) > MAX_DATE_SECONDS) return `${sec}.${micro}`;
  const s = sec - day * 86400;
  const h = Math.floor(s / 3600);
  const m = Math.floor((s - h * 3600) / 60);
  return `${lastDayText}${TWO_DIGITS[h]!}:${TWO_DIGITS[m]!}:${TWO_DIGITS[s - h * 3600 - m * 60]!}.${micro}Z`;
}

/** The largest time a Date holds: 8.64e15 ms (ECMA-262 §21.4.1.22). */
const MAX_DATE_SECONDS = 8.64e12;
const TWO_DIGITS: string[] = Array.from({ length: 100 }, (_, i) => (i < 10 ? `0${i}` : String(i)));
let lastDay = Number.NaN;
let lastDayText = '';

/** ISO time of a capture time in seconds (double, µs precision). */
export function isoOf(t: number): string {
  const sec = Math.floor(t);
  return isoTime(sec, Math.round((t - sec) * 1e6) * 1000);
}
