// Benchmark harness: mcpseal against zip/unzip and the official mcpb CLI on a synthetic bundle
// (see bench/synth.ts and bench/README.md).
//
//   node bench/run.ts [--scale 1] [--scale 2] [--runs 3] [--only pack|unpack|check] [--out DIR] [--json]
//
// Method
// - The tools of a group run side by side in one process lifetime, alternating run by run
//   (A B C A B C ...), so that a noisy neighbour or a thermal drift hits every tool alike.
// - Each command first runs once untimed: it warms the page cache (the source tree or the input
//   archive is read from memory in every timed run) and finds broken tools before the timed runs.
// - Wall time: process.hrtime.bigint() from just before spawn() to the child's exit, which adds
//   ~1 ms for GNU time's own fork/exec.
// - Peak RSS: every command runs under GNU time, `/usr/bin/time -f "%e %M" -o <file> cmd ...`.
//   %M is ru_maxrss of the command (KiB, from wait4(2)): the peak resident set of the process,
//   or of its largest waited-for descendant. GNU time is the Debian/Ubuntu package `time`; the
//   harness stops with an install hint when it is missing (bash's `time` keyword is not enough).
// - Outputs of a run (archive, extracted directory) are deleted before the next run, untimed.
// - Reported: median wall time and median peak RSS per tool, and mcpseal's median divided by each
//   other tool's median (< 1x: mcpseal is faster / smaller).
// A command that fails is reported as "n/a (error: ...)" with its stderr, the other tools still
// run, and the harness exits 1 at the end. Timings are never asserted anywhere.

import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';
import { ensureBundle, formatBundleInfo, WORK_DIR } from './synth.ts';
import type { BundleInfo } from './synth.ts';

const ROOT = resolve(import.meta.dirname, '..');
const GNU_TIME = '/usr/bin/time';
const NODE = process.execPath;
// MCPSEAL_BIN benchmarks another build of the CLI (e.g. a checkout of an older commit).
const MCPSEAL_CLI = resolve(process.env['MCPSEAL_BIN'] ?? join(ROOT, 'bin', 'mcpseal.js'));
const MCPSEAL = 'mcpseal';
const GROUPS = ['pack', 'unpack', 'check'] as const;
type Group = (typeof GROUPS)[number];

interface Command {
  tool: string;
  argv: string[];
  cwd?: string;
  /** File or directory written by the command: deleted (untimed) before every run. */
  output?: string;
  /** Also delete the output right after each run: an extracted tree is not needed afterwards. */
  removeAfter?: boolean;
  /** Set when the command cannot run at all (e.g. the CLI is not built): reported, not run. */
  unavailable?: string;
}

interface Sample {
  wallSeconds: number;
  peakRssKiB: number;
}

interface ToolResult {
  tool: string;
  command: string;
  samples: Sample[];
  error?: string;
  outputBytes?: number;
  median?: Sample;
}

interface GroupResult {
  group: Group;
  scale: number;
  input?: string;
  tools: ToolResult[];
}

class CommandError extends Error {
  stderr: string;
  constructor(message: string, stderr: string) {
    super(message);
    this.stderr = stderr;
  }
}

// ---------------------------------------------------------------------------------------------
// Running and measuring one command

/** Last `max` bytes of a file: enough of a tool's output to diagnose a failure. */
function tailOf(path: string, max = 4000): string {
  if (!existsSync(path)) return '';
  const text = readFileSync(path, 'utf8');
  return text.length > max ? `...${text.slice(-max)}` : text;
}

/** First line of stderr that looks like an error, else its first non-empty line. */
function errorSummary(stderr: string): string {
  const lines = stderr.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  return (lines.find((l) => /error/i.test(l)) ?? lines[0] ?? 'no output').slice(0, 160);
}

/** GNU time writes "Command exited with non-zero status N" first on failure: use the last line. */
function parsePeakRss(timeFile: string): number {
  const lines = readFileSync(timeFile, 'utf8').trim().split('\n');
  const fields = (lines[lines.length - 1] ?? '').trim().split(/\s+/);
  const kib = Number(fields[1]);
  if (!Number.isFinite(kib)) throw new Error(`cannot parse GNU time output in ${timeFile}`);
  return kib;
}

/**
 * Runs a command once under GNU time. stdout and stderr go to files rather than pipes, so that
 * the harness spends no CPU draining them during the measurement.
 */
async function runOnce(cmd: Command, logDir: string): Promise<Sample> {
  if (cmd.output !== undefined) rmSync(cmd.output, { recursive: true, force: true });
  const timeFile = join(logDir, 'time.txt');
  const stdoutFile = join(logDir, 'stdout.txt');
  const stderrFile = join(logDir, 'stderr.txt');
  const stdoutFd = openSync(stdoutFile, 'w');
  const stderrFd = openSync(stderrFile, 'w');
  const started = process.hrtime.bigint();
  let status: { code: number | null; signal: NodeJS.Signals | null };
  try {
    const child = spawn(GNU_TIME, ['-f', '%e %M', '-o', timeFile, ...cmd.argv], {
      cwd: cmd.cwd ?? ROOT,
      stdio: ['ignore', stdoutFd, stderrFd],
    });
    status = await new Promise((resolveStatus, reject) => {
      child.on('error', reject);
      child.on('close', (code, signal) => resolveStatus({ code, signal }));
    });
  } finally {
    closeSync(stdoutFd);
    closeSync(stderrFd);
  }
  const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  // Deleting at once also spares the next tool the writeback of this run's dirty pages.
  if (cmd.removeAfter === true && cmd.output !== undefined) rmSync(cmd.output, { recursive: true, force: true });
  if (status.code !== 0) {
    const how = status.signal !== null ? `signal ${status.signal}` : `exit code ${status.code}`;
    const stderr = [tailOf(stderrFile), tailOf(stdoutFile)].filter((s) => s.trim() !== '').join('\n--- stdout:\n');
    throw new CommandError(`${how}: ${errorSummary(stderr)}`, stderr);
  }
  return { wallSeconds, peakRssKiB: parsePeakRss(timeFile) };
}

/** Paths below the repository are shown relative to it: shorter, and the same on every machine. */
function rel(path: string): string {
  return path.startsWith(`${ROOT}/`) ? path.slice(ROOT.length + 1) : path;
}

function displayCommand(cmd: Command): string {
  const shown = cmd.argv.map((a) => (a === NODE ? 'node' : rel(a)));
  return `${cmd.cwd !== undefined ? `(cd ${rel(cmd.cwd)}) ` : ''}${shown.join(' ')}`;
}

function fail(result: ToolResult, error: unknown): void {
  result.error = error instanceof Error ? error.message : String(error);
  console.log(`    ${result.tool} FAILED: ${result.error}`);
  if (error instanceof CommandError && error.stderr !== '') {
    console.log(error.stderr.replace(/^/gm, '      | '));
  }
}

/** Warm-up round, then `runs` alternating rounds over the tools that have not failed. */
async function measureGroup(commands: Command[], runs: number, logDir: string): Promise<ToolResult[]> {
  const results: ToolResult[] = commands.map((c) => ({ tool: c.tool, command: displayCommand(c), samples: [] }));
  for (const [i, cmd] of commands.entries()) {
    if (cmd.unavailable !== undefined) fail(results[i]!, new Error(cmd.unavailable));
  }
  for (let round = 0; round <= runs; round++) {
    const label = round === 0 ? 'warm-up' : `run ${round}/${runs}`;
    for (const [i, cmd] of commands.entries()) {
      const result = results[i]!;
      if (result.error !== undefined) continue;
      try {
        const sample = await runOnce(cmd, logDir);
        if (round > 0) result.samples.push(sample);
        console.log(`    ${label.padEnd(9)} ${cmd.tool.padEnd(8)} ${sample.wallSeconds.toFixed(2)} s  ${formatMB(sample.peakRssKiB)} MB`);
      } catch (error) {
        fail(result, error);
      }
    }
  }
  for (const [i, cmd] of commands.entries()) {
    const result = results[i]!;
    if (result.error === undefined && cmd.output !== undefined && existsSync(cmd.output) && statSync(cmd.output).isFile()) {
      result.outputBytes = statSync(cmd.output).size;
    }
    if (result.error === undefined && result.samples.length > 0) {
      result.median = {
        wallSeconds: median(result.samples.map((s) => s.wallSeconds)),
        peakRssKiB: median(result.samples.map((s) => s.peakRssKiB)),
      };
    }
  }
  return results;
}

// ---------------------------------------------------------------------------------------------
// The groups

interface ScaleContext {
  scale: number;
  bundle: BundleInfo;
  src: string;
  out: string;
  mcpbCli: string;
  /** Outcome of `mcpseal pack` in this invocation: only a fresh output is used as input. */
  mcpsealPack: 'untried' | 'ok' | 'failed';
}

/** The mcpseal row of a group: marked unavailable while bin/mcpseal.js does not exist. */
function mcpsealCommand(args: string[], output?: string): Command {
  const cmd: Command = { tool: MCPSEAL, argv: [NODE, MCPSEAL_CLI, ...args] };
  if (output !== undefined) cmd.output = output;
  if (!existsSync(MCPSEAL_CLI)) cmd.unavailable = `${rel(MCPSEAL_CLI)} not found (not built yet?)`;
  return cmd;
}

function packCommands(ctx: ScaleContext): Command[] {
  const ours = join(ctx.out, 'pack-mcpseal.mcpb');
  return [
    mcpsealCommand(['pack', ctx.src, ours], ours),
    // zip -r would add to an existing archive: the output is deleted before every run.
    { tool: 'zip', argv: ['zip', '-qr', '-6', join(ctx.out, 'pack-zip.zip'), '.'], cwd: ctx.src, output: join(ctx.out, 'pack-zip.zip') },
    { tool: 'mcpb', argv: [NODE, ctx.mcpbCli, 'pack', ctx.src, join(ctx.out, 'pack-mcpb.mcpb')], output: join(ctx.out, 'pack-mcpb.mcpb') },
  ];
}

function unpackCommands(ctx: ScaleContext, input: string): Command[] {
  const dir = (tool: string) => join(ctx.out, `unpack-${tool}`);
  return [
    mcpsealCommand(['unpack', input, dir(MCPSEAL), '--allow-unsigned'], dir(MCPSEAL)),
    { tool: 'unzip', argv: ['unzip', '-q', '-d', dir('unzip'), input], output: dir('unzip') },
    { tool: 'mcpb', argv: [NODE, ctx.mcpbCli, 'unpack', input, dir('mcpb')], output: dir('mcpb') },
  ].map((cmd) => ({ ...cmd, removeAfter: true }));
}

function checkCommands(input: string): Command[] {
  return [
    mcpsealCommand(['inspect', input, '--check-data']),
    { tool: 'unzip', argv: ['unzip', '-tq', input] },
  ];
}

function unzipAccepts(archive: string): boolean {
  return existsSync(archive) && spawnSync('unzip', ['-tq', archive], { stdio: 'ignore' }).status === 0;
}

/**
 * The one archive that unpack and check read, for every tool alike: mcpseal's own output when
 * `mcpseal pack` works and unzip accepts its output, else a zip made by Info-ZIP. The fallback
 * adds -D (no directory entries) to the pack group's `zip -qr -6`, because `mcpb unpack` fails
 * with EISDIR on directory entries and would otherwise have no row to compare.
 */
async function prepareInput(ctx: ScaleContext): Promise<{ path: string; note: string }> {
  const mcpsealOut = join(ctx.out, 'pack-mcpseal.mcpb');
  if (ctx.mcpsealPack === 'untried') {
    try {
      const pack = packCommands(ctx)[0]!;
      if (pack.unavailable !== undefined) throw new Error(pack.unavailable);
      await runOnce(pack, ctx.out);
      ctx.mcpsealPack = 'ok';
    } catch (error) {
      ctx.mcpsealPack = 'failed';
      console.log(`\n  (untimed mcpseal pack failed: ${error instanceof Error ? error.message : error})`);
    }
  }
  if (ctx.mcpsealPack === 'ok' && unzipAccepts(mcpsealOut)) {
    return { path: mcpsealOut, note: 'made by `mcpseal pack`, accepted by `unzip -t`' };
  }
  const zipOut = join(ctx.out, 'input-zip.zip');
  await runOnce({ tool: 'zip', argv: ['zip', '-qr', '-6', '-D', zipOut, '.'], cwd: ctx.src, output: zipOut }, ctx.out);
  return { path: zipOut, note: 'made by `zip -qr -6 -D`: no usable `mcpseal pack` output' };
}

async function runGroup(group: Group, ctx: ScaleContext, runs: number, input: { path: string; note: string } | undefined): Promise<GroupResult> {
  console.log(`\n  [${group}] scale ${ctx.scale}${input !== undefined ? `, input ${rel(input.path)}, ${input.note}` : ''}`);
  const commands =
    group === 'pack' ? packCommands(ctx) : group === 'unpack' ? unpackCommands(ctx, input!.path) : checkCommands(input!.path);
  const tools = await measureGroup(commands, runs, ctx.out);
  if (group === 'pack') ctx.mcpsealPack = tools[0]!.error === undefined ? 'ok' : 'failed';
  const result: GroupResult = { group, scale: ctx.scale, tools };
  if (input !== undefined) result.input = `${rel(input.path)}, ${input.note}`;
  return result;
}

// ---------------------------------------------------------------------------------------------
// Reporting

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function formatMB(kib: number): string {
  return ((kib * 1024) / 1e6).toFixed(1);
}

/** Aligned columns; a shorter row (a tool that failed) spills its last cell over the others. */
function table(rows: string[][]): string {
  const columns = rows[0]!.length;
  const sized = (r: string[], col: number) => col < r.length && (r.length === columns || col < r.length - 1);
  const widths = rows[0]!.map((_, col) => Math.max(...rows.filter((r) => sized(r, col)).map((r) => r[col]!.length)));
  return rows.map((r) => `    ${r.map((cell, col) => cell.padEnd(widths[col]!)).join('  ').trimEnd()}`).join('\n');
}

function printGroup(result: GroupResult, bundle: BundleInfo, runs: number): void {
  const ours = result.tools.find((t) => t.tool === MCPSEAL)?.median;
  const ratio = (a: number | undefined, b: number) => (a === undefined ? 'n/a' : `${(a / b).toFixed(2)}x`);
  const withOutput = result.group === 'pack';
  const header = ['tool', 'wall (s)', 'peak RSS (MB)', 'mcpseal/tool wall', 'mcpseal/tool RSS', ...(withOutput ? ['output (MB)'] : []), 'runs (s)'];
  const rows = result.tools.map((tool) => {
    const m = tool.median;
    if (m === undefined) return [tool.tool, `n/a (error: ${tool.error ?? 'no samples'})`];
    const isOurs = tool.tool === MCPSEAL;
    return [
      tool.tool,
      m.wallSeconds.toFixed(2),
      formatMB(m.peakRssKiB),
      isOurs ? '-' : ratio(ours?.wallSeconds, m.wallSeconds),
      isOurs ? '-' : ratio(ours?.peakRssKiB, m.peakRssKiB),
      ...(withOutput ? [tool.outputBytes !== undefined ? (tool.outputBytes / 1e6).toFixed(1) : ''] : []),
      tool.samples.map((s) => s.wallSeconds.toFixed(2)).join(' '),
    ];
  });
  console.log(
    `\n  ${result.group} - scale ${result.scale} (${bundle.files.toLocaleString('en-US')} files, ` +
      `${(bundle.totalBytes / 1e6).toFixed(0)} MB), median of ${runs} run(s)` +
      (result.input !== undefined ? `\n    input: ${result.input}` : ''),
  );
  console.log(table([header, ...rows]));
  for (const tool of result.tools) console.log(`    ${tool.tool}: ${tool.command}`);
}

// ---------------------------------------------------------------------------------------------
// Environment

function commandOutput(argv: string[]): string {
  const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8', cwd: ROOT });
  return r.error !== undefined ? '' : `${r.stdout}${r.stderr}`;
}

function requireGnuTime(): void {
  if (!commandOutput([GNU_TIME, '--version']).includes('GNU')) {
    console.error(
      `GNU time is required to measure peak RSS and was not found at ${GNU_TIME}.\n` +
        'Install it (Debian/Ubuntu: `apt-get install -y time`; Fedora: `dnf install time`) and run again.',
    );
    process.exit(2);
  }
  for (const tool of ['zip', 'unzip']) {
    if (commandOutput([tool, '-v']) === '') {
      console.error(`\`${tool}\` (Info-ZIP) is required and was not found on PATH.`);
      process.exit(2);
    }
  }
}

function mcpbCliPath(): string {
  const bin = join(ROOT, 'node_modules', '.bin', 'mcpb');
  if (!existsSync(bin)) {
    console.error('node_modules/.bin/mcpb not found: run `npm install` (it is a devDependency).');
    process.exit(2);
  }
  return realpathSync(bin); // a JS file: run it with this very node, whatever PATH says
}

function machineInfo(mcpbCli: string): Record<string, string | number> {
  const cpus = os.cpus();
  const firstMatch = (text: string, re: RegExp) => re.exec(text)?.[0] ?? 'unknown';
  const mcpseal = spawnSync(NODE, [MCPSEAL_CLI, '--version'], { encoding: 'utf8', cwd: ROOT });
  return {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    memoryGB: Number((os.totalmem() / 1e9).toFixed(1)),
    loadAverage: os.loadavg().map((l) => l.toFixed(2)).join(' '),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    zip: firstMatch(commandOutput(['zip', '-v']), /Zip \d[\w.]*/),
    unzip: firstMatch(commandOutput(['unzip', '-v']), /UnZip \d[\w.]*/),
    mcpb: commandOutput([NODE, mcpbCli, '--version']).trim() || 'unknown',
    mcpseal: !existsSync(MCPSEAL_CLI)
      ? `n/a (${rel(MCPSEAL_CLI)} not found)`
      : mcpseal.status === 0
        ? mcpseal.stdout.trim()
        : `n/a (${errorSummary(mcpseal.stderr)})`,
    time: commandOutput([GNU_TIME, '--version']).split('\n')[0]!.trim(),
  };
}

// ---------------------------------------------------------------------------------------------
// Main

interface Options {
  scales: number[];
  runs: number;
  groups: Group[];
  json: boolean;
  /** Where archives and extracted trees go (default bench/.work): a tmpfs takes the disk out. */
  outRoot: string;
}

const USAGE = `usage: node bench/run.ts [--scale N]... [--runs N] [--only pack|unpack|check]... [--out DIR] [--json]
  --scale N   bundle size: 1 = 20,000 files / 420 MB, 2 = 40,000 files / 840 MB (default: 1 and 2)
  --runs N    timed runs per tool, after one untimed warm-up (default: 3)
  --only G    run only group G (repeatable; default: pack, unpack and check)
  --out DIR   write archives and extracted trees under DIR/scale-N/ (default: bench/.work);
              e.g. /dev/shm to measure without the disk's write speed
  --json      also write the results to bench/.work/results.json`;

/** parseArgs, with a usage message and status 2 instead of a stack trace for a bad flag. */
function parseArgsOrExit<T extends ParseArgsConfig>(config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : error}\n${USAGE}`);
    process.exit(2);
  }
}

function parseOptions(): Options {
  const { values } = parseArgsOrExit({
    options: {
      scale: { type: 'string', multiple: true },
      runs: { type: 'string', default: '3' },
      only: { type: 'string', multiple: true },
      json: { type: 'boolean', default: false },
      out: { type: 'string', default: WORK_DIR },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const scales = (values.scale ?? ['1', '2']).map(Number);
  const runs = Number(values.runs);
  const groups = (values.only ?? [...GROUPS]) as Group[];
  const bad = [
    ...scales.filter((s) => !(s > 0)).map((s) => `--scale must be a positive number (got ${s})`),
    ...(Number.isInteger(runs) && runs >= 1 ? [] : [`--runs must be a positive integer (got ${values.runs})`]),
    ...groups.filter((g) => !GROUPS.includes(g)).map((g) => `--only must be one of ${GROUPS.join(', ')} (got ${g})`),
  ];
  if (bad.length > 0) {
    console.error(`${bad.join('\n')}\n${USAGE}`);
    process.exit(2);
  }
  return { scales, runs, groups: GROUPS.filter((g) => groups.includes(g)), json: values.json, outRoot: resolve(values.out) };
}

async function runScale(scale: number, options: Options, mcpbCli: string): Promise<{ bundle: BundleInfo; groups: GroupResult[] }> {
  console.log(`\n=== scale ${scale} ===`);
  const bundle = ensureBundle(scale, { log: (s) => console.log(`  ${s}`) });
  console.log(formatBundleInfo(bundle).replace(/^/gm, '  '));
  const out = join(options.outRoot, `scale-${scale}`, 'out');
  mkdirSync(out, { recursive: true });
  const ctx: ScaleContext = { scale, bundle, src: bundle.dir, out, mcpbCli, mcpsealPack: 'untried' };
  const groups: GroupResult[] = [];
  let input: { path: string; note: string } | undefined;
  for (const group of options.groups) {
    if (group !== 'pack') input ??= await prepareInput(ctx);
    groups.push(await runGroup(group, ctx, options.runs, group === 'pack' ? undefined : input));
  }
  for (const g of groups) printGroup(g, bundle, options.runs);
  return { bundle, groups };
}

async function main(): Promise<void> {
  const options = parseOptions();
  requireGnuTime();
  const mcpbCli = mcpbCliPath();
  const machine = machineInfo(mcpbCli);
  console.log('mcpseal benchmarks');
  for (const [key, value] of Object.entries(machine)) console.log(`  ${`${key}:`.padEnd(13)} ${value}`);
  console.log(`  ${'runs:'.padEnd(13)} ${options.runs} timed (+1 warm-up) per tool, alternating; groups: ${options.groups.join(', ')}`);
  console.log(`  ${'outputs:'.padEnd(13)} ${rel(options.outRoot)}/scale-N/out`);

  const startedAt = new Date().toISOString();
  const scales = [];
  for (const scale of options.scales) scales.push({ scale, ...(await runScale(scale, options, mcpbCli)) });

  if (options.json) {
    const path = join(WORK_DIR, 'results.json');
    writeFileSync(path, `${JSON.stringify({ startedAt, finishedAt: new Date().toISOString(), machine, options, scales }, null, 2)}\n`);
    console.log(`\nresults written to ${rel(path)}`);
  }
  const failures = scales.flatMap((s) => s.groups.flatMap((g) => g.tools.filter((t) => t.error !== undefined).map((t) => `scale ${s.scale} ${g.group} ${t.tool}: ${t.error}`)));
  if (failures.length > 0) {
    console.log(`\n${failures.length} command(s) failed:\n${failures.map((f) => `  ${f}`).join('\n')}`);
    process.exitCode = 1;
  }
}

try {
  await main();
} catch (error) {
  // Only the harness's own steps get here (e.g. making the fallback input archive).
  console.error(`bench failed: ${error instanceof Error ? error.message : error}`);
  if (error instanceof CommandError) console.error(error.stderr);
  process.exitCode = 1;
}
