// Scope schema errors in words (issue 10, item 6): ajv says `must match pattern "^(?:(?:\*\.)?...`
// (a 150-character regexp) or `must have required property 'listen'`; a publisher needs to read
// which key, what it means when denied, and what to write instead. One sentence per ajv error,
// keyed by the keyword and the place in schemas/scopes.schema.json.

import type { ErrorObject } from 'ajv';
import { pointer } from '../manifest/findings.ts';
import { didYouMean } from '../manifest/spelling.ts';

/** The keys each object of the scopes schema allows, by its place (array indexes as `*`). */
const KEYS: Record<string, readonly string[]> = {
  '': ['filesystem', 'network', 'process', 'env'],
  '/filesystem': ['read', 'write', 'roots', 'cwd'],
  '/network': ['egress', 'listen', 'userDriven'],
  '/network/egress/*': ['host', 'ports'],
  '/network/userDriven': ['reason', 'ports'],
  '/process': ['spawn', 'workers', 'native_addons'],
  '/env': ['read', 'secrets'],
};

/** What writing a required key as empty or false means: the sentence after "X is required: ". */
const DENIED: Record<string, string> = {
  filesystem: 'declare it with read and write lists ([] denies all file access)',
  network: 'declare it with egress and listen ([] and false deny all network use)',
  process: 'declare it with spawn, workers and native_addons ([], false and false deny them)',
  env: 'declare it with read and secrets lists ([] denies reading the environment)',
  'filesystem.read': '[] denies reading any file',
  'filesystem.write': '[] denies writing any file',
  'network.egress': '[] denies every outbound connection',
  'network.listen': 'false denies listening',
  'process.spawn': '[] denies starting programs',
  'process.workers': 'false denies worker threads',
  'process.native_addons': 'false denies loading native code',
  'env.read': '[] denies reading environment variables',
  'env.secrets': '[] declares no secrets',
  'network.egress[].host': 'name the host the server connects to',
  'network.egress[].ports': 'list the ports, e.g. [443]',
  'network.userDriven.reason': 'say in a sentence why the server reaches hosts the user picks',
  'network.userDriven.ports': 'list the ports, e.g. [443]',
};

/** `/network/egress/0/host` as `network.egress[0].host`. */
export function dottedPath(instancePath: string): string {
  return instancePath
    .split('/')
    .slice(1)
    .map((token) => token.replaceAll('~1', '/').replaceAll('~0', '~'))
    .reduce((path, token) => (/^\d+$/u.test(token) ? `${path}[${token}]` : path === '' ? token : `${path}.${token}`), '');
}

/** The pointer (relative to the scopes block) an ajv error is about: the value, or the missing or unknown key. */
export function scopeErrorPointer(error: ErrorObject): string {
  if (error.keyword === 'additionalProperties') return error.instancePath + pointer(String(error.params['additionalProperty']));
  if (error.keyword === 'required') return error.instancePath + pointer(String(error.params['missingProperty']));
  return error.instancePath;
}

/** One human sentence for one ajv error of the scopes schema. */
export function scopeErrorMessage(error: ErrorObject, value: unknown): string {
  const at = dottedPath(error.instancePath);
  const where = at === '' ? 'the scopes block' : at;
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required': {
      const key = String(params['missingProperty']);
      const full = at === '' ? key : `${at}.${key}`;
      const meaning = DENIED[full.replace(/\[\d+\]/gu, '[]')];
      return `${full} is required${meaning === undefined ? '' : `: ${meaning}`}`;
    }
    case 'additionalProperties': {
      const key = String(params['additionalProperty']);
      const allowed = KEYS[error.instancePath.replace(/\/\d+(?=\/|$)/gu, '/*')] ?? [];
      return `unknown key "${key.slice(0, 64)}" in ${where}${didYouMean(key, allowed)} (allowed: ${allowed.join(', ')})`;
    }
    case 'pattern':
      return patternMessage(at, value);
    case 'enum':
      return `${where} must be one of ${(params['allowedValues'] as unknown[]).map((item) => JSON.stringify(item)).join(', ')}, not ${shown(value)}`;
    case 'type':
      return `${where} must be ${typeWord(String(params['type']), at)}, not ${shown(value)}`;
    case 'uniqueItems':
      return `${where} lists the same item twice (items ${String(params['j'])} and ${String(params['i'])}): list it once`;
    case 'minItems':
      return `${where} must list at least ${String(params['limit'])} item${params['limit'] === 1 ? '' : 's'}${at.endsWith('ports') ? ' (a port from 1 to 65535)' : ''}`;
    case 'maxItems':
      return `${where} lists more than ${String(params['limit'])} items`;
    case 'minimum':
    case 'maximum':
      return `${where} is ${shown(value)}, not a port from 1 to 65535`;
    case 'minLength':
      return `${where} must not be empty`;
    case 'maxLength':
      return `${where} is longer than ${String(params['limit'])} characters`;
    default:
      return `${where} ${error.message ?? `fails the "${error.keyword}" check`}`;
  }
}

function patternMessage(at: string, value: unknown): string {
  if (at.endsWith('.host')) return `not a host name: ${shown(value)} (a DNS name with at most one leading "*." label, an IPv4 address, or an IPv6 address in brackets; never a bare "*", a URL or a port)`;
  if (at.startsWith('env.')) return `not an environment variable name: ${shown(value)} (letters, digits and _, not starting with a digit)`;
  if (at.endsWith('.reason')) return `${at} must say why in words, not be blank`;
  return `${at} has the wrong form: ${shown(value)}`;
}

function typeWord(type: string, at: string): string {
  if (type === 'array') return at.endsWith('ports') ? 'a list of ports' : 'a list';
  if (type === 'boolean') return 'true or false';
  return /^[aeiou]/u.test(type) ? `an ${type}` : `a ${type}`;
}

/** A value for a message: JSON, cut to 80 characters. */
function shown(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
