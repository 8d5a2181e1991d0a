// Runs jsfuzz on one target, or on each in turn: `npm run fuzz -- <target|all> [--seconds N]`.
// New corpus inputs and crashes go to fuzz/.work/<target>/ (gitignored); seeds come from
// fuzz/corpus/<target>/. Exit 1 when a target crashed (an exception that is not an MCPSealError,
// or an input slower than --timeout seconds) or jsfuzz stopped early. The versifier (jsfuzz's
// structure-aware text mutator) is off: on the JSON seeds it ran jsfuzz out of heap in 12 s.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

export const ROOT = join(import.meta.dirname, '..');
export const TARGETS = ['planted', 'archive', 'cms', 'sigstore', 'manifest', 'policy'] as const;
const JSFUZZ = join(ROOT, 'node_modules', 'jsfuzz', 'build', 'src', 'index.js');

export interface FuzzRun {
  target: string;
  seconds: number;
  crashed: boolean;
  crashFile: string | null;
  /** jsfuzz's last status line (executions, coverage, corpus size, exec/s). */
  status: string;
  executions: number;
  log: string;
}

/** Runs `target` under jsfuzz for at most `seconds`; resolves when it stops or finds a crash. */
export function fuzzTarget(target: string, seconds: number, options: { timeout?: number; work?: string; fresh?: boolean } = {}): Promise<FuzzRun> {
  const work = options.work ?? join(ROOT, 'fuzz', '.work', target);
  const corpus = join(work, 'corpus');
  // A fresh run forgets what earlier runs learnt (how the planted-branch time is measured).
  if (options.fresh === true) rmSync(corpus, { recursive: true, force: true });
  mkdirSync(corpus, { recursive: true });
  const crashFile = join(work, `crash-${Date.now()}`);
  // jsfuzz's worker resolves the target against its working directory.
  const targetPath = relative(work, join(ROOT, 'fuzz', 'targets', `${target}.cjs`));
  const args = [JSFUZZ, targetPath, corpus, join(ROOT, 'fuzz', 'corpus', target), '--timeout', String(options.timeout ?? 10), '--exact-artifact-path', crashFile, '--rss-limit-mb', '1024', '--versifier', 'false'];
  const child = spawn(process.execPath, args, { cwd: work, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout.on('data', (chunk: Buffer) => { log += chunk.toString(); });
  child.stderr.on('data', (chunk: Buffer) => { log += chunk.toString(); });
  const timer = setTimeout(() => {
    try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* already gone */ }
  }, seconds * 1000);
  return new Promise((resolve) => {
    child.on('close', () => {
      clearTimeout(timer);
      const lines = log.split('\n').filter((l) => /^#\d+ /.test(l));
      const status = lines.at(-1) ?? '';
      const crashed = existsSync(crashFile);
      writeFileSync(join(work, 'last-run.log'), log);
      resolve({ target, seconds, crashed, crashFile: crashed ? crashFile : null, status, executions: Number(/^#(\d+)/.exec(status)?.[1] ?? 0), log });
    });
  });
}

function parseArgs(argv: string[]): { targets: string[]; seconds: number; fresh: boolean } {
  const name = argv.find((a) => !a.startsWith('--')) ?? '';
  const at = argv.indexOf('--seconds');
  const seconds = at >= 0 ? Number(argv[at + 1]) : 60;
  const fresh = argv.includes('--fresh');
  if (!(seconds > 0)) throw new Error('--seconds wants a positive number');
  if (name === 'all') return { targets: TARGETS.filter((t) => t !== 'planted'), seconds, fresh };
  if (!(TARGETS as readonly string[]).includes(name)) throw new Error(`usage: npm run fuzz -- <${TARGETS.join('|')}|all> [--seconds N] [--fresh]`);
  return { targets: [name], seconds, fresh };
}

async function main(): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs(process.argv.slice(2));
  } catch (error) {
    console.error((error as Error).message);
    process.exitCode = 2;
    return;
  }
  for (const target of parsed.targets) {
    const started = Date.now();
    const run = await fuzzTarget(target, parsed.seconds, { fresh: parsed.fresh });
    const elapsed = ((Date.now() - started) / 1000).toFixed(1);
    const corpus = readdirSync(join(ROOT, 'fuzz', '.work', target, 'corpus')).length;
    console.log(`${target}: ${elapsed} s, ${run.executions} executions, new corpus ${corpus}; last: ${run.status}`);
    if (!run.crashed && Number(elapsed) < parsed.seconds - 1) {
      // jsfuzz itself stopped early (e.g. its JSON "versifier" ran the engine out of heap).
      console.log(`${target}: the engine stopped after ${elapsed} s without a crash file; see fuzz/.work/${target}/last-run.log`);
      process.exitCode = 1;
    }
    if (run.crashed) {
      console.log(`${target}: CRASH written to ${run.crashFile}\n${run.log.split('=================================================================').slice(1).join('\n').slice(0, 4000)}`);
      process.exitCode = 1;
    }
  }
}

if (process.argv[1] === import.meta.filename) await main();
