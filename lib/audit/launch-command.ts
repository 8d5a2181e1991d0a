// How a command line launches a server: the install channel (DESIGN.md "Audit", issue 13 item 3).
// Package feeds (npx, uvx, pipx, docker) fetch code at start-up, so what runs is whatever the
// feed serves that day unless the command pins a version (or, for images, a digest).

import type { ChannelEntry } from './model.ts';

export interface LaunchChannel {
  channel: ChannelEntry['channel'];
  /** The package, image, path or program launched. */
  target: string;
  pinned: boolean;
  /** The command line runs a shell. */
  shell: boolean;
  /** For docker: host escapes (--privileged, host namespaces, the host root or socket mounted). */
  escapes: string[];
}

const SHELLS = /^(?:sh|bash|zsh|dash|ksh|fish|csh|tcsh|cmd|cmd\.exe|powershell|powershell\.exe|pwsh)$/iu;
const RUNTIMES = /^(?:node|nodejs|deno|bun|python|python3(?:\.\d+)?|py)$/iu;

function base(program: string): string {
  return program.split(/[\\/]/u).pop()!.replace(/\.(?:exe|cmd)$/iu, '');
}

/** An exact npm version (no range, tag or wildcard): `1.2.3`, `1.2.3-beta.1`. */
const EXACT = /^v?\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.+-]+)?$/u;

/** `name@1.2.3` or `@scope/name@1.2.3` pinned; `name`, `name@latest`, `name@^1` not. */
export function npmSpecPinned(spec: string): boolean {
  const at = spec.lastIndexOf('@');
  return at > 0 && EXACT.test(spec.slice(at + 1));
}

/** `name==1.2.3` (PEP 440 exact) or uv's `name@1.2.3`; ranges and bare names are not pinned. */
export function pythonSpecPinned(spec: string): boolean {
  const exact = /^[A-Za-z0-9._-]+(?:\[[^\]]*\])?(?:===?|@)\s*v?\d+(?:\.\d+)*(?:[-.+]?[0-9A-Za-z.]+)?$/u;
  return exact.test(spec) && !/[*,<>~!]/u.test(spec);
}

/** The first argument that is not an option, skipping the values of `valued` options. */
function firstPositional(args: readonly string[], valued: ReadonlySet<string>): { value: string; index: number } | undefined {
  for (let index = 0; index < args.length; index++) {
    const arg = args[index]!;
    if (arg === '--') return args[index + 1] === undefined ? undefined : { value: args[index + 1]!, index: index + 1 };
    if (!arg.startsWith('-')) return { value: arg, index };
    if (valued.has(arg)) index++;
  }
  return undefined;
}

function optionValue(args: readonly string[], names: readonly string[]): string | undefined {
  for (let index = 0; index < args.length; index++) {
    const arg = args[index]!;
    for (const name of names) {
      if (arg === name) return args[index + 1];
      if (arg.startsWith(`${name}=`)) return arg.slice(name.length + 1);
    }
  }
  return undefined;
}

function npxLaunch(args: readonly string[]): LaunchChannel {
  const target = optionValue(args, ['-p', '--package']) ?? firstPositional(args, new Set(['-p', '--package', '-c', '--call']))?.value ?? '';
  return { channel: 'npx', target, pinned: npmSpecPinned(target), shell: false, escapes: [] };
}

function uvxLaunch(args: readonly string[]): LaunchChannel {
  const target = optionValue(args, ['--from']) ?? firstPositional(args, new Set(['--from', '--with', '--python', '-p', '--index', '--index-url', '--extra-index-url']))?.value ?? '';
  return { channel: 'uvx', target, pinned: pythonSpecPinned(target), shell: false, escapes: [] };
}

function pipxLaunch(args: readonly string[]): LaunchChannel {
  const rest = args[0] === 'run' ? args.slice(1) : args;
  const target = optionValue(rest, ['--spec']) ?? firstPositional(rest, new Set(['--spec', '--python', '--index-url', '--pip-args']))?.value ?? '';
  return { channel: 'pipx', target, pinned: pythonSpecPinned(target), shell: false, escapes: [] };
}

const DOCKER_VALUED = new Set(['-e', '--env', '-v', '--volume', '--name', '--network', '--net', '-p', '--publish', '--mount', '--entrypoint', '-w', '--workdir', '-u', '--user', '--env-file', '--platform', '-l', '--label', '--pid', '--ipc', '--cap-add', '--cap-drop', '-h', '--hostname', '--add-host', '--memory', '-m', '--cpus', '--security-opt', '--device', '--restart', '--pull', '--log-driver']);

function dockerLaunch(args: readonly string[]): LaunchChannel {
  const run = args.indexOf('run');
  const rest = run >= 0 ? args.slice(run + 1) : args;
  const image = firstPositional(rest, DOCKER_VALUED)?.value ?? '';
  const options = rest.slice(0, Math.max(0, rest.indexOf(image)));
  const escapes: string[] = [];
  const joined = options.map((option, index) => (DOCKER_VALUED.has(option) ? `${option}=${options[index + 1] ?? ''}` : option));
  for (const option of joined) {
    if (option === '--privileged') escapes.push('--privileged');
    if (/^--(?:network|net|pid|ipc|uts|userns)=host$/u.test(option)) escapes.push(option);
    if (/^(?:-v|--volume|--mount)=/u.test(option) && /(?:^|[=,])(?:src=|source=)?\/(?::|,|$)|docker\.sock/u.test(option.slice(option.indexOf('=') + 1))) escapes.push(option);
    if (/^--cap-add=(?:ALL|SYS_ADMIN)$/iu.test(option)) escapes.push(option);
  }
  return { channel: 'docker', target: image, pinned: /@sha256:[0-9a-f]{64}$/u.test(image), shell: false, escapes };
}

/**
 * What a shell wrapper runs (`cmd /c npx -y pkg`, the usual Windows form in client configs;
 * `sh -c "npx -y pkg"`), classified like the command itself; anything else is the shell.
 */
function shellInner(args: readonly string[]): LaunchChannel {
  const flag = args[0]?.toLowerCase();
  if ((flag === '/c' || flag === '/k' || flag === '-c') && args.length > 1) {
    const words = args.length === 2 ? args[1]!.trim().split(/\s+/u) : args.slice(1);
    if (words.length > 0 && words[0] !== '') return launchChannel(words[0]!, words.slice(1));
  }
  return { channel: 'other', target: args.join(' '), pinned: false, shell: true, escapes: [] };
}

/** Classifies a command line by the channel it launches through. */
export function launchChannel(command: string, args: readonly string[]): LaunchChannel {
  const program = base(command).toLowerCase();
  const plain = (channel: LaunchChannel['channel'], target: string, pinned = false, shell = false): LaunchChannel => ({ channel, target, pinned, shell, escapes: [] });
  if (program === 'npx' || program === 'pnpx' || program === 'bunx') return npxLaunch(args);
  if ((program === 'npm' && args[0] === 'exec') || ((program === 'pnpm' || program === 'yarn') && args[0] === 'dlx')) return npxLaunch(args.slice(1));
  if (program === 'uvx') return uvxLaunch(args);
  if (program === 'uv' && args[0] === 'tool' && args[1] === 'run') return uvxLaunch(args.slice(2));
  if (program === 'uv' && args[0] === 'run' && optionValue(args, ['--with']) !== undefined) return { ...uvxLaunch(['--from', optionValue(args, ['--with'])!]), channel: 'uvx' };
  if (program === 'pipx') return pipxLaunch(args);
  if (program === 'docker' || program === 'podman') return dockerLaunch(args);
  if (program === 'mcpseal' && args[0] === 'run') return plain('mcpseal', firstPositional(args.slice(1), new Set(['--store', '--lock', '--sandbox']))?.value ?? '', true);
  if (SHELLS.test(program)) return { ...shellInner(args), shell: true };
  if (RUNTIMES.test(program)) {
    const script = firstPositional(args, new Set(['-r', '--require', '--import', '--loader', '-m', '-W', '-X']));
    if (script !== undefined && /[\\/]|\.(?:[cm]?js|ts|py)$/u.test(script.value)) return plain('local', script.value);
    return plain('other', [command, ...args.slice(0, 2)].join(' '));
  }
  if (/^(?:\/|\.{1,2}[\\/]|~[\\/]|[A-Za-z]:[\\/])/u.test(command)) return plain('local', command);
  return plain('other', command);
}
