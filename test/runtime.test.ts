// Issue 14 item 7: a fresh machine with an older Node. The machine's own Node 20 (what Debian and
// Ubuntu ship; CI machines have it) runs the launcher, the npm scripts' check and an import of
// the library in real child processes: each stops with one line (or one coded error) naming the
// version needed and how to get it, never a stack trace. Not skipped when Node 20 is missing:
// the test then fails and says so.

import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { SUPPORTED_NODE, isSupportedNode, unsupportedNodeMessage } from '../lib/runtime.ts';
import { BIN, ROOT } from './helpers/cli.ts';

/** Every `node` on PATH and /usr/bin/node, with its version. */
function nodesOnMachine(): { path: string; version: string }[] {
  const which = spawnSync('which', ['-a', 'node'], { encoding: 'utf8' });
  const paths = new Set([...(which.stdout ?? '').split('\n').filter(Boolean), '/usr/bin/node', '/usr/local/bin/node'].filter((path) => existsSync(path)));
  return [...paths].map((path) => ({ path, version: execFileSync(path, ['-p', 'process.versions.node'], { encoding: 'utf8' }).trim() }));
}

/** The machine's too-old Node (20 on Debian and Ubuntu): the test fails loudly when there is none. */
function oldNode(): { path: string; version: string } {
  const found = nodesOnMachine();
  const old = found.find((node) => !isSupportedNode(node.version));
  if (!old) assert.fail(`no Node older than ${SUPPORTED_NODE} on this machine (found: ${found.map((n) => `${n.path} ${n.version}`).join(', ') || 'none'}): install the distribution's nodejs (Node 20) to run this test`);
  return old;
}

const ONE_LINE = (version: string): string =>
  `mcpseal: USAGE_UNSUPPORTED_RUNTIME: Node ${version} is not supported; mcpseal needs Node ^22.22.2 or >=24.15: install Node 24 (https://nodejs.org), or run with npx -y -p node@24 -c 'mcpseal ...'\n`;

describe('issue 14 item 7: an older Node stops with one line naming the version needed and how to get it', function () {
  this.timeout(60_000);

  it('issue 14 item 7: bin/mcpseal.js on the machine\'s Node 20: one line on stderr, nothing on stdout, exit 2', () => {
    const node = oldNode();
    for (const args of [['inspect', 'x.mcpb'], ['verify', 'a.mcpb', 'b.mcpb', '--recursive'], ['--version'], []]) {
      const result = spawnSync(node.path, [BIN, ...args], { cwd: ROOT, encoding: 'utf8' });
      assert.equal(result.status, 2, `${args.join(' ')}: ${result.stderr}`);
      assert.equal(result.stderr, ONE_LINE(node.version), 'exactly one line, no stack trace');
      assert.equal(result.stdout, '');
    }
    const json = spawnSync(node.path, [BIN, 'verify', 'x.mcpb', '--json'], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(json.status, 2);
    assert.deepEqual(JSON.parse(json.stdout), {
      ok: false,
      error: { code: 'USAGE_UNSUPPORTED_RUNTIME', message: unsupportedNodeMessage(node.version), details: { expected: SUPPORTED_NODE, found: node.version } },
    });
  });

  it('issue 14 item 7: the npm scripts\' check (prebuild, pretest: node bin/node-check.js) on Node 20: the same one line, exit 2', () => {
    const node = oldNode();
    const result = spawnSync(node.path, [join(ROOT, 'bin', 'node-check.js')], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(result.status, 2);
    assert.equal(result.stderr, ONE_LINE(node.version));
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    assert.equal(pkg.scripts['prebuild'], 'node bin/node-check.js', 'npm ci (prepare -> build) checks first');
    assert.equal(pkg.scripts['pretest'], 'node bin/node-check.js');
    // On this Node the check passes silently.
    assert.equal(spawnSync(process.execPath, [join(ROOT, 'bin', 'node-check.js')], { encoding: 'utf8' }).status, 0);
  });

  it('issue 14 item 7: importing the library on Node 20 throws one coded error (USAGE_UNSUPPORTED_RUNTIME), not a link error', () => {
    const node = oldNode();
    const entry = pathToFileURL(join(ROOT, 'dist', 'index.js')).href;
    const script = `import(${JSON.stringify(entry)}).then(() => console.log('loaded'), (e) => console.log(JSON.stringify({ name: e.name, code: e.code, message: e.message })))`;
    const result = spawnSync(node.path, ['-e', script], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(result.stderr, '');
    assert.deepEqual(JSON.parse(result.stdout), { name: 'MCPSealError', code: 'USAGE_UNSUPPORTED_RUNTIME', message: unsupportedNodeMessage(node.version) });
  });

  it('issue 14 item 7: the launcher\'s rule (bin/node-check.js) and the library\'s (lib/runtime.ts) agree, and match package.json engines', async () => {
    const bin = (await import(pathToFileURL(join(ROOT, 'bin', 'node-check.js')).href)) as { SUPPORTED_NODE: string; isSupportedNode(v: string): boolean; unsupportedNodeMessage(v: string): string };
    const table: [string, boolean][] = [
      ['18.20.0', false],
      ['20.20.2', false],
      ['22.22.1', false],
      ['22.22.2', true],
      ['22.23.0', true],
      ['23.11.0', false],
      ['24.14.9', false],
      ['24.15.0', true],
      ['25.0.0', true],
    ];
    for (const [version, supported] of table) {
      assert.equal(isSupportedNode(version), supported, version);
      assert.equal(bin.isSupportedNode(version), supported, `bin: ${version}`);
      assert.equal(bin.unsupportedNodeMessage(version), unsupportedNodeMessage(version));
    }
    assert.equal(bin.SUPPORTED_NODE, SUPPORTED_NODE);
    const engines = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string } }).engines.node;
    assert.equal(engines.replace(/\.0$/u, ''), SUPPORTED_NODE);
  });
});
