// Reading a legacy block from an open archive. The archive reader has already framed it (header,
// uint32 LE length, DER, footer ending the file; nothing else after the end record) and checked
// that the end record's comment length is 0 or the block's length; this module reads the DER and
// works out which bytes the signature covers.

import type { Archive } from '../archive/reader.ts';
import type { SignatureBlockKind } from '../archive/signature-block.ts';
import { EOCD_SIZE, MAX_COMMENT, SIG_CENTRAL, SIG_EOCD, SIG_LOCAL, SIG_ZIP64_EOCD, SIG_ZIP64_LOCATOR } from '../archive/format.ts';

/**
 * How the end record's comment length relates to the block, which decides the bytes signed:
 * - `zero-comment-length`: 0 in the file and at signing (`mcpb sign` 2.1.2). Strict zip readers
 *   (yauzl, Claude Desktop) refuse such a file: bytes follow the end record undeclared.
 * - `signed-comment-length`: the block's length, set before the digest was taken (mcpseal). The
 *   file opens in strict readers and the signature covers the field as it is.
 * - `patched-comment-length`: the block's length in the file, but 0 when the digest was taken (a
 *   signer that patches the field after signing). The two variants differ only in that field,
 *   and both describe the same zip, so accepting either exposes nothing.
 */
export type LegacyLayout = 'zero-comment-length' | 'signed-comment-length' | 'patched-comment-length';

/**
 * Largest legacy block verified, header to footer: the most the end record's 2-byte comment
 * length can declare (APPNOTE 4.3.16), so every accepted block could also be written in the
 * strict-reader layout. A SignedData with a chain of a few certificates is 2-8 KB; `mcpb sign`
 * and `signLegacy` produce nothing near the cap. (The archive reader frames blocks up to its own,
 * larger window; this is the cap on what the legacy verifier parses.)
 */
export const MAX_LEGACY_BLOCK_SIZE = MAX_COMMENT;

/**
 * The 4-byte zip record signatures a reader could take for a record inside the block: local and
 * central headers, the end record, the zip64 end record and locator (APPNOTE 4.3.7, 4.3.12,
 * 4.3.14-4.3.16). Strict framing refuses a block holding any of them (a second archive inside the
 * block, issue 9 finding 1); the verifier refuses one too, and the signer never writes one.
 */
const ZIP_RECORD_SIGNATURES: readonly Buffer[] = [SIG_LOCAL, SIG_CENTRAL, SIG_EOCD, SIG_ZIP64_EOCD, SIG_ZIP64_LOCATOR].map((signature) => {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32LE(signature);
  return bytes;
});

export function holdsZipRecordSignature(bytes: Buffer): boolean {
  return ZIP_RECORD_SIGNATURES.some((signature) => bytes.includes(signature));
}

export interface LegacyBlock {
  kind: SignatureBlockKind;
  /** File offset of the block header: the signed bytes end here. */
  offset: number;
  /** Whole block length, header to footer. */
  length: number;
  der: Buffer;
  /** File offset of the end record's 2-byte comment length field. */
  commentLengthOffset: number;
  /** The comment length in the file: 0 or `length`. */
  commentLength: number;
  /** True when the comment length covers the block, so strict zip readers accept the file. */
  strictReaderCompatible: boolean;
}

/** The legacy block of `archive`, or null when it has none. */
export async function readLegacyBlock(archive: Archive): Promise<LegacyBlock | null> {
  const framed = archive.layout.signatureBlock;
  if (!framed) return null;
  const commentLengthOffset = archive.layout.eocdOffset + EOCD_SIZE - 2;
  const commentLength = (await archive.source.read(commentLengthOffset, 2)).readUInt16LE(0);
  return {
    kind: framed.kind,
    offset: framed.offset,
    length: framed.length,
    der: await archive.source.read(framed.derOffset, framed.derLength),
    commentLengthOffset,
    commentLength,
    strictReaderCompatible: commentLength === framed.length,
  };
}
