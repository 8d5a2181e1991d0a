// Phase one of reading: the End Of Central Directory, the zip64 records and the central
// directory, parsed from the tail of the file and checked against every rule that does not need
// the entry data. Nothing here reads beyond the tail and the central directory. The steps follow
// APPNOTE's sections, one module each: end records (end-records.ts), locating the directory
// (here), decoding each record (central-record.ts), per-entry rules (entry-rules.ts) and the rules
// over the whole name set (name-index.ts).

import { MCPSealError } from '../errors.ts';
import { checkRecord, entryMode } from './entry-rules.ts';
import { decodeCentralRecord } from './central-record.ts';
import { checkEntryCounts, readEndRecords, type EndRecords, type Tail } from './end-records.ts';
import { CENTRAL_HEADER_SIZE, EOCD_SIZE, LOCAL_HEADER_SIZE, MAX_COMMENT, SIG_CENTRAL, ZIP64_LOCATOR_SIZE, fieldsOf } from './format.ts';
import type { ArchiveLimits } from '../limits.ts';
import { EntryNameIndex } from './name-index.ts';
import { EntryTable } from './entry-table.ts';
import { printable } from './names.ts';
import { frameSignatureBlock, type SignatureBlock } from './signature-block.ts';
import type { ByteSource } from './source.ts';

export { printable };

/** The layout of everything after the last entry's data, as found in phase one. */
export interface ArchiveLayout {
  size: number;
  centralDirectoryOffset: number;
  centralDirectorySize: number;
  /** Where the zip64 end record starts, when there is one. */
  zip64EndOffset: number | null;
  eocdOffset: number;
  comment: Buffer;
  signatureBlock: SignatureBlock | null;
  /** The raw bytes from the central directory to the end of the file, to re-check during the scan. */
  trailerBytes: Buffer;
}

export interface CentralDirectory {
  layout: ArchiveLayout;
  /** The checked entries, stored compactly (entry-table.ts), with the lookup by name. */
  table: EntryTable;
  totalSize: number;
}

function fail(code: ConstructorParameters<typeof MCPSealError>[0], message: string, details: Record<string, unknown> = {}): never {
  throw new MCPSealError(code, message, { details });
}

/** How many bytes at the end of the file can hold the end records, the comment and a signature block. */
export function tailWindow(limits: Pick<ArchiveLimits, 'maxSignatureBlockSize'>): number {
  return EOCD_SIZE + MAX_COMMENT + ZIP64_LOCATOR_SIZE + limits.maxSignatureBlockSize + 64;
}

/** The last `window` bytes of the source (all of it when smaller). */
async function readTail(source: ByteSource, window: number): Promise<Tail> {
  const length = Math.min(source.size, window);
  return { bytes: await source.read(source.size - length, length), start: source.size - length, size: source.size };
}

/** Parses and checks the central directory of the archive in `source`. */
export async function readCentralDirectory(source: ByteSource, limits: Readonly<ArchiveLimits>): Promise<CentralDirectory> {
  const size = source.size;
  if (size < EOCD_SIZE) fail('ARCHIVE_TOO_SMALL', `the file is ${size} bytes, too small to be a zip archive`);
  // Where the zip must end: the end of the file, or the start of a legacy signature block. Most
  // files end with no block: their end records and comment lie in the window without one, and the
  // block's window (maxSignatureBlockSize more, 1 MiB by default) is read only for a file that ends
  // with a block's footer. frameSignatureBlock answers "none" from the last bytes alone, so this
  // never changes its answer (a verify of the filesystem server read 1.1 MB for its 4 KB of end).
  let tail = await readTail(source, tailWindow({ maxSignatureBlockSize: 0 }));
  let framing = frameSignatureBlock(tail.bytes, size, limits);
  if (framing.found !== 'none' && tail.start > 0) {
    tail = await readTail(source, tailWindow(limits));
    framing = frameSignatureBlock(tail.bytes, size, limits);
  }
  if (framing.found === 'malformed') fail('ARCHIVE_BAD_SIGNATURE_BLOCK', framing.reason);
  const signatureBlock = framing.found === 'block' ? framing.block : null;
  const ends = await readEndRecords(source, tail, signatureBlock);
  checkEntryCounts(ends, limits);
  await locateCentralDirectory(source, ends, limits);

  const { cdOffset, cdSize } = ends;
  const trailerBytes = cdOffset >= tail.start ? tail.bytes.subarray(cdOffset - tail.start) : Buffer.concat([await source.read(cdOffset, tail.start - cdOffset), tail.bytes]);
  const { table, totalSize } = parseEntries(trailerBytes.subarray(0, cdSize), ends.entryCount, cdOffset, limits);
  checkLayout(table, cdOffset);
  // With a signature block the comment field may cover the block; the block is not a comment.
  const comment = signatureBlock ? Buffer.alloc(0) : tail.bytes.subarray(ends.eocdOffset - tail.start + EOCD_SIZE);
  return {
    layout: { size, centralDirectoryOffset: cdOffset, centralDirectorySize: cdSize, zip64EndOffset: ends.zip64EndOffset, eocdOffset: ends.eocdOffset, comment, signatureBlock, trailerBytes },
    table,
    totalSize,
  };
}

/**
 * The central directory must end exactly where the end records start (APPNOTE 4.3.6 puts nothing
 * between them). When it does not, tell apart bytes hidden before the end records from bytes
 * prepended to a valid zip (a polyglot or a self-extractor prefix), which readers resolve differently.
 */
export async function locateCentralDirectory(source: ByteSource, ends: EndRecords, limits: Pick<ArchiveLimits, 'maxCentralDirectorySize'>): Promise<void> {
  const { cdOffset, cdSize, entryCount } = ends;
  const actualCdOffset = (ends.zip64EndOffset ?? ends.eocdOffset) - cdSize;
  if (actualCdOffset < 0) fail('ARCHIVE_BAD_CENTRAL_DIRECTORY', 'the central directory is larger than the archive');
  if (actualCdOffset > cdOffset) {
    const gap = actualCdOffset - cdOffset;
    if (cdOffset + 4 <= source.size && (await source.read(cdOffset, 4)).readUInt32LE(0) === SIG_CENTRAL) {
      // The directory is where it says, but bytes sit between it and the end records.
      fail('ARCHIVE_HIDDEN_DATA', `${gap} unaccounted bytes between the central directory and the end records`, { offset: cdOffset + cdSize, found: gap });
    }
    // Offsets are shifted by the same amount: bytes were put in front of a valid zip.
    fail('ARCHIVE_PREPENDED_DATA', `${gap} bytes precede the archive`, { found: gap });
  }
  if (actualCdOffset !== cdOffset) {
    fail('ARCHIVE_BAD_CENTRAL_DIRECTORY', 'the central directory does not end where the end record starts', { expected: actualCdOffset, found: cdOffset });
  }
  if (cdSize > limits.maxCentralDirectorySize) {
    fail('ARCHIVE_BAD_CENTRAL_DIRECTORY', `the central directory is ${cdSize} bytes (limit ${limits.maxCentralDirectorySize})`, { limit: 'maxCentralDirectorySize' });
  }
  if (entryCount * CENTRAL_HEADER_SIZE > cdSize) fail('ARCHIVE_ENTRY_COUNT_MISMATCH', 'the central directory is too small for its entry count');
}

/** Decodes every central-directory record (APPNOTE 4.3.12), applies the per-entry rules, and indexes the names. */
export function parseEntries(cd: Buffer, entryCount: number, cdOffset: number, limits: Readonly<ArchiveLimits>): { table: EntryTable; totalSize: number } {
  const table = new EntryTable(cd, entryCount);
  const names = new EntryNameIndex(limits);
  let totalSize = 0;
  let offset = 0;
  const view = fieldsOf(cd);
  for (let index = 0; index < entryCount; index++) {
    const { record, next } = decodeCentralRecord(cd, offset, index, cdOffset, view);
    offset = next;
    const kind = checkRecord(record, limits);
    totalSize += record.size;
    if (totalSize > limits.maxTotalSize) {
      fail('ARCHIVE_TOTAL_TOO_LARGE', `the entries expand to more than ${limits.maxTotalSize} bytes`, { limit: 'maxTotalSize', expected: limits.maxTotalSize });
    }
    names.add(record.name);
    table.add(record, kind, entryMode(record, kind));
  }
  if (offset !== cd.length) {
    fail('ARCHIVE_ENTRY_COUNT_MISMATCH', `the central directory holds ${cd.length - offset} bytes beyond its ${entryCount} records`);
  }
  return { table, totalSize };
}

/**
 * Cheap layout checks from the directory alone, before any data is read: the first entry starts
 * the file, and no entry's minimal extent (header, name, data) reaches into the next one. This
 * refuses overlapping-entry bombs up front; the scan then checks the exact extents.
 */
export function checkLayout(table: EntryTable, cdOffset: number): void {
  const byOffset = table.byOffset();
  if (byOffset.length === 0) {
    if (cdOffset !== 0) fail('ARCHIVE_HIDDEN_DATA', `${cdOffset} bytes precede an empty central directory`);
    return;
  }
  const first = byOffset[0]!;
  if (first.localHeaderOffset !== 0) {
    fail('ARCHIVE_PREPENDED_DATA', `${first.localHeaderOffset} bytes precede the first entry`, { found: first.localHeaderOffset });
  }
  const { localHeaderOffset, compressedSize, nameLength } = table.extents;
  for (let i = 0; i < byOffset.length; i++) {
    const row = byOffset[i]!.index;
    const minimalEnd = localHeaderOffset[row]! + LOCAL_HEADER_SIZE + nameLength[row]! + compressedSize[row]!;
    const nextRow = i + 1 < byOffset.length ? byOffset[i + 1]!.index : -1;
    if (minimalEnd > (nextRow >= 0 ? localHeaderOffset[nextRow]! : cdOffset)) {
      const entry = byOffset[i]!;
      const next = byOffset[i + 1];
      const code = next ? 'ARCHIVE_OVERLAPPING_ENTRIES' : 'ARCHIVE_OUT_OF_BOUNDS';
      const message = next ? `entries "${printable(entry.name)}" and "${printable(next.name)}" overlap` : `entry "${printable(entry.name)}" extends into the central directory`;
      fail(code, message, { entry: entry.name });
    }
  }
}
