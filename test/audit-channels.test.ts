// The install channel of a command line (lib/audit/launch-command.ts): which feed it fetches
// from and whether the launch pins what it fetches. Unpinned package-feed launches fail risk 3.

import assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import { launchChannel, npmSpecPinned, pythonSpecPinned } from '../lib/audit/launch-command.ts';

describe('audit: install channels of command lines', () => {
  it('npm specs are pinned only by an exact version', () => {
    const pinned = ['pkg@1.2.3', '@scope/pkg@1.2.3', 'pkg@1.2.3-beta.1', '@modelcontextprotocol/server-memory@2026.8.31'];
    const unpinned = ['pkg', '@scope/pkg', 'pkg@latest', 'pkg@^1.2.3', 'pkg@~1.2', 'pkg@1', 'pkg@1.x', 'pkg@>=1.0.0', 'github:owner/repo', ''];
    assert.deepEqual(pinned.filter((spec) => !npmSpecPinned(spec)), []);
    assert.deepEqual(unpinned.filter((spec) => npmSpecPinned(spec)), []);
  });

  it('Python specs are pinned only by == (or uv\'s @) and one exact version', () => {
    const pinned = ['mcp-server-fetch==2025.4.7', 'pkg[extra]==1.0', 'pkg@1.0.0', 'pkg===1.0'];
    const unpinned = ['mcp-server-fetch', 'pkg>=1.0', 'pkg~=1.0', 'pkg==1.*', 'pkg!=1.0', 'pkg==1.0,<2', 'git+https://github.com/a/b'];
    assert.deepEqual(pinned.filter((spec) => !pythonSpecPinned(spec)), []);
    assert.deepEqual(unpinned.filter((spec) => pythonSpecPinned(spec)), []);
  });

  it('classifies each launcher and finds what it launches', () => {
    const rows: [string, string[], string][] = [
      ['npx', ['-y', '@acme/notes@1.0.0'], 'npx @acme/notes@1.0.0 pinned'],
      ['npx', ['--yes', '-p', 'notes@2.0.0', 'notes-cli'], 'npx notes@2.0.0 pinned'],
      ['npm', ['exec', '--', 'notes'], 'npx notes unpinned'],
      ['pnpm', ['dlx', 'notes@latest'], 'npx notes@latest unpinned'],
      ['bunx', ['notes'], 'npx notes unpinned'],
      ['C:\\Program Files\\nodejs\\npx.cmd', ['-y', 'notes'], 'npx notes unpinned'],
      ['uvx', ['--from', 'notes==1.0.0', 'notes-server'], 'uvx notes==1.0.0 pinned'],
      ['uvx', ['mcp-server-git'], 'uvx mcp-server-git unpinned'],
      ['uv', ['tool', 'run', 'notes==1.0'], 'uvx notes==1.0 pinned'],
      ['pipx', ['run', 'notes==1.0'], 'pipx notes==1.0 pinned'],
      ['pipx', ['run', '--spec', 'notes', 'notes-server'], 'pipx notes unpinned'],
      ['docker', ['run', '-i', '--rm', '-e', 'TOKEN', `ghcr.io/acme/notes@sha256:${'c'.repeat(64)}`], `docker ghcr.io/acme/notes@sha256:${'c'.repeat(64)} pinned`],
      ['docker', ['run', '-i', '--rm', '-v', '/tmp:/tmp', 'acme/notes:1.0.0'], 'docker acme/notes:1.0.0 unpinned'],
      ['podman', ['run', 'acme/notes'], 'docker acme/notes unpinned'],
      ['mcpseal', ['run', 'notes'], 'mcpseal notes pinned'],
      ['node', ['/opt/notes/index.js'], 'local /opt/notes/index.js unpinned'],
      ['python3', ['-m', 'notes'], 'other python3 -m notes unpinned'],
      ['./bin/notes', [], 'local ./bin/notes unpinned'],
    ];
    for (const [command, args, expected] of rows) {
      const launch = launchChannel(command, args);
      assert.equal(`${launch.channel} ${launch.target} ${launch.pinned ? 'pinned' : 'unpinned'}`, expected, `${command} ${args.join(' ')}`);
    }
  });

  it('docker host escapes: --privileged, host namespaces, the host root or the docker socket mounted', () => {
    const escapes = (args: string[]): string[] => launchChannel('docker', ['run', ...args, 'img@sha256:' + 'd'.repeat(64)]).escapes;
    assert.deepEqual(escapes(['--privileged']), ['--privileged']);
    assert.deepEqual(escapes(['--network', 'host']), ['--network=host']);
    assert.deepEqual(escapes(['--pid=host']), ['--pid=host']);
    assert.deepEqual(escapes(['-v', '/:/host']), ['-v=/:/host']);
    assert.deepEqual(escapes(['-v', '/var/run/docker.sock:/var/run/docker.sock']), ['-v=/var/run/docker.sock:/var/run/docker.sock']);
    assert.deepEqual(escapes(['-v', '/tmp/data:/data', '--network', 'bridge']), []);
  });

  it('shell wrappers are classified by what they run and marked as shells', () => {
    const launch = launchChannel('cmd', ['/c', 'npx', '-y', 'notes']);
    assert.deepEqual([launch.channel, launch.target, launch.pinned, launch.shell], ['npx', 'notes', false, true]);
    const inline = launchChannel('bash', ['-c', 'uvx notes==1.0']);
    assert.deepEqual([inline.channel, inline.target, inline.pinned, inline.shell], ['uvx', 'notes==1.0', true, true]);
    assert.deepEqual(launchChannel('sh', ['./start.sh']).channel, 'other');
  });
});
