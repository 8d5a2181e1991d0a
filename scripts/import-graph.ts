// The import graph of lib/ between layers, and the layer order written once (DESIGN.md
// "Layout"). test/layers.test.ts fails on every import that climbs a layer or crosses to a
// sibling; `npm run import-graph` prints the folder-level graph.
//
// Read from the source text (no compiler API): static `import`/`export ... from '...'`,
// side-effect `import '...'` and dynamic `import('...')`, type-only imports included (a type
// from a higher layer is a dependency on it too). Only relative specifiers are followed.

import { readFileSync, readdirSync } from 'node:fs';
import { join, posix, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export const LIB = fileURLToPath(new URL('../lib/', import.meta.url));

/** Generated validators: compiled from the schemas, not written by hand. */
const EXCLUDED = ['manifest/generated/', 'registry/generated/'];

/** Foundation files below everything, one unit: they may import each other. */
const BASE_FILES = ['errors.ts', 'io.ts', 'limits.ts', 'edit-distance.ts', 'cache-home.ts'];
const BASE = '<base>';

/**
 * Layers from the top down; a module may import its own unit and any lower layer, never a higher
 * layer nor another unit of its own layer. Every top-level lib/*.ts file other than index.ts and
 * the base files is a pipeline, and each pipeline is a unit of its own.
 */
export const LAYERS: readonly (readonly string[])[] = [
  ['cli'],
  ['<pipelines>'],
  ['launch', 'install', 'policy', 'audit'],
  ['sigstore', 'legacy', 'scopes', 'report'],
  // analysis sits beside manifest: scopes/suggest reads its reports (a downward import).
  // registry, like attest, checks a document against facts the caller verified (the file's
  // sha256, the signer's repository) and needs nothing of sigstore: the pipelines hand it those.
  ['manifest', 'attest', 'analysis', 'registry'],
  ['archive'],
  [BASE],
];

export interface Unit {
  /** `cli`, `sigstore`, ... for a folder; `verify.ts` for a pipeline; `<base>`; `index.ts`. */
  name: string;
  /** 0 for the top layer; `undefined` for index.ts (exempt as an importer) or an unknown folder. */
  layer: number | undefined;
}

/** The unit of a path relative to lib/ (`/`-separated). */
export function unitOf(path: string): Unit {
  const slash = path.indexOf('/');
  if (slash >= 0) {
    const folder = path.slice(0, slash);
    const layer = LAYERS.findIndex((units) => units.includes(folder));
    return { name: folder, layer: layer >= 0 ? layer : undefined };
  }
  if (path === 'index.ts') return { name: 'index.ts', layer: undefined };
  if (BASE_FILES.includes(path)) return { name: BASE, layer: LAYERS.length - 1 };
  return { name: path, layer: 1 };
}

export interface Import {
  /** The importing file, relative to lib/. */
  from: string;
  /** The imported file, relative to lib/. */
  to: string;
  /** The specifier as written. */
  specifier: string;
}

const SPECIFIERS = [
  /\bfrom\s*['"]([^'"]+)['"]/gu, // import ... from '...', export ... from '...'
  /^\s*import\s*['"]([^'"]+)['"]/gmu, // import '...'
  /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/gu, // import('...')
];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts'))
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)).split(sep).join('/'))
    .filter((path) => !EXCLUDED.some((prefix) => path.startsWith(prefix)))
    .sort();
}

/** Every relative import between files of lib/ (imports that leave lib/ are not listed). */
export function libImports(lib = LIB): Import[] {
  const imports: Import[] = [];
  for (const from of sourceFiles(lib)) {
    const text = readFileSync(join(lib, from), 'utf8');
    for (const pattern of SPECIFIERS) {
      for (const match of text.matchAll(pattern)) {
        const specifier = match[1]!;
        if (!specifier.startsWith('./') && !specifier.startsWith('../')) continue;
        const to = posix.normalize(posix.join(posix.dirname(from), specifier));
        if (to.startsWith('../')) continue;
        imports.push({ from, to, specifier });
      }
    }
  }
  return imports;
}

/** Why an import breaks the layering, or undefined when it does not. */
export function violationOf(edge: Import): string | undefined {
  const from = unitOf(edge.from);
  const to = unitOf(edge.to);
  if (from.name === 'index.ts') return undefined;
  if (from.layer === undefined) return `${from.name}/ has no layer (add it to LAYERS in scripts/import-graph.ts)`;
  if (to.name === 'index.ts') return 'imports the public API (lib/index.ts) from inside the library';
  if (to.layer === undefined) return `${to.name}/ has no layer (add it to LAYERS in scripts/import-graph.ts)`;
  if (from.name === to.name) return undefined;
  if (to.layer < from.layer) return `climbs a layer: ${from.name} imports ${to.name}`;
  if (to.layer === from.layer) {
    return from.layer === 1 ? `a pipeline imports another pipeline: ${from.name} imports ${to.name}` : `a sibling of the same layer: ${from.name} imports ${to.name}`;
  }
  return undefined;
}

/** `from -> to` between units, with the number of file-level imports behind each edge. */
export function unitGraph(imports: Import[]): Map<string, Map<string, number>> {
  const graph = new Map<string, Map<string, number>>();
  for (const edge of imports) {
    const from = unitOf(edge.from).name;
    const to = unitOf(edge.to).name;
    if (from === to) continue;
    const targets = graph.get(from) ?? new Map<string, number>();
    targets.set(to, (targets.get(to) ?? 0) + 1);
    graph.set(from, targets);
  }
  return graph;
}

/** The graph as text, one importer per line, from the top layer down. */
export function formatGraph(imports: Import[]): string {
  const graph = unitGraph(imports);
  const rank = (name: string): number => (name.endsWith('.ts') ? unitOf(name).layer : LAYERS.findIndex((units) => units.includes(name))) ?? -1;
  const names = [...graph.keys()].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  return names
    .map((name) => {
      const targets = [...graph.get(name)!].sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b));
      const marked = targets.map(([to, count]) => {
        const bad = imports.some((edge) => unitOf(edge.from).name === name && unitOf(edge.to).name === to && violationOf(edge) !== undefined);
        return `${to}${count > 1 ? ` (${count})` : ''}${bad ? ' !' : ''}`;
      });
      return `${name.padEnd(18)} -> ${marked.join(', ')}`;
    })
    .join('\n');
}

if (import.meta.main) {
  const imports = libImports();
  process.stdout.write(`Imports between units of lib/ (count of file imports; ! = breaks the layering):\n${formatGraph(imports)}\n`);
  const broken = imports.filter((edge) => violationOf(edge) !== undefined);
  if (broken.length > 0) {
    process.stdout.write(`\n${broken.length} layering violations:\n`);
    for (const edge of broken) process.stdout.write(`  ${edge.from} -> ${edge.to}: ${violationOf(edge)}\n`);
  }
}
