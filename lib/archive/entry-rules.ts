// The rules one central-directory record must satisfy on its own, before any data is read: one
// disk, no encryption, stored or deflate, a valid name, a regular file or directory, and sizes
// within the limits. The rules about the whole name set live in name-index.ts.

import { MCPSealError, type ArchiveErrorCode } from '../errors.ts';
import type { ArchiveLimits } from '../limits.ts';
import { rawNameOf, type CentralRecord } from './central-record.ts';
import type { ArchiveEntry, EntryKind } from './entry.ts';
import {
  DOS_DIRECTORY,
  FLAG_ENCRYPTED,
  FLAG_MASKED_HEADERS,
  FLAG_STRONG_ENCRYPTION,
  HOST_UNIX,
  METHOD_DEFLATED,
  METHOD_STORED,
  S_IFDIR,
  S_IFLNK,
  S_IFMT,
  S_IFREG,
} from './format.ts';
import { printable, validateEntryName } from './names.ts';

function fail(code: ArchiveErrorCode, message: string, details: Record<string, unknown>): never {
  throw new MCPSealError(code, message, { details });
}

/** Applies every per-entry rule to `record` and returns the entry the reader reports. */
export function checkEntry(record: CentralRecord, limits: Readonly<ArchiveLimits>): ArchiveEntry {
  const kind = checkRecord(record, limits);
  return {
    index: record.index,
    name: record.name,
    kind,
    method: record.method,
    flags: record.flags,
    crc32: record.crc32,
    compressedSize: record.compressedSize,
    size: record.size,
    localHeaderOffset: record.localHeaderOffset,
    mode: entryMode(record, kind),
    rawName: rawNameOf(record),
    zip64: record.zip64,
  };
}

/**
 * Applies every per-entry rule to `record` and returns its kind: `checkEntry` without the entry
 * object, for the reader, which stores the record's fields in its table (entry-table.ts) directly.
 */
export function checkRecord(record: CentralRecord, limits: Readonly<ArchiveLimits>): EntryKind {
  const { name } = record;
  // Details and messages are built only for a failure (objects per entry were a share of the parse).
  if (record.diskStart !== 0) fail('ARCHIVE_MULTIDISK', `central directory entry ${record.index}: the entry starts on another disk`, { entry: name });
  if (record.flags & (FLAG_ENCRYPTED | FLAG_STRONG_ENCRYPTION | FLAG_MASKED_HEADERS)) fail('ARCHIVE_ENCRYPTED', `entry "${printable(name)}" is encrypted`, { entry: name });
  if (record.method !== METHOD_STORED && record.method !== METHOD_DEFLATED) {
    fail('ARCHIVE_UNSUPPORTED_METHOD', `entry "${printable(name)}" uses compression method ${record.method}; only stored and deflate are allowed`, {
      entry: name,
      found: record.method,
    });
  }
  const problem = validateEntryName(name, limits);
  if (problem) {
    const message = problem.code === 'ARCHIVE_PATH_TRAVERSAL' ? `entry "${printable(name)}" escapes the bundle` : `entry "${printable(name)}": ${problem.reason}`;
    fail(problem.code, message, { entry: name });
  }
  const kind = entryKind(record);
  checkSizes(record, kind, limits);
  return kind;
}

/** The mode the extractor gives an entry: 0o755 for directories and Unix executables, else 0o644. */
export function entryMode(record: CentralRecord, kind: EntryKind): number {
  const executable = kind === 'directory' || ((record.madeBy >> 8) === HOST_UNIX && ((record.externalAttributes >>> 16) & 0o111) !== 0);
  return executable ? 0o755 : 0o644;
}

/**
 * Regular files and directories only. The high 16 bits of the external attributes are st_mode
 * (APPNOTE 4.4.15) on Unix hosts, and Info-ZIP honours them from other hosts too (it created
 * symlinks from "Atari" and "macOS" entries in our tests): any file type there is checked.
 */
export function entryKind({ name, madeBy, externalAttributes, index }: CentralRecord): EntryKind {
  const slash = name.endsWith('/');
  const type = (externalAttributes >>> 16) & S_IFMT;
  if (type === S_IFLNK) fail('ARCHIVE_SYMLINK', `entry "${printable(name)}" is a symbolic link`, { entry: name });
  if (type !== 0 && type !== S_IFREG && type !== S_IFDIR) {
    fail('ARCHIVE_SPECIAL_FILE', `entry "${printable(name)}" is a device, FIFO or socket`, { entry: name, found: type.toString(8) });
  }
  if (type === S_IFDIR && !slash) fail('ARCHIVE_BAD_DIRECTORY_ENTRY', `central directory entry ${index}: a directory whose name does not end with "/"`, { entry: name });
  if (type === S_IFREG && slash) fail('ARCHIVE_BAD_DIRECTORY_ENTRY', `central directory entry ${index}: a regular file whose name ends with "/"`, { entry: name });
  if ((madeBy >> 8) !== HOST_UNIX && externalAttributes & DOS_DIRECTORY && !slash) {
    fail('ARCHIVE_BAD_DIRECTORY_ENTRY', `central directory entry ${index}: a directory whose name does not end with "/"`, { entry: name });
  }
  return slash ? 'directory' : 'file';
}

/** Directory entries carry no data; stored sizes agree; the entry's size and ratio are within the limits. */
export function checkSizes({ name, method, size, compressedSize }: CentralRecord, kind: EntryKind, limits: Readonly<ArchiveLimits>): void {
  if (kind === 'directory' && (size !== 0 || compressedSize > 2)) {
    // A deflated empty stream is 2 bytes; anything more is data hidden in a directory.
    fail('ARCHIVE_BAD_DIRECTORY_ENTRY', `directory entry "${printable(name)}" carries data`, { entry: name });
  }
  if (method === METHOD_STORED && compressedSize !== size) {
    fail('ARCHIVE_SIZE_MISMATCH', `stored entry "${printable(name)}" has different compressed and uncompressed sizes`, { entry: name, expected: size, found: compressedSize });
  }
  if (size > limits.maxEntrySize) {
    fail('ARCHIVE_ENTRY_TOO_LARGE', `entry "${printable(name)}" expands to ${size} bytes (limit ${limits.maxEntrySize})`, {
      entry: name,
      limit: 'maxEntrySize',
      expected: limits.maxEntrySize,
      found: size,
    });
  }
  if (size >= limits.ratioThreshold && size > compressedSize * limits.maxCompressionRatio) {
    const ratio = compressedSize === 0 ? Infinity : Math.round(size / compressedSize);
    fail('ARCHIVE_COMPRESSION_RATIO', `entry "${printable(name)}" expands ${ratio}:1 (limit ${limits.maxCompressionRatio}:1)`, {
      entry: name,
      limit: 'maxCompressionRatio',
      expected: limits.maxCompressionRatio,
      found: ratio,
    });
  }
}
