// Verification of a Sigstore bundle: bytes plus trust material in, a verified signer out, or one
// coded error. No I/O. Every error sigstore-js raises (including the TypeErrors some malformed
// bundles provoke) maps to exactly one code here. The pieces are small named steps;
// `verifySignature` composes them for any bundle, `verifyArtifactBundle` adds what a bundle says
// about an artifact (verify-blob); the bundle pipelines compose their own order from
// sigstore/bundle-steps.ts.

import {
  BUNDLE_V01_MEDIA_TYPE,
  BUNDLE_V02_MEDIA_TYPE,
  BUNDLE_V03_LEGACY_MEDIA_TYPE,
  BUNDLE_V03_MEDIA_TYPE,
  bundleFromJSON,
  type Bundle,
} from '@sigstore/bundle';
import { Verifier, toSignedEntity, type SignedEntity, type TrustMaterial } from '@sigstore/verify';
import { IN_TOTO_PAYLOAD_TYPE, matchingSubject, parseStatement, type Statement } from '../attest/statement.ts';
import { MCPSealError } from '../errors.ts';
import { defaultLimits } from '../limits.ts';
import { certificateIdentity, checkIdentity, completePolicy, type CertificateIdentity, type IdentityPolicy } from './identity.ts';
import { digestSignatureContent } from './digest-content.ts';
import { dsseSignatureContent } from './dsse-content.ts';
import { publicKeyHint } from './trust.ts';

const KNOWN_MEDIA_TYPES: ReadonlySet<string> = new Set([BUNDLE_V01_MEDIA_TYPE, BUNDLE_V02_MEDIA_TYPE, BUNDLE_V03_LEGACY_MEDIA_TYPE, BUNDLE_V03_MEDIA_TYPE]);

export interface ArtifactInput {
  /** The artifact's bytes, when available (message-signature bundles over small artifacts). */
  bytes?: Buffer;
  /** The artifact's sha256, hex (message signatures without the bytes; the subject of a statement). */
  sha256?: string;
}

/**
 * What the caller trusts: one public key, or certificates under an identity policy. The caller's
 * options choose it, never the bundle being verified (a certificate-signed sidecar cannot turn a
 * `--key` verification into a keyless one, nor the reverse).
 */
export type TrustChoice = { kind: 'key'; publicKey: string } | { kind: 'keyless'; policy: IdentityPolicy };

/** The trust choice of a verification's options; a keyless one needs a policy that names a signer. */
export function trustChoice(options: { publicKey?: string | undefined; policy?: IdentityPolicy | undefined }): TrustChoice {
  if (options.publicKey !== undefined) return { kind: 'key', publicKey: options.publicKey };
  return { kind: 'keyless', policy: completePolicy(options.policy ?? {}) };
}

export interface SignatureOptions {
  trust: TrustMaterial;
  choice: TrustChoice;
  /** Require at least one transparency log entry (default: yes for certificates, no for keys). */
  requireTlog?: boolean | undefined;
}

/** A verified signature, before anything is read from what it signs. */
export interface SignatureCheck {
  kind: 'certificate' | 'public-key';
  identity: CertificateIdentity | null;
  /** The public key hint of a keyed bundle. */
  keyHint: string | null;
  mediaType: string;
  /**
   * Log entries. `integratedTime` is reported only when the entry's signed inclusion promise
   * covers it; `promised` says whether it did (otherwise index and time are unsigned fields).
   */
  tlog: { logIndex: string | null; integratedTime: string | null; logId: string; promised: boolean }[];
  /** RFC 3161 and log integration times, ISO 8601. */
  timestamps: string[];
}

export interface VerifiedSignature extends SignatureCheck {
  /** For DSSE bundles: the verified in-toto statement. */
  statement: Statement | null;
}

/** Parses bundle JSON text of at most `max` bytes; anything unusable is SIGNATURE_MALFORMED. */
export function parseSigstoreBundle(text: Buffer | string, max: number = defaultLimits.maxSigstoreBundleSize): Bundle {
  const length = typeof text === 'string' ? Buffer.byteLength(text) : text.length;
  if (length > max) {
    throw new MCPSealError('SIGNATURE_MALFORMED', `the Sigstore bundle is ${length} bytes (limit ${max})`, { details: { expected: max, found: length } });
  }
  let json: unknown;
  try {
    json = JSON.parse(typeof text === 'string' ? text : text.toString('utf8'));
  } catch (cause) {
    throw new MCPSealError('SIGNATURE_MALFORMED', 'the Sigstore bundle is not JSON', { cause });
  }
  // @sigstore/bundle's media type pattern accepts any version (and is not anchored at the
  // end); only the versions whose rules we know are verified.
  const mediaType = (json as { mediaType?: unknown } | null)?.mediaType;
  if (typeof mediaType !== 'string' || !KNOWN_MEDIA_TYPES.has(mediaType)) {
    throw new MCPSealError('SIGNATURE_MALFORMED', `unknown Sigstore bundle media type ${JSON.stringify(mediaType)}`, { details: { found: mediaType } });
  }
  try {
    return bundleFromJSON(json);
  } catch (cause) {
    throw new MCPSealError('SIGNATURE_MALFORMED', `the Sigstore bundle is malformed: ${(cause as Error).message}`, { cause });
  }
}

/** Whether the bundle is signed by a certificate (keyless) rather than a bare key. */
export function isKeyless(bundle: Bundle): boolean {
  return bundle.verificationMaterial.content.$case !== 'publicKey';
}

/**
 * Verifies the signature of `bundle` against the trust material and, for certificates, applies
 * the identity policy. Reads nothing of what the bundle signs beyond what sigstore-js needs.
 */
export function verifySignature(bundle: Bundle, artifact: ArtifactInput, options: SignatureOptions): SignatureCheck {
  checkSignerKind(bundle, options.choice);
  checkPayloadType(bundle);
  const keyless = options.choice.kind === 'keyless';
  const requireTlog = options.requireTlog ?? keyless;
  if (requireTlog && bundle.verificationMaterial.tlogEntries.length === 0) {
    throw new MCPSealError('SIGNATURE_TLOG_REQUIRED', 'the bundle has no transparency log entry and the policy requires one');
  }
  const entity = signedEntity(bundle, artifact);
  runVerifier(bundle, entity, options.trust, { keyless, requireTlog, choice: options.choice });
  const identity = options.choice.kind === 'keyless' ? signerIdentity(bundle, options.choice.policy) : null;
  return signatureReport(bundle, entity, identity);
}

/**
 * `verify-blob`: the signature, then what the bundle says about the artifact: for DSSE the
 * statement (parsed from the verified payload only) must have the artifact's sha256 as a subject;
 * a message signature's own digest must be the artifact's.
 */
export function verifyArtifactBundle(bundle: Bundle, artifact: ArtifactInput & { sha256: string }, options: SignatureOptions): VerifiedSignature {
  const check = verifySignature(bundle, artifact, options);
  if (bundle.content.$case === 'dsseEnvelope') {
    const statement = parseStatement(bundle.content.dsseEnvelope.payload);
    matchingSubject(statement, artifact.sha256);
    return { ...check, statement };
  }
  const digest = bundle.content.messageSignature.messageDigest;
  if (digest && Buffer.from(digest.digest).toString('hex') !== artifact.sha256.toLowerCase()) {
    throw new MCPSealError('ATTESTATION_SUBJECT_MISMATCH', 'the signature is over another artifact', {
      details: { expected: artifact.sha256, found: Buffer.from(digest.digest).toString('hex') },
    });
  }
  return { ...check, statement: null };
}

/** The signer's kind must be the one the caller trusts (finding 16: the sidecar never picks the branch). */
function checkSignerKind(bundle: Bundle, choice: TrustChoice): void {
  if (choice.kind === 'key' && isKeyless(bundle)) {
    throw new MCPSealError('SIGNATURE_UNTRUSTED', 'the bundle is signed by a certificate, but the given public key is the only signer trusted', {
      details: { expected: 'public-key', found: 'certificate' },
    });
  }
  if (choice.kind === 'keyless' && !isKeyless(bundle)) {
    const hint = bundle.verificationMaterial.content.$case === 'publicKey' ? bundle.verificationMaterial.content.publicKey.hint : '';
    throw new MCPSealError('SIGNATURE_UNTRUSTED', `the bundle is signed by a key ("${hint}") and no public key was given`, {
      details: { expected: 'certificate', found: 'public-key' },
    });
  }
}

/** sigstore-js does not look at payloadType; a payload of another type is not a statement about this file. */
function checkPayloadType(bundle: Bundle): void {
  if (bundle.content.$case !== 'dsseEnvelope') return;
  const { payloadType } = bundle.content.dsseEnvelope;
  if (payloadType !== IN_TOTO_PAYLOAD_TYPE) {
    throw new MCPSealError('ATTESTATION_PAYLOAD_TYPE', `the DSSE payload type is "${payloadType}", not ${IN_TOTO_PAYLOAD_TYPE}`, {
      details: { expected: IN_TOTO_PAYLOAD_TYPE, found: payloadType },
    });
  }
}

/** What sigstore-js verifies: for a message signature known only by its digest, a prehashed check. */
function signedEntity(bundle: Bundle, artifact: ArtifactInput): SignedEntity {
  try {
    if (bundle.content.$case === 'messageSignature' && artifact.bytes === undefined) {
      if (artifact.sha256 === undefined) throw new MCPSealError('ATTESTATION_MALFORMED', 'a message signature needs the artifact or its digest');
      return { ...toSignedEntity(bundle, Buffer.alloc(0)), signature: digestSignatureContent(bundle.content.messageSignature, artifact.sha256) };
    }
    const entity = toSignedEntity(bundle, artifact.bytes);
    // The envelope's PAE fed in parts: sigstore-js would concatenate a copy of the payload for each check.
    if (bundle.content.$case === 'dsseEnvelope') return { ...entity, signature: dsseSignatureContent(bundle.content.dsseEnvelope) };
    return entity;
  } catch (cause) {
    if (cause instanceof MCPSealError) throw cause;
    throw new MCPSealError('SIGNATURE_MALFORMED', `the Sigstore bundle cannot be read: ${(cause as Error).message}`, { cause });
  }
}

/** The one call into sigstore-js's Verifier, and the mapping of whatever it throws to one code. */
function runVerifier(bundle: Bundle, entity: SignedEntity, trust: TrustMaterial, how: { keyless: boolean; requireTlog: boolean; choice: TrustChoice }): void {
  const verifier = new Verifier(trust, {
    tlogThreshold: how.requireTlog ? 1 : 0,
    ctlogThreshold: how.keyless ? 1 : 0,
    // Keyless certificates live ten minutes: some timestamp must prove the signature fell inside.
    timestampThreshold: how.keyless ? 1 : 0,
  });
  try {
    verifier.verify(entity);
  } catch (cause) {
    const mapped = mapVerificationError(cause);
    // A keyed bundle that names another key than the one given was not tampered with: it is
    // by someone else (untrusted). The classification comes after the failure, so it never
    // changes what is accepted.
    const hint = bundle.verificationMaterial.content.$case === 'publicKey' ? bundle.verificationMaterial.content.publicKey.hint : null;
    const expected = how.choice.kind === 'key' ? publicKeyHint(how.choice.publicKey) : undefined;
    if (mapped.code === 'SIGNATURE_INVALID' && hint && expected !== undefined && hint !== expected) {
      throw new MCPSealError('SIGNATURE_UNTRUSTED', `the bundle is signed by key "${hint}", not by the given key "${expected}"`, {
        details: { expected, found: hint },
        cause,
      });
    }
    throw mapped;
  }
}

/** The verified certificate's identity, held to the policy. */
function signerIdentity(bundle: Bundle, policy: IdentityPolicy): CertificateIdentity {
  const material = bundle.verificationMaterial.content;
  const der =
    material.$case === 'x509CertificateChain' ? material.x509CertificateChain.certificates[0]?.rawBytes : material.$case === 'certificate' ? material.certificate.rawBytes : undefined;
  if (!der) throw new MCPSealError('SIGNATURE_MALFORMED', 'the bundle has no signing certificate');
  const identity = certificateIdentity(Buffer.from(der));
  checkIdentity(identity, policy);
  return identity;
}

/** What a verification reports: only values the verification covered. */
function signatureReport(bundle: Bundle, entity: SignedEntity, identity: CertificateIdentity | null): SignatureCheck {
  const material = bundle.verificationMaterial.content;
  return {
    kind: isKeyless(bundle) ? 'certificate' : 'public-key',
    identity,
    keyHint: material.$case === 'publicKey' ? material.publicKey.hint : null,
    mediaType: bundle.mediaType,
    tlog: bundle.verificationMaterial.tlogEntries.map((entry) => ({
      // The top-level index is covered by the signed promise; without one, only the inclusion
      // proof's own (per-shard) index is verified.
      logIndex: entry.inclusionPromise !== undefined ? entry.logIndex : (entry.inclusionProof?.logIndex ?? null),
      promised: entry.inclusionPromise !== undefined,
      integratedTime:
        entry.inclusionPromise !== undefined && entry.integratedTime && entry.integratedTime !== '0' ? new Date(Number(entry.integratedTime) * 1000).toISOString() : null,
      logId: entry.logId ? Buffer.from(entry.logId.keyId).toString('base64') : '',
    })),
    // Only the timestamps the verifier counted: an RFC 3161 token, or a log time under a signed promise.
    timestamps: entity.timestamps
      .filter((timestamp) => timestamp.$case === 'timestamp-authority' || timestamp.tlogEntry.inclusionPromise !== undefined)
      .map((timestamp) =>
        timestamp.$case === 'timestamp-authority' ? timestamp.timestamp.signingTime.toISOString() : new Date(Number(timestamp.tlogEntry.integratedTime) * 1000).toISOString(),
      ),
  };
}

/**
 * sigstore-js codes to ours: certificate-chain and key problems mean the signer is not trusted by
 * this root (or key); everything else means the signature material does not check out.
 */
function mapVerificationError(cause: unknown): MCPSealError {
  if (cause instanceof MCPSealError) return cause;
  const code = (cause as { code?: unknown } | null)?.code;
  const message = cause instanceof Error ? cause.message : String(cause);
  if (code === 'CERTIFICATE_ERROR' || code === 'PUBLIC_KEY_ERROR' || code === 'UNTRUSTED_SIGNER_ERROR') {
    return new MCPSealError('SIGNATURE_UNTRUSTED', `the signer is not trusted: ${message}`, { cause });
  }
  return new MCPSealError('SIGNATURE_INVALID', `the signature does not verify: ${message}`, { cause });
}
