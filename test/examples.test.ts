// The examples in examples/ are documentation: they must keep running as written.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './helpers/cli.ts';

function run(script: string): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, script)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

describe('examples', function () {
  this.timeout(60_000);

  it('examples/library.ts packs, signs, verifies, unpacks and refuses a tampered bundle', async () => {
    const result = await run('examples/library.ts');
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /^verified: hello-mcpseal 1\.0\.0, runs: node \$\{__dirname\}\/server\/index\.js/mu);
    assert.match(result.stdout, /^extracted 2 files to /mu);
    assert.match(result.stdout, /^tampered bundle refused: ATTESTATION_SUBJECT_MISMATCH$/mu);
  });

  it('examples/demo.ts (npm run demo) runs every step', async () => {
    const result = await run('examples/demo.ts');
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /^demo: all steps passed$/mu);
  });
});
