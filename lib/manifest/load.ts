// Reading `manifest.json` out of a bundle. The full validation (schemas, hardened profile,
// scopes) lives beside this; here is only what every command needs: the document and a summary.

import { MCPSealError } from '../errors.ts';
import type { Archive } from '../archive/reader.ts';

export const MANIFEST_NAME = 'manifest.json';
/** A manifest is a few kilobytes; anything near this is not one. */
export const MAX_MANIFEST_SIZE = 1024 * 1024;

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
}

/** Reads and parses `manifest.json` from the archive root. */
export async function readManifest(archive: Archive): Promise<Record<string, unknown>> {
  const entry = archive.entry(MANIFEST_NAME);
  if (!entry || entry.kind !== 'file') {
    throw new MCPSealError('MANIFEST_MISSING', 'the bundle has no manifest.json at its root');
  }
  if (entry.size > MAX_MANIFEST_SIZE) {
    throw new MCPSealError('MANIFEST_TOO_LARGE', `manifest.json is ${entry.size} bytes (limit ${MAX_MANIFEST_SIZE})`, {
      details: { expected: MAX_MANIFEST_SIZE, found: entry.size },
    });
  }
  return parseManifest(await archive.readEntry(entry));
}

/** Parses manifest bytes: UTF-8 JSON whose top level is an object. */
export function parseManifest(bytes: Buffer): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (cause) {
    throw new MCPSealError('MANIFEST_INVALID_JSON', `manifest.json is not valid UTF-8 JSON: ${(cause as Error).message}`, { cause });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new MCPSealError('MANIFEST_INVALID_JSON', 'manifest.json must hold a JSON object');
  }
  return value as Record<string, unknown>;
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
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
