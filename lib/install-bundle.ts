// The `install` pipeline: verify, admit, extract into the content-addressed store, record in the
// lockfile (DESIGN.md "Install policy, store and lockfile"). The verification steps are unpack's,
// composed here in the same verify-before-extract order (pipelines never import each other):
//   1. the store is opened (stale staging directories removed) and the lock read (LOCK_INVALID early);
//   2. the file is hashed through the one open handle, the envelope and identity verified, the
//      statement's subject matched to that hash, the manifest validated and bound to the attestation;
//   3. user_config answers checked, grants resolved, the `admit` step (the install policy) asked;
//   4. the reinstall decision (no-op, downgrade, escalation) taken before any byte is written;
//   5. the tree extracted into a private staging directory, every entry checked against its
//      attested digest, the whole file against the hash of step 2, then made read-only and renamed
//      into the store (or an existing complete tree reused);
//   6. the lock entry recorded under the lockfile's exclusive lock, the decision taken again there.

import { createHash } from 'node:crypto';
import { homedir } from 'node:os';
import { basename, join } from 'node:path';
import { extractArchive } from './archive/extract.ts';
import { Archive } from './archive/reader.ts';
import type { ProvenanceView } from './attest/statement.ts';
import { MCPSealError } from './errors.ts';
import { resolveGrants } from './install/grants.ts';
import { decideReinstall, lockPathOf, recordEntry, type InstallOutcome, type LockLocation, type ReinstallFlags } from './install/installed.ts';
import { lockEntryOf, readLock, type LockEntry, type LockSigner } from './install/lockfile.ts';
import { removeTree, entriesDigest, Store, type TreeMarker } from './install/store.ts';
import { parseUserConfigArgs, resolveUserConfig } from './install/user-config.ts';
import type { Escalation } from './install/grants.ts';
import type { LegacyTrustOptions } from './legacy/report.ts';
import { evaluatePolicy, policyRefusal } from './policy/evaluate.ts';
import type { Policy } from './policy/model.ts';
import { checkServerJson, registrySigner } from './registry/check.ts';
import { choosePolicySigner, type PolicySigner } from './policy/verify.ts';
import { userConfigOptions } from './manifest/document.ts';
import { scopesOf, type Scopes } from './scopes/model.ts';
import type { Platform } from './scopes/variables.ts';
import { assertValidManifest, type Profile, validateBundleManifest } from './scopes/validate.ts';
import { checkAttestedManifest, manifestBinding, readBundleManifest, type BundleManifest } from './sigstore/bundle-manifest.ts';
import {
  checkAttestation,
  entryDigestCheck,
  readSignatureInputs,
  verifyBundleSignature,
  type SignatureInputs,
} from './sigstore/bundle-steps.ts';
import type { ListedEntries } from './sigstore/listed-entries.ts';
import type { BundleCheckOptions } from './sigstore/bundle-verification.ts';
import type { SignatureCheck } from './sigstore/verify.ts';

// Re-exported for the library API (lib/index.ts); the CLI imports it from install/store-dir.ts.
export { defaultStoreDir } from './install/store-dir.ts';

/** What the `admit` step (an install policy) decides on: the verified facts, before extraction. */
export interface InstallFacts {
  file: string;
  sha256: string;
  /** From the signed (or, unsigned, the validated) manifest, never from the file name. */
  name: string;
  version: string;
  serverType: string;
  /** null for an unsigned bundle installed under allowUnsigned. */
  signer: LockSigner | null;
  signature: SignatureCheck | null;
  /** The declared scopes (validated), or null when the manifest has none (compat profile). */
  scopes: Scopes | null;
  manifest: Record<string, unknown>;
}

/** What the `admit` step returns when it admits the bundle (it throws a coded error to refuse). */
export interface AdmitResult {
  /** sha256 of the policy applied, recorded in the lock entry. */
  policySha256?: string | null;
}

export interface InstallOptions extends BundleCheckOptions<Profile, LegacyTrustOptions>, ReinstallFlags {
  /** The store directory (default `${XDG_DATA_HOME:-~/.local/share}/mcpseal`, see defaultStoreDir). */
  store: string;
  /** The lockfile (default `<store>/mcpseal.lock.json`). */
  lock?: string;
  /**
   * Install without a verified signature. Dangerous: nothing then says who built the bundle.
   * Only when the bundle has no Sigstore bundle at all; a failing signature is never overridden.
   */
  allowUnsigned?: boolean;
  /** `KEY=VALUE` answers to the manifest's user_config (sensitive ones as `KEY=env:NAME`). */
  userConfig?: readonly string[];
  /** The install policy: called after verification and before extraction; throws to refuse. */
  admit?: (facts: InstallFacts) => Promise<AdmitResult | void>;
  /**
   * An MCP registry server.json (parsed; read it with readServerJson) that must describe this
   * file: checked on the verified facts before the admit step, as `verify --server-json` does.
   */
  serverJson?: { document: unknown };
  /** sha256 of the policy the caller applied (when not reported by `admit`). */
  policySha256?: string | null;
  /** This machine's home directory (`${HOME}`); default os.homedir(). */
  home?: string;
  platform?: Platform;
  /** The clock for `installedAt`. */
  now?: () => Date;
  lockTimeoutMs?: number;
}

export interface InstallResult {
  outcome: InstallOutcome;
  entry: LockEntry;
  lock: string;
  /** The store tree the entry names. */
  tree: string;
  /** Whether an existing complete tree was reused (nothing extracted). */
  reusedTree: boolean;
  /** Wider grants accepted with acceptScopes (empty otherwise). */
  escalations: Escalation[];
}

/** Verifies the bundle at `path`, then installs it into the store and records it in the lock. */
export async function installBundle(path: string, options: InstallOptions): Promise<InstallResult> {
  const store = new Store(options.store);
  await store.open();
  const location: LockLocation = { store: store.root, ...(options.lock ? { lock: options.lock } : {}), ...(options.lockTimeoutMs ? { lockTimeoutMs: options.lockTimeoutMs } : {}) };
  const lockPath = lockPathOf(location);
  const lock = await readLock(lockPath);
  const archive = await Archive.openFile(path, options.limits ? { limits: options.limits } : {});
  try {
    const verified = await verifyForInstall(archive, path, options);
    const entry = await entryFor(verified, store, options);
    const decision = decideReinstall(lockEntryOf(lock, entry.name), entry, options, store);
    const existing = await reusableTree(store, verified);
    if (decision.outcome === 'unchanged' && existing !== null) {
      return { outcome: 'unchanged', entry: decision.previous!, lock: lockPath, tree: store.treePath(entry.sha256), reusedTree: true, escalations: [] };
    }
    const marker = existing ?? (await extractIntoStore(archive, verified, store, options));
    const complete: LockEntry = { ...entry, entries: { count: marker.files, sha256: entriesDigest(marker.entries), source: verified.listed ? 'attested' : 'computed' } };
    const recorded = await recordEntry(location, complete, options);
    return { outcome: recorded.outcome, entry: recorded.outcome === 'unchanged' ? recorded.previous! : complete, lock: lockPath, tree: store.treePath(entry.sha256), reusedTree: existing !== null, escalations: recorded.escalations };
  } finally {
    await archive.close();
  }
}

/** A complete tree of this sha256 whose marker lists the attested entries (else none: it is rebuilt). */
async function reusableTree(store: Store, verified: Verified): Promise<TreeMarker | null> {
  const marker = await store.completeTree(verified.sha256);
  const attested = verified.provenance?.entries;
  if (marker === null || !attested || entriesDigest(marker.entries) === entriesDigest(attested)) return marker;
  await store.deleteTree(verified.sha256);
  return null;
}

/** What verification established, for admission and extraction. */
interface Verified {
  file: string;
  sha256: string;
  manifest: BundleManifest;
  inputs: SignatureInputs | null;
  signature: SignatureCheck | null;
  provenance: ProvenanceView | null;
  /** mcpseal's entry list by archive row (null: unsigned, or a predicate without one). */
  listed: ListedEntries | null;
}

/** Steps 1-2: everything unpack checks before its pass, plus the file's hash up front (the store is addressed by it). */
async function verifyForInstall(archive: Archive, path: string, options: InstallOptions): Promise<Verified> {
  const inputs = await signatureInputsOrNone(archive, path, options);
  const sha256 = await hashFile(archive, options.signal);
  if (inputs === null) return { file: path, sha256, manifest: await validManifest(archive, options), inputs: null, signature: null, provenance: null, listed: null };
  const signature = verifyBundleSignature(inputs);
  const { provenance, listed } = checkAttestation(inputs, signature.identity, archive, sha256);
  const manifest = await validManifest(archive, options);
  checkAttestedManifest(listed, manifest);
  return { file: path, sha256, manifest, inputs, signature, provenance, listed };
}

async function signatureInputsOrNone(archive: Archive, path: string, options: InstallOptions): Promise<SignatureInputs | null> {
  try {
    return await readSignatureInputs(archive, path, options);
  } catch (error) {
    if (!(error instanceof MCPSealError && error.code === 'SIGNATURE_ABSENT')) throw error;
    if (options.allowUnsigned === true) return null;
    throw new MCPSealError('SIGNATURE_ABSENT', `${error.message}; pass --allow-unsigned to install it anyway`, { details: error.details, cause: error });
  }
}

/** The raw file's sha256 through the open handle (the structure is checked by the extraction pass, or was when the tree was made). */
async function hashFile(archive: Archive, signal: AbortSignal | undefined): Promise<string> {
  const hash = createHash('sha256');
  const step = 4 * 1024 * 1024;
  for (let position = 0; position < archive.size; position += step) {
    if (signal?.aborted) throw new MCPSealError('IO_INTERRUPTED', 'interrupted', { cause: signal.reason });
    hash.update(await archive.source.read(position, Math.min(step, archive.size - position)));
  }
  return hash.digest('hex');
}

async function validManifest(archive: Archive, options: InstallOptions): Promise<BundleManifest> {
  const manifest = await readBundleManifest(archive);
  assertValidManifest(validateBundleManifest(manifest.document, archive, options.profile));
  return manifest;
}

/** Step 3: the lock entry (its `entries` filled in after extraction), after the admit step. */
async function entryFor(verified: Verified, store: Store, options: InstallOptions): Promise<LockEntry> {
  const { summary, document } = verified.manifest;
  const scopes = (scopesOf(document) as Scopes | undefined) ?? null;
  const signer = signerOf(verified.signature);
  const home = options.home ?? homedir();
  const facts: InstallFacts = {
    file: verified.file,
    sha256: verified.sha256,
    name: summary.name ?? '',
    version: summary.version ?? '',
    serverType: summary.serverType ?? '',
    signer,
    signature: verified.signature,
    scopes,
    manifest: document,
  };
  const config = resolveUserConfig(userConfigOptions(document), parseUserConfigArgs(options.userConfig ?? []), { home });
  // The registry's digest and namespace, on the verified digest and signer (REGISTRY_*).
  if (options.serverJson) checkServerJson(options.serverJson.document, { sha256: verified.sha256, fileName: basename(verified.file), signer: registrySigner(verified.signature?.identity ?? null) });
  const admitted = options.admit ? await options.admit(facts) : undefined;
  const tlog = verified.signature?.tlog[0];
  return {
    name: facts.name,
    version: facts.version,
    sha256: verified.sha256,
    serverType: facts.serverType,
    signer,
    logEntry: tlog ? { index: tlog.logIndex, integratedTime: tlog.integratedTime } : null,
    policy: admitted?.policySha256 ?? options.policySha256 ?? null,
    scopes,
    grants: resolveGrants(scopes ?? NO_SCOPES, { platform: options.platform ?? currentPlatform(), installDir: store.treePath(verified.sha256), home, userConfig: config.values }),
    userConfig: config.recorded,
    entries: { count: 0, sha256: '', source: 'computed' },
    tools: [],
    installedAt: (options.now ?? (() => new Date()))().toISOString(),
  };
}

/** A manifest without scopes (compat profile) is granted nothing by the lock; `run` decides what that means. */
const NO_SCOPES: Scopes = {
  filesystem: { read: [], write: [] },
  network: { egress: [], listen: false },
  process: { spawn: [], workers: false, native_addons: false },
  env: { read: [], secrets: [] },
};

function currentPlatform(): Platform {
  return process.platform === 'darwin' || process.platform === 'win32' ? process.platform : 'linux';
}

function signerOf(signature: SignatureCheck | null): LockSigner | null {
  if (signature === null) return null;
  const identity = signature.identity;
  const repoUri = identity?.github.sourceRepositoryUri ?? null;
  return {
    kind: signature.kind === 'certificate' ? 'keyless' : 'key',
    identity: identity?.subject ?? null,
    issuer: identity?.issuer ?? null,
    repo: repoUri === null ? null : repoUri.replace(/^https:\/\/github\.com\//u, ''),
    ref: identity?.github.sourceRepositoryRef ?? null,
    keyHint: signature.keyHint,
  };
}

/** Step 5: extraction into a staging directory of the store, every check of unpack's pass, then the commit. */
async function extractIntoStore(archive: Archive, verified: Verified, store: Store, options: InstallOptions): Promise<TreeMarker> {
  const staging = await store.stagingDir();
  try {
    const entries: Record<string, string> = {};
    const bindManifest = manifestBinding(verified.manifest);
    const attested = entryDigestCheck(verified.listed);
    const result = await extractArchive(archive, join(staging, 'tree'), {
      hash: true,
      checkDigest: (entry, sha256) => {
        bindManifest(entry, sha256);
        attested(entry, sha256);
        entries[entry.name] = sha256;
      },
      // Before the tree is moved anywhere: these are the bytes that were verified.
      checkFileDigest: (sha256) => {
        if (sha256 !== verified.sha256) {
          throw new MCPSealError('ARCHIVE_CHANGED_DURING_READ', 'the file changed between its verification and its extraction', { details: { expected: verified.sha256, found: sha256 } });
        }
      },
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const marker: TreeMarker = { sha256: verified.sha256, entries, files: result.files, createdAt: (options.now ?? (() => new Date()))().toISOString() };
    await store.commitTree(
      result.target,
      marker,
      archive.entries.map((entry) => ({ name: entry.name, kind: entry.kind === 'directory' ? 'directory' : 'file', mode: entry.mode })),
    );
    return marker;
  } finally {
    await removeTree(staging);
  }
}

/** Install options under a policy: the policy names the signers and decides admission. */
export type PolicyInstallOptions = Omit<InstallOptions, 'admit' | 'policySha256' | 'publicKey' | 'policy' | 'allowUnsigned'>;

/**
 * `install --policy`: the policy's signer rules pick the publisher for the name the manifest
 * gives (each publisher whose `bundles` match is tried; the first that verifies wins), then the
 * install runs with that publisher's trust (its key, or its keyless identity) through its own open
 * handle, and every rule of the policy is evaluated on the verified facts before a byte is written.
 * The first read only chooses whom to try: everything the decision rests on is verified again
 * on the bytes that are installed (a name changed between the reads fails the signer rule).
 */
export async function installWithPolicy(path: string, policy: Policy, options: PolicyInstallOptions): Promise<InstallResult> {
  const { signer, manifest } = await choosePublisher(path, policy, options);
  const winner = signer.winner?.publisher ?? null;
  const trust = winner === null ? {} : winner.publicKey !== null ? { publicKey: winner.publicKey } : { policy: winner.keyless ?? {} };
  if (winner === null && signer.fact.kind !== 'unsigned') {
    // Refused before the install: no publisher that may ship this name signed it (the rules say which).
    throw policyRefusal(evaluatePolicy(policy, { manifest, sha256: '', signer: signer.fact })) ?? new MCPSealError('POLICY_PUBLISHER_UNTRUSTED', 'no publisher of the policy signed this bundle');
  }
  return installBundle(path, {
    ...options,
    ...trust,
    allowUnsigned: signer.fact.kind === 'unsigned' && policy.allowUnsigned,
    policySha256: policy.source.sha256,
    admit: async (facts) => {
      const refusal = policyRefusal(evaluatePolicy(policy, { manifest: facts.manifest, sha256: facts.sha256, signer: signer.fact }));
      if (refusal) throw refusal;
      return { policySha256: policy.source.sha256 };
    },
  });
}

async function choosePublisher(path: string, policy: Policy, options: PolicyInstallOptions): Promise<{ signer: PolicySigner; manifest: Record<string, unknown> }> {
  const archive = await Archive.openFile(path, options.limits ? { limits: options.limits } : {});
  try {
    const manifest = await readBundleManifest(archive);
    const name = typeof manifest.document['name'] === 'string' ? manifest.document['name'] : '';
    const signer = await choosePolicySigner(archive, path, policy, name, {
      ...(options.sigstoreBundle === undefined ? {} : { sigstoreBundle: options.sigstoreBundle }),
      ...(options.trustedRoot === undefined ? {} : { trustedRoot: options.trustedRoot }),
      ...(options.trustRoot === undefined ? {} : { trustRoot: options.trustRoot }),
      ...(options.requireTlog === undefined ? {} : { requireTlog: options.requireTlog }),
    });
    return { signer, manifest: manifest.document };
  } finally {
    await archive.close();
  }
}
