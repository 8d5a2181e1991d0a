// The resolution of scope paths (`${HOME}/notes`, `${user_config.KEY}`) to concrete paths for one
// installation, and symbolic containment. The variables' syntax is lib/manifest/variables.ts.

import { posix, win32 } from 'node:path';
import { MCPSealError } from '../errors.ts';
import { parentOptionKey, referenceMatches, symbolicSegments } from '../manifest/variables.ts';
import { runtimeGrants, type RuntimeGrants, type Scopes } from './model.ts';

export { symbolicSegments } from '../manifest/variables.ts';

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
 * `${user_config.KEY:parent}` resolves to the directory holding each value of the file option.
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
  const replacementsOf = (name: string, declared: string): string[] => {
    if (values.has(name)) return [values.get(name)!];
    if (!name.startsWith('user_config.')) {
      throw new MCPSealError('SCOPE_UNKNOWN_VARIABLE', `unknown variable \${${name}} in scope path "${declared}"`, { details: { found: name } });
    }
    const parentOf = parentOptionKey({ name, userConfigKey: name.slice('user_config.'.length) });
    const value = answers.get(parentOf ?? name.slice('user_config.'.length));
    const answered = value === undefined ? [] : Array.isArray(value) ? value : [String(value)];
    return parentOf === null ? answered : answered.map((answer) => path.dirname(answer));
  };
  return entries.map((declared) => resolveOne(declared, path, replacementsOf));
}

function resolveOne(declared: string, path: typeof posix, replacementsOf: (name: string, declared: string) => string[]): ResolvedPath {
  let expansions: string[] = [''];
  let rest = declared;
  for (const match of referenceMatches(declared)) {
    const before = rest.slice(0, rest.indexOf(match.text));
    rest = rest.slice(before.length + match.text.length);
    const replacements = replacementsOf(match.name, declared);
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
}

/** What a scopes block grants on one machine: concrete read and write paths, and the grants only the run time knows. */
export interface ResolvedScopes {
  read: ResolvedPath[];
  write: ResolvedPath[];
  /**
   * MCP roots, the working directory and user-driven egress: granted at run time, so they are
   * reported as grants for an installer, policy or sandbox to treat explicitly, never as paths.
   */
  runtime: RuntimeGrants;
}

/** Resolves a whole (schema-valid) scopes block for one installation. */
export function resolveScopes(scopes: Scopes, context: ResolveContext): ResolvedScopes {
  return {
    read: resolveScopePaths(scopes.filesystem.read, context),
    write: resolveScopePaths(scopes.filesystem.write, context),
    runtime: runtimeGrants(scopes),
  };
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
