// Misspelt keys under `_meta` (issue 10, item 5): `_meta["dev.mcpseel"].scopes` or
// `_meta["dev.mcpseal"].scope` is read by no one, so a bundle that meant to declare scopes would
// silently have none (the hardened profile then says SCOPE_MISSING, without saying why). Each
// such key is a warning with the key it probably meant.

import { isRecord, type JsonRecord } from '../manifest/document.ts';
import { pointer, type AddFinding, type ScopeCode } from '../manifest/findings.ts';
import { closestWord } from '../manifest/spelling.ts';
import { SCOPES_NAMESPACE } from './model.ts';

/** Adds a SCOPE_META_MISSPELT warning for each key that looks meant for mcpseal; returns the first such key, or null. */
export function checkMetaKeys(manifest: JsonRecord, add: AddFinding<ScopeCode>): string | null {
  const meta = manifest['_meta'];
  if (!isRecord(meta) || !Object.hasOwn(manifest, '_meta')) return null;
  let first: string | null = null;
  for (const key of Object.keys(meta)) {
    if (key === SCOPES_NAMESPACE || !looksLikeOurs(key)) continue;
    first ??= key;
    add('SCOPE_META_MISSPELT', `/_meta${pointer(key)}`, `_meta key "${key.slice(0, 64)}" is not "${SCOPES_NAMESPACE}", so mcpseal reads no scopes from it; did you mean "${SCOPES_NAMESPACE}"${key.startsWith(`${SCOPES_NAMESPACE}.`) ? ' with the rest as a key inside it' : ''}?`, 'warning');
  }
  const ours = Object.hasOwn(meta, SCOPES_NAMESPACE) ? meta[SCOPES_NAMESPACE] : undefined;
  if (!isRecord(ours)) return first;
  for (const key of Object.keys(ours)) {
    if (key === 'scopes') continue;
    first ??= key;
    const close = closestWord(key, ['scopes']);
    add('SCOPE_META_MISSPELT', `/_meta${pointer(SCOPES_NAMESPACE, key)}`, `"${key.slice(0, 64)}" is not a key mcpseal reads under _meta["${SCOPES_NAMESPACE}"] (only "scopes")${close === null ? '' : `; did you mean "${close}"?`}`, 'warning');
  }
  return first;
}

/** A namespace key a publisher probably meant as ours: close to `dev.mcpseal`, or naming mcpseal at all. */
function looksLikeOurs(key: string): boolean {
  const lower = key.toLowerCase();
  return lower.includes('mcpseal') || closestWord(lower, [SCOPES_NAMESPACE]) !== null;
}
