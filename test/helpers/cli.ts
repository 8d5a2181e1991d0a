// Runs the real CLI (bin/mcpseal.js on the compiled dist/) as a child process.

import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const BIN = join(ROOT, 'bin', 'mcpseal.js');

export interface CliResult {
  status: number;
  stdout: string;
  stderr: string;
}

/** Runs `mcpseal ...args` with no stdin and returns its exit status and output. */
export function runCli(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: options.cwd ?? ROOT,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      resolve({ status: code ?? -1, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
    });
  });
}

/** Parses the single JSON document a `--json` run prints on stdout. */
export function jsonOf(result: CliResult): Record<string, unknown> {
  return JSON.parse(result.stdout) as Record<string, unknown>;
}

/** A fresh temporary directory, removed by the returned cleanup function. */
export async function tempDir(prefix = 'mcpseal-test-'): Promise<{ path: string; cleanup: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, cleanup: () => rm(path, { recursive: true, force: true }) };
}

/**
 * A temporary directory for the enclosing describe block: made before its first test, removed
 * after its last. `path` is read inside the tests (it does not exist before).
 */
export function suiteTempDir(prefix?: string): { readonly path: string } {
  let dir: { path: string; cleanup: () => Promise<void> } | undefined;
  before(async () => {
    dir = await tempDir(prefix);
  });
  after(() => dir?.cleanup());
  return {
    get path(): string {
      if (dir === undefined) throw new Error('suiteTempDir: read its path inside a test');
      return dir.path;
    },
  };
}

/** Every name in `dir` (recursively, relative, `/`-separated, directories with a trailing `/`), sorted. */
export async function listTree(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .map((entry) => {
      const relative = join(entry.parentPath, entry.name).slice(dir.length + 1).split('\\').join('/');
      return entry.isDirectory() ? `${relative}/` : relative;
    })
    .sort();
}

/** Runs async tasks at most `concurrency` at a time (child processes started up front, a few at once, so a loaded machine is not oversubscribed). */
export function pool(concurrency: number): <T>(task: () => Promise<T>) => Promise<T> {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async (task) => {
    while (active >= concurrency) await new Promise<void>((resolve) => waiting.push(resolve));
    active++;
    try {
      return await task();
    } finally {
      active--;
      waiting.shift()?.();
    }
  };
}

/**
 * Runs the CLI's `main` in this process with in-memory streams: the same parsing, output and exit
 * status as the binary without a child process. Use it where the launcher adds nothing to what a
 * test checks; every command and every exit class keeps at least one real-process test.
 */
export async function runMain(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<CliResult> {
  const { main } = await import('../../lib/cli/main.ts');
  const { PassThrough } = await import('node:stream');
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (chunk: Buffer) => out.push(chunk));
  stderr.on('data', (chunk: Buffer) => err.push(chunk));
  const status = await main(args, { stdout, stderr, env });
  return { status, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') };
}
