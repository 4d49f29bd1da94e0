/**
 * What can be wrong with gzip data, and its words in English (the reader's messages: an error
 * line, capture.damage.message, the English of the capture warnings). Apart from gzip.ts so that
 * the report's renderers, which word the warnings and also run in the upload page's browser,
 * load it without node:zlib.
 */

export type GzipProblemKind = 'header' | 'corrupt' | 'crc' | 'length' | 'cut';

export interface GzipProblem {
  kind: GzipProblemKind;
  /**
   * Compressed offset: where the bad header field, trailer or end of file is; for corrupt
   * deflate data, the byte at which zlib noticed (the damage is there or a little before: bad
   * data often decodes as other symbols for a while). Exact when the member's first RETAIN
   * compressed bytes hold it, else the end of the last output step that inflated cleanly.
   */
  offset: number;
  /** zlib's or our words for what is wrong ("invalid distance too far back"). */
  detail: string;
}

/** Bytes that followed the last complete member and were not another member. */
export interface GzipTrailing {
  offset: number;
  bytes: number;
}

/** What is wrong and where, without what it means for the packets. */
export function gzipProblemText(p: GzipProblem): string {
  switch (p.kind) {
    case 'header':
      return `the gzip header at compressed offset ${p.offset} is damaged (${p.detail})`;
    case 'corrupt':
      return `the gzip data is corrupt at compressed offset ${p.offset} (${p.detail})`;
    case 'crc':
      return `the gzip check value (CRC-32) at compressed offset ${p.offset} does not match the decompressed data, so some of it is wrong`;
    case 'length':
      return `the gzip length field at compressed offset ${p.offset} does not match the decompressed data (${p.detail})`;
    case 'cut':
      return `the gzip data ends at compressed offset ${p.offset}, in the middle of a gzip member (the file was cut short)`;
  }
}

/** The capture warning when packets were read before the gzip problem. */
export function gzipDamageWarning(p: GzipProblem, packets: number): string {
  return p.kind === 'crc' || p.kind === 'length'
    ? `${gzipProblemText(p)}; the ${packets} packets decompressed were analysed as they are`
    : `${gzipProblemText(p)}; the ${packets} packets decompressed before it were analysed`;
}

/**
 * The capture warning when the records broke (at `offset` of the decompressed data) before zlib
 * noticed the damage to the gzip data.
 */
export function gzipRecordsWarning(p: GzipProblem, offset: number, frame: number, packets: number): string {
  return `${gzipProblemText(p)}; the decompressed records break before it, at offset ${offset} of the decompressed data (where frame ${frame} would start); the ${packets} packets before it were analysed`;
}

/** The capture warning for bytes after the last gzip member. */
export function gzipTrailingWarning(t: GzipTrailing): string {
  return `${t.bytes} bytes after the end of the gzip data (compressed offset ${t.offset}) are not gzip and were ignored, as gzip -d does`;
}

