// The JavaScript (and TypeScript, after its types are stripped) half of the analyzer: one file's
// text in, its observations out. Never runs the code: acorn parses it, an iterative walk collects
// the nodes that matter, and the calls are read by their qualified names (js-names.ts).

import { builtinModules } from 'node:module';
import { child, children, identifierName, parseJavaScript, propertyName, stringValue, templateHead, walk, type Frame, type N } from './js-ast.ts';
import { FetchTaint, isComputedName, isDecoded } from './js-evidence.ts';
import { Bindings } from './js-names.ts';
import { classifyPath, rootIdentifier } from './js-paths.ts';
import { MESSAGE_CALLEE, NETWORK_CONTEXT, callRole, openFlagsWrite, simplify, type CallRole } from './js-rules.ts';
import { escapeControls, excerptAt, lineOf, lineStarts } from './excerpt.ts';
import type { Observation, ObservationKind, PathExpression, Unknown } from './model.ts';
import { isNativeCode } from './native-code.ts';
import { secretOfPath } from './secrets.ts';
import { urlTarget } from './urls.ts';

export interface FileContext {
  path: string;
  origin: 'own' | 'dependency';
  package?: string;
  test?: boolean;
}

export interface FileResult {
  observations: Observation[];
  /** Bare package names the file imports or requires. */
  imports: string[];
  unknown?: Unknown;
}

/** What one walk collects before the names are known. */
interface Collected {
  calls: Frame[];
  members: Frame[];
  strings: Frame[];
  dynamicImports: Frame[];
  specifiers: Array<{ text: string; node: N }>;
  registersTools: boolean;
}

const BUILTINS = new Set(builtinModules);

/** Analyzes one JavaScript file. Never throws: a file it cannot read to the end is an unknown. */
export function analyzeJavaScript(text: string, file: FileContext, deadline: number, maxObservations = Infinity): FileResult {
  let program: N;
  try {
    program = parseJavaScript(text);
  } catch (error) {
    const deep = error instanceof RangeError;
    return { observations: [], imports: [], unknown: { path: file.path, reason: deep ? 'too-deep' : 'parse-error', message: deep ? 'nested too deeply to parse' : `not parsed: ${String((error as Error).message).slice(0, 200)}`, origin: file.origin } };
  }
  const bindings = new Bindings();
  const collected: Collected = { calls: [], members: [], strings: [], dynamicImports: [], specifiers: [], registersTools: false };
  const finished = walk(program, (frame) => collect(frame, bindings, collected), () => Date.now() <= deadline);
  const reader = new FileReader(text, file, bindings, collected.registersTools, maxObservations, deadline);
  for (const frame of collected.calls) reader.call(frame);
  for (const frame of collected.members) reader.member(frame);
  for (const frame of collected.strings) reader.string(frame);
  for (const frame of collected.dynamicImports) reader.dynamicImport(frame);
  for (const { text: specifier, node } of collected.specifiers) reader.specifier(specifier, node);
  const specifiers = [...collected.specifiers.map(({ text: specifier }) => specifier), ...reader.required];
  const imports = [...new Set(specifiers.map(packageName).filter((name): name is string => name !== undefined))];
  const result: FileResult = { observations: reader.observations, imports };
  if (!finished) result.unknown = { path: file.path, reason: 'time-budget', message: 'the time budget ran out while reading this file', origin: file.origin };
  else if (reader.dropped > 0) result.unknown = { path: file.path, reason: 'truncated', message: `${reader.dropped} observations past the per-file cap were not recorded`, origin: file.origin };
  return result;
}

/** Records the nodes of interest; bindings are read in source order, so they are known before the calls are classified. */
function collect(frame: Frame, bindings: Bindings, collected: Collected): void {
  const node = frame.node;
  switch (node.type) {
    case 'ImportDeclaration':
    case 'ExportNamedDeclaration':
    case 'ExportAllDeclaration': {
      const source = stringValue(child(node, 'source'));
      if (source !== undefined) collected.specifiers.push({ text: source, node });
      if (node.type === 'ImportDeclaration') bindings.declareImport(node);
      return;
    }
    case 'VariableDeclarator':
      // `let x;` binds nothing yet: a later `x = ...` (or a for-of) says what x is.
      if (child(node, 'init') !== undefined) bindings.declare(child(node, 'id')!, child(node, 'init'));
      if (child(node, 'id')?.type === 'ObjectPattern') collected.members.push(frame);
      return;
    case 'ForOfStatement': {
      // for (const x of [a, b]): x stands for the array's first element (js-paths reads arrays so).
      const declaration = child(node, 'left');
      const id = declaration?.type === 'VariableDeclaration' ? child(children(declaration, 'declarations')[0] ?? declaration, 'id') : undefined;
      if (id?.type === 'Identifier') bindings.declare(id, child(node, 'right'));
      return;
    }
    case 'AssignmentExpression':
      if (node['operator'] === '=' && child(node, 'left')?.type === 'Identifier') bindings.declare(child(node, 'left')!, child(node, 'right'));
      return;
    case 'CallExpression':
    case 'NewExpression':
      collected.calls.push(frame);
      if (isToolRegistration(node)) collected.registersTools = true;
      return;
    case 'MemberExpression':
      collected.members.push(frame);
      return;
    case 'Literal':
    case 'TemplateLiteral':
      if (typeof node['value'] === 'string' || node.type === 'TemplateLiteral') collected.strings.push(frame);
      return;
    case 'ImportExpression':
      collected.dynamicImports.push(frame);
      return;
    default:
  }
}

/** `server.registerTool(...)`, `server.tool(name, ..., handler)`, `setRequestHandler(CallToolRequestSchema, ...)`. */
function isToolRegistration(node: N): boolean {
  const callee = child(node, 'callee');
  if (callee?.type !== 'MemberExpression') return false;
  const method = propertyName(callee);
  if (method === 'registerTool' || (method === 'tool' && children(node, 'arguments').length >= 2)) return true;
  if (method !== 'setRequestHandler') return false;
  const schema = children(node, 'arguments')[0];
  const name = identifierName(schema) ?? (schema?.type === 'MemberExpression' ? propertyName(schema) : undefined);
  return name === 'CallToolRequestSchema';
}

/** The package a bare specifier names (`@scope/name/sub` -> `@scope/name`); builtins and relative paths have none. */
export function packageName(specifier: string): string | undefined {
  if (specifier.startsWith('.') || specifier.startsWith('/') || specifier.startsWith('node:') || /^[a-z]+:/iu.test(specifier)) return undefined;
  const parts = specifier.split('/');
  const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
  return BUILTINS.has(name) || name === '' ? undefined : name;
}

/** Turns collected nodes into observations, with evidence. */
class FileReader {
  readonly observations: Observation[] = [];
  /** Literal `require(...)` specifiers. */
  readonly required: string[] = [];
  readonly #text: string;
  readonly #file: FileContext;
  readonly #bindings: Bindings;
  readonly #registersTools: boolean;
  readonly #max: number;
  readonly #deadline: number;
  #starts: number[] | undefined;
  #taint: FetchTaint | undefined;
  #taintChecks = 0;
  readonly #secretLines = new Set<string>();
  /** Observations past the cap, counted, not kept. */
  dropped = 0;

  constructor(text: string, file: FileContext, bindings: Bindings, registersTools: boolean, max: number, deadline: number) {
    this.#deadline = deadline;
    this.#text = text;
    this.#file = file;
    this.#bindings = bindings;
    this.#registersTools = registersTools;
    this.#max = max;
  }

  call(frame: Frame): void {
    const node = frame.node;
    const callee = child(node, 'callee');
    const args = children(node, 'arguments');
    const name = identifierName(callee);
    if (name !== undefined && this.#bindings.isRequire(name) && node.type === 'CallExpression') {
      const specifier = stringValue(args[0]);
      if (specifier === undefined) {
        // A require of a path built from the bundle's own location reads the bundle's own files.
        if (classifyPath(args[0], this.#bindings).origin !== 'bundle') this.#emit('dynamic-code', 'require', node);
        if (isComputedName(args[0], this.#bindings, this.#text)) this.#emit('obfuscation', 'require of a computed name', node);
      } else {
        this.required.push(specifier);
        this.specifier(specifier, node);
      }
      return;
    }
    const qualified = this.#bindings.qualifiedName(callee);
    if (qualified === undefined) {
      if (callee?.type === 'MemberExpression' && propertyName(callee) === 'listRoots') this.#emit('mcp-roots', 'listRoots', node);
      else if (callee?.type === 'MemberExpression' && propertyName(callee) === 'listen') this.#emit('listen', 'listen', node);
      return;
    }
    const role = callRole(qualified);
    if (role !== undefined) this.#role(role, qualified, node, args, frame);
  }

  #role(role: CallRole, qualified: string, node: N, args: N[], frame: Frame): void {
    switch (role.kind) {
      case 'fs-read':
      case 'fs-write':
        for (const index of role.pathArgs) this.#emit(role.kind, qualified, node, { target: classifyPath(args[index], this.#bindings) });
        return;
      case 'fs-open': {
        // Absent flags (or a callback in their place) open for reading; flags the analyzer cannot read count as writing.
        const flags = args[1]?.type === 'Literal' ? (args[1]['value'] as string | number) : args[1] === undefined || /Function/u.test(args[1].type) ? undefined : 'w';
        this.#emit(openFlagsWrite(flags) ? 'fs-write' : 'fs-read', qualified, node, { target: classifyPath(args[0], this.#bindings) });
        return;
      }
      case 'network':
        this.#network(qualified, node, args, frame, role.factory === true);
        return;
      case 'spawn':
        this.#emit('spawn', programOf(args[0], role.program) ?? '', node, programOf(args[0], role.program) === undefined ? { target: { origin: 'dynamic' } } : {});
        if (programOf(args[0], role.program) === undefined) this.#evaluated(qualified, node, args[0], frame);
        return;
      case 'dynamic-code':
        this.#emit(role.kind, qualified, node);
        // new Function(a, b, body): the body is the last argument.
        this.#evaluated(qualified, node, simplify(qualified) === 'Function' ? args.at(-1) : args[0], frame);
        return;
      default:
        this.#emit(role.kind, qualified, node);
    }
  }

  /** What eval, Function, vm or a shell runs: decoded text is obfuscation, a network response is eval-fetched. */
  #evaluated(qualified: string, node: N, code: N | undefined, frame: Frame): void {
    if (code === undefined || this.#taintChecks >= MAX_TAINT_CHECKS) return;
    this.#taintChecks += 1;
    if (isDecoded(code, this.#bindings, this.#text)) this.#emit('obfuscation', `${qualified} of decoded text`, node);
    this.#taint ??= new FetchTaint(this.#bindings, () => Date.now() <= this.#deadline);
    if (this.#taint.isFetched(code, frame)) this.#emit('eval-fetched', qualified, node);
  }

  #network(qualified: string, node: N, args: N[], frame: Frame, factory: boolean): void {
    const expression = factory || args[0]?.type === 'ObjectExpression' ? urlOption(args[0]) : args[0];
    const target = this.#urlOf(expression);
    if (target !== undefined) {
      this.#emit('network', target, node, { target: { origin: 'literal', text: target } });
      return;
    }
    if (factory && expression === undefined) return;
    const root = rootIdentifier(expression, this.#bindings);
    const toolInput = this.#registersTools && root !== undefined && (isParameter(frame, root) || /^(?:args|params|input|request|arguments)$/u.test(root));
    const source = expression === undefined ? qualified : this.#text.slice(expression.start, Math.min(expression.end, expression.start + 120));
    this.#emit('network', source, node, { target: { origin: 'dynamic', text: qualified }, ...(toolInput ? { toolInput } : {}) });
  }

  /** The literal URL an expression holds, through one-initializer names and `new URL(path, base)`. */
  #urlOf(expression: N | undefined, hops = 0): string | undefined {
    if (expression === undefined || hops > 6) return undefined;
    const text = stringValue(expression);
    if (text !== undefined) return urlTarget(text) ? text : undefined;
    if (expression.type === 'TemplateLiteral') {
      const head = templateHead(expression) ?? '';
      return urlTarget(head, { head: true }) ? `${head}…` : undefined;
    }
    if (expression.type === 'BinaryExpression' && expression['operator'] === '+') {
      const head = stringValue(child(expression, 'left'));
      return head !== undefined && urlTarget(head, { head: true }) ? `${head}…` : undefined;
    }
    if (expression.type === 'Identifier') return this.#urlOf(this.#bindings.init(expression['name'] as string), hops + 1);
    // url.href, url.toString(), String(url): the URL object's own target.
    if (expression.type === 'MemberExpression' && propertyName(expression) === 'href') return this.#urlOf(child(expression, 'object'), hops + 1);
    if (expression.type === 'CallExpression') {
      const callee = child(expression, 'callee');
      if (callee?.type === 'MemberExpression' && propertyName(callee) === 'toString') return this.#urlOf(child(callee, 'object'), hops + 1);
      if (identifierName(callee) === 'String') return this.#urlOf(children(expression, 'arguments')[0], hops + 1);
    }
    if (expression.type === 'NewExpression' && identifierName(child(expression, 'callee')) === 'URL') {
      const args = children(expression, 'arguments');
      return this.#urlOf(args[1] ?? args[0], hops + 1);
    }
    return undefined;
  }

  member(frame: Frame): void {
    const node = frame.node;
    if (node.type === 'VariableDeclarator') {
      if (this.#bindings.qualifiedName(child(node, 'init')) !== 'process.env') return;
      for (const property of children(child(node, 'id')!, 'properties')) {
        const key = property.type === 'Property' ? propertyName(property, 'key') : undefined;
        this.#emit('env-read', key ?? '*', property);
      }
      return;
    }
    if (frame.key === 'left' && frame.parent?.node.type === 'AssignmentExpression') return;
    if (this.#bindings.qualifiedName(child(node, 'object')) !== 'process.env') return;
    this.#emit('env-read', propertyName(node) ?? '*', node);
  }

  string(frame: Frame): void {
    const node = frame.node;
    if (frame.parent?.node.type === 'TemplateLiteral' || frame.key === 'key' || frame.key === 'source') return;
    const text = node.type === 'Literal' ? (node['value'] as string) : templateHead(node) ?? '';
    if (text === 'roots/list') {
      this.#emit('mcp-roots', text, node);
      return;
    }
    this.#secret(frame, node.type === 'Literal' ? text : templateText(node));
    const hasHoles = node.type === 'TemplateLiteral' && children(node, 'expressions').length > 0;
    if (!urlTarget(text, { head: hasHoles })) return;
    if (inMessage(frame, this.#bindings)) return;
    const networkContext = inNetworkContext(frame, this.#bindings);
    if (this.#file.origin === 'dependency' && !networkContext) return;
    if (namedLikeAnIdentifier(frame)) return;
    this.#emit('url-literal', `${text.slice(0, 300)}${hasHoles ? '…' : ''}`, node, networkContext ? { networkContext } : {});
  }

  /** A string naming a home-directory secret, outside messages: one observation per secret and line. */
  #secret(frame: Frame, text: string): void {
    const secret = secretOfPath(text);
    if (secret === undefined || inMessage(frame, this.#bindings)) return;
    this.#starts ??= lineStarts(this.#text);
    const key = `${secret}:${lineOf(this.#starts, frame.node.start)}`;
    if (this.#secretLines.has(key)) return;
    this.#secretLines.add(key);
    // The whole path expression the string is part of (`path.join(os.homedir(), '.ssh')` is `~/.ssh`).
    let at = frame;
    while (at.parent !== null && /^(?:TemplateLiteral|BinaryExpression)$/u.test(at.parent.node.type)) at = at.parent;
    if (at.parent?.node.type === 'CallExpression' && at.key === 'arguments' && /^(?:path|upath|pathe)(?:\.(?:posix|win32))?\.(?:join|resolve)$/u.test(this.#bindings.qualifiedName(child(at.parent.node, 'callee')) ?? '')) at = at.parent;
    const target = /^security\s/u.test(text.trim()) ? { origin: 'literal' as const } : classifyPath(at.node, this.#bindings);
    this.#emit('secret-path', secret, frame.node, { target: { ...target, text: target.text ?? text } });
  }

  dynamicImport(frame: Frame): void {
    const source = child(frame.node, 'source');
    const specifier = stringValue(source);
    if (specifier === undefined) {
      this.#emit('dynamic-code', 'import()', frame.node);
      if (isComputedName(source, this.#bindings, this.#text)) this.#emit('obfuscation', 'import() of a computed name', frame.node);
      // import(`data:text/javascript,${code}`) of fetched code runs it like eval.
      else this.#evaluated('import()', frame.node, source, frame);
    } else {
      this.required.push(specifier);
      this.specifier(specifier, frame.node);
    }
  }

  /** An import of native code or of dotenv's side-effect entry. */
  specifier(specifier: string, node: N): void {
    if (isNativeCode(specifier)) this.#emit('native', specifier, node);
    if (specifier === 'dotenv/config' || specifier === '@dotenvx/dotenvx/config') this.#emit('dotenv', specifier, node);
  }

  #emit(kind: ObservationKind, detail: string, node: N, extra: { target?: PathExpression; toolInput?: boolean; networkContext?: boolean } = {}): void {
    if (this.observations.length >= this.#max) {
      this.dropped += 1;
      return;
    }
    this.#starts ??= lineStarts(this.#text);
    // Details and path texts come from the file: escaped here, so no report carries its control characters.
    const observation: Observation = {
      kind,
      detail: escapeControls(detail.slice(0, 300)),
      ...extra,
      ...(extra.target?.text === undefined ? {} : { target: { ...extra.target, text: escapeControls(extra.target.text.slice(0, 512)) } }),
      evidence: { path: this.#file.path, line: lineOf(this.#starts, node.start), excerpt: excerptAt(this.#text, this.#starts, node.start, node.end) },
      origin: this.#file.origin,
    };
    if (this.#file.package !== undefined) observation.package = this.#file.package;
    if (this.#file.test === true) observation.test = true;
    this.observations.push(observation);
  }
}

/** Most eval-like calls per file whose code argument is traced (each may walk its enclosing functions). */
const MAX_TAINT_CHECKS = 64;

/** A template's literal parts joined (its holes dropped), for path rules. */
function templateText(node: N): string {
  return children(node, 'quasis').map((quasi) => (quasi['value'] as { cooked?: string | null }).cooked ?? '').join('/');
}

/** The `url` / `baseURL` / `hostname` option of an options object. */
function urlOption(options: N | undefined): N | undefined {
  if (options?.type !== 'ObjectExpression') return undefined;
  for (const property of children(options, 'properties')) {
    const key = property.type === 'Property' ? propertyName(property, 'key') : undefined;
    if (key === 'url' || key === 'baseURL' || key === 'baseUrl' || key === 'prefixUrl' || key === 'origin') return child(property, 'value');
  }
  for (const property of children(options, 'properties')) {
    const key = property.type === 'Property' ? propertyName(property, 'key') : undefined;
    const host = stringValue(child(property, 'value'));
    if ((key === 'hostname' || key === 'host') && host !== undefined && /^[a-z0-9.-]+$/iu.test(host)) return { type: 'Literal', start: property.start, end: property.end, value: `https://${host}/` };
  }
  return undefined;
}

function programOf(arg: N | undefined, how: 'first-arg' | 'first-word' | 'node'): string | undefined {
  if (how === 'node') return 'node';
  const text = stringValue(arg);
  if (text === undefined) return undefined;
  return how === 'first-word' ? text.trim().split(/\s+/u)[0] : text;
}

/** Whether `name` is a parameter of a function around `frame`. */
function isParameter(frame: Frame, name: string): boolean {
  for (let at: Frame | null = frame; at !== null; at = at.parent) {
    if (/Function/u.test(at.node.type) && children(at.node, 'params').some((param) => identifierName(param) === name)) return true;
  }
  return false;
}

/** Inside a console call, an error message or a zod `.describe(...)`: words for people, not a target. */
function inMessage(frame: Frame, bindings: Bindings): boolean {
  let hops = 0;
  for (let at = frame.parent; at !== null && hops < 6; at = at.parent, hops++) {
    const node = at.node;
    if (node.type === 'ThrowStatement') return true;
    if (node.type === 'NewExpression' && /Error$/u.test(identifierName(child(node, 'callee')) ?? '')) return true;
    if (node.type === 'CallExpression') {
      const callee = child(node, 'callee');
      const name = bindings.qualifiedName(callee) ?? (callee?.type === 'MemberExpression' ? `.${propertyName(callee) ?? ''}` : '');
      if (MESSAGE_CALLEE.test(name)) return true;
    }
  }
  return false;
}

/** Names of constants and keys that hold identifiers, not targets: `$schema`, `JSON_SCHEMA`, `xmlns`, `homepage`. */
const IDENTIFIER_NAME = /schema|^\$(?:id|ref)$|namespace|xmlns|homepage|license|documentation|docs?$|spec(?:ification)?$/iu;

function namedLikeAnIdentifier(frame: Frame): boolean {
  const parent = frame.parent?.node;
  if (parent?.type === 'Property' && frame.key === 'value') return IDENTIFIER_NAME.test(propertyName(parent, 'key') ?? '');
  if (parent?.type === 'VariableDeclarator') return IDENTIFIER_NAME.test(identifierName(child(parent, 'id')) ?? '');
  return false;
}

/** Passed to a call that contacts it, or held by a variable or option named like a URL. */
function inNetworkContext(frame: Frame, bindings: Bindings): boolean {
  let at: Frame | null = frame;
  while (at?.parent && /^(?:TemplateLiteral|BinaryExpression|ConditionalExpression|LogicalExpression)$/u.test(at.parent.node.type)) at = at.parent;
  const parent = at?.parent?.node;
  if (parent === undefined || at === null) return false;
  if ((parent.type === 'CallExpression' || parent.type === 'NewExpression') && at.key === 'arguments') {
    const callee = child(parent, 'callee');
    const name = bindings.qualifiedName(callee) ?? (callee?.type === 'MemberExpression' ? propertyName(callee) : undefined) ?? '';
    return NETWORK_CONTEXT.test(name.split('.').at(-1) ?? '');
  }
  if (parent.type === 'Property' && at.key === 'value') return NETWORK_CONTEXT.test(propertyName(parent, 'key') ?? '');
  if (parent.type === 'VariableDeclarator') return NETWORK_CONTEXT.test(identifierName(child(parent, 'id')) ?? '');
  if (parent.type === 'AssignmentExpression') {
    const left = child(parent, 'left');
    return NETWORK_CONTEXT.test(identifierName(left) ?? (left?.type === 'MemberExpression' ? (propertyName(left) ?? '') : ''));
  }
  return false;
}
