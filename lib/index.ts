// The public API of mcpseal. Every export is listed by name so the surface changes only on
// purpose; test/api.test.ts imports each one.

export { MCPSealError, isMCPSealError, isRejection } from './errors.ts';
export type { ErrorCode, ArchiveErrorCode, ManifestErrorCode, SignatureErrorCode, IoErrorCode, UsageErrorCode, ErrorDetails } from './errors.ts';

export {
  Archive,
  extractArchive,
  writeArchive,
  collectSourceFiles,
  validateEntryName,
  collisionKey,
  defaultLimits,
  resolveLimits,
  bufferSource,
  fileHandleSource,
  openFileSource,
  frameSignatureBlock,
  DEFAULT_JUNK_PATTERNS,
  DEFAULT_SECRET_PATTERNS,
  DEFAULT_TIMESTAMP,
  MAX_SEGMENT_BYTES,
} from './archive/index.ts';
export type {
  ArchiveEntry,
  ArchiveLayout,
  ArchiveLimits,
  ByteSource,
  ChunkSink,
  CollectOptions,
  CollectResult,
  EntryKind,
  EntryVisitor,
  ExcludedFile,
  ExtractOptions,
  ExtractResult,
  NameLimits,
  NameProblem,
  OpenArchiveOptions,
  ScanOptions,
  ScanResult,
  SignatureBlock,
  SignatureBlockKind,
  SourceFile,
  WriteOptions,
  WriteResult,
} from './archive/index.ts';

export { readManifest, parseManifest, summarizeManifest, MANIFEST_NAME, MAX_MANIFEST_SIZE } from './manifest/load.ts';
export type { ManifestSummary } from './manifest/load.ts';

export { packBundle } from './pack.ts';
export type { PackOptions, PackResult } from './pack.ts';
export { inspectBundle, sidecarPath } from './inspect.ts';
export type { InspectOptions, InspectResult } from './inspect.ts';
export { unpackBundle } from './unpack.ts';
export type { UnpackOptions, UnpackResult } from './unpack.ts';
