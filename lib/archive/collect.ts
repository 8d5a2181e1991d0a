// Walks a bundle's source tree for packing: applies the default ignore list (junk and secrets)
// and `.mcpbignore`, never follows a symlink out of the tree, and refuses any name the strict
// reader would refuse, so what `pack` writes is always something `unpack` accepts.

import { lstatSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { lstat, readFile, readdir, realpath, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, sep } from 'node:path';
import ignore, { type Ignore } from 'ignore';
import { MCPSealError } from '../errors.ts';
import { defaultLimits, type ArchiveLimits } from '../limits.ts';
import { EntryNameIndex } from './name-index.ts';
import { validateEntryName } from './names.ts';
import { ioError } from '../io.ts';
import { scanForSecrets, secretError } from './secret-scan.ts';

/** Never packed unless `.mcpbignore` re-includes them with `!pattern`: build junk and version control. */
export const DEFAULT_JUNK_PATTERNS: readonly string[] = [
  '.git/',
  '.hg/',
  '.svn/',
  '.DS_Store',
  'Thumbs.db',
  'desktop.ini',
  '*.log',
  'node_modules/.cache/',
  '.mcpbignore',
  '*.mcpb',
  '*.dxt',
  '*.mcpb.sigstore.json',
];

/**
 * Never packed unless re-included: what the official `mcpb pack` also leaves out and a server
 * does not load at run time (type declarations, source maps, TypeScript build state, the
 * `node_modules/.bin` launchers, which pack as copies of their targets). Bundles were 1.3-1.9x
 * the size of `mcpb pack`'s for the same tree (issue 10).
 */
export const DEFAULT_DEVELOPMENT_PATTERNS: readonly string[] = [
  '*.d.ts',
  '*.d.mts',
  '*.d.cts',
  '*.map',
  '*.tsbuildinfo',
  'node_modules/.bin/',
  'npm-debug.log*',
  'yarn-debug.log*',
  'yarn-error.log*',
];

/** Never packed unless re-included: files that commonly hold credentials. */
export const DEFAULT_SECRET_PATTERNS: readonly string[] = [
  '*.pem',
  '*.key',
  '*.p12',
  '*.pfx',
  '*.jks',
  '*.keystore',
  '.env',
  '.env.*',
  'id_rsa*',
  'id_dsa*',
  'id_ecdsa*',
  'id_ed25519*',
  '.npmrc',
  '.yarnrc',
  '.yarnrc.yml',
  '.pypirc',
  '.pgpass',
  '*.ppk',
  '.netrc',
  '.git-credentials',
  '.aws/',
  '.ssh/',
  '.gnupg/',
  '.docker/config.json',
  '.kube/config',
];

export interface SourceFile {
  /** The archive name: relative, `/`-separated. */
  name: string;
  /** Where to read the content (the symlink target for an in-tree symlink). */
  path: string;
  size: number;
  executable: boolean;
}

export interface ExcludedFile {
  name: string;
  /** `secret` (a secret's name), `development` (types, source maps, ...: DEFAULT_DEVELOPMENT_PATTERNS), or `ignored` (junk, `.mcpbignore`, the caller's patterns). */
  reason: 'secret' | 'development' | 'ignored';
  /** For a symlink (or a path under a linked directory) excluded for where it points: that path, relative to the source root. */
  target?: string;
}

export interface CollectOptions {
  /** Extra ignore patterns (gitignore syntax), applied after the defaults and `.mcpbignore`. */
  ignore?: readonly string[];
  limits?: Partial<Pick<ArchiveLimits, 'maxPathLength' | 'maxPathDepth' | 'maxEntries'>>;
  /**
   * Archive names of files to pack even though their content looks like a secret (a test
   * fixture, a documented example key): the one way past ARCHIVE_SOURCE_SECRET besides excluding
   * the file in `.mcpbignore`.
   */
  allowSecretFiles?: readonly string[];
  /**
   * Scan the files' content for secrets here (default true). `pack` passes false and has the
   * writer scan the bytes it reads for each entry instead (writeArchive's `secretScan`): the scan
   * then runs beside compression, on the very bytes packed, instead of a whole pass before it.
   */
  scanSecrets?: boolean;
}

export interface CollectResult {
  files: SourceFile[];
  excluded: ExcludedFile[];
}

/** The exclusion rules: the default junk and secret lists, `.mcpbignore`, then the caller's patterns. */
interface Exclusions {
  all: Ignore;
  secrets: Ignore;
  development: Ignore;
}

/** Lists the files to pack under `root`, sorted by the UTF-8 bytes of their names. */
export async function collectSourceFiles(root: string, options: CollectOptions = {}): Promise<CollectResult> {
  const limits = { ...defaultLimits, ...options.limits };
  const realRoot = await sourceRoot(root);
  const userPatterns = await readIgnoreFile(join(realRoot, '.mcpbignore'));
  const exclusions: Exclusions = {
    secrets: ignore().add([...DEFAULT_SECRET_PATTERNS]),
    development: ignore().add([...DEFAULT_DEVELOPMENT_PATTERNS]),
    all: ignore()
      .add([...DEFAULT_JUNK_PATTERNS, ...DEFAULT_DEVELOPMENT_PATTERNS, ...DEFAULT_SECRET_PATTERNS])
      .add(userPatterns)
      .add([...(options.ignore ?? [])]),
  };
  const files: SourceFile[] = [];
  const excluded: ExcludedFile[] = [];
  const walker = { realRoot, exclusions, limits, files, excluded };
  if (!exclusions.all.ignores('node_modules/')) await refusePnpmLayout(realRoot);
  walk(walker, { directory: realRoot, prefix: '', realPrefix: '', ancestors: new Set([realRoot]) });
  files.sort((a, b) => compareUtf8(a.name, b.name));
  checkNameSet(files, limits);
  if (options.scanSecrets !== false) await refuseSecrets(files, options.allowSecretFiles ?? []);
  return { files, excluded };
}

/** The reader's own name-set rules, in the order the archive will hold the names; the index is garbage once they passed. */
function checkNameSet(files: readonly SourceFile[], limits: Pick<ArchiveLimits, 'maxEntries'>): void {
  const names = new EntryNameIndex(limits);
  for (const file of files) names.add(file.name);
}

/** ARCHIVE_SOURCE_SECRET when a file's content holds a secret its name did not give away. */
async function refuseSecrets(files: readonly SourceFile[], allowed: readonly string[]): Promise<void> {
  const allow = new Set(allowed);
  const findings = await scanForSecrets(files.filter((file) => !allow.has(file.name)));
  if (findings.length > 0) throw secretError(findings);
}

/**
 * pnpm's default (isolated) layout: node_modules/NAME is a symlink into node_modules/.pnpm. The
 * walk packs each link as a copy of its target (3.7x larger in the issue 10 trial) and the copies
 * lose the sibling layout that lets the packages resolve each other: the server no longer starts.
 */
async function refusePnpmLayout(realRoot: string): Promise<void> {
  const modules = join(realRoot, 'node_modules');
  try {
    if (!(await lstat(join(modules, '.pnpm'))).isDirectory()) return;
  } catch {
    return;
  }
  const links: string[] = [];
  for (const dirent of await readdir(modules, { withFileTypes: true })) {
    if (dirent.isSymbolicLink()) links.push(dirent.name);
    else if (dirent.isDirectory() && dirent.name.startsWith('@')) {
      for (const scoped of await readdir(join(modules, dirent.name), { withFileTypes: true })) if (scoped.isSymbolicLink()) links.push(`${dirent.name}/${scoped.name}`);
    }
  }
  if (links.length === 0) return;
  throw new MCPSealError(
    'ARCHIVE_SOURCE_PNPM_LAYOUT',
    `node_modules is a pnpm layout (${links.length} symlink${links.length === 1 ? '' : 's'} into node_modules/.pnpm, e.g. ${links[0]}): packed as copies it grows several times and no longer resolves. Install a flat node_modules first: pnpm install --prod --node-linker=hoisted (or pnpm deploy --prod <dir> and pack that)`,
    { details: { path: modules, found: links.slice(0, 10) } },
  );
}

async function sourceRoot(root: string): Promise<string> {
  try {
    const realRoot = await realpath(root);
    if (!(await stat(realRoot)).isDirectory()) {
      throw new MCPSealError('IO_READ_FAILED', `${root} is not a directory`, { details: { path: root } });
    }
    return realRoot;
  } catch (cause) {
    throw ioError(cause, root, 'read');
  }
}

interface Walker {
  realRoot: string;
  exclusions: Exclusions;
  limits: Pick<ArchiveLimits, 'maxPathLength' | 'maxPathDepth' | 'maxEntries'>;
  files: SourceFile[];
  excluded: ExcludedFile[];
}

interface Place {
  directory: string;
  /** The archive name of `directory` plus "/" (empty at the root). */
  prefix: string;
  /** Where `directory` really is, relative to the root, plus "/": differs from `prefix` under a symlinked directory. */
  realPrefix: string;
  ancestors: Set<string>;
}

/**
 * Synchronous on purpose: one awaited thread-pool round trip per lstat left the main thread idle
 * most of the walk (1.5-2 s of wall for the 20,000 files of the bench tree, before any file was
 * compressed; issue 14), while the metadata of a tree just written or built sits in the kernel's
 * caches. lstat, stat, readdir and realpath do not block on a FIFO or a device.
 */
function walk(walker: Walker, place: Place): void {
  let dirents;
  try {
    dirents = readdirSync(place.directory, { withFileTypes: true });
  } catch (cause) {
    throw ioError(cause, place.directory, 'read');
  }
  for (const dirent of dirents) {
    const name = place.prefix + dirent.name;
    const path = join(place.directory, dirent.name);
    let info = lstatSync(path);
    let contentPath = path;
    let realName = place.realPrefix + dirent.name;
    if (info.isSymbolicLink()) {
      contentPath = resolveInTree(path, name, walker.realRoot);
      info = statSync(contentPath);
      realName = relative(walker.realRoot, contentPath).split(sep).join('/');
    }
    const isDirectory = info.isDirectory();
    const slash = isDirectory ? '/' : '';
    if (isExcluded(walker, `${name}${slash}`, `${realName}${slash}`)) continue;
    if (isDirectory) {
      const real = realpathSync(contentPath);
      if (place.ancestors.has(real)) {
        throw new MCPSealError('ARCHIVE_SOURCE_UNSUPPORTED_FILE', `${name} is a symlink cycle`, { details: { path } });
      }
      walk(walker, { directory: contentPath, prefix: `${name}/`, realPrefix: `${realName}/`, ancestors: new Set([...place.ancestors, real]) });
      continue;
    }
    if (!info.isFile()) {
      throw new MCPSealError('ARCHIVE_SOURCE_UNSUPPORTED_FILE', `${name} is not a regular file (device, FIFO or socket)`, { details: { path } });
    }
    const executable = (info.mode & 0o111) !== 0;
    // Most files are read where their name says: their path is built when it is read.
    addFile(walker, contentPath === join(walker.realRoot, name) ? new TreeFile(walker.realRoot, name, info.size, executable) : { name, path: contentPath, size: info.size, executable });
  }
}

/**
 * A file found at its name under the root. Its path is joined when asked for instead of kept:
 * an absolute path string per file was 40% of what pack held per file until the end (issue 14).
 */
class TreeFile implements SourceFile {
  readonly name: string;
  readonly size: number;
  readonly executable: boolean;
  readonly #root: string;

  constructor(root: string, name: string, size: number, executable: boolean) {
    this.#root = root;
    this.name = name;
    this.size = size;
    this.executable = executable;
  }

  get path(): string {
    return join(this.#root, this.name);
  }

  toJSON(): SourceFile {
    return { name: this.name, path: this.path, size: this.size, executable: this.executable };
  }
}

/**
 * Orders names by their UTF-8 bytes (the order the archive holds them in) without encoding
 * them: UTF-8 byte order is code point order, which UTF-16 code unit order matches except that
 * surrogates (code points above U+FFFF) sort before U+E000-U+FFFF.
 */
export function compareUtf8(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) return codePointRank(x) - codePointRank(y);
    return x - y;
  }
  return a.length - b.length;
}

/** Surrogates (code points U+10000 and above) rank after every other code unit of U+D800 and above. */
function codePointRank(unit: number): number {
  return unit >= 0xd800 && unit <= 0xdfff ? unit + 0x2000 : unit >= 0xe000 ? unit - 0x800 : unit;
}

/**
 * The exclusion rules apply to a file's name in the archive and to where it really is: a link
 * `docs/notes.txt -> ../.env`, or a file reached through a linked directory, must not publish what
 * the rules keep out under its real name (issue 9 finding 10).
 */
function isExcluded({ exclusions, excluded }: Walker, name: string, realName: string): boolean {
  // A link to the root itself has no real name here; the walk refuses it as a cycle.
  const candidates = realName === '/' ? [name] : [name, realName];
  const matched = candidates.find((candidate) => exclusions.all.ignores(candidate));
  if (matched === undefined) return false;
  const secret = candidates.some((candidate) => exclusions.secrets.ignores(candidate));
  const development = !secret && candidates.some((candidate) => exclusions.development.ignores(candidate));
  excluded.push({ name, reason: secret ? 'secret' : development ? 'development' : 'ignored', ...(matched === name ? {} : { target: realName }) });
  return true;
}

function addFile(walker: Walker, file: SourceFile): void {
  const problem = validateEntryName(file.name, walker.limits);
  if (problem) throw new MCPSealError(problem.code, `cannot pack "${file.name}": ${problem.reason}`, { details: { entry: file.name } });
  walker.files.push(file);
  if (walker.files.length > walker.limits.maxEntries) {
    throw new MCPSealError('ARCHIVE_TOO_MANY_ENTRIES', `the tree has more than ${walker.limits.maxEntries} files`, { details: { limit: 'maxEntries' } });
  }
}

/** A symlink may be packed (as the file it names) only when its target is inside the tree. */
function resolveInTree(path: string, name: string, realRoot: string): string {
  let target: string;
  try {
    target = realpathSync(path);
  } catch (cause) {
    throw new MCPSealError('ARCHIVE_SOURCE_UNSUPPORTED_FILE', `${name} is a dangling symlink`, { details: { path }, cause });
  }
  const inside = relative(realRoot, target);
  // A link to the root itself stays "inside" and is caught as a cycle by the walk.
  if (inside.startsWith(`..${sep}`) || inside === '..' || isAbsolute(inside)) {
    throw new MCPSealError('ARCHIVE_SOURCE_SYMLINK_OUTSIDE', `${name} is a symlink to ${target}, outside the bundle directory`, {
      details: { path, found: target },
    });
  }
  return target;
}

async function readIgnoreFile(path: string): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw ioError(cause, path, 'read');
  }
  return text.split(/\r?\n/u).filter((line) => line.trim() !== '' && !line.startsWith('#'));
}
