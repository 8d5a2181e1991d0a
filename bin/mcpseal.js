#!/usr/bin/env node
// Thin launcher: check the runtime, then hand over to the compiled CLI (dist/cli).
// The Sigstore 5 packages mcpseal builds on need Node ^22.22.2 or >=24.15.
const [major, minor, patch] = process.versions.node.split('.').map(Number);
const supported = major > 24 || (major === 24 && minor >= 15) || (major === 22 && (minor > 22 || (minor === 22 && patch >= 2)));
if (!supported) {
  process.stderr.write(`mcpseal: USAGE_UNSUPPORTED_RUNTIME: Node ${process.versions.node} is not supported; mcpseal needs Node ^22.22.2 or >=24.15\n`);
  process.exit(2);
}
const { main } = await import('../dist/cli/main.js');
process.exitCode = await main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env });
