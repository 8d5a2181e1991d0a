// Evidence excerpts: one source line, bounded, with control characters escaped, so a report
// (text, JSON, a terminal) never carries a hostile file's escape sequences or megabyte lines.

/** Longest excerpt, in characters (minified files have one line of megabytes). */
export const MAX_EXCERPT = 160;

/** Line starts of `text`, for offset -> line lookups by binary search. */
export function lineStarts(text: string): number[] {
  const starts = [0];
  for (let index = text.indexOf('\n'); index >= 0; index = text.indexOf('\n', index + 1)) starts.push(index + 1);
  return starts;
}

/** The 1-based line holding `offset`. */
export function lineOf(starts: readonly number[], offset: number): number {
  let low = 0;
  let high = starts.length - 1;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if (starts[middle]! <= offset) low = middle;
    else high = middle - 1;
  }
  return low + 1;
}

/** The text around [start, end) on its line, at most MAX_EXCERPT characters, escaped. */
export function excerptAt(text: string, starts: readonly number[], start: number, end: number): string {
  const line = lineOf(starts, start);
  const lineStart = starts[line - 1]!;
  const lineEnd = line < starts.length ? starts[line]! - 1 : text.length;
  const from = Math.max(lineStart, Math.min(start, end - MAX_EXCERPT) - 20);
  const to = Math.min(lineEnd, from + MAX_EXCERPT);
  const slice = text.slice(from, to).trim();
  return `${from > lineStart ? '…' : ''}${escapeControls(slice)}${to < lineEnd ? '…' : ''}`;
}

/**
 * Control, format (bidi, zero-width, tag), line and paragraph separator characters, the Hangul
 * fillers and lone surrogates, as `\u` escapes: the same class the hardened profile refuses in a
 * manifest string (MANIFEST_CONTROL_CHARACTER), so nothing the analyzer reports can hide text on a
 * reviewer's terminal, nor make a drafted scope entry invalid.
 */
export function escapeControls(text: string): string {
  return text.replace(/[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}\u115F\u1160\u3164\uFFA0]/gu, (char) => {
    const code = char.codePointAt(0)!;
    return code > 0xffff ? `\\u{${code.toString(16)}}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}
