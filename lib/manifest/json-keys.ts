// Duplicate object keys in JSON text. RFC 8259 §4 leaves their meaning to the parser ("the names
// within an object SHOULD be unique"): JSON.parse keeps the last, Go's encoding/json merges a
// repeated object into the first, serde refuses. A manifest whose `server` is written twice is
// then one command line to mcpseal and another to a host, so the review would not see what runs.

/** The first key repeated within one object of `text` (already known to be valid JSON), or null. Linear. */
export function firstDuplicateKey(text: string): string | null {
  const objects: Array<Set<string> | null> = [];
  for (let index = 0; index < text.length; index++) {
    const char = text[index];
    if (char === '{') objects.push(new Set());
    else if (char === '[') objects.push(null);
    else if (char === '}' || char === ']') objects.pop();
    else if (char === '"') {
      const end = stringEnd(text, index);
      const keys = objects[objects.length - 1];
      if (keys != null && /^\s*:/u.test(text.slice(end + 1, end + 64))) {
        // Decoded, so "a" and "\u0061" are one key, as every parser reads them.
        const key = JSON.parse(text.slice(index, end + 1)) as string;
        if (keys.has(key)) return key;
        keys.add(key);
      }
      index = end;
    }
  }
  return null;
}

/** The index of the quote that closes the string opening at `start`. */
function stringEnd(text: string, start: number): number {
  for (let index = start + 1; index < text.length; index++) {
    if (text[index] === '\\') index++;
    else if (text[index] === '"') return index;
  }
  return text.length;
}
