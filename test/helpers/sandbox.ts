// Shared pieces of the sandbox tests: a signed bundle of a probe server (Node or Python) with the
// scopes a test grants, installed into a temporary store through the real CLI, and an MCP client
// (the official SDK) speaking to `mcpseal run NAME` as a real client would.

import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { packBundle, signBundle } from '../../lib/index.ts';
import { BIN, runCli } from './cli.ts';
import type { Signer } from './install.ts';
import { HARDENED_MANIFEST } from './manifest.ts';
import { NODE_PROBE_SERVER, PYTHON_PROBE_SERVER, type Probe, type ProbeResult } from './probe-servers.ts';
import { writeTree } from './tree.ts';

export interface ProbeBundleSpec {
  name: string;
  runtime: 'node' | 'python';
  scopes: Record<string, unknown>;
  userConfig?: Record<string, unknown>;
  /** Extra arguments after the entry point. */
  args?: string[];
}

/** Packs and signs the probe server of `runtime` with the given scopes; returns the .mcpb path. */
export async function probeBundle(dir: string, signer: Signer, spec: ProbeBundleSpec): Promise<string> {
  const manifest = structuredClone(HARDENED_MANIFEST) as Record<string, any>;
  const entry = spec.runtime === 'node' ? 'server/index.js' : 'server/main.py';
  manifest['name'] = spec.name;
  manifest['server'] = {
    type: spec.runtime,
    entry_point: entry,
    mcp_config: { command: spec.runtime === 'node' ? 'node' : 'python3', args: [`\${__dirname}/${entry}`, ...(spec.args ?? [])] },
  };
  Object.assign(manifest['_meta']['dev.mcpseal']['scopes'], spec.scopes);
  if (spec.userConfig) manifest['user_config'] = spec.userConfig;
  const source = join(dir, `${spec.name}-src`);
  await mkdir(source, { recursive: true });
  await writeTree(source, { 'manifest.json': JSON.stringify(manifest, null, 2), [entry]: spec.runtime === 'node' ? NODE_PROBE_SERVER : PYTHON_PROBE_SERVER });
  const out = `${source}.mcpb`;
  await packBundle(source, out);
  await signBundle(out, { method: { kind: 'key', privateKeyPem: signer.privateKeyPem } });
  return out;
}

/** `mcpseal install` through the real CLI; fails the test unless it exits 0. */
export async function install(bundle: string, signer: Signer, store: string, env: NodeJS.ProcessEnv, userConfig: string[] = []): Promise<void> {
  const result = await runCli(['install', bundle, '--key', signer.publicKeyPath, '--store', store, ...userConfig.flatMap((answer) => ['--user-config', answer])], { env });
  assert.equal(result.status, 0, result.stderr);
}

export interface RunningClient {
  client: Client;
  /** Everything `mcpseal run` wrote on stderr so far. */
  stderr: () => string;
  close: () => Promise<void>;
}

/** An MCP client connected to `mcpseal run <name> --store <store> ...extra` with exactly `env`. */
export async function connectRun(name: string, store: string, env: Record<string, string>, extra: string[] = []): Promise<RunningClient> {
  const transport = new StdioClientTransport({ command: process.execPath, args: [BIN, 'run', name, '--store', store, ...extra], env, stderr: 'pipe' });
  let stderr = '';
  (transport.stderr as Readable | null)?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const client = new Client({ name: 'mcpseal-tests', version: '1.0.0' });
  try {
    await client.connect(transport);
  } catch (error) {
    throw new Error(`could not connect to mcpseal run ${name}: ${String(error)}\nstderr:\n${stderr}`);
  }
  return { client, stderr: () => stderr, close: () => client.close() };
}

/** Calls the probe tool once and returns what the server reports. */
export async function probe(client: Client, attempt: Probe): Promise<ProbeResult> {
  const result = (await client.callTool({ name: 'probe', arguments: { ...attempt } })) as { content: { type: string; text: string }[] };
  return JSON.parse(result.content[0]!.text) as ProbeResult;
}
