// Manifest validation: the compat schema of the manifest's version, then (hardened profile, the
// default) the semantic checks and the scope declarations. Every finding is returned; errors fail.

import { MCPSealError } from '../errors.ts';
import { scopeFindings } from '../scopes/check.ts';
import { hasErrors, type Finding } from './findings.ts';
import { hardenedFindings } from './hardened.ts';
import { validateCompat } from './schema.ts';

export type Profile = 'hardened' | 'compat';
export const PROFILES: readonly Profile[] = ['hardened', 'compat'];

export interface ValidateOptions {
  /** `hardened` (default): the reviewer's checklist; `compat`: exactly what the official strict schema accepts. */
  profile?: Profile;
  /** Names of the files in the bundle, when validating a bundle or a directory. */
  files?: ReadonlySet<string>;
}

export interface ValidationResult {
  /** No finding of severity `error`. */
  valid: boolean;
  profile: Profile;
  /** The manifest version detected (`manifest_version`, else the legacy `dxt_version`). */
  version: string | null;
  findings: Finding[];
}

/** Validates a parsed manifest. Pure: no I/O; the caller supplies the bundle's file list. */
export function validateManifest(manifest: unknown, options: ValidateOptions = {}): ValidationResult {
  const profile = options.profile ?? 'hardened';
  const { version, findings } = validateCompat(manifest);
  const all: Finding[] = [...findings];
  if (profile === 'hardened' && typeof manifest === 'object' && manifest !== null && !Array.isArray(manifest)) {
    const record = manifest as Record<string, unknown>;
    const context = options.files ? { files: options.files } : {};
    all.push(...hardenedFindings(record, context), ...scopeFindings(record, version, context));
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
