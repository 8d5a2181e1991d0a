// Two questions about the code a JavaScript file evaluates or loads (issue 13 "Evidence"):
// is it decoded or assembled from pieces at run time (obfuscation: `eval(atob('...'))`,
// `require('chi' + 'ld_process')`), and does it come from the network (`eval(await
// (await fetch(u)).text())`, the classic download-and-run)? Both are read from the syntax tree,
// within the function around the call and the functions enclosing it, never by running anything.

import { callRole } from './js-rules.ts';
import { child, children, identifierName, propertyName, stringValue, walk, type Frame, type N } from './js-ast.ts';
import type { Bindings } from './js-names.ts';

const MAX_HOPS = 12;

/** Decoders whose output, evaluated or required, hides what runs. */
const DECODERS = /^(?:atob|unescape|decodeURIComponent|decodeURI|String\.fromCharCode|String\.fromCodePoint|Buffer\.from|buffer\.Buffer\.from|Buffer\.alloc|TextDecoder)$/u;
const DECODE_METHODS = /^(?:fromCharCode|fromCodePoint|reverse|decode)$/u;
const BINARY_ENCODINGS = /^(?:base64|base64url|hex|binary|latin1|ucs2|utf16le)$/iu;

/** Whether the value of `node` is decoded at run time (base64, hex, char codes, a reversed string, hex escapes). */
export function isDecoded(node: N | undefined, bindings: Bindings, text: string, hops = 0): boolean {
  if (node === undefined || hops > MAX_HOPS) return false;
  switch (node.type) {
    case 'Literal':
      // A string spelled in escapes (`'\x65\x76\x61\x6c'`) says nothing until decoded.
      return typeof node['value'] === 'string' && /(?:\\x[0-9a-f]{2}|\\u[0-9a-f]{4}|\\u\{[0-9a-f]+\}){4}/iu.test(text.slice(node.start, Math.min(node.end, node.start + 4096)));
    case 'CallExpression':
    case 'NewExpression':
      return decodingCall(node, bindings, text, hops);
    case 'MemberExpression':
      return isDecoded(child(node, 'object'), bindings, text, hops + 1);
    case 'BinaryExpression':
      return isDecoded(child(node, 'left'), bindings, text, hops + 1) || isDecoded(child(node, 'right'), bindings, text, hops + 1);
    case 'TemplateLiteral':
      return children(node, 'expressions').some((part) => isDecoded(part, bindings, text, hops + 1));
    case 'AwaitExpression':
    case 'ParenthesizedExpression':
      return isDecoded(child(node, 'argument') ?? child(node, 'expression'), bindings, text, hops + 1);
    case 'Identifier': {
      const init = bindings.init(node['name'] as string);
      return init !== undefined && isDecoded(init, bindings, text, hops + 1);
    }
    default:
      return false;
  }
}

function decodingCall(node: N, bindings: Bindings, text: string, hops: number): boolean {
  const callee = child(node, 'callee');
  const args = children(node, 'arguments');
  const name = bindings.qualifiedName(callee) ?? '';
  if (DECODERS.test(name)) {
    // Buffer.from(x) alone copies; with a binary encoding it decodes.
    if (/Buffer\.from$/u.test(name)) return args.length >= 2 && BINARY_ENCODINGS.test(stringValue(args[1]) ?? '');
    return !/Buffer\.alloc$/u.test(name);
  }
  if (callee?.type === 'MemberExpression') {
    const method = propertyName(callee) ?? '';
    if (DECODE_METHODS.test(method)) return true;
    if (method === 'toString' && BINARY_ENCODINGS.test(stringValue(args[0]) ?? '')) return true;
    if (method === 'map' && args.some((arg) => /fromCharCode|fromCodePoint/u.test(text.slice(arg.start, Math.min(arg.end, arg.start + 200))))) return true;
    return isDecoded(child(callee, 'object'), bindings, text, hops + 1);
  }
  return false;
}

/**
 * Whether a `require`/`import()` specifier is assembled from literal pieces or decoded: a name
 * the author could have written out, hidden on purpose (`'chi' + 'ld_process'`,
 * `['f','s'].join('')`). A plain parameter or variable (a plugin loader's name) is not.
 */
export function isComputedName(node: N | undefined, bindings: Bindings, text: string, hops = 0): boolean {
  if (node === undefined || hops > MAX_HOPS) return false;
  if (isDecoded(node, bindings, text, hops)) return true;
  switch (node.type) {
    case 'BinaryExpression':
      return node['operator'] === '+' && literalPieces(node, bindings, hops);
    case 'TemplateLiteral':
      return children(node, 'expressions').length > 0 && literalPieces(node, bindings, hops);
    case 'CallExpression': {
      const callee = child(node, 'callee');
      const method = callee?.type === 'MemberExpression' ? propertyName(callee) : undefined;
      return (method === 'join' || method === 'concat' || method === 'replace' || method === 'slice' || method === 'substring') && literalPieces(child(callee!, 'object'), bindings, hops);
    }
    case 'Identifier': {
      const init = bindings.init(node['name'] as string);
      return init !== undefined && isComputedName(init, bindings, text, hops + 1);
    }
    default:
      return false;
  }
}

/** Every leaf of a concatenation, template or array is a literal (or a name bound to one). */
function literalPieces(node: N | undefined, bindings: Bindings, hops: number): boolean {
  if (node === undefined || hops > MAX_HOPS) return false;
  if (stringValue(node) !== undefined || (node.type === 'Literal' && typeof node['value'] === 'number')) return true;
  switch (node.type) {
    case 'BinaryExpression':
      return literalPieces(child(node, 'left'), bindings, hops + 1) && literalPieces(child(node, 'right'), bindings, hops + 1);
    case 'TemplateLiteral':
      return children(node, 'expressions').every((part) => literalPieces(part, bindings, hops + 1));
    case 'ArrayExpression':
      return children(node, 'elements').length > 0 && children(node, 'elements').every((part) => literalPieces(part, bindings, hops + 1));
    case 'Identifier': {
      const init = bindings.init(node['name'] as string);
      return init !== undefined && literalPieces(init, bindings, hops + 1);
    }
    default:
      return false;
  }
}

/**
 * Network taint within the functions around one call: a value is fetched when it is a network
 * call's result, a member or method result of one (`res.text()`, `r.data`), a name assigned one
 * in an enclosing function (`body += chunk`), or a parameter of a callback handed to one
 * (`https.get(u, (res) => ...)`, `res.on('data', (chunk) => ...)`, `.then((r) => ...)`).
 */
export class FetchTaint {
  readonly #bindings: Bindings;
  readonly #tick: () => boolean;
  #scopes: Scopes | undefined;

  /** `tick` is asked now and then during the one walk that reads the declarations (the time budget). */
  constructor(bindings: Bindings, tick: () => boolean = () => true) {
    this.#bindings = bindings;
    this.#tick = tick;
  }

  /** Whether `node`, evaluated at `frame`, holds data from the network. */
  isFetched(node: N | undefined, frame: Frame): boolean {
    const chain: Frame[] = [];
    for (let at: Frame | null = frame; at !== null; at = at.parent) if (/Function|^Program$/u.test(at.node.type)) chain.push(at);
    const root = chain.at(-1);
    if (root === undefined) return false;
    this.#scopes ??= readScopes(root, this.#tick);
    return this.#fetched(node, chain.map((at) => at.node), new Set(), 0);
  }

  #fetched(node: N | undefined, scopes: readonly N[], seen: Set<N>, hops: number): boolean {
    if (node === undefined || hops > MAX_HOPS || seen.has(node) || seen.size > MAX_VISITS) return false;
    seen.add(node);
    const next = (part: N | undefined): boolean => this.#fetched(part, scopes, seen, hops + 1);
    switch (node.type) {
      case 'CallExpression':
      case 'NewExpression': {
        const callee = child(node, 'callee');
        const name = this.#bindings.qualifiedName(callee);
        if (name !== undefined && callRole(name)?.kind === 'network') return true;
        if (callee?.type === 'MemberExpression' && next(child(callee, 'object'))) return true;
        return children(node, 'arguments').some((arg) => !/Function/u.test(arg.type) && next(arg));
      }
      case 'MemberExpression':
        return next(child(node, 'object'));
      case 'AwaitExpression':
      case 'ParenthesizedExpression':
      case 'ChainExpression':
        return next(child(node, 'argument') ?? child(node, 'expression'));
      case 'BinaryExpression':
      case 'LogicalExpression':
        return next(child(node, 'left')) || next(child(node, 'right'));
      case 'ConditionalExpression':
        return next(child(node, 'consequent')) || next(child(node, 'alternate'));
      case 'TemplateLiteral':
        return children(node, 'expressions').some(next);
      case 'Identifier':
        // Each value is read in the scope it was written in (a chunk parameter of a nested callback).
        return this.#scopes!.valuesOf(identifierName(node)!, scopes).some(({ value, owner }) => this.#fetched(value, this.#scopes!.chainOf(owner), seen, hops + 1));
      default:
        return false;
    }
  }
}

/** Most nodes one taint question visits. */
const MAX_VISITS = 4096;
/** Furthest a declaration is looked up for its function (deeper nesting is attributed to the program). */
const MAX_UP = 256;

/** Most values kept per name and function. */
const MAX_VALUES = 64;

/**
 * The names of one program, by function: declarations (and callback parameters) belong to the
 * function they are in; an assignment (`body += chunk` in a nested callback) counts for the
 * declaring function when it sits inside it.
 */
class Scopes {
  /** Function (or program) -> name -> declared values. */
  readonly #declared = new Map<N, Map<string, N[]>>();
  /** Name -> assigned values with the function the assignment is in. */
  readonly #assigned = new Map<string, Array<{ owner: N; value: N }>>();
  /** Function -> the function around it. */
  readonly #parents = new Map<N, N>();

  declare(owner: N, name: string, value: N): void {
    let scope = this.#declared.get(owner);
    if (scope === undefined) this.#declared.set(owner, (scope = new Map()));
    const list = scope.get(name) ?? [];
    if (list.length < MAX_VALUES) list.push(value);
    scope.set(name, list);
  }

  /** The function `owner` and the functions around it, innermost first. */
  chainOf(owner: N): N[] {
    const chain: N[] = [];
    for (let at: N | undefined = owner; at !== undefined && chain.length < MAX_UP; at = this.#parents.get(at)) chain.push(at);
    return chain;
  }

  assign(owner: N, name: string, value: N): void {
    const list = this.#assigned.get(name) ?? [];
    if (list.length < MAX_VALUES * 4) list.push({ owner, value });
    this.#assigned.set(name, list);
  }

  nest(inner: N, outer: N): void {
    this.#parents.set(inner, outer);
  }

  /** What `name` may hold, seen from the functions `chain` (innermost first, the program last). */
  valuesOf(name: string, chain: readonly N[]): Array<{ owner: N; value: N }> {
    const declaring = chain.find((fn) => this.#declared.get(fn)?.has(name)) ?? chain.at(-1)!;
    const values = (this.#declared.get(declaring)?.get(name) ?? []).map((value) => ({ owner: declaring, value }));
    for (const entry of this.#assigned.get(name) ?? []) if (this.#within(entry.owner, declaring)) values.push(entry);
    return values;
  }

  #within(inner: N, outer: N): boolean {
    let hops = 0;
    for (let at: N | undefined = inner; at !== undefined && hops < MAX_UP; at = this.#parents.get(at), hops++) if (at === outer) return true;
    return false;
  }
}

/** One walk of the program: every declaration, assignment and callback parameter, by function. */
function readScopes(root: Frame, tick: () => boolean): Scopes {
  const scopes = new Scopes();
  walk(root.node, (frame) => {
    if (/Function/u.test(frame.node.type)) scopes.nest(frame.node, ownerOf(frame, root.node));
    for (const [kind, owner, name, value] of declarations(frame, root.node)) {
      if (kind === 'declare') scopes.declare(owner, name, value);
      else scopes.assign(owner, name, value);
    }
  }, tick);
  return scopes;
}

/** The function (or the program) a node belongs to. */
function ownerOf(frame: Frame, root: N): N {
  let hops = 0;
  for (let at = frame.parent; at !== null && hops < MAX_UP; at = at.parent, hops++) if (/Function/u.test(at.node.type)) return at.node;
  return root;
}

/** The names one node binds, with the function each belongs to and what each receives. */
function declarations(frame: Frame, root: N): Array<['declare' | 'assign', N, string, N]> {
  const node = frame.node;
  const out: Array<['declare' | 'assign', N, string, N]> = [];
  if (node.type === 'VariableDeclarator') {
    const id = child(node, 'id');
    const init = child(node, 'init');
    // const { data } = await axios.get(u): each destructured name carries the whole value.
    if (id !== undefined && init !== undefined) for (const name of patternNames(id)) out.push(['declare', ownerOf(frame, root), name, init]);
  } else if (node.type === 'AssignmentExpression' && child(node, 'left')?.type === 'Identifier') {
    out.push(['assign', ownerOf(frame, root), identifierName(child(node, 'left'))!, child(node, 'right')!]);
  } else if (node.type === 'CallExpression' || node.type === 'NewExpression') {
    // A callback's parameters receive what the call produces: taint flows from the call itself.
    for (const arg of children(node, 'arguments')) {
      if (!/Function/u.test(arg.type)) continue;
      for (const param of children(arg, 'params')) for (const name of patternNames(param)) out.push(['declare', arg, name, node]);
    }
  }
  return out;
}

function patternNames(node: N): string[] {
  if (node.type === 'Identifier') return [identifierName(node)!];
  if (node.type === 'ObjectPattern') return children(node, 'properties').flatMap((property) => patternNames(child(property, 'value') ?? child(property, 'argument') ?? property));
  if (node.type === 'ArrayPattern') return children(node, 'elements').flatMap(patternNames);
  const inner = node.type === 'AssignmentPattern' ? child(node, 'left') : node.type === 'RestElement' ? child(node, 'argument') : undefined;
  return inner === undefined ? [] : patternNames(inner);
}
