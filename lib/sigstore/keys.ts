// Key naming shared by signing and keygen (kept apart from the signing stack, which loads lazily).

import { createHash, type KeyObject } from 'node:crypto';

/** The hint naming a public key in a bundle: base64 of the sha256 of its DER SubjectPublicKeyInfo. */
export function keyHint(publicKey: KeyObject): string {
  return createHash('sha256').update(publicKey.export({ format: 'der', type: 'spki' })).digest('base64');
}
