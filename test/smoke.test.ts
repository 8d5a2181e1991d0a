import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ROOT, runCli, tempDir } from './helpers/cli.ts';

describe('smoke', () => {
  it('packs the example', async () => {
    const tmp = await tempDir();
    try {
      const result = await runCli(['pack', join(ROOT, 'examples/hello-bundle'), join(tmp.path, 'h.mcpb')]);
      assert.equal(result.status, 0, result.stderr);
    } finally {
      await tmp.cleanup();
    }
  });
});
