// The `unpack` pipeline, in one pass over the file. Before a byte is written it verifies the
// Sigstore envelope, the identity policy, the attested entry list and the manifest (DESIGN.md
// steps 2-5 and 7). It then extracts through the same open handle into a private staging
// directory, matching every entry against its attested sha256 before writing it (step 8), and
// matches the whole file against the statement's subject (step 6) before the staging directory
// is renamed into place. A second pass would only re-read bytes that one pass already checks.

import { extractArchive, type ExtractResult } from './archive/extract.ts';
import { Archive } from './archive/reader.ts';
import { MCPSealError } from './errors.ts';
import { readManifest, summarizeManifest, type ManifestSummary } from './manifest/load.ts';
import { assertValidManifest, validateManifest } from './scopes/validate.ts';
import { digestChecker, verifyBeforePass, type BundleVerification, type VerifyBundleOptions } from './verify.ts';

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
    let pending: Awaited<ReturnType<typeof verifyBeforePass>> | null = null;
    try {
      pending = await verifyBeforePass(archive, path, options);
    } catch (error) {
      if (!(error instanceof MCPSealError && error.code === 'SIGNATURE_ABSENT')) throw error;
      if (options.allowUnsigned !== true) {
        throw new MCPSealError('SIGNATURE_ABSENT', `${error.message}; pass --allow-unsigned to extract it anyway`, { details: error.details, cause: error });
      }
    }
    let manifest: ManifestSummary | null = null;
    if (!pending) {
      // Unsigned: the manifest is still held to the profile before anything is written.
      const document = await readManifest(archive);
      const files = archive.fileNames();
      assertValidManifest(validateManifest(document, { profile: options.profile ?? 'hardened', files }));
      manifest = summarizeManifest(document);
    }
    const checkDigest = pending ? digestChecker(pending.provenance) : undefined;
    let verification: BundleVerification | null = null;
    let result: ExtractResult;
    try {
      result = await extractArchive(archive, target, {
        hash: true,
        ...(pending
          ? {
              checkFileDigest: (sha256: string) => {
                verification = pending.complete(sha256);
              },
            }
          : {}),
        ...(checkDigest ? { checkDigest } : {}),
        ...(options.onProgress ? { onProgress: options.onProgress } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      });
    } catch (error) {
      // Bad entry data in another file than the signed one is reported as such, as verify does,
      // so both give the same code for the same file.
      if (pending) await pending.explainDataError(error);
      throw error;
    }
    return { ...result, manifest: verification ? (verification as BundleVerification).manifest : manifest!, verification };
  } finally {
    await archive.close();
  }
}
