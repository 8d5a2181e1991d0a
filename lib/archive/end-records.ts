// The end of a zip: the one End Of Central Directory record (APPNOTE 4.3.16), the zip64 end
// record and its locator (4.3.14, 4.3.15), and their agreement. Pure functions over the bytes of
// the file's tail, plus one composed reader that fetches the zip64 record where the locator says.

import { MCPSealError } from '../errors.ts';
import type { ArchiveLimits } from '../limits.ts';
import { EOCD_SIZE, MAX_COMMENT, SIG_EOCD, SIG_ZIP64_EOCD, SIG_ZIP64_LOCATOR, ZIP64_EOCD_MIN_SIZE, ZIP64_LOCATOR_SIZE, readSafeUInt64 } from './format.ts';
import type { SignatureBlock } from './signature-block.ts';
import type { ByteSource } from './source.ts';

/** The fields the end records agree on, after zip64 values replaced the masked 32-bit ones. */
export interface EndFields {
  disk: number;
  cdDisk: number;
  entriesOnDisk: number;
  entryCount: number;
  cdSize: number;
  cdOffset: number;
}

export interface EndRecords extends EndFields {
  eocdOffset: number;
  /** Where the zip64 end record starts, when there is one. */
  zip64EndOffset: number | null;
}

/** The file's last bytes, as read once by the caller. */
export interface Tail {
  bytes: Buffer;
  /** File offset of `bytes[0]`. */
  start: number;
  /** Size of the whole file. */
  size: number;
}

function fail(code: ConstructorParameters<typeof MCPSealError>[0], message: string): never {
  throw new MCPSealError(code, message);
}

/** Finds, reads and reconciles the end records in `tail` (and the zip64 record wherever its locator points). */
export async function readEndRecords(source: ByteSource, tail: Tail, block: SignatureBlock | null): Promise<EndRecords> {
  const eocdOffset = findEocd(tail, block);
  const eocd = readEocd(tail.bytes.subarray(eocdOffset - tail.start, eocdOffset - tail.start + EOCD_SIZE));
  const locatorOffset = eocdOffset - ZIP64_LOCATOR_SIZE;
  const at = locatorOffset - tail.start;
  if (locatorOffset < tail.start || tail.bytes.readUInt32LE(at) !== SIG_ZIP64_LOCATOR) {
    if (isMasked(eocd)) fail('ARCHIVE_BAD_ZIP64', 'the end of central directory record needs zip64 values but there is no zip64 locator');
    return { ...eocd, eocdOffset, zip64EndOffset: null };
  }
  const recordOffset = readZip64Locator(tail.bytes.subarray(at, at + ZIP64_LOCATOR_SIZE), locatorOffset);
  const zip64 = readZip64EndRecord(await source.read(recordOffset, ZIP64_EOCD_MIN_SIZE), recordOffset, locatorOffset);
  return { ...reconcileZip64(eocd, zip64), eocdOffset, zip64EndOffset: recordOffset };
}

/**
 * Finds the one End Of Central Directory record. It must end the zip exactly: at the end of the
 * file (its comment reaching the end), or right before a signature block (comment length 0, or
 * the block's length when the comment field covers the block for strict readers).
 */
export function findEocd(tail: Tail, block: SignatureBlock | null): number {
  return block ? eocdBeforeBlock(tail, block) : eocdEndingFile(tail);
}

function eocdBeforeBlock({ bytes, start }: Tail, block: SignatureBlock): number {
  const at = block.offset - EOCD_SIZE;
  if (at < start || bytes.readUInt32LE(at - start) !== SIG_EOCD) {
    fail('ARCHIVE_BAD_SIGNATURE_BLOCK', `the ${block.kind} block does not directly follow the end of central directory record`);
  }
  const commentLength = bytes.readUInt16LE(at - start + 20);
  if (commentLength !== 0 && commentLength !== block.length) {
    fail('ARCHIVE_BAD_SIGNATURE_BLOCK', `the end record's comment length (${commentLength}) is neither 0 nor the ${block.kind} block's length`);
  }
  return at;
}

/** The EOCD signature as it is stored (little-endian), for a native search of the tail. */
const EOCD_SIGNATURE_BYTES = Buffer.from([SIG_EOCD & 0xff, (SIG_EOCD >>> 8) & 0xff, (SIG_EOCD >>> 16) & 0xff, SIG_EOCD >>> 24]);

function eocdEndingFile({ bytes, start, size }: Tail): number {
  let found = -1;
  let strayEocd = -1;
  let anySignature = -1;
  const lowest = Math.max(0, bytes.length - EOCD_SIZE - MAX_COMMENT);
  // Every position holding the signature, last first: Buffer#lastIndexOf visits exactly the
  // positions a byte-by-byte walk would stop at (a readUInt32LE per byte of the last 64 KiB cost
  // 3-5 ms of a small bundle's verify).
  for (let at = signatureAtOrBefore(bytes, bytes.length - EOCD_SIZE); at >= lowest; at = signatureAtOrBefore(bytes, at - 1)) {
    const end = start + at + EOCD_SIZE + bytes.readUInt16LE(at + 20);
    if (end !== size && anySignature < 0) anySignature = at;
    if (end === size) {
      // An end record hidden in the comment of another: readers disagree about which one counts.
      if (found >= 0) fail('ARCHIVE_MULTIPLE_EOCD', 'the archive has more than one end of central directory record');
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
  return start + found;
}

/** The last position at or before `from` where the EOCD signature starts, or -1. */
function signatureAtOrBefore(bytes: Buffer, from: number): number {
  // A negative offset would count from the end of the buffer.
  return from < 0 ? -1 : bytes.lastIndexOf(EOCD_SIGNATURE_BYTES, from);
}

/** APPNOTE 4.3.16: the EOCD fields; 0xFFFF / 0xFFFFFFFF mean "see the zip64 record". */
export function readEocd(eocd: Buffer): EndFields {
  return {
    disk: eocd.readUInt16LE(4),
    cdDisk: eocd.readUInt16LE(6),
    entriesOnDisk: eocd.readUInt16LE(8),
    entryCount: eocd.readUInt16LE(10),
    cdSize: eocd.readUInt32LE(12),
    cdOffset: eocd.readUInt32LE(16),
  };
}

function isMasked(f: EndFields): boolean {
  return f.disk === 0xffff || f.cdDisk === 0xffff || f.entriesOnDisk === 0xffff || f.entryCount === 0xffff || f.cdSize === 0xffffffff || f.cdOffset === 0xffffffff;
}

/** APPNOTE 4.3.15: the locator names the disk and offset of the zip64 end record, which must end where the locator starts. */
export function readZip64Locator(locator: Buffer, locatorOffset: number): number {
  const recordDisk = locator.readUInt32LE(4);
  const recordOffset = readSafeUInt64(locator, 8, 'zip64 locator');
  const totalDisks = locator.readUInt32LE(16);
  if (recordDisk !== 0 || totalDisks > 1) fail('ARCHIVE_MULTIDISK', 'the archive spans several disks');
  if (recordOffset + ZIP64_EOCD_MIN_SIZE > locatorOffset) fail('ARCHIVE_BAD_ZIP64', 'the zip64 end record lies outside the archive');
  return recordOffset;
}

/** APPNOTE 4.3.14: the zip64 end record's fields (`head` is its first 56 bytes). */
export function readZip64EndRecord(head: Buffer, recordOffset: number, locatorOffset: number): EndFields {
  if (head.readUInt32LE(0) !== SIG_ZIP64_EOCD) fail('ARCHIVE_BAD_ZIP64', 'the zip64 locator does not point at a zip64 end record');
  // APPNOTE 4.3.14.1: the size field excludes its own 12 leading bytes.
  const recordLength = readSafeUInt64(head, 4, 'zip64 end record') + 12;
  if (recordLength < ZIP64_EOCD_MIN_SIZE || recordOffset + recordLength !== locatorOffset) {
    fail('ARCHIVE_BAD_ZIP64', 'the zip64 end record does not end where its locator starts');
  }
  return {
    disk: head.readUInt32LE(16),
    cdDisk: head.readUInt32LE(20),
    entriesOnDisk: readSafeUInt64(head, 24, 'zip64 end record'),
    entryCount: readSafeUInt64(head, 32, 'zip64 end record'),
    cdSize: readSafeUInt64(head, 40, 'zip64 end record'),
    cdOffset: readSafeUInt64(head, 48, 'zip64 end record'),
  };
}

/**
 * Each 32-bit field of the EOCD must either agree with the zip64 value or say "overflowed": two
 * readers must not see two different directories. Returns the zip64 values.
 */
export function reconcileZip64(eocd: EndFields, zip64: EndFields): EndFields {
  const agree = (narrow: number, wide: number, max: number): boolean => narrow === max || narrow === wide;
  const agreeing =
    agree(eocd.disk, zip64.disk, 0xffff) &&
    agree(eocd.cdDisk, zip64.cdDisk, 0xffff) &&
    agree(eocd.entriesOnDisk, zip64.entriesOnDisk, 0xffff) &&
    agree(eocd.entryCount, zip64.entryCount, 0xffff) &&
    agree(eocd.cdSize, zip64.cdSize, 0xffffffff) &&
    agree(eocd.cdOffset, zip64.cdOffset, 0xffffffff);
  if (!agreeing) fail('ARCHIVE_BAD_ZIP64', 'the end of central directory record disagrees with the zip64 end record');
  return zip64;
}

/** One disk only, the two entry counts equal, and no more entries than the limit. */
export function checkEntryCounts(ends: EndFields, limits: Pick<ArchiveLimits, 'maxEntries'>): void {
  if (ends.disk !== 0 || ends.cdDisk !== 0) fail('ARCHIVE_MULTIDISK', 'the archive spans several disks');
  if (ends.entriesOnDisk !== ends.entryCount) fail('ARCHIVE_ENTRY_COUNT_MISMATCH', 'the entry counts in the end record disagree');
  if (ends.entryCount > limits.maxEntries) {
    throw new MCPSealError('ARCHIVE_TOO_MANY_ENTRIES', `the archive has ${ends.entryCount} entries (limit ${limits.maxEntries})`, {
      details: { limit: 'maxEntries', expected: limits.maxEntries, found: ends.entryCount },
    });
  }
}
