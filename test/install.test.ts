// `mcpseal install`, `list`, `remove` (issue 11 item 3) through the real binary, on real files:
// the store's read-only trees, the lockfile's format, reinstall decisions, shared trees, a
// tampered lockfile, and the install library's admit step.

import assert from 'node:assert/strict';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'mocha';
import { installBundle, readLock, serializeLock, MCPSealError } from '../lib/index.ts';
import { jsonOf, runCli, tempDir } from './helpers/cli.ts';
import { makeSigner, signedBundle, type Signer } from './helpers/install.ts';

describe('install, list, remove', function () {
  this.timeout(120_000);
  let tmp: { path: string; cleanup: () => Promise<void> };
  let signer: Signer;
  let v1: string;
  let v2wider: string;
  let v2same: string;

  before(async () => {
    tmp = await tempDir('mcpseal-install-');
    signer = await makeSigner(tmp.path);
    v1 = await signedBundle(tmp.path, signer, { name: 'notes', version: '1.0.0' });
    v2same = await signedBundle(tmp.path, signer, { name: 'notes', version: '1.1.0', files: { 'server/extra.js': '// more\n' } });
    v2wider = await signedBundle(tmp.path, signer, {
      name: 'notes',
      version: '2.0.0',
      scopes: {
        filesystem: { read: ['${__dirname}'], write: ['${HOME}/notes'] },
        network: { egress: [{ host: 'api.example.com', ports: [443] }], listen: false },
      },
    });
  });
  after(() => tmp.cleanup());

  let storeCount = 0;
  const freshStore = (): string => join(tmp.path, `store-${storeCount++}`);
  const install = (file: string, store: string, ...args: string[]) => runCli(['install', file, '--key', signer.publicKeyPath, '--store', store, ...args], { env: { HOME: tmp.path } });

  it('installs into a read-only tree named by the sha256 and records a sorted, stable lock entry', async () => {
    const store = freshStore();
    const result = await install(v1, store, '--json');
    assert.equal(result.status, 0, result.stderr);
    const out = jsonOf(result) as { outcome: string; tree: string; entry: { sha256: string } };
    assert.equal(out.outcome, 'installed');
    const sha = out.entry.sha256;
    assert.equal(out.tree, join(store, 'sha256', sha));
    assert.equal((await stat(out.tree)).mode & 0o777, 0o555);
    assert.equal((await stat(join(out.tree, 'server'))).mode & 0o777, 0o555);
    assert.equal((await stat(join(out.tree, 'manifest.json'))).mode & 0o777, 0o444);
    assert.ok((await stat(join(store, 'sha256', `${sha}.json`))).isFile(), 'the completion marker exists');

    const text = await readFile(join(store, 'mcpseal.lock.json'), 'utf8');
    const lock = await readLock(join(store, 'mcpseal.lock.json'));
    assert.equal(text, serializeLock(lock), 'the file is the canonical serialisation (sorted keys, 2 spaces, trailing newline)');
    assert.ok(text.endsWith('}\n'));
    const entry = lock.bundles['notes']!;
    assert.equal(lock.version, 1);
    assert.deepEqual(Object.keys(entry), Object.keys(entry).sort());
    assert.equal(entry.version, '1.0.0');
    assert.equal(entry.signer?.kind, 'key');
    assert.equal(entry.policy, null);
    assert.deepEqual(entry.tools, []);
    assert.deepEqual(entry.grants.read, [out.tree]);
    assert.equal(entry.entries.source, 'attested');
    assert.equal(entry.entries.count, 2);

    const list = await runCli(['list', '--store', store, '--json']);
    assert.equal(list.status, 0, list.stderr);
    assert.deepEqual((jsonOf(list)['bundles'] as { name: string }[]).map((bundle) => bundle.name), ['notes']);
    const table = await runCli(['list', '--store', store]);
    assert.match(table.stdout, /^notes\s+1\.0\.0\s+key /mu);
  });

  it('reinstalling the same sha256 is a no-op: exit 0, says so, the lock is byte-identical', async () => {
    const store = freshStore();
    assert.equal((await install(v1, store)).status, 0);
    const before = await readFile(join(store, 'mcpseal.lock.json'));
    const again = await install(v1, store);
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stdout, /already installed with this sha256: nothing to do/u);
    assert.ok(before.equals(await readFile(join(store, 'mcpseal.lock.json'))));
  });

  it('an update within the recorded grants installs; one that widens them is SCOPE_ESCALATION with the diff, unless --accept-scopes', async () => {
    const store = freshStore();
    assert.equal((await install(v1, store)).status, 0);
    const same = await install(v2same, store, '--json');
    assert.equal(same.status, 0, same.stderr);
    assert.equal(jsonOf(same)['outcome'], 'updated');

    const lockBefore = await readFile(join(store, 'mcpseal.lock.json'));
    const wider = await install(v2wider, store);
    assert.equal(wider.status, 1);
    assert.match(wider.stderr, /SCOPE_ESCALATION/u);
    assert.match(wider.stderr, /network\.egress: none -> api\.example\.com:443/u);
    assert.match(wider.stderr, new RegExp(`filesystem\\.write: none -> ${tmp.path}/notes`, 'u'));
    assert.ok(lockBefore.equals(await readFile(join(store, 'mcpseal.lock.json'))), 'a refused update leaves the lock as it was');
    const widerJson = jsonOf(await install(v2wider, store, '--json')) as { error: { details: { escalations: { scope: string }[] } } };
    assert.deepEqual(widerJson.error.details.escalations.map((item) => item.scope), ['filesystem.write', 'network.egress']);

    const accepted = await install(v2wider, store, '--accept-scopes', '--json');
    assert.equal(accepted.status, 0, accepted.stderr);
    const lock = await readLock(join(store, 'mcpseal.lock.json'));
    assert.equal(lock.bundles['notes']!.version, '2.0.0');
    assert.deepEqual(lock.bundles['notes']!.grants.egress, ['api.example.com:443']);
  });

  it('a lower version is INSTALL_DOWNGRADE unless --allow-downgrade', async () => {
    const store = freshStore();
    assert.equal((await install(v2same, store)).status, 0);
    const down = await install(v1, store, '--json');
    assert.equal(down.status, 1);
    assert.equal((jsonOf(down)['error'] as { code: string }).code, 'INSTALL_DOWNGRADE');
    const allowed = await install(v1, store, '--allow-downgrade');
    assert.equal(allowed.status, 0, allowed.stderr);
    assert.equal((await readLock(join(store, 'mcpseal.lock.json'))).bundles['notes']!.version, '1.0.0');
  });

  it('remove with a shared tree: the tree stays while a project lock names it, and goes with the last reference', async () => {
    const store = freshStore();
    const project = join(tmp.path, `project-${storeCount}.lock.json`);
    assert.equal((await install(v1, store)).status, 0);
    const second = await install(v1, store, '--lock', project, '--json');
    assert.equal(second.status, 0, second.stderr);
    assert.equal(jsonOf(second)['reusedTree'], true, 'the second lock reuses the tree');
    const sha = (await readLock(project)).bundles['notes']!.sha256;
    const tree = join(store, 'sha256', sha);

    const first = await runCli(['remove', 'notes', '--store', store, '--json']);
    assert.equal(first.status, 0, first.stderr);
    assert.equal(jsonOf(first)['treeDeleted'], false);
    assert.ok((await stat(tree)).isDirectory());
    assert.deepEqual((await readLock(join(store, 'mcpseal.lock.json'))).bundles, {});

    const last = await runCli(['remove', 'notes', '--store', store, '--lock', project, '--json']);
    assert.equal(last.status, 0, last.stderr);
    assert.equal(jsonOf(last)['treeDeleted'], true);
    await assert.rejects(stat(tree), { code: 'ENOENT' });
    await assert.rejects(stat(join(store, 'sha256', `${sha}.json`)), { code: 'ENOENT' });

    const missing = await runCli(['remove', 'notes', '--store', store, '--json']);
    assert.equal(missing.status, 2);
    assert.equal((jsonOf(missing)['error'] as { code: string }).code, 'INSTALL_NOT_INSTALLED');
  });

  it('a tree whose completion marker is missing (a crash after its rename) is rebuilt, never reused', async () => {
    const store = freshStore();
    const first = await install(v1, store, '--json');
    assert.equal(first.status, 0, first.stderr);
    const sha = (jsonOf(first) as { entry: { sha256: string } }).entry.sha256;
    const { rm } = await import('node:fs/promises');
    await rm(join(store, 'sha256', `${sha}.json`));
    const again = await install(v1, store, '--lock', join(store, 'other.lock.json'), '--json');
    assert.equal(again.status, 0, again.stderr);
    assert.equal(jsonOf(again)['reusedTree'], false);
    assert.ok((await stat(join(store, 'sha256', `${sha}.json`))).isFile());
    assert.equal((await readFile(join(store, 'sha256', sha, 'server', 'index.js'), 'utf8')), 'console.log("hi");\n');
  });

  it('a tampered lockfile (bad JSON, wrong version, wrong shape) is LOCK_INVALID, exit 2, and never rewritten', async () => {
    for (const content of ['{"version": 1, "bundles": {', '{"version": 2, "bundles": {}}', '[]', '{"version": 1, "bundles": {"a": {"name": "b"}}}']) {
      const store = freshStore();
      assert.equal((await install(v1, store)).status, 0);
      const lockPath = join(store, 'mcpseal.lock.json');
      await writeFile(lockPath, content);
      for (const args of [['install', v2same, '--key', signer.publicKeyPath], ['list'], ['remove', 'notes']]) {
        const result = await runCli([...args, '--store', store, '--json']);
        assert.equal(result.status, 2, `${args[0]} on ${content}`);
        assert.equal((jsonOf(result)['error'] as { code: string }).code, 'LOCK_INVALID');
        assert.equal(await readFile(lockPath, 'utf8'), content, `${args[0]} left the lockfile as it was`);
      }
    }
  });

  it('an unsigned bundle needs --allow-unsigned and records no signer, its entry digests computed', async () => {
    const store = freshStore();
    const unsigned = await signedBundle(tmp.path, null, { name: 'plain' });
    const refused = await runCli(['install', unsigned, '--store', store, '--json']);
    assert.equal(refused.status, 1);
    assert.equal((jsonOf(refused)['error'] as { code: string }).code, 'SIGNATURE_ABSENT');
    const allowed = await runCli(['install', unsigned, '--store', store, '--allow-unsigned']);
    assert.equal(allowed.status, 0, allowed.stderr);
    const entry = (await readLock(join(store, 'mcpseal.lock.json'))).bundles['plain']!;
    assert.equal(entry.signer, null);
    assert.equal(entry.entries.source, 'computed');
  });

  it('the admit step sees the verified facts before extraction; a refusal leaves no tree and no lock entry', async () => {
    const store = freshStore();
    const seen: unknown[] = [];
    const { readFile: read } = await import('node:fs/promises');
    const publicKey = await read(signer.publicKeyPath, 'utf8');
    await assert.rejects(
      installBundle(v1, {
        store,
        publicKey,
        home: tmp.path,
        admit: async (facts) => {
          seen.push({ name: facts.name, version: facts.version, serverType: facts.serverType, signer: facts.signer?.kind, read: facts.scopes?.filesystem.read });
          throw new MCPSealError('SIGNATURE_ABSENT', 'refused by the test policy');
        },
      }),
      /refused by the test policy/u,
    );
    assert.deepEqual(seen, [{ name: 'notes', version: '1.0.0', serverType: 'node', signer: 'key', read: ['${__dirname}'] }]);
    assert.deepEqual(await readdir(join(store, 'sha256')), []);
    assert.deepEqual(await readdir(join(store, 'staging')), []);

    const now = () => new Date('2026-01-02T03:04:05.000Z');
    const admitted = await installBundle(v1, { store, publicKey, home: tmp.path, now, admit: async () => ({ policySha256: 'a'.repeat(64) }) });
    assert.equal(admitted.entry.policy, 'a'.repeat(64));
    assert.equal(admitted.entry.installedAt, '2026-01-02T03:04:05.000Z');
  });
});
