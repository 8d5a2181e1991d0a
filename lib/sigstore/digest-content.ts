// Verifying a message-signature bundle from the artifact's sha256 alone (`verify-blob
// sha256:<hex>`): the signature is over the artifact, so checking it from a digest needs a
// prehashed ECDSA/RSA verification, which node:crypto does not offer. @noble/curves does ECDSA;
// RSA PKCS#1 v1.5 is checked by recovering the DigestInfo with the public key.

import { constants, publicDecrypt, timingSafeEqual, type KeyObject } from 'node:crypto';
import { createRequire } from 'node:module';
import type * as NistCurves from '@noble/curves/nist.js';
import type { MessageSignature } from '@sigstore/bundle';
import { MCPSealError } from '../errors.ts';

// DER prefix of a SHA-256 DigestInfo (RFC 8017 §9.2, note 1).
const SHA256_DIGEST_INFO = Buffer.from('3031300d060960864801650304020105000420', 'hex');

export interface DigestSignatureContent {
  signature: Buffer;
  compareSignature(signature: Buffer): boolean;
  compareDigest(digest: Buffer): boolean;
  compareSignedDigest(digest: Buffer): boolean;
  verifySignature(key: KeyObject): boolean;
}

/** A SignatureContent for sigstore-js's Verifier that knows only the artifact's sha256. */
export function digestSignatureContent(messageSignature: MessageSignature, sha256Hex: string): DigestSignatureContent {
  const digest = Buffer.from(sha256Hex, 'hex');
  if (digest.length !== 32) throw new MCPSealError('USAGE_INVALID_ARGUMENT', 'a sha256 digest is 64 hex digits');
  const signature = Buffer.from(messageSignature.signature);
  const declared = messageSignature.messageDigest ? Buffer.from(messageSignature.messageDigest.digest) : null;
  return {
    signature,
    compareSignature: (other) => other.length === signature.length && timingSafeEqual(other, signature),
    // The bundle's own digest must be the artifact's; the log entry is compared against it too.
    compareDigest: (other) => declared !== null && other.length === declared.length && timingSafeEqual(other, declared) && declared.equals(digest),
    compareSignedDigest: (other) => other.length === digest.length && timingSafeEqual(other, digest),
    verifySignature: (key) => verifyPrehashed(key, digest, signature),
  };
}

let curves: typeof NistCurves | undefined;

/** @noble/curves (about 20 modules) loads at the first prehashed check: verifying a .mcpb never needs it. */
function nistCurves(): typeof NistCurves {
  curves ??= createRequire(import.meta.url)('@noble/curves/nist.js') as typeof NistCurves;
  return curves;
}

function verifyPrehashed(key: KeyObject, digest: Buffer, signature: Buffer): boolean {
  if (key.asymmetricKeyType === 'ec') {
    const jwk = key.export({ format: 'jwk' });
    const { p256, p384, p521 } = nistCurves();
    const curve = jwk.crv === 'P-256' ? p256 : jwk.crv === 'P-384' ? p384 : jwk.crv === 'P-521' ? p521 : null;
    if (!curve || !jwk.x || !jwk.y) return false;
    const point = Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x, 'base64url'), Buffer.from(jwk.y, 'base64url')]);
    try {
      return curve.verify(signature, digest, point, { prehash: false, lowS: false, format: 'der' });
    } catch {
      return false;
    }
  }
  if (key.asymmetricKeyType === 'rsa') {
    try {
      const recovered = publicDecrypt({ key, padding: constants.RSA_PKCS1_PADDING }, signature);
      return recovered.equals(Buffer.concat([SHA256_DIGEST_INFO, digest]));
    } catch {
      return false;
    }
  }
  return false;
}
