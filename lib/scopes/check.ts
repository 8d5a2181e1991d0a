// Scope declarations, "enforced" points 1 and 2 (DESIGN.md): required and schema-checked by the
// hardened profile, and consistent with what `mcp_config` actually runs.

import type { ErrorObject } from 'ajv';
import { launchConfigs, type LaunchConfig } from '../manifest/command.ts';
import { userConfigOptions, type JsonRecord } from '../manifest/document.ts';
import { findingCollector, pointer, type AddFinding, type Finding, type ScopeCode } from '../manifest/findings.ts';
import { validateScopes } from '../manifest/generated/manifest-validators.ts';
import { pathCandidates } from '../manifest/paths.ts';
import { commandHazards, launcherKindOf } from '../manifest/runtimes.ts';
import { variableReferences } from '../manifest/variables.ts';
import { egressHostProblem } from './hosts.ts';
import { checkMetaKeys } from './meta-keys.ts';
import { SCOPES_POINTER, scopesOf, type Scopes } from './model.ts';
import { nativeCodeFiles } from './native.ts';
import { scopeErrorMessage, scopeErrorPointer } from './schema-messages.ts';
import { checkScopePaths } from './scope-paths.ts';
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
  const misspelt = checkMetaKeys(manifest, add);
  const declared = scopesOf(manifest);
  if (declared === undefined) {
    const hint = misspelt === null ? '' : ` (a key "${misspelt.slice(0, 64)}" is there: see the warning)`;
    add('SCOPE_MISSING', SCOPES_POINTER, `no scope declarations, so nothing says what the server may touch: add _meta["dev.mcpseal"].scopes${hint} (draft one with \`mcpseal scopes suggest\`)`);
    return findings;
  }
  if (!validateScopesSchema(declared)) {
    for (const error of validateScopesSchema.errors ?? []) {
      add('SCOPE_SCHEMA', `${SCOPES_POINTER}${scopeErrorPointer(error)}`, scopeErrorMessage(error, valueAt(declared, error.instancePath)));
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

/** The value at an ajv instancePath (own properties only), for the message. */
function valueAt(root: unknown, instancePath: string): unknown {
  let value = root;
  for (const token of instancePath.split('/').slice(1)) {
    const key = token.replaceAll('~1', '/').replaceAll('~0', '~');
    value = typeof value === 'object' && value !== null && Object.hasOwn(value, key) ? (value as Record<string, unknown>)[key] : undefined;
  }
  return value;
}

/** Egress hosts a sandbox proxy can hold a server to (hosts.ts): no control-plane addresses, no wildcard over a public suffix. */
function checkHosts(scopes: Scopes, add: Add): void {
  scopes.network.egress.forEach((rule, index) => {
    const problem = egressHostProblem(rule.host);
    if (problem === null) return;
    const at = `${SCOPES_POINTER}/network/egress/${index}/host`;
    if (problem.kind === 'wildcard') add('SCOPE_WILDCARD_HOST', at, `egress to "${rule.host}" is refused: ${problem.why}; list the hosts the server calls`);
    else add('SCOPE_EGRESS_ADDRESS', at, `egress to "${rule.host}" is refused: ${problem.why}`);
  });
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
  // `.` and `./x` are the working directory, which filesystem.cwd grants; `..` climbs above it.
  const cwd = (scopes.filesystem.cwd ?? 'none') !== 'none';
  const inCwd = (path: string): boolean => cwd && /^\.(?:[\\/]|$)/u.test(path) && !path.split(/[\\/]+/u).includes('..');
  for (const [at, text] of passedValues(config)) {
    const outside = pathCandidates(text, options).find((path) => !granted.covers(path) && !inCwd(path));
    if (outside !== undefined) add('SCOPE_PATH_OUTSIDE', at, `"${outside.slice(0, 200)}" is passed to the server but lies outside every filesystem scope, so a sandbox built from the scopes would deny it: add it (or a directory above it) to filesystem.read, or to filesystem.write if the server changes it`);
  }
  for (const key of Object.keys(config.env)) {
    if (!scopes.env.read.includes(key)) add('SCOPE_UNDECLARED_ENV', `${config.pointers.env}${pointer(key)}`, `env "${key}" is set for the server but env.read does not list it, so a launch under the scopes would drop it: add "${key}" to env.read`);
  }
  const kind = config.command === null ? null : launcherKindOf(commandHazards(config.command, config.args));
  if (kind === null) return;
  if (scopes.process.spawn.length === 0) {
    add('SCOPE_SPAWN_REQUIRED', config.pointers.command, `a ${kind === 'shell' ? 'shell' : 'run-time fetcher'} starts other programs, but process.spawn is empty, which denies that: list the programs it starts in process.spawn (better: run a file of the bundle)`);
  }
  if (kind === 'fetcher' && scopes.network.egress.length === 0) {
    add('SCOPE_EGRESS_REQUIRED', config.pointers.command, 'a run-time fetcher downloads code, but network.egress is empty, which denies every connection: declare its registry (e.g. registry.npmjs.org:443) in network.egress');
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
    if (!secrets.has(key)) add('SCOPE_SECRETS_MISMATCH', `${SCOPES_POINTER}/env/secrets`, `env "${key}" carries a sensitive option but env.secrets does not list it, so a reviewer and the lockfile would treat it as an ordinary value: add "${key}" to env.secrets`);
  }
  scopes.env.secrets.forEach((key, index) => {
    const at = `${SCOPES_POINTER}/env/secrets/${index}`;
    if (!carriers.has(key)) add('SCOPE_SECRETS_MISMATCH', at, `env.secrets names "${key}", but no env key set to a sensitive user_config option has that name: remove it, or mark its option "sensitive": true`);
    if (!scopes.env.read.includes(key)) add('SCOPE_SECRETS_MISMATCH', at, `secret "${key}" is not in env.read, which denies reading it: add it to env.read`);
  });
}

function checkNativeCode(scopes: Scopes, context: ScopeContext, add: Add): void {
  if (!context.files || scopes.process.native_addons) return;
  const native = nativeCodeFiles(context.files);
  if (native.length > 0) {
    add('SCOPE_NATIVE_ADDONS', `${SCOPES_POINTER}/process/native_addons`, `the bundle ships native code (${native.slice(0, 3).join(', ')}${native.length > 3 ? ', ...' : ''}) but native_addons is false, which denies loading it: set process.native_addons to true (or leave the native files out of the bundle)`);
  }
}
