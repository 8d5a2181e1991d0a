// The `pack` pipeline: a bundle source directory in, a deterministic .mcpb out.

import { createHash } from 'node:crypto';
import { lstat, realpath, rm } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { collectSourceFiles, type ExcludedFile } from './archive/collect.ts';
import { resolveLimits, type ArchiveLimits } from './limits.ts';
import { errnoCode, ioError, openRegularFile, readBoundedFile } from './io.ts';
import { writeArchive } from './archive/writer.ts';
import { MCPSealError } from './errors.ts';
import { MANIFEST_NAME, manifestFileRead, parseManifest, summarizeManifest, type ManifestSummary } from './manifest/load.ts';
import { assertValidManifest, validateManifest, type Profile, type ValidationResult } from './scopes/validate.ts';
import { sidecarPath } from './sigstore/sidecar.ts';

export interface PackOptions {
  /** Seconds since the epoch for every timestamp; callers pass `SOURCE_DATE_EPOCH` here. */
  sourceDateEpoch?: number;
  /** zlib level 0-9, default 6. */
  level?: number;
  /** Extra ignore patterns (gitignore syntax) on top of the defaults and `.mcpbignore`. */
  ignore?: readonly string[];
  /** The profile the manifest must pass before anything is written (default hardened). */
  profile?: Profile;
  /**
   * Pack without validating the manifest (dangerous: a bundle with no scopes, or whose entry
   * point is excluded, packs without a word; `sign` and `verify` will refuse it later).
   */
  skipValidation?: boolean;
  /** Archive names packed even though their content looks like a secret (false positives). */
  allowSecretFiles?: readonly string[];
  limits?: Partial<ArchiveLimits>;
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

export interface PackResult {
  path: string;
  sha256: string;
  size: number;
  entries: number;
  excluded: ExcludedFile[];
  manifest: ManifestSummary;
  /** The validation the manifest passed (with its warnings), or null with `skipValidation`. */
  validation: ValidationResult | null;
  /**
   * A Sigstore bundle `<out>.sigstore.json` that signed the file this pack replaced, removed
   * because it no longer names the file's bytes; null when there was none (or the bytes are equal).
   */
  removedSidecar: string | null;
}

/** The default output of `pack DIR`: `<name of DIR>.mcpb` beside DIR (never inside it). */
export function defaultPackOutput(directory: string): string {
  const absolute = resolve(directory);
  const name = basename(absolute);
  if (name === '') throw new MCPSealError('USAGE_MISSING_ARGUMENT', `give an output path: ${directory} has no name to derive one from`);
  return join(dirname(absolute), `${name}.mcpb`);
}

/** Packs the bundle source in `directory` into `outPath`. The directory must hold a manifest.json. */
export async function packBundle(directory: string, outPath: string, options: PackOptions = {}): Promise<PackResult> {
  await refuseOutputInside(directory, outPath);
  const limits = resolveLimits(options.limits);
  const document = parseManifest(await readBoundedFile(join(directory, MANIFEST_NAME), manifestFileRead(join(directory, MANIFEST_NAME), limits, `${directory} has no manifest.json`)), limits);
  const { files, excluded } = await collectSourceFiles(directory, {
    ...(options.ignore ? { ignore: options.ignore } : {}),
    ...(options.limits ? { limits: options.limits } : {}),
    // The writer scans each file's content for secrets on the bytes it reads (writeArchive's secretScan).
    scanSecrets: false,
  });
  if (!files.some((file) => file.name === MANIFEST_NAME)) {
    throw new MCPSealError('MANIFEST_MISSING', 'manifest.json is excluded by an ignore pattern', { details: { path: join(directory, MANIFEST_NAME) } });
  }
  let validation: ValidationResult | null = null;
  if (options.skipValidation !== true) {
    // Against the files that will be packed: an entry point excluded by an ignore rule fails here.
    validation = validateManifest(document, { profile: options.profile ?? 'hardened', files: new Set(files.map((file) => file.name)), maxDepth: limits.maxManifestDepth });
    assertValidManifest(validation);
  }
  const previous = await sidecarToRemove(outPath);
  const written = await writeArchive(files, outPath, {
    ...(options.sourceDateEpoch === undefined ? {} : { sourceDateEpoch: options.sourceDateEpoch }),
    ...(options.level === undefined ? {} : { level: options.level }),
    ...(options.limits ? { limits: options.limits } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    secretScan: { allow: options.allowSecretFiles ?? [] },
  });
  let removedSidecar: string | null = null;
  if (previous && previous.sha256 !== written.sha256) {
    await rm(previous.sidecar, { force: true }).catch((cause: unknown) => {
      throw ioError(cause, previous.sidecar, 'write');
    });
    removedSidecar = previous.sidecar;
  }
  return { path: written.path, sha256: written.sha256, size: written.size, entries: written.entries, excluded, manifest: summarizeManifest(document), validation, removedSidecar };
}

/**
 * Pack never writes into its source tree: the output would be packed by the next run (or hidden
 * as `..mcpb` by `pack .`, issue 10), and a tree that changes while it is read is not
 * reproducible. Compared by real paths, so a symlinked parent does not hide it.
 */
async function refuseOutputInside(directory: string, outPath: string): Promise<void> {
  let root: string;
  let outDir: string;
  try {
    root = await realpath(directory);
  } catch (cause) {
    throw ioError(cause, directory, 'read');
  }
  try {
    outDir = await realpath(dirname(resolve(outPath)));
  } catch (cause) {
    throw ioError(cause, dirname(resolve(outPath)), 'write');
  }
  const inside = relative(root, join(outDir, basename(outPath)));
  if (inside === '' || inside === '..' || inside.startsWith(`..${sep}`) || isAbsolute(inside)) return;
  throw new MCPSealError('USAGE_INVALID_ARGUMENT', `the output ${outPath} is inside the source directory ${directory}; write it elsewhere (the default is ${defaultPackOutput(directory)})`, {
    details: { path: outPath, expected: `a path outside ${root}` },
  });
}

/** The sidecar of an existing `outPath` and that file's sha256, when both exist. */
async function sidecarToRemove(outPath: string): Promise<{ sidecar: string; sha256: string } | null> {
  const sidecar = sidecarPath(outPath);
  try {
    await lstat(sidecar);
  } catch (cause) {
    if (errnoCode(cause) === 'ENOENT') return null;
    throw ioError(cause, sidecar, 'read');
  }
  let handle;
  try {
    handle = await openRegularFile(outPath);
  } catch {
    // No previous bundle (or not a regular file): the sidecar signs nothing this pack writes.
    return { sidecar, sha256: '' };
  }
  try {
    const hash = createHash('sha256');
    const chunk = Buffer.allocUnsafe(1024 * 1024);
    for (let position = 0; ; ) {
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, position);
      if (bytesRead === 0) break;
      hash.update(chunk.subarray(0, bytesRead));
      position += bytesRead;
    }
    return { sidecar, sha256: hash.digest('hex') };
  } catch (cause) {
    throw ioError(cause, outPath, 'read');
  } finally {
    await handle.close();
  }
}
