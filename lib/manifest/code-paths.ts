// Where the code a runtime is told to load comes from (issue 10, item 4): a file of the signed
// bundle (`${__dirname}/...`, normalised and kept inside), a built-in module, or somewhere else.
// "Somewhere else" is code nobody signed: a path outside the bundle, a package name resolved from
// the host's working directory (`--require dotenv/config` resolves from the cwd, Node.js "--require
// module"; `--import` resolves against the cwd, Node.js "--import module"), or a relative script
// path, which the host's working directory decides (Claude Desktop, for one, does not promise it).

import { bundlePath } from './paths.ts';

export type CodeSource =
  /** A file of the bundle. */
  | 'bundle'
  /** A runtime's built-in module (`node:fs`). */
  | 'builtin'
  /** Code itself or fetched: `data:`, `http(s):`, `npm:`, `jsr:`... */
  | 'remote'
  /** A relative path or a bare name: resolved against the host's working directory. */
  | 'working-directory'
  /** An absolute path or another variable: a file that is not the bundle's. */
  | 'outside';

/** Where a module specifier or script path loads code from. */
export function codeSource(specifier: string): CodeSource {
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]+):/u.exec(specifier)?.[1]?.toLowerCase();
  // A one-letter scheme is a Windows drive (C:\x), not a URL.
  if (scheme !== undefined && scheme.length > 1) {
    if (scheme === 'node') return 'builtin';
    if (scheme !== 'file') return 'remote';
    return codeSource(specifier.replace(/^file:(?:\/\/(?=\$\{))?/iu, ''));
  }
  const located = bundlePath(specifier);
  if (located !== null) return located.inside && located.path !== '' ? 'bundle' : 'outside';
  if (/^(?:[\\/]|[A-Za-z]:[\\/]|~|\$\{)/u.test(specifier)) return 'outside';
  return 'working-directory';
}
