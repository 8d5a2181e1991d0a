// The resolution of scope paths (`${HOME}/notes`, `${user_config.KEY}`) to concrete paths for one
// installation, and symbolic containment. The variables' syntax is lib/manifest/variables.ts.

import { posix, win32 } from 'node:path';
import { MCPSealError } from '../errors.ts';
import { referenceMatches, withSeparators } from '../manifest/variables.ts';

export type Platform = 'darwin' | 'win32' | 'linux';

export interface ResolveContext {
  platform: Platform;
  /** The directory the bundle is installed in: `${__dirname}`. */
  installDir: string;
  home: string;
  /** Defaults: `<home>/Desktop`, `<home>/Documents`, `<home>/Downloads`. */
  desktop?: string;
  documents?: string;
  downloads?: string;
  /** The user's answers to `user_config`; a `multiple` option has an array. */
  userConfig?: Record<string, string | number | boolean | string[]>;
}

export interface ResolvedPath {
  /** The scope entry as declared. */
  declared: string;
  /** Concrete absolute paths (several for a `multiple` option; none when the option is unset). */
  paths: string[];
}

/**
 * Resolves scope path entries to concrete, normalised absolute paths for one installation.
 * Unknown variables and relative results are errors: a scope must never widen silently.
 */
export function resolveScopePaths(entries: readonly string[], context: ResolveContext): ResolvedPath[] {
  const path = context.platform === 'win32' ? win32 : posix;
  // Maps, not plain objects: `${constructor}` or `${user_config.toString}` must not find Object.prototype.
  const values = new Map<string, string>([
    ['__dirname', context.installDir],
    ['HOME', context.home],
    ['DESKTOP', context.desktop ?? path.join(context.home, 'Desktop')],
    ['DOCUMENTS', context.documents ?? path.join(context.home, 'Documents')],
    ['DOWNLOADS', context.downloads ?? path.join(context.home, 'Downloads')],
    ['/', path.sep],
    ['pathSeparator', path.sep],
  ]);
  const answers = new Map(Object.entries(context.userConfig ?? {}));
  return entries.map((declared) => {
    let expansions: string[] = [''];
    let rest = declared;
    for (const match of referenceMatches(declared)) {
      const before = rest.slice(0, rest.indexOf(match.text));
      rest = rest.slice(before.length + match.text.length);
      const name = match.name;
      let replacements: string[];
      if (name.startsWith('user_config.')) {
        const value = answers.get(name.slice('user_config.'.length));
        if (value === undefined) replacements = [];
        else if (Array.isArray(value)) replacements = value;
        else replacements = [String(value)];
      } else if (values.has(name)) {
        replacements = [values.get(name)!];
      } else {
        throw new MCPSealError('SCOPE_UNKNOWN_VARIABLE', `unknown variable \${${name}} in scope path "${declared}"`, {
          details: { found: name },
        });
      }
      expansions = expansions.flatMap((prefix) => replacements.map((value) => prefix + before + value));
    }
    const paths = expansions.map((prefix) => prefix + rest).filter((candidate) => candidate !== '');
    for (const candidate of paths) {
      if (!path.isAbsolute(candidate)) {
        throw new MCPSealError('SCOPE_RELATIVE_PATH', `scope path "${declared}" resolves to the relative path "${candidate}"`, {
          details: { found: candidate },
        });
      }
    }
    return { declared, paths: [...new Set(paths.map((candidate) => path.normalize(candidate)))] };
  });
}

/**
 * The segments of a path in the symbolic form used in manifests (`${HOME}/projects`), separators
 * normalised, empty and `.` segments dropped, a leading root kept as an empty first segment; null
 * when a ".." could climb out of whatever scope the path appears to be in.
 */
export function symbolicSegments(text: string): string[] | null {
  const normalised = withSeparators(text);
  const segments = normalised.split(/[\\/]+/u).filter((segment) => segment !== '' && segment !== '.');
  if (segments.includes('..')) return null;
  return /^[\\/]/u.test(normalised) ? ['', ...segments] : segments;
}

/**
 * Whether `inner` lies inside (or is) `outer`, both in the symbolic form used in manifests
 * (`${HOME}/projects`): compared segment by segment after normalising separators, so
 * `${HOME}/projects-old` is not inside `${HOME}/projects`. A ".." in either is never "within".
 */
export function symbolicPathWithin(inner: string, outer: string): boolean {
  const a = symbolicSegments(inner);
  const b = symbolicSegments(outer);
  if (a === null || b === null || b.length > a.length) return false;
  return b.every((segment, index) => segment === a[index]);
}

interface SegmentNode {
  end: boolean;
  children: Map<string, SegmentNode>;
}

/**
 * A set of scope paths that answers `symbolicPathWithin(path, any of them)` in time linear in the
 * path (a trie of segments), so checking many passed paths against many scopes stays linear.
 */
export class ScopePathSet {
  readonly #root: SegmentNode = { end: false, children: new Map() };

  constructor(paths: Iterable<string> = []) {
    for (const path of paths) this.add(path);
  }

  add(path: string): void {
    const segments = symbolicSegments(path);
    if (segments === null) return;
    let node = this.#root;
    for (const segment of segments) {
      let child = node.children.get(segment);
      if (child === undefined) node.children.set(segment, (child = { end: false, children: new Map() }));
      node = child;
    }
    node.end = true;
  }

  /** Whether `path` lies inside (or is) one of the paths in the set. */
  covers(path: string): boolean {
    const segments = symbolicSegments(path);
    if (segments === null) return false;
    let node: SegmentNode | undefined = this.#root;
    for (const segment of segments) {
      if (node.end) return true;
      node = node.children.get(segment);
      if (node === undefined) return false;
    }
    return node.end;
  }
}
