// The `packages[]` entry of a server.json for one .mcpb file, as the MCP registry accepts it: the
// schema's Package (registryType, identifier, transport required) plus the registry's own mcpb
// rules (internal/validators/registries/mcpb.go: an https identifier containing "mcp";
// fileSha256 required for mcpb). See schemas/server.schema.SOURCE.md.

import { MCPSealError } from '../errors.ts';

/** A `packages[]` entry of registryType `mcpb`. */
export interface McpbPackageEntry {
  registryType: 'mcpb';
  /** The download URL of the exact file (https). */
  identifier: string;
  /** The manifest's version (optional for mcpb in the registry since 2025-10-17; written when known). */
  version?: string;
  /** sha256 (lower-case hex) of the whole file as downloaded. */
  fileSha256: string;
  /** An .mcpb server speaks MCP over stdio (the host starts `server.mcp_config`). */
  transport: { type: 'stdio' };
}

/**
 * Why the registry would refuse `url` as an mcpb identifier, or null when it would accept it:
 * https only (the file's integrity then also rests on TLS until the client checks fileSha256),
 * and the URL must contain "mcp" somewhere, case-insensitively (the registry's own rule).
 */
export function mcpbIdentifierProblem(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'is not an absolute URL';
  }
  if (parsed.protocol !== 'https:') return `must use https (the registry refuses ${parsed.protocol.replace(/:$/u, '')})`;
  if (parsed.username !== '' || parsed.password !== '') return 'must not carry credentials';
  if (!url.toLowerCase().includes('mcp')) return 'must contain "mcp" (the registry refuses mcpb URLs without it)';
  return null;
}

/** The entry for a file with this sha256 and manifest version, downloadable at `url`. */
export function mcpbPackageEntry(options: { url: string; sha256: string; version: string | null }): McpbPackageEntry {
  const problem = mcpbIdentifierProblem(options.url);
  if (problem !== null) {
    throw new MCPSealError('USAGE_INVALID_ARGUMENT', `--url ${problem}: ${options.url}`, { details: { found: options.url } });
  }
  if (!/^[0-9a-f]{64}$/u.test(options.sha256)) throw new MCPSealError('INTERNAL_ERROR', 'a file digest is not 64 lower-case hex digits');
  return {
    registryType: 'mcpb',
    identifier: options.url,
    ...(options.version === null ? {} : { version: options.version }),
    fileSha256: options.sha256,
    transport: { type: 'stdio' },
  };
}
