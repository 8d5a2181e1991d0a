// What a name in one JavaScript file stands for: `fs` after `import fs from 'node:fs'`,
// `readFile` after `const { readFile } = require('fs/promises')`, the bundlers' wrappers
// (`__toESM(require('fs'))`). Flow-insensitive and per file: a name bound twice to different
// things (minifiers reuse short names) stands for nothing rather than for the wrong thing.

import { child, children, identifierName, propertyName, stringValue, type N } from './js-ast.ts';

/** Deepest member chain or alias hop followed. */
const MAX_DEPTH = 24;

/** Interop helpers of TypeScript, Babel and esbuild that wrap `require(...)`. */
const WRAPPERS = /^(?:__toESM|__toCommonJS|__importDefault|__importStar|_interopRequireDefault|_interopRequireWildcard|_interop_require_default|_interop_require_wildcard)$/u;

/** `node:fs` -> `fs`, `fs/promises` -> `fs.promises` (the same API as `require('fs').promises`). */
export function normalizeModule(specifier: string): string {
  const bare = specifier.startsWith('node:') ? specifier.slice(5) : specifier;
  return /^(?:fs|dns|stream|timers|readline)\/promises$/u.test(bare) ? bare.replace('/', '.') : bare;
}

export class Bindings {
  /** Local name -> qualified name; null when the name is bound to different things. */
  readonly #aliases = new Map<string, string | null>();
  /** Local name -> its one initializer; null when bound more than once. */
  readonly #inits = new Map<string, N | null>();
  readonly #requires = new Set(['require', '__require']);

  /** Reads one declaration (`const x = ...`, `const { a } = ...`, `x = ...`). */
  declare(id: N, init: N | undefined): void {
    const name = identifierName(id);
    if (name !== undefined) {
      this.#bind(this.#inits, name, init ?? null);
      if (init === undefined) return;
      const callee = init.type === 'CallExpression' ? this.qualifiedName(child(init, 'callee')) : undefined;
      if (callee === 'module.createRequire' || callee === 'createRequire') this.#requires.add(name);
      if (this.#aliasable(init)) {
        const target = this.qualifiedName(init);
        if (target !== undefined) this.#bind(this.#aliases, name, target);
      }
      return;
    }
    if (id.type === 'ObjectPattern' && init !== undefined && this.#aliasable(init)) {
      const base = this.qualifiedName(init);
      if (base === undefined) return;
      for (const property of children(id, 'properties')) {
        const key = property.type === 'Property' ? propertyName(property, 'key') : undefined;
        const local = identifierName(child(property, 'value')) ?? identifierName(child(child(property, 'value') ?? property, 'left'));
        if (key !== undefined && local !== undefined) this.#bind(this.#aliases, local, `${base}.${key}`);
      }
    }
  }

  /** Reads an import declaration. */
  declareImport(node: N): void {
    const source = stringValue(child(node, 'source'));
    if (source === undefined) return;
    const module = normalizeModule(source);
    for (const specifier of children(node, 'specifiers')) {
      const local = identifierName(child(specifier, 'local'));
      if (local === undefined) continue;
      const imported = specifier.type === 'ImportSpecifier' ? propertyName(specifier, 'imported') : undefined;
      this.#bind(this.#aliases, local, imported === undefined || imported === 'default' ? module : `${module}.${imported}`);
    }
  }

  /** The initializer of a name bound once, if any. */
  init(name: string): N | undefined {
    return this.#inits.get(name) ?? undefined;
  }

  /** `fs.promises.writeFile`, `process.env`, `node-fetch`, ... or undefined when unknown. */
  qualifiedName(node: N | undefined, depth = 0): string | undefined {
    if (node === undefined || depth > MAX_DEPTH) return undefined;
    switch (node.type) {
      case 'Identifier': {
        const name = node['name'] as string;
        const alias = this.#aliases.get(name);
        return alias === null ? undefined : (alias ?? name);
      }
      case 'ThisExpression':
        return 'this';
      case 'MetaProperty':
        return 'import.meta';
      case 'MemberExpression': {
        const object = this.qualifiedName(child(node, 'object'), depth + 1);
        const property = propertyName(node);
        if (object === undefined || property === undefined) return undefined;
        return property === 'default' ? object : `${object}.${property}`;
      }
      case 'CallExpression':
        return this.moduleOf(node, depth + 1);
      case 'ImportExpression': {
        const source = stringValue(child(node, 'source'));
        return source === undefined ? undefined : normalizeModule(source);
      }
      case 'AwaitExpression':
      case 'ChainExpression':
      case 'ParenthesizedExpression':
        return this.qualifiedName(child(node, 'argument') ?? child(node, 'expression'), depth + 1);
      case 'SequenceExpression':
        return this.qualifiedName(children(node, 'expressions').at(-1), depth + 1);
      default:
        return undefined;
    }
  }

  /** The module a `require('x')` (or a bundler's wrapper around one) loads. */
  moduleOf(call: N, depth = 0): string | undefined {
    if (call.type !== 'CallExpression' || depth > MAX_DEPTH) return undefined;
    const callee = child(call, 'callee');
    const args = children(call, 'arguments');
    const name = identifierName(callee);
    if (name !== undefined && this.isRequire(name)) {
      const specifier = stringValue(args[0]);
      return specifier === undefined ? undefined : normalizeModule(specifier);
    }
    if (name !== undefined && WRAPPERS.test(name) && args[0]?.type === 'CallExpression') return this.moduleOf(args[0], depth + 1);
    return undefined;
  }

  isRequire(name: string): boolean {
    return this.#requires.has(name) && !this.#aliases.has(name);
  }

  /** Only names, member chains, requires and imports are aliased: a call's result is a value, not an API. */
  #aliasable(init: N): boolean {
    const type = init.type === 'AwaitExpression' ? child(init, 'argument')?.type : init.type;
    return type === 'Identifier' || type === 'MemberExpression' || type === 'CallExpression' || type === 'ImportExpression';
  }

  #bind<T>(map: Map<string, T | null>, name: string, value: T | null): void {
    if (!map.has(name)) map.set(name, value);
    else if (map.get(name) !== value) map.set(name, null);
  }
}
