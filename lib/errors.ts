// One error class for the whole library. The `code` is public API: it is documented in the
// README, pinned by tests, and never derived from a message text.

/** Archive rules (lib/archive): each code names the one rule an archive broke. */
export type ArchiveErrorCode =
  | 'ARCHIVE_TOO_SMALL'
  | 'ARCHIVE_NO_EOCD'
  | 'ARCHIVE_MULTIPLE_EOCD'
  | 'ARCHIVE_MULTIDISK'
  | 'ARCHIVE_BAD_ZIP64'
  | 'ARCHIVE_BAD_CENTRAL_DIRECTORY'
  | 'ARCHIVE_ENTRY_COUNT_MISMATCH'
  | 'ARCHIVE_BAD_EXTRA_FIELD'
  | 'ARCHIVE_PREPENDED_DATA'
  | 'ARCHIVE_TRAILING_DATA'
  | 'ARCHIVE_BAD_SIGNATURE_BLOCK'
  | 'ARCHIVE_HIDDEN_DATA'
  | 'ARCHIVE_OVERLAPPING_ENTRIES'
  | 'ARCHIVE_OUT_OF_BOUNDS'
  | 'ARCHIVE_BAD_LOCAL_HEADER'
  | 'ARCHIVE_HEADER_MISMATCH'
  | 'ARCHIVE_BAD_DATA_DESCRIPTOR'
  | 'ARCHIVE_ENCRYPTED'
  | 'ARCHIVE_UNSUPPORTED_METHOD'
  | 'ARCHIVE_SYMLINK'
  | 'ARCHIVE_SPECIAL_FILE'
  | 'ARCHIVE_BAD_DIRECTORY_ENTRY'
  | 'ARCHIVE_NAME_EMPTY'
  | 'ARCHIVE_NAME_ENCODING'
  | 'ARCHIVE_NAME_CONTROL_CHAR'
  | 'ARCHIVE_NAME_BACKSLASH'
  | 'ARCHIVE_NAME_FORBIDDEN_CHAR'
  | 'ARCHIVE_ABSOLUTE_PATH'
  | 'ARCHIVE_PATH_TRAVERSAL'
  | 'ARCHIVE_NAME_NOT_CANONICAL'
  | 'ARCHIVE_PATH_TOO_LONG'
  | 'ARCHIVE_PATH_TOO_DEEP'
  | 'ARCHIVE_DUPLICATE_ENTRY'
  | 'ARCHIVE_NAME_COLLISION'
  | 'ARCHIVE_PATH_CONFLICT'
  | 'ARCHIVE_TOO_MANY_ENTRIES'
  | 'ARCHIVE_ENTRY_TOO_LARGE'
  | 'ARCHIVE_TOTAL_TOO_LARGE'
  | 'ARCHIVE_COMPRESSION_RATIO'
  | 'ARCHIVE_SIZE_MISMATCH'
  | 'ARCHIVE_CRC_MISMATCH'
  | 'ARCHIVE_CORRUPT_DATA'
  | 'ARCHIVE_CHANGED_DURING_READ'
  | 'ARCHIVE_SOURCE_SYMLINK_OUTSIDE'
  | 'ARCHIVE_SOURCE_UNSUPPORTED_FILE';

export type ManifestErrorCode =
  | 'MANIFEST_MISSING'
  | 'MANIFEST_INVALID_JSON'
  | 'MANIFEST_TOO_LARGE'
  /** Neither `manifest_version` nor `dxt_version` names a known manifest version. */
  | 'MANIFEST_UNKNOWN_VERSION'
  /** The manifest breaks the JSON Schema of its version (compat profile). */
  | 'MANIFEST_SCHEMA'
  /** Validation found at least one error finding; the findings carry their own codes. */
  | 'MANIFEST_INVALID';

/** Scope declarations (lib/scopes), as thrown errors; validation reports them as findings. */
export type ScopeErrorCode = 'SCOPE_UNKNOWN_VARIABLE' | 'SCOPE_RELATIVE_PATH';

/** Sigstore bundles and signatures: which of absent / malformed / invalid / untrusted happened. */
export type SignatureErrorCode =
  | 'SIGNATURE_ABSENT'
  | 'SIGNATURE_MALFORMED'
  | 'SIGNATURE_INVALID'
  | 'SIGNATURE_UNTRUSTED'
  | 'SIGNATURE_TLOG_REQUIRED'
  | 'SIGNATURE_SIGNING_FAILED';

/**
 * Legacy `MCPB_SIG_V1` / `DXT_SIG_V1` PKCS#7 blocks (lib/legacy). A family of its own, apart from
 * `SIGNATURE_*`: a bundle can carry both kinds at once and a report must say which one failed.
 * `verifyLegacySignature` returns these as the reason for a non-valid status (see
 * `legacyStatusOf`); only the signing codes and `LEGACY_ABSENT` (when a caller requires a block)
 * are thrown.
 */
export type LegacyErrorCode =
  /** No legacy block (status `absent`). */
  | 'LEGACY_ABSENT'
  /** The block's DER is not a well-formed CMS SignedData of the shape RFC 5652 §5 describes (status `invalid`). */
  | 'LEGACY_MALFORMED'
  /** A digest or signature algorithm (or key size) mcpseal does not accept (status `invalid`). */
  | 'LEGACY_UNSUPPORTED_ALGORITHM'
  /** No certificate in the block matches the SignerInfo's signer identifier (status `invalid`). */
  | 'LEGACY_SIGNER_NOT_FOUND'
  /** The messageDigest attribute does not match the signed bytes: the bundle was changed (status `invalid`). */
  | 'LEGACY_DIGEST_MISMATCH'
  /** The signature over the signed attributes does not verify (status `invalid`). */
  | 'LEGACY_BAD_SIGNATURE'
  /** Intact, but the signer's certificate is self-signed and not a trust anchor (status `untrusted`). */
  | 'LEGACY_SELF_SIGNED'
  /** Intact, but no chain from the signer's certificate reaches a trust anchor (status `untrusted`). */
  | 'LEGACY_UNTRUSTED'
  /** Intact and chained, but the signer's certificate lacks the codeSigning extended key usage (status `untrusted`). */
  | 'LEGACY_NOT_CODE_SIGNING'
  /** A certificate of the chain is not valid at the signing time (status `untrusted`). */
  | 'LEGACY_CERTIFICATE_EXPIRED'
  /** A certificate of the chain breaks a constraint (not a CA, path length, key usage, unknown critical extension) (status `untrusted`). */
  | 'LEGACY_CERTIFICATE_REJECTED'
  /** The signingTime attribute lies in the future (status `untrusted`). */
  | 'LEGACY_SIGNING_TIME'
  /** Signing refused: the bundle already carries a legacy block. */
  | 'LEGACY_ALREADY_SIGNED'
  /** Signing refused: the archive cannot take a block in the strict layout (it has a comment, or the block would not fit the comment length field). */
  | 'LEGACY_UNSIGNABLE';

export type IdentityErrorCode = 'IDENTITY_MISMATCH' | 'IDENTITY_POLICY_REQUIRED';

export type AttestationErrorCode =
  | 'ATTESTATION_MALFORMED'
  | 'ATTESTATION_PAYLOAD_TYPE'
  | 'ATTESTATION_SUBJECT_MISMATCH'
  | 'ATTESTATION_PREDICATE_MISMATCH';

export type TrustRootErrorCode = 'TRUST_ROOT_INVALID' | 'TRUST_ROOT_UNAVAILABLE';

export type IoErrorCode =
  | 'IO_INTERRUPTED'
  | 'IO_NOT_FOUND'
  | 'IO_READ_FAILED'
  | 'IO_WRITE_FAILED'
  | 'IO_TARGET_EXISTS'
  | 'IO_TARGET_NOT_EMPTY';

/** A bug in mcpseal: something failed that no rule or input explains. */
export type InternalErrorCode = 'INTERNAL_ERROR';

export type UsageErrorCode = 'USAGE_INVALID_ARGUMENT' | 'USAGE_UNKNOWN_COMMAND' | 'USAGE_MISSING_ARGUMENT';

export type ErrorCode =
  | ArchiveErrorCode
  | ManifestErrorCode
  | ScopeErrorCode
  | SignatureErrorCode
  | LegacyErrorCode
  | IdentityErrorCode
  | AttestationErrorCode
  | TrustRootErrorCode
  | IoErrorCode
  | InternalErrorCode
  | UsageErrorCode;

/** Structured details an error may carry (ssri-style `expected`/`found`). */
export interface ErrorDetails {
  entry?: string;
  path?: string;
  offset?: number;
  expected?: unknown;
  found?: unknown;
  limit?: string;
  [key: string]: unknown;
}

export interface MCPSealErrorOptions {
  details?: ErrorDetails;
  cause?: unknown;
}

export class MCPSealError extends Error {
  override readonly name = 'MCPSealError';
  readonly code: ErrorCode;
  readonly details: ErrorDetails;

  constructor(code: ErrorCode, message: string, options: MCPSealErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details ?? {};
  }

  /** The JSON form the CLI prints under `error` with `--json`. */
  toJSON(): { code: ErrorCode; message: string; details: ErrorDetails } {
    return { code: this.code, message: this.message, details: this.details };
  }
}

/** True for errors that mean "the input was refused" (exit 1) rather than "could not run" (exit 2). */
export function isRejection(code: ErrorCode): boolean {
  return !(
    code.startsWith('IO_') ||
    code.startsWith('USAGE_') ||
    code.startsWith('TRUST_ROOT_') ||
    code === 'IDENTITY_POLICY_REQUIRED' ||
    code === 'SIGNATURE_SIGNING_FAILED' ||
    code === 'INTERNAL_ERROR'
  );
}

export function isMCPSealError(value: unknown): value is MCPSealError {
  return value instanceof MCPSealError;
}
