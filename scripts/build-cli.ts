// Build step (after tsc): bundles the compiled CLI (dist/cli/main.js and everything it imports,
// our modules and the Sigstore packages of the verify path) into dist/cli-bundle/, one ES module
// chunk per lazily loaded piece, so a command reads a handful of files instead of ~150 (each one a
// resolution, a stat, a read and a module record). bin/mcpseal.js loads it when it is present
// and not older than dist/cli/main.js, and dist/cli/main.js otherwise; the library entry
// (dist/index.js) is not bundled. Measured on `verify` of the filesystem server bundle: README
// "Flat memory and speed", Start-up. Run by `npm run build`; by hand: `node scripts/build-cli.ts`.

import { readFile, rm } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { dirname, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Parser, type Node } from 'acorn';
import { build, type Plugin } from 'esbuild';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DIST = `${ROOT}dist/`;
export const BUNDLE_DIR = `${DIST}cli-bundle/`;

/**
 * Packages left to node_modules: the online signing and TUF stacks (loaded only by `sign` and
 * `--tuf`), which read files beside their own sources and are not on any start-up path.
 */
const EXTERNAL = ['@sigstore/sign', '@sigstore/tuf'];

/** One replacement of source text: `[start, end)` becomes `text`. */
interface Edit {
  start: number;
  end: number;
  text: string;
}

type AstNode = Node & Record<string, unknown>;

/**
 * Every `import.meta.url` expression of a module (a MetaProperty's `.url`) becomes `own`, the
 * module's URL as seen from the bundle. Found by parsing, not by text: the analyzer has the words
 * in string literals.
 */
function metaUrlEdits(ast: Node, own: string): Edit[] {
  const edits: Edit[] = [];
  const visit = (node: unknown): void => {
    if (node === null || typeof node !== 'object') return;
    if (Array.isArray(node)) {
      for (const child of node) visit(child);
      return;
    }
    const n = node as AstNode;
    if (n.type === 'MemberExpression' && (n['object'] as Node).type === 'MetaProperty' && !n['computed'] && (n['property'] as { name?: string }).name === 'url') {
      edits.push({ start: n.start, end: n.end, text: own });
      return;
    }
    for (const [key, value] of Object.entries(n)) if (key !== 'loc') visit(value);
  };
  visit(ast);
  return edits;
}

const BUILTINS = new Set(builtinModules);

/**
 * Node's built-in modules read without their ES module facade. `import { x } from 'node:fs'`
 * makes Node build a facade that reads every export once, and a lazy export loads its
 * implementation when read: `node:fs` pulls in the 15 stream modules (its ReadStream), `node:util`
 * the worker_threads machinery (34 internal modules), `node:crypto` WebCrypto, whatever the
 * importer uses (and esbuild's CommonJS interop would read every export the same way). So each
 * static import of a built-in becomes a destructuring of `process.getBuiltinModule` (Node >=
 * 22.3), which reads only the names imported. The compiled modules import at their top, as
 * tsc emits them, so the order of evaluation is unchanged.
 */
function builtinImportEdits(ast: Node): Edit[] {
  const edits: Edit[] = [];
  for (const statement of (ast as AstNode)['body'] as AstNode[]) {
    if (statement.type !== 'ImportDeclaration') continue;
    const from = (statement['source'] as { value: string }).value;
    if (!BUILTINS.has(from.startsWith('node:') ? from.slice(5) : from)) continue;
    const module = `process.getBuiltinModule(${JSON.stringify(from.startsWith('node:') ? from : `node:${from}`)})`;
    const named: string[] = [];
    const whole: string[] = [];
    for (const specifier of statement['specifiers'] as AstNode[]) {
      const local = (specifier['local'] as { name: string }).name;
      if (specifier.type === 'ImportSpecifier') {
        const imported = specifier['imported'] as { name?: string; value?: string };
        const name = imported.name ?? imported.value!;
        named.push(name === local ? local : `${JSON.stringify(name)}: ${local}`);
      } else {
        whole.push(local);
      }
    }
    const parts = [...whole.map((local) => `const ${local} = ${module};`), ...(named.length > 0 ? [`const { ${named.join(', ')} } = ${module};`] : [])];
    edits.push({ start: statement.start, end: statement.end, text: parts.length > 0 ? parts.join(' ') : `${module};` });
  }
  return edits;
}

/** The ajv standalone validators (scripts/build-schemas.ts), which load ajv's runtime helpers with their own require(). */
const VALIDATORS = new Set([`${DIST}manifest/generated/manifest-validators.js`, `${DIST}registry/generated/server-validator.js`]);
const OWN_REQUIRE = 'const require = createRequire(import.meta.url);';

/**
 * The validators' require() calls bundled like any other: without their own `require` (made by
 * createRequire), esbuild bundles the helpers they name (ajv's equal and ucs2length, and
 * fast-deep-equal), instead of Node resolving them in node_modules at run time (package.json
 * lookups and two CommonJS modules compiled on every verify, issue 14 item 2).
 */
function bundledRequires(path: string, source: string): string {
  if (!VALIDATORS.has(path)) return source;
  if (!source.includes(OWN_REQUIRE)) throw new Error(`${path}: expected "${OWN_REQUIRE}" (scripts/build-schemas.ts writes it)`);
  return source.replace(OWN_REQUIRE, '');
}

/**
 * Rewrites each compiled module of dist/ before esbuild bundles it: its `import.meta.url` keeps
 * pointing at its own file in dist/, so the URLs built from it (package.json, schemas/, trust/,
 * the batch worker, bin/mcpseal.js) resolve as they do unbundled, whatever chunk the module lands
 * in; and its built-in imports skip Node's facades (builtinImportEdits).
 */
const rewriteModules: Plugin = {
  name: 'rewrite-modules',
  setup(builder) {
    // esbuild takes Go regular expressions: no `u` flag.
    // eslint-disable-next-line require-unicode-regexp
    builder.onLoad({ filter: /\.js$/ }, async ({ path }) => {
      if (!path.startsWith(DIST)) return undefined;
      const source = bundledRequires(path, await readFile(path, 'utf8'));
      const ast = Parser.parse(source, { ecmaVersion: 'latest', sourceType: 'module' });
      const own = `new URL(${JSON.stringify(relative(BUNDLE_DIR, path).split('\\').join('/'))}, import.meta.url).href`;
      const edits = [...metaUrlEdits(ast, own), ...builtinImportEdits(ast)].sort((a, b) => a.start - b.start);
      let contents = '';
      let at = 0;
      for (const { start, end, text } of edits) {
        contents += source.slice(at, start) + text;
        at = end;
      }
      return { contents: contents + source.slice(at), loader: 'js', resolveDir: dirname(path) };
    });
  },
};

/** Builds dist/cli-bundle/ from dist/cli/main.js (tsc must have run). */
export async function buildCliBundle(): Promise<void> {
  await rm(BUNDLE_DIR, { recursive: true, force: true });
  await build({
    entryPoints: { main: `${DIST}cli/main.js` },
    outdir: BUNDLE_DIR,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node22',
    external: EXTERNAL,
    chunkNames: 'chunk-[hash]',
    plugins: [rewriteModules],
    // CommonJS packages inside an ES module bundle call require() for node's built-ins (through
    // esbuild's __require, which calls and applies it). Made on first use: a createRequire per
    // chunk evaluated was 0.1-0.4 ms each, for the few chunks that ever require anything.
    banner: {
      js: "import { createRequire as __mcpsealCreateRequire } from 'node:module'; let __mcpsealRequire; function require(id) { __mcpsealRequire ??= __mcpsealCreateRequire(import.meta.url); return __mcpsealRequire(id); }",
    },
    logLevel: 'warning',
  });
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) await buildCliBundle();
