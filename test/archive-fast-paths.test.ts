// Issue 14 item 2 (a small bundle's verify at most 1.0x `unzip -tq`): the archive reader's fast
// paths, each held equal to the general path it shortcuts, on generated inputs. A fast path may
// only skip work whose answer it already knows; these properties are what say so:
// - plain ASCII names skip the character rules (names.ts PLAIN), and the segment loop when no
//   segment looks suspect (SEGMENT_SUSPECT): same answer as every rule run;
// - the end record is found with Buffer#lastIndexOf: the same positions a byte walk stops at;
// - entries already in offset order are not sorted (EntryTable.byOffset): a stable sort's order;
//   the first lookups by name scan the rows, later ones use the hash: the same entries;
// - the name index reuses the previous name's parent directory: the same verdicts, codes and
//   messages as the walk from the root on every name (the previous implementation, kept here);
// - local headers are checked in place in the read chunk, or on a copy across a chunk boundary:
//   the same verdicts at every position of a header around the boundary;
// - a local header that agrees with the table's entry field by field is accepted without the
//   field-by-field checks (TableEntry.agreesWithLocalHeader): the same verdict, code and message
//   as those checks on a plain entry with the same fields.

import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Archive, bufferSource, collisionKey, defaultLimits, isMCPSealError } from '../lib/index.ts';
import { findEocd } from '../lib/archive/end-records.ts';
import type { ArchiveEntry } from '../lib/archive/entry.ts';
import { EntryTable } from '../lib/archive/entry-table.ts';
import { checkLocalHeader } from '../lib/archive/entry-data.ts';
import { FLAG_DATA_DESCRIPTOR, FLAG_UTF8 } from '../lib/archive/format.ts';
import { EntryNameIndex } from '../lib/archive/name-index.ts';
import { entryNameProblem, validateEntryName } from '../lib/archive/names.ts';
import { MCPSealError } from '../lib/errors.ts';
import { STORED, buildZip, type EntrySpec } from './helpers/zip-builder.ts';

/** The outcome of `run`: its value, or the code and message of the MCPSealError it threw. */
function outcome<T>(run: () => T): { value: T } | { code: string; message: string } {
  try {
    return { value: run() };
  } catch (error) {
    if (!isMCPSealError(error)) throw error;
    return { code: error.code, message: error.message };
  }
}

// Names from a small alphabet, so that segments like "..", ".", "", "con.js", "a." and "x~1" and
// names over the limits come up often.
const plainSegment = fc.oneof(
  fc.constantFrom('', '.', '..', '...', ' ', '. .', 'a', 'A', 'con', 'CON.txt', 'nul .js', 'com1', 'lpt9.x', 'conin$', 'aux.', 'content', 'com', 'comx1', 'lpt', 'conin', 'nul.', 'aux ', 'Aux  .js', 'b ', 'x.js', 'node_modules', '-', '@scope', "it's", 'a=b'),
  fc.stringMatching(/^[a-zA-Z0-9._ $@-]{1,12}$/u),
  fc.constantFrom('a'.repeat(255), 'a'.repeat(256), `${'b'.repeat(254)}.`),
);
const plainName = fc.tuple(fc.array(plainSegment, { minLength: 1, maxLength: 6 }), fc.constantFrom('', '/'), fc.constantFrom('', '/')).map(([segments, lead, trail]) => `${lead}${segments.join('/')}${trail}`);
const anyName = fc.oneof(plainName, fc.string({ maxLength: 40 }), fc.string({ unit: 'grapheme', maxLength: 20 }), fc.string({ unit: 'binary', maxLength: 20 }), fc.stringMatching(/^[a-z0-9~.:\\<>|?*"/ ]{0,16}$/u), fc.constantFrom('PROGRA~1', 'a/INDEX~1.JS', 'x~12.txt/'));
const nameLimits = fc.record({ maxPathLength: fc.integer({ min: 1, max: 1100 }), maxPathDepth: fc.integer({ min: 1, max: 8 }) });

describe('issue 14 item 2: the archive fast paths equal the general paths (fast-check)', () => {
  it('issue 14 item 2: validateEntryName (plain ASCII names skip the character rules and unsuspect segments) answers exactly what every rule run answers', () => {
    fc.assert(
      fc.property(anyName, nameLimits, (name, limits) => {
        assert.deepEqual(validateEntryName(name, limits), entryNameProblem(name, limits, false), JSON.stringify(name));
        assert.deepEqual(validateEntryName(name), entryNameProblem(name, defaultLimits, false), JSON.stringify(name));
      }),
      { numRuns: 3000 },
    );
  });

  it('issue 14 item 2: the end record search (Buffer#lastIndexOf) finds what a byte-by-byte walk finds, or fails with the same code', () => {
    const EOCD = Buffer.from([0x50, 0x4b, 0x05, 0x06]);
    /** The previous search: every position of the last 64 KiB + 22 bytes, last first. */
    function byteWalk(bytes: Buffer, start: number, size: number): number {
      let found = -1;
      let stray = -1;
      let any = -1;
      for (let at = bytes.length - 22; at >= 0 && at >= bytes.length - 22 - 0xffff; at--) {
        if (bytes.readUInt32LE(at) !== 0x06054b50) continue;
        const end = start + at + 22 + bytes.readUInt16LE(at + 20);
        if (end !== size && any < 0) any = at;
        if (end === size) {
          if (found >= 0) throw new MCPSealError('ARCHIVE_MULTIPLE_EOCD', 'the archive has more than one end of central directory record');
          found = at;
        } else if (end < size && stray < 0) stray = at;
      }
      if (found < 0) {
        if (stray >= 0) throw new MCPSealError('ARCHIVE_TRAILING_DATA', 'bytes follow the end of central directory record');
        throw new MCPSealError('ARCHIVE_NO_EOCD', 'no end of central directory record: this is not a zip archive, or it is truncated');
      }
      if (any > found) throw new MCPSealError('ARCHIVE_MULTIPLE_EOCD', 'the archive comment contains another end of central directory record');
      return start + found;
    }
    const plant = fc.record({ at: fc.nat(), comment: fc.oneof(fc.nat({ max: 0xffff }), fc.constant(-1)) });
    fc.assert(
      fc.property(fc.integer({ min: 22, max: 70_000 }), fc.nat({ max: 1000 }), fc.array(plant, { maxLength: 4 }), fc.boolean(), fc.integer({ min: 0, max: 255 }), (length, start, plants, withEnd, fill) => {
        const bytes = Buffer.alloc(length, fill);
        for (const { at, comment } of plants) {
          const position = at % (length - 21);
          EOCD.copy(bytes, position);
          // -1: a comment running exactly to the end of the tail (a record the search accepts).
          bytes.writeUInt16LE(comment < 0 ? Math.min(0xffff, length - position - 22) : comment, position + 20);
        }
        if (withEnd) {
          EOCD.copy(bytes, length - 22);
          bytes.writeUInt16LE(0, length - 2);
        }
        const tail = { bytes, start, size: start + length };
        assert.deepEqual(
          outcome(() => findEocd(tail, null)),
          outcome(() => byteWalk(bytes, start, start + length)),
        );
      }),
      { numRuns: 400 },
    );
  });

  it('issue 14 item 2: EntryTable.byOffset is the stable sort by local header offset (no copy when the directory is in order), and lookup finds each entry, scanning or hashed', () => {
    fc.assert(
      fc.property(fc.array(fc.nat({ max: 20 }), { maxLength: 30 }), (offsets) => {
        const cd = Buffer.alloc(offsets.length + 1);
        const table = new EntryTable(cd, offsets.length);
        offsets.forEach((localHeaderOffset, index) => {
          const entry: ArchiveEntry = {
            index,
            name: `e${index}`,
            kind: 'file',
            method: STORED,
            flags: 0,
            crc32: 0,
            compressedSize: 0,
            size: 0,
            localHeaderOffset,
            mode: 0o644,
            rawName: cd.subarray(index, index + 1),
            zip64: false,
          };
          table.add({ ...entry, nameStart: index, nameLength: 1 }, entry.kind, entry.mode);
        });
        const sorted = [...table.entries].sort((a, b) => a.localHeaderOffset - b.localHeaderOffset);
        assert.deepEqual(
          table.byOffset().map((entry) => entry.name),
          sorted.map((entry) => entry.name),
        );
        if (offsets.every((offset, i) => i === 0 || offset >= offsets[i - 1]!)) assert.equal(table.byOffset(), table.entries);
        // Every name twice (scanned, then hashed), and absent names in between.
        for (const round of [0, 1]) {
          for (const entry of table.entries) {
            assert.equal(table.lookup(entry.name), entry, `round ${round}`);
            assert.equal(table.lookup(`${entry.name}/`), undefined);
          }
        }
      }),
    );
  });

  it('issue 14 item 2: the name index (parent reused, keys by folded path) gives the verdict, code and message of the walk from the root', () => {
    const segment = fc.constantFrom('a', 'A', 'b', 'x.', 'x', 'stra\u00dfe', 'STRASSE', 'caf\u00e9', 'cafe\u0301', 'con');
    const name = fc.tuple(fc.array(segment, { minLength: 1, maxLength: 4 }), fc.boolean()).map(([segments, directory]) => `${segments.join('/')}${directory ? '/' : ''}`);
    fc.assert(
      fc.property(fc.array(name, { maxLength: 12 }), fc.integer({ min: 1, max: 10 }), (names, maxEntries) => {
        const run = (index: { add(name: string): void }) =>
          outcome(() => {
            for (const each of names) index.add(each);
            return 'accepted';
          });
        assert.deepEqual(run(new EntryNameIndex({ maxEntries })), run(new WalkFromRoot(maxEntries)), JSON.stringify(names));
      }),
      { numRuns: 3000 },
    );
  });

  it('issue 14 item 2: a local header that agrees with a table entry is accepted as the field-by-field checks accept it, and any other gets their verdict', () => {
    const field = fc.constantFrom(0, 1, 0xffffffff, 0x12345678, 20);
    const spec = fc.record({
      flags: fc.constantFrom(0, FLAG_UTF8, FLAG_DATA_DESCRIPTOR, 2, FLAG_DATA_DESCRIPTOR | 2),
      method: fc.constantFrom(0, 8),
      crc32: field,
      compressedSize: field,
      size: field,
      name: fc.constantFrom('a.js', 'lib/b.js', 'c'),
    });
    // The local header: the entry's own fields, or one of them changed, or an extra field.
    const change = fc.constantFrom('none', 'flags', 'flags-insignificant', 'method', 'crc32', 'compressedSize', 'size', 'name', 'name-length', 'extra');
    fc.assert(
      fc.property(spec, change, (entrySpec, changed) => {
        const cd = Buffer.from(entrySpec.name, 'latin1');
        const table = new EntryTable(cd, 1);
        const fields = { name: entrySpec.name, localHeaderOffset: 0, compressedSize: entrySpec.compressedSize, size: entrySpec.size, crc32: entrySpec.crc32, method: entrySpec.method, flags: entrySpec.flags, zip64: false };
        const tableEntry = table.add({ ...fields, nameStart: 0, nameLength: cd.length }, 'file', 0o644);
        const plain: ArchiveEntry = { ...fields, index: 0, kind: 'file', mode: 0o644, rawName: cd };
        const name = changed === 'name' ? Buffer.from(entrySpec.name.replace(/^./u, 'z'), 'latin1') : changed === 'name-length' ? Buffer.from(`${entrySpec.name}x`, 'latin1') : cd;
        const extra = changed === 'extra' ? Buffer.from([0x55, 0x54, 1, 0, 0]) : Buffer.alloc(0);
        const header = Buffer.alloc(30);
        header.writeUInt32LE(0x04034b50, 0);
        header.writeUInt16LE(changed === 'flags' ? entrySpec.flags ^ FLAG_UTF8 : changed === 'flags-insignificant' ? entrySpec.flags ^ 2 : entrySpec.flags, 6);
        header.writeUInt16LE(changed === 'method' ? 8 - entrySpec.method : entrySpec.method, 8);
        header.writeUInt32LE(changed === 'crc32' ? (entrySpec.crc32 + 1) >>> 0 : entrySpec.crc32, 14);
        header.writeUInt32LE(changed === 'compressedSize' ? (entrySpec.compressedSize + 1) >>> 0 : entrySpec.compressedSize, 18);
        header.writeUInt32LE(changed === 'size' ? (entrySpec.size + 1) >>> 0 : entrySpec.size, 22);
        header.writeUInt16LE(name.length, 26);
        header.writeUInt16LE(extra.length, 28);
        const bytes = Buffer.concat([Buffer.from([0xaa, 0xbb]), header, name, extra]);
        assert.deepEqual(
          outcome(() => checkLocalHeader(tableEntry, bytes, 2)),
          outcome(() => checkLocalHeader(plain, bytes, 2)),
          `${JSON.stringify(entrySpec)} ${changed}`,
        );
      }),
      { numRuns: 2000 },
    );
  });

  it('issue 14 item 2: a local header before, across and after the read chunk boundary (1 MiB) is checked alike, in place or on a copy', async () => {
    const CHUNK = 1024 * 1024;
    const secondName = 'server/index.js';
    // The second entry's local header starts `back` bytes before the boundary: inside the chunk,
    // straddling it (header, name or data), or starting the next chunk.
    for (let back = -2; back <= 30 + secondName.length + 3; back++) {
      const entries = (local: EntrySpec['local'] = {}): EntrySpec[] => [
        { name: 'a', data: Buffer.alloc(CHUNK - back - 31, 1), method: STORED },
        { name: secondName, data: 'console.log(1);\n', method: STORED, local },
        { name: 'b', data: 'b', method: STORED },
      ];
      const verdict = async (zip: Buffer, checkData: boolean): Promise<string | null> => {
        const archive = await Archive.open(bufferSource(zip));
        try {
          await archive.scan({ hash: true, checkData });
          return null;
        } catch (error) {
          if (isMCPSealError(error)) return error.code;
          throw error;
        }
      };
      for (const checkData of [false, true]) {
        assert.equal(await verdict(buildZip(entries()), checkData), null, `back ${back}`);
        assert.equal(await verdict(buildZip(entries({ name: 'server/INDEX.js' })), checkData), 'ARCHIVE_HEADER_MISMATCH', `back ${back}`);
        assert.equal(await verdict(buildZip(entries({ crc: 7 })), checkData), 'ARCHIVE_HEADER_MISMATCH', `back ${back}`);
        assert.equal(await verdict(buildZip(entries({ signature: 0x04034b51 })), checkData), 'ARCHIVE_BAD_LOCAL_HEADER', `back ${back}`);
      }
    }
  });
});

/**
 * The name index as it was before the fast path (commit 0de6000): every name walks its parent
 * directories from the root, children keyed by parent id and folded segment. Kept here as the
 * reference the property above compares the index with.
 */
class WalkFromRoot {
  readonly #max: number;
  readonly #children = new Map<string, number>();
  readonly #parent: number[] = [-1];
  readonly #spelling: (string | null)[] = [''];
  readonly #owner: (string | null)[] = [null];
  #directories = 0;

  constructor(maxEntries: number) {
    this.#max = maxEntries;
  }

  add(name: string): void {
    const isDirectory = name.endsWith('/');
    const segments = (isDirectory ? name.slice(0, -1) : name).split('/');
    const keys = collisionKey(name).split('/');
    let node = 0;
    for (let depth = 0; depth < segments.length - 1; depth++) node = this.#enter(node, keys[depth]!, segments[depth]!, name);
    this.#place(node, keys[keys.length - 1]!, segments[segments.length - 1]!, name, isDirectory);
  }

  #enter(parent: number, key: string, segment: string, name: string): number {
    const existing = this.#children.get(`${parent}/${key}`);
    if (existing === undefined) return this.#create(parent, key, segment, null, true);
    const owner = this.#owner[existing];
    if (owner != null && !owner.endsWith('/')) {
      throw new MCPSealError('ARCHIVE_PATH_CONFLICT', `"${p(name)}" needs "${p(this.#path(existing, segment))}" to be a directory, but "${p(owner)}" is a file`);
    }
    this.#spelled(existing, segment, name);
    return existing;
  }

  #place(parent: number, key: string, segment: string, name: string, isDirectory: boolean): void {
    const existing = this.#children.get(`${parent}/${key}`);
    if (existing === undefined) {
      this.#create(parent, key, segment, name, isDirectory);
      return;
    }
    const owner = this.#owner[existing];
    if (owner != null) {
      if (owner === name) throw new MCPSealError('ARCHIVE_DUPLICATE_ENTRY', `entry "${p(name)}" appears twice`);
      if (owner.endsWith('/') !== isDirectory) throw new MCPSealError('ARCHIVE_PATH_CONFLICT', `"${p(owner)}" and "${p(name)}" make one path both a file and a directory`);
      throw new MCPSealError('ARCHIVE_NAME_COLLISION', `entries "${p(owner)}" and "${p(name)}" are the same file on case-insensitive or normalising file systems`);
    }
    if (!isDirectory) throw new MCPSealError('ARCHIVE_PATH_CONFLICT', `an entry needs "${p(this.#path(existing))}" to be a directory, but "${p(name)}" is a file`);
    this.#spelled(existing, segment, name);
    this.#owner[existing] = name;
  }

  #spelled(node: number, segment: string, _name: string): void {
    if (this.#spelling[node] === segment) return;
    throw new MCPSealError(
      'ARCHIVE_NAME_COLLISION',
      `directories "${p(this.#path(node))}" and "${p(this.#path(node, segment))}" are the same directory on case-insensitive or normalising file systems`,
    );
  }

  #create(parent: number, key: string, segment: string, owner: string | null, isDirectory: boolean): number {
    if (isDirectory && ++this.#directories > this.#max) {
      throw new MCPSealError('ARCHIVE_TOO_MANY_ENTRIES', `the archive's names imply more than ${this.#max} directories (limit maxEntries)`);
    }
    const id = this.#parent.length;
    this.#parent.push(parent);
    this.#spelling.push(isDirectory ? segment : null);
    this.#owner.push(owner);
    this.#children.set(`${parent}/${key}`, id);
    return id;
  }

  #path(node: number, last?: string): string {
    const segments: string[] = [last ?? this.#spelling[node] ?? this.#owner[node]!.slice(this.#owner[node]!.lastIndexOf('/') + 1)];
    for (let at = this.#parent[node]!; at !== 0; at = this.#parent[at]!) segments.push(this.#spelling[at]!);
    return segments.reverse().join('/');
  }
}

/** The names in these tests hold nothing printable() escapes. */
function p(name: string): string {
  return name;
}
