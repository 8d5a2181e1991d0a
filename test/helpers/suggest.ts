// The property every draft must have: pasted into its manifest, it passes `validate` (hardened).
// Until the scope-model branch (SCOPES-V2) lands, this branch's schema does not know the new
// optional keys, so exactly their findings are tolerated: SCOPE_SCHEMA at filesystem/roots,
// filesystem/cwd and network/userDriven, and SCOPE_UNKNOWN_VARIABLE for a `${user_config.KEY:parent}`
// entry. The lead removes this tolerance at the merge.

import assert from 'node:assert/strict';
import type { Finding } from '../../lib/manifest/findings.ts';
import type { DraftScopes } from '../../lib/scopes/suggest-evidence.ts';
import { validateManifest } from '../../lib/scopes/validate.ts';

const NEW_KEYS = /\/_meta\/dev\.mcpseal\/scopes\/(?:filesystem\/(?:roots|cwd)|network\/userDriven)$/u;

function tolerated(finding: Finding, scopes: DraftScopes): boolean {
  if (finding.code === 'SCOPE_SCHEMA' && NEW_KEYS.test(finding.pointer)) return true;
  if (finding.code !== 'SCOPE_UNKNOWN_VARIABLE') return false;
  const match = /\/filesystem\/(read|write)\/(\d+)$/u.exec(finding.pointer);
  const entry = match ? scopes.filesystem[match[1] as 'read' | 'write'][Number(match[2])] : undefined;
  return entry !== undefined && /^\$\{user_config\.[^}]+:parent\}/u.test(entry);
}

/** Asserts that `manifest` with `scopes` pasted in passes the hardened profile (bar the new keys' findings). */
export function assertDraftValidates(manifest: Record<string, unknown>, scopes: DraftScopes, files: ReadonlySet<string>): void {
  const pasted = { ...manifest, _meta: { ...(manifest['_meta'] as object | undefined), 'dev.mcpseal': { scopes } } };
  const result = validateManifest(pasted, { profile: 'hardened', files });
  const errors = result.findings.filter((finding) => finding.severity === 'error' && !tolerated(finding, scopes));
  assert.deepEqual(errors, [], `the pasted draft must validate: ${JSON.stringify(scopes)}`);
}
