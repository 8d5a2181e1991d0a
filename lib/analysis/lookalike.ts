// Names one edit away from popular ones (issue 13, risks 3 and 9): typosquatting publishes
// `lodahs` or `reqeusts` and waits for a typo, a scope left out, or a glyph that reads the same.
// The popular names ship with the package (data/popular-*.ts, each with its SOURCE line); a name
// that is itself on a list is never a lookalike. Pure and offline.

import { POPULAR_MCP } from './data/popular-mcp.ts';
import { POPULAR_NPM } from './data/popular-npm.ts';
import { POPULAR_PYPI } from './data/popular-pypi.ts';
import { editDistance } from '../edit-distance.ts';

export type Ecosystem = 'npm' | 'pypi' | 'mcp';

/**
 * How many of the most popular names are targets a lookalike imitates; the rest of each list
 * (5,000 names) only exempts a name from being one. Names further down the list are less worth
 * imitating, and many legitimate packages sit one edit from one of them.
 */
const TARGETS: Record<Ecosystem, number> = { npm: 2000, pypi: 2000, mcp: Infinity };

/** Shorter names are one edit from too many legitimate ones (`ms`, `qs`, `ws`, `co`). */
const MIN_EDIT_LENGTH = 5;

/** A scoped name's tail distinctive enough that the bare tail imitates it: compound (`server-filesystem`) or long. */
const DISTINCTIVE_TAIL = /^(?=.{5,})[a-z0-9]+[-.][a-z0-9.-]+$|^.{8,}$/u;

interface Index {
  known: Set<string>;
  /** Each target's name, and each with one character deleted -> the targets (symmetric-delete search). */
  deletions: Map<string, string[]>;
  /** The confusable skeleton of each target -> the target. */
  skeletons: Map<string, string>;
  /** Unscoped tail -> the scoped targets that end in it (`sdk` -> `@modelcontextprotocol/sdk`). */
  tails: Map<string, string[]>;
}

const indexes = new Map<Ecosystem, Index>();

/**
 * The popular name `name` imitates, or undefined: Damerau-Levenshtein distance 1 (one insertion,
 * deletion, substitution or adjacent swap), the same skeleton after confusables (`-`/`_`/`.`,
 * `rn`/`m`, `vv`/`w`, `1`/`l`, `0`/`o`), or a scope dropped (`x` for `@org/x`; for MCP servers
 * also a scope swapped). PyPI names are compared after PEP 503 normalisation, under which `a_b`
 * and `a-b` are the same project, not lookalikes.
 */
export function lookalikeOf(name: string, ecosystem: Ecosystem): string | undefined {
  if (name.length === 0 || name.length > 214) return undefined;
  const index = indexFor(ecosystem);
  const normalized = normalize(name, ecosystem);
  if (index.known.has(normalized)) return undefined;
  const near = byEdit(normalized, index) ?? index.skeletons.get(skeleton(normalized)) ?? byScope(normalized, index, ecosystem);
  if (near !== undefined || ecosystem !== 'mcp') return near;
  // `mcp-server-filesytem`: its short form is compared with the short forms of the well-known names.
  const short = shortMcpName(normalized);
  if (short === normalized || index.known.has(short)) return undefined;
  return byEdit(short, index) ?? index.skeletons.get(skeleton(short));
}

/** PEP 503 for PyPI; lower case for npm and MCP server names. */
export function normalize(name: string, ecosystem: Ecosystem): string {
  const lower = name.toLowerCase();
  return ecosystem === 'pypi' ? lower.replace(/[-_.]+/gu, '-') : lower;
}

/** The name with every confusable replaced by one representative. */
export function skeleton(name: string): string {
  return name.replace(/[-_.]+/gu, '-').replace(/rn/gu, 'm').replace(/vv/gu, 'w').replace(/1/gu, 'l').replace(/0/gu, 'o');
}

function byEdit(name: string, index: Index): string | undefined {
  if (name.length < MIN_EDIT_LENGTH) return undefined;
  for (const variant of [name, ...deletionsOf(name)]) {
    for (const target of index.deletions.get(variant) ?? []) {
      if (target.length >= MIN_EDIT_LENGTH && damerauLevenshtein(name, target, 1) === 1) return target;
    }
  }
  return undefined;
}

function byScope(name: string, index: Index, ecosystem: Ecosystem): string | undefined {
  const slash = name.indexOf('/');
  if (!name.startsWith('@') || slash < 0) return index.tails.get(name)?.[0];
  if (ecosystem !== 'mcp') return undefined;
  // `@someone/server-filesystem` for `@modelcontextprotocol/server-filesystem`: the tail is the name people recognise.
  return index.tails.get(name.slice(slash + 1))?.find((target) => target !== name);
}

function deletionsOf(name: string): string[] {
  const out: string[] = [];
  for (let at = 0; at < name.length; at++) out.push(name.slice(0, at) + name.slice(at + 1));
  return out;
}

function indexFor(ecosystem: Ecosystem): Index {
  let index = indexes.get(ecosystem);
  if (index !== undefined) return index;
  const list = ecosystem === 'npm' ? POPULAR_NPM : ecosystem === 'pypi' ? POPULAR_PYPI : POPULAR_MCP;
  const full = list.map((entry) => normalize(entry, ecosystem));
  // A bundle's manifest name is the server's short name (`filesystem`, `github`), not its package
  // name: MCP names are indexed in both forms.
  const names = ecosystem === 'mcp' ? [...new Set(full.flatMap((name) => [name, shortMcpName(name)]))] : full;
  index = { known: new Set(names), deletions: new Map(), skeletons: new Map(), tails: new Map() };
  for (const target of names.slice(0, TARGETS[ecosystem])) addTarget(index, target);
  indexes.set(ecosystem, index);
  return index;
}

/** `@scope/server-x`, `mcp-server-x`, `x-mcp-server`, `x-mcp` → `x`. */
export function shortMcpName(name: string): string {
  const bare = name.startsWith('@') && name.includes('/') ? name.slice(name.indexOf('/') + 1) : name;
  const short = bare.replace(/^(?:mcp-server-|server-|mcp-)/u, '').replace(/(?:-mcp-server|-mcp|-server)$/u, '');
  return short === '' ? bare : short;
}

function addTarget(index: Index, target: string): void {
  for (const variant of [target, ...deletionsOf(target)]) {
    const list = index.deletions.get(variant);
    if (list === undefined) index.deletions.set(variant, [target]);
    else list.push(target);
  }
  if (target.length >= 3 && !index.skeletons.has(skeleton(target))) index.skeletons.set(skeleton(target), target);
  const slash = target.indexOf('/');
  // Type packages (`@types/node`) are named after what they describe, not imitated by it.
  if (target.startsWith('@') && slash > 0 && !target.startsWith('@types/')) {
    const tail = target.slice(slash + 1);
    // Generic tails (`core`, `utils`, `parser`, `sdk`) name many unrelated packages: only distinctive ones count.
    if (DISTINCTIVE_TAIL.test(tail) && !index.known.has(tail)) index.tails.set(tail, [...(index.tails.get(tail) ?? []), target]);
  }
}

/** Optimal-string-alignment Damerau-Levenshtein distance, stopping early past `max` (returns max + 1). */
export const damerauLevenshtein: (a: string, b: string, max?: number) => number = editDistance;
