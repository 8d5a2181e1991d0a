// mcpseal's attested entry list held against the archive it describes (issue 14: memory flat in
// the number of entries). Each listed name is looked up in the archive's own name index as it is
// read, so what is kept is a row's 32-byte digest and a flag, not a string and an object per entry
// (40,000 entries: 1.3 MB instead of about 8 MB). A name that is not a file of the archive is
// kept by name: such a list is refused by checkEntryList anyway, and reports those names.

import type { Archive } from '../archive/reader.ts';
import { listedTwice, type DependencySink, type ProvenanceView } from '../attest/statement.ts';

const DIGEST = 32;
const NOT_LISTED = 0;
const HEX_DIGEST = 1;
const OTHER_DIGEST = 2;

/** The entry list of a predicate, by archive row; also the sink the statement's items are read into. */
export class ListedEntries implements DependencySink {
  source: ProvenanceView['source'] = null;
  readonly #archive: Archive;
  /** Per archive row: NOT_LISTED, HEX_DIGEST (in #digests) or OTHER_DIGEST (in #others). */
  readonly #state: Uint8Array;
  readonly #digests: Buffer;
  /** Digests that are not 64 lower-case hex digits: compared as the strings they are, never matching a computed one. */
  readonly #others = new Map<number, string>();
  /** Listed names that are no file of the archive, in the list's order. */
  readonly #extra = new Set<string>();
  #count = 0;
  /** Where the next name in archive order would be. */
  #next = 0;

  constructor(archive: Archive) {
    this.#archive = archive;
    this.#state = new Uint8Array(archive.entries.length);
    this.#digests = Buffer.alloc(archive.entries.length * DIGEST);
  }

  /** How many entries the list names. */
  get count(): number {
    return this.#count;
  }

  entry(name: string, sha256: string): void {
    const row = this.#fileRow(name);
    if (row < 0) {
      if (this.#extra.has(name)) listedTwice(name);
      this.#extra.add(name);
    } else {
      if (this.#state[row] !== NOT_LISTED) listedTwice(name);
      // 32 bytes from 64 characters: every one a hex digit (Node's hex decoding stops at the first
      // that is not), and none upper-case (takeDependency lowered them): the digest is its hex.
      if (sha256.length === 2 * DIGEST && this.#digests.write(sha256, row * DIGEST, 'hex') === DIGEST) {
        this.#state[row] = HEX_DIGEST;
      } else {
        this.#others.set(row, sha256);
        this.#state[row] = OTHER_DIGEST;
      }
    }
    this.#count += 1;
  }

  /** The digest listed for the archive file `name` (lower-case hex as listed), or undefined. */
  digestOf(name: string): string | undefined {
    const row = this.#fileRow(name);
    if (row < 0) return undefined;
    const state = this.#state[row];
    if (state === HEX_DIGEST) return this.#digests.toString('hex', row * DIGEST, (row + 1) * DIGEST);
    return state === OTHER_DIGEST ? this.#others.get(row) : undefined;
  }

  /** Whether every file of the archive is listed. */
  listsEveryFile(): boolean {
    const entries = this.#archive.entries;
    for (let row = 0; row < entries.length; row++) if (this.#state[row] === NOT_LISTED && entries[row]!.kind === 'file') return false;
    return true;
  }

  /** The first `limit` files of the archive that are not listed, in archive order. */
  missing(limit: number): string[] {
    const names: string[] = [];
    for (const entry of this.#archive.entries) {
      if (names.length === limit) break;
      if (entry.kind === 'file' && this.#state[entry.index] === NOT_LISTED) names.push(entry.name);
    }
    return names;
  }

  /** The first `limit` listed names that are no file of the archive, in the list's order. */
  extra(limit: number): string[] {
    return [...this.#extra].slice(0, limit);
  }

  /**
   * The archive row of the file `name`, or -1. mcpseal lists the files in archive order, so the
   * row after the last one found is tried first; any other name is looked up by its hash.
   */
  #fileRow(name: string): number {
    const entries = this.#archive.entries;
    let row = this.#next;
    while (row < entries.length && entries[row]!.kind !== 'file') row++;
    const entry = row < entries.length && entries[row]!.name === name ? entries[row]! : this.#archive.entry(name);
    if (entry === undefined || entry.kind !== 'file') return -1;
    this.#next = entry.index + 1;
    return entry.index;
  }
}
