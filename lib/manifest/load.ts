// Reading `manifest.json` out of a bundle. The full validation (schemas, hardened profile,
// scopes) lives beside this; here is only what every command needs: the document and a summary.
// Reading goes through an open Archive (the strict reader); files on disk are the pipelines' job
// (lib/manifest-source.ts).

import { MCPSealError } from '../errors.ts';
import type { Archive } from '../archive/reader.ts';
import { defaultLimits, type Limits } from '../limits.ts';
import { firstDuplicateKey } from './json-keys.ts';
import { nestsDeeperThan } from './depth.ts';
import { isRecord } from './document.ts';

export const MANIFEST_NAME = 'manifest.json';

/** The caps that apply to a manifest document. */
export type ManifestLimits = Pick<Limits, 'maxManifestSize' | 'maxManifestDepth'>;

export interface ManifestSummary {
  name: string | null;
  displayName: string | null;
  version: string | null;
  /** `manifest_version`, or the legacy `dxt_version`. */
  manifestVersion: string | null;
  serverType: string | null;
  entryPoint: string | null;
  /** The exact command line the host runs: `mcp_config.command` then its `args`, unexpanded. */
  commandLine: string[] | null;
  /** `_meta["dev.mcpseal"].scopes` and `user_config` exactly as written (untrusted, unchecked), for review. */
  scopes: unknown;
  userConfig: unknown;
}

/** Reads and parses `manifest.json` from the archive root, under the archive's limits. */
export async function readManifest(archive: Archive): Promise<Record<string, unknown>> {
  return parseManifest(await readManifestBytes(archive), archive.limits);
}

/** The bytes of `manifest.json` at the archive root, size-checked before they are inflated. */
export async function readManifestBytes(archive: Archive): Promise<Buffer> {
  const entry = archive.entry(MANIFEST_NAME);
  if (!entry || entry.kind !== 'file') {
    throw new MCPSealError('MANIFEST_MISSING', 'the bundle has no manifest.json at its root');
  }
  const max = archive.limits.maxManifestSize;
  if (entry.size > max) throw manifestTooLarge('manifest.json', entry.size, max);
  return archive.readEntry(entry);
}

/** MANIFEST_TOO_LARGE for a manifest of `size` bytes over `max`. */
export function manifestTooLarge(what: string, size: number, max: number): MCPSealError {
  return new MCPSealError('MANIFEST_TOO_LARGE', `${what} is ${size} bytes (limit ${max})`, {
    details: { expected: max, found: size, limit: 'maxManifestSize' },
  });
}

/**
 * How a manifest file on disk is read (the options of io.ts readBoundedFile, which the pipelines
 * call): at most `maxManifestSize` bytes, MANIFEST_TOO_LARGE over it, MANIFEST_MISSING when absent.
 * The one rule for every pipeline that reads a manifest.json outside a bundle.
 */
export function manifestFileRead(
  path: string,
  limits: Pick<Limits, 'maxManifestSize'>,
  missingMessage = `${path} does not exist`,
): { max: number; tooLarge: (size: number) => MCPSealError; missing: () => MCPSealError } {
  const max = limits.maxManifestSize;
  return {
    max,
    tooLarge: (size) => manifestTooLarge(path, size, max),
    missing: () => new MCPSealError('MANIFEST_MISSING', missingMessage, { details: { path } }),
  };
}

/** Parses manifest bytes: UTF-8 JSON whose top level is an object, nested no deeper than `maxManifestDepth`. */
export function parseManifest(bytes: Buffer, limits: Partial<ManifestLimits> = {}): Record<string, unknown> {
  const maxSize = limits.maxManifestSize ?? defaultLimits.maxManifestSize;
  if (bytes.length > maxSize) throw manifestTooLarge('manifest.json', bytes.length, maxSize);
  let value: unknown;
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    // V8's JSON.parse does not recurse on the native stack, so deep input is safe to parse.
    value = JSON.parse(text);
  } catch (cause) {
    throw new MCPSealError('MANIFEST_INVALID_JSON', `manifest.json is not valid UTF-8 JSON: ${(cause as Error).message}`, { cause });
  }
  if (!isRecord(value)) {
    throw new MCPSealError('MANIFEST_INVALID_JSON', 'manifest.json must hold a JSON object');
  }
  assertManifestDepth(value, limits.maxManifestDepth ?? defaultLimits.maxManifestDepth);
  const duplicate = firstDuplicateKey(text);
  if (duplicate !== null) {
    throw new MCPSealError('MANIFEST_INVALID_JSON', `manifest.json names the key "${duplicate.slice(0, 80)}" twice in one object: parsers disagree on which one counts`, { details: { found: duplicate.slice(0, 80) } });
  }
  return value;
}

/** MANIFEST_TOO_DEEP unless `value` nests at most `maxDepth` deep (issue 9, finding 14). */
export function assertManifestDepth(value: unknown, maxDepth: number): void {
  if (nestsDeeperThan(value, maxDepth)) {
    throw new MCPSealError('MANIFEST_TOO_DEEP', `manifest.json nests deeper than ${maxDepth} levels`, {
      details: { expected: maxDepth, limit: 'maxManifestDepth' },
    });
  }
}

/** The fields an installer shows before anything runs. Missing or mistyped fields read as null. */
export function summarizeManifest(manifest: Record<string, unknown>): ManifestSummary {
  const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);
  const server = isRecord(manifest['server']) ? manifest['server'] : {};
  const config = isRecord(server['mcp_config']) ? server['mcp_config'] : {};
  const command = text(config['command']);
  const args = Array.isArray(config['args']) ? config['args'].map((arg) => (typeof arg === 'string' ? arg : JSON.stringify(arg))) : [];
  return {
    name: text(manifest['name']),
    displayName: text(manifest['display_name']),
    version: text(manifest['version']),
    manifestVersion: text(manifest['manifest_version']) ?? text(manifest['dxt_version']),
    serverType: text(server['type']),
    entryPoint: text(server['entry_point']),
    commandLine: command === null ? null : [command, ...args],
    scopes: (isRecord(manifest['_meta']) && isRecord(manifest['_meta']['dev.mcpseal']) ? manifest['_meta']['dev.mcpseal']['scopes'] : undefined) ?? null,
    userConfig: manifest['user_config'] ?? null,
  };
}
