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
  /** A name segment Windows cannot create as named: a device name (CON, NUL, COM1, LPT¹, CONIN$, ...) or a trailing dot or space. */
  | 'ARCHIVE_WINDOWS_RESERVED_NAME'
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
  | 'ARCHIVE_SOURCE_UNSUPPORTED_FILE'
  /** pack: a file whose name passes the secret rules but whose content holds a private key, cloud credentials or a token. */
  | 'ARCHIVE_SOURCE_SECRET'
  /** pack: a pnpm node_modules (symlinks into node_modules/.pnpm), which packs as copies and no longer resolves. */
  | 'ARCHIVE_SOURCE_PNPM_LAYOUT';

export type ManifestErrorCode =
  | 'MANIFEST_MISSING'
  | 'MANIFEST_INVALID_JSON'
  | 'MANIFEST_TOO_LARGE'
  /** manifest.json nests deeper than `maxManifestDepth` (refused before any recursive check). */
  | 'MANIFEST_TOO_DEEP'
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
  /** The SignerInfo carries unsigned attributes: bytes no signature binds, refused whatever they hold (status `invalid`). */
  | 'LEGACY_UNSIGNED_ATTRIBUTE'
  /** The block carries a certificate the verified path does not use: bytes no signature binds (status `invalid`). */
  | 'LEGACY_UNUSED_CERTIFICATE'
  /** The block is larger than the most the end record's comment length can declare, 65,535 bytes (status `invalid`). */
  | 'LEGACY_BLOCK_TOO_LARGE'
  /** Signing refused: the bundle already carries a legacy block. */
  | 'LEGACY_ALREADY_SIGNED'
  /** Signing refused: the archive cannot take a block in the strict layout (it has a comment, or the block would not fit the comment length field). */
  | 'LEGACY_UNSIGNABLE'
  /** Signing refused: the key is not RSA; the official mcpb tool and Claude Desktop read RSA signers only ("OID is not RSA"). */
  | 'LEGACY_KEY_NOT_RSA';

export type IdentityErrorCode = 'IDENTITY_MISMATCH' | 'IDENTITY_POLICY_REQUIRED';

export type AttestationErrorCode =
  | 'ATTESTATION_MALFORMED'
  | 'ATTESTATION_PAYLOAD_TYPE'
  | 'ATTESTATION_SUBJECT_MISMATCH'
  | 'ATTESTATION_PREDICATE_MISMATCH'
  /** The statement is not provenance mcpseal accepts (SLSA v1 with mcpseal's or GitHub's workflow build type): a test result, an SBOM, ... */
  | 'ATTESTATION_PREDICATE_TYPE';

export type PolicyErrorCode =
  /** The install policy file cannot be used (malformed JSON, an unknown key, a bad regexp, glob, host pattern or path, a missing or non-public key file, a keyless publisher that names no one); details.pointer locates it. */
  | 'POLICY_INVALID'
  /** The policy's deny list names the bundle (its manifest name or its sha256). */
  | 'POLICY_DENIED'
  /** The bundle has no signature and the policy does not set allowUnsigned. */
  | 'POLICY_UNSIGNED'
  /** No publisher of the policy whose bundles globs match the bundle's name verified the signature. */
  | 'POLICY_PUBLISHER_UNTRUSTED'
  /** The signature verifies for a publisher of the policy whose bundles globs do not cover the bundle's name (namespace squatting). */
  | 'POLICY_NAME_NOT_ALLOWED'
  /** The manifest's server.type is not one the policy lists in serverTypes. */
  | 'POLICY_SERVER_TYPE'
  /** A declared scope reaches beyond the policy's maxScopes; details.pointer names the first, details.exceeded every one. */
  | 'POLICY_SCOPE_EXCEEDED';

export type TrustRootErrorCode = 'TRUST_ROOT_INVALID' | 'TRUST_ROOT_UNAVAILABLE';

/** An MCP registry `server.json` (lib/registry) checked against the bundle it should describe. */
export type RegistryErrorCode =
  /** The server.json is not JSON, breaks the registry's published schema, is too large, or its mcpb package breaks the registry's mcpb rules. */
  | 'REGISTRY_INVALID'
  /** The server.json lists no `mcpb` package for this file. */
  | 'REGISTRY_PACKAGE_MISSING'
  /** The `mcpb` package for this file records a `fileSha256` other than the file's sha256. */
  | 'REGISTRY_DIGEST_MISMATCH'
  /** An `io.github.OWNER/...` name whose OWNER is not the keyless signer's source repository owner. */
  | 'REGISTRY_NAMESPACE_MISMATCH';

/** The audit's input errors (`mcpseal audit`). */
export type AuditErrorCode =
  /** An audited JSON file that is not JSON, not a client config nor a server.json, or a client config whose server map is not an object. */
  | 'AUDIT_INPUT_INVALID';

export type IoErrorCode =
  | 'IO_INTERRUPTED'
  | 'IO_NOT_FOUND'
  | 'IO_READ_FAILED'
  | 'IO_WRITE_FAILED'
  | 'IO_TARGET_EXISTS'
  | 'IO_TARGET_NOT_EMPTY';

/** The install store and its lockfile (lib/install, `install`, `list`, `remove`). */
export type InstallErrorCode =
  /** A reinstall would lower the recorded version (semver), without --allow-downgrade. */
  | 'INSTALL_DOWNGRADE'
  /** A reinstall whose scopes or grants exceed the recorded ones, without --accept-scopes. */
  | 'SCOPE_ESCALATION'
  /** A --user-config value the manifest's user_config refuses (unknown key, type, range, missing required, a literal secret). */
  | 'INSTALL_USER_CONFIG'
  /** `remove` of a name the lockfile does not hold. */
  | 'INSTALL_NOT_INSTALLED'
  /** The lockfile is not valid JSON or not the lock format; it is never rewritten silently. */
  | 'LOCK_INVALID'
  /** Another process held the lockfile's lock beyond the wait timeout. */
  | 'LOCK_BUSY'
  /** A user_config answer recorded as an env:NAME reference names a variable that is not set at launch. */
  | 'LAUNCH_CONFIG_MISSING'
  /** `run --root DIR`: a root the bundle is not granted, that does not exist, or that the sandbox never shares (/, the home or above it, the store). */
  | 'LAUNCH_ROOT_REFUSED'
  /** `tools accept --tool T` for a tool with no pending change recorded by `run`. */
  | 'TOOLS_NOT_PENDING'
  /** `client-config --write FILE`: FILE is not a JSON object of the client's format; it was left untouched. */
  | 'CLIENT_CONFIG_INVALID'
  /** `run`: the installed tree differs from the entry digests recorded at install (a changed, added or removed file). */
  | 'INSTALL_TAMPERED'
  /** `run`: no usable sandbox on this machine (bubblewrap missing or not working; socat or perl missing for egress). */
  | 'SANDBOX_UNAVAILABLE';

/** A bug in mcpseal: something failed that no rule or input explains. */
export type InternalErrorCode = 'INTERNAL_ERROR';

export type UsageErrorCode =
  | 'USAGE_INVALID_ARGUMENT'
  | 'USAGE_UNKNOWN_COMMAND'
  | 'USAGE_MISSING_ARGUMENT'
  /** The Node.js running mcpseal is older than the supported versions (printed by the launcher). */
  | 'USAGE_UNSUPPORTED_RUNTIME'
  /** A checkout without its compiled dist/ (printed by the launcher: run `npm run build`). */
  | 'USAGE_NOT_BUILT'
  /** A private key was given where a public key is expected (`verify --key`): it is never silently turned into its public half. */
  | 'USAGE_KEY_NOT_PUBLIC';

export type ErrorCode =
  | ArchiveErrorCode
  | ManifestErrorCode
  | ScopeErrorCode
  | SignatureErrorCode
  | LegacyErrorCode
  | IdentityErrorCode
  | AttestationErrorCode
  | PolicyErrorCode
  | TrustRootErrorCode
  | RegistryErrorCode
  | AuditErrorCode
  | IoErrorCode
  | InstallErrorCode
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

/** What an error says about the input: `rejected` (exit 1) or mcpseal `failed` to do its job (exit 2). */
export type ExitClass = 'rejected' | 'failed';

/**
 * Every code's exit class, spelled out: a new code does not compile until someone decides whether
 * it means "the input was refused" or "could not run", and nothing is inferred from a prefix.
 */
export const EXIT_CLASS: Readonly<Record<ErrorCode, ExitClass>> = Object.freeze({
  ARCHIVE_TOO_SMALL: 'rejected',
  ARCHIVE_NO_EOCD: 'rejected',
  ARCHIVE_MULTIPLE_EOCD: 'rejected',
  ARCHIVE_MULTIDISK: 'rejected',
  ARCHIVE_BAD_ZIP64: 'rejected',
  ARCHIVE_BAD_CENTRAL_DIRECTORY: 'rejected',
  ARCHIVE_ENTRY_COUNT_MISMATCH: 'rejected',
  ARCHIVE_BAD_EXTRA_FIELD: 'rejected',
  ARCHIVE_PREPENDED_DATA: 'rejected',
  ARCHIVE_TRAILING_DATA: 'rejected',
  ARCHIVE_BAD_SIGNATURE_BLOCK: 'rejected',
  ARCHIVE_HIDDEN_DATA: 'rejected',
  ARCHIVE_OVERLAPPING_ENTRIES: 'rejected',
  ARCHIVE_OUT_OF_BOUNDS: 'rejected',
  ARCHIVE_BAD_LOCAL_HEADER: 'rejected',
  ARCHIVE_HEADER_MISMATCH: 'rejected',
  ARCHIVE_BAD_DATA_DESCRIPTOR: 'rejected',
  ARCHIVE_ENCRYPTED: 'rejected',
  ARCHIVE_UNSUPPORTED_METHOD: 'rejected',
  ARCHIVE_SYMLINK: 'rejected',
  ARCHIVE_SPECIAL_FILE: 'rejected',
  ARCHIVE_BAD_DIRECTORY_ENTRY: 'rejected',
  ARCHIVE_NAME_EMPTY: 'rejected',
  ARCHIVE_NAME_ENCODING: 'rejected',
  ARCHIVE_NAME_CONTROL_CHAR: 'rejected',
  ARCHIVE_NAME_BACKSLASH: 'rejected',
  ARCHIVE_NAME_FORBIDDEN_CHAR: 'rejected',
  ARCHIVE_WINDOWS_RESERVED_NAME: 'rejected',
  ARCHIVE_ABSOLUTE_PATH: 'rejected',
  ARCHIVE_PATH_TRAVERSAL: 'rejected',
  ARCHIVE_NAME_NOT_CANONICAL: 'rejected',
  ARCHIVE_PATH_TOO_LONG: 'rejected',
  ARCHIVE_PATH_TOO_DEEP: 'rejected',
  ARCHIVE_DUPLICATE_ENTRY: 'rejected',
  ARCHIVE_NAME_COLLISION: 'rejected',
  ARCHIVE_PATH_CONFLICT: 'rejected',
  ARCHIVE_TOO_MANY_ENTRIES: 'rejected',
  ARCHIVE_ENTRY_TOO_LARGE: 'rejected',
  ARCHIVE_TOTAL_TOO_LARGE: 'rejected',
  ARCHIVE_COMPRESSION_RATIO: 'rejected',
  ARCHIVE_SIZE_MISMATCH: 'rejected',
  ARCHIVE_CRC_MISMATCH: 'rejected',
  ARCHIVE_CORRUPT_DATA: 'rejected',
  ARCHIVE_CHANGED_DURING_READ: 'rejected',
  ARCHIVE_SOURCE_SYMLINK_OUTSIDE: 'rejected',
  ARCHIVE_SOURCE_UNSUPPORTED_FILE: 'rejected',
  ARCHIVE_SOURCE_SECRET: 'rejected',
  ARCHIVE_SOURCE_PNPM_LAYOUT: 'rejected',
  MANIFEST_MISSING: 'rejected',
  MANIFEST_INVALID_JSON: 'rejected',
  MANIFEST_TOO_LARGE: 'rejected',
  MANIFEST_TOO_DEEP: 'rejected',
  MANIFEST_UNKNOWN_VERSION: 'rejected',
  MANIFEST_SCHEMA: 'rejected',
  MANIFEST_INVALID: 'rejected',
  SCOPE_RELATIVE_PATH: 'rejected',
  SIGNATURE_ABSENT: 'rejected',
  SIGNATURE_MALFORMED: 'rejected',
  SIGNATURE_INVALID: 'rejected',
  SIGNATURE_UNTRUSTED: 'rejected',
  SIGNATURE_TLOG_REQUIRED: 'rejected',
  SIGNATURE_SIGNING_FAILED: 'failed',
  LEGACY_ABSENT: 'rejected',
  LEGACY_MALFORMED: 'rejected',
  LEGACY_UNSUPPORTED_ALGORITHM: 'rejected',
  LEGACY_SIGNER_NOT_FOUND: 'rejected',
  LEGACY_DIGEST_MISMATCH: 'rejected',
  LEGACY_BAD_SIGNATURE: 'rejected',
  LEGACY_SELF_SIGNED: 'rejected',
  LEGACY_UNTRUSTED: 'rejected',
  LEGACY_NOT_CODE_SIGNING: 'rejected',
  LEGACY_CERTIFICATE_EXPIRED: 'rejected',
  LEGACY_CERTIFICATE_REJECTED: 'rejected',
  LEGACY_SIGNING_TIME: 'rejected',
  LEGACY_UNSIGNED_ATTRIBUTE: 'rejected',
  LEGACY_UNUSED_CERTIFICATE: 'rejected',
  LEGACY_BLOCK_TOO_LARGE: 'rejected',
  LEGACY_ALREADY_SIGNED: 'rejected',
  LEGACY_KEY_NOT_RSA: 'failed',
  LEGACY_UNSIGNABLE: 'rejected',
  IDENTITY_POLICY_REQUIRED: 'failed',
  ATTESTATION_MALFORMED: 'rejected',
  ATTESTATION_PAYLOAD_TYPE: 'rejected',
  ATTESTATION_SUBJECT_MISMATCH: 'rejected',
  ATTESTATION_PREDICATE_MISMATCH: 'rejected',
  ATTESTATION_PREDICATE_TYPE: 'rejected',
  TRUST_ROOT_UNAVAILABLE: 'failed',
  IO_INTERRUPTED: 'failed',
  IO_NOT_FOUND: 'failed',
  IO_READ_FAILED: 'failed',
  IO_WRITE_FAILED: 'failed',
  IO_TARGET_EXISTS: 'failed',
  IO_TARGET_NOT_EMPTY: 'failed',
  USAGE_INVALID_ARGUMENT: 'failed',
  USAGE_UNKNOWN_COMMAND: 'failed',
  USAGE_MISSING_ARGUMENT: 'failed',
  USAGE_UNSUPPORTED_RUNTIME: 'failed',
  USAGE_NOT_BUILT: 'failed',
  USAGE_KEY_NOT_PUBLIC: 'failed',
  IDENTITY_MISMATCH: 'rejected',
  TRUST_ROOT_INVALID: 'failed',
  INTERNAL_ERROR: 'failed',
  SCOPE_UNKNOWN_VARIABLE: 'rejected',
  REGISTRY_INVALID: 'rejected',
  REGISTRY_PACKAGE_MISSING: 'rejected',
  REGISTRY_DIGEST_MISMATCH: 'rejected',
  REGISTRY_NAMESPACE_MISMATCH: 'rejected',
  AUDIT_INPUT_INVALID: 'rejected',
  POLICY_INVALID: 'failed',
  POLICY_DENIED: 'rejected',
  POLICY_UNSIGNED: 'rejected',
  POLICY_PUBLISHER_UNTRUSTED: 'rejected',
  POLICY_NAME_NOT_ALLOWED: 'rejected',
  POLICY_SERVER_TYPE: 'rejected',
  POLICY_SCOPE_EXCEEDED: 'rejected',
  INSTALL_DOWNGRADE: 'rejected',
  SCOPE_ESCALATION: 'rejected',
  INSTALL_USER_CONFIG: 'failed',
  INSTALL_NOT_INSTALLED: 'failed',
  LOCK_INVALID: 'failed',
  LOCK_BUSY: 'failed',
  LAUNCH_CONFIG_MISSING: 'failed',
  LAUNCH_ROOT_REFUSED: 'failed',
  TOOLS_NOT_PENDING: 'failed',
  CLIENT_CONFIG_INVALID: 'failed',
  INSTALL_TAMPERED: 'rejected',
  SANDBOX_UNAVAILABLE: 'failed',
});

/** True for errors that mean "the input was refused" (exit 1) rather than "could not run" (exit 2). */
export function isRejection(code: ErrorCode): boolean {
  return EXIT_CLASS[code] === 'rejected';
}

export function isMCPSealError(value: unknown): value is MCPSealError {
  return value instanceof MCPSealError;
}
