// Tool pinning through the real `mcpseal run` (issue 12 item 6 wired into the launch): the relay
// sits between the MCP client and the sandboxed server. The first start pins the live tools into
// the lock; a pin that no longer matches the live tool (what a changed description looks like to
// the relay) withholds the tool and refuses calls to it until `mcpseal tools accept`. The relay's
// own cases (changed descriptions across starts, list_changed, 10 MB results, backpressure) are in
// test/tools-pinning.test.ts and test/relay.test.ts.

import assert from 'node:assert/strict';
import { mkdir, readFile, realpath, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'mocha';
import { runCli, tempDir } from './helpers/cli.ts';
import { makeSigner } from './helpers/install.ts';
import { connectRun, install, probeBundle } from './helpers/sandbox.ts';

interface LockShape {
  bundles: Record<string, { tools?: { name: string; sha256: string }[]; toolsPinnedAt?: string; toolsPending?: { name: string; change: string }[] }>;
}

describe('run: tool pinning between the client and the sandboxed server', function () {
  this.timeout(120_000);
  let tmp: { path: string; cleanup: () => Promise<void> };
  let store: string;
  let home: string;
  let lockPath: string;
  const env = (): Record<string, string> => ({ PATH: process.env['PATH'] ?? '', HOME: home });
  const readLockFile = async (): Promise<LockShape> => JSON.parse(await readFile(lockPath, 'utf8')) as LockShape;

  before(async () => {
    tmp = await tempDir('mcpseal-run-pin-');
    const root = await realpath(tmp.path);
    home = join(root, 'home');
    await mkdir(home);
    const signer = await makeSigner(root);
    const bundle = await probeBundle(root, signer, { name: 'pinned', runtime: 'node', scopes: {} });
    store = join(root, 'store');
    lockPath = join(store, 'mcpseal.lock.json');
    await install(bundle, signer, store, { HOME: home });
  });
  after(() => tmp?.cleanup());

  it('the first start pins the live tools into the lock', async () => {
    const installed = (await readLockFile()).bundles['pinned']!;
    assert.equal(installed.toolsPinnedAt, undefined, 'nothing pinned at install');
    assert.deepEqual(installed.tools ?? [], []);
    const running = await connectRun('pinned', store, env());
    try {
      assert.deepEqual((await running.client.listTools()).tools.map((tool) => tool.name), ['probe']);
    } finally {
      await running.close();
    }
    const entry = (await readLockFile()).bundles['pinned']!;
    assert.equal(typeof entry.toolsPinnedAt, 'string');
    const pins = entry.tools;
    assert.deepEqual(pins?.map((pin) => pin.name), ['probe']);
    assert.match(pins[0]!.sha256, /^[0-9a-f]{64}$/u);
  });

  it('a live tool that differs from its pin is withheld and refused until `mcpseal tools accept`', async () => {
    const lock = await readLockFile();
    const pinned = lock.bundles['pinned']!.tools!;
    pinned[0]!.sha256 = '0'.repeat(64); // the pinned description is no longer what the server shows
    await writeFile(lockPath, JSON.stringify(lock, null, 2));

    const running = await connectRun('pinned', store, env());
    try {
      assert.deepEqual((await running.client.listTools()).tools, [], 'the changed tool is withheld');
      const refused = await running.client.callTool({ name: 'probe', arguments: { kind: 'env', name: 'HOME' } }).then(
        () => undefined,
        (error: unknown) => error as { code?: number; message?: string },
      );
      assert.ok(refused, 'the call is refused by the relay');
      assert.match(String(refused.message), /mcpseal tools accept pinned/u);
      assert.match(running.stderr(), /probe/u);
    } finally {
      await running.close();
    }
    assert.deepEqual((await readLockFile()).bundles['pinned']!.toolsPending?.map((change) => `${change.name}:${change.change}`), ['probe:changed']);

    const accepted = await runCli(['tools', 'accept', 'pinned', '--store', store], { env: env() });
    assert.equal(accepted.status, 0, accepted.stderr);
    const again = await connectRun('pinned', store, env());
    try {
      assert.deepEqual((await again.client.listTools()).tools.map((tool) => tool.name), ['probe']);
    } finally {
      await again.close();
    }
  });
});
