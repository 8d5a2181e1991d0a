// Phase one of reading: the End Of Central Directory, the zip64 records and the central
// directory, parsed from the tail of the file and checked against every rule that does not need
// the entry data. Nothing here reads beyond the tail and the central directory.

import { isAscii } from 'node:buffer';
import { crc32 } from 'node:zlib';
import { MCPSealError } from '../errors.ts';
import type { ArchiveEntry } from './entry.ts';
import {
  CENTRAL_HEADER_SIZE,
  DOS_DIRECTORY,
  EOCD_SIZE,
  EXTRA_UNICODE_PATH,
  EXTRA_ZIP64,
  FLAG_ENCRYPTED,
  FLAG_MASKED_HEADERS,
  FLAG_STRONG_ENCRYPTION,
  FLAG_UTF8,
  HOST_UNIX,
  LOCAL_HEADER_SIZE,
  MAX_COMMENT,
  METHOD_DEFLATED,
  METHOD_STORED,
  S_IFDIR,
  S_IFLNK,
  S_IFMT,
  S_IFREG,
  SIG_CENTRAL,
  SIG_EOCD,
  SIG_ZIP64_EOCD,
  SIG_ZIP64_LOCATOR,
  ZIP64_EOCD_MIN_SIZE,
  ZIP64_LOCATOR_SIZE,
  parseExtraFields,
  readSafeUInt64,
  readZip64Extra,
} from './format.ts';
import type { ArchiveLimits } from '../limits.ts';
import { collisionKey, validateEntryName } from './names.ts';
import { MAX_SIGNATURE_BLOCK, frameSignatureBlock, type SignatureBlock } from './signature-block.ts';
import type { ByteSource } from './source.ts';

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
  entries: ArchiveEntry[];
  totalSize: number;
}

const TAIL_WINDOW = EOCD_SIZE + MAX_COMMENT + ZIP64_LOCATOR_SIZE + MAX_SIGNATURE_BLOCK + 64;
const UTF8 = new TextDecoder('utf-8', { fatal: true });

function fail(code: ConstructorParameters<typeof MCPSealError>[0], message: string, details: Record<string, unknown> = {}): never {
  throw new MCPSealError(code, message, { details });
}

/** Parses and checks the central directory of the archive in `source`. */
export async function readCentralDirectory(source: ByteSource, limits: Readonly<ArchiveLimits>): Promise<CentralDirectory> {
  const size = source.size;
  if (size < EOCD_SIZE) fail('ARCHIVE_TOO_SMALL', `the file is ${size} bytes, too small to be a zip archive`);
  const tailLength = Math.min(size, TAIL_WINDOW);
  const tailStart = size - tailLength;
  const tail = await source.read(tailStart, tailLength);

  // Where the zip must end: the end of the file, or the start of a legacy signature block.
  const framing = frameSignatureBlock(tail, size);
  if (framing.found === 'malformed') fail('ARCHIVE_BAD_SIGNATURE_BLOCK', framing.reason);
  const signatureBlock = framing.found === 'block' ? framing.block : null;
  const eocdOffset = findEocd(tail, tailStart, size, signatureBlock);
  const eocd = tail.subarray(eocdOffset - tailStart, eocdOffset - tailStart + EOCD_SIZE);
  // With a signature block the comment field may cover the block; the block is not a comment.
  const comment = signatureBlock ? Buffer.alloc(0) : tail.subarray(eocdOffset - tailStart + EOCD_SIZE);

  // APPNOTE 4.3.16: the EOCD fields; 0xFFFF / 0xFFFFFFFF mean "see the zip64 record".
  let disk: number = eocd.readUInt16LE(4);
  let cdDisk: number = eocd.readUInt16LE(6);
  let entriesOnDisk: number = eocd.readUInt16LE(8);
  let entryCount: number = eocd.readUInt16LE(10);
  let cdSize: number = eocd.readUInt32LE(12);
  let cdOffset: number = eocd.readUInt32LE(16);
  const overflowed =
    disk === 0xffff || cdDisk === 0xffff || entriesOnDisk === 0xffff || entryCount === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff;

  let zip64EndOffset: number | null = null;
  const locatorOffset = eocdOffset - ZIP64_LOCATOR_SIZE;
  const hasLocator = locatorOffset >= tailStart && locatorOffset >= 0 && tail.readUInt32LE(locatorOffset - tailStart) === SIG_ZIP64_LOCATOR;
  if (hasLocator) {
    const locator = tail.subarray(locatorOffset - tailStart, locatorOffset - tailStart + ZIP64_LOCATOR_SIZE);
    // APPNOTE 4.3.15: the locator names the disk and offset of the zip64 end record.
    const recordDisk = locator.readUInt32LE(4);
    const recordOffset = readSafeUInt64(locator, 8, 'zip64 locator');
    const totalDisks = locator.readUInt32LE(16);
    if (recordDisk !== 0 || totalDisks > 1) fail('ARCHIVE_MULTIDISK', 'the archive spans several disks');
    if (recordOffset + ZIP64_EOCD_MIN_SIZE > locatorOffset) fail('ARCHIVE_BAD_ZIP64', 'the zip64 end record lies outside the archive');
    const head = await source.read(recordOffset, ZIP64_EOCD_MIN_SIZE);
    if (head.readUInt32LE(0) !== SIG_ZIP64_EOCD) fail('ARCHIVE_BAD_ZIP64', 'the zip64 locator does not point at a zip64 end record');
    // APPNOTE 4.3.14.1: the size field excludes its own 12 leading bytes.
    const recordLength = readSafeUInt64(head, 4, 'zip64 end record') + 12;
    if (recordLength < ZIP64_EOCD_MIN_SIZE || recordOffset + recordLength !== locatorOffset) {
      fail('ARCHIVE_BAD_ZIP64', 'the zip64 end record does not end where its locator starts');
    }
    const z64 = {
      disk: head.readUInt32LE(16),
      cdDisk: head.readUInt32LE(20),
      entriesOnDisk: readSafeUInt64(head, 24, 'zip64 end record'),
      entryCount: readSafeUInt64(head, 32, 'zip64 end record'),
      cdSize: readSafeUInt64(head, 40, 'zip64 end record'),
      cdOffset: readSafeUInt64(head, 48, 'zip64 end record'),
    };
    // Each 32-bit field must either agree with the zip64 value or say "overflowed": two
    // readers must not see two different directories.
    const agree = (narrow: number, wide: number, max: number): boolean => narrow === max || narrow === wide;
    if (
      !agree(disk, z64.disk, 0xffff) ||
      !agree(cdDisk, z64.cdDisk, 0xffff) ||
      !agree(entriesOnDisk, z64.entriesOnDisk, 0xffff) ||
      !agree(entryCount, z64.entryCount, 0xffff) ||
      !agree(cdSize, z64.cdSize, 0xffffffff) ||
      !agree(cdOffset, z64.cdOffset, 0xffffffff)
    ) {
      fail('ARCHIVE_BAD_ZIP64', 'the end of central directory record disagrees with the zip64 end record');
    }
    ({ disk, cdDisk, entriesOnDisk, entryCount, cdSize, cdOffset } = z64);
    zip64EndOffset = recordOffset;
  } else if (overflowed) {
    fail('ARCHIVE_BAD_ZIP64', 'the end of central directory record needs zip64 values but there is no zip64 locator');
  }

  if (disk !== 0 || cdDisk !== 0) fail('ARCHIVE_MULTIDISK', 'the archive spans several disks');
  if (entriesOnDisk !== entryCount) fail('ARCHIVE_ENTRY_COUNT_MISMATCH', 'the entry counts in the end record disagree');
  if (entryCount > limits.maxEntries) {
    fail('ARCHIVE_TOO_MANY_ENTRIES', `the archive has ${entryCount} entries (limit ${limits.maxEntries})`, {
      limit: 'maxEntries',
      expected: limits.maxEntries,
      found: entryCount,
    });
  }

  // The central directory must end exactly where the end records start.
  const structureStart = zip64EndOffset ?? eocdOffset;
  const actualCdOffset = structureStart - cdSize;
  if (actualCdOffset < 0) fail('ARCHIVE_BAD_CENTRAL_DIRECTORY', 'the central directory is larger than the archive');
  if (actualCdOffset !== cdOffset) {
    if (actualCdOffset > cdOffset) {
      if (cdOffset + 4 <= size && (await source.read(cdOffset, 4)).readUInt32LE(0) === SIG_CENTRAL) {
        // The directory is where it says, but bytes sit between it and the end records.
        fail('ARCHIVE_HIDDEN_DATA', `${actualCdOffset - cdOffset} unaccounted bytes between the central directory and the end records`, {
          offset: cdOffset + cdSize,
          found: actualCdOffset - cdOffset,
        });
      }
      // Offsets are shifted by the same amount: bytes were put in front of a valid zip (a
      // polyglot or a self-extractor prefix). Different readers resolve this differently.
      fail('ARCHIVE_PREPENDED_DATA', `${actualCdOffset - cdOffset} bytes precede the archive`, { found: actualCdOffset - cdOffset });
    }
    fail('ARCHIVE_BAD_CENTRAL_DIRECTORY', 'the central directory does not end where the end record starts', {
      expected: actualCdOffset,
      found: cdOffset,
    });
  }
  if (cdSize > limits.maxCentralDirectorySize) {
    fail('ARCHIVE_BAD_CENTRAL_DIRECTORY', `the central directory is ${cdSize} bytes (limit ${limits.maxCentralDirectorySize})`, {
      limit: 'maxCentralDirectorySize',
    });
  }
  if (entryCount * CENTRAL_HEADER_SIZE > cdSize) fail('ARCHIVE_ENTRY_COUNT_MISMATCH', 'the central directory is too small for its entry count');

  const trailerBytes =
    cdOffset >= tailStart ? tail.subarray(cdOffset - tailStart) : Buffer.concat([await source.read(cdOffset, tailStart - cdOffset), tail]);
  const cd = trailerBytes.subarray(0, cdSize);
  const { entries, totalSize } = parseEntries(cd, entryCount, cdOffset, limits);
  checkLayout(entries, cdOffset);

  return {
    layout: {
      size,
      centralDirectoryOffset: cdOffset,
      centralDirectorySize: cdSize,
      zip64EndOffset,
      eocdOffset,
      comment,
      signatureBlock,
      trailerBytes,
    },
    entries,
    totalSize,
  };
}

/**
 * Finds the one End Of Central Directory record. It must end the zip exactly: at the end of the
 * file (its comment reaching the end), or right before a signature block (comment length 0, or
 * the block's length when the comment field covers the block for strict readers).
 */
function findEocd(tail: Buffer, tailStart: number, size: number, block: SignatureBlock | null): number {
  if (block) {
    const at = block.offset - EOCD_SIZE;
    if (at < tailStart || tail.readUInt32LE(at - tailStart) !== SIG_EOCD) {
      fail('ARCHIVE_BAD_SIGNATURE_BLOCK', `the ${block.kind} block does not directly follow the end of central directory record`);
    }
    const commentLength = tail.readUInt16LE(at - tailStart + 20);
    if (commentLength !== 0 && commentLength !== block.length) {
      fail('ARCHIVE_BAD_SIGNATURE_BLOCK', `the end record's comment length (${commentLength}) is neither 0 nor the ${block.kind} block's length`);
    }
    return at;
  }
  let found = -1;
  let strayEocd = -1;
  let anySignature = -1;
  for (let at = tail.length - EOCD_SIZE; at >= 0 && at >= tail.length - EOCD_SIZE - MAX_COMMENT; at--) {
    if (tail.readUInt32LE(at) !== SIG_EOCD) continue;
    const commentLength = tail.readUInt16LE(at + 20);
    const end = tailStart + at + EOCD_SIZE + commentLength;
    if (end !== size && anySignature < 0) anySignature = at;
    if (end === size) {
      if (found >= 0) {
        // An end record hidden in the comment of another: readers disagree about which one counts.
        fail('ARCHIVE_MULTIPLE_EOCD', 'the archive has more than one end of central directory record');
      }
      found = at;
    } else if (end < size && strayEocd < 0) {
      // A complete record followed by more bytes. (One whose comment runs past the end of the
      // file is a truncated archive, reported as having no end record.)
      strayEocd = at;
    }
  }
  if (found < 0) {
    if (strayEocd >= 0) fail('ARCHIVE_TRAILING_DATA', 'bytes follow the end of central directory record');
    fail('ARCHIVE_NO_EOCD', 'no end of central directory record: this is not a zip archive, or it is truncated');
  }
  if (anySignature > found) fail('ARCHIVE_MULTIPLE_EOCD', 'the archive comment contains another end of central directory record');
  return tailStart + found;
}

/** Parses every central-directory record (APPNOTE 4.3.12) and applies the per-entry and whole-archive name and size rules. */
function parseEntries(
  cd: Buffer,
  entryCount: number,
  cdOffset: number,
  limits: Readonly<ArchiveLimits>,
): { entries: ArchiveEntry[]; totalSize: number } {
  const entries: ArchiveEntry[] = [];
  const exact = new Set<string>();
  const folded = new Map<string, string>();
  const parents = new Map<string, string>();
  let totalSize = 0;
  let offset = 0;
  for (let index = 0; index < entryCount; index++) {
    const where = `central directory entry ${index}`;
    if (offset + CENTRAL_HEADER_SIZE > cd.length || cd.readUInt32LE(offset) !== SIG_CENTRAL) {
      fail('ARCHIVE_BAD_CENTRAL_DIRECTORY', `${where}: bad signature or truncated record`, { offset: cdOffset + offset });
    }
    const madeBy = cd.readUInt16LE(offset + 4);
    const flags = cd.readUInt16LE(offset + 8);
    const method = cd.readUInt16LE(offset + 10);
    const crc = cd.readUInt32LE(offset + 16);
    let compressedSize: number = cd.readUInt32LE(offset + 20);
    let size: number = cd.readUInt32LE(offset + 24);
    const nameLength = cd.readUInt16LE(offset + 28);
    const extraLength = cd.readUInt16LE(offset + 30);
    const commentLength = cd.readUInt16LE(offset + 32);
    let diskStart: number = cd.readUInt16LE(offset + 34);
    const externalAttributes = cd.readUInt32LE(offset + 38);
    let localHeaderOffset: number = cd.readUInt32LE(offset + 42);
    const recordEnd = offset + CENTRAL_HEADER_SIZE + nameLength + extraLength + commentLength;
    if (recordEnd > cd.length) fail('ARCHIVE_BAD_CENTRAL_DIRECTORY', `${where}: the record overruns the central directory`);
    const rawName = cd.subarray(offset + CENTRAL_HEADER_SIZE, offset + CENTRAL_HEADER_SIZE + nameLength);
    const extra = cd.subarray(offset + CENTRAL_HEADER_SIZE + nameLength, offset + CENTRAL_HEADER_SIZE + nameLength + extraLength);
    offset = recordEnd;

    const fields = parseExtraFields(extra, where);
    const zip64Wanted = {
      size: size === 0xffffffff,
      compressedSize: compressedSize === 0xffffffff,
      offset: localHeaderOffset === 0xffffffff,
      disk: diskStart === 0xffff,
    };
    const z64 = readZip64Extra(
      fields.find((f) => f.id === EXTRA_ZIP64),
      zip64Wanted,
      where,
    );
    size = z64.size ?? size;
    compressedSize = z64.compressedSize ?? compressedSize;
    localHeaderOffset = z64.offset ?? localHeaderOffset;
    diskStart = z64.disk ?? diskStart;

    const name = decodeName(rawName, flags, fields, where);
    const entryDetails = { entry: name };
    if (diskStart !== 0) fail('ARCHIVE_MULTIDISK', `${where}: the entry starts on another disk`, entryDetails);
    if (flags & (FLAG_ENCRYPTED | FLAG_STRONG_ENCRYPTION | FLAG_MASKED_HEADERS)) {
      fail('ARCHIVE_ENCRYPTED', `entry "${printable(name)}" is encrypted`, entryDetails);
    }
    if (method !== METHOD_STORED && method !== METHOD_DEFLATED) {
      fail('ARCHIVE_UNSUPPORTED_METHOD', `entry "${printable(name)}" uses compression method ${method}; only stored and deflate are allowed`, {
        ...entryDetails,
        found: method,
      });
    }

    const problem = validateEntryName(name, limits);
    if (problem) {
      const code = problem.code;
      const message =
        code === 'ARCHIVE_PATH_TRAVERSAL' ? `entry "${printable(name)}" escapes the bundle` : `entry "${printable(name)}": ${problem.reason}`;
      fail(code, message, entryDetails);
    }

    const kind = entryKind(name, madeBy, externalAttributes, where);
    if (kind === 'directory' && (size !== 0 || compressedSize > 2)) {
      // A deflated empty stream is 2 bytes; anything more is data hidden in a directory.
      fail('ARCHIVE_BAD_DIRECTORY_ENTRY', `directory entry "${printable(name)}" carries data`, entryDetails);
    }
    if (method === METHOD_STORED && compressedSize !== size) {
      fail('ARCHIVE_SIZE_MISMATCH', `stored entry "${printable(name)}" has different compressed and uncompressed sizes`, {
        ...entryDetails,
        expected: size,
        found: compressedSize,
      });
    }
    if (size > limits.maxEntrySize) {
      fail('ARCHIVE_ENTRY_TOO_LARGE', `entry "${printable(name)}" expands to ${size} bytes (limit ${limits.maxEntrySize})`, {
        ...entryDetails,
        limit: 'maxEntrySize',
        expected: limits.maxEntrySize,
        found: size,
      });
    }
    if (size >= limits.ratioThreshold && size > compressedSize * limits.maxCompressionRatio) {
      const ratio = compressedSize === 0 ? Infinity : Math.round(size / compressedSize);
      fail('ARCHIVE_COMPRESSION_RATIO', `entry "${printable(name)}" expands ${ratio}:1 (limit ${limits.maxCompressionRatio}:1)`, {
        ...entryDetails,
        limit: 'maxCompressionRatio',
        expected: limits.maxCompressionRatio,
        found: ratio,
      });
    }
    totalSize += size;
    if (totalSize > limits.maxTotalSize) {
      fail('ARCHIVE_TOTAL_TOO_LARGE', `the entries expand to more than ${limits.maxTotalSize} bytes`, {
        limit: 'maxTotalSize',
        expected: limits.maxTotalSize,
      });
    }

    if (exact.has(name)) fail('ARCHIVE_DUPLICATE_ENTRY', `entry "${printable(name)}" appears twice`, entryDetails);
    exact.add(name);
    const key = collisionKey(name);
    const other = folded.get(key);
    if (other !== undefined && other.endsWith('/') !== name.endsWith('/')) {
      fail('ARCHIVE_PATH_CONFLICT', `"${printable(other)}" and "${printable(name)}" make one path both a file and a directory`, { ...entryDetails, found: other });
    }
    if (other !== undefined) {
      fail('ARCHIVE_NAME_COLLISION', `entries "${printable(other)}" and "${printable(name)}" are the same file on case-insensitive or normalising file systems`, {
        ...entryDetails,
        found: other,
      });
    }
    folded.set(key, name);
    // Implied parent directories must be spelled one way too (Lib/a.js beside lib/b.js would
    // meet in one directory on a case-insensitive file system). Folding keeps the slashes, so a
    // parent's key is a prefix of the entry's key, segment for segment.
    const nameSegments = name.replace(/\/$/u, '').split('/');
    const keySegments = key.split('/');
    for (let depth = 1; depth < nameSegments.length; depth++) {
      const parentKey = keySegments.slice(0, depth).join('/');
      const parent = nameSegments.slice(0, depth).join('/');
      const spelled = parents.get(parentKey);
      if (spelled === undefined) parents.set(parentKey, parent);
      else if (spelled !== parent) {
        fail('ARCHIVE_NAME_COLLISION', `directories "${printable(spelled)}" and "${printable(parent)}" are the same directory on case-insensitive or normalising file systems`, {
          ...entryDetails,
          found: spelled,
        });
      }
    }

    const executable = kind === 'directory' || ((madeBy >> 8) === HOST_UNIX && ((externalAttributes >>> 16) & 0o111) !== 0);
    entries.push({
      index,
      name,
      kind,
      method,
      flags,
      crc32: crc,
      compressedSize,
      size,
      localHeaderOffset,
      mode: executable ? 0o755 : 0o644,
      rawName,
      zip64: zip64Wanted.size || zip64Wanted.compressedSize || zip64Wanted.offset || zip64Wanted.disk,
    });
  }
  if (offset !== cd.length) {
    fail('ARCHIVE_ENTRY_COUNT_MISMATCH', `the central directory holds ${cd.length - offset} bytes beyond its ${entryCount} records`);
  }
  checkPathConflicts(parents, folded);
  return { entries, totalSize };
}

/**
 * A file may not also be used as a directory ("a" and "a/b"), under the same folding as
 * collisions: every implied parent directory is checked against the files.
 */
function checkPathConflicts(parents: Map<string, string>, folded: Map<string, string>): void {
  for (const [key, parent] of parents) {
    const owner = folded.get(key);
    // A directory entry's key has no trailing slash, so a hit is a directory only if its name ends with '/'.
    if (owner !== undefined && !owner.endsWith('/')) {
      fail('ARCHIVE_PATH_CONFLICT', `an entry needs "${printable(parent)}" to be a directory, but "${printable(owner)}" is a file`, {
        entry: owner,
        found: parent,
      });
    }
  }
}

/**
 * Decodes an entry name. UTF-8 when flag 11 says so (APPNOTE Appendix D); otherwise only ASCII is
 * unambiguous (CP437 to one reader, raw bytes to another), unless an Info-ZIP Unicode Path field
 * vouches for the very same UTF-8 bytes.
 */
function decodeName(raw: Buffer, flags: number, fields: { id: number; data: Buffer }[], where: string): string {
  const unicodePath = fields.find((f) => f.id === EXTRA_UNICODE_PATH);
  let name: string;
  try {
    name = UTF8.decode(raw);
  } catch (cause) {
    throw new MCPSealError('ARCHIVE_NAME_ENCODING', `${where}: the name is not valid UTF-8`, { cause });
  }
  const ascii = isAscii(raw);
  if (unicodePath) {
    // APPNOTE 4.6.9: version 1, CRC-32 of the header name, then the UTF-8 name.
    const data = unicodePath.data;
    if (data.length < 5 || data[0] !== 1 || data.readUInt32LE(1) !== crc32(raw) || !data.subarray(5).equals(raw)) {
      fail('ARCHIVE_NAME_ENCODING', `${where}: the Unicode Path extra field names a different file than the header`);
    }
  } else if (!(flags & FLAG_UTF8) && !ascii) {
    fail('ARCHIVE_NAME_ENCODING', `${where}: a non-ASCII name without the UTF-8 flag is read differently by different tools`);
  }
  return name;
}

/**
 * Regular files and directories only. The high 16 bits of the external attributes are st_mode
 * (APPNOTE 4.4.15) on Unix hosts, and Info-ZIP honours them from other hosts too (it created
 * symlinks from "Atari" and "macOS" entries in our tests): any file type there is checked.
 */
function entryKind(name: string, madeBy: number, externalAttributes: number, where: string): 'file' | 'directory' {
  const slash = name.endsWith('/');
  const type = (externalAttributes >>> 16) & S_IFMT;
  if (type === S_IFLNK) fail('ARCHIVE_SYMLINK', `entry "${printable(name)}" is a symbolic link`, { entry: name });
  if (type !== 0 && type !== S_IFREG && type !== S_IFDIR) {
    fail('ARCHIVE_SPECIAL_FILE', `entry "${printable(name)}" is a device, FIFO or socket`, { entry: name, found: type.toString(8) });
  }
  if (type === S_IFDIR && !slash) fail('ARCHIVE_BAD_DIRECTORY_ENTRY', `${where}: a directory whose name does not end with "/"`, { entry: name });
  if (type === S_IFREG && slash) fail('ARCHIVE_BAD_DIRECTORY_ENTRY', `${where}: a regular file whose name ends with "/"`, { entry: name });
  if ((madeBy >> 8) !== HOST_UNIX && externalAttributes & DOS_DIRECTORY && !slash) {
    fail('ARCHIVE_BAD_DIRECTORY_ENTRY', `${where}: a directory whose name does not end with "/"`, { entry: name });
  }
  return slash ? 'directory' : 'file';
}

/**
 * Cheap layout checks from the directory alone, before any data is read: the first entry starts
 * the file, and no entry's minimal extent (header, name, data) reaches into the next one. This
 * refuses overlapping-entry bombs up front; the scan then checks the exact extents.
 */
function checkLayout(entries: ArchiveEntry[], cdOffset: number): void {
  if (entries.length === 0) {
    if (cdOffset !== 0) fail('ARCHIVE_HIDDEN_DATA', `${cdOffset} bytes precede an empty central directory`);
    return;
  }
  const byOffset = [...entries].sort((a, b) => a.localHeaderOffset - b.localHeaderOffset);
  const first = byOffset[0]!;
  if (first.localHeaderOffset !== 0) {
    fail('ARCHIVE_PREPENDED_DATA', `${first.localHeaderOffset} bytes precede the first entry`, { found: first.localHeaderOffset });
  }
  for (let i = 0; i < byOffset.length; i++) {
    const entry = byOffset[i]!;
    const minimalEnd = entry.localHeaderOffset + LOCAL_HEADER_SIZE + entry.rawName.length + entry.compressedSize;
    const next = byOffset[i + 1];
    const limit = next ? next.localHeaderOffset : cdOffset;
    if (minimalEnd > limit) {
      const code = next ? 'ARCHIVE_OVERLAPPING_ENTRIES' : 'ARCHIVE_OUT_OF_BOUNDS';
      const message = next
        ? `entries "${printable(entry.name)}" and "${printable(next.name)}" overlap`
        : `entry "${printable(entry.name)}" extends into the central directory`;
      fail(code, message, { entry: entry.name });
    }
  }
}

/** A name made safe to print in one line of an error message. */
export function printable(name: string): string {
  return name.replace(/[\u0000-\u001f\u007f-\u009f"\\]/gu, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
