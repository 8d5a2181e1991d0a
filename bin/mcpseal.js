#!/usr/bin/env node
// Thin launcher: check the runtime, then hand over to the compiled CLI (dist/cli-bundle, or dist/cli).
// The Sigstore 5 packages mcpseal builds on need Node ^22.22.2 or >=24.15.
import { SUPPORTED_NODE, isSupportedNode, unsupportedNodeMessage } from './node-check.js';
if (!isSupportedNode(process.versions.node)) {
  // The one error shape of the CLI (lib/cli/output.ts errorDocument), written here by hand: the
  // compiled CLI may not even load on this Node.
  const error = {
    code: 'USAGE_UNSUPPORTED_RUNTIME',
    message: unsupportedNodeMessage(process.versions.node),
    details: { expected: SUPPORTED_NODE, found: process.versions.node },
  };
  process.stderr.write(`mcpseal: ${error.code}: ${error.message}\n`);
  if (process.argv.slice(2).includes('--json')) process.stdout.write(`${JSON.stringify({ ok: false, error }, null, 2)}\n`);
  process.exit(2);
}
// Built-in modules through process.getBuiltinModule, not `import`: an ES import of node:fs builds a
// facade that loads its 15 stream modules (scripts/build-cli.ts, builtinsWithoutFacade).
const { statSync } = process.getBuiltinModule('node:fs');
const { fileURLToPath } = process.getBuiltinModule('node:url');
// Memory: archive work allocates many short-lived buffers, and V8 finds dead ones only when it
// collects the young generation; capped at 1 MB (instead of growing to 16 MB or more), those
// collections come often enough to keep peak RSS flat (inspect --check-data at 420 MB: 207 -> 146 MB)
// for a negligible CPU cost. Set first, before the young generation grows, and here, for the CLI
// only: a library's host keeps its own settings.
// Not for a job over small files only (every argument that names something names a regular file,
// together at most SMALL_INPUT): there the flags bound nothing (peak RSS 76 vs 85 MB on the 4 MB
// filesystem server bundle) and cost a third of its start-up GC (29-33 scavenges instead of
// 8-11). A directory, a device or a larger file keeps them.
const SMALL_INPUT = 32 * 1024 * 1024;
function smallFilesOnly(args) {
  let total = 0;
  let files = 0;
  for (const arg of args) {
    if (arg.startsWith('-')) continue;
    let info;
    try {
      info = statSync(arg, { throwIfNoEntry: false });
    } catch {
      return false;
    }
    if (!info) continue;
    if (!info.isFile()) return false;
    total += info.size;
    files += 1;
  }
  return files > 0 && total <= SMALL_INPUT;
}
// Nor for the commands that read no archive: their directory arguments (run's --store, --root)
// are not data they stream (run: 8-20 ms of CPU less to the first initialize, README "Launch
// latency").
const NO_ARCHIVE_COMMANDS = new Set(['run', 'tools', 'client-config', 'list', 'keygen']);
// And audit keeps them whatever the input's size: its memory follows the code it parses (the
// filesystem server's 4.3 MB bundle: 168 MB peak without them, 120 MB with).
const command = process.argv[2];
// The flags set, passed on to the bundled CLI: V8 refuses a code cache made under other flags, so
// they are part of its key (lib/cli/code-cache.ts).
const v8Flags = [];
if (command === 'audit' || (!NO_ARCHIVE_COMMANDS.has(command) && !smallFilesOnly(process.argv.slice(2)))) {
  try {
    const v8 = process.getBuiltinModule('node:v8');
    // And V8's size-over-speed mode: the heap grows in smaller steps and is compacted sooner, so
    // the central directory's parse garbage (40,000 entries) and the dead inflate buffers no
    // longer leave the high-water mark behind: peak RSS at scale 2 (840 MB, 40,002 files) of check
    // 174-180 -> 113-123 MB, unpack 176-184 -> 118-121 MB (issue 14, README "Flat memory and
    // speed"), for ~10% more CPU on check.
    for (const flag of ['--max-semi-space-size=1', '--semi-space-growth-factor=1', '--optimize-for-size']) {
      v8.setFlagsFromString(flag);
      v8Flags.push(flag);
    }
  } catch {
    // defaults
  }
}
// Ctrl-C (or SIGTERM) stops long work cleanly: staging directories and temporary files are
// removed before the command exits with IO_INTERRUPTED. A second signal exits at once.
const interrupt = new AbortController();
for (const name of ['SIGINT', 'SIGTERM']) {
  process.on(name, () => {
    if (interrupt.signal.aborted) process.exit(130);
    interrupt.abort(new Error(name));
  });
}
// A checkout whose build has not run (npm ci --ignore-scripts, or a clean of dist/) has no compiled
// CLI: say what to do in one line instead of a module-not-found trace.
const compiled = new URL('../dist/cli/main.js', import.meta.url);
const compiledStat = statSync(compiled, { throwIfNoEntry: false });
if (!compiledStat) {
  const error = {
    code: 'USAGE_NOT_BUILT',
    message: `mcpseal is not built (${fileURLToPath(compiled)} is missing): run "npm run build" in ${fileURLToPath(new URL('..', import.meta.url))}`,
    details: { path: fileURLToPath(compiled) },
  };
  process.stderr.write(`mcpseal: ${error.code}: ${error.message}\n`);
  if (process.argv.slice(2).includes('--json')) process.stdout.write(`${JSON.stringify({ ok: false, error }, null, 2)}\n`);
  process.exit(2);
}
// Start-up: the same CLI bundled by `npm run build` (scripts/build-cli.ts), which reads two files
// (a router and its command group's file) instead of ~150 (README "Flat memory and speed", "One
// file per command group"). Not with MCPSEAL_UNBUNDLED=1 (to see the module graph, as
// test/startup.test.ts does). In a checkout (the sources beside dist/), only when it is at least
// as new as the compiled CLI: a `tsc` run after the last bundle leaves it stale. An installed
// package has no sources and is never rebuilt, and its files' times are the install's, in the
// order npm extracted them (dist/cli/main.js 4 ms after the bundle, seen in a real install): there
// the bundle is always used.
const bundled = new URL('../dist/cli-bundle/main.js', import.meta.url);
const bundledStat = process.env.MCPSEAL_UNBUNDLED === '1' ? undefined : statSync(bundled, { throwIfNoEntry: false });
const checkout = statSync(new URL('../lib/cli/main.ts', import.meta.url), { throwIfNoEntry: false }) !== undefined;
const entry = bundledStat && (!checkout || bundledStat.mtimeMs >= compiledStat.mtimeMs) ? bundled : compiled;
const { main } = await import(entry.href);
// stdout and stderr as getters, with their descriptors: the CLI writes lines to fds 1 and 2 itself
// and builds Node's streams only when it needs one (lib/cli/output.ts DirectWriter).
const streams = {
  get stdout() {
    return process.stdout;
  },
  get stderr() {
    return process.stderr;
  },
  fds: { stdout: 1, stderr: 2 },
  env: process.env,
  signal: interrupt.signal,
};
// The bundled CLI keeps V8 code caches under the user's cache directory (its router, lib/cli/code-cache.ts);
// the compiled one (dist/cli, for development) runs without.
process.exitCode = await main(process.argv.slice(2), streams, { v8Flags });
