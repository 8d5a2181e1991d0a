// The launch plan (DESIGN.md "Launching under the scopes", issue 12 item 1): from a lock entry,
// the installed manifest and this machine, exactly what a sandboxed launch would run and allow.
// Pure: no file is read, nothing is started; the caller reads the manifest from the store tree
// (lib/run-plan.ts) and a backend (bubblewrap, Seatbelt; not built yet) applies the plan.

import { join, posix, win32 } from 'node:path';
import { MCPSealError } from '../errors.ts';
import { referenceMatches } from '../manifest/variables.ts';
import type { ConfigAnswer, MachineGrants } from '../scopes/model.ts';
import type { Platform } from '../scopes/variables.ts';
import { MINIMAL_PATH, SYSTEM_PROGRAM_PATHS, SYSTEM_READ_PATHS } from './system-paths.ts';

/** A user_config answer as the lock records it: a value, or an environment variable read at launch. */

/**
 * The part of a lock entry (lib/install/lockfile.ts LockEntry satisfies it) the plan reads. The
 * entry itself is install's (a sibling unit); the grants and answers share scopes' types.
 */
export interface LaunchEntry {
  name: string;
  version: string;
  sha256: string;
  grants: MachineGrants;
  userConfig: Record<string, ConfigAnswer>;
}

/** What the plan needs to know about this machine. */
export interface MachineFacts {
  platform: Platform;
  /** The store root: the tree is `<store>/sha256/<hex>`, the private home `<store>/home/<name>`. */
  store: string;
  /** The real user's home: `${DESKTOP}`, `${DOCUMENTS}`, `${DOWNLOADS}` default below it. */
  home: string;
  desktop?: string;
  documents?: string;
  downloads?: string;
  /**
   * Directories given at launch as the client's roots (`run --root DIR`): real, existing and
   * checked by the caller (refusedDirectory); mounted per the `filesystem.roots` grant.
   */
  roots?: readonly string[];
  /** The client's working directory (the `run` process's), real; mounted per the `filesystem.cwd` grant unless refusedDirectory refuses it. */
  cwd?: string;
}

/** The paths a runtime root or working directory may never be, at or above (real paths). */
export interface ProtectedPaths {
  home: string;
  store: string;
}

/**
 * Why the sandbox never shares `dir` (a real path) as a root or working directory, or null: the
 * filesystem root, the home directory or a directory above it (all of the user's files), the
 * store or anything in or above it (the lock and every installed tree: a server that could write
 * them could change what the next launch verifies against).
 */
export function refusedDirectory(dir: string, paths: ProtectedPaths): string | null {
  const at = (path: string, base: string): boolean => path === base || path.startsWith(base.endsWith('/') ? base : `${base}/`);
  if (dir === '/') return 'it is the filesystem root';
  if (at(paths.home, dir)) return dir === paths.home ? 'it is the home directory itself' : 'it holds the home directory';
  if (at(dir, paths.store) || at(paths.store, dir)) return 'it is, holds or lies in the mcpseal store';
  return null;
}

/** The part of `mcp_config` a launch uses (MCPB manifest spec, `server.mcp_config`). */
export interface McpConfig {
  command: string;
  args?: string[];
  env?: Record<string, string>;
  platform_overrides?: Record<string, { command?: string; args?: string[]; env?: Record<string, string> }>;
}

/** The installed manifest, as far as the plan reads it. */
export interface LaunchManifest {
  server: { type: string; mcp_config: McpConfig };
}

export interface LaunchPlan {
  name: string;
  version: string;
  sha256: string;
  platform: Platform;
  /** The installed tree (`${__dirname}`). */
  tree: string;
  /** The server's private home (`${HOME}` and `HOME`): never the user's. */
  home: string;
  /** Where the server starts: the client's working directory when granted and shared, else the tree. */
  workdir: string;
  /** The command line, every variable substituted (argv[0] is the command). */
  argv: string[];
  /** The whole environment: declared keys only, plus PATH, HOME, LANG. */
  env: Record<string, string>;
  filesystem: {
    /**
     * Read-only: the runtime's system directories (the program directories only with
     * `process.spawn`), the bundle tree, the granted read paths. The interpreter is added at launch.
     */
    readOnly: string[];
    /** Read-write: the granted write paths and the private home. */
    readWrite: string[];
    /** A private, empty /tmp. */
    privateTmp: true;
    /**
     * Granted at run time by the client: MCP roots (the directories given with `run --root`, in
     * readOnly or readWrite per the grant) and the working directory (`cwdPath`, likewise; null
     * when not granted, or `cwdRefused` says why it is not shared).
     */
    runtime: { roots: 'none' | 'read' | 'write'; cwd: 'none' | 'read' | 'write'; rootPaths: string[]; cwdPath: string | null; cwdRefused: string | null };
  };
  network: {
    /** No egress and no listen: the server gets no network at all (a new, empty net namespace). */
    none: boolean;
    /** `host:port` the proxy lets through. */
    egress: string[];
    /** Hosts the user picks at run time, on these ports, when granted. */
    userDriven: { reason: string; ports: number[] } | null;
    listen: boolean;
  };
  process: { spawn: string[]; workers: boolean; nativeAddons: boolean };
}

/** Builds the plan; LAUNCH_CONFIG_MISSING when a user_config answer names an unset environment variable. */
export function launchPlan(entry: LaunchEntry, manifest: LaunchManifest, machine: MachineFacts, env: Record<string, string | undefined>): LaunchPlan {
  const path = machine.platform === 'win32' ? win32 : posix;
  const tree = path.join(machine.store, 'sha256', entry.sha256);
  const home = path.join(machine.store, 'home', entry.name);
  const config = effectiveConfig(manifest.server.mcp_config, machine.platform);
  const substitute = substituter({ entry, machine, env, tree, home, separator: path.sep });
  const argv = [config.command, ...config.args].flatMap((arg) => substitute(arg, 'arg'));
  const grants = entry.grants;
  const runtime = runtimeDirectories(entry, machine);
  const byGrant = (grant: 'none' | 'read' | 'write', paths: string[]): { read: string[]; write: string[] } => ({ read: grant === 'read' ? paths : [], write: grant === 'write' ? paths : [] });
  const roots = byGrant(grants.runtime.roots, runtime.rootPaths);
  const cwd = byGrant(grants.runtime.cwd, runtime.cwdPath === null ? [] : [runtime.cwdPath]);
  return {
    name: entry.name,
    version: entry.version,
    sha256: entry.sha256,
    platform: machine.platform,
    tree,
    home,
    workdir: runtime.cwdPath ?? tree,
    argv,
    env: launchEnv(config.env, grants.env.read, env, home, substitute),
    filesystem: {
      readOnly: unique([...SYSTEM_READ_PATHS[machine.platform], ...(grants.spawn.length > 0 ? SYSTEM_PROGRAM_PATHS[machine.platform] : []), tree, ...grants.read, ...roots.read, ...cwd.read]),
      readWrite: unique([...grants.write, ...roots.write, ...cwd.write, home]),
      privateTmp: true,
      runtime: { roots: grants.runtime.roots, cwd: grants.runtime.cwd, ...runtime },
    },
    network: {
      none: grants.egress.length === 0 && grants.runtime.userDriven === null && !grants.listen,
      egress: [...grants.egress],
      userDriven: grants.runtime.userDriven,
      listen: grants.listen,
    },
    process: { spawn: [...grants.spawn], workers: grants.workers, nativeAddons: grants.nativeAddons },
  };
}

/**
 * The runtime directories to share: the given roots (LAUNCH_ROOT_REFUSED when the bundle is not
 * granted roots, or one is refusedDirectory: the caller checks with real paths too; this is the
 * plan's own guard), and the working directory when granted and not refused.
 */
function runtimeDirectories(entry: LaunchEntry, machine: MachineFacts): { rootPaths: string[]; cwdPath: string | null; cwdRefused: string | null } {
  const paths = { home: machine.home, store: machine.store };
  const rootPaths = unique([...(machine.roots ?? [])]);
  if (rootPaths.length > 0 && entry.grants.runtime.roots === 'none') {
    throw new MCPSealError('LAUNCH_ROOT_REFUSED', `${entry.name} is not granted filesystem.roots: --root ${rootPaths[0]} is refused (reinstall a version that declares it to share directories)`, {
      details: { entry: entry.name, path: rootPaths[0] },
    });
  }
  for (const root of rootPaths) {
    const why = refusedDirectory(root, paths);
    if (why !== null) throw new MCPSealError('LAUNCH_ROOT_REFUSED', `--root ${root} is refused: ${why}; give the directory the server needs`, { details: { entry: entry.name, path: root, reason: why } });
  }
  if (entry.grants.runtime.cwd === 'none' || machine.cwd === undefined) return { rootPaths, cwdPath: null, cwdRefused: null };
  const refused = refusedDirectory(machine.cwd, paths);
  return { rootPaths, cwdPath: refused === null ? machine.cwd : null, cwdRefused: refused === null ? null : `${machine.cwd}: ${refused}` };
}

/** `mcp_config` with the override for `platform` applied: each key it sets replaces the base's. */
export function effectiveConfig(config: McpConfig, platform: Platform): { command: string; args: string[]; env: Record<string, string> } {
  const override = config.platform_overrides !== undefined && Object.hasOwn(config.platform_overrides, platform) ? config.platform_overrides[platform] : undefined;
  return {
    command: override?.command ?? config.command,
    args: [...(override?.args ?? config.args ?? [])],
    env: { ...(override?.env ?? config.env ?? {}) },
  };
}

/**
 * The environment: PATH and LANG first, then the declared `mcp_config.env` keys (substituted),
 * then the `env.read` names the user's environment has, and HOME last (always the private one).
 * Nothing else of the user's environment reaches the server.
 */
function launchEnv(
  declared: Record<string, string>,
  readNames: readonly string[],
  env: Record<string, string | undefined>,
  home: string,
  substitute: Substitute,
): Record<string, string> {
  const result = new Map<string, string>([
    ['PATH', MINIMAL_PATH],
    ['LANG', env['LANG'] !== undefined && env['LANG'] !== '' ? env['LANG'] : 'C.UTF-8'],
  ]);
  for (const [key, value] of Object.entries(declared)) result.set(key, substitute(value, 'env').join(''));
  for (const name of readNames) {
    const value = Object.hasOwn(env, name) ? env[name] : undefined;
    if (value !== undefined && !Object.hasOwn(declared, name)) result.set(name, value);
  }
  result.set('HOME', home);
  return Object.fromEntries([...result].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

type Substitute = (text: string, where: 'arg' | 'env') => string[];

interface SubstituteContext {
  entry: LaunchEntry;
  machine: MachineFacts;
  env: Record<string, string | undefined>;
  tree: string;
  home: string;
  separator: string;
}

/**
 * Substitutes `${...}` as hosts do (MCPB manifest spec, "Variable substitution"). An argument
 * that is exactly `${user_config.KEY}` of a `multiple` option becomes one argument per value (and
 * none when the option is unset); inside a longer string the values are joined with ",".
 */
function substituter(context: SubstituteContext): Substitute {
  return (text, where) => {
    const matches = referenceMatches(text);
    const only = matches.length === 1 && matches[0]!.text === text ? matches[0]! : undefined;
    if (where === 'arg' && only?.userConfigKey != null) return configValues(context, only.userConfigKey);
    let result = '';
    let from = 0;
    for (const match of matches) {
      result += text.slice(from, match.index) + variableValue(context, match.name, match.userConfigKey);
      from = match.index + match.text.length;
    }
    return [result + text.slice(from)];
  };
}

function variableValue(context: SubstituteContext, name: string, userConfigKey: string | null): string {
  if (userConfigKey !== null) return configValues(context, userConfigKey).join(',');
  const { machine } = context;
  switch (name) {
    case '__dirname':
      return context.tree;
    case 'HOME':
      return context.home;
    case 'DESKTOP':
      return machine.desktop ?? join(machine.home, 'Desktop');
    case 'DOCUMENTS':
      return machine.documents ?? join(machine.home, 'Documents');
    case 'DOWNLOADS':
      return machine.downloads ?? join(machine.home, 'Downloads');
    case '/':
    case 'pathSeparator':
      return context.separator;
    default:
      // Install validated the manifest (hardened profile), so this is a tree changed since.
      throw new MCPSealError('MANIFEST_INVALID', `the installed manifest of ${context.entry.name} uses the unknown variable \${${name}}`, {
        details: { entry: context.entry.name },
      });
  }
}

/** The recorded answer of a user_config option as strings; `{ env: NAME }` is read from the environment now. */
function configValues(context: SubstituteContext, key: string): string[] {
  const recorded: ConfigAnswer | undefined = Object.hasOwn(context.entry.userConfig, key) ? context.entry.userConfig[key] : undefined;
  if (recorded === undefined) return [];
  if ('env' in recorded) {
    const value = Object.hasOwn(context.env, recorded.env) ? context.env[recorded.env] : undefined;
    if (value === undefined || value === '') {
      throw new MCPSealError(
        'LAUNCH_CONFIG_MISSING',
        `${context.entry.name}: user_config.${key} is read from the environment variable ${recorded.env} at launch, and it is not set; export ${recorded.env}`,
        { details: { entry: context.entry.name, expected: recorded.env } },
      );
    }
    return [value];
  }
  const value = recorded.value;
  return Array.isArray(value) ? [...value] : [String(value)];
}

function unique(list: readonly string[]): string[] {
  return [...new Set(list)];
}
