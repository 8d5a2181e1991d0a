// Issue 14, flat memory and pack speed: the compact pieces that replaced per-entry objects and
// per-file work, each held to what it replaced.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Archive, bufferSource, isMCPSealError } from '../lib/index.ts';
import { compareUtf8 } from '../lib/archive/collect.ts';
import { sampleCompressibility } from '../lib/archive/compressibility.ts';
import { scanForSecrets } from '../lib/archive/secret-scan.ts';
import { tempDir } from './helpers/cli.ts';
import { noise, writeTree } from './helpers/tree.ts';
import { buildZip } from './helpers/zip-builder.ts';

const FAKE_GITHUB_TOKEN = `ghp_${'A1b2C3d4E5'.repeat(3)}abcdef`;

describe('issue 14: compact entries, names sorted without encoding, the sampled compressibility, the split secret scan', function () {
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

  it('the secret scan split with a worker thread finds what one pass finds, in name order, and passes on a coded read error', async () => {
    const tmp = await tempDir();
    try {
      const files: Record<string, string | Buffer> = {};
      for (let i = 0; i < 40; i++) files[`f${String(i).padStart(2, '0')}.js`] = i % 13 === 5 ? `const token = "${FAKE_GITHUB_TOKEN}";\n` : `module.exports = ${i};\n`;
      await writeTree(tmp.path, files);
      const list = Object.keys(files).map((name) => ({ name, path: join(tmp.path, name), size: 30 }));
      const onePass = await scanForSecrets(list, { parallelFrom: Infinity });
      const split = await scanForSecrets(list, { parallelFrom: 0 });
      assert.deepEqual(split, onePass);
      assert.deepEqual(onePass.map((finding) => finding.name), ['f05.js', 'f18.js', 'f31.js']);
      // A file gone since the walk, in the worker's half: its coded error, as in one pass.
      const broken = [{ name: 'gone.js', path: join(tmp.path, 'gone.js'), size: 30 }, ...list];
      const codeOf = (error: unknown): string => (isMCPSealError(error) ? error.code : `not coded: ${String(error)}`);
      const expected = await scanForSecrets(broken, { parallelFrom: Infinity }).then(() => 'no error', codeOf);
      assert.match(expected, /^IO_/u);
      assert.equal(await scanForSecrets(broken, { parallelFrom: 0 }).then(() => 'no error', codeOf), expected);
    } finally {
      await tmp.cleanup();
    }
  });
});
