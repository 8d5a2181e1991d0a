// The one index of an archive's entry names, shared by the reader (central directory) and the
// packer (collect.ts), so `pack` can never write a set of names the reader refuses. It holds the
// whole name set as a tree of path segments, each directory stored once (finding 8: storing every
// parent path string per entry and per depth made a 5 MB central directory cost 560 MB), and
// refuses, as each name is added:
// - the same name twice (ARCHIVE_DUPLICATE_ENTRY);
// - two names that are one file after NFC, case folding and Windows' trailing-dot stripping
//   (ARCHIVE_NAME_COLLISION), including a parent directory spelled two ways (`Lib/a.js` beside
//   `lib/b.js` meet in one directory on a case-insensitive file system);
// - one path both a file and a directory, explicit or implied (`x` beside `X/y.js`)
//   (ARCHIVE_PATH_CONFLICT);
// - more directories (explicit or implied by the names) than `maxEntries`: extraction creates each.
// Names must already have passed `validateEntryName`.

import { MCPSealError, type ArchiveErrorCode } from '../errors.ts';
import type { ArchiveLimits } from '../limits.ts';
import { collisionKey, printable } from './names.ts';

const ROOT = 0;

export class EntryNameIndex {
  readonly #maxDirectories: number;
  /**
   * Folded path (collisionKey: the folded segments joined by slashes; a slash never occurs
   * inside a segment) -> node id. Two paths are one node exactly when their folded paths are
   * equal. A file's key is its whole folded name, which `add` computes anyway (a parent-id
   * prefix string per segment per name was a fifth of opening a 2,400-entry bundle).
   */
  readonly #children = new Map<string, number>();
  /**
   * Per node: its parent, the segment as first spelled (directories only: a file's is never
   * compared, and its name is its owner), and the entry that names it (null when implied).
   * Exact duplicates need no set of their own: the second one reaches its own node (issue 14:
   * a set of every name was 30 bytes per entry of the central directory's peak).
   */
  readonly #parent: number[] = [-1];
  readonly #spelling: (string | null)[] = [''];
  readonly #owner: (string | null)[] = [null];
  #directories = 0;
  /** The parent directory of the last name added, as spelled (with its final slash), and its node. */
  #lastParentPath = '';
  #lastParent = ROOT;

  constructor(limits: Pick<ArchiveLimits, 'maxEntries'>) {
    this.#maxDirectories = limits.maxEntries;
  }

  /** Paths in the tree (files and directories, explicit or implied). Grows with the input, never with depth squared. */
  get nodeCount(): number {
    return this.#parent.length - 1;
  }

  /** Directories extraction would create: directory entries and every parent of an entry. */
  get directoryCount(): number {
    return this.#directories;
  }

  /** Adds one entry name (a directory ends with `/`), or throws the name-set rule it breaks. */
  add(name: string): void {
    const isDirectory = name.endsWith('/');
    const body = isDirectory ? name.slice(0, -1) : name;
    // Folding keeps the slashes and the segment count, so the key's segments line up with the name's.
    const key = collisionKey(name);
    const cut = body.lastIndexOf('/') + 1;
    // Only a directory's last segment is kept and compared (#spelling): a file's is not cut out.
    this.#place(this.#parentOf(name, body, cut, key), key, isDirectory ? body.slice(cut) : null, name, isDirectory);
  }

  /**
   * The node of the directory holding `body` (`name` without a directory's final slash), which
   * is its first `cut` characters, slash included; `key` is the folded `body`.
   * Entries come grouped by directory: the same parent as the previous name's is not walked
   * again (issue 14: a Map key string per segment per name was a fifth of opening a 2,400-entry
   * bundle). That changes nothing: a walk that passed once passes again, because a directory's
   * node never becomes a file (a file placed on it is refused) and its spelling is fixed.
   */
  #parentOf(name: string, body: string, cut: number, key: string): number {
    if (cut === 0) return ROOT;
    if (cut === this.#lastParentPath.length && body.startsWith(this.#lastParentPath)) return this.#lastParent;
    const segments = body.split('/');
    let node = ROOT;
    let keyEnd = -1;
    for (let depth = 0; depth < segments.length - 1; depth++) {
      // Folding keeps the slashes, so the key's first depth + 1 segments fold the name's.
      keyEnd = key.indexOf('/', keyEnd + 1);
      node = this.#enterDirectory(node, key.slice(0, keyEnd), segments[depth]!, name);
    }
    this.#lastParentPath = body.slice(0, cut);
    this.#lastParent = node;
    return node;
  }

  /** Walks (or creates) the implied parent directory `segment` under `parent`. */
  #enterDirectory(parent: number, key: string, segment: string, name: string): number {
    const existing = this.#children.get(key);
    if (existing === undefined) return this.#create(parent, key, segment, null, true);
    const owner = this.#owner[existing];
    if (owner != null && !owner.endsWith('/')) {
      const needed = this.#path(existing, segment);
      fail('ARCHIVE_PATH_CONFLICT', `"${printable(name)}" needs "${printable(needed)}" to be a directory, but "${printable(owner)}" is a file`, {
        entry: owner,
        found: needed,
      });
    }
    this.#checkSpelling(existing, segment, name);
    return existing;
  }

  /** Places the entry itself: a file (`segment` null), or an explicit directory that may already be implied. */
  #place(parent: number, key: string, segment: string | null, name: string, isDirectory: boolean): void {
    const existing = this.#children.get(key);
    if (existing === undefined) {
      this.#create(parent, key, segment, name, isDirectory);
      return;
    }
    const owner = this.#owner[existing];
    if (owner != null) {
      if (owner === name) fail('ARCHIVE_DUPLICATE_ENTRY', `entry "${printable(name)}" appears twice`, { entry: name });
      if (owner.endsWith('/') !== isDirectory) {
        fail('ARCHIVE_PATH_CONFLICT', `"${printable(owner)}" and "${printable(name)}" make one path both a file and a directory`, { entry: name, found: owner });
      }
      fail('ARCHIVE_NAME_COLLISION', `entries "${printable(owner)}" and "${printable(name)}" are the same file on case-insensitive or normalising file systems`, {
        entry: name,
        found: owner,
      });
    }
    // An implied directory: a file there conflicts; an explicit directory entry must spell it alike.
    if (!isDirectory) {
      fail('ARCHIVE_PATH_CONFLICT', `an entry needs "${printable(this.#path(existing))}" to be a directory, but "${printable(name)}" is a file`, {
        entry: name,
        found: this.#path(existing),
      });
    }
    this.#checkSpelling(existing, segment!, name);
    this.#owner[existing] = name;
  }

  #checkSpelling(node: number, segment: string, name: string): void {
    if (this.#spelling[node] === segment) return;
    const spelled = this.#path(node);
    const other = this.#path(node, segment);
    fail('ARCHIVE_NAME_COLLISION', `directories "${printable(spelled)}" and "${printable(other)}" are the same directory on case-insensitive or normalising file systems`, {
      entry: name,
      found: spelled,
    });
  }

  #create(parent: number, key: string, segment: string | null, owner: string | null, isDirectory: boolean): number {
    if (isDirectory && ++this.#directories > this.#maxDirectories) {
      fail('ARCHIVE_TOO_MANY_ENTRIES', `the archive's names imply more than ${this.#maxDirectories} directories (limit maxEntries)`, {
        limit: 'maxEntries',
        expected: this.#maxDirectories,
      });
    }
    const id = this.#parent.length;
    this.#parent.push(parent);
    this.#spelling.push(isDirectory ? segment : null);
    this.#owner.push(owner);
    this.#children.set(key, id);
    return id;
  }

  /** The path of `node` as first spelled (only built for an error message); `last` respells its final segment. */
  #path(node: number, last?: string): string {
    const segments: string[] = [last ?? this.#spelling[node] ?? this.#owner[node]!.slice(this.#owner[node]!.lastIndexOf('/') + 1)];
    for (let at = this.#parent[node]!; at !== ROOT; at = this.#parent[at]!) segments.push(this.#spelling[at]!);
    return segments.reverse().join('/');
  }
}

function fail(code: ArchiveErrorCode, message: string, details: Record<string, unknown>): never {
  throw new MCPSealError(code, message, { details });
}
