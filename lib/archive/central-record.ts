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
  parseExtraFields,
  readZip64Extra,
  type ExtraField,
} from './format.ts';

/** One central-directory record, decoded; sizes and offsets are the zip64 values where they overflowed. */
export interface CentralRecord {
  index: number;
  name: string;
  rawName: Buffer;
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

/**
 * Decodes the record at `offset` of the central directory `cd` (whose first byte lies at
 * `cdOffset` in the file) and returns it with the offset of the next record.
 */
export function decodeCentralRecord(cd: Buffer, offset: number, index: number, cdOffset: number): { record: CentralRecord; next: number } {
  const where = `central directory entry ${index}`;
  if (offset + CENTRAL_HEADER_SIZE > cd.length || cd.readUInt32LE(offset) !== SIG_CENTRAL) {
    throw new MCPSealError('ARCHIVE_BAD_CENTRAL_DIRECTORY', `${where}: bad signature or truncated record`, { details: { offset: cdOffset + offset } });
  }
  const nameLength = cd.readUInt16LE(offset + 28);
  const extraLength = cd.readUInt16LE(offset + 30);
  const commentLength = cd.readUInt16LE(offset + 32);
  const nameStart = offset + CENTRAL_HEADER_SIZE;
  const next = nameStart + nameLength + extraLength + commentLength;
  if (next > cd.length) throw new MCPSealError('ARCHIVE_BAD_CENTRAL_DIRECTORY', `${where}: the record overruns the central directory`);
  const rawName = cd.subarray(nameStart, nameStart + nameLength);
  const fields = parseExtraFields(cd.subarray(nameStart + nameLength, nameStart + nameLength + extraLength), where);

  const flags = cd.readUInt16LE(offset + 8);
  const narrow = {
    compressedSize: cd.readUInt32LE(offset + 20),
    size: cd.readUInt32LE(offset + 24),
    diskStart: cd.readUInt16LE(offset + 34),
    localHeaderOffset: cd.readUInt32LE(offset + 42),
  };
  const wanted = {
    size: narrow.size === 0xffffffff,
    compressedSize: narrow.compressedSize === 0xffffffff,
    offset: narrow.localHeaderOffset === 0xffffffff,
    disk: narrow.diskStart === 0xffff,
  };
  const wide = readZip64Extra(
    fields.find((f) => f.id === EXTRA_ZIP64),
    wanted,
    where,
  );
  const record: CentralRecord = {
    index,
    name: decodeName(rawName, flags, fields, where),
    rawName,
    madeBy: cd.readUInt16LE(offset + 4),
    flags,
    method: cd.readUInt16LE(offset + 10),
    crc32: cd.readUInt32LE(offset + 16),
    compressedSize: wide.compressedSize ?? narrow.compressedSize,
    size: wide.size ?? narrow.size,
    diskStart: wide.disk ?? narrow.diskStart,
    externalAttributes: cd.readUInt32LE(offset + 38),
    localHeaderOffset: wide.offset ?? narrow.localHeaderOffset,
    zip64: wanted.size || wanted.compressedSize || wanted.offset || wanted.disk,
  };
  return { record, next };
}

/**
 * What the fatal TextDecoder returns, without its cost on the common path: its first call loads
 * ICU's converter (20 ms, a tenth of a small bundle's verify). isUtf8 validates as strictly (no
 * overlongs, no surrogates); a leading BOM, which TextDecoder strips, still goes through it.
 */
function decodeUtf8(raw: Buffer): string {
  if (isAscii(raw)) return raw.toString('latin1');
  if (isUtf8(raw) && !(raw[0] === 0xef && raw[1] === 0xbb && raw[2] === 0xbf)) return raw.toString('utf8');
  return UTF8.decode(raw);
}

/**
 * Decodes an entry name. UTF-8 when flag 11 says so (APPNOTE Appendix D); otherwise only ASCII is
 * unambiguous (CP437 to one reader, raw bytes to another), unless an Info-ZIP Unicode Path field
 * vouches for the very same UTF-8 bytes.
 */
export function decodeName(raw: Buffer, flags: number, fields: readonly ExtraField[], where: string): string {
  let name: string;
  try {
    name = decodeUtf8(raw);
  } catch (cause) {
    throw new MCPSealError('ARCHIVE_NAME_ENCODING', `${where}: the name is not valid UTF-8`, { cause });
  }
  const unicodePath = fields.find((f) => f.id === EXTRA_UNICODE_PATH);
  if (unicodePath) {
    // APPNOTE 4.6.9: version 1, CRC-32 of the header name, then the UTF-8 name.
    const data = unicodePath.data;
    if (data.length < 5 || data[0] !== 1 || data.readUInt32LE(1) !== crc32(raw) || !data.subarray(5).equals(raw)) {
      throw new MCPSealError('ARCHIVE_NAME_ENCODING', `${where}: the Unicode Path extra field names a different file than the header`);
    }
  } else if (!(flags & FLAG_UTF8) && !isAscii(raw)) {
    throw new MCPSealError('ARCHIVE_NAME_ENCODING', `${where}: a non-ASCII name without the UTF-8 flag is read differently by different tools`);
  }
  return name;
}
