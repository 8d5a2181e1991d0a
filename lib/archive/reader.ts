// The strict zip reader. `Archive.open` parses and checks the central directory (phase one);
// `scan` then walks the file once, front to back, checking every local header, the exact layout
// (no gaps, no overlaps, nothing hidden), every entry's size and CRC-32, and hashing the file.

import { MCPSealError } from '../errors.ts';
import { throwIfAborted } from '../io.ts';
import { readCentralDirectory, type ArchiveLayout } from './central-directory.ts';
import { printable } from './names.ts';
import {
  checkDataDescriptor,
  checkLocalHeader,
  inflateStream,
  isInlineEntry,
  inflateWhole,
  inflateWholeSync,
  isWholeEntry,
  localHeaderTailLength,
  releaseBuffer,
  type ChunkSink,
} from './entry-data.ts';
import type { ArchiveEntry } from './entry.ts';
import type { EntryTable } from './entry-table.ts';
import { FLAG_DATA_DESCRIPTOR, LOCAL_HEADER_SIZE, METHOD_DEFLATED, METHOD_STORED } from './format.ts';
import { resolveLimits, type ArchiveLimits } from '../limits.ts';
import { SequentialReader } from './sequential-reader.ts';
import { openFileSource, type ByteSource } from './source.ts';

export interface OpenArchiveOptions {
  /** Overrides for `defaultLimits`. */
  limits?: Partial<ArchiveLimits>;
}

/** Receives checked entry contents during a scan. */
export interface EntryVisitor {
  /** The whole content of an entry small enough to hold in memory, already size- and CRC-checked. */
  content(entry: ArchiveEntry, data: Buffer): Promise<void> | void;
  /** A sink for a larger entry; bytes arrive before the CRC is known, `end` only once it checked. */
  stream(entry: ArchiveEntry): Promise<ChunkSink> | ChunkSink;
}

export interface ScanOptions {
  /** Inflate every file and check sizes and CRC-32 (the `unzip -t` analogue). Implied by `visitor`. */
  checkData?: boolean;
  /** Compute the sha256 of the whole file in the same pass. */
  hash?: boolean;
  visitor?: EntryVisitor;
  /** Called as the scan advances, with bytes of the file done and in all. */
  onProgress?: (done: number, total: number) => void;
  /** Stops the scan between entries (a user's Ctrl-C); the scan then throws IO_INTERRUPTED. */
  signal?: AbortSignal;
}

export interface ScanResult {
  /** Hex sha256 of the whole file, when asked for. */
  sha256: string | null;
}

// Bounds on work in flight during a scan: enough to keep the zlib thread pool and the disk busy,
// small enough that memory does not grow with the archive.
const EMPTY_DEFLATE = Buffer.from([0x03, 0x00]);
const MAX_TASKS = 8;
const MAX_TASK_BYTES = 8 * 1024 * 1024;

export class Archive {
  readonly source: ByteSource;
  readonly limits: Readonly<ArchiveLimits>;
  /** Entries in central-directory order. */
  readonly entries: readonly ArchiveEntry[];
  readonly layout: ArchiveLayout;
  /** Sum of the declared (and, once scanned, checked) uncompressed sizes. */
  readonly totalSize: number;
  readonly #table: EntryTable;

  private constructor(source: ByteSource, limits: Readonly<ArchiveLimits>, table: EntryTable, layout: ArchiveLayout, totalSize: number) {
    this.source = source;
    this.limits = limits;
    this.entries = table.entries;
    this.layout = layout;
    this.totalSize = totalSize;
    this.#table = table;
  }

  /** Reads and checks the central directory of the archive in `source`. The caller keeps ownership of the source. */
  static async open(source: ByteSource, options: OpenArchiveOptions = {}): Promise<Archive> {
    const limits = resolveLimits(options.limits);
    const { table, layout, totalSize } = await readCentralDirectory(source, limits);
    return new Archive(source, limits, table, layout, totalSize);
  }

  /** Opens a file; `close()` closes it. */
  static async openFile(path: string, options: OpenArchiveOptions = {}): Promise<Archive> {
    const source = await openFileSource(path);
    try {
      return await Archive.open(source, options);
    } catch (error) {
      await source.close();
      throw error;
    }
  }

  get size(): number {
    return this.layout.size;
  }

  entry(name: string): ArchiveEntry | undefined {
    return this.#table.lookup(name);
  }

  /** Names of the file entries (directories excluded), e.g. for the manifest's file checks. */
  fileNames(): Set<string> {
    const names = new Set<string>();
    for (const entry of this.entries) if (entry.kind === 'file') names.add(entry.name);
    return names;
  }

  /** Reads one whole entry by random access, with the local header and data checks of a scan. */
  async readEntry(entry: ArchiveEntry): Promise<Buffer> {
    if (entry.kind === 'directory') return Buffer.alloc(0);
    const dataOffset = await this.#checkedDataOffset(entry);
    // A small entry (a manifest) on this thread, as the scan does: no thread-pool round trip.
    if (isInlineEntry(entry)) return inflateWholeSync(entry, await this.source.read(dataOffset, entry.compressedSize));
    if (isWholeEntry(entry)) return inflateWhole(entry, await this.source.read(dataOffset, entry.compressedSize));
    const source = this.source;
    async function* pieces(): AsyncGenerator<Buffer> {
      const step = 1024 * 1024;
      for (let at = 0; at < entry.compressedSize; at += step) {
        yield await source.read(dataOffset + at, Math.min(step, entry.compressedSize - at));
      }
    }
    const chunks: Buffer[] = [];
    await inflateStream(entry, pieces(), { write: (chunk) => void chunks.push(Buffer.from(chunk)), end: () => {} });
    return Buffer.concat(chunks);
  }

  /** Checks an entry's local header against the central directory and returns where its data starts. */
  async #checkedDataOffset(entry: ArchiveEntry): Promise<number> {
    const restLength = localHeaderTailLength(await this.source.read(entry.localHeaderOffset, LOCAL_HEADER_SIZE), 0, entry);
    checkLocalHeader(entry, await this.source.read(entry.localHeaderOffset, LOCAL_HEADER_SIZE + restLength), 0);
    const dataOffset = entry.localHeaderOffset + LOCAL_HEADER_SIZE + restLength;
    if (dataOffset + entry.compressedSize > this.layout.centralDirectoryOffset) throw outOfBounds(entry);
    return dataOffset;
  }

  /**
   * One pass over the whole file in order. Every byte of the file is accounted for: local
   * header, name, extra field, data and descriptor of each entry back to back from offset 0, then
   * the central directory and end records exactly as phase one read them.
   */
  async scan(options: ScanOptions = {}): Promise<ScanResult> {
    const checkData = options.checkData === true || options.visitor !== undefined;
    const reader = new SequentialReader(this.source, { hash: options.hash === true });
    const byOffset = this.#table.byOffset();
    const tasks = new TaskPool(MAX_TASKS, MAX_TASK_BYTES);
    try {
      for (let i = 0; i < byOffset.length; i++) {
        const entry = byOffset[i]!;
        throwIfAborted(options.signal);
        const nextOffset = byOffset[i + 1]?.localHeaderOffset ?? this.layout.centralDirectoryOffset;
        if (reader.position !== entry.localHeaderOffset) expectPosition(reader.position, entry.localHeaderOffset, `before entry "${printable(entry.name)}"`);
        // Most headers lie in the read chunk: checked in place, no copy and no await.
        if (!localHeaderInChunk(reader, entry, nextOffset, byOffset[i + 1])) await localHeaderCopied(reader, entry, nextOffset, byOffset[i + 1]);
        if (entry.kind === 'directory') {
          if (entry.compressedSize > 0) await checkDirectoryData(reader, entry);
        } else if (!checkData) {
          if (!reader.skipInChunk(entry.compressedSize)) await reader.skip(entry.compressedSize);
        } else {
          await checkEntryData(reader, entry, tasks, options.visitor);
        }
        tasks.throwIfFailed();

        if (entry.flags & FLAG_DATA_DESCRIPTOR) {
          const length = nextOffset - reader.position;
          if (length > 24) throw hidden(reader.position, length, `after entry "${printable(entry.name)}"`);
          checkDataDescriptor(entry, await reader.take(length));
        }
        options.onProgress?.(reader.position, this.size);
      }
      expectPosition(reader.position, this.layout.centralDirectoryOffset, 'before the central directory');
      await tasks.drain();

      // The directory and end records must still be the bytes phase one parsed: the file is not
      // allowed to change under us between the two reads.
      const trailer = await reader.take(this.size - this.layout.centralDirectoryOffset);
      if (!trailer.equals(this.layout.trailerBytes)) {
        throw new MCPSealError('ARCHIVE_CHANGED_DURING_READ', 'the central directory changed while the archive was being read');
      }
      options.onProgress?.(this.size, this.size);
      return { sha256: reader.digest() };
    } finally {
      // Never leave work running (or files half-written) behind a thrown error.
      await tasks.settle();
      await reader.release();
    }
  }

  /** Closes the underlying source. */
  async close(): Promise<void> {
    await this.source.close();
  }
}

/**
 * Checks the local header at the reader's position when it lies whole in the read chunk (in
 * place, consumed); false, consuming nothing, when it does not. The overlap check comes before
 * the name and extra field are consumed, as in `localHeaderCopied`.
 */
function localHeaderInChunk(reader: SequentialReader, entry: ArchiveEntry, nextOffset: number, next: ArchiveEntry | undefined): boolean {
  const at = reader.peek(LOCAL_HEADER_SIZE);
  if (at < 0) return false;
  const restLength = localHeaderTailLength(reader.chunk, at, entry, reader.chunkFields);
  if (reader.position + LOCAL_HEADER_SIZE + restLength + entry.compressedSize > nextOffset) throw overlap(entry, next);
  if (reader.claim(LOCAL_HEADER_SIZE + restLength) < 0) return false;
  checkLocalHeader(entry, reader.chunk, at, reader.chunkFields);
  return true;
}

/** The local header across a chunk boundary: the same checks on a copy. */
async function localHeaderCopied(reader: SequentialReader, entry: ArchiveEntry, nextOffset: number, next: ArchiveEntry | undefined): Promise<void> {
  const header = await reader.take(LOCAL_HEADER_SIZE);
  const restLength = localHeaderTailLength(header, 0, entry);
  if (reader.position + restLength + entry.compressedSize > nextOffset) throw overlap(entry, next);
  checkLocalHeader(entry, Buffer.concat([header, await reader.take(restLength)]), 0);
}

/** A directory's only allowed data is an empty deflate stream (03 00): nothing may hide there. */
async function checkDirectoryData(reader: SequentialReader, entry: ArchiveEntry): Promise<void> {
  const data = await reader.take(entry.compressedSize);
  if (data.length > 0 && !(entry.method === METHOD_DEFLATED && data.equals(EMPTY_DEFLATE))) {
    throw new MCPSealError('ARCHIVE_BAD_DIRECTORY_ENTRY', `directory entry "${printable(entry.name)}" carries data`, { details: { entry: entry.name } });
  }
}

/** Inflates a file's data (or checks a stored one) against its size and CRC-32, handing it to the visitor. */
async function checkEntryData(reader: SequentialReader, entry: ArchiveEntry, tasks: TaskPool, visitor: EntryVisitor | undefined): Promise<void> {
  if (isInlineEntry(entry)) {
    // Inflated on this thread, no task. A deflated entry is read as a view into the read
    // chunk (used before the next read: no copy); a stored one is copied, because its data
    // is what the visitor gets, and may keep.
    const compressed = entry.method === METHOD_STORED ? await reader.take(entry.compressedSize) : await reader.view(entry.compressedSize);
    const data = inflateWholeSync(entry, compressed);
    if (visitor) await visitor.content(entry, data);
    else releaseBuffer(data);
  } else if (isWholeEntry(entry)) {
    // A view into a read chunk; chunks are never reused, so the task may keep it.
    const compressed = await reader.take(entry.compressedSize);
    await tasks.run(entry.compressedSize + entry.size, async () => {
      const data = await inflateWhole(entry, compressed);
      // The copy taken above is this scan's own; the inflated data is the visitor's to keep.
      if (data !== compressed) releaseBuffer(compressed);
      if (visitor) await visitor.content(entry, data);
      else releaseBuffer(data);
    });
  } else {
    const sink = visitor ? await visitor.stream(entry) : null;
    await inflateStream(entry, reader.pieces(entry.compressedSize), sink);
  }
}

function expectPosition(position: number, expected: number, where: string): void {
  if (position < expected) throw hidden(position, expected - position, where);
  if (position > expected) {
    throw new MCPSealError('ARCHIVE_OVERLAPPING_ENTRIES', `records overlap ${where}`, { details: { offset: expected, found: position } });
  }
}

function hidden(offset: number, length: number, where: string): MCPSealError {
  return new MCPSealError('ARCHIVE_HIDDEN_DATA', `${length} unaccounted bytes at offset ${offset} ${where}`, {
    details: { offset, found: length },
  });
}

function overlap(entry: ArchiveEntry, next: ArchiveEntry | undefined): MCPSealError {
  if (!next) return outOfBounds(entry);
  return new MCPSealError('ARCHIVE_OVERLAPPING_ENTRIES', `entries "${printable(entry.name)}" and "${printable(next.name)}" overlap`, {
    details: { entry: entry.name, found: next.name },
  });
}

function outOfBounds(entry: ArchiveEntry): MCPSealError {
  return new MCPSealError('ARCHIVE_OUT_OF_BOUNDS', `entry "${printable(entry.name)}" extends into the central directory`, {
    details: { entry: entry.name },
  });
}

/** Runs async tasks with a cap on their number and on the bytes they hold; remembers the first failure. */
class TaskPool {
  readonly #maxTasks: number;
  readonly #maxBytes: number;
  readonly #running = new Set<Promise<void>>();
  #bytes = 0;
  #failure: { error: unknown } | null = null;

  constructor(maxTasks: number, maxBytes: number) {
    this.#maxTasks = maxTasks;
    this.#maxBytes = maxBytes;
  }

  async run(bytes: number, task: () => Promise<void>): Promise<void> {
    while (this.#running.size > 0 && (this.#running.size >= this.#maxTasks || this.#bytes + bytes > this.#maxBytes)) {
      await Promise.race(this.#running);
    }
    this.throwIfFailed();
    this.#bytes += bytes;
    const running: Promise<void> = task()
      .catch((error: unknown) => {
        this.#failure ??= { error };
      })
      .finally(() => {
        this.#running.delete(running);
        this.#bytes -= bytes;
      });
    this.#running.add(running);
  }

  throwIfFailed(): void {
    if (this.#failure) throw this.#failure.error;
  }

  async drain(): Promise<void> {
    await this.settle();
    this.throwIfFailed();
  }

  async settle(): Promise<void> {
    while (this.#running.size > 0) await Promise.allSettled([...this.#running]);
  }
}
