// Paths written in a manifest. Two questions, each answered in one place:
// - where does an in-bundle path land? (`bundlePath`: every in-bundle path check uses it: the
//   command of a server, PYTHONPATH/NODE_PATH elements, the entry point on the command line);
// - which substrings of an argument or env value are paths? (`pathCandidates`: the scope
//   consistency check and `scopes suggest` both use it, so they cannot disagree).

import type { JsonRecord } from './document.ts';
import { isPathVariable, referenceMatches, variableReferences, withSeparators, type VariableReference } from './variables.ts';

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
  for (const written of withSeparators(relative).split(/[\\/]+/u)) {
    // Segments of dots and spaces only (`.. `, `...`) count as `..`: Windows trims trailing dots
    // and spaces during normalization ("File path formats on Windows systems", "Trim
    // characters"), and no bundle needs such a name; refusing one costs nothing.
    const segment = /^\.\.[. ]*$/u.test(written) ? '..' : /^\.[ ]*$/u.test(written) ? '.' : written;
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
 * The string defaults of the non-path options `text` names: what the host substitutes when the
 * user leaves them alone. A `string` option whose default is "/" passes a path, whatever its
 * declared type. Each default is read on its own (not substituted into the text), so a value
 * naming one option a thousand times costs one read, not a thousand-fold longer string.
 */
function nonPathDefaults(text: string, options: ReadonlyMap<string, JsonRecord>): string[] {
  const defaults = new Set<string>();
  for (const reference of referenceMatches(text)) {
    const option = reference.userConfigKey === null ? undefined : options.get(reference.userConfigKey);
    if (option === undefined || option['type'] === 'directory' || option['type'] === 'file') continue;
    if (typeof option['default'] === 'string') defaults.add(option['default']);
  }
  return [...defaults];
}

/** Substituted text stays under this: a default repeated a thousand times is not worth reading. */
const MAX_SUBSTITUTED = 65_536;

/**
 * The text with every non-path option replaced by its string default, as the host passes it when
 * the user keeps the defaults: a default read on its own misses what the text around it makes of
 * it (`${__dirname}/${user_config.sub}` with the default "../../.."). Empty when nothing changes
 * or the result would be long.
 */
function withDefaults(text: string, options: ReadonlyMap<string, JsonRecord>): string[] {
  let result = '';
  let from = 0;
  for (const reference of referenceMatches(text)) {
    const option = reference.userConfigKey === null ? undefined : options.get(reference.userConfigKey);
    if (option === undefined || option['type'] === 'directory' || option['type'] === 'file' || typeof option['default'] !== 'string') continue;
    result += text.slice(from, reference.index) + option['default'];
    from = reference.index + reference.text.length;
    if (result.length > MAX_SUBSTITUTED) return [];
  }
  return from === 0 ? [] : [result + text.slice(from)];
}

// What ends a field: whitespace, list and assignment separators, and the quotes and brackets of
// inline JSON (`--config={"roots":["/"]}` passes "/").
const SEPARATOR = /[\s,;="'(){}[\]<>|]/u;

/**
 * The fields of a value, a `${...}` reference counting as one piece of text, braces included.
 * A scan, not a regex: a regex with a repeated group overflows the stack on a 100 KB argument.
 * The next `{` and `}` are found once and reused while the scan is behind them, so unclosed
 * references cannot make it quadratic.
 */
function fieldsOf(text: string): string[] {
  const fields: string[] = [];
  let current = '';
  let close = -1;
  let open = -1;
  for (let index = 0; index < text.length; index++) {
    if (text.startsWith('${', index)) {
      if (close < index + 2) close = text.indexOf('}', index + 2);
      if (open < index + 2) open = text.indexOf('{', index + 2);
      if (close < 0) close = text.length;
      if (open < 0) open = text.length;
      if (close < text.length && close < open) {
        current += text.slice(index, close + 1);
        index = close;
        continue;
      }
    }
    const char = text[index]!;
    if (!SEPARATOR.test(char)) {
      current += char;
    } else if (current !== '') {
      fields.push(current);
      current = '';
    }
  }
  if (current !== '') fields.push(current);
  return fields;
}

// Where a path starts: `/` or `\` (a Windows root), `~` or `~user` (a home directory), a drive
// letter, a `${...}` reference, or `.`/`..` (the working directory, or above it).
const PATH_START = /^(?:[\\/]|~|[A-Za-z]:[\\/]|\$\{|\.\.?(?:[\\/]|$))/u;
/** Home directories a server expands itself (`os.path.expandvars`, `%USERPROFILE%` on Windows), read as `${HOME}`. */
const HOME_SPELLINGS = /^(?:\$HOME|%USERPROFILE%|%HOMEPATH%)(?=[\\/]|$)/iu;

/**
 * The path-bearing substrings of one argument or env value, in symbolic form (`${HOME}/.ssh`,
 * `/etc`). Every form is read alike: the whole value, `--opt=value` and `a=b,c=d` fields, list
 * elements (`:`, `;`, `,`), an attached short flag (`-r${HOME}/.ssh`, `-I/usr`), `file:` URLs
 * (percent-decoded), `~` as `${HOME}`, the string default of a non-path option, and a path
 * variable anywhere (`sqlite:///${HOME}/db`). Network URLs (`https://...`) are not paths.
 * Linear in the length of the value (a hostile manifest may hold megabyte strings).
 */
export function pathCandidates(text: string, options: ReadonlyMap<string, JsonRecord>): string[] {
  const found = new Set<string>();
  for (const value of [text, ...nonPathDefaults(text, options), ...withDefaults(text, options)]) {
    for (const field of fieldsOf(withSeparators(value))) addFieldPaths(field, options, found);
  }
  return [...found];
}

function addFieldPaths(field: string, options: ReadonlyMap<string, JsonRecord>, found: Set<string>): void {
  const url = /^([A-Za-z][A-Za-z0-9+.-]+):(.*)$/su.exec(field);
  // `file:` and `git+file:` URLs, and any URL with an empty host (`sqlite:////etc/db`), name a local path.
  if (url && (/^(?:.*\+)?file$/iu.test(url[1]!) || url[2]!.startsWith('///'))) {
    const path = fileUrlPath(url[2]!.replace(/^\/\/(?=\/\/)/u, '')).replace(/^[\\/]+(?=\$\{)/u, '');
    if (path !== '') found.add(path);
    return;
  }
  const parts = url && url[2]!.startsWith('//') ? [] : splitList(field);
  for (const part of parts) {
    const path = pathAt(part, options);
    if (path !== null) found.add(path);
  }
  // A path variable anywhere still names a path, whatever precedes it: from the reference to the
  // next list separator or the next path reference (so the pieces add up to the field's length).
  const starts = referenceMatches(field).filter((reference) => isPathReference(reference, options));
  let colon = -1;
  starts.forEach((reference, position) => {
    if (colon < reference.index) {
      colon = field.indexOf(':', reference.index);
      if (colon < 0) colon = field.length;
    }
    const next = starts[position + 1]?.index ?? field.length;
    found.add(field.slice(reference.index, Math.min(colon, next)));
  });
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
  const attached = /^-[A-Za-z](?=\/|~|[A-Za-z]:[\\/]|\$\{)/u.test(part) ? part.slice(2) : part;
  const value = attached.replace(HOME_SPELLINGS, '${HOME}');
  if (!PATH_START.test(value)) return null;
  // `~user` is another user's home: kept as written, which no scope covers.
  if (/^~(?=[\\/]|$)/u.test(value)) return `\${HOME}${value.slice(1)}`;
  if (value.startsWith('${')) {
    const first = variableReferences(value)[0];
    if (first === undefined || !value.startsWith(`\${${first.name}}`) || !isPathReference(first, options)) return null;
  }
  return value;
}
