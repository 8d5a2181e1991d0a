// Red-team review of issues 9 and 10 (hardened profile, archive, verify): spellings of the refused
// classes that still validated, each with the class it belongs to. Every input here validated
// clean (or with a warning only) before its fix.

import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Archive, bufferSource, completePolicy, GITHUB_ACTIONS_ISSUER, isMCPSealError, parseManifest, validateEntryName, validateManifest, type Finding } from '../lib/index.ts';
import { ROOT } from './helpers/cli.ts';
import { buildZip, bundleEntries } from './helpers/zip-builder.ts';

type Manifest = Record<string, any>;

const EXAMPLE: Manifest = JSON.parse(await readFile(join(ROOT, 'examples/hello-bundle/manifest.json'), 'utf8'));
const NODE_ENTRY = '${__dirname}/server/index.js';
const PY_ENTRY = '${__dirname}/server/main.py';
const ARGS = '/server/mcp_config/args';
const COMMAND = '/server/mcp_config/command';

/** The example with another command line; uv needs manifest 0.4, python and uv a Python entry point. */
function withCommand(type: string, command: string, args: string[]): Manifest {
  const copy = structuredClone(EXAMPLE);
  copy['server']['type'] = type;
  if (type !== 'node') copy['server']['entry_point'] = 'server/main.py';
  if (type === 'uv') copy['manifest_version'] = '0.4';
  copy['server']['mcp_config'] = { command, args, env: {} };
  copy['_meta']['dev.mcpseal']['scopes']['env'] = { read: [], secrets: [] };
  // Paths outside the bundle are declared, so only the launch checks can refuse these.
  copy['_meta']['dev.mcpseal']['scopes']['filesystem']['read'].push('/tmp');
  return copy;
}

function errors(manifest: Manifest): string[] {
  return validateManifest(manifest).findings.filter((finding: Finding) => finding.severity === 'error').map((finding) => `${finding.code} ${finding.pointer}`);
}

describe('red team: hardened-profile spellings that validated', () => {
  // [class, type, command, args, expected error "CODE /pointer"]
  const BYPASSES: Array<[string, string, string, string[], string]> = [
    // A value-taking Node option missing from the argv model swallowed the script, so what Node
    // runs next (inline code, a relative script) was never read.
    ['node option table', 'node', 'node', ['--report-signal', NODE_ENTRY, '-e', 'process.exit(7)'], `MANIFEST_INLINE_CODE ${ARGS}/2`],
    ['node option table', 'node', 'node', ['--secure-heap', NODE_ENTRY, 'evil.js'], `MANIFEST_CODE_OUTSIDE_BUNDLE ${ARGS}/2`],
    ['node option table', 'node', 'node', ['--watch-kill-signal', NODE_ENTRY, '--import=data:text/javascript,x'], `MANIFEST_INLINE_CODE ${ARGS}/2`],
    ['node option table', 'node', 'node', ['--cpu-prof', '--cpu-prof-name', NODE_ENTRY, '/tmp/evil.js'], `MANIFEST_CODE_OUTSIDE_BUNDLE ${ARGS}/3`],
    // Options that load a module: the test runner's reporter and global setup, a package map.
    ['node module loaders', 'node', 'node', ['--test', '--test-reporter=./evil.mjs', NODE_ENTRY], `MANIFEST_CODE_OUTSIDE_BUNDLE ${ARGS}/1`],
    ['node module loaders', 'node', 'node', ['--test', '--test-reporter', 'data:text/javascript,x', NODE_ENTRY], `MANIFEST_INLINE_CODE ${ARGS}/1`],
    ['node module loaders', 'node', 'node', ['--test', '--test-global-setup=/tmp/setup.mjs', NODE_ENTRY], `MANIFEST_CODE_OUTSIDE_BUNDLE ${ARGS}/1`],
    ['node module loaders', 'node', 'node', ['--experimental-package-map=/tmp/map.json', NODE_ENTRY], `MANIFEST_CODE_OUTSIDE_BUNDLE ${ARGS}/0`],
    // A URL as the script: `--entry-url` runs a data: URL as the entry point.
    ['script URL', 'node', 'node', ['--entry-url', 'data:text/javascript,process.exit(7)', NODE_ENTRY], `MANIFEST_INLINE_CODE ${ARGS}/1`],
    ['debugger', 'node', 'node', ['--inspect-brk-node', NODE_ENTRY], `MANIFEST_DEBUGGER ${ARGS}/0`],
    // Python modules that run the code named after them, or code from stdin or their arguments.
    ['python runner modules', 'python', 'python3', ['-m', 'timeit', 'import os; os.system("id")', PY_ENTRY], `MANIFEST_INLINE_CODE ${ARGS}/0`],
    ['python runner modules', 'python', 'python3', ['-m', 'asyncio', PY_ENTRY], `MANIFEST_INLINE_CODE ${ARGS}/0`],
    ['python runner modules', 'python', 'python3', ['-m', 'cProfile', '/tmp/evil.py', PY_ENTRY], `MANIFEST_CODE_OUTSIDE_BUNDLE ${ARGS}/0`],
    ['python runner modules', 'python', 'python3', ['-mrunpy', 'evil', PY_ENTRY], `MANIFEST_CODE_OUTSIDE_BUNDLE ${ARGS}/0`],
    ['python runner modules', 'python', 'python3', ['-m', 'unittest', 'discover', '-s', '/tmp', PY_ENTRY], `MANIFEST_CODE_OUTSIDE_BUNDLE ${ARGS}/0`],
    ['python runner modules', 'python', 'python3', ['-m', 'trace', '--count', 'evil.py', PY_ENTRY], `MANIFEST_CODE_OUTSIDE_BUNDLE ${ARGS}/0`],
    // PYTHONPYCACHEPREFIX is refused in env; its -X form ran bytecode from another tree too.
    ['python bytecode elsewhere', 'python', 'python3', ['-X', 'pycache_prefix=/tmp/pyc', PY_ENTRY], `MANIFEST_ENV_INJECTION ${ARGS}/0`],
    ['python bytecode elsewhere', 'python', 'python3', ['-Xpycache_prefix=/tmp/pyc', PY_ENTRY], `MANIFEST_ENV_INJECTION ${ARGS}/0`],
    // uv: an interpreter or project that is not the bundle's, the option forms of the refused UV_* env.
    ['uv outside code', 'uv', 'uv', ['run', '--python', '/tmp/evil/python', PY_ENTRY], `MANIFEST_CODE_OUTSIDE_BUNDLE ${ARGS}/1`],
    ['uv outside code', 'uv', 'uv', ['run', '-p/tmp/evil/python', PY_ENTRY], `MANIFEST_CODE_OUTSIDE_BUNDLE ${ARGS}/1`],
    ['uv outside code', 'uv', 'uv', ['run', '--project', '/tmp/project', PY_ENTRY], `MANIFEST_CODE_OUTSIDE_BUNDLE ${ARGS}/1`],
    ['uv outside code', 'uv', 'uv', ['--directory', '/tmp/project', 'run', PY_ENTRY], `MANIFEST_CODE_OUTSIDE_BUNDLE ${ARGS}/0`],
    ['uv outside code', 'uv', 'uv', ['--directory', '${__dirname}', 'run', '../evil.py', PY_ENTRY], `MANIFEST_CODE_OUTSIDE_BUNDLE ${ARGS}/3`],
    ['uv outside code', 'uv', 'uv', ['--directory', '${__dirname}', 'run', 'python', 'server/../../evil.py', PY_ENTRY], `MANIFEST_CODE_OUTSIDE_BUNDLE ${ARGS}/4`],
    ['uv package sources', 'uv', 'uv', ['run', '--index-url', 'https://evil.example/simple', PY_ENTRY], `MANIFEST_ENV_INJECTION ${ARGS}/1`],
    ['uv package sources', 'uv', 'uv', ['run', '--default-index=https://evil.example/simple', PY_ENTRY], `MANIFEST_ENV_INJECTION ${ARGS}/1`],
    ['uv package sources', 'uv', 'uv', ['run', '-f', 'https://evil.example/wheels/', PY_ENTRY], `MANIFEST_ENV_INJECTION ${ARGS}/1`],
    ['uv package sources', 'uv', 'uv', ['--config-file', '/tmp/uv.toml', 'run', PY_ENTRY], `MANIFEST_ENV_INJECTION ${ARGS}/0`],
    ['uv stdin script', 'uv', 'uv', ['run', '-', PY_ENTRY], `MANIFEST_INLINE_CODE ${ARGS}/1`],
    // Interpreters other than the runtime, nested where the command type check does not reach.
    ['other interpreters', 'uv', 'uv', ['run', 'perl', '-e', 'system("id")', PY_ENTRY], `MANIFEST_SHELL_COMMAND ${ARGS}/1`],
    ['other interpreters', 'uv', 'uv', ['run', 'ruby', '-e', 'x', PY_ENTRY], `MANIFEST_SHELL_COMMAND ${ARGS}/1`],
    ['other interpreters', 'uv', 'uv', ['run', 'awk', 'BEGIN{system("id")}', PY_ENTRY], `MANIFEST_SHELL_COMMAND ${ARGS}/1`],
    ['other interpreters', 'uv', 'uv', ['run', 'git', '-c', 'core.pager=id', 'log', PY_ENTRY], `MANIFEST_SHELL_COMMAND ${ARGS}/1`],
    ['other interpreters', 'uv', 'uv', ['run', 'vim', '-c', '!id', PY_ENTRY], `MANIFEST_SHELL_COMMAND ${ARGS}/1`],
    ['other interpreters', 'uv', 'uv', ['run', 'ssh', 'host', 'id', PY_ENTRY], `MANIFEST_SHELL_COMMAND ${ARGS}/1`],
    ['other interpreters', 'uv', 'uv', ['run', 'xargs', '-a', '/tmp/args', 'python', PY_ENTRY], `MANIFEST_SHELL_COMMAND ${ARGS}/1`],
    ['other interpreters', 'uv', 'uv', ['run', 'ipython', '-c', 'x', PY_ENTRY], `MANIFEST_SHELL_COMMAND ${ARGS}/1`],
    ['other interpreters', 'uv', 'uv', ['run', 'mshta', 'x', PY_ENTRY], `MANIFEST_SHELL_COMMAND ${ARGS}/1`],
    ['python spellings', 'uv', 'uv', ['run', 'python3-dbg', '-c', 'x', PY_ENTRY], `MANIFEST_INLINE_CODE ${ARGS}/2`],
    // A wrapper's program given by its path is the command: one outside the bundle is not its code.
    ['wrapped program path', 'uv', 'uv', ['run', 'timeout', '5', '/tmp/evil', PY_ENTRY], `MANIFEST_CODE_OUTSIDE_BUNDLE ${ARGS}/3`],
    ['wrapped program path', 'uv', 'uv', ['run', 'env', '${HOME}/evil', PY_ENTRY], `MANIFEST_CODE_OUTSIDE_BUNDLE ${ARGS}/2`],
    // A runtime named by a path the working directory, the user's files or an install-time value decides.
    ['runtime path', 'node', './node', [NODE_ENTRY], `MANIFEST_UNSAFE_PATH ${COMMAND}`],
    ['runtime path', 'node', 'bin/node', [NODE_ENTRY], `MANIFEST_UNSAFE_PATH ${COMMAND}`],
    ['runtime path', 'node', '~/node', [NODE_ENTRY], `MANIFEST_UNSAFE_PATH ${COMMAND}`],
    ['runtime path', 'node', '${DOCUMENTS}/node', [NODE_ENTRY], `MANIFEST_UNSAFE_PATH ${COMMAND}`],
    ['runtime path', 'node', '${user_config.notes_directory}/node', [NODE_ENTRY], `MANIFEST_UNSAFE_PATH ${COMMAND}`],
    ['runtime path', 'python', '\\\\evil-host\\share\\python3.exe', [PY_ENTRY], `MANIFEST_UNSAFE_PATH ${COMMAND}`],
    // A batch file is run by cmd.exe, whatever its name: `node.cmd` is a shell.
    ['batch file', 'node', 'node.cmd', [NODE_ENTRY], `MANIFEST_SHELL_COMMAND ${COMMAND}`],
    ['batch file', 'node', 'C:\\nodejs\\NODE.BAT', [NODE_ENTRY], `MANIFEST_SHELL_COMMAND ${COMMAND}`],
    ['batch file', 'node', 'npx.cmd', [NODE_ENTRY], `MANIFEST_SHELL_COMMAND ${COMMAND}`],
  ];
  for (const [kind, type, command, args, expected] of BYPASSES) {
    it(`red team: ${kind}: ${command} ${args.slice(0, -1).join(' ')} is refused (${expected.split(' ')[0]})`, () => {
      const found = errors(withCommand(type, command, args));
      assert.ok(found.includes(expected), found.join('\n'));
    });
  }

  it('red team: the clean forms next to these stay clean', () => {
    const clean: Array<[string, string, string[]]> = [
      ['node', 'node', ['--test-reporter=spec', '--report-signal', 'SIGUSR2', NODE_ENTRY, 'stdio']],
      ['node', '/usr/local/bin/node', ['--max-old-space-size=512', NODE_ENTRY]],
      ['python', 'python3', ['-X', 'utf8', '-m', 'server', PY_ENTRY]],
      ['uv', 'uv', ['--directory', '${__dirname}', 'run', '--python', '3.12', 'server/main.py']],
      ['uv', 'uv', ['run', '--project', '${__dirname}', '--python', 'cpython@3.12', PY_ENTRY]],
      ['uv', 'uv', ['--directory', '${__dirname}', 'run', 'mcp-server-notes', PY_ENTRY]],
      ['uv', 'uv', ['run', 'nice', '-n', '5', '${__dirname}/server/main.py']],
    ];
    for (const [type, command, args] of clean) assert.deepEqual(errors(withCommand(type, command, args)), [], `${command} ${args.join(' ')}`);
  });
});

describe('red team: scope-path forms that passed (issue 9, finding 15)', () => {
  /** The example passing `arg` after its entry point, with `change` applied. */
  function passing(arg: string, change: (manifest: Manifest) => void = () => {}): string[] {
    const copy = structuredClone(EXAMPLE);
    copy['server']['mcp_config']['args'] = [NODE_ENTRY, arg];
    change(copy);
    return errors(copy);
  }
  const stringOption = (value: string) => (manifest: Manifest): void => {
    manifest['user_config']['sub'] = { type: 'string', title: 'Sub', description: 'A sub-directory', default: value };
  };
  const FORMS: Array<[string, string, ((manifest: Manifest) => void)?]> = [
    // A URL with an empty host names a local file, whatever its scheme.
    ['sqlite URL, absolute', 'sqlite:////etc/shadow'],
    ['--db= sqlite URL', '--db=sqlite:///etc/shadow'],
    ['git+file URL', 'git+file:///etc/ssh'],
    // A Windows root without a drive, another user's home, home spellings a server expands itself.
    ['backslash root', '\\Windows\\System32'],
    ['~user', '~root/.ssh'],
    ['$HOME', '$HOME/.ssh'],
    ['%USERPROFILE%', '--keys=%USERPROFILE%\\.ssh'],
    // The working directory (no filesystem.cwd grant), and above it.
    ['working directory', '--root=.'],
    ['above the working directory', '../../etc'],
    // A string default substituted where the text puts it.
    ['default climbing out of the bundle', '--root=${__dirname}/${user_config.sub}', stringOption('../../..')],
  ];
  for (const [name, arg, change] of FORMS) {
    it(`red team: ${name} (${arg}) is a path outside every scope`, () => {
      const found = passing(arg, change);
      assert.ok(found.includes(`SCOPE_PATH_OUTSIDE ${ARGS}/1`), found.join('\n'));
    });
  }

  it('red team: declared forms stay clean (the working directory with filesystem.cwd, sqlite:///${HOME} under its scope)', () => {
    assert.deepEqual(passing('--root=./data', (m) => (m['_meta']['dev.mcpseal']['scopes']['filesystem']['cwd'] = 'read')), []);
    assert.deepEqual(passing('sqlite:///${HOME}/notes.db', (m) => m['_meta']['dev.mcpseal']['scopes']['filesystem']['read'].push('${HOME}/notes.db')), []);
    assert.deepEqual(passing('--name=${user_config.sub}', stringOption('reports')), []);
  });
});

describe('red team: entry names Windows reads as something else', () => {
  // Device names (with any extension, trailing spaces, superscript digits), characters Windows
  // forbids, and 8.3 short names that open another entry's file.
  // Device names have their own code since issue 14 item 5 (ARCHIVE_WINDOWS_RESERVED_NAME).
  const NAMES: [string, string][] = [
    ['server/nul.js', 'ARCHIVE_WINDOWS_RESERVED_NAME'],
    ['AUX', 'ARCHIVE_WINDOWS_RESERVED_NAME'],
    ['server/aux .txt', 'ARCHIVE_WINDOWS_RESERVED_NAME'],
    ['com1.json', 'ARCHIVE_WINDOWS_RESERVED_NAME'],
    ['LPT\u00b9', 'ARCHIVE_WINDOWS_RESERVED_NAME'],
    ['conin$', 'ARCHIVE_WINDOWS_RESERVED_NAME'],
    ['server/a?.js', 'ARCHIVE_NAME_FORBIDDEN_CHAR'],
    ['x*', 'ARCHIVE_NAME_FORBIDDEN_CHAR'],
    ['a|b', 'ARCHIVE_NAME_FORBIDDEN_CHAR'],
    ['a<b>', 'ARCHIVE_NAME_FORBIDDEN_CHAR'],
    ['q"x', 'ARCHIVE_NAME_FORBIDDEN_CHAR'],
    ['PROGRA~1/x.js', 'ARCHIVE_NAME_FORBIDDEN_CHAR'],
    ['server/INDEX~1.JS', 'ARCHIVE_NAME_FORBIDDEN_CHAR'],
  ];
  for (const [name, code] of NAMES) {
    it(`red team: "${name}" is refused by the name rule and by the reader (${code})`, async () => {
      assert.equal(validateEntryName(name)?.code, code);
      const zip = buildZip([...bundleEntries(), { name, data: 'x' }]);
      await assert.rejects(Archive.open(bufferSource(zip)), (error) => isMCPSealError(error) && error.code === code);
    });
  }

  it('red team: names that only resemble them stay valid', () => {
    for (const name of ['console.js', 'nullish.js', 'auxiliary/x', 'comp.js', 'com10', 'file~backup', 'a~b.js', 'server/index~old.js.bak']) assert.equal(validateEntryName(name), null, name);
  });
});

describe('red team: identity patterns that name no one', () => {
  // With an issuer, hasIdentityPolicy took any pattern as naming a signer; these match anyone's.
  for (const pattern of ['.*', '.+', '(https://github\\.com/owner/repo/.*|.*)', 'https://github\\.com/.*', '[^@]*@?.*', 'https://github\\.com/[^/]+/[^/]+/\\.github/workflows/.+']) {
    it(`red team: --cert-identity-regexp ${pattern} is IDENTITY_POLICY_REQUIRED`, () => {
      assert.throws(() => completePolicy({ certIdentityRegexp: pattern, certOidcIssuer: GITHUB_ACTIONS_ISSUER }), (error) => isMCPSealError(error) && error.code === 'IDENTITY_POLICY_REQUIRED');
    });
  }

  it('red team: patterns that name a repository, an organisation or an address stay valid (and any pattern with --repo)', () => {
    for (const pattern of ['https://github\\.com/owner/repo/.*', '.*owner/repo.*', 'https://github\\.com/my-org/.+', 'me@example\\.com']) {
      assert.equal(completePolicy({ certIdentityRegexp: pattern, certOidcIssuer: GITHUB_ACTIONS_ISSUER }).certIdentityRegexp, pattern);
    }
    assert.equal(completePolicy({ certIdentityRegexp: '.*', repo: 'owner/repo' }).repo, 'owner/repo');
  });
});

describe('red team: environment that runs other code, beyond the first table', () => {
  /** The example with `key` set in its env (and declared, so only the env rules can refuse it). */
  function withEnv(key: string, value: string): string[] {
    const copy = structuredClone(EXAMPLE);
    copy['server']['mcp_config']['env'][key] = value;
    copy['_meta']['dev.mcpseal']['scopes']['env']['read'].push(key);
    copy['_meta']['dev.mcpseal']['scopes']['filesystem']['read'].push('/tmp');
    return errors(copy);
  }
  const REFUSED: Array<[string, string]> = [
    ['UV_PYTHON', '/tmp/evil/python'],
    ['UV_PYTHON_INSTALL_DIR', '/tmp/pythons'],
    ['UV_CACHE_DIR', '/tmp/uv-cache'],
    ['UV_OVERRIDE', '/tmp/overrides.txt'],
    ['UV_PYTHON_DOWNLOADS_JSON_URL', 'https://evil.example/downloads.json'],
    ['Uv_Index_Strategy', 'unsafe-best-match'],
    ['YARN_YARN_PATH', '/tmp/evil.cjs'],
    ['COREPACK_NPM_REGISTRY', 'https://evil.example'],
    ['DOTNET_STARTUP_HOOKS', '/tmp/hook.dll'],
    ['CORECLR_PROFILER_PATH', '/tmp/p.so'],
    ['LUA_INIT', 'os.execute("id")'],
    ['PHPRC', '/tmp'],
    ['R_PROFILE_USER', '/tmp/x.R'],
    ['ERL_AFLAGS', '-eval "os:cmd(\\"id\\")"'],
  ];
  for (const [key, value] of REFUSED) {
    it(`red team: env ${key} is MANIFEST_ENV_INJECTION`, () => {
      assert.ok(withEnv(key, value).includes(`MANIFEST_ENV_INJECTION /server/mcp_config/env/${key}`), withEnv(key, value).join('\n'));
    });
  }

  it('red team: the tuning variables of those families stay allowed', () => {
    for (const key of ['UV_THREADPOOL_SIZE', 'UV_FROZEN', 'UV_OFFLINE', 'DOTNET_ENVIRONMENT']) assert.deepEqual(withEnv(key, '1'), [], key);
  });
});

describe('red team: a manifest that reads two ways', () => {
  // JSON.parse keeps the last `server`, Go's encoding/json merges the second into the first: one
  // command line for the review, another for a host.
  const TEXTS = [
    '{"name":"x","server":{"type":"node","mcp_config":{"command":"node","args":["${__dirname}/server/index.js"]}},"server":{"type":"node"}}',
    '{"server":{"mcp_config":{"command":"bash"}},"\\u0073erver":{"mcp_config":{"command":"node"}}}',
    '{"a":[{"k":1,"k":2}]}',
  ];
  for (const text of TEXTS) {
    it(`red team: duplicate keys are MANIFEST_INVALID_JSON (${text.slice(0, 50)}...)`, () => {
      assert.throws(() => parseManifest(Buffer.from(text)), (error) => isMCPSealError(error) && error.code === 'MANIFEST_INVALID_JSON' && /twice/u.test(error.message));
    });
  }

  it('red team: equal keys in different objects, and keys inside string values, are fine', () => {
    assert.deepEqual(parseManifest(Buffer.from('{"a":{"k":1},"b":{"k":2},"c":"{\\"a\\":1,\\"a\\":2}","d":["k","k"]}')), { a: { k: 1 }, b: { k: 2 }, c: '{"a":1,"a":2}', d: ['k', 'k'] });
  });
});
