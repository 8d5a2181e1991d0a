// Raw deflate streams reused from file to file, in a fixed order, so that pack's output stays
// reproducible.
//
// The one-shot `zlib.deflateRaw(buffer)` builds a new zlib stream per call: about 270 KB of state
// mapped, zeroed and unmapped on the main thread for every file. For 20,000 files that was most
// of pack's main-thread time (7 s of 40 in a profile under load) and 50 MB of peak RSS.
//
// A reused stream is reset between files, but deflateReset leaves the previous file's bytes in
// the window, and the match finder may read a few bytes past the end of the input there: the
// output stays valid, but it depends on what the stream compressed before (measured: 1 file in
// 570 differed by a byte). So the file-to-stream assignment is fixed: file i always goes to lane
// i mod LANES, and each lane compresses its files in order. The same files then give the same
// bytes on every run and machine, whatever the timing or the number of cores.

import { constants, createDeflateRaw, type DeflateRaw } from 'node:zlib';

/** Lanes (streams) compressing at once: the zlib work runs on libuv's 4 pool threads. A constant: the bytes depend on it. */
export const DEFLATE_LANES = 4;

/** Output chunk size: a quarter of the zlib round trips of the default 16 KiB (same bytes). */
const CHUNK_BYTES = 64 * 1024;

/** Compresses with one reused stream, one file at a time, in the order the work was queued. */
export class DeflateLane {
  readonly #level: number;
  #stream: DeflateRaw | null = null;
  #tail: Promise<unknown> = Promise.resolve();

  constructor(level: number) {
    this.#level = level;
  }

  /** Queues `work` after everything queued before; it gets a `deflate` bound to this lane's stream. */
  run<T>(work: (deflate: (data: Buffer) => Promise<Buffer>) => Promise<T>): Promise<T> {
    const result = this.#tail.then(() => work((data) => this.#deflate(data)));
    this.#tail = result.catch(() => {});
    return result;
  }

  /** Frees the stream's zlib state once the queued work is done. */
  close(): void {
    void this.#tail.then(() => {
      this.#stream?.close();
      this.#stream = null;
    });
  }

  async #deflate(data: Buffer): Promise<Buffer> {
    // Every write finishes its deflate stream (flush Z_FINISH), as the one-shot API does.
    this.#stream ??= createDeflateRaw({ level: this.#level, chunkSize: CHUNK_BYTES, flush: constants.Z_FINISH });
    const stream = this.#stream;
    try {
      const result = await deflateOnce(stream, data);
      stream.reset();
      return result;
    } catch (error) {
      // A failed stream is in an unknown state: the next file gets a fresh one.
      stream.destroy();
      this.#stream = null;
      throw error;
    }
  }
}

/** Writes `data`, which finishes the deflate stream; resolves with everything it produced. */
function deflateOnce(stream: DeflateRaw, data: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;
    const onData = (chunk: Buffer): void => {
      chunks.push(chunk);
      length += chunk.length;
    };
    const onError = (error: Error): void => {
      stream.off('data', onData);
      reject(error);
    };
    stream.on('data', onData);
    stream.once('error', onError);
    // The write callback runs once the chunk was processed and all its output pushed.
    stream.write(data, (error) => {
      stream.off('data', onData);
      stream.off('error', onError);
      if (error) reject(error);
      else resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, length));
    });
  });
}
