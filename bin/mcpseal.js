#!/usr/bin/env node
// Thin launcher: check the runtime, then hand over to the compiled CLI (dist/cli).
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 22)) {
  process.stderr.write(`mcpseal: USAGE_UNSUPPORTED_RUNTIME: Node ${process.versions.node} is too old; mcpseal needs Node >= 22.22\n`);
  process.exit(2);
}
const { main } = await import('../dist/cli/main.js');
process.exitCode = await main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env });
