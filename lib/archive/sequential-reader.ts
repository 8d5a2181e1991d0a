// Reads a source front to back in large chunks, one read always in flight ahead of the consumer,
// hashing every byte exactly once as it arrives. The scan walks the archive in file order through
// this, so layout checks, CRC checks, extraction and the file digest share one pass.
//
// Two chunk buffers are reused for the whole file (allocating a fresh megabyte per read left
// hundreds of megabytes for the garbage collector to find): `take` therefore returns copies,
// and `pieces` views that are valid only until the consumer asks for the next piece.

import { createHash, type Hash } from 'node:crypto';
import { MCPSealError } from '../errors.ts';
import { releaseBuffer } from './entry-data.ts';
import { fieldsOf } from './format.ts';
import type { ByteSource } from './source.ts';

const EMPTY = Buffer.alloc(0);

export class SequentialReader {
  readonly #source: ByteSource;
  readonly #chunkSize: number;
  readonly #hash: Hash | null;
  #chunk: Buffer = EMPTY;
  #chunkFields: DataView | null = null;
  #chunkStart = 0;
  #position = 0;
  #ahead: Promise<Buffer> | null = null;
  #aheadStart = 0;
  /** The buffer the next read-ahead fills; swapped with the consumed chunk's buffer. */
  #spare: Buffer;
  #current: Buffer;

  constructor(source: ByteSource, options: { hash: boolean; chunkSize?: number }) {
    this.#source = source;
    this.#chunkSize = options.chunkSize ?? 1024 * 1024;
    this.#hash = options.hash ? createHash('sha256') : null;
    const first = Math.min(this.#chunkSize, source.size);
    this.#current = Buffer.allocUnsafeSlow(first);
    this.#spare = Buffer.allocUnsafeSlow(first);
    this.#readAhead(0);
  }

  /** Absolute file offset of the next byte the consumer will get. */
  get position(): number {
    return this.#position;
  }

  /** The sha256 of everything read so far, hex; only meaningful once the whole source was read. */
  digest(): string | null {
    return this.#hash ? this.#hash.digest('hex') : null;
  }

  /** Exactly `length` bytes, as a buffer of the caller's own. */
  async take(length: number): Promise<Buffer> {
    const available = this.#available();
    if (length <= available) {
      const offset = this.#position - this.#chunkStart;
      this.#position += length;
      // allocUnsafe and copy: Buffer.from(a view) copies twice (a slice, then the buffer), and
      // the garbage half of every stored entry waited for V8's next collection (issue 14).
      const out = Buffer.allocUnsafe(length);
      this.#chunk.copy(out, 0, offset, offset + length);
      return out;
    }
    const out = Buffer.allocUnsafe(length);
    let filled = 0;
    for await (const piece of this.pieces(length)) {
      piece.copy(out, filled);
      filled += piece.length;
    }
    return out;
  }

  /**
   * The chunk the offsets of `peek` and `claim` index into: valid only until the reader next
   * moves to another chunk (an awaited call), when its buffer takes the next read.
   */
  get chunk(): Buffer {
    return this.#chunk;
  }

  /** A DataView of `chunk` (format.ts fieldsOf), made once per chunk, for reading records in place. */
  get chunkFields(): DataView {
    return (this.#chunkFields ??= fieldsOf(this.#chunk));
  }

  /**
   * Where the next `length` bytes lie in `chunk`, without consuming them; -1 when they are not
   * all in it. No copy, no view, no promise: the scan reads most local headers this way.
   */
  peek(length: number): number {
    return length <= this.#available() ? this.#position - this.#chunkStart : -1;
  }

  /** Consumes the next `length` bytes when they all lie in `chunk` and returns their offset there; -1 (nothing consumed) when not. */
  claim(length: number): number {
    const offset = this.peek(length);
    if (offset >= 0) this.#position += length;
    return offset;
  }

  /**
   * Exactly `length` bytes, as a view into the current chunk when they lie in it (valid only
   * until the next call on this reader), else as a copy.
   */
  async view(length: number): Promise<Buffer> {
    if (this.#available() === 0 && length > 0) await this.#advance();
    if (length > this.#available()) return this.take(length);
    const offset = this.#position - this.#chunkStart;
    this.#position += length;
    return this.#chunk.subarray(offset, offset + length);
  }

  /** `length` bytes as a sequence of views, each valid until the next is requested. */
  async *pieces(length: number): AsyncGenerator<Buffer> {
    let remaining = length;
    while (remaining > 0) {
      if (this.#available() === 0) await this.#advance();
      const offset = this.#position - this.#chunkStart;
      const count = Math.min(remaining, this.#chunk.length - offset);
      this.#position += count;
      remaining -= count;
      yield this.#chunk.subarray(offset, offset + count);
    }
  }

  /**
   * Consumes `length` bytes without keeping them (they are still hashed, a chunk at a time).
   * Returns true when they all lay in the current chunk (consumed, nothing to await), false
   * when the caller must await `skip` for them (nothing consumed yet): most entries of a small
   * bundle end inside the chunk they start in, and an awaited call per entry was a microtask turn
   * and an async generator each (issue 14: 19 of a small verify's 38 ms of scan).
   */
  skipInChunk(length: number): boolean {
    return this.claim(length) >= 0;
  }

  /** Consumes `length` bytes without keeping them, moving through as many chunks as needed. */
  async skip(length: number): Promise<void> {
    let remaining = length;
    while (remaining > 0) {
      if (this.#available() === 0) await this.#advance();
      const count = Math.min(remaining, this.#available());
      this.#position += count;
      remaining -= count;
    }
  }

  /**
   * Frees the two chunk buffers now instead of at V8's next collection, after the read in flight
   * (if any) settled. With reads in place (io.ts BLOCKING_READ_MAX) a batch worker scans bundle
   * after bundle with few idle turns for the collector, and their 2 MiB each piled up: +20 MB of
   * peak RSS for 200 bundles on two workers. Every view into a chunk is detached (empty) after
   * this: the scan is over, and nothing may read one.
   */
  async release(): Promise<void> {
    const ahead = this.#ahead;
    this.#ahead = null;
    await ahead?.catch(() => undefined);
    for (const buffer of [this.#current, this.#spare]) releaseBuffer(buffer);
    this.#current = this.#spare = this.#chunk = EMPTY;
    this.#chunkFields = null;
  }

  #available(): number {
    return this.#chunkStart + this.#chunk.length - this.#position;
  }

  async #advance(): Promise<void> {
    if (!this.#ahead) throw new MCPSealError('ARCHIVE_OUT_OF_BOUNDS', 'the archive ends before its last record');
    const start = this.#aheadStart;
    const chunk = await this.#ahead;
    this.#hash?.update(chunk);
    this.#chunk = chunk;
    this.#chunkFields = null;
    this.#chunkStart = start;
    // The consumer is done with the previous chunk (it asked for more): its buffer takes the next read.
    [this.#current, this.#spare] = [this.#spare, this.#current];
    this.#readAhead(start + chunk.length);
  }

  #readAhead(start: number): void {
    if (start >= this.#source.size) {
      this.#ahead = null;
      return;
    }
    const length = Math.min(this.#chunkSize, this.#source.size - start);
    const pending = this.#source.read(start, length, this.#spare);
    // The rejection is observed when the consumer awaits it; never leave it unhandled meanwhile.
    pending.catch(() => {});
    this.#ahead = pending;
    this.#aheadStart = start;
  }
}
