// The `pack` pipeline: a bundle source directory in, a deterministic .mcpb out.

import { join } from 'node:path';
import { collectSourceFiles, type ExcludedFile } from './archive/collect.ts';
import { resolveLimits, type ArchiveLimits } from './limits.ts';
import { readBoundedFile } from './io.ts';
import { writeArchive } from './archive/writer.ts';
import { MCPSealError } from './errors.ts';
import { MANIFEST_NAME, manifestTooLarge, parseManifest, summarizeManifest, type ManifestSummary } from './manifest/load.ts';

export interface PackOptions {
  /** Seconds since the epoch for every timestamp; callers pass `SOURCE_DATE_EPOCH` here. */
  sourceDateEpoch?: number;
  /** zlib level 0-9, default 6. */
  level?: number;
  /** Extra ignore patterns (gitignore syntax) on top of the defaults and `.mcpbignore`. */
  ignore?: readonly string[];
  limits?: Partial<ArchiveLimits>;
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

export interface PackResult {
  path: string;
  sha256: string;
  size: number;
  entries: number;
  excluded: ExcludedFile[];
  manifest: ManifestSummary;
}

/** Packs the bundle source in `directory` into `outPath`. The directory must hold a manifest.json. */
export async function packBundle(directory: string, outPath: string, options: PackOptions = {}): Promise<PackResult> {
  const manifestPath = join(directory, MANIFEST_NAME);
  const limits = resolveLimits(options.limits);
  let manifestBytes: Buffer;
  try {
    // Bounded, regular files only: the same caps as a manifest read out of a bundle.
    manifestBytes = await readBoundedFile(manifestPath, { max: limits.maxManifestSize, tooLarge: (size) => manifestTooLarge(manifestPath, size, limits.maxManifestSize) });
  } catch (cause) {
    if (cause instanceof MCPSealError && cause.code === 'IO_NOT_FOUND') {
      throw new MCPSealError('MANIFEST_MISSING', `${directory} has no manifest.json`, { details: { path: manifestPath }, cause });
    }
    throw cause;
  }
  const manifest = summarizeManifest(parseManifest(manifestBytes, limits));
  const { files, excluded } = await collectSourceFiles(directory, {
    ...(options.ignore ? { ignore: options.ignore } : {}),
    ...(options.limits ? { limits: options.limits } : {}),
  });
  if (!files.some((file) => file.name === MANIFEST_NAME)) {
    throw new MCPSealError('MANIFEST_MISSING', 'manifest.json is excluded by an ignore pattern', { details: { path: manifestPath } });
  }
  const written = await writeArchive(files, outPath, {
    ...(options.sourceDateEpoch === undefined ? {} : { sourceDateEpoch: options.sourceDateEpoch }),
    ...(options.level === undefined ? {} : { level: options.level }),
    ...(options.limits ? { limits: options.limits } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  return { path: written.path, sha256: written.sha256, size: written.size, entries: written.entries, excluded, manifest };
}
