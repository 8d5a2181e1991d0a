// This machine's side of a launch (issue 12 items 2-4): where the sandbox tools are, whether
// bubblewrap really works here, and the real interpreter behind `node` or `python3` (which may be
// a pyenv shim, or live under ~/.cache), with the least to bind for it. Everything that looks at
// the machine is here, so bwrap.ts and seatbelt.ts stay pure.

import { spawn, spawnSync } from 'node:child_process';
import { accessSync, closeSync, constants, mkdirSync, openSync, readFileSync, readSync, realpathSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { basename, delimiter, dirname, join, sep } from 'node:path';
import { cacheHome } from '../cache-home.ts';
import { MCPSealError } from '../errors.ts';
import { elfInterpreter } from './landlock.ts';
import { MINIMAL_PATH } from './system-paths.ts';

/** Directories searched after the caller's PATH for the sandbox's own tools (bwrap, socat, perl). */
const SYSTEM_BIN = ['/usr/bin', '/bin', '/usr/local/bin'];

/** An executable file named `name` on `path` (then the system directories), or null. */
export function findProgram(name: string, path: string | undefined, extra: readonly string[] = SYSTEM_BIN): string | null {
  if (name.includes('/')) return isExecutable(name) ? name : null;
  for (const dir of [...(path ?? MINIMAL_PATH).split(delimiter), ...extra]) {
    if (dir === '' || !dir.startsWith('/')) continue;
    const candidate = join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return null;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

export function unavailable(message: string, details: Record<string, unknown> = {}): MCPSealError {
  return new MCPSealError('SANDBOX_UNAVAILABLE', message, { details });
}

/**
 * bubblewrap, checked by running it once the way a launch does (new user, pid, net, ipc and uts
 * namespaces): an installed binary that the kernel or a setuid policy stops is no sandbox.
 * `MCPSEAL_BWRAP` names another binary (tests use it to take bwrap away). A binary that passed is
 * remembered in `cacheFile` (bwrapProbeCache) by what identifies it and the kernel's user-namespace
 * switches: the next launch skips the probe, a process start of 10-30 ms (README "Launch latency").
 */
export async function usableBwrap(env: Record<string, string | undefined>, cacheFile: string | null = null): Promise<string> {
  const override = env['MCPSEAL_BWRAP'];
  const bwrap = override !== undefined && override !== '' ? (isExecutable(override) ? override : null) : findProgram('bwrap', env['PATH'], []);
  const fix = 'install bubblewrap (Debian/Ubuntu: apt-get install bubblewrap; Fedora: dnf install bubblewrap), or pass --sandbox none to run the server unconfined';
  if (bwrap === null) throw unavailable(`no sandbox: bubblewrap (bwrap) is not on PATH; ${fix}`, { program: 'bwrap' });
  const key = probeKey(bwrap);
  if (cacheFile !== null && key !== null && readProbeCache(cacheFile) === key) return bwrap;
  const why = await new Promise<string | null>((resolve) => {
    const probe = spawn(bwrap, ['--unshare-all', '--die-with-parent', '--ro-bind', '/', '/', '--', ...trueCommand()], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 10_000 });
    let stderr = '';
    probe.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    probe.on('error', (error) => resolve(error.message));
    probe.on('close', (code) => resolve(code === 0 ? null : (stderr.trim().split('\n')[0] ?? '') || `exit ${code}`));
  });
  if (why !== null) {
    throw unavailable(`no sandbox: ${bwrap} does not work here (${why}); unprivileged user namespaces may be disabled (sysctl kernel.unprivileged_userns_clone=1, or an AppArmor profile for bwrap); ${fix}`, { program: bwrap });
  }
  if (cacheFile !== null && key !== null) writeProbeCache(cacheFile, key);
  return bwrap;
}

/** Where a passed bwrap probe is remembered: `bwrap-probe` in mcpseal's cache directory (cache-home.ts); null without one. */
export function bwrapProbeCache(env: Record<string, string | undefined>, home: string | undefined): string | null {
  const base = cacheHome(env, home);
  return base === null ? null : join(base, 'bwrap-probe');
}

/**
 * What a probe result depends on: the binary (real path, device, inode, size, mode, owner, change
 * and modification times: a replaced or re-permissioned binary, a setuid bit set or dropped,
 * gives another key), the kernel (its boot id) and its user-namespace switches. Null when one of
 * them cannot be read: no caching then.
 */
function probeKey(bwrap: string): string | null {
  try {
    const real = realpathSync(bwrap);
    const info = statSync(real, { bigint: true });
    const facts = [real, info.dev, info.ino, info.size, info.mode, info.uid, info.ctimeNs, info.mtimeNs].map(String);
    for (const path of ['/proc/sys/kernel/random/boot_id', '/proc/sys/user/max_user_namespaces', '/proc/sys/kernel/unprivileged_userns_clone', '/proc/sys/kernel/apparmor_restrict_unprivileged_userns']) {
      facts.push(readSmall(path) ?? '-');
    }
    return `v1\0${facts.join('\0')}`;
  } catch {
    return null;
  }
}

function readSmall(path: string): string | null {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return null;
  }
}

function readProbeCache(file: string): string | null {
  // Bounded: the file is a few hundred bytes; anything else is not ours and is ignored.
  try {
    return statSync(file).size <= 4096 ? readFileSync(file, 'utf8') : null;
  } catch {
    return null;
  }
}

/** Best effort: a cache that cannot be written only means probing again next time. */
function writeProbeCache(file: string, key: string): void {
  try {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    const temp = `${file}.${process.pid}.tmp`;
    writeFileSync(temp, key, { mode: 0o600 });
    renameSync(temp, file);
  } catch {
    // no cache
  }
}

function trueCommand(): string[] {
  const found = findProgram('true', undefined);
  return found === null ? [process.execPath, '-e', ''] : [found];
}

/** The real executable behind a command, and what the sandbox must bind for it. */
export interface ResolvedProgram {
  /** The real binary (symlinks and shims resolved). */
  path: string;
  /**
   * What to execute: the real binary, except for a command given as a path (`${__dirname}/.venv/bin/python`),
   * executed as written: a virtual environment's python finds its pyvenv.cfg beside the path it was started as.
   */
  invoke: string;
  /** Read-only binds: the binary itself and its install prefix's lib directory (never its bin: no other program). */
  bind: string[];
  /** The ELF loader the kernel opens to run it, or null (static, or not ELF). */
  loader: string | null;
}

/**
 * `command` resolved on `path`, through symlinks and through script shims (pyenv's `python3` is a
 * shell script: the interpreter it would start is asked for its own executable).
 * `query` is the interpreter code that prints it (`import sys; print(sys.executable)`).
 */
export function resolveProgram(command: string, path: string | undefined, home: string, query?: string[]): ResolvedProgram | null {
  const found = findProgram(command, path);
  if (found === null) return null;
  let real = realpathSync(found);
  let head = readHead(real);
  if (head.subarray(0, 2).toString('latin1') === '#!' && query !== undefined) {
    const asked = spawnSync(real, query, { encoding: 'utf8', timeout: 10_000, env: { PATH: path ?? MINIMAL_PATH, HOME: home } });
    const printed = asked.status === 0 ? asked.stdout.trim() : '';
    if (printed.startsWith('/')) {
      real = realpathSync(printed);
      head = readHead(real);
    }
  }
  return { path: real, invoke: command.includes('/') ? command : real, bind: bindsFor(real, home), loader: elfInterpreter(head) };
}

function readHead(path: string): Buffer {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(4096);
    return buffer.subarray(0, readSync(fd, buffer, 0, buffer.length, 0));
  } finally {
    closeSync(fd);
  }
}

/**
 * The binary itself plus `<prefix>/lib` when it sits in `<prefix>/bin` (a Python's stdlib and
 * libpython, a Node's nothing much): never the prefix's bin directory, and never a prefix that is
 * the user's home or above it (a binary in ~/bin must not bring the home along).
 */
function bindsFor(real: string, home: string): string[] {
  const dir = dirname(real);
  if (basename(dir) !== 'bin') return [real];
  const prefix = dirname(dir);
  const tooWide = prefix === '/' || home === prefix || home.startsWith(prefix.endsWith(sep) ? prefix : prefix + sep);
  const lib = join(prefix, 'lib');
  return tooWide || !isDirectory(lib) ? [real] : [real, lib];
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** The major version of the Node binary at `path` (this process's own without starting one). */
export function nodeMajorOf(path: string): number | null {
  if (realpathSync(process.execPath) === path) return Number(process.versions.node.split('.')[0]);
  const asked = spawnSync(path, ['-p', 'process.versions.node'], { encoding: 'utf8', timeout: 10_000, env: {} });
  const major = Number(asked.stdout.trim().split('.')[0]);
  return asked.status === 0 && Number.isInteger(major) ? major : null;
}
