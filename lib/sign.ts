// The `sign` pipeline: check the bundle (strict archive, manifest profile), hash the file and
// every entry in one pass, build the in-toto statement, sign it, write `<file>.sigstore.json`.

import { createHash, type Hash } from 'node:crypto';
import { lstat, readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { ArchiveLimits } from './limits.ts';
import { Archive } from './archive/reader.ts';
import { MCPSealError } from './errors.ts';
import { errnoCode, ioError, writeFileAtomic } from './io.ts';
import { buildStatement, type Statement, type WorkflowInfo } from './attest/statement.ts';
import { sidecarPath } from './sigstore/sidecar.ts';
import { MANIFEST_NAME, type ManifestSummary } from './manifest/load.ts';
import { assertValidManifest, type Profile, validateBundleManifest, type ValidationResult } from './scopes/validate.ts';
import { checkSameManifest, readBundleManifest, type BundleManifest } from './sigstore/bundle-manifest.ts';
import type { SigningMethod } from './sigstore/signing-method.ts';

export type { SigningMethod, KeyedSigning, KeylessSigning, CustomSigning, Signer, SignerKey } from './sigstore/signing-method.ts';

/** What a CI system says about the build (GitHub Actions: GITHUB_* variables). */
export interface BuildContext {
  source?: { uri: string; commit: string };
  workflow?: WorkflowInfo;
  builderId?: string;
  invocationId?: string;
}

export interface SignBundleOptions {
  method: SigningMethod;
  /** Where to write the Sigstore bundle; default `<file>.sigstore.json`. */
  out?: string;
  /** Signing refuses bundles that fail this profile (default hardened). */
  profile?: Profile;
  build?: BuildContext;
  /**
   * Replace an existing Sigstore bundle at `out`. Off by default: the file there may be another
   * key's signature (a co-signer's, a release's), and overwriting it silently loses it.
   */
  force?: boolean;
  limits?: Partial<ArchiveLimits>;
  onProgress?: (done: number, total: number) => void;
}

export interface SignResult {
  file: string;
  sha256: string;
  sigstoreBundle: string;
  statement: Statement;
  manifest: ManifestSummary;
  validation: ValidationResult;
  /** How it was signed: keyless (Fulcio), a local key, or the caller's Signer. */
  kind: SigningMethod['kind'];
}

let version: Promise<string> | undefined;

/** mcpseal's version, for the predicate; read once, on the first signature (no I/O at module load). */
function mcpsealVersion(): Promise<string> {
  const path = new URL('../package.json', import.meta.url);
  version ??= readFile(path, 'utf8').then(
    (text) => (JSON.parse(text) as { version: string }).version,
    (cause: unknown) => {
      version = undefined;
      throw ioError(cause, path.pathname, 'read');
    },
  );
  return version;
}

/** Every file entry's sha256 and the file's sha256, from one checked pass. */
export async function digestArchive(archive: Archive, onProgress?: (done: number, total: number) => void): Promise<{ sha256: string; entries: Map<string, string> }> {
  const entries = new Map<string, string>();
  const { sha256 } = await archive.scan({
    hash: true,
    ...(onProgress ? { onProgress } : {}),
    visitor: {
      content(entry, data) {
        entries.set(entry.name, createHash('sha256').update(data).digest('hex'));
      },
      stream(entry) {
        const hash: Hash = createHash('sha256');
        return {
          write: (chunk) => void hash.update(chunk),
          end: () => void entries.set(entry.name, hash.digest('hex')),
        };
      },
    },
  });
  return { sha256: sha256!, entries };
}

/**
 * Signs the bundle at `path`: the strict archive rules and the manifest profile first, then the
 * digests of the file and every entry in one pass (manifest.json's must be the bytes validated),
 * then the statement, signed by `options.method` (keyless, a local key, or the caller's Signer).
 */
export async function signBundle(path: string, options: SignBundleOptions): Promise<SignResult> {
  const out = options.out ?? sidecarPath(path);
  // Before any work (and before a keyless token is spent): never replace a signature unasked.
  if (options.force !== true) await refuseExisting(out);
  const archive = await Archive.openFile(path, options.limits ? { limits: options.limits } : {});
  let digests: { sha256: string; entries: Map<string, string> };
  let manifest: BundleManifest;
  let validation: ValidationResult;
  try {
    manifest = await readBundleManifest(archive);
    validation = validateBundleManifest(manifest.document, archive, options.profile);
    assertValidManifest(validation);
    digests = await digestArchive(archive, options.onProgress);
    // The digest attested for manifest.json is of the bytes that passed the profile.
    checkSameManifest(manifest, digests.entries.get(MANIFEST_NAME));
  } finally {
    await archive.close();
  }
  const statement = buildStatement({
    fileName: basename(path),
    sha256: digests.sha256,
    entries: archive.entries.filter((entry) => entry.kind === 'file').map((entry) => ({ name: entry.name, sha256: digests.entries.get(entry.name)! })),
    mcpsealVersion: await mcpsealVersion(),
    ...(options.build?.source ? { source: options.build.source } : {}),
    ...(options.build?.workflow ? { workflow: options.build.workflow } : {}),
    ...(options.build?.builderId ? { builderId: options.build.builderId } : {}),
    ...(options.build?.invocationId ? { invocationId: options.build.invocationId } : {}),
  });
  // The signing stack loads only here (DESIGN.md): verify and unpack never pay for it.
  const { signStatement } = await import('./sigstore/sign.ts');
  const bundle = await signStatement(Buffer.from(JSON.stringify(statement)), options.method);
  if (options.force !== true) await refuseExisting(out);
  await writeFileAtomic(out, `${JSON.stringify(bundle, null, 2)}\n`);
  return {
    file: path,
    sha256: digests.sha256,
    sigstoreBundle: out,
    statement,
    manifest: manifest.summary,
    validation,
    kind: options.method.kind,
  };
}

/** IO_TARGET_EXISTS when `out` exists (whatever it is: a signature, a link, a directory). */
async function refuseExisting(out: string): Promise<void> {
  try {
    await lstat(out);
  } catch (cause) {
    if (errnoCode(cause) === 'ENOENT') return;
    throw ioError(cause, out, 'write');
  }
  throw new MCPSealError('IO_TARGET_EXISTS', `${out} already exists (a signature made earlier, perhaps with another key); pass --force to replace it`, {
    details: { path: out },
  });
}
