/** ISO-8601 UTC text with microseconds, from integer seconds + nanoseconds (no wall clock involved). */
export function isoTime(sec: number, nsec: number): string {
  // Some files store a fraction of a second of 1e9 or more (Wireshark shows it as is); carry it.
  if (nsec >= 1e9) {
    sec += Math.floor(nsec / 1e9);
    nsec %= 1e9;
  }
  // The date part of the last second formatted: a report's times come in runs within one second.
  let base: string;
  if (sec === lastSec) base = lastBase;
  else {
    const d = new Date(sec * 1000);
    if (Number.isNaN(d.getTime())) return `${sec}.${String(Math.floor(nsec / 1000)).padStart(6, '0')}`;
    base = d.toISOString().slice(0, 19);
    lastSec = sec;
    lastBase = base;
  }
  return `${base}.${String(Math.floor(nsec / 1000)).padStart(6, '0')}Z`;
}

let lastSec = Number.NaN;
let lastBase = '';

/** ISO time of a capture time in seconds (double, µs precision). */
export function isoOf(t: number): string {
  const sec = Math.floor(t);
  return isoTime(sec, Math.round((t - sec) * 1e6) * 1000);
}
