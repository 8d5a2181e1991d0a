// `install --policy`: the policy's publishers pick the signer, every rule holds before anything is
// written, and the lock entry records the policy's sha256; `install --server-json`: the registry's
// digest binds the file. Real processes, real files, a real key.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SERVER_SCHEMA_URL } from '../lib/index.ts';
import { jsonOf, runCli, tempDir } from './helpers/cli.ts';
import { makeSigner, signedBundle } from './helpers/install.ts';

interface Dir {
  path: string;
  cleanup: () => Promise<void>;
}

async function policyFile(dir: string, publisherKey: string, bundles: string[], egress: string[] = []): Promise<{ path: string; sha256: string }> {
  const text = `${JSON.stringify(
    {
      version: 1,
      publishers: [{ name: 'platform key', bundles, key: publisherKey }],
      allowUnsigned: false,
      serverTypes: ['node'],
      maxScopes: {
        filesystem: { read: ['${__dirname}'], write: [] },
        network: { egress, listen: false },
        process: { spawn: [], workers: false, native_addons: false },
        env: { read: ['*'], secrets: ['*'] },
      },
      deny: { names: [], sha256: [] },
    },
    null,
    2,
  )}\n`;
  const path = join(dir, 'policy.json');
  await writeFile(path, text);
  return { path, sha256: createHash('sha256').update(text).digest('hex') };
}

describe('install --policy', function () {
  this.timeout(60_000);
  let tmp: Dir;

  before(async () => {
    tmp = await tempDir();
  });
  after(async () => tmp.cleanup());

  /** A directory of its own per signer: makeSigner writes `signer.pub` there. */
  const own = async (name: string): Promise<string> => {
    const dir = join(tmp.path, name);
    await mkdir(dir, { recursive: true });
    return dir;
  };

  it('a publisher of the policy for this name: installed, the policy sha256 in the lock entry', async () => {
    const signer = await makeSigner(await own('ok'));
    const bundle = await signedBundle(tmp.path, signer, { name: 'acme-notes' });
    const policy = await policyFile(join(tmp.path, 'ok'), signer.publicKeyPath, ['acme-*']);
    const store = join(tmp.path, 'store-ok');
    const result = await runCli(['install', bundle, '--policy', policy.path, '--store', store, '--json']);
    assert.equal(result.status, 0, result.stderr);
    const lock = JSON.parse(await readFile(join(store, 'mcpseal.lock.json'), 'utf8')) as { entries?: unknown };
    assert.match(JSON.stringify(lock), new RegExp(policy.sha256, 'u'), 'the lock records the policy applied');
    assert.equal((jsonOf(result)['entry'] as { name: string }).name, 'acme-notes');
  });

  it('namespace squatting: the policy key signed it, but may not ship this name (POLICY_NAME_NOT_ALLOWED, nothing written)', async () => {
    const signer = await makeSigner(await own('squat'));
    const bundle = await signedBundle(tmp.path, signer, { name: 'other-notes' });
    const policy = await policyFile(join(tmp.path, 'squat'), signer.publicKeyPath, ['acme-*']);
    const store = join(tmp.path, 'store-squat');
    const result = await runCli(['install', bundle, '--policy', policy.path, '--store', store, '--json']);
    assert.equal(result.status, 1, result.stderr);
    assert.equal((jsonOf(result)['error'] as { code: string }).code, 'POLICY_NAME_NOT_ALLOWED');
    const trees = await readdir(join(store, 'sha256')).catch(() => []);
    assert.deepEqual(trees, [], 'no tree in the store');
  });

  it('a scope beyond maxScopes: POLICY_SCOPE_EXCEEDED with its pointer, nothing written', async () => {
    const signer = await makeSigner(await own('scope'));
    const bundle = await signedBundle(tmp.path, signer, { name: 'acme-fetch', scopes: { network: { egress: [{ host: 'api.example.com', ports: [443] }], listen: false } } });
    const policy = await policyFile(join(tmp.path, 'scope'), signer.publicKeyPath, ['acme-*']);
    const store = join(tmp.path, 'store-scope');
    const result = await runCli(['install', bundle, '--policy', policy.path, '--store', store, '--json']);
    assert.equal(result.status, 1, result.stderr);
    const error = jsonOf(result)['error'] as { code: string; details: { pointer?: string } };
    assert.equal(error.code, 'POLICY_SCOPE_EXCEEDED');
    assert.match(error.details.pointer ?? '', /network\/egress/u);
    const trees = await readdir(join(store, 'sha256')).catch(() => []);
    assert.deepEqual(trees, []);
  });

  it('another key than the policy names: POLICY_PUBLISHER_UNTRUSTED; --policy with --key or --allow-unsigned is a usage error', async () => {
    const signer = await makeSigner(await own('signer'));
    const stranger = await makeSigner(await own('stranger'));
    const bundle = await signedBundle(tmp.path, stranger, { name: 'acme-stranger' });
    const other = await makeSigner(await own('other'));
    const policy = await policyFile(join(tmp.path, 'other'), other.publicKeyPath, ['acme-*']);
    const store = join(tmp.path, 'store-stranger');
    const refused = await runCli(['install', bundle, '--policy', policy.path, '--store', store, '--json']);
    assert.equal(refused.status, 1, refused.stderr);
    assert.equal((jsonOf(refused)['error'] as { code: string }).code, 'POLICY_PUBLISHER_UNTRUSTED');
    const usage = await runCli(['install', bundle, '--policy', policy.path, '--key', signer.publicKeyPath, '--store', store]);
    assert.equal(usage.status, 2);
    const unsigned = await runCli(['install', bundle, '--policy', policy.path, '--allow-unsigned', '--store', store]);
    assert.equal(unsigned.status, 2);
  });
});

describe('install --server-json, verify --policy --server-json', function () {
  this.timeout(60_000);

  it('the registry entry names this file: installed; another fileSha256: REGISTRY_DIGEST_MISMATCH, nothing written', async () => {
    const tmp = await tempDir();
    try {
      const signer = await makeSigner(tmp.path);
      const bundle = await signedBundle(tmp.path, signer, { name: 'acme-registry' });
      const sha256 = createHash('sha256').update(await readFile(bundle)).digest('hex');
      const write = async (name: string, digest: string): Promise<string> => {
        const path = join(tmp.path, name);
        const entry = { registryType: 'mcpb', identifier: 'https://example.com/mcp/acme-registry.mcpb', version: '1.0.0', fileSha256: digest, transport: { type: 'stdio' } };
        await writeFile(path, JSON.stringify({ $schema: SERVER_SCHEMA_URL, name: 'com.example/acme-registry', description: 'A test server', version: '1.0.0', packages: [entry] }));
        return path;
      };
      const good = await runCli(['install', bundle, '--key', signer.publicKeyPath, '--server-json', await write('good.json', sha256), '--store', join(tmp.path, 'store-good'), '--json']);
      assert.equal(good.status, 0, good.stderr);
      // The same through verify under a policy: the registry check runs on the policy's verified facts.
      const policy = await policyFile(tmp.path, signer.publicKeyPath, ['acme-*']);
      const verified = await runCli(['verify', bundle, '--policy', policy.path, '--server-json', join(tmp.path, 'good.json'), '--json']);
      assert.equal(verified.status, 0, verified.stderr);
      assert.equal((jsonOf(verified)['registry'] as { package: { fileSha256: string } } | undefined)?.package.fileSha256, sha256);
      const mismatch = await runCli(['verify', bundle, '--policy', policy.path, '--server-json', await write('other.json', 'cd'.repeat(32)), '--json']);
      assert.equal(mismatch.status, 1, mismatch.stderr);
      assert.equal((jsonOf(mismatch)['error'] as { code: string }).code, 'REGISTRY_DIGEST_MISMATCH');
      const store = join(tmp.path, 'store-bad');
      const bad = await runCli(['install', bundle, '--key', signer.publicKeyPath, '--server-json', await write('bad.json', 'ab'.repeat(32)), '--store', store, '--json']);
      assert.equal(bad.status, 1, bad.stderr);
      assert.equal((jsonOf(bad)['error'] as { code: string }).code, 'REGISTRY_DIGEST_MISMATCH');
      assert.deepEqual(await readdir(join(store, 'sha256')).catch(() => []), [], 'no tree in the store');
    } finally {
      await tmp.cleanup();
    }
  });
});
