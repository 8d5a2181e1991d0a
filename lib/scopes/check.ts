// Scope declarations, "enforced" points 1 and 2 (DESIGN.md): required and schema-checked by the
// hardened profile, and consistent with what `mcp_config` actually runs.

import type { ErrorObject } from 'ajv';
import { validateScopes } from '../manifest/generated/manifest-validators.ts';
import { launchConfigs, launcherKind, type LaunchConfig } from '../manifest/command.ts';
import { pointer, type Finding } from '../manifest/findings.ts';
import { SCOPES_POINTER, scopesOf, type Scopes } from './model.ts';
import { PATH_VARIABLES, symbolicPathWithin, variableReferences } from './variables.ts';

/** Every code the scope checks report, with what it means (the README's table). */
export const SCOPE_CODES = {
  SCOPE_UNSUPPORTED_VERSION: 'a manifest older than 0.3, which has no _meta to hold scopes',
  SCOPE_MISSING: 'no _meta["dev.mcpseal"].scopes',
  SCOPE_SCHEMA: 'a scopes block that does not match schemas/scopes.schema.json',
  SCOPE_WILDCARD_HOST: 'an egress wildcard over a whole top-level domain',
  SCOPE_UNKNOWN_VARIABLE: 'a scope path with an unknown variable, or a user_config option that is not a directory or file',
  SCOPE_PATH_TRAVERSAL: 'a scope path with a ".." segment',
  SCOPE_RELATIVE_PATH: 'a scope path that is neither absolute nor rooted in a variable',
  SCOPE_PATH_OUTSIDE: 'a path passed in args or env that lies outside every filesystem scope',
  SCOPE_UNDECLARED_ENV: 'an env key set for the server but missing from env.read',
  SCOPE_SECRETS_MISMATCH: 'env.secrets not equal to the env keys that carry sensitive options, or a secret not in env.read',
  SCOPE_SPAWN_REQUIRED: 'a shell or run-time fetcher with an empty process.spawn',
  SCOPE_EGRESS_REQUIRED: 'a run-time fetcher with no network.egress',
  SCOPE_NATIVE_ADDONS: 'native code in the bundle (.node, .so, .dylib, .dll) with native_addons false',
} as const;

export interface ScopeContext {
  /** Names of the files in the bundle, when known (for native addon detection). */
  files?: ReadonlySet<string>;
}

/** Files that mean native code is loaded: Node addons and shared libraries. */
const NATIVE_CODE = /\.(node|so|dylib|dll)$|\.so\.\d+/u;

/** schemas/scopes.schema.json, compiled at build time (scripts/build-schemas.ts). */
const validateScopesSchema = validateScopes as { (data: unknown): boolean; errors?: ErrorObject[] | null };

/** The scope findings for `manifest`, of manifest version `version` (as detected). */
export function scopeFindings(manifest: Record<string, unknown>, version: string | null, context: ScopeContext = {}): Finding[] {
  const findings: Finding[] = [];
  const add = (code: string, at: string, message: string, severity: Finding['severity'] = 'error'): void => {
    findings.push({ code, severity, pointer: at, message });
  };
  if (version === '0.1' || version === '0.2') {
    add('SCOPE_UNSUPPORTED_VERSION', '/manifest_version', `manifest version ${version} has no _meta field, so it cannot declare scopes; use manifest_version 0.3 or later`);
    return findings;
  }
  const declared = scopesOf(manifest);
  if (declared === undefined) {
    add('SCOPE_MISSING', SCOPES_POINTER, 'no scope declarations: add _meta["dev.mcpseal"].scopes (draft one with `mcpseal scopes suggest`)');
    return findings;
  }
  if (!validateScopesSchema(declared)) {
    for (const error of validateScopesSchema.errors ?? []) {
      const extra = error.keyword === 'additionalProperties' ? pointer(String((error.params as { additionalProperty: string }).additionalProperty)) : '';
      const missing = error.keyword === 'required' ? pointer(String((error.params as { missingProperty: string }).missingProperty)) : '';
      add('SCOPE_SCHEMA', `${SCOPES_POINTER}${error.instancePath}${extra}${missing}`, error.message ?? 'does not match the scopes schema');
    }
    return findings;
  }
  const scopes = declared as Scopes;
  const options = userConfigOptions(manifest);
  checkHosts(scopes, add);
  checkScopePaths(scopes, options, add);
  for (const config of launchConfigs(manifest)) checkConsistency(scopes, config, options, add);
  checkSecrets(manifest, scopes, options, add);
  if (context.files && !scopes.process.native_addons) {
    const native = [...context.files].filter((name) => NATIVE_CODE.test(name));
    if (native.length > 0) {
      add('SCOPE_NATIVE_ADDONS', `${SCOPES_POINTER}/process/native_addons`, `the bundle ships native code (${native.slice(0, 3).join(', ')}${native.length > 3 ? ', ...' : ''}) but native_addons is false`);
    }
  }
  return findings;
}

type Add = (code: string, at: string, message: string, severity?: Finding['severity']) => void;

function userConfigOptions(manifest: Record<string, unknown>): Record<string, Record<string, unknown>> {
  const options = manifest['user_config'];
  if (typeof options !== 'object' || options === null || Array.isArray(options)) return {};
  return Object.fromEntries(
    Object.entries(options).filter((entry): entry is [string, Record<string, unknown>] => typeof entry[1] === 'object' && entry[1] !== null),
  );
}

/** No wildcard that covers a whole top-level domain (`*.com`); the schema already refuses a bare `*`. */
function checkHosts(scopes: Scopes, add: Add): void {
  scopes.network.egress.forEach((rule, index) => {
    if (rule.host.startsWith('*.') && !rule.host.slice(2).includes('.')) {
      add('SCOPE_WILDCARD_HOST', `${SCOPES_POINTER}/network/egress/${index}/host`, `"${rule.host}" covers a whole top-level domain`);
    }
  });
}

/** Scope paths start from a known place: a path variable, a directory/file option, or an absolute path. */
function checkScopePaths(scopes: Scopes, options: Record<string, Record<string, unknown>>, add: Add): void {
  for (const kind of ['read', 'write'] as const) {
    scopes.filesystem[kind].forEach((path, index) => {
      const at = `${SCOPES_POINTER}/filesystem/${kind}/${index}`;
      for (const reference of variableReferences(path)) {
        if (reference.userConfigKey !== null) {
          const type = options[reference.userConfigKey]?.['type'];
          if (type !== 'directory' && type !== 'file') {
            add('SCOPE_UNKNOWN_VARIABLE', at, `\${${reference.name}} is not a directory or file option of user_config`);
          }
        } else if (!(PATH_VARIABLES as readonly string[]).includes(reference.name) && reference.name !== '/') {
          add('SCOPE_UNKNOWN_VARIABLE', at, `\${${reference.name}} is not a path variable`);
        }
      }
      if (path.split(/[\\/]|\$\{\/\}/u).includes('..')) add('SCOPE_PATH_TRAVERSAL', at, `"${path}" climbs with ".."`);
      else if (!/^\$\{/u.test(path) && !/^(?:\/|[A-Za-z]:[\\/])/u.test(path)) add('SCOPE_RELATIVE_PATH', at, `"${path}" is relative: start it with a variable or make it absolute`);
    });
  }
}

/** Whether an argument or env value is a path (a path variable, a directory/file option, or absolute). */
function pathIn(text: string, options: Record<string, Record<string, unknown>>): string | null {
  const value = text.replace(/^--?[A-Za-z0-9][A-Za-z0-9-]*=/u, '');
  const first = variableReferences(value)[0];
  const startsWithVariable = first !== undefined && value.startsWith(`\${${first.name}}`);
  if (startsWithVariable) {
    if ((PATH_VARIABLES as readonly string[]).includes(first.name)) return value;
    const type = first.userConfigKey === null ? undefined : options[first.userConfigKey]?.['type'];
    if (type === 'directory' || type === 'file') return value;
    return null;
  }
  return /^(?:\/|~[\\/]|[A-Za-z]:[\\/])/u.test(value) ? value : null;
}

function checkConsistency(scopes: Scopes, config: LaunchConfig, options: Record<string, Record<string, unknown>>, add: Add): void {
  const granted = [...scopes.filesystem.read, ...scopes.filesystem.write];
  const values: [string, string][] = config.args.map((arg, index) => [`${config.pointers.args}/${index}`, arg]);
  for (const [key, value] of Object.entries(config.env)) values.push([`${config.pointers.env}${pointer(key)}`, value]);
  for (const [at, text] of values) {
    // An env value may be a path list (PYTHONPATH=a:b); each element must be in scope.
    const parts = at.startsWith(config.pointers.env) ? text.split(/(?<!^[A-Za-z]):|;/u) : [text];
    for (const part of parts) {
      const path = pathIn(part, options);
      if (path !== null && !granted.some((scope) => symbolicPathWithin(path, scope))) {
        add('SCOPE_PATH_OUTSIDE', at, `"${path}" is passed to the server but lies outside every filesystem scope`);
      }
    }
  }
  for (const key of Object.keys(config.env)) {
    if (!scopes.env.read.includes(key)) add('SCOPE_UNDECLARED_ENV', `${config.pointers.env}${pointer(key)}`, `env "${key}" is set for the server but not declared in env.read`);
  }
  const kind = launcherKind(config);
  if (kind !== null) {
    if (scopes.process.spawn.length === 0) {
      add('SCOPE_SPAWN_REQUIRED', config.pointers.command, `a ${kind === 'shell' ? 'shell' : 'run-time fetcher'} starts other programs: declare them in process.spawn`);
    }
    if (kind === 'fetcher' && scopes.network.egress.length === 0) {
      add('SCOPE_EGRESS_REQUIRED', config.pointers.command, 'a run-time fetcher downloads code: declare its registry in network.egress');
    }
  }
}

/** The sensitive options are exactly the declared secrets, and secrets are readable env. */
function checkSecrets(manifest: Record<string, unknown>, scopes: Scopes, options: Record<string, Record<string, unknown>>, add: Add): void {
  const sensitive = new Set(Object.entries(options).filter(([, option]) => option['sensitive'] === true).map(([key]) => key));
  const carriers = new Set<string>();
  for (const config of launchConfigs(manifest)) {
    for (const [key, value] of Object.entries(config.env)) {
      if (variableReferences(value).some((reference) => reference.userConfigKey !== null && sensitive.has(reference.userConfigKey))) carriers.add(key);
    }
  }
  const secrets = new Set(scopes.env.secrets);
  for (const key of carriers) {
    if (!secrets.has(key)) add('SCOPE_SECRETS_MISMATCH', `${SCOPES_POINTER}/env/secrets`, `env "${key}" carries a sensitive option but is not in env.secrets`);
  }
  scopes.env.secrets.forEach((key, index) => {
    const at = `${SCOPES_POINTER}/env/secrets/${index}`;
    if (!carriers.has(key)) add('SCOPE_SECRETS_MISMATCH', at, `env.secrets names "${key}", which carries no sensitive user_config option`);
    if (!scopes.env.read.includes(key)) add('SCOPE_SECRETS_MISMATCH', at, `secret "${key}" is not in env.read`);
  });
}
