// The content-addressed store (pnpm's store is the model): one read-only tree per bundle sha256,
// shared by every lock that names it.
//
//   <store>/sha256/<hex>/        the extracted tree: directories 0555, files 0444 (0555 executables)
//   <store>/sha256/<hex>.json    the completion marker, written last: the entry digests
//   <store>/staging/<pid>-<id>/  private extraction directories, renamed into sha256/ when done
//   <store>/refs/<id>.json       one per lockfile that names trees here: its path and the sha256s
//   <store>/mcpseal.lock.json    the store's default lockfile
//
// A tree is used only when its marker exists (a tree without one is a crash between the rename
// and the marker, and is rebuilt). Staging directories whose process is gone are removed by the
// next command that opens the store, so a SIGKILL leaves nothing half-written for long.

import { createHash, randomBytes } from 'node:crypto';
import { chmodSync } from 'node:fs';
import { chmod, lstat, mkdir, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { MCPSealError } from '../errors.ts';
import { errnoCode, ioError, writeFileAtomic } from '../io.ts';
import { LOCK_FILE_NAME } from './lockfile.ts';
import { processExists } from './mutex.ts';

export class Store {
  readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  get defaultLock(): string {
    return join(this.root, LOCK_FILE_NAME);
  }

  treePath(sha256: string): string {
    return join(this.root, 'sha256', sha256);
  }

  markerPath(sha256: string): string {
    return join(this.root, 'sha256', `${sha256}.json`);
  }

  /** The compile cache of a Node server run from the tree `sha256` (written by `run`, removed with the tree). */
  compileCachePath(sha256: string): string {
    return join(this.root, 'cache', 'node', sha256);
  }

  /** Creates the store's directories (0755) and removes staging directories left by dead processes. */
  async open(): Promise<void> {
    try {
      for (const dir of ['sha256', 'staging', 'refs']) await mkdir(join(this.root, dir), { recursive: true });
    } catch (cause) {
      throw ioError(cause, this.root, 'write');
    }
    await this.cleanStaging();
  }

  /** A new private staging directory for this process. */
  async stagingDir(): Promise<string> {
    const path = join(this.root, 'staging', `${process.pid}-${randomBytes(6).toString('hex')}`);
    try {
      await mkdir(path, { mode: 0o700 });
    } catch (cause) {
      throw ioError(cause, path, 'write');
    }
    return path;
  }

  async cleanStaging(): Promise<void> {
    const staging = join(this.root, 'staging');
    let names: string[];
    try {
      names = await readdir(staging);
    } catch (cause) {
      if (errnoCode(cause) === 'ENOENT') return;
      throw ioError(cause, staging, 'read');
    }
    for (const name of names) {
      const pid = Number(/^(\d+)-/u.exec(name)?.[1]);
      if (Number.isInteger(pid) && pid !== process.pid && processExists(pid)) continue;
      if (pid === process.pid) continue;
      await removeTree(join(staging, name));
    }
  }

  /** The marker of a complete tree, or null (no tree, or a tree whose marker was never written: then removed). */
  async completeTree(sha256: string): Promise<TreeMarker | null> {
    let marker: TreeMarker | null = null;
    try {
      marker = JSON.parse(await readFile(this.markerPath(sha256), 'utf8')) as TreeMarker;
    } catch (cause) {
      if (errnoCode(cause) !== 'ENOENT' && !(cause instanceof SyntaxError)) throw ioError(cause, this.markerPath(sha256), 'read');
    }
    const tree = await lstat(this.treePath(sha256)).catch(() => null);
    if (marker !== null && tree?.isDirectory() && marker.sha256 === sha256) return marker;
    if (tree !== null) await removeTree(this.treePath(sha256));
    await rm(this.markerPath(sha256), { force: true });
    return null;
  }

  /**
   * Moves a finished tree (extracted into a staging directory) into place, read-only, then
   * writes its marker. Another process that finished the same sha256 first wins; ours is dropped.
   */
  async commitTree(staged: string, marker: TreeMarker, entries: readonly TreeEntry[]): Promise<void> {
    try {
      makeReadOnly(staged, entries);
    } catch (cause) {
      throw ioError(cause, staged, 'write');
    }
    const target = this.treePath(marker.sha256);
    try {
      await rename(staged, target);
    } catch (cause) {
      const code = errnoCode(cause);
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw ioError(cause, target, 'write');
      await removeTree(staged);
    }
    await writeFileAtomic(this.markerPath(marker.sha256), `${JSON.stringify(marker, null, 2)}\n`, { mode: 0o444 });
  }

  /** Deletes a tree and its marker (the marker first: a tree without one is never used). */
  async deleteTree(sha256: string): Promise<void> {
    await rm(this.markerPath(sha256), { force: true });
    await removeTree(this.treePath(sha256));
    await rm(this.compileCachePath(sha256), { recursive: true, force: true });
  }

  /** Records which trees the lockfile at `lockPath` names (a lock elsewhere keeps its trees alive). */
  async writeRefs(lockPath: string, sha256s: readonly string[]): Promise<void> {
    const path = this.refPath(lockPath);
    if (sha256s.length === 0) {
      await rm(path, { force: true });
      return;
    }
    await writeFileAtomic(path, `${JSON.stringify({ lock: resolve(lockPath), sha256: [...new Set(sha256s)].sort() }, null, 2)}\n`);
  }

  /** Every sha256 named by a lock other than `exceptLock` whose ref is still current (the lock file exists). */
  async referencedElsewhere(exceptLock: string): Promise<Set<string>> {
    const refs = join(this.root, 'refs');
    const names = await readdir(refs).catch(() => [] as string[]);
    const found = new Set<string>();
    for (const name of names) {
      if (name === `${refId(exceptLock)}.json` || !name.endsWith('.json')) continue;
      try {
        const ref = JSON.parse(await readFile(join(refs, name), 'utf8')) as { lock: string; sha256: string[] };
        // A project lock deleted since: its reference keeps nothing alive.
        if ((await lstat(ref.lock).catch(() => null)) === null) continue;
        for (const sha of ref.sha256) found.add(sha);
      } catch {
        // A damaged ref file: it keeps nothing alive (removal of shared trees is then the caller's risk).
      }
    }
    return found;
  }

  private refPath(lockPath: string): string {
    return join(this.root, 'refs', `${refId(lockPath)}.json`);
  }
}

/** What the marker of a complete tree records. */
export interface TreeMarker {
  sha256: string;
  /** Every file of the tree and its sha256 (the attested digests, or computed for unsigned bundles). */
  entries: Record<string, string>;
  files: number;
  createdAt: string;
}

function refId(lockPath: string): string {
  return createHash('sha256').update(resolve(lockPath)).digest('hex').slice(0, 32);
}


/** One entry of a tree as the archive lists it (name, `file` or `directory`, the mode extraction gave it). */
export interface TreeEntry {
  name: string;
  kind: 'file' | 'directory';
  mode: number;
}

/**
 * Directories 0555, files 0444, executables 0555 (extraction wrote 0755/0644), from the archive's
 * own entry list: no walk and no stat per file. Synchronous on purpose, as extraction's writes
 * are: a thread-pool round trip per chmod doubles the cost on a tree of thousands of files.
 */
function makeReadOnly(root: string, entries: readonly TreeEntry[]): void {
  const directories = new Set<string>();
  for (const entry of entries) {
    const name = entry.name.replace(/\/$/u, '');
    const segments = name.split('/');
    for (let i = 1; i < segments.length; i++) directories.add(segments.slice(0, i).join('/'));
    if (entry.kind === 'directory') directories.add(name);
    else chmodSync(join(root, name), entry.mode & 0o111 ? 0o555 : 0o444);
  }
  for (const directory of directories) chmodSync(join(root, directory), 0o555);
  chmodSync(root, 0o555);
}

/** rm -rf of a tree whose directories may be read-only (they are made writable first: not needed as root, needed as anyone else). */
export async function removeTree(path: string): Promise<void> {
  const stat = await lstat(path).catch(() => null);
  if (stat === null) return;
  if (stat.isDirectory()) {
    await chmod(path, 0o755).catch(() => undefined);
    const entries = await readdir(path, { recursive: true, withFileTypes: true }).catch(() => []);
    for (const entry of entries) if (entry.isDirectory()) await chmod(join(entry.parentPath, entry.name), 0o755).catch(() => undefined);
  }
  try {
    await rm(path, { recursive: true, force: true });
  } catch (cause) {
    throw ioError(cause, path, 'write');
  }
}

/** The digest recorded in the lock for a tree's entries: sha256 of `<hex>  <name>\n` lines, sorted by name. */
export function entriesDigest(entries: Record<string, string>): string {
  const hash = createHash('sha256');
  for (const name of Object.keys(entries).sort()) hash.update(`${entries[name]}  ${name}\n`);
  return hash.digest('hex');
}

/** An MCPSealError for a name the lock does not hold. */
export function notInstalled(name: string, lockPath: string): MCPSealError {
  return new MCPSealError('INSTALL_NOT_INSTALLED', `"${name}" is not installed in ${lockPath}`, { details: { entry: name, path: lockPath } });
}
