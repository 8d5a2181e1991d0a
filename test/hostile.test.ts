// The hostile-archive suite: the table in helpers/hostile-cases.ts (one case per strict archive
// rule, each named `CODE--case` after the code it must produce) runs through the library for
// every case: Archive.openFile + extractArchive into a temporary directory must refuse with
// exactly that code and write nothing. The real CLI (`mcpseal unpack --allow-unsigned --json`)
// runs once per distinct code (the first case of each) and for every case that sets a limit (so
// each limit flag reaches the library), plus one run per exit class, one in text mode: the
// library is where the rules live, the CLI runs show the code, the exit status and the output
// survive the trip through the command line.

import assert from 'node:assert/strict';
import { mkdir, stat, truncate, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Archive, bufferSource, extractArchive, MCPSealError, type ArchiveLimits, type ByteSource } from '../lib/index.ts';
import { jsonOf, listTree, pool, runCli, tempDir, type CliResult } from './helpers/cli.ts';
import { CONTROLS, HOSTILE_CASES, KiB, MiB, PROSE, codeOf, type HostileCase } from './helpers/hostile-cases.ts';
import { MODE, buildBundle } from './helpers/zip-builder.ts';

// The CLI flag for each limit a case may set.
const LIMIT_FLAGS: Partial<Record<keyof ArchiveLimits, string>> = {
  maxEntries: '--max-entries',
  maxTotalSize: '--max-total-size',
  maxEntrySize: '--max-entry-size',
  maxCompressionRatio: '--max-ratio',
  maxPathLength: '--max-path-length',
  maxPathDepth: '--max-path-depth',
};

function limitArgs(limits: Partial<ArchiveLimits> = {}): string[] {
  return Object.entries(limits).flatMap(([key, value]) => {
    const flag = LIMIT_FLAGS[key as keyof ArchiveLimits];
    if (!flag) throw new Error(`no CLI flag for limit ${key}`);
    return [flag, String(value)];
  });
}

/** The library path the CLI takes: open the file, extract it, always close. */
async function extractFile(file: string, target: string, limits?: Partial<ArchiveLimits>): Promise<void> {
  const archive = await Archive.openFile(file, limits ? { limits } : {});
  try {
    await extractArchive(archive, target, { hash: true });
  } finally {
    await archive.close();
  }
}

/**
 * Runs `body` with the case's archive written to `<tmp>/work/bundle.mcpb` and `<tmp>/work/out` as
 * the target. The case works one level down, so an entry escaping the target or its staging
 * directory by one or two levels still lands inside the temporary directory, where the returned
 * listing of everything left behind sees it.
 */
async function inWorkDir<T>(bytes: Buffer, body: (file: string, out: string) => Promise<T>): Promise<{ result: T; tree: string[] }> {
  const tmp = await tempDir('mcpseal-hostile-');
  try {
    const work = join(tmp.path, 'work');
    await mkdir(work);
    const file = join(work, 'bundle.mcpb');
    await writeFile(file, bytes);
    const result = await body(file, join(work, 'out'));
    return { result, tree: await listTree(tmp.path) };
  } finally {
    await tmp.cleanup();
  }
}

const NOTHING_WRITTEN = ['work/', 'work/bundle.mcpb'];

/** The cases the CLI runs: the first case of each code, and every case that sets a limit. */
function cliCases(cases: readonly HostileCase[]): HostileCase[] {
  const seen = new Set<string>();
  return cases.filter((hostile) => {
    const first = !seen.has(codeOf(hostile.name));
    seen.add(codeOf(hostile.name));
    return first || hostile.limits !== undefined;
  });
}

describe('hostile archives (library: every case)', () => {
  it('has a case for every rule, each named CODE--case, no two alike', () => {
    const names = HOSTILE_CASES.map((c) => c.name);
    assert.equal(new Set(names).size, names.length, 'duplicate case names');
    for (const name of names) assert.match(name, /^ARCHIVE_[A-Z0-9_]+--[a-z0-9-]+$/u);
    assert.ok(new Set(names.map(codeOf)).size >= 30, 'at least 30 distinct rules');
  });

  for (const hostile of HOSTILE_CASES) {
    it(hostile.name, async () => {
      const { result: error, tree } = await inWorkDir(hostile.build(), (file, out) =>
        extractFile(file, out, hostile.limits).then(
          () => null,
          (thrown: unknown) => thrown,
        ),
      );
      assert.ok(error instanceof MCPSealError, `the library did not refuse it with an MCPSealError: ${String(error)}`);
      assert.equal(error.code, codeOf(hostile.name), error.message);
      // Nothing written: no target, no staging directory left, nothing anywhere else.
      assert.deepEqual(tree, NOTHING_WRITTEN);
    });
  }
});

describe('hostile archives (real CLI: one case per code, per limit flag, per exit class)', function () {
  const selected = cliCases(HOSTILE_CASES);
  // Every selected case's child process is started up front, a few at a time, so the suite does
  // not wait for one process after another; each test then checks its own case's outcome.
  const outcomes = new Map<string, Promise<{ result: CliResult; tree: string[] }>>();
  before(() => {
    const run = pool(Math.min(4, Math.max(2, availableParallelism())));
    for (const hostile of selected) {
      const outcome = run(() =>
        inWorkDir(hostile.build(), (file, out) => runCli(['unpack', file, out, '--allow-unsigned', '--json', ...limitArgs(hostile.limits)])),
      );
      outcome.catch(() => {}); // reported by the case's own test
      outcomes.set(hostile.name, outcome);
    }
  });

  it('covers every code of the table, and each case that sets a limit', () => {
    const codes = new Set(HOSTILE_CASES.map((c) => codeOf(c.name)));
    assert.deepEqual(new Set(selected.map((c) => codeOf(c.name))), codes);
    assert.ok(selected.length < HOSTILE_CASES.length / 2, `${selected.length} CLI runs for ${HOSTILE_CASES.length} cases`);
    for (const hostile of HOSTILE_CASES) if (hostile.limits) assert.ok(selected.includes(hostile));
  });

  for (const hostile of selected) {
    const code = codeOf(hostile.name);
    it(`${hostile.name}: exit 1, the code in the JSON document, nothing written`, async () => {
      const { result: cli, tree } = await outcomes.get(hostile.name)!;
      const context = `status ${cli.status}\nstderr: ${cli.stderr}\nstdout: ${cli.stdout}`;
      assert.equal(cli.status, 1, `expected a rejection (exit 1)\n${context}`);
      const json = jsonOf(cli) as { ok: boolean; error: { code: string; message: string } };
      assert.equal(json.ok, false);
      assert.equal(json.error.code, code, context);
      assert.equal(typeof json.error.message, 'string');
      assert.match(cli.stderr, new RegExp(`^mcpseal: ${code}: [^\\n]+\\n$`, 'u'), context);
      assert.deepEqual(tree, NOTHING_WRITTEN);
    });
  }

  it('text mode: one line on stderr naming the code, nothing on stdout', async () => {
    const hostile = HOSTILE_CASES.find((c) => c.name === 'ARCHIVE_PATH_TRAVERSAL--dotdot')!;
    const { result: cli, tree } = await inWorkDir(hostile.build(), (file, out) => runCli(['unpack', file, out, '--allow-unsigned']));
    assert.equal(cli.status, 1, cli.stderr);
    assert.match(cli.stderr, /^mcpseal: ARCHIVE_PATH_TRAVERSAL: [^\n]+\n$/u);
    assert.equal(cli.stdout, '');
    assert.deepEqual(tree, NOTHING_WRITTEN);
  });

  it('exit class "rejected" wins over a usage problem: a hostile archive into a non-empty target exits 1 and leaves the target alone', async () => {
    const hostile = HOSTILE_CASES.find((c) => c.name === 'ARCHIVE_SYMLINK--unix-symlink')!;
    const { result: cli, tree } = await inWorkDir(hostile.build(), async (file, out) => {
      await mkdir(out);
      await writeFile(join(out, 'keep.txt'), 'mine');
      return runCli(['unpack', file, out, '--allow-unsigned', '--json']);
    });
    assert.equal(cli.status, 1, cli.stderr);
    assert.equal((jsonOf(cli) as { error: { code: string } }).error.code, 'ARCHIVE_SYMLINK');
    assert.deepEqual(tree, [...NOTHING_WRITTEN, 'work/out/', 'work/out/keep.txt'].sort());
  });

  it('exit class "failed" (exit 2): a valid bundle into a non-empty target is IO_TARGET_NOT_EMPTY and the target is left alone', async () => {
    const { result: cli, tree } = await inWorkDir(buildBundle(), async (file, out) => {
      await mkdir(out);
      await writeFile(join(out, 'keep.txt'), 'mine');
      return runCli(['unpack', file, out, '--allow-unsigned', '--json']);
    });
    assert.equal(cli.status, 2, cli.stderr);
    assert.equal((jsonOf(cli) as { error: { code: string } }).error.code, 'IO_TARGET_NOT_EMPTY');
    assert.match(cli.stderr, /^mcpseal: IO_TARGET_NOT_EMPTY: [^\n]+\n$/u);
    assert.deepEqual(tree, [...NOTHING_WRITTEN, 'work/out/', 'work/out/keep.txt'].sort());
  });

  it('exit class "failed" (exit 2): a missing bundle is IO_NOT_FOUND and nothing is written', async () => {
    const { result: cli, tree } = await inWorkDir(Buffer.alloc(0), (file, out) => runCli(['unpack', `${file}.missing`, out, '--allow-unsigned', '--json']));
    assert.equal(cli.status, 2, cli.stderr);
    assert.equal((jsonOf(cli) as { error: { code: string } }).error.code, 'IO_NOT_FOUND');
    assert.deepEqual(tree, NOTHING_WRITTEN);
  });
});

describe('hostile archives: inflation stops at the declared size', () => {
  it('a streamed bomb never hands the sink a byte beyond the declared size', async () => {
    const declared = 9 * MiB;
    const zip = buildBundle([{ name: 'lib/zeros.bin', data: Buffer.alloc(24 * MiB), local: { size: declared }, central: { size: declared } }]);
    const archive = await Archive.open(bufferSource(zip), { limits: { maxCompressionRatio: 100_000 } });
    let received = 0;
    let ended = false;
    await assert.rejects(
      archive.scan({
        visitor: {
          content() {},
          stream: () => ({
            write: (chunk: Buffer) => void (received += chunk.length),
            end: () => void (ended = true),
          }),
        },
      }),
      (error: unknown) => error instanceof MCPSealError && error.code === 'ARCHIVE_SIZE_MISMATCH',
    );
    assert.ok(received <= declared, `the sink received ${received} bytes, more than the declared ${declared}`);
    assert.equal(ended, false, 'the sink was ended although the entry failed');
  });

  it('a bomb held in memory is never handed to the visitor', async () => {
    const zip = buildBundle([{ name: 'lib/zeros.bin', data: Buffer.alloc(64 * KiB), local: { size: 100 }, central: { size: 100 } }]);
    const archive = await Archive.open(bufferSource(zip));
    const seen: string[] = [];
    await assert.rejects(
      archive.scan({ visitor: { content: (entry) => void seen.push(entry.name), stream: () => ({ write() {}, end() {} }) } }),
      (error: unknown) => error instanceof MCPSealError && error.code === 'ARCHIVE_SIZE_MISMATCH',
    );
    assert.ok(!seen.includes('lib/zeros.bin'), 'the bomb reached the visitor');
  });
});

// Not reachable deterministically through the CLI: the file changes between the two reads.
describe('hostile archives: the file changes while it is read (library)', () => {
  const isChanged = (error: unknown): boolean => error instanceof MCPSealError && error.code === 'ARCHIVE_CHANGED_DURING_READ';

  it('ARCHIVE_CHANGED_DURING_READ--central-directory-rewritten', async () => {
    const bytes = Buffer.from(buildBundle([{ name: 'lib/a.js', data: PROSE, comment: 'original' }]));
    // A source that copies, like a file handle does, over bytes the test rewrites after open.
    const source: ByteSource = { size: bytes.length, read: async (at, length) => Buffer.from(bytes.subarray(at, at + length)), close: async () => {} };
    const archive = await Archive.open(source);
    bytes.write('modified', bytes.lastIndexOf('original'));
    await assert.rejects(archive.scan({ checkData: true, hash: true }), isChanged);
  });

  it('ARCHIVE_CHANGED_DURING_READ--file-truncated', async () => {
    const tmp = await tempDir('mcpseal-hostile-');
    try {
      const file = join(tmp.path, 'bundle.mcpb');
      await writeFile(file, buildBundle([{ name: 'lib/a.js', data: PROSE }]));
      const archive = await Archive.openFile(file);
      try {
        await truncate(file, 100);
        await assert.rejects(archive.scan({ checkData: true, hash: true }), isChanged);
      } finally {
        await archive.close();
      }
    } finally {
      await tmp.cleanup();
    }
  });
});


describe('hostile archives: controls (valid bundles from the same builder unpack)', () => {
  for (const control of CONTROLS) {
    it(`${control.name} (library)`, async () => {
      const { result: error, tree } = await inWorkDir(control.build(), (file, out) =>
        extractFile(file, out, control.limits).then(
          () => null,
          (thrown: unknown) => thrown,
        ),
      );
      assert.equal(error, null);
      assert.deepEqual(tree, [...NOTHING_WRITTEN, 'work/out/', ...control.tree.map((name) => `work/out/${name}`)].sort());
    });
  }

  // Through the CLI: the plain bundle, and the one that passes every limit flag at its bound.
  for (const control of CONTROLS.filter((c) => c.name === 'a plain bundle' || c.limits !== undefined)) {
    it(`${control.name} (real CLI)`, async () => {
      const { result, tree } = await inWorkDir(control.build(), (file, out) =>
        runCli(['unpack', file, out, '--allow-unsigned', '--json', ...limitArgs(control.limits)]),
      );
      assert.equal(result.status, 0, result.stderr);
      assert.equal((jsonOf(result) as { ok: boolean }).ok, true);
      assert.deepEqual(tree, [...NOTHING_WRITTEN, 'work/out/', ...control.tree.map((name) => `work/out/${name}`)].sort());
    });
  }

  it('modes are normalised: setuid, setgid and sticky dropped, 0644 or 0755 only', async () => {
    const tmp = await tempDir('mcpseal-control-');
    try {
      const file = join(tmp.path, 'bundle.mcpb');
      const out = join(tmp.path, 'out');
      await writeFile(
        file,
        buildBundle([
          { name: 'bin/setuid', data: '#!/bin/sh\n', mode: MODE.SETUID },
          { name: 'bin/sticky', data: '#!/bin/sh\n', mode: 0o101777 },
          { name: 'bin/tool', data: '#!/bin/sh\n', mode: MODE.EXECUTABLE },
          { name: 'etc/private', data: 'x', mode: 0o100600 },
          { name: 'etc/world', data: 'x', mode: 0o100666 },
        ]),
      );
      const result = await runCli(['unpack', file, out, '--allow-unsigned', '--json']);
      assert.equal(result.status, 0, result.stderr);
      const modeOf = async (name: string): Promise<string> => ((await stat(join(out, name))).mode & 0o7777).toString(8);
      assert.equal(await modeOf('bin/setuid'), '755');
      assert.equal(await modeOf('bin/sticky'), '755');
      assert.equal(await modeOf('bin/tool'), '755');
      assert.equal(await modeOf('etc/private'), '644');
      assert.equal(await modeOf('etc/world'), '644');
      assert.equal(await modeOf('bin'), '755');
    } finally {
      await tmp.cleanup();
    }
  });
});
