// The tool pins of installed bundles in the lockfile (README "tools"): pinned by `run` on the first
// `tools/list`, differences recorded by `run` as pending, accepted by `mcpseal tools accept`.
// Every change is a read-modify-write of one entry under the lockfile's exclusive lock, and only
// of the installed version the caller started from (a reinstall in between wins).

import { MCPSealError } from '../errors.ts';
import { lockPathOf, type LockLocation } from './installed.ts';
import { lockEntryOf, readLock, writeLock, type LockEntry, type LockTool, type LockToolChange } from './lockfile.ts';
import { withFileLock } from './mutex.ts';
import { notInstalled } from './store.ts';

/** The pins of an entry: undefined until the first run pinned them. */
export function pinnedTools(entry: LockEntry): LockTool[] | undefined {
  return entry.toolsPinnedAt === undefined ? undefined : (entry.tools ?? []);
}

/**
 * Replaces the entry `name` by `change(entry)` under the lockfile's lock. `sha256`, when given,
 * must still be the installed one (else the change is skipped and null returned).
 */
export async function updateLockEntry(location: LockLocation, name: string, change: (entry: LockEntry) => LockEntry, sha256?: string): Promise<LockEntry | null> {
  const lockPath = lockPathOf(location);
  return withFileLock(
    lockPath,
    async () => {
      const lock = await readLock(lockPath);
      const entry = lockEntryOf(lock, name);
      if (entry === undefined) throw notInstalled(name, lockPath);
      if (sha256 !== undefined && entry.sha256 !== sha256) return null;
      const next = change(entry);
      await writeLock(lockPath, { ...lock, bundles: Object.fromEntries(Object.entries(lock.bundles).map(([key, value]) => [key, key === name ? next : value])) });
      return next;
    },
    location.lockTimeoutMs === undefined ? {} : { timeoutMs: location.lockTimeoutMs },
  );
}

const byName = (a: { name: string }, b: { name: string }): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/** What the relay of `run` needs from the lock: the pins and the two ways it records what it saw. */
export interface ToolLockHooks {
  pins: LockTool[] | undefined;
  savePins(pins: readonly LockTool[]): Promise<void>;
  savePending(changes: readonly Omit<LockToolChange, 'seenAt'>[]): Promise<void>;
}

/** The hooks for running the installed `entry` (pass them to relayStdio with the manifest's tool names). */
export function toolLockHooks(location: LockLocation, entry: LockEntry, now: () => Date = () => new Date()): ToolLockHooks {
  let wrote = false;
  return {
    pins: pinnedTools(entry),
    async savePins(pins) {
      const tools = pins.map(({ name, sha256 }) => ({ name, sha256 })).sort(byName);
      await updateLockEntry(location, entry.name, (current) => withoutPending({ ...current, tools, toolsPinnedAt: now().toISOString() }), entry.sha256);
    },
    async savePending(changes) {
      // Nothing pending before and nothing now: no write (this runs at every start).
      if (changes.length === 0 && (entry.toolsPending ?? []).length === 0 && !wrote) return;
      wrote = true;
      const seenAt = now().toISOString();
      const pending = changes.map(({ name, change, sha256, pinned }) => ({ name, change, sha256, pinned, seenAt })).sort(byName);
      await updateLockEntry(location, entry.name, (current) => (pending.length === 0 ? withoutPending(current) : { ...current, toolsPending: pending }), entry.sha256);
    },
  };
}

function withoutPending(entry: LockEntry): LockEntry {
  const { toolsPending: _pending, ...rest } = entry;
  return rest;
}

export interface AcceptResult {
  entry: LockEntry;
  accepted: LockToolChange[];
  /** Pending changes left (those not named by `only`). */
  remaining: LockToolChange[];
}

/**
 * Re-pins the live list `run` last recorded: every pending change, or only those of the tools in
 * `only` (each must be pending: TOOLS_NOT_PENDING otherwise). A removed tool loses its pin.
 */
export async function acceptPendingTools(location: LockLocation, name: string, only?: readonly string[]): Promise<AcceptResult> {
  let accepted: LockToolChange[] = [];
  let remaining: LockToolChange[] = [];
  const entry = await updateLockEntry(location, name, (current) => {
    const pending = current.toolsPending ?? [];
    const missing = (only ?? []).filter((tool) => !pending.some((change) => change.name === tool));
    if (missing.length > 0) {
      throw new MCPSealError('TOOLS_NOT_PENDING', `${name} has no pending change for ${missing.map((tool) => JSON.stringify(tool)).join(', ')} (see "mcpseal tools list ${name}")`, {
        details: { entry: name, found: missing },
      });
    }
    accepted = only === undefined ? pending : pending.filter((change) => only.includes(change.name));
    remaining = pending.filter((change) => !accepted.includes(change));
    // Nothing to accept: the entry stays as it is (above all, an unpinned entry stays unpinned).
    if (accepted.length === 0) return current;
    const pins = new Map((current.tools ?? []).map((tool) => [tool.name, tool.sha256]));
    for (const change of accepted) {
      if (change.sha256 === null) pins.delete(change.name);
      else pins.set(change.name, change.sha256);
    }
    const tools = [...pins].map(([tool, sha256]) => ({ name: tool, sha256 })).sort(byName);
    const next = { ...current, tools, toolsPinnedAt: current.toolsPinnedAt ?? new Date().toISOString() };
    return remaining.length === 0 ? withoutPending(next) : { ...next, toolsPending: remaining };
  });
  return { entry: entry!, accepted, remaining };
}
