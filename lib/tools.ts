// `mcpseal tools list|accept <name>` (README "tools"): the tool pins of an installed bundle and the
// changes `run` saw since, and accepting them without starting the server.

import { acceptPendingTools, type AcceptResult } from './install/tool-state.ts';
import { lockPathOf, type LockLocation } from './install/installed.ts';
import { lockEntryOf, readLock, type LockTool, type LockToolChange } from './install/lockfile.ts';
import { notInstalled } from './install/store.ts';

export interface ToolsReport {
  name: string;
  version: string;
  /** When `run` pinned the tools (null: never run, nothing pinned yet). */
  pinnedAt: string | null;
  tools: LockTool[];
  pending: LockToolChange[];
}

/** The pins and pending changes of the installed bundle `name`. */
export async function listTools(name: string, location: LockLocation): Promise<ToolsReport> {
  const lockPath = lockPathOf(location);
  const entry = lockEntryOf(await readLock(lockPath), name);
  if (entry === undefined) throw notInstalled(name, lockPath);
  return { name, version: entry.version, pinnedAt: entry.toolsPinnedAt ?? null, tools: entry.tools ?? [], pending: entry.toolsPending ?? [] };
}

/** Accepts the pending changes of `name` (all, or only the tools in `only`) as its new pins. */
export async function acceptTools(name: string, location: LockLocation, only?: readonly string[]): Promise<AcceptResult> {
  return acceptPendingTools(location, name, only);
}
