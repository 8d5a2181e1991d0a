// `mcpseal run <name>`: the run pipeline of an installed bundle (DESIGN.md "Launching under the
// scopes"): the lock entry, the installed tree re-hashed against the recorded entry digests
// (INSTALL_TAMPERED), the manifest in that tree, the launch plan, then the server started in the
// sandbox (lib/launch/sandbox.ts). `--print-plan` stops after the plan (nothing is started).

import { hash } from 'node:crypto';
import { readFileSync, realpathSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { MCPSealError } from './errors.ts';
import { readBoundedFile } from './io.ts';
import type { LockLocation } from './install/installed.ts';
import { lockEntryOf, readLock, type LockEntry } from './install/lockfile.ts';
import { entriesDigest, notInstalled, Store, type TreeMarker } from './install/store.ts';
import type { DeniedEgress } from './launch/egress.ts';
import { checkTree, tampered } from './launch/integrity.ts';
import { launchPlan, refusedDirectory, type LaunchManifest, type LaunchPlan } from './launch/plan.ts';
import { bwrapProbeCache } from './launch/machine.ts';
import { prepareSandbox, startServer, type SandboxChoice, type StartedServer } from './launch/sandbox.ts';
import type { Readable, Writable } from 'node:stream';
import { resolveLimits, type Limits } from './limits.ts';
import type { Platform } from './scopes/variables.ts';

export interface RunPlanOptions extends LockLocation {
  /** The environment at launch (env:NAME answers, env.read pass-through, LANG). */
  env: Record<string, string | undefined>;
  /** The real user's home (default: os.homedir()). */
  home?: string;
  platform?: Platform;
  limits?: Partial<Limits>;
  /** Directories given as the client's MCP roots (`--root`), relative to `cwd`; shared per the `filesystem.roots` grant. */
  roots?: readonly string[];
  /** The client's working directory (default: this process's); shared per the `filesystem.cwd` grant. */
  cwd?: string;
}

/** The plan for the installed bundle `name`; INSTALL_NOT_INSTALLED when the lock does not hold it. */
export async function runPlan(name: string, options: RunPlanOptions): Promise<LaunchPlan> {
  const { store, entry } = await installedEntry(name, options);
  return planFor(store, entry, options);
}

export interface RunOptions extends RunPlanOptions {
  /** `none` only when the user names it. */
  sandbox: SandboxChoice;
  /** A connection the egress proxy refused (the CLI prints it). */
  onDenied: (denied: DeniedEgress) => void;
}

/** The client's side of a started server: its stdio and where the relay's warnings go. */
export interface ClientSide {
  input: Readable;
  output: Writable;
  warn(line: string): void;
  signal?: AbortSignal;
}

export interface RunningServer {
  plan: LaunchPlan;
  server: StartedServer;
  /**
   * Relays the client's stdio to the server through the tool-pinning relay (launch/relay.ts): the
   * first `tools/list` is pinned into the lock, later changed or new tools are withheld until
   * `mcpseal tools accept`. Resolves when the server's output ends.
   */
  relay(client: ClientSide): Promise<void>;
}

/**
 * Starts the installed bundle `name`. Nothing of the bundle runs before its tree was re-hashed
 * (INSTALL_TAMPERED): the store marker is checked against the lock and the manifest against the
 * marker first (the plan is built from attested bytes), then the sandbox is built while the rest
 * of the tree is hashed, and released only once it passed (launch/gate.ts). The caller relays the
 * server's stdio with `relay`.
 */
export async function runInstalled(name: string, options: RunOptions): Promise<RunningServer> {
  const { store, entry } = await installedEntry(name, options);
  const expected = checkedMarker(store, entry);
  const manifest = await installedManifest(store, entry, options, expected);
  const home = options.home ?? homedir();
  const sandbox = await prepareSandbox(options.sandbox, options.env, process.platform, bwrapProbeCache(options.env, home));
  const plan = planOf(store, entry, manifest, options);
  const tree = store.treePath(entry.sha256);
  const check = (): void => checkTree(entry.name, tree, expected);
  // A Node server's compile cache (README "Launch latency"): one directory per installed tree,
  // bound read-write into that tree's sandbox only (no other bundle's, and no other version of
  // this one: its private home is shared across versions), switched on after the hash (gate.ts).
  const compileCache = store.compileCachePath(entry.sha256);
  const server = await startServer(plan, { sandbox, env: options.env, home, onDenied: options.onDenied, check, compileCache });
  // Loaded once the sandbox is started (run's start-up time is a bar: README "Launch latency").
  const [{ relayStdio }, { toolLockHooks }] = await Promise.all([import('./launch/relay.ts'), import('./install/tool-state.ts')]);
  const hooks = toolLockHooks(options, entry);
  const relay = (client: ClientSide): Promise<void> =>
    relayStdio({
      client: { input: client.input, output: client.output },
      server: { input: server.child.stdin, output: server.child.stdout },
      pins: hooks.pins,
      savePins: hooks.savePins,
      savePending: hooks.savePending,
      declaredTools: declaredToolsOf(manifest),
      ...(sandbox.backend === 'none' ? {} : { roots: reachableDirectories(entry, plan) }),
      bundle: name,
      warn: client.warn,
      ...(client.signal ? { signal: client.signal } : {}),
      ...(options.limits ? { limits: options.limits } : {}),
    });
  return { plan, server, relay };
}

/**
 * The manifest's `tools[].name`, or undefined when the list is not a promise (`tools_generated`:
 * the server makes its tools at run time, MCPB manifest spec) or absent.
 */
function declaredToolsOf(manifest: LaunchManifest): readonly string[] | undefined {
  const { tools, tools_generated: generated } = manifest as { tools?: unknown; tools_generated?: unknown };
  if (generated === true || !Array.isArray(tools)) return undefined;
  return tools.flatMap((tool: unknown) => {
    const name = (tool as { name?: unknown } | null)?.name;
    return typeof name === 'string' ? [name] : [];
  });
}

async function installedEntry(name: string, options: RunPlanOptions): Promise<{ store: Store; entry: LockEntry }> {
  const store = new Store(options.store);
  // install/installed.ts lockPathOf, without loading install's update machinery.
  const lockPath = options.lock ?? store.defaultLock;
  const entry = lockEntryOf(await readLock(lockPath), name);
  if (entry === undefined) throw notInstalled(name, lockPath);
  return { store, entry };
}

async function planFor(store: Store, entry: LockEntry, options: RunPlanOptions): Promise<LaunchPlan> {
  return planOf(store, entry, await installedManifest(store, entry, options), options);
}

/** The installed manifest; with `expected` (the checked marker's digests) its bytes must be the attested ones. */
function installedManifest(store: Store, entry: LockEntry, options: RunPlanOptions, expected?: Readonly<Record<string, string>>): Promise<LaunchManifest> {
  return readInstalledManifest(store.treePath(entry.sha256), entry.name, resolveLimits(options.limits).maxManifestSize, expected);
}

function planOf(store: Store, entry: LockEntry, manifest: LaunchManifest, options: RunPlanOptions): LaunchPlan {
  const platform = options.platform ?? (process.platform === 'darwin' || process.platform === 'win32' ? process.platform : 'linux');
  const home = options.home ?? homedir();
  return launchPlan(entry, manifest, { platform, store: store.root, home, ...runtimeDirectories(store, entry, options, home) }, options.env);
}

/**
 * The --root directories (resolved against the working directory, real, existing, each checked by
 * refusedDirectory against the real home and store: LAUNCH_ROOT_REFUSED) and the real working
 * directory when the bundle is granted it.
 */
function runtimeDirectories(store: Store, entry: LockEntry, options: RunPlanOptions, home: string): { roots: string[]; cwd?: string } {
  const cwd = options.cwd ?? process.cwd();
  const paths = { home: realOr(home), store: realOr(store.root) };
  const roots = (options.roots ?? []).map((given) => {
    const refused = (why: string): MCPSealError => new MCPSealError('LAUNCH_ROOT_REFUSED', `--root ${given} is refused: ${why}`, { details: { entry: entry.name, path: given, reason: why } });
    let real: string;
    try {
      real = realpathSync(resolve(cwd, given));
    } catch {
      throw refused('it does not exist');
    }
    if (!statSync(real).isDirectory()) throw refused('it is not a directory');
    const why = refusedDirectory(real, paths);
    if (why !== null) throw refused(`${why} (${real})`);
    return real;
  });
  return { roots, ...(entry.grants.runtime.cwd === 'none' ? {} : { cwd: realOr(cwd) }) };
}

function realOr(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
}

/**
 * The user's directories in the sandbox's view (granted at install, the roots and the working
 * directory shared now): a root the client lists outside them is dropped from its roots/list
 * answer (launch/relay.ts), so the server never believes it can reach what the sandbox hides.
 */
function reachableDirectories(entry: LockEntry, plan: LaunchPlan): string[] {
  const { rootPaths, cwdPath } = plan.filesystem.runtime;
  return [...entry.grants.read, ...entry.grants.write, ...rootPaths, ...(cwdPath === null ? [] : [cwdPath])];
}

/**
 * The store marker lists every file's digest; the lock holds the digest of that list, so a marker
 * edited along with the tree is caught too. Then every file is hashed again (launch/integrity.ts).
 */
export function checkInstalledTree(store: Store, entry: LockEntry): void {
  checkTree(entry.name, store.treePath(entry.sha256), checkedMarker(store, entry));
}

/** The marker's entry digests (name -> sha256 hex), once the lock's digest of them matched (INSTALL_TAMPERED otherwise). */
function checkedMarker(store: Store, entry: LockEntry): Readonly<Record<string, string>> {
  const tree = store.treePath(entry.sha256);
  const none = { changed: [], added: [], removed: [] };
  let marker: TreeMarker;
  try {
    marker = JSON.parse(readFileSync(store.markerPath(entry.sha256), 'utf8')) as TreeMarker;
  } catch (cause) {
    throw tampered(entry.name, tree, `its store marker ${store.markerPath(entry.sha256)} is missing or unreadable`, none, cause);
  }
  if (typeof marker.entries !== 'object' || marker.entries === null || entriesDigest(marker.entries) !== entry.entries.sha256) {
    throw tampered(entry.name, tree, `its store marker does not match the entry digest the lock records (${entry.entries.sha256})`, none);
  }
  return marker.entries;
}

/** The tree's manifest.json, bounded, with the one shape the plan reads (server.mcp_config.command). */
async function readInstalledManifest(tree: string, name: string, max: number, expected?: Readonly<Record<string, string>>): Promise<LaunchManifest> {
  const path = join(tree, 'manifest.json');
  const invalid = (why: string): MCPSealError => new MCPSealError('MANIFEST_INVALID', `the installed manifest of ${name} (${path}) ${why}; reinstall it`, { details: { path } });
  const bytes = await readBoundedFile(path, { max, tooLarge: (size) => invalid(`is ${size} bytes (limit ${max})`) });
  if (expected !== undefined && (!Object.hasOwn(expected, 'manifest.json') || hash('sha256', bytes) !== expected['manifest.json'])) {
    const changed = Object.hasOwn(expected, 'manifest.json') ? { changed: ['manifest.json'], added: [] } : { changed: [], added: ['manifest.json'] };
    throw tampered(name, tree, `it differs from what was installed (${changed.changed.length > 0 ? 'changed' : 'added'}: manifest.json)`, { ...changed, removed: [] });
  }
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
