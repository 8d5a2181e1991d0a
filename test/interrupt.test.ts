// Ctrl-C during a long extraction: the command stops, removes its staging directory, writes
// nothing at the target and exits 2 with IO_INTERRUPTED.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { packBundle } from '../lib/index.ts';
import { BIN, tempDir } from './helpers/cli.ts';
import { noise, writeTree } from './helpers/tree.ts';

describe('interrupt', function () {
  this.timeout(120_000);

  it('SIGINT during unpack leaves neither the target nor a staging directory', async () => {
    const tmp = await tempDir();
    try {
      const src = join(tmp.path, 'src');
      await writeTree(src, { 'server/index.js': 'console.log(1);\n' });
      // Enough small files that extraction takes a noticeable time.
      for (let dir = 0; dir < 60; dir++) {
        await mkdir(join(src, 'node_modules', `pkg-${dir}`), { recursive: true });
        await Promise.all(
          Array.from({ length: 100 }, (_, file) => writeFile(join(src, 'node_modules', `pkg-${dir}`, `f${file}.bin`), noise(2048, dir * 1000 + file + 1))),
        );
      }
      const bundle = join(tmp.path, 'big.mcpb');
      await packBundle(src, bundle);
      const work = join(tmp.path, 'work');
      await mkdir(work);
      const target = join(work, 'out');

      const child = spawn(process.execPath, [BIN, 'unpack', bundle, target, '--allow-unsigned', '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const exited = new Promise<number | null>((resolve) => child.on('close', resolve));

      // Interrupt once the staging directory exists, i.e. in the middle of the extraction.
      let sawStaging = false;
      for (let attempt = 0; attempt < 2000 && child.exitCode === null; attempt++) {
        if ((await readdir(work)).some((name) => name.startsWith('.out.mcpseal-'))) {
          sawStaging = true;
          child.kill('SIGINT');
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      const status = await exited;
      assert.ok(sawStaging, `the extraction finished before it could be interrupted (status ${status}): ${stderr}`);
      assert.equal(status, 2, stderr);
      assert.match(stderr, /^mcpseal: IO_INTERRUPTED: /mu);
      assert.equal((JSON.parse(stdout) as { error: { code: string } }).error.code, 'IO_INTERRUPTED');
      assert.deepEqual(await readdir(work), [], 'no target and no staging directory are left');
    } finally {
      await tmp.cleanup();
    }
  });
});
