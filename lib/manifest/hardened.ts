// The hardened profile's semantic checks (DESIGN.md "Manifest validation"): what a security
// reviewer checks in a manifest, each rule with its own code. Robust to any JSON: the compat
// schema may have failed, so nothing here trusts a field's type, and keys are read as own
// properties only. The command-line checks are in launch-checks.ts.

import { validateEntryName } from '../archive/names.ts';
import { launchConfigs, PLATFORMS } from './command.ts';
import { isRecord, own, userConfigOptions, type JsonRecord } from './document.ts';
import { findingCollector, pointer, type AddFinding, type Finding, type HardenedCode } from './findings.ts';
import { checkEntryPointUsed, checkLaunchConfig } from './launch-checks.ts';
import { broadReach, homeSecretOf } from './home-secrets.ts';
import { normaliseInBundle } from './paths.ts';
import { symbolicSegments } from './variables.ts';

export { HARDENED_CODES } from './findings.ts';

export interface HardenedContext {
  /** Names of the files in the bundle (archive entries, or a directory listing), when known. */
  files?: ReadonlySet<string>;
}

type Add = AddFinding<HardenedCode>;

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
const KEY_LIMIT = 256;

/**
 * Characters a terminal or a reviewer's eye does not show as written (issue 9, finding 11): C0
 * and C1 controls and DEL (ESC starts the escape sequences that erase a line or set the clipboard
 * through OSC 52), format characters (bidi overrides and isolates, zero-width spaces, tags, soft
 * hyphen, BOM), line and paragraph separators, and the Hangul fillers that render as blanks.
 */
const HIDDEN = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\u115F\u1160\u3164\uFFA0]/gu;
/** Zero-width (non-)joiners shape emoji sequences and Persian and Indic text; they reorder nothing. */
const JOINERS = new Set(['\u200C', '\u200D']);
/** Prose fields, where line breaks and tabs are ordinary (but a bare CR, which returns the cursor, is not). */
const PROSE = /^\/(?:long_description|description|(?:tools|prompts)\/\d+\/(?:description|text)|user_config\/[^/]+\/description)$/u;

/** All hardened-profile findings for `manifest` except the scope declarations (lib/scopes). */
export function hardenedFindings(manifest: JsonRecord, context: HardenedContext = {}): Finding[] {
  const { findings, add } = findingCollector<HardenedCode>();
  checkStrings(manifest, add);
  checkUrls(manifest, add);
  checkBundlePaths(manifest, context, add);
  checkUserConfig(manifest, add);
  checkPlatforms(manifest, add);
  const options = userConfigOptions(manifest);
  const configs = launchConfigs(manifest);
  for (const config of configs) checkLaunchConfig(manifest, config, options, context, add);
  checkEntryPointUsed(manifest, configs, add);
  return findings;
}

/**
 * Every string and key: within bounds (a manifest is read by people and by fragile parsers) and
 * free of hidden characters. Walked with an explicit stack: this is public API, and a caller may
 * pass a document that never went through the depth check.
 */
function checkStrings(manifest: JsonRecord, add: Add): void {
  const stack: Array<[unknown, string]> = [[manifest, '']];
  const seen = new Set<object>();
  while (stack.length > 0) {
    const [value, at] = stack.pop()!;
    if (typeof value === 'string') {
      checkString(value, at, STRING_LIMITS[at] ?? DEFAULT_STRING_LIMIT, add);
    } else if (typeof value === 'object' && value !== null && !seen.has(value)) {
      seen.add(value);
      if (Array.isArray(value)) {
        if (value.length > ARRAY_LIMIT) add('MANIFEST_FIELD_TOO_LONG', at, `${value.length} items (limit ${ARRAY_LIMIT})`);
        value.forEach((item, index) => stack.push([item, `${at}/${index}`]));
      } else {
        for (const [key, item] of Object.entries(value)) {
          if (key.length > KEY_LIMIT) add('MANIFEST_FIELD_TOO_LONG', `${at}${pointer(key.slice(0, 64))}`, `a key of ${key.length} characters (limit ${KEY_LIMIT})`);
          else checkHidden(key, `${at}${pointer(key)}`, false, 'key', add);
          stack.push([item, `${at}${pointer(key)}`]);
        }
      }
    }
  }
}

function checkString(value: string, at: string, limit: number, add: Add): void {
  if (value.length > limit) add('MANIFEST_FIELD_TOO_LONG', at, `${value.length} characters (limit ${limit})`);
  checkHidden(value, at, PROSE.test(at), 'string', add);
}

/** MANIFEST_CONTROL_CHARACTER for the first hidden character of `text`. */
function checkHidden(text: string, at: string, prose: boolean, what: 'key' | 'string', add: Add): void {
  for (const match of text.matchAll(HIDDEN)) {
    const char = match[0];
    if (JOINERS.has(char)) continue;
    if (prose && (char === '\n' || char === '\t' || (char === '\r' && text[match.index + 1] === '\n'))) continue;
    const code = `U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
    add('MANIFEST_CONTROL_CHARACTER', at, `the ${what} holds the control or invisible character ${code} at offset ${match.index}: it can hide or rewrite what a reviewer's terminal shows`);
    return;
  }
}

/** Every link a user may click or a host may fetch is https, without credentials. */
function checkUrls(manifest: JsonRecord, add: Add): void {
  const urls: [string, unknown][] = [
    ['/homepage', own(manifest, 'homepage')],
    ['/documentation', own(manifest, 'documentation')],
    ['/support', own(manifest, 'support')],
    ['/author/url', own(own(manifest, 'author'), 'url')],
    ['/repository/url', own(own(manifest, 'repository'), 'url')],
  ];
  const policies = own(manifest, 'privacy_policies');
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

/** The paths a manifest declares as files of the bundle, with their pointers. */
function declaredBundlePaths(manifest: JsonRecord): Array<[string, unknown]> {
  const paths: Array<[string, unknown]> = [['/server/entry_point', own(own(manifest, 'server'), 'entry_point')], ['/icon', own(manifest, 'icon')]];
  const icons = own(manifest, 'icons');
  if (Array.isArray(icons)) icons.forEach((icon, index) => paths.push([`/icons/${index}/src`, own(icon, 'src')]));
  const screenshots = own(manifest, 'screenshots');
  if (Array.isArray(screenshots)) screenshots.forEach((shot, index) => paths.push([`/screenshots/${index}`, shot]));
  const localization = own(manifest, 'localization');
  const resources = own(localization, 'resources');
  if (typeof resources === 'string') {
    const locale = own(localization, 'default_locale');
    paths.push(['/localization/resources', resources.replace(/\$\{locale\}/giu, typeof locale === 'string' ? locale : 'en-US')]);
  }
  return paths;
}

/**
 * Paths to files of the bundle are relative, canonical (an archive entry name as it is) and, when
 * the files are known, present. "Inside" is decided by the one normaliser every in-bundle path
 * check uses (paths.ts).
 */
function checkBundlePaths(manifest: JsonRecord, context: HardenedContext, add: Add): void {
  for (const [at, value] of declaredBundlePaths(manifest)) {
    if (typeof value !== 'string') continue;
    const normalised = normaliseInBundle(value);
    const problem = validateEntryName(value);
    if (!normalised.inside || problem || value.endsWith('/')) {
      const reason = !normalised.inside ? `: ${normalised.reason}` : problem ? `: ${problem.reason}` : '';
      add('MANIFEST_UNSAFE_PATH', at, `"${value.slice(0, 80)}" is not a relative path inside the bundle${reason}`);
      continue;
    }
    if (context.files && !context.files.has(value)) add('MANIFEST_FILE_MISSING', at, `"${value}" is not in the bundle`);
  }
}

/** Keys usable in `${user_config.KEY}` without regex or shell surprises; options consistent with their type. */
function checkUserConfig(manifest: JsonRecord, add: Add): void {
  const options = own(manifest, 'user_config');
  if (!isRecord(options)) return;
  for (const [key, option] of Object.entries(options)) {
    const at = `/user_config${pointer(key)}`;
    if (!CONFIG_KEY.test(key)) add('MANIFEST_BAD_CONFIG_KEY', at, `user_config key "${key.slice(0, 64)}" must match ${CONFIG_KEY.source}`);
    if (isRecord(option)) {
      checkConfigOption(option, at, add);
      checkDefaultPath(option, at, add);
    }
  }
}

/**
 * A directory or file option's default is held to the path rules of scopes (issue 10, item 4):
 * the scope says `${user_config.KEY}`, which reads as "what the user picks", so a default of `/`,
 * `~` or `~/.ssh` would grant the file system, the home directory or its keys without a word.
 */
function checkDefaultPath(option: JsonRecord, at: string, add: Add): void {
  if (option['type'] !== 'directory' && option['type'] !== 'file') return;
  const value = option['default'];
  for (const item of Array.isArray(value) ? value : [value]) {
    if (typeof item !== 'string' || item === '') continue;
    const problem = defaultPathProblem(item);
    if (problem !== null) {
      add('MANIFEST_CONFIG_DEFAULT_PATH', `${at}/default`, `the default "${item.slice(0, 80)}" ${problem}`);
      return;
    }
  }
}

/** Why a path default breaks the scope path rules, or null. */
function defaultPathProblem(path: string): string | null {
  const spelled = path.replace(/^~(?=[\\/]|$)/u, '${HOME}');
  const segments = symbolicSegments(spelled);
  if (segments === null) return 'climbs with "..", so where it lands depends on the path above it: write the directory it means';
  if (!/^(?:\$\{|[\\/]|[A-Za-z]:[\\/])/u.test(spelled)) return "is relative, so the host's working directory decides what it grants: start it with a variable such as ${DOCUMENTS}";
  const secret = homeSecretOf(segments);
  const broad = broadReach(segments);
  const what = broad !== null ? `is ${broad}` : secret === null ? null : `lies in ~/${secret}, where credentials live`;
  return what === null ? null : `${what}: every scope on this option would grant it to a user who keeps the default; leave the default out (the user picks) or name a narrow directory`;
}

function checkConfigOption(option: JsonRecord, at: string, add: Add): void {
  const type = option['type'];
  const has = (key: string): boolean => Object.hasOwn(option, key);
  const bad = (field: string, why: string): void => add('MANIFEST_BAD_CONFIG_OPTION', `${at}/${field}`, why);
  if (type !== 'number' && (has('min') || has('max'))) bad(has('min') ? 'min' : 'max', `min and max apply to number options, not ${String(type)}`);
  if (type === 'number' && typeof option['min'] === 'number' && typeof option['max'] === 'number' && option['min'] > option['max']) {
    bad('min', `min (${option['min']}) is greater than max (${option['max']})`);
  }
  if (option['multiple'] === true && type !== 'directory' && type !== 'file') bad('multiple', `multiple applies to directory and file options, not ${String(type)}`);
  if (option['sensitive'] === true && type !== 'string') bad('sensitive', `sensitive applies to string options, not ${String(type)}`);
  if (!has('default')) return;
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

function checkPlatforms(manifest: JsonRecord, add: Add): void {
  const overrides = own(own(own(manifest, 'server'), 'mcp_config'), 'platform_overrides');
  if (!isRecord(overrides)) return;
  for (const key of Object.keys(overrides)) {
    if (!(PLATFORMS as readonly string[]).includes(key)) {
      add('MANIFEST_UNKNOWN_PLATFORM', `/server/mcp_config/platform_overrides${pointer(key)}`, `"${key}" is not a platform (darwin, win32, linux): no host would use it, and no reviewer expects it`);
    }
  }
}
