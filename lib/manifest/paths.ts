// Paths written in a manifest. Two questions, each answered in one place:
// - where does an in-bundle path land? (`bundlePath`: every in-bundle path check uses it: the
//   command of a server, PYTHONPATH/NODE_PATH elements, the entry point on the command line);
// - which substrings of an argument or env value are paths? (`pathCandidates`: the scope
//   consistency check and `scopes suggest` both use it, so they cannot disagree).

import type { JsonRecord } from './document.ts';
import { isPathVariable, REFERENCE, variableReferences, withSeparators, type VariableReference } from './variables.ts';

/** Where an in-bundle path lands: a normalised path relative to the bundle root, or why it does not stay inside. */
export type BundlePath = { inside: true; path: string } | { inside: false; reason: string };

/**
 * Normalises a path relative to the bundle root segment by segment, the way the OS will read it
 * after substitution: `/`, `\`, `${/}` and `${pathSeparator}` are separators, empty and `.`
 * segments vanish, `..` removes the previous segment, and a `..` with nothing left to remove
 * leaves the bundle.
 */
export function normaliseInBundle(relative: string): BundlePath {
  const segments: string[] = [];
  for (const segment of withSeparators(relative).split(/[\\/]+/u)) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') {
      if (segments.length === 0) return { inside: false, reason: 'it climbs out of the bundle with ".."' };
      segments.pop();
    } else {
      segments.push(segment);
    }
  }
  return { inside: true, path: segments.join('/') };
}

const DIRNAME = '${__dirname}';

/**
 * Where a `${__dirname}`-rooted string lands in the bundle, or null when it is not rooted in
 * `${__dirname}`. Any other variable after the root is refused: its value is chosen at install
 * time (a user_config default of "../../usr/bin"), so the path cannot be checked now.
 */
export function bundlePath(text: string): BundlePath | null {
  if (!text.startsWith(DIRNAME)) return null;
  const rest = withSeparators(text.slice(DIRNAME.length));
  if (rest !== '' && !/^[\\/]/u.test(rest)) return { inside: false, reason: `"${DIRNAME}" is not followed by a separator` };
  const other = variableReferences(rest)[0];
  if (other !== undefined) return { inside: false, reason: `it holds \${${other.name}}, which is resolved at install time` };
  return normaliseInBundle(rest);
}

/** Whether a reference names a path: a path variable, or a `directory`/`file` user_config option. */
function isPathReference(reference: VariableReference, options: ReadonlyMap<string, JsonRecord>): boolean {
  if (reference.userConfigKey === null) return isPathVariable(reference.name);
  const type = options.get(reference.userConfigKey)?.['type'];
  return type === 'directory' || type === 'file';
}

/**
 * What the host substitutes for options that are not paths: their string default. A `string`
 * option whose default is "/" is a path once substituted, whatever its declared type.
 */
function withNonPathDefaults(text: string, options: ReadonlyMap<string, JsonRecord>): string {
  return text.replace(REFERENCE, (whole, name: string) => {
    if (!name.startsWith('user_config.')) return whole;
    const option = options.get(name.slice('user_config.'.length));
    if (option === undefined || option['type'] === 'directory' || option['type'] === 'file') return whole;
    const fallback = option['default'];
    return typeof fallback === 'string' ? fallback : whole;
  });
}

// A field: text up to whitespace, a list or assignment separator, a quote or a bracket; a `${...}`
// reference counts as one piece of text, braces included.
const FIELD = /(?:\$\{[^}]*\}|[^\s,;="'(){}[\]<>|])+/gu;

// Where a path starts: `/`, `~` (the home directory), a drive letter, or a `${...}` reference.
const PATH_START = /^(?:\/|~(?=[\\/]|$)|[A-Za-z]:[\\/]|\$\{)/u;

/**
 * The path-bearing substrings of one argument or env value, in symbolic form (`${HOME}/.ssh`,
 * `/etc`). Every form is read alike: the whole value, `--opt=value` and `a=b,c=d` fields, list
 * elements (`:`, `;`, `,`), an attached short flag (`-r${HOME}/.ssh`, `-I/usr`), `file:` URLs
 * (percent-decoded), `~` as `${HOME}`, the string default of a non-path option, and a path
 * variable anywhere (`sqlite:///${HOME}/db`). Network URLs (`https://...`) are not paths.
 */
export function pathCandidates(text: string, options: ReadonlyMap<string, JsonRecord>): string[] {
  const found = new Set<string>();
  const expanded = withSeparators(withNonPathDefaults(text, options));
  // Fields (FIELD) also split inline JSON: `--config={"roots":["/"]}` passes "/".
  for (const field of expanded.match(FIELD) ?? []) {
    const url = /^([A-Za-z][A-Za-z0-9+.-]+):(.*)$/su.exec(field);
    if (url && url[1]!.toLowerCase() === 'file') {
      const path = fileUrlPath(url[2]!);
      if (path !== '') found.add(path);
      continue;
    }
    const parts = url && url[2]!.startsWith('//') ? [] : splitList(field);
    for (const part of parts) {
      const path = pathAt(part, options);
      if (path !== null) found.add(path);
    }
    // A path variable anywhere still names a path, whatever precedes it.
    for (const match of field.matchAll(REFERENCE)) {
      const reference = variableReferences(match[0])[0]!;
      if (!isPathReference(reference, options)) continue;
      const end = field.slice(match.index).search(/:/u);
      const path = field.slice(match.index, end < 0 ? undefined : match.index + end);
      if (![...found].some((known) => known.endsWith(path))) found.add(path);
    }
  }
  return [...found];
}

/** The path of a `file:` URL: `file:///p`, `file://localhost/p`, `file://${HOME}/p`, `file:/p`, percent-decoded. */
function fileUrlPath(rest: string): string {
  let path = rest.replace(/^\/\/localhost(?=\/)/iu, '').replace(/^\/\/(?=\/|\$\{|~)/u, '');
  try {
    path = decodeURIComponent(path);
  } catch {
    // Not valid percent-encoding: the text as written.
  }
  return path.startsWith('~') ? `\${HOME}${path.slice(1)}` : path;
}

/** Splits a list on `:` (PATH style), keeping a drive letter's colon (`C:\x`). */
function splitList(field: string): string[] {
  const parts: string[] = [];
  let current = '';
  for (let index = 0; index < field.length; index++) {
    const char = field[index]!;
    const driveColon = char === ':' && /^[A-Za-z]$/u.test(current) && /[\\/]/u.test(field[index + 1] ?? '');
    if (char === ':' && !driveColon) {
      parts.push(current);
      current = '';
    } else {
      current += char;
    }
  }
  parts.push(current);
  return parts.filter((part) => part !== '');
}

/** The path a list element starts with, itself or after a one-letter flag (`-r/x`), or null. */
function pathAt(part: string, options: ReadonlyMap<string, JsonRecord>): string | null {
  const value = /^-[A-Za-z](?=\/|~|[A-Za-z]:[\\/]|\$\{)/u.test(part) ? part.slice(2) : part;
  if (!PATH_START.test(value)) return null;
  if (value.startsWith('~')) return `\${HOME}${value.slice(1)}`;
  if (value.startsWith('${')) {
    const first = variableReferences(value)[0];
    if (first === undefined || !value.startsWith(`\${${first.name}}`) || !isPathReference(first, options)) return null;
  }
  return value;
}
