// Where a path or URL expression comes from, read from one file: literals, templates and
// concatenations by their first part, `path.join`/`resolve`/`dirname` by their arguments, a name
// by its one initializer. Bounded in depth; anything else is `dynamic`.

import { child, children, identifierName, propertyName, stringValue, templateHead, type N } from './js-ast.ts';
import type { Bindings } from './js-names.ts';
import type { PathExpression } from './model.ts';

const MAX_HOPS = 8;
const PATH_JOINERS = /^(?:path|upath|pathe)(?:\.(?:posix|win32))?\.(?:join|resolve|normalize)$/u;
const PATH_PARENT = /^(?:path|upath|pathe)(?:\.(?:posix|win32))?\.dirname$/u;
const BUNDLE = new Set(['__dirname', '__filename', 'import.meta.url', 'import.meta.dirname', 'import.meta.filename']);

/** The origin of a path expression (an fs call's argument). */
export function classifyPath(node: N | undefined, bindings: Bindings, hops = 0): PathExpression {
  if (node === undefined || hops > MAX_HOPS) return { origin: 'dynamic' };
  const literal = stringValue(node);
  if (literal !== undefined) return literalPath(literal);
  switch (node.type) {
    case 'TemplateLiteral': {
      const head = templateHead(node) ?? '';
      const text = renderTemplate(node);
      if (head !== '') return { ...literalPath(head), text };
      const first = classifyPath(children(node, 'expressions')[0], bindings, hops + 1);
      return { ...first, text };
    }
    case 'BinaryExpression':
      return node['operator'] === '+' ? classifyPath(child(node, 'left'), bindings, hops + 1) : { origin: 'dynamic' };
    case 'LogicalExpression':
      return classifyPath(child(node, 'left'), bindings, hops + 1);
    case 'ConditionalExpression':
      return classifyPath(child(node, 'consequent'), bindings, hops + 1);
    case 'AwaitExpression':
      return classifyPath(child(node, 'argument'), bindings, hops + 1);
    case 'CallExpression':
    case 'NewExpression':
      return classifyCallPath(node, bindings, hops);
    case 'Identifier': {
      const name = node['name'] as string;
      if (BUNDLE.has(name)) return { origin: 'bundle', text: name };
      const init = bindings.init(name);
      return init === undefined ? { origin: 'dynamic', text: name } : classifyPath(init, bindings, hops + 1);
    }
    case 'MemberExpression':
      return classifyMember(node, bindings);
    case 'ArrayExpression':
      return classifyPath(children(node, 'elements')[0], bindings, hops + 1);
    default:
      return { origin: 'dynamic' };
  }
}

function classifyCallPath(node: N, bindings: Bindings, hops: number): PathExpression {
  const callee = bindings.qualifiedName(child(node, 'callee')) ?? '';
  const args = children(node, 'arguments');
  if (PATH_JOINERS.test(callee)) {
    const first = classifyPath(args[0], bindings, hops + 1);
    const tail = args.slice(1).map((arg) => stringValue(arg) ?? '…').join('/');
    // path.resolve of a relative path is relative to the working directory.
    // The text grows for paths written out (literal, home, cwd, bundle); an env origin keeps its variable's name.
    return first.text !== undefined && tail !== '' && first.origin !== 'env' ? { ...first, text: `${first.text}/${tail}` } : first;
  }
  if (PATH_PARENT.test(callee)) return { ...classifyPath(args[0], bindings, hops + 1), beside: true };
  if (callee === 'os.homedir' || callee === 'homedir') return { origin: 'home', text: '~' };
  if (callee === 'os.tmpdir' || callee === 'tmpdir') return { origin: 'tmp' };
  if (callee === 'process.cwd') return { origin: 'cwd', text: '.' };
  if (/(?:^|\.)fileURLToPath$/u.test(callee) || callee === 'URL') {
    const base = classifyPath(args[1] ?? args[0], bindings, hops + 1);
    return base.origin === 'bundle' ? base : { origin: 'dynamic' };
  }
  return { origin: 'dynamic' };
}

function classifyMember(node: N, bindings: Bindings): PathExpression {
  const name = bindings.qualifiedName(node);
  if (name !== undefined && BUNDLE.has(name)) return { origin: 'bundle', text: name };
  const object = bindings.qualifiedName(child(node, 'object'));
  const property = propertyName(node);
  if (object === 'process.env' && property !== undefined) {
    if (property === 'HOME' || property === 'USERPROFILE') return { origin: 'home', text: '~' };
    if (property === 'TMPDIR' || property === 'TEMP' || property === 'TMP') return { origin: 'tmp' };
    return { origin: 'env', text: property };
  }
  if (object === 'process.argv' || name === 'process.argv') return { origin: 'argv' };
  return { origin: 'dynamic', ...(name === undefined ? {} : { text: name }) };
}

function literalPath(text: string): PathExpression {
  if (text.startsWith('~')) return { origin: 'home', text };
  if (/^(?:\/|[A-Za-z]:[\\/]|\\\\)/u.test(text)) return { origin: 'literal', text };
  return { origin: 'cwd', text };
}

/** `a${…}b`: the template's literal text with its holes marked. */
function renderTemplate(node: N): string {
  return children(node, 'quasis')
    .map((quasi) => (quasi['value'] as { cooked?: string | null }).cooked ?? '')
    .join('${…}')
    .slice(0, 512);
}

/** The identifier a URL expression reduces to (for "is it a parameter?"), through `new URL(x)` and `String(x)`. */
export function rootIdentifier(node: N | undefined, bindings: Bindings, hops = 0): string | undefined {
  if (node === undefined || hops > MAX_HOPS) return undefined;
  if (node.type === 'Identifier') return identifierName(node);
  if (node.type === 'MemberExpression') return rootIdentifier(child(node, 'object'), bindings, hops + 1);
  if ((node.type === 'NewExpression' || node.type === 'CallExpression') && children(node, 'arguments').length > 0) {
    return rootIdentifier(children(node, 'arguments')[0], bindings, hops + 1);
  }
  if (node.type === 'TemplateLiteral') return rootIdentifier(children(node, 'expressions')[0], bindings, hops + 1);
  if (node.type === 'BinaryExpression') return rootIdentifier(child(node, 'left'), bindings, hops + 1);
  return undefined;
}
