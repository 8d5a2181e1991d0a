// The options and the result of verifying a bundle, shared by the `verify` and `unpack` pipelines
// (which never import each other). The manifest validation and the legacy block report come
// from units beside this one (scopes, legacy), so their types are parameters the pipelines fill in.

import type { ProvenanceView } from '../attest/statement.ts';
import type { Limits } from '../limits.ts';
import type { ManifestSummary } from '../manifest/load.ts';
import type { BundleTrustOptions, ProvenanceClaims } from './bundle-steps.ts';
import type { CertificateIdentity } from './identity.ts';
import type { VerifiedSignature } from './verify.ts';

export interface BundleCheckOptions<Profile, LegacyTrust> extends BundleTrustOptions {
  /** The manifest must pass this profile (default hardened). */
  profile?: Profile;
  /** Caps on the archive, the manifest, the Sigstore bundle and the trusted root. */
  limits?: Partial<Limits>;
  onProgress?: (done: number, total: number) => void;
  /** Stops the pass over the file (IO_INTERRUPTED). */
  signal?: AbortSignal;
  /**
   * Trust anchors for an appended MCPB_SIG_V1 block, reported beside the Sigstore result
   * (default: the system store). A legacy signature alone never makes a bundle acceptable.
   */
  legacy?: LegacyTrust;
}

export interface BundleVerificationOf<Validation, Legacy> {
  file: string;
  sha256: string;
  sigstoreBundle: string;
  signature: VerifiedSignature;
  /** Signer identity (keyless), for an installer to show. */
  identity: CertificateIdentity | null;
  /** The predicate as recorded (the signer's word; `claims` says what a certificate confirms). */
  provenance: ProvenanceView;
  /** The predicate's workflow and source, each `{ claimed, verified, basis }`: verified only when the certificate carries it. */
  claims: ProvenanceClaims;
  manifest: ManifestSummary;
  validation: Validation;
  /** The legacy MCPB_SIG_V1 block's status, when the file has one (informational). */
  legacy: Legacy | null;
}
