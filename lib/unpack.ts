// The `unpack` pipeline: verify first (DESIGN.md steps 1-7), then extract from the same open
// handle into a staging directory that is renamed into place only on success (step 8), checking
// each entry's digest against the attestation as it is written.

import { extractArchive, type ExtractResult } from './archive/extract.ts';
import { Archive } from './archive/reader.ts';
import { MCPSealError } from './errors.ts';
import { readManifest, summarizeManifest, type ManifestSummary } from './manifest/load.ts';
import { assertValidManifest, validateManifest } from './manifest/validate.ts';
import { digestChecker, verifyOpenArchive, type BundleVerification, type VerifyBundleOptions } from './verify.ts';

export interface UnpackOptions extends VerifyBundleOptions {
  /**
   * Extract without a verified signature. Dangerous: nothing then says who built the bundle or
   * that it is the one its publisher released. Only when the bundle has no Sigstore bundle at
   * all; a signature that is present but fails is never overridden by this switch.
   */
  allowUnsigned?: boolean;
}

export interface UnpackResult extends ExtractResult {
  manifest: ManifestSummary;
  /** The verification, or null when extracted unsigned under `allowUnsigned`. */
  verification: BundleVerification | null;
}

/** Verifies, then extracts the bundle at `path` into `target` (absent or empty). */
export async function unpackBundle(path: string, target: string, options: UnpackOptions = {}): Promise<UnpackResult> {
  const archive = await Archive.openFile(path, options.limits ? { limits: options.limits } : {});
  try {
    let verification: BundleVerification | null = null;
    try {
      verification = await verifyOpenArchive(archive, path, options);
    } catch (error) {
      if (!(error instanceof MCPSealError && error.code === 'SIGNATURE_ABSENT' && options.allowUnsigned === true)) {
        if (error instanceof MCPSealError && error.code === 'SIGNATURE_ABSENT') {
          throw new MCPSealError('SIGNATURE_ABSENT', `${error.message}; pass --allow-unsigned to extract it anyway`, { details: error.details, cause: error });
        }
        throw error;
      }
    }
    let manifest: ManifestSummary;
    if (verification) {
      manifest = verification.manifest;
    } else {
      // Unsigned: the manifest is still held to the profile before anything is written.
      const document = await readManifest(archive);
      const files = new Set(archive.entries.filter((entry) => entry.kind === 'file').map((entry) => entry.name));
      const validation = validateManifest(document, { profile: options.profile ?? 'hardened', files });
      assertValidManifest(validation);
      manifest = summarizeManifest(document);
    }
    const checkDigest = verification ? digestChecker(verification.provenance) : undefined;
    const result = await extractArchive(archive, target, {
      hash: true,
      // The bytes extracted must be the bytes verified, checked before the rename.
      ...(verification ? { checkFileDigest: sameFile(verification.sha256) } : {}),
      ...(checkDigest ? { checkDigest } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    return { ...result, manifest, verification };
  } finally {
    await archive.close();
  }
}

function sameFile(expected: string): (sha256: string) => void {
  return (sha256) => {
    // Cannot differ with one handle on an unchanged file; the scan also re-checks the directory.
    if (sha256 !== expected) {
      throw new MCPSealError('ARCHIVE_CHANGED_DURING_READ', 'the file is not the one that was verified', { details: { expected, found: sha256 } });
    }
  };
}
