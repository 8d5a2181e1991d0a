// The one thing allowed after the End Of Central Directory: a legacy signature block appended by
// `mcpb sign` (MCPB_SIG_V1) or its DXT predecessor. Layout: ASCII header, uint32 LE length, that
// many bytes of DER (a CMS SignedData), ASCII footer ending the file. This module only finds and
// frames the block; checking the signature belongs to lib/legacy.

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

/** Largest block accepted: a CMS SignedData with a certificate chain is a few kilobytes. */
export const MAX_SIGNATURE_BLOCK = 1024 * 1024;

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
 * anywhere else (a second zip after the footer, padding between DER and footer) do not frame.
 */
export function frameSignatureBlock(tail: Buffer, fileSize: number): FramingResult {
  const tailStart = fileSize - tail.length;
  for (const format of SIGNATURE_BLOCK_FORMATS) {
    if (tail.length < format.footer.length || !tail.subarray(tail.length - format.footer.length).equals(format.footer)) continue;
    const footerStart = tail.length - format.footer.length;
    // Walk back through every header occurrence; the one whose length field lands on the footer frames the block.
    let searchFrom = footerStart - 4 - format.header.length;
    while (searchFrom >= 0) {
      const at = tail.lastIndexOf(format.header, searchFrom);
      if (at < 0) break;
      const lengthAt = at + format.header.length;
      if (lengthAt + 4 <= footerStart) {
        const derLength = tail.readUInt32LE(lengthAt);
        if (lengthAt + 4 + derLength === footerStart) {
          const block: SignatureBlock = {
            kind: format.kind,
            offset: tailStart + at,
            length: fileSize - (tailStart + at),
            derOffset: tailStart + lengthAt + 4,
            derLength,
          };
          return { found: 'block', block };
        }
      }
      searchFrom = at - 1;
    }
    return { found: 'malformed', kind: format.kind, reason: `the ${format.kind} block's length does not reach its footer` };
  }
  return { found: 'none' };
}
