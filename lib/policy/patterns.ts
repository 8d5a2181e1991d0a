// The patterns a policy is written in, parsed and matched: name globs (`acme-*`), egress host
// patterns (`*.acme.com:443`, `127.0.0.1:5432`, `[::1]:5432`), scope paths (`${HOME}/notes`,
// `${user_config.*}`). Parsing returns a reason (for POLICY_INVALID) or null; matching is pure.

import { egressHostProblem } from '../scopes/hosts.ts';
import { symbolicSegments } from '../scopes/variables.ts';
import { isPathVariable, variableReferences } from '../manifest/variables.ts';

/** Characters a name glob may hold: manifest names and env keys, plus `*`. */
const GLOB = /^[A-Za-z0-9._@/*-]+$/u;

/** Why `glob` is not a name glob, or null. Only `*` is special (any run of characters). */
export function globProblem(glob: string): string | null {
  if (!GLOB.test(glob)) return `"${glob}" is not a name glob: only letters, digits, ".", "_", "-", "@", "/" and "*" are allowed`;
  if (glob.includes('**')) return `"${glob}" has "**": one "*" already matches any run of characters`;
  return null;
}

/** Whether `name` matches `glob` (`*` = any run of characters, everything else exact). */
export function globMatches(glob: string, name: string): boolean {
  const parts = glob.split('*');
  if (parts.length === 1) return glob === name;
  const first = parts[0]!;
  const last = parts[parts.length - 1]!;
  if (!name.startsWith(first) || name.length < first.length + last.length || !name.endsWith(last)) return false;
  // Greedy left to right over the middle parts: the earliest match leaves the most room (linear).
  let at = first.length;
  const end = name.length - last.length;
  for (const part of parts.slice(1, -1)) {
    const found = name.indexOf(part, at);
    if (found < 0 || found + part.length > end) return false;
    at = found + part.length;
  }
  return true;
}

export function anyGlobMatches(globs: readonly string[], name: string): boolean {
  return globs.some((glob) => globMatches(glob, name));
}

/** An egress host pattern: the host (lower case, maybe `*.`-prefixed, IPv6 in brackets) and its port. */
export interface HostPattern {
  host: string;
  port: number;
}

/** Parses `host:port`; a reason string when it does not parse. */
export function parseHostPattern(text: string): HostPattern | string {
  const match = /^(\[[0-9A-Fa-f:.]+\]|[^:[\]]+):(\d{1,5})$/u.exec(text);
  if (!match) return `"${text}" is not host:port (the port is explicit: "*.example.com:443", "[::1]:5432")`;
  const host = match[1]!.toLowerCase();
  const port = Number(match[2]);
  if (port < 1 || port > 65535) return `"${text}" has port ${port}, outside 1-65535`;
  if (!host.startsWith('[') && !/^(?:\*\.)?[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?$/u.test(host)) return `"${text}" does not name a host (one leading "*." label at most)`;
  const problem = egressHostProblem(host);
  if (problem !== null) return `"${text}" cannot be granted: ${problem.why}`;
  return { host, port };
}

/**
 * Whether the policy host covers the declared host: the same name, or a policy `*.example.com`
 * covering any name below example.com (`a.example.com`, `a.b.example.com`, and a declared
 * `*.a.example.com`), never example.com itself. A declared wildcard is only covered by a policy
 * wildcard at or above it.
 */
export function hostCovers(policyHost: string, declaredHost: string): boolean {
  const declared = declaredHost.toLowerCase();
  if (policyHost === declared) return true;
  if (!policyHost.startsWith('*.')) return false;
  const base = policyHost.slice(1); // ".example.com"
  const name = declared.startsWith('*.') ? declared.slice(1) : declared;
  return name.endsWith(base) && name.length > base.length;
}

/** The one wildcard path form: any user_config variable (directory, file, or its :parent). */
export const ANY_USER_CONFIG = '${user_config.*}';

/** Why `path` cannot be a maxScopes path, or null. */
export function scopePathProblem(path: string): string | null {
  if (path === ANY_USER_CONFIG) return null;
  if (path.includes('*')) return `"${path}": the only wildcard path is ${ANY_USER_CONFIG}, alone`;
  if (symbolicSegments(path) === null) return `"${path}" climbs with ".."`;
  if (!/^(?:\$\{|\/)/u.test(path)) return `"${path}" is relative: start it with a variable such as \${HOME} or make it absolute`;
  for (const reference of variableReferences(path)) {
    if (reference.userConfigKey === null && !isPathVariable(reference.name) && reference.name !== '/') return `"${path}": \${${reference.name}} is not a path variable`;
  }
  return null;
}
