// The signing stack (@sigstore/sign), loaded only by `sign` (lib/sign.ts imports this module
// dynamically): keyless through Fulcio, Rekor and a timestamp authority, or keyed offline with a
// local ECDSA P-256 key.

import { createPrivateKey, createPublicKey, sign as signData, type KeyObject } from 'node:crypto';
import { bundleToJSON, type Bundle } from '@sigstore/bundle';
import { DSSEBundleBuilder, FulcioSigner, RekorWitness, TSAWitness, type Signature, type Signer, type Witness } from '@sigstore/sign';
import { MCPSealError } from '../errors.ts';
import { keyHint } from './keys.ts';

export const PUBLIC_GOOD = {
  fulcioURL: 'https://fulcio.sigstore.dev',
  rekorURL: 'https://rekor.sigstore.dev',
  tsaURL: 'https://timestamp.sigstore.dev/api/v1/timestamp',
} as const;

export interface KeylessSigning {
  kind: 'keyless';
  /** Returns the OIDC identity token for Fulcio. */
  identityToken: () => Promise<string>;
  fulcioURL?: string;
  rekorURL?: string;
  /** The timestamp endpoint (full URL of the RFC 3161 API). */
  tsaURL?: string;
}

export interface KeyedSigning {
  kind: 'key';
  /** ECDSA P-256 private key, PKCS#8 PEM. */
  privateKeyPem: string;
  /** Also record the signature in a Rekor log (off by default: keyed signing is offline). */
  rekorURL?: string;
}

export type SigningMethod = KeylessSigning | KeyedSigning;

/** Signs an in-toto statement as a DSSE envelope and returns the Sigstore bundle JSON (v0.3). */
export async function signStatement(payload: Buffer, method: SigningMethod): Promise<Record<string, unknown>> {
  const artifact = { data: payload, type: 'application/vnd.in-toto+json' };
  let bundle: Bundle;
  try {
    if (method.kind === 'keyless') {
      const signer = new FulcioSigner({
        fulcioBaseURL: method.fulcioURL ?? PUBLIC_GOOD.fulcioURL,
        identityProvider: { getToken: method.identityToken },
      });
      const witnesses: Witness[] = [
        new RekorWitness({ rekorBaseURL: method.rekorURL ?? PUBLIC_GOOD.rekorURL, entryType: 'dsse' }),
        new TSAWitness({ tsaBaseURL: method.tsaURL ?? PUBLIC_GOOD.tsaURL }),
      ];
      bundle = await new DSSEBundleBuilder({ signer, witnesses }).create(artifact);
    } else {
      const signer = new KeySigner(method.privateKeyPem);
      const witnesses: Witness[] = method.rekorURL ? [new RekorWitness({ rekorBaseURL: method.rekorURL, entryType: 'dsse' })] : [];
      bundle = await new DSSEBundleBuilder({ signer, witnesses }).create(artifact);
    }
  } catch (cause) {
    if (cause instanceof MCPSealError) throw cause;
    throw new MCPSealError('SIGNATURE_SIGNING_FAILED', `signing failed: ${describe(cause)}`, { cause });
  }
  return bundleToJSON(bundle);
}

function describe(cause: unknown): string {
  if (cause instanceof Error) return cause.cause instanceof Error ? `${cause.message} (${cause.cause.message})` : cause.message;
  return String(cause);
}

/** A `Signer` over a local P-256 key, with the key's fingerprint as the bundle's public key hint. */
export class KeySigner implements Signer {
  readonly #key: KeyObject;
  readonly #publicKeyPem: string;
  readonly hint: string;

  constructor(privateKeyPem: string) {
    try {
      this.#key = createPrivateKey(privateKeyPem);
    } catch (cause) {
      throw new MCPSealError('USAGE_INVALID_ARGUMENT', 'the signing key is not a PEM private key', { cause });
    }
    const details = this.#key.asymmetricKeyDetails;
    if (this.#key.asymmetricKeyType !== 'ec' || details?.namedCurve !== 'prime256v1') {
      throw new MCPSealError('USAGE_INVALID_ARGUMENT', 'the signing key must be an ECDSA P-256 key (mcpseal keygen makes one)');
    }
    const publicKey = createPublicKey(this.#key);
    this.#publicKeyPem = publicKey.export({ format: 'pem', type: 'spki' }).toString();
    this.hint = keyHint(publicKey);
  }

  async sign(data: Buffer): Promise<Signature> {
    return {
      signature: signData('sha256', data, this.#key),
      key: { $case: 'publicKey', publicKey: this.#publicKeyPem, hint: this.hint },
    };
  }
}
