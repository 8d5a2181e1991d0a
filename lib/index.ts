// The public API of mcpseal. Every export is listed by name so the surface changes only on
// purpose; test/api.test.ts imports each one.

// First: on an older Node, importing mcpseal stops here with USAGE_UNSUPPORTED_RUNTIME (issue 14 item 7).
import './runtime.ts';
export { MCPSealError, isMCPSealError, isRejection } from './errors.ts';
export type {
  ErrorCode,
  ArchiveErrorCode,
  ManifestErrorCode,
  ScopeErrorCode,
  SignatureErrorCode,
  IdentityErrorCode,
  AttestationErrorCode,
  TrustRootErrorCode,
  IoErrorCode,
  InternalErrorCode,
  UsageErrorCode,
  ErrorDetails,
} from './errors.ts';

export { defaultLimits, resolveLimits } from './limits.ts';
export type { Limits, ArchiveLimits } from './limits.ts';

export {
  Archive,
  extractArchive,
  writeArchive,
  collectSourceFiles,
  validateEntryName,
  collisionKey,
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
  ReadableHandle,
  ScanOptions,
  ScanResult,
  SignatureBlock,
  SignatureBlockKind,
  SourceFile,
  WriteOptions,
  WriteResult,
} from './archive/index.ts';

export { readManifest, parseManifest, summarizeManifest, MANIFEST_NAME } from './manifest/load.ts';
export type { ManifestSummary } from './manifest/load.ts';
export { reviewManifest } from './report/review.ts';
export type { Review, TouchRow, UserConfigRow } from './report/review.ts';

export { packBundle } from './pack.ts';
export type { PackOptions, PackResult } from './pack.ts';
export { inspectBundle } from './inspect.ts';
export { sidecarPath } from './sigstore/sidecar.ts';
export type { InspectOptions, InspectResult } from './inspect.ts';
export { unpackBundle, unpackOpenArchive } from './unpack.ts';
export type { UnpackOptions, UnpackResult } from './unpack.ts';

export { validateManifest, assertValidManifest, PROFILES } from './scopes/validate.ts';
export type { Profile, ValidateOptions, ValidationResult } from './scopes/validate.ts';
export { validateCompat, manifestSchemaUrl } from './manifest/schema.ts';
export type { SchemaResult } from './manifest/schema.ts';
export { detectManifestVersion, MANIFEST_VERSIONS } from './manifest/versions.ts';
export type { ManifestVersion } from './manifest/versions.ts';
export type { Finding, FindingSeverity, FindingCode } from './manifest/findings.ts';
export { loadManifestSource } from './manifest-source.ts';
export type { ManifestSource, ManifestSourceKind } from './manifest-source.ts';
export { scopeFindings, SCOPE_CODES } from './scopes/check.ts';
export { hardenedFindings, HARDENED_CODES } from './manifest/hardened.ts';
export type { HardenedContext } from './manifest/hardened.ts';
export { suggestScopes } from './scopes/suggest.ts';
export { suggestFromEvidence } from './scopes/suggest-evidence.ts';
export type { EvidenceDraft, Question, Reasons, Why } from './scopes/suggest-evidence.ts';
export { suggestFromPath, defaultPythonParser } from './suggest.ts';
export type { SuggestOptions, SuggestResult } from './suggest.ts';
export { analyzeSources } from './analysis/analyze.ts';
export type { AnalysisInput, AnalyzeOptions } from './analysis/analyze.ts';
export type { AnalysisReport, AnalysisStats, Evidence, Observation, ObservationKind, PathExpression, PathOrigin, PythonFacts, PythonParser, PythonValue, Unknown, UnknownReason } from './analysis/model.ts';
export { resolveScopePaths, symbolicPathWithin } from './scopes/variables.ts';
export { resolveScopes } from './scopes/variables.ts';
export type { ResolvedScopes } from './scopes/variables.ts';
export { egressHostProblem } from './scopes/hosts.ts';
export type { HostProblem } from './scopes/hosts.ts';
export type { ResolveContext, ResolvedPath, Platform } from './scopes/variables.ts';
export { variableReferences, KNOWN_VARIABLES, PATH_VARIABLES } from './manifest/variables.ts';
export type { VariableReference } from './manifest/variables.ts';
export { ENV_RULES } from './manifest/environment.ts';
export type { EnvRule, EnvVerdict } from './manifest/environment.ts';
export { scopesOf, SCOPES_NAMESPACE, SCOPES_POINTER } from './scopes/model.ts';
export { runtimeGrants } from './scopes/model.ts';
export type { Grant, UserDrivenEgress, RuntimeGrants, MachineGrants, ConfigAnswer } from './scopes/model.ts';
export type { Scopes, EgressRule } from './scopes/model.ts';

export { verifyArtifact } from './verify-artifact.ts';
export type { VerifyArtifactOptions, ArtifactVerification } from './verify-artifact.ts';
export { verifyBundle, verifyOpenArchive } from './verify.ts';
export type { VerifyBundleOptions, BundleVerification } from './verify.ts';
export type { RegistryOptions } from './verify.ts';
export { registryEntry } from './registry-entry.ts';
export type { RegistryEntryOptions, RegistryEntryResult } from './registry-entry.ts';
export { auditPath } from './audit-bundle.ts';
export type { AuditOptions } from './audit-bundle.ts';
export type { AuditCheckers } from './audit/facts.ts';
export type { AuditReport, AuditFinding, RiskResult, RiskStatus, ChannelEntry } from './audit/model.ts';
export { checkServerJson, registrySigner, readServerJson, mcpbPackageEntry, serverSchemaProblems, SERVER_SCHEMA_URL } from './registry/index.ts';
export type { ServerJsonCheck, ServerJsonFacts, RegistrySigner, NamespaceCheck, McpbPackageEntry, SchemaProblem } from './registry/index.ts';
export { signBundle, digestArchive } from './sign.ts';
export type { SignBundleOptions, SignResult, BuildContext, SigningMethod, KeyedSigning, KeylessSigning, CustomSigning, Signer, SignerKey } from './sign.ts';
export { generateKeyPair } from './keygen.ts';
export type { KeyPairFiles } from './keygen.ts';
export { certificateIdentity, checkIdentity, anchoredPattern, hasIdentityPolicy, completePolicy, FULCIO_OIDS, GITHUB_ACTIONS_ISSUER } from './sigstore/identity.ts';
export type { CertificateIdentity, IdentityPolicy } from './sigstore/identity.ts';
export { trustMaterialFrom, staticTrustRoot } from './sigstore/trust.ts';
export type { TrustRootProvider } from './sigstore/trust.ts';
export { readTrustedRoot, readPinnedTrustedRoot, pinnedTrustRoot, fileTrustRoot, PINNED_TRUSTED_ROOT } from './sigstore/trust-files.ts';
export { parseSigstoreBundle } from './sigstore/verify.ts';
export type { VerifiedSignature } from './sigstore/verify.ts';
export { identityTokenSource } from './sigstore/oidc.ts';
export type { TokenEnvironment } from './sigstore/oidc.ts';
export {
  buildStatement,
  parseStatement,
  provenanceView,
  IN_TOTO_PAYLOAD_TYPE,
  STATEMENT_TYPE_V1,
  SLSA_PROVENANCE_V1,
  MCPSEAL_BUILD_TYPE,
  LOCAL_BUILDER_ID,
  GITHUB_WORKFLOW_BUILD_TYPE,
  ACCEPTED_BUILD_TYPES,
} from './attest/statement.ts';
export type { Statement, ResourceDescriptor, ProvenanceView, WorkflowInfo } from './attest/statement.ts';

export { readLegacyBlock, verifyLegacySignature, legacyStatusOf, signLegacy } from './legacy/index.ts';
export type {
  LegacyBlock,
  LegacyLayout,
  LegacyStatus,
  LegacyVerification,
  LegacyVerifyOptions,
  LegacySignOptions,
  LegacySignResult,
  LegacyCertificateInfo,
} from './legacy/index.ts';
export type { LegacyErrorCode } from './errors.ts';
export type { RegistryErrorCode } from './errors.ts';

// Install policy (DESIGN.md "Install policy, store and lockfile").
export { loadPolicy, parsePolicy } from './policy/load.ts';
export type { LoadPolicyOptions, ParsePolicyOptions } from './policy/load.ts';
export { evaluatePolicy, policyRefusal } from './policy/evaluate.ts';
export type { PolicySubject } from './policy/evaluate.ts';
export { verifyWithPolicy, verifyOpenArchiveWithPolicy, choosePolicySigner } from './policy/verify.ts';
export type { PolicyVerification, PolicyVerifyOptions, PolicyBundleVerification, PolicySigner, PolicyWinner } from './policy/verify.ts';
export { globMatches, hostCovers, parseHostPattern } from './policy/patterns.ts';
export { pathWithin, scopeExcesses } from './policy/contain.ts';
export type { Policy, PolicyPublisher, MaxScopes, PolicyDecision, RuleOutcome, ScopeExcess, SignerFact, PublisherAttempt, PolicyRefusalCode } from './policy/model.ts';
export type { PolicyErrorCode } from './errors.ts';

export { installBundle, installWithPolicy, defaultStoreDir } from './install-bundle.ts';
export type { InstallOptions, InstallResult, InstallFacts, AdmitResult, PolicyInstallOptions } from './install-bundle.ts';
export { readLock, serializeLock, LOCK_VERSION } from './install/lockfile.ts';
export type { Lock, LockEntry, LockSigner, LockLogEntry, LockGrants, LockConfigValue, LockEntries } from './install/lockfile.ts';
export { listInstalled, removeBundle } from './install/installed.ts';
export type { LockLocation, RemoveResult, InstallOutcome, ReinstallFlags } from './install/installed.ts';
export type { Escalation } from './install/grants.ts';
export type { InstallErrorCode } from './errors.ts';

// Tool pinning and client configs (issue 12 items 6 and 7).
export { relayStdio, TOOL_WITHHELD_ERROR } from './launch/relay.ts';
export type { RelayOptions } from './launch/relay.ts';
export { canonicalJson, toolHash, compareTools, PINNED_FIELDS } from './launch/tool-pins.ts';
export type { ToolPin, ToolPins, ToolChange, ToolChangeKind, ToolComparison } from './launch/tool-pins.ts';
export { toolLockHooks } from './install/tool-state.ts';
export type { ToolLockHooks, AcceptResult } from './install/tool-state.ts';
export type { LockTool, LockToolChange } from './install/lockfile.ts';
export { listTools, acceptTools } from './tools.ts';
export type { ToolsReport } from './tools.ts';
export { clientConfig, writeClientConfig, CLIENT_KINDS, CLIENT_FORMATS } from './client-config.ts';
export type { ClientKind, ClientConfig, ClientConfigOptions, ClientConfigWriteResult } from './client-config.ts';
