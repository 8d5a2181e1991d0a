// The hardened profile's semantic checks (DESIGN.md "Manifest validation"): what a security
// reviewer checks in a manifest, each rule with its own code. Robust to any JSON: the compat
// schema may have failed, so nothing here trusts a field's type.

import { validateEntryName } from '../archive/names.ts';
import { KNOWN_VARIABLES, variableReferences } from '../scopes/variables.ts';
import { launchConfigs, launcherKind, PLATFORMS, programName, type LaunchConfig } from './command.ts';
import { pointer, type Finding } from './findings.ts';

/** Every code the hardened checks report, with what it means (the README's table). */
export const HARDENED_CODES = {
  MANIFEST_URL_NOT_HTTPS: 'a URL that is not https, or that carries credentials',
  MANIFEST_FIELD_TOO_LONG: 'a string, array or key beyond its bound',
  MANIFEST_UNSAFE_PATH: 'a bundle path (entry point, icon, screenshot, localization) that is not a relative path inside the bundle',
  MANIFEST_FILE_MISSING: 'a bundle path that names no file of the bundle',
  MANIFEST_UNKNOWN_PLATFORM: 'a platform_overrides key other than darwin, win32, linux',
  MANIFEST_SHELL_COMMAND: 'a command line that starts a shell',
  MANIFEST_RUNTIME_FETCHER: 'a command line that downloads code at start-up (npx, uvx, pipx, ...): a warning, plus scope requirements',
  MANIFEST_COMMAND_MISMATCH: 'a command that does not fit server.type (node, python, uv, or a file inside the bundle for binary)',
  MANIFEST_INLINE_CODE: 'code passed inline (node -e, python -c)',
  MANIFEST_ENTRY_POINT_UNUSED: 'a command line that does not run the entry point',
  MANIFEST_ENV_INJECTION: 'a loader or interpreter injection variable in env (LD_*, DYLD_*, NODE_OPTIONS, PYTHONPATH outside the bundle, ...)',
  MANIFEST_ENV_SENSITIVE: 'env that changes which programs run or which certificates are trusted (PATH, SSL_CERT_FILE, ...): a warning',
  MANIFEST_UNKNOWN_VARIABLE: 'a ${...} reference to no known variable or user_config key',
  MANIFEST_BAD_CONFIG_KEY: 'a user_config key outside ^[A-Za-z_][A-Za-z0-9_]*$',
  MANIFEST_BAD_CONFIG_OPTION: 'a user_config option whose min, max, default, multiple or sensitive contradicts its type',
  MANIFEST_SECRET_IN_ARGS: 'a sensitive option passed in args instead of env',
} as const;

export interface HardenedContext {
  /** Names of the files in the bundle (archive entries, or a directory listing), when known. */
  files?: ReadonlySet<string>;
}

const CONFIG_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/u;

// Bounds on strings, per field where a natural bound exists, and a ceiling for every other one.
const STRING_LIMITS: Record<string, number> = {
  '/name': 214,
  '/display_name': 256,
  '/version': 64,
  '/description': 2048,
  '/long_description': 100_000,
};
const DEFAULT_STRING_LIMIT = 4096;
const ARRAY_LIMIT = 1024;

// Variables that make a runtime load code from somewhere other than the bundle.
const INJECTION_EXACT = new Set([
  'NODE_OPTIONS',
  'NODE_PATH',
  'NODE_REPL_EXTERNAL_MODULE',
  'PYTHONSTARTUP',
  'PYTHONHOME',
  'PYTHONINSPECT',
  'PYTHONUSERBASE',
  'PERL5OPT',
  'PERL5LIB',
  'PERLLIB',
  'RUBYOPT',
  'RUBYLIB',
  'JAVA_TOOL_OPTIONS',
  '_JAVA_OPTIONS',
  'JDK_JAVA_OPTIONS',
  'BASH_ENV',
  'ENV',
  'ZDOTDIR',
  'PROMPT_COMMAND',
  'GIT_SSH_COMMAND',
  'GIT_EXEC_PATH',
  'ELECTRON_RUN_AS_NODE',
]);
const INJECTION_PREFIXES = ['LD_', 'DYLD_'];
// Allowed only when they point inside the bundle.
const BUNDLE_ONLY = new Set(['PYTHONPATH', 'NODE_PATH']);
// Not code injection, but they change which program runs or which certificates are trusted.
const SENSITIVE = new Set(['PATH', 'NODE_EXTRA_CA_CERTS', 'NODE_TLS_REJECT_UNAUTHORIZED', 'SSL_CERT_FILE', 'SSL_CERT_DIR', 'REQUESTS_CA_BUNDLE', 'CURL_CA_BUNDLE']);

// Expected programs per server type (MCPB spec, "Server configuration").
const EXPECTED_PROGRAMS: Record<string, readonly string[]> = {
  node: ['node'],
  python: ['python', 'python3', 'py'],
  uv: ['uv'],
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** All hardened-profile findings for `manifest` except the scope declarations (lib/scopes). */
export function hardenedFindings(manifest: Record<string, unknown>, context: HardenedContext = {}): Finding[] {
  const findings: Finding[] = [];
  const add = (code: string, at: string, message: string, severity: Finding['severity'] = 'error'): void => {
    findings.push({ code, severity, pointer: at, message });
  };

  checkBounds(manifest, '', add);
  checkUrls(manifest, add);
  checkPaths(manifest, context, add);
  const userConfig = checkUserConfig(manifest, add);
  const configs = launchConfigs(manifest);
  checkPlatforms(manifest, add);
  for (const config of configs) checkLaunchConfig(manifest, config, userConfig, add);
  checkEntryPointUsed(manifest, configs, add);
  return findings;
}

type Add = (code: string, at: string, message: string, severity?: Finding['severity']) => void;

/** Strings and arrays stay within bounds: a manifest is read by people and by fragile parsers. */
function checkBounds(value: unknown, at: string, add: Add): void {
  if (typeof value === 'string') {
    const limit = STRING_LIMITS[at] ?? DEFAULT_STRING_LIMIT;
    if (value.length > limit) add('MANIFEST_FIELD_TOO_LONG', at, `${value.length} characters (limit ${limit})`);
  } else if (Array.isArray(value)) {
    if (value.length > ARRAY_LIMIT) add('MANIFEST_FIELD_TOO_LONG', at, `${value.length} items (limit ${ARRAY_LIMIT})`);
    value.forEach((item, index) => checkBounds(item, `${at}/${index}`, add));
  } else if (isRecord(value)) {
    for (const [key, item] of Object.entries(value)) {
      if (key.length > 256) add('MANIFEST_FIELD_TOO_LONG', `${at}${pointer(key.slice(0, 64))}`, `a key of ${key.length} characters (limit 256)`);
      checkBounds(item, `${at}${pointer(key)}`, add);
    }
  }
}

/** Every link a user may click or a host may fetch is https, without credentials. */
function checkUrls(manifest: Record<string, unknown>, add: Add): void {
  const urls: [string, unknown][] = [
    ['/homepage', manifest['homepage']],
    ['/documentation', manifest['documentation']],
    ['/support', manifest['support']],
  ];
  const author = manifest['author'];
  if (isRecord(author)) urls.push(['/author/url', author['url']]);
  const repository = manifest['repository'];
  if (isRecord(repository)) urls.push(['/repository/url', repository['url']]);
  const policies = manifest['privacy_policies'];
  if (Array.isArray(policies)) policies.forEach((url, index) => urls.push([`/privacy_policies/${index}`, url]));
  for (const [at, value] of urls) {
    if (typeof value !== 'string') continue;
    let url: URL | null = null;
    try {
      url = new URL(value);
    } catch {
      url = null;
    }
    if (!url || url.protocol !== 'https:') {
      add('MANIFEST_URL_NOT_HTTPS', at, `"${value.slice(0, 80)}" is not an https URL (javascript:, data:, file: and http: links are refused)`);
    } else if (url.username !== '' || url.password !== '') {
      add('MANIFEST_URL_NOT_HTTPS', at, 'the URL carries credentials');
    }
  }
}

/** Paths to files of the bundle are relative, canonical and (when the files are known) present. */
function checkPaths(manifest: Record<string, unknown>, context: HardenedContext, add: Add): void {
  const paths: [string, unknown, boolean][] = [];
  const server = manifest['server'];
  if (isRecord(server)) paths.push(['/server/entry_point', server['entry_point'], true]);
  paths.push(['/icon', manifest['icon'], true]);
  const icons = manifest['icons'];
  if (Array.isArray(icons)) icons.forEach((icon, index) => isRecord(icon) && paths.push([`/icons/${index}/src`, icon['src'], true]));
  const screenshots = manifest['screenshots'];
  if (Array.isArray(screenshots)) screenshots.forEach((shot, index) => paths.push([`/screenshots/${index}`, shot, true]));
  const localization = manifest['localization'];
  if (isRecord(localization) && typeof localization['resources'] === 'string') {
    const locale = typeof localization['default_locale'] === 'string' ? localization['default_locale'] : 'en-US';
    paths.push(['/localization/resources', localization['resources'].replace(/\$\{locale\}/giu, locale), true]);
  }
  for (const [at, value, mustExist] of paths) {
    if (typeof value !== 'string') continue;
    const problem = validateEntryName(value);
    if (problem || value.endsWith('/')) {
      add('MANIFEST_UNSAFE_PATH', at, `"${value.slice(0, 80)}" is not a relative path inside the bundle${problem ? `: ${problem.reason}` : ''}`);
      continue;
    }
    if (mustExist && context.files && !context.files.has(value)) add('MANIFEST_FILE_MISSING', at, `"${value}" is not in the bundle`);
  }
}

/** Keys usable in `${user_config.KEY}` without regex or shell surprises; options consistent with their type. */
function checkUserConfig(manifest: Record<string, unknown>, add: Add): Record<string, Record<string, unknown>> {
  const options = manifest['user_config'];
  if (!isRecord(options)) return {};
  const valid: Record<string, Record<string, unknown>> = {};
  for (const [key, option] of Object.entries(options)) {
    const at = `/user_config${pointer(key)}`;
    if (!CONFIG_KEY.test(key)) add('MANIFEST_BAD_CONFIG_KEY', at, `user_config key "${key.slice(0, 64)}" must match ${CONFIG_KEY.source}`);
    if (!isRecord(option)) continue;
    valid[key] = option;
    const type = option['type'];
    const bad = (field: string, why: string): void => add('MANIFEST_BAD_CONFIG_OPTION', `${at}/${field}`, why);
    if (type !== 'number' && ('min' in option || 'max' in option)) bad('min' in option ? 'min' : 'max', `min and max apply to number options, not ${String(type)}`);
    if (type === 'number' && typeof option['min'] === 'number' && typeof option['max'] === 'number' && option['min'] > option['max']) {
      bad('min', `min (${option['min']}) is greater than max (${option['max']})`);
    }
    if (option['multiple'] === true && type !== 'directory' && type !== 'file') bad('multiple', `multiple applies to directory and file options, not ${String(type)}`);
    if (option['sensitive'] === true && type !== 'string') bad('sensitive', `sensitive applies to string options, not ${String(type)}`);
    if ('default' in option) {
      const value = option['default'];
      const expected = type === 'number' ? 'number' : type === 'boolean' ? 'boolean' : 'string';
      const values = Array.isArray(value) ? value : [value];
      if (Array.isArray(value) && option['multiple'] !== true) bad('default', 'a list default needs "multiple": true');
      else if (!values.every((item) => typeof item === expected)) bad('default', `the default of a ${String(type)} option must be a ${expected}`);
      else if (type === 'number') {
        const number = value as number;
        if ((typeof option['min'] === 'number' && number < option['min']) || (typeof option['max'] === 'number' && number > option['max'])) {
          bad('default', `the default ${number} is outside min/max`);
        }
      }
      if (option['sensitive'] === true && typeof value === 'string' && value !== '') bad('default', 'a sensitive option must not ship a default value');
    }
  }
  return valid;
}

function checkPlatforms(manifest: Record<string, unknown>, add: Add): void {
  const server = manifest['server'];
  const config = isRecord(server) ? server['mcp_config'] : undefined;
  const overrides = isRecord(config) ? config['platform_overrides'] : undefined;
  if (!isRecord(overrides)) return;
  for (const key of Object.keys(overrides)) {
    if (!(PLATFORMS as readonly string[]).includes(key)) {
      add('MANIFEST_UNKNOWN_PLATFORM', `/server/mcp_config/platform_overrides${pointer(key)}`, `"${key}" is not a platform (darwin, win32, linux): no host would use it, and no reviewer expects it`);
    }
  }
}

/** One command line, held to the same rules whether it is the default or a platform's. */
function checkLaunchConfig(manifest: Record<string, unknown>, config: LaunchConfig, userConfig: Record<string, Record<string, unknown>>, add: Add): void {
  const where = config.platform === 'default' ? 'the command line' : `the ${config.platform} command line`;
  const server = isRecord(manifest['server']) ? manifest['server'] : {};
  const type = typeof server['type'] === 'string' ? server['type'] : '';

  const kind = launcherKind(config);
  if (config.command !== null) {
    const program = programName(config.command);
    if (kind === 'shell') {
      add('MANIFEST_SHELL_COMMAND', config.pointers.command, `${where} starts the shell "${program}": what it runs is no longer declared anywhere`);
    } else if (kind === 'fetcher') {
      add('MANIFEST_RUNTIME_FETCHER', config.pointers.command, `${where} uses "${program}", which downloads code at start-up: what runs is not what was signed`, 'warning');
    } else {
      const inBundle = /^\$\{__dirname\}/u.test(config.command);
      const expected = EXPECTED_PROGRAMS[type];
      const ok = type === 'binary' ? inBundle : inBundle || (expected !== undefined && expected.some((name) => program === name || program.startsWith(`${name}3.`)));
      if (!ok) {
        const wanted = type === 'binary' ? 'a file inside the bundle (${__dirname}/...)' : expected ? expected.join(' or ') : 'a known runtime';
        add('MANIFEST_COMMAND_MISMATCH', config.pointers.command, `${where} runs "${config.command.slice(0, 80)}" but server.type "${type}" expects ${wanted}`);
      }
    }
    const inline = inlineCodeFlag(program, config.args);
    if (inline !== null) add('MANIFEST_INLINE_CODE', `${config.pointers.args}/${inline}`, `${where} passes code inline ("${config.args[inline]}"); run a file from the bundle instead`);
  }

  const strings: [string, string][] = [[config.pointers.command, config.command ?? '']];
  config.args.forEach((arg, index) => strings.push([`${config.pointers.args}/${index}`, arg]));
  for (const [key, value] of Object.entries(config.env)) strings.push([`${config.pointers.env}${pointer(key)}`, value]);
  for (const [at, text] of strings) {
    for (const reference of variableReferences(text)) {
      if (reference.userConfigKey !== null) {
        if (!(reference.userConfigKey in userConfig)) add('MANIFEST_UNKNOWN_VARIABLE', at, `\${${reference.name}} names no user_config option`);
      } else if (!KNOWN_VARIABLES.includes(reference.name)) {
        add('MANIFEST_UNKNOWN_VARIABLE', at, `\${${reference.name}} is not a variable hosts substitute`);
      }
    }
  }
  config.args.forEach((arg, index) => {
    for (const reference of variableReferences(arg)) {
      const option = reference.userConfigKey === null ? undefined : userConfig[reference.userConfigKey];
      if (option?.['sensitive'] === true) {
        add('MANIFEST_SECRET_IN_ARGS', `${config.pointers.args}/${index}`, `the sensitive option "${reference.userConfigKey}" is passed in args, visible to every user in the process list; pass it in env`);
      }
    }
  });

  for (const [key, value] of Object.entries(config.env)) {
    const at = `${config.pointers.env}${pointer(key)}`;
    const upper = key.toUpperCase();
    if (BUNDLE_ONLY.has(upper)) {
      const parts = value.split(/[:;]/u).filter((part) => part !== '');
      if (!parts.every((part) => /^\$\{__dirname\}(?:$|[\\/]|\$\{\/\})/u.test(part) && !part.split(/[\\/]/u).includes('..'))) {
        add('MANIFEST_ENV_INJECTION', at, `${key} outside the bundle makes the runtime load code from elsewhere`);
      }
    } else if (INJECTION_EXACT.has(upper) || INJECTION_PREFIXES.some((prefix) => upper.startsWith(prefix))) {
      add('MANIFEST_ENV_INJECTION', at, `${key} makes the runtime or loader run code the manifest does not name`);
    } else if (SENSITIVE.has(upper)) {
      add('MANIFEST_ENV_SENSITIVE', at, `${key} changes which programs run or which certificates are trusted`, 'warning');
    }
  }
}

/** Index of an argument that passes source code instead of a file (`node -e`, `python -c`, ...). */
function inlineCodeFlag(program: string, args: readonly string[]): number | null {
  const flags =
    program === 'node' || program === 'bun' || program === 'deno'
      ? ['-e', '--eval', '-p', '--print']
      : program.startsWith('python') || program === 'py'
        ? ['-c']
        : [];
  const index = args.findIndex((arg) => flags.includes(arg) || flags.some((flag) => flag.startsWith('--') && arg.startsWith(`${flag}=`)));
  return index >= 0 ? index : null;
}

/** The entry point is what runs: some command line must name it. */
function checkEntryPointUsed(manifest: Record<string, unknown>, configs: LaunchConfig[], add: Add): void {
  const server = manifest['server'];
  if (!isRecord(server) || typeof server['entry_point'] !== 'string' || configs.length === 0) return;
  const entryPoint = server['entry_point'].replace(/^\.\//u, '');
  const mentions = (text: string): boolean => {
    const normalised = text.replace(/\$\{\/\}|\$\{pathSeparator\}/gu, '/').replace(/\\/gu, '/');
    return normalised === entryPoint || normalised.endsWith(`/${entryPoint}`) || normalised.includes(`/${entryPoint}`) || normalised.endsWith(`=${entryPoint}`);
  };
  for (const config of configs) {
    if (![config.command ?? '', ...config.args].some(mentions)) {
      add('MANIFEST_ENTRY_POINT_UNUSED', config.pointers.args, `${config.platform === 'default' ? 'the command line' : `the ${config.platform} command line`} does not run the entry point "${entryPoint}"`);
    }
  }
}
