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

/** C0/C1 controls, DEL and the bidirectional overrides as \u escapes. */
export function escapeControls(text: string): string {
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).replace(/\t/gu, ' ');
}
