// npm evidence (dependencies.ts): the lockfile (package-lock.json, npm-shrinkwrap.json or npm's
// hidden node_modules/.package-lock.json) and what it pins, hashes and fetches from where; the
// packages bundled under node_modules against it; and the install-time code each bundled package
// would run (npm docs "scripts": preinstall, install, postinstall, and the implicit
// `node-gyp rebuild` of a package with a binding.gyp).

import { dependencyFinding, listed, objectAt, stringAt, type DependencyFiles, type TextFile } from './deps-model.ts';

interface LockEntry {
  /** The entry's path key relative to the lock's directory (`node_modules/a/node_modules/b`). */
  key: string;
  name: string;
  version?: string;
  integrity?: string;
  resolved?: string;
  installScript: boolean;
}

interface Lock {
  file: TextFile;
  /** The directory the lock describes ('' for the bundle root). */
  base: string;
  entries: Map<string, LockEntry>;
}

const LOCK_NAMES = /(?:^|\/)(?:package-lock\.json|npm-shrinkwrap\.json)$/u;
const HIDDEN_LOCK = /(?:^|\/)node_modules\/\.package-lock\.json$/u;
const OTHER_LOCKS = /(?:^|\/)(?:yarn\.lock|pnpm-lock\.yaml|bun\.lockb?)$/u;
/** The package.json at the root of a bundled package (not one of its nested fixtures). */
const BUNDLED_PACKAGE = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\/package\.json$/u;
const INSTALL_SCRIPTS = ['preinstall', 'install', 'postinstall'] as const;
const REGISTRIES = /^https:\/\/registry\.(?:npmjs\.org|yarnpkg\.com)\//u;

/** Every npm finding for the bundle. */
export async function checkNpm(files: DependencyFiles): Promise<void> {
  const locks: Lock[] = [];
  for (const path of files.paths) {
    if ((LOCK_NAMES.test(path) && !path.includes('node_modules/')) || (HIDDEN_LOCK.test(path) && path.split('node_modules/').length === 2)) {
      const lock = await readLock(files, path);
      if (lock !== undefined) locks.push(lock);
    } else if (OTHER_LOCKS.test(path) && !path.includes('node_modules/')) {
      files.findings.push(dependencyFinding('DEP_LOCK_UNCHECKED', 'low', `${path.split('/').at(-1)!} is bundled; mcpseal reads package-lock.json, not this format: its pins and hashes are not checked`, { path }, { ecosystem: 'npm' }));
    }
  }
  const bundled = files.paths.filter((path) => BUNDLED_PACKAGE.test(path));
  const roots = files.paths.filter((path) => /(?:^|\/)package\.json$/u.test(path) && !path.includes('node_modules/'));
  for (const root of roots) await checkRoot(files, root, locks, bundled.length);
  if (roots.length === 0 && bundled.length > 0 && locks.length === 0) {
    files.findings.push(dependencyFinding('DEP_LOCK_ABSENT', 'medium', `${bundled.length} packages are bundled under node_modules and no package-lock.json records what they should be`, { path: bundled[0]! }, { ecosystem: 'npm' }));
  }
  for (const path of bundled) await checkBundled(files, path, locks);
}

async function readLock(files: DependencyFiles, path: string): Promise<Lock | undefined> {
  const parsed = await files.json(path);
  if (parsed === undefined) return undefined;
  const entries = lockEntries(parsed.value);
  const base = HIDDEN_LOCK.test(path) ? path.slice(0, path.lastIndexOf('node_modules/')).replace(/\/$/u, '') : path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '';
  const lock: Lock = { file: parsed.file, base, entries };
  reportLock(files, lock, parsed.value);
  return lock;
}

/** The entries of a lockfile: v2/v3 `packages` by path, else v1's nested `dependencies`. */
function lockEntries(value: unknown): Map<string, LockEntry> {
  const entries = new Map<string, LockEntry>();
  const packages = objectAt(value, 'packages');
  for (const [key, entry] of Object.entries(packages)) {
    // The root project and workspace folders are the bundle's own code, not fetched packages.
    if (!key.includes('node_modules/') || objectAt(packages, key)['link'] === true || objectAt(packages, key)['inBundle'] === true) continue;
    entries.set(key, entryOf(key, stringAt(entry, 'name') ?? key.slice(key.lastIndexOf('node_modules/') + 13), entry));
  }
  if (entries.size > 0 || Object.keys(packages).length > 0) return entries;
  const stack: Array<[string, Record<string, unknown>]> = [['', objectAt(value, 'dependencies')]];
  while (stack.length > 0 && entries.size < 100_000) {
    const [prefix, dependencies] = stack.pop()!;
    for (const [name, entry] of Object.entries(dependencies)) {
      const key = `${prefix}node_modules/${name}`;
      if (objectAt(dependencies, name)['bundled'] !== true) entries.set(key, entryOf(key, name, entry));
      stack.push([`${key}/`, objectAt(entry, 'dependencies')]);
    }
  }
  return entries;
}

function entryOf(key: string, name: string, entry: unknown): LockEntry {
  const result: LockEntry = { key, name, installScript: (entry as Record<string, unknown> | null)?.['hasInstallScript'] === true };
  const version = stringAt(entry, 'version');
  const integrity = stringAt(entry, 'integrity');
  const resolved = stringAt(entry, 'resolved');
  if (version !== undefined) result.version = version;
  if (integrity !== undefined) result.integrity = integrity;
  if (resolved !== undefined) result.resolved = resolved;
  // A v1 lock writes a git or file source as the version.
  if (resolved === undefined && version !== undefined && /^(?:git|github|file|https?):/u.test(version)) result.resolved = version;
  return result;
}

function reportLock(files: DependencyFiles, lock: Lock, value: unknown): void {
  const entries = [...lock.entries.values()];
  const hashed = entries.filter((entry) => entry.integrity !== undefined);
  const version = (value as Record<string, unknown> | null)?.['lockfileVersion'];
  files.findings.push(dependencyFinding('DEP_LOCK_PRESENT', 'info', `${lock.file.path} (lockfileVersion ${String(version)}): ${entries.length} packages pinned to exact versions, ${hashed.length} with an integrity hash`, { path: lock.file.path }, { ecosystem: 'npm' }));
  const unhashed = entries.filter((entry) => entry.integrity === undefined && !/^(?:git|github|file):|^git\+/u.test(entry.resolved ?? ''));
  if (unhashed.length > 0) {
    files.findings.push(dependencyFinding('DEP_NO_INTEGRITY', 'medium', `${unhashed.length} lock entries carry no integrity hash, so a tampered tarball installs unnoticed: ${listed(unhashed.map((entry) => entry.name))}`, lock.file.evidenceAt(`"${unhashed[0]!.key}"`), { ecosystem: 'npm', package: unhashed[0]!.name }));
  }
  for (const entry of entries.filter((item) => item.resolved !== undefined && !REGISTRIES.test(item.resolved)).slice(0, 20)) {
    const insecure = /^http:/u.test(entry.resolved!);
    const where = /^(?:git|github|gitlab|bitbucket)[+:]/u.test(entry.resolved!) ? 'a git repository' : /^file:/u.test(entry.resolved!) ? 'a local path' : insecure ? 'plain http' : 'a registry other than npm\'s';
    files.findings.push(dependencyFinding('DEP_NOT_REGISTRY', insecure ? 'high' : 'medium', `${entry.name} is fetched from ${where}: ${entry.resolved!.slice(0, 200)}`, lock.file.evidenceAt(`"${entry.key}"`), { ecosystem: 'npm', package: entry.name }));
  }
  for (const entry of entries) files.lookalike(entry.name, 'npm', lock.file.evidenceAt(`"${entry.key}"`));
}

/** A project's package.json: unlocked ranges, and lookalike names among its dependencies. */
async function checkRoot(files: DependencyFiles, path: string, locks: readonly Lock[], bundledCount: number): Promise<void> {
  const parsed = await files.json(path);
  if (parsed === undefined) return;
  const dir = path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '';
  const declared = { ...objectAt(parsed.value, 'dependencies'), ...objectAt(parsed.value, 'optionalDependencies') };
  for (const name of Object.keys(declared)) files.lookalike(name, 'npm', parsed.file.evidenceAt(`"${name}"`));
  if (locks.some((lock) => lock.base === dir) || files.paths.some((other) => OTHER_LOCKS.test(other) && other.startsWith(dir))) return;
  if (Object.keys(declared).length === 0 && bundledCount === 0) return;
  files.findings.push(dependencyFinding('DEP_LOCK_ABSENT', 'medium', `${path} declares ${Object.keys(declared).length} dependencies and no package-lock.json pins them`, parsed.file.evidenceAt('"dependencies"'), { ecosystem: 'npm' }));
  const ranges = Object.entries(declared).filter(([, spec]) => typeof spec !== 'string' || !/^=?v?\d+\.\d+\.\d+(?:-[\w.]+)?$/u.test(spec));
  if (ranges.length > 0) {
    files.findings.push(dependencyFinding('DEP_UNPINNED', 'medium', `${ranges.length} dependencies are version ranges, not exact versions, and nothing locks them: ${listed(ranges.map(([name, spec]) => `${name}@${String(spec)}`))}`, parsed.file.evidenceAt(`"${ranges[0]![0]}"`), { ecosystem: 'npm', package: ranges[0]![0] }));
  }
}

/** A bundled package: its install scripts, its name, and whether the lock knows it at this version. */
async function checkBundled(files: DependencyFiles, path: string, locks: readonly Lock[]): Promise<void> {
  const parsed = await files.json(path);
  if (parsed === undefined) return;
  const dir = BUNDLED_PACKAGE.exec(path)![1]!;
  const name = stringAt(parsed.value, 'name') ?? dir.slice(dir.lastIndexOf('node_modules/') + 13);
  const scripts = objectAt(parsed.value, 'scripts');
  for (const script of INSTALL_SCRIPTS) {
    const command = stringAt(scripts, script);
    if (command !== undefined) files.findings.push(dependencyFinding('DEP_INSTALL_SCRIPT', 'high', `${name} runs a ${script} script when installed: ${command.slice(0, 200)}`, parsed.file.evidenceAt(`"${script}"`), { ecosystem: 'npm', package: name }));
  }
  if (INSTALL_SCRIPTS.every((script) => stringAt(scripts, script) === undefined) && files.has(`${dir}/binding.gyp`)) {
    files.findings.push(dependencyFinding('DEP_INSTALL_SCRIPT', 'medium', `${name} has a binding.gyp: npm runs node-gyp rebuild (a native build) when it is installed`, { path: `${dir}/binding.gyp` }, { ecosystem: 'npm', package: name }));
  }
  files.lookalike(name, 'npm', parsed.file.evidenceAt('"name"'));
  const lock = locks.find((candidate) => candidate.base === '' || dir.startsWith(`${candidate.base}/`));
  if (lock === undefined || lock.entries.size === 0) return;
  const key = lock.base === '' ? dir : dir.slice(lock.base.length + 1);
  const entry = lock.entries.get(key);
  const version = stringAt(parsed.value, 'version');
  if (entry === undefined) {
    files.findings.push(dependencyFinding('DEP_LOCK_MISMATCH', 'medium', `${name} is bundled at ${dir} but ${lock.file.path} does not list it`, parsed.file.evidenceAt('"name"'), { ecosystem: 'npm', package: name }));
  } else if (entry.version !== undefined && version !== undefined && entry.version !== version) {
    files.findings.push(dependencyFinding('DEP_LOCK_MISMATCH', 'medium', `${name} is bundled at version ${version} but ${lock.file.path} pins ${entry.version}`, parsed.file.evidenceAt('"version"'), { ecosystem: 'npm', package: name }));
  }
}
