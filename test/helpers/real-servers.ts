// The six real servers of issue 10, installed from the npm registry into a cache OUTSIDE the
// repository (reused when present), each with a manifest written here, so `scopes suggest` runs
// on the code the servers really ship. Versions are pinned (chosen 2026-11-29).

import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface RealServer {
  /** A short name for test titles. */
  name: string;
  /** The npm package and its pinned version. */
  spec: string;
  packageName: string;
  /** What the manifest adds: env passed, args after the entry point, user_config options. */
  env?: Record<string, string>;
  args?: string[];
  userConfig?: Record<string, Record<string, unknown>>;
}

export const REAL_SERVERS: readonly RealServer[] = [
  {
    name: 'github',
    spec: '@modelcontextprotocol/server-github@2025.4.8',
    packageName: '@modelcontextprotocol/server-github',
    env: { GITHUB_PERSONAL_ACCESS_TOKEN: '${user_config.github_token}' },
    userConfig: { github_token: { type: 'string', title: 'GitHub token', description: 'A personal access token', sensitive: true, required: true } },
  },
  {
    name: 'brave',
    spec: '@brave/brave-search-mcp-server@2.1.4',
    packageName: '@brave/brave-search-mcp-server',
    env: { BRAVE_API_KEY: '${user_config.brave_api_key}' },
    userConfig: { brave_api_key: { type: 'string', title: 'Brave API key', description: 'The Brave Search API key', sensitive: true, required: true } },
  },
  {
    name: 'filesystem',
    spec: '@modelcontextprotocol/server-filesystem@2026.8.31',
    packageName: '@modelcontextprotocol/server-filesystem',
    args: ['${user_config.allowed_directories}'],
    userConfig: { allowed_directories: { type: 'directory', title: 'Allowed directories', description: 'Directories the server may use', multiple: true, required: true } },
  },
  {
    name: 'memory',
    spec: '@modelcontextprotocol/server-memory@2026.8.31',
    packageName: '@modelcontextprotocol/server-memory',
    env: { MEMORY_FILE_PATH: '${user_config.memory_file}' },
    userConfig: { memory_file: { type: 'file', title: 'Memory file', description: 'Where the knowledge graph is kept', required: true } },
  },
  { name: 'everything', spec: '@modelcontextprotocol/server-everything@2026.8.31', packageName: '@modelcontextprotocol/server-everything' },
  { name: 'sequential-thinking', spec: '@modelcontextprotocol/server-sequential-thinking@2026.8.31', packageName: '@modelcontextprotocol/server-sequential-thinking' },
];

export function cacheRoot(): string {
  return join(process.env['MCPSEAL_TEST_CACHE'] ?? join(homedir(), '.cache', 'mcpseal-test'), 'servers');
}

/**
 * The bundle directory of `server`: `npm install --ignore-scripts` of its pinned version (once; an
 * unreachable registry fails the test with the npm error), then its manifest.json written over.
 */
export async function realServerBundle(server: RealServer): Promise<string> {
  const directory = join(cacheRoot(), server.spec.replace(/[@/]/gu, '_'));
  const entry = `node_modules/${server.packageName}/dist/index.js`;
  if (!existsSync(join(directory, entry))) {
    await mkdir(directory, { recursive: true });
    try {
      await run('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--no-save', '--prefix', directory, server.spec], { timeout: 300_000 });
    } catch (error) {
      throw new Error(`could not install ${server.spec} from the npm registry into ${directory} (the real-server tests need the registry): ${String((error as Error).message)}`);
    }
  }
  await writeFile(join(directory, 'manifest.json'), `${JSON.stringify(manifestFor(server, entry), null, 2)}\n`);
  return directory;
}

function manifestFor(server: RealServer, entry: string): Record<string, unknown> {
  return {
    manifest_version: '0.3',
    name: `real-${server.name}`,
    version: '1.0.0',
    description: `The ${server.spec} server, as published on npm`,
    author: { name: 'mcpseal tests' },
    server: {
      type: 'node',
      entry_point: entry,
      mcp_config: { command: 'node', args: [`\${__dirname}/${entry}`, ...(server.args ?? [])], ...(server.env ? { env: server.env } : {}) },
    },
    ...(server.userConfig ? { user_config: server.userConfig } : {}),
  };
}
