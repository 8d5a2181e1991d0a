// The review block `inspect` and `verify` print: what the server can touch (its declared scopes)
// and the user_config options the host will ask for. The text comes from the bundle: Output
// escapes every line on its way out.

import type { ManifestSummary } from '../manifest/load.ts';
import { reviewManifest, type Review } from '../report/review.ts';

export { reviewManifest, type Review };

/** The review of a manifest summary, for the JSON output beside the full objects. */
export function reviewOf(manifest: ManifestSummary): Review {
  return reviewManifest(manifest.scopes, manifest.userConfig);
}

/** The review as text: a two-column table of what the server can touch, then the options. */
export function reviewLines(review: Review): string[] {
  const lines: string[] = [];
  if (!review.scopesDeclared) {
    lines.push('can touch:     not declared (no _meta["dev.mcpseal"].scopes: the manifest does not say what the server can touch)');
  } else {
    lines.push('can touch:');
    const width = Math.min(32, Math.max(...review.touches.map((row) => row.area.length)));
    for (const row of review.touches) lines.push(`  ${row.area.padEnd(width)}  ${row.grant}`);
  }
  if (review.userConfig.length === 0) {
    lines.push('user_config:   none');
    return lines;
  }
  lines.push('user_config:');
  const keyWidth = Math.min(32, Math.max(...review.userConfig.map((row) => row.key.length)));
  const typeWidth = Math.max(...review.userConfig.map((row) => row.type.length));
  for (const row of review.userConfig) {
    const traits = [row.required ? 'required' : 'optional', ...(row.sensitive ? ['sensitive'] : [])].join(', ');
    lines.push(`  ${row.key.padEnd(keyWidth)}  ${row.type.padEnd(typeWidth)}  ${traits}${row.default === null ? '' : `; default: ${row.default}`}`);
  }
  return lines;
}
