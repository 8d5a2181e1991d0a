// Issue 14, flat memory and pack speed: the compact pieces that replaced per-entry objects and
// per-file work, each held to what it replaced.

import assert from 'node:assert/strict';
import { Archive, bufferSource } from '../lib/index.ts';
import { compareUtf8 } from '../lib/archive/collect.ts';
import { sampleCompressibility } from '../lib/archive/compressibility.ts';
import { findSecret } from '../lib/archive/secret-scan.ts';
import { noise } from './helpers/tree.ts';
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
});
