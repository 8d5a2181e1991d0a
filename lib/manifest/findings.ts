// What every manifest check (compat schema, hardened profile, scopes) reports: a list of
// findings, each pointing into the manifest with an RFC 6901 JSON Pointer. The code tables live
// here, beside the Finding type, so that `FindingCode` is one closed union the compiler checks:
// a check cannot report a code that is not in a table (and so in the README's tables).

export type FindingSeverity = 'error' | 'warning';

/** Codes of the compat profile (the official strict schema) and of the checks that run before it. */
export const COMPAT_CODES = {
  MANIFEST_UNKNOWN_VERSION: 'no known manifest_version / dxt_version',
  MANIFEST_SCHEMA: 'a violation of the JSON Schema of the manifest version',
  MANIFEST_TOO_DEEP: 'JSON nested deeper than maxManifestDepth (checked before anything recurses)',
} as const;

/** Every code the hardened checks report, with what it means (the README's table). */
export const HARDENED_CODES = {
  MANIFEST_URL_NOT_HTTPS: 'a URL that is not https, or that carries credentials',
  MANIFEST_FIELD_TOO_LONG: 'a string, array or key beyond its bound',
  MANIFEST_CONTROL_CHARACTER: 'a control, bidi or invisible format character in a manifest string or key',
  MANIFEST_UNSAFE_PATH: 'a bundle path (entry point, icon, screenshot, localization, an in-bundle command) that is not a relative path inside the bundle',
  MANIFEST_FILE_MISSING: 'a bundle path that names no file of the bundle',
  MANIFEST_UNKNOWN_PLATFORM: 'a platform_overrides key other than darwin, win32, linux',
  MANIFEST_SHELL_COMMAND: 'a command line that starts a shell',
  MANIFEST_RUNTIME_FETCHER: 'a command line that downloads code at start-up (npx, uvx, pipx, uv run --with, python -m pip install, ...): a warning, plus scope requirements',
  MANIFEST_COMMAND_MISMATCH: 'a command that does not fit server.type (node, python, uv, or a file inside the bundle for binary)',
  MANIFEST_INLINE_CODE: 'code passed inline, in any spelling (node -e/-p/--eval=, --import data:, python -c/-Ic, python -, ...)',
  MANIFEST_DEBUGGER: 'a debugger on the command line (node --inspect*, python -m pdb/debugpy, ...): remote code execution',
  MANIFEST_ENTRY_POINT_UNUSED: 'a command line that does not run the entry point',
  MANIFEST_ENV_INJECTION: 'environment that makes a runtime, loader or tool run other code (LD_*, DYLD_*, NODE_OPTIONS, PYTHONWARNINGS, BROWSER, ...; see the README list), or an env file',
  MANIFEST_ENV_SENSITIVE: 'env that changes which programs run or which certificates are trusted (PATH, SSL_CERT_FILE, ...): a warning',
  MANIFEST_UNKNOWN_VARIABLE: 'a ${...} reference to no known variable or user_config key',
  MANIFEST_BAD_CONFIG_KEY: 'a user_config key outside ^[A-Za-z_][A-Za-z0-9_]*$',
  MANIFEST_BAD_CONFIG_OPTION: 'a user_config option whose min, max, default, multiple or sensitive contradicts its type',
  MANIFEST_SECRET_IN_ARGS: 'a sensitive option passed in args instead of env',
  MANIFEST_CONFIG_DEFAULT_PATH: 'a directory or file option whose default is the file system root, the whole home directory, a home-directory secret store (~/.ssh, ~/.aws, ...), a relative path or one climbing with ..: a scope on the option would grant it unseen',
  MANIFEST_CODE_OUTSIDE_BUNDLE: 'code a runtime loads from outside the bundle: --require/-r/--import/--loader/--preload/--snapshot-blob of a path or package not under ${__dirname}, or a relative script path the host\'s working directory decides',
} as const;

/** Every code the scope checks (lib/scopes) report, with what it means (the README's table). */
export const SCOPE_CODES = {
  SCOPE_UNSUPPORTED_VERSION: 'a manifest older than 0.3, which has no _meta to hold scopes',
  SCOPE_MISSING: 'no _meta["dev.mcpseal"].scopes',
  SCOPE_SCHEMA: 'a scopes block that does not match schemas/scopes.schema.json',
  SCOPE_WILDCARD_HOST: 'an egress wildcard over a public suffix of the Public Suffix List, private section included (*.com, *.co.uk, *.github.io, *.amazonaws.com), or over an IP address',
  SCOPE_EGRESS_ADDRESS: 'an egress host that is link-local, cloud metadata (169.254.169.254, fd00:ec2::254, 100.100.100.200, metadata.google.internal), unspecified, multicast or broadcast, or an IP address not written in its canonical form',
  SCOPE_UNKNOWN_VARIABLE: 'a scope path with an unknown variable, or a user_config option that is not a directory or file',
  SCOPE_PATH_TRAVERSAL: 'a scope path with a ".." segment',
  SCOPE_RELATIVE_PATH: 'a scope path that is neither absolute nor rooted in a variable',
  SCOPE_PARENT_NOT_FILE: 'a ${user_config.KEY:parent} scope whose option is not a file option (the parent of a directory grants its siblings)',
  SCOPE_BROAD_PATH: 'a filesystem scope on the whole file system or the whole home directory (/, ${/}, C:\\, ${HOME}): a warning an installer policy can act on',
  SCOPE_SECRET_PATH: 'a filesystem scope on a home-directory secret store (${HOME}/.ssh, .aws, .gnupg, .netrc, ...): a warning an installer policy can act on',
  SCOPE_PATH_OUTSIDE: 'a path passed in args or env (in any form: --opt=, -r/x, file: URLs, option defaults) that lies outside every filesystem scope',
  SCOPE_UNDECLARED_ENV: 'an env key set for the server but missing from env.read',
  SCOPE_SECRETS_MISMATCH: 'env.secrets not equal to the env keys that carry sensitive options, or a secret not in env.read',
  SCOPE_SPAWN_REQUIRED: 'a shell or run-time fetcher with an empty process.spawn',
  SCOPE_EGRESS_REQUIRED: 'a run-time fetcher with no network.egress',
  SCOPE_NATIVE_ADDONS: 'native code in the bundle (.node, .so, .so.N, .dylib, .dll, .pyd) with native_addons false',
  SCOPE_META_MISSPELT: 'a _meta key that looks meant for mcpseal but is not _meta["dev.mcpseal"].scopes (dev.mcpseel, scope, ...), which nothing reads: a warning with a did-you-mean',
} as const;

export type CompatCode = keyof typeof COMPAT_CODES;
export type HardenedCode = keyof typeof HARDENED_CODES;
export type ScopeCode = keyof typeof SCOPE_CODES;
/** Every code a finding can carry. */
export type FindingCode = CompatCode | HardenedCode | ScopeCode;

/** One problem in a manifest. An `error` rejects the manifest; a `warning` is reported only. */
export interface Finding {
  /** A stable code from the `MANIFEST_*` / `SCOPE_*` families, e.g. `MANIFEST_SCHEMA`. */
  code: FindingCode;
  severity: FindingSeverity;
  /** RFC 6901 JSON Pointer to the offending value, or to the key that is missing or not allowed; `''` is the whole manifest. */
  pointer: string;
  message: string;
}

/** How a check reports a finding: its code (narrowed to the check's own table), where, and why. */
export type AddFinding<Code extends FindingCode> = (code: Code, at: string, message: string, severity?: FindingSeverity) => void;

/** A findings list and the `add` function that appends to it. */
export function findingCollector<Code extends FindingCode>(): { findings: Finding[]; add: AddFinding<Code> } {
  const findings: Finding[] = [];
  const add: AddFinding<Code> = (code, at, message, severity = 'error') => {
    findings.push({ code, severity, pointer: at, message });
  };
  return { findings, add };
}

/** True when any finding rejects the manifest. */
export function hasErrors(findings: readonly Finding[]): boolean {
  return findings.some((finding) => finding.severity === 'error');
}

/** A JSON Pointer built from reference tokens, each escaped (`~` as `~0`, `/` as `~1`, RFC 6901 §3). */
export function pointer(...tokens: ReadonlyArray<string | number>): string {
  return tokens.map((token) => `/${String(token).replaceAll('~', '~0').replaceAll('/', '~1')}`).join('');
}
