// Local headers and entry data: the checks that need the bytes between the central directory's
// offsets. Shared by the sequential scan and by random access to one entry.

import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { crc32, createInflateRaw, inflateRaw, inflateRawSync, type ZlibOptions } from 'node:zlib';
import { MCPSealError } from '../errors.ts';
import { printable } from './names.ts';
import type { ArchiveEntry } from './entry.ts';
import { localHeaderAgrees, rawNameEquals } from './entry-table.ts';
import {
  EXTRA_UNICODE_PATH,
  EXTRA_ZIP64,
  FLAG_DATA_DESCRIPTOR,
  LOCAL_HEADER_SIZE,
  METHOD_STORED,
  SIGNIFICANT_FLAGS,
  SIG_DATA_DESCRIPTOR,
  SIG_LOCAL,
  fieldsOf,
  NO_EXTRA_FIELDS,
  extraField,
  parseExtraFields,
  readSafeUInt64,
} from './format.ts';

function mismatch(entry: ArchiveEntry, what: string, expected?: unknown, found?: unknown): never {
  throw new MCPSealError('ARCHIVE_HEADER_MISMATCH', `entry "${printable(entry.name)}": the local header's ${what} differs from the central directory`, {
    details: { entry: entry.name, expected, found },
  });
}


/** Lengths of the variable parts that follow the 30-byte local header at `at` in `bytes` (`view`: its DataView, fieldsOf). */
export function localHeaderTailLength(bytes: Buffer, at: number, entry: ArchiveEntry, view = fieldsOf(bytes)): number {
  if (view.getUint32(at, true) !== SIG_LOCAL) {
    throw new MCPSealError('ARCHIVE_BAD_LOCAL_HEADER', `entry "${printable(entry.name)}": no local header at offset ${entry.localHeaderOffset}`, {
      details: { entry: entry.name, offset: entry.localHeaderOffset },
    });
  }
  return view.getUint16(at + 26, true) + view.getUint16(at + 28, true);
}

/**
 * Checks a local header (APPNOTE 4.3.7) against the central directory record: the same name,
 * method and flags; the same CRC and sizes unless a data descriptor carries them. The header, its
 * name and its extra field lie in `bytes` from `at` on, read in place (the scan's read chunk:
 * no copy and no view per entry); `view` is a DataView of `bytes` (fieldsOf).
 */
export function checkLocalHeader(entry: ArchiveEntry, bytes: Buffer, at: number, view = fieldsOf(bytes)): void {
  // A header equal to the directory's in every field (most of them) passes every check below.
  if (localHeaderAgrees(entry, bytes, at, view)) return;
  const nameLength = view.getUint16(at + 26, true);
  const nameStart = at + LOCAL_HEADER_SIZE;
  const extraEnd = nameStart + nameLength + view.getUint16(at + 28, true);
  if (!rawNameEquals(entry, bytes, nameStart, nameStart + nameLength)) mismatch(entry, 'name', entry.name, bytes.toString('utf8', nameStart, nameStart + nameLength));
  const flags = view.getUint16(at + 6, true);
  if ((flags & SIGNIFICANT_FLAGS) !== (entry.flags & SIGNIFICANT_FLAGS)) mismatch(entry, 'flags', entry.flags, flags);
  const method = view.getUint16(at + 8, true);
  if (method !== entry.method) mismatch(entry, 'compression method', entry.method, method);

  // An empty extra area (most entries) needs no parse, nor the closure that names it for an error.
  const fields = extraEnd === nameStart + nameLength ? NO_EXTRA_FIELDS : parseExtraFields(bytes, nameStart + nameLength, extraEnd, () => `local header of "${printable(entry.name)}"`);
  const localUnicode = extraField(fields, EXTRA_UNICODE_PATH);
  if (localUnicode && !localUnicode.data.subarray(5).equals(entry.rawName)) mismatch(entry, 'Unicode path');

  const crc = view.getUint32(at + 14, true);
  let compressedSize: number = view.getUint32(at + 18, true);
  let size: number = view.getUint32(at + 22, true);
  if (compressedSize === 0xffffffff || size === 0xffffffff) {
    // APPNOTE 4.5.3: in a local header the zip64 field holds both sizes, uncompressed first.
    const zip64 = extraField(fields, EXTRA_ZIP64);
    if (!zip64 || zip64.data.length < 16) {
      throw new MCPSealError('ARCHIVE_BAD_ZIP64', `entry "${printable(entry.name)}": local sizes overflow but the zip64 field is missing`, {
        details: { entry: entry.name },
      });
    }
    // Only a masked field takes the 64-bit value: a streaming reader would use an unmasked
    // 32-bit size as it stands, so it must agree with the directory too.
    if (size === 0xffffffff) size = readSafeUInt64(zip64.data, 0, 'local zip64 field');
    if (compressedSize === 0xffffffff) compressedSize = readSafeUInt64(zip64.data, 8, 'local zip64 field');
  }
  if (entry.flags & FLAG_DATA_DESCRIPTOR) {
    // A stored entry has no end marker of its own: a streaming reader finds its end only from the
    // local size, and with a zero there it guesses by searching for a descriptor signature, which
    // the data itself can hold (a known differential). Info-ZIP's streamed `zip -0 - | cat`
    // writes the real sizes here, so that is required; zeros are refused.
    if (entry.method === METHOD_STORED && compressedSize !== entry.compressedSize) {
      throw new MCPSealError('ARCHIVE_BAD_DATA_DESCRIPTOR', `stored entry "${printable(entry.name)}" has a data descriptor and no size in its local header, so streaming readers cannot find where its data ends`, {
        details: { entry: entry.name, expected: entry.compressedSize, found: compressedSize },
      });
    }
    // The values follow the data; the header may hold zeros (APPNOTE 4.4.4 bit 3) or the real ones.
    if (crc !== 0 && crc !== entry.crc32) mismatch(entry, 'CRC-32', entry.crc32, crc);
    if (compressedSize !== 0 && compressedSize !== entry.compressedSize) mismatch(entry, 'compressed size', entry.compressedSize, compressedSize);
    if (size !== 0 && size !== entry.size) mismatch(entry, 'size', entry.size, size);
    return;
  }
  if (crc !== entry.crc32) mismatch(entry, 'CRC-32', entry.crc32, crc);
  if (compressedSize !== entry.compressedSize) mismatch(entry, 'compressed size', entry.compressedSize, compressedSize);
  if (size !== entry.size) mismatch(entry, 'size', entry.size, size);
}

/**
 * Checks a data descriptor (APPNOTE 4.3.9). Its length is what lies between the data and the next
 * record: 12 or 20 bytes without the optional signature, 16 or 24 with it (20 and 24 for zip64).
 */
export function checkDataDescriptor(entry: ArchiveEntry, descriptor: Buffer): void {
  const bad = (why: string): never => {
    throw new MCPSealError('ARCHIVE_BAD_DATA_DESCRIPTOR', `entry "${printable(entry.name)}": ${why}`, { details: { entry: entry.name } });
  };
  let offset = 0;
  const signed = descriptor.length === 16 || descriptor.length === 24;
  if (![12, 16, 20, 24].includes(descriptor.length)) bad(`${descriptor.length} bytes between the data and the next record`);
  if (signed) {
    if (descriptor.readUInt32LE(0) !== SIG_DATA_DESCRIPTOR) bad('the data descriptor has no signature');
    offset = 4;
  }
  const wide = descriptor.length - offset === 20;
  const crc = descriptor.readUInt32LE(offset);
  const compressedSize = wide ? readSafeUInt64(descriptor, offset + 4, 'data descriptor') : descriptor.readUInt32LE(offset + 4);
  const size = wide ? readSafeUInt64(descriptor, offset + 12, 'data descriptor') : descriptor.readUInt32LE(offset + 8);
  if (crc !== entry.crc32 || compressedSize !== entry.compressedSize || size !== entry.size) {
    bad('the data descriptor disagrees with the central directory');
  }
}

/** Largest entry inflated in one piece; larger ones stream so memory stays flat. */
export const WHOLE_ENTRY_LIMIT = 8 * 1024 * 1024;

export function isWholeEntry(entry: ArchiveEntry): boolean {
  return entry.size <= WHOLE_ENTRY_LIMIT && entry.compressedSize <= WHOLE_ENTRY_LIMIT;
}

interface InflateResult {
  buffer: Buffer;
  engine: { bytesWritten: number };
}

function inflateWithInfo(data: Buffer, options: ZlibOptions & { info: true }): Promise<InflateResult> {
  return new Promise((resolve, reject) => {
    inflateRaw(data, options, (error, result) => (error ? reject(error) : resolve(result as unknown as InflateResult)));
  });
}

/**
 * Inflates one entry held in memory, on the zlib thread pool, stopping at the declared size, and
 * checks the size, that the deflate stream ends exactly at the compressed size, and the CRC-32.
 */
export async function inflateWhole(entry: ArchiveEntry, compressed: Buffer): Promise<Buffer> {
  if (entry.method === METHOD_STORED) return checkedData(entry, compressed);
  let result: InflateResult;
  try {
    result = await inflateWithInfo(compressed, inflateOptions(entry));
  } catch (cause) {
    throw dataError(entry, cause);
  }
  return checkedInflated(entry, compressed, result);
}

/** Entries this small are inflated on the calling thread: a thread-pool round trip costs more than the work. */
export const INLINE_ENTRY_LIMIT = 64 * 1024;

/** Whether `entry` is inflated on the calling thread (inflateWholeSync): both its sizes within INLINE_ENTRY_LIMIT. */
export function isInlineEntry(entry: ArchiveEntry): boolean {
  return entry.compressedSize <= INLINE_ENTRY_LIMIT && entry.size <= INLINE_ENTRY_LIMIT;
}

/** `inflateWhole` on the calling thread, for entries within INLINE_ENTRY_LIMIT; the same checks. */
export function inflateWholeSync(entry: ArchiveEntry, compressed: Buffer): Buffer {
  if (entry.method === METHOD_STORED) return checkedData(entry, compressed);
  let result: InflateResult;
  try {
    result = inflateRawSync(compressed, inflateOptions(entry)) as unknown as InflateResult;
  } catch (cause) {
    throw dataError(entry, cause);
  }
  return checkedInflated(entry, compressed, result);
}

/**
 * Stop at the declared size; and one output chunk of that size, so that zlib writes the result in
 * place instead of into 16 KiB chunks then concatenated (half the garbage per entry). One byte
 * more than the size: a chunk filled exactly makes Node's zlib allocate a second chunk of the same
 * size to look for more output (measured: every entry allocated twice its size, issue 14). A
 * stream that does write that byte exceeds maxOutputLength and is refused as before.
 */
function inflateOptions(entry: ArchiveEntry): ZlibOptions & { info: true } {
  return { maxOutputLength: Math.max(1, entry.size), chunkSize: Math.max(MIN_CHUNK, entry.size + 1), info: true };
}

/** zlib's smallest output chunk (zlib.constants.Z_MIN_CHUNK). */
const MIN_CHUNK = 64;

function checkedInflated(entry: ArchiveEntry, compressed: Buffer, result: InflateResult): Buffer {
  if (result.engine.bytesWritten !== compressed.length) throw compressedSizeError(entry, result.engine.bytesWritten);
  return checkedData(entry, result.buffer);
}

function checkedData(entry: ArchiveEntry, data: Buffer): Buffer {
  if (data.length !== entry.size) throw sizeError(entry, data.length);
  const crc = crc32(data);
  if (crc !== entry.crc32) throw crcError(entry, crc);
  return data;
}

/**
 * Frees a buffer's memory now rather than at V8's next full collection. Inflated entries are
 * ArrayBuffers outside V8's heap: dead ones piled up to 40-75 MB before a collection found them,
 * and the allocator kept the pages (issue 14, flat memory). Only for a buffer its caller owns
 * whole: one that shares its ArrayBuffer (a pool slice, a view into a read chunk) is left alone,
 * and after the call the buffer reads as empty.
 */
export function releaseBuffer(buffer: Buffer): void {
  // ES2024's transfer (Node 24), typed here: the project's lib setting predates it.
  const owner = buffer.buffer as ArrayBuffer & { transfer?: (length: number) => ArrayBuffer; detached?: boolean };
  // Inflated data leaves one spare byte in its ArrayBuffer (inflateOptions); anything larger is shared.
  if (buffer.byteOffset !== 0 || owner.byteLength > buffer.byteLength + 1 || owner.byteLength <= Buffer.poolSize) return;
  if (owner instanceof ArrayBuffer && owner.detached === false) owner.transfer?.(0);
}

/** Receives a large entry's bytes in order; `end` only after the size and CRC-32 checked. */
export interface ChunkSink {
  write(chunk: Buffer): Promise<void> | void;
  end(): Promise<void> | void;
}

/** Streams a large entry through the inflater into `sink`, with the same checks as `inflateWhole`. */
export async function inflateStream(entry: ArchiveEntry, pieces: AsyncIterable<Buffer>, sink: ChunkSink | null): Promise<void> {
  let produced = 0;
  let crc = 0;
  const accept = async (chunk: Buffer): Promise<void> => {
    produced += chunk.length;
    // Stop inflating as soon as the entry exceeds its declared size: no bomb reaches the sink.
    if (produced > entry.size) throw sizeError(entry, produced);
    crc = crc32(chunk, crc);
    if (sink) await sink.write(chunk);
  };
  if (entry.method === METHOD_STORED) {
    for await (const piece of pieces) await accept(piece);
  } else {
    const inflater = createInflateRaw({ chunkSize: 256 * 1024 });
    const output = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        accept(chunk).then(() => callback(), callback);
      },
    });
    // The inflater may hold a piece after asking for the next one: give it copies.
    async function* copies(): AsyncGenerator<Buffer> {
      for await (const piece of pieces) yield Buffer.from(piece);
    }
    try {
      await pipeline(Readable.from(copies()), inflater, output);
    } catch (cause) {
      if (cause instanceof MCPSealError) throw cause;
      throw dataError(entry, cause);
    }
    if (inflater.bytesWritten !== entry.compressedSize) throw compressedSizeError(entry, inflater.bytesWritten);
  }
  if (produced !== entry.size) throw sizeError(entry, produced);
  if (crc !== entry.crc32) throw crcError(entry, crc);
  if (sink) await sink.end();
}

function sizeError(entry: ArchiveEntry, found: number): MCPSealError {
  const message =
    found > entry.size
      ? `entry "${printable(entry.name)}" expands beyond its declared ${entry.size} bytes`
      : `entry "${printable(entry.name)}" holds ${found} bytes, not the declared ${entry.size}`;
  return new MCPSealError('ARCHIVE_SIZE_MISMATCH', message, { details: { entry: entry.name, expected: entry.size, found } });
}

function compressedSizeError(entry: ArchiveEntry, consumed: number): MCPSealError {
  return new MCPSealError(
    'ARCHIVE_SIZE_MISMATCH',
    `entry "${printable(entry.name)}": the deflate stream is ${consumed} bytes, not the declared ${entry.compressedSize}`,
    { details: { entry: entry.name, expected: entry.compressedSize, found: consumed } },
  );
}

function crcError(entry: ArchiveEntry, found: number): MCPSealError {
  return new MCPSealError('ARCHIVE_CRC_MISMATCH', `entry "${printable(entry.name)}" fails its CRC-32 check`, {
    details: { entry: entry.name, expected: hex32(entry.crc32), found: hex32(found) },
  });
}

function dataError(entry: ArchiveEntry, cause: unknown): MCPSealError {
  if ((cause as { code?: unknown } | null)?.code === 'ERR_BUFFER_TOO_LARGE') {
    return new MCPSealError('ARCHIVE_SIZE_MISMATCH', `entry "${printable(entry.name)}" expands beyond its declared ${entry.size} bytes`, {
      details: { entry: entry.name, expected: entry.size },
      cause,
    });
  }
  return new MCPSealError('ARCHIVE_CORRUPT_DATA', `entry "${printable(entry.name)}" has corrupt deflate data`, {
    details: { entry: entry.name },
    cause,
  });
}

function hex32(value: number): string {
  return value.toString(16).padStart(8, '0');
}
