// Verifying a legacy MCPB_SIG_V1 / DXT_SIG_V1 block (RFC 5652 SignedData, detached). Unlike
// `mcpb verify`, which reports every bundle "unsigned" (node-forge's PKCS#7 verify() is unimplemented upstream),
// takes the first certificate as the signer and cannot tell tampered from untrusted, this checks,
// in order: the block's size and the SignedData's strict shape (no byte outside what RFC 5652
// lists, no unsigned attributes); the signer's certificate by issuer and serial number
// (RFC 5652 §5.3); the message-digest attribute against the bytes before the block (§11.2); the
// signature over the DER of the signed attributes (§5.4); then the certificate path to the
// caller's anchors at the signing time, which must use every certificate in the block. The digest
// does not cover the block, and in `mcpb sign`'s layout not even its length: hence the strictness
// (README, "Which bytes a legacy signature binds"). Each failure has one code and one status.

import { X509Certificate, constants, createHash, verify as verifySignature, type Hash } from 'node:crypto';
import tls from 'node:tls';
import type { ArchiveLimits } from '../limits.ts';
import { Archive } from '../archive/reader.ts';
import type { SignatureBlockKind } from '../archive/signature-block.ts';
import { MCPSealError, type LegacyErrorCode } from '../errors.ts';
import { buildChain, isChainFailure, type ChainResult } from './chain.ts';
import { certificateInfo, certificatesFromPem, isSelfSigned, verifiesWith, x509Info, type Certificate, type LegacyCertificateInfo } from './certificate.ts';
import { parseSignedData, type DigestName, type SignedData, type SignerInfo } from './cms.ts';
import { isNull, malformed } from './der.ts';
import { MAX_LEGACY_BLOCK_SIZE, holdsZipRecordSignature, readLegacyBlock, type LegacyBlock, type LegacyLayout } from './read.ts';

/**
 * - `absent`: no legacy block.
 * - `invalid`: the block is malformed or carries bytes no signature binds, or the bundle, the
 *   signed attributes or a certificate were changed after signing (or use an algorithm mcpseal
 *   refuses).
 * - `untrusted`: the signature is intact but its certificate does not chain to a trust anchor,
 *   or the chain breaks a rule (expiry at the signing time, codeSigning usage, CA constraints).
 * - `valid`: intact and chained to an anchor.
 * Self-signed is not a status of its own: it is a property of the signer (`selfSigned`) that is
 * orthogonal to trust. A self-signed certificate is `untrusted` (LEGACY_SELF_SIGNED) unless the
 * caller pins it as an anchor, and then it is `valid` with `selfSigned: true`.
 */
export type LegacyStatus = 'absent' | 'invalid' | 'untrusted' | 'valid';

export interface LegacyVerifyOptions {
  /** Trust anchors, PEM (each text may hold several certificates). */
  anchors?: readonly string[];
  /**
   * Also trust the operating system's store (`tls.getCACertificates('system')`), or Node's
   * bundled Mozilla store (`tls.rootCertificates`) when the system one is empty. These are TLS
   * server roots, not a code-signing program: the codeSigning usage is still required of the
   * signer, but prefer explicit anchors.
   */
  useSystemStore?: boolean;
  /** The verification time, default the current time: bounds the claimed signing time. */
  now?: Date;
  /** Archive limits, when `input` is a path. */
  limits?: Partial<ArchiveLimits>;
}

export interface LegacyVerification {
  status: LegacyStatus;
  /** Why the status is not `valid`; null when it is. */
  code: LegacyErrorCode | null;
  reason: string | null;
  block: {
    kind: SignatureBlockKind;
    offset: number;
    length: number;
    /** The end record's comment length in the file (0 or `length`). */
    commentLength: number;
    strictReaderCompatible: boolean;
    /** Which bytes the digest matched; null until it did. */
    layout: LegacyLayout | null;
  } | null;
  /** The signer's certificate, once found. */
  signer: LegacyCertificateInfo | null;
  selfSigned: boolean;
  /**
   * The time the certificates were checked at: the signer's signing-time attribute (RFC 5652
   * §11.3) when present, else the verification time. The attribute is covered by the signature
   * but asserted by the signer alone (the format has no RFC 3161 timestamp): a signer holding the
   * key can backdate. It is therefore accepted only when not later than `now` (plus a small
   * clock skew), and `signer.notAfter` is reported so a policy can demand current validity.
   */
  signingTime: string | null;
  signingTimeSource: 'signing-time-attribute' | 'verification-time' | null;
  /** Digest of the signed bytes: what the signer attested and what the file gives. */
  digest: { algorithm: DigestName; signed: string; computed: string } | null;
  /** The trusted path, signer first, ending with the anchor; empty unless `valid`. */
  chain: LegacyCertificateInfo[];
}

/** Allowed clock skew between the signer and the verifier. */
const CLOCK_SKEW_MS = 5 * 60 * 1000;
const READ_CHUNK = 1024 * 1024;

/** The status a verification code stands for (the signing codes LEGACY_ALREADY_SIGNED and LEGACY_UNSIGNABLE are not verification outcomes). */
export function legacyStatusOf(code: LegacyErrorCode): LegacyStatus {
  switch (code) {
    case 'LEGACY_ABSENT':
      return 'absent';
    case 'LEGACY_SELF_SIGNED':
    case 'LEGACY_UNTRUSTED':
    case 'LEGACY_NOT_CODE_SIGNING':
    case 'LEGACY_CERTIFICATE_EXPIRED':
    case 'LEGACY_CERTIFICATE_REJECTED':
    case 'LEGACY_SIGNING_TIME':
      return 'untrusted';
    default:
      return 'invalid';
  }
}

/**
 * Verifies the legacy block of a bundle. `input` is a path (opened, checked by the strict reader
 * and closed: a refused archive throws its ARCHIVE_* error) or an open `Archive` (read through
 * its source, left open). Returns a status for every outcome of the signature itself; throws only
 * for unreadable input and unusable options (USAGE_INVALID_ARGUMENT for a bad anchor PEM).
 */
export async function verifyLegacySignature(input: string | Archive, options: LegacyVerifyOptions = {}): Promise<LegacyVerification> {
  const anchors = loadAnchors(options);
  if (typeof input !== 'string') return verifyArchive(input, anchors, options.now ?? new Date());
  const archive = await Archive.openFile(input, options.limits ? { limits: options.limits } : {});
  try {
    return await verifyArchive(archive, anchors, options.now ?? new Date());
  } finally {
    await archive.close();
  }
}

async function verifyArchive(archive: Archive, anchors: readonly X509Certificate[], now: Date): Promise<LegacyVerification> {
  const block = await readLegacyBlock(archive);
  const result = absentResult();
  if (!block) return result;
  result.block = {
    kind: block.kind,
    offset: block.offset,
    length: block.length,
    commentLength: block.commentLength,
    strictReaderCompatible: block.strictReaderCompatible,
    layout: null,
  };
  try {
    await verifyBlock(archive, block, anchors, now, result);
    result.status = 'valid';
    result.code = null;
    result.reason = null;
  } catch (error) {
    if (!(error instanceof MCPSealError) || !error.code.startsWith('LEGACY_')) throw error;
    const code = error.code as LegacyErrorCode;
    result.status = legacyStatusOf(code);
    result.code = code;
    result.reason = error.message;
    result.chain = [];
  }
  return result;
}

function absentResult(): LegacyVerification {
  return {
    status: 'absent',
    code: 'LEGACY_ABSENT',
    reason: 'the bundle has no legacy signature block',
    block: null,
    signer: null,
    selfSigned: false,
    signingTime: null,
    signingTimeSource: null,
    digest: null,
    chain: [],
  };
}

/**
 * The checks, in order, filling `result` as each succeeds; throws the LEGACY_* error of the first
 * that fails. The bytes before the block are bound by the message digest; the block itself by
 * its strict shape, the signature over the signed attributes, and (for a valid result) the
 * certificate path: see the README's "Which bytes a legacy signature binds".
 */
async function verifyBlock(archive: Archive, block: LegacyBlock, anchors: readonly X509Certificate[], now: Date, result: LegacyVerification): Promise<void> {
  if (block.length > MAX_LEGACY_BLOCK_SIZE) {
    throw new MCPSealError('LEGACY_BLOCK_TOO_LARGE', `the ${block.kind} block is ${block.length} bytes; at most ${MAX_LEGACY_BLOCK_SIZE} are accepted`, {
      details: { limit: 'MAX_LEGACY_BLOCK_SIZE', expected: MAX_LEGACY_BLOCK_SIZE, found: block.length },
    });
  }
  const signedData = parseSignedData(block.der);
  // Even bound bytes (a pinned certificate is the publisher's to fill) may not look like zip
  // records: readers that search the tail for an end record would find a second archive.
  if (holdsZipRecordSignature(block.der)) throw malformed('the block holds the bytes of a zip record signature, where other zip readers could find a second archive');
  const { signer } = signedData;
  const certificate = findSignerCertificate(signedData);
  result.signer = certificateInfo(certificate);
  result.selfSigned = result.signer.selfSigned;

  // RFC 5652 §11.2 / §5.4: the message-digest attribute must equal the digest of the content,
  // here the bundle bytes before the block with the comment length as it was at signing.
  const { layout, computed } = await matchDigest(archive, block, signer);
  const digest = { algorithm: signer.digest, signed: signer.messageDigest.toString('hex'), computed: computed.toString('hex') };
  result.digest = digest;
  if (!layout) {
    throw new MCPSealError('LEGACY_DIGEST_MISMATCH', 'the bundle does not match the digest its signature covers: it was changed after signing', {
      details: { expected: digest.signed, found: digest.computed },
    });
  }
  result.block!.layout = layout;

  checkSignature(signer, certificate);
  const signingTime = checkSigningTime(signer, now, result);
  const chain = buildChain(certificate, signedData.certificates, anchors, signingTime);
  if (isChainFailure(chain)) throw new MCPSealError(chain.code, chain.reason);
  checkEveryCertificateUsed(signedData.certificates, chain, anchors);
  const last = chain.path[chain.path.length - 1]!;
  result.chain = chain.path.map(certificateInfo);
  if (!last.der.equals(chain.anchor.raw)) result.chain.push(x509Info(chain.anchor, chain.anchor.checkIssued(chain.anchor) && chain.anchor.verify(chain.anchor.publicKey)));
}

/** RFC 5652 §11.3: the signer's claimed signing time, which may not lie in the verifier's future. */
function checkSigningTime(signer: SignerInfo, now: Date, result: LegacyVerification): Date {
  const signingTime = signer.signingTime ?? now;
  result.signingTime = signingTime.toISOString();
  result.signingTimeSource = signer.signingTime ? 'signing-time-attribute' : 'verification-time';
  if (signingTime.getTime() > now.getTime() + CLOCK_SKEW_MS) {
    throw new MCPSealError('LEGACY_SIGNING_TIME', `the signing time ${result.signingTime} is later than the verification time ${now.toISOString()}`);
  }
  return signingTime;
}

/**
 * Every certificate in the block is bound: on the verified path, byte for byte one of the
 * caller's anchors, or a self-signed certificate whose key signed the path's anchor (the root
 * above an anchored intermediate: only its key holder can have made it). Any other certificate
 * (an extra one, or a look-alike of an issuer with the same key) is bytes no signature binds; in
 * the layouts where the signed bytes do not fix the block's length it could be added after
 * signing, carrying anything. So a valid result leaves no unbound certificate.
 */
function checkEveryCertificateUsed(certificates: readonly Certificate[], chain: ChainResult, anchors: readonly X509Certificate[]): void {
  const bound = (certificate: Certificate): boolean =>
    chain.path.includes(certificate) ||
    anchors.some((anchor) => anchor.raw.equals(certificate.der)) ||
    (isSelfSigned(certificate) && chain.anchor.checkIssued(certificate.x509) && verifiesWith(chain.anchor, certificate.x509));
  const unused = certificates.find((certificate) => !bound(certificate));
  if (unused) {
    throw new MCPSealError('LEGACY_UNUSED_CERTIFICATE', `the block carries certificate "${unused.x509.subject}", which the verified path does not use: no signature binds it`);
  }
}

/** The certificate the SignerInfo names (RFC 5652 §5.3 SignerIdentifier); never "the first one". */
function findSignerCertificate(signedData: SignedData): Certificate {
  const { sid } = signedData.signer;
  const matches = signedData.certificates.filter((certificate) =>
    sid.kind === 'issuerAndSerial'
      ? certificate.issuerDer.equals(sid.issuerDer) && certificate.serial.equals(sid.serial)
      : certificate.subjectKeyIdentifier?.equals(sid.keyId) === true,
  );
  if (matches.length === 0) throw new MCPSealError('LEGACY_SIGNER_NOT_FOUND', "no certificate in the block matches the SignerInfo's issuer and serial number");
  // Two different certificates answering to one identifier: which key signed is ambiguous.
  if (matches.some((match) => !match.der.equals(matches[0]!.der))) throw malformed('two different certificates match the signer identifier');
  return matches[0]!;
}

/**
 * Hashes the bytes before the block once, up to the comment length field, then finishes the
 * digest with the field as it is in the file and, when it covers the block, as 0 (a field
 * patched after signing). Returns the layout whose digest matches the message-digest attribute.
 */
async function matchDigest(archive: Archive, block: LegacyBlock, signer: SignerInfo): Promise<{ layout: LegacyLayout | null; computed: Buffer }> {
  if (block.commentLengthOffset + 2 !== block.offset) throw new MCPSealError('ARCHIVE_BAD_SIGNATURE_BLOCK', 'the legacy block does not directly follow the end record');
  const hash: Hash = createHash(signer.digest);
  for (let at = 0; at < block.commentLengthOffset; at += READ_CHUNK) {
    hash.update(await archive.source.read(at, Math.min(READ_CHUNK, block.commentLengthOffset - at)));
  }
  const field = Buffer.alloc(2);
  field.writeUInt16LE(block.commentLength);
  const asIs = hash.copy().update(field).digest();
  if (asIs.equals(signer.messageDigest)) return { layout: block.commentLength === 0 ? 'zero-comment-length' : 'signed-comment-length', computed: asIs };
  if (block.commentLength !== 0) {
    const zeroed = hash.copy().update(Buffer.alloc(2)).digest();
    if (zeroed.equals(signer.messageDigest)) return { layout: 'patched-comment-length', computed: zeroed };
  }
  return { layout: null, computed: asIs };
}

/** RSA PKCS #1 v1.5 (RFC 3370 §3.2, RFC 5754 §3.2) and ECDSA (RFC 5753, RFC 5758 §3.2) signature algorithms. */
const SIGNATURE_ALGORITHMS: Readonly<Record<string, { key: 'rsa' | 'ec'; digest: DigestName | null }>> = {
  '1.2.840.113549.1.1.1': { key: 'rsa', digest: null }, // rsaEncryption: the hash is the SignerInfo's
  '1.2.840.113549.1.1.11': { key: 'rsa', digest: 'sha256' },
  '1.2.840.113549.1.1.12': { key: 'rsa', digest: 'sha384' },
  '1.2.840.113549.1.1.13': { key: 'rsa', digest: 'sha512' },
  '1.2.840.10045.2.1': { key: 'ec', digest: null }, // id-ecPublicKey, used by some signers
  '1.2.840.10045.4.3.2': { key: 'ec', digest: 'sha256' },
  '1.2.840.10045.4.3.3': { key: 'ec', digest: 'sha384' },
  '1.2.840.10045.4.3.4': { key: 'ec', digest: 'sha512' },
};

const MIN_RSA_BITS = 2048;
const EC_CURVES = new Set(['prime256v1', 'secp384r1', 'secp521r1']);

/** RFC 5652 §5.4/§5.6: the signature is over the DER of the signed attributes as a SET OF. */
function checkSignature(signer: SignerInfo, certificate: Certificate): void {
  const algorithm = SIGNATURE_ALGORITHMS[signer.signatureAlgorithm.oid];
  if (!algorithm) throw new MCPSealError('LEGACY_UNSUPPORTED_ALGORITHM', `signature algorithm ${signer.signatureAlgorithm.oid} is not accepted (RSA PKCS #1 v1.5 or ECDSA)`);
  if (algorithm.digest !== null && algorithm.digest !== signer.digest) {
    throw new MCPSealError('LEGACY_UNSUPPORTED_ALGORITHM', `the signature algorithm hashes with ${algorithm.digest} but the SignerInfo names ${signer.digest}`);
  }
  const parameters = signer.signatureAlgorithm.parameters;
  // RSA identifiers carry NULL parameters (RFC 3370 §3.2); ECDSA ones none (RFC 5758 §3.2).
  if (algorithm.key === 'rsa' ? parameters !== undefined && !isNull(parameters) : parameters !== undefined) {
    throw malformed('the signature algorithm has unexpected parameters');
  }
  const key = certificate.x509.publicKey;
  if (key.asymmetricKeyType !== algorithm.key) {
    throw new MCPSealError('LEGACY_BAD_SIGNATURE', `the signer's certificate holds a ${key.asymmetricKeyType ?? 'unknown'} key, the signature is ${algorithm.key.toUpperCase()}`);
  }
  const details = key.asymmetricKeyDetails ?? {};
  if (algorithm.key === 'rsa' && (details.modulusLength ?? 0) < MIN_RSA_BITS) {
    throw new MCPSealError('LEGACY_UNSUPPORTED_ALGORITHM', `the signer's RSA key has ${details.modulusLength ?? 0} bits; at least ${MIN_RSA_BITS} are required`);
  }
  if (algorithm.key === 'ec' && !EC_CURVES.has(details.namedCurve ?? '')) {
    throw new MCPSealError('LEGACY_UNSUPPORTED_ALGORITHM', `the signer's EC key is on curve ${details.namedCurve ?? 'unknown'}; P-256, P-384 or P-521 are accepted`);
  }
  let ok: boolean;
  try {
    ok =
      algorithm.key === 'rsa'
        ? verifySignature(signer.digest, signer.signedAttributesDer, { key, padding: constants.RSA_PKCS1_PADDING }, signer.signature)
        : verifySignature(signer.digest, signer.signedAttributesDer, { key, dsaEncoding: 'der' }, signer.signature);
  } catch {
    // OpenSSL refuses some garbage signatures (a wrong length, a bad DER ECDSA value) by throwing.
    ok = false;
  }
  if (!ok) throw new MCPSealError('LEGACY_BAD_SIGNATURE', "the signature over the signed attributes does not verify with the signer's key");
}

/** The caller's anchors, plus the system store when asked. */
function loadAnchors(options: LegacyVerifyOptions): X509Certificate[] {
  const anchors: X509Certificate[] = [];
  (options.anchors ?? []).forEach((pem, index) => anchors.push(...certificatesFromPem(pem, `trust anchor ${index + 1}`)));
  if (options.useSystemStore) {
    let system: string[] = [];
    try {
      system = tls.getCACertificates('system');
    } catch {
      // No readable OS store on this platform: Node's bundled one below.
    }
    for (const pem of system.length > 0 ? system : tls.rootCertificates) {
      try {
        anchors.push(new X509Certificate(pem));
      } catch {
        // One unreadable root in the store does not make the others unusable.
      }
    }
  }
  return anchors;
}
