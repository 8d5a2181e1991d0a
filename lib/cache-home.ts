// Where mcpseal keeps what it may recompute: `$XDG_CACHE_HOME/mcpseal` (when absolute, as the XDG
// base directory specification requires) or `~/.cache/mcpseal`. One rule for every cache: the
// bwrap probe (launch/machine.ts) and the CLI's code caches (cli/code-cache.ts).

import { isAbsolute, join } from 'node:path';

/** mcpseal's cache directory for `env` and the home directory `home`; null when neither gives an absolute path. */
export function cacheHome(env: Readonly<Record<string, string | undefined>>, home: string | undefined): string | null {
  const xdg = env['XDG_CACHE_HOME'];
  if (xdg !== undefined && isAbsolute(xdg)) return join(xdg, 'mcpseal');
  return home !== undefined && isAbsolute(home) ? join(home, '.cache', 'mcpseal') : null;
}
