// Runs jsfuzz on one target, or on each in turn:
//   npm run fuzz -- [<target>|all] [--time SECONDS] [--runs N] [--batch K] [--fresh] [--keep-going]
// No target (or `all`) runs every real target, each for --time seconds (`--seconds` is the older
// spelling); --runs stops a target once it has done N executions. New corpus inputs and crashes go
// to fuzz/.work/<target>/ (gitignored); seeds come from fuzz/corpus/<target>/. With --keep-going
// a finding is written to fuzz/.work/<target>/findings/ and fuzzing goes on (long runs); without
// it jsfuzz stops at the first one. Exit 1 when a target had a finding (an exception that is not
// an MCPSealError, an input slower than 1 s, memory past the caps of fuzz/instrument.cjs) or
// jsfuzz stopped early. The versifier (jsfuzz's structure-aware text mutator) is off: on the JSON
// seeds it ran jsfuzz out of heap in 12 s.
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

export const ROOT = join(import.meta.dirname, '..');
export const TARGETS = ['planted', 'central-directory', 'archive', 'entry', 'names', 'legacy', 'cms', 'sigstore', 'manifest', 'policy'] as const;
const JSFUZZ = join(ROOT, 'node_modules', 'jsfuzz', 'build', 'src', 'index.js');

export interface FuzzRun {
  target: string;
  seconds: number;
  crashed: boolean;
  crashFile: string | null;
  /** jsfuzz's last status line (executions, coverage, corpus size, exec/s). */
  status: string;
  /** Inputs jsfuzz generated (its status line). */
  engineInputs: number;
  /** Inputs the target ran: engine inputs plus the derived ones (FUZZ_BATCH). */
  executions: number;
  /** jsfuzz's coverage figure: statements, functions and branch arms of dist/ reached. */
  coverage: number;
  /** Findings written with --keep-going (distinct failures), from findings.log. */
  findings: number;
  log: string;
}

export interface FuzzOptions {
  timeout?: number;
  work?: string;
  fresh?: boolean;
  runs?: number;
  keepGoing?: boolean;
  /** Derived inputs per engine input (FUZZ_BATCH, see fuzz/instrument.cjs); 0 by default. */
  batch?: number;
}

interface WorkerStats {
  engineInputs: number;
  executions: number;
}

function readStats(file: string): WorkerStats | null {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as WorkerStats;
  } catch {
    return null;
  }
}

function countFindings(dir: string): number {
  const log = join(dir, 'findings.log');
  if (!existsSync(log)) return 0;
  return new Set(readFileSync(log, 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { signature: string }).signature)).size;
}

/** Runs `target` under jsfuzz for at most `seconds` (and `runs` executions); resolves when it stops or finds a crash. */
export function fuzzTarget(target: string, seconds: number, options: FuzzOptions = {}): Promise<FuzzRun> {
  const work = options.work ?? join(ROOT, 'fuzz', '.work', target);
  const corpus = join(work, 'corpus');
  const findings = join(work, 'findings');
  // A fresh run forgets what earlier runs learnt (how the planted-branch time is measured).
  if (options.fresh === true) rmSync(corpus, { recursive: true, force: true });
  mkdirSync(corpus, { recursive: true });
  const crashFile = join(work, `crash-${Date.now()}`);
  // jsfuzz's worker resolves the target against its working directory.
  const targetPath = relative(work, join(ROOT, 'fuzz', 'targets', `${target}.cjs`));
  // jsfuzz's own timeout is a backstop (it polls every 3 s and counts the worker's start-up, which
  // took over 10 s on this machine under load); the 1 s bar is checked in the worker, per input.
  const args = [JSFUZZ, targetPath, corpus, join(ROOT, 'fuzz', 'corpus', target), '--timeout', String(options.timeout ?? 60), '--exact-artifact-path', crashFile, '--rss-limit-mb', '1024', '--versifier', 'false'];
  const statsFile = join(work, 'stats.json');
  rmSync(statsFile, { force: true });
  const env = { ...process.env, FUZZ_STATS: statsFile, FUZZ_BATCH: String(options.batch ?? 0), ...(options.keepGoing === true ? { FUZZ_FINDINGS: findings } : {}) };
  if (options.keepGoing !== true) delete env.FUZZ_FINDINGS;
  const child = spawn(process.execPath, args, { cwd: work, detached: true, env, stdio: ['ignore', 'pipe', 'pipe'] });
  // jsfuzz's status lines as they come, to follow a long run: tail -f fuzz/.work/<target>/live.log
  const live = createWriteStream(join(work, 'live.log'));
  child.stdout.pipe(live);
  let log = '';
  const stop = (): void => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      /* already gone */
    }
  };
  child.stdout.on('data', (chunk: Buffer) => {
    log += chunk.toString();
    if (log.length > 4_000_000) log = log.slice(-1_000_000);
    if (options.runs !== undefined && / PULSE /.test(chunk.toString()) && (readStats(statsFile)?.executions ?? 0) >= options.runs) stop();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    log += chunk.toString();
  });
  const timer = setTimeout(stop, seconds * 1000);
  return new Promise((resolve) => {
    child.on('close', () => {
      clearTimeout(timer);
      const lines = log.split('\n').filter((l) => /^#\d+ /.test(l));
      const status = lines.at(-1) ?? '';
      const counted = readStats(statsFile);
      const crashed = existsSync(crashFile);
      writeFileSync(join(work, 'last-run.log'), log);
      resolve({
        target,
        seconds,
        crashed,
        crashFile: crashed ? crashFile : null,
        status,
        engineInputs: Number(/^#(\d+)/.exec(status)?.[1] ?? 0),
        // The worker's own count (written every 250 engine inputs), or jsfuzz's when it has none yet.
        executions: Math.max(counted?.executions ?? 0, Number(/^#(\d+)/.exec(status)?.[1] ?? 0)),
        coverage: Number(/cov: (\d+)/.exec(status)?.[1] ?? 0),
        findings: countFindings(findings),
        log,
      });
    });
  });
}

interface Parsed {
  targets: string[];
  seconds: number;
  fresh: boolean;
  keepGoing: boolean;
  runs: number | undefined;
  batch: number;
}

function numberAfter(argv: string[], names: string[]): number | undefined {
  const at = argv.findIndex((a) => names.includes(a));
  if (at < 0) return undefined;
  const value = Number(argv[at + 1]);
  if (!(value > 0)) throw new Error(`${argv[at]} wants a positive number`);
  return value;
}

function parseArgs(argv: string[]): Parsed {
  const valued = new Set(['--time', '--seconds', '--runs', '--batch']);
  const name = argv.find((a, i) => !a.startsWith('--') && !valued.has(argv[i - 1] ?? '')) ?? 'all';
  const seconds = numberAfter(argv, ['--time', '--seconds']) ?? 60;
  const runs = numberAfter(argv, ['--runs']);
  const common = { seconds, runs, batch: numberAfter(argv, ['--batch']) ?? 0, fresh: argv.includes('--fresh'), keepGoing: argv.includes('--keep-going') };
  if (name === 'all') return { targets: TARGETS.filter((t) => t !== 'planted'), ...common };
  if (!(TARGETS as readonly string[]).includes(name)) {
    throw new Error(`usage: npm run fuzz -- [${TARGETS.join('|')}|all] [--time SECONDS] [--runs N] [--batch K] [--fresh] [--keep-going]`);
  }
  return { targets: [name], ...common };
}

async function main(): Promise<void> {
  let parsed: Parsed;
  try {
    parsed = parseArgs(process.argv.slice(2));
  } catch (error) {
    console.error((error as Error).message);
    process.exitCode = 2;
    return;
  }
  for (const target of parsed.targets) {
    const started = Date.now();
    const run = await fuzzTarget(target, parsed.seconds, { fresh: parsed.fresh, keepGoing: parsed.keepGoing, batch: parsed.batch, ...(parsed.runs === undefined ? {} : { runs: parsed.runs }) });
    const elapsed = (Date.now() - started) / 1000;
    const corpus = readdirSync(join(ROOT, 'fuzz', '.work', target, 'corpus')).length;
    const summary = { target, date: new Date().toISOString(), engine: 'jsfuzz 1.0.15', seconds: Number(elapsed.toFixed(1)), batch: parsed.batch, engineInputs: run.engineInputs, executions: run.executions, execPerSecond: Math.round(run.executions / elapsed), coverage: run.coverage, newCorpus: corpus, findings: run.findings, crashed: run.crashed };
    writeFileSync(join(ROOT, 'fuzz', '.work', target, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
    console.log(JSON.stringify(summary));
    const reachedRuns = parsed.runs !== undefined && run.executions >= parsed.runs;
    if (!run.crashed && !reachedRuns && elapsed < parsed.seconds - 1) {
      // jsfuzz itself stopped early (e.g. its JSON "versifier" ran the engine out of heap).
      console.log(`${target}: the engine stopped after ${elapsed.toFixed(1)} s without a crash file; see fuzz/.work/${target}/last-run.log`);
      process.exitCode = 1;
    }
    if (run.findings > 0) {
      console.log(`${target}: ${run.findings} distinct finding(s) in fuzz/.work/${target}/findings/`);
      process.exitCode = 1;
    }
    if (run.crashed) {
      console.log(`${target}: CRASH written to ${run.crashFile}\n${run.log.split('=================================================================').slice(1).join('\n').slice(0, 4000)}`);
      process.exitCode = 1;
    }
  }
}

if (process.argv[1] === import.meta.filename) await main();
