// Benchmark harness: mcpseal against zip/unzip and the official mcpb CLI on a synthetic bundle,
// a real server bundle and two manifests (see bench/synth.ts and bench/README.md).
//
//   node bench/run.ts [--scale 1] [--scale 2] [--runs 3] [--quick-runs 15]
//                     [--only pack|unpack|check|validate|verify|signed-unpack|install|policy|relay|batch|launch|audit] [--out DIR] [--json]
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
//   other tool's median (< 1x: mcpseal is faster / smaller). Some comparisons have a target (a
//   highest acceptable wall-time ratio, from the issues): it is printed next to the ratio as met
//   or not met, and listed at the end. A missed target is information, never a failure.
// - Success is exit status 0, except where a command declares another expected outcome (the
//   official `mcpb verify` exits 1 with "Extension is not signed" on an mcpseal-signed bundle:
//   its signatures are a different format, appended to the zip).
// A command that fails is reported as "n/a (error: ...)" with its stderr, the other tools still
// run, and the harness exits 1 at the end. Timings are never asserted anywhere.

import { spawn, spawnSync } from 'node:child_process';
import {
  closeSync,
  copyFileSync,
  existsSync,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';
import { crc32, deflateSync } from 'node:zlib';
import { ensureBundle, formatBundleInfo, WORK_DIR } from './synth.ts';
import { measureLaunch, type LaunchPhases } from './launch.ts';
import type { BundleInfo } from './synth.ts';

const ROOT = resolve(import.meta.dirname, '..');
const GNU_TIME = '/usr/bin/time';
const NODE = process.execPath;
// MCPSEAL_BIN benchmarks another build of the CLI (e.g. a checkout of an older commit).
const MCPSEAL_CLI = resolve(process.env['MCPSEAL_BIN'] ?? join(ROOT, 'bin', 'mcpseal.js'));
const MCPSEAL = 'mcpseal';
const GROUPS = ['pack', 'unpack', 'check', 'validate', 'verify', 'signed-unpack', 'install', 'policy', 'relay', 'batch', 'launch', 'audit'] as const;
type Group = (typeof GROUPS)[number];
/** Groups that run on the synthetic bundle, once per --scale. */
const SCALE_GROUPS: readonly Group[] = ['pack', 'unpack', 'check', 'verify', 'signed-unpack', 'audit'];
/** Groups with cases that do not depend on the scale: run once, before the scales. */
const FIXED_GROUPS: readonly Group[] = ['validate', 'verify', 'install', 'policy', 'relay', 'batch', 'launch', 'audit'];

// The realistic bundle of the verify group: the official filesystem server with its production
// dependencies, installed from the npm registry into bench/.work/fs-server (never into the project).
// The version is pinned so that every machine packs the same server; its dependencies resolve at
// install time (the entry count is printed with the table). Bump it to refresh the install.
const FS_SERVER_PACKAGE = '@modelcontextprotocol/server-filesystem';
const FS_SERVER_VERSION = '2026.8.31';
const FS_SERVER_DIR = join(WORK_DIR, 'fs-server');
const FS_SERVER_ENTRY = `node_modules/${FS_SERVER_PACKAGE}/dist/index.js`;
const FS_SERVER_MANIFEST = {
  manifest_version: '0.3',
  name: 'bench-server-filesystem',
  version: '1.0.0',
  description: 'The official filesystem MCP server packed with its node_modules (mcpseal benchmark input)',
  author: { name: 'mcpseal bench' },
  server: {
    type: 'node',
    entry_point: FS_SERVER_ENTRY,
    mcp_config: { command: 'node', args: [`\${__dirname}/${FS_SERVER_ENTRY}`] },
  },
};
// The default exclusions of `mcpb pack` (EXCLUDE_PATTERNS of @anthropic-ai/mcpb 2.1.2), written
// as the bundle's .mcpbignore: `mcpseal pack` then packs exactly the files `mcpb pack` would
// (no *.map, *.d.ts, package-lock.json, ...), as in a bundle published with the official tool.
const MCPB_PACK_EXCLUDES = [
  '.DS_Store', 'Thumbs.db', '.gitignore', '.git', '.mcpbignore', '*.log', '.env*', '.npm', '.npmrc',
  '.yarnrc', '.yarn', '.eslintrc', '.editorconfig', '.prettierrc', '.prettierignore', '.eslintignore',
  '.nycrc', '.babelrc', '.pnp.*', 'node_modules/.cache', 'node_modules/.bin', '*.map', '.env.local',
  '.env.*.local', 'npm-debug.log*', 'yarn-debug.log*', 'yarn-error.log*', 'package-lock.json',
  'yarn.lock', '*.mcpb', '*.d.ts', '*.tsbuildinfo', 'tsconfig.json',
];

// The manifests of the validate group. The official hello-world-node example declares
// "icon": "icon.png", which `mcpb validate` opens (it must exist and start with the PNG signature):
// the manifest is copied into bench/.work/validate/ beside a 1x1 PNG. It has no mcpseal scope
// declarations, so mcpseal's default hardened profile rejects it (exit 1, SCOPE_MISSING) by
// design: that case times `--profile compat`, the hello-bundle case the default profile.
const HELLO_BUNDLE_MANIFEST = join(ROOT, 'examples', 'hello-bundle', 'manifest.json');
const HELLO_WORLD_NODE_FIXTURE = join(ROOT, 'test', 'fixtures', 'mcpb-official', 'hello-world-node.manifest.json');

// The targets of the issues: mcpseal's median wall time divided by the other tool's.
const TARGET_VALIDATE = 1.0; // issue 3: at most 1.0x `mcpb validate`
const TARGET_VERIFY_REAL = 1.0; // issue 4: at most 1.0x `mcpb verify` on a real bundle
const TARGET_INSTALL = 1.2; // issue 11: install at most 1.2x unpack of the same signed bundle
const TARGET_POLICY_CHECK = 1.1; // issue 11: policy check at most 1.1x verify
const TARGET_BATCH = 1 / 1.7; // issue 14: batch verify at least 1.7x the throughput of one process per file
const BATCH_COPIES = 200; // issue 14: 200 copies of the filesystem server bundle
const TARGET_VERIFY_SYNTH = 0.5; // issue 4: at most 0.5x `unzip -tq` on the synthetic bundle
const TARGET_SIGNED_UNPACK = 1.1; // at most 1.1x `unzip -q -d`
const TARGET_LAUNCH = 1.5; // issue 12: first initialize answer through `mcpseal run` at most 1.5x direct
const TARGET_LAUNCH_EXTRA_MS = 150; // ... and at most 150 ms more
const TARGET_REHASH_MS = 100; // issue 12: integrity re-hash of the filesystem server tree under 100 ms
const TARGET_AUDIT_SYNTH = 1.5; // issue 13: audit at most 1.5x `unzip -tq` on the synthetic bundle
const TARGET_AUDIT_REAL_SECONDS = 2; // issue 13: audit of the filesystem server bundle in at most 2 s
const TARGET_PACK = 0.7; // issue 14: at most 0.7x `zip -qr -6`
const TARGET_UNPACK = 0.8; // issue 14: at most 0.8x `unzip -q -d`
const TARGET_CHECK = 0.8; // issue 14: `inspect --check-data` at most 0.8x `unzip -tq`
const TARGET_VERIFY_REAL_UNZIP = 1.0; // issue 14: verify of the filesystem server bundle at most 1.0x `unzip -tq`
const TARGET_RSS_MB = 150; // issue 14: peak RSS of every mcpseal job under 150 MB, at any scale

/** `mcpb verify` of a bundle without an mcpb (PKCS#7) signature: exit 1 and this message. */
const MCPB_VERIFY_UNSIGNED = {
  exitCode: 1,
  output: /Extension is not signed/,
  why: 'exit 1 with "Extension is not signed" counts as success: mcpb looks for its own PKCS#7 block, mcpseal signs in a sidecar file',
};

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
  /** An outcome that also counts as success, besides exit status 0. */
  accept?: { exitCode: number; output: RegExp; why: string };
}

interface Sample {
  wallSeconds: number;
  peakRssKiB: number;
}

interface ToolResult {
  tool: string;
  command: string;
  note?: string;
  samples: Sample[];
  error?: string;
  outputBytes?: number;
  median?: Sample;
}

/** A highest acceptable ratio of mcpseal's median wall time to another tool's. */
interface Target {
  tool: string;
  max: number;
  /** The target is mcpseal's own median wall time in seconds (audit of the filesystem server), not a ratio to `tool`. */
  seconds?: boolean;
}

interface TargetResult extends Target {
  ratio?: number;
  met?: boolean;
}

interface GroupResult {
  group: Group;
  /** Short name of what was measured, for the summaries: "scale 1", "server-filesystem", ... */
  label: string;
  /** Table heading: what the group ran on. */
  subject: string;
  scale?: number;
  input?: string;
  runs: number;
  tools: ToolResult[];
  targets: TargetResult[];
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
    const accepted = cmd.accept !== undefined && status.code === cmd.accept.exitCode && cmd.accept.output.test(stderr);
    if (!accepted) throw new CommandError(`${how}: ${errorSummary(stderr)}`, stderr);
  }
  return { wallSeconds, peakRssKiB: parsePeakRss(timeFile) };
}

/** Runs a preparation step (untimed): its error message, or undefined when it worked. */
async function prepare(cmd: Command, logDir: string): Promise<string | undefined> {
  if (cmd.unavailable !== undefined) return cmd.unavailable;
  try {
    await runOnce(cmd, logDir);
    return undefined;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    console.log(`  (untimed ${cmd.argv.includes(MCPSEAL_CLI) ? `mcpseal ${cmd.argv[2]}` : cmd.tool} failed: ${message})`);
    if (error instanceof CommandError && error.stderr !== '') console.log(error.stderr.replace(/^/gm, '    | '));
    return message;
  }
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

/** Tools left out with --skip (e.g. mcpb, whose pack and unpack are slow, while iterating on mcpseal). */
const skippedTools = new Set<string>();

/** Warm-up round, then `runs` alternating rounds over the tools that have not failed. */
async function measureGroup(allCommands: Command[], runs: number, logDir: string): Promise<ToolResult[]> {
  const commands = allCommands.filter((c) => !skippedTools.has(c.tool));
  const results: ToolResult[] = commands.map((c) => ({
    tool: c.tool,
    command: displayCommand(c),
    ...(c.accept !== undefined ? { note: c.accept.why } : {}),
    samples: [],
  }));
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
        console.log(`    ${label.padEnd(9)} ${cmd.tool.padEnd(8)} ${formatSeconds(sample.wallSeconds)} s  ${formatMB(sample.peakRssKiB)} MB`);
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

/** Measures one table: prints its heading, runs the commands, evaluates the targets. */
async function measureCase(
  spec: { group: Group; label: string; subject: string; scale?: number; input?: string; targets?: Target[] },
  commands: Command[],
  runs: number,
  logDir: string,
): Promise<GroupResult> {
  console.log(`\n  [${spec.group}] ${spec.subject}${spec.input !== undefined ? `, input ${spec.input}` : ''}`);
  const tools = await measureGroup(commands, runs, logDir);
  const ours = tools.find((t) => t.tool === MCPSEAL)?.median;
  const targets = (spec.targets ?? []).map((target): TargetResult => {
    const theirs = tools.find((t) => t.tool === target.tool)?.median;
    if (ours !== undefined && target.seconds === true) return { ...target, ratio: ours.wallSeconds, met: ours.wallSeconds <= target.max };
    if (ours === undefined || theirs === undefined) return { ...target };
    const ratio = ours.wallSeconds / theirs.wallSeconds;
    return { ...target, ratio, met: ratio <= target.max };
  });
  const result: GroupResult = { group: spec.group, label: spec.label, subject: spec.subject, runs, tools, targets };
  if (spec.scale !== undefined) result.scale = spec.scale;
  if (spec.input !== undefined) result.input = spec.input;
  return result;
}

// ---------------------------------------------------------------------------------------------
// Inputs

/** The mcpseal row of a group: marked unavailable while bin/mcpseal.js does not exist. */
function mcpsealCommand(args: string[], output?: string, unavailable?: string): Command {
  const cmd: Command = { tool: MCPSEAL, argv: [NODE, MCPSEAL_CLI, ...args] };
  if (output !== undefined) cmd.output = output;
  if (!existsSync(MCPSEAL_CLI)) cmd.unavailable = `${rel(MCPSEAL_CLI)} not found (not built yet?)`;
  else if (unavailable !== undefined) cmd.unavailable = unavailable;
  return cmd;
}

function unzipAccepts(archive: string): boolean {
  return existsSync(archive) && spawnSync('unzip', ['-tq', archive], { stdio: 'ignore' }).status === 0;
}

function entryCount(archive: string): number | undefined {
  const r = spawnSync('unzip', ['-Z1', archive], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return r.status === 0 ? r.stdout.split('\n').filter((l) => l !== '' && !l.endsWith('/')).length : undefined;
}

interface Keys {
  key: string;
  pub: string;
}

let benchKeys: Promise<Keys | { error: string }> | undefined;

/**
 * A fresh ECDSA P-256 key pair for the signed bundles, made once per invocation with
 * `mcpseal keygen` (which never overwrites: the directory is emptied first).
 */
function keys(logDir: string): Promise<Keys | { error: string }> {
  benchKeys ??= (async () => {
    const dir = join(WORK_DIR, 'keys');
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const error = await prepare(mcpsealCommand(['keygen', '--out-dir', dir, '--name', 'bench']), logDir);
    return error !== undefined ? { error: `mcpseal keygen failed: ${error}` } : { key: join(dir, 'bench.key'), pub: join(dir, 'bench.pub') };
  })();
  return benchKeys;
}

interface SignedInput {
  path: string;
  note: string;
  /** Why mcpseal cannot verify it (no key, signing failed): its rows are then n/a. */
  error?: string;
  pub?: string;
}

/**
 * Signs `archive` (untimed) with the bench key: `mcpseal sign --key ... --profile compat` writes
 * <archive>.sigstore.json beside it and leaves the archive itself unchanged. When `copyTo` is
 * given, a hard link (else a copy) of the archive is signed instead, so that no stale signature
 * lies beside the unpack group's input in a later invocation.
 */
async function signedInput(archive: string, logDir: string, copyTo?: string): Promise<SignedInput> {
  let path = archive;
  if (copyTo !== undefined) {
    rmSync(copyTo, { force: true });
    try {
      linkSync(archive, copyTo);
    } catch {
      copyFileSync(archive, copyTo);
    }
    path = copyTo;
  }
  rmSync(`${path}.sigstore.json`, { force: true });
  const k = await keys(logDir);
  if ('error' in k) return { path, note: 'not signed', error: k.error };
  const error = await prepare(mcpsealCommand(['sign', path, '--key', k.key, '--profile', 'compat']), logDir);
  if (error !== undefined) return { path, note: 'not signed', error: `mcpseal sign failed: ${error}` };
  return { path, note: `signed (untimed) with a local key: ${rel(path)}.sigstore.json`, pub: k.pub };
}

/** The mcpseal row that needs the signed input: unavailable when it could not be signed. */
function mcpsealSigned(signed: SignedInput, args: (pub: string) => string[], output?: string): Command {
  return mcpsealCommand(args(signed.pub ?? join(WORK_DIR, 'keys', 'bench.pub')), output, signed.error);
}

// ---------------------------------------------------------------------------------------------
// The groups on the synthetic bundle (once per scale)

interface ScaleContext {
  scale: number;
  bundle: BundleInfo;
  src: string;
  out: string;
  mcpbCli: string;
  /** Outcome of `mcpseal pack` in this invocation: only a fresh output is used as input. */
  mcpsealPack: 'untried' | 'ok' | 'failed';
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

/**
 * The ten-risk audit (issue 13): one strict pass with every entry inflated and CRC-checked, then
 * the analyzer over the source files, against unzip's full test. The input is unsigned, so the
 * audit fails risk 1 and exits 1 with its report: that counts as success.
 */
function auditCommands(ctx: ScaleContext, input: string): Command[] {
  const report = join(ctx.out, 'audit-report.json');
  return [
    { ...mcpsealCommand(['audit', input, '--json', '--no-python', '--out', report], report), accept: { exitCode: 1, output: /"verdict": "fail"/, why: 'exit 1 with a report counts as success: the synthetic bundle is unsigned, so risk 1 fails' } },
    { tool: 'unzip', argv: ['unzip', '-tq', input] },
  ];
}

/**
 * The audit of the filesystem server bundle (issue 13: at most 2 s), as a user runs it: the default
 * options, so with the Python parser (python3 starts only for a bundle with Python files; this one
 * has none), `unzip -tq` beside it for scale. Its manifest declares no scopes and it is checked
 * without naming a signer, so risk 1 fails: exit 1 with a report counts as success.
 */
async function auditRealCase(mcpbCli: string, runs: number, out: string): Promise<GroupResult> {
  const { archive, subject } = await fsServerBundle(mcpbCli, out);
  const report = join(out, 'audit-fs-report.json');
  const missing = existsSync(archive) ? undefined : 'the filesystem server bundle could not be made';
  const commands: Command[] = [
    { ...mcpsealCommand(['audit', archive, '--json', '--out', report], report, missing), accept: { exitCode: 1, output: /"verdict": "fail"/, why: 'exit 1 with a report counts as success: no scopes declared and no signer named, so risk 1 fails' } },
    { tool: 'unzip', argv: ['unzip', '-tq', archive], ...(missing === undefined ? {} : { unavailable: missing }) },
  ];
  const spec = { group: 'audit' as const, label: 'server-filesystem', subject, targets: [{ tool: 'mcpseal', max: TARGET_AUDIT_REAL_SECONDS, seconds: true }] };
  return measureCase({ ...spec, input: rel(archive) }, commands, runs, out);
}

/** verify on any signed bundle: mcpseal verify, the official verify, and unzip's full test. */
function verifyCommands(signed: SignedInput, mcpbCli: string): Command[] {
  return [
    mcpsealSigned(signed, (pub) => ['verify', signed.path, '--key', pub, '--profile', 'compat']),
    { tool: 'mcpb', argv: [NODE, mcpbCli, 'verify', signed.path], accept: MCPB_VERIFY_UNSIGNED },
    { tool: 'unzip', argv: ['unzip', '-tq', signed.path] },
  ];
}

function signedUnpackCommands(ctx: ScaleContext, signed: SignedInput): Command[] {
  const dir = (tool: string) => join(ctx.out, `signed-unpack-${tool}`);
  return [
    mcpsealSigned(signed, (pub) => ['unpack', signed.path, dir(MCPSEAL), '--key', pub, '--profile', 'compat'], dir(MCPSEAL)),
    { tool: 'unzip', argv: ['unzip', '-q', '-d', dir('unzip'), signed.path], output: dir('unzip') },
  ].map((cmd) => ({ ...cmd, removeAfter: true }));
}

/**
 * The one archive that unpack, check, verify and signed-unpack read, for every tool alike:
 * mcpseal's own output when `mcpseal pack` works and unzip accepts its output, else a zip made by
 * Info-ZIP. The fallback adds -D (no directory entries) to the pack group's `zip -qr -6`, because
 * `mcpb unpack` fails with EISDIR on directory entries and would otherwise have no row to compare.
 */
async function prepareInput(ctx: ScaleContext): Promise<{ path: string; note: string }> {
  const mcpsealOut = join(ctx.out, 'pack-mcpseal.mcpb');
  if (ctx.mcpsealPack === 'untried') {
    const error = await prepare(packCommands(ctx)[0]!, ctx.out);
    ctx.mcpsealPack = error === undefined ? 'ok' : 'failed';
  }
  if (ctx.mcpsealPack === 'ok' && unzipAccepts(mcpsealOut)) {
    return { path: mcpsealOut, note: 'made by `mcpseal pack`, accepted by `unzip -t`' };
  }
  const zipOut = join(ctx.out, 'input-zip.zip');
  await runOnce({ tool: 'zip', argv: ['zip', '-qr', '-6', '-D', zipOut, '.'], cwd: ctx.src, output: zipOut }, ctx.out);
  return { path: zipOut, note: 'made by `zip -qr -6 -D`: no usable `mcpseal pack` output' };
}

const SCALE_TARGETS: Partial<Record<Group, Target[]>> = {
  pack: [{ tool: 'zip', max: TARGET_PACK }],
  unpack: [{ tool: 'unzip', max: TARGET_UNPACK }],
  check: [{ tool: 'unzip', max: TARGET_CHECK }],
  verify: [{ tool: 'unzip', max: TARGET_VERIFY_SYNTH }],
  'signed-unpack': [{ tool: 'unzip', max: TARGET_SIGNED_UNPACK }],
  audit: [{ tool: 'unzip', max: TARGET_AUDIT_SYNTH }],
};

async function runScaleGroup(
  group: Group,
  ctx: ScaleContext,
  runs: number,
  input: { path: string; note: string } | undefined,
  signed: SignedInput | undefined,
): Promise<GroupResult> {
  const commands =
    group === 'pack'
      ? packCommands(ctx)
      : group === 'unpack'
        ? unpackCommands(ctx, input!.path)
        : group === 'check'
          ? checkCommands(input!.path)
          : group === 'audit'
            ? auditCommands(ctx, input!.path)
          : group === 'verify'
            ? verifyCommands(signed!, ctx.mcpbCli)
            : signedUnpackCommands(ctx, signed!);
  const b = ctx.bundle;
  const spec = {
    group,
    label: `scale ${ctx.scale}`,
    subject: `scale ${ctx.scale} (${b.files.toLocaleString('en-US')} files, ${(b.totalBytes / 1e6).toFixed(0)} MB)`,
    scale: ctx.scale,
    targets: SCALE_TARGETS[group] ?? [],
    ...(signed !== undefined
      ? { input: `${rel(signed.path)}, ${input!.note}; ${signed.note}` }
      : input !== undefined
        ? { input: `${rel(input.path)}, ${input.note}` }
        : {}),
  };
  const result = await measureCase(spec, commands, runs, ctx.out);
  if (group === 'pack') ctx.mcpsealPack = result.tools[0]!.error === undefined ? 'ok' : 'failed';
  return result;
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
  let signed: SignedInput | undefined;
  for (const group of options.groups.filter((g) => SCALE_GROUPS.includes(g))) {
    if (group !== 'pack') input ??= await prepareInput(ctx);
    const needsSignature = group === 'verify' || group === 'signed-unpack';
    if (needsSignature) signed ??= await signedInput(input!.path, out, join(out, 'signed-mcpseal.mcpb'));
    groups.push(await runScaleGroup(group, ctx, options.runs, input, needsSignature ? signed : undefined));
  }
  for (const g of groups) printGroup(g);
  return { bundle, groups };
}

// ---------------------------------------------------------------------------------------------
// The cases that do not depend on the scale (once per invocation)

/** A valid 1x1 RGBA PNG: `mcpb validate` checks that the manifest's icon exists and is a PNG. */
function tinyPng(): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(1, 0); // width
  header.writeUInt32BE(1, 4); // height
  header[8] = 8; // bit depth
  header[9] = 6; // colour type RGBA
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.from([0, 0, 0, 0, 0]))), // filter byte + one transparent pixel
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

async function validateCases(mcpbCli: string, runs: number, logDir: string): Promise<GroupResult[]> {
  const helloWorldDir = join(WORK_DIR, 'validate', 'hello-world-node');
  mkdirSync(helloWorldDir, { recursive: true });
  const helloWorld = join(helloWorldDir, 'manifest.json');
  copyFileSync(HELLO_WORLD_NODE_FIXTURE, helloWorld);
  writeFileSync(join(helloWorldDir, 'icon.png'), tinyPng());
  const cases = [
    {
      label: 'hello-bundle',
      subject: `${rel(HELLO_BUNDLE_MANIFEST)} (mcpseal: default hardened profile)`,
      manifest: HELLO_BUNDLE_MANIFEST,
      profile: [] as string[],
    },
    {
      label: 'hello-world-node',
      subject: `official hello-world-node manifest, ${rel(helloWorld)} beside a 1x1 icon.png (mcpseal: --profile compat)`,
      manifest: helloWorld,
      profile: ['--profile', 'compat'],
    },
  ];
  const results: GroupResult[] = [];
  for (const c of cases) {
    const commands: Command[] = [
      mcpsealCommand(['validate', c.manifest, ...c.profile]),
      { tool: 'mcpb', argv: [NODE, mcpbCli, 'validate', c.manifest] },
    ];
    results.push(
      await measureCase({ group: 'validate', label: c.label, subject: c.subject, targets: [{ tool: 'mcpb', max: TARGET_VALIDATE }] }, commands, runs, logDir),
    );
  }
  return results;
}

function npmCommand(): string | undefined {
  const r = spawnSync('npm', ['--version'], { encoding: 'utf8' });
  return r.status === 0 ? 'npm' : undefined;
}

/**
 * Installs the pinned filesystem server into bench/.work/fs-server (once; reused while the
 * installed version is the pinned one) and writes the bundle's manifest.json and .mcpbignore.
 * Install scripts are not run: the server is packed, never started.
 */
function ensureFsServer(): string | undefined {
  const installed = join(FS_SERVER_DIR, 'node_modules', ...FS_SERVER_PACKAGE.split('/'), 'package.json');
  const version = existsSync(installed) ? (JSON.parse(readFileSync(installed, 'utf8')) as { version?: string }).version : undefined;
  if (version !== FS_SERVER_VERSION) {
    const npm = npmCommand();
    if (npm === undefined) return '`npm` not found on PATH: it installs the filesystem server into bench/.work/fs-server';
    rmSync(FS_SERVER_DIR, { recursive: true, force: true });
    mkdirSync(FS_SERVER_DIR, { recursive: true });
    const spec = `${FS_SERVER_PACKAGE}@${FS_SERVER_VERSION}`;
    console.log(`  installing ${spec} into ${rel(FS_SERVER_DIR)} (npm, once)`);
    const r = spawnSync(
      npm,
      ['install', '--prefix', FS_SERVER_DIR, '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error', spec],
      { encoding: 'utf8', cwd: FS_SERVER_DIR },
    );
    if (r.status !== 0 || !existsSync(installed)) {
      rmSync(FS_SERVER_DIR, { recursive: true, force: true });
      return `npm install ${spec} failed: ${errorSummary(`${r.stderr ?? ''}${r.stdout ?? ''}${r.error?.message ?? ''}`)}`;
    }
  }
  writeFileSync(join(FS_SERVER_DIR, 'manifest.json'), `${JSON.stringify(FS_SERVER_MANIFEST, null, 2)}\n`);
  writeFileSync(
    join(FS_SERVER_DIR, '.mcpbignore'),
    `# the default exclusions of \`mcpb pack\` (@anthropic-ai/mcpb 2.1.2)\n${MCPB_PACK_EXCLUDES.join('\n')}\n`,
  );
  return undefined;
}

/** The filesystem server packed (untimed) by `mcpseal pack`, or by `mcpb pack` when that fails, then signed. */
async function fsServerBundle(mcpbCli: string, out: string): Promise<{ archive: string; signed: SignedInput; subject: string }> {
  const archive = join(out, 'server-filesystem.mcpb');
  let subject = `${FS_SERVER_PACKAGE}@${FS_SERVER_VERSION} with its node_modules`;
  const installError = ensureFsServer();
  if (installError !== undefined) return { archive, signed: { path: archive, note: 'not made', error: installError }, subject };
  rmSync(`${archive}.sigstore.json`, { force: true });
  let made = 'made by `mcpseal pack`';
  // No scopes in this manifest: packed (and verified) with the compat profile.
  const packError = await prepare(mcpsealCommand(['pack', FS_SERVER_DIR, archive, '--profile', 'compat'], archive), out);
  if (packError !== undefined) {
    made = 'made by `mcpb pack`: `mcpseal pack` failed';
    await prepare({ tool: 'mcpb pack', argv: [NODE, mcpbCli, 'pack', FS_SERVER_DIR, archive], output: archive }, out);
  }
  if (!existsSync(archive)) return { archive, signed: { path: archive, note: 'not made', error: `the bundle could not be packed: ${packError}` }, subject };
  const signed = await signedInput(archive, out);
  const entries = entryCount(archive);
  subject += ` (${entries?.toLocaleString('en-US') ?? '?'} entries, ${(statSync(archive).size / 1e6).toFixed(1)} MB, ${made})`;
  return { archive, signed, subject };
}

/** verify on the realistic bundle: the filesystem server, signed. */
async function verifyRealCase(mcpbCli: string, runs: number, out: string): Promise<GroupResult> {
  const { archive, signed, subject } = await fsServerBundle(mcpbCli, out);
  // Without a bundle no row can run; without a signature only mcpseal's cannot.
  const commands = verifyCommands(signed, mcpbCli).map((cmd) =>
    existsSync(archive) || cmd.unavailable !== undefined ? cmd : { ...cmd, unavailable: signed.error ?? 'no bundle' },
  );
  const spec = {
    group: 'verify' as const,
    label: 'server-filesystem',
    subject,
    targets: [
      { tool: 'mcpb', max: TARGET_VERIFY_REAL },
      { tool: 'unzip', max: TARGET_VERIFY_REAL_UNZIP },
    ],
  };
  return measureCase({ ...spec, input: `${rel(archive)}; ${signed.note}` }, commands, runs, out);
}

/**
 * install against unpack of the same signed bundle (issue 11): both verify, then extract; install
 * also resolves grants, makes the tree read-only and writes the lockfile. Each run gets a fresh store.
 */
async function installRealCase(mcpbCli: string, runs: number, out: string): Promise<GroupResult> {
  const { archive, signed, subject } = await fsServerBundle(mcpbCli, out);
  const store = join(out, 'install-store');
  const unpacked = join(out, 'install-unpack');
  const commands: Command[] = [
    mcpsealSigned(signed, (pub) => ['install', signed.path, '--key', pub, '--profile', 'compat', '--store', store], store),
    { ...mcpsealSigned(signed, (pub) => ['unpack', signed.path, unpacked, '--key', pub, '--profile', 'compat'], unpacked), tool: 'mcpseal unpack' },
  ].map((cmd) => ({ ...cmd, removeAfter: true }));
  const spec = { group: 'install' as const, label: 'server-filesystem', subject, targets: [{ tool: 'mcpseal unpack', max: TARGET_INSTALL }] };
  return measureCase({ ...spec, input: `${rel(archive)}; ${signed.note}` }, commands, runs, out);
}

/**
 * policy check against verify of the same signed bundle (issue 11). The policy names the bench key
 * as its publisher; the filesystem server's manifest declares no scopes, so the scopes rule
 * refuses it (exit 1, POLICY_SCOPE_EXCEEDED) after the signature and every other rule were
 * checked: the same work as an allowed bundle.
 */
async function policyRealCase(mcpbCli: string, runs: number, out: string): Promise<GroupResult> {
  const { archive, signed, subject } = await fsServerBundle(mcpbCli, out);
  const pub = signed.pub ?? join(WORK_DIR, 'keys', 'bench.pub');
  const policy = join(out, 'bench-policy.json');
  const maxScopes = {
    filesystem: { read: ['${__dirname}'], write: [] },
    network: { egress: [], listen: false },
    process: { spawn: [], workers: false, native_addons: false },
    env: { read: ['*'], secrets: ['*'] },
  };
  const document = { version: 1, publishers: [{ name: 'bench key', bundles: ['*'], key: pub }], allowUnsigned: false, serverTypes: ['node'], maxScopes, deny: { names: [], sha256: [] } };
  writeFileSync(policy, `${JSON.stringify(document, null, 2)}\n`);
  const refusedByScopes = { exitCode: 1, output: /POLICY_SCOPE_EXCEEDED/, why: 'exit 1 with POLICY_SCOPE_EXCEEDED counts as success: the manifest declares no scopes; every rule was evaluated' };
  const commands: Command[] = [
    { ...mcpsealSigned(signed, () => ['policy', 'check', signed.path, '--policy', policy, '--profile', 'compat']), accept: refusedByScopes },
    { ...mcpsealSigned(signed, (key) => ['verify', signed.path, '--key', key, '--profile', 'compat']), tool: 'mcpseal verify' },
  ];
  const spec = { group: 'policy' as const, label: 'server-filesystem', subject, targets: [{ tool: 'mcpseal verify', max: TARGET_POLICY_CHECK }] };
  return measureCase({ ...spec, input: `${rel(archive)}; ${signed.note}` }, commands, runs, out);
}

/**
 * Batch verify against one process per file (issue 14): 200 copies of the signed filesystem
 * server bundle (hard links, each with its own sidecar) checked by one `mcpseal verify DIR
 * --recursive` (a pool of worker threads, one per core), and by a shell loop starting
 * `mcpseal verify FILE` once per file. Throughput ratio = loop time / batch time; the target
 * (>= 1.7x) is printed as mcpseal/loop <= 0.59x.
 */
async function batchRealCase(mcpbCli: string, runs: number, out: string): Promise<GroupResult> {
  const { signed, subject } = await fsServerBundle(mcpbCli, out);
  const dir = join(out, 'batch');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  if (signed.error === undefined && existsSync(`${signed.path}.sigstore.json`)) {
    for (let i = 0; i < BATCH_COPIES; i++) {
      const copy = join(dir, `copy-${String(i).padStart(3, '0')}.mcpb`);
      linkSync(signed.path, copy);
      copyFileSync(`${signed.path}.sigstore.json`, `${copy}.sigstore.json`);
    }
  }
  const loop = `for f in "$1"/*.mcpb; do "$2" "$3" verify "$f" --key "$4" --profile compat > /dev/null || exit 1; done`;
  const pub = signed.pub ?? join(WORK_DIR, 'keys', 'bench.pub');
  const commands: Command[] = [
    mcpsealSigned(signed, () => ['verify', dir, '--recursive', '--key', pub, '--profile', 'compat']),
    { tool: 'per-file loop', argv: ['sh', '-c', loop, 'loop', dir, NODE, MCPSEAL_CLI, pub], ...(signed.error === undefined ? {} : { unavailable: signed.error }) },
  ];
  const spec = { group: 'batch' as const, label: 'server-filesystem x200', subject: `${BATCH_COPIES} copies of ${subject}`, targets: [{ tool: 'per-file loop', max: TARGET_BATCH }] };
  const result = await measureCase({ ...spec, input: `${rel(dir)}; ${signed.note}; ${os.availableParallelism()} cores` }, commands, runs, out);
  const [batch, perFile] = result.tools.map((tool) => tool.median?.wallSeconds);
  if (batch !== undefined && perFile !== undefined) console.log(`    throughput: ${(BATCH_COPIES / batch).toFixed(1)} files/s batch, ${(BATCH_COPIES / perFile).toFixed(1)} files/s per-file loop: ${(perFile / batch).toFixed(2)}x (target >= 1.7x)`);
  return result;
}

/**
 * launch (issue 12): the filesystem server installed with a directory grant, its first initialize
 * answer through `mcpseal run` (sandboxed) against `node <entry> DIR` started directly, and the
 * integrity re-hash of its installed tree. Wall times only (no peak RSS: the clock stops at the
 * answer, not at an exit). The manifest here grants one directory; the verify group's is restored after.
 */
async function launchRealCase(runs: number, out: string): Promise<GroupResult> {
  const subject = `${FS_SERVER_PACKAGE}@${FS_SERVER_VERSION}, time to the first initialize answer`;
  const result: GroupResult = { group: 'launch', label: 'server-filesystem', subject, runs, tools: [], targets: [] };
  const failed = (why: string): GroupResult => ({ ...result, tools: [{ tool: MCPSEAL, command: 'mcpseal run', samples: [], error: why }] });
  const installError = ensureFsServer();
  if (installError !== undefined) return failed(installError);
  const allowed = join(out, 'launch-allowed');
  mkdirSync(allowed, { recursive: true });
  const manifest = {
    ...FS_SERVER_MANIFEST,
    name: 'bench-launch-filesystem',
    server: { ...FS_SERVER_MANIFEST.server, mcp_config: { command: 'node', args: [`\${__dirname}/${FS_SERVER_ENTRY}`, '${user_config.allowed_directories}'] } },
    user_config: { allowed_directories: { type: 'directory', title: 'Allowed directories', description: 'Directories the server may use', multiple: true, required: true } },
    _meta: {
      'dev.mcpseal': {
        scopes: {
          filesystem: { read: ['${__dirname}', '${user_config.allowed_directories}'], write: ['${user_config.allowed_directories}'] },
          network: { egress: [], listen: false },
          process: { spawn: [], workers: false, native_addons: false },
          env: { read: [], secrets: [] },
        },
      },
    },
  };
  writeFileSync(join(FS_SERVER_DIR, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  const archive = join(out, 'launch-filesystem.mcpb');
  const packError = await prepare(mcpsealCommand(['pack', FS_SERVER_DIR, archive, '--profile', 'compat'], archive), out);
  ensureFsServer();
  if (packError !== undefined) return failed(packError);
  const signed = await signedInput(archive, out);
  if (signed.pub === undefined) return failed(signed.error ?? 'not signed');
  const store = join(out, 'launch-store');
  rmSync(store, { recursive: true, force: true });
  const installArgs = ['install', signed.path, '--key', signed.pub, '--profile', 'compat', '--store', store, '--user-config', `allowed_directories=${allowed}`];
  const error = await prepare(mcpsealCommand(installArgs), out);
  if (error !== undefined) return failed(error);
  const lock = JSON.parse(readFileSync(join(store, 'mcpseal.lock.json'), 'utf8')) as { bundles: Record<string, { sha256: string }> };
  const tree = join(realpathSync(store), 'sha256', lock.bundles['bench-launch-filesystem']!.sha256);
  const run = [NODE, MCPSEAL_CLI, 'run', 'bench-launch-filesystem', '--store', store];
  const direct = [NODE, join(tree, FS_SERVER_ENTRY), realpathSync(allowed)];
  console.log(`\n  [launch] ${subject}`);
  try {
    const samples = await measureLaunch({ run, direct, env: process.env, tree, marker: `${tree}.json`, runs, log: (line) => console.log(line) });
    const toSample = (ms: number): Sample => ({ wallSeconds: ms / 1000, peakRssKiB: 0 });
    const tools: ToolResult[] = [
      { tool: MCPSEAL, command: run.map((a) => (a === NODE ? 'node' : rel(a))).join(' '), samples: samples.mcpseal.map(toSample) },
      { tool: 'direct', command: direct.map((a) => (a === NODE ? 'node' : rel(a))).join(' '), samples: samples.direct.map(toSample) },
      { tool: 're-hash', command: `compareTree of the installed tree (${samples.files} files), in process`, samples: samples.rehash.map(toSample) },
    ];
    for (const tool of tools) tool.median = { wallSeconds: median(tool.samples.map((s) => s.wallSeconds)), peakRssKiB: 0 };
    const ours = tools[0]!.median!.wallSeconds;
    const theirs = tools[1]!.median!.wallSeconds;
    const extraMs = (ours - theirs) * 1000;
    const rehashMs = tools[2]!.median!.wallSeconds * 1000;
    const rehashCpuMs = median(samples.rehashCpu);
    console.log(`    mcpseal run - direct: ${extraMs.toFixed(0)} ms (target <= ${TARGET_LAUNCH_EXTRA_MS} ms: ${extraMs <= TARGET_LAUNCH_EXTRA_MS ? 'met' : 'NOT met'})`);
    console.log(`    re-hash of ${samples.files} files: ${rehashMs.toFixed(1)} ms wall, ${rehashCpuMs.toFixed(1)} ms CPU (target < ${TARGET_REHASH_MS} ms: ${rehashMs < TARGET_REHASH_MS ? 'met' : 'NOT met'} on wall time)`);
    const phase = (pick: (p: LaunchPhases) => number | undefined): string => {
      const values = samples.phases.map(pick).filter((value): value is number => value !== undefined);
      return values.length === 0 ? 'n/a' : `${median(values).toFixed(0)} ms`;
    };
    console.log(
      `    inside run (medians of ${samples.phases.length} extra runs, ms since run started): bwrap spawned ${phase((p) => p.spawned)}, ` +
        `go byte after ${phase((p) => (p.go !== undefined && p.spawned !== undefined ? p.go - p.spawned : undefined))} more, ` +
        `the server's first output ${phase((p) => (p.firstOutput !== undefined && p.go !== undefined ? p.firstOutput - p.go : undefined))} after that`,
    );
    return { ...result, tools, targets: [{ tool: 'direct', max: TARGET_LAUNCH, ratio: ours / theirs, met: ours / theirs <= TARGET_LAUNCH }] };
  } catch (cause) {
    return failed((cause as Error).message);
  }
}

async function runFixed(options: Options, mcpbCli: string): Promise<GroupResult[]> {
  console.log('\n=== bundle-independent cases ===');
  const out = join(options.outRoot, 'fixed');
  mkdirSync(out, { recursive: true });
  const results: GroupResult[] = [];
  if (options.groups.includes('validate')) results.push(...(await validateCases(mcpbCli, options.quickRuns, out)));
  if (options.groups.includes('verify')) results.push(await verifyRealCase(mcpbCli, options.quickRuns, out));
  if (options.groups.includes('install')) results.push(await installRealCase(mcpbCli, options.quickRuns, out));
  if (options.groups.includes('policy')) results.push(await policyRealCase(mcpbCli, options.quickRuns, out));
  // 200 files per run: the synthetic bundle's run count (default 3), not the quick cases' 15.
  if (options.groups.includes('batch')) results.push(await batchRealCase(mcpbCli, options.runs, out));
  if (options.groups.includes('launch')) results.push(await launchRealCase(options.quickRuns, out));
  if (options.groups.includes('audit')) results.push(await auditRealCase(mcpbCli, options.quickRuns, out));
  for (const g of results) printGroup(g);
  if (options.groups.includes('relay')) relayThroughput(options.quickRuns);
  return results;
}

/**
 * The stdio relay of `run` (issue 12: a 10 MB tool result at >= 50 MB/s): measured in process by
 * bench/relay.ts (no command to compare with), which prints its own table.
 */
function relayThroughput(runs: number): void {
  const result = spawnSync(NODE, [join(ROOT, 'bench', 'relay.ts'), '--runs', String(runs)], { stdio: 'inherit', cwd: ROOT });
  if (result.status !== 0) {
    console.log(`    relay: n/a (bench/relay.ts exited ${result.status ?? result.signal})`);
    process.exitCode = 1;
  }
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

/** Milliseconds matter below a second (validate, verify of a small bundle). */
function formatSeconds(s: number): string {
  return s < 1 ? s.toFixed(3) : s.toFixed(2);
}

function formatTarget(t: TargetResult): string {
  const verdict = t.met === undefined ? 'n/a' : t.met ? 'met' : 'NOT met';
  return `target <= ${t.max.toFixed(1)}${t.seconds === true ? ' s' : 'x'}: ${verdict}`;
}

/** Aligned columns; a shorter row (a tool that failed) spills its last cell over the others. */
function table(rows: string[][]): string {
  const columns = rows[0]!.length;
  const sized = (r: string[], col: number) => col < r.length && (r.length === columns || col < r.length - 1);
  const widths = rows[0]!.map((_, col) => Math.max(...rows.filter((r) => sized(r, col)).map((r) => r[col]!.length)));
  return rows.map((r) => `    ${r.map((cell, col) => cell.padEnd(widths[col]!)).join('  ').trimEnd()}`).join('\n');
}

function printGroup(result: GroupResult): void {
  const ours = result.tools.find((t) => t.tool === MCPSEAL)?.median;
  const ratio = (a: number | undefined, b: number) => (a === undefined ? 'n/a' : `${(a / b).toFixed(2)}x`);
  const withOutput = result.group === 'pack';
  const header = ['tool', 'wall (s)', 'peak RSS (MB)', 'mcpseal/tool wall', 'mcpseal/tool RSS', ...(withOutput ? ['output (MB)'] : []), 'runs (s)'];
  const rows = result.tools.map((tool) => {
    const m = tool.median;
    if (m === undefined) return [tool.tool, `n/a (error: ${tool.error ?? 'no samples'})`];
    const isOurs = tool.tool === MCPSEAL;
    const target = result.targets.find((t) => t.tool === tool.tool);
    // The launch group stops its clock at an answer, not an exit: no peak RSS there.
    if (result.group === 'launch') return [tool.tool, formatSeconds(m.wallSeconds), '-', isOurs ? '-' : `${ratio(ours?.wallSeconds, m.wallSeconds)}${target !== undefined ? ` (${formatTarget(target)})` : ''}`, '-', tool.samples.map((s) => formatSeconds(s.wallSeconds)).join(' ')];
    return [
      tool.tool,
      formatSeconds(m.wallSeconds),
      formatMB(m.peakRssKiB),
      isOurs ? '-' : `${ratio(ours?.wallSeconds, m.wallSeconds)}${target !== undefined ? ` (${formatTarget(target)})` : ''}`,
      isOurs ? '-' : ratio(ours?.peakRssKiB, m.peakRssKiB),
      ...(withOutput ? [tool.outputBytes !== undefined ? (tool.outputBytes / 1e6).toFixed(1) : ''] : []),
      tool.samples.map((s) => formatSeconds(s.wallSeconds)).join(' '),
    ];
  });
  console.log(`\n  ${result.group} - ${result.subject}, median of ${result.runs} run(s)` + (result.input !== undefined ? `\n    input: ${result.input}` : ''));
  console.log(table([header, ...rows]));
  for (const tool of result.tools) console.log(`    ${tool.tool}: ${tool.command}${tool.note !== undefined ? `\n      (${tool.note})` : ''}`);
  for (const t of result.targets) {
    if (result.tools.find((r) => r.tool === t.tool) === undefined) console.log(`    (${formatTarget(t)}: no ${t.tool} row)`);
  }
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

function loadAverage(): string {
  return os.loadavg().map((l) => l.toFixed(2)).join(' ');
}

function machineInfo(mcpbCli: string): Record<string, string | number> {
  const cpus = os.cpus();
  const firstMatch = (text: string, re: RegExp) => re.exec(text)?.[0] ?? 'unknown';
  const mcpseal = spawnSync(NODE, [MCPSEAL_CLI, '--version'], { encoding: 'utf8', cwd: ROOT });
  return {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    memoryGB: Number((os.totalmem() / 1e9).toFixed(1)),
    loadAverage: loadAverage(),
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
  /** Timed runs of the sub-second cases (validate, verify of the filesystem server bundle). */
  quickRuns: number;
  groups: Group[];
  json: boolean;
  /** Tools not run (--skip). */
  skip: string[];
  /** Where archives and extracted trees go (default bench/.work): a tmpfs takes the disk out. */
  outRoot: string;
}

const USAGE = `usage: node bench/run.ts [--scale N]... [--runs N] [--quick-runs N] [--only GROUP]... [--skip TOOL]... [--out DIR] [--json]
  --scale N       bundle size: 1 = 20,000 files / 420 MB, 2 = 40,000 files / 840 MB (default: 1 and 2)
  --runs N        timed runs per tool on the synthetic bundle, after one untimed warm-up (default: 3)
  --quick-runs N  timed runs per tool of the sub-second cases: validate, and verify of the
                  filesystem server bundle (default: 15)
  --only GROUP    run only GROUP (repeatable; default: all): pack, unpack, check, validate,
                  verify, signed-unpack, install, policy, relay, batch, launch, audit
  --skip TOOL     leave TOOL's rows out (repeatable): mcpb, zip, unzip (their targets are then n/a)
  --out DIR       write archives and extracted trees under DIR/scale-N/ and DIR/fixed/
                  (default: bench/.work); e.g. /dev/shm to measure without the disk's write speed
  --json          also write the results to bench/.work/results.json`;

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
      'quick-runs': { type: 'string', default: '15' },
      only: { type: 'string', multiple: true },
      skip: { type: 'string', multiple: true },
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
  const quickRuns = Number(values['quick-runs']);
  const groups = (values.only ?? [...GROUPS]) as Group[];
  const positive = (n: number, flag: string, raw: string) =>
    Number.isInteger(n) && n >= 1 ? [] : [`${flag} must be a positive integer (got ${raw})`];
  const bad = [
    ...scales.filter((s) => !(s > 0)).map((s) => `--scale must be a positive number (got ${s})`),
    ...positive(runs, '--runs', values.runs),
    ...positive(quickRuns, '--quick-runs', values['quick-runs']),
    ...groups.filter((g) => !GROUPS.includes(g)).map((g) => `--only must be one of ${GROUPS.join(', ')} (got ${g})`),
  ];
  if (bad.length > 0) {
    console.error(`${bad.join('\n')}\n${USAGE}`);
    process.exit(2);
  }
  return {
    scales,
    runs,
    quickRuns,
    groups: GROUPS.filter((g) => groups.includes(g)),
    json: values.json,
    skip: values.skip ?? [],
    outRoot: resolve(values.out),
  };
}

async function main(): Promise<void> {
  const options = parseOptions();
  for (const tool of options.skip) skippedTools.add(tool);
  requireGnuTime();
  const mcpbCli = mcpbCliPath();
  const machine = machineInfo(mcpbCli);
  const withFixed = options.groups.some((g) => FIXED_GROUPS.includes(g));
  const withScales = options.groups.some((g) => SCALE_GROUPS.includes(g));
  console.log('mcpseal benchmarks');
  for (const [key, value] of Object.entries(machine)) console.log(`  ${`${key}:`.padEnd(13)} ${value}`);
  console.log(
    `  ${'runs:'.padEnd(13)} ${options.runs} timed (+1 warm-up) per tool on the synthetic bundle, ` +
      `${options.quickRuns} for the sub-second cases; alternating`,
  );
  console.log(`  ${'groups:'.padEnd(13)} ${options.groups.join(', ')}`);
  console.log(`  ${'outputs:'.padEnd(13)} ${[...(withFixed ? ['fixed'] : []), ...(withScales ? ['scale-N/out'] : [])].map((d) => `${rel(options.outRoot)}/${d}`).join(', ')}`);

  const startedAt = new Date().toISOString();
  const fixed = withFixed ? await runFixed(options, mcpbCli) : [];
  const scales = [];
  if (withScales) for (const scale of options.scales) scales.push({ scale, ...(await runScale(scale, options, mcpbCli)) });
  const loadAverageAtEnd = loadAverage();
  console.log(`\nload average: ${machine['loadAverage']} at the start, ${loadAverageAtEnd} at the end (${machine['cpus']} CPUs)`);

  const all = [...fixed, ...scales.flatMap((s) => s.groups)];
  const targets = all.flatMap((g) => g.targets.map((t) => ({ g, t })));
  if (targets.length > 0) {
    console.log('\ntargets (median wall time of mcpseal / of the other tool):');
    const rows = targets.map(({ g, t }) => [
      `  ${g.group}`,
      g.label,
      t.seconds === true ? 'mcpseal' : `mcpseal/${t.tool}`,
      t.ratio === undefined ? 'n/a' : t.seconds === true ? `${t.ratio.toFixed(2)} s` : `${t.ratio.toFixed(2)}x`,
      formatTarget(t),
    ]);
    console.log(table(rows));
  }

  const rss = all.flatMap((g) => g.tools.filter((t) => t.tool.startsWith(MCPSEAL) && t.median !== undefined).map((t) => ({ g, t })));
  if (rss.length > 0) {
    console.log(`\npeak RSS of mcpseal (median; target < ${TARGET_RSS_MB} MB at any scale):`);
    const rows = rss.map(({ g, t }) => {
      const mb = (t.median!.peakRssKiB * 1024) / 1e6;
      return [`  ${g.group}`, g.label, t.tool, `${mb.toFixed(0)} MB`, mb < TARGET_RSS_MB ? 'met' : 'NOT met'];
    });
    console.log(table(rows));
  }

  if (options.json) {
    const path = join(WORK_DIR, 'results.json');
    mkdirSync(WORK_DIR, { recursive: true });
    writeFileSync(
      path,
      `${JSON.stringify({ startedAt, finishedAt: new Date().toISOString(), machine, loadAverageAtEnd, options, fixed, scales }, null, 2)}\n`,
    );
    console.log(`\nresults written to ${rel(path)}`);
  }
  const failures = all.flatMap((g) => g.tools.filter((t) => t.error !== undefined).map((t) => `${g.label} ${g.group} ${t.tool}: ${t.error}`));
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
