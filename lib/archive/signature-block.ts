// The one thing allowed after the End Of Central Directory: a legacy signature block appended by
// `mcpb sign` (MCPB_SIG_V1) or its DXT predecessor. Layout: ASCII header, uint32 LE length, that
// many bytes of DER (a CMS SignedData), ASCII footer ending the file. This module finds and frames
// the block and checks its outer shape: one DER ContentInfo of type signedData and nothing that
// another zip reader could take for an archive (issue 9 finding 1: a second zip inside the block is
// what unzip, Python, yauzl and mcpb read). Checking the signature itself belongs to lib/legacy.

import { defaultLimits, type Limits } from '../limits.ts';
import { SIG_CENTRAL, SIG_EOCD, SIG_LOCAL, SIG_ZIP64_EOCD, SIG_ZIP64_LOCATOR } from './format.ts';

export type SignatureBlockKind = 'MCPB_SIG_V1' | 'DXT_SIG_V1';

export interface SignatureBlockFormat {
  kind: SignatureBlockKind;
  header: Buffer;
  footer: Buffer;
}

export const SIGNATURE_BLOCK_FORMATS: readonly SignatureBlockFormat[] = [
  { kind: 'MCPB_SIG_V1', header: Buffer.from('MCPB_SIG_V1', 'latin1'), footer: Buffer.from('MCPB_SIG_END', 'latin1') },
  { kind: 'DXT_SIG_V1', header: Buffer.from('DXT_SIG_V1', 'latin1'), footer: Buffer.from('DXT_SIG_END', 'latin1') },
];

export interface SignatureBlock {
  kind: SignatureBlockKind;
  /** File offset of the header: the zip (the signed bytes) ends here. */
  offset: number;
  /** Whole block length, header to footer. */
  length: number;
  /** File offset and length of the DER SignedData. */
  derOffset: number;
  derLength: number;
}

export type FramingResult =
  | { found: 'none' }
  | { found: 'block'; block: SignatureBlock }
  | { found: 'malformed'; kind: SignatureBlockKind; reason: string };

/**
 * Looks for a block that ends the file. `tail` holds the last bytes of a file of `fileSize` bytes.
 * The footer must end the file and the length field must put the footer exactly there: bytes
 * anywhere else (a second zip after the footer, padding between DER and footer) do not frame. A
 * framed block must then pass `checkBlockContent`.
 */
export function frameSignatureBlock(tail: Buffer, fileSize: number, limits: Pick<Limits, 'maxSignatureBlockSize'> = defaultLimits): FramingResult {
  const tailStart = fileSize - tail.length;
  for (const format of SIGNATURE_BLOCK_FORMATS) {
    if (tail.length < format.footer.length || !tail.subarray(tail.length - format.footer.length).equals(format.footer)) continue;
    const at = findHeader(tail, format);
    if (at < 0) {
      const reason = `the ${format.kind} block's length does not reach its footer (or the block is over maxSignatureBlockSize, ${limits.maxSignatureBlockSize} bytes)`;
      return { found: 'malformed', kind: format.kind, reason };
    }
    const block: SignatureBlock = {
      kind: format.kind,
      offset: tailStart + at,
      length: tail.length - at,
      derOffset: tailStart + at + format.header.length + 4,
      derLength: tail.length - at - format.header.length - 4 - format.footer.length,
    };
    if (block.length > limits.maxSignatureBlockSize) {
      return { found: 'malformed', kind: format.kind, reason: `the ${format.kind} block is ${block.length} bytes (limit maxSignatureBlockSize, ${limits.maxSignatureBlockSize})` };
    }
    const problem = checkBlockContent(tail.subarray(at), format);
    return problem ? { found: 'malformed', kind: format.kind, reason: `the ${format.kind} block ${problem}` } : { found: 'block', block };
  }
  return { found: 'none' };
}

/** Walks back through every header occurrence; the one whose length field lands on the footer frames the block. -1 if none does. */
function findHeader(tail: Buffer, format: SignatureBlockFormat): number {
  const footerStart = tail.length - format.footer.length;
  let searchFrom = footerStart - 4 - format.header.length;
  while (searchFrom >= 0) {
    const at = tail.lastIndexOf(format.header, searchFrom);
    if (at < 0) break;
    const lengthAt = at + format.header.length;
    if (lengthAt + 4 <= footerStart && lengthAt + 4 + tail.readUInt32LE(lengthAt) === footerStart) return at;
    searchFrom = at - 1;
  }
  return -1;
}

/**
 * Zip record signatures (APPNOTE 4.3.7, 4.3.12, 4.3.14-16), as the 4 bytes a reader scans for:
 * any of them inside a signature block could start an archive another reader finds (issue 9
 * finding 1). The one list for the framing, the legacy verifier and the legacy signer.
 */
const ZIP_RECORDS: readonly [Buffer, string][] = (
  [
    [SIG_EOCD, 'an end of central directory record'],
    [SIG_ZIP64_EOCD, 'a zip64 end record'],
    [SIG_ZIP64_LOCATOR, 'a zip64 locator'],
    [SIG_CENTRAL, 'a central directory header'],
    [SIG_LOCAL, 'a local file header'],
  ] as const
).map(([signature, what]) => {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32LE(signature);
  return [bytes, what];
});

/** What zip record signature `bytes` hold (the first found), or null. */
export function zipRecordIn(bytes: Buffer): string | null {
  for (const [signature, what] of ZIP_RECORDS) if (bytes.includes(signature)) return what;
  return null;
}

/** 06 09 2A 86 48 86 F7 0D 01 07 02: the DER of OID 1.2.840.113549.1.7.2, id-signedData (RFC 5652 §5.1). */
const SIGNED_DATA_OID = Buffer.from('06092a864886f70d010702', 'hex');

/**
 * The outer shape of a framed block (`block` runs from its header to the end of the file). Returns
 * what is wrong, or null. A block holds exactly one DER ContentInfo (RFC 5652 §3) whose contentType
 * is signedData, and nothing that reads as a zip record or as another block's header or footer.
 */
export function checkBlockContent(block: Buffer, format: SignatureBlockFormat): string | null {
  const interior = block.subarray(format.header.length, block.length - format.footer.length);
  const record = zipRecordIn(interior);
  if (record !== null) return `contains ${record} (a second archive other readers would find)`;
  for (const other of SIGNATURE_BLOCK_FORMATS) {
    if (interior.includes(other.header) || interior.includes(other.footer)) return `contains a second ${other.kind} header or footer`;
  }
  return checkContentInfo(interior.subarray(4));
}

/**
 * The DER is exactly one SEQUENCE with a definite, minimally encoded length that covers it to the
 * last byte (X.690 §8.1.3, §10.1), and its first element is the signedData OID. The SignedData
 * inside is lib/legacy's to parse.
 */
export function checkContentInfo(der: Buffer): string | null {
  if (der.length < 2 || der[0] !== 0x30) return 'does not hold a DER SEQUENCE';
  const header = derLength(der);
  if (!header) return 'holds a SEQUENCE whose length is not definite DER';
  if (header.start + header.length !== der.length) return 'holds bytes beyond (or short of) its one DER SEQUENCE';
  if (!der.subarray(header.start, header.start + SIGNED_DATA_OID.length).equals(SIGNED_DATA_OID)) return 'holds a ContentInfo that is not signedData';
  return null;
}

/** The definite length of the TLV at 0 and where its content starts; null for indefinite, non-minimal or truncated lengths. */
function derLength(der: Buffer): { start: number; length: number } | null {
  const first = der[1]!;
  if (first < 0x80) return { start: 2, length: first };
  const octets = first & 0x7f;
  // 0x80 is BER's indefinite form; more than 4 length octets cannot describe a block we accept.
  if (octets === 0 || octets > 4 || der.length < 2 + octets || der[2] === 0) return null;
  let length = 0;
  for (let i = 0; i < octets; i++) length = length * 256 + der[2 + i]!;
  if (length < 0x80) return null;
  return { start: 2 + octets, length };
}
