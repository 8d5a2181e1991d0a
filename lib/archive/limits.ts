import { MCPSealError } from '../errors.ts';

// Caps on untrusted archive input, as one documented defaults object (tuf-js `defaultConfig`
// style). Callers override with a partial; the result is frozen and the caller's object is
// never mutated.

export interface ArchiveLimits {
  /** Most entries (files and directories) an archive may hold. */
  maxEntries: number;
  /** Most bytes all entries may expand to, summed over the declared uncompressed sizes. */
  maxTotalSize: number;
  /** Most bytes one entry may expand to. */
  maxEntrySize: number;
  /** Highest uncompressed:compressed ratio allowed for an entry at least `ratioThreshold` bytes large. */
  maxCompressionRatio: number;
  /** Entries smaller than this are exempt from the ratio rule (tiny files compress absurdly well). */
  ratioThreshold: number;
  /** Longest entry name, in UTF-8 bytes. */
  maxPathLength: number;
  /** Deepest entry name, in path segments. */
  maxPathDepth: number;
  /** Largest central directory accepted (it is held in memory while the archive is open). */
  maxCentralDirectorySize: number;
}

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

export const defaultLimits: Readonly<ArchiveLimits> = Object.freeze({
  maxEntries: 100_000,
  maxTotalSize: 1 * GiB,
  maxEntrySize: 512 * MiB,
  maxCompressionRatio: 200,
  ratioThreshold: 1 * MiB,
  maxPathLength: 1024,
  maxPathDepth: 64,
  maxCentralDirectorySize: 64 * MiB,
});

/** Merge a caller's partial limits over the defaults, checking each value is a sane number. */
export function resolveLimits(overrides: Partial<ArchiveLimits> = {}): Readonly<ArchiveLimits> {
  const merged: ArchiveLimits = { ...defaultLimits };
  for (const key of Object.keys(defaultLimits) as (keyof ArchiveLimits)[]) {
    const value = overrides[key];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
      throw new MCPSealError('USAGE_INVALID_ARGUMENT', `limit ${key} must be a non-negative integer, got ${String(value)}`, {
        details: { limit: key, found: value },
      });
    }
    merged[key] = value;
  }
  return Object.freeze(merged);
}
