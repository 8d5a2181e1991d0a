// The macOS backend (issue 12 item 2): the same plan as a Seatbelt profile (SBPL, the language of
// sandbox-exec(1) and of Apple's own /System/Library/Sandbox/Profiles), run as
// `sandbox-exec -p PROFILE command...`. Pure: the profile is text, unit-tested on its text (no macOS
// machine here to run it). Deny by default; then exactly the plan: reads of the system
// directories, the interpreter, the bundle and the read grants; writes of the write grants, the
// private home and a private temporary directory; execution of the interpreter alone unless the
// server may spawn; outbound TCP only to the egress proxy and the declared loopback services (no
// network namespace on macOS: the proxy listens on the host's loopback); inbound only with listen.

import { posix } from 'node:path';
import { commandArgv, sandboxEnv } from './bwrap.ts';
import { isLoopback, splitHostPort } from './egress-targets.ts';
import type { LaunchPlan } from './plan.ts';
import type { LaunchSetup } from './setup.ts';

/** A string as an SBPL literal: the profile language takes Scheme strings (backslash and quote escaped). */
export function sbplString(text: string): string {
  return `"${text.replace(/\\/gu, '\\\\').replace(/"/gu, '\\"')}"`;
}

/** The profile for the plan. */
export function seatbeltProfile(plan: LaunchPlan, setup: LaunchSetup): string {
  const subpaths = (paths: readonly string[]): string => paths.map((path) => `    (subpath ${sbplString(posix.normalize(path))})`).join('\n');
  const privateTmp = posix.join(setup.runtimeDir, 'tmp');
  const lines = [
    '(version 1)',
    '(deny default)',
    '; The process itself: signals to itself, its own sysctls, the system services libSystem needs.',
    '(allow signal (target self))',
    '(allow sysctl-read)',
    '(allow mach-lookup (global-name "com.apple.system.opendirectoryd.libinfo" "com.apple.system.notification_center" "com.apple.trustd.agent"))',
    '(allow ipc-posix-shm-read-data (ipc-posix-name "apple.shm.notification_center"))',
    '; Metadata (stat) of any path, so path resolution works; contents only below the granted paths.',
    '(allow file-read-metadata)',
    '(allow file-read* (literal "/dev/null") (literal "/dev/urandom") (literal "/dev/random"))',
    '(allow file-write-data (literal "/dev/null"))',
    '(allow file-read*',
    subpaths([...plan.filesystem.readOnly, ...setup.interpreterPaths, ...plan.filesystem.readWrite, privateTmp]),
    ')',
    '(allow file-write*',
    subpaths([...plan.filesystem.readWrite, privateTmp]),
    ')',
    ...processRules(plan, setup),
    ...networkRules(plan, setup),
  ];
  return `${lines.join('\n')}\n`;
}

/** With `process.spawn` empty only the interpreter may be executed, and no process forked. */
function processRules(plan: LaunchPlan, setup: LaunchSetup): string[] {
  if (plan.process.spawn.length === 0) return [`(allow process-exec (literal ${sbplString(setup.command)}))`];
  return ['(allow process-fork)', '(allow process-exec)'];
}

function networkRules(plan: LaunchPlan, setup: LaunchSetup): string[] {
  const ports = [
    ...(setup.proxyPort === null ? [] : [setup.proxyPort]),
    // No network namespace on macOS: declared loopback services are reached directly.
    ...plan.network.egress.map(splitHostPort).filter((target) => isLoopback(target.host)).map((target) => target.port),
  ];
  const lines = ports.length === 0 ? [] : ['(allow network-outbound', ...[...new Set(ports)].map((port) => `    (remote tcp ${sbplString(`localhost:${port}`)})`), ')'];
  if (plan.network.listen) lines.push('(allow network-bind network-inbound (local tcp))');
  return lines;
}

/** sandbox-exec's arguments: the profile, then the command (the same server argv as under bwrap). */
export function seatbeltArgv(plan: LaunchPlan, setup: LaunchSetup): string[] {
  return ['-p', seatbeltProfile(plan, setup), ...commandArgv(plan, { ...setup, launcher: null })];
}

/** The environment sandbox-exec passes on (it does not clear it): the plan's, the proxy's, a private TMPDIR. */
export function seatbeltEnv(plan: LaunchPlan, setup: LaunchSetup): Record<string, string> {
  return { ...sandboxEnv(plan, setup), TMPDIR: posix.join(setup.runtimeDir, 'tmp') };
}
