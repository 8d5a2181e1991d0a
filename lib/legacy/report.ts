// The legacy block's status as the pipelines report it beside the Sigstore result. The verifier
// (and node-forge behind it) loads only for files that carry a block.

import type { Archive } from '../archive/reader.ts';
import type { LegacyVerification, LegacyVerifyOptions } from './verify.ts';

/** The trust anchors a caller chose for legacy blocks. */
export type LegacyTrustOptions = Pick<LegacyVerifyOptions, 'anchors' | 'useSystemStore'>;

/** Verifies an appended legacy block, or returns null when the archive has none. */
export async function reportLegacyBlock(archive: Archive, options: LegacyTrustOptions | undefined): Promise<LegacyVerification | null> {
  if (!archive.layout.signatureBlock) return null;
  const { verifyLegacySignature } = await import('./verify.ts');
  return verifyLegacySignature(archive, legacyOptions(options));
}

/** Anchors given: only those; none given: the system store. */
export function legacyOptions(options: LegacyTrustOptions | undefined): LegacyVerifyOptions {
  const anchors = options?.anchors ?? [];
  return anchors.length > 0 ? { anchors, useSystemStore: options?.useSystemStore ?? false } : { useSystemStore: options?.useSystemStore ?? true };
}
