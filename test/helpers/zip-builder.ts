// A small zip *builder* for tests, with control over every field, so hostile archives are written
// out in test code where a reader can see what makes each one hostile (STYLE.md habits 8 and 9).
//
//   buildZip([{ name: 'manifest.json', data: '{}' }, { name: '../evil.txt', data: 'x' }], { comment: 'hi' })
//
// Every entry is a valid, ordinary zip entry unless its spec says otherwise: `local: {...}` and
// `central: {...}` override single fields of one header independently; `options` adds bytes
// before, between and after the records, forces zip64 end records and overrides their fields.
// Record layouts follow PKWARE APPNOTE.TXT 6.3.10 (section numbers cited below).

import { crc32, deflateRawSync } from 'node:zlib';
import { HARDENED_MANIFEST } from './manifest.ts';

export const STORED = 0;
export const DEFLATE = 8;

/** General purpose bit flags (APPNOTE 4.4.4). */
export const FLAG = {
  ENCRYPTED: 1 << 0,
  DATA_DESCRIPTOR: 1 << 3,
  STRONG_ENCRYPTION: 1 << 6,
  UTF8: 1 << 11,
} as const;

/** "Version made by" host systems (APPNOTE 4.4.2.2). */
export const HOST = { DOS: 0, VMS: 2, UNIX: 3, ATARI: 5, NTFS: 10, BEOS: 16, OSX: 19, ATHEOS: 30 } as const;

/** Unix st_mode values, stored in the high 16 bits of the external attributes by Unix hosts. */
export const MODE = {
  FILE: 0o100644,
  EXECUTABLE: 0o100755,
  SETUID: 0o104755,
  DIRECTORY: 0o040755,
  SYMLINK: 0o120777,
  FIFO: 0o010644,
  CHAR_DEVICE: 0o020644,
  BLOCK_DEVICE: 0o060644,
  SOCKET: 0o140755,
} as const;

const SIG = {
  LOCAL: 0x04034b50, // APPNOTE 4.3.7
  CENTRAL: 0x02014b50, // APPNOTE 4.3.12
  DATA_DESCRIPTOR: 0x08074b50, // APPNOTE 4.3.9.3
  ZIP64_END: 0x06064b50, // APPNOTE 4.3.14
  ZIP64_LOCATOR: 0x07064b50, // APPNOTE 4.3.15
  END: 0x06054b50, // APPNOTE 4.3.16
} as const;

const EXTRA_ZIP64 = 0x0001;
const EXTRA_UNICODE_PATH = 0x7075;
const MASK16 = 0xffff;
const MASK32 = 0xffffffff;
/** 1980-01-01 00:00:00 in MS-DOS date/time fields (APPNOTE 4.4.6). */
const DOS_DATE = (1 << 5) | 1;
const DOS_TIME = 0;

export type Bytes = string | Uint8Array;

/** Text as UTF-8, bytes as they are. */
export function bytes(value: Bytes): Buffer {
  return typeof value === 'string' ? Buffer.from(value, 'utf8') : Buffer.from(value);
}

// ---------------------------------------------------------------------------------------------
// Records. Each takes every field explicitly; the builder below fills in sensible values.

/** Local file header fields (APPNOTE 4.3.7). */
export interface LocalFields {
  signature: number;
  version: number;
  flags: number;
  method: number;
  time: number;
  date: number;
  crc: number;
  compressedSize: number;
  size: number;
  /** The name length field; defaults to the length of `name`. */
  nameLength?: number;
  /** The extra length field; defaults to the length of `extra`. */
  extraLength?: number;
  name: Bytes;
  extra: Bytes;
}

export function localHeader(f: LocalFields): Buffer {
  const name = bytes(f.name);
  const extra = bytes(f.extra);
  const header = Buffer.alloc(30);
  header.writeUInt32LE(f.signature >>> 0, 0);
  header.writeUInt16LE(f.version, 4);
  header.writeUInt16LE(f.flags, 6);
  header.writeUInt16LE(f.method, 8);
  header.writeUInt16LE(f.time, 10);
  header.writeUInt16LE(f.date, 12);
  header.writeUInt32LE(f.crc >>> 0, 14);
  header.writeUInt32LE(f.compressedSize >>> 0, 18);
  header.writeUInt32LE(f.size >>> 0, 22);
  header.writeUInt16LE(f.nameLength ?? name.length, 26);
  header.writeUInt16LE(f.extraLength ?? extra.length, 28);
  return Buffer.concat([header, name, extra]);
}

/** Central directory file header fields (APPNOTE 4.3.12). */
export interface CentralFields {
  signature: number;
  madeBy: number;
  version: number;
  flags: number;
  method: number;
  time: number;
  date: number;
  crc: number;
  compressedSize: number;
  size: number;
  nameLength?: number;
  extraLength?: number;
  commentLength?: number;
  disk: number;
  internalAttributes: number;
  externalAttributes: number;
  offset: number;
  name: Bytes;
  extra: Bytes;
  comment: Bytes;
}

export function centralHeader(f: CentralFields): Buffer {
  const name = bytes(f.name);
  const extra = bytes(f.extra);
  const comment = bytes(f.comment);
  const header = Buffer.alloc(46);
  header.writeUInt32LE(f.signature >>> 0, 0);
  header.writeUInt16LE(f.madeBy, 4);
  header.writeUInt16LE(f.version, 6);
  header.writeUInt16LE(f.flags, 8);
  header.writeUInt16LE(f.method, 10);
  header.writeUInt16LE(f.time, 12);
  header.writeUInt16LE(f.date, 14);
  header.writeUInt32LE(f.crc >>> 0, 16);
  header.writeUInt32LE(f.compressedSize >>> 0, 20);
  header.writeUInt32LE(f.size >>> 0, 24);
  header.writeUInt16LE(f.nameLength ?? name.length, 28);
  header.writeUInt16LE(f.extraLength ?? extra.length, 30);
  header.writeUInt16LE(f.commentLength ?? comment.length, 32);
  header.writeUInt16LE(f.disk, 34);
  header.writeUInt16LE(f.internalAttributes, 36);
  header.writeUInt32LE(f.externalAttributes >>> 0, 38);
  header.writeUInt32LE(f.offset >>> 0, 42);
  return Buffer.concat([header, name, extra, comment]);
}

/** End of central directory record fields (APPNOTE 4.3.16). */
export interface EndFields {
  signature: number;
  disk: number;
  cdDisk: number;
  entriesOnDisk: number;
  entryCount: number;
  cdSize: number;
  cdOffset: number;
  commentLength?: number;
  comment: Bytes;
}

export function endRecord(f: EndFields): Buffer {
  const comment = bytes(f.comment);
  const record = Buffer.alloc(22);
  record.writeUInt32LE(f.signature >>> 0, 0);
  record.writeUInt16LE(f.disk, 4);
  record.writeUInt16LE(f.cdDisk, 6);
  record.writeUInt16LE(f.entriesOnDisk, 8);
  record.writeUInt16LE(f.entryCount, 10);
  record.writeUInt32LE(f.cdSize >>> 0, 12);
  record.writeUInt32LE(f.cdOffset >>> 0, 16);
  record.writeUInt16LE(f.commentLength ?? comment.length, 20);
  return Buffer.concat([record, comment]);
}

/** Zip64 end of central directory record fields (APPNOTE 4.3.14). */
export interface Zip64EndFields {
  signature: number;
  /** The "size of this record" field, which excludes its own leading 12 bytes: 44 for a bare record. */
  recordSize: number;
  madeBy: number;
  version: number;
  disk: number;
  cdDisk: number;
  entriesOnDisk: number;
  entryCount: number;
  cdSize: number;
  cdOffset: number;
}

export function zip64EndRecord(f: Zip64EndFields): Buffer {
  const record = Buffer.alloc(56);
  record.writeUInt32LE(f.signature >>> 0, 0);
  record.writeBigUInt64LE(BigInt(f.recordSize), 4);
  record.writeUInt16LE(f.madeBy, 12);
  record.writeUInt16LE(f.version, 14);
  record.writeUInt32LE(f.disk >>> 0, 16);
  record.writeUInt32LE(f.cdDisk >>> 0, 20);
  record.writeBigUInt64LE(BigInt(f.entriesOnDisk), 24);
  record.writeBigUInt64LE(BigInt(f.entryCount), 32);
  record.writeBigUInt64LE(BigInt(f.cdSize), 40);
  record.writeBigUInt64LE(BigInt(f.cdOffset), 48);
  return record;
}

/** Zip64 end of central directory locator fields (APPNOTE 4.3.15). */
export interface LocatorFields {
  signature: number;
  disk: number;
  offset: number;
  totalDisks: number;
}

export function zip64Locator(f: LocatorFields): Buffer {
  const record = Buffer.alloc(20);
  record.writeUInt32LE(f.signature >>> 0, 0);
  record.writeUInt32LE(f.disk >>> 0, 4);
  record.writeBigUInt64LE(BigInt(f.offset), 8);
  record.writeUInt32LE(f.totalDisks >>> 0, 16);
  return record;
}

/** One extra field record (APPNOTE 4.5.1): header id, data length, data. */
export function extraField(id: number, data: Bytes): Buffer {
  const body = bytes(data);
  const header = Buffer.alloc(4);
  header.writeUInt16LE(id, 0);
  header.writeUInt16LE(body.length, 2);
  return Buffer.concat([header, body]);
}

/** The zip64 extended information extra field (APPNOTE 4.5.3) holding the given 64-bit values in order. */
export function zip64Extra(...values: number[]): Buffer {
  const data = Buffer.alloc(8 * values.length);
  values.forEach((value, i) => data.writeBigUInt64LE(BigInt(value), 8 * i));
  return extraField(EXTRA_ZIP64, data);
}

/** The Info-ZIP Unicode Path extra field (APPNOTE 4.6.9): version, CRC-32 of the header name, UTF-8 name. */
export function unicodePathExtra(headerName: Bytes, unicodeName: Bytes, options: { version?: number; crc?: number } = {}): Buffer {
  const head = Buffer.alloc(5);
  head.writeUInt8(options.version ?? 1, 0);
  head.writeUInt32LE((options.crc ?? crc32(bytes(headerName))) >>> 0, 1);
  return extraField(EXTRA_UNICODE_PATH, Buffer.concat([head, bytes(unicodeName)]));
}

/** A data descriptor (APPNOTE 4.3.9): optional signature, CRC-32, then 32- or 64-bit sizes. */
export function dataDescriptor(f: { signature: boolean; zip64: boolean; crc: number; compressedSize: number; size: number }): Buffer {
  const width = f.zip64 ? 8 : 4;
  const out = Buffer.alloc((f.signature ? 4 : 0) + 4 + 2 * width);
  let at = 0;
  if (f.signature) at = out.writeUInt32LE(SIG.DATA_DESCRIPTOR, at);
  at = out.writeUInt32LE(f.crc >>> 0, at);
  if (f.zip64) {
    at = out.writeBigUInt64LE(BigInt(f.compressedSize), at);
    out.writeBigUInt64LE(BigInt(f.size), at);
  } else {
    at = out.writeUInt32LE(f.compressedSize >>> 0, at);
    out.writeUInt32LE(f.size >>> 0, at);
  }
  return out;
}

/**
 * A non-final deflate "stored" block (RFC 1951 §3.2.4) holding `content` verbatim: how an
 * overlapping bomb quotes the next local header inside the previous entry's data.
 */
export function storedDeflateBlock(content: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head.writeUInt8(0, 0); // BFINAL 0, BTYPE 00, then padding to the byte boundary
  head.writeUInt16LE(content.length, 1);
  head.writeUInt16LE(~content.length & 0xffff, 3);
  return Buffer.concat([head, content]);
}

// ---------------------------------------------------------------------------------------------
// The declarative builder.

/** Where the builder put things, for overrides that refer to other records (e.g. a shared local header). */
export interface Layout {
  /** Local header offset of each entry, counted as the central directory would (see `shiftOffsets`). */
  offsets: number[];
}

export interface DescriptorSpec {
  /** Write the optional 0x08074b50 signature (default true). */
  signature?: boolean;
  /** 64-bit sizes (default: the entry's `zip64`). */
  zip64?: boolean;
  crc?: number;
  compressedSize?: number;
  size?: number;
  /** Write these bytes instead of a descriptor. */
  raw?: Bytes;
}

export interface EntrySpec {
  /** A string is written as UTF-8 (and sets the UTF-8 flag when it is not ASCII); bytes are written as they are. */
  name: Bytes;
  data?: Bytes;
  /** Default: deflate for files with data, stored for empty files and directories. */
  method?: number;
  /** The bytes written as the entry's data instead of the compressed `data`; CRC and size still describe `data`. */
  compressed?: Bytes;
  /** Flags OR-ed into both headers (the UTF-8 and data-descriptor bits are managed by `utf8` and `dataDescriptor`). */
  flags?: number;
  /** Set the UTF-8 flag; default: when `name` is a non-ASCII string. */
  utf8?: boolean;
  /** Unix st_mode; default 0o100644, or 0o040755 for a name ending with "/". */
  mode?: number;
  /** Host in the high byte of "version made by"; default Unix. */
  host?: number;
  /** Raw external attributes; default `mode << 16`, plus the MS-DOS directory bit for directories. */
  externalAttributes?: number;
  /** Follow the data with a data descriptor and leave the local CRC and sizes zero (flag bit 3). */
  dataDescriptor?: boolean | DescriptorSpec;
  /** Store sizes (and the central offset) as 0xFFFFFFFF with zip64 extra fields in both headers. */
  zip64?: boolean;
  /** Add an Info-ZIP Unicode Path field naming this (or, when given, another) name. */
  unicodePath?: Bytes | { name: Bytes; version?: number; crc?: number; where?: 'both' | 'central' | 'local' };
  /** Raw extra-field bytes appended to both headers, or to each one. */
  extra?: Bytes | { local?: Bytes; central?: Bytes };
  /** The central directory comment of this entry. */
  comment?: Bytes;
  /** Raw bytes written right after this entry's data (and descriptor). */
  after?: Bytes;
  /** Override local header fields, or `false` for no local record at all (a central record only). */
  local?: Partial<LocalFields> | false;
  /** Override central directory fields (`offset` may be computed from the layout), or `false` for no central record. */
  central?: (Partial<Omit<CentralFields, 'offset'>> & { offset?: number | ((layout: Layout) => number) }) | false;
}

export interface ZipOptions {
  /** The archive comment. */
  comment?: Bytes;
  /** Bytes before the first local header (a polyglot, a self-extractor stub). */
  prepend?: Bytes;
  /** Count offsets from the start of the file, as `zip -A` fixes a self-extractor; default: from the zip's start, as after `cat stub a.zip`. */
  shiftOffsets?: boolean;
  /** Bytes between the central directory and the end records. */
  beforeEnd?: Bytes;
  /** Bytes after the end record (and its comment). */
  append?: Bytes;
  /** Write a zip64 end record and locator, with the end record's fields masked; an object overrides record fields. */
  zip64End?: boolean | Partial<Zip64EndFields>;
  /** Override zip64 locator fields (with `zip64End`). */
  locator?: Partial<LocatorFields>;
  /** Override end of central directory fields; a function receives the honest fields. */
  end?: Partial<EndFields> | ((honest: EndFields) => Partial<EndFields>);
  /** Last word: receives the finished archive and returns the bytes to use. */
  post?: (zip: Buffer) => Buffer;
}

/** Builds a zip archive from declarative entry specs; see the file comment. */
export function buildZip(entries: EntrySpec[], options: ZipOptions = {}): Buffer {
  const prepend = bytes(options.prepend ?? '');
  const base = options.shiftOffsets ? prepend.length : 0;
  const parts: Buffer[] = [];
  let position = 0; // relative to the start of the zip proper, after `prepend`
  const layout: Layout = { offsets: [] };
  const prepared = entries.map((spec) => prepare(spec));

  // Local header, data, descriptor and any extra bytes of each entry, back to back.
  prepared.forEach((entry, index) => {
    layout.offsets[index] = base + position;
    if (entry.spec.local === false) return;
    const pieces = [localHeader({ ...entry.local, ...entry.spec.local }), entry.compressed, entry.descriptor, bytes(entry.spec.after ?? '')];
    for (const piece of pieces) {
      parts.push(piece);
      position += piece.length;
    }
  });

  // The central directory: one record per entry, pointing at its local header unless overridden.
  const centralStart = position;
  let centralCount = 0;
  prepared.forEach((entry, index) => {
    if (entry.spec.central === false) return;
    const { offset, ...overrides } = entry.spec.central ?? {};
    const honestOffset = layout.offsets[index]!;
    // APPNOTE 4.5.3: the central zip64 field holds the masked values in order: size, compressed size, offset.
    const zip64 = entry.spec.zip64
      ? { offset: MASK32, extra: Buffer.concat([zip64Extra(entry.size, entry.compressed.length, honestOffset), entry.centralExtra]) }
      : { offset: honestOffset };
    const record = centralHeader({
      ...entry.central,
      ...zip64,
      ...overrides,
      ...(offset === undefined ? {} : { offset: typeof offset === 'function' ? offset(layout) : offset }),
    });
    parts.push(record);
    position += record.length;
    centralCount++;
  });
  const centralSize = position - centralStart;
  const centralOffset = base + centralStart;

  const beforeEnd = bytes(options.beforeEnd ?? '');
  parts.push(beforeEnd);
  position += beforeEnd.length;

  const zip64 = options.zip64End !== undefined && options.zip64End !== false;
  if (zip64) {
    const recordOffset = base + position;
    const record = zip64EndRecord({
      signature: SIG.ZIP64_END,
      recordSize: 44,
      madeBy: (HOST.UNIX << 8) | 45,
      version: 45,
      disk: 0,
      cdDisk: 0,
      entriesOnDisk: centralCount,
      entryCount: centralCount,
      cdSize: centralSize,
      cdOffset: centralOffset,
      ...(typeof options.zip64End === 'object' ? options.zip64End : {}),
    });
    const locator = zip64Locator({ signature: SIG.ZIP64_LOCATOR, disk: 0, offset: recordOffset, totalDisks: 1, ...options.locator });
    parts.push(record, locator);
    position += record.length + locator.length;
  }

  const honestEnd: EndFields = {
    signature: SIG.END,
    disk: 0,
    cdDisk: 0,
    entriesOnDisk: zip64 ? MASK16 : centralCount,
    entryCount: zip64 ? MASK16 : centralCount,
    cdSize: zip64 ? MASK32 : centralSize,
    cdOffset: zip64 ? MASK32 : centralOffset,
    comment: options.comment ?? '',
  };
  parts.push(endRecord({ ...honestEnd, ...(typeof options.end === 'function' ? options.end(honestEnd) : options.end) }));
  parts.push(bytes(options.append ?? ''));

  const zip = Buffer.concat([prepend, ...parts]);
  return options.post ? options.post(zip) : zip;
}

interface PreparedEntry {
  spec: EntrySpec;
  compressed: Buffer;
  descriptor: Buffer;
  size: number;
  local: LocalFields;
  central: Omit<CentralFields, 'offset'>;
  centralExtra: Buffer;
}

/** Computes the honest values of one entry; the spec's overrides are applied on top by `buildZip`. */
function prepare(spec: EntrySpec): PreparedEntry {
  const name = bytes(spec.name);
  const isDirectory = name.length > 0 && name[name.length - 1] === 0x2f;
  const data = bytes(spec.data ?? '');
  const method = spec.method ?? (data.length > 0 && !isDirectory ? DEFLATE : STORED);
  const compressed = spec.compressed !== undefined ? bytes(spec.compressed) : method === DEFLATE ? deflateRawSync(data) : data;
  const crc = crc32(data);
  const size = data.length;
  const nonAscii = typeof spec.name === 'string' && name.some((byte) => byte >= 0x80);
  const utf8 = spec.utf8 ?? nonAscii;
  const descriptorSpec: DescriptorSpec | null = spec.dataDescriptor === true ? {} : spec.dataDescriptor || null;
  const flags = (spec.flags ?? 0) | (utf8 ? FLAG.UTF8 : 0) | (descriptorSpec ? FLAG.DATA_DESCRIPTOR : 0);
  const mode = spec.mode ?? (isDirectory ? MODE.DIRECTORY : MODE.FILE);
  const host = spec.host ?? HOST.UNIX;
  const externalAttributes = spec.externalAttributes ?? (((mode << 16) >>> 0) | (isDirectory ? 0x10 : 0)) >>> 0;
  const version = spec.zip64 ? 45 : 20;

  let localExtra: Buffer = Buffer.alloc(0);
  let centralExtra: Buffer = Buffer.alloc(0);
  if (spec.unicodePath !== undefined) {
    const u = typeof spec.unicodePath === 'object' && !(spec.unicodePath instanceof Uint8Array) ? spec.unicodePath : { name: spec.unicodePath };
    const field = unicodePathExtra(name, u.name, { ...(u.version === undefined ? {} : { version: u.version }), ...(u.crc === undefined ? {} : { crc: u.crc }) });
    const where = u.where ?? 'both';
    if (where !== 'central') localExtra = Buffer.concat([localExtra, field]);
    if (where !== 'local') centralExtra = Buffer.concat([centralExtra, field]);
  }
  if (spec.extra !== undefined) {
    const raw = typeof spec.extra === 'string' || spec.extra instanceof Uint8Array ? { local: spec.extra, central: spec.extra } : spec.extra;
    localExtra = Buffer.concat([localExtra, bytes(raw.local ?? '')]);
    centralExtra = Buffer.concat([centralExtra, bytes(raw.central ?? '')]);
  }

  // The local header: real values, or zeros when a data descriptor carries them (APPNOTE 4.4.4 bit 3).
  const localCrc = descriptorSpec ? 0 : crc;
  const localSizes = descriptorSpec ? { compressedSize: 0, size: 0 } : { compressedSize: compressed.length, size };
  const local: LocalFields = { signature: SIG.LOCAL, version, flags, method, time: DOS_TIME, date: DOS_DATE, crc: localCrc, ...localSizes, name, extra: localExtra };
  if (spec.zip64) {
    // APPNOTE 4.5.3: in a local header both sizes are masked and the zip64 field holds both, uncompressed first.
    local.compressedSize = MASK32;
    local.size = MASK32;
    local.extra = Buffer.concat([zip64Extra(localSizes.size, localSizes.compressedSize), localExtra]);
  }

  const central: Omit<CentralFields, 'offset'> = {
    signature: SIG.CENTRAL,
    madeBy: (host << 8) | 63,
    version,
    flags,
    method,
    time: DOS_TIME,
    date: DOS_DATE,
    crc,
    compressedSize: spec.zip64 ? MASK32 : compressed.length,
    size: spec.zip64 ? MASK32 : size,
    disk: 0,
    internalAttributes: 0,
    externalAttributes,
    name,
    extra: centralExtra,
    comment: spec.comment ?? '',
  };

  let descriptor: Buffer = Buffer.alloc(0);
  if (descriptorSpec) {
    descriptor =
      descriptorSpec.raw !== undefined
        ? bytes(descriptorSpec.raw)
        : dataDescriptor({
            signature: descriptorSpec.signature ?? true,
            zip64: descriptorSpec.zip64 ?? spec.zip64 === true,
            crc: descriptorSpec.crc ?? crc,
            compressedSize: descriptorSpec.compressedSize ?? compressed.length,
            size: descriptorSpec.size ?? size,
          });
  }
  return { spec, compressed, descriptor, size, local, central, centralExtra };
}

// ---------------------------------------------------------------------------------------------
// Bundles and other whole-archive shapes.

/** A valid manifest.json (manifest 0.3, a Node server, passing the hardened profile), so an archive built around it is a bundle. */
export const MANIFEST = JSON.stringify(HARDENED_MANIFEST);

export const SERVER_SOURCE = 'console.log("hello from the bundle");\n';

/** The two entries every test bundle starts with: the manifest and the server it names. */
export function bundleEntries(): EntrySpec[] {
  return [
    { name: 'manifest.json', data: MANIFEST },
    { name: 'server/index.js', data: SERVER_SOURCE },
  ];
}

/** A bundle: a valid manifest.json and server/index.js, then `entries`. */
export function buildBundle(entries: EntrySpec[] = [], options: ZipOptions = {}): Buffer {
  return buildZip([...bundleEntries(), ...entries], options);
}

/** The smallest DER the reader frames: a ContentInfo SEQUENCE holding only the signedData OID (RFC 5652 §3). */
export const EMPTY_SIGNED_DATA = Buffer.from('300b06092a864886f70d010702', 'hex');

/**
 * A legacy MCPB_SIG_V1 block (header, uint32 LE length, DER, footer) as `mcpb sign` appends it.
 * `length` overrides the length field. The DER is not a real signature: the reader only frames it.
 */
export function signatureBlock(options: { der?: Bytes; length?: number; kind?: 'MCPB' | 'DXT' } = {}): Buffer {
  const der = bytes(options.der ?? EMPTY_SIGNED_DATA);
  const kind = options.kind ?? 'MCPB';
  const length = Buffer.alloc(4);
  length.writeUInt32LE(options.length ?? der.length, 0);
  return Buffer.concat([Buffer.from(`${kind}_SIG_V1`, 'latin1'), length, der, Buffer.from(`${kind}_SIG_END`, 'latin1')]);
}

/**
 * David Fifield's overlapping zip bomb ("A better zip bomb", 2019), after `entries` (which start
 * the file): `files` local headers, each followed by the 5-byte head of a non-final stored deflate
 * block that quotes the next local header, then one shared deflate kernel at the end. Every file's
 * data runs to the end of the kernel, so each inflates to all the later headers plus the kernel's
 * output. Every header and CRC is honest; only the overlap is hostile.
 */
export function overlappingBomb(options: { entries?: EntrySpec[]; files?: number; kernel?: Buffer } = {}): Buffer {
  const files = options.files ?? 4;
  const kernelOutput = options.kernel ?? Buffer.alloc(64 * 1024);
  const kernel = deflateRawSync(kernelOutput);

  // The ordinary entries first: their local records, and later their central records.
  const prefix = buildZip(options.entries ?? []);
  const prefixCdSize = prefix.readUInt32LE(prefix.length - 22 + 12);
  const prefixCdOffset = prefix.readUInt32LE(prefix.length - 22 + 16);
  const prefixLocals = prefix.subarray(0, prefixCdOffset);
  const prefixCentral = prefix.subarray(prefixCdOffset, prefixCdOffset + prefixCdSize);

  // From the last file to the first: file i inflates to header i+1, then what file i+1 inflates to.
  const names = Array.from({ length: files }, (_, i) => `bomb/${i}`);
  const headers: Buffer[] = [];
  const outputs: Buffer[] = [];
  const compressedSizes: number[] = [];
  for (let i = files - 1; i >= 0; i--) {
    const last = i === files - 1;
    outputs[i] = last ? kernelOutput : Buffer.concat([headers[i + 1]!, outputs[i + 1]!]);
    compressedSizes[i] = last ? kernel.length : 5 + headers[i + 1]!.length + compressedSizes[i + 1]!;
    headers[i] = localHeader({
      signature: SIG.LOCAL,
      version: 20,
      flags: 0,
      method: DEFLATE,
      time: DOS_TIME,
      date: DOS_DATE,
      crc: crc32(outputs[i]!),
      compressedSize: compressedSizes[i]!,
      size: outputs[i]!.length,
      name: names[i]!,
      extra: '',
    });
  }

  // H0 S(H1) H1 S(H2) H2 ... H(n-1) kernel, where S(x) is the head of a stored block holding x.
  const pieces: Buffer[] = [prefixLocals];
  const offsets: number[] = [];
  let at = prefixLocals.length;
  for (let i = 0; i < files; i++) {
    offsets[i] = at;
    const stored = i < files - 1 ? storedDeflateBlock(headers[i + 1]!).subarray(0, 5) : Buffer.alloc(0);
    pieces.push(headers[i]!, stored);
    at += headers[i]!.length + stored.length;
  }
  pieces.push(kernel);
  at += kernel.length;

  const central = names.map((name, i) =>
    centralHeader({
      signature: SIG.CENTRAL,
      madeBy: (HOST.UNIX << 8) | 63,
      version: 20,
      flags: 0,
      method: DEFLATE,
      time: DOS_TIME,
      date: DOS_DATE,
      crc: crc32(outputs[i]!),
      compressedSize: compressedSizes[i]!,
      size: outputs[i]!.length,
      disk: 0,
      internalAttributes: 0,
      externalAttributes: (MODE.FILE << 16) >>> 0,
      offset: offsets[i]!,
      name,
      extra: '',
      comment: '',
    }),
  );
  const cd = Buffer.concat([prefixCentral, ...central]);
  const count = (options.entries ?? []).length + files;
  const end = endRecord({ signature: SIG.END, disk: 0, cdDisk: 0, entriesOnDisk: count, entryCount: count, cdSize: cd.length, cdOffset: at, comment: '' });
  return Buffer.concat([...pieces, cd, end]);
}

// ---------------------------------------------------------------------------------------------
// Cross-reader differentials: archives that two honest readers may read as two different archives.

/** The central directory offset and size recorded in the end record of a zip with no archive comment. */
function directoryOf(zip: Buffer): { offset: number; size: number } {
  const end = zip.length - 22;
  return { offset: zip.readUInt32LE(end + 16), size: zip.readUInt32LE(end + 12) };
}

/**
 * Issue 9 finding 1: `outer` (a whole zip) followed by an MCPB_SIG_V1 block whose "DER" is a
 * second zip built from `inner` (between `derBefore` and `derAfter`, default nothing), with offsets
 * counted from the start of the file and an end record whose comment length covers exactly the
 * rest of the file. A reader that takes the end record before the block reads `outer`; one that
 * scans back from the end of the file finds the inner end record first and reads `inner`.
 */
export function zipInsideSignatureBlock(
  outer: Buffer,
  inner: EntrySpec[],
  options: { kind?: 'MCPB' | 'DXT'; derBefore?: Bytes; derAfter?: Bytes } = {},
): Buffer {
  const kind = options.kind ?? 'MCPB';
  const derBefore = bytes(options.derBefore ?? '');
  const derAfter = bytes(options.derAfter ?? '');
  const header = Buffer.from(`${kind}_SIG_V1`, 'latin1');
  const footer = Buffer.from(`${kind}_SIG_END`, 'latin1');
  const before = outer.length + header.length + 4 + derBefore.length; // block header, uint32 length, DER prefix
  const zip = buildZip(inner, { prepend: Buffer.alloc(before), shiftOffsets: true, end: { commentLength: derAfter.length + footer.length } });
  return Buffer.concat([outer, signatureBlock({ der: Buffer.concat([derBefore, zip.subarray(before), derAfter]), kind })]);
}

/**
 * Two central directories in one file (APPNOTE 4.3.14-4.3.16): the 32-bit end record points at
 * the directory of `visible`, the zip64 end record (reached through its locator) at the directory
 * of `hidden`, whose local records sit between. The 32-bit fields are honest, not masked, so a
 * reader that consults the zip64 record only for masked fields reads `visible`, and one that
 * prefers the zip64 record whenever its locator is present reads `hidden`.
 */
export function zip64RecordPointsElsewhere(visible: EntrySpec[], hidden: EntrySpec[]): Buffer {
  const a = buildZip(visible);
  const aDirectory = directoryOf(a);
  const aLocals = a.subarray(0, aDirectory.offset);
  const b = buildZip(hidden, { prepend: aLocals, shiftOffsets: true });
  const bDirectory = directoryOf(b); // b starts with aLocals, and its offsets count from there
  const bLocals = b.subarray(aLocals.length, bDirectory.offset);
  const cdA = a.subarray(aDirectory.offset, aDirectory.offset + aDirectory.size);
  const cdB = b.subarray(bDirectory.offset, bDirectory.offset + bDirectory.size);
  const cdAOffset = aLocals.length + bLocals.length;
  const cdBOffset = cdAOffset + cdA.length;
  const recordOffset = cdBOffset + cdB.length;
  const count = (entries: EntrySpec[]): number => entries.filter((e) => e.central !== false).length;
  const record = zip64EndRecord({
    signature: SIG.ZIP64_END,
    recordSize: 44,
    madeBy: (HOST.UNIX << 8) | 45,
    version: 45,
    disk: 0,
    cdDisk: 0,
    entriesOnDisk: count(hidden),
    entryCount: count(hidden),
    cdSize: cdB.length,
    cdOffset: cdBOffset,
  });
  const locator = zip64Locator({ signature: SIG.ZIP64_LOCATOR, disk: 0, offset: recordOffset, totalDisks: 1 });
  const n = count(visible);
  const end = endRecord({ signature: SIG.END, disk: 0, cdDisk: 0, entriesOnDisk: n, entryCount: n, cdSize: cdA.length, cdOffset: cdAOffset, comment: '' });
  return Buffer.concat([aLocals, bLocals, cdA, cdB, record, locator, end]);
}
