// `verifyArtifact`: Sigstore verification for any artifact (release assets other than bundles,
// and the Sigstore conformance cases), by its bytes or by `sha256:<hex>`.

import { createHash } from 'node:crypto';
import { MCPSealError } from './errors.ts';
import type { IdentityPolicy } from './sigstore/identity.ts';
import { publicKeyHint, readPinnedTrustedRoot, trustMaterialFrom } from './sigstore/trust.ts';
import { parseSigstoreBundle, verifyArtifactBundle, type VerifiedSignature } from './sigstore/verify.ts';

export interface VerifyArtifactOptions {
  /** The artifact's bytes, or its digest as `sha256:<64 hex digits>`. */
  artifact: Uint8Array | string;
  /** The Sigstore bundle: its JSON text (bytes or string) or the parsed document. */
  bundle: Uint8Array | string | object;
  /** A trusted root document (parsed JSON); default: the pinned public-good root. */
  trustedRoot?: unknown;
  /** PEM public key of a keyed signer. */
  publicKey?: string;
  /** Who must have signed; required for certificate (keyless) signatures. */
  policy?: IdentityPolicy;
  /** Require a transparency log entry (default: for certificates yes, for keys no). */
  requireTlog?: boolean;
}

export interface ArtifactVerification extends VerifiedSignature {
  artifactSha256: string;
}

const DIGEST = /^sha256:([0-9a-f]{64})$/iu;

export async function verifyArtifact(options: VerifyArtifactOptions): Promise<ArtifactVerification> {
  let bytes: Buffer | undefined;
  let sha256: string;
  if (typeof options.artifact === 'string') {
    const match = DIGEST.exec(options.artifact);
    if (!match) throw new MCPSealError('USAGE_INVALID_ARGUMENT', 'an artifact given as a string must be sha256:<64 hex digits>');
    sha256 = match[1]!.toLowerCase();
  } else {
    bytes = Buffer.from(options.artifact.buffer, options.artifact.byteOffset, options.artifact.byteLength);
    sha256 = createHash('sha256').update(bytes).digest('hex');
  }
  const bundle =
    typeof options.bundle === 'string' || options.bundle instanceof Uint8Array
      ? parseSigstoreBundle(typeof options.bundle === 'string' ? options.bundle : Buffer.from(options.bundle))
      : parseSigstoreBundle(JSON.stringify(options.bundle));
  const root = options.trustedRoot ?? (await readPinnedTrustedRoot());
  const trust = trustMaterialFrom(root, options.publicKey);
  const verified = verifyArtifactBundle(bundle, bytes === undefined ? { sha256 } : { bytes, sha256 }, {
    trust,
    policy: options.policy ?? {},
    ...(options.publicKey === undefined ? {} : { keyHint: publicKeyHint(options.publicKey) }),
    ...(options.requireTlog === undefined ? {} : { requireTlog: options.requireTlog }),
  });
  return { ...verified, artifactSha256: sha256 };
}
