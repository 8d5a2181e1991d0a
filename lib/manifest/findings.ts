// What every manifest check (compat schema, hardened profile, scopes) reports: a list of
// findings, each pointing into the manifest with an RFC 6901 JSON Pointer.

export type FindingSeverity = 'error' | 'warning';

/** One problem in a manifest. An `error` rejects the manifest; a `warning` is reported only. */
export interface Finding {
  /** A stable code from the `MANIFEST_*` / `SCOPE_*` families, e.g. `MANIFEST_SCHEMA`. */
  code: string;
  severity: FindingSeverity;
  /** RFC 6901 JSON Pointer to the offending value, or to the key that is missing or not allowed; `''` is the whole manifest. */
  pointer: string;
  message: string;
}

/** True when any finding rejects the manifest. */
export function hasErrors(findings: readonly Finding[]): boolean {
  return findings.some((finding) => finding.severity === 'error');
}

/** A JSON Pointer built from reference tokens, each escaped (`~` as `~0`, `/` as `~1`, RFC 6901 §3). */
export function pointer(...tokens: ReadonlyArray<string | number>): string {
  return tokens.map((token) => `/${String(token).replaceAll('~', '~0').replaceAll('/', '~1')}`).join('');
}
