// The `sign` pipeline: check the bundle (strict archive, manifest profile), hash the file and
// every entry in one pass, build the in-toto statement, sign it, write `<file>.sigstore.json`.

import { createHash, type Hash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { ArchiveLimits } from './limits.ts';
import { Archive } from './archive/reader.ts';
import { writeFileAtomic } from './io.ts';
import { buildStatement, type Statement, type WorkflowInfo } from './attest/statement.ts';
import { sidecarPath } from './sigstore/sidecar.ts';
import { readManifest, summarizeManifest, type ManifestSummary } from './manifest/load.ts';
import { assertValidManifest, validateManifest, type Profile, type ValidationResult } from './scopes/validate.ts';
import type { SigningMethod } from './sigstore/sign.ts';

export type { SigningMethod, KeyedSigning, KeylessSigning } from './sigstore/sign.ts';

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
  kind: 'keyless' | 'key';
}

const VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

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

export async function signBundle(path: string, options: SignBundleOptions): Promise<SignResult> {
  const archive = await Archive.openFile(path, options.limits ? { limits: options.limits } : {});
  let digests: { sha256: string; entries: Map<string, string> };
  let manifest: Record<string, unknown>;
  let validation: ValidationResult;
  try {
    manifest = await readManifest(archive);
    const files = archive.fileNames();
    validation = validateManifest(manifest, { profile: options.profile ?? 'hardened', files });
    assertValidManifest(validation);
    digests = await digestArchive(archive, options.onProgress);
  } finally {
    await archive.close();
  }
  const statement = buildStatement({
    fileName: basename(path),
    sha256: digests.sha256,
    entries: archive.entries.filter((entry) => entry.kind === 'file').map((entry) => ({ name: entry.name, sha256: digests.entries.get(entry.name)! })),
    mcpsealVersion: VERSION,
    ...(options.build?.source ? { source: options.build.source } : {}),
    ...(options.build?.workflow ? { workflow: options.build.workflow } : {}),
    ...(options.build?.builderId ? { builderId: options.build.builderId } : {}),
    ...(options.build?.invocationId ? { invocationId: options.build.invocationId } : {}),
  });
  // The signing stack loads only here (DESIGN.md): verify and unpack never pay for it.
  const { signStatement } = await import('./sigstore/sign.ts');
  const bundle = await signStatement(Buffer.from(JSON.stringify(statement)), options.method);
  const out = options.out ?? sidecarPath(path);
  await writeFileAtomic(out, `${JSON.stringify(bundle, null, 2)}\n`);
  return {
    file: path,
    sha256: digests.sha256,
    sigstoreBundle: out,
    statement,
    manifest: summarizeManifest(manifest),
    validation,
    kind: options.method.kind === 'keyless' ? 'keyless' : 'key',
  };
}
