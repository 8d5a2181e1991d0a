// The deterministic writer: the same files give the same bytes on any machine, whatever their
// mtimes, owners or the umask. Entries are written in the given (sorted) order, compressed in
// parallel on the zlib thread pool, and the result appears atomically (temp file, then rename).

import { createHash, type Hash } from 'node:crypto';
import { closeSync, createReadStream, constants as fsConstants, fstatSync, openSync, readSync } from 'node:fs';
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createDeflateRaw, crc32 } from 'node:zlib';
import { CentralDirectoryWriter, VERSION_MADE_BY, VERSION_NEEDED, VERSION_NEEDED_ZIP64, type WrittenEntry } from './central-writer.ts';
import { sampleCompressibility } from './compressibility.ts';
import { DEFLATE_LANES, DeflateLane } from './deflater.ts';
import { findSecretInBytes, scanFileStart, scanForSecrets, secretError, SECRET_SCAN_BYTES } from './secret-scan.ts';
import { MCPSealError } from '../errors.ts';
import type { SourceFile } from './collect.ts';
import { WHOLE_ENTRY_LIMIT } from './entry-data.ts';
import {
  EOCD_SIZE,
  FLAG_DATA_DESCRIPTOR,
  FLAG_UTF8,
  LOCAL_HEADER_SIZE,
  METHOD_DEFLATED,
  METHOD_STORED,
  SIG_DATA_DESCRIPTOR,
  SIG_EOCD,
  SIG_LOCAL,
  SIG_ZIP64_EOCD,
  SIG_ZIP64_LOCATOR,
  dosDateTime,
} from './format.ts';
import { resolveLimits, type ArchiveLimits } from '../limits.ts';
import { ioError, throwIfAborted } from '../io.ts';

/** The timestamp every entry gets when no `SOURCE_DATE_EPOCH` is given: the DOS epoch, 1980-01-01T00:00:00Z. */
export const DEFAULT_TIMESTAMP = Date.UTC(1980, 0, 1, 0, 0, 0) / 1000;

export interface WriteOptions {
  /** Seconds since the Unix epoch for every entry's timestamp (reproducible-builds.org SOURCE_DATE_EPOCH). */
  sourceDateEpoch?: number;
  /** zlib level, 0-9 (default 6). */
  level?: number;
  /** The limits the result must satisfy for the strict reader (ratio, sizes). */
  limits?: Partial<ArchiveLimits>;
  onProgress?: (done: number, total: number) => void;
  /** Aborting stops the writer and removes the temporary file (IO_INTERRUPTED). */
  signal?: AbortSignal;
  /**
   * Refuse files whose content looks like a secret (ARCHIVE_SOURCE_SECRET, secret-scan.ts), but
   * the names in `allow`. Each file's first SECRET_SCAN_BYTES are checked in memory, on the bytes
   * read to pack it, before anything of its entry is written: nothing of a file with a secret
   * reaches the temporary file. From the first finding on nothing more is written; the files
   * after it are only scanned, so the error lists every finding, and the temporary file is removed.
   */
  secretScan?: { allow: readonly string[] };
}

export interface WriteResult {
  path: string;
  size: number;
  sha256: string;
  entries: number;
}

interface Prepared {
  method: number;
  crc: number;
  payload: Buffer;
  size: number;
  /** The pooled input buffer the payload views (a stored entry), returned to the pool once written. */
  buffer: Buffer | null;
  /** What the secret scan found in the file: the entry must not be written. */
  secret?: { kind: string; line: number };
}

// In flight ahead of the writer: enough files to keep the thread pool busy, bounded in bytes.
const WINDOW_FILES = 16;
const WINDOW_BYTES = 8 * 1024 * 1024;
/** Input buffers kept for reuse; sizes are rounded up to the grain so that they fit again. */
const POOL_BYTES = 12 * 1024 * 1024;
const POOL_GRAIN = 64 * 1024;
const OUTPUT_BUFFER_BYTES = 1024 * 1024;
/** Files at least this large are probed before they are deflated whole. */
const PROBE_MIN_SIZE = 64 * 1024;
const PROBE_BYTES = 16 * 1024;
/** A sample that deflate shrinks by less than 2% is taken as incompressible. */
const PROBE_KEEP_RATIO = 0.98;

/** Writes `files` (already sorted and checked) as a zip archive at `outPath`. */
export async function writeArchive(files: readonly SourceFile[], outPath: string, options: WriteOptions = {}): Promise<WriteResult> {
  const limits = resolveLimits(options.limits);
  const level = options.level ?? 6;
  const { time, date } = dosDateTime(new Date((options.sourceDateEpoch ?? DEFAULT_TIMESTAMP) * 1000));
  const total = files.reduce((sum, file) => sum + file.size, 0);
  if (total > limits.maxTotalSize) {
    throw new MCPSealError('ARCHIVE_TOTAL_TOO_LARGE', `the files add up to ${total} bytes (limit ${limits.maxTotalSize})`, {
      details: { limit: 'maxTotalSize' },
    });
  }

  const temp = join(dirname(outPath), `.${basename(outPath)}.${process.pid}.${Date.now()}.tmp`);
  let handle: FileHandle;
  try {
    handle = await open(temp, 'wx+', 0o644);
  } catch (cause) {
    throw ioError(cause, outPath, 'write');
  }
  const out = new OutputFile(handle);
  const scanned = secretScanFilter(options.secretScan);
  const window = new PrepareWindow(files, { level, limits, scanned });
  try {
    const directory = new CentralDirectoryWriter(time, date);
    let done = 0;
    for (let i = 0; i < files.length; i++) {
      const file = files[i]!;
      throwIfAborted(options.signal);
      const name = file.name;
      const flags = /[^\u0000-\u007f]/u.test(file.name) ? FLAG_UTF8 : 0;
      const mode = file.executable ? 0o755 : 0o644;
      const offset = out.position;
      if (file.size <= WHOLE_ENTRY_LIMIT) {
        const prepared = await window.take(i);
        if (prepared.secret) throw await refuseFrom(files, i, prepared.secret, scanned);
        await out.write(localHeader({ name, flags, method: prepared.method, crc: prepared.crc, compressedSize: prepared.payload.length, size: prepared.size, time, date }));
        await out.write(prepared.payload);
        window.release(i, prepared);
        directory.add({ name, flags, method: prepared.method, crc: prepared.crc, compressedSize: prepared.payload.length, size: prepared.size, offset, mode });
      } else {
        const secret = scanned(file) ? scanFileStart(file.path) : undefined;
        if (secret) throw await refuseFrom(files, i, secret, scanned);
        directory.add(await writeLargeEntry(out, file, { name, flags, mode, offset, level, time, date }, limits));
      }
      done += file.size;
      options.onProgress?.(done, total);
    }
    await writeCentralDirectory(out, directory);
    const sha256 = await out.digest();
    await handle.close();
    await rename(temp, outPath);
    return { path: outPath, size: out.position, sha256, entries: directory.count };
  } catch (error) {
    await handle.close().catch(() => {});
    await rm(temp, { force: true });
    if (error instanceof MCPSealError) throw error;
    throw ioError(error, outPath, 'write');
  } finally {
    window.close();
  }
}

/** Which files the secret scan checks: none without `secretScan`, else all but the allowed names. */
function secretScanFilter(scan: WriteOptions['secretScan']): (file: SourceFile) => boolean {
  if (!scan) return () => false;
  const allow = new Set(scan.allow);
  return (file) => !allow.has(file.name);
}

/** ARCHIVE_SOURCE_SECRET for the secret in entry `index` and any in the files after it (scanned, not written). */
async function refuseFrom(files: readonly SourceFile[], index: number, secret: { kind: string; line: number }, scanned: (file: SourceFile) => boolean): Promise<MCPSealError> {
  const rest = await scanForSecrets(files.slice(index + 1).filter(scanned));
  return secretError([{ name: files[index]!.name, ...secret }, ...rest]);
}

/**
 * Reads and compresses files ahead of the writer on the thread pool. What is in flight is bounded
 * by bytes (and entries): memory stays flat whatever the size of the tree. Input buffers are
 * recycled through a pool instead of one fresh allocation per file, which left hundreds of
 * megabytes of dead buffers for the garbage collector to find (peak RSS 340 MB at scale 1).
 */
class PrepareWindow {
  readonly #files: readonly SourceFile[];
  readonly #level: number;
  readonly #limits: Readonly<ArchiveLimits>;
  readonly #scanned: (file: SourceFile) => boolean;
  readonly #pending = new Map<number, Promise<Prepared>>();
  readonly #buffers = new BufferPool(POOL_BYTES);
  readonly #lanes: DeflateLane[];
  #next = 0;
  #bytes = 0;

  constructor(files: readonly SourceFile[], { level, limits, scanned }: { level: number; limits: Readonly<ArchiveLimits>; scanned: (file: SourceFile) => boolean }) {
    this.#files = files;
    this.#level = level;
    this.#limits = limits;
    this.#scanned = scanned;
    this.#lanes = Array.from({ length: DEFLATE_LANES }, () => new DeflateLane(level));
  }

  /** Frees the lanes' deflate streams once their queued work is done. */
  close(): void {
    for (const lane of this.#lanes) lane.close();
  }

  /** The prepared entry `index`; call `release` once its payload is written. */
  async take(index: number): Promise<Prepared> {
    this.#fill(index);
    const pending = this.#pending.get(index);
    if (!pending) throw new MCPSealError('INTERNAL_ERROR', `entry ${index} was not prepared`);
    this.#pending.delete(index);
    return await pending;
  }

  /** The payload of entry `index` is written: its bytes leave the window and its buffer returns to the pool. */
  release(index: number, prepared: Prepared): void {
    this.#bytes -= this.#files[index]!.size;
    if (prepared.buffer) this.#buffers.give(prepared.buffer);
    this.#fill(index + 1);
  }

  #fill(from: number): void {
    if (this.#next < from) this.#next = from;
    while (this.#next < this.#files.length && (this.#pending.size === 0 || (this.#pending.size < WINDOW_FILES && this.#bytes < WINDOW_BYTES))) {
      const index = this.#next++;
      const file = this.#files[index]!;
      if (file.size > WHOLE_ENTRY_LIMIT) continue;
      this.#bytes += file.size;
      // The lane is fixed by the index (see deflater.ts): the bytes must not depend on timing.
      const lane = this.#lanes[index % DEFLATE_LANES]!;
      const prepared = prepare(file, { level: this.#level, limits: this.#limits, pool: this.#buffers, lane, scan: this.#scanned(file) });
      prepared.catch(() => {});
      this.#pending.set(index, prepared);
    }
  }
}

/** Recycled input buffers, at most `maxBytes` of them kept. */
class BufferPool {
  readonly #maxBytes: number;
  readonly #free: Buffer[] = [];
  #kept = 0;

  constructor(maxBytes: number) {
    this.#maxBytes = maxBytes;
  }

  /** A buffer of at least `size` bytes (its contents are garbage). */
  take(size: number): Buffer {
    let best = -1;
    for (let i = 0; i < this.#free.length; i++) {
      const length = this.#free[i]!.length;
      if (length >= size && (best === -1 || length < this.#free[best]!.length)) best = i;
    }
    if (best === -1) return Buffer.allocUnsafeSlow(Math.max(POOL_GRAIN, Math.ceil(size / POOL_GRAIN) * POOL_GRAIN));
    const [buffer] = this.#free.splice(best, 1);
    this.#kept -= buffer!.length;
    return buffer!;
  }

  give(buffer: Buffer): void {
    if (this.#kept + buffer.length > this.#maxBytes) return;
    this.#free.push(buffer);
    this.#kept += buffer.length;
  }
}

/**
 * Reads a whole (small) file into a pooled buffer. Synchronously, on purpose: the files were just
 * listed and sit in the page cache, and three syscalls on the main thread cost less than three
 * thread-pool round trips, which also leaves the pool to the deflater. O_NONBLOCK and the fstat
 * check keep a FIFO swapped in since the walk from blocking the read.
 */
function readWhole(file: SourceFile, limits: Readonly<ArchiveLimits>, pool: BufferPool): { data: Buffer; buffer: Buffer } {
  let fd: number;
  try {
    fd = openSync(file.path, fsConstants.O_RDONLY | (fsConstants.O_NONBLOCK ?? 0));
  } catch (cause) {
    throw ioError(cause, file.path, 'read');
  }
  try {
    const info = fstatSync(fd);
    if (!info.isFile()) throw new MCPSealError('IO_READ_FAILED', `${file.path} is not a regular file`, { details: { path: file.path } });
    if (info.size > limits.maxEntrySize) {
      throw new MCPSealError('ARCHIVE_ENTRY_TOO_LARGE', `${file.name} is ${info.size} bytes (limit ${limits.maxEntrySize})`, {
        details: { entry: file.name, limit: 'maxEntrySize' },
      });
    }
    if (info.size !== file.size) throw changedWhilePacking(file);
    const buffer = pool.take(info.size);
    let filled = 0;
    for (let read = -1; filled < info.size && read !== 0; filled += read) read = readSync(fd, buffer, filled, info.size - filled, filled);
    if (filled !== info.size) throw changedWhilePacking(file);
    return { data: buffer.subarray(0, filled), buffer };
  } catch (cause) {
    if (cause instanceof MCPSealError) throw cause;
    throw ioError(cause, file.path, 'read');
  } finally {
    closeSync(fd);
  }
}

function changedWhilePacking(file: SourceFile): MCPSealError {
  return new MCPSealError('IO_READ_FAILED', `${file.name} changed while it was being packed`, { details: { path: file.path } });
}

interface PrepareContext {
  level: number;
  limits: Readonly<ArchiveLimits>;
  pool: BufferPool;
  lane: DeflateLane;
  /** Check the file's first bytes for a secret before anything else is done with them. */
  scan: boolean;
}

async function prepare(file: SourceFile, { level, limits, pool, lane, scan }: PrepareContext): Promise<Prepared> {
  // Everything up to lane.run happens during the call, before any await: files are read and
  // queued on their lanes in index order. They are compressed when the lane's earlier files are done.
  const { data, buffer } = readWhole(file, limits, pool);
  // The scan runs here, on the main thread, while the lanes compress the files read before: it
  // overlaps the zlib pool's work instead of a whole pass ahead of it (issue 14).
  const secret = scan ? findSecretInBytes(data.subarray(0, SECRET_SCAN_BYTES)) : undefined;
  if (secret) return { method: METHOD_STORED, crc: 0, payload: data, size: data.length, buffer, secret };
  const crc = crc32(data);
  const stored: Prepared = { method: METHOD_STORED, crc, payload: data, size: data.length, buffer };
  if (data.length === 0 || level === 0) return stored;
  // Random-looking content is stored without a deflate (it would not shrink: compressibility.ts);
  // text and code skip the probe. Decided by the bytes alone, before the lane: reproducible.
  const kind = sampleCompressibility(data);
  if (kind === 'random') return stored;
  return await lane.run(async (deflate) => {
    if (kind === 'unclear' && data.length >= PROBE_MIN_SIZE && (await incompressible(data.subarray(0, PROBE_BYTES), deflate))) return stored;
    const compressed = await deflate(data);
    // Store when deflate does not help, and when the ratio would trip the reader's bomb rule.
    const tooDense = data.length >= limits.ratioThreshold && data.length > compressed.length * limits.maxCompressionRatio;
    if (compressed.length >= data.length || tooDense) return stored;
    pool.give(buffer);
    return { method: METHOD_DEFLATED, crc, payload: compressed, size: data.length, buffer: null };
  });
}

/**
 * Whether deflate leaves a sample (the file's first PROBE_BYTES) practically as large as it was:
 * random or already-compressed data (images, archives, fonts, wasm blobs that are packed), which
 * Info-ZIP also ends up storing, only after deflating all of it at ~50 MB/s of CPU. The decision
 * depends on the bytes alone, so the output stays reproducible.
 */
async function incompressible(sample: Buffer, deflate: (data: Buffer) => Promise<Buffer>): Promise<boolean> {
  const compressed = await deflate(sample);
  return compressed.length >= sample.length * PROBE_KEEP_RATIO;
}

async function deflateFileTo(file: SourceFile, level: number, out: OutputFile): Promise<{ crc: number; compressedSize: number; size: number }> {
  let crc = 0;
  let size = 0;
  let compressedSize = 0;
  const input = createReadStream(file.path, { highWaterMark: 1024 * 1024 });
  input.on('data', (chunk) => {
    const buffer = chunk as Buffer;
    crc = crc32(buffer, crc);
    size += buffer.length;
  });
  await pipeline(
    input,
    createDeflateRaw({ level, chunkSize: 256 * 1024 }),
    new Writable({
      write(chunk: Buffer, _encoding, callback) {
        compressedSize += chunk.length;
        out.write(chunk).then(() => callback(), callback);
      },
    }),
  );
  return { crc, compressedSize, size };
}

interface EntryPlacement {
  name: string;
  flags: number;
  mode: number;
  offset: number;
  level: number;
  time: number;
  date: number;
}

/**
 * A file too large to hold in memory streams through the deflater with a data descriptor
 * (APPNOTE 4.3.9), so memory stays flat and the output is still written strictly in order. When
 * deflate does not help, or the ratio would trip the strict reader's bomb rule, the entry is
 * rewritten stored.
 */
async function writeLargeEntry(out: OutputFile, file: SourceFile, at: EntryPlacement, limits: Readonly<ArchiveLimits>): Promise<WrittenEntry> {
  const { name, mode, offset, time, date } = at;
  const flags = at.flags | FLAG_DATA_DESCRIPTOR;
  await out.write(localHeader({ name, flags, method: METHOD_DEFLATED, crc: 0, compressedSize: 0, size: 0, time, date }));
  const { crc, compressedSize, size } = await deflateFileTo(file, at.level, out);
  if (size > limits.maxEntrySize || size >= 0xffffffff) {
    throw new MCPSealError('ARCHIVE_ENTRY_TOO_LARGE', `${file.name} is ${size} bytes (limit ${Math.min(limits.maxEntrySize, 0xfffffffe)})`, {
      details: { entry: file.name, limit: 'maxEntrySize' },
    });
  }
  const tooDense = size >= limits.ratioThreshold && size > compressedSize * limits.maxCompressionRatio;
  if (compressedSize < size && !tooDense) {
    const descriptor = Buffer.alloc(16);
    descriptor.writeUInt32LE(SIG_DATA_DESCRIPTOR, 0);
    descriptor.writeUInt32LE(crc, 4);
    descriptor.writeUInt32LE(compressedSize, 8);
    descriptor.writeUInt32LE(size, 12);
    await out.write(descriptor);
    return { name, flags, method: METHOD_DEFLATED, crc, compressedSize, size, offset, mode };
  }
  await out.truncate(offset);
  await out.write(localHeader({ name, flags: at.flags, method: METHOD_STORED, crc, compressedSize: size, size, time, date }));
  const copied = await copyFileTo(file, out);
  if (copied.size !== size || copied.crc !== crc) {
    throw new MCPSealError('IO_READ_FAILED', `${file.name} changed while it was being packed`, { details: { path: file.path } });
  }
  return { name, flags: at.flags, method: METHOD_STORED, crc, compressedSize: size, size, offset, mode };
}

async function copyFileTo(file: SourceFile, out: OutputFile): Promise<{ crc: number; size: number }> {
  let crc = 0;
  let size = 0;
  for await (const chunk of createReadStream(file.path, { highWaterMark: 1024 * 1024 })) {
    const buffer = chunk as Buffer;
    crc = crc32(buffer, crc);
    size += buffer.length;
    await out.write(buffer);
  }
  return { crc, size };
}

function localHeader(fields: { name: string; flags: number; method: number; crc: number; compressedSize: number; size: number; time: number; date: number }): Buffer {
  const nameLength = Buffer.byteLength(fields.name, 'utf8');
  const header = Buffer.alloc(LOCAL_HEADER_SIZE + nameLength);
  header.writeUInt32LE(SIG_LOCAL, 0);
  header.writeUInt16LE(VERSION_NEEDED, 4);
  header.writeUInt16LE(fields.flags, 6);
  header.writeUInt16LE(fields.method, 8);
  header.writeUInt16LE(fields.time, 10);
  header.writeUInt16LE(fields.date, 12);
  header.writeUInt32LE(fields.crc, 14);
  header.writeUInt32LE(fields.compressedSize, 18);
  header.writeUInt32LE(fields.size, 22);
  header.writeUInt16LE(nameLength, 26);
  header.writeUInt16LE(0, 28);
  header.write(fields.name, LOCAL_HEADER_SIZE, 'utf8');
  return header;
}

/** Central directory (APPNOTE 4.3.12) and end records, with zip64 records only when a value overflows. */
async function writeCentralDirectory(out: OutputFile, directory: CentralDirectoryWriter): Promise<void> {
  const cdOffset = out.position;
  for (const chunk of directory.chunks()) await out.write(chunk);
  const count = directory.count;
  const cdSize = out.position - cdOffset;
  const needsZip64 = count >= 0xffff || cdOffset >= 0xffffffff || cdSize >= 0xffffffff;
  if (needsZip64) {
    const zip64EndOffset = out.position;
    const record = Buffer.alloc(56);
    record.writeUInt32LE(SIG_ZIP64_EOCD, 0);
    record.writeBigUInt64LE(44n, 4);
    record.writeUInt16LE(VERSION_MADE_BY, 12);
    record.writeUInt16LE(VERSION_NEEDED_ZIP64, 14);
    record.writeBigUInt64LE(BigInt(count), 24);
    record.writeBigUInt64LE(BigInt(count), 32);
    record.writeBigUInt64LE(BigInt(cdSize), 40);
    record.writeBigUInt64LE(BigInt(cdOffset), 48);
    const locator = Buffer.alloc(20);
    locator.writeUInt32LE(SIG_ZIP64_LOCATOR, 0);
    locator.writeBigUInt64LE(BigInt(zip64EndOffset), 8);
    locator.writeUInt32LE(1, 16);
    await out.write(record);
    await out.write(locator);
  }
  const eocd = Buffer.alloc(EOCD_SIZE);
  eocd.writeUInt32LE(SIG_EOCD, 0);
  eocd.writeUInt16LE(needsZip64 ? 0xffff : count, 8);
  eocd.writeUInt16LE(needsZip64 ? 0xffff : count, 10);
  eocd.writeUInt32LE(needsZip64 ? 0xffffffff : cdSize, 12);
  eocd.writeUInt32LE(needsZip64 ? 0xffffffff : cdOffset, 16);
  await out.write(eocd);
}

/**
 * Buffered sequential output that hashes what it writes. Writes are copied into one reused
 * buffer, so a caller may reuse its chunk as soon as `write` resolves (the pooled input buffers
 * of stored entries rely on it).
 */
class OutputFile {
  readonly #handle: FileHandle;
  #hash: Hash = createHash('sha256');
  /** Set once the output was cut back: the running hash then covers bytes no longer there. */
  #rewound = false;
  readonly #buffer = Buffer.allocUnsafeSlow(OUTPUT_BUFFER_BYTES);
  #buffered = 0;
  #position = 0;
  /** Bytes already on disk; flushes write at this offset explicitly. */
  #flushed = 0;

  constructor(handle: FileHandle) {
    this.#handle = handle;
  }

  get position(): number {
    return this.#position;
  }

  async write(chunk: Buffer): Promise<void> {
    this.#hash.update(chunk);
    this.#position += chunk.length;
    if (this.#buffered + chunk.length > this.#buffer.length) await this.flush();
    if (chunk.length >= this.#buffer.length) {
      await this.#writeOut(chunk);
      return;
    }
    chunk.copy(this.#buffer, this.#buffered);
    this.#buffered += chunk.length;
  }

  async flush(): Promise<void> {
    if (this.#buffered === 0) return;
    const data = this.#buffer.subarray(0, this.#buffered);
    this.#buffered = 0;
    await this.#writeOut(data);
  }

  async #writeOut(data: Buffer): Promise<void> {
    let written = 0;
    while (written < data.length) {
      const { bytesWritten } = await this.#handle.write(data, written, data.length - written, this.#flushed + written);
      written += bytesWritten;
    }
    this.#flushed += data.length;
  }

  /** Cuts the output back to `position` (a rare path: an entry rewritten stored). */
  async truncate(position: number): Promise<void> {
    await this.flush();
    await this.#handle.truncate(position);
    this.#position = position;
    this.#flushed = position;
    this.#rewound = true;
  }

  /** The sha256 of the finished output; re-read from disk if the output was ever cut back. */
  async digest(): Promise<string> {
    await this.flush();
    if (!this.#rewound) return this.#hash.digest('hex');
    const hash = createHash('sha256');
    const buffer = Buffer.allocUnsafe(1024 * 1024);
    for (let position = 0; position < this.#position; ) {
      const { bytesRead } = await this.#handle.read(buffer, 0, Math.min(buffer.length, this.#position - position), position);
      if (bytesRead === 0) break;
      hash.update(buffer.subarray(0, bytesRead));
      position += bytesRead;
    }
    return hash.digest('hex');
  }
}
