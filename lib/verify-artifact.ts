// `verifyArtifact`: Sigstore verification for any artifact (release assets other than bundles,
// and the Sigstore conformance cases), by its bytes or by `sha256:<hex>`. The statement of a DSSE
// bundle must name the artifact; unlike a bundle's attestation, its predicate may be of any type.

import { createHash } from 'node:crypto';
import { MCPSealError } from './errors.ts';
import { resolveLimits, type Limits } from './limits.ts';
import type { IdentityPolicy } from './sigstore/identity.ts';
import { readPinnedTrustedRoot } from './sigstore/trust-files.ts';
import { trustMaterialFrom, type TrustRootProvider } from './sigstore/trust.ts';
import { parseSigstoreBundle, trustChoice, verifyArtifactBundle, type VerifiedSignature } from './sigstore/verify.ts';

export interface VerifyArtifactOptions {
  /** The artifact's bytes, or its digest as `sha256:<64 hex digits>`. */
  artifact: Uint8Array | string;
  /** The Sigstore bundle: its JSON text (bytes or string) or the parsed document. */
  bundle: Uint8Array | string | object;
  /** A trusted root document (parsed JSON); default: the pinned public-good root. */
  trustedRoot?: unknown;
  /** Where the trusted root comes from (instead of `trustedRoot`); default: the pinned public-good root. */
  trustRoot?: TrustRootProvider;
  /** PEM public key of a keyed signer: then only this key is trusted, and no certificate. */
  publicKey?: string;
  /** Who must have signed; required for certificate (keyless) signatures. */
  policy?: IdentityPolicy;
  /** Require a transparency log entry (default: for certificates yes, for keys no). */
  requireTlog?: boolean;
  /** Caps on the Sigstore bundle and the trusted root. */
  limits?: Partial<Pick<Limits, 'maxSigstoreBundleSize' | 'maxTrustedRootSize'>>;
}

export interface ArtifactVerification extends VerifiedSignature {
  artifactSha256: string;
}

const DIGEST = /^sha256:([0-9a-f]{64})$/iu;

export async function verifyArtifact(options: VerifyArtifactOptions): Promise<ArtifactVerification> {
  const limits = resolveLimits(options.limits);
  const { bytes, sha256 } = artifactOf(options.artifact);
  const text = typeof options.bundle === 'string' || options.bundle instanceof Uint8Array ? options.bundle : JSON.stringify(options.bundle);
  const bundle = parseSigstoreBundle(typeof text === 'string' ? text : Buffer.from(text), limits.maxSigstoreBundleSize);
  const choice = trustChoice(options);
  if (options.trustRoot !== undefined && options.trustedRoot !== undefined) throw new MCPSealError('USAGE_INVALID_ARGUMENT', 'give trustRoot or trustedRoot, not both');
  const root = options.trustRoot !== undefined ? await options.trustRoot.trustedRoot() : (options.trustedRoot ?? (await readPinnedTrustedRoot(limits.maxTrustedRootSize)));
  const trust = trustMaterialFrom(root, choice.kind === 'key' ? choice.publicKey : undefined);
  const verified = verifyArtifactBundle(bundle, bytes === undefined ? { sha256 } : { bytes, sha256 }, { trust, choice, requireTlog: options.requireTlog });
  return { ...verified, artifactSha256: sha256 };
}

function artifactOf(artifact: Uint8Array | string): { bytes?: Buffer; sha256: string } {
  if (typeof artifact === 'string') {
    const match = DIGEST.exec(artifact);
    if (!match) throw new MCPSealError('USAGE_INVALID_ARGUMENT', 'an artifact given as a string must be sha256:<64 hex digits>');
    return { sha256: match[1]!.toLowerCase() };
  }
  const bytes = Buffer.from(artifact.buffer, artifact.byteOffset, artifact.byteLength);
  return { bytes, sha256: createHash('sha256').update(bytes).digest('hex') };
}
