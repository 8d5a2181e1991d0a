// Run-time grants under the real sandbox (issue 12, `filesystem.roots` and `filesystem.cwd`):
// directories given with `mcpseal run NAME --root DIR` are shared per the roots grant, the run
// process's working directory per the cwd grant (and the server starts there), nothing else is;
// dangerous roots are refused (LAUNCH_ROOT_REFUSED); the real server-filesystem, started with no
// directory, takes its directories from the client's roots/list answer, which the relay filters
// to what the sandbox shares. Every launch speaks MCP through the official SDK client and bwrap.

import assert from 'node:assert/strict';
import { cp, mkdir, readFile, realpath, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Readable } from 'node:stream';
import { after, before, describe, it } from 'mocha';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { ListRootsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { packBundle, signBundle } from '../lib/index.ts';
import { BIN, jsonOf, runCli, tempDir } from './helpers/cli.ts';
import { makeSigner, type Signer } from './helpers/install.ts';
import { REAL_SERVERS, realServerBundle } from './helpers/real-servers.ts';
import { install, probe, probeBundle } from './helpers/sandbox.ts';

const FILESYSTEM = (extra: Record<string, unknown>): Record<string, unknown> => ({ filesystem: { read: ['${__dirname}'], write: [], ...extra } });

interface Running {
  client: Client;
  stderr: () => string;
  close: () => Promise<void>;
}

/** `mcpseal run` started in `cwd` by an SDK client that offers `roots` (when given) as its MCP roots. */
async function connect(name: string, store: string, env: Record<string, string>, options: { cwd: string; extra?: string[]; roots?: string[] }): Promise<Running> {
  const transport = new StdioClientTransport({ command: process.execPath, args: [BIN, 'run', name, '--store', store, ...(options.extra ?? [])], env, cwd: options.cwd, stderr: 'pipe' });
  let stderr = '';
  (transport.stderr as Readable | null)?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const client = new Client({ name: 'mcpseal-tests', version: '1.0.0' }, options.roots ? { capabilities: { roots: { listChanged: true } } } : {});
  if (options.roots) {
    const roots = options.roots;
    client.setRequestHandler(ListRootsRequestSchema, () => ({ roots: roots.map((dir) => ({ uri: pathToFileURL(dir).href, name: dir })) }));
  }
  try {
    await client.connect(transport);
  } catch (error) {
    throw new Error(`could not connect to mcpseal run ${name}: ${String(error)}\nstderr:\n${stderr}`);
  }
  return { client, stderr: () => stderr, close: () => client.close() };
}

const errorOf = (result: { stdout: string }): { code: string; message: string; details: Record<string, unknown> } =>
  (jsonOf(result as never) as { error: { code: string; message: string; details: Record<string, unknown> } }).error;

describe('run: MCP roots (--root) and the working directory, shared per their grants', function () {
  this.timeout(300_000);
  let tmp: { path: string; cleanup: () => Promise<void> };
  let home: string;
  let store: string;
  let shared: string;
  let sibling: string;
  let clientCwd: string;
  let signer: Signer;
  let root: string;
  let env: Record<string, string>;

  before(async () => {
    tmp = await tempDir('mcpseal-run-roots-');
    root = await realpath(tmp.path);
    home = join(root, 'home');
    shared = join(root, 'work', 'shared');
    sibling = join(root, 'work', 'sibling');
    clientCwd = join(root, 'work', 'client-cwd');
    for (const dir of [home, shared, sibling, clientCwd]) await mkdir(dir, { recursive: true });
    await writeFile(join(shared, 'in.txt'), 'in the root');
    await writeFile(join(sibling, 'secret.txt'), 'not shared');
    await writeFile(join(clientCwd, 'marker.txt'), 'in the working directory');
    env = { PATH: process.env['PATH'] ?? '', HOME: home };
    signer = await makeSigner(root);
    store = join(root, 'store');
    await install(await probeBundle(root, signer, { name: 'roots-read', runtime: 'node', scopes: FILESYSTEM({ roots: 'read' }) }), signer, store, { HOME: home });
    await install(await probeBundle(root, signer, { name: 'cwd-write', runtime: 'node', scopes: FILESYSTEM({ cwd: 'write' }) }), signer, store, { HOME: home });
    await install(await probeBundle(root, signer, { name: 'roots-py', runtime: 'python', scopes: FILESYSTEM({ roots: 'read' }) }), signer, store, { HOME: home });
  });
  after(() => tmp?.cleanup());

  for (const name of ['roots-read', 'roots-py']) {
    it(`${name}: a root granted read is readable and not writable; an ungranted sibling and the working directory (cwd none) stay invisible`, async () => {
      const running = await connect(name, store, env, { cwd: clientCwd, extra: ['--root', shared] });
      try {
        const read = await probe(running.client, { action: 'read', path: join(shared, 'in.txt') });
        assert.equal(read.ok, true, read.detail);
        assert.equal(read.detail, 'in the root');
        assert.equal((await probe(running.client, { action: 'write', path: join(shared, 'new.txt') })).ok, false, 'read grant: not writable');
        await assert.rejects(readFile(join(shared, 'new.txt')), { code: 'ENOENT' });
        assert.equal((await probe(running.client, { action: 'read', path: join(sibling, 'secret.txt') })).ok, false, 'a sibling of the root is not shared');
        assert.equal((await probe(running.client, { action: 'list', path: join(root, 'work') })).ok, false, 'the names beside the root stay hidden');
        assert.equal((await probe(running.client, { action: 'read', path: join(clientCwd, 'marker.txt') })).ok, false, 'cwd none: the working directory is not shared');
        assert.equal((await probe(running.client, { action: 'read', path: 'marker.txt' })).ok, false, 'cwd none: the server does not start there');
      } finally {
        await running.close();
      }
    });
  }

  it('cwd write: the working directory is shared read-write and the server starts there; nothing else is', async () => {
    const running = await connect('cwd-write', store, env, { cwd: clientCwd });
    try {
      const read = await probe(running.client, { action: 'read', path: 'marker.txt' });
      assert.equal(read.ok, true, read.detail);
      assert.equal(read.detail, 'in the working directory');
      assert.equal((await probe(running.client, { action: 'write', path: 'written.txt' })).ok, true);
      assert.ok((await readFile(join(clientCwd, 'written.txt'), 'utf8')).length > 0, 'written into the real working directory');
      assert.equal((await probe(running.client, { action: 'read', path: join(shared, 'in.txt') })).ok, false);
    } finally {
      await running.close();
    }
  });

  it('--root for a bundle not granted roots is LAUNCH_ROOT_REFUSED, exit 2, nothing started', async () => {
    const result = await runCli(['run', 'cwd-write', '--store', store, '--root', shared, '--json'], { env });
    assert.equal(result.status, 2, result.stderr);
    assert.equal(errorOf(result).code, 'LAUNCH_ROOT_REFUSED');
    assert.match(errorOf(result).message, /not granted filesystem\.roots/u);
  });

  for (const [title, dir, why] of [
    ['the filesystem root', () => '/', /filesystem root/u],
    ['the home directory itself', () => home, /home directory itself/u],
    ['a directory above the home', () => root, /holds the home directory/u],
    ['the store', () => store, /store/u],
    ['a tree inside the store', () => join(store, 'sha256'), /store/u],
    ['a directory that does not exist', () => join(root, 'missing'), /does not exist/u],
  ] as const) {
    it(`--root ${title} is LAUNCH_ROOT_REFUSED, exit 2`, async () => {
      const result = await runCli(['run', 'roots-read', '--store', store, '--root', dir(), '--json'], { env });
      assert.equal(result.status, 2, result.stderr);
      assert.equal(errorOf(result).code, 'LAUNCH_ROOT_REFUSED');
      assert.match(errorOf(result).message, why);
    });
  }

  it('a working directory that is the home itself is not shared: a warning, and the server starts in its tree', async () => {
    const running = await connect('cwd-write', store, env, { cwd: home });
    try {
      assert.equal((await probe(running.client, { action: 'write', path: 'written.txt' })).ok, false);
      assert.match(running.stderr(), /granted the working directory \(write\), which is not shared \([^)]*home directory itself\)/u);
    } finally {
      await running.close();
    }
  });

  it('--print-plan shows the roots and the working directory, mounted per their grants', async () => {
    const roots = await runCli(['run', 'roots-read', '--store', store, '--root', shared, '--print-plan', '--json'], { env });
    assert.equal(roots.status, 0, roots.stderr);
    const plan = (jsonOf(roots) as { plan: { filesystem: { readOnly: string[]; readWrite: string[]; runtime: Record<string, unknown> } } }).plan;
    assert.deepEqual(plan.filesystem.runtime, { roots: 'read', cwd: 'none', rootPaths: [shared], cwdPath: null, cwdRefused: null });
    assert.ok(plan.filesystem.readOnly.includes(shared) && !plan.filesystem.readWrite.includes(shared));
    const text = await runCli(['run', 'cwd-write', '--store', store, '--print-plan'], { env, cwd: clientCwd });
    assert.equal(text.status, 0, text.stderr);
    assert.match(text.stdout, new RegExp(`^cwd: +write: ${clientCwd}$`, 'mu'));
    assert.match(text.stdout, new RegExp(`^starts in: +${clientCwd}$`, 'mu'));
    assert.match(text.stdout, /^roots: +not granted$/mu);
  });

  describe('the real server-filesystem, given its directories by the client\'s roots', () => {
    let fsStore: string;

    before(async () => {
      const cached = await realServerBundle(REAL_SERVERS.find((server) => server.name === 'filesystem')!);
      const source = join(root, 'server-filesystem-roots');
      await cp(cached, source, { recursive: true, verbatimSymlinks: true });
      const manifest = JSON.parse(await readFile(join(source, 'manifest.json'), 'utf8')) as Record<string, any>;
      // No directory on the command line: the server waits for the client's roots (its documented mode).
      manifest['server']['mcp_config']['args'] = [manifest['server']['mcp_config']['args'][0]];
      delete manifest['user_config'];
      manifest['_meta'] = {
        'dev.mcpseal': {
          scopes: {
            ...FILESYSTEM({ roots: 'read' }),
            network: { egress: [], listen: false },
            process: { spawn: [], workers: false, native_addons: false },
            env: { read: [], secrets: [] },
          },
        },
      };
      await writeFile(join(source, 'manifest.json'), JSON.stringify(manifest, null, 2));
      const bundle = `${source}.mcpb`;
      await packBundle(source, bundle);
      await signBundle(bundle, { method: { kind: 'key', privateKeyPem: signer.privateKeyPem } });
      fsStore = join(root, 'fs-store');
      await install(bundle, signer, fsStore, { HOME: home });
    });

    it('a client root outside the --root directories is dropped from its answer: the server lists and reads only the shared one', async () => {
      const running = await connect('real-filesystem', fsStore, env, { cwd: clientCwd, extra: ['--root', shared], roots: [shared, sibling] });
      try {
        const text = (result: unknown): string => ((result as { content: { text: string }[] }).content[0]?.text ?? '');
        // The server asks for the roots after initialisation: wait until it took them.
        let allowed = '';
        for (let attempt = 0; attempt < 50 && !allowed.includes(shared); attempt++) {
          allowed = text(await running.client.callTool({ name: 'list_allowed_directories', arguments: {} }));
          if (!allowed.includes(shared)) await new Promise((resolve) => setTimeout(resolve, 100));
        }
        assert.match(allowed, new RegExp(shared.replace(/[.*+?^${}()|[\]\\]/gu, '\\$&'), 'u'));
        assert.doesNotMatch(allowed, /sibling/u, 'the unshared root never reached the server');
        assert.match(running.stderr(), /dropped the client's root file:\/\/[^ ]*sibling from its roots\/list answer/u);
        const names = (await running.client.listTools()).tools.map((tool) => tool.name);
        const tool = names.includes('read_text_file') ? 'read_text_file' : 'read_file';
        const inside = await running.client.callTool({ name: tool, arguments: { path: join(shared, 'in.txt') } });
        assert.equal(text(inside), 'in the root');
      } finally {
        await running.close();
      }
    });
  });
});
