// Real processes for the tool-pinning tests: a dependency-free MCP stdio server whose tools change
// between starts or after a call, a runner that puts the relay (compiled dist/) between its own
// stdio and that server with the lock hooks of `run`, and a lockfile holding one installed entry.

import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { ROOT } from './cli.ts';

export interface TestServerConfig {
  /** The tools of the first start. */
  tools: Record<string, unknown>[];
  /** The tools from the second start on (a file in `counter` counts the starts). */
  later?: Record<string, unknown>[];
  counter?: string;
  /** Added (with notifications/tools/list_changed) when the tool `add_tool` is called. */
  added?: Record<string, unknown>;
  /** Size of the text the tool `big` returns. */
  bigBytes?: number;
}

/** The server: newline-delimited JSON-RPC on stdio, MCP 2025-06-18 shapes, no dependencies. */
const SERVER = `
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
let starts = 0;
if (config.counter) {
  starts = existsSync(config.counter) ? Number(readFileSync(config.counter, 'utf8')) : 0;
  writeFileSync(config.counter, String(starts + 1));
}
let tools = starts > 0 && config.later ? config.later : config.tools;
const send = (message) => process.stdout.write(JSON.stringify(message) + '\\n');
const text = (id, value) => send({ jsonrpc: '2.0', id, result: { content: [{ type: 'text', text: value }] } });
createInterface({ input: process.stdin, crlfDelay: Infinity }).on('line', (line) => {
  const message = JSON.parse(line);
  const { id, method, params } = message;
  if (method === 'initialize') {
    send({ jsonrpc: '2.0', id, result: { protocolVersion: params.protocolVersion, capabilities: { tools: { listChanged: true } }, serverInfo: { name: 'pin-test', version: '1.0.0' } } });
  } else if (method === 'tools/list') {
    send({ jsonrpc: '2.0', id, result: { tools } });
  } else if (method === 'tools/call') {
    if (params.name === 'add_tool') {
      tools = [...tools, config.added];
      text(id, 'added');
      send({ jsonrpc: '2.0', method: 'notifications/tools/list_changed' });
    } else if (params.name === 'big') text(id, 'b'.repeat(config.bigBytes));
    else text(id, 'called ' + params.name);
  } else if (id !== undefined && method !== undefined) send({ jsonrpc: '2.0', id, result: {} });
});
`;

/** The runner: what `run` does around the sandbox, minus the sandbox (the lead wires it into run). */
const RUNNER = (root: string): string => `
import { spawn } from 'node:child_process';
import { relayStdio } from ${JSON.stringify(pathToFileURL(join(root, 'dist/launch/relay.js')).href)};
import { toolLockHooks } from ${JSON.stringify(pathToFileURL(join(root, 'dist/install/tool-state.js')).href)};
import { readLock } from ${JSON.stringify(pathToFileURL(join(root, 'dist/install/lockfile.js')).href)};
const [server, lockPath, store, name, config, declared] = process.argv.slice(2);
const entry = (await readLock(lockPath)).bundles[name];
const hooks = toolLockHooks({ store, lock: lockPath }, entry);
const child = spawn(process.execPath, [server, config], { stdio: ['pipe', 'pipe', 'inherit'] });
await relayStdio({
  client: { input: process.stdin, output: process.stdout },
  server: { input: child.stdin, output: child.stdout },
  pins: hooks.pins,
  declaredTools: declared ? JSON.parse(declared) : undefined,
  savePins: hooks.savePins,
  savePending: hooks.savePending,
  warn: (line) => process.stderr.write('mcpseal: ' + line + '\\n'),
  bundle: name,
});
child.kill();
process.exit(0);
`;

export interface PinningFixture {
  dir: string;
  store: string;
  lock: string;
  server: string;
  runner: string;
}

/** A store directory whose lockfile holds `name` (a minimal entry, as install writes it), and the two scripts. */
export async function pinningFixture(dir: string, name: string): Promise<PinningFixture> {
  const store = join(dir, 'store');
  await mkdir(store, { recursive: true });
  const lock = join(store, 'mcpseal.lock.json');
  const entry = {
    name,
    version: '1.0.0',
    sha256: 'a'.repeat(64),
    serverType: 'node',
    signer: null,
    logEntry: null,
    policy: null,
    scopes: {},
    grants: { read: [], write: [], egress: [], listen: false, spawn: [], workers: false, nativeAddons: false, env: { read: [], secrets: [] }, runtime: { roots: 'none', cwd: 'none', userDriven: null } },
    userConfig: {},
    entries: { count: 0, sha256: 'b'.repeat(64), source: 'computed' },
    tools: [],
    installedAt: '2026-01-01T00:00:00.000Z',
  };
  await writeFile(lock, `${JSON.stringify({ version: 1, bundles: { [name]: entry } }, null, 2)}\n`);
  const server = join(dir, 'server.mjs');
  const runner = join(dir, 'runner.mjs');
  await writeFile(server, SERVER);
  await writeFile(runner, RUNNER(ROOT));
  return { dir, store, lock, server, runner };
}

export interface Session {
  client: Client;
  stderr: () => string;
  close: () => Promise<void>;
}

/** Starts the runner under the official MCP SDK client (stdio transport) and connects. */
export async function connect(fixture: PinningFixture, name: string, config: TestServerConfig, declared?: string[]): Promise<Session> {
  const configPath = join(fixture.dir, `config-${Math.random().toString(36).slice(2)}.json`);
  await writeFile(configPath, JSON.stringify(config));
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [fixture.runner, fixture.server, fixture.lock, fixture.store, name, configPath, ...(declared ? [JSON.stringify(declared)] : [])],
    stderr: 'pipe',
  });
  const chunks: string[] = [];
  transport.stderr?.on('data', (chunk: Buffer) => chunks.push(chunk.toString('utf8')));
  const client = new Client({ name: 'mcpseal-test', version: '1.0.0' });
  await client.connect(transport);
  return { client, stderr: () => chunks.join(''), close: () => client.close() };
}
