// The store and lockfile options every command on installed bundles takes (install, list, remove,
// run, tools, client-config). Apart from install.ts so that `run`, whose start-up time is a bar
// (README "Launch latency"), does not load install's policy and verification options.

import type { Parsed } from './args.ts';
import type { CommandContext } from './command.ts';

export const STORE_OPTIONS = {
  store: { type: 'string' },
  lock: { type: 'string' },
} as const;

export const STORE_HELP = `Store and lockfile:
  --store DIR   the store (default: \${XDG_DATA_HOME:-~/.local/share}/mcpseal)
  --lock FILE   the lockfile (default: <store>/mcpseal.lock.json); a project-level lock to commit`;

export async function storeOf(values: Parsed['values'], context: CommandContext): Promise<{ store: string; lock?: string }> {
  const { defaultStoreDir } = await import('../install/store-dir.ts');
  const store = typeof values['store'] === 'string' ? values['store'] : defaultStoreDir(context.env, context.env['HOME'] || undefined);
  return { store, ...(typeof values['lock'] === 'string' ? { lock: values['lock'] } : {}) };
}
