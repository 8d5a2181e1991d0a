// `mcpseal pack`: reproducible bytes, archives other readers accept (unzip -t, the official
// mcpb unpack and info, yauzl in its strictest mode), and a source tree that cannot leak.

import assert from 'node:assert/strict';
import { mkdir, readFile, symlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import yauzl from 'yauzl';
import { Archive } from '../lib/index.ts';
import { ROOT, jsonOf, listTree, runCli, tempDir } from './helpers/cli.ts';
import { assertNormalisedModes, assertSameTree, noise, tool, writeTree } from './helpers/tree.ts';

const MCPB = join(ROOT, 'node_modules', '.bin', 'mcpb');

const TREE = {
  'server/index.js': { data: '#!/usr/bin/env node\nconsole.log("hi");\n', mode: 0o755 },
  'server/lib/a.js': 'export const a = 1;\n'.repeat(300),
  'server/lib/ünïcödé.js': 'export const u = 1;\n',
  'server/empty.txt': '',
  'assets/blob.bin': noise(50_000, 3),
};

/** Reads every entry with yauzl's strictest options, as a desktop client would. */
function yauzlReadAll(file: string): Promise<Map<string, Buffer>> {
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true, strictFileNames: true, validateEntrySizes: true, decodeStrings: true }, (error, zip) => {
      if (error || !zip) return reject(error ?? new Error('no zip'));
      const contents = new Map<string, Buffer>();
      zip.on('error', reject);
      zip.on('end', () => resolve(contents));
      zip.on('entry', (entry: yauzl.Entry) => {
        zip.openReadStream(entry, (streamError, stream) => {
          if (streamError || !stream) return reject(streamError ?? new Error('no stream'));
          const chunks: Buffer[] = [];
          stream.on('data', (chunk: Buffer) => chunks.push(chunk));
          stream.on('error', reject);
          stream.on('end', () => {
            contents.set(entry.fileName, Buffer.concat(chunks));
            zip.readEntry();
          });
        });
      });
      zip.readEntry();
    });
  });
}

describe('pack', function () {
  this.timeout(120_000);

  it('gives identical bytes for the same tree with different mtimes and umask', async () => {
    const tmp = await tempDir();
    try {
      const a = join(tmp.path, 'a');
      const b = join(tmp.path, 'b');
      await writeTree(a, TREE);
      await writeTree(b, TREE);
      // The second copy: other timestamps, and modes as a umask of 077 would leave them.
      for (const name of await listTree(b)) {
        if (!name.endsWith('/')) await utimes(join(b, name), new Date('2001-02-03T04:05:06Z'), new Date('2011-12-13T14:15:16Z'));
      }
      tool('chmod', ['-R', 'go-rwx', b]);
      const first = await runCli(['pack', a, join(tmp.path, 'a.mcpb'), '--json']);
      const second = await runCli(['pack', b, join(tmp.path, 'b.mcpb'), '--json'], { env: { SOURCE_DATE_EPOCH: '' } });
      assert.equal(first.status, 0, first.stderr);
      assert.equal(second.status, 0, second.stderr);
      assert.equal(jsonOf(first)['sha256'], jsonOf(second)['sha256']);
      assert.ok((await readFile(join(tmp.path, 'a.mcpb'))).equals(await readFile(join(tmp.path, 'b.mcpb'))));
      // The printed digest is the digest of the file on disk.
      const digest = tool('sha256sum', [join(tmp.path, 'a.mcpb')]).split(' ')[0];
      assert.equal(jsonOf(first)['sha256'], digest);
    } finally {
      await tmp.cleanup();
    }
  });

  it('honours SOURCE_DATE_EPOCH for every timestamp', async () => {
    const tmp = await tempDir();
    try {
      await writeTree(join(tmp.path, 'src'), TREE);
      const out = join(tmp.path, 'x.mcpb');
      const result = await runCli(['pack', join(tmp.path, 'src'), out], { env: { SOURCE_DATE_EPOCH: '1700000000' } });
      assert.equal(result.status, 0, result.stderr);
      const listing = tool('zipinfo', ['-T', out]);
      // 1700000000 = 2023-11-14 22:13:20 UTC; DOS time has 2-second resolution.
      assert.match(listing, /20231114\.221320/u);
      assert.doesNotMatch(listing.split('\n').slice(2, -2).join('\n'), /19800101/u);
    } finally {
      await tmp.cleanup();
    }
  });

  it('writes archives that unzip -t, yauzl (strict), mcpb unpack and mcpb info accept', async () => {
    const tmp = await tempDir();
    try {
      const src = join(tmp.path, 'src');
      // Entries above the 8 MiB in-memory limit stream through the deflater with a data
      // descriptor; incompressible ones and ones denser than the ratio limit are rewritten stored.
      await writeTree(src, {
        ...TREE,
        'big/noise.bin': noise(9 * 1024 * 1024, 11),
        'big/text.txt': 'abcdefghij\n'.repeat(900_000),
        'big/hex.txt': noise(4_700_000, 5).toString('hex'),
      });
      const out = join(tmp.path, 'bundle.mcpb');
      const packed = await runCli(['pack', src, out, '--json']);
      assert.equal(packed.status, 0, packed.stderr);

      assert.match(tool('unzip', ['-t', out]), /No errors detected/u);

      const contents = await yauzlReadAll(out);
      assert.equal(contents.size, 9);
      assert.ok(contents.get('big/noise.bin')?.equals(noise(9 * 1024 * 1024, 11)));
      assert.equal(contents.get('server/lib/ünïcödé.js')?.toString(), 'export const u = 1;\n');

      const official = join(tmp.path, 'official');
      tool(MCPB, ['unpack', out, official]);
      await assertSameTree(official, src);
      assert.match(tool(MCPB, ['info', out]), /bundle\.mcpb/u);

      const ours = join(tmp.path, 'ours');
      const unpacked = await runCli(['unpack', out, ours, '--allow-unsigned']);
      assert.equal(unpacked.status, 0, unpacked.stderr);
      await assertSameTree(ours, src);
      await assertNormalisedModes(ours, ['server/index.js']);

      const archive = await Archive.openFile(out);
      try {
        const streamed = archive.entries.filter((entry) => (entry.flags & 8) !== 0).map((entry) => entry.name);
        assert.deepEqual(streamed, ['big/hex.txt']);
        assert.equal(archive.entry('big/noise.bin')?.method, 0);
        assert.equal(archive.entry('big/text.txt')?.method, 0);
        assert.deepEqual(
          archive.entries.map((entry) => entry.name),
          [...archive.entries.map((entry) => entry.name)].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y))),
        );
      } finally {
        await archive.close();
      }
    } finally {
      await tmp.cleanup();
    }
  });

  it('refuses a symlink that leaves the source tree, and writes nothing', async () => {
    const tmp = await tempDir();
    try {
      const src = join(tmp.path, 'src');
      await writeTree(src, TREE);
      await writeFile(join(tmp.path, 'id_rsa_outside'), 'PRIVATE KEY');
      await symlink(join(tmp.path, 'id_rsa_outside'), join(src, 'server', 'config.txt'));
      const out = join(tmp.path, 'out.mcpb');
      const result = await runCli(['pack', src, out, '--json']);
      assert.equal(result.status, 1);
      assert.match(result.stderr, /^mcpseal: ARCHIVE_SOURCE_SYMLINK_OUTSIDE: /mu);
      assert.equal((jsonOf(result)['error'] as Record<string, unknown>)['code'], 'ARCHIVE_SOURCE_SYMLINK_OUTSIDE');
      const left = await listTree(tmp.path);
      assert.ok(!left.some((name) => name.endsWith('.mcpb') || name.endsWith('.tmp')), `nothing written: ${left.join(', ')}`);
    } finally {
      await tmp.cleanup();
    }
  });

  it('packs an in-tree symlink as the regular file it names', async () => {
    const tmp = await tempDir();
    try {
      const src = join(tmp.path, 'src');
      await writeTree(src, TREE);
      await symlink('lib/a.js', join(src, 'server', 'alias.js'));
      const out = join(tmp.path, 'out.mcpb');
      assert.equal((await runCli(['pack', src, out])).status, 0);
      const archive = await Archive.openFile(out);
      try {
        const alias = archive.entry('server/alias.js');
        assert.ok(alias);
        assert.equal(alias.kind, 'file');
        assert.ok((await archive.readEntry(alias)).equals(await readFile(join(src, 'server/lib/a.js'))));
      } finally {
        await archive.close();
      }
    } finally {
      await tmp.cleanup();
    }
  });

  it('excludes secrets and junk by default and honours .mcpbignore', async () => {
    const tmp = await tempDir();
    try {
      const src = join(tmp.path, 'src');
      await writeTree(src, {
        ...TREE,
        '.env': 'API_KEY=secret',
        '.env.production': 'API_KEY=secret',
        'server/key.pem': '-----BEGIN PRIVATE KEY-----',
        'server/tls.key': 'key',
        'id_rsa': 'key',
        'id_ed25519.pub': 'pub',
        '.npmrc': '//registry.npmjs.org/:_authToken=secret',
        '.git/config': '[core]',
        'debug.log': 'log',
        '.mcpbignore': '# local rules\ndocs/\n!.env.example\n',
        'docs/guide.md': '# guide',
        '.env.example': 'API_KEY=',
      });
      const out = join(tmp.path, 'out.mcpb');
      const result = await runCli(['pack', src, out, '--json']);
      assert.equal(result.status, 0, result.stderr);
      const archive = await Archive.openFile(out);
      const names = archive.entries.map((entry) => entry.name);
      await archive.close();
      for (const secret of ['.env', '.env.production', 'server/key.pem', 'server/tls.key', 'id_rsa', 'id_ed25519.pub', '.npmrc']) {
        assert.ok(!names.includes(secret), `${secret} must not be packed`);
      }
      for (const junk of ['.git/config', 'debug.log', '.mcpbignore', 'docs/guide.md']) assert.ok(!names.includes(junk), `${junk} must not be packed`);
      assert.ok(names.includes('.env.example'), '.mcpbignore can re-include a file');
      const excluded = jsonOf(result)['excluded'] as { name: string; reason: string }[];
      assert.deepEqual(excluded.find((file) => file.name === '.npmrc'), { name: '.npmrc', reason: 'secret' });
      assert.deepEqual(excluded.find((file) => file.name === 'docs/'), { name: 'docs/', reason: 'ignored' });
    } finally {
      await tmp.cleanup();
    }
  });

  it('refuses a tree whose names collide on case-insensitive file systems', async () => {
    const tmp = await tempDir();
    try {
      const src = join(tmp.path, 'src');
      await writeTree(src, { ...TREE, 'README.md': 'a', 'readme.md': 'b' });
      const result = await runCli(['pack', src, join(tmp.path, 'out.mcpb')]);
      assert.equal(result.status, 1);
      assert.match(result.stderr, /ARCHIVE_NAME_COLLISION/u);
      assert.ok(!(await listTree(tmp.path)).includes('out.mcpb'));
    } finally {
      await tmp.cleanup();
    }
  });

  it('refuses a directory without manifest.json', async () => {
    const tmp = await tempDir();
    try {
      await mkdir(join(tmp.path, 'src'));
      await writeFile(join(tmp.path, 'src', 'x.js'), '1');
      const result = await runCli(['pack', join(tmp.path, 'src'), join(tmp.path, 'out.mcpb')]);
      assert.equal(result.status, 1);
      assert.match(result.stderr, /^mcpseal: MANIFEST_MISSING: /mu);
    } finally {
      await tmp.cleanup();
    }
  });
});
