// Which manifest version a document claims, resolved exactly as @anthropic-ai/mcpb 2.1.2 does
// (dist/shared/manifestVersionResolve.js): `manifest_version` when it is a string naming a known
// version, otherwise the legacy `dxt_version` under the same condition, otherwise none.

/** The manifest versions with a schema in `schemas/`, oldest first. */
export const MANIFEST_VERSIONS = ['0.1', '0.2', '0.3', '0.4'] as const;

export type ManifestVersion = (typeof MANIFEST_VERSIONS)[number];

export interface DetectedVersion {
  version: ManifestVersion;
  /** True when the version came from the deprecated `dxt_version` key. */
  legacy: boolean;
}

export function isManifestVersion(value: unknown): value is ManifestVersion {
  return typeof value === 'string' && (MANIFEST_VERSIONS as readonly string[]).includes(value);
}

/**
 * The version whose schema the manifest is checked against, or null when neither key names a
 * known version. An unknown `manifest_version` does not hide a known `dxt_version`: the
 * official resolver falls through, and the chosen schema then rejects the unknown value.
 */
export function detectManifestVersion(manifest: unknown): DetectedVersion | null {
  if (typeof manifest !== 'object' || manifest === null) return null;
  // Property reads, not own-property checks: the official resolver uses `in` and `.`.
  const { manifest_version: current, dxt_version: legacy } = manifest as Record<string, unknown>;
  if (isManifestVersion(current)) return { version: current, legacy: false };
  if (isManifestVersion(legacy)) return { version: legacy, legacy: true };
  return null;
}
