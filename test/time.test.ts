/** Report times: ISO-8601 UTC with microseconds, from capture seconds + nanoseconds. */
import { describe, expect, it } from 'vitest';
import { MAX_TIME, MIN_TIME, interval, isoOf, isoTime } from '../src/time.js';

describe('isoTime', () => {
  it('formats seconds and nanoseconds, truncating to microseconds', () => {
    expect(isoTime(0, 0)).toBe('1970-01-01T00:00:00.000000Z');
    expect(isoTime(1700000000, 123456789)).toBe('2023-11-14T22:13:20.123456Z');
  });

  it('gives each second its own date part when calls alternate between seconds', () => {
    // The formatter remembers the last second: runs within one second, and changes between them.
    const seq: Array<[number, number]> = [[1700000000, 1], [1700000000, 999999999], [1700000001, 0], [1700000000, 5000], [1800000000, 0], [1800000000, 0]];
    expect(seq.map(([s, n]) => isoTime(s, n))).toEqual([
      '2023-11-14T22:13:20.000000Z', '2023-11-14T22:13:20.999999Z', '2023-11-14T22:13:21.000000Z',
      '2023-11-14T22:13:20.000005Z', '2027-01-15T08:00:00.000000Z', '2027-01-15T08:00:00.000000Z',
    ]);
    for (const [s, n] of seq) expect(isoTime(s, n)).toBe(`${new Date(s * 1000).toISOString().slice(0, 19)}.${String(Math.floor(n / 1000)).padStart(6, '0')}Z`);
  });

  it('agrees with Date for any second of the years 0000 to 9999, across days, years and the epoch; null outside them', () => {
    // A fixed pseudo-random walk (no Math.random): seconds from year -1200 to 9900, plus edges.
    const secs = [0, -1, 86399, 86400, -86400, -86401, 951782400 - 1, 951782400, 253402300799, 253402300800, 8.64e12, -8.64e12];
    let x = 12345;
    for (let i = 0; i < 3000; i++) {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      secs.push(Math.floor((x / 2 ** 32) * 3.5e11) - 1e11);
      // Runs of nearby times, as a report has them.
      secs.push(secs[secs.length - 1]! + (x % 200));
    }
    for (const s of secs) {
      const n = (s * 7919) % 1e9 >= 0 ? (s * 7919) % 1e9 : 0;
      if (s < MIN_TIME || s >= MAX_TIME) {
        expect(isoTime(s, n), String(s)).toBeNull();
        continue;
      }
      const iso = new Date(s * 1000).toISOString();
      expect(isoTime(s, n)).toBe(`${iso.slice(0, -5)}.${String(Math.floor(n / 1000)).padStart(6, '0')}Z`);
    }
  });

  it('carries a fraction of a second of 1e9 ns or more into the seconds', () => {
    expect(isoTime(1700000000, 1_500_000_000)).toBe('2023-11-14T22:13:21.500000Z');
  });

  it('is null for a time no report can write: outside the years 0000 to 9999, or not a number', () => {
    expect(isoTime(-62167219200, 0)).toBe('0000-01-01T00:00:00.000000Z');
    expect(isoTime(253402300799, 999999999)).toBe('9999-12-31T23:59:59.999999Z');
    // 2^64 µs (the largest pcapng timestamp) is year 586524.
    for (const [s, n] of [[-62167219201, 999999999], [253402300799, 1e9], [18446744073709, 551615000], [1e16, 1000], [Number.NaN, 0], [Number.POSITIVE_INFINITY, 0], [0, Number.NaN]]) {
      expect(isoTime(s!, n!), `${s} ${n}`).toBeNull();
    }
    expect(isoOf(1.8446744073709552e13)).toBeNull();
    expect(isoTime(1700000000, 0)).toBe('2023-11-14T22:13:20.000000Z');
  });

  it('interval: a difference of capture times, null when negative or when either is no reportable time', () => {
    expect(interval(1700000000.5, 1700000000.25)).toBe(0.25);
    expect(interval(1700000000, 1700000000)).toBe(0);
    expect(interval(1700000000.2, 1700000000.5)).toBeNull();
    expect(interval(1.8446744073709552e13, 1700000000)).toBeNull();
    expect(interval(1700000000, -1e12)).toBeNull();
    expect(interval(Number.NaN, 0)).toBeNull();
  });

  it('isoOf rounds a double time to microseconds', () => {
    expect(isoOf(1700000000.25)).toBe('2023-11-14T22:13:20.250000Z');
  });
});
