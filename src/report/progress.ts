/**
 * A one-line progress bar on standard error while a big capture file is analysed: redrawn in
 * place with '\r', throttled, and erased at the end so nothing of it stays in the terminal or
 * mixes with the report. Only on a terminal, and only for files (standard input has no size).
 *
 * The position in the file is estimated from what the reader has handed out (captured bytes
 * plus the container's per-record overhead): the reader does not expose its file offset, and
 * the estimate is within a few percent, which is all a progress bar needs. A gzip file's
 * uncompressed size is unknown, so it shows the packet count without a percentage.
 */
import type { CaptureInfo } from '../capture/types.js';

export interface ProgressStream {
  isTTY?: boolean;
  columns?: number;
  write(s: string): boolean;
}

/** Files smaller than this finish before a bar would be worth drawing. */
export const PROGRESS_MIN_BYTES = 8 << 20;

/** Bytes of the file consumed so far, estimated from the packets read (pcap: 16-byte record header; pcapng: ~32-byte EPB). */
export function estimateOffset(info: Pick<CaptureInfo, 'format' | 'packets' | 'bytes'>): number {
  return info.format === 'pcapng' ? 28 + info.packets * 32 + info.bytes : 24 + info.packets * 16 + info.bytes;
}

/** The text of the bar (no '\r'), fitted to `columns`. `total` null: no percentage. */
export function progressLine(label: string, done: number, total: number | null, packets: number, columns = 80): string {
  const count = `${packets} packets`;
  if (total === null || total <= 0) return `${label}  ${count}`.slice(0, Math.max(10, columns - 1));
  const ratio = Math.min(0.99, Math.max(0, done / total));
  const pct = `${String(Math.floor(ratio * 100)).padStart(3)}%`;
  const fixed = label.length + pct.length + count.length + 8;
  const width = Math.max(0, Math.min(30, columns - 1 - fixed));
  const filled = Math.round(ratio * width);
  const bar = width > 0 ? ` [${'#'.repeat(filled)}${'.'.repeat(width - filled)}]` : '';
  return `${label}${bar} ${pct}  ${count}`.slice(0, Math.max(10, columns - 1));
}

export class ProgressBar {
  private shown = 0;
  private last = -Infinity;

  constructor(
    private readonly stream: ProgressStream,
    private readonly label: string,
    private readonly total: number | null,
    private readonly opts: { intervalMs?: number; now?: () => number } = {},
  ) {}

  update(done: number, packets: number): void {
    const now = (this.opts.now ?? Date.now)();
    if (now - this.last < (this.opts.intervalMs ?? 100)) return;
    this.last = now;
    const line = progressLine(this.label, done, this.total, packets, this.stream.columns || 80);
    // Pad over a longer previous line, then return to the start of the line.
    this.stream.write(`\r${line}${' '.repeat(Math.max(0, this.shown - line.length))}`);
    this.shown = line.length;
  }

  /** Erases the line (if anything was drawn). */
  finish(): void {
    if (this.shown > 0) this.stream.write(`\r${' '.repeat(this.shown)}\r`);
    this.shown = 0;
  }
}

/** The bar for a capture file when standard error is a terminal and the file is big; else null. */
export function progressFor(stream: ProgressStream, file: string, size: number | null, compressed: boolean): ProgressBar | null {
  if (stream.isTTY !== true || file === '-' || size === null || size < PROGRESS_MIN_BYTES) return null;
  const name = file.length > 30 ? `…${file.slice(-29)}` : file;
  return new ProgressBar(stream, `wirewhy: ${name}`, compressed ? null : size);
}
