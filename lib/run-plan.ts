// `mcpseal run <name> --print-plan`: the launch plan of an installed bundle, built from its lock
// entry and the manifest in its store tree, without starting anything (issue 12 item 1). The
// sandboxed launch itself (bubblewrap, Seatbelt, the egress proxy, tool pinning) is not built yet.

import { homedir } from 'node:os';
import { join } from 'node:path';
import { MCPSealError } from './errors.ts';
import { readBoundedFile } from './io.ts';
import { lockPathOf, type LockLocation } from './install/installed.ts';
import { lockEntryOf, readLock } from './install/lockfile.ts';
import { notInstalled, Store } from './install/store.ts';
import { launchPlan, type LaunchManifest, type LaunchPlan } from './launch/plan.ts';
import { resolveLimits, type Limits } from './limits.ts';
import type { Platform } from './scopes/variables.ts';

export interface RunPlanOptions extends LockLocation {
  /** The environment at launch (env:NAME answers, env.read pass-through, LANG). */
  env: Record<string, string | undefined>;
  /** The real user's home (default: os.homedir()). */
  home?: string;
  platform?: Platform;
  limits?: Partial<Limits>;
}

/** The plan for the installed bundle `name`; INSTALL_NOT_INSTALLED when the lock does not hold it. */
export async function runPlan(name: string, options: RunPlanOptions): Promise<LaunchPlan> {
  const store = new Store(options.store);
  const lockPath = lockPathOf(options);
  const entry = lockEntryOf(await readLock(lockPath), name);
  if (entry === undefined) throw notInstalled(name, lockPath);
  const manifest = await readInstalledManifest(store.treePath(entry.sha256), name, resolveLimits(options.limits).maxManifestSize);
  const platform = options.platform ?? (process.platform === 'darwin' || process.platform === 'win32' ? process.platform : 'linux');
  return launchPlan(entry, manifest, { platform, store: store.root, home: options.home ?? homedir() }, options.env);
}

/** The tree's manifest.json, bounded, with the one shape the plan reads (server.mcp_config.command). */
async function readInstalledManifest(tree: string, name: string, max: number): Promise<LaunchManifest> {
  const path = join(tree, 'manifest.json');
  const invalid = (why: string): MCPSealError => new MCPSealError('MANIFEST_INVALID', `the installed manifest of ${name} (${path}) ${why}; reinstall it`, { details: { path } });
  const bytes = await readBoundedFile(path, { max, tooLarge: (size) => invalid(`is ${size} bytes (limit ${max})`) });
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw invalid('is not JSON');
  }
  const config = (json as { server?: { mcp_config?: { command?: unknown } } } | null)?.server?.mcp_config;
  if (typeof config?.command !== 'string') throw invalid('has no server.mcp_config.command');
  return json as LaunchManifest;
}
