// Where the store lives by default: a module of its own so that run, list, tools and
// client-config find the store without loading the install and verification stack.

import { homedir } from 'node:os';
import { join } from 'node:path';

/** `${XDG_DATA_HOME:-~/.local/share}/mcpseal` for the given environment. */
export function defaultStoreDir(env: NodeJS.ProcessEnv, home: string = homedir()): string {
  const data = env['XDG_DATA_HOME'];
  return join(data !== undefined && data.startsWith('/') ? data : join(home, '.local', 'share'), 'mcpseal');
}
