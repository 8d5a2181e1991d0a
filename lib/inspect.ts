// The `inspect` pipeline: what a reviewer wants to know about a bundle before anything else.

import { access } from 'node:fs/promises';
import type { ArchiveLimits } from './limits.ts';
import { Archive } from './archive/reader.ts';
import type { SignatureBlockKind } from './archive/signature-block.ts';
import type { LegacyVerification } from './legacy/index.ts';
import { reportLegacyBlock, type LegacyTrustOptions } from './legacy/report.ts';
import { readManifest, summarizeManifest, type ManifestSummary } from './manifest/load.ts';
import { sidecarPath } from './sigstore/sidecar.ts';

export interface InspectOptions {
  /** Inflate every entry and check its size and CRC-32 (the `unzip -t` analogue). */
  checkData?: boolean;
  limits?: Partial<ArchiveLimits>;
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
  /** Trust anchors for an appended MCPB_SIG_V1 block (default: the system store). */
  legacy?: LegacyTrustOptions;
}

export interface InspectResult {
  file: string;
  size: number;
  sha256: string;
  manifest: ManifestSummary;
  entries: {
    count: number;
    files: number;
    directories: number;
    /** Sum of the uncompressed sizes. */
    totalSize: number;
    compressedSize: number;
  };
  /** Whether every entry was inflated and checked (`checkData`). */
  dataChecked: boolean;
  signatures: {
    /** Path of the `<file>.sigstore.json` sidecar, when one exists. */
    sigstoreBundle: string | null;
    /** The appended legacy block, when there is one. */
    legacyBlock: { kind: SignatureBlockKind; length: number } | null;
    /** Its verification (absent, invalid, untrusted or valid), when there is one. */
    legacy: LegacyVerification | null;
  };
}

/** Strictly reads the whole bundle once (layout, local headers, hash) and summarises it. */
export async function inspectBundle(path: string, options: InspectOptions = {}): Promise<InspectResult> {
  const archive = await Archive.openFile(path, options.limits ? { limits: options.limits } : {});
  try {
    const manifest = summarizeManifest(await readManifest(archive));
    const { sha256 } = await archive.scan({
      hash: true,
      checkData: options.checkData === true,
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const directories = archive.entries.filter((entry) => entry.kind === 'directory').length;
    const block = archive.layout.signatureBlock;
    const legacy = await reportLegacyBlock(archive, options.legacy);
    return {
      file: path,
      size: archive.size,
      sha256: sha256!,
      manifest,
      entries: {
        count: archive.entries.length,
        files: archive.entries.length - directories,
        directories,
        totalSize: archive.totalSize,
        compressedSize: archive.entries.reduce((sum, entry) => sum + entry.compressedSize, 0),
      },
      dataChecked: options.checkData === true,
      signatures: {
        sigstoreBundle: (await exists(sidecarPath(path))) ? sidecarPath(path) : null,
        legacyBlock: block ? { kind: block.kind, length: block.length } : null,
        legacy,
      },
    };
  } finally {
    await archive.close();
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
