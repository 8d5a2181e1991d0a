// A bundle verified under an install policy: the signer rules come from the policy, not from
// identity flags. The manifest is read and validated first (its name decides which publishers
// may have signed it: the name in the signed manifest, never the file name), then each publisher
// whose `bundles` match is tried (keyless ones as identity policies, keyed ones as public keys),
// the first that verifies wins. If none does, the other publishers are tried only to tell a
// squatter (a valid signature from a publisher not allowed that name) from a stranger. Then the
// same statement checks as `verify` (subject, workflow, entry list, attested manifest), and every
// rule of the policy is evaluated. Below the pipelines, so verify, unpack, install and audit share it.

import { Archive } from '../archive/reader.ts';
import { MCPSealError } from '../errors.ts';
import type { LegacyVerification } from '../legacy/index.ts';
import { reportLegacyBlock, type LegacyTrustOptions } from '../legacy/report.ts';
import { assertValidManifest, type Profile, validateBundleManifest, type ValidationResult } from '../scopes/validate.ts';
import { checkAttestedManifest, readBundleManifest, type BundleManifest } from '../sigstore/bundle-manifest.ts';
import {
  checkAttestation,
  readSignatureInputs,
  statementWhenRead,
  verifyBundleSignature,
  type SignatureInputs,
} from '../sigstore/bundle-steps.ts';
import type { BundleCheckOptions, BundleVerificationOf } from '../sigstore/bundle-verification.ts';
import { readSidecar, sidecarPath } from '../sigstore/sidecar.ts';
import { readPinnedTrustedRoot } from '../sigstore/trust-files.ts';
import { staticTrustRoot, type TrustRootProvider } from '../sigstore/trust.ts';
import type { SignatureCheck } from '../sigstore/verify.ts';
import { evaluatePolicy } from './evaluate.ts';
import type { Policy, PolicyDecision, PolicyPublisher, PublisherAttempt, SignerFact } from './model.ts';
import { anyGlobMatches } from './patterns.ts';

/** The trust options of verifyBundle without the signer ones (the policy names the signers). */
export type PolicyVerifyOptions = Omit<BundleCheckOptions<Profile, LegacyTrustOptions>, 'publicKey' | 'policy'>;

export type PolicyBundleVerification = BundleVerificationOf<ValidationResult, LegacyVerification>;

export interface PolicyVerification {
  /** The verification, or null when the bundle is unsigned or no publisher verified it. */
  verification: PolicyBundleVerification | null;
  /** The publisher whose rules verified the signature, or null. */
  publisher: PolicyPublisher | null;
  decision: PolicyDecision;
  /** The file's sha256 and its validated manifest (also when unsigned). */
  sha256: string;
  manifest: BundleManifest;
  validation: ValidationResult;
}

/** Verifies the bundle at `path` under `policy` (nothing extracted). */
export async function verifyWithPolicy(path: string, policy: Policy, options: PolicyVerifyOptions = {}): Promise<PolicyVerification> {
  const archive = await Archive.openFile(path, options.limits ? { limits: options.limits } : {});
  try {
    return await verifyOpenArchiveWithPolicy(archive, path, policy, options);
  } finally {
    await archive.close();
  }
}

/** `verifyWithPolicy` on an archive that is already open; `path` names the file (and its sidecar). */
export async function verifyOpenArchiveWithPolicy(archive: Archive, path: string, policy: Policy, options: PolicyVerifyOptions = {}): Promise<PolicyVerification> {
  // The strict pass first: a structural problem is reported as such (as verify does).
  const { sha256 } = await archive.scan({
    hash: true,
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const fileSha256 = sha256!;
  const manifest = await readBundleManifest(archive);
  const validation = validateBundleManifest(manifest.document, archive, options.profile);
  assertValidManifest(validation);
  const name = manifest.summary.name ?? '';
  const chosen = await choosePolicySigner(archive, path, policy, name, options);
  let verification: PolicyBundleVerification | null = null;
  if (chosen.winner) verification = await checkStatement(archive, path, fileSha256, manifest, validation, chosen.winner, options);
  const decision = evaluatePolicy(policy, { manifest: manifest.document, sha256: fileSha256, signer: chosen.fact });
  return { verification, publisher: chosen.winner?.publisher ?? null, decision, sha256: fileSha256, manifest, validation };
}

/** The publisher whose rules verified the signature, with what it was checked with. */
export interface PolicyWinner {
  publisher: PolicyPublisher;
  inputs: SignatureInputs;
  checked: SignatureCheck;
}

/** What the signer rules found: the fact evaluatePolicy reads, and the winner (null when unsigned or refused). */
export interface PolicySigner {
  fact: SignerFact;
  winner: PolicyWinner | null;
}

type Winner = PolicyWinner;

/** Codes that mean "not signed by this publisher" (try the next); any other failure is the signature's own. */
const NOT_THIS_PUBLISHER: ReadonlySet<string> = new Set(['SIGNATURE_UNTRUSTED', 'IDENTITY_MISMATCH', 'SIGNATURE_TLOG_REQUIRED']);

/**
 * The signer rules of `policy` for a bundle named `name` (read from its manifest): each publisher
 * whose `bundles` match is tried, the first that verifies the signature wins. Needs no pass over
 * the file: a pipeline that makes its own pass (unpack, install) calls this first, then checks
 * the statement (subject, entries) during its pass.
 */
export async function choosePolicySigner(archive: Archive, path: string, policy: Policy, name: string, options: PolicyVerifyOptions = {}): Promise<PolicySigner> {
  const sidecar = options.sigstoreBundle ?? sidecarPath(path);
  try {
    await readSidecar(sidecar, archive.limits.maxSigstoreBundleSize);
  } catch (error) {
    if (error instanceof MCPSealError && error.code === 'SIGNATURE_ABSENT') return { fact: { kind: 'unsigned' }, winner: null };
    throw error;
  }
  const trustRoot = onceTrustRoot(options, archive.limits.maxTrustedRootSize);
  const attempts: PublisherAttempt[] = [];
  const candidates = policy.publishers.filter((publisher) => anyGlobMatches(publisher.bundles, name));
  for (const publisher of candidates) {
    const winner = await tryPublisher(archive, path, publisher, trustRoot, options, attempts);
    if (winner) return { fact: { kind: 'verified', publisher: publisher.name, identity: identityText(winner.checked) }, winner };
  }
  // Namespace squatting (risk 9): a publisher of the policy did sign it, but may not ship this name.
  for (const publisher of policy.publishers.filter((other) => !candidates.includes(other))) {
    const squatter = await tryPublisher(archive, path, publisher, trustRoot, options, []);
    if (squatter) return { fact: { kind: 'verified', publisher: publisher.name, identity: identityText(squatter.checked) }, winner: null };
  }
  return { fact: { kind: 'unverified', attempts }, winner: null };
}

/** One publisher's signer rules against the signature: the winner, or null (the reason recorded in `attempts`). */
async function tryPublisher(archive: Archive, path: string, publisher: PolicyPublisher, trustRoot: TrustRootProvider, options: PolicyVerifyOptions, attempts: PublisherAttempt[]): Promise<Winner | null> {
  try {
    const inputs = await readSignatureInputs(archive, path, {
      ...(options.sigstoreBundle === undefined ? {} : { sigstoreBundle: options.sigstoreBundle }),
      ...(options.requireTlog === undefined ? {} : { requireTlog: options.requireTlog }),
      trustRoot,
      ...(publisher.publicKey !== null ? { publicKey: publisher.publicKey } : { policy: publisher.keyless ?? {} }),
    });
    return { publisher, inputs, checked: verifyBundleSignature(inputs) };
  } catch (error) {
    if (!(error instanceof MCPSealError) || !NOT_THIS_PUBLISHER.has(error.code)) throw error;
    attempts.push({ publisher: publisher.name, code: error.code, message: error.message });
    return null;
  }
}

/** The caller's trust root, read once for all the publishers tried. */
function onceTrustRoot(options: PolicyVerifyOptions, max: number): TrustRootProvider {
  const provider = options.trustRoot ?? (options.trustedRoot !== undefined ? staticTrustRoot(options.trustedRoot) : { trustedRoot: () => readPinnedTrustedRoot(max) });
  let root: Promise<unknown> | undefined;
  return { trustedRoot: () => (root ??= provider.trustedRoot()) };
}

function identityText(checked: SignatureCheck): string | null {
  return checked.identity?.subject ?? (checked.keyHint ? `key ${checked.keyHint}` : null);
}

/** Step 6 and the manifest binding, as verify does them, for the winning publisher. */
async function checkStatement(
  archive: Archive,
  path: string,
  sha256: string,
  manifest: BundleManifest,
  validation: ValidationResult,
  winner: Winner,
  options: PolicyVerifyOptions,
): Promise<PolicyBundleVerification> {
  const { provenance, listed, claims } = checkAttestation(winner.inputs, winner.checked.identity, archive, sha256);
  checkAttestedManifest(listed, manifest);
  const legacy = await reportLegacyBlock(archive, options.legacy);
  return {
    file: path,
    sha256,
    sigstoreBundle: winner.inputs.sidecar,
    signature: statementWhenRead(winner.checked, winner.inputs),
    identity: winner.checked.identity,
    provenance,
    claims,
    manifest: manifest.summary,
    validation,
    legacy,
  };
}
