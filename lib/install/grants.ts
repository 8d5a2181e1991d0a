// What a server is granted on this machine, resolved at install (DESIGN.md "Install policy,
// store and lockfile"), and the comparison of two such grants when a name is reinstalled: an
// update that reaches further than what was recorded (a path outside the old ones, a new host or
// port, a switch turned on) is SCOPE_ESCALATION unless the installer accepts it.

import { realpathSync } from 'node:fs';
import { dirname, isAbsolute, relative, sep } from 'node:path';
import { resolveScopes, type Platform } from '../scopes/variables.ts';
import type { Grant, Scopes } from '../scopes/model.ts';
import type { LockGrants } from './lockfile.ts';

export interface GrantContext {
  platform: Platform;
  /** The store tree: `${__dirname}`. */
  installDir: string;
  home: string;
  userConfig: Record<string, string | number | boolean | string[]>;
}

/** Resolves a (validated) scopes block into the grants recorded in the lock. */
export function resolveGrants(scopes: Scopes, context: GrantContext): LockGrants {
  const resolved = resolveScopes(scopes, context);
  const paths = (list: typeof resolved.read): string[] => [...new Set(list.flatMap((entry) => entry.paths.map(realPath)))].sort();
  return {
    read: paths(resolved.read),
    write: paths(resolved.write),
    egress: [...new Set(scopes.network.egress.flatMap((rule) => rule.ports.map((port) => `${rule.host.includes(':') ? `[${rule.host}]` : rule.host}:${port}`)))].sort(),
    listen: scopes.network.listen,
    spawn: [...scopes.process.spawn].sort(),
    workers: scopes.process.workers,
    nativeAddons: scopes.process.native_addons,
    env: { read: [...scopes.env.read].sort(), secrets: [...scopes.env.secrets].sort() },
    runtime: resolved.runtime,
  };
}

/** The real path of `path`, or of its nearest existing ancestor with the rest appended (a path created later). */
function realPath(path: string): string {
  let rest = '';
  for (let current = path; ; current = dirname(current)) {
    try {
      const real = realpathSync(current);
      return rest === '' ? real : `${real}${real.endsWith(sep) ? '' : sep}${rest}`;
    } catch {
      const parent = dirname(current);
      if (parent === current) return path;
      rest = rest === '' ? current.slice(parent.length).replace(/^[\\/]/u, '') : `${current.slice(parent.length).replace(/^[\\/]/u, '')}${sep}${rest}`;
    }
  }
}

/** One way a new grant exceeds the recorded one. */
export interface Escalation {
  /** `filesystem.read`, `network.egress`, `process.workers`, ... */
  scope: string;
  /** The recorded grant, in words. */
  from: string;
  /** The new grant, in words. */
  to: string;
}

const RANK: Record<Grant, number> = { none: 0, read: 1, write: 2 };

/**
 * Every way `next` reaches further than `recorded` (empty when it stays within). `trees` names the
 * recorded version's store tree and the new one's: `${__dirname}` resolves to each version's own
 * tree, and the new tree in place of the old one is no escalation.
 */
export function grantEscalations(recorded: LockGrants, next: LockGrants, trees?: { previous: string; next: string }): Escalation[] {
  const found: Escalation[] = [];
  const rebase = (paths: readonly string[]): string[] =>
    trees === undefined ? [...paths] : paths.map((path) => (pathWithin(path, trees.previous) ? trees.next + path.slice(trees.previous.length) : path));
  const list = (items: readonly string[]): string => (items.length === 0 ? 'none' : items.join(', '));
  const outsidePaths = (scope: string, old: readonly string[], now: readonly string[]): void => {
    const added = now.filter((path) => !old.some((outer) => pathWithin(path, outer)));
    if (added.length > 0) found.push({ scope, from: list(old), to: `${list(now)} (new: ${added.join(', ')})` });
  };
  const newItems = (scope: string, old: readonly string[], now: readonly string[]): void => {
    const added = now.filter((item) => !old.includes(item));
    if (added.length > 0) found.push({ scope, from: list(old), to: `${list(now)} (new: ${added.join(', ')})` });
  };
  const flag = (scope: string, old: boolean, now: boolean): void => {
    if (now && !old) found.push({ scope, from: 'false', to: 'true' });
  };
  outsidePaths('filesystem.read', rebase(recorded.read), next.read);
  outsidePaths('filesystem.write', rebase(recorded.write), next.write);
  newItems('network.egress', recorded.egress, next.egress);
  flag('network.listen', recorded.listen, next.listen);
  newItems('process.spawn', recorded.spawn, next.spawn);
  flag('process.workers', recorded.workers, next.workers);
  flag('process.native_addons', recorded.nativeAddons, next.nativeAddons);
  newItems('env.read', recorded.env.read, next.env.read);
  newItems('env.secrets', recorded.env.secrets, next.env.secrets);
  for (const key of ['roots', 'cwd'] as const) {
    if (RANK[next.runtime[key]] > RANK[recorded.runtime[key]]) found.push({ scope: `filesystem.${key}`, from: recorded.runtime[key], to: next.runtime[key] });
  }
  const oldPorts = recorded.runtime.userDriven?.ports ?? [];
  const newPorts = next.runtime.userDriven?.ports ?? [];
  if (next.runtime.userDriven !== null && (recorded.runtime.userDriven === null || newPorts.some((port) => !oldPorts.includes(port)))) {
    found.push({ scope: 'network.userDriven', from: recorded.runtime.userDriven === null ? 'none' : `ports ${oldPorts.join(', ')}`, to: `ports ${newPorts.join(', ')}` });
  }
  return found;
}

/** `inner` is `outer` or lies below it, segment-wise (`/a/bc` is not inside `/a/b`). */
function pathWithin(inner: string, outer: string): boolean {
  const rel = relative(outer, inner);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}
