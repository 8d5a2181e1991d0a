// The `registry entry` pipeline: the `packages[]` entry of an MCP registry server.json for one
// .mcpb file. The file is read once through the strict archive reader (hashed in the same pass)
// and its manifest validated, so the entry is never published for a bundle mcpseal would refuse.

import { Archive } from './archive/reader.ts';
import type { Limits } from './limits.ts';
import { mcpbIdentifierProblem, mcpbPackageEntry, type McpbPackageEntry } from './registry/entry.ts';
import { MCPSealError } from './errors.ts';
import { readBundleManifest } from './sigstore/bundle-manifest.ts';
import { assertValidManifest, type Profile, validateBundleManifest, type ValidationResult } from './scopes/validate.ts';

export interface RegistryEntryOptions {
  /** The https URL the file will be downloaded from (the entry's `identifier`). */
  url: string;
  /** The manifest must pass this profile (default hardened). */
  profile?: Profile;
  limits?: Partial<Limits>;
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

export interface RegistryEntryResult {
  file: string;
  sha256: string;
  /** The manifest's `name`, for the server.json `name` the publisher chooses. */
  manifestName: string | null;
  validation: ValidationResult;
  /** Paste this into server.json's `packages` array. */
  entry: McpbPackageEntry;
}

/** The `packages[]` entry for the bundle at `path`, downloadable at `options.url`. */
export async function registryEntry(path: string, options: RegistryEntryOptions): Promise<RegistryEntryResult> {
  // A URL the registry refuses is a usage error, reported before the file is read.
  const problem = mcpbIdentifierProblem(options.url);
  if (problem !== null) throw new MCPSealError('USAGE_INVALID_ARGUMENT', `--url ${problem}: ${options.url}`, { details: { found: options.url } });
  const archive = await Archive.openFile(path, options.limits ? { limits: options.limits } : {});
  try {
    const { sha256 } = await archive.scan({
      hash: true,
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const manifest = await readBundleManifest(archive);
    const validation = validateBundleManifest(manifest.document, archive, options.profile);
    assertValidManifest(validation);
    const entry = mcpbPackageEntry({ url: options.url, sha256: sha256!, version: manifest.summary.version });
    return { file: path, sha256: sha256!, manifestName: manifest.summary.name, validation, entry };
  } finally {
    await archive.close();
  }
}
