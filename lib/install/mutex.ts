// The exclusive lock around a lockfile's read-modify-write: `<lockfile>.lock`, created with
// O_EXCL (atomic on local file systems), holding the owner's pid, host and start time. It is held
// only while the lockfile is re-read, changed and renamed (milliseconds; extraction happens
// before), so two `install` processes at once queue here and both end up in the lock.
//
// Stale locks (README "Lockfile"): a holder on this host whose pid no longer exists (SIGKILL, a
// crash), or any lock older than `staleMs`, is taken over: the stale file is renamed to a unique
// name before it is deleted, so two waiters cannot both remove it and then both create theirs.
// A live holder beyond `timeoutMs` is LOCK_BUSY.

import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { open, readFile, rename, rm, stat } from 'node:fs/promises';
import { MCPSealError } from '../errors.ts';
import { errnoCode, ioError } from '../io.ts';

export interface MutexOptions {
  /** How long to wait for a live holder (default 30 s). */
  timeoutMs?: number;
  /** Age after which a lock is stale whoever holds it (default 120 s: the lock is held for milliseconds). */
  staleMs?: number;
  /** The clock (tests). */
  now?: () => number;
}

interface Holder {
  pid: number;
  host: string;
  createdAt: number;
  nonce: string;
}

/** Runs `task` holding `<path>.lock`. */
export async function withFileLock<T>(path: string, task: () => Promise<T>, options: MutexOptions = {}): Promise<T> {
  const lockPath = `${path}.lock`;
  const now = options.now ?? Date.now;
  const holder: Holder = { pid: process.pid, host: hostname(), createdAt: now(), nonce: randomBytes(8).toString('hex') };
  await acquire(lockPath, holder, { timeoutMs: options.timeoutMs ?? 30_000, staleMs: options.staleMs ?? 120_000, now });
  try {
    return await task();
  } finally {
    await release(lockPath, holder);
  }
}

async function acquire(lockPath: string, holder: Holder, options: Required<MutexOptions>): Promise<void> {
  const deadline = options.now() + options.timeoutMs;
  for (let attempt = 0; ; attempt++) {
    if (await tryCreate(lockPath, holder)) return;
    const current = await readHolder(lockPath);
    if (current === 'gone') continue;
    if (isStale(current, options) || (current === null && (await unreadableFor(lockPath, options)) > UNREADABLE_GRACE_MS)) {
      await takeOver(lockPath);
      continue;
    }
    if (options.now() >= deadline) {
      throw new MCPSealError('LOCK_BUSY', `${lockPath} is held by process ${current?.pid ?? '?'} on ${current?.host ?? '?'}; waited ${options.timeoutMs} ms`, {
        details: { path: lockPath, found: current },
      });
    }
    // Jittered back-off: holders keep the lock for milliseconds.
    await new Promise((resolve) => setTimeout(resolve, Math.min(200, 10 + attempt * 5) + Math.random() * 10));
  }
}

async function tryCreate(lockPath: string, holder: Holder): Promise<boolean> {
  try {
    const handle = await open(lockPath, 'wx', 0o644);
    try {
      await handle.writeFile(JSON.stringify(holder));
    } finally {
      await handle.close();
    }
    return true;
  } catch (cause) {
    if (errnoCode(cause) === 'EEXIST') return false;
    throw ioError(cause, lockPath, 'write');
  }
}

/** The holder, 'gone' when the file vanished meanwhile, null when it is unreadable (being written, or garbage). */
async function readHolder(lockPath: string): Promise<Holder | null | 'gone'> {
  let text: string;
  try {
    text = await readFile(lockPath, 'utf8');
  } catch (cause) {
    if (errnoCode(cause) === 'ENOENT') return 'gone';
    throw ioError(cause, lockPath, 'read');
  }
  try {
    const value = JSON.parse(text) as Partial<Holder>;
    if (typeof value.pid === 'number' && typeof value.createdAt === 'number' && typeof value.host === 'string') return value as Holder;
  } catch {
    // A holder between its create and its write, or a damaged file: judged by age below.
  }
  return null;
}

/** An unreadable lock file older than this is damaged, not being written (a holder writes it at once). */
const UNREADABLE_GRACE_MS = 2_000;

async function unreadableFor(lockPath: string, options: Required<MutexOptions>): Promise<number> {
  try {
    return options.now() - (await stat(lockPath)).mtimeMs;
  } catch {
    return 0;
  }
}

function isStale(holder: Holder | null, options: Required<MutexOptions>): boolean {
  if (holder === null) return false;
  if (options.now() - holder.createdAt > options.staleMs) return true;
  return holder.host === hostname() && !processExists(holder.pid);
}

/** Whether process `pid` exists on this host (EPERM: it does, under another user). */
export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (cause) {
    // EPERM: it exists, under another user.
    return errnoCode(cause) === 'EPERM';
  }
}

async function takeOver(lockPath: string): Promise<void> {
  const aside = `${lockPath}.stale-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await rename(lockPath, aside);
  } catch (cause) {
    if (errnoCode(cause) === 'ENOENT') return;
    throw ioError(cause, lockPath, 'write');
  }
  await rm(aside, { force: true });
}

/** Removes the lock only if it is still ours (a takeover after a long pause may have replaced it). */
async function release(lockPath: string, holder: Holder): Promise<void> {
  const current = await readHolder(lockPath).catch(() => null);
  if (current !== null && current !== 'gone' && current.nonce === holder.nonce) await rm(lockPath, { force: true });
}
