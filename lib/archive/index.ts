export { Archive, type EntryVisitor, type OpenArchiveOptions, type ScanOptions, type ScanResult } from './reader.ts';
export type { ArchiveEntry, EntryKind } from './entry.ts';
export type { ArchiveLayout } from './central-directory.ts';
export type { ChunkSink } from './entry-data.ts';
export { extractArchive, type ExtractOptions, type ExtractResult } from './extract.ts';
export { writeArchive, DEFAULT_TIMESTAMP, type WriteOptions, type WriteResult } from './writer.ts';
export {
  collectSourceFiles,
  DEFAULT_JUNK_PATTERNS,
  DEFAULT_SECRET_PATTERNS,
  type CollectOptions,
  type CollectResult,
  type ExcludedFile,
  type SourceFile,
} from './collect.ts';
export { validateEntryName, collisionKey, MAX_SEGMENT_BYTES, type NameLimits, type NameProblem } from './names.ts';
export { bufferSource, fileHandleSource, openFileSource, type ByteSource, type ReadableHandle } from './source.ts';
export { frameSignatureBlock, type SignatureBlock, type SignatureBlockKind } from './signature-block.ts';
