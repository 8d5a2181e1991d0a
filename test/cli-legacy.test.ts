// The legacy MCPB_SIG_V1 block through the CLI: signed for strict readers, reported by inspect
// and verify beside the Sigstore result, never enough on its own, and combinable with Sigstore.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ROOT, jsonOf, runCli, tempDir } from './helpers/cli.ts';
import { TIMESTAMP_TOKEN_OID, mcpb, withUnsignedAttribute } from './helpers/legacy.ts';

describe('cli: legacy MCPB_SIG_V1 signatures', function () {
  this.timeout(60_000);

  it('sign --legacy, then Sigstore; inspect and verify report both; the block alone is not accepted', async () => {
    const tmp = await tempDir();
    try {
      const key = join(tmp.path, 'publisher.key');
      const cert = join(tmp.path, 'publisher.pem');
      execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '30', '-subj', '/CN=Example Publisher', '-addext', 'extendedKeyUsage=codeSigning'], { stdio: 'ignore' });
      const bundle = join(tmp.path, 'hello.mcpb');
      assert.equal((await runCli(['pack', join(ROOT, 'examples/hello-bundle'), bundle])).status, 0);

      const legacy = await runCli(['sign', bundle, '--legacy', '--cert', cert, '--key', key, '--json']);
      assert.equal(legacy.status, 0, legacy.stderr);
      assert.match(execFileSync('unzip', ['-tq', bundle], { encoding: 'utf8' }), /No errors detected/u);

      const untrusted = jsonOf(await runCli(['inspect', bundle, '--json']));
      const status = (untrusted['signatures'] as { legacy: { status: string; code: string; selfSigned: boolean } }).legacy;
      assert.deepEqual([status.status, status.code, status.selfSigned], ['untrusted', 'LEGACY_SELF_SIGNED', true]);
      const pinned = jsonOf(await runCli(['inspect', bundle, '--legacy-ca', cert, '--json']));
      assert.equal((pinned['signatures'] as { legacy: { status: string } }).legacy.status, 'valid');

      // By default a legacy signature alone does not make a bundle acceptable.
      const alone = await runCli(['verify', bundle, '--legacy-ca', cert]);
      assert.equal(alone.status, 1);
      assert.match(alone.stderr, /^mcpseal: SIGNATURE_ABSENT: .*MCPB_SIG_V1 block, which alone is not accepted/u);

      // Legacy first, Sigstore second, over the final bytes: both verify.
      assert.equal((await runCli(['keygen', '--out-dir', tmp.path, '--name', 'sig'])).status, 0);
      assert.equal((await runCli(['sign', bundle, '--key', join(tmp.path, 'sig.key')])).status, 0);
      const both = await runCli(['verify', bundle, '--key', join(tmp.path, 'sig.pub'), '--legacy-ca', cert, '--json']);
      assert.equal(both.status, 0, both.stderr);
      assert.equal((jsonOf(both)['legacy'] as { status: string }).status, 'valid');
      const text = await runCli(['verify', bundle, '--key', join(tmp.path, 'sig.pub'), '--legacy-ca', cert]);
      assert.match(text.stdout, /^legacy block: +MCPB_SIG_V1 valid by CN=Example Publisher \(self-signed\)$/mu);

      // A second legacy block is refused, and the file is left as it was.
      const again = await runCli(['sign', bundle, '--legacy', '--cert', cert, '--key', key]);
      assert.equal(again.status, 1);
      assert.match(again.stderr, /^mcpseal: LEGACY_ALREADY_SIGNED: /u);
      assert.equal((await runCli(['verify', bundle, '--key', join(tmp.path, 'sig.pub')])).status, 0);
    } finally {
      await tmp.cleanup();
    }
  });

  it('finding 2: an unsigned attribute added to an mcpb-signed bundle turns "valid by <publisher>" into invalid (LEGACY_UNSIGNED_ATTRIBUTE)', async () => {
    const tmp = await tempDir();
    try {
      const key = join(tmp.path, 'publisher.key');
      const cert = join(tmp.path, 'publisher.pem');
      execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '30', '-subj', '/CN=Example Publisher', '-addext', 'extendedKeyUsage=codeSigning'], { stdio: 'ignore' });
      const bundle = join(tmp.path, 'hello.mcpb');
      assert.equal((await runCli(['pack', join(ROOT, 'examples/hello-bundle'), bundle])).status, 0);
      const signed = await mcpb(['sign', bundle, '--cert', cert, '--key', key]);
      assert.equal(signed.status, 0, signed.stderr);
      const before = await runCli(['inspect', bundle, '--legacy-ca', cert]);
      assert.match(before.stdout, /^legacy block: +MCPB_SIG_V1 valid by CN=Example Publisher \(self-signed\)$/mu);

      // No key needed: the digest covers only the bytes before the block, whose length it does not bind.
      await writeFile(bundle, withUnsignedAttribute(await readFile(bundle), TIMESTAMP_TOKEN_OID, Buffer.alloc(4096, 0x41)));
      const after = await runCli(['inspect', bundle, '--legacy-ca', cert, '--json']);
      const legacy = (jsonOf(after)['signatures'] as { legacy: { status: string; code: string } }).legacy;
      assert.deepEqual([legacy.status, legacy.code], ['invalid', 'LEGACY_UNSIGNED_ATTRIBUTE']);
      const text = await runCli(['inspect', bundle, '--legacy-ca', cert]);
      assert.match(text.stdout, /^legacy block: +MCPB_SIG_V1 invalid .*LEGACY_UNSIGNED_ATTRIBUTE: /mu);
    } finally {
      await tmp.cleanup();
    }
  });
});
