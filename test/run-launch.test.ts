// `mcpseal run <name>` around the sandbox (issue 12 items 2, 5 and "Tests"): the integrity check
// before every start (a changed, added or removed file, or an edited store marker, refuses the
// launch with INSTALL_TAMPERED), no usable sandbox (SANDBOX_UNAVAILABLE, exit 2, with the fix),
// `--sandbox none` only by name, and the real @modelcontextprotocol/server-filesystem installed
// with a directory grant and driven by the official MCP SDK client through `mcpseal run`.

import assert from 'node:assert/strict';
import { chmod, cp, mkdir, readdir, readFile, realpath, rename, writeFile } from 'node:fs/promises';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { after, before, describe, it } from 'mocha';
import { BIN, jsonOf, runCli, tempDir } from './helpers/cli.ts';
import { makeSigner, type Signer } from './helpers/install.ts';
import { REAL_SERVERS, realServerBundle } from './helpers/real-servers.ts';
import { connectRun, install, probe, probeBundle } from './helpers/sandbox.ts';
import { packBundle, signBundle } from '../lib/index.ts';

const errorOf = (result: { stdout: string }): { code: string; message: string; details: Record<string, unknown> } =>
  (jsonOf(result as never) as { error: { code: string; message: string; details: Record<string, unknown> } }).error;

describe('run: integrity of the installed tree before every start', function () {
  this.timeout(120_000);
  let tmp: { path: string; cleanup: () => Promise<void> };
  let store: string;
  let tree: string;
  let home: string;

  before(async () => {
    tmp = await tempDir('mcpseal-run-tamper-');
    const root = await realpath(tmp.path);
    home = join(root, 'home');
    await mkdir(home);
    const signer = await makeSigner(root);
    const bundle = await probeBundle(root, signer, { name: 'tampered', runtime: 'node', scopes: {} });
    store = join(root, 'store');
    await install(bundle, signer, store, { HOME: home });
    const lock = JSON.parse(await readFile(join(store, 'mcpseal.lock.json'), 'utf8')) as { bundles: Record<string, { sha256: string }> };
    tree = join(store, 'sha256', lock.bundles['tampered']!.sha256);
  });
  after(() => tmp?.cleanup());

  const run = (): ReturnType<typeof runCli> => runCli(['run', 'tampered', '--store', store, '--json'], { env: { HOME: home } });

  /** Makes a directory of the read-only tree writable for a change, then read-only again. */
  async function withWritable(dir: string, change: () => Promise<void>): Promise<void> {
    await chmod(dir, 0o755);
    try {
      await change();
    } finally {
      await chmod(dir, 0o555);
    }
  }

  const CASES: { title: string; tamper: () => Promise<() => Promise<void>>; names: Record<string, string[]> }[] = [
    {
      title: 'a changed file',
      tamper: async () => {
        const path = join(tree, 'server', 'index.js');
        const before = await readFile(path);
        await chmod(path, 0o644);
        await writeFile(path, Buffer.concat([before, Buffer.from('\nrequire("child_process");\n')]));
        return async () => {
          await writeFile(path, before);
          await chmod(path, 0o444);
        };
      },
      names: { changed: ['server/index.js'] },
    },
    {
      title: 'an added file',
      tamper: async () => {
        await withWritable(join(tree, 'server'), () => writeFile(join(tree, 'server', 'extra.js'), 'evil()'));
        return () => withWritable(join(tree, 'server'), () => rename(join(tree, 'server', 'extra.js'), join(tmp.path, 'extra.js')));
      },
      names: { added: ['server/extra.js'] },
    },
    {
      title: 'a removed file',
      tamper: async () => {
        await withWritable(join(tree, 'server'), () => rename(join(tree, 'server', 'index.js'), join(tmp.path, 'index.js')));
        return () => withWritable(join(tree, 'server'), () => rename(join(tmp.path, 'index.js'), join(tree, 'server', 'index.js')));
      },
      names: { removed: ['server/index.js'] },
    },
  ];

  for (const item of CASES) {
    it(`${item.title} refuses the launch: INSTALL_TAMPERED, exit 1, naming the file`, async () => {
      const undo = await item.tamper();
      try {
        const result = await run();
        assert.equal(result.status, 1, result.stderr);
        const error = errorOf(result);
        assert.equal(error.code, 'INSTALL_TAMPERED');
        for (const [kind, names] of Object.entries(item.names)) assert.deepEqual(error.details[kind], names);
      } finally {
        await undo();
      }
    });
  }

  it('a store marker edited to match a changed tree is caught by the digest the lock records', async () => {
    const markerPath = `${tree}.json`;
    const original = await readFile(markerPath, 'utf8');
    const marker = JSON.parse(original) as { entries: Record<string, string> };
    marker.entries['server/index.js'] = '0'.repeat(64);
    await chmod(markerPath, 0o644);
    await writeFile(markerPath, JSON.stringify(marker));
    try {
      const result = await run();
      assert.equal(result.status, 1);
      assert.equal(errorOf(result).code, 'INSTALL_TAMPERED');
      assert.match(errorOf(result).message, /store marker does not match/u);
    } finally {
      await writeFile(markerPath, original);
    }
  });

  it('the untouched tree starts (control): the MCP client gets its tools', async () => {
    const running = await connectRun('tampered', store, { PATH: process.env['PATH'] ?? '', HOME: home });
    try {
      assert.deepEqual((await running.client.listTools()).tools.map((tool) => tool.name), ['probe']);
    } finally {
      await running.close();
    }
  });

  describe('no usable sandbox', () => {
    for (const [title, env] of [
      ['bwrap not on PATH', { PATH: '/nonexistent-bin' }],
      ['MCPSEAL_BWRAP naming a missing binary', { MCPSEAL_BWRAP: '/nonexistent/bwrap' }],
    ] as const) {
      it(`${title}: SANDBOX_UNAVAILABLE, exit 2, the message names the fix; nothing started unconfined`, async () => {
        const result = await runCli(['run', 'tampered', '--store', store, '--json'], { env: { HOME: home, ...env } });
        assert.equal(result.status, 2, result.stderr);
        const error = errorOf(result);
        assert.equal(error.code, 'SANDBOX_UNAVAILABLE');
        assert.match(error.message, /apt-get install bubblewrap/u);
        assert.match(error.message, /--sandbox none/u);
      });
    }

    it('a bwrap that does not work here (exits non-zero) is no sandbox: SANDBOX_UNAVAILABLE', async () => {
      const result = await runCli(['run', 'tampered', '--store', store, '--json'], { env: { HOME: home, MCPSEAL_BWRAP: '/bin/false' } });
      assert.equal(result.status, 2);
      assert.equal(errorOf(result).code, 'SANDBOX_UNAVAILABLE');
      assert.match(errorOf(result).message, /does not work here/u);
    });

    it('--sandbox takes auto, bwrap, seatbelt or none; anything else is USAGE_INVALID_ARGUMENT', async () => {
      const result = await runCli(['run', 'tampered', '--store', store, '--json', '--sandbox', 'off'], { env: { HOME: home } });
      assert.equal(result.status, 2);
      assert.equal(errorOf(result).code, 'USAGE_INVALID_ARGUMENT');
    });

    it('--sandbox none runs unconfined only when named, and says so on stderr', async () => {
      const running = await connectRun('tampered', store, { PATH: process.env['PATH'] ?? '', HOME: home, MCPSEAL_BWRAP: '/nonexistent/bwrap', UNDECLARED: 'visible' }, ['--sandbox', 'none']);
      try {
        // Unconfined, yet still the plan's environment: an undeclared variable does not pass.
        assert.equal((await probe(running.client, { action: 'env', name: 'UNDECLARED' })).ok, false);
        assert.equal((await probe(running.client, { action: 'read', path: '/etc/hostname' })).ok, true, 'no sandbox: the host filesystem is visible');
        assert.match(running.stderr(), /--sandbox none: the server runs unconfined/u);
      } finally {
        await running.close();
      }
    });
  });
});

describe('run: the sandbox is built while the tree is re-hashed, and nothing of the bundle runs before the hash passed', function () {
  this.timeout(120_000);
  let tmp: { path: string; cleanup: () => Promise<void> };
  let root: string;
  let home: string;
  let signer: Signer;

  before(async () => {
    tmp = await tempDir('mcpseal-run-gate-');
    root = await realpath(tmp.path);
    home = join(root, 'home');
    await mkdir(home);
    signer = await makeSigner(root);
  });
  after(() => tmp?.cleanup());

  // The Node server waits in its own interpreter (an --import preload), the Python one in the launcher (launch/gate.ts).
  const PLANTED = {
    node: "require('fs').writeFileSync(process.env.HOME + '/ran', 'the tampered server ran');\n",
    python: "import os\nopen(os.environ['HOME'] + '/ran', 'w').write('the tampered server ran')\n",
  } as const;

  for (const runtime of ['node', 'python'] as const) {
    it(`${runtime}: a changed entry point that would write a file is INSTALL_TAMPERED and never ran (gate closed, sandbox stopped)`, async () => {
      const name = `gate-${runtime}`;
      const store = join(root, `store-${runtime}`);
      await install(await probeBundle(root, signer, { name, runtime, scopes: {} }), signer, store, { HOME: home });
      const lock = JSON.parse(await readFile(join(store, 'mcpseal.lock.json'), 'utf8')) as { bundles: Record<string, { sha256: string }> };
      const entry = join(store, 'sha256', lock.bundles[name]!.sha256, 'server', runtime === 'node' ? 'index.js' : 'main.py');
      await chmod(entry, 0o644);
      await writeFile(entry, PLANTED[runtime]);
      const result = await runCli(['run', name, '--store', store, '--json'], { env: { HOME: home } });
      assert.equal(result.status, 1, result.stderr);
      assert.equal(errorOf(result).code, 'INSTALL_TAMPERED');
      // The private home is the server's writable directory: the planted code would have written there.
      await new Promise((resolve) => setTimeout(resolve, 300));
      await assert.rejects(readFile(join(store, 'home', name, 'ran')), { code: 'ENOENT' });
      // Node's compile cache is switched on only after the go byte: nothing was compiled into it.
      assert.deepEqual(await filesUnder(join(store, 'cache', 'node', lock.bundles[name]!.sha256)), []);
    });
  }

  it('node: the compile cache is the tree\'s own directory, filled by a start that passed the hash, and a tampered start runs nothing from it', async () => {
    const name = 'gate-cache';
    const store = join(root, 'store-cache');
    await install(await probeBundle(root, signer, { name, runtime: 'node', scopes: {} }), signer, store, { HOME: home });
    const lock = JSON.parse(await readFile(join(store, 'mcpseal.lock.json'), 'utf8')) as { bundles: Record<string, { sha256: string }> };
    const cache = join(store, 'cache', 'node', lock.bundles[name]!.sha256);
    const running = await connectRun(name, store, { HOME: home, PATH: process.env['PATH']! });
    assert.ok((await running.client.listTools()).tools.length > 0);
    await running.close();
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.ok((await filesUnder(cache)).length > 0, 'the untouched start compiled its modules into its cache');
    // A changed entry point whose cached code is still there: the hash refuses it before anything is loaded.
    const entry = join(store, 'sha256', lock.bundles[name]!.sha256, 'server', 'index.js');
    await chmod(entry, 0o644);
    await writeFile(entry, PLANTED.node);
    const result = await runCli(['run', name, '--store', store, '--json'], { env: { HOME: home } });
    assert.equal(errorOf(result).code, 'INSTALL_TAMPERED');
    await new Promise((resolve) => setTimeout(resolve, 300));
    await assert.rejects(readFile(join(store, 'home', name, 'ran')), { code: 'ENOENT' });
    // Removed with its tree: a reinstall starts from an empty cache, and no dead tree's cache is left behind.
    const removed = await runCli(['remove', name, '--store', store], { env: { HOME: home } });
    assert.equal(removed.status, 0, removed.stderr);
    await assert.rejects(readdir(cache), { code: 'ENOENT' });
  });

  /** A probe bundle installed as `name` into `store`, running under `mcpseal run` (answered), with its compile cache's directory. */
  async function runningProbe(name: string, store: string): Promise<{ cache: string; child: ChildProcessWithoutNullStreams }> {
    await install(await probeBundle(root, signer, { name, runtime: 'node', scopes: {} }), signer, store, { HOME: home });
    const lock = JSON.parse(await readFile(join(store, 'mcpseal.lock.json'), 'utf8')) as { bundles: Record<string, { sha256: string }> };
    return { cache: join(store, 'cache', 'node', lock.bundles[name]!.sha256), child: await answered(name, store) };
  }

  /** `mcpseal run` as a bare child process whose first initialize was answered (no MCP client: nothing closes its input). */
  async function answered(name: string, store: string): Promise<ChildProcessWithoutNullStreams> {
    const child = spawn(process.execPath, [BIN, 'run', name, '--store', store], { env: { HOME: home, PATH: process.env['PATH']! } });
    let out = '';
    let err = '';
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString('utf8');
        if (out.includes('"id":1')) resolve();
      });
      child.once('close', (code) => reject(new Error(`run exited ${code} before answering: ${err}`)));
      child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } } })}\n`);
    });
    return child;
  }

  it('interrupted (SIGTERM with its input still open), run closes the server\'s input first and lets it exit on its own: Node writes its compile cache then', async () => {
    const name = 'stop-graceful';
    const { cache, child } = await runningProbe(name, join(root, 'store-stop'));
    const closed = once(child, 'close');
    child.kill('SIGTERM');
    await closed;
    // A server killed (as before: SIGTERM to bwrap at once) never wrote its cache; one that exits does.
    assert.ok((await filesUnder(cache)).length > 0, 'the server exited on its own, and Node wrote its compile cache');
  });

  it('killed outright (SIGKILL: no chance to stop the server), the compile cache was already written once the server had loaded', async () => {
    const name = 'stop-killed';
    const { cache, child } = await runningProbe(name, join(root, 'store-killed'));
    // The gate's preload writes the cache 2 s after the start (launch/gate.ts COMPILE_CACHE_FLUSH_MS).
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const closed = once(child, 'close');
    child.kill('SIGKILL');
    await closed;
    assert.ok((await filesUnder(cache)).length > 0, 'written before the kill');
  });

  it('a changed manifest.json (the plan\'s source) is INSTALL_TAMPERED before a sandbox is built', async () => {
    const store = join(root, 'store-manifest');
    await install(await probeBundle(root, signer, { name: 'gate-manifest', runtime: 'node', scopes: {} }), signer, store, { HOME: home });
    const lock = JSON.parse(await readFile(join(store, 'mcpseal.lock.json'), 'utf8')) as { bundles: Record<string, { sha256: string }> };
    const manifest = join(store, 'sha256', lock.bundles['gate-manifest']!.sha256, 'manifest.json');
    const original = JSON.parse(await readFile(manifest, 'utf8')) as { server: { mcp_config: { args: string[] } } };
    original.server.mcp_config.args = ['-e', "require('fs').writeFileSync(process.env.HOME + '/ran', 'x')"];
    await chmod(manifest, 0o644);
    await writeFile(manifest, JSON.stringify(original));
    const result = await runCli(['run', 'gate-manifest', '--store', store, '--json'], { env: { HOME: home } });
    assert.equal(result.status, 1, result.stderr);
    assert.equal(errorOf(result).code, 'INSTALL_TAMPERED');
    assert.deepEqual(errorOf(result).details['changed'], ['manifest.json']);
    await assert.rejects(readFile(join(store, 'home', 'gate-manifest', 'ran')), { code: 'ENOENT' });
  });
});

describe('run: the real @modelcontextprotocol/server-filesystem with a directory grant', function () {
  this.timeout(300_000);
  let tmp: { path: string; cleanup: () => Promise<void> };
  let store: string;
  let home: string;
  let allowed: string;
  let signer: Signer;

  before(async () => {
    tmp = await tempDir('mcpseal-run-fs-');
    const root = await realpath(tmp.path);
    home = join(root, 'home');
    allowed = join(home, 'projects');
    await mkdir(allowed, { recursive: true });
    await writeFile(join(allowed, 'inside.txt'), 'inside the grant');
    await writeFile(join(home, 'outside.txt'), 'outside the grant');
    const cached = await realServerBundle(REAL_SERVERS.find((server) => server.name === 'filesystem')!);
    const source = join(root, 'server-filesystem');
    await cp(cached, source, { recursive: true, verbatimSymlinks: true });
    const manifest = JSON.parse(await readFile(join(source, 'manifest.json'), 'utf8')) as Record<string, unknown>;
    manifest['_meta'] = {
      'dev.mcpseal': {
        scopes: {
          filesystem: { read: ['${__dirname}', '${user_config.allowed_directories}'], write: ['${user_config.allowed_directories}'] },
          network: { egress: [], listen: false },
          process: { spawn: [], workers: false, native_addons: false },
          env: { read: [], secrets: [] },
        },
      },
    };
    await writeFile(join(source, 'manifest.json'), JSON.stringify(manifest, null, 2));
    signer = await makeSigner(root);
    const bundle = `${source}.mcpb`;
    await packBundle(source, bundle);
    await signBundle(bundle, { method: { kind: 'key', privateKeyPem: signer.privateKeyPem } });
    store = join(root, 'store');
    await install(bundle, signer, store, { HOME: home }, [`allowed_directories=${allowed}`]);
  });
  after(() => tmp?.cleanup());

  it('reads inside the granted directory work; reads outside fail', async () => {
    const running = await connectRun('real-filesystem', store, { PATH: process.env['PATH'] ?? '', HOME: home });
    try {
      const names = (await running.client.listTools()).tools.map((tool) => tool.name);
      const tool = names.includes('read_text_file') ? 'read_text_file' : 'read_file';
      const text = (result: unknown): string => ((result as { content: { text: string }[] }).content[0]?.text ?? '');
      const inside = await running.client.callTool({ name: tool, arguments: { path: join(allowed, 'inside.txt') } });
      assert.equal(inside.isError ?? false, false, text(inside));
      assert.equal(text(inside), 'inside the grant');
      const outside = await running.client.callTool({ name: tool, arguments: { path: join(home, 'outside.txt') } });
      assert.equal(outside.isError, true);
      assert.doesNotMatch(text(outside), /outside the grant/u);
      const written = await running.client.callTool({ name: 'write_file', arguments: { path: join(allowed, 'new.txt'), content: 'via MCP' } });
      assert.equal(written.isError ?? false, false, text(written));
      assert.equal(await readFile(join(allowed, 'new.txt'), 'utf8'), 'via MCP');
    } finally {
      await running.close();
    }
  });
});

/** Every regular file below `dir` (none when it does not exist). */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
}
