// Ordinary archives made by real tools must open, check and extract exactly as `unzip` extracts
// them: directory entries, stored entries, data descriptors, zip64, UTF-8 names, empty files,
// executable bits, and bundles made by the official `mcpb pack`.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Archive } from '../lib/index.ts';
import { ROOT, jsonOf, runCli, tempDir } from './helpers/cli.ts';
import { assertNormalisedModes, assertSameTree, noise, tool, writeTree } from './helpers/tree.ts';

const MCPB = join(ROOT, 'node_modules', '.bin', 'mcpb');

const ASCII_TREE = {
  'server/index.js': { data: '#!/usr/bin/env node\nconsole.log("hi");\n', mode: 0o755 },
  'server/lib/util.js': 'export const x = 1;\n'.repeat(200),
  'server/empty.txt': '',
  'data/random.bin': noise(200_000, 7),
  'data/nested/deeper/text.txt': 'line of text\n'.repeat(5000),
  'empty-dir/': '',
};

interface Maker {
  name: string;
  /** Makes `out` from the tree in `src`. */
  make(src: string, out: string): void;
  /** What the archive should contain beyond plain deflated files, checked on the parsed directory. */
  expect(archive: Archive): void;
}

const MAKERS: Maker[] = [
  {
    name: 'zip -r (directory entries)',
    make: (src, out) => tool('zip', ['-qr', out, '.'], src),
    expect: (archive) => assert.ok(archive.entries.some((entry) => entry.kind === 'directory')),
  },
  {
    name: 'zip -r -0 (stored entries)',
    make: (src, out) => tool('zip', ['-qr', '-0', out, '.'], src),
    expect: (archive) => assert.ok(archive.entries.every((entry) => entry.method === 0)),
  },
  {
    name: 'zip -r - | cat (data descriptors)',
    make: (src, out) => {
      execFileSync('sh', ['-c', `zip -qr - . | cat > '${out}'`], { cwd: src });
    },
    expect: (archive) => assert.ok(archive.entries.some((entry) => (entry.flags & 8) !== 0)),
  },
  {
    name: 'zip -r -fz (forced zip64)',
    make: (src, out) => tool('zip', ['-qr', '-fz', out, '.'], src),
    expect: (archive) => assert.notEqual(archive.layout.zip64EndOffset, null),
  },
  {
    name: 'mcpb pack (official CLI, UTF-8 names)',
    make: (src, out) => tool(MCPB, ['pack', src, out]),
    expect: (archive) => assert.ok(archive.entries.some((entry) => entry.name.includes('é') && (entry.flags & 0x800) !== 0)),
  },
];

describe('valid archives from real tools', function () {
  this.timeout(120_000);

  for (const maker of MAKERS) {
    it(`${maker.name}: inspect --check-data passes and unpack equals unzip`, async () => {
      const tmp = await tempDir();
      try {
        const src = join(tmp.path, 'src');
        // Info-ZIP zip 3.0 does not set the UTF-8 flag, so only the official CLI gets a non-ASCII name.
        const utf8: Record<string, string> = maker.name.startsWith('mcpb') ? { 'server/héllo-wörld.txt': 'unicode name\n' } : {};
        await writeTree(src, { ...ASCII_TREE, ...utf8 });
        if (maker.name.startsWith('mcpb')) {
          // mcpb pack validates the manifest and needs the entry point; it does not keep empty dirs.
          await writeFile(join(src, 'server/index.js'), '#!/usr/bin/env node\nconsole.log("hi");\n');
        }
        const file = join(tmp.path, 'bundle.mcpb');
        maker.make(src, file);

        const archive = await Archive.openFile(file);
        try {
          maker.expect(archive);
        } finally {
          await archive.close();
        }

        const inspected = await runCli(['inspect', file, '--check-data', '--json']);
        assert.equal(inspected.status, 0, inspected.stderr);
        const report = jsonOf(inspected);
        assert.equal(report['dataChecked'], true);
        assert.equal((report['manifest'] as Record<string, unknown>)['name'], 'tree-test');

        const ours = join(tmp.path, 'ours');
        const unpacked = await runCli(['unpack', file, ours, '--allow-unsigned', '--json']);
        assert.equal(unpacked.status, 0, unpacked.stderr);
        const theirs = join(tmp.path, 'theirs');
        tool('unzip', ['-q', file, '-d', theirs]);
        await assertSameTree(ours, theirs);
        await assertNormalisedModes(ours, ['server/index.js']);
        assert.equal(jsonOf(unpacked)['sha256'], report['sha256']);
      } finally {
        await tmp.cleanup();
      }
    });
  }
});
