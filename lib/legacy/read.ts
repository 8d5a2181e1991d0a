// Reading a legacy block from an open archive. The archive reader has already framed it (header,
// uint32 LE length, DER, footer ending the file; nothing else after the end record) and checked
// that the end record's comment length is 0 or the block's length; this module reads the DER and
// works out which bytes the signature covers.

import type { Archive } from '../archive/reader.ts';
import { zipRecordIn, type SignatureBlockKind } from '../archive/signature-block.ts';
import { EOCD_SIZE, MAX_COMMENT } from '../archive/format.ts';

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
 * Whether `bytes` hold a zip record signature (the archive module's one list): strict framing
 * refuses a block holding one (a second archive inside the block, issue 9 finding 1); the
 * verifier refuses one too, and the signer never writes one.
 */
export function holdsZipRecordSignature(bytes: Buffer): boolean {
  return zipRecordIn(bytes) !== null;
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
