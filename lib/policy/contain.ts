// Scope containment (DESIGN.md "Install policy"): every declared scope must lie within the
// policy's maxScopes, and an absent maxScopes key grants nothing. Pure; each excess is reported
// with the JSON Pointer of the declared scope, in manifest order.
//   paths      segment-wise inside a policy path or the same variable (`${HOME}/notes` is inside
//              `${HOME}`, `${HOME}/notes-old` is not inside `${HOME}/notes`); `${user_config.*}`
//              covers any user_config variable, its `:parent` form included; a write path must
//              lie within a write path, a read path within a read or a write path
//   hosts      exact name, or a policy `*.example.com` over names below example.com; every
//              declared port must be granted for that host
//   spawn      by executable name (the last path segment), against name globs
//   env        names against name globs
//   booleans   (listen, workers, native_addons) may not exceed
//   roots/cwd  none < read < write
//   userDriven allowed only when maxScopes.network.userDriven is true or lists every declared port

import type { Grant, Scopes } from '../scopes/model.ts';
import { symbolicPathWithin, symbolicSegments } from '../scopes/variables.ts';
import type { MaxScopes, ScopeExcess } from './model.ts';
import { ANY_USER_CONFIG, anyGlobMatches, hostCovers, parseHostPattern, type HostPattern } from './patterns.ts';

type Excess = (pointer: string, message: string) => void;

const GRANT_RANK: Record<Grant, number> = { none: 0, read: 1, write: 2 };

/** Every declared scope of `scopes` (at `base`, a JSON Pointer) that exceeds `max`. */
export function scopeExcesses(scopes: Scopes, max: MaxScopes, base: string): ScopeExcess[] {
  const found: ScopeExcess[] = [];
  const excess: Excess = (pointer, message) => found.push({ pointer: `${base}${pointer}`, message });
  checkPaths(scopes, max, excess);
  checkNetwork(scopes, max, excess);
  checkProcess(scopes, max, excess);
  checkEnv(scopes, max, excess);
  return found;
}

/** Whether the declared path lies within the policy path. */
export function pathWithin(declared: string, allowed: string): boolean {
  if (allowed === ANY_USER_CONFIG) return symbolicSegments(declared)?.[0]?.startsWith('${user_config.') === true;
  return symbolicPathWithin(declared, allowed);
}

function checkPaths(scopes: Scopes, max: MaxScopes, excess: Excess): void {
  const { filesystem } = scopes;
  const readable = [...max.filesystem.read, ...max.filesystem.write];
  filesystem.read.forEach((path, index) => {
    if (!readable.some((allowed) => pathWithin(path, allowed))) excess(`/filesystem/read/${index}`, `reading "${path}" is not within maxScopes.filesystem.read or write`);
  });
  filesystem.write.forEach((path, index) => {
    if (!max.filesystem.write.some((allowed) => pathWithin(path, allowed))) excess(`/filesystem/write/${index}`, `writing "${path}" is not within maxScopes.filesystem.write`);
  });
  for (const key of ['roots', 'cwd'] as const) {
    const declared = filesystem[key] ?? 'none';
    if (GRANT_RANK[declared] > GRANT_RANK[max.filesystem[key]]) excess(`/filesystem/${key}`, `filesystem.${key} "${declared}" exceeds the policy's "${max.filesystem[key]}"`);
  }
}

function checkNetwork(scopes: Scopes, max: MaxScopes, excess: Excess): void {
  const allowed = max.network.egress.map(parseHostPattern).filter((pattern): pattern is HostPattern => typeof pattern !== 'string');
  scopes.network.egress.forEach((rule, index) => {
    const refused = rule.ports.filter((port) => !allowed.some((pattern) => pattern.port === port && hostCovers(pattern.host, rule.host)));
    if (refused.length > 0) excess(`/network/egress/${index}`, `egress to ${rule.host} on port${refused.length === 1 ? '' : 's'} ${refused.join(', ')} is not within maxScopes.network.egress`);
  });
  if (scopes.network.listen && !max.network.listen) excess('/network/listen', 'listening for connections is not allowed by maxScopes.network.listen');
  const userDriven = scopes.network.userDriven;
  if (userDriven !== undefined) {
    const grant = max.network.userDriven;
    const refused = grant === true ? [] : grant === false ? userDriven.ports : userDriven.ports.filter((port) => !grant.ports.includes(port));
    if (grant === false || refused.length > 0) {
      excess('/network/userDriven', `egress to hosts the user picks${grant === false ? '' : ` on port${refused.length === 1 ? '' : 's'} ${refused.join(', ')}`} is not allowed by maxScopes.network.userDriven`);
    }
  }
}

function checkProcess(scopes: Scopes, max: MaxScopes, excess: Excess): void {
  scopes.process.spawn.forEach((command, index) => {
    const name = command.split(/[\\/]/u).pop() ?? command;
    if (!anyGlobMatches(max.process.spawn, name)) excess(`/process/spawn/${index}`, `starting "${command}" is not allowed by maxScopes.process.spawn`);
  });
  for (const key of ['workers', 'native_addons'] as const) {
    if (scopes.process[key] && !max.process[key]) excess(`/process/${key}`, `process.${key} is not allowed by maxScopes.process.${key}`);
  }
}

function checkEnv(scopes: Scopes, max: MaxScopes, excess: Excess): void {
  for (const key of ['read', 'secrets'] as const) {
    scopes.env[key].forEach((name, index) => {
      if (!anyGlobMatches(max.env[key], name)) excess(`/env/${key}/${index}`, `env ${key === 'read' ? 'variable' : 'secret'} "${name}" is not allowed by maxScopes.env.${key}`);
    });
  }
}
