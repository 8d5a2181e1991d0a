// The launch group of bench/run.ts (issue 12 "Bars"): the time to the first `initialize` answer
// of a server started through `mcpseal run` (integrity re-hash, plan, bwrap, Landlock launcher)
// against the same server started directly with the same node, and the integrity re-hash alone.
// Each sample spawns a fresh process, writes one initialize request on its stdin and stops the
// clock at the first line on its stdout that answers id 1; the process is then killed.

import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { compareTree } from '../lib/launch/integrity.ts';

const INITIALIZE = `${JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'mcpseal-bench', version: '1.0.0' } },
})}\n`;

/** Milliseconds from spawn to the first initialize answer of `argv`. */
export function timeToInitialize(argv: readonly string[], env: NodeJS.ProcessEnv, timeoutMs = 30_000): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'], env });
    let out = '';
    let err = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no initialize answer within ${timeoutMs} ms: ${err.slice(-500)}`));
    }, timeoutMs);
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      if (!out.split('\n').some((line) => line.includes('"id":1'))) return;
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      clearTimeout(timer);
      child.stdin.end();
      child.kill('SIGTERM');
      child.once('close', () => resolve(ms));
    });
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.stdin.write(INITIALIZE);
  });
}

export interface LaunchSamples {
  /** ms to the first initialize answer through `mcpseal run`. */
  mcpseal: number[];
  /** ms to the first initialize answer of the server started directly. */
  direct: number[];
  /** ms of the integrity re-hash alone (compareTree, in this process): wall, and CPU (user + system, which a loaded machine does not inflate). */
  rehash: number[];
  rehashCpu: number[];
  files: number;
  /** Phases inside `run` (bench/launch-marks.mjs), ms since its start, one object per extra run. */
  phases: LaunchPhases[];
}

/** Milliseconds since `run` started: bwrap spawned, the go byte written, the server's first output. */
export interface LaunchPhases {
  spawned?: number;
  go?: number;
  firstOutput?: number;
}

const MARKS_PRELOAD = new URL('./launch-marks.mjs', import.meta.url);

/** Alternates the two launches run by run (after one untimed round each), then times the re-hash. */
export async function measureLaunch(spec: { run: string[]; direct: string[]; env: NodeJS.ProcessEnv; tree: string; marker: string; runs: number; log: (line: string) => void }): Promise<LaunchSamples> {
  const samples: LaunchSamples = { mcpseal: [], direct: [], rehash: [], rehashCpu: [], files: 0, phases: [] };
  for (let round = 0; round <= spec.runs; round++) {
    const ours = await timeToInitialize(spec.run, spec.env);
    const theirs = await timeToInitialize(spec.direct, spec.env);
    spec.log(`    ${round === 0 ? 'warm-up' : `run ${round}/${spec.runs}`}`.padEnd(14) + `mcpseal run ${ours.toFixed(0)} ms  direct ${theirs.toFixed(0)} ms`);
    if (round > 0) {
      samples.mcpseal.push(ours);
      samples.direct.push(theirs);
    }
  }
  // The phases, in runs of their own (the preload adds a little to the process it times).
  const marks = join(mkdtempSync(join(tmpdir(), 'mcpseal-marks-')), 'marks.jsonl');
  const env = { ...spec.env, NODE_OPTIONS: `${spec.env['NODE_OPTIONS'] ?? ''} --import ${MARKS_PRELOAD.href}`.trim(), MCPSEAL_BENCH_MARKS: marks };
  for (let round = 0; round < spec.runs; round++) await timeToInitialize(spec.run, env);
  samples.phases = readFileSync(marks, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as LaunchPhases);
  rmSync(dirname(marks), { recursive: true, force: true });
  const entries = (JSON.parse(readFileSync(spec.marker, 'utf8')) as { entries: Record<string, string> }).entries;
  samples.files = Object.keys(entries).length;
  for (let round = 0; round <= spec.runs; round++) {
    const started = process.hrtime.bigint();
    const cpu = process.cpuUsage();
    const difference = compareTree(spec.tree, entries);
    const used = process.cpuUsage(cpu);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    if (round > 0) samples.rehashCpu.push((used.user + used.system) / 1000);
    if (difference.changed.length + difference.added.length + difference.removed.length > 0) throw new Error(`the installed tree differs: ${JSON.stringify(difference)}`);
    if (round > 0) samples.rehash.push(ms);
  }
  return samples;
}
