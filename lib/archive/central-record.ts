// The pure central-directory record decoder (APPNOTE 4.3.12): bytes in, one record out, with the
// zip64 extra field applied (4.5.3) and the name decoded (Appendix D, 4.6.9). It checks only what
// decoding needs; the rules about what an entry may be live in entry-rules.ts.

import { isAscii, isUtf8 } from 'node:buffer';
import { crc32 } from 'node:zlib';
import { MCPSealError } from '../errors.ts';
import {
  CENTRAL_HEADER_SIZE,
  EXTRA_UNICODE_PATH,
  EXTRA_ZIP64,
  FLAG_UTF8,
  SIG_CENTRAL,
  fieldsOf,
  extraField,
  parseExtraFields,
  readZip64Extra,
  type ExtraField,
} from './format.ts';

/** One central-directory record, decoded; sizes and offsets are the zip64 values where they overflowed. */
export interface CentralRecord {
  index: number;
  name: string;
  /** The buffer the record was decoded from, and where its raw name lies in it (rawNameOf). */
  bytes: Buffer;
  nameStart: number;
  nameLength: number;
  madeBy: number;
  flags: number;
  method: number;
  crc32: number;
  compressedSize: number;
  size: number;
  diskStart: number;
  externalAttributes: number;
  localHeaderOffset: number;
  /** Whether any field needed the zip64 extra field. */
  zip64: boolean;
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });
const NON_ASCII = /[^\x00-\x7f]/u;

/**
 * Buffer#latin1Slice(start, end): what toString('latin1', start, end) returns, without the
 * argument checks in JavaScript that were half of decoding a name (1.3 of 2.4 ms for 2,400 names
 * in a cold process). Node's own method, not declared by @types/node; toString where it is absent.
 */
const latin1Slice: (bytes: Buffer, start: number, end: number) => string =
  typeof (Buffer.prototype as { latin1Slice?: unknown }).latin1Slice === 'function'
    ? (bytes, start, end) => (bytes as unknown as { latin1Slice(start: number, end: number): string }).latin1Slice(start, end)
    : (bytes, start, end) => bytes.toString('latin1', start, end);

/** The record's name as stored (a view into the bytes it was decoded from). */
export function rawNameOf(record: Pick<CentralRecord, 'bytes' | 'nameStart' | 'nameLength'>): Buffer {
  return record.bytes.subarray(record.nameStart, record.nameStart + record.nameLength);
}

/**
 * Decodes the record at `offset` of the central directory `cd` (whose first byte lies at
 * `cdOffset` in the file) and returns it with the offset of the next record. `view`: the
 * DataView of `cd` (fieldsOf), made once by a caller that decodes many records.
 */
export function decodeCentralRecord(cd: Buffer, offset: number, index: number, cdOffset: number, view = fieldsOf(cd)): { record: CentralRecord; next: number } {
  // The location is spelled out only for an error (a string per entry was a tenth of the decode).
  const where = (): string => `central directory entry ${index}`;
  if (offset + CENTRAL_HEADER_SIZE > cd.length || view.getUint32(offset, true) !== SIG_CENTRAL) {
    throw new MCPSealError('ARCHIVE_BAD_CENTRAL_DIRECTORY', `${where()}: bad signature or truncated record`, { details: { offset: cdOffset + offset } });
  }
  const nameLength = view.getUint16(offset + 28, true);
  const extraLength = view.getUint16(offset + 30, true);
  const commentLength = view.getUint16(offset + 32, true);
  const nameStart = offset + CENTRAL_HEADER_SIZE;
  const next = nameStart + nameLength + extraLength + commentLength;
  if (next > cd.length) throw new MCPSealError('ARCHIVE_BAD_CENTRAL_DIRECTORY', `${where()}: the record overruns the central directory`);
  const fields = parseExtraFields(cd, nameStart + nameLength, nameStart + nameLength + extraLength, where);
  const flags = view.getUint16(offset + 8, true);
  const record: CentralRecord = {
    index,
    name: '',
    bytes: cd,
    nameStart,
    nameLength,
    madeBy: view.getUint16(offset + 4, true),
    flags,
    method: view.getUint16(offset + 10, true),
    crc32: view.getUint32(offset + 16, true),
    compressedSize: view.getUint32(offset + 20, true),
    size: view.getUint32(offset + 24, true),
    diskStart: view.getUint16(offset + 34, true),
    externalAttributes: view.getUint32(offset + 38, true),
    localHeaderOffset: view.getUint32(offset + 42, true),
    zip64: false,
  };
  if (record.size === 0xffffffff || record.compressedSize === 0xffffffff || record.localHeaderOffset === 0xffffffff || record.diskStart === 0xffff) {
    applyZip64(record, fields, where());
  }
  // The common name, ASCII with no Unicode Path field, is read straight from the directory: what
  // decodeName returns for it, without a view and its ASCII check per entry (Latin-1 maps each
  // byte to the code unit of its value, so the text holds a unit above 0x7F exactly when the
  // bytes hold one). 2,400 names: 2.4 -> 0.7 ms in a cold process.
  const latin1 = latin1Slice(cd, nameStart, nameStart + nameLength);
  record.name = NON_ASCII.test(latin1) || extraField(fields, EXTRA_UNICODE_PATH) ? decodeName(rawNameOf(record), flags, fields, where) : latin1;
  return { record, next };
}

/** APPNOTE 4.5.3: the 64-bit values of the fields that hold their "see zip64" mask, from the zip64 extra field. */
function applyZip64(record: CentralRecord, fields: readonly ExtraField[], where: string): void {
  const wanted = {
    size: record.size === 0xffffffff,
    compressedSize: record.compressedSize === 0xffffffff,
    offset: record.localHeaderOffset === 0xffffffff,
    disk: record.diskStart === 0xffff,
  };
  const wide = readZip64Extra(
    extraField(fields, EXTRA_ZIP64),
    wanted,
    where,
  );
  record.compressedSize = wide.compressedSize ?? record.compressedSize;
  record.size = wide.size ?? record.size;
  record.diskStart = wide.disk ?? record.diskStart;
  record.localHeaderOffset = wide.offset ?? record.localHeaderOffset;
  record.zip64 = true;
}

/**
 * What the fatal TextDecoder returns, without its cost on the common path: its first call loads
 * ICU's converter (20 ms, a tenth of a small bundle's verify). isUtf8 validates as strictly (no
 * overlongs, no surrogates); a leading BOM, which TextDecoder strips, still goes through it.
 */
function decodeUtf8(raw: Buffer, ascii = isAscii(raw)): string {
  if (ascii) return raw.toString('latin1');
  if (isUtf8(raw) && !(raw[0] === 0xef && raw[1] === 0xbb && raw[2] === 0xbf)) return raw.toString('utf8');
  return UTF8.decode(raw);
}

/**
 * Decodes an entry name. UTF-8 when flag 11 says so (APPNOTE Appendix D); otherwise only ASCII is
 * unambiguous (CP437 to one reader, raw bytes to another), unless an Info-ZIP Unicode Path field
 * vouches for the very same UTF-8 bytes.
 */
export function decodeName(raw: Buffer, flags: number, fields: readonly ExtraField[], whereText: string | (() => string)): string {
  const where = (): string => (typeof whereText === 'string' ? whereText : whereText());
  // Asked once: both the decoding and the flag rule below need it.
  const ascii = isAscii(raw);
  let name: string;
  try {
    name = decodeUtf8(raw, ascii);
  } catch (cause) {
    throw new MCPSealError('ARCHIVE_NAME_ENCODING', `${where()}: the name is not valid UTF-8`, { cause });
  }
  const unicodePath = extraField(fields, EXTRA_UNICODE_PATH);
  if (unicodePath) {
    // APPNOTE 4.6.9: version 1, CRC-32 of the header name, then the UTF-8 name.
    const data = unicodePath.data;
    if (data.length < 5 || data[0] !== 1 || data.readUInt32LE(1) !== crc32(raw) || !data.subarray(5).equals(raw)) {
      throw new MCPSealError('ARCHIVE_NAME_ENCODING', `${where()}: the Unicode Path extra field names a different file than the header`);
    }
  } else if (!(flags & FLAG_UTF8) && !ascii) {
    throw new MCPSealError('ARCHIVE_NAME_ENCODING', `${where()}: a non-ASCII name without the UTF-8 flag is read differently by different tools`);
  }
  return name;
}
