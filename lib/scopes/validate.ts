// Manifest validation, composed: the compat schema of the manifest's version, then (hardened
// profile, the default) the semantic checks of lib/manifest and the scope declarations of this
// folder. It lives at the scopes layer because it is the one module that needs both: `manifest/`
// never imports `scopes/`, and the pipelines (verify, unpack, sign) and the CLI all call this one
// function rather than composing the checks themselves. Pure: no I/O.

import { MCPSealError } from '../errors.ts';
import { isRecord } from '../manifest/document.ts';
import { hasErrors, type Finding } from '../manifest/findings.ts';
import { hardenedFindings } from '../manifest/hardened.ts';
import { validateCompat } from '../manifest/schema.ts';
import { scopeFindings } from './check.ts';

export type Profile = 'hardened' | 'compat';
export const PROFILES: readonly Profile[] = ['hardened', 'compat'];

export interface ValidateOptions {
  /** `hardened` (default): the reviewer's checklist; `compat`: exactly what the official strict schema accepts. */
  profile?: Profile;
  /** Names of the files in the bundle, when validating a bundle or a directory. */
  files?: ReadonlySet<string>;
  /** Deepest nesting accepted before any recursive check runs (default `defaultLimits.maxManifestDepth`). */
  maxDepth?: number;
}

export interface ValidationResult {
  /** No finding of severity `error`. */
  valid: boolean;
  profile: Profile;
  /** The manifest version detected (`manifest_version`, else the legacy `dxt_version`). */
  version: string | null;
  findings: Finding[];
}

/**
 * validateManifest of a bundle's own manifest: against the archive's file names, within its
 * manifest depth limit. The one call every pipeline that opens a bundle makes (verify, unpack,
 * sign, install, policy, the registry entry).
 */
export function validateBundleManifest(manifest: unknown, archive: { fileNames(): ReadonlySet<string>; limits: { maxManifestDepth: number } }, profile: Profile = 'hardened'): ValidationResult {
  return validateManifest(manifest, { profile, files: archive.fileNames(), maxDepth: archive.limits.maxManifestDepth });
}

/** Validates a parsed manifest. Pure: no I/O; the caller supplies the bundle's file list. */
export function validateManifest(manifest: unknown, options: ValidateOptions = {}): ValidationResult {
  const profile = options.profile ?? 'hardened';
  const { version, findings } = validateCompat(manifest, options.maxDepth === undefined ? {} : { maxDepth: options.maxDepth });
  const all: Finding[] = [...findings];
  // Too deep: nothing else may walk the document (issue 9, finding 14).
  const tooDeep = findings.some((finding) => finding.code === 'MANIFEST_TOO_DEEP');
  if (profile === 'hardened' && isRecord(manifest) && !tooDeep) {
    const context = options.files ? { files: options.files } : {};
    all.push(...hardenedFindings(manifest, context), ...scopeFindings(manifest, version, context));
  }
  return { valid: !hasErrors(all), profile, version, findings: all };
}

/** Throws MANIFEST_INVALID (naming the first error, carrying every finding) unless `result` is valid. */
export function assertValidManifest(result: ValidationResult): void {
  if (result.valid) return;
  const first = result.findings.find((finding) => finding.severity === 'error')!;
  throw new MCPSealError('MANIFEST_INVALID', `the manifest fails the ${result.profile} profile (first: ${first.code} at ${first.pointer || '/'}: ${first.message})`, {
    details: { findings: result.findings },
  });
}
