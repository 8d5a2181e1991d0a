// How a bundle is signed: keyless (Fulcio), a local key, or the caller's Signer. Types only, with
// no import of the signing stack, so the public declarations stay free of @sigstore/sign's types.

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

/**
 * The key material a signature is checked with: a public key (with the hint verifiers match it
 * by) or a PEM certificate (then verifiers apply an identity policy to it).
 */
export type SignerKey = { $case: 'publicKey'; publicKey: string; hint?: string } | { $case: 'x509Certificate'; certificate: string };

/**
 * A caller's signer (a KMS, an HSM, a hardware token, a remote signing service): one method, the
 * shape of sigstore-js's `Signer`. It signs the DSSE pre-authentication encoding it is given and
 * names the key material that verifies the signature.
 */
export interface Signer {
  sign(data: Buffer): Promise<{ signature: Buffer; key: SignerKey }>;
}

export interface CustomSigning {
  kind: 'signer';
  signer: Signer;
  /** Record the signature in this Rekor log (needed for certificates: verifiers require a log entry). */
  rekorURL?: string;
  /** Have this RFC 3161 timestamp authority countersign (full URL of its API). */
  tsaURL?: string;
}

export type SigningMethod = KeylessSigning | KeyedSigning | CustomSigning;
