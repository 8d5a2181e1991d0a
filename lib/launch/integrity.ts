// Integrity at launch (issue 12 item 5): before every start, the installed tree is hashed again
// and compared with the entry digests the install recorded (attested by the signature, or hashed
// at extraction). A changed, added or removed file refuses the launch: the tree is what was
// verified, or nothing runs. Synchronous reads on purpose: a tree is thousands of small files,
// and a thread-pool round trip per file costs more than the hashing (measured in bench/run.ts);
// into one reused buffer (a Buffer per file cost a third more CPU, in allocation and collection).

import { createHash, hash } from 'node:crypto';
import { closeSync, constants, openSync, readdirSync, readSync } from 'node:fs';
import { MCPSealError } from '../errors.ts';

export interface TreeDifference {
  changed: string[];
  added: string[];
  removed: string[];
}

/** Compares `tree` with `expected` (entry name -> sha256 hex); the differences, each sorted. */
export function compareTree(tree: string, expected: Readonly<Record<string, string>>): TreeDifference {
  const changed: string[] = [];
  const added: string[] = [];
  const seen = new Set<string>();
  const buffer = Buffer.allocUnsafe(READ_BUFFER_SIZE);
  // One readdir per directory, names built as the archive writes them (`/`-separated, relative).
  const pending: string[] = [''];
  for (let prefix = pending.pop(); prefix !== undefined; prefix = pending.pop()) {
    for (const entry of readdirSync(prefix === '' ? tree : `${tree}/${prefix}`, { withFileTypes: true })) {
      const name = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
      if (entry.isDirectory()) {
        pending.push(name);
        continue;
      }
      // Anything but a regular file (a symlink, a FIFO) was never extracted: it was added.
      if (!entry.isFile() || !Object.hasOwn(expected, name)) {
        added.push(name);
        continue;
      }
      seen.add(name);
      if (fileDigest(`${tree}/${name}`, buffer) !== expected[name]) changed.push(name);
    }
  }
  const removed = Object.keys(expected).filter((name) => !seen.has(name));
  return { changed: changed.sort(), added: added.sort(), removed: removed.sort() };
}

/** One read buffer for the whole tree: most files fit in it, and no Buffer is allocated per file. */
const READ_BUFFER_SIZE = 1 << 20;

/**
 * The sha256 (hex) of the file at `path`, read into `buffer`. Not through a symlink, and without
 * blocking on a FIFO: either was swapped in after the directory was read, and the launch is refused
 * (a symlink cannot be opened, a FIFO hashes as changed).
 */
function fileDigest(path: string, buffer: Buffer): string {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  try {
    let got = readSync(fd, buffer, 0, buffer.length, null);
    if (got < buffer.length) return hash('sha256', buffer.subarray(0, got));
    const digest = createHash('sha256');
    for (; got > 0; got = readSync(fd, buffer, 0, buffer.length, null)) digest.update(buffer.subarray(0, got));
    return digest.digest('hex');
  } finally {
    closeSync(fd);
  }
}

/** INSTALL_TAMPERED unless `tree` holds exactly the expected files with the expected contents. */
export function checkTree(name: string, tree: string, expected: Readonly<Record<string, string>>): void {
  let difference: TreeDifference;
  try {
    difference = compareTree(tree, expected);
  } catch (cause) {
    throw tampered(name, tree, `it cannot be read (${(cause as Error).message})`, { changed: [], added: [], removed: [] }, cause);
  }
  const { changed, added, removed } = difference;
  if (changed.length + added.length + removed.length === 0) return;
  const parts = [
    ...(changed.length > 0 ? [`changed: ${listed(changed)}`] : []),
    ...(added.length > 0 ? [`added: ${listed(added)}`] : []),
    ...(removed.length > 0 ? [`removed: ${listed(removed)}`] : []),
  ];
  throw tampered(name, tree, `it differs from what was installed (${parts.join('; ')})`, difference);
}

function listed(names: readonly string[]): string {
  return names.length <= 5 ? names.join(', ') : `${names.slice(0, 5).join(', ')} and ${names.length - 5} more`;
}

export function tampered(name: string, tree: string, why: string, difference: TreeDifference, cause?: unknown): MCPSealError {
  return new MCPSealError('INSTALL_TAMPERED', `the installed tree of ${name} (${tree}) was not started: ${why}; reinstall it from the signed bundle`, {
    details: { entry: name, path: tree, ...difference },
    ...(cause === undefined ? {} : { cause }),
  });
}
