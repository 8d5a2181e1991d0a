// The verify-before-extract pipeline for bundles (DESIGN.md, steps 1-7), without extraction: one
// open handle; the Sigstore inputs read first (cheap, and a missing sidecar is reported before
// the long pass); the file hashed and its structure checked in one pass; then the signature,
// the identity policy, the statement, the manifest. `unpackBundle` (unpack.ts) composes the same
// steps in its own order around extraction. With `serverJson`, an MCP registry server.json is
// read with the other inputs and held to the verified file and signer once the manifest passed.

import { basename } from 'node:path';
import { Archive } from './archive/reader.ts';
import type { LegacyVerification } from './legacy/index.ts';
import { reportLegacyBlock, type LegacyTrustOptions } from './legacy/report.ts';
import { assertValidManifest, type Profile, validateBundleManifest, type ValidationResult } from './scopes/validate.ts';
import { checkAttestedManifest, readBundleManifest } from './sigstore/bundle-manifest.ts';
import {
  checkAttestation,
  readSignatureInputs,
  statementWhenRead,
  verifyBundleSignature,
} from './sigstore/bundle-steps.ts';
import type { BundleCheckOptions, BundleVerificationOf } from './sigstore/bundle-verification.ts';
import type { ServerJsonCheck } from './registry/check.ts';

export interface RegistryOptions {
  /**
   * An MCP registry server.json that must describe this file: a path (read bounded) or a parsed
   * document. Its mcpb package must carry this file's sha256 (REGISTRY_DIGEST_MISMATCH), and an
   * `io.github.OWNER/...` name must be the keyless signer's repository owner (REGISTRY_NAMESPACE_MISMATCH).
   */
  serverJson?: string | { document: unknown };
}

export type VerifyBundleOptions = BundleCheckOptions<Profile, LegacyTrustOptions> & RegistryOptions;
export type BundleVerification = BundleVerificationOf<ValidationResult, LegacyVerification> & {
  /** The server.json check, when `serverJson` was given. */
  registry?: ServerJsonCheck;
};

/** Verifies the bundle at `path` before anything is extracted. */
export async function verifyBundle(path: string, options: VerifyBundleOptions = {}): Promise<BundleVerification> {
  const archive = await Archive.openFile(path, options.limits ? { limits: options.limits } : {});
  try {
    return await verifyOpenArchive(archive, path, options);
  } finally {
    await archive.close();
  }
}

/** Steps 2-7 on an archive that is already open (step 1); `path` names the file (and its sidecar). */
export async function verifyOpenArchive(archive: Archive, path: string, options: VerifyBundleOptions): Promise<BundleVerification> {
  const inputs = await readSignatureInputs(archive, path, options);
  const serverJson = await serverJsonDocument(options);
  // The strict pass first: a structural problem is reported as such, before any signature check.
  const { sha256 } = await archive.scan({
    hash: true,
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const fileSha256 = sha256!;
  const checked = verifyBundleSignature(inputs);
  const { provenance, listed, claims } = checkAttestation(inputs, checked.identity, archive, fileSha256);
  const manifest = await readBundleManifest(archive);
  const validation = validateBundleManifest(manifest.document, archive, options.profile);
  assertValidManifest(validation);
  checkAttestedManifest(listed, manifest);
  // The registry checks (their schema validators) load only when a server.json is given.
  let registry: ServerJsonCheck | undefined;
  if (serverJson !== undefined) {
    const { checkServerJson, registrySigner } = await import('./registry/check.ts');
    registry = checkServerJson(serverJson.document, { sha256: fileSha256, fileName: basename(path), signer: registrySigner(checked.identity) });
  }
  const legacy = await reportLegacyBlock(archive, options.legacy);
  return {
    file: path,
    sha256: fileSha256,
    sigstoreBundle: inputs.sidecar,
    signature: statementWhenRead(checked, inputs),
    identity: checked.identity,
    provenance,
    claims,
    manifest: manifest.summary,
    validation,
    legacy,
    ...(registry ? { registry } : {}),
  };
}

/** The server.json to check, read (bounded) with the other inputs, before the long pass over the file. */
async function serverJsonDocument(options: VerifyBundleOptions): Promise<{ document: unknown } | undefined> {
  if (options.serverJson === undefined || typeof options.serverJson === 'object') return options.serverJson;
  const { readServerJson } = await import('./registry/read.ts');
  return { document: await readServerJson(options.serverJson, options.limits ? { limits: options.limits } : {}) };
}

