// Starting a planned server (issue 12 items 2-4): pick the backend, gather this machine's setup
// (machine.ts), open the egress (egress.ts), and spawn the sandboxed process with its stdin and
// stdout as pipes for the caller to connect (the CLI pipes them to its own stdio, or through the
// tool-pinning relay). Nothing here prints: warnings and denied connections go to the caller.

import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { MCPSealError } from '../errors.ts';
import { bwrapArgv } from './bwrap.ts';
import { environmentAllowsGate, GATE_FD, GO, nodeMayWaitItself } from './gate.ts';
import type { DeniedEgress, Egress } from './egress.ts';
import { findProgram, nodeMajorOf, resolveProgram, unavailable, usableBwrap, type ResolvedProgram } from './machine.ts';
import type { LaunchPlan } from './plan.ts';
import { seatbeltArgv, seatbeltEnv } from './seatbelt.ts';
import type { LaunchSetup, StagedFile } from './setup.ts';

export type SandboxChoice = 'auto' | 'bwrap' | 'seatbelt' | 'none';
export const SANDBOX_CHOICES: readonly SandboxChoice[] = ['auto', 'bwrap', 'seatbelt', 'none'];
export type Backend = Exclude<SandboxChoice, 'auto'>;

/** A backend chosen and checked (prepareSandbox), with the tool that runs it. */
export interface PreparedSandbox {
  backend: Backend;
  /** bwrap or sandbox-exec; empty for `none`. */
  tool: string;
}

/**
 * Picks the backend for `choice` and checks it works (bwrap is run once, or found in `probeCache`,
 * machine.ts); SANDBOX_UNAVAILABLE otherwise. `none` (unconfined) only when named.
 */
export async function prepareSandbox(choice: SandboxChoice, env: Record<string, string | undefined>, platform: NodeJS.Platform = process.platform, probeCache: string | null = null): Promise<PreparedSandbox> {
  const backend = chooseBackend(choice, platform);
  if (backend === 'none') return { backend, tool: '' };
  return { backend, tool: backend === 'bwrap' ? await usableBwrap(env, probeCache) : usableSandboxExec() };
}

export interface StartOptions {
  /** The checked backend (prepareSandbox). */
  sandbox: PreparedSandbox;
  /** The caller's environment: PATH to find the interpreter and the tools, MCPSEAL_BWRAP. */
  env: Record<string, string | undefined>;
  /** The real user's home (a binary's prefix at or above it is never bound). */
  home: string;
  onDenied: (denied: DeniedEgress) => void;
  /**
   * The integrity check that must pass before any of the bundle's code runs (run-plan.ts: the
   * re-hash of the installed tree); it throws to refuse the start.
   */
  check: () => void;
  /**
   * The installed tree's own Node compile cache directory (run-plan.ts), used with a Node gate
   * only (gate.ts: switched on after the hash passed); null or absent: none.
   */
  compileCache?: string | null;
}

export type ServerProcess = ChildProcessByStdio<Writable, Readable, null>;

export interface StartedServer {
  child: ServerProcess;
  backend: Backend;
  setup: LaunchSetup | null;
  /** What the user should know (no Landlock here, ...), one line each. */
  warnings: string[];
  /** Shuts the egress down and removes the runtime directory; call once the child has exited. */
  cleanup(): Promise<void>;
}

/**
 * Starts the plan's server in the prepared sandbox (SANDBOX_UNAVAILABLE for socat or perl
 * missing where egress needs them). `options.check` (the re-hash of the installed tree) has passed
 * before any of the bundle's code runs: with a gate (gate.ts) the sandbox is built while it runs and
 * released after it; without one the sandbox is started only after it. A check that throws kills
 * the sandbox and rethrows.
 */
export async function startServer(plan: LaunchPlan, options: StartOptions): Promise<StartedServer> {
  const { backend, tool } = options.sandbox;
  if (backend === 'none') {
    options.check();
    return startUnconfined(plan, options);
  }
  const interpreter = resolveProgram(plan.argv[0]!, options.env['PATH'], options.home, interpreterQuery(plan.argv[0]!));
  if (interpreter === null) throw commandMissing(plan);
  const runtimeDir = mkdtempSync(join(tmpdir(), 'mcpseal-run-'));
  let egress: Egress | null = null;
  let started: Spawned | null = null;
  try {
    egress = await openEgress(plan, runtimeDir, backend, options.onDenied);
    const { setup, warnings } = machineSetup(plan, backend, interpreter, egress, runtimeDir, options);
    warnings.push(...planWarnings(plan));
    mkdirSync(plan.home, { recursive: true, mode: 0o700 });
    if (setup.compileCache !== null) mkdirSync(setup.compileCache, { recursive: true, mode: 0o700 });
    if (backend === 'seatbelt') mkdirSync(join(runtimeDir, 'tmp'), { mode: 0o700 });
    if (setup.gate === null) options.check();
    started = backend === 'bwrap' ? spawnBwrap(tool, bwrapArgv(plan, setup), plan.tree, setup) : spawnSeatbelt(tool, plan, setup);
    const { child } = started;
    if (started.gate !== null) {
      // bwrap reads its options to the end before it builds anything; the re-hash blocks this
      // thread, so they are flushed and closed first (else the sandbox starts after the hash).
      await started.optionsSent;
      options.check();
      started.gate.end(GO);
    }
    const opened = egress;
    return { child, backend, setup, warnings, cleanup: once(async () => { await opened.close(); rmSync(runtimeDir, { recursive: true, force: true }); }) };
  } catch (error) {
    if (started !== null) await stopped(started);
    await egress?.close();
    rmSync(runtimeDir, { recursive: true, force: true });
    throw error;
  }
}

/** The host side of the plan's egress; the proxy code (and the resolver) loaded only when it declares some. */
async function openEgress(plan: LaunchPlan, runtimeDir: string, backend: Backend, onDenied: (denied: DeniedEgress) => void): Promise<Egress> {
  if (plan.network.egress.length === 0 && plan.network.userDriven === null) return { forwards: [], proxyPort: null, close: () => Promise.resolve() };
  const { startEgress } = await import('./egress.ts');
  return startEgress(plan, runtimeDir, { onDenied, transport: backend === 'bwrap' ? 'unix' : 'tcp' });
}

/**
 * Stops a sandbox whose gate stays shut: the gate's end of file makes its waiting side exit 125
 * without running anything, and bwrap exits with it. bwrap is not killed first: killed while it
 * builds the namespaces, its inner half waits forever for the outer one (holding run's stderr);
 * killed only when it has not exited after STOP_GRACE_MS.
 */
async function stopped(started: Spawned): Promise<void> {
  const { child, gate } = started;
  gate?.destroy();
  child.stdin.destroy();
  if (child.exitCode === null && child.signalCode === null) {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
  child.stdout.destroy();
}

/** How long a sandbox whose gate was closed gets to exit on its own. */
const STOP_GRACE_MS = 5000;

/**
 * bwrap with its options (the `--setenv` values among them: the server's secrets) written to a
 * pipe it reads with `--args 3`, never on its command line, where `ps` and /proc/PID/cmdline would
 * show them to every local user (and /proc/1/cmdline to the server). Only the command stays there.
 * bwrap clears the environment itself (--clearenv); it starts with none. With a gate, one more
 * pipe is GATE_FD inside (gate.ts); the caller writes the go byte, or closes it.
 */
function spawnBwrap(bwrap: string, argv: readonly string[], cwd: string, setup: LaunchSetup): Spawned {
  const split = argv.indexOf('--');
  const gated = setup.gate !== null;
  const stdio: StdioEntry[] = ['pipe', 'pipe', 'inherit', 'pipe', gated ? 'pipe' : 'ignore'];
  const opened: number[] = [];
  let child;
  try {
    for (const file of setup.staged) {
      while (stdio.length < file.fd) stdio.push('ignore');
      const fd = openSync(file.source, 'r');
      opened.push(fd);
      stdio[file.fd] = fd;
    }
    child = spawn(bwrap, ['--args', '3', ...argv.slice(split)], { stdio, env: {}, cwd });
  } finally {
    for (const fd of opened) closeSync(fd);
  }
  const options = child.stdio[3] as Writable;
  options.on('error', () => undefined);
  options.end(`${argv.slice(0, split).join('\0')}\0`);
  const optionsSent = finished(options).catch(() => undefined);
  const gate = gated ? (child.stdio[GATE_FD] as Writable) : null;
  gate?.on('error', () => undefined);
  return { child: child as unknown as ServerProcess, gate, optionsSent };
}

type StdioEntry = 'pipe' | 'inherit' | 'ignore' | number;

/** A started sandbox: the process, the gate's write end (null: none), and when its options are sent. */
interface Spawned {
  child: ServerProcess;
  gate: Writable | null;
  optionsSent: Promise<void>;
}

/** sandbox-exec with the plan's profile (no gate: started once the re-hash passed). */
function spawnSeatbelt(tool: string, plan: LaunchPlan, setup: LaunchSetup): Spawned {
  const child = spawn(tool, seatbeltArgv(plan, setup), { stdio: ['pipe', 'pipe', 'inherit'], env: seatbeltEnv(plan, setup), cwd: plan.workdir });
  return { child, gate: null, optionsSent: Promise.resolve() };
}

/**
 * What the sandbox does not provide of the plan, said once at start: MCP roots granted but none
 * given with --root (the client's roots stay invisible, and its roots/list answer is filtered), a
 * granted working directory that is not shared (refusedDirectory), and a listener that is
 * unreachable from outside.
 */
export function planWarnings(plan: LaunchPlan): string[] {
  const warnings: string[] = [];
  const { roots, cwd, rootPaths, cwdRefused } = plan.filesystem.runtime;
  if (roots !== 'none' && rootPaths.length === 0) warnings.push(`${plan.name} is granted the client's MCP roots (${roots}) and no directory was given with --root: roots stay invisible to it (add --root DIR to the client's configuration)`);
  if (cwd !== 'none' && cwdRefused !== null) warnings.push(`${plan.name} is granted the working directory (${cwd}), which is not shared (${cwdRefused}): it starts in its bundle tree`);
  if (plan.network.listen) warnings.push(`${plan.name} may listen; inside the sandbox's network namespace a listener is not reachable from outside`);
  return warnings;
}

function chooseBackend(choice: SandboxChoice, platform: NodeJS.Platform): Backend {
  if (choice !== 'auto') return choice;
  if (platform === 'linux') return 'bwrap';
  if (platform === 'darwin') return 'seatbelt';
  throw unavailable(`no sandbox backend for ${platform}: mcpseal confines servers on Linux (bubblewrap) and macOS (Seatbelt); pass --sandbox none to run the server unconfined`);
}

function usableSandboxExec(): string {
  const tool = findProgram('sandbox-exec', undefined, ['/usr/bin']);
  if (tool === null) throw unavailable('no sandbox: /usr/bin/sandbox-exec (Seatbelt) is missing; pass --sandbox none to run the server unconfined', { program: 'sandbox-exec' });
  return tool;
}

/**
 * The code that makes an interpreter name its real executable (for shims such as pyenv's found on
 * PATH). Never for a command given as a path: that may be a file of the bundle, which runs only
 * inside the sandbox, and only once the re-hash passed.
 */
function interpreterQuery(command: string): string[] | undefined {
  if (command.includes('/')) return undefined;
  const name = basename(command);
  if (/^python[0-9.]*$/u.test(name)) return ['-c', 'import sys; print(sys.executable)'];
  if (/^node(?:js)?[0-9]*$/u.test(name)) return ['-p', 'process.execPath'];
  return undefined;
}

function commandMissing(plan: LaunchPlan): MCPSealError {
  return new MCPSealError('IO_NOT_FOUND', `${plan.name}: its command ${JSON.stringify(plan.argv[0])} is not on PATH; install it (the server runs it)`, {
    details: { entry: plan.name, path: plan.argv[0] },
  });
}

/** The setup for this machine: the launcher when perl exists, socat for the forwards. */
function machineSetup(plan: LaunchPlan, backend: Backend, interpreter: ResolvedProgram, egress: Egress, runtimeDir: string, options: StartOptions): { setup: LaunchSetup; warnings: string[] } {
  const warnings: string[] = [];
  const needsForwards = backend === 'bwrap' && egress.forwards.length > 0;
  const socatFound = needsForwards ? findProgram('socat', options.env['PATH']) : null;
  if (needsForwards && socatFound === null) throw unavailable(`${plan.name} declares network egress, which reaches the sandbox through socat, and socat is not installed; apt-get install socat`, { program: 'socat' });
  const staged: StagedFile[] = [];
  const socat = socatFound === null ? null : stageProgram(realpathSync(socatFound), 'socat', staged);
  let launcher: LaunchSetup['launcher'] = null;
  if (backend === 'bwrap') {
    // The system perl first (perl-base, Essential in Debian and Ubuntu); it loads no module.
    const perl = resolveProgram('perl', '/usr/bin:/bin', options.home) ?? resolveProgram('perl', options.env['PATH'], options.home, ['-e', 'print $^X']);
    if (perl === null && needsForwards) throw unavailable(`${plan.name} declares network egress, whose forwards a perl launcher starts inside the sandbox, and perl is not installed; apt-get install perl-base`, { program: 'perl' });
    if (perl === null && plan.process.spawn.length === 0) warnings.push('perl is missing: Landlock is not applied; the empty executable view alone keeps the server from running other programs');
    if (perl !== null) {
      const copy = stageProgram(perl.path, 'perl', staged);
      launcher = {
        perl: copy,
        bind: perl.bind.filter((path) => path !== perl.path),
        allowExec: [interpreter.path, ...(interpreter.loader === null ? [] : [interpreter.loader])],
        remove: [copy, ...(socat === null ? [] : [socat])],
      };
    }
  }
  // A Node binary of the bundle itself is never started outside the sandbox to ask its version:
  // it gets no permission flags (the sandbox alone confines it).
  const inTree = [interpreter.path, interpreter.invoke].some((path) => isInside(path, plan.tree));
  const nodeMajor = /^node/u.test(basename(interpreter.path)) && !inTree ? nodeMajorOf(interpreter.path) : null;
  const nodeGate = backend === 'bwrap' && nodeMayWaitItself(inTree, plan.env, plan.argv.slice(1), nodeMajor);
  const gate = !environmentAllowsGate(plan.env) ? null : nodeGate ? 'node' : launcher !== null ? 'launcher' : null;
  const setup: LaunchSetup = {
    command: interpreter.invoke,
    interpreterPaths: interpreter.bind,
    nodeMajor,
    runtimeDir,
    forwards: egress.forwards,
    proxyPort: egress.proxyPort,
    socat,
    launcher,
    gate,
    compileCache: gate === 'node' ? (options.compileCache ?? null) : null,
    staged,
  };
  return { setup, warnings };
}

/** Whether `path` is `tree` or below it, as given or through the tree's real path. */
function isInside(path: string, tree: string): boolean {
  let real = tree;
  try {
    real = realpathSync(tree);
  } catch {
    // A missing tree fails the re-hash.
  }
  return [tree, real].some((root) => path === root || path.startsWith(`${root}/`));
}

/** Where the launcher's programs are copied inside the sandbox: its private /tmp (a tmpfs). */
const STAGE_DIR = '/tmp/.mcpseal-launcher';
/** The descriptors bwrap copies them from (0-2 stdio, 3 bwrap's options, 4 the gate). */
const STAGE_FDS = { perl: 5, socat: 6 } as const;

/**
 * A copy of a program in the sandbox's private /tmp, which the launcher deletes before the server
 * starts: the view then keeps no runnable copy of it. A copy (bwrap --file), never a bind of the
 * system's binary: /tmp is writable inside, and the launcher must be able to remove it.
 */
function stageProgram(source: string, name: keyof typeof STAGE_FDS, staged: StagedFile[]): string {
  const path = `${STAGE_DIR}/${name}`;
  staged.push({ fd: STAGE_FDS[name], source, path });
  return path;
}

/** `--sandbox none`: the plan's command line and environment, nothing confined. */
function startUnconfined(plan: LaunchPlan, options: StartOptions): StartedServer {
  const command = findProgram(plan.argv[0]!, options.env['PATH']);
  if (command === null) throw commandMissing(plan);
  mkdirSync(plan.home, { recursive: true, mode: 0o700 });
  const child = spawn(command, plan.argv.slice(1), { stdio: ['pipe', 'pipe', 'inherit'], env: plan.env, cwd: plan.workdir });
  return { child, backend: 'none', setup: null, warnings: ['--sandbox none: the server runs unconfined, with every right of this user'], cleanup: () => Promise.resolve() };
}

function once(action: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | null = null;
  return () => (done ??= action());
}
