// Manifest variables (`${__dirname}`, `${HOME}`, `${user_config.KEY}`, ...), as hosts substitute
// them in `mcp_config` (MCPB manifest spec, "Variable substitution"): their syntax and names.
// Resolving them for one installation is the scopes layer's job (lib/scopes/variables.ts).

/** Variables that name a directory. */
export const PATH_VARIABLES = ['__dirname', 'HOME', 'DESKTOP', 'DOCUMENTS', 'DOWNLOADS'] as const;
export const SEPARATOR_VARIABLE = '/';
export const KNOWN_VARIABLES: readonly string[] = [...PATH_VARIABLES, SEPARATOR_VARIABLE, 'pathSeparator'];

export type PathVariable = (typeof PATH_VARIABLES)[number];

export interface VariableReference {
  /** What is between `${` and `}`. */
  name: string;
  /** For `${user_config.KEY}`, the key. */
  userConfigKey: string | null;
}

export interface ReferenceMatch extends VariableReference {
  /** Where `${` starts. */
  index: number;
  /** The whole reference, `${` to `}`. */
  text: string;
}

/**
 * Every `${...}` reference in a string, in order: what `/\$\{([^}]*)\}/g` finds, but in linear
 * time. That regex rescans the rest of the string from every unclosed `${`, so a 100 KB argument
 * of `${${${...` took over a minute; here, once no `}` follows, no later `${` can close either.
 */
export function referenceMatches(text: string): ReferenceMatch[] {
  const found: ReferenceMatch[] = [];
  let from = 0;
  for (;;) {
    const index = text.indexOf('${', from);
    if (index < 0) return found;
    const end = text.indexOf('}', index + 2);
    if (end < 0) return found;
    const name = text.slice(index + 2, end);
    found.push({ index, text: text.slice(index, end + 1), name, userConfigKey: name.startsWith('user_config.') ? name.slice('user_config.'.length) : null });
    from = end + 1;
  }
}

/** Every `${...}` reference in a string. */
export function variableReferences(text: string): VariableReference[] {
  return referenceMatches(text).map(({ name, userConfigKey }) => ({ name, userConfigKey }));
}

export function isPathVariable(name: string): name is PathVariable {
  return (PATH_VARIABLES as readonly string[]).includes(name);
}

/** `${/}` and `${pathSeparator}` spelled as `/`. */
export function withSeparators(text: string): string {
  return text.replace(/\$\{\/\}|\$\{pathSeparator\}/gu, '/');
}

/**
 * The `:parent` form of a user_config reference, scopes only: `${user_config.KEY:parent}` is the
 * directory that holds the `file` option KEY (a server writing a temporary file beside its data
 * file needs it). Hosts do not substitute it, so in `mcp_config` it stays an unknown variable.
 */
export const PARENT_SUFFIX = ':parent';

/** For `user_config.KEY:parent`, KEY; otherwise null. */
export function parentOptionKey(reference: VariableReference): string | null {
  const key = reference.userConfigKey;
  return key !== null && key.endsWith(PARENT_SUFFIX) ? key.slice(0, -PARENT_SUFFIX.length) : null;
}

/**
 * The segments of a path in the symbolic form used in manifests (`${HOME}/projects`), separators
 * normalised, empty and `.` segments dropped, a leading root kept as an empty first segment; null
 * when a ".." could climb out of whatever scope the path appears to be in. A leading
 * `${user_config.KEY}` is read as lying inside `${user_config.KEY:parent}` (it does: the parent is
 * the directory holding it), so a scope on the parent covers the option's own path.
 */
export function symbolicSegments(text: string): string[] | null {
  const normalised = withSeparators(text);
  const segments = normalised.split(/[\\/]+/u).filter((segment) => segment !== '' && segment !== '.');
  if (segments.includes('..')) return null;
  if (/^[\\/]/u.test(normalised)) return ['', ...segments];
  const first = segments[0] === undefined ? undefined : referenceMatches(segments[0])[0];
  if (first !== undefined && first.text === segments[0] && first.userConfigKey !== null && !first.userConfigKey.includes(':')) {
    return [`\${${first.name}${PARENT_SUFFIX}}`, ...segments];
  }
  return segments;
}
