// The file-system edge shared by every layer: error mapping, abort checks, bounded reads of
// untrusted files, and atomic writes. Nothing here knows about zips, manifests or signatures.

import { close, closeSync, constants, fstat, fstatSync, openSync, read, readSync, type Stats } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { MCPSealError } from './errors.ts';

/**
 * node:fs/promises, taken when it is used. Loading it loads readline and the file watchers with
 * it (1.5 ms), and the reads here use descriptors, so a command that only reads (a verify) never
 * loads it (README "Flat memory and speed"): the modules a verify evaluates call this instead of
 * importing it.
 */
export function fsPromises(): typeof import('node:fs/promises') {
  return process.getBuiltinModule('node:fs/promises');
}

/** The errno string of a Node system error (`ENOENT`, ...), or undefined. */
export function errnoCode(cause: unknown): string | undefined {
  const code = (cause as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** Maps a Node file-system error to IO_NOT_FOUND / IO_READ_FAILED / IO_WRITE_FAILED. */
export function ioError(cause: unknown, path: string, action: 'read' | 'write'): MCPSealError {
  if (cause instanceof MCPSealError) return cause;
  const code = errnoCode(cause);
  const reason = cause instanceof Error ? cause.message : String(cause);
  if (code === 'ENOENT' && action === 'read') {
    return new MCPSealError('IO_NOT_FOUND', `${path}: no such file`, { details: { path }, cause });
  }
  return new MCPSealError(action === 'read' ? 'IO_READ_FAILED' : 'IO_WRITE_FAILED', `cannot ${action} ${path}: ${reason}`, {
    details: { path },
    cause,
  });
}

/** IO_INTERRUPTED when `signal` was aborted. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new MCPSealError('IO_INTERRUPTED', 'interrupted', { cause: signal.reason });
}

/**
 * The largest file read with blocking reads. Each operation on the thread pool is a round trip
 * of ~60 us on an idle machine and more on a loaded one, and the first one starts the pool's four
 * threads: a verify of a 4 MB bundle made about 20 of them (its chunks, its end, the manifest, the
 * sidecar, the key). With opens in place and reads in place for files this small, it starts no
 * pool at all: 92 -> 84 ms for the reads, then 80 -> 76 ms for the opens (medians of 20,
 * alternating; README "Flat memory and speed", "No thread pool"). A whole pass over a file this
 * size holds the event loop for a few milliseconds at most; larger files are read on the pool, so
 * a long scan never keeps timers and signals (Ctrl-C) from being handled.
 */
export const BLOCKING_READ_MAX = 8 * 1024 * 1024;

let blockingReadMax = BLOCKING_READ_MAX;

/**
 * Sets the largest file read in place for this thread (0: none). A batch worker reads on the
 * thread pool: it runs file after file with few idle turns of its event loop, where V8 finishes
 * its collections, so reads in place raised a 200-bundle batch's peak RSS from ~142 to ~158 MB.
 */
export function setBlockingReadMax(bytes: number): void {
  blockingReadMax = bytes;
}

/**
 * An open regular file read at positions: the part of a FileHandle the readers use (read, stat,
 * close), over a descriptor with node:fs (no node:fs/promises). Read and closed in place when it
 * was at most BLOCKING_READ_MAX bytes at open, on the thread pool otherwise. Closed once; later
 * calls do nothing.
 */
export class RegularFile {
  readonly #fd: number;
  #closed = false;
  /** The size when it was opened (openRegularFile's check): what a reader sized by the open uses, without another fstat. */
  readonly size: number;
  /** Whether reads and the close are done in place: the size was at most BLOCKING_READ_MAX (setBlockingReadMax). */
  readonly blocking: boolean;

  constructor(fd: number, size: number) {
    this.#fd = fd;
    this.size = size;
    this.blocking = size <= blockingReadMax;
  }

  read(buffer: Uint8Array, offset: number, length: number, position: number): Promise<{ bytesRead: number }> {
    if (this.blocking) return this.#readInPlace(buffer, offset, length, position);
    return new Promise((resolve, reject) => read(this.#fd, buffer, offset, length, position, (error, bytesRead) => (error ? reject(error) : resolve({ bytesRead }))));
  }

  /** readSync as a promise (an async function: it reads when called, and a failure rejects). */
  async #readInPlace(buffer: Uint8Array, offset: number, length: number, position: number): Promise<{ bytesRead: number }> {
    return { bytesRead: readSync(this.#fd, buffer, offset, length, position) };
  }

  async #closeInPlace(): Promise<void> {
    closeSync(this.#fd);
  }

  stat(): Promise<Stats> {
    return new Promise((resolve, reject) => fstat(this.#fd, (error, stats) => (error ? reject(error) : resolve(stats))));
  }

  /** Everything from the start to the end of the file, however long it has become since it was opened. */
  async readAll(): Promise<Buffer> {
    const chunks: Buffer[] = [];
    let position = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(1024 * 1024);
      const { bytesRead } = await this.read(chunk, 0, chunk.length, position);
      if (bytesRead === 0) return Buffer.concat(chunks);
      chunks.push(chunk.subarray(0, bytesRead));
      position += bytesRead;
    }
  }

  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#closed = true;
    if (this.blocking) return this.#closeInPlace();
    return new Promise((resolve, reject) => close(this.#fd, (error) => (error ? reject(error) : resolve())));
  }
}

/**
 * Opens `path` read-only and refuses anything but a regular file. `O_NONBLOCK` makes opening a
 * FIFO return at once instead of waiting for a writer (a hang no signal could stop), and the type
 * is checked on the open descriptor, so a swap between a check and the open changes nothing. The
 * open and that check are blocking calls (microseconds for a local file, and bin/mcpseal.js stats
 * every argument the same way): a thread-pool round trip each cost more (BLOCKING_READ_MAX).
 */
export async function openRegularFile(path: string): Promise<RegularFile> {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (cause) {
    throw ioError(cause, path, 'read');
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) {
      throw new MCPSealError('IO_READ_FAILED', `${path} is not a regular file`, { details: { path } });
    }
    return new RegularFile(fd, stat.size);
  } catch (error) {
    closeSync(fd);
    throw ioError(error, path, 'read');
  }
}

export interface BoundedReadOptions {
  /** Largest size accepted, in bytes. */
  max: number;
  /** The error for a file larger than `max` (it is never read past `max + 1` bytes). */
  tooLarge: (size: number) => MCPSealError;
  /** The error for a file that does not exist (default IO_NOT_FOUND), when absence means something. */
  missing?: () => MCPSealError;
}

/**
 * Reads a whole untrusted file of at most `max` bytes: regular files only (a link to `/dev/zero`
 * or a FIFO is refused before a byte is read), the size checked before reading, and the read
 * itself bounded so a file that grows meanwhile cannot make it larger.
 */
export async function readBoundedFile(path: string, options: BoundedReadOptions): Promise<Buffer> {
  let handle: RegularFile;
  try {
    handle = await openRegularFile(path);
  } catch (error) {
    if (options.missing && error instanceof MCPSealError && error.code === 'IO_NOT_FOUND') {
      const missing = options.missing();
      throw new MCPSealError(missing.code, missing.message, { details: missing.details, cause: error });
    }
    throw error;
  }
  try {
    const size = handle.size;
    if (size > options.max) throw options.tooLarge(size);
    const buffer = Buffer.allocUnsafe(Math.min(size, options.max) + 1);
    let filled = 0;
    while (filled < buffer.length) {
      const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    if (filled > options.max) throw options.tooLarge(filled);
    return buffer.subarray(0, filled);
  } catch (error) {
    throw ioError(error, path, 'read');
  } finally {
    await handle.close();
  }
}

/** A temporary name beside `path`, for writes that appear atomically with a rename. */
export function tempPathBeside(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
}

/**
 * Writes `data` to `path` atomically: a new temporary file beside it (`O_EXCL`), then a rename.
 * On failure the temporary file is removed and `path` is untouched. `durable`: the file is
 * fsynced before the rename and its directory after, so a crash leaves the old or the new file.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array, options: { mode?: number; durable?: boolean } = {}): Promise<void> {
  const temp = tempPathBeside(path);
  const { open, rename, rm } = fsPromises();
  try {
    const handle = await open(temp, 'wx', options.mode ?? 0o644);
    try {
      await handle.writeFile(data);
      if (options.durable === true) await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (cause) {
    await rm(temp, { force: true });
    throw ioError(cause, path, 'write');
  }
  if (options.durable === true) await syncDirectoryOf(path);
}

/** fsync of the directory holding `path` (a rename's durability); not supported everywhere, so best effort. */
async function syncDirectoryOf(path: string): Promise<void> {
  try {
    const handle = await fsPromises().open(dirname(path), 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch (cause) {
    if (!['EISDIR', 'EINVAL', 'EPERM', 'EBADF'].includes(errnoCode(cause) ?? '')) throw ioError(cause, path, 'write');
  }
}
