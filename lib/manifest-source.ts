// Where a manifest to validate comes from: a manifest.json file, a bundle source directory, or a
// .mcpb bundle (read through the strict archive reader). Directories and bundles also give the
// file list the hardened checks need. This is the file-system edge of manifest validation
// (DESIGN.md: the core does no I/O), used by `mcpseal validate` and `mcpseal scopes suggest`.

import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { collectSourceFiles } from './archive/collect.ts';
import { Archive } from './archive/reader.ts';
import { ioError, readBoundedFile } from './io.ts';
import { resolveLimits, type Limits } from './limits.ts';
import { MANIFEST_NAME, manifestFileRead, parseManifest, readManifest } from './manifest/load.ts';

export type ManifestSourceKind = 'manifest' | 'directory' | 'bundle';

export interface ManifestSource {
  kind: ManifestSourceKind;
  manifest: Record<string, unknown>;
  /** The bundle's file names (directories excluded); absent for a bare manifest.json. */
  files?: ReadonlySet<string>;
}

/** Loads the manifest (and file list) at `path`: a `.json` file, a directory, or a bundle. */
export async function loadManifestSource(path: string, options: { limits?: Partial<Limits> } = {}): Promise<ManifestSource> {
  const limits = resolveLimits(options.limits);
  let info;
  try {
    info = await stat(path);
  } catch (cause) {
    throw ioError(cause, path, 'read');
  }
  if (info.isDirectory()) {
    const manifest = parseManifest(await readBoundedFile(join(path, MANIFEST_NAME), manifestFileRead(join(path, MANIFEST_NAME), limits)), limits);
    const { files } = await collectSourceFiles(path, { limits });
    return { kind: 'directory', manifest, files: new Set(files.map((file) => file.name)) };
  }
  if (path.endsWith('.json')) return { kind: 'manifest', manifest: parseManifest(await readBoundedFile(path, manifestFileRead(path, limits)), limits) };
  const archive = await Archive.openFile(path, { limits });
  try {
    const manifest = await readManifest(archive);
    return { kind: 'bundle', manifest, files: archive.fileNames() };
  } finally {
    await archive.close();
  }
}

