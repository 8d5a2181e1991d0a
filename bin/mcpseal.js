#!/usr/bin/env node
// Thin launcher: check the runtime, then hand over to the compiled CLI (dist/cli).
// The Sigstore 5 packages mcpseal builds on need Node ^22.22.2 or >=24.15.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
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
if (!existsSync(compiled)) {
  const error = {
    code: 'USAGE_NOT_BUILT',
    message: `mcpseal is not built (${fileURLToPath(compiled)} is missing): run "npm run build" in ${fileURLToPath(new URL('..', import.meta.url))}`,
    details: { path: fileURLToPath(compiled) },
  };
  process.stderr.write(`mcpseal: ${error.code}: ${error.message}\n`);
  if (process.argv.slice(2).includes('--json')) process.stdout.write(`${JSON.stringify({ ok: false, error }, null, 2)}\n`);
  process.exit(2);
}
const { main } = await import(compiled.href);
process.exitCode = await main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env, signal: interrupt.signal });
