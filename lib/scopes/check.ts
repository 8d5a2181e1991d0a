// Scope declarations, "enforced" points 1 and 2 (DESIGN.md): required and schema-checked by the
// hardened profile, and consistent with what `mcp_config` actually runs.

import type { ErrorObject } from 'ajv';
import { launchConfigs, type LaunchConfig } from '../manifest/command.ts';
import { userConfigOptions, type JsonRecord } from '../manifest/document.ts';
import { findingCollector, pointer, type AddFinding, type Finding, type ScopeCode } from '../manifest/findings.ts';
import { validateScopes } from '../manifest/generated/manifest-validators.ts';
import { pathCandidates } from '../manifest/paths.ts';
import { commandHazards, launcherKindOf } from '../manifest/runtimes.ts';
import { isPathVariable, variableReferences } from '../manifest/variables.ts';
import { SCOPES_POINTER, scopesOf, type Scopes } from './model.ts';
import { nativeCodeFiles } from './native.ts';
import { ScopePathSet } from './variables.ts';

export { SCOPE_CODES } from '../manifest/findings.ts';

export interface ScopeContext {
  /** Names of the files in the bundle, when known (for native addon detection). */
  files?: ReadonlySet<string>;
}

type Add = AddFinding<ScopeCode>;
type Options = ReadonlyMap<string, JsonRecord>;

/** schemas/scopes.schema.json, compiled at build time (scripts/build-schemas.ts). */
const validateScopesSchema = validateScopes as { (data: unknown): boolean; errors?: ErrorObject[] | null };

/** The scope findings for `manifest`, of manifest version `version` (as detected). */
export function scopeFindings(manifest: JsonRecord, version: string | null, context: ScopeContext = {}): Finding[] {
  const { findings, add } = findingCollector<ScopeCode>();
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
  checkNativeCode(scopes, context, add);
  return findings;
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
function checkScopePaths(scopes: Scopes, options: Options, add: Add): void {
  for (const kind of ['read', 'write'] as const) {
    scopes.filesystem[kind].forEach((path, index) => {
      const at = `${SCOPES_POINTER}/filesystem/${kind}/${index}`;
      for (const reference of variableReferences(path)) {
        if (reference.userConfigKey !== null) {
          const type = options.get(reference.userConfigKey)?.['type'];
          if (type !== 'directory' && type !== 'file') {
            add('SCOPE_UNKNOWN_VARIABLE', at, `\${${reference.name}} is not a directory or file option of user_config`);
          }
        } else if (!isPathVariable(reference.name) && reference.name !== '/') {
          add('SCOPE_UNKNOWN_VARIABLE', at, `\${${reference.name}} is not a path variable`);
        }
      }
      if (path.split(/[\\/]|\$\{\/\}/u).includes('..')) add('SCOPE_PATH_TRAVERSAL', at, `"${path}" climbs with ".."`);
      else if (!/^\$\{/u.test(path) && !/^(?:\/|[A-Za-z]:[\\/])/u.test(path)) add('SCOPE_RELATIVE_PATH', at, `"${path}" is relative: start it with a variable or make it absolute`);
    });
  }
}

/** The values a command line passes to the server, with their pointers. */
function passedValues(config: LaunchConfig): Array<[string, string]> {
  const values: Array<[string, string]> = config.args.map((arg, index) => [`${config.pointers.args}/${index}`, arg]);
  for (const [key, value] of Object.entries(config.env)) values.push([`${config.pointers.env}${pointer(key)}`, value]);
  return values;
}

function checkConsistency(scopes: Scopes, config: LaunchConfig, options: Options, add: Add): void {
  const granted = new ScopePathSet([...scopes.filesystem.read, ...scopes.filesystem.write]);
  // Every path-bearing form, found by the one extractor `scopes suggest` also uses (issue 9, finding 15).
  // One finding per value, naming the first path outside.
  for (const [at, text] of passedValues(config)) {
    const outside = pathCandidates(text, options).find((path) => !granted.covers(path));
    if (outside !== undefined) add('SCOPE_PATH_OUTSIDE', at, `"${outside.slice(0, 200)}" is passed to the server but lies outside every filesystem scope`);
  }
  for (const key of Object.keys(config.env)) {
    if (!scopes.env.read.includes(key)) add('SCOPE_UNDECLARED_ENV', `${config.pointers.env}${pointer(key)}`, `env "${key}" is set for the server but not declared in env.read`);
  }
  const kind = config.command === null ? null : launcherKindOf(commandHazards(config.command, config.args));
  if (kind === null) return;
  if (scopes.process.spawn.length === 0) {
    add('SCOPE_SPAWN_REQUIRED', config.pointers.command, `a ${kind === 'shell' ? 'shell' : 'run-time fetcher'} starts other programs: declare them in process.spawn`);
  }
  if (kind === 'fetcher' && scopes.network.egress.length === 0) {
    add('SCOPE_EGRESS_REQUIRED', config.pointers.command, 'a run-time fetcher downloads code: declare its registry in network.egress');
  }
}

/** The env keys that carry a sensitive option, over every command line. */
export function secretCarriers(manifest: JsonRecord, options: Options): Set<string> {
  const carriers = new Set<string>();
  for (const config of launchConfigs(manifest)) {
    for (const [key, value] of Object.entries(config.env)) {
      if (variableReferences(value).some((reference) => reference.userConfigKey !== null && options.get(reference.userConfigKey)?.['sensitive'] === true)) carriers.add(key);
    }
  }
  return carriers;
}

/** The sensitive options are exactly the declared secrets, and secrets are readable env. */
function checkSecrets(manifest: JsonRecord, scopes: Scopes, options: Options, add: Add): void {
  const carriers = secretCarriers(manifest, options);
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

function checkNativeCode(scopes: Scopes, context: ScopeContext, add: Add): void {
  if (!context.files || scopes.process.native_addons) return;
  const native = nativeCodeFiles(context.files);
  if (native.length > 0) {
    add('SCOPE_NATIVE_ADDONS', `${SCOPES_POINTER}/process/native_addons`, `the bundle ships native code (${native.slice(0, 3).join(', ')}${native.length > 3 ? ', ...' : ''}) but native_addons is false`);
  }
}
