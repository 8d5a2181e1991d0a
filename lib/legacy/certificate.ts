// X.509 certificates of the legacy block (RFC 5280): node:crypto's X509Certificate for signatures
// and issuer checks, forge's ASN.1 for the fields node:crypto does not expose as bytes (the issuer
// and subject Names, the serial, the extensions).

import { X509Certificate, createHash } from 'node:crypto';
import { MCPSealError } from '../errors.ts';
import { Type, children, derOf, integerBytes, isContext, malformed, oidOf, parseDer, primitive, smallInteger, type Asn1 } from './der.ts';

export const OID = {
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  subjectAltName: '2.5.29.17',
  subjectKeyIdentifier: '2.5.29.14',
  authorityKeyIdentifier: '2.5.29.35',
  codeSigning: '1.3.6.1.5.5.7.3.3',
} as const;

/**
 * Critical extensions this verifier processes. RFC 5280 §4.2: a certificate with a critical
 * extension the verifier does not recognise MUST be rejected (name constraints and policy
 * constraints included: we do not evaluate them, so we do not accept them as critical).
 */
const UNDERSTOOD_CRITICAL = new Set<string>([
  OID.basicConstraints,
  OID.keyUsage,
  OID.extKeyUsage,
  OID.subjectAltName,
  OID.subjectKeyIdentifier,
  OID.authorityKeyIdentifier,
]);

// KeyUsage bits (RFC 5280 §4.2.1.3), numbered from the most significant bit of the first octet.
const KU_DIGITAL_SIGNATURE = 0;
const KU_NON_REPUDIATION = 1;
const KU_KEY_CERT_SIGN = 5;

export interface Certificate {
  der: Buffer;
  x509: X509Certificate;
  /** DER of the issuer and subject Names, compared byte for byte (as IssuerAndSerialNumber is). */
  issuerDer: Buffer;
  subjectDer: Buffer;
  /** Content octets of the serialNumber INTEGER. */
  serial: Buffer;
  subjectKeyIdentifier: Buffer | null;
  /** The keyIdentifier of the authorityKeyIdentifier extension (RFC 5280 §4.2.1.1), when present. */
  authorityKeyIdentifier: Buffer | null;
  basicConstraints: { ca: boolean; pathLength: number | null } | null;
  /** KeyUsage bits set, or null when the extension is absent. */
  keyUsage: Set<number> | null;
  /** ExtKeyUsage purposes, or null when the extension is absent. */
  extKeyUsage: string[] | null;
  /** OIDs of critical extensions mcpseal does not process. */
  unknownCritical: string[];
}

/** What a report shows about a certificate. */
export interface LegacyCertificateInfo {
  subject: string;
  issuer: string;
  /** Hex, upper case, as node:crypto prints it. */
  serialNumber: string;
  /** sha256 of the DER, lower-case hex. */
  fingerprint256: string;
  notBefore: string;
  notAfter: string;
  /** Issuer equals subject and the certificate's signature verifies with its own key. */
  selfSigned: boolean;
}

/** Parses one DER certificate from the block; `node` is its already parsed form. */
export function parseCertificate(node: Asn1): Certificate {
  const der = derOf(node);
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(der);
    // Decode what later steps use now, so a damaged key or date is "malformed", not a crash later.
    void x509.publicKey;
    if (Number.isNaN(x509.validFromDate.getTime()) || Number.isNaN(x509.validToDate.getTime())) throw new Error('invalid validity dates');
  } catch (cause) {
    throw malformed('a certificate in the block cannot be parsed', cause);
  }
  // RFC 5280 §4.1: Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue }.
  const parts = children(node, Type.SEQUENCE, 'certificate');
  if (parts.length !== 3) throw malformed('a certificate is not a tbsCertificate, a signature algorithm and a signature');
  const [tbs, signatureAlgorithm] = parts;
  const fields = children(tbs, Type.SEQUENCE, 'tbsCertificate');
  // version [0] EXPLICIT is optional (DEFAULT v1): the remaining fields shift by one when present.
  const at = isContext(fields[0], 0, true) ? 1 : 0;
  const serial = integerBytes(fields[at], 'certificate serialNumber');
  // RFC 5280 §4.1.1.2: the signature algorithm inside and outside the signed part must be the same.
  if (!fields[at + 1] || !signatureAlgorithm || !derOf(fields[at + 1]!).equals(derOf(signatureAlgorithm))) {
    throw malformed('a certificate names two different signature algorithms');
  }
  const issuer = fields[at + 2];
  const subject = fields[at + 4];
  children(issuer, Type.SEQUENCE, 'certificate issuer');
  children(subject, Type.SEQUENCE, 'certificate subject');
  const certificate: Certificate = {
    der,
    x509,
    issuerDer: derOf(issuer!),
    subjectDer: derOf(subject!),
    serial,
    subjectKeyIdentifier: null,
    authorityKeyIdentifier: null,
    basicConstraints: null,
    keyUsage: null,
    extKeyUsage: null,
    unknownCritical: [],
  };
  const extensions = fields.slice(at + 6).find((field) => isContext(field, 3, true));
  if (extensions) readExtensions(certificate, extensions);
  return certificate;
}

/** Extensions ::= SEQUENCE OF Extension; Extension ::= SEQUENCE { extnID, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING }. */
function readExtensions(certificate: Certificate, wrapper: Asn1): void {
  const list = children((wrapper.value as Asn1[])[0], Type.SEQUENCE, 'certificate extensions');
  const seen = new Set<string>();
  for (const extension of list) {
    const parts = children(extension, Type.SEQUENCE, 'certificate extension');
    const id = oidOf(parts[0], 'extension id');
    // RFC 5280 §4.2: a certificate MUST NOT include more than one instance of an extension.
    if (seen.has(id)) throw malformed(`a certificate repeats extension ${id}`);
    seen.add(id);
    const critical = parts.length === 3 && primitive(parts[1], Type.BOOLEAN, 'extension critical flag') !== '\u0000';
    const value = Buffer.from(primitive(parts[parts.length - 1], Type.OCTETSTRING, 'extension value'), 'latin1');
    if (critical && !UNDERSTOOD_CRITICAL.has(id)) certificate.unknownCritical.push(id);
    switch (id) {
      case OID.basicConstraints: {
        // BasicConstraints ::= SEQUENCE { cA BOOLEAN DEFAULT FALSE, pathLenConstraint INTEGER OPTIONAL }
        const items = children(parseDer(value, 'basicConstraints'), Type.SEQUENCE, 'basicConstraints');
        let ca = false;
        let pathLength: number | null = null;
        for (const item of items) {
          if (item.type === Type.BOOLEAN) ca = primitive(item, Type.BOOLEAN, 'basicConstraints cA') !== '\u0000';
          else pathLength = smallInteger(item, 'basicConstraints pathLenConstraint');
        }
        certificate.basicConstraints = { ca, pathLength };
        break;
      }
      case OID.keyUsage: {
        const bits = Buffer.from(primitive(parseDer(value, 'keyUsage'), Type.BITSTRING, 'keyUsage'), 'latin1').subarray(1);
        const set = new Set<number>();
        for (let bit = 0; bit < bits.length * 8; bit++) if (bits[bit >> 3]! & (0x80 >> (bit & 7))) set.add(bit);
        certificate.keyUsage = set;
        break;
      }
      case OID.extKeyUsage:
        certificate.extKeyUsage = children(parseDer(value, 'extKeyUsage'), Type.SEQUENCE, 'extKeyUsage').map((purpose) => oidOf(purpose, 'key purpose'));
        break;
      case OID.subjectKeyIdentifier:
        certificate.subjectKeyIdentifier = Buffer.from(primitive(parseDer(value, 'subjectKeyIdentifier'), Type.OCTETSTRING, 'subjectKeyIdentifier'), 'latin1');
        break;
      case OID.authorityKeyIdentifier: {
        // AuthorityKeyIdentifier ::= SEQUENCE { keyIdentifier [0] IMPLICIT OCTET STRING OPTIONAL, ... }
        const [first] = children(parseDer(value, 'authorityKeyIdentifier'), Type.SEQUENCE, 'authorityKeyIdentifier');
        if (isContext(first, 0, false)) certificate.authorityKeyIdentifier = Buffer.from(first.value as string, 'latin1');
        break;
      }
      default:
        break;
    }
  }
}

/**
 * Issued by its own name and, by its key identifiers, its own key: a certificate that claims to be
 * self-signed. (A self-issued certificate whose authority key identifier names another key is a
 * CA's key rollover certificate, RFC 5280 §6.1, not a self-signed one.)
 */
export function claimsSelfSigned(certificate: Certificate): boolean {
  const { authorityKeyIdentifier: aki, subjectKeyIdentifier: ski } = certificate;
  return certificate.issuerDer.equals(certificate.subjectDer) && (aki === null || ski === null || aki.equals(ski));
}

export function isSelfSigned(certificate: Certificate): boolean {
  return claimsSelfSigned(certificate) && verifiesWith(certificate.x509, certificate.x509);
}

/** Whether `issuer`'s key verifies `subject`'s signature (false rather than a throw on unusable keys). */
export function verifiesWith(subject: X509Certificate, issuer: X509Certificate): boolean {
  try {
    return subject.verify(issuer.publicKey);
  } catch {
    return false;
  }
}

export function canSignCertificates(certificate: Certificate): boolean {
  return certificate.basicConstraints?.ca === true && (certificate.keyUsage === null || certificate.keyUsage.has(KU_KEY_CERT_SIGN));
}

/** RFC 5280 §4.2.1.3: a key that signs content needs digitalSignature (or nonRepudiation) when KeyUsage is present. */
export function canSignContent(certificate: Certificate): boolean {
  return certificate.keyUsage === null || certificate.keyUsage.has(KU_DIGITAL_SIGNATURE) || certificate.keyUsage.has(KU_NON_REPUDIATION);
}

export function isValidAt(x509: X509Certificate, at: Date): boolean {
  return x509.validFromDate.getTime() <= at.getTime() && at.getTime() <= x509.validToDate.getTime();
}

export function certificateInfo(certificate: Certificate): LegacyCertificateInfo {
  return x509Info(certificate.x509, isSelfSigned(certificate));
}

export function x509Info(x509: X509Certificate, selfSigned: boolean): LegacyCertificateInfo {
  return {
    subject: x509.subject,
    issuer: x509.issuer,
    serialNumber: x509.serialNumber,
    fingerprint256: createHash('sha256').update(x509.raw).digest('hex'),
    notBefore: x509.validFromDate.toISOString(),
    notAfter: x509.validToDate.toISOString(),
    selfSigned,
  };
}

/** Every certificate in a PEM text (a file may hold a chain). */
export function certificatesFromPem(pem: string, what: string): X509Certificate[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/gu) ?? [];
  if (blocks.length === 0) throw new MCPSealError('USAGE_INVALID_ARGUMENT', `${what} holds no PEM certificate`);
  return blocks.map((block) => {
    try {
      return new X509Certificate(block);
    } catch (cause) {
      throw new MCPSealError('USAGE_INVALID_ARGUMENT', `${what} holds a certificate that cannot be parsed`, { cause });
    }
  });
}
