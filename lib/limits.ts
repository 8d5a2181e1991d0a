import { MCPSealError } from './errors.ts';

// Every cap on untrusted input (archives, manifests, Sigstore bundles, trusted roots, signature
// blocks), as one documented defaults object (tuf-js `defaultConfig` style). Callers override
// with a partial; the result is frozen and the caller's object is never mutated. The caps are
// enforced by the module that parses the input, never left to the caller.

export interface Limits {
  /**
   * Most entries (files and directories) an archive may hold; the directories its names imply
   * (the parents extraction creates, explicit or not) are held to the same number.
   */
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
  /** Largest `manifest.json` accepted, in bytes. */
  maxManifestSize: number;
  /**
   * Deepest nesting of `manifest.json` (the top-level object is 1), checked before any recursive
   * check runs. The official examples nest 4 deep, a manifest with scopes 6.
   */
  maxManifestDepth: number;
  /** Largest Sigstore bundle (`.sigstore.json`) accepted, in bytes. */
  maxSigstoreBundleSize: number;
  /** Largest trusted root document accepted, in bytes (the public-good one is about 7 KB). */
  maxTrustedRootSize: number;
  /** Largest install policy file (and each public key file it names) accepted, in bytes. */
  maxPolicySize: number;
  /**
   * Largest legacy MCPB_SIG_V1 / DXT_SIG_V1 block accepted after the zip, header to footer, in
   * bytes (a CMS SignedData with a certificate chain is a few kilobytes). The reader reads this
   * much of the file's tail (plus the end records and comment) to find it.
   */
  maxSignatureBlockSize: number;
  /**
   * Most source files the static analyzer reads in one bundle (lib/analysis); the server's own
   * code is read first, so a cap reached in node_modules leaves it complete. Files past the cap
   * are reported as `unknown` (`truncated`).
   */
  maxAnalysisFiles: number;
  /** Largest source file the analyzer parses, in bytes; a larger one is an `unknown` (`too-large`). */
  maxAnalysisFileSize: number;
  /** Most source bytes the analyzer reads in one bundle; files past it are `unknown` (`truncated`). */
  maxAnalysisTotalSize: number;
  /** Wall-clock budget of one analysis, in milliseconds; files not read by then are `unknown` (`time-budget`). */
  analysisTimeBudgetMs: number;
  /** Most observations recorded for one file; past it the file is also an `unknown` (`truncated`). */
  maxAnalysisObservationsPerFile: number;
  /**
   * Largest MCP registry `server.json` accepted, in bytes (`--server-json`): real ones are a few
   * kilobytes; the registry's own schema bounds no array, so the file size is the cap.
   */
  maxServerJsonSize: number;
  /**
   * Largest JSON-RPC message line the stdio relay of `run` holds in memory (lib/launch/relay.ts):
   * every line from the client, and a server line while a `tools/list` answer is awaited (it may
   * be that answer, and must be read whole before any of it reaches the client). Other server
   * lines stream through without being held. A longer line is dropped with a warning.
   */
  maxRelayMessage: number;
  /**
   * Largest dependency file the audit's dependency check reads (package-lock.json, uv.lock,
   * poetry.lock, requirements files, bundled package.json files), in bytes: a lockfile of a few
   * thousand packages is a few megabytes. A larger one is reported, not read.
   */
  maxDependencyFileSize: number;
  /**
   * Largest client config `mcpseal audit` reads, in bytes (claude_desktop_config.json, .mcp.json,
   * mcp.json): Claude Code's ~/.claude.json also keeps project history and grows to megabytes.
   */
  maxClientConfigSize: number;
}

/** The archive caps are the same object: one set of limits, one place. */
export type ArchiveLimits = Limits;

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

export const defaultLimits: Readonly<Limits> = Object.freeze({
  maxEntries: 100_000,
  maxTotalSize: 1 * GiB,
  maxEntrySize: 512 * MiB,
  maxCompressionRatio: 200,
  ratioThreshold: 1 * MiB,
  maxPathLength: 1024,
  maxPathDepth: 64,
  maxCentralDirectorySize: 64 * MiB,
  maxManifestSize: 1 * MiB,
  maxManifestDepth: 32,
  maxSigstoreBundleSize: 16 * MiB,
  maxTrustedRootSize: 1 * MiB,
  maxPolicySize: 1 * MiB,
  maxSignatureBlockSize: 1 * MiB,
  maxAnalysisFiles: 20_000,
  maxAnalysisFileSize: 4 * MiB,
  maxAnalysisTotalSize: 256 * MiB,
  analysisTimeBudgetMs: 60_000,
  maxAnalysisObservationsPerFile: 5_000,
  maxServerJsonSize: 1 * MiB,
  maxRelayMessage: 64 * MiB,
  maxDependencyFileSize: 16 * MiB,
  maxClientConfigSize: 16 * MiB,
});

/** Merge a caller's partial limits over the defaults, checking each value is a sane number. */
export function resolveLimits(overrides: Partial<Limits> = {}): Readonly<Limits> {
  const merged: Limits = { ...defaultLimits };
  for (const key of Object.keys(defaultLimits) as (keyof Limits)[]) {
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
