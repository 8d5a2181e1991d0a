// `--user-config KEY=VALUE` answers, held to the manifest's `user_config` options (MCPB manifest
// spec: types string/number/boolean/directory/file, min/max for numbers, required, default,
// multiple for directory/file, sensitive for strings). Sensitive values never reach the lock:
// only `KEY=env:NAME`, a reference `run` resolves from the environment at launch.

import { statSync, realpathSync } from 'node:fs';
import { isAbsolute, join, normalize } from 'node:path';
import { MCPSealError } from '../errors.ts';
import type { LockConfigValue } from './lockfile.ts';

type Option = Record<string, unknown>;
type Answer = string | number | boolean | string[];

export interface UserConfigContext {
  home: string;
  /** Whether `path` is an existing directory or file (default: the file system, symlinks followed). */
  kindOf?: (path: string) => 'directory' | 'file' | 'other' | null;
  /** The real path of an existing path (default: realpathSync). */
  realpath?: (path: string) => string;
}

export interface ResolvedUserConfig {
  /** What the lock records: values, and env references for what the user gave as `env:NAME`. */
  recorded: Record<string, LockConfigValue>;
  /** The values scope paths resolve with (`${user_config.KEY}`): directory and file options as real paths. */
  values: Record<string, Answer>;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/u;

function configError(message: string, key?: string): MCPSealError {
  return new MCPSealError('INSTALL_USER_CONFIG', message, { details: key === undefined ? {} : { entry: key } });
}

/** Splits `KEY=VALUE` flags into answers by key (repeated keys keep their order). */
export function parseUserConfigArgs(args: readonly string[]): Map<string, string[]> {
  const given = new Map<string, string[]>();
  for (const arg of args) {
    const equals = arg.indexOf('=');
    if (equals <= 0) throw configError(`--user-config expects KEY=VALUE, got "${arg}"`);
    const key = arg.slice(0, equals);
    given.set(key, [...(given.get(key) ?? []), arg.slice(equals + 1)]);
  }
  return given;
}

/** Checks the answers against the options and applies defaults; every problem is INSTALL_USER_CONFIG. */
export function resolveUserConfig(options: ReadonlyMap<string, Option>, given: ReadonlyMap<string, string[]>, context: UserConfigContext): ResolvedUserConfig {
  for (const key of given.keys()) {
    if (!options.has(key)) throw configError(`--user-config ${key}: the manifest has no such user_config option${options.size ? ` (it has ${[...options.keys()].join(', ')})` : ''}`, key);
  }
  const recorded: Record<string, LockConfigValue> = {};
  const values: Record<string, Answer> = {};
  const missing: string[] = [];
  for (const [key, option] of options) {
    const answers = given.get(key);
    const answer = answers === undefined ? defaultAnswer(key, option, context) : checkAnswers(key, option, answers, context);
    if (answer === undefined) {
      if (option['required'] === true) missing.push(key);
      continue;
    }
    recorded[key] = answer;
    if ('value' in answer) values[key] = answer.value;
  }
  if (missing.length > 0) throw configError(`required user_config option${missing.length > 1 ? 's' : ''} ${missing.join(', ')} not given: pass --user-config ${missing[0]}=VALUE`, missing[0]);
  return { recorded, values };
}

function checkAnswers(key: string, option: Option, answers: string[], context: UserConfigContext): LockConfigValue {
  const type = option['type'];
  const multiple = option['multiple'] === true;
  if (answers.length > 1 && !multiple) throw configError(`--user-config ${key} given ${answers.length} times; the option takes one value`, key);
  const first = answers[0]!;
  if (first.startsWith('env:')) {
    const name = first.slice('env:'.length);
    if (type !== 'string' || answers.length > 1) throw configError(`--user-config ${key}=env:NAME: only string options take an environment reference`, key);
    if (!ENV_NAME.test(name)) throw configError(`--user-config ${key}=env:${name}: "${name}" is not an environment variable name`, key);
    return { env: name };
  }
  if (option['sensitive'] === true) {
    throw configError(`--user-config ${key} is sensitive: a literal value would be written to the lockfile; export it and pass --user-config ${key}=env:NAME instead`, key);
  }
  if (type === 'directory' || type === 'file') {
    const paths = answers.map((answer) => existingPath(key, type, answer, context));
    return { value: multiple ? paths : paths[0]! };
  }
  return { value: scalar(key, option, first) };
}

function scalar(key: string, option: Option, text: string): string | number | boolean {
  const type = option['type'];
  if (type === 'boolean') {
    if (text !== 'true' && text !== 'false') throw configError(`--user-config ${key} is a boolean: give true or false, not "${text}"`, key);
    return text === 'true';
  }
  if (type !== 'number') return text;
  const value = text.trim() === '' ? Number.NaN : Number(text);
  if (!Number.isFinite(value)) throw configError(`--user-config ${key} is a number, not "${text}"`, key);
  if (typeof option['min'] === 'number' && value < option['min']) throw configError(`--user-config ${key}=${value} is below the minimum ${option['min']}`, key);
  if (typeof option['max'] === 'number' && value > option['max']) throw configError(`--user-config ${key}=${value} is above the maximum ${option['max']}`, key);
  return value;
}

/** The default, checked like an answer; a path default that does not exist on this machine is left out (no grant). */
function defaultAnswer(key: string, option: Option, context: UserConfigContext): LockConfigValue | undefined {
  const value = option['default'];
  if (value === undefined || option['sensitive'] === true) return undefined;
  const type = option['type'];
  if (type === 'directory' || type === 'file') {
    try {
      const paths = (Array.isArray(value) ? value : [value]).map((item) => existingPath(key, type, String(item), context));
      return { value: option['multiple'] === true ? paths : paths[0]! };
    } catch {
      return undefined;
    }
  }
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return { value: typeof value === 'string' ? scalar(key, option, value) : value };
  return undefined;
}

/** `${HOME}`, `${DESKTOP}`, `${DOCUMENTS}`, `${DOWNLOADS}` and a leading `~` expanded; absolute; existing with the option's type; its real path. */
function existingPath(key: string, type: 'directory' | 'file', text: string, context: UserConfigContext): string {
  const expanded = expandPath(text, context.home);
  if (!isAbsolute(expanded)) throw configError(`--user-config ${key}: "${text}" is not an absolute path (start it with / or \${HOME})`, key);
  const kind = (context.kindOf ?? kindOnDisk)(expanded);
  if (kind !== type) {
    throw configError(`--user-config ${key}: ${expanded} ${kind === null ? 'does not exist' : `is not a ${type}`} on this machine`, key);
  }
  return (context.realpath ?? realpathSync)(expanded);
}

export function expandPath(text: string, home: string): string {
  const named = new Map([
    ['HOME', home],
    ['DESKTOP', join(home, 'Desktop')],
    ['DOCUMENTS', join(home, 'Documents')],
    ['DOWNLOADS', join(home, 'Downloads')],
  ]);
  const replaced = text.replace(/^~(?=\/|$)/u, home).replace(/\$\{([A-Z]+)\}/gu, (whole, name: string) => named.get(name) ?? whole);
  return replaced.includes('${') ? replaced : normalize(replaced);
}

function kindOnDisk(path: string): 'directory' | 'file' | 'other' | null {
  try {
    const stat = statSync(path);
    return stat.isDirectory() ? 'directory' : stat.isFile() ? 'file' : 'other';
  } catch {
    return null;
  }
}
