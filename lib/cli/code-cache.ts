// Start-up of the bundled CLI (issue 14): the router of dist/cli-bundle/ (scripts/build-cli.ts
// bundles it from this module) runs a command group's file as a script and keeps V8's code cache
// of it taken after the command, so the next run of the same command compiles nothing it ran before.
//
// Why not Node's module compile cache alone: Node takes it when a module is compiled, before the
// module runs, so it holds only what V8 compiles eagerly (each file's top level). Every function a
// command calls was parsed and compiled again on every run: on verify of the filesystem server
// bundle, ~430 functions and ~10 ms of a 0.1 s run (README "Flat memory and speed", "Code cache
// after the run"). vm.Script's createCachedData(), called after the command, holds every function
// compiled so far.
//
// Where: <cache>/mcpseal/code-cache/<node>-<arch>/<group>-<digest>/<command>-<key>.v8, <cache> being
// $XDG_CACHE_HOME or ~/.cache, <digest> the group file's sha256 at build time (a new build gets
// new caches and removes the older builds' ones), <key> what selects the code a run takes
// (invocationKey). A cache is code: it is read only from a file the user owns and nobody else can
// write, under a directory of the same kind (`sudo` keeping HOME would otherwise run the user's
// bytes as root). Everything here is best effort: no cache, or one V8 rejects, only means compiling.

import { closeSync, constants, fstatSync, mkdirSync, openSync, readFileSync, readSync, readdirSync, renameSync, rmSync, statSync, unlinkSync, writeFileSync, type Stats } from 'node:fs';
import { enableCompileCache } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Script } from 'node:vm';
import { cacheHome } from '../cache-home.ts';
import type { Streams } from './output.ts';

/** A group file as the build wrote it: its name in the bundle directory, size and sha256 (hex). */
export interface GroupFile {
  file: string;
  size: number;
  digest: string;
}

/** What the build knows: each group's file, and each command's group. */
export interface BundleTable {
  groups: Readonly<Record<string, GroupFile>>;
  groupOf: Readonly<Record<string, string>>;
}

/** What bin/mcpseal.js did before loading the CLI: the V8 flags it set (they change the code V8 accepts). */
export interface Launch {
  v8Flags?: readonly string[];
}

/** The bundle's ways to load code, given by the router (an ES module in the bundle directory). */
export interface BundleLoaders {
  /** The bundle directory, with its trailing slash. */
  dir: URL;
  /** `import()` from the bundle directory (a group script's own import() calls go here). */
  importer: (specifier: string) => Promise<unknown>;
  /** The commands of no group: the listing, --version, unknown names (an ES module). */
  base: () => Promise<{ main: CliMain }>;
}

type CliMain = (argv: string[], streams: Streams) => Promise<number>;

/** Larger than any cache of a group file (the verify command's is ~0.6 MB). */
const MAX_CACHE_BYTES = 64 * 1024 * 1024;

/**
 * Runs `argv` through the bundle: a command's group file as a script with its code cache (written
 * after a run that exits 0 when there was none V8 accepted), anything else through the base file.
 */
export async function route(table: BundleTable, loaders: BundleLoaders, argv: string[], streams: Streams, launch: Launch = {}): Promise<number> {
  const root = cacheRoot(streams.env);
  // Node's own cache still serves the ES modules: the base file, and the packages a command
  // imports from node_modules (@sigstore/sign for sign, @sigstore/tuf for --tuf).
  if (root !== null) {
    try {
      enableCompileCache(join(root, 'compile-cache'));
    } catch {
      // no cache
    }
  }
  const name = argv[0];
  const group = name !== undefined && Object.hasOwn(table.groupOf, name) ? table.groupOf[name]! : undefined;
  const file = group === undefined ? undefined : table.groups[group];
  if (group === undefined || file === undefined) return (await loaders.base()).main(argv, streams);
  const cacheFile = root === null ? null : join(root, 'code-cache', `${process.version}-${process.arch}`, `${group}-${file.digest}`, `${name!}-${invocationKey(argv, launch, process.execArgv, streams.env['NODE_OPTIONS'])}.v8`);
  const loaded = loadGroupScript(fileURLToPath(new URL(file.file, loaders.dir)), file.size, cacheFile, loaders.importer);
  const status = await (loaded.exports['main'] as CliMain)(argv, streams);
  if (status === 0) loaded.save();
  return status;
}

/** A group script run, with its exports and the way to keep its code cache. */
export interface LoadedGroup {
  exports: Record<string, unknown>;
  /** Whether V8 took the cache it was given. */
  cacheAccepted: boolean;
  /** Writes the code cache when none was accepted (after the command: it then holds what ran). */
  save(): void;
}

/**
 * Compiles and runs the group script at `path` (scripts/build-cli.ts groupScript: a function of
 * `import.meta` and `import()`), with the code cache in `cacheFile` when there is a trusted one.
 * `size` is the file's size at build time: a file changed since (its size differs) is run without
 * any cache, since V8 checks a cache against the source's length only.
 */
export function loadGroupScript(path: string, size: number, cacheFile: string | null, importer: BundleLoaders['importer']): LoadedGroup {
  const source = readFileSync(path, 'latin1');
  const usable = cacheFile !== null && source.length === size ? cacheFile : null;
  const cachedData = usable === null ? undefined : readTrusted(usable);
  const script = new Script(source, { filename: path, ...(cachedData ? { cachedData } : {}) });
  const factory = script.runInThisContext() as (meta: { url: string }, load: BundleLoaders['importer']) => Record<string, unknown>;
  const exports = factory({ url: pathToFileURL(path).href }, importer);
  const cacheAccepted = script.cachedDataRejected === false;
  return {
    exports,
    cacheAccepted,
    save(): void {
      if (usable !== null && !cacheAccepted) writeCache(usable, script.createCachedData());
    },
  };
}

/**
 * What selects the code a run takes, as a short key: the command, its option names (not their
 * values) and how many other arguments it has (one bundle or a batch), and the V8 flags of the
 * process (bin/mcpseal.js's memory flags, the user's NODE_OPTIONS and node flags), which V8 checks
 * a cache against: small and large jobs of one command keep a cache each instead of rejecting
 * each other's. FNV-1a over the text, in hex.
 */
export function invocationKey(argv: readonly string[], launch: Launch, execArgv: readonly string[], nodeOptions: string | undefined): string {
  const options = new Set<string>();
  let others = 0;
  for (const arg of argv.slice(1)) {
    if (arg.startsWith('-') && arg !== '-') options.add(arg.split('=', 1)[0]!);
    else others++;
  }
  const text = JSON.stringify([argv[0], [...options].sort(), Math.min(others, 8), launch.v8Flags ?? [], execArgv, nodeOptions ?? '']);
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return (hash >>> 0).toString(16).padStart(8, '0');
}

/**
 * mcpseal's cache directory (cache-home.ts), made if missing; null when there is none, or when it
 * is not a directory the user owns and only the user can write.
 */
export function cacheRoot(env: NodeJS.ProcessEnv): string | null {
  let root: string | null;
  try {
    root = cacheHome(env, homedir());
  } catch {
    return null;
  }
  if (root === null) return null;
  try {
    mkdirSync(root, { recursive: true, mode: 0o700 });
    const stats = statSync(root);
    return stats.isDirectory() && ownedByUser(stats) ? root : null;
  } catch {
    return null;
  }
}

/** Owned by the effective user and writable by no one else (where the platform has owners). */
function ownedByUser(stats: Stats): boolean {
  const euid = process.geteuid?.();
  return euid === undefined || (stats.uid === euid && (stats.mode & 0o022) === 0);
}

/** The file's bytes when it is a regular file the user owns (ownedByUser), under a directory of the same kind. */
function readTrusted(file: string): Buffer | undefined {
  let fd: number;
  try {
    const parent = statSync(dirname(file));
    if (!parent.isDirectory() || !ownedByUser(parent)) return undefined;
    fd = openSync(file, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
  } catch {
    return undefined;
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile() || !ownedByUser(stats) || stats.size === 0 || stats.size > MAX_CACHE_BYTES) return undefined;
    const data = Buffer.allocUnsafe(stats.size);
    let filled = 0;
    while (filled < data.length) {
      const read = readSync(fd, data, filled, data.length - filled, filled);
      if (read === 0) return undefined;
      filled += read;
    }
    return data;
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/**
 * Writes `data` to `file` whole or not at all (a new file, then renamed over it; O_EXCL, so a
 * planted link at the temporary name is refused, not followed), then removes the caches of the
 * group's other builds (sibling `<group>-<digest>` directories). Errors are dropped.
 */
function writeCache(file: string, data: Buffer): void {
  const buildDir = dirname(file);
  const temp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    mkdirSync(buildDir, { recursive: true, mode: 0o700 });
    writeFileSync(temp, data, { flag: 'wx', mode: 0o600 });
    renameSync(temp, file);
  } catch {
    try {
      unlinkSync(temp);
    } catch {
      // never made
    }
    return;
  }
  const versionDir = dirname(buildDir);
  const build = buildDir.slice(versionDir.length + 1);
  const group = build.slice(0, build.lastIndexOf('-') + 1);
  try {
    for (const other of readdirSync(versionDir)) {
      if (other !== build && other.startsWith(group) && /^[0-9a-f]{64}$/u.test(other.slice(group.length))) rmSync(join(versionDir, other), { recursive: true, force: true });
    }
  } catch {
    // kept
  }
}
