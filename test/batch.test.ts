// Many bundles at once (issue 14 item 3): `verify` and `inspect` over several files and
// directories on a pool of worker threads. Real child processes; every per-file result is
// compared with what the single-file command prints for the same file, so a batch can never
// say something the one-file path would not.

import assert from 'node:assert/strict';
import { copyFile, mkdir, symlink, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { runCli, runMain, tempDir, type CliResult } from './helpers/cli.ts';
import { makeSigner, signedBundle, type Signer } from './helpers/install.ts';

/** The JSON Lines a batch printed, parsed (each line must be one JSON document). */
function jsonLines(result: CliResult): Record<string, unknown>[] {
  const lines = result.stdout.split('\n').filter((line) => line !== '');
  return lines.map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** `{ ok, code }` of a document: what a reader of the batch output decides on. */
function verdict(document: Record<string, unknown>): string {
  return document['ok'] === true ? 'ok' : (document['error'] as { code: string }).code;
}

describe('issue 14 item 3: batch verify and inspect on worker threads', function () {
  this.timeout(120_000);
  let tmp: { path: string; cleanup: () => Promise<void> };
  let signer: Signer;
  let good: string;
  let good2: string;
  let tampered: string;
  let unsigned: string;
  let tree: string;

  before(async () => {
    tmp = await tempDir('mcpseal-batch-');
    signer = await makeSigner(tmp.path);
    good = await signedBundle(tmp.path, signer, { name: 'good-one' });
    good2 = await signedBundle(tmp.path, signer, { name: 'good-two' });
    // Tampered: other bytes under a signature made for the first bundle (the subject no longer matches).
    tampered = await signedBundle(tmp.path, null, { name: 'tampered' });
    await copyFile(`${good}.sigstore.json`, `${tampered}.sigstore.json`);
    unsigned = await signedBundle(tmp.path, null, { name: 'unsigned' });

    // A tree for --recursive: nested directories, files that are not bundles, symlinks (not followed).
    tree = join(tmp.path, 'tree');
    await mkdir(join(tree, 'b', 'deep'), { recursive: true });
    await mkdir(join(tree, 'a'), { recursive: true });
    const place = async (from: string, to: string, withSidecar: boolean): Promise<void> => {
      await copyFile(from, to);
      if (withSidecar) await copyFile(`${from}.sigstore.json`, `${to}.sigstore.json`);
    };
    await place(good, join(tree, 'b', 'deep', 'z.mcpb'), true);
    await place(good2, join(tree, 'a', 'y.mcpb'), true);
    await place(unsigned, join(tree, 'x.mcpb'), false);
    await writeFile(join(tree, 'a', 'notes.txt'), 'not a bundle\n');
    await symlink(join(tree, 'a', 'y.mcpb'), join(tree, 'link.mcpb'));
    await symlink(join(tree, 'b'), join(tree, 'c-linked-dir'));
  });

  after(async () => {
    await tmp.cleanup();
  });

  const keyArgs = (): string[] => ['--key', signer.publicKeyPath];

  it('mixed good, tampered and unsigned files: the right answer per file (equal to the single-file run), exit 1', async () => {
    const files = [good, tampered, unsigned, good2];
    const batch = await runCli(['verify', ...files, ...keyArgs(), '--json']);
    assert.equal(batch.status, 1, batch.stderr);
    const documents = jsonLines(batch);
    assert.deepEqual(documents.map((document) => document['file']), files, 'one document per file, in input order');
    for (const [i, file] of files.entries()) {
      const single = await runCli(['verify', file, ...keyArgs(), '--json']);
      assert.deepEqual(documents[i], { ...(JSON.parse(single.stdout) as Record<string, unknown>), file }, `batch and single-file documents for ${file}`);
    }
    assert.deepEqual(documents.map(verdict), ['ok', 'ATTESTATION_SUBJECT_MISMATCH', 'SIGNATURE_ABSENT', 'ok']);
    // Every rejected file is named on stderr with its code.
    assert.match(batch.stderr, new RegExp(`^mcpseal: ${tampered.replace(/[.*+?^${}()|[\]\\]/gu, '\\$&')}: ATTESTATION_SUBJECT_MISMATCH: `, 'mu'));
  });

  it('text mode: one block per file in input order, the single-file lines for a verified file, a summary; all good exits 0', async () => {
    const batch = await runCli(['verify', good, good2, ...keyArgs()]);
    assert.equal(batch.status, 0, batch.stderr);
    const single = await runCli(['verify', good, ...keyArgs()]);
    assert.ok(batch.stdout.startsWith(single.stdout), 'the first block is exactly the single-file report');
    assert.match(batch.stdout, /\n\n2 files: 2 passed, 0 rejected, 0 could not be checked\n$/u);
    const mixed = await runCli(['verify', good, unsigned, ...keyArgs()]);
    assert.equal(mixed.status, 1);
    assert.match(mixed.stdout, new RegExp(`\nrejected: +${unsigned.replace(/[.*+?^${}()|[\]\\]/gu, '\\$&')}\nerror: +SIGNATURE_ABSENT: `, 'u'));
  });

  it('a file that cannot be read is exit 2 for the batch, reported for itself; the others are still checked', async () => {
    const missing = join(tmp.path, 'missing.mcpb');
    const batch = await runCli(['verify', good, missing, tampered, ...keyArgs(), '--json']);
    assert.equal(batch.status, 2, batch.stderr);
    assert.deepEqual(jsonLines(batch).map(verdict), ['ok', 'IO_NOT_FOUND', 'ATTESTATION_SUBJECT_MISMATCH']);
  });

  it('a worker crash is reported for its file (INTERNAL_ERROR, exit 2) and the others complete on a replacement worker', async () => {
    // One worker: every file after the crash must be checked by the replacement.
    const files = [good, tampered, good2, unsigned, good];
    const batch = await runCli(['verify', ...files, ...keyArgs(), '--json', '--jobs', '1'], { env: { MCPSEAL_TEST_CRASH_WORKER: tampered } });
    assert.equal(batch.status, 2, batch.stderr);
    const documents = jsonLines(batch);
    assert.deepEqual(documents.map((document) => document['file']), files);
    assert.deepEqual(documents.map(verdict), ['ok', 'INTERNAL_ERROR', 'ok', 'SIGNATURE_ABSENT', 'ok']);
    const error = documents[1]!['error'] as { message: string; details: { path: string } };
    assert.match(error.message, /worker .* stopped .*not checked/u);
    assert.equal(error.details.path, tampered);
    // Two workers, the crash on the first file: still every other file.
    const two = await runCli(['inspect', good, good2, unsigned, ...['--json', '--jobs', '2']], { env: { MCPSEAL_TEST_CRASH_WORKER: good } });
    assert.equal(two.status, 2, two.stderr);
    assert.deepEqual(jsonLines(two).map(verdict), ['INTERNAL_ERROR', 'ok', 'ok']);
  });

  it('results stay in input order with several workers (many files, JSON Lines that parse)', async () => {
    const files = Array.from({ length: 24 }, (_, i) => [good, tampered, unsigned, good2][i % 4]!);
    const batch = await runCli(['verify', ...files, ...keyArgs(), '--json', '--jobs', '3']);
    assert.equal(batch.status, 1);
    const documents = jsonLines(batch);
    assert.equal(documents.length, 24);
    assert.deepEqual(documents.map((document) => document['file']), files);
    assert.deepEqual(documents.map(verdict), files.map((file) => (file === tampered ? 'ATTESTATION_SUBJECT_MISMATCH' : file === unsigned ? 'SIGNATURE_ABSENT' : 'ok')));
  });

  it('--recursive: every *.mcpb below the directory, sorted, symlinks not followed, other files ignored', async () => {
    const batch = await runCli(['verify', tree, '--recursive', ...keyArgs(), '--json']);
    assert.equal(batch.status, 1, batch.stderr);
    const documents = jsonLines(batch);
    assert.deepEqual(
      documents.map((document) => relative(tree, document['file'] as string)),
      ['a/y.mcpb', 'b/deep/z.mcpb', 'x.mcpb'],
      'no link.mcpb, nothing under c-linked-dir, no notes.txt',
    );
    assert.deepEqual(documents.map(verdict), ['ok', 'ok', 'SIGNATURE_ABSENT']);
    const inspect = await runCli(['inspect', '-r', tree]);
    assert.equal(inspect.status, 0, inspect.stderr);
    assert.match(inspect.stdout, /3 files: 3 passed, 0 rejected, 0 could not be checked\n$/u);
  });

  it('usage: a directory without --recursive, --bundle or --server-json with several files, a bad --jobs: exit 2, nothing checked', async () => {
    const cases: [string[], RegExp][] = [
      [['verify', tree, good, ...keyArgs()], /is a directory: give --recursive/u],
      [['verify', good, good2, '--bundle', `${good}.sigstore.json`, ...keyArgs()], /--bundle cannot be used with several files/u],
      [['verify', good, good2, '--server-json', good, ...keyArgs()], /--server-json cannot be used with several files/u],
      [['verify', good, good2, '--policy', good], /--policy cannot be used with several files/u],
      [['inspect', good, '--jobs', '0'], /--jobs must be between 1 and/u],
    ];
    for (const [args, message] of cases) {
      const result = await runCli(args);
      assert.equal(result.status, 2, args.join(' '));
      assert.match(result.stderr, message);
      assert.match(result.stderr, /USAGE_INVALID_ARGUMENT/u);
      assert.equal(result.stdout, '');
    }
    const empty = join(tmp.path, 'empty');
    await mkdir(empty);
    const none = await runCli(['inspect', empty, '--recursive']);
    assert.equal(none.status, 2);
    assert.match(none.stderr, /USAGE_INVALID_ARGUMENT: no \.mcpb file under/u);
  });

  it('a single file without batch flags prints exactly the one-file report (one pretty JSON document)', async () => {
    const single = await runCli(['verify', good, ...keyArgs(), '--json']);
    assert.equal(single.status, 0);
    assert.ok(single.stdout.startsWith('{\n  "ok": true,'), 'the one-file document stays pretty-printed');
    const asBatch = await runCli(['verify', good, ...keyArgs(), '--json', '--jobs', '1']);
    assert.equal(asBatch.stdout.split('\n').filter(Boolean).length, 1, 'batch mode: one line');
    assert.deepEqual(JSON.parse(asBatch.stdout), JSON.parse(single.stdout));
  });

  it('the pool also runs from the TypeScript sources (in-process main, worker entry batch-worker.ts)', async () => {
    const result = await runMain(['inspect', good, unsigned, '--json']);
    assert.equal(result.status, 0, result.stderr);
    assert.deepEqual(jsonLines(result).map(verdict), ['ok', 'ok']);
  });
});
