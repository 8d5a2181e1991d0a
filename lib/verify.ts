// The verify-before-extract pipeline for bundles (DESIGN.md, steps 1-7): one open handle, the
// file hashed and its structure checked in one pass, the Sigstore bundle verified against the
// trust material and the identity policy, the statement checked from the verified payload, the
// manifest validated. `unpackBundle` continues from here with step 8 through the same handle.

import { createHash } from 'node:crypto';
import type { ArchiveLimits } from './limits.ts';
import { matchingSubject, provenanceView, type ProvenanceView, type Statement } from './attest/statement.ts';
import { MCPSealError } from './errors.ts';
import type { LegacyVerification } from './legacy/index.ts';
import { reportLegacyBlock, type LegacyTrustOptions } from './legacy/report.ts';
import { readManifest, summarizeManifest, type ManifestSummary } from './manifest/load.ts';
import { assertValidManifest, validateManifest, type Profile, type ValidationResult } from './scopes/validate.ts';
import type { CertificateIdentity, IdentityPolicy } from './sigstore/identity.ts';
import { readSidecar, sidecarPath } from './sigstore/sidecar.ts';
import { publicKeyHint, readPinnedTrustedRoot, trustMaterialFrom } from './sigstore/trust.ts';
import { MAX_SIGSTORE_BUNDLE, parseSigstoreBundle, verifyArtifactBundle, type VerifiedSignature } from './sigstore/verify.ts';
import { Archive } from './archive/reader.ts';

export interface VerifyBundleOptions {
  /** Path of the Sigstore bundle; default `<file>.sigstore.json`. */
  sigstoreBundle?: string;
  /** A trusted root document (parsed JSON); default: the pinned public-good root. */
  trustedRoot?: unknown;
  /** PEM public key of a keyed signer. */
  publicKey?: string;
  /** Who must have signed (required for keyless signatures). */
  policy?: IdentityPolicy;
  /** Require a transparency log entry (default: for certificates yes, for keys no). */
  requireTlog?: boolean;
  /** The manifest must pass this profile (default hardened). */
  profile?: Profile;
  limits?: Partial<ArchiveLimits>;
  onProgress?: (done: number, total: number) => void;
  /** Stops the pass over the file (IO_INTERRUPTED). */
  signal?: AbortSignal;
  /**
   * Trust anchors for an appended MCPB_SIG_V1 block, reported beside the Sigstore result
   * (default: the system store). A legacy signature alone never makes a bundle acceptable.
   */
  legacy?: LegacyTrustOptions;
}

export interface BundleVerification {
  file: string;
  sha256: string;
  sigstoreBundle: string;
  signature: VerifiedSignature;
  /** Signer identity (keyless), for an installer to show. */
  identity: CertificateIdentity | null;
  provenance: ProvenanceView;
  manifest: ManifestSummary;
  validation: ValidationResult;
  /** The legacy MCPB_SIG_V1 block's status, when the file has one (informational). */
  legacy: LegacyVerification | null;
}

/** Verifies the bundle at `path` before anything is extracted. */
export async function verifyBundle(path: string, options: VerifyBundleOptions = {}): Promise<BundleVerification> {
  const archive = await Archive.openFile(path, options.limits ? { limits: options.limits } : {});
  try {
    return await verifyOpenArchive(archive, path, options);
  } finally {
    await archive.close();
  }
}

/** Steps 2-7 on an archive that is already open (step 1): the caller extracts from the same handle. */
export async function verifyOpenArchive(archive: Archive, path: string, options: VerifyBundleOptions): Promise<BundleVerification> {
  const inputs = await readVerificationInputs(archive, path, options);
  // The strict pass first: a structural problem is reported as such, before any signature check.
  const { sha256 } = await archive.scan({
    hash: true,
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const verified = await verifyEnvelope(archive, path, options, inputs, sha256!);
  return verified.complete(sha256!);
}

/**
 * Steps 2-5 and 7 without the pass over the file, for `unpack`: it checks the envelope, the
 * identity, the predicate and the manifest first, then extracts in one pass (every entry matched
 * against its attested digest before it is written) and calls `complete` with the file's digest
 * (step 6, the subject) before anything leaves the private staging directory.
 */
export async function verifyBeforePass(
  archive: Archive,
  path: string,
  options: VerifyBundleOptions,
): Promise<PendingVerification> {
  const inputs = await readVerificationInputs(archive, path, options);
  return verifyEnvelope(archive, path, options, inputs, null);
}

/** Verification done up to the pass over the file (see verifyBeforePass). */
export interface PendingVerification {
  provenance: ProvenanceView;
  /** Step 6 and the entry list, once the pass has the file's digest. */
  complete(sha256: string): BundleVerification;
  /**
   * For an error found in entry data during the pass: throws ATTESTATION_SUBJECT_MISMATCH when
   * the file is not the signed one (what verify reports for it); returns otherwise.
   */
  explainDataError(error: unknown): Promise<void>;
}

// Errors an inflating pass finds in entry data that a non-inflating verification pass reports as
// "this is not the signed file".
const DATA_ERRORS: ReadonlySet<string> = new Set(['ARCHIVE_CRC_MISMATCH', 'ARCHIVE_SIZE_MISMATCH', 'ARCHIVE_CORRUPT_DATA', 'ATTESTATION_PREDICATE_MISMATCH']);

async function explainDataError(error: unknown, archive: Archive, statement: Statement): Promise<void> {
  if (!(error instanceof MCPSealError) || !DATA_ERRORS.has(error.code)) return;
  const hash = createHash('sha256');
  const step = 4 * 1024 * 1024;
  for (let position = 0; position < archive.size; position += step) {
    hash.update(await archive.source.read(position, Math.min(step, archive.size - position)));
  }
  matchingSubject(statement, hash.digest('hex'));
}

interface VerificationInputs {
  sidecar: string;
  bundle: ReturnType<typeof parseSigstoreBundle>;
  trust: ReturnType<typeof trustMaterialFrom>;
}

async function readVerificationInputs(archive: Archive, path: string, options: VerifyBundleOptions): Promise<VerificationInputs> {
  const sidecar = options.sigstoreBundle ?? sidecarPath(path);
  const bundleText = await readSidecar(sidecar, MAX_SIGSTORE_BUNDLE).catch((error: unknown) => {
    if (error instanceof MCPSealError && error.code === 'SIGNATURE_ABSENT' && archive.layout.signatureBlock) {
      // DESIGN: a legacy signature alone does not make a bundle acceptable (it binds no identity policy).
      throw new MCPSealError('SIGNATURE_ABSENT', `${error.message} (the file carries an ${archive.layout.signatureBlock.kind} block, which alone is not accepted)`, {
        details: error.details,
        cause: error,
      });
    }
    throw error;
  });
  // Parse and check the trust inputs before the long pass over the file.
  const bundle = parseSigstoreBundle(bundleText);
  const trust = trustMaterialFrom(options.trustedRoot ?? (await readPinnedTrustedRoot()), options.publicKey);
  return { sidecar, bundle, trust };
}

async function verifyEnvelope(
  archive: Archive,
  path: string,
  options: VerifyBundleOptions,
  inputs: VerificationInputs,
  sha256: string | null,
): Promise<PendingVerification> {
  const signature = verifyArtifactBundle(inputs.bundle, { sha256 }, {
    trust: inputs.trust,
    policy: options.policy ?? {},
    ...(options.publicKey === undefined ? {} : { keyHint: publicKeyHint(options.publicKey) }),
    ...(options.requireTlog === undefined ? {} : { requireTlog: options.requireTlog }),
  });
  const statement = signature.statement;
  if (!statement) {
    throw new MCPSealError('ATTESTATION_MALFORMED', 'the Sigstore bundle signs the file directly; mcpseal expects an in-toto attestation (DSSE)');
  }
  const provenance = provenanceView(statement);
  checkWorkflow(provenance, signature.identity);
  // With the digest known (verify), the entry list is checked now; before the pass (unpack), each
  // entry is matched as it is extracted and the list is completed with the subject, so both
  // report the same code for the same file.
  if (sha256 !== null) checkEntryList(archive, provenance);

  let manifest: Record<string, unknown>;
  try {
    manifest = await readManifest(archive);
  } catch (error) {
    // Before the pass, bad manifest data may just mean this is not the signed file: say so, as
    // verify (which hashes first) would.
    if (sha256 === null) await explainDataError(error, archive, statement);
    throw error;
  }
  const files = archive.fileNames();
  const validation = validateManifest(manifest, { profile: options.profile ?? 'hardened', files });
  assertValidManifest(validation);
  const legacy = await reportLegacyBlock(archive, options.legacy);
  return {
    explainDataError: (error: unknown) => explainDataError(error, archive, statement),
    provenance,
    complete(fileSha256: string): BundleVerification {
      // Step 6: the statement is about this file (a no-op when the digest was checked already).
      matchingSubject(statement, fileSha256);
      if (sha256 === null) checkEntryList(archive, provenance);
      return {
        legacy,
        file: path,
        sha256: fileSha256,
        sigstoreBundle: inputs.sidecar,
        signature,
        identity: signature.identity,
        provenance,
        manifest: summarizeManifest(manifest),
        validation,
      };
    },
  };
}

/** mcpseal's predicate lists exactly the archive's files (their digests are checked as they are extracted). */
function checkEntryList(archive: Archive, provenance: ProvenanceView): void {
  if (!provenance.entries) return;
  const files = archive.fileNames();
  const listed = Object.keys(provenance.entries);
  const missing = [...files].filter((name) => !Object.hasOwn(provenance.entries!, name));
  const extra = listed.filter((name) => !files.has(name));
  if (missing.length > 0 || extra.length > 0) {
    throw new MCPSealError('ATTESTATION_PREDICATE_MISMATCH', 'the attestation lists other entries than the archive holds', {
      details: { expected: listed.length, found: files.size, missing: missing.slice(0, 10), extra: extra.slice(0, 10) },
    });
  }
}

/**
 * A workflow recorded in the predicate must be the one the certificate names. The top-level
 * workflow is the certificate's Build Config URI (.18); with a reusable workflow the Build Signer
 * URI (.9) names the called one instead, so it is only the fallback.
 */
function checkWorkflow(provenance: ProvenanceView, identity: CertificateIdentity | null): void {
  const workflow = provenance.workflow;
  const github = identity?.github;
  const certified = github?.buildConfigUri ?? github?.buildSignerUri ?? null;
  if (workflow && github && certified !== null) {
    const expected = `${workflow.repository}/${workflow.path}@${workflow.ref}`;
    if (certified !== expected || (github.sourceRepositoryUri !== null && github.sourceRepositoryUri !== workflow.repository)) {
      throw new MCPSealError('ATTESTATION_PREDICATE_MISMATCH', 'the workflow recorded in the attestation is not the one the certificate names', {
        details: { expected, found: certified },
      });
    }
  }
}

/** A checker for extraction: every file's digest must be the one the attestation lists. */
export function digestChecker(provenance: ProvenanceView): ((entry: { name: string }, sha256: string) => void) | undefined {
  const entries = provenance.entries;
  if (!entries) return undefined;
  return (entry, sha256) => {
    const expected = Object.hasOwn(entries, entry.name) ? entries[entry.name] : undefined;
    if (expected !== sha256) {
      throw new MCPSealError('ATTESTATION_PREDICATE_MISMATCH', `entry "${entry.name}" does not have the digest the attestation lists`, {
        details: { entry: entry.name, expected, found: sha256 },
      });
    }
  };
}
