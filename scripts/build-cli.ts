// Build step (after tsc): bundles the compiled CLI (dist/cli/main.js and everything it imports,
// our modules and the Sigstore packages of the verify path) into dist/cli-bundle/, one file per
// command group (buildCliBundle), so a command reads two files instead of ~150 (each one a
// resolution, a stat, a read and a module record). A group file is a script, run by the router
// (main.js, lib/cli/code-cache.ts) with a V8 code cache taken after the command (groupScript).
// bin/mcpseal.js loads the router when it is present and not older than dist/cli/main.js, and
// dist/cli/main.js otherwise; the library entry (dist/index.js) is not bundled. Measured on
// `verify` of the filesystem server bundle: README "Flat memory and speed", Start-up. Run by
// `npm run build`; by hand: `node scripts/build-cli.ts`.

import { createHash } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { dirname, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Script } from 'node:vm';
import { Parser, type Node } from 'acorn';
import { build, type Plugin } from 'esbuild';
import type { GroupFile } from '../lib/cli/code-cache.ts';

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

/** Calls `visit` on every node under `node`, in source order; a node for which it returns true is not descended into. */
function walk(node: unknown, visit: (node: AstNode) => boolean | void): void {
  if (node === null || typeof node !== 'object') return;
  if (Array.isArray(node)) {
    for (const child of node) walk(child, visit);
    return;
  }
  const n = node as AstNode;
  if (visit(n) === true) return;
  for (const [key, value] of Object.entries(n)) if (key !== 'loc') walk(value, visit);
}

/** `source` with each edit's range replaced by its text (the edits do not overlap). */
function applyEdits(source: string, edits: readonly Edit[]): string {
  let out = '';
  let at = 0;
  for (const { start, end, text } of [...edits].sort((a, b) => a.start - b.start)) {
    out += source.slice(at, start) + text;
    at = end;
  }
  return out + source.slice(at);
}

/**
 * Every `import.meta.url` expression of a module (a MetaProperty's `.url`) becomes `own`, the
 * module's URL as seen from the bundle. Found by parsing, not by text: the analyzer has the words
 * in string literals.
 */
function metaUrlEdits(ast: Node, own: string): Edit[] {
  const edits: Edit[] = [];
  walk(ast, (n) => {
    if (n.type !== 'MemberExpression' || (n['object'] as Node).type !== 'MetaProperty' || n['computed'] || (n['property'] as { name?: string }).name !== 'url') return false;
    edits.push({ start: n.start, end: n.end, text: own });
    return true;
  });
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
      return { contents: applyEdits(source, [...metaUrlEdits(ast, own), ...builtinImportEdits(ast)]), loader: 'js', resolveDir: dirname(path) };
    });
  },
};

const MAIN = `${DIST}cli/main.js`;

/** The file of the commands that are in no group: the listing, --version and unknown names. */
const BASE = 'base';

/**
 * One group's file: main.js with that group's module and everything it reaches, and the other
 * groups' modules (main.js's dynamic imports of ./NAME.js, lib/cli/main.ts COMMAND_GROUPS) left
 * out, each replaced by a module that only throws (the router never sends their commands here).
 * `seen` collects the group modules main.js imports, so a group whose module is not ./NAME.js
 * stops the build instead of being bundled into every file.
 */
function onlyGroup(group: string, groups: readonly string[], seen: Set<string>): Plugin {
  return {
    name: 'only-group',
    setup(builder) {
      // eslint-disable-next-line require-unicode-regexp
      builder.onResolve({ filter: /^\.\/[a-z-]+\.js$/ }, ({ path, importer, kind }) => {
        if (kind !== 'dynamic-import' || importer !== MAIN) return undefined;
        const name = path.slice(2, -3);
        if (!groups.includes(name)) return undefined;
        seen.add(name);
        return name === group ? undefined : { path: name, namespace: 'other-group' };
      });
      // eslint-disable-next-line require-unicode-regexp
      builder.onLoad({ filter: /.*/, namespace: 'other-group' }, ({ path }) => ({
        contents: `throw new Error(${JSON.stringify(`mcpseal: the ${path} commands are not in this file (scripts/build-cli.ts)`)});`,
        loader: 'js',
      }));
    },
  };
}

/**
 * A file's text with every character outside ASCII in a comment written as a \u{...} escape (which
 * means nothing there). Node reads a module's file as Latin-1 when it is all ASCII and decodes it
 * as UTF-8 otherwise, into a two-byte source for V8: one "§" in a comment of signing.js cost a
 * verify 1.2 ms more to read and 3.8 ms more to compile from the compile cache. esbuild escapes
 * strings and names itself, and keeps a regular expression literal or a String.raw template as
 * written (an escape could change its meaning): such a character stops the build here, naming the
 * place, and the source spells it with an escape.
 */
export function asciiOnly(file: string, source: string): string {
  if (!/[^\x00-\x7f]/u.test(source)) return source;
  const comments: { start: number; end: number }[] = [];
  Parser.parse(source, { ecmaVersion: 'latest', sourceType: 'module', onComment: (_block, _text, start, end) => comments.push({ start, end }) });
  const escaped = comments.map(({ start, end }) => ({ start, end, text: source.slice(start, end).replace(/[^\x00-\x7f]/gu, (char) => `\\u{${char.codePointAt(0)!.toString(16)}}`) }));
  const out = applyEdits(source, escaped);
  const left = /[^\x00-\x7f]/u.exec(out);
  if (left) {
    const line = out.slice(0, left.index).split('\n').length;
    throw new Error(`${file}:${line}: "${left[0]}" outside a comment (a regular expression or a String.raw template?): write it as an escape in the source`);
  }
  return out;
}

/** The names the group script's wrapper binds (groupScript): `import.meta` and `import()` of the module. */
export const SCRIPT_META = '__mcpsealMeta';
export const SCRIPT_IMPORT = '__mcpsealImport';

/**
 * A group's ES module text (esbuild's output) as a classic script: one function expression,
 * `(function (__mcpsealMeta, __mcpsealImport) { ... })`, which the router compiles with vm.Script
 * and calls with the file's `import.meta` and an `import()` (lib/cli/code-cache.ts). Why a script:
 * its V8 code cache can be taken after the command ran, with every function the command compiled;
 * Node's module compile cache is taken before a module runs (README "Flat memory and speed").
 * Edits, found by parsing: each `import.meta` becomes the first parameter, each `import(` the
 * second, and the one `export { a as b }` at the end a `return { b: a }`. Anything else a script
 * cannot hold (an import declaration, another export, a top-level await) stops the build, as does a
 * file that already uses the wrapper's names.
 */
export function groupScript(file: string, source: string): string {
  for (const name of [SCRIPT_META, SCRIPT_IMPORT]) {
    if (source.includes(name)) throw new Error(`${file}: already uses ${name}, the name the group script's wrapper binds`);
  }
  const ast = Parser.parse(source, { ecmaVersion: 'latest', sourceType: 'module' }) as unknown as AstNode;
  const body = ast['body'] as AstNode[];
  const edits: Edit[] = [];
  const visit = (n: AstNode): void => {
    if (n.type === 'MetaProperty' && (n['meta'] as { name: string }).name === 'import') edits.push({ start: n.start, end: n.end, text: SCRIPT_META });
    if (n.type === 'ImportExpression') {
      if (source.slice(n.start, n.start + 6) !== 'import') throw new Error(`${file}: an import() at ${n.start} does not start with "import"`);
      // The router's import() takes the specifier only.
      if (n['options']) throw new Error(`${file}: an import() with options at ${n.start}`);
      edits.push({ start: n.start, end: n.start + 6, text: SCRIPT_IMPORT });
    }
  };
  body.forEach((statement, index) => {
    if (statement.type === 'ImportDeclaration' || statement.type === 'ExportDefaultDeclaration' || statement.type === 'ExportAllDeclaration') {
      throw new Error(`${file}: a ${statement.type} at ${statement.start}; a group script can only end with export { ... }`);
    }
    if (statement.type !== 'ExportNamedDeclaration') {
      walk(statement, visit);
      return;
    }
    if (statement['declaration'] || statement['source'] || index !== body.length - 1) {
      throw new Error(`${file}: an export at ${statement.start} that is not the final export { ... }`);
    }
    const names = (statement['specifiers'] as AstNode[]).map((specifier) => {
      const exported = specifier['exported'] as { name?: string; value?: string };
      return `${JSON.stringify(exported.name ?? exported.value)}: ${(specifier['local'] as { name: string }).name}`;
    });
    edits.push({ start: statement.start, end: statement.end, text: `return { ${names.join(', ')} };` });
  });
  const out = `(function (${SCRIPT_META}, ${SCRIPT_IMPORT}) { 'use strict'; ${applyEdits(source, edits)}\n})\n`;
  // A top-level await, or anything else a function body cannot hold, fails here and not at run time.
  new Script(out, { filename: file });
  return out;
}

/**
 * The router, dist/cli-bundle/main.js: lib/cli/code-cache.ts `route` bundled with the table of
 * group files (name, size, sha256) and of each command's group. It stays an ES module, whose
 * `import()` resolves from the bundle directory as the group modules' own did.
 */
async function router(commands: Readonly<Record<string, { group: string }>>, groups: Readonly<Record<string, GroupFile>>): Promise<string> {
  const groupOf = Object.fromEntries(Object.entries(commands).map(([name, { group }]) => [name, group]));
  const entry = `// Generated by scripts/build-cli.ts from lib/cli/main.ts COMMANDS: each command group is one file.
import { route } from ${JSON.stringify(`${DIST}cli/code-cache.js`)};
const TABLE = { groups: ${JSON.stringify(groups)}, groupOf: ${JSON.stringify(groupOf)} };
const LOADERS = {
  dir: new URL('./', import.meta.url),
  importer: (specifier) => import(specifier),
  base: () => import(new URL(${JSON.stringify(`./${BASE}.js`)}, import.meta.url).href),
};
export function main(argv, streams, launch) {
  return route(TABLE, LOADERS, argv, streams, launch);
}
`;
  const { outputFiles } = await build({
    stdin: { contents: entry, resolveDir: BUNDLE_DIR, sourcefile: 'main.js', loader: 'js' },
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node22',
    plugins: [rewriteModules],
    logLevel: 'warning',
    write: false,
  });
  return asciiOnly('main.js', outputFiles[0]!.text);
}

/**
 * Builds dist/cli-bundle/ from dist/cli/main.js (tsc must have run): one unsplit file per command
 * group (a script: groupScript), the base file (an ES module), and the router.
 *
 * Why one file per group and not esbuild's code splitting: split by dynamic import, verify's
 * modules fell into 38 chunks (the pieces it shares with each other command), and a chunk costs a
 * resolution, a read, a module record and its links: one file took verify of the filesystem
 * server from 121 to 107 ms (README "Flat memory and speed", "One file per command group"). The price is size: the
 * groups share modules, so each file has its own copy (about 10 MB in all, against 2.7 MB), and
 * a process loads exactly one group, so no module is ever loaded twice. Inside a file a
 * dynamically imported module is still evaluated only when imported (esbuild wraps it); a package
 * imported statically by such a module would be imported at the file's start, so the packages the
 * start-up must not pay for are imported dynamically in the sources (@sigstore/sign in
 * lib/sigstore/sign.ts), and test/startup.test.ts checks that no file imports a package at its top.
 */
export async function buildCliBundle(): Promise<void> {
  await rm(BUNDLE_DIR, { recursive: true, force: true });
  await mkdir(BUNDLE_DIR, { recursive: true });
  const { COMMANDS, COMMAND_GROUPS } = (await import(pathToFileURL(MAIN).href)) as { COMMANDS: Record<string, { group: string }>; COMMAND_GROUPS: Record<string, unknown> };
  const groups = Object.keys(COMMAND_GROUPS);
  if (groups.includes(BASE) || groups.includes('main')) throw new Error(`a command group may not be named "${BASE}" or "main"`);
  const seen = new Set<string>();
  const files: Record<string, GroupFile> = {};
  await Promise.all(
    [...groups, BASE].map((group) =>
      build({
        entryPoints: { [group]: MAIN },
        outdir: BUNDLE_DIR,
        bundle: true,
        format: 'esm',
        platform: 'node',
        target: 'node22',
        external: EXTERNAL,
        // Whitespace only (names kept, for stack traces): signing.js 1.7 -> 1.2 MB, read on every
        // run before its code cache is used (README "Code cache after the run"). Readable traces:
        // MCPSEAL_UNBUNDLED=1 runs the compiled modules instead.
        minifyWhitespace: true,
        plugins: [onlyGroup(group, groups, seen), rewriteModules],
        // CommonJS packages inside an ES module bundle call require() for node's built-ins (through
        // esbuild's __require, which calls and applies it). Made on first use.
        banner: {
          js: "const { createRequire: __mcpsealCreateRequire } = process.getBuiltinModule('node:module'); let __mcpsealRequire; function require(id) { __mcpsealRequire ??= __mcpsealCreateRequire(import.meta.url); return __mcpsealRequire(id); }",
        },
        logLevel: 'warning',
        write: false,
      }).then(async ({ outputFiles }) => {
        for (const { path, text } of outputFiles) {
          const ascii = asciiOnly(path, text);
          if (group === BASE) {
            await writeFile(path, ascii);
            continue;
          }
          const script = groupScript(path, ascii);
          await writeFile(path, script);
          files[group] = { file: `${group}.js`, size: script.length, digest: createHash('sha256').update(script, 'latin1').digest('hex') };
        }
      }),
    ),
  );
  const unseen = groups.filter((group) => !seen.has(group));
  if (unseen.length > 0) throw new Error(`main.js does not import the module of group(s) ${unseen.join(', ')} as ./NAME.js`);
  await writeFile(`${BUNDLE_DIR}main.js`, await router(COMMANDS, files));
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) await buildCliBundle();
