// The signing stack (@sigstore/sign), loaded only by `sign` (lib/sign.ts imports this module
// dynamically): keyless through Fulcio, Rekor and a timestamp authority, or keyed offline with a
// local ECDSA P-256 key.

import { createPrivateKey, createPublicKey, sign as signData, type KeyObject } from 'node:crypto';
import { bundleToJSON, type Bundle } from '@sigstore/bundle';
import type { Signature, Signer as SigstoreSigner, Witness } from '@sigstore/sign';
import { MCPSealError } from '../errors.ts';
import { keyHint } from './keys.ts';
import type { SigningMethod } from './signing-method.ts';

export const PUBLIC_GOOD = {
  fulcioURL: 'https://fulcio.sigstore.dev',
  rekorURL: 'https://rekor.sigstore.dev',
  tsaURL: 'https://timestamp.sigstore.dev/api/v1/timestamp',
} as const;

// The method types live apart from @sigstore/sign, so the public declarations (dist/sign.d.ts)
// never import it: its own .d.ts files need types it does not depend on (TS7016 for consumers
// with skipLibCheck false, issue 10).
export type { KeylessSigning, KeyedSigning, SignerKey, Signer, CustomSigning, SigningMethod } from './signing-method.ts';

/** Signs an in-toto statement as a DSSE envelope and returns the Sigstore bundle JSON (v0.3). */
export async function signStatement(payload: Buffer, method: SigningMethod): Promise<Record<string, unknown>> {
  const artifact = { data: payload, type: 'application/vnd.in-toto+json' };
  let bundle: Bundle;
  try {
    // Imported here, not at the top: the CLI's bundle (scripts/build-cli.ts) moves a package's
    // static import to the start of its file, and @sigstore/sign loads Node's HTTP stack: every
    // verify paid ~100 ms for it.
    const sigstore = await import('@sigstore/sign');
    const { signer, witnesses } = signingParts(method, sigstore);
    bundle = await new sigstore.DSSEBundleBuilder({ signer, witnesses }).create(artifact);
  } catch (cause) {
    if (cause instanceof MCPSealError) throw cause;
    throw new MCPSealError('SIGNATURE_SIGNING_FAILED', `signing failed: ${describe(cause)}`, { cause });
  }
  return bundleToJSON(bundle);
}

/** The signer and the witnesses (log, timestamp authority) of a signing method. */
function signingParts(method: SigningMethod, sigstore: typeof import('@sigstore/sign')): { signer: SigstoreSigner; witnesses: Witness[] } {
  const { FulcioSigner, RekorWitness, TSAWitness } = sigstore;
  const rekor = (url: string): Witness => new RekorWitness({ rekorBaseURL: url, entryType: 'dsse' });
  switch (method.kind) {
    case 'keyless':
      return {
        signer: new FulcioSigner({ fulcioBaseURL: method.fulcioURL ?? PUBLIC_GOOD.fulcioURL, identityProvider: { getToken: method.identityToken } }),
        witnesses: [rekor(method.rekorURL ?? PUBLIC_GOOD.rekorURL), new TSAWitness({ tsaBaseURL: method.tsaURL ?? PUBLIC_GOOD.tsaURL })],
      };
    case 'key':
      return { signer: new KeySigner(method.privateKeyPem), witnesses: method.rekorURL ? [rekor(method.rekorURL)] : [] };
    case 'signer':
      return {
        signer: method.signer,
        witnesses: [...(method.rekorURL ? [rekor(method.rekorURL)] : []), ...(method.tsaURL ? [new TSAWitness({ tsaBaseURL: method.tsaURL })] : [])],
      };
  }
}

function describe(cause: unknown): string {
  if (cause instanceof Error) return cause.cause instanceof Error ? `${cause.message} (${cause.cause.message})` : cause.message;
  return String(cause);
}

/** A `Signer` over a local P-256 key, with the key's fingerprint as the bundle's public key hint. */
export class KeySigner implements SigstoreSigner {
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
