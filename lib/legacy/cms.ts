// The CMS SignedData inside a legacy block (RFC 5652), parsed into the few fields verification
// needs. Anything outside the shape `mcpb sign` (and any conforming CMS signer) produces for a
// detached signature by one signer is refused as malformed: the fields the signature does not
// cover (versions, digestAlgorithms, eContentType) are checked too, so that no byte of the block
// can change without the verifier noticing.

import { MCPSealError } from '../errors.ts';
import { parseCertificate, type Certificate } from './certificate.ts';
import {
  Class,
  Type,
  algorithmOf,
  children,
  derOf,
  integerBytes,
  isContext,
  isNull,
  malformed,
  oidOf,
  parseDer,
  primitive,
  smallInteger,
  timeOf,
  type Asn1,
} from './der.ts';

export const CMS_OID = {
  signedData: '1.2.840.113549.1.7.2',
  data: '1.2.840.113549.1.7.1',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
} as const;

/** Digest algorithms accepted (RFC 5754 §2); SHA-1 and MD5 are not. */
export const DIGESTS: Readonly<Record<string, 'sha256' | 'sha384' | 'sha512'>> = {
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
};

export type DigestName = 'sha256' | 'sha384' | 'sha512';

export interface SignerInfo {
  version: number;
  /** IssuerAndSerialNumber (RFC 5652 §5.3), or a subjectKeyIdentifier. */
  sid: { kind: 'issuerAndSerial'; issuerDer: Buffer; serial: Buffer } | { kind: 'subjectKeyIdentifier'; keyId: Buffer };
  digest: DigestName;
  digestOid: string;
  /**
   * The DER the signature covers: the signedAttrs field with its [0] IMPLICIT tag replaced by
   * the EXPLICIT SET OF tag (RFC 5652 §5.4), from the bytes as received.
   */
  signedAttributesDer: Buffer;
  messageDigest: Buffer;
  signingTime: Date | null;
  signatureAlgorithm: { oid: string; parameters: Asn1 | undefined };
  signature: Buffer;
}

export interface SignedData {
  certificates: Certificate[];
  signer: SignerInfo;
}

/**
 * Parses the DER of a block as exactly one ContentInfo { id-signedData, SignedData } (RFC 5652
 * §3, §5.1) and nothing else: no bytes after it (parseDer), no field or element beyond the ones
 * listed at any level, one SignerInfo, no revocation lists, no unsigned attributes. Every byte of
 * the block is then either covered by a signature (signed attributes, certificates) or one of a
 * few fixed encodings checked here; nothing can ride along that a verifier would not read.
 */
export function parseSignedData(der: Buffer): SignedData {
  const fields = children(contentOf(parseDer(der, 'the signature block')), Type.SEQUENCE, 'SignedData');
  // SignedData ::= SEQUENCE { version, digestAlgorithms, encapContentInfo, certificates [0] IMPLICIT OPTIONAL,
  //                           crls [1] IMPLICIT OPTIONAL, signerInfos }
  let at = 0;
  const version = smallInteger(fields[at++], 'SignedData version');
  const digestAlgorithms = children(fields[at++], Type.SET, 'SignedData digestAlgorithms').map((node) => algorithmOf(node, 'digest algorithm'));
  checkEncapsulatedContentInfo(fields[at++]);
  const certificates = isContext(fields[at], 0, true) ? readCertificates(fields[at++]!) : [];
  if (isContext(fields[at], 1, true)) throw malformed('the block holds revocation lists, which mcpseal does not process');
  const signerInfos = children(fields[at++], Type.SET, 'SignedData signerInfos');
  if (at !== fields.length) throw malformed('SignedData has unexpected trailing fields');
  if (signerInfos.length !== 1) throw malformed(`the block has ${signerInfos.length} SignerInfos; exactly one is supported`);
  const signer = parseSignerInfo(signerInfos[0]!);

  // RFC 5652 §5.1: version 1 for IssuerAndSerialNumber signers of id-data without other
  // certificate forms, 3 when a signer is identified by subjectKeyIdentifier.
  const expectedVersion = signer.sid.kind === 'issuerAndSerial' ? 1 : 3;
  if (version !== expectedVersion) throw malformed(`SignedData version is ${version}, expected ${expectedVersion}`);
  // digestAlgorithms lists the signer's digest algorithm (RFC 5652 §5.1), and here only it.
  if (digestAlgorithms.length !== 1 || digestAlgorithms[0]!.oid !== signer.digestOid || !absentOrNull(digestAlgorithms[0]!.parameters)) {
    throw malformed("SignedData digestAlgorithms does not list exactly the signer's digest algorithm");
  }
  return { certificates, signer };
}

/** RFC 5652 §3: ContentInfo ::= SEQUENCE { contentType id-signedData, content [0] EXPLICIT ANY }; returns the content. */
function contentOf(node: Asn1): Asn1 | undefined {
  const contentInfo = children(node, Type.SEQUENCE, 'ContentInfo');
  if (contentInfo.length !== 2) throw malformed('ContentInfo must have a content type and a content');
  const contentType = oidOf(contentInfo[0], 'ContentInfo contentType');
  if (contentType !== CMS_OID.signedData) throw malformed(`the block holds content type ${contentType}, not SignedData`);
  const wrapper = contentInfo[1];
  if (!isContext(wrapper, 0, true) || (wrapper.value as Asn1[]).length !== 1) throw malformed('ContentInfo content is not [0] EXPLICIT with one value');
  return (wrapper.value as Asn1[])[0];
}

/** RFC 5652 §5.2: EncapsulatedContentInfo of a detached signature of id-data (no eContent). */
function checkEncapsulatedContentInfo(node: Asn1 | undefined): void {
  const encapsulated = children(node, Type.SEQUENCE, 'EncapsulatedContentInfo');
  // A detached signature omits eContent; an embedded copy would be a second zip.
  if (encapsulated.length !== 1) throw malformed('the signature embeds its content; a legacy block must be detached');
  const eContentType = oidOf(encapsulated[0], 'eContentType');
  if (eContentType !== CMS_OID.data) throw malformed(`eContentType is ${eContentType}, not id-data`);
}

/**
 * RFC 5652 §10.2.2 CertificateChoices: only plain X.509 certificates are used; the obsolete and
 * other forms are refused rather than skipped, so nothing rides along unseen, and so is a second
 * copy of one certificate (it would bind nothing new).
 */
function readCertificates(node: Asn1): Certificate[] {
  const certificates: Certificate[] = [];
  for (const choice of node.value as Asn1[]) {
    if (choice.tagClass !== Class.UNIVERSAL || choice.type !== Type.SEQUENCE) throw malformed('the block holds a certificate form other than X.509');
    const certificate = parseCertificate(choice);
    if (certificates.some((seen) => seen.der.equals(certificate.der))) throw malformed('the block holds the same certificate twice');
    certificates.push(certificate);
  }
  return certificates;
}

/**
 * SignerInfo ::= SEQUENCE { version, sid, digestAlgorithm, signedAttrs [0] IMPLICIT OPTIONAL,
 *                           signatureAlgorithm, signature OCTET STRING, unsignedAttrs [1] IMPLICIT OPTIONAL }
 */
function parseSignerInfo(node: Asn1): SignerInfo {
  const fields = children(node, Type.SEQUENCE, 'SignerInfo');
  const version = smallInteger(fields[0], 'SignerInfo version');
  const sid = readSignerIdentifier(fields[1]);
  // RFC 5652 §5.3: version 1 with IssuerAndSerialNumber, 3 with subjectKeyIdentifier.
  const expectedVersion = sid.kind === 'issuerAndSerial' ? 1 : 3;
  if (version !== expectedVersion) throw malformed(`SignerInfo version is ${version}, expected ${expectedVersion}`);
  const { digest, digestOid } = readDigestAlgorithm(fields[2]);

  const attributesNode = fields[3];
  // RFC 5652 §5.3: without signed attributes the signature would cover the content itself and
  // carry no content type; `mcpb sign` always includes them, and mcpseal requires them.
  if (!isContext(attributesNode, 0, true)) throw malformed('the SignerInfo has no signed attributes');
  const attributes = readSignedAttributes(attributesNode);
  // RFC 5652 §5.4: the signature covers the DER of the attributes under an EXPLICIT SET OF tag,
  // not the [0] IMPLICIT tag they travel under. The encoding is otherwise the one received (the
  // input is DER, checked by parseDer), so re-tagging is enough: no re-sorting, no re-encoding.
  const signedAttributesDer = derOf(attributesNode);
  signedAttributesDer[0] = 0x31;

  const signatureAlgorithm = algorithmOf(fields[4], 'SignerInfo signatureAlgorithm');
  const signature = Buffer.from(primitive(fields[5], Type.OCTETSTRING, 'SignerInfo signature'), 'latin1');
  // RFC 5652 §5.3 unsignedAttrs (countersignatures §11.4, RFC 3161 timestamp tokens, anything):
  // no signature covers them and mcpseal reads none of them, so they are the one place an
  // attacker without the key could grow the block (a second zip, for readers that find the last
  // end record in the file). Refused, whatever they hold.
  if (isContext(fields[6], 1, true)) throw new MCPSealError('LEGACY_UNSIGNED_ATTRIBUTE', 'the SignerInfo carries unsigned attributes, which no signature covers and mcpseal does not accept');
  if (fields.length !== 6) throw malformed('SignerInfo has unexpected trailing fields');

  return {
    version,
    sid,
    digest,
    digestOid,
    signedAttributesDer,
    messageDigest: attributes.messageDigest,
    signingTime: attributes.signingTime,
    signatureAlgorithm,
    signature,
  };
}

/** RFC 5652 §5.3 SignerIdentifier: IssuerAndSerialNumber, or [0] IMPLICIT SubjectKeyIdentifier. */
function readSignerIdentifier(node: Asn1 | undefined): SignerInfo['sid'] {
  if (isContext(node, 0, false)) return { kind: 'subjectKeyIdentifier', keyId: Buffer.from(node.value as string, 'latin1') };
  const parts = children(node, Type.SEQUENCE, 'SignerIdentifier');
  if (parts.length !== 2) throw malformed('IssuerAndSerialNumber must have an issuer and a serial number');
  children(parts[0], Type.SEQUENCE, 'IssuerAndSerialNumber issuer');
  return { kind: 'issuerAndSerial', issuerDer: derOf(parts[0]!), serial: integerBytes(parts[1], 'serialNumber') };
}

/** RFC 5652 §5.3 digestAlgorithm, one of the SHA-2 identifiers of RFC 5754 §2. */
function readDigestAlgorithm(node: Asn1 | undefined): { digest: DigestName; digestOid: string } {
  const digestAlgorithm = algorithmOf(node, 'SignerInfo digestAlgorithm');
  const digest = DIGESTS[digestAlgorithm.oid];
  if (!digest) throw new MCPSealError('LEGACY_UNSUPPORTED_ALGORITHM', `digest algorithm ${digestAlgorithm.oid} is not accepted (SHA-256, SHA-384 or SHA-512)`);
  if (!absentOrNull(digestAlgorithm.parameters)) throw malformed('the digest algorithm has parameters');
  return { digest, digestOid: digestAlgorithm.oid };
}

/** The three attributes of RFC 5652 §11, each present at most once with exactly one value. */
function readSignedAttributes(node: Asn1): { messageDigest: Buffer; signingTime: Date | null } {
  const values = new Map<string, Asn1>();
  for (const attribute of node.value as Asn1[]) {
    // Attribute ::= SEQUENCE { attrType OBJECT IDENTIFIER, attrValues SET OF AttributeValue }
    const parts = children(attribute, Type.SEQUENCE, 'signed attribute');
    if (parts.length !== 2) throw malformed('a signed attribute is not a type and a set of values');
    const type = oidOf(parts[0], 'signed attribute type');
    const set = children(parts[1], Type.SET, `signed attribute ${type} values`);
    if (type === CMS_OID.contentType || type === CMS_OID.messageDigest || type === CMS_OID.signingTime) {
      // RFC 5652 §11.1-§11.3: "MUST include only one instance" and "MUST have a single attribute value".
      if (values.has(type)) throw malformed(`signed attribute ${type} appears twice`);
      if (set.length !== 1) throw malformed(`signed attribute ${type} must have exactly one value`);
      values.set(type, set[0]!);
    }
  }
  // RFC 5652 §5.3: content-type and message-digest are required when signed attributes are present.
  const contentType = values.get(CMS_OID.contentType);
  const digest = values.get(CMS_OID.messageDigest);
  if (!contentType || !digest) throw malformed('the signed attributes lack the content-type or message-digest attribute');
  // RFC 5652 §11.1: the content-type attribute must match eContentType (id-data, checked above).
  if (oidOf(contentType, 'content-type attribute') !== CMS_OID.data) throw malformed('the content-type attribute is not id-data');
  const messageDigest = Buffer.from(primitive(digest, Type.OCTETSTRING, 'message-digest attribute'), 'latin1');
  const time = values.get(CMS_OID.signingTime);
  return { messageDigest, signingTime: time ? timeOf(time, 'signing-time attribute') : null };
}

function absentOrNull(parameters: Asn1 | undefined): boolean {
  return parameters === undefined || isNull(parameters);
}
