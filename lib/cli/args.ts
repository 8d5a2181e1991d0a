// Argument parsing on node:util parseArgs (strict: unknown flags are usage errors), plus the
// option groups several commands share.

import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { ArchiveLimits } from '../limits.ts';
import { MCPSealError } from '../errors.ts';

type Options = NonNullable<ParseArgsConfig['options']>;

export const COMMON_OPTIONS = {
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies Options;

export const LIMIT_OPTIONS = {
  'max-entries': { type: 'string' },
  'max-total-size': { type: 'string' },
  'max-entry-size': { type: 'string' },
  'max-ratio': { type: 'string' },
  'max-path-length': { type: 'string' },
  'max-path-depth': { type: 'string' },
} as const satisfies Options;

export const LIMITS_HELP = `Limits (defaults in parentheses; sizes take K, M, G suffixes, powers of 1024):
  --max-entries N        most entries in the archive (100000)
  --max-total-size SIZE  most bytes all entries may expand to (1G)
  --max-entry-size SIZE  most bytes one entry may expand to (512M)
  --max-ratio N          highest compression ratio of entries of 1 MiB or more (200)
  --max-path-length N    longest entry name in bytes (1024)
  --max-path-depth N     deepest entry name in segments (64)`;

export interface Parsed {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
}

export function parse(args: string[], options: Options): Parsed {
  try {
    const { values, positionals } = parseArgs({ args, options, allowPositionals: true, strict: true });
    return { values: values as Parsed['values'], positionals };
  } catch (cause) {
    throw new MCPSealError('USAGE_INVALID_ARGUMENT', (cause as Error).message, { cause });
  }
}

/** Requires exactly the named positionals (the last ones may be optional). */
export function positionals(given: string[], required: string[], optional: string[] = []): string[] {
  if (given.length < required.length) {
    throw new MCPSealError('USAGE_MISSING_ARGUMENT', `missing ${required.slice(given.length).map((name) => `<${name}>`).join(' ')}`);
  }
  if (given.length > required.length + optional.length) {
    throw new MCPSealError('USAGE_INVALID_ARGUMENT', `unexpected argument "${given[required.length + optional.length]}"`);
  }
  return given;
}

/** Parses "512M", "1G", "4096" into bytes (powers of 1024). */
export function parseSize(text: string, flag: string): number {
  const match = /^(\d+)\s*([kmgt]?)(i?b)?$/iu.exec(text.trim());
  if (!match) throw new MCPSealError('USAGE_INVALID_ARGUMENT', `${flag} expects a size like 512M or 1G, got "${text}"`);
  const power = { '': 0, k: 1, m: 2, g: 3, t: 4 }[match[2]!.toLowerCase() as '' | 'k' | 'm' | 'g' | 't'];
  const value = Number(match[1]) * 1024 ** power;
  if (!Number.isSafeInteger(value)) throw new MCPSealError('USAGE_INVALID_ARGUMENT', `${flag} is too large`);
  return value;
}

export function parseCount(text: string, flag: string): number {
  if (!/^\d+$/u.test(text.trim())) throw new MCPSealError('USAGE_INVALID_ARGUMENT', `${flag} expects a whole number, got "${text}"`);
  return Number(text);
}

/** Turns the limit flags into a partial limits object for the library. */
export function limitsFrom(values: Parsed['values']): Partial<ArchiveLimits> {
  const limits: Partial<ArchiveLimits> = {};
  const flags: [keyof typeof LIMIT_OPTIONS, keyof ArchiveLimits, typeof parseSize][] = [
    ['max-entries', 'maxEntries', parseCount],
    ['max-total-size', 'maxTotalSize', parseSize],
    ['max-entry-size', 'maxEntrySize', parseSize],
    ['max-ratio', 'maxCompressionRatio', parseCount],
    ['max-path-length', 'maxPathLength', parseCount],
    ['max-path-depth', 'maxPathDepth', parseCount],
  ];
  for (const [flag, key, parseValue] of flags) {
    const text = values[flag];
    if (typeof text === 'string') limits[key] = parseValue(text, `--${flag}`);
  }
  return limits;
}
