// Manifest variables (`${__dirname}`, `${HOME}`, `${user_config.KEY}`, ...), as hosts substitute
// them in `mcp_config` (MCPB manifest spec, "Variable substitution"): their syntax and names.
// Resolving them for one installation is the scopes layer's job (lib/scopes/variables.ts).

/** Variables that name a directory. */
export const PATH_VARIABLES = ['__dirname', 'HOME', 'DESKTOP', 'DOCUMENTS', 'DOWNLOADS'] as const;
export const SEPARATOR_VARIABLE = '/';
export const KNOWN_VARIABLES: readonly string[] = [...PATH_VARIABLES, SEPARATOR_VARIABLE, 'pathSeparator'];

export type PathVariable = (typeof PATH_VARIABLES)[number];

/** `${...}` references; the name is whatever lies between the braces. */
export const REFERENCE = /\$\{([^}]*)\}/gu;

export interface VariableReference {
  /** What is between `${` and `}`. */
  name: string;
  /** For `${user_config.KEY}`, the key. */
  userConfigKey: string | null;
}

/** Every `${...}` reference in a string. */
export function variableReferences(text: string): VariableReference[] {
  return [...text.matchAll(REFERENCE)].map((match) => {
    const name = match[1]!;
    return { name, userConfigKey: name.startsWith('user_config.') ? name.slice('user_config.'.length) : null };
  });
}

export function isPathVariable(name: string): name is PathVariable {
  return (PATH_VARIABLES as readonly string[]).includes(name);
}

/** `${/}` and `${pathSeparator}` spelled as `/`. */
export function withSeparators(text: string): string {
  return text.replace(/\$\{\/\}|\$\{pathSeparator\}/gu, '/');
}
