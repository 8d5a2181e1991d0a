// Builds small bundle source trees on disk and compares extracted trees.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { listTree } from './cli.ts';
import { HARDENED_MANIFEST } from './manifest.ts';

export const MANIFEST = HARDENED_MANIFEST;

export interface TreeFile {
  data: string | Buffer;
  mode?: number;
}

/** Writes `files` (name -> content) under `root`, plus manifest.json unless given. */
export async function writeTree(root: string, files: Record<string, string | Buffer | TreeFile>): Promise<void> {
  const all: Record<string, string | Buffer | TreeFile> = { 'manifest.json': JSON.stringify(MANIFEST, null, 2), ...files };
  for (const [name, value] of Object.entries(all)) {
    const path = join(root, name);
    if (name.endsWith('/')) {
      await mkdir(path, { recursive: true });
      continue;
    }
    const file: TreeFile = typeof value === 'string' || Buffer.isBuffer(value) ? { data: value } : value;
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, file.data);
    if (file.mode !== undefined) await chmod(path, file.mode);
  }
}

/** A deterministic pseudo-random buffer (xorshift32), incompressible enough for tests. */
export function noise(length: number, seed = 1): Buffer {
  const out = Buffer.alloc(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

/** Asserts two directory trees hold the same names and byte-identical files. */
export async function assertSameTree(actual: string, expected: string): Promise<void> {
  const names = await listTree(actual);
  assert.deepEqual(names, await listTree(expected));
  for (const name of names) {
    if (name.endsWith('/')) continue;
    assert.ok((await readFile(join(actual, name))).equals(await readFile(join(expected, name))), `${name} differs`);
  }
}

/** Asserts the normalised modes: 0755 for directories and executables, 0644 for other files. */
export async function assertNormalisedModes(root: string, executables: readonly string[]): Promise<void> {
  for (const name of await listTree(root)) {
    const mode = (await stat(join(root, name))).mode & 0o7777;
    const expected = name.endsWith('/') || executables.includes(name) ? 0o755 : 0o644;
    assert.equal(mode.toString(8), expected.toString(8), `mode of ${name}`);
  }
}

/** Runs a system tool synchronously, failing the test with its output if it fails. */
export function tool(command: string, args: string[], cwd?: string): string {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${result.status}): ${result.stderr}${result.stdout}`);
  return result.stdout;
}
