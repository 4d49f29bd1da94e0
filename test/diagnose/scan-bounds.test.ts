/**
 * The scan watch (src/diagnose/scan.ts) stays bounded at any number of pairs and ports, and counts
 * a pair's ports exactly while it can: each port once, with its best answer.
 */
import { describe, expect, it } from 'vitest';
import { CLOSED, MAX_MAPS, MAX_PAIRS, OPEN, SILENT, ScanPairs, type ProbeInfo } from '../../src/diagnose/scan.js';

const T0 = 1_700_000_000;
function probe(dport: number, answer: number, t: number, sport = 40000, frame = 1): ProbeInfo {
  return { role: 'probe', answer, sport, dport, syns: 1, synFrame: frame, synTs: t, answerFrame: answer === SILENT ? 0 : frame + 1, answerTs: t, start: t, end: t };
}

describe('scan watch', () => {
  it('counts each port once with its best answer (open over closed over none), and lists the lowest', () => {
    const pairs = new ScanPairs();
    const p = pairs.take('192.0.2.66', '203.0.113.10')!;
    let frame = 1;
    for (const port of [80, 22, 443]) p.probe(probe(port, SILENT, T0, 40000, frame++), pairs.maps);
    p.probe(probe(80, CLOSED, T0 + 1, 40001, frame++), pairs.maps);
    p.probe(probe(80, OPEN, T0 + 2, 40002, frame++), pairs.maps);
    p.probe(probe(22, CLOSED, T0 + 3, 40003, frame++), pairs.maps);
    p.probe(probe(22, SILENT, T0 + 4, 40004, frame++), pairs.maps); // a weaker answer later changes nothing
    expect([p.ports, p.open, p.closed, p.silent, p.probes]).toEqual([3, 1, 1, 1, 7]);
    expect([p.openList, p.closedList, p.silentList]).toEqual([[80], [22], [443]]);
    expect(p.first!.frame).toBe(1);
    expect(p.last!.frame).toBe(7);
    expect(p.firstOpen).toMatchObject({ port: 80, frame: 6 });
    expect(p.firstClosed).toMatchObject({ port: 80, frame: 5 });
    expect([p.firstTs, p.lastTs]).toEqual([T0, T0 + 4]);
  });

  it('counts past its short list exactly with a port map, and past the maps as an upper bound', () => {
    const pairs = new ScanPairs();
    const mapped: Array<ReturnType<ScanPairs['take']>> = [];
    for (let k = 0; k < MAX_MAPS + 3; k++) {
      const p = pairs.take(`10.0.${k >> 8}.${k & 255}`, '203.0.113.10')!;
      // 100 ports, each probed twice: counted once while the pair can tell.
      for (let i = 0; i < 200; i++) p.probe(probe(1000 + (i % 100), i % 3 === 0 ? CLOSED : SILENT, T0 + i * 0.01), pairs.maps);
      mapped.push(p);
    }
    expect(pairs.maps.left).toBe(0);
    const exact = mapped[0]!;
    expect([exact.ports, exact.atMost, exact.closed + exact.silent]).toEqual([100, false, 100]);
    const late = mapped[MAX_MAPS + 2]!;
    expect(late.atMost).toBe(true);
    expect(late.ports).toBeGreaterThanOrEqual(100);
    expect(late.ports).toBeLessThanOrEqual(200);
  });

  it('keeps at most MAX_PAIRS pairs, letting the oldest quiet ones go', () => {
    const pairs = new ScanPairs();
    const first = pairs.take('10.9.0.1', '203.0.113.10')!;
    for (let k = 0; k < MAX_PAIRS + 5000; k++) pairs.take(`10.${(k >> 16) & 255}.${(k >> 8) & 255}.${k & 255}`, '198.51.100.7')!.probe(probe(80, SILENT, T0 + k), pairs.maps);
    expect(pairs.size).toBeLessThanOrEqual(MAX_PAIRS);
    expect(pairs.get('10.9.0.1', '203.0.113.10')).toBeUndefined();
    expect(first.probes).toBe(0);
    // A pair found a scan is never let go: its probes are told by it alone.
    const sure = new ScanPairs();
    const scan = sure.take('192.0.2.66', '203.0.113.10')!;
    scan.confirmed = true;
    for (let k = 0; k < MAX_PAIRS + 100; k++) sure.take(`10.${(k >> 16) & 255}.${(k >> 8) & 255}.${k & 255}`, '198.51.100.7');
    expect(sure.get('192.0.2.66', '203.0.113.10')).toBe(scan);
    expect(sure.size).toBeLessThanOrEqual(MAX_PAIRS);
  });
});
