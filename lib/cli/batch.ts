// Many bundles at once (issue 14 item 3): `verify` and `inspect` take several files, or
// directories with --recursive, and check them on a pool of worker threads sized to the cores.
// Each worker loads the pipeline once and runs the same library call and the same report as the
// single-file command (batch-jobs.ts), so a batch pays Node's start-up once per worker instead of
// once per file, and uses every core. Results are printed in input order as soon as every earlier
// file is done (a reorder buffer bounded by the dispatch window), one JSON document per line with
// --json. A worker that dies is reported for the file it held and replaced; the others go on.

import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { MCPSealError } from '../errors.ts';
import { fsPromises, ioError } from '../io.ts';
import { parseCount, type Parsed } from './args.ts';
import { failedOutcome, type BatchJobName, type BatchTask, type FileOutcome } from './batch-jobs.ts';
import type { CommandContext } from './command.ts';
import { EXIT_OK, type Output } from './output.ts';

export const BATCH_OPTIONS = {
  recursive: { type: 'boolean', short: 'r' },
  jobs: { type: 'string' },
} as const;

export const BATCH_HELP = `Many bundles (batch mode: several files, --recursive or --jobs):
  --recursive, -r  check every *.mcpb file under the directories given (symlinks not followed)
  --jobs N         worker threads (default: the number of cores, ${availableParallelism()} here)
  Results are printed in the order the files were given (directories: sorted paths), one block
  per file (--json: one JSON document per line, JSON Lines), then a summary line. Exit status:
  0 every file passed, 1 at least one was rejected, 2 at least one could not be checked (I/O, a
  crashed worker) or a usage error. Each file's <file>.sigstore.json is used: --bundle,
  --server-json and --policy are refused with several files.`;

/** Most files one batch takes from directories (each is a task and a reorder-buffer slot at most). */
export const MAX_BATCH_FILES = 100_000;
/** Most directory entries a --recursive walk reads, so a huge tree fails fast instead of walking for ever. */
const MAX_WALK_ENTRIES = 1_000_000;
/** Most worker threads (--jobs). */
const MAX_JOBS = 256;

/** The test hook: the worker checking exactly this path dies (an uncaught exception) instead of checking it. */
export const CRASH_HOOK = 'MCPSEAL_TEST_CRASH_WORKER';

/** Whether the command runs in batch mode: more than one path, or a batch flag. */
export function isBatch(given: string[], values: Parsed['values']): boolean {
  return given.length > 1 || values['recursive'] === true || values['jobs'] !== undefined;
}

/**
 * Refuses flags batch mode does not take: --bundle and --server-json name one file's inputs;
 * --policy is not wired into the workers yet (its report is assembled in cli/policy.ts).
 */
export function refuseInBatch(values: Parsed['values'], flags: string[]): void {
  const given = flags.filter((flag) => values[flag] !== undefined);
  if (given.length > 0) {
    throw new MCPSealError('USAGE_INVALID_ARGUMENT', `--${given[0]} cannot be used with several files (batch mode): check the file alone`);
  }
}

/**
 * What a path names: `bundles` (verify, inspect): a file, or with --recursive a directory of
 * .mcpb files; `audit`: also a bundle directory given without --recursive, audited as itself
 * (like the single-file audit), and with --recursive the .mcpb files below it.
 */
export type BatchInputs = 'bundles' | 'audit';

/**
 * The files of a batch, in order: each path given, and for a directory (only with --recursive)
 * every regular file ending in .mcpb below it, sorted by path. Symbolic links met while walking
 * are not followed (no cycles, nothing outside the tree); a path given explicitly is taken as it
 * is, and one that does not exist is reported for itself (IO_NOT_FOUND) like any failed file.
 */
export async function batchFiles(paths: string[], recursive: boolean, inputs: BatchInputs = 'bundles'): Promise<string[]> {
  const files: string[] = [];
  const budget = { entries: MAX_WALK_ENTRIES };
  for (const path of paths) {
    const isDirectory = await fsPromises().stat(path).then((info) => info.isDirectory(), () => false);
    if (!isDirectory || (!recursive && inputs === 'audit')) files.push(path);
    else if (!recursive) throw new MCPSealError('USAGE_INVALID_ARGUMENT', `${path} is a directory: give --recursive to check the .mcpb files under it`, { details: { path } });
    else files.push(...(await walk(path, budget)).sort());
    if (files.length > MAX_BATCH_FILES) {
      throw new MCPSealError('USAGE_INVALID_ARGUMENT', `more than ${MAX_BATCH_FILES} files in one batch: check them in parts`, { details: { limit: 'MAX_BATCH_FILES', expected: MAX_BATCH_FILES } });
    }
  }
  if (files.length === 0) throw new MCPSealError('USAGE_INVALID_ARGUMENT', `no .mcpb file under ${paths.join(', ')}`);
  return files;
}

/** The *.mcpb regular files below `root` (iterative: the depth of a hostile tree costs no stack). */
async function walk(root: string, budget: { entries: number }): Promise<string[]> {
  const found: string[] = [];
  const pending = [root];
  for (let dir = pending.pop(); dir !== undefined; dir = pending.pop()) {
    const entries = await fsPromises().readdir(dir, { withFileTypes: true }).catch((cause: unknown) => {
      throw ioError(cause, dir, 'read');
    });
    budget.entries -= entries.length;
    if (budget.entries < 0) throw new MCPSealError('USAGE_INVALID_ARGUMENT', `more than ${MAX_WALK_ENTRIES} entries under ${root}: give narrower directories`, { details: { path: root } });
    for (const entry of entries) {
      // Dirent types come from readdir itself (lstat semantics): a symlink is neither a file nor a directory here.
      if (entry.isDirectory()) pending.push(join(dir, entry.name));
      else if (entry.isFile() && entry.name.toLowerCase().endsWith('.mcpb')) found.push(join(dir, entry.name));
      if (found.length > MAX_BATCH_FILES) throw new MCPSealError('USAGE_INVALID_ARGUMENT', `more than ${MAX_BATCH_FILES} .mcpb files under ${root}: check them in parts`, { details: { path: root } });
    }
  }
  return found;
}

/** What a batch runs: one job over the files, with plain-data settings for the workers. */
export interface BatchRun {
  job: BatchJobName;
  files: string[];
  settings: unknown;
  /** Worker threads (at most one per file). */
  jobs: number;
  /** The test hook's path (MCPSEAL_TEST_CRASH_WORKER), if set. */
  crashFile?: string;
  signal?: AbortSignal;
}

// The worker entry beside this module: batch-worker.ts from the sources (tests run them with
// Node's type stripping), batch-worker.js in dist/.
const WORKER_URL = new URL(import.meta.url.endsWith('.ts') ? './batch-worker.ts' : './batch-worker.js', import.meta.url);

/**
 * Runs `run` on a pool of workers and calls `emit` once per file, in input order. At most a
 * window of files past the last one emitted is dispatched, so the reorder buffer stays bounded
 * however slow one early file is. A worker that exits while holding a file (a crash, an
 * out-of-memory kill) is reported for that file (INTERNAL_ERROR) and replaced.
 */
export async function runBatch(run: BatchRun, emit: (outcome: FileOutcome) => void): Promise<void> {
  // Loaded here, for a batch only: node:worker_threads and the modules it pulls in were ~1-2 ms
  // of every single-file command's start-up (issue 14 item 2).
  const threads = await import('node:worker_threads');
  const { files } = run;
  const size = Math.max(1, Math.min(run.jobs, files.length));
  const window = Math.max(4 * size, 16);
  return new Promise((resolve, reject) => {
    const done = new Map<number, FileOutcome>();
    const holding = new Map<Worker, number>();
    const reasons = new Map<Worker, string>();
    const idle: Worker[] = [];
    const workers = new Set<Worker>();
    let next = 0;
    let emitted = 0;
    let finished = false;

    const finish = (error?: MCPSealError): void => {
      if (finished) return;
      finished = true;
      run.signal?.removeEventListener('abort', onAbort);
      for (const worker of workers) void worker.terminate();
      if (error) reject(error);
      else resolve();
    };
    const onAbort = (): void => finish(new MCPSealError('IO_INTERRUPTED', 'interrupted', { cause: run.signal?.reason }));
    const deliver = (index: number, outcome: FileOutcome): void => {
      done.set(index, outcome);
      for (let ready = done.get(emitted); ready !== undefined; ready = done.get(emitted)) {
        done.delete(emitted++);
        emit(ready);
      }
      if (emitted === files.length) finish();
      else while (!finished && idle.length > 0 && dispatchable()) dispatch(idle.pop()!);
    };
    const dispatchable = (): boolean => next < files.length && next < emitted + window;
    const dispatch = (worker: Worker): void => {
      if (finished) return;
      if (!dispatchable()) {
        idle.push(worker);
        return;
      }
      const index = next++;
      const task: BatchTask = { index, job: run.job, file: files[index]!, settings: run.settings, ...(files[index] === run.crashFile ? { crash: true } : {}) };
      holding.set(worker, index);
      worker.postMessage(task);
    };
    const spawn = (): void => {
      // A young generation of 8 MB (V8's default is larger): measured on 200 copies of the filesystem
      // server bundle, peak RSS 250 MB instead of 430 MB for about 8% more CPU.
      const worker = new threads.Worker(WORKER_URL, { resourceLimits: { maxYoungGenerationSizeMb: 8 } });
      workers.add(worker);
      worker.on('message', (message: { index: number; outcome: FileOutcome }) => {
        holding.delete(worker);
        deliver(message.index, message.outcome);
        dispatch(worker);
      });
      worker.on('error', (error) => reasons.set(worker, error.message));
      worker.on('exit', (code) => exited(worker, code));
      dispatch(worker);
    };
    const exited = (worker: Worker, code: number): void => {
      workers.delete(worker);
      const at = idle.indexOf(worker);
      if (at >= 0) idle.splice(at, 1);
      if (finished) return;
      const index = holding.get(worker);
      holding.delete(worker);
      if (index !== undefined) {
        const file = files[index]!;
        const why = reasons.get(worker) ?? `exit code ${code}`;
        deliver(index, failedOutcome(file, new MCPSealError('INTERNAL_ERROR', `the worker checking ${file} stopped (${why}); the file was not checked`, { details: { path: file, found: code } })));
      }
      // A replacement, while files remain to be dispatched (the ones in flight finish on their own workers).
      if (!finished && (next < files.length || workers.size === 0)) spawn();
    };

    if (run.signal?.aborted) return onAbort();
    run.signal?.addEventListener('abort', onAbort);
    for (let i = 0; i < size; i++) spawn();
  });
}

/** The batch half of a command: collects the files, runs them, prints each result and a summary, returns the exit status. */
export async function runBatchCommand(
  output: Output,
  context: CommandContext,
  request: { job: BatchJobName; paths: string[]; values: Parsed['values']; settings: unknown; inputs?: BatchInputs; jsonLines?: boolean },
): Promise<number> {
  const jobsText = request.values['jobs'];
  const jobs = typeof jobsText === 'string' ? parseCount(jobsText, '--jobs') : availableParallelism();
  if (jobs < 1 || jobs > MAX_JOBS) throw new MCPSealError('USAGE_INVALID_ARGUMENT', `--jobs must be between 1 and ${MAX_JOBS}`);
  const files = await batchFiles(request.paths, request.values['recursive'] === true, request.inputs);
  // JSON Lines although --json was not given (audit --format json): each document as its one line, no summary.
  const jsonLines = request.jsonLines === true && !output.json;
  const counts = [0, 0, 0];
  let first = true;
  const crashFile = context.env[CRASH_HOOK];
  await runBatch(
    { job: request.job, files, settings: request.settings, jobs, ...(crashFile ? { crashFile } : {}), ...(context.signal ? { signal: context.signal } : {}) },
    (outcome) => {
      counts[outcome.status] = (counts[outcome.status] ?? 0) + 1;
      output.entry(jsonLines ? { ...outcome, lines: [outcome.json] } : outcome, first || jsonLines);
      first = false;
    },
  );
  const [passed, rejected, failed] = counts as [number, number, number];
  if (!jsonLines) output.summary(`${files.length} file${files.length === 1 ? '' : 's'}: ${passed} passed, ${rejected} rejected, ${failed} could not be checked`);
  return failed > 0 ? 2 : rejected > 0 ? 1 : EXIT_OK;
}
