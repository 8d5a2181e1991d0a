// Edit distance between two short strings, shared by "did you mean" (manifest/spelling.ts) and
// the lookalike names of the audit (analysis/lookalike.ts): one implementation, one answer.

/**
 * The optimal-string-alignment distance between `a` and `b` (insertions, deletions,
 * substitutions and adjacent transpositions each cost 1), or `limit + 1` as soon as it must
 * exceed `limit`: keys are short, and an untrusted key of 100,000 characters must not cost
 * 100,000 squared steps.
 */
export function editDistance(a: string, b: string, limit = Infinity): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let before: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) value = Math.min(value, before[j - 2]! + 1);
      current.push(value);
      best = Math.min(best, value);
    }
    if (best > limit) return limit + 1;
    before = previous;
    previous = current;
  }
  return Math.min(previous[b.length]!, limit + 1);
}
