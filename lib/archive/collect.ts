// Walks a bundle's source tree for packing: applies the default ignore list (junk and secrets)
// and `.mcpbignore`, never follows a symlink out of the tree, and refuses any name the strict
// reader would refuse, so what `pack` writes is always something `unpack` accepts.

import { lstat, readFile, readdir, realpath, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, sep } from 'node:path';
import ignore, { type Ignore } from 'ignore';
import { MCPSealError } from '../errors.ts';
import { defaultLimits, type ArchiveLimits } from '../limits.ts';
import { collisionKey, validateEntryName } from './names.ts';
import { ioError } from '../io.ts';

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
  reason: 'secret' | 'ignored';
}

export interface CollectOptions {
  /** Extra ignore patterns (gitignore syntax), applied after the defaults and `.mcpbignore`. */
  ignore?: readonly string[];
  limits?: Partial<Pick<ArchiveLimits, 'maxPathLength' | 'maxPathDepth' | 'maxEntries'>>;
}

export interface CollectResult {
  files: SourceFile[];
  excluded: ExcludedFile[];
}

/** Lists the files to pack under `root`, sorted by the UTF-8 bytes of their names. */
export async function collectSourceFiles(root: string, options: CollectOptions = {}): Promise<CollectResult> {
  const limits = { ...defaultLimits, ...options.limits };
  let realRoot: string;
  try {
    realRoot = await realpath(root);
    if (!(await stat(realRoot)).isDirectory()) {
      throw new MCPSealError('IO_READ_FAILED', `${root} is not a directory`, { details: { path: root } });
    }
  } catch (cause) {
    throw ioError(cause, root, 'read');
  }
  const userPatterns = await readIgnoreFile(join(realRoot, '.mcpbignore'));
  const secrets = ignore().add([...DEFAULT_SECRET_PATTERNS]);
  const matcher: Ignore = ignore()
    .add([...DEFAULT_JUNK_PATTERNS, ...DEFAULT_SECRET_PATTERNS])
    .add(userPatterns)
    .add([...(options.ignore ?? [])]);

  const files: SourceFile[] = [];
  const excluded: ExcludedFile[] = [];
  const keys = new Map<string, string>();

  const walk = async (directory: string, prefix: string, ancestors: Set<string>): Promise<void> => {
    let dirents;
    try {
      dirents = await readdir(directory, { withFileTypes: true });
    } catch (cause) {
      throw ioError(cause, directory, 'read');
    }
    for (const dirent of dirents) {
      const name = prefix + dirent.name;
      const path = join(directory, dirent.name);
      let info = await lstat(path);
      let contentPath = path;
      if (info.isSymbolicLink()) {
        contentPath = await resolveInTree(path, name, realRoot);
        info = await stat(contentPath);
      }
      const isDirectory = info.isDirectory();
      const matchName = isDirectory ? `${name}/` : name;
      if (matcher.ignores(matchName)) {
        excluded.push({ name: matchName, reason: secrets.ignores(matchName) ? 'secret' : 'ignored' });
        continue;
      }
      if (isDirectory) {
        const real = await realpath(contentPath);
        if (ancestors.has(real)) {
          throw new MCPSealError('ARCHIVE_SOURCE_UNSUPPORTED_FILE', `${name} is a symlink cycle`, { details: { path } });
        }
        await walk(contentPath, `${matchName}`, new Set([...ancestors, real]));
        continue;
      }
      if (!info.isFile()) {
        throw new MCPSealError('ARCHIVE_SOURCE_UNSUPPORTED_FILE', `${name} is not a regular file (device, FIFO or socket)`, {
          details: { path },
        });
      }
      checkName(name, limits, keys);
      files.push({ name, path: contentPath, size: info.size, executable: (info.mode & 0o111) !== 0 });
      if (files.length > limits.maxEntries) {
        throw new MCPSealError('ARCHIVE_TOO_MANY_ENTRIES', `the tree has more than ${limits.maxEntries} files`, {
          details: { limit: 'maxEntries' },
        });
      }
    }
  };
  await walk(realRoot, '', new Set([realRoot]));
  files.sort((a, b) => Buffer.compare(Buffer.from(a.name), Buffer.from(b.name)));
  return { files, excluded };
}

/** A symlink may be packed (as the file it names) only when its target is inside the tree. */
async function resolveInTree(path: string, name: string, realRoot: string): Promise<string> {
  let target: string;
  try {
    target = await realpath(path);
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

function checkName(name: string, limits: Pick<ArchiveLimits, 'maxPathLength' | 'maxPathDepth'>, keys: Map<string, string>): void {
  const problem = validateEntryName(name, limits);
  if (problem) throw new MCPSealError(problem.code, `cannot pack "${name}": ${problem.reason}`, { details: { entry: name } });
  const key = collisionKey(name);
  const other = keys.get(key);
  if (other !== undefined) {
    throw new MCPSealError('ARCHIVE_NAME_COLLISION', `cannot pack both "${other}" and "${name}": they are one file on case-insensitive file systems`, {
      details: { entry: name, found: other },
    });
  }
  keys.set(key, name);
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
