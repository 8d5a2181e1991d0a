// "Did you mean": the closest known word to a misspelt key, by edit distance. Used for keys a
// schema or a namespace does not know (`dev.mcpseel`, `egres`), so a typo is reported with its
// fix instead of being silently ignored or answered with a bare "unknown key".

import { editDistance } from '../edit-distance.ts';

export { editDistance };

/** The candidate closest to `word` (case-insensitive), within a distance that grows with its length; null when none is close. */
export function closestWord(word: string, candidates: readonly string[]): string | null {
  const limit = Math.max(1, Math.min(3, Math.floor(word.length / 3)));
  let best: string | null = null;
  let bestDistance = limit + 1;
  for (const candidate of candidates) {
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase(), limit);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** `; did you mean "X"?` when a candidate is close, else ''. */
export function didYouMean(word: string, candidates: readonly string[]): string {
  const closest = closestWord(word, candidates);
  return closest === null ? '' : `; did you mean "${closest}"?`;
}
