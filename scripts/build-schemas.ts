// Build step: compiles the manifest JSON Schemas in schemas/ into ajv standalone validators at
// lib/manifest/generated/manifest-validators.ts, so the CLI does not import ajv's compiler and
// compile four schemas on every start (measured: ~60 ms to import ajv, ~230 ms to compile).
// The output is committed: tests and `tsc` read lib/ directly, and test/manifest-compat.test.ts
// fails when it is stale. Run by `npm run build`; by hand: `node scripts/build-schemas.ts`.

import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { _, Ajv2020 } from 'ajv/dist/2020.js';
import { Ajv as AjvDraft07 } from 'ajv';
// A CommonJS module whose typings say `export default`: under nodenext the default import is
// `module.exports`, and ajv sets `module.exports.default` to the same function.
import standalone from 'ajv/dist/standalone/index.js';
import { Parser, type Node } from 'acorn';
import { zodFormats } from '../lib/manifest/formats.ts';
import { MANIFEST_VERSIONS } from '../lib/manifest/versions.ts';
import { registryFormats } from '../lib/registry/formats.ts';

export const GENERATED_VALIDATORS = new URL('../lib/manifest/generated/manifest-validators.ts', import.meta.url);

/** The ajv options the manifest validators are compiled with. */
const AJV_OPTIONS = {
  allErrors: true,
  strict: true,
  // zod 3 z.number() accepts Infinity (only NaN is refused), and JSON.parse("1e400") is
  // Infinity; ajv's strictNumbers would refuse it. NaN cannot come out of JSON.parse.
  strictNumbers: false,
} as const;

export function schemaId(version: string): string {
  return `https://mcpseal.dev/schemas/manifest-${version}.schema.json`;
}

/** The export name of a version's validator in the generated module: `validate0_3`. */
function validatorExport(version: string): string {
  return `validate${version.replace('.', '_')}`;
}

function readManifestSchema(version: string): Record<string, unknown> {
  const url = new URL(`../schemas/manifest-${version}.schema.json`, import.meta.url);
  return JSON.parse(readFileSync(url, 'utf8')) as Record<string, unknown>;
}

/**
 * ajv's standalone code with its schema constants built on first use. ajv writes every schema it
 * compiled as a top-level `const schemaN = {...}` literal and reads some of them (a `properties`
 * object, an `enum` list) while validating, but all were built when the module loaded: 1.8 ms of
 * every command that loads the validators, for objects the size of the schemas. A constant nothing
 * reads is removed; one that is read becomes `function schemaN()` returning a literal made once,
 * and each reference a call. Only a top-level `const schemaN = <JSON literal>` is touched, and
 * only references (not property names), so the validators are unchanged:
 * test/manifest-compat.test.ts and test/registry.test.ts run them, and test/schemas-lazy.test.ts
 * checks the rewrite.
 */
export function lazySchemaConstants(code: string): string {
  const program = Parser.parse(code, { ecmaVersion: 'latest', sourceType: 'module' });
  const constants = new Map<string, { statement: Node; init: Node }>();
  for (const statement of program.body) {
    if (statement.type !== 'VariableDeclaration' || statement.kind !== 'const' || statement.declarations.length !== 1) continue;
    const [declarator] = statement.declarations;
    if (declarator!.id.type === 'Identifier' && /^schema\d+$/u.test(declarator!.id.name) && isJsonLiteral(declarator!.init)) {
      constants.set(declarator!.id.name, { statement, init: declarator!.init! });
    }
  }
  const references = identifierReferences(program, constants);
  const edits: { start: number; end: number; text: string }[] = [];
  for (const [name, { statement, init }] of constants) {
    const uses = references.filter((reference) => reference.name === name);
    const literal = code.slice(init.start, init.end);
    const text = uses.length === 0 ? '' : `let ${name}Made; function ${name}() { return (${name}Made ??= ${literal}); }`;
    edits.push({ start: statement.start, end: text === '' && code[statement.end] === '\n' ? statement.end + 1 : statement.end, text });
    for (const use of uses) edits.push({ start: use.start, end: use.end, text: `${name}()` });
  }
  edits.sort((a, b) => a.start - b.start);
  let out = '';
  let at = 0;
  for (const { start, end, text } of edits) {
    out += code.slice(at, start) + text;
    at = end;
  }
  return out + code.slice(at);
}

/**
 * The identifiers in `program` that read one of `names` as a variable: not a declaration's own
 * name, not a property name (`a.schema1`, `{ schema1: x }`). Any other binding of such a name (a
 * parameter, a local, a shorthand property) stops the build: the rewrite would not know which is meant.
 */
function identifierReferences(program: Node, names: ReadonlyMap<string, unknown>): { name: string; start: number; end: number }[] {
  const found: { name: string; start: number; end: number }[] = [];
  const visit = (node: unknown, parent: Record<string, unknown> | null, key: string): void => {
    if (node === null || typeof node !== 'object') return;
    if (Array.isArray(node)) {
      for (const child of node) visit(child, parent, key);
      return;
    }
    const n = node as Node & Record<string, unknown>;
    if (n.type === 'Identifier' && names.has(n['name'] as string)) {
      const name = n['name'] as string;
      const declaration = parent?.['type'] === 'VariableDeclarator' && key === 'id';
      const property = (parent?.['type'] === 'MemberExpression' && key === 'property' && parent['computed'] !== true) || (parent?.['type'] === 'Property' && key === 'key' && parent['computed'] !== true && parent['shorthand'] !== true);
      if (declaration && isTopLevelConstant(program, parent)) return;
      const binding = ['FunctionDeclaration', 'FunctionExpression', 'ArrowFunctionExpression'].includes(parent?.['type'] as string) && (key === 'id' || key === 'params');
      if (declaration || binding || (parent?.['type'] === 'Property' && parent['shorthand'] === true)) {
        throw new Error(`ajv output binds or uses "${name}" in a way the schema rewrite does not handle (at ${n.start})`);
      }
      if (!property) found.push({ name, start: n.start, end: n.end });
      return;
    }
    for (const [childKey, value] of Object.entries(n)) if (childKey !== 'loc') visit(value, n, childKey);
  };
  visit(program, null, '');
  return found;
}

/** Whether `declarator` is the one of a top-level `const` of `program`. */
function isTopLevelConstant(program: Node, declarator: Record<string, unknown>): boolean {
  return (program as Node & { body: Node[] }).body.some((statement) => statement.type === 'VariableDeclaration' && (statement as Node & { declarations: unknown[] }).declarations.includes(declarator));
}

/** Whether `node` is a literal JSON.stringify could have written (no call, no name, no getter). */
function isJsonLiteral(node: unknown): boolean {
  const n = node as { type?: string; properties?: unknown[]; elements?: unknown[]; value?: unknown; key?: unknown; kind?: string; computed?: boolean; method?: boolean; operator?: string; argument?: unknown } | null;
  if (!n) return false;
  switch (n.type) {
    case 'Literal':
      return true;
    case 'UnaryExpression':
      return n.operator === '-' && isJsonLiteral(n.argument);
    case 'ArrayExpression':
      return n.elements!.every(isJsonLiteral);
    case 'ObjectExpression':
      return n.properties!.every((property) => {
        const p = property as { type: string; kind: string; computed: boolean; method: boolean; key: { type: string }; value: unknown };
        return p.type === 'Property' && p.kind === 'init' && !p.computed && !p.method && p.key.type === 'Literal' && isJsonLiteral(p.value);
      });
    default:
      return false;
  }
}

/** The source of the generated module, deterministic for a given ajv version and schemas. */
export function generateManifestValidators(): string {
  const ajv = new Ajv2020({
    ...AJV_OPTIONS,
    // `formats` is an expression evaluated inside the generated module: the import added below.
    code: { source: true, esm: true, lines: true, formats: _`zodFormats` },
    formats: zodFormats,
  });
  const exports: Record<string, string> = {};
  for (const version of MANIFEST_VERSIONS) {
    ajv.addSchema(readManifestSchema(version));
    exports[validatorExport(version)] = schemaId(version);
  }
  // The scope declarations (lib/scopes/check.ts) are validated on the same start-up budget.
  ajv.addSchema(JSON.parse(readFileSync(new URL('../schemas/scopes.schema.json', import.meta.url), 'utf8')) as Record<string, unknown>);
  exports['validateScopes'] = 'https://mcpseal.dev/schemas/scopes.schema.json';
  // The install policy (lib/policy/load.ts), loaded by every command given --policy.
  ajv.addSchema(JSON.parse(readFileSync(new URL('../schemas/policy.schema.json', import.meta.url), 'utf8')) as Record<string, unknown>);
  exports['validatePolicy'] = 'https://mcpseal.dev/schemas/policy.schema.json';
  const ajvVersion = (createRequire(import.meta.url)('ajv/package.json') as { version: string }).version;
  const code = lazySchemaConstants(standalone.default(ajv, exports).replace(/^"use strict";\n/, ''));
  return [
    '// @ts-nocheck',
    `// GENERATED by scripts/build-schemas.ts from schemas/manifest-{${MANIFEST_VERSIONS.join(',')}}.schema.json, schemas/scopes.schema.json and schemas/policy.schema.json`,
    `// with ajv ${ajvVersion} standalone code. Do not edit: change the schema and run \`npm run build\`.`,
    "import { createRequire } from 'node:module';",
    "import { zodFormats } from '../formats.ts';",
    '// ajv standalone ESM still loads its runtime helpers (ucs2length for minLength) with require().',
    'const require = createRequire(import.meta.url);',
    code,
  ].join('\n');
}

export const GENERATED_SERVER_VALIDATOR = new URL('../lib/registry/generated/server-validator.ts', import.meta.url);

/** The `$id` of the vendored MCP registry schema (schemas/server.schema.SOURCE.md says where it is from). */
export const SERVER_SCHEMA_ID = 'https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json';

/**
 * The registry's server.schema.json, vendored unchanged, is draft-07 (ajv's default class, not the
 * 2020-12 one the manifest schemas use). It carries OpenAPI's `example` annotation, which JSON
 * Schema does not define: declared here as an annotation-only keyword so strict mode stays on.
 * Its allOf/anyOf branches list `properties` without `type` and `required` names their sibling
 * branch defines (PositionalArgument's `valueHint`), which strictTypes and strictRequired would
 * refuse to compile; both are lints on how a schema is written, not on what it accepts, and the
 * schema is not ours to edit, so those two are off and the rest of strict mode stays on.
 */
export function generateServerValidator(): string {
  const ajv = new AjvDraft07({
    ...AJV_OPTIONS,
    strictTypes: false,
    strictRequired: false,
    code: { source: true, esm: true, lines: true, formats: _`registryFormats` },
    formats: registryFormats,
  });
  ajv.addVocabulary(['example']);
  const schema = JSON.parse(readFileSync(new URL('../schemas/server.schema.json', import.meta.url), 'utf8')) as Record<string, unknown>;
  if (schema['$id'] !== SERVER_SCHEMA_ID) throw new Error(`schemas/server.schema.json has $id ${String(schema['$id'])}, expected ${SERVER_SCHEMA_ID}`);
  ajv.addSchema(schema);
  const ajvVersion = (createRequire(import.meta.url)('ajv/package.json') as { version: string }).version;
  const code = lazySchemaConstants(standalone.default(ajv, { validateServerJson: SERVER_SCHEMA_ID }).replace(/^"use strict";\n/, ''));
  return [
    '// @ts-nocheck',
    '// GENERATED by scripts/build-schemas.ts from schemas/server.schema.json (the MCP registry\'s, vendored unchanged)',
    `// with ajv ${ajvVersion} standalone code. Do not edit: change the schema and run \`npm run build\`.`,
    "import { createRequire } from 'node:module';",
    "import { registryFormats } from '../formats.ts';",
    '// ajv standalone ESM still loads its runtime helpers (ucs2length for minLength) with require().',
    'const require = createRequire(import.meta.url);',
    code,
  ].join('\n');
}

if (import.meta.main) {
  writeFileSync(GENERATED_VALIDATORS, generateManifestValidators());
  writeFileSync(GENERATED_SERVER_VALIDATOR, generateServerValidator());
}
