/**
 * Byte inputs for the capture readers: a file read with readSync into the reader's own buffer
 * (no copy, no stream machinery: ~2x faster than 64 KiB stream chunks), or any async iterable
 * of chunks (standard input, gunzip, an HTTP request body, a live ring).
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { CaptureError } from './types.js';

export interface ByteInput {
  /** Reads up to `len` bytes into target[off..]; 0 means end of input. */
  read(target: Uint8Array, off: number, len: number): number | Promise<number>;
  close(): void;
}

export class FileInput implements ByteInput {
  private fd: number;
  private closed = false;
  constructor(readonly path: string) {
    try {
      this.fd = openSync(path, 'r');
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      throw new CaptureError('IO', { kind: 'open_failed', args: { reason: err.code ?? err.message } }, 0);
    }
  }
  /** The first n bytes, read at position 0 without moving the sequential position. */
  peek(n: number): Uint8Array {
    const h = new Uint8Array(n);
    return h.subarray(0, this.readAt(h, 0, n, 0));
  }
  read(target: Uint8Array, off: number, len: number): number {
    return this.readAt(target, off, len, null);
  }
  private readAt(target: Uint8Array, off: number, len: number, position: number | null): number {
    try {
      return readSync(this.fd, target, off, len, position);
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      throw new CaptureError('IO', { kind: 'read_failed', args: { reason: err.code ?? err.message } }, 0);
    }
  }
  close(): void {
    // Once only: a second close could close another file that was given the same number since.
    if (this.closed) return;
    this.closed = true;
    try {
      closeSync(this.fd);
    } catch {
      /* already closed */
    }
  }
}

/** Adapts an async iterable of chunks (Buffers or Uint8Arrays) to ByteInput. */
export class StreamInput implements ByteInput {
  private it: AsyncIterator<Uint8Array | string>;
  private pending: Uint8Array | null = null;
  private done = false;
  constructor(source: AsyncIterable<Uint8Array | string>, private readonly onClose?: () => void) {
    this.it = source[Symbol.asyncIterator]();
  }
  /** Bytes that were already taken from the stream (e.g. while sniffing) go back in front. */
  unshift(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    if (this.pending && this.pending.length) {
      const both = new Uint8Array(chunk.length + this.pending.length);
      both.set(chunk, 0);
      both.set(this.pending, chunk.length);
      this.pending = both;
    } else this.pending = chunk;
  }
  async read(target: Uint8Array, off: number, len: number): Promise<number> {
    while (!this.pending || this.pending.length === 0) {
      if (this.done) return 0;
      const r = await this.it.next();
      if (r.done) {
        this.done = true;
        return 0;
      }
      const v = r.value;
      this.pending = typeof v === 'string' ? Buffer.from(v, 'latin1') : v;
    }
    const n = Math.min(len, this.pending.length);
    target.set(this.pending.subarray(0, n), off);
    this.pending = n === this.pending.length ? null : this.pending.subarray(n);
    return n;
  }
  close(): void {
    this.done = true;
    void this.it.return?.();
    this.onClose?.();
  }
}
