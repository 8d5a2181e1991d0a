// The `unpack` pipeline, in one pass over the file. Before a byte is written it verifies the
// Sigstore envelope, the identity policy, the statement's provenance and the manifest (DESIGN.md
// steps 2-5 and 7). It then extracts through the same open handle into a private staging
// directory, matching every entry against its attested sha256 (and manifest.json against the
// bytes that were validated) before writing it (step 8), and matches the whole file against the
// statement's subject (step 6) before the staging directory is renamed into place. A second pass
// would only re-read bytes that one pass already checks.

import { extractArchive, type ExtractOptions, type ExtractResult } from './archive/extract.ts';
import { Archive } from './archive/reader.ts';
import type { Statement } from './attest/statement.ts';
import { MCPSealError } from './errors.ts';
import type { LegacyVerification } from './legacy/index.ts';
import { evaluatePolicy, policyRefusal } from './policy/evaluate.ts';
import type { Policy } from './policy/model.ts';
import { choosePolicySigner } from './policy/verify.ts';
import { reportLegacyBlock, type LegacyTrustOptions } from './legacy/report.ts';
import { MANIFEST_NAME, type ManifestSummary } from './manifest/load.ts';
import { assertValidManifest, type Profile, validateBundleManifest, type ValidationResult } from './scopes/validate.ts';
import { checkAttestedManifest, manifestBinding, readBundleManifest, type BundleManifest } from './sigstore/bundle-manifest.ts';
import {
  attestedProvenance,
  checkEntryList,
  checkSubject,
  checkWorkflow,
  entryDigestCheck,
  explainDataError,
  readAttestation,
  readSignatureInputs,
  statementWhenRead,
  verifyBundleSignature,
  type AttestedProvenance,
  type ProvenanceClaims,
  type SignatureInputs,
} from './sigstore/bundle-steps.ts';
import type { CertificateIdentity } from './sigstore/identity.ts';
import type { BundleCheckOptions, BundleVerificationOf } from './sigstore/bundle-verification.ts';

/** What verifyBundle returns (the same type, spelled here: pipelines never import each other). */
export type BundleVerification = BundleVerificationOf<ValidationResult, LegacyVerification>;

export interface UnpackOptions extends BundleCheckOptions<Profile, LegacyTrustOptions> {
  /**
   * Extract without a verified signature. Dangerous: nothing then says who built the bundle or
   * that it is the one its publisher released. Only when the bundle has no Sigstore bundle at
   * all; a signature that is present but fails is never overridden by this switch.
   */
  allowUnsigned?: boolean;
  /**
   * An install policy (loadPolicy): the signers come from its publishers instead of `publicKey`
   * and `policy`, unsigned bundles are accepted only by its `allowUnsigned`, and every rule of it
   * must pass before anything is written.
   */
  installPolicy?: Policy;
}

export interface UnpackResult extends ExtractResult {
  manifest: ManifestSummary;
  /** The verification, or null when extracted unsigned under `allowUnsigned`. */
  verification: BundleVerification | null;
  /** With `installPolicy`: the name of the publisher whose rules verified the signature (null when unsigned). */
  publisher?: string | null;
}

/** Verifies, then extracts the bundle at `path` into `target` (absent or empty). */
export async function unpackBundle(path: string, target: string, options: UnpackOptions = {}): Promise<UnpackResult> {
  const archive = await Archive.openFile(path, options.limits ? { limits: options.limits } : {});
  try {
    return await unpackOpenArchive(archive, path, target, options);
  } finally {
    await archive.close();
  }
}

/** `unpackBundle` on an archive that is already open; `path` names the file (and its sidecar). */
export async function unpackOpenArchive(archive: Archive, path: string, target: string, options: UnpackOptions = {}): Promise<UnpackResult> {
  if (options.installPolicy) return unpackUnderPolicy(archive, path, target, options.installPolicy, options);
  const inputs = await signatureInputsOrNone(archive, path, options);
  return inputs ? unpackSigned(archive, path, target, inputs, options) : unpackUnsigned(archive, target, options);
}

/** The signature inputs, or null for a bundle with no Sigstore bundle at all under `allowUnsigned`. */
async function signatureInputsOrNone(archive: Archive, path: string, options: UnpackOptions): Promise<SignatureInputs | null> {
  try {
    return await readSignatureInputs(archive, path, options);
  } catch (error) {
    if (!(error instanceof MCPSealError && error.code === 'SIGNATURE_ABSENT')) throw error;
    if (options.allowUnsigned === true) return null;
    throw new MCPSealError('SIGNATURE_ABSENT', `${error.message}; pass --allow-unsigned to extract it anyway`, { details: error.details, cause: error });
  }
}

/** Unsigned: the manifest is still held to the profile before anything is written, and what is written is what was validated. */
async function unpackUnsigned(archive: Archive, target: string, options: UnpackOptions, policyPass?: PolicyPass): Promise<UnpackResult> {
  const { manifest } = policyPass?.valid ?? (await validManifest(archive, options));
  const result = await extractArchive(archive, target, {
    hash: true,
    checkDigest: manifestBinding(manifest),
    // Only manifest.json is bound by digest here: nothing attests the other entries.
    digestEntries: new Set([MANIFEST_NAME]),
    ...(policyPass ? { checkFileDigest: policyPass.checkFile } : {}),
    ...passOptions(options),
  });
  return { ...result, manifest: manifest.summary, verification: null };
}

async function unpackSigned(archive: Archive, path: string, target: string, inputs: SignatureInputs, options: UnpackOptions, policyPass?: PolicyPass): Promise<UnpackResult> {
  // Before the pass: the envelope and the identity, the statement and its provenance, the manifest.
  const checked = verifyBundleSignature(inputs);
  const { statement, provenance, listed, claims } = attestation(inputs, archive, checked.identity);
  const { manifest, validation } = await signedManifest(archive, statement, listed, options, policyPass?.valid);
  const legacy = await reportLegacyBlock(archive, options.legacy);

  // During the pass: every file's digest (manifest.json's against the validated bytes too).
  const bindManifest = manifestBinding(manifest);
  const attested = entryDigestCheck(listed);
  let result: ExtractResult;
  try {
    result = await extractArchive(archive, target, {
      hash: true,
      checkDigest: (entry, sha256) => {
        bindManifest(entry, sha256);
        attested(entry, sha256);
      },
      // After the pass, before the rename: this file is the signed one, holding the listed entries.
      checkFileDigest: (sha256) => {
        checkSubject(statement, sha256);
        checkEntryList(archive, listed);
        policyPass?.checkFile(sha256);
      },
      ...passOptions(options),
    });
  } catch (error) {
    // Bad entry data in another file than the signed one is reported as such, as verify does.
    await explainDataError(error, archive, statement);
    throw error;
  }
  const verification: BundleVerification = {
    file: path,
    sha256: result.sha256!,
    sigstoreBundle: inputs.sidecar,
    signature: statementWhenRead(checked, inputs),
    identity: checked.identity,
    provenance,
    claims,
    manifest: manifest.summary,
    validation,
    legacy,
  };
  return { ...result, manifest: manifest.summary, verification };
}

/**
 * Step 6 before the pass: the statement, its provenance and the claims a certificate confirms.
 * What the pass keeps of the statement is its subjects and predicate without the entry list (the
 * file's digest is matched after it), and the list as a digest per archive row (readAttestation).
 */
function attestation(inputs: SignatureInputs, archive: Archive, identity: CertificateIdentity | null): AttestedProvenance & { statement: Statement; claims: ProvenanceClaims } {
  const read = readAttestation(inputs, archive);
  const { provenance, listed } = attestedProvenance(read, archive);
  return { statement: read.statement, provenance, listed, claims: checkWorkflow(provenance, identity) };
}

/** The manifest, validated and bound to the attested digest; bad data may just mean another file than the signed one. */
async function signedManifest(archive: Archive, statement: Statement, listed: AttestedProvenance['listed'], options: UnpackOptions, preread?: ValidManifest): Promise<ValidManifest> {
  try {
    const valid = preread ?? (await validManifest(archive, options));
    checkAttestedManifest(listed, valid.manifest);
    return valid;
  } catch (error) {
    await explainDataError(error, archive, statement);
    throw error;
  }
}

interface ValidManifest {
  manifest: BundleManifest;
  validation: ValidationResult;
}

/** Under an install policy: the manifest the policy was evaluated on (the one then bound and written), and the check of the file's digest. */
interface PolicyPass {
  valid: ValidManifest;
  checkFile: (sha256: string) => void;
}

/** Step 7: manifest.json, read once, held to the profile. */
async function validManifest(archive: Archive, options: UnpackOptions): Promise<ValidManifest> {
  const manifest = await readBundleManifest(archive);
  const validation = validateBundleManifest(manifest.document, archive, options.profile);
  assertValidManifest(validation);
  return { manifest, validation };
}

function passOptions(options: UnpackOptions): Pick<ExtractOptions, 'onProgress' | 'signal'> {
  return { ...(options.onProgress ? { onProgress: options.onProgress } : {}), ...(options.signal ? { signal: options.signal } : {}) };
}

/**
 * Under an install policy, in the same one pass: the manifest is read and validated first (its
 * name picks the publishers to try), the policy's signer rules choose the trust, and every rule
 * but the deny list's digests holds before a byte is written; the file's digest is held to the
 * deny list after the pass, before the rename. The manifest the policy read is the one bound to
 * the attestation and written.
 */
async function unpackUnderPolicy(archive: Archive, path: string, target: string, policy: Policy, options: UnpackOptions): Promise<UnpackResult> {
  const { installPolicy: _policy, publicKey: _key, policy: _identity, allowUnsigned: _unsigned, ...rest } = options;
  const valid = await validManifest(archive, rest);
  const signer = await choosePolicySigner(archive, path, policy, valid.manifest.summary.name ?? '', rest);
  const decide = (sha256: string): void => {
    const refusal = policyRefusal(evaluatePolicy(policy, { manifest: valid.manifest.document, sha256, signer: signer.fact }));
    if (refusal) throw refusal;
  };
  // No deny-list digest is empty (the schema takes 64 hex digits): '' asks every other rule.
  decide('');
  const pass: PolicyPass = { valid, checkFile: decide };
  const result = signer.winner ? await unpackSigned(archive, path, target, signer.winner.inputs, rest, pass) : await unpackUnsigned(archive, target, rest, pass);
  return { ...result, publisher: signer.winner?.publisher.name ?? null };
}
