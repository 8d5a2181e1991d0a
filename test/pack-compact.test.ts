// Issue 14, flat memory and pack speed: the compact pieces that replaced per-entry objects and
// per-file work, each held to what it replaced.

import assert from 'node:assert/strict';
import { Archive, bufferSource } from '../lib/index.ts';
import { compareUtf8 } from '../lib/archive/collect.ts';
import { sampleCompressibility } from '../lib/archive/compressibility.ts';
import { findSecret, findSecretInBytes, mayMatchSecretPattern, SECRET_NEEDLES, SECRET_PATTERN_KINDS } from '../lib/archive/secret-scan.ts';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { packBundle } from '../lib/pack.ts';
import { tempDir } from './helpers/cli.ts';
import { noise, writeTree } from './helpers/tree.ts';
import { buildZip } from './helpers/zip-builder.ts';

describe('issue 14: compact entries, names sorted without encoding, the sampled compressibility', function () {
  this.timeout(120_000);

  it('compareUtf8 orders names exactly as their UTF-8 bytes (astral characters after U+E000-U+FFFF)', () => {
    const pool = ['a', 'B', '/', '.', 'é', '\u07ff', '\u0800', '\ud7ff', '\ue000', '\uffff', '\u{10000}', '\u{1f600}', '\u{10ffff}', '日'];
    let seed = 11;
    const next = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    for (let n = 0; n < 20_000; n++) {
      const word = (): string => Array.from({ length: 1 + (next() % 4) }, () => pool[next() % pool.length]).join('');
      const [a, b] = [word(), word()];
      assert.equal(Math.sign(compareUtf8(a, b)), Math.sign(Buffer.compare(Buffer.from(a), Buffer.from(b))), `${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
    }
  });

  it('sampleCompressibility: random bytes are "random", text "compressible", short files are left to deflate', () => {
    assert.equal(sampleCompressibility(noise(64 * 1024, 3)), 'random');
    assert.equal(sampleCompressibility(noise(1500, 4)), 'random');
    assert.equal(sampleCompressibility(Buffer.from('export function handler(request) { return request.items; }\n'.repeat(300))), 'compressible');
    assert.equal(sampleCompressibility(noise(1000, 5)), 'unclear', 'below 1 KiB the sample cannot tell');
    // Base64 of random bytes: 6 bits per byte, compressible by Huffman alone.
    assert.equal(sampleCompressibility(Buffer.from(noise(6000, 6).toString('base64'))), 'compressible');
  });

  it('entries read from the compact table give the same fields, lookups and JSON as before', async () => {
    const names = ['manifest.json', 'server/index.js', 'server/lib/é.js', 'assets/', 'assets/blob.bin'];
    const archive = await Archive.open(bufferSource(buildZip(names.map((name) => (name.endsWith('/') ? { name } : { name, data: `content of ${name}` })))));
    assert.deepEqual(
      archive.entries.map((entry) => [entry.index, entry.name, entry.kind, entry.rawName.toString('utf8'), entry.size]),
      names.map((name, index) => [index, name, name.endsWith('/') ? 'directory' : 'file', name, name.endsWith('/') ? 0 : Buffer.byteLength(`content of ${name}`)]),
    );
    for (const name of names) assert.equal(archive.entry(name)?.name, name);
    assert.equal(archive.entry('server/lib/E.js'), undefined);
    assert.equal(archive.entry('missing'), undefined);
    const json = JSON.parse(JSON.stringify(archive.entries[1])) as Record<string, unknown>;
    assert.deepEqual(Object.keys(json).sort(), ['compressedSize', 'crc32', 'flags', 'index', 'kind', 'localHeaderOffset', 'method', 'mode', 'name', 'size', 'zip64']);
    assert.equal((await archive.readEntry(archive.entry('server/index.js')!)).toString(), 'content of server/index.js');
  });

  it('the .pgpass check walks lines as split(/\\r?\\n/) cut them (CRLF, a lone CR, comments, blank lines)', () => {
    const pgpass = (text: string): boolean => findSecret(text)?.kind.startsWith('PostgreSQL') === true;
    assert.equal(pgpass('db.example.com:5432:app:alice:s3cret\r\n# comment\r\n\r\n*:*:*:bob:pw\n'), true);
    assert.equal(pgpass('db.example.com:5432:app:alice:s3cret\r'), false, 'a final lone CR stays in the line, as split keeps it');
    assert.equal(pgpass('db.example.com:5432:app:alice:s3cret\rlocalhost:1:d:u:p'), false, 'a lone CR does not end a line');
    assert.equal(pgpass('# only a comment\n\n'), false);
    assert.equal(pgpass('12:30:45:00:99\n'), false);
  });

  it('the secret screen finds a needle exactly where Buffer.includes does, at every offset modulo its stride and at either end', () => {
    let seed = 5;
    const next = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    const needles = SECRET_NEEDLES.map((needle) => Buffer.from(needle, 'latin1'));
    for (let n = 0; n < 5000; n++) {
      const parts: Buffer[] = [noise(next() % 64, n + 1)];
      // A needle, a needle cut short by one byte, or one byte changed: the near misses.
      const needle = needles[next() % needles.length]!;
      const kind = next() % 3;
      parts.push(kind === 0 ? needle : kind === 1 ? needle.subarray(0, needle.length - 1) : Buffer.from(needle.map((byte, i) => (i === next() % needle.length ? byte ^ 0x20 : byte))));
      if (next() % 2 === 0) parts.push(noise(next() % 64, n + 7));
      const bytes = Buffer.concat(parts);
      const expected = needles.some((candidate) => bytes.includes(candidate));
      assert.equal(mayMatchSecretPattern(bytes), expected, bytes.toString('latin1'));
      assert.deepEqual(findSecretInBytes(bytes), findSecret(bytes.toString('latin1')));
    }
  });

  it('the secret screen lets every kind of secret through to the patterns (mixed-case AWS names, JSON-escaped PEM, each token format)', () => {
    const chars = (length: number, alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'): string => Array.from({ length }, (_, i) => alphabet[(i * 7 + 3) % alphabet.length]).join('');
    const pem = `-----BEGIN RSA PRIVATE KEY-----\n${chars(64)}`;
    const examples = [
      `{"type": "service_account", "private_key": "${pem}"}`,
      pem,
      'PuTTY-User-Key-File-3: ssh-ed25519',
      `AwS_SeCrEt_AcCeSs_KeY = ${chars(40)}`,
      `aws_secret_access_key=${chars(40)}`,
      `id = ${'AKIA'}${chars(16, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567')}`,
      `${'ghs_'}${chars(36)}`,
      `${'github_pat_'}${chars(60)}`,
      `${'xox'}p-1234567-abcdefg`,
      `${'npm_'}${chars(36)}`,
      `${'rk_live_'}${chars(30)}`,
      `${'sk-ant-api03-'}${chars(90)}`,
      `{"client_secret": "${chars(24)}"}`,
    ];
    const kinds = new Set<string>();
    for (const example of examples) {
      const text = `const x = 1;\n${example}\n`;
      const found = findSecret(text);
      assert.ok(found, `the pattern itself finds: ${example}`);
      kinds.add(found.kind);
      assert.deepEqual(findSecretInBytes(Buffer.from(text, 'latin1')), findSecret(text), example);
    }
    // Every content pattern has an example here: a pattern added without its needle fails above.
    assert.deepEqual(SECRET_PATTERN_KINDS.filter((kind) => !kinds.has(kind)), []);
  });

  describe('pack scans for secrets on the bytes it packs, before anything of the file is written', () => {
    let tmp: { path: string; cleanup: () => Promise<void> };
    before(async () => {
      tmp = await tempDir('mcpseal-pack-scan-');
    });
    after(() => tmp.cleanup());

    it('a secret in the middle of the tree: ARCHIVE_SOURCE_SECRET lists it and the ones after it (whole and streamed entries), no entry from it on is written, no temporary file is left', async () => {
      const token = `${'ghp_'}${'a1B2c3D4e5'.repeat(4).slice(0, 36)}`;
      const src = join(tmp.path, 'src');
      await writeTree(src, {
        'server/index.js': '// server\n',
        'a/1.js': 'export const a = 1;\n'.repeat(100),
        'b/secret.txt': `token: ${token}\n`,
        'c/2.js': 'export const c = 2;\n',
        // Over WHOLE_ENTRY_LIMIT (8 MiB): streamed, its first MiB scanned before its header is written.
        'd/big.txt': Buffer.concat([Buffer.from(`token=${token}\n`), Buffer.alloc(9 * 1024 * 1024, 0x61)]),
      });
      const written: number[] = [];
      const out = join(tmp.path, 'out');
      await (await import('node:fs/promises')).mkdir(out);
      await assert.rejects(
        packBundle(src, join(out, 'b.mcpb'), { onProgress: (done) => written.push(done) }),
        (error: Error & { code?: string; details?: { files: { name: string }[] } }) => {
          assert.equal(error.code, 'ARCHIVE_SOURCE_SECRET');
          assert.deepEqual(error.details?.files.map((file) => file.name), ['b/secret.txt', 'd/big.txt']);
          assert.ok(!error.message.includes(token), 'the secret is not echoed');
          return true;
        },
      );
      // Entries are written in name order: a/1.js only (b/secret.txt stopped the writer).
      assert.deepEqual(written, [2000]);
      assert.deepEqual(await readdir(out), [], 'no bundle and no temporary file');
      // Allowed by name, the files pack (and the scan still sees the rest of the tree).
      const packed = await packBundle(src, join(out, 'b.mcpb'), { allowSecretFiles: ['b/secret.txt', 'd/big.txt'] });
      assert.equal(packed.entries, 6);
    });
  });
});
