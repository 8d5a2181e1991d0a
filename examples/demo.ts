// The main job on the bundled example, as a user runs it: validate, pack, inspect, sign with a
// fresh local key, verify, unpack.
// Run with `npm run demo`. Each step prints the command, then its output.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = join(root, 'bin', 'mcpseal.js');
const work = mkdtempSync(join(tmpdir(), 'mcpseal-demo-'));
const source = join(root, 'examples', 'hello-bundle');
const bundle = join(work, 'hello.mcpb');
const target = join(work, 'installed');
const key = join(work, 'publisher');

function step(title: string, args: string[]): void {
  const shown = args.map((arg) => (arg === work ? '$WORK' : arg.startsWith(work) ? `$WORK/${relative(work, arg)}` : arg.startsWith(root) ? relative(root, arg) || '.' : arg));
  process.stdout.write(`\n== ${title}\n$ mcpseal ${shown.join(' ')}\n`);
  const result = spawnSync(process.execPath, [bin, ...args], { stdio: 'inherit' });
  if (result.status !== 0) {
    process.stderr.write(`demo: step "${title}" exited ${result.status}\n`);
    process.exit(result.status ?? 2);
  }
}

try {
  process.stdout.write(`WORK=${work}\n`);
  step('validate the manifest (hardened profile, scopes checked against the command line)', ['validate', source]);
  step('pack the example bundle (deterministic; prints its sha256)', ['pack', source, bundle]);
  step('inspect it strictly, inflating and checking every entry', ['inspect', bundle, '--check-data']);
  step('make a fresh local signing key', ['keygen', '--out-dir', work, '--name', 'publisher']);
  step('sign it offline with that key (an in-toto attestation beside the bundle)', ['sign', bundle, '--key', `${key}.key`]);
  step('verify it before installing, against the publisher key', ['verify', bundle, '--key', `${key}.pub`]);
  step('unpack it: verified first, every entry checked against the attestation, all or nothing', ['unpack', bundle, target, '--key', `${key}.pub`]);
  process.stdout.write('\ndemo: all steps passed\n');
} finally {
  rmSync(work, { recursive: true, force: true });
}
