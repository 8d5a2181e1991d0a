// The compat profile: validates a parsed manifest against the JSON Schema of its version
// (schemas/manifest-0.x.schema.json), which accepts exactly what the strict zod schemas of
// @anthropic-ai/mcpb 2.1.2 accept. The schemas are compiled at build time into ajv standalone
// code (scripts/build-schemas.ts), so this module neither imports ajv's compiler nor compiles.

import type { ErrorObject } from 'ajv';
import { defaultLimits } from '../limits.ts';
import { nestsDeeperThan } from './depth.ts';
import { pointer, type Finding } from './findings.ts';
import { detectManifestVersion, MANIFEST_VERSIONS, type ManifestVersion } from './versions.ts';
import { validate0_1, validate0_2, validate0_3, validate0_4 } from './generated/manifest-validators.ts';

export interface SchemaResult {
  /** The version the manifest was checked against, or null when it names no known version. */
  version: ManifestVersion | null;
  /** Empty when the manifest is valid; every finding here is an `error`. */
  findings: Finding[];
}

/** The shape of an ajv standalone validator. */
interface CompiledValidator {
  (data: unknown): boolean;
  errors?: ErrorObject[] | null;
}

const VALIDATORS: Record<ManifestVersion, CompiledValidator> = {
  '0.1': validate0_1 as CompiledValidator,
  '0.2': validate0_2 as CompiledValidator,
  '0.3': validate0_3 as CompiledValidator,
  '0.4': validate0_4 as CompiledValidator,
};

/** The shipped schema file of a version, from lib/manifest/ or dist/manifest/ alike. */
export function manifestSchemaUrl(version: ManifestVersion): URL {
  return new URL(`../../schemas/manifest-${version}.schema.json`, import.meta.url);
}

/**
 * Validates a parsed manifest with the compat profile: the official strict schema of its version.
 * The generated validators recurse, so nesting is bounded first (issue 9, finding 14): deeper than
 * `maxDepth` (default `defaultLimits.maxManifestDepth`) gives one MANIFEST_TOO_DEEP finding.
 */
export function validateCompat(manifest: unknown, options: { maxDepth?: number } = {}): SchemaResult {
  const detected = detectManifestVersion(manifest);
  const maxDepth = options.maxDepth ?? defaultLimits.maxManifestDepth;
  if (nestsDeeperThan(manifest, maxDepth)) {
    return { version: detected?.version ?? null, findings: [{ code: 'MANIFEST_TOO_DEEP', severity: 'error', pointer: '', message: `the manifest nests deeper than ${maxDepth} levels` }] };
  }
  if (detected === null) {
    // The official validator stops here too: no schema to check against.
    return { version: null, findings: [unknownVersionFinding(manifest)] };
  }
  const validate = VALIDATORS[detected.version];
  if (validate(manifest)) return { version: detected.version, findings: [] };
  return { version: detected.version, findings: toFindings(validate.errors ?? []) };
}

function unknownVersionFinding(manifest: unknown): Finding {
  const finding = { code: 'MANIFEST_UNKNOWN_VERSION', severity: 'error', pointer: '/manifest_version' } as const;
  const known = MANIFEST_VERSIONS.join(', ');
  if (typeof manifest !== 'object' || manifest === null || Array.isArray(manifest)) {
    return { ...finding, pointer: '', message: 'the manifest is not a JSON object, so it names no manifest version' };
  }
  const record = manifest as Record<string, unknown>;
  const key = record['manifest_version'] !== undefined ? 'manifest_version' : record['dxt_version'] !== undefined ? 'dxt_version' : null;
  if (key === null) {
    return { ...finding, message: `"manifest_version" is missing (known versions: ${known})` };
  }
  return { ...finding, pointer: `/${key}`, message: `${JSON.stringify(record[key])} is not a known manifest version (known: ${known})` };
}

/** Messages for checks whose ajv wording says nothing useful, keyed by schema location. */
const MESSAGES: Record<string, string> = {
  '#/anyOf': 'must have "manifest_version" (or the deprecated "dxt_version")',
  '#/$defs/url/format': 'must be a URL the WHATWG URL parser accepts',
  '#/$defs/email/pattern': 'must be an email address',
  '#/$defs/iconEntry/properties/size/pattern': 'must be "WIDTHxHEIGHT" with a lower-case x, e.g. "16x16"',
  '#/$defs/iconEntry/properties/theme/minLength': 'must not be empty',
  '#/$defs/localization/properties/resources/pattern': 'must contain the "${locale}" placeholder',
  '#/$defs/localization/properties/default_locale/pattern': 'must be a BCP 47 locale identifier such as "en-US"',
  '#/$defs/userConfigOption/properties/default/anyOf': 'must be a string, a number, a boolean or an array of strings',
};

/** One finding per ajv error, pointing at the value (or at the missing or unknown key). */
function toFindings(errors: readonly ErrorObject[]): Finding[] {
  // A failed anyOf also reports why each branch failed; its own message says it all.
  const failedAnyOf = errors.filter((error) => error.keyword === 'anyOf').map((error) => `${error.schemaPath}/`);
  const findings: Finding[] = [];
  const seen = new Set<string>();
  for (const error of errors) {
    if (failedAnyOf.some((prefix) => error.schemaPath.startsWith(prefix))) continue;
    const finding: Finding = { code: 'MANIFEST_SCHEMA', severity: 'error', pointer: pointerOf(error), message: messageOf(error) };
    const key = `${finding.pointer}\0${finding.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    findings.push(finding);
  }
  return findings;
}

function pointerOf(error: ErrorObject): string {
  // ajv's instancePath is already an RFC 6901 pointer to the object holding the key.
  if (error.keyword === 'additionalProperties') return error.instancePath + pointer(String(error.params['additionalProperty']));
  if (error.keyword === 'required') return error.instancePath + pointer(String(error.params['missingProperty']));
  return error.instancePath;
}

function messageOf(error: ErrorObject): string {
  const known = MESSAGES[error.schemaPath];
  if (known !== undefined) return known;
  switch (error.keyword) {
    case 'additionalProperties':
      return `unknown key ${JSON.stringify(error.params['additionalProperty'])}: the strict schema allows no other keys here`;
    case 'required':
      return `missing required key ${JSON.stringify(error.params['missingProperty'])}`;
    case 'const':
      return `must be ${JSON.stringify(error.params['allowedValue'])}`;
    case 'enum':
      return `must be one of ${(error.params['allowedValues'] as unknown[]).map((value) => JSON.stringify(value)).join(', ')}`;
    case 'type':
      return `must be ${article(String(error.params['type']))}`;
    default:
      return error.message ?? `fails the "${error.keyword}" check`;
  }
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}
