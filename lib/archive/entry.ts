// What the reader tells its callers about one entry. Everything here comes from the central
// directory, the one authority (yauzl's rule); the scan checks the local headers against it.

export type EntryKind = 'file' | 'directory';

export interface ArchiveEntry {
  /** Position in the central directory. */
  readonly index: number;
  /** The decoded, validated name; directories end with `/`. */
  readonly name: string;
  readonly kind: EntryKind;
  /** 0 (stored) or 8 (deflated). */
  readonly method: number;
  readonly flags: number;
  readonly crc32: number;
  readonly compressedSize: number;
  /** Uncompressed size: extraction produces exactly this many bytes or fails. */
  readonly size: number;
  readonly localHeaderOffset: number;
  /** The mode the extractor gives it: 0o644, or 0o755 for executables and directories. */
  readonly mode: number;
  /** The name bytes as stored, to compare with the local header. */
  readonly rawName: Buffer;
  /** Whether the entry needed zip64 fields in the central directory. */
  readonly zip64: boolean;
}
