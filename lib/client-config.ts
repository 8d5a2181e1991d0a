// `mcpseal client-config <name> --client C [--write FILE]` (README "client-config", issue 12 item 7):
// the entry that makes an MCP client start an installed bundle through `mcpseal run`, in the
// client's own format, and merging it into the client's config file without losing anything:
// every other key and server kept, a backup of the old file written first, the new file renamed
// into place (atomic), and a file that is not the expected JSON left untouched.

import { lstat, mkdir, realpath, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { MCPSealError } from './errors.ts';
import { errnoCode, ioError, readBoundedFile, writeFileAtomic } from './io.ts';
import { lockPathOf, type LockLocation } from './install/installed.ts';
import { lockEntryOf, readLock } from './install/lockfile.ts';
import { notInstalled } from './install/store.ts';

/** The clients whose formats are known (their documentation, 2025): where servers live and how an entry looks. */
export const CLIENT_FORMATS = {
  /** claude_desktop_config.json: `mcpServers.<name>` = { command, args }. */
  'claude-desktop': { container: 'mcpServers', type: false },
  /** Claude Code's project `.mcp.json`: `mcpServers.<name>` = { type: "stdio", command, args, env }. */
  'claude-code': { container: 'mcpServers', type: true },
  /** VS Code's `.vscode/mcp.json` (or user settings' mcp file): `servers.<name>` = { type: "stdio", command, args }. */
  vscode: { container: 'servers', type: true },
  /** Cursor's `~/.cursor/mcp.json` or `.cursor/mcp.json`: `mcpServers.<name>` = { command, args }. */
  cursor: { container: 'mcpServers', type: false },
} as const;

export type ClientKind = keyof typeof CLIENT_FORMATS;

export const CLIENT_KINDS = Object.keys(CLIENT_FORMATS) as ClientKind[];

export interface ClientConfigOptions extends LockLocation {
  client: ClientKind;
  /** The absolute command line that starts mcpseal (node and bin/mcpseal.js, or the installed bin). */
  launcher: readonly string[];
  /** Pass `--store` (the store is not the default one). */
  storeFlag: boolean;
  /** Directories passed to `run` as `--root DIR` (resolved to absolute paths here; checked by `run`). */
  roots?: readonly string[];
}

export interface ClientConfig {
  client: ClientKind;
  name: string;
  /** `mcpServers` or `servers`. */
  container: string;
  entry: Record<string, unknown>;
  /** The snippet to paste: `{ <container>: { <name>: entry } }`. */
  document: Record<string, unknown>;
}

/** The client entry for the installed bundle `name` (INSTALL_NOT_INSTALLED when the lock does not hold it). */
export async function clientConfig(name: string, options: ClientConfigOptions): Promise<ClientConfig> {
  const lockPath = lockPathOf(options);
  if (lockEntryOf(await readLock(lockPath), name) === undefined) throw notInstalled(name, lockPath);
  const [command, ...launcherArgs] = options.launcher;
  if (command === undefined || !options.launcher.every((part) => resolve(part) === part)) {
    throw new MCPSealError('USAGE_INVALID_ARGUMENT', `the launcher must be absolute paths, got ${JSON.stringify(options.launcher)}`);
  }
  const args = [...launcherArgs, 'run', name];
  if (options.storeFlag) args.push('--store', resolve(options.store));
  if (options.lock !== undefined) args.push('--lock', resolve(options.lock));
  for (const root of options.roots ?? []) args.push('--root', resolve(root));
  const format = CLIENT_FORMATS[options.client];
  const entry: Record<string, unknown> = { ...(format.type ? { type: 'stdio' } : {}), command, args };
  if (options.client === 'claude-code') entry['env'] = {};
  return { client: options.client, name, container: format.container, entry, document: { [format.container]: { [name]: entry } } };
}

export interface ClientConfigWriteResult {
  file: string;
  /** The copy of the previous file (null: there was none). */
  backup: string | null;
  /** Whether an entry of that name was replaced. */
  replaced: boolean;
}

/** Largest client config file read (they are a few kilobytes). */
const MAX_CONFIG_SIZE = 16 * 1024 * 1024;

/**
 * Merges `config` into the client config file `file`: a backup `<file>.<timestamp>.bak` of the old
 * bytes first, then the merged document renamed into place with the old file's mode. A symlinked
 * file is written where it points. Anything that is not a JSON object (or whose container is not
 * an object) is CLIENT_CONFIG_INVALID and nothing is written.
 */
export async function writeClientConfig(file: string, config: ClientConfig, now: () => Date = () => new Date()): Promise<ClientConfigWriteResult> {
  const target = await realTarget(resolve(file));
  const old = await readExisting(target);
  const document = old === null ? {} : parseConfig(target, old.bytes, config.container);
  const servers = (document[config.container] ?? {}) as Record<string, unknown>;
  const replaced = Object.hasOwn(servers, config.name);
  const merged = { ...document, [config.container]: { ...servers, [config.name]: config.entry } };
  let backup: string | null = null;
  if (old !== null) {
    backup = `${target}.${now().toISOString().replace(/[:.]/gu, '-')}.bak`;
    await writeFileAtomic(backup, old.bytes, { mode: old.mode, durable: true });
  } else {
    try {
      await mkdir(dirname(target), { recursive: true });
    } catch (cause) {
      throw ioError(cause, dirname(target), 'write');
    }
  }
  await writeFileAtomic(target, `${JSON.stringify(merged, null, 2)}\n`, { mode: old?.mode ?? 0o644, durable: true });
  return { file: target, backup, replaced };
}

/** The file a symlink names (so the link stays a link), or the path itself. */
async function realTarget(path: string): Promise<string> {
  const info = await lstat(path).catch(() => null);
  if (info === null || !info.isSymbolicLink()) return path;
  try {
    return await realpath(path);
  } catch (cause) {
    throw ioError(cause, path, 'read');
  }
}

async function readExisting(path: string): Promise<{ bytes: Buffer; mode: number } | null> {
  try {
    const bytes = await readBoundedFile(path, {
      max: MAX_CONFIG_SIZE,
      tooLarge: (size) => invalid(path, `it is ${size} bytes (limit ${MAX_CONFIG_SIZE})`),
    });
    return { bytes, mode: (await stat(path)).mode & 0o777 };
  } catch (error) {
    if (error instanceof MCPSealError && error.code === 'IO_NOT_FOUND') return null;
    if (errnoCode(error) === 'ENOENT') return null;
    throw error;
  }
}

function invalid(path: string, why: string, cause?: unknown): MCPSealError {
  return new MCPSealError('CLIENT_CONFIG_INVALID', `${path} is not a client config this can merge into: ${why}; it was left untouched`, {
    details: { path },
    ...(cause === undefined ? {} : { cause }),
  });
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function parseConfig(path: string, bytes: Buffer, container: string): Record<string, unknown> {
  const text = bytes.toString('utf8');
  // An empty file (a client creates one before its first server): an empty config.
  if (text.trim() === '') return {};
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    // JSON with comments (VS Code accepts them in mcp.json) is refused too: rewriting would drop them.
    throw invalid(path, `it is not JSON (${(cause as Error).message})`, cause);
  }
  if (!isRecord(json)) throw invalid(path, 'the top level is not an object');
  if (json[container] !== undefined && !isRecord(json[container])) throw invalid(path, `"${container}" is not an object`);
  return json;
}
