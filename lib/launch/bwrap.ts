// The Linux backend (issue 12 item 2): the plan and this machine's setup as a bubblewrap command
// line. Pure: nothing is read or started here (sandbox.ts runs it, with the options before `--`
// written to a pipe that bwrap reads with `--args`, so that no secret is on a command line).
//
// What the server gets: new user, pid, ipc, uts, net and cgroup namespaces (no network at all:
// declared egress arrives only through the forwards, egress.ts), no nested user namespaces, the
// sandbox killed with its parent, a new session (no TIOCSTI into the caller's terminal), an
// environment holding exactly the plan's variables, and a filesystem that is an empty read-only
// root holding only: /proc, a minimal /dev, a private /tmp, the system library directories, the
// interpreter's own install prefix, the bundle tree, the granted read paths (read-only), the
// granted write paths and the private home (read-write), and the runtime directory of the forwards.

import { posix } from 'node:path';
import { GATE_FD, nodeGateFlag } from './gate.ts';
import { launcherArgv, launcherEnv } from './landlock.ts';
import type { LaunchPlan } from './plan.ts';
import type { LaunchSetup } from './setup.ts';

/** The bwrap arguments (without the `bwrap` itself) that run the plan's server. */
export function bwrapArgv(plan: LaunchPlan, setup: LaunchSetup): string[] {
  const args = [
    '--unshare-user',
    '--unshare-pid',
    '--unshare-ipc',
    '--unshare-uts',
    '--unshare-net',
    '--unshare-cgroup-try',
    '--disable-userns',
    // bwrap keeps every capability of the new user namespace for a sandbox uid 0 (the caller is
    // root): CAP_SYS_ADMIN there could remount a read-only bind read-write. None are kept.
    '--cap-drop',
    'ALL',
    '--die-with-parent',
    '--new-session',
    '--clearenv',
  ];
  const env = sandboxEnv(plan, setup);
  // The launcher's own variables (removed again before the server runs: landlock.ts).
  const environment = setup.launcher === null ? env : { ...env, ...launcherEnv(env) };
  for (const [key, value] of Object.entries(environment)) args.push('--setenv', key, value);
  // /tmp first: a bound path below /tmp (a test's store, a grant) is mounted onto the private tmpfs.
  args.push('--proc', '/proc', '--dev', '/dev', '--tmpfs', '/tmp');
  // The launcher's programs, copied into that tmpfs (memory: nothing written to the host's disk per launch).
  for (const file of setup.staged) args.push('--perms', '0500', '--file', String(file.fd), file.path);
  const mounts = mountArgs(plan, setup);
  args.push(...mounts);
  // The directories bwrap creates to hold the mount points (the home above a granted directory)
  // can be traversed, not listed or written: the names beside a grant stay hidden.
  for (const path of skeletonDirectories(mountPoints(mounts))) args.push('--chmod', '0111', path);
  // The root that holds the mount points is read-only too: a write outside every grant is EROFS.
  args.push('--remount-ro', '/', '--chdir', plan.workdir, '--');
  args.push(...commandArgv(plan, setup));
  return args;
}

type Mount = { kind: '--ro-bind' | '--ro-bind-try' | '--bind' | '--bind-try'; path: string };

/** Every bind, parents before children (a read grant inside a write grant stays read-only, and the reverse). */
function mountArgs(plan: LaunchPlan, setup: LaunchSetup): string[] {
  const mounts: Mount[] = [
    // System directories differ between machines, a granted path may be gone: a missing one is skipped. The tree must exist.
    ...plan.filesystem.readOnly.map((path): Mount => ({ kind: path === plan.tree ? '--ro-bind' : '--ro-bind-try', path })),
    ...setup.interpreterPaths.map((path): Mount => ({ kind: '--ro-bind', path })),
    ...(setup.launcher?.bind ?? []).map((path): Mount => ({ kind: '--ro-bind', path })),
    ...plan.filesystem.readWrite.map((path): Mount => ({ kind: path === plan.home ? '--bind' : '--bind-try', path })),
    // Read-write: the tree's own compile cache (gate.ts), the forwards' Unix sockets.
    ...(setup.compileCache === null ? [] : [{ kind: '--bind', path: setup.compileCache } as Mount]),
    ...(setup.forwards.length > 0 ? [{ kind: '--bind', path: setup.runtimeDir } as Mount] : []),
  ];
  const depth = (path: string): number => posix.normalize(path).split('/').filter(Boolean).length;
  const seen = new Set<string>();
  return mounts
    .map((mount, index) => ({ mount, index }))
    .sort((a, b) => depth(a.mount.path) - depth(b.mount.path) || a.index - b.index)
    .filter(({ mount }) => !seen.has(`${mount.kind}\0${mount.path}`) && seen.add(`${mount.kind}\0${mount.path}`))
    .flatMap(({ mount }) => [mount.kind, mount.path, mount.path]);
}

function mountPoints(mountArgv: readonly string[]): string[] {
  const points: string[] = [];
  for (let i = 0; i < mountArgv.length; i += 3) points.push(posix.normalize(mountArgv[i + 2]!));
  return points;
}

/** Ancestors of the mount points that no mount covers: the empty directories bwrap made for them. */
export function skeletonDirectories(points: readonly string[]): string[] {
  // A directory inside a bind is the host's own (never chmod it); /tmp, /proc and /dev are ours.
  const covered = (dir: string): boolean => ['/tmp', '/proc', '/dev'].includes(dir) || points.some((point) => dir === point || dir.startsWith(`${point}/`));
  const skeleton = new Set<string>();
  for (const point of points) {
    for (let dir = posix.dirname(point); dir !== '/'; dir = posix.dirname(dir)) if (!covered(dir)) skeleton.add(dir);
  }
  return [...skeleton].sort((a, b) => b.length - a.length);
}

/** The plan's environment, plus the proxy variables when host-name egress goes through the proxy. */
export function sandboxEnv(plan: LaunchPlan, setup: LaunchSetup): Record<string, string> {
  const env: Record<string, string> = { ...plan.env };
  if (setup.proxyPort !== null) {
    const proxy = `http://127.0.0.1:${setup.proxyPort}`;
    for (const key of ['HTTPS_PROXY', 'HTTP_PROXY', 'https_proxy', 'http_proxy']) env[key] = proxy;
    // Declared loopback services have their own forwards: they are reached directly.
    env['NO_PROXY'] = env['no_proxy'] = 'localhost,127.0.0.1,::1';
    // Node's fetch honours the proxy variables only with this (Node >= 22.21/24.5).
    if (setup.nodeMajor !== null) env['NODE_USE_ENV_PROXY'] = '1';
  }
  return env;
}

/** What runs inside: the launcher (forwards, Landlock) then the server, or the server alone. */
export function commandArgv(plan: LaunchPlan, setup: LaunchSetup): string[] {
  const nodeFlags = [...(setup.nodeMajor === null ? [] : nodePermissionFlags(plan, setup.nodeMajor, setup.compileCache)), ...(setup.gate === 'node' ? [nodeGateFlag(setup.compileCache)] : [])];
  const server = [setup.command, ...nodeFlags, ...plan.argv.slice(1)];
  if (setup.launcher === null) return server;
  const landlock = plan.process.spawn.length === 0;
  return launcherArgv(
    setup.launcher.perl,
    {
      forwards: setup.forwards.map((forward) => [forward.port, forward.socket]),
      socat: setup.socat,
      allow: landlock ? setup.launcher.allowExec : null,
      remove: setup.launcher.remove,
      gate: setup.gate === 'launcher' ? GATE_FD : null,
      unset: Object.keys(launcherEnv(sandboxEnv(plan, setup))),
    },
    server,
  );
}

/**
 * Node's permission model as a second belt (never the only one: it follows symlinks out of an
 * allowed directory and a child process escapes it): reads of the plan's paths, writes of its
 * writable ones, and each capability only with its grant.
 */
export function nodePermissionFlags(plan: LaunchPlan, nodeMajor: number, compileCache: string | null = null): string[] {
  const flags = ['--permission'];
  // Node writes its compile cache only where the permission model allows writes.
  const cache = compileCache === null ? [] : [compileCache];
  for (const path of [...plan.filesystem.readOnly, ...plan.filesystem.readWrite, '/tmp', ...cache]) flags.push(`--allow-fs-read=${path}`);
  for (const path of [...plan.filesystem.readWrite, '/tmp', ...cache]) flags.push(`--allow-fs-write=${path}`);
  if (plan.process.spawn.length > 0) flags.push('--allow-child-process');
  if (plan.process.workers) flags.push('--allow-worker');
  if (plan.process.nativeAddons) flags.push('--allow-addons');
  // Node 25 put the network under the permission model; the sandbox decides egress.
  if (nodeMajor >= 25 && !plan.network.none) flags.push('--allow-net');
  return flags;
}
