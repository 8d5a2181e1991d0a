// The entries of one central directory, stored compactly (issue 14: memory flat in the number of
// entries). A plain object per entry, with its name bytes as a Buffer view and a Map from name to
// entry, cost 378 bytes of JS heap per entry; 40,000 entries (840 MB of node_modules) made peak
// RSS grow with the archive. Here the numbers live in typed-array columns (39 bytes per entry),
// the raw name stays in the central-directory buffer the reader keeps anyway, and each entry is a
// small object holding its name, its row and the table: about 170 bytes with the name string.
// Nothing is checked here: rows are added only after checkEntry (entry-rules.ts) passed.

import type { ArchiveEntry, EntryKind } from './entry.ts';
import { FLAG_DATA_DESCRIPTOR, LOCAL_HEADER_SIZE, SIGNIFICANT_FLAGS } from './format.ts';

/**
 * What the table stores of an entry besides its kind and mode: a decoded record's fields, the raw
 * name given by where it lies in the table's central directory.
 */
export type EntryFields = Pick<ArchiveEntry, 'name' | 'localHeaderOffset' | 'compressedSize' | 'size' | 'crc32' | 'method' | 'flags' | 'zip64'> & { nameStart: number; nameLength: number };

/** Lookups answered by a scan of the rows before the hash of the names is built. */
const LINEAR_LOOKUPS = 4;

const DIRECTORY = 1;
const EXECUTABLE = 2;
const ZIP64 = 4;

/** The columns, one row per entry in central-directory order. */
class Columns {
  readonly cd: Buffer;
  readonly localHeaderOffset: Float64Array;
  readonly compressedSize: Float64Array;
  readonly size: Float64Array;
  readonly crc32: Uint32Array;
  /** Where the raw name starts in `cd`; the central directory is at most 4 GiB by format. */
  readonly nameStart: Uint32Array;
  readonly nameLength: Uint16Array;
  readonly method: Uint16Array;
  readonly flags: Uint16Array;
  readonly bits: Uint8Array;

  constructor(cd: Buffer, count: number) {
    this.cd = cd;
    this.localHeaderOffset = new Float64Array(count);
    this.compressedSize = new Float64Array(count);
    this.size = new Float64Array(count);
    this.crc32 = new Uint32Array(count);
    this.nameStart = new Uint32Array(count);
    this.nameLength = new Uint16Array(count);
    this.method = new Uint16Array(count);
    this.flags = new Uint16Array(count);
    this.bits = new Uint8Array(count);
  }
}

/** One entry: its name and row; every other field is read from the table's columns. */
class TableEntry implements ArchiveEntry {
  readonly name: string;
  readonly index: number;
  readonly #columns: Columns;

  constructor(columns: Columns, index: number, name: string) {
    this.#columns = columns;
    this.index = index;
    this.name = name;
  }

  get kind(): EntryKind {
    return this.#columns.bits[this.index]! & DIRECTORY ? 'directory' : 'file';
  }

  get method(): number {
    return this.#columns.method[this.index]!;
  }

  get flags(): number {
    return this.#columns.flags[this.index]!;
  }

  get crc32(): number {
    return this.#columns.crc32[this.index]!;
  }

  get compressedSize(): number {
    return this.#columns.compressedSize[this.index]!;
  }

  get size(): number {
    return this.#columns.size[this.index]!;
  }

  get localHeaderOffset(): number {
    return this.#columns.localHeaderOffset[this.index]!;
  }

  get mode(): number {
    return this.#columns.bits[this.index]! & EXECUTABLE ? 0o755 : 0o644;
  }

  /** A view into the central directory (made on each call: only the header checks need it). */
  get rawName(): Buffer {
    const start = this.#columns.nameStart[this.index]!;
    return this.#columns.cd.subarray(start, start + this.#columns.nameLength[this.index]!);
  }

  /** Whether `bytes[start, end)` holds this entry's raw name, compared in the central directory (no view). */
  rawNameEquals(bytes: Buffer, start: number, end: number): boolean {
    const nameStart = this.#columns.nameStart[this.index]!;
    const nameLength = this.#columns.nameLength[this.index]!;
    return end - start === nameLength && this.#columns.cd.compare(bytes, start, end, nameStart, nameStart + nameLength) === 0;
  }

  /**
   * Whether the local header at `bytes[at]` (`view` its DataView) holds exactly this entry's
   * fields with no extra field and no data descriptor: the name, the significant flags, the
   * method, the CRC-32 and both sizes (32-bit, not masked). Read from the columns in one call,
   * not through a getter per field (a dozen per entry of a 2,400-entry scan). Such a header
   * passes every check of entry-data.ts checkLocalHeader; false only means that checkLocalHeader
   * must look, and it decides.
   */
  agreesWithLocalHeader(bytes: Buffer, view: DataView, at: number): boolean {
    const columns = this.#columns;
    const row = this.index;
    const nameLength = columns.nameLength[row]!;
    const flags = columns.flags[row]!;
    if (view.getUint16(at + 26, true) !== nameLength || view.getUint16(at + 28, true) !== 0 || flags & FLAG_DATA_DESCRIPTOR) return false;
    if ((view.getUint16(at + 6, true) & SIGNIFICANT_FLAGS) !== (flags & SIGNIFICANT_FLAGS) || view.getUint16(at + 8, true) !== columns.method[row]) return false;
    const compressedSize = view.getUint32(at + 18, true);
    const size = view.getUint32(at + 22, true);
    if (compressedSize === 0xffffffff || size === 0xffffffff || compressedSize !== columns.compressedSize[row] || size !== columns.size[row]) return false;
    if (view.getUint32(at + 14, true) !== columns.crc32[row]) return false;
    const nameStart = columns.nameStart[row]!;
    return columns.cd.compare(bytes, at + LOCAL_HEADER_SIZE, at + LOCAL_HEADER_SIZE + nameLength, nameStart, nameStart + nameLength) === 0;
  }

  get zip64(): boolean {
    return (this.#columns.bits[this.index]! & ZIP64) !== 0;
  }

  /** Plain fields for console.log and JSON, as the entry objects had before. */
  toJSON(): Omit<ArchiveEntry, 'rawName'> {
    const { index, name, kind, method, flags, crc32, compressedSize, size, localHeaderOffset, mode, zip64 } = this;
    return { index, name, kind, method, flags, crc32, compressedSize, size, localHeaderOffset, mode, zip64 };
  }
}

/** TableEntry.agreesWithLocalHeader for the reader's own entries; false (check every field) for any other ArchiveEntry. */
export function localHeaderAgrees(entry: ArchiveEntry, bytes: Buffer, at: number, view: DataView): boolean {
  return entry instanceof TableEntry && entry.agreesWithLocalHeader(bytes, view, at);
}

/**
 * Whether `bytes[start, end)` holds `entry`'s raw name: compared in place for the reader's own
 * entries (the scan checks 2,400 local names of a small bundle without a view each), through
 * `rawName` for any other ArchiveEntry.
 */
export function rawNameEquals(entry: ArchiveEntry, bytes: Buffer, start: number, end: number): boolean {
  if (entry instanceof TableEntry) return entry.rawNameEquals(bytes, start, end);
  const expected = entry.rawName;
  return end - start === expected.length && expected.compare(bytes, start, end) === 0;
}

/**
 * The checked entries of a central directory `cd` with room for `count` of them (the count the
 * end record declares, already held to maxEntries and to the directory's size).
 */
export class EntryTable {
  readonly #columns: Columns;
  readonly #entries: ArchiveEntry[] = [];
  /** Open-addressing hash of the names (row + 1; 0 is empty), built after LINEAR_LOOKUPS lookups. */
  #slots: Int32Array | null = null;
  #lookups = 0;
  /** Whether the rows are in local-header order (byOffset): kept as rows are added, no pass over them. */
  #inOffsetOrder = true;

  constructor(cd: Buffer, count: number) {
    this.#columns = new Columns(cd, count);
  }

  /** Entries in central-directory order. */
  get entries(): readonly ArchiveEntry[] {
    return this.#entries;
  }

  /**
   * Entries in the order of their local headers: the entries themselves when the central
   * directory lists them in that order (every writer we know does), else a sorted copy (stable:
   * equal offsets keep their directory order, which the layout checks then refuse).
   */
  byOffset(): readonly ArchiveEntry[] {
    return this.#inOffsetOrder ? this.#entries : [...this.#entries].sort((a, b) => a.localHeaderOffset - b.localHeaderOffset);
  }

  /**
   * The columns the layout checks read, indexed by row (an entry's `index`): plain array reads
   * instead of three getter calls per entry and a view of its name (central-directory.ts checkLayout).
   */
  get extents(): Pick<Columns, 'localHeaderOffset' | 'compressedSize' | 'nameLength'> {
    return this.#columns;
  }

  /**
   * Stores a checked entry (whose raw name is `cd[nameStart, nameStart + nameLength)`), given as
   * the fields of its record with its kind and mode (entry-rules.ts checkRecord, entryMode), and
   * returns its compact replacement.
   */
  add(entry: EntryFields, kind: EntryKind, mode: number): ArchiveEntry {
    const row = this.#entries.length;
    const columns = this.#columns;
    if (row > 0 && entry.localHeaderOffset < columns.localHeaderOffset[row - 1]!) this.#inOffsetOrder = false;
    columns.localHeaderOffset[row] = entry.localHeaderOffset;
    columns.compressedSize[row] = entry.compressedSize;
    columns.size[row] = entry.size;
    columns.crc32[row] = entry.crc32;
    columns.nameStart[row] = entry.nameStart;
    columns.nameLength[row] = entry.nameLength;
    columns.method[row] = entry.method;
    columns.flags[row] = entry.flags;
    columns.bits[row] = (kind === 'directory' ? DIRECTORY : 0) | (mode === 0o755 ? EXECUTABLE : 0) | (entry.zip64 ? ZIP64 : 0);
    const compact = new TableEntry(columns, row, entry.name);
    this.#entries.push(compact);
    return compact;
  }

  /** The entry named exactly `name` (names are unique: the name index refused duplicates). */
  lookup(name: string): ArchiveEntry | undefined {
    // The first few lookups scan the rows: a verify looks up one name (manifest.json), and
    // hashing every name for it cost more than the scan (3-4 ms for 2,400 names in a cold process).
    if (this.#slots === null && ++this.#lookups <= LINEAR_LOOKUPS) return this.#entries.find((entry) => entry.name === name);
    const slots = (this.#slots ??= this.#buildSlots());
    const mask = slots.length - 1;
    for (let slot = hashName(name) & mask; slots[slot] !== 0; slot = (slot + 1) & mask) {
      const entry = this.#entries[slots[slot]! - 1]!;
      if (entry.name === name) return entry;
    }
    return undefined;
  }

  #buildSlots(): Int32Array {
    let length = 16;
    while (length < this.#entries.length * 2) length *= 2;
    const slots = new Int32Array(length);
    const mask = length - 1;
    for (let row = 0; row < this.#entries.length; row++) {
      let slot = hashName(this.#entries[row]!.name) & mask;
      while (slots[slot] !== 0) slot = (slot + 1) & mask;
      slots[slot] = row + 1;
    }
    return slots;
  }
}

/** FNV-1a over the UTF-16 code units: names are validated, so the spread only matters for speed. */
function hashName(name: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) hash = Math.imul(hash ^ name.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}
