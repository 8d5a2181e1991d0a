// Where a manifest to validate comes from: a manifest.json file, a bundle source directory, or a
// .mcpb bundle (read through the strict archive reader). Directories and bundles also give the
// file list the hardened checks need.

import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { collectSourceFiles } from '../archive/collect.ts';
import type { ArchiveLimits } from '../limits.ts';
import { Archive } from '../archive/reader.ts';
import { ioError } from '../io.ts';
import { MCPSealError } from '../errors.ts';
import { MANIFEST_NAME, MAX_MANIFEST_SIZE, parseManifest, readManifest } from './load.ts';

export type ManifestSourceKind = 'manifest' | 'directory' | 'bundle';

export interface ManifestSource {
  kind: ManifestSourceKind;
  manifest: Record<string, unknown>;
  /** The bundle's file names (directories excluded); absent for a bare manifest.json. */
  files?: ReadonlySet<string>;
}

/** Loads the manifest (and file list) at `path`: a `.json` file, a directory, or a bundle. */
export async function loadManifestSource(path: string, options: { limits?: Partial<ArchiveLimits> } = {}): Promise<ManifestSource> {
  let info;
  try {
    info = await stat(path);
  } catch (cause) {
    throw ioError(cause, path, 'read');
  }
  if (info.isDirectory()) {
    const manifestPath = join(path, MANIFEST_NAME);
    const manifest = parseManifest(await readManifestFile(manifestPath));
    const { files } = await collectSourceFiles(path, options.limits ? { limits: options.limits } : {});
    return { kind: 'directory', manifest, files: new Set(files.map((file) => file.name)) };
  }
  if (path.endsWith('.json')) return { kind: 'manifest', manifest: parseManifest(await readManifestFile(path)) };
  const archive = await Archive.openFile(path, options.limits ? { limits: options.limits } : {});
  try {
    const manifest = await readManifest(archive);
    const files = archive.fileNames();
    return { kind: 'bundle', manifest, files };
  } finally {
    await archive.close();
  }
}

async function readManifestFile(path: string): Promise<Buffer> {
  try {
    const info = await stat(path);
    if (info.size > MAX_MANIFEST_SIZE) {
      throw new MCPSealError('MANIFEST_TOO_LARGE', `${path} is ${info.size} bytes (limit ${MAX_MANIFEST_SIZE})`, {
        details: { path, expected: MAX_MANIFEST_SIZE, found: info.size },
      });
    }
    return await readFile(path);
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new MCPSealError('MANIFEST_MISSING', `${path} does not exist`, { details: { path }, cause });
    }
    throw ioError(cause, path, 'read');
  }
}
