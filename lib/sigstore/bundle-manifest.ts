// The manifest step shared by `sign`, `verify` and `unpack` (signed or not): read manifest.json
// once through the archive and remember the sha256 of those bytes, so every later use of the
// manifest (its validation by the pipeline, the attested digest, the file extraction writes) is
// bound to one read (issue 9, finding 12). Validation itself is the pipelines' one call to
// validateManifest, which lives beside this layer (scopes), not below it.

import { createHash } from 'node:crypto';
import type { Archive } from '../archive/reader.ts';
import type { ArchiveEntry } from '../archive/entry.ts';
import { MCPSealError } from '../errors.ts';
import { MANIFEST_NAME, parseManifest, readManifestBytes, summarizeManifest, type ManifestSummary } from '../manifest/load.ts';
import type { ListedEntries } from './listed-entries.ts';

/** manifest.json as read once, with the digest of the exact bytes read. */
export interface BundleManifest {
  document: Record<string, unknown>;
  summary: ManifestSummary;
  /** sha256 (hex) of the manifest.json bytes the document was parsed from. */
  sha256: string;
}

/** Reads and parses manifest.json from the archive (under its limits) and keeps the digest of the bytes read. */
export async function readBundleManifest(archive: Archive): Promise<BundleManifest> {
  const bytes = await readManifestBytes(archive);
  const document = parseManifest(bytes, archive.limits);
  return { document, summary: summarizeManifest(document), sha256: createHash('sha256').update(bytes).digest('hex') };
}

/**
 * Signed bundles: the manifest that was validated must be the one that was signed. mcpseal's
 * predicate lists manifest.json's sha256; GitHub provenance lists no entries (the subject digest
 * binds the file, and extraction binds the manifest it writes, see manifestBinding).
 */
export function checkAttestedManifest(listed: ListedEntries | null, manifest: BundleManifest): void {
  if (!listed) return;
  const attested = listed.digestOf(MANIFEST_NAME);
  if (attested !== manifest.sha256) {
    throw new MCPSealError('ATTESTATION_PREDICATE_MISMATCH', 'the manifest.json that was validated is not the one the attestation lists', {
      details: { entry: MANIFEST_NAME, expected: attested, found: manifest.sha256 },
    });
  }
}

/**
 * manifest.json read a second time (by the extraction, or by sign's hashing pass) must be the
 * bytes that were validated. A file that serves other bytes the second time (a same-length,
 * same-CRC swap, a file system that lies) is ARCHIVE_CHANGED_DURING_READ.
 */
export function checkSameManifest(manifest: BundleManifest, sha256: string | undefined): void {
  if (sha256 !== manifest.sha256) {
    throw new MCPSealError('ARCHIVE_CHANGED_DURING_READ', 'manifest.json changed between its validation and a second read', {
      details: { entry: MANIFEST_NAME, expected: manifest.sha256, found: sha256 },
    });
  }
}

/** For extraction: checkSameManifest on manifest.json's digest as it is written. */
export function manifestBinding(manifest: BundleManifest): (entry: Pick<ArchiveEntry, 'name'>, sha256: string) => void {
  return (entry, sha256) => {
    if (entry.name === MANIFEST_NAME) checkSameManifest(manifest, sha256);
  };
}
