// How deeply a JSON value nests, measured without recursion. Every later check (the generated
// schema validators, the hardened walk) recurses over the document, and a schema-valid manifest
// nested 10,000 levels deep overflows the stack in them (issue 9, finding 14). So depth is bounded
// first, with an explicit stack, before anything recursive sees the value.

/** True when `value` nests deeper than `limit` (the top-level value is depth 1; scalars add none). */
export function nestsDeeperThan(value: unknown, limit: number): boolean {
  // A library caller may pass shared or cyclic objects (JSON.parse never makes them): a node is
  // walked again only when reached deeper than before, so shared subtrees cost nodes x limit at
  // most, and a cycle deepens until it crosses the limit.
  const deepest = new Map<object, number>();
  const stack: Array<{ value: object; depth: number }> = typeof value === 'object' && value !== null ? [{ value, depth: 1 }] : [];
  while (stack.length > 0) {
    const { value: current, depth } = stack.pop()!;
    if (depth > limit) return true;
    if ((deepest.get(current) ?? 0) >= depth) continue;
    deepest.set(current, depth);
    for (const child of Object.values(current)) if (typeof child === 'object' && child !== null) stack.push({ value: child, depth: depth + 1 });
  }
  return false;
}
