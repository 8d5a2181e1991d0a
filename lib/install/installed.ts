// The operations on installed bundles that need no bundle file: the reinstall decision, listing,
// recording an entry and removing one. Every change to a lockfile is a read-modify-write under
// its exclusive lock (mutex.ts), so concurrent installs and removes never lose each other's entries.

import { isDeepStrictEqual } from 'node:util';
import { MCPSealError } from '../errors.ts';
import { grantEscalations, type Escalation } from './grants.ts';
import { lockEntryOf, readLock, writeLock, type Lock, type LockEntry } from './lockfile.ts';
import { withFileLock, type MutexOptions } from './mutex.ts';
import { notInstalled, Store } from './store.ts';
import { compareVersions } from './version.ts';

export interface LockLocation {
  /** The store directory. */
  store: string;
  /** The lockfile (default `<store>/mcpseal.lock.json`). */
  lock?: string;
  /** How long to wait for another process holding the lockfile (ms). */
  lockTimeoutMs?: number;
}

export interface ReinstallFlags {
  /** Accept scopes or grants wider than the recorded ones (SCOPE_ESCALATION otherwise). */
  acceptScopes?: boolean;
  /** Accept a lower version than the recorded one (INSTALL_DOWNGRADE otherwise). */
  allowDowngrade?: boolean;
}

export type InstallOutcome = 'installed' | 'updated' | 'unchanged';

export interface ReinstallDecision {
  outcome: InstallOutcome;
  /** The recorded entry this one replaces, if any. */
  previous: LockEntry | null;
  /** How the new grants exceed the recorded ones (accepted with acceptScopes). */
  escalations: Escalation[];
}

/**
 * What installing `next` does to a lock that holds `previous` under its name: the same sha256
 * with the same answers and policy is a no-op; a lower version is INSTALL_DOWNGRADE and wider
 * grants SCOPE_ESCALATION unless the flags accept them.
 */
export function decideReinstall(previous: LockEntry | undefined, next: LockEntry, flags: ReinstallFlags = {}, store?: Store): ReinstallDecision {
  if (previous === undefined) return { outcome: 'installed', previous: null, escalations: [] };
  if (previous.sha256 === next.sha256 && isDeepStrictEqual(previous.userConfig, next.userConfig) && previous.policy === next.policy) {
    return { outcome: 'unchanged', previous, escalations: [] };
  }
  const order = compareVersions(next.version, previous.version);
  if (order !== null && order < 0 && flags.allowDowngrade !== true) {
    throw new MCPSealError('INSTALL_DOWNGRADE', `${next.name} ${next.version} is older than the installed ${previous.version}; pass --allow-downgrade to install it anyway`, {
      details: { entry: next.name, expected: `>= ${previous.version}`, found: next.version },
    });
  }
  const trees = store === undefined ? undefined : { previous: store.treePath(previous.sha256), next: store.treePath(next.sha256) };
  const escalations = grantEscalations(previous.grants, next.grants, trees);
  if (escalations.length > 0 && flags.acceptScopes !== true) {
    const diff = escalations.map((item) => `${item.scope}: ${item.from} -> ${item.to}`).join('; ');
    throw new MCPSealError(
      'SCOPE_ESCALATION',
      `${next.name} ${next.version} asks for more than the installed ${previous.version} was granted (${diff}); review it, then pass --accept-scopes to grant it`,
      { details: { entry: next.name, escalations } },
    );
  }
  return { outcome: 'updated', previous, escalations };
}

export function lockPathOf(location: LockLocation): string {
  return location.lock ?? new Store(location.store).defaultLock;
}

function mutexOptions(location: LockLocation): MutexOptions {
  return location.lockTimeoutMs === undefined ? {} : { timeoutMs: location.lockTimeoutMs };
}

/**
 * Adds `entry` to the lock under its exclusive lock, re-deciding against the lock as it is now
 * (another install may have changed it since the caller's first look), and records the lock's
 * trees in the store's refs.
 */
export async function recordEntry(location: LockLocation, entry: LockEntry, flags: ReinstallFlags): Promise<ReinstallDecision> {
  const lockPath = lockPathOf(location);
  const store = new Store(location.store);
  return withFileLock(
    lockPath,
    async () => {
      const lock = await readLock(lockPath);
      const previous = lockEntryOf(lock, entry.name);
      const decision = decideReinstall(previous, entry, flags, store);
      if (decision.outcome === 'unchanged') return decision;
      const recorded = withPinsOf(previous, entry);
      const next: Lock = { ...lock, bundles: Object.fromEntries([...Object.entries(lock.bundles).filter(([name]) => name !== entry.name), [entry.name, recorded]]) };
      await writeLock(lockPath, next);
      await store.writeRefs(lockPath, Object.values(next.bundles).map((bundle) => bundle.sha256));
      return decision;
    },
    mutexOptions(location),
  );
}

/**
 * An update keeps the tool pins of the version it replaces: a new version whose tools differ is
 * withheld by `run` until `mcpseal tools accept`, as a changed server would be (README "tools").
 * Pending changes are dropped: they described the old version, and the next run records anew.
 */
function withPinsOf(previous: LockEntry | undefined, entry: LockEntry): LockEntry {
  if (previous?.toolsPinnedAt === undefined || entry.toolsPinnedAt !== undefined) return entry;
  return { ...entry, tools: previous.tools, toolsPinnedAt: previous.toolsPinnedAt };
}

/** The entries of a lock, sorted by name. */
export async function listInstalled(location: LockLocation): Promise<LockEntry[]> {
  const lock = await readLock(lockPathOf(location));
  return Object.keys(lock.bundles)
    .sort()
    .map((name) => lock.bundles[name]!);
}

export interface RemoveResult {
  removed: LockEntry;
  lock: string;
  /** Whether the store tree was deleted (false: another entry or lock still names it). */
  treeDeleted: boolean;
}

/**
 * Removes `name` from the lock; its store tree is deleted only when no entry of this lock and no
 * other lock recorded in the store's refs names it (README "Store").
 */
export async function removeBundle(name: string, location: LockLocation): Promise<RemoveResult> {
  const lockPath = lockPathOf(location);
  const store = new Store(location.store);
  await store.open();
  return withFileLock(
    lockPath,
    async () => {
      const lock = await readLock(lockPath);
      const removed = lockEntryOf(lock, name);
      if (removed === undefined) throw notInstalled(name, lockPath);
      const bundles = Object.fromEntries(Object.entries(lock.bundles).filter(([key]) => key !== name));
      await writeLock(lockPath, { ...lock, bundles });
      const remaining = Object.values(bundles).map((bundle) => bundle.sha256);
      await store.writeRefs(lockPath, remaining);
      const elsewhere = await store.referencedElsewhere(lockPath);
      const treeDeleted = !remaining.includes(removed.sha256) && !elsewhere.has(removed.sha256);
      if (treeDeleted) await store.deleteTree(removed.sha256);
      return { removed, lock: lockPath, treeDeleted };
    },
    mutexOptions(location),
  );
}
