// Signing a bundle with a legacy MCPB_SIG_V1 block that strict zip readers accept. `mcpb sign`
// 2.1.2 appends the block after an end record whose comment length says 0, which strict readers
// (yauzl, hence Claude Desktop: "Invalid comment length") refuse; patching the field after signing
// changes the signed bytes. Here the field is set to the block's length first and the digest is
// taken over the file as it will be, so the result is both a strict zip and a verifiable
// signature. The block is a detached CMS SignedData (RFC 5652 §5) with the content-type,
// signing-time and message-digest attributes, one signer identified by issuer and serial number.

import { X509Certificate, createHash, createPrivateKey, sign as signBytes, type Hash, type KeyObject } from 'node:crypto';
import { chmod, link, open, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { EOCD_SIZE, MAX_COMMENT } from '../archive/format.ts';
import type { ArchiveLimits } from '../limits.ts';
import { Archive } from '../archive/reader.ts';
import { SIGNATURE_BLOCK_FORMATS } from '../archive/signature-block.ts';
import { ioError } from '../io.ts';
import { MCPSealError } from '../errors.ts';
import { OID, canSignContent, certificateInfo, certificatesFromPem, isValidAt, parseCertificate, verifiesWith, type Certificate, type LegacyCertificateInfo } from './certificate.ts';
import { CMS_OID } from './cms.ts';
import { build, derOf, parseDer, type Asn1 } from './der.ts';
import { holdsZipRecordSignature } from './read.ts';
import { verifyLegacySignature } from './verify.ts';

export interface LegacySignOptions {
  /** The signer's certificate, PEM; further certificates in the text are added as intermediates. */
  certPem: string;
  /** The signer's private key, PEM (PKCS #8, PKCS #1 or SEC 1; not encrypted). RSA (2048 bits or more) or ECDSA P-256/P-384/P-521. */
  keyPem: string;
  /** Intermediate CA certificates, PEM, to embed after the signer's certificate. */
  intermediatesPem?: readonly string[];
  /** Where to write the signed bundle; default: replace the input (atomically). Must not exist otherwise. */
  outputPath?: string;
  /**
   * Sign with an ECDSA key. Off by default: mcpseal verifies ECDSA blocks, but the official mcpb
   * tool and Claude Desktop read RSA signers only ("OID is not RSA"), so such a block is a
   * signature the legacy readers it exists for cannot check (LEGACY_KEY_NOT_RSA).
   */
  allowEcdsa?: boolean;
  /** The signing time recorded (default: the current time). */
  now?: Date;
  limits?: Partial<ArchiveLimits>;
}

export interface LegacySignResult {
  path: string;
  size: number;
  /** sha256 of the signed file, block included (what a Sigstore attestation signed next would name). */
  sha256: string;
  block: { kind: 'MCPB_SIG_V1'; offset: number; length: number };
  signer: LegacyCertificateInfo;
  signingTime: string;
  /** The message digest signed: sha256 of the bytes before the block. */
  signedDigest: string;
  /** Why verifiers will not accept this signature whatever their anchors (codeSigning usage, validity), for the CLI to show. */
  warnings: string[];
}

const READ_CHUNK = 1024 * 1024;
const MIN_RSA_BITS = 2048;
const EC_SIGNING = new Set(['prime256v1', 'secp384r1', 'secp521r1']);
const SHA256 = '2.16.840.1.101.3.4.2.1';
const RSA_ENCRYPTION = '1.2.840.113549.1.1.1';
const ECDSA_WITH_SHA256 = '1.2.840.10045.4.3.2';
const MCPB_FORMAT = SIGNATURE_BLOCK_FORMATS.find((format) => format.kind === 'MCPB_SIG_V1')!;

export interface Credentials {
  key: KeyObject;
  signer: Certificate;
  certificates: Certificate[];
}

/** Appends an MCPB_SIG_V1 block to the bundle at `path` (see the module comment for the layout). */
export async function signLegacy(path: string, options: LegacySignOptions): Promise<LegacySignResult> {
  const credentials = loadCredentials(options);
  const outputPath = options.outputPath ?? path;
  const inPlace = resolve(outputPath) === resolve(path);
  if (!inPlace && (await exists(outputPath))) throw new MCPSealError('IO_TARGET_EXISTS', `${outputPath} already exists`, { details: { path: outputPath } });
  const requestedTime = new Date(Math.floor((options.now ?? new Date()).getTime() / 1000) * 1000);

  const archive = await Archive.openFile(path, options.limits ? { limits: options.limits } : {});
  const temp = join(dirname(outputPath), `.${basename(outputPath)}.${process.pid}.${Date.now()}.tmp`);
  let written: Written;
  try {
    written = await writeSigned(archive, temp, outputPath, credentials, requestedTime);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  } finally {
    await archive.close();
  }
  await checkAndPlace(temp, { path, outputPath, inPlace, signingTime: written.signingTime, ...(options.limits ? { limits: options.limits } : {}) });
  return {
    path: outputPath,
    size: written.size,
    sha256: written.sha256,
    block: { kind: 'MCPB_SIG_V1', offset: written.blockOffset, length: written.blockLength },
    signer: certificateInfo(credentials.signer),
    signingTime: written.signingTime.toISOString(),
    signedDigest: written.signedDigest,
    warnings: warningsFor(credentials.signer, written.signingTime),
  };
}

interface Written {
  size: number;
  sha256: string;
  blockOffset: number;
  blockLength: number;
  signedDigest: string;
  signingTime: Date;
}

/** Checks the archive strictly, then writes it to `temp` with the comment length and block that cover it. */
async function writeSigned(archive: Archive, temp: string, outputPath: string, credentials: Credentials, requestedTime: Date): Promise<Written> {
  if (archive.layout.signatureBlock) {
    throw new MCPSealError('LEGACY_ALREADY_SIGNED', `the bundle already carries a ${archive.layout.signatureBlock.kind} block`);
  }
  // The block must sit right after the end record, and the comment length field must describe it.
  if (archive.layout.comment.length > 0) {
    throw new MCPSealError('LEGACY_UNSIGNABLE', 'the archive has a comment; a legacy block must directly follow the end record');
  }
  // The strict check of the whole archive (every header, size and CRC-32) before anything is signed.
  const { sha256: scanned } = await archive.scan({ checkData: true, hash: true });
  const fieldOffset = archive.layout.eocdOffset + EOCD_SIZE - 2;
  if (fieldOffset + 2 !== archive.size) throw new MCPSealError('LEGACY_UNSIGNABLE', 'the end record does not end the archive');

  let handle: FileHandle;
  try {
    handle = await open(temp, 'wx', 0o644);
  } catch (cause) {
    throw ioError(cause, outputPath, 'write');
  }
  try {
    // One pass: copy the archive up to its comment length field and hash the same bytes.
    const prefix: Hash = createHash('sha256');
    for (let at = 0; at < fieldOffset; at += READ_CHUNK) {
      const chunk = await archive.source.read(at, Math.min(READ_CHUNK, fieldOffset - at));
      prefix.update(chunk);
      await writeAll(handle, chunk, outputPath);
    }
    const original = await archive.source.read(fieldOffset, 2);
    // The bytes copied must be the bytes the scan checked.
    if (prefix.copy().update(original).digest('hex') !== scanned) {
      throw new MCPSealError('ARCHIVE_CHANGED_DURING_READ', 'the bundle changed while it was being signed');
    }
    const { field, block, signedDigest, signingTime } = buildBlock(prefix, credentials, requestedTime);
    await writeAll(handle, Buffer.concat([field, block]), outputPath);
    await handle.sync();
    const sha256 = prefix.copy().update(field).update(block).digest('hex');
    return { size: fieldOffset + 2 + block.length, sha256, blockOffset: fieldOffset + 2, blockLength: block.length, signedDigest, signingTime };
  } finally {
    await handle.close().catch(() => {});
  }
}

/**
 * Checks our own output with the verifier before it replaces anything: strict reader, digest over
 * the final layout, signature. (Trust is the installer's business: no anchors here.) Then moves
 * it into place; `temp` is gone afterwards either way.
 */
async function checkAndPlace(temp: string, target: { path: string; outputPath: string; inPlace: boolean; signingTime: Date; limits?: Partial<ArchiveLimits> }): Promise<void> {
  const { path, outputPath, inPlace, signingTime } = target;
  try {
    const check = await verifyLegacySignature(temp, { now: signingTime, ...(target.limits ? { limits: target.limits } : {}) });
    if (check.status === 'invalid' || check.status === 'absent' || check.block?.layout !== 'signed-comment-length') {
      throw new MCPSealError('SIGNATURE_SIGNING_FAILED', `the signed bundle does not verify (${check.code ?? check.status}: ${check.reason ?? ''})`);
    }
    if (inPlace) {
      // Keep the bundle's permissions: only its bytes change.
      await chmod(temp, (await stat(path)).mode & 0o777);
      await rename(temp, outputPath);
    } else {
      // link(2) fails if the target appeared since the check above: never clobber another file.
      await link(temp, outputPath).catch((cause: unknown) => {
        if ((cause as NodeJS.ErrnoException).code === 'EEXIST') throw new MCPSealError('IO_TARGET_EXISTS', `${outputPath} already exists`, { details: { path: outputPath }, cause });
        throw cause;
      });
      await rm(temp, { force: true });
    }
  } catch (error) {
    await rm(temp, { force: true });
    if (error instanceof MCPSealError) throw error;
    throw ioError(error, outputPath, 'write');
  }
}

/** What `buildBlock` settles on. */
export interface BuiltBlock {
  field: Buffer;
  block: Buffer;
  signedDigest: string;
  /** The signing time in the block: the requested one, or a second or more later when a block had to be signed again. */
  signingTime: Date;
}

const MAX_SIGNING_ATTEMPTS = 32;

/**
 * Builds the block and the comment length field that covers it. The block's length depends on
 * the signature's (an ECDSA signature's DER varies by a byte or two), and the digest depends on
 * the field: so sign with a guess, and sign again until the field matches the block it declares.
 * A block that `admissible` refuses (by default one holding a zip record signature, which a
 * random signature does about once in a million) is signed again one second later: a new signed
 * attribute, a new signature. Bytes that do not change with the time (a certificate, the digest)
 * cannot be fixed that way: after the attempts run out the bundle is unsignable.
 */
export function buildBlock(prefix: Hash, credentials: Credentials, requestedTime: Date, admissible: (block: Buffer) => boolean = (block) => !holdsZipRecordSignature(block)): BuiltBlock {
  let guess = 0;
  let signingTime = requestedTime;
  for (let attempt = 0; attempt < MAX_SIGNING_ATTEMPTS; attempt++) {
    const field = Buffer.alloc(2);
    field.writeUInt16LE(guess);
    const digest = prefix.copy().update(field).digest();
    const der = derOf(signedData(credentials, digest, signingTime));
    const length = Buffer.alloc(4);
    length.writeUInt32LE(der.length);
    const block = Buffer.concat([MCPB_FORMAT.header, length, der, MCPB_FORMAT.footer]);
    if (block.length > MAX_COMMENT) {
      throw new MCPSealError('LEGACY_UNSIGNABLE', `the signature block would be ${block.length} bytes, more than the comment length field can declare (${MAX_COMMENT}); embed fewer certificates`);
    }
    if (block.length !== guess) {
      guess = block.length;
    } else if (admissible(block)) {
      return { field, block, signedDigest: digest.toString('hex'), signingTime };
    } else {
      signingTime = new Date(signingTime.getTime() + 1000);
    }
  }
  throw new MCPSealError('LEGACY_UNSIGNABLE', 'every signature block built holds bytes that zip readers take for a record signature (in a certificate or the digest, which re-signing does not change)');
}

/** ContentInfo { id-signedData, SignedData } for a detached signature (RFC 5652 §3, §5.1). */
function signedData(credentials: Credentials, digest: Buffer, signingTime: Date): Asn1 {
  const { key, signer, certificates } = credentials;
  // RFC 5652 §11.3: UTCTime for 1950-2049, GeneralizedTime otherwise.
  const year = signingTime.getUTCFullYear();
  const time = year >= 1950 && year < 2050 ? build.utcTime(signingTime) : build.generalizedTime(signingTime);
  const attribute = (type: string, value: Asn1): Asn1 => build.sequence([build.oid(type), build.set([value])]);
  // RFC 5652 §5.3: signedAttrs MUST be DER, so the SET OF is sorted by encoding.
  const attributes = [
    attribute(CMS_OID.contentType, build.oid(CMS_OID.data)),
    attribute(CMS_OID.signingTime, time),
    attribute(CMS_OID.messageDigest, build.octets(digest)),
  ];
  const signedSet = build.setOf(attributes);
  // RFC 5652 §5.4: sign the SET OF encoding; the same content then travels as [0] IMPLICIT.
  const signature = signBytes('sha256', derOf(signedSet), key);
  const signedAttrs = build.context(0, signedSet.value as Asn1[]);
  // RFC 5754 §2: SHA-2 AlgorithmIdentifiers omit their parameters.
  const sha256 = build.sequence([build.oid(SHA256)]);
  // RFC 3370 §3.2: rsaEncryption takes NULL parameters; RFC 5758 §3.2: ECDSA ones take none.
  const signatureAlgorithm = key.asymmetricKeyType === 'rsa' ? build.sequence([build.oid(RSA_ENCRYPTION), build.null()]) : build.sequence([build.oid(ECDSA_WITH_SHA256)]);
  const signerInfo = build.sequence([
    build.integer(1),
    build.sequence([build.raw(signer.issuerDer, 'issuer'), build.integerOctets(signer.serial)]),
    sha256,
    signedAttrs,
    signatureAlgorithm,
    build.octets(signature),
  ]);
  const content = build.sequence([
    build.integer(1),
    build.set([sha256]),
    build.sequence([build.oid(CMS_OID.data)]),
    // The signer's certificate first, then its intermediates (CMS does not order the set, but
    // naive readers take the first one as the signer's).
    build.context(0, certificates.map((certificate) => build.raw(certificate.der, 'certificate'))),
    build.set([signerInfo]),
  ]);
  return build.sequence([build.oid(CMS_OID.signedData), build.context(0, [content])]);
}

export function loadCredentials(options: Pick<LegacySignOptions, 'certPem' | 'keyPem' | 'intermediatesPem' | 'allowEcdsa'>): Credentials {
  const [leaf, ...chained] = certificatesFromPem(options.certPem, 'the signing certificate');
  const intermediates = (options.intermediatesPem ?? []).flatMap((pem, index) => certificatesFromPem(pem, `intermediate certificate ${index + 1}`));
  let key: KeyObject;
  try {
    key = createPrivateKey(options.keyPem);
  } catch (cause) {
    throw new MCPSealError('USAGE_INVALID_ARGUMENT', 'the private key cannot be read (PEM, unencrypted)', { cause });
  }
  const details = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === 'rsa') {
    if ((details.modulusLength ?? 0) < MIN_RSA_BITS) throw new MCPSealError('USAGE_INVALID_ARGUMENT', `the RSA key has ${details.modulusLength ?? 0} bits; at least ${MIN_RSA_BITS} are required`);
  } else if (options.allowEcdsa !== true) {
    throw new MCPSealError(
      'LEGACY_KEY_NOT_RSA',
      `the private key is ${key.asymmetricKeyType ?? 'of an unknown type'}, not RSA: the official mcpb tool and Claude Desktop verify RSA signers only. Use an RSA key (2048 bits or more) and its certificate; mcpseal keygen's ECDSA keys are for Sigstore signing`,
      { details: { found: key.asymmetricKeyType ?? null, expected: 'rsa' } },
    );
  } else if (key.asymmetricKeyType !== 'ec' || !EC_SIGNING.has(details.namedCurve ?? '')) {
    throw new MCPSealError('USAGE_INVALID_ARGUMENT', 'the private key must be RSA or ECDSA on P-256, P-384 or P-521');
  }
  if (!leaf!.checkPrivateKey(key)) throw new MCPSealError('USAGE_INVALID_ARGUMENT', "the private key does not belong to the signing certificate");
  const certificates = [leaf!, ...chained, ...intermediates].map((x509: X509Certificate, index) => {
    try {
      return parseCertificate(parseDer(x509.raw, 'certificate'));
    } catch (cause) {
      throw new MCPSealError('USAGE_INVALID_ARGUMENT', `certificate ${index + 1} is not usable in a signature block`, { cause });
    }
  });
  checkEveryCertificateIssues(certificates);
  return { key, signer: certificates[0]!, certificates };
}

/**
 * Verifiers accept only certificates of the verified path (or the anchor itself) in a block: one
 * that issued none of the others can never be on it, and is refused as bytes nothing binds
 * (LEGACY_UNUSED_CERTIFICATE); nor a block holding a zip record signature. So such certificates
 * are refused here, before anything is signed.
 */
function checkEveryCertificateIssues(certificates: readonly Certificate[]): void {
  certificates.forEach((certificate, index) => {
    // Re-signing changes the signature, never a certificate: refused here, not retried.
    if (holdsZipRecordSignature(certificate.der)) {
      throw new MCPSealError('USAGE_INVALID_ARGUMENT', `certificate ${index + 1} ("${certificate.x509.subject}") holds the bytes of a zip record signature; verifiers and strict zip readers refuse a block that carries it`);
    }
    if (index === 0) return;
    if (certificates.some((subject) => subject !== certificate && subject.x509.checkIssued(certificate.x509) && verifiesWith(subject.x509, certificate.x509))) return;
    throw new MCPSealError('USAGE_INVALID_ARGUMENT', `certificate ${index + 1} ("${certificate.x509.subject}") issued none of the other certificates; verifiers refuse a block that carries it`);
  });
}

/** The signer's certificate problems a verifier will hold against the signature (chain.ts checkPath). */
function warningsFor(signer: Certificate, signingTime: Date): string[] {
  const warnings: string[] = [];
  if (!signer.extKeyUsage?.includes(OID.codeSigning)) warnings.push('the certificate lacks the codeSigning extended key usage: verifiers will not trust this signature');
  if (!canSignContent(signer)) warnings.push('the certificate\'s key usage does not allow digital signatures: verifiers will not trust this signature');
  if (!isValidAt(signer.x509, signingTime)) warnings.push(`the certificate is not valid at the signing time ${signingTime.toISOString()}`);
  return warnings;
}

async function writeAll(handle: FileHandle, bytes: Buffer, path: string): Promise<void> {
  try {
    let done = 0;
    while (done < bytes.length) done += (await handle.write(bytes, done, bytes.length - done)).bytesWritten;
  } catch (cause) {
    throw ioError(cause, path, 'write');
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
