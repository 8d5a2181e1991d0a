// Version order for reinstalls (INSTALL_DOWNGRADE): Semantic Versioning 2.0.0 §11 precedence.
// MCPB manifests require a version string but not semver; a version that is not semver is
// compared as text and only an exact match counts as "the same".

const SEMVER = /^v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/u;

/** Negative when `a` precedes `b`, 0 when equal in precedence, positive when it follows; null when either is not semver. */
export function compareVersions(a: string, b: string): number | null {
  const x = SEMVER.exec(a);
  const y = SEMVER.exec(b);
  if (!x || !y) return null;
  for (let i = 1; i <= 3; i++) {
    const difference = Number(x[i]) - Number(y[i]);
    if (difference !== 0) return Math.sign(difference);
  }
  return comparePrerelease(x[4], y[4]);
}

/** §11.3-11.4: a version without a pre-release follows one with; identifiers compared one by one. */
function comparePrerelease(a: string | undefined, b: string | undefined): number {
  if (a === b) return 0;
  if (a === undefined) return 1;
  if (b === undefined) return -1;
  const left = a.split('.');
  const right = b.split('.');
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    const p = left[i];
    const q = right[i];
    if (p === undefined) return -1;
    if (q === undefined) return 1;
    const numeric = /^\d+$/u.test(p) && /^\d+$/u.test(q);
    if (numeric && Number(p) !== Number(q)) return Math.sign(Number(p) - Number(q));
    if (/^\d+$/u.test(p) !== /^\d+$/u.test(q)) return /^\d+$/u.test(p) ? -1 : 1;
    if (!numeric && p !== q) return p < q ? -1 : 1;
  }
  return 0;
}
