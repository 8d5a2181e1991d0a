// The public surface changes only on purpose: this list is the API (STYLE.md habit 6).

import assert from 'node:assert/strict';
import * as api from '../lib/index.ts';
import * as built from '../dist/index.js';

const VALUES = [
  'Archive',
  'DEFAULT_JUNK_PATTERNS',
  'DEFAULT_SECRET_PATTERNS',
  'DEFAULT_TIMESTAMP',
  'MANIFEST_NAME',
  'MAX_SEGMENT_BYTES',
  'MCPSealError',
  'bufferSource',
  'collectSourceFiles',
  'collisionKey',
  'defaultLimits',
  'extractArchive',
  'fileHandleSource',
  'frameSignatureBlock',
  'inspectBundle',
  'isMCPSealError',
  'isRejection',
  'openFileSource',
  'packBundle',
  'parseManifest',
  'readManifest',
  'resolveLimits',
  'sidecarPath',
  'summarizeManifest',
  'reviewManifest',
  'unpackBundle',
  'unpackOpenArchive',
  'validateEntryName',
  'writeArchive',
  // manifest validation and scopes
  'HARDENED_CODES',
  'ENV_RULES',
  'KNOWN_VARIABLES',
  'PATH_VARIABLES',
  'PROFILES',
  'SCOPE_CODES',
  'SCOPES_NAMESPACE',
  'SCOPES_POINTER',
  'hardenedFindings',
  'loadManifestSource',
  'resolveScopePaths',
  'scopeFindings',
  'scopesOf',
  'suggestScopes',
  'suggestFromEvidence',
  'suggestFromPath',
  'auditPath',
  'defaultPythonParser',
  'analyzeSources',
  'symbolicPathWithin',
  'resolveScopes',
  'runtimeGrants',
  'egressHostProblem',
  'validateCompat',
  // MCP registry binding
  'registryEntry',
  'checkServerJson',
  'registrySigner',
  'readServerJson',
  'mcpbPackageEntry',
  'serverSchemaProblems',
  'SERVER_SCHEMA_URL',
  'manifestSchemaUrl',
  'detectManifestVersion',
  'MANIFEST_VERSIONS',
  // install store and lockfile
  'installBundle',
  'installWithPolicy',
  'defaultStoreDir',
  'readLock',
  'serializeLock',
  'LOCK_VERSION',
  'listInstalled',
  'removeBundle',
  // signing and verification
  'verifyArtifact',
  'verifyBundle',
  'verifyOpenArchive',
  'signBundle',
  'digestArchive',
  'generateKeyPair',
  'certificateIdentity',
  'checkIdentity',
  'anchoredPattern',
  'hasIdentityPolicy',
  'completePolicy',
  'GITHUB_ACTIONS_ISSUER',
  'FULCIO_OIDS',
  'readTrustedRoot',
  'readPinnedTrustedRoot',
  'trustMaterialFrom',
  'PINNED_TRUSTED_ROOT',
  'pinnedTrustRoot',
  'fileTrustRoot',
  'staticTrustRoot',
  'parseSigstoreBundle',
  'identityTokenSource',
  'buildStatement',
  'parseStatement',
  'provenanceView',
  'IN_TOTO_PAYLOAD_TYPE',
  'STATEMENT_TYPE_V1',
  'SLSA_PROVENANCE_V1',
  'MCPSEAL_BUILD_TYPE',
  'LOCAL_BUILDER_ID',
  'GITHUB_WORKFLOW_BUILD_TYPE',
  'ACCEPTED_BUILD_TYPES',
  'validateManifest',
  'assertValidManifest',
  'variableReferences',
  // install policy
  'loadPolicy',
  'parsePolicy',
  'evaluatePolicy',
  'policyRefusal',
  'verifyWithPolicy',
  'verifyOpenArchiveWithPolicy',
  'choosePolicySigner',
  'globMatches',
  'hostCovers',
  'parseHostPattern',
  'pathWithin',
  'scopeExcesses',
  // legacy MCPB_SIG_V1 blocks
  'readLegacyBlock',
  'verifyLegacySignature',
  'legacyStatusOf',
  'signLegacy',
  // tool pinning and client configs
  'relayStdio',
  'TOOL_WITHHELD_ERROR',
  'canonicalJson',
  'toolHash',
  'compareTools',
  'PINNED_FIELDS',
  'toolLockHooks',
  'listTools',
  'acceptTools',
  'clientConfig',
  'writeClientConfig',
  'CLIENT_KINDS',
  'CLIENT_FORMATS',
];

describe('public API', () => {
  it('exports exactly the documented values', () => {
    assert.deepEqual(Object.keys(api).sort(), [...VALUES].sort());
  });

  it('the compiled package (exports map target) exports the same', () => {
    assert.deepEqual(Object.keys(built).sort(), [...VALUES].sort());
  });

  it('the limits defaults are the documented ones and frozen', () => {
    assert.deepEqual(
      { ...api.defaultLimits },
      {
        maxEntries: 100_000,
        maxTotalSize: 1024 ** 3,
        maxEntrySize: 512 * 1024 ** 2,
        maxCompressionRatio: 200,
        ratioThreshold: 1024 ** 2,
        maxPathLength: 1024,
        maxPathDepth: 64,
        maxCentralDirectorySize: 64 * 1024 ** 2,
        maxManifestSize: 1024 ** 2,
        maxManifestDepth: 32,
        maxSigstoreBundleSize: 16 * 1024 ** 2,
        maxTrustedRootSize: 1024 ** 2,
        maxPolicySize: 1024 ** 2,
        maxSignatureBlockSize: 1024 ** 2,
        maxAnalysisFiles: 20_000,
        maxAnalysisFileSize: 4 * 1024 ** 2,
        maxAnalysisTotalSize: 256 * 1024 ** 2,
        analysisTimeBudgetMs: 60_000,
        maxAnalysisObservationsPerFile: 5_000,
        maxServerJsonSize: 1024 ** 2,
        maxRelayMessage: 64 * 1024 ** 2,
        maxDependencyFileSize: 16 * 1024 ** 2,
        maxClientConfigSize: 16 * 1024 ** 2,
      },
    );
    assert.ok(Object.isFrozen(api.defaultLimits));
    const overrides = { maxEntries: 5 };
    const merged = api.resolveLimits(overrides);
    assert.equal(merged.maxEntries, 5);
    assert.deepEqual(overrides, { maxEntries: 5 }, 'the caller object is not mutated');
    assert.throws(() => api.resolveLimits({ maxEntries: -1 }), (error: unknown) => api.isMCPSealError(error) && error.code === 'USAGE_INVALID_ARGUMENT');
  });

  it('MCPSealError carries a code, details and a cause', () => {
    const cause = new Error('inner');
    const error = new api.MCPSealError('ARCHIVE_CRC_MISMATCH', 'bad', { details: { entry: 'a', expected: '1', found: '2' }, cause });
    assert.equal(error.code, 'ARCHIVE_CRC_MISMATCH');
    assert.equal(error.cause, cause);
    assert.deepEqual(error.toJSON(), { code: 'ARCHIVE_CRC_MISMATCH', message: 'bad', details: { entry: 'a', expected: '1', found: '2' } });
    assert.equal(api.isRejection('ARCHIVE_CRC_MISMATCH'), true);
    assert.equal(api.isRejection('IO_NOT_FOUND'), false);
    assert.equal(api.isRejection('USAGE_INVALID_ARGUMENT'), false);
    assert.equal(api.isRejection('INTERNAL_ERROR'), false);
    assert.equal(api.isRejection('TRUST_ROOT_INVALID'), false);
    assert.equal(api.isRejection('IDENTITY_MISMATCH'), true);
  });
});
