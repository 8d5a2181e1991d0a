// The lockfile under concurrent and interrupted installs (issue 11 item 3): real processes
// started together, a SIGKILL in the middle of an extraction, stale and busy lock files.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'mocha';
import { installBundle, readLock } from '../lib/index.ts';
import { BIN, jsonOf, runCli, tempDir } from './helpers/cli.ts';
import { makeSigner, signedBundle, type Signer } from './helpers/install.ts';
import { noise } from './helpers/tree.ts';

describe('install: concurrency and crashes', function () {
  this.timeout(180_000);
  let tmp: { path: string; cleanup: () => Promise<void> };
  let signer: Signer;

  before(async () => {
    tmp = await tempDir('mcpseal-install-race-');
    signer = await makeSigner(tmp.path);
  });
  after(() => tmp.cleanup());

  const installArgs = (file: string, store: string): string[] => ['install', file, '--key', signer.publicKeyPath, '--store', store];

  it('four install processes started together all end up in the lock', async () => {
    const store = join(tmp.path, 'store-race');
    const bundles = await Promise.all(['alpha', 'beta', 'gamma', 'delta'].map((name) => signedBundle(tmp.path, signer, { name })));
    const results = await Promise.all(bundles.map((file) => runCli(installArgs(file, store), { env: { HOME: tmp.path } })));
    for (const result of results) assert.equal(result.status, 0, result.stderr);
    const lock = await readLock(join(store, 'mcpseal.lock.json'));
    assert.deepEqual(Object.keys(lock.bundles).sort(), ['alpha', 'beta', 'delta', 'gamma']);
    assert.deepEqual((await readdir(store)).filter((name) => name.includes('.lock.json.')), [], 'no lock file or temporary file left');
  });

  it('a SIGKILL in the middle of an extraction leaves the previous lock valid and, after the next command, no partial tree', async () => {
    const store = join(tmp.path, 'store-kill');
    const small = await signedBundle(tmp.path, signer, { name: 'small' });
    assert.equal((await runCli(installArgs(small, store))).status, 0);
    const lockPath = join(store, 'mcpseal.lock.json');
    const lockBefore = await readFile(lockPath, 'utf8');
    const files = Object.fromEntries(Array.from({ length: 48 }, (_, i) => [`data/blob-${i}.bin`, noise(2 * 1024 * 1024, i + 1)]));
    const big = await signedBundle(tmp.path, signer, { name: 'big', files, level: 0 });

    const child = spawn(process.execPath, [BIN, ...installArgs(big, store)], { stdio: 'ignore', env: { ...process.env, HOME: tmp.path } });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    let killedDuringExtraction = false;
    for (let i = 0; i < 4000 && child.exitCode === null; i++) {
      const staging = await readdir(join(store, 'staging')).catch(() => [] as string[]);
      // The extraction's own staging directory inside ours holds files: it is writing.
      const inner = staging.length > 0 ? await readdir(join(store, 'staging', staging[0]!)).catch(() => [] as string[]) : [];
      if (inner.length > 0) {
        child.kill('SIGKILL');
        killedDuringExtraction = true;
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    assert.equal(await exited, killedDuringExtraction ? 'SIGKILL' : null);
    assert.ok(killedDuringExtraction, 'the install was killed while extracting');

    assert.equal(await readFile(lockPath, 'utf8'), lockBefore, 'the lock is the previous one, byte for byte');
    assert.ok((await readdir(join(store, 'staging'))).length > 0, 'the killed process left its staging directory');
    const list = await runCli(['list', '--store', store, '--json']);
    assert.equal(list.status, 0, list.stderr);
    assert.deepEqual((jsonOf(list)['bundles'] as { name: string }[]).map((entry) => entry.name), ['small']);
    assert.deepEqual(await readdir(join(store, 'staging')), [], 'the next command removed the dead staging directory');
    const trees = (await readdir(join(store, 'sha256'))).filter((name) => !name.endsWith('.json'));
    assert.deepEqual(trees, [(await readLock(lockPath)).bundles['small']!.sha256], 'only complete trees in the store');

    const again = await runCli(installArgs(big, store));
    assert.equal(again.status, 0, again.stderr);
    assert.deepEqual(Object.keys((await readLock(lockPath)).bundles).sort(), ['big', 'small']);
  });

  it('Ctrl-C (SIGINT) in the middle of an extraction exits 2 with IO_INTERRUPTED and leaves nothing behind', async () => {
    const store = join(tmp.path, 'store-int');
    const small = await signedBundle(tmp.path, signer, { name: 'small' });
    assert.equal((await runCli(installArgs(small, store))).status, 0);
    const lockPath = join(store, 'mcpseal.lock.json');
    const lockBefore = await readFile(lockPath, 'utf8');
    const files = Object.fromEntries(Array.from({ length: 48 }, (_, i) => [`data/blob-${i}.bin`, noise(2 * 1024 * 1024, i + 7)]));
    const big = await signedBundle(tmp.path, signer, { name: 'big', files, level: 0 });
    const child = spawn(process.execPath, [BIN, ...installArgs(big, store), '--json'], { stdio: ['ignore', 'pipe', 'ignore'], env: { ...process.env, HOME: tmp.path } });
    const out: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    let interrupted = false;
    for (let i = 0; i < 4000 && child.exitCode === null; i++) {
      const staging = await readdir(join(store, 'staging')).catch(() => [] as string[]);
      const inner = staging.length > 0 ? await readdir(join(store, 'staging', staging[0]!)).catch(() => [] as string[]) : [];
      if (inner.length > 0) {
        child.kill('SIGINT');
        interrupted = true;
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    assert.ok(interrupted, 'the install was interrupted while extracting');
    assert.equal(await exited, 2);
    assert.equal((JSON.parse(Buffer.concat(out).toString('utf8')) as { error: { code: string } }).error.code, 'IO_INTERRUPTED');
    assert.deepEqual(await readdir(join(store, 'staging')), [], 'its staging directory is gone at once');
    assert.equal(await readFile(lockPath, 'utf8'), lockBefore);
  });

  it('a lock file left by a dead process is taken over; one held by a live process past the timeout is LOCK_BUSY', async () => {
    const store = join(tmp.path, 'store-stale');
    const file = await signedBundle(tmp.path, signer, { name: 'stale' });
    const lockPath = join(store, 'mcpseal.lock.json');
    assert.equal((await runCli(installArgs(await signedBundle(tmp.path, signer, { name: 'first' }), store))).status, 0);

    // A pid that cannot be running (above the kernel's pid_max), on this host, just now.
    await writeFile(`${lockPath}.lock`, JSON.stringify({ pid: 2 ** 22 + 1, host: hostname(), createdAt: Date.now(), nonce: 'dead' }));
    const taken = await runCli(installArgs(file, store));
    assert.equal(taken.status, 0, taken.stderr);
    assert.ok(Object.hasOwn((await readLock(lockPath)).bundles, 'stale'));

    await writeFile(`${lockPath}.lock`, JSON.stringify({ pid: process.pid, host: hostname(), createdAt: Date.now(), nonce: 'live' }));
    const other = await signedBundle(tmp.path, signer, { name: 'busy' });
    const publicKey = await readFile(signer.publicKeyPath, 'utf8');
    await assert.rejects(installBundle(other, { store, publicKey, home: tmp.path, lockTimeoutMs: 300 }), { code: 'LOCK_BUSY' });
    assert.equal(Object.hasOwn((await readLock(lockPath)).bundles, 'busy'), false);
  });
});
