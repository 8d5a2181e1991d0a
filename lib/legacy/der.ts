// DER parsing on node-forge's ASN.1 reader, for the legacy PKCS#7 block. Only DER is accepted:
// the whole input must re-encode to the very bytes it was read from. That one check is what lets
// the rest of lib/legacy take the DER of any node (signed attributes, certificates) by
// re-encoding it, with no second parser and no chance of verifying bytes other than the ones in
// the file (forge's encoder normalises lengths and INTEGERs, so a BER input would re-encode
// differently; we refuse it instead).

import { createRequire } from 'node:module';
import type forge from 'node-forge';
import { MCPSealError } from '../errors.ts';

export type Asn1 = forge.asn1.Asn1;

let loaded: typeof forge.asn1 | undefined;

/**
 * node-forge's ASN.1 module, loaded on first use: only a legacy block needs it. Required here, not
 * imported, so the CLI's group files leave its 600 KB out (read on every run of sign and verify,
 * scripts/build-cli.ts); it is resolved from node_modules when a block is read or written.
 */
function asn1(): typeof forge.asn1 {
  loaded ??= (createRequire(import.meta.url)('node-forge') as typeof forge).asn1;
  return loaded;
}

/** ASN.1 tag classes (X.690 8.1.2.2), the values node-forge uses. */
export const Class = { UNIVERSAL: 0x00, APPLICATION: 0x40, CONTEXT_SPECIFIC: 0x80, PRIVATE: 0xc0 } as const;
/** The universal tag numbers read or written here (X.680 8.4), the values node-forge uses. */
export const Type = { BOOLEAN: 1, INTEGER: 2, BITSTRING: 3, OCTETSTRING: 4, NULL: 5, OID: 6, SEQUENCE: 16, SET: 17, UTCTIME: 23, GENERALIZEDTIME: 24 } as const;

interface FromDerOptions {
  strict: boolean;
  parseAllBytes: boolean;
  decodeBitStrings: boolean;
}
// The typings only know the boolean form; the options form exists since forge 1.0.
type FromDer = (bytes: string, options: FromDerOptions) => Asn1;

/** Parses `bytes` as one DER value, refusing BER, trailing bytes and anything forge cannot re-encode exactly. */
export function parseDer(bytes: Buffer, what: string): Asn1 {
  const binary = bytes.toString('latin1');
  let node: Asn1;
  try {
    // BIT STRINGs stay opaque: forge would otherwise guess whether their content is ASN.1.
    node = (asn1().fromDer as unknown as FromDer)(binary, { strict: true, parseAllBytes: true, decodeBitStrings: false });
  } catch (cause) {
    throw malformed(`${what} is not valid DER`, cause);
  }
  if (asn1().toDer(node).getBytes() !== binary) throw malformed(`${what} is not in DER (distinguished) encoding`);
  return node;
}

/** The DER of a node read by `parseDer` (exactly its bytes in the input). */
export function derOf(node: Asn1): Buffer {
  return Buffer.from(asn1().toDer(node).getBytes(), 'latin1');
}

export function malformed(reason: string, cause?: unknown): MCPSealError {
  return new MCPSealError('LEGACY_MALFORMED', reason, cause === undefined ? {} : { cause });
}

function isUniversal(node: Asn1, type: number): boolean {
  return node.tagClass === Class.UNIVERSAL && node.type === type;
}

/** The children of a constructed node of the given universal type. */
export function children(node: Asn1 | undefined, type: number, what: string): Asn1[] {
  if (!node || !isUniversal(node, type) || !node.constructed || !Array.isArray(node.value)) throw malformed(`${what} is not a ${typeName(type)}`);
  return node.value;
}

/** The content octets of a primitive node of the given universal type. */
export function primitive(node: Asn1 | undefined, type: number, what: string): string {
  if (!node || !isUniversal(node, type) || node.constructed || typeof node.value !== 'string') throw malformed(`${what} is not a ${typeName(type)}`);
  return node.value;
}

export function oidOf(node: Asn1 | undefined, what: string): string {
  const value = primitive(node, Type.OID, what);
  // X.690 §8.19.2: each subidentifier in as few octets as possible (no leading 0x80 octet), the
  // last octet of each with bit 8 clear. Padded forms decode to the same OID: refused, so an OID
  // has one encoding and cannot grow.
  for (let i = 0; i < value.length; i++) {
    const starts = i === 0 || (value.charCodeAt(i - 1) & 0x80) === 0;
    if (starts && value.charCodeAt(i) === 0x80) throw malformed(`${what} is not a minimally encoded object identifier`);
  }
  if (value.length === 0 || (value.charCodeAt(value.length - 1) & 0x80) !== 0) throw malformed(`${what} is not a valid object identifier`);
  try {
    return asn1().derToOid(value);
  } catch (cause) {
    throw malformed(`${what} is not a valid object identifier`, cause);
  }
}

/** A context-specific [n] node (constructed when `constructed` says so), or undefined. */
export function isContext(node: Asn1 | undefined, tag: number, constructed: boolean): node is Asn1 {
  return node !== undefined && node.tagClass === Class.CONTEXT_SPECIFIC && node.type === tag && node.constructed === constructed;
}

/** The content octets of a DER INTEGER, as a Buffer (two's complement, as encoded). */
export function integerBytes(node: Asn1 | undefined, what: string): Buffer {
  // Padded INTEGERs (X.690 §8.3.2) never get here: forge's encoder strips the padding, so
  // parseDer's re-encoding check refuses them.
  return Buffer.from(primitive(node, Type.INTEGER, what), 'latin1');
}

export function smallInteger(node: Asn1 | undefined, what: string): number {
  const bytes = integerBytes(node, what);
  if (bytes.length === 0 || bytes.length > 4 || (bytes[0]! & 0x80) !== 0) throw malformed(`${what} is out of range`);
  return bytes.readUIntBE(0, bytes.length);
}

/** UTCTime or GeneralizedTime (RFC 5280 §4.1.2.5, RFC 5652 §11.3). */
export function timeOf(node: Asn1 | undefined, what: string): Date {
  let date: Date;
  try {
    if (node && isUniversal(node, Type.UTCTIME)) date = asn1().utcTimeToDate(primitive(node, Type.UTCTIME, what));
    else if (node && isUniversal(node, Type.GENERALIZEDTIME)) date = asn1().generalizedTimeToDate(primitive(node, Type.GENERALIZEDTIME, what));
    else throw malformed(`${what} is not a time`);
  } catch (cause) {
    if (cause instanceof MCPSealError) throw cause;
    throw malformed(`${what} is not a valid time`, cause);
  }
  if (Number.isNaN(date.getTime())) throw malformed(`${what} is not a valid time`);
  return date;
}

/** An AlgorithmIdentifier (RFC 5280 §4.1.1.2): its OID and whether parameters are absent or NULL. */
export function algorithmOf(node: Asn1 | undefined, what: string): { oid: string; parameters: Asn1 | undefined } {
  const parts = children(node, Type.SEQUENCE, what);
  if (parts.length < 1 || parts.length > 2) throw malformed(`${what} is not an AlgorithmIdentifier`);
  return { oid: oidOf(parts[0], `${what} algorithm`), parameters: parts[1] };
}

export function isNull(node: Asn1 | undefined): boolean {
  return node !== undefined && isUniversal(node, Type.NULL) && node.value === '';
}

/** Builders for the signer (DER, definite lengths). */
export const build = {
  sequence: (items: Asn1[]): Asn1 => asn1().create(Class.UNIVERSAL, Type.SEQUENCE, true, items),
  set: (items: Asn1[]): Asn1 => asn1().create(Class.UNIVERSAL, Type.SET, true, items),
  /** A DER SET OF: the elements sorted by their encodings (X.690 §11.6). */
  setOf: (items: Asn1[]): Asn1 =>
    asn1().create(
      Class.UNIVERSAL,
      Type.SET,
      true,
      [...items].sort((a, b) => Buffer.compare(derOf(a), derOf(b))),
    ),
  oid: (oid: string): Asn1 => asn1().create(Class.UNIVERSAL, Type.OID, false, asn1().oidToDer(oid).getBytes()),
  integer: (value: number): Asn1 => asn1().create(Class.UNIVERSAL, Type.INTEGER, false, asn1().integerToDer(value).getBytes()),
  /** An INTEGER from content octets already in DER form (a certificate's serial number). */
  integerOctets: (octets: Buffer): Asn1 => asn1().create(Class.UNIVERSAL, Type.INTEGER, false, octets.toString('latin1')),
  null: (): Asn1 => asn1().create(Class.UNIVERSAL, Type.NULL, false, ''),
  octets: (bytes: Buffer): Asn1 => asn1().create(Class.UNIVERSAL, Type.OCTETSTRING, false, bytes.toString('latin1')),
  utcTime: (date: Date): Asn1 => asn1().create(Class.UNIVERSAL, Type.UTCTIME, false, asn1().dateToUtcTime(date)),
  generalizedTime: (date: Date): Asn1 => asn1().create(Class.UNIVERSAL, Type.GENERALIZEDTIME, false, asn1().dateToGeneralizedTime(date)),
  context: (tag: number, items: Asn1[]): Asn1 => asn1().create(Class.CONTEXT_SPECIFIC, tag, true, items),
  /** Re-reads DER produced elsewhere (a certificate) as a node to embed. */
  raw: (der: Buffer, what: string): Asn1 => parseDer(der, what),
};

function typeName(type: number): string {
  switch (type) {
    case Type.SEQUENCE:
      return 'SEQUENCE';
    case Type.SET:
      return 'SET';
    case Type.OID:
      return 'OBJECT IDENTIFIER';
    case Type.INTEGER:
      return 'INTEGER';
    case Type.OCTETSTRING:
      return 'OCTET STRING';
    case Type.BITSTRING:
      return 'BIT STRING';
    case Type.BOOLEAN:
      return 'BOOLEAN';
    default:
      return `universal type ${type}`;
  }
}
