// Python evidence (dependencies.ts): requirements files (pip's format: `==` pins, `--hash`
// options, index options), uv.lock, poetry.lock and Pipfile.lock (what they pin and whether each
// package carries a hash), pyproject.toml's declared dependencies and the bundled *.dist-info
// names; and a server launched by `uv`/`uvx` with nothing hashed to hold it to (issue 13: "a
// `uv` server without a hashed lock"). TOML is read line by line, only for the few keys needed.

import { dependencyFinding, listed, objectAt, stringAt, type DependencyFiles, type DependencyFinding, type TextFile } from './deps-model.ts';

/** Dependency folders: their files are what was installed, not what the project declares. */
const INSTALLED = /(?:^|\/)(?:site-packages|dist-packages|\.venv|venv|node_modules)\//u;
const REQUIREMENTS = /(?:^|\/)requirements[^/]*\.(?:txt|in)$/u;
const PINNED = /^===?\s*[^\s,;*]+$/u;
const HASH = /--hash[=\s]+(?:sha256|sha384|sha512):[0-9a-f]{32,}/iu;
const PYPI = /^https:\/\/(?:pypi\.org|files\.pythonhosted\.org)\//u;
/** Most findings of one code from one requirements file. */
const MAX_PER_FILE = 20;

interface LockPackage {
  name: string;
  version?: string;
  hashed: boolean;
  /** registry, git, url, path, editable, virtual, directory; undefined when not stated. */
  source?: string;
  sourceUrl?: string;
  offset: number;
}

/** Every Python finding for the bundle; `launcher` is the manifest's command when it is uv or uvx. */
export async function checkPython(files: DependencyFiles, launcher: { command: string; args: readonly string[] } | undefined): Promise<void> {
  const declaring = files.paths.filter((path) => !INSTALLED.test(path));
  let hashedLock = false;
  let anyLock = false;
  let declared = false;
  for (const path of declaring) {
    const base = path.split('/').at(-1)!;
    if (REQUIREMENTS.test(path)) {
      const file = await files.text(path);
      if (file === undefined) continue;
      declared = true;
      const complete = checkRequirements(files, file);
      anyLock ||= complete;
      hashedLock ||= complete;
    } else if (base === 'uv.lock' || base === 'poetry.lock') {
      const file = await files.text(path);
      if (file === undefined) continue;
      anyLock = true;
      const packages = tomlLockPackages(file.text, base === 'poetry.lock');
      const allHashed = reportLock(files, file, packages);
      if (base === 'uv.lock') hashedLock ||= allHashed;
    } else if (base === 'Pipfile.lock') {
      anyLock = true;
      await checkPipfileLock(files, path);
    } else if (/^pylock(?:\.[^/]+)?\.toml$/u.test(base)) {
      anyLock = true;
      files.findings.push(dependencyFinding('DEP_LOCK_UNCHECKED', 'low', `${path} is bundled; mcpseal does not read this format yet: its pins and hashes are not checked`, { path }, { ecosystem: 'pypi' }));
    } else if (base === 'pyproject.toml') {
      const file = await files.text(path);
      if (file !== undefined) declared = pyprojectDependencies(files, file) > 0 || declared;
    }
  }
  distInfoNames(files);
  if (launcher !== undefined) checkUvLauncher(files, launcher, hashedLock);
  else if (declared && !anyLock) {
    files.findings.push(dependencyFinding('DEP_LOCK_ABSENT', 'medium', 'Python dependencies are declared and no lock (uv.lock, poetry.lock, Pipfile.lock, or a requirements file pinned with hashes) holds them', { path: declaring.find((path) => REQUIREMENTS.test(path) || path.endsWith('pyproject.toml')) ?? '.' }, { ecosystem: 'pypi' }));
  }
}

/** One requirements file; true when every requirement is pinned with `==` and hashed (pip's --require-hashes mode). */
function checkRequirements(files: DependencyFiles, file: TextFile): boolean {
  const unpinned: string[] = [];
  const unhashed: string[] = [];
  let requirements = 0;
  // A hostile file of a million URL lines gives a bounded list, not a million findings.
  const perCode = new Map<string, number>();
  const push = (finding: DependencyFinding): void => {
    const count = (perCode.get(finding.code) ?? 0) + 1;
    perCode.set(finding.code, count);
    if (count <= MAX_PER_FILE) files.findings.push(finding);
  };
  for (const { text: logical, offset } of logicalLines(file.text)) {
    const line = logical.replace(/(?:^|\s)#.*$/u, '').trim();
    if (line === '') continue;
    if (line.startsWith('-')) {
      requirementOption(push, file, line, offset);
      continue;
    }
    const match = /^([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*(.*)$/u.exec(line);
    if (match === null || /^(?:git\+|hg\+|svn\+|bzr\+|https?:|file:)/iu.test(line)) {
      push(dependencyFinding('DEP_NOT_REGISTRY', 'medium', `a requirement installs from a URL or a repository, not the package index: ${line.slice(0, 200)}`, file.evidenceAt(offset), { ecosystem: 'pypi' }));
      continue;
    }
    requirements += 1;
    const name = match[1]!;
    const rest = match[2]!;
    files.lookalike(name, 'pypi', file.evidenceAt(offset));
    if (/^@\s*\S/u.test(rest)) {
      push(dependencyFinding('DEP_NOT_REGISTRY', 'medium', `${name} installs from a URL, not the package index: ${rest.slice(0, 200)}`, file.evidenceAt(offset), { ecosystem: 'pypi', package: name }));
      continue;
    }
    const spec = rest.replace(/--hash[=\s]+\S+/giu, '').replace(/;.*$/u, '').trim();
    if (!PINNED.test(spec)) unpinned.push(`${name}${spec === '' ? '' : ` ${spec}`}`);
    if (!HASH.test(rest)) unhashed.push(name);
  }
  if (unpinned.length > 0) files.findings.push(dependencyFinding('DEP_UNPINNED', 'medium', `${file.path}: ${unpinned.length} requirements are not pinned to one version with ==: ${listed(unpinned)}`, file.evidenceAt(unpinned[0]!.split(' ')[0]), { ecosystem: 'pypi' }));
  if (unhashed.length > 0) files.findings.push(dependencyFinding('DEP_NO_INTEGRITY', unhashed.length === requirements ? 'medium' : 'high', `${file.path}: ${unhashed.length} of ${requirements} requirements carry no --hash, so pip installs whatever the index serves: ${listed(unhashed)}`, file.evidenceAt(unhashed[0]), { ecosystem: 'pypi' }));
  else if (requirements > 0) files.findings.push(dependencyFinding('DEP_LOCK_PRESENT', 'info', `${file.path}: ${requirements} requirements, every one with a --hash${unpinned.length === 0 ? ' and pinned with ==' : ''}`, { path: file.path }, { ecosystem: 'pypi' }));
  return requirements > 0 && unpinned.length === 0 && unhashed.length === 0;
}

/** pip's logical lines: a line ending in a backslash continues on the next; each with the offset it starts at. */
function logicalLines(text: string): Array<{ text: string; offset: number }> {
  const out: Array<{ text: string; offset: number }> = [];
  let start = 0;
  let pending = '';
  let pendingOffset = 0;
  while (start <= text.length) {
    const end = text.indexOf('\n', start);
    const physical = text.slice(start, end < 0 ? text.length : end).replace(/\r$/u, '');
    if (pending === '') pendingOffset = start;
    if (physical.endsWith('\\')) pending += `${physical.slice(0, -1)} `;
    else {
      out.push({ text: pending + physical, offset: pendingOffset });
      pending = '';
    }
    if (end < 0) break;
    start = end + 1;
  }
  if (pending !== '') out.push({ text: pending, offset: pendingOffset });
  return out;
}

/** pip options in a requirements file that change where packages come from. */
function requirementOption(push: (finding: DependencyFinding) => void, file: TextFile, line: string, offset: number): void {
  if (/^--extra-index-url\b/u.test(line)) {
    push(dependencyFinding('DEP_EXTRA_INDEX', 'high', `${file.path} adds a second package index: pip takes a name from whichever index offers the highest version, so anyone can shadow a private package on the public one (${line.slice(0, 200)})`, file.evidenceAt(offset), { ecosystem: 'pypi' }));
  } else if (/^(?:-i|--index-url)\b/u.test(line) && !/pypi\.org\/simple/u.test(line)) {
    push(dependencyFinding('DEP_NOT_REGISTRY', 'low', `${file.path} installs from another index: ${line.slice(0, 200)}`, file.evidenceAt(offset), { ecosystem: 'pypi' }));
  } else if (/^(?:-f|--find-links|-e|--editable)\b/u.test(line)) {
    push(dependencyFinding('DEP_NOT_REGISTRY', 'medium', `${file.path} installs from a link or a local path: ${line.slice(0, 200)}`, file.evidenceAt(offset), { ecosystem: 'pypi' }));
  }
}

/** The [[package]] tables of uv.lock or poetry.lock (and poetry's older [metadata.files] hashes). */
function tomlLockPackages(text: string, poetry: boolean): LockPackage[] {
  const packages: LockPackage[] = [];
  const metadataHashed = new Set<string>();
  let current: LockPackage | undefined;
  let metadataName: string | undefined;
  let inMetadataFiles = false;
  let offset = 0;
  for (const line of text.split('\n')) {
    const lineOffset = offset;
    offset += line.length + 1;
    if (/^\[\[package\]\]\s*$/u.test(line)) {
      current = { name: '', hashed: false, offset: lineOffset };
      packages.push(current);
      inMetadataFiles = false;
      continue;
    }
    if (/^\[(?!package[.\]])/u.test(line)) {
      current = undefined;
      inMetadataFiles = /^\[metadata\.files\]/u.test(line);
      continue;
    }
    if (inMetadataFiles) {
      metadataName = /^"?([A-Za-z0-9._-]+)"?\s*=\s*\[/u.exec(line)?.[1] ?? metadataName;
      if (metadataName !== undefined && /hash\s*=\s*"sha\d+:/u.test(line)) metadataHashed.add(metadataName.toLowerCase());
      continue;
    }
    if (current !== undefined) readPackageLine(current, line, poetry);
  }
  for (const item of packages) if (metadataHashed.has(item.name.toLowerCase())) item.hashed = true;
  return packages.filter((item) => item.name !== '');
}

function readPackageLine(current: LockPackage, line: string, poetry: boolean): void {
  const key = /^(name|version)\s*=\s*"([^"]*)"/u.exec(line);
  if (key?.[1] === 'name' && current.name === '') current.name = key[2]!;
  else if (key?.[1] === 'version' && current.version === undefined) current.version = key[2]!;
  if (/hash\s*=\s*"sha\d+:[0-9a-f]+"/u.test(line)) current.hashed = true;
  const source = /^source\s*=\s*\{\s*(\w+)\s*=\s*"([^"]*)"/u.exec(line) ?? (poetry ? /^(type)\s*=\s*"(\w+)"/u.exec(line) : null);
  if (source) {
    current.source = source[1] === 'type' ? source[2]! : source[1]!;
    if (source[1] !== 'type') current.sourceUrl = source[2]!;
  }
  if (poetry && current.source !== undefined) {
    const url = /^url\s*=\s*"([^"]*)"/u.exec(line);
    if (url) current.sourceUrl = url[1]!;
  }
}

/** Reports one TOML lock; true when every package fetched from an index carries a hash. */
function reportLock(files: DependencyFiles, file: TextFile, packages: readonly LockPackage[]): boolean {
  // The project itself (uv: editable/virtual/directory) is the bundle's own code.
  const fetched = packages.filter((item) => !/^(?:editable|virtual|directory|path|file)$/u.test(item.source ?? ''));
  const unhashed = fetched.filter((item) => !item.hashed && !/^git$/u.test(item.source ?? ''));
  files.findings.push(dependencyFinding('DEP_LOCK_PRESENT', 'info', `${file.path}: ${fetched.length} packages pinned, ${fetched.length - unhashed.length} with a hash`, { path: file.path }, { ecosystem: 'pypi' }));
  if (unhashed.length > 0) files.findings.push(dependencyFinding('DEP_NO_INTEGRITY', 'medium', `${file.path}: ${unhashed.length} packages carry no hash: ${listed(unhashed.map((item) => item.name))}`, file.evidenceAt(unhashed[0]!.offset), { ecosystem: 'pypi', package: unhashed[0]!.name }));
  for (const item of fetched.slice(0, 5000)) {
    files.lookalike(item.name, 'pypi', file.evidenceAt(item.offset));
    const other = item.source === 'git' || item.source === 'url' || (item.sourceUrl !== undefined && /^(?:registry|legacy)$/u.test(item.source ?? '') && !PYPI.test(item.sourceUrl));
    if (other) files.findings.push(dependencyFinding('DEP_NOT_REGISTRY', item.source === 'git' || item.source === 'url' ? 'medium' : 'low', `${item.name} comes from ${item.source === 'git' ? 'a git repository' : item.source === 'url' ? 'a URL' : 'an index other than PyPI'}: ${(item.sourceUrl ?? '').slice(0, 200)}`, file.evidenceAt(item.offset), { ecosystem: 'pypi', package: item.name }));
  }
  return fetched.length > 0 && unhashed.length === 0;
}

async function checkPipfileLock(files: DependencyFiles, path: string): Promise<void> {
  const parsed = await files.json(path);
  if (parsed === undefined) return;
  const entries = [...Object.entries(objectAt(parsed.value, 'default')), ...Object.entries(objectAt(parsed.value, 'develop'))];
  const unhashed = entries.filter(([, entry]) => !Array.isArray((entry as Record<string, unknown> | null)?.['hashes']) || ((entry as Record<string, unknown[]>)['hashes']!.length === 0));
  files.findings.push(dependencyFinding('DEP_LOCK_PRESENT', 'info', `${path}: ${entries.length} packages pinned, ${entries.length - unhashed.length} with a hash`, { path }, { ecosystem: 'pypi' }));
  if (unhashed.length > 0) files.findings.push(dependencyFinding('DEP_NO_INTEGRITY', 'medium', `${path}: ${unhashed.length} packages carry no hash: ${listed(unhashed.map(([name]) => name))}`, parsed.file.evidenceAt(`"${unhashed[0]![0]}"`), { ecosystem: 'pypi', package: unhashed[0]![0] }));
  for (const [name, entry] of entries) {
    files.lookalike(name, 'pypi', parsed.file.evidenceAt(`"${name}"`));
    if (stringAt(entry, 'git') !== undefined || stringAt(entry, 'file') !== undefined || stringAt(entry, 'path') !== undefined) {
      files.findings.push(dependencyFinding('DEP_NOT_REGISTRY', 'medium', `${name} comes from a repository or a path, not the package index`, parsed.file.evidenceAt(`"${name}"`), { ecosystem: 'pypi', package: name }));
    }
  }
}

/** The names in pyproject.toml's `[project] dependencies = [...]`; returns how many. */
function pyprojectDependencies(files: DependencyFiles, file: TextFile): number {
  const start = /^dependencies\s*=\s*\[/mu.exec(file.text);
  if (start === null) return 0;
  const end = file.text.indexOf(']', start.index + start[0].length);
  const body = file.text.slice(start.index + start[0].length, end < 0 ? undefined : end);
  let count = 0;
  for (const match of body.matchAll(/["']([A-Za-z0-9][A-Za-z0-9._-]*)/gu)) {
    count += 1;
    files.lookalike(match[1]!, 'pypi', file.evidenceAt(start.index + start[0].length + match.index));
  }
  return count;
}

/** Installed distributions (`name-1.0.dist-info/`) bundled anywhere: their names. */
function distInfoNames(files: DependencyFiles): void {
  const seen = new Set<string>();
  for (const path of files.paths) {
    const match = /(?:^|\/)([A-Za-z0-9][A-Za-z0-9._]*)-[^/-]+\.(?:dist|egg)-info\//u.exec(path);
    if (match === null || seen.has(match[1]!)) continue;
    seen.add(match[1]!);
    files.lookalike(match[1]!, 'pypi', { path: path.slice(0, match.index + match[0].length - 1) });
  }
}

/** A manifest that launches the server with uv or uvx. */
function checkUvLauncher(files: DependencyFiles, launcher: { command: string; args: readonly string[] }, hashedLock: boolean): void {
  const evidence = { path: 'manifest.json' };
  const tool = launcher.command === 'uvx' || launcher.args[0] === 'tool';
  if (tool) {
    const spec = launcher.command === 'uvx' ? launcher.args.find((arg) => !arg.startsWith('-')) : launcher.args.slice(2).find((arg) => !arg.startsWith('-'));
    if (spec !== undefined && !/==[^=*]+$|@\d[\w.]*$/u.test(spec)) {
      files.findings.push(dependencyFinding('DEP_UNPINNED', 'high', `the server is launched as \`${launcher.command} ${spec}\`: uv downloads the newest ${spec} from the index at every launch`, evidence, { ecosystem: 'pypi', package: spec }));
    }
  }
  if (!hashedLock) {
    files.findings.push(dependencyFinding('DEP_UV_NO_HASHED_LOCK', 'high', `the server is launched by ${launcher.command} and no uv.lock (or hashed requirements file) with a hash for every package is bundled: uv resolves and downloads its dependencies at launch, unverified`, evidence, { ecosystem: 'pypi' }));
  }
}
