// Zip record layouts (PKWARE APPNOTE.TXT 6.3.10) and small pure parsers for them.

import { MCPSealError } from '../errors.ts';

export const SIG_LOCAL = 0x04034b50; // APPNOTE 4.3.7
export const SIG_CENTRAL = 0x02014b50; // APPNOTE 4.3.12
export const SIG_EOCD = 0x06054b50; // APPNOTE 4.3.16
export const SIG_ZIP64_EOCD = 0x06064b50; // APPNOTE 4.3.14
export const SIG_ZIP64_LOCATOR = 0x07064b50; // APPNOTE 4.3.15
export const SIG_DATA_DESCRIPTOR = 0x08074b50; // APPNOTE 4.3.9.3

export const LOCAL_HEADER_SIZE = 30;
export const CENTRAL_HEADER_SIZE = 46;
export const EOCD_SIZE = 22;
export const ZIP64_EOCD_MIN_SIZE = 56;
export const ZIP64_LOCATOR_SIZE = 20;
export const MAX_COMMENT = 0xffff;

export const METHOD_STORED = 0;
export const METHOD_DEFLATED = 8;

// General purpose bit flags (APPNOTE 4.4.4).
export const FLAG_ENCRYPTED = 1 << 0;
export const FLAG_DATA_DESCRIPTOR = 1 << 3;
export const FLAG_STRONG_ENCRYPTION = 1 << 6;
export const FLAG_UTF8 = 1 << 11;
export const FLAG_MASKED_HEADERS = 1 << 13;
/** Flags that change how an entry is read; they must agree between the local and central headers. */
export const SIGNIFICANT_FLAGS = FLAG_ENCRYPTED | FLAG_DATA_DESCRIPTOR | FLAG_STRONG_ENCRYPTION | FLAG_UTF8 | FLAG_MASKED_HEADERS;

export const EXTRA_ZIP64 = 0x0001; // APPNOTE 4.5.3
export const EXTRA_UNICODE_PATH = 0x7075; // Info-ZIP Unicode Path Extra Field (APPNOTE 4.6.9)

// Unix file type bits in the high 16 bits of the external attributes (st_mode).
export const S_IFMT = 0o170000;
export const S_IFREG = 0o100000;
export const S_IFDIR = 0o040000;
export const S_IFLNK = 0o120000;
// MS-DOS directory attribute in the low byte of the external attributes.
export const DOS_DIRECTORY = 0x10;

export const HOST_UNIX = 3;

/**
 * A DataView over `bytes`, for reading a record's fields: its getters are V8 built-ins, while
 * Buffer#readUInt32LE and friends are JavaScript that runs interpreted in a short-lived process
 * (a few times slower per field in the 2,400 records of a small bundle, issue 14). Reads out
 * of range throw RangeError: callers check a record's extent first, as before.
 */
export function fieldsOf(bytes: Buffer): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** One parsed extra field (APPNOTE 4.5.1): header id and its data. */
export interface ExtraField {
  id: number;
  data: Buffer;
}

/** The fields of an empty extra-field area (most entries): one shared, frozen array. */
export const NO_EXTRA_FIELDS: readonly ExtraField[] = Object.freeze([]);

/**
 * Splits the extra-field area `bytes[start, end)` into its records; anything that does not tile
 * the area exactly is refused. An empty area (most entries) allocates nothing.
 */
export function parseExtraFields(bytes: Buffer, start: number, end: number, whereText: string | (() => string)): readonly ExtraField[] {
  if (start === end) return NO_EXTRA_FIELDS;
  const fields: ExtraField[] = [];
  // The location is only spelled out when something is wrong (it is built per entry otherwise).
  const where = (): string => (typeof whereText === 'string' ? whereText : whereText());
  let offset = start;
  while (offset < end) {
    if (offset + 4 > end) {
      throw new MCPSealError('ARCHIVE_BAD_EXTRA_FIELD', `${where()}: truncated extra field header`);
    }
    const id = bytes.readUInt16LE(offset);
    const length = bytes.readUInt16LE(offset + 2);
    if (offset + 4 + length > end) {
      throw new MCPSealError('ARCHIVE_BAD_EXTRA_FIELD', `${where()}: extra field 0x${id.toString(16)} overruns the extra area`);
    }
    fields.push({ id, data: bytes.subarray(offset + 4, offset + 4 + length) });
    offset += 4 + length;
  }
  let zip64 = false;
  let unicodePath = false;
  for (const { id } of fields) {
    // Two zip64 or Unicode-path records would let two readers pick different values.
    const repeated = (id === EXTRA_ZIP64 && zip64) || (id === EXTRA_UNICODE_PATH && unicodePath);
    if (repeated) throw new MCPSealError('ARCHIVE_BAD_EXTRA_FIELD', `${where()}: repeated extra field 0x${id.toString(16)}`);
    zip64 ||= id === EXTRA_ZIP64;
    unicodePath ||= id === EXTRA_UNICODE_PATH;
  }
  return fields;
}

/** The field with header id `id`, if any (a loop, not find(): no closure per entry). */
export function extraField(fields: readonly ExtraField[], id: number): ExtraField | undefined {
  // An index loop: for-of made an iterator object per call, twice per entry (issue 14).
  for (let i = 0; i < fields.length; i++) if (fields[i]!.id === id) return fields[i];
  return undefined;
}

/** The 64-bit values a zip64 extra field supplies for the 32-bit fields that hold 0xFFFFFFFF. */
export interface Zip64Wanted {
  size: boolean;
  compressedSize: boolean;
  offset: boolean;
  disk: boolean;
}

export interface Zip64Values {
  size?: number;
  compressedSize?: number;
  offset?: number;
  disk?: number;
}

/** Reads the zip64 extended information field (APPNOTE 4.5.3): fields appear in a fixed order, only for the values that overflowed. */
export function readZip64Extra(field: ExtraField | undefined, wanted: Zip64Wanted, where: string): Zip64Values {
  const values: Zip64Values = {};
  const needed = (wanted.size ? 8 : 0) + (wanted.compressedSize ? 8 : 0) + (wanted.offset ? 8 : 0) + (wanted.disk ? 4 : 0);
  if (needed === 0) return values;
  if (!field || field.data.length < needed) {
    throw new MCPSealError('ARCHIVE_BAD_ZIP64', `${where}: a size or offset is 0xFFFFFFFF but the zip64 extra field is missing or short`);
  }
  let offset = 0;
  const take64 = (): number => {
    const value = readSafeUInt64(field.data, offset, where);
    offset += 8;
    return value;
  };
  if (wanted.size) values.size = take64();
  if (wanted.compressedSize) values.compressedSize = take64();
  if (wanted.offset) values.offset = take64();
  if (wanted.disk) values.disk = field.data.readUInt32LE(offset);
  return values;
}

/** A little-endian uint64 that must fit a JavaScript safe integer (2^53 bytes is far beyond any archive). */
export function readSafeUInt64(buffer: Buffer, offset: number, where: string): number {
  const value = buffer.readBigUInt64LE(offset);
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new MCPSealError('ARCHIVE_BAD_ZIP64', `${where}: a 64-bit size or offset is out of range`);
  }
  return Number(value);
}

/** MS-DOS date and time fields (APPNOTE 4.4.6) for a UTC instant, clamped to the 1980-2107 range they can hold. */
export function dosDateTime(date: Date): { time: number; date: number } {
  const year = Math.min(Math.max(date.getUTCFullYear(), 1980), 2107);
  const clampedLow = date.getUTCFullYear() < 1980;
  const clampedHigh = date.getUTCFullYear() > 2107;
  const month = clampedLow ? 1 : clampedHigh ? 12 : date.getUTCMonth() + 1;
  const day = clampedLow ? 1 : clampedHigh ? 31 : date.getUTCDate();
  const hours = clampedLow ? 0 : clampedHigh ? 23 : date.getUTCHours();
  const minutes = clampedLow ? 0 : clampedHigh ? 59 : date.getUTCMinutes();
  const seconds = clampedLow ? 0 : clampedHigh ? 58 : date.getUTCSeconds();
  return {
    time: (hours << 11) | (minutes << 5) | (seconds >> 1),
    date: ((year - 1980) << 9) | (month << 5) | day,
  };
}
