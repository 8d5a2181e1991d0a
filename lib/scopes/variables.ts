// The resolution of scope paths (`${HOME}/notes`, `${user_config.KEY}`) to concrete paths for one
// installation, and symbolic containment. The variables' syntax is lib/manifest/variables.ts.

import { posix, win32 } from 'node:path';
import { MCPSealError } from '../errors.ts';
import { REFERENCE, withSeparators } from '../manifest/variables.ts';

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
    for (const match of declared.matchAll(REFERENCE)) {
      const before = rest.slice(0, rest.indexOf(match[0]));
      rest = rest.slice(before.length + match[0].length);
      const name = match[1]!;
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
 * Whether `inner` lies inside (or is) `outer`, both in the symbolic form used in manifests
 * (`${HOME}/projects`): compared segment by segment after normalising separators, so
 * `${HOME}/projects-old` is not inside `${HOME}/projects`.
 */
export function symbolicPathWithin(inner: string, outer: string): boolean {
  const split = (text: string): string[] => {
    const normalised = withSeparators(text);
    const segments = normalised.split(/[\\/]+/u).filter((segment) => segment !== '' && segment !== '.');
    return /^[\\/]/u.test(normalised) ? ['', ...segments] : segments;
  };
  const a = split(inner);
  const b = split(outer);
  // A ".." could climb out of the scope it appears to be in: never "within".
  if (a.includes('..') || b.includes('..') || b.length > a.length) return false;
  return b.every((segment, index) => segment === a[index]);
}
