// Issue 14, fuzzing: the fuzz targets and the engine stay usable. Every target replays its seed
// corpus (fuzz/corpus/<target>/) with no non-MCPSealError escaping, then runs under jsfuzz for a
// few thousand executions (the CI smoke: any finding, slow input or memory past the caps of
// fuzz/instrument.cjs fails it), and one short jsfuzz run of the planted-branch target proves the
// engine plus fuzz/instrument.cjs find a 4-byte magic number: coverage that does not reach dist/
// would make every real run silently worthless.
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ROOT, TARGETS, fuzzTarget, type FuzzRun } from '../fuzz/run.ts';

const run = promisify(execFile);
/** Executions per target in the smoke: engine inputs and the 15 derived from each (FUZZ_BATCH). */
const SMOKE_RUNS = 2000;

interface Replay {
  target: string;
  inputs: number;
  escaped: { input: string; error: string }[];
}

async function replaySeeds(target: string, inputs: string[] = []): Promise<Replay> {
  const { stdout } = await run(process.execPath, [join(ROOT, 'fuzz', 'replay.cjs'), target, ...inputs], { cwd: ROOT, timeout: 60_000 }).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? '' }));
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as Replay;
}

describe('fuzz targets (issue 14)', function () {
  for (const target of TARGETS.filter((t) => t !== 'planted')) {
    it(`the ${target} target replays its seed corpus with nothing but MCPSealError escaping`, async function () {
      const seeds = readdirSync(join(ROOT, 'fuzz', 'corpus', target)).length;
      assert.ok(seeds > 0, `fuzz/corpus/${target} has seeds`);
      const result = await replaySeeds(target);
      assert.equal(result.inputs, seeds);
      assert.deepEqual(result.escaped, []);
    });
  }

  describe('a short jsfuzz run of each target', function () {
    const REAL = TARGETS.filter((t) => t !== 'planted');
    const runs = new Map<string, FuzzRun>();

    // Two targets at a time (each is two processes): the smoke stays near 30 s on two free cores.
    before(async function () {
      this.timeout(240_000);
      const work = mkdtempSync(join(tmpdir(), 'mcpseal-fuzz-'));
      try {
        const queue = [...REAL];
        const lane = async (): Promise<void> => {
          for (let target = queue.shift(); target !== undefined; target = queue.shift()) {
            runs.set(target, await fuzzTarget(target, 60, { work: join(work, target), runs: SMOKE_RUNS, batch: 15 }));
          }
        };
        await Promise.all([lane(), lane()]);
      } finally {
        rmSync(work, { recursive: true, force: true });
      }
    });

    for (const target of REAL) {
      it(`the ${target} target runs ${SMOKE_RUNS} executions under jsfuzz with no finding`, function () {
        const run = runs.get(target)!;
        assert.equal(run.crashed, false, `finding: ${run.log.split('='.repeat(65)).slice(1).join('\n').slice(0, 3000)}`);
        assert.ok(run.executions >= SMOKE_RUNS, `${run.executions} executions in 60 s; last status: ${run.status}`);
        assert.ok(run.coverage > 0, 'jsfuzz saw coverage in dist/');
      });
    }
  });

  it('the replay reports an escaping exception: the planted target throws for FUZZ and only for it', async function () {
    const dir = mkdtempSync(join(tmpdir(), 'mcpseal-fuzz-'));
    try {
      writeFileSync(join(dir, 'magic'), 'FUZZ!');
      writeFileSync(join(dir, 'near'), 'FUZY!');
      const result = await replaySeeds('planted', [dir]);
      assert.equal(result.inputs, 2);
      assert.deepEqual(result.escaped.map((e) => e.input), [join(dir, 'magic')]);
      assert.match(result.escaped[0]!.error, /planted branch reached/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the harness fails an input that is slower than 1 s, keeps 80 MiB or throws an uncoded error, and only those', async function () {
    const dir = mkdtempSync(join(tmpdir(), 'mcpseal-fuzz-'));
    try {
      for (const word of ['SLOW', 'HOLD', 'TYPE', 'CODE', 'fine']) writeFileSync(join(dir, word), word);
      const result = await replaySeeds('bars', [dir]);
      assert.equal(result.inputs, 5);
      const failed = Object.fromEntries(result.escaped.map((e) => [e.input.slice(dir.length + 1), e.error.split('\n')[0]]));
      assert.deepEqual(Object.keys(failed).sort(), ['HOLD', 'SLOW', 'TYPE']);
      assert.match(failed['SLOW']!, /^FuzzFinding: slow: one input of 4 bytes took \d+ ms/);
      assert.match(failed['HOLD']!, /^FuzzFinding: memory: one input of 4 bytes grew the heap by 8\d MiB/);
      assert.match(failed['TYPE']!, /^TypeError: not a coded error/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  // A random search: here it takes 1 to 5 s, but one CI run missed it in 20 s (151,000 inputs).
  // Two fresh tries of 45 s each keep a false failure unlikely without hiding an engine that
  // cannot climb at all (it would miss both).
  it('jsfuzz finds the planted 4-byte branch from a fresh corpus (two tries of 45 s at most)', async function () {
    this.timeout(120_000);
    const work = mkdtempSync(join(tmpdir(), 'mcpseal-fuzz-'));
    try {
      let found = await fuzzTarget('planted', 45, { work, fresh: true });
      if (!found.crashed) found = await fuzzTarget('planted', 45, { work, fresh: true });
      assert.ok(found.crashed, `no crash in two tries of 45 s; last status: ${found.status}`);
      assert.equal(readFileSync(found.crashFile!).subarray(0, 4).toString('latin1'), 'FUZZ');
      assert.match(found.log, /planted branch reached: FUZZ/);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
});
