// Verification of a Sigstore bundle for one artifact: bytes plus trust material in, a verified
// signer out, or one coded error. No I/O. Every error sigstore-js raises (including the
// TypeErrors some malformed bundles provoke) maps to exactly one code here.

import { createHash } from 'node:crypto';
import {
  BUNDLE_V01_MEDIA_TYPE,
  BUNDLE_V02_MEDIA_TYPE,
  BUNDLE_V03_LEGACY_MEDIA_TYPE,
  BUNDLE_V03_MEDIA_TYPE,
  bundleFromJSON,
  type Bundle,
} from '@sigstore/bundle';
import { Verifier, toSignedEntity, type TrustMaterial } from '@sigstore/verify';
import { IN_TOTO_PAYLOAD_TYPE, matchingSubject, parseStatement, type Statement } from '../attest/statement.ts';
import { MCPSealError } from '../errors.ts';
import { certificateIdentity, checkIdentity, completePolicy, type CertificateIdentity, type IdentityPolicy } from './identity.ts';
import { digestSignatureContent } from './digest-content.ts';

const KNOWN_MEDIA_TYPES: ReadonlySet<string> = new Set([BUNDLE_V01_MEDIA_TYPE, BUNDLE_V02_MEDIA_TYPE, BUNDLE_V03_LEGACY_MEDIA_TYPE, BUNDLE_V03_MEDIA_TYPE]);

/** Largest Sigstore bundle accepted: real ones are a few kilobytes; an attestation listing every entry of a big bundle can reach a few megabytes. */
export const MAX_SIGSTORE_BUNDLE = 16 * 1024 * 1024;

export interface ArtifactInput {
  /** The artifact's bytes, when available (message-signature bundles over small artifacts). */
  bytes?: Buffer;
  /**
   * The artifact's sha256, hex. `null` defers the subject check to the caller (DSSE only): the
   * unpack pipeline verifies the envelope first and matches the subject once its single pass
   * over the file has the digest, before anything leaves the staging directory.
   */
  sha256: string | null;
}

export interface VerifyArtifactOptions {
  trust: TrustMaterial;
  policy: IdentityPolicy;
  /** Require at least one transparency log entry (default: yes for certificates, no for keys). */
  requireTlog?: boolean;
  /** The hint of the configured public key, to tell "another key" from "tampered". */
  keyHint?: string;
}

export interface VerifiedSignature {
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
  /** For DSSE bundles: the verified in-toto statement. */
  statement: Statement | null;
}

/** Parses bundle JSON text with a size cap; anything unusable is SIGNATURE_MALFORMED. */
export function parseSigstoreBundle(text: Buffer | string): Bundle {
  const length = typeof text === 'string' ? Buffer.byteLength(text) : text.length;
  if (length > MAX_SIGSTORE_BUNDLE) {
    throw new MCPSealError('SIGNATURE_MALFORMED', `the Sigstore bundle is ${length} bytes (limit ${MAX_SIGSTORE_BUNDLE})`, { details: { found: length } });
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

/** Verifies `bundle` for the artifact, then the identity policy and, for DSSE, the statement's subject. */
export function verifyArtifactBundle(bundle: Bundle, artifact: ArtifactInput, options: VerifyArtifactOptions): VerifiedSignature {
  const keyless = isKeyless(bundle);
  const policy = keyless ? completePolicy(options.policy) : options.policy;
  const dsse = bundle.content.$case === 'dsseEnvelope' ? bundle.content.dsseEnvelope : null;
  if (dsse && dsse.payloadType !== IN_TOTO_PAYLOAD_TYPE) {
    // sigstore-js does not look at payloadType; a payload of another type is not a statement about this file.
    throw new MCPSealError('ATTESTATION_PAYLOAD_TYPE', `the DSSE payload type is "${dsse.payloadType}", not ${IN_TOTO_PAYLOAD_TYPE}`, {
      details: { expected: IN_TOTO_PAYLOAD_TYPE, found: dsse.payloadType },
    });
  }

  const requireTlog = options.requireTlog ?? keyless;
  if (requireTlog && bundle.verificationMaterial.tlogEntries.length === 0) {
    throw new MCPSealError('SIGNATURE_TLOG_REQUIRED', 'the bundle has no transparency log entry and the policy requires one');
  }
  const verifier = new Verifier(options.trust, {
    tlogThreshold: requireTlog ? 1 : 0,
    ctlogThreshold: keyless ? 1 : 0,
    // Keyless certificates live ten minutes: some timestamp must prove the signature fell inside.
    timestampThreshold: keyless ? 1 : 0,
  });

  let entity;
  try {
    if (bundle.content.$case === 'messageSignature' && artifact.bytes === undefined) {
      if (artifact.sha256 === null) throw new MCPSealError('ATTESTATION_MALFORMED', 'a message signature needs the artifact or its digest');
      entity = { ...toSignedEntity(bundle, Buffer.alloc(0)), signature: digestSignatureContent(bundle.content.messageSignature, artifact.sha256) };
    } else {
      entity = toSignedEntity(bundle, artifact.bytes);
    }
  } catch (cause) {
    throw new MCPSealError('SIGNATURE_MALFORMED', `the Sigstore bundle cannot be read: ${(cause as Error).message}`, { cause });
  }

  try {
    verifier.verify(entity);
  } catch (cause) {
    const mapped = mapVerificationError(cause);
    // A keyed bundle that names another key than the one given was not tampered with: it is
    // by someone else (untrusted). The classification comes after the failure, so it never
    // changes what is accepted.
    const hint = bundle.verificationMaterial.content.$case === 'publicKey' ? bundle.verificationMaterial.content.publicKey.hint : null;
    if (mapped.code === 'SIGNATURE_INVALID' && hint && options.keyHint !== undefined && hint !== options.keyHint) {
      throw new MCPSealError('SIGNATURE_UNTRUSTED', `the bundle is signed by key "${hint}", not by the given key "${options.keyHint}"`, {
        details: { expected: options.keyHint, found: hint },
        cause,
      });
    }
    throw mapped;
  }

  let identity: CertificateIdentity | null = null;
  if (keyless) {
    const material = bundle.verificationMaterial.content;
    const der =
      material.$case === 'x509CertificateChain' ? material.x509CertificateChain.certificates[0]?.rawBytes : material.$case === 'certificate' ? material.certificate.rawBytes : undefined;
    if (!der) throw new MCPSealError('SIGNATURE_MALFORMED', 'the bundle has no signing certificate');
    identity = certificateIdentity(Buffer.from(der));
    checkIdentity(identity, policy);
  }

  let statement: Statement | null = null;
  if (dsse) {
    // Only the verified payload bytes are read (DESIGN.md pipeline step 6).
    statement = parseStatement(Buffer.from(dsse.payload));
    if (artifact.sha256 !== null) matchingSubject(statement, artifact.sha256);
  } else if (bundle.content.$case === 'messageSignature') {
    const digest = bundle.content.messageSignature.messageDigest;
    if (digest && artifact.sha256 !== null && Buffer.from(digest.digest).toString('hex') !== artifact.sha256.toLowerCase()) {
      throw new MCPSealError('ATTESTATION_SUBJECT_MISMATCH', 'the signature is over another artifact', {
        details: { expected: artifact.sha256, found: Buffer.from(digest.digest).toString('hex') },
      });
    }
  }

  return {
    kind: keyless ? 'certificate' : 'public-key',
    identity,
    keyHint: bundle.verificationMaterial.content.$case === 'publicKey' ? bundle.verificationMaterial.content.publicKey.hint : null,
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
    statement,
  };
}

/** sha256 of bytes, hex. */
export function sha256Hex(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
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
