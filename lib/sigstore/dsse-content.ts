// The signed content of a DSSE envelope for sigstore-js's Verifier, without the concatenation.
// A DSSE signature is over the pre-authentication encoding (DSSE spec, "Protocol"):
//   PAE(type, body) = "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body
// sigstore-js builds that as one buffer (a copy of the payload: 5.7 MB for the 40,000 entries of a
// scale-2 attestation) each time it is asked for it. Here the short header and the payload are fed
// to the hash or the verifier in turn: the same bytes are checked, none is copied.

import { createHash, createVerify, timingSafeEqual, verify, type Hash, type KeyObject, type Verify } from 'node:crypto';
import type { Envelope } from '@sigstore/bundle';

export interface DSSESignatureContent {
  signature: Buffer;
  compareSignature(signature: Buffer): boolean;
  compareDigest(digest: Buffer): boolean;
  compareSignedDigest(digest: Buffer): boolean;
  verifySignature(key: KeyObject): boolean;
}

/** The PAE's bytes before the payload: "DSSEv1 <len(type)> <type> <len(body)> ". */
function paeHeader(envelope: Envelope): Buffer {
  const type = Buffer.from(envelope.payloadType, 'utf8');
  return Buffer.concat([Buffer.from(`DSSEv1 ${type.length} `, 'ascii'), type, Buffer.from(` ${envelope.payload.length} `, 'ascii')]);
}

function fed<T extends Hash | Verify>(sink: T, envelope: Envelope): T {
  sink.update(paeHeader(envelope));
  sink.update(envelope.payload);
  return sink;
}

function equal(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * A SignatureContent for the envelope's first signature (what sigstore-js checks). The signature
 * check keeps sigstore-js's semantics: `crypto.verify` with no algorithm uses the key's default
 * digest, SHA-256 for EC and RSA keys, which is what the streamed `createVerify('sha256')` uses;
 * any other key type (Ed25519 signs the whole message, no streaming) gets the one-shot call.
 */
export function dsseSignatureContent(envelope: Envelope): DSSESignatureContent {
  const signature = envelope.signatures.length > 0 ? Buffer.from(envelope.signatures[0]!.sig) : Buffer.alloc(0);
  return {
    signature,
    compareSignature: (other) => equal(other, signature),
    compareDigest: (digest) => equal(digest, createHash('sha256').update(envelope.payload).digest()),
    compareSignedDigest: (digest) => equal(digest, fed(createHash('sha256'), envelope).digest()),
    verifySignature: (key) => {
      try {
        if (key.asymmetricKeyType === 'ec' || key.asymmetricKeyType === 'rsa') return fed(createVerify('sha256'), envelope).verify(key, signature);
        return verify(null, Buffer.concat([paeHeader(envelope), envelope.payload]), key, signature);
      } catch {
        return false;
      }
    },
  };
}
