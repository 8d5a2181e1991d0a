// The property every draft must have: pasted into its manifest, it passes `validate` (hardened),
// with no finding tolerated.

import assert from 'node:assert/strict';
import type { Scopes } from '../../lib/scopes/model.ts';
import { validateManifest } from '../../lib/scopes/validate.ts';

/** Asserts that `manifest` with `scopes` pasted in passes the hardened profile. */
export function assertDraftValidates(manifest: Record<string, unknown>, scopes: Scopes, files: ReadonlySet<string>): void {
  const pasted = { ...manifest, _meta: { ...(manifest['_meta'] as object | undefined), 'dev.mcpseal': { scopes } } };
  const result = validateManifest(pasted, { profile: 'hardened', files });
  const errors = result.findings.filter((finding) => finding.severity === 'error');
  assert.deepEqual(errors, [], `the pasted draft must validate: ${JSON.stringify(scopes)}`);
}
