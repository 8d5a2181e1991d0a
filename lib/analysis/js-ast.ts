// The JavaScript syntax tree as the analyzer sees it: acorn's ESTree nodes read through a loose
// shape (the analyzer only looks, never builds), walked without recursion so deeply nested
// expressions cannot exhaust the stack.

import { parse } from 'acorn';

export interface N {
  type: string;
  start: number;
  end: number;
  [key: string]: unknown;
}

/** A node with the chain of its ancestors. */
export interface Frame {
  node: N;
  parent: Frame | null;
  /** The key of `parent.node` that holds this node (`callee`, `arguments`, ...). */
  key: string;
}

export function isNode(value: unknown): value is N {
  return typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string';
}

/** The child at `key` when it is a node. */
export function child(node: N, key: string): N | undefined {
  const value = node[key];
  return isNode(value) ? value : undefined;
}

/** The nodes of an array child (`arguments`, `params`, `properties`, ...), holes left out. */
export function children(node: N, key: string): N[] {
  const value = node[key];
  return Array.isArray(value) ? value.filter(isNode) : [];
}

/** The string of a string literal, or of a template without holes. */
export function stringValue(node: N | undefined): string | undefined {
  if (node === undefined) return undefined;
  if (node.type === 'Literal' && typeof node['value'] === 'string') return node['value'];
  if (node.type === 'TemplateLiteral' && children(node, 'expressions').length === 0) return templateHead(node);
  return undefined;
}

/** The cooked text of a template's first quasi. */
export function templateHead(node: N): string | undefined {
  const first = children(node, 'quasis')[0];
  const value = first?.['value'] as { cooked?: string | null } | undefined;
  return value?.cooked ?? undefined;
}

/** The name of a non-computed member property or object key, or of a computed string literal. */
export function propertyName(node: N, key = 'property'): string | undefined {
  const property = child(node, key);
  if (property === undefined) return undefined;
  if (node['computed'] === true) return stringValue(property);
  if (property.type === 'Identifier' || property.type === 'PrivateIdentifier') return property['name'] as string;
  return stringValue(property);
}

export function identifierName(node: N | undefined): string | undefined {
  return node?.type === 'Identifier' ? (node['name'] as string) : undefined;
}

/** Parses as a module, then as a script (CommonJS with sloppy-mode syntax); throws the module error when both fail. */
export function parseJavaScript(text: string): N {
  const common = { ecmaVersion: 'latest', allowHashBang: true, allowReturnOutsideFunction: true, allowAwaitOutsideFunction: true, allowImportExportEverywhere: true } as const;
  try {
    return parse(text, { ...common, sourceType: 'module' }) as unknown as N;
  } catch (moduleError) {
    try {
      return parse(text, { ...common, sourceType: 'script' }) as unknown as N;
    } catch {
      throw moduleError;
    }
  }
}

/** Keys that hold no child nodes worth visiting. */
const SKIP = new Set(['type', 'start', 'end', 'loc', 'range', 'raw', 'regex', 'bigint', 'name', 'operator', 'sourceType', 'kind']);

/**
 * Visits every node depth-first, iteratively. `visit` may return false to stop; `tick` is called
 * every 4096 nodes and may return false to stop (the time budget).
 */
export function walk(root: N, visit: (frame: Frame) => void, tick: () => boolean): boolean {
  const stack: Frame[] = [{ node: root, parent: null, key: '' }];
  let count = 0;
  while (stack.length > 0) {
    const frame = stack.pop()!;
    if ((++count & 4095) === 0 && !tick()) return false;
    visit(frame);
    const keys = Object.keys(frame.node);
    for (let index = keys.length - 1; index >= 0; index--) {
      const key = keys[index]!;
      if (SKIP.has(key)) continue;
      const value = frame.node[key];
      if (Array.isArray(value)) {
        for (let item = value.length - 1; item >= 0; item--) if (isNode(value[item])) stack.push({ node: value[item] as N, parent: frame, key });
      } else if (isNode(value)) {
        stack.push({ node: value, parent: frame, key });
      }
    }
  }
  return true;
}
