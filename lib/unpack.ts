// The `unpack` pipeline: open once, check the archive and its manifest, then extract through the
// same handle into a staging directory that is renamed into place only on success.

import { access } from 'node:fs/promises';
import { extractArchive, type ExtractResult } from './archive/extract.ts';
import type { ArchiveLimits } from './archive/limits.ts';
import { Archive } from './archive/reader.ts';
import { MCPSealError } from './errors.ts';
import { sidecarPath } from './inspect.ts';
import { readManifest, summarizeManifest, type ManifestSummary } from './manifest/load.ts';

export interface UnpackOptions {
  /**
   * Extract without a verified signature. Dangerous: nothing then says who built the bundle or
   * that it is the one its publisher released. Signature verification arrives with the Sigstore
   * pipeline; until then this is the only way to extract.
   */
  allowUnsigned?: boolean;
  limits?: Partial<ArchiveLimits>;
  onProgress?: (done: number, total: number) => void;
}

export interface UnpackResult extends ExtractResult {
  manifest: ManifestSummary;
  verified: false;
}

/** Extracts the bundle at `path` into `target` (absent or empty). */
export async function unpackBundle(path: string, target: string, options: UnpackOptions = {}): Promise<UnpackResult> {
  if (options.allowUnsigned !== true) {
    const sidecar = sidecarPath(path);
    const hasSidecar = await access(sidecar).then(
      () => true,
      () => false,
    );
    if (hasSidecar) {
      throw new MCPSealError(
        'SIGNATURE_UNVERIFIABLE',
        `${sidecar} exists, but this version of mcpseal cannot verify Sigstore bundles yet; pass --allow-unsigned to extract without verification`,
        { details: { path: sidecar } },
      );
    }
    throw new MCPSealError('SIGNATURE_ABSENT', `${path} has no signature (${sidecar} not found); pass --allow-unsigned to extract it anyway`, {
      details: { path: sidecar },
    });
  }
  const archive = await Archive.openFile(path, options.limits ? { limits: options.limits } : {});
  try {
    const manifest = summarizeManifest(await readManifest(archive));
    const result = await extractArchive(archive, target, {
      hash: true,
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    });
    return { ...result, manifest, verified: false };
  } finally {
    await archive.close();
  }
}
