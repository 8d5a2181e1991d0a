// Property: whatever tree pack accepts, unpack restores byte for byte (names, contents, modes).

import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { Archive, extractArchive, packBundle } from '../lib/index.ts';
import { listTree, tempDir } from './helpers/cli.ts';
import { assertNormalisedModes, writeTree } from './helpers/tree.ts';

// Segments from a mix of ASCII and non-ASCII letters; never "." or "..", never colliding by case
// (lower-case only) so every generated tree is one pack must accept.
const segment = fc
  .array(fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789-_.éöüßλжあ'.split('')), { minLength: 1, maxLength: 12 })
  .map((chars) => chars.join(''))
  .filter((name) => !/^\.+$/u.test(name) && !name.endsWith('.'));

const file = fc.record({
  path: fc.array(segment, { minLength: 1, maxLength: 4 }).map((segments) => `files/${segments.join('/')}`),
  data: fc.oneof(fc.uint8Array({ maxLength: 4096 }), fc.string({ maxLength: 2000 }).map((text) => text.repeat(3))),
  executable: fc.boolean(),
});

/** Drops files whose path is a prefix directory of another (a file cannot also be a directory). */
function consistent(files: { path: string; data: Uint8Array | string; executable: boolean }[]) {
  const chosen = new Map<string, (typeof files)[number]>();
  for (const candidate of files) {
    const clash = [...chosen.keys()].some(
      (path) => path === candidate.path || path.startsWith(`${candidate.path}/`) || candidate.path.startsWith(`${path}/`),
    );
    if (!clash) chosen.set(candidate.path, candidate);
  }
  return [...chosen.values()];
}

describe('pack -> unpack round trip (property)', function () {
  this.timeout(120_000);

  it('restores every generated tree exactly', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(file, { minLength: 1, maxLength: 12 }).map(consistent), fc.integer({ min: 0, max: 9 }), async (files, level) => {
        const tmp = await tempDir();
        try {
          const src = join(tmp.path, 'src');
          await writeTree(
            src,
            Object.fromEntries(files.map((f) => [f.path, { data: typeof f.data === 'string' ? f.data : Buffer.from(f.data), mode: f.executable ? 0o755 : 0o644 }])),
          );
          const out = join(tmp.path, 'b.mcpb');
          // A round trip of trees, not manifests: the generated trees rarely hold the entry point.
          const packed = await packBundle(src, out, { level, skipValidation: true });
          const archive = await Archive.openFile(out);
          let sha256: string | null;
          try {
            ({ sha256 } = await extractArchive(archive, join(tmp.path, 'out'), { hash: true }));
          } finally {
            await archive.close();
          }
          assert.equal(sha256, packed.sha256);
          const names = await listTree(join(tmp.path, 'out'));
          assert.deepEqual(names, await listTree(src));
          for (const f of files) {
            const expected = typeof f.data === 'string' ? Buffer.from(f.data) : Buffer.from(f.data);
            assert.ok((await readFile(join(tmp.path, 'out', f.path))).equals(expected), f.path);
          }
          await assertNormalisedModes(join(tmp.path, 'out'), files.filter((f) => f.executable).map((f) => f.path));
        } finally {
          await tmp.cleanup();
        }
      }),
      { numRuns: 40 },
    );
  });
});
