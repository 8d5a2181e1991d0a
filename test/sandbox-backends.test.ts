// The sandbox backends on their output (issue 12 item 2): the bubblewrap command line and the
// Seatbelt profile built from a plan, checked as text (pure functions; the real sandbox is in
// sandbox-escape.test.ts), the ELF loader lookup the Landlock rules need, and the host side of the
// egress (the CONNECT proxy and the loopback forwards) on real sockets.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, realpathSync } from 'node:fs';
import { mkdir, symlink } from 'node:fs/promises';
import { connect, createServer, type AddressInfo, type Server } from 'node:net';
import { networkInterfaces } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'mocha';
import { bwrapArgv, nodePermissionFlags, skeletonDirectories } from '../lib/launch/bwrap.ts';
import { parseRequest, startEgress, type DeniedEgress, type Egress } from '../lib/launch/egress.ts';
import { environmentAllowsGate, nodeMayWaitItself } from '../lib/launch/gate.ts';
import { elfInterpreter, launcherArgv, type LauncherConfig } from '../lib/launch/landlock.ts';
import { resolveProgram } from '../lib/launch/machine.ts';
import { planWarnings } from '../lib/launch/sandbox.ts';
import { launchPlan, type LaunchEntry, type LaunchPlan } from '../lib/launch/plan.ts';
import { sbplString, seatbeltProfile } from '../lib/launch/seatbelt.ts';
import type { LaunchSetup } from '../lib/launch/setup.ts';
import { tempDir } from './helpers/cli.ts';
import { launchEntry } from './helpers/launch-entry.ts';

const SHA = 'b'.repeat(64);

function plan(grants: Partial<LaunchEntry['grants']> = {}, platform: 'linux' | 'darwin' = 'linux'): LaunchPlan {
  const entry = launchEntry({ sha256: SHA, grants: { read: ['/home/alice/notes'], write: ['/home/alice/out'], ...grants } });
  return launchPlan(entry, { server: { type: 'node', mcp_config: { command: 'node', args: ['${__dirname}/server/index.js'] } } }, { platform, store: '/store', home: '/home/alice' }, { SECRET: 'x' });
}

function setup(over: Partial<LaunchSetup> = {}): LaunchSetup {
  return {
    command: '/opt/node/bin/node',
    interpreterPaths: ['/opt/node/bin/node', '/opt/node/lib'],
    nodeMajor: 24,
    runtimeDir: '/tmp/mcpseal-run-x',
    forwards: [],
    proxyPort: null,
    socat: null,
    launcher: {
      perl: '/tmp/mcpseal-run-x/bin/perl',
      bind: [],
      allowExec: ['/opt/node/bin/node', '/lib64/ld-linux-x86-64.so.2'],
      remove: ['/tmp/mcpseal-run-x/bin/perl'],
    },
    gate: null,
    compileCache: null,
    staged: [],
    ...over,
  };
}

/** The `--flag SRC DEST` triples of a bwrap argv, as "flag path". */
function binds(argv: readonly string[]): string[] {
  const found: string[] = [];
  argv.forEach((arg, i) => {
    if (/^--(?:ro-)?bind(?:-try)?$/u.test(arg)) found.push(`${arg} ${argv[i + 1]}`);
  });
  return found;
}

const afterDashes = (argv: readonly string[]): string[] => argv.slice(argv.indexOf('--') + 1);

/** The launcher's arguments in a bwrap argv, read back (landlock.ts launcherArgv writes them). */
function launcherOf(argv: readonly string[]): LauncherConfig & { perl: string; server: string[] } {
  const inside = afterDashes(argv);
  assert.deepEqual(inside.slice(1, 3), ['-t', '-e']);
  assert.equal(inside[4], '--');
  const rest = inside.slice(5);
  const list = (): string[] => rest.splice(0, Number(rest.shift()));
  const gate = rest.shift()!;
  const socat = rest.shift()!;
  const unset = list();
  const landlock = rest.shift() === '1';
  const allow = list();
  const remove = list();
  const flat = list();
  assert.equal(rest.shift(), '--');
  const forwards = Array.from({ length: flat.length / 2 }, (_, i): [number, string] => [Number(flat[2 * i]), flat[2 * i + 1]!]);
  return { perl: inside[0]!, gate: gate === '-' ? null : Number(gate), socat: socat === '-' ? null : socat, unset, allow: landlock ? allow : null, remove, forwards, server: rest };
}

describe('bwrap argv', () => {
  it('new user, pid, ipc, uts and net namespaces, no capabilities, no nested user namespaces, dies with its parent, a new session, a cleared environment', () => {
    const argv = bwrapArgv(plan(), setup());
    for (const flag of ['--unshare-user', '--unshare-pid', '--unshare-ipc', '--unshare-uts', '--unshare-net', '--disable-userns', '--die-with-parent', '--new-session', '--clearenv']) {
      assert.ok(argv.includes(flag), flag);
    }
    assert.equal(argv[argv.indexOf('--cap-drop') + 1], 'ALL');
    assert.ok(!argv.includes('--share-net'));
  });

  it('the environment is exactly the plan\'s (--setenv), the parent\'s never', () => {
    const argv = bwrapArgv(plan(), setup());
    const set = Object.fromEntries(argv.flatMap((arg, i) => (arg === '--setenv' ? [[argv[i + 1], argv[i + 2]]] : [])));
    // PERL_BADLANG is the launcher's own, removed before the server runs (launcherOf(...).unset).
    assert.deepEqual(Object.keys(set).sort(), ['HOME', 'LANG', 'PATH', 'PERL_BADLANG']);
    assert.deepEqual(launcherOf(argv).unset, ['PERL_BADLANG']);
    assert.equal(set['HOME'], '/store/home/notes');
    const bare = bwrapArgv(plan(), setup({ launcher: null }));
    assert.ok(!bare.includes('PERL_BADLANG'), 'no launcher, no launcher variable');
  });

  it('the filesystem: libraries, interpreter, tree and read grants read-only; write grants and the private home read-write; nothing of the home itself; no program directories with spawn empty', () => {
    const argv = bwrapArgv(plan(), setup());
    const list = binds(argv);
    assert.ok(list.includes(`--ro-bind /store/sha256/${SHA}`));
    assert.ok(list.includes('--ro-bind-try /home/alice/notes'));
    assert.ok(list.includes('--bind-try /home/alice/out'));
    assert.ok(list.includes('--bind /store/home/notes'));
    assert.ok(list.includes('--ro-bind /opt/node/bin/node') && list.includes('--ro-bind /opt/node/lib'));
    assert.ok(list.includes('--ro-bind-try /usr/lib'));
    for (const path of ['/home/alice', '/home', '/usr/bin', '/bin', '/usr/local/bin', '/opt/node', '/opt/node/bin', '/tmp']) {
      assert.ok(!list.some((item) => item.endsWith(` ${path}`)), `${path} is not bound`);
    }
    assert.deepEqual(argv.slice(argv.indexOf('--tmpfs'), argv.indexOf('--tmpfs') + 2), ['--tmpfs', '/tmp']);
    assert.ok(argv.indexOf('--tmpfs') < argv.indexOf('--ro-bind-try'), 'the private /tmp comes before any bind below it');
    const remount = argv.indexOf('--remount-ro');
    assert.equal(argv[remount + 1], '/');
    assert.ok(remount > argv.lastIndexOf('--bind'), 'the root is made read-only after every mount');
  });

  it('the directories made for the mount points are 0111 (the names beside a grant stay hidden); never a directory inside a bind', () => {
    const argv = bwrapArgv(plan(), setup());
    const chmods = argv.flatMap((arg, i) => (arg === '--chmod' ? [`${argv[i + 1]} ${argv[i + 2]}`] : []));
    assert.ok(chmods.includes('0111 /home/alice') && chmods.includes('0111 /home') && chmods.includes('0111 /store'));
    assert.deepEqual(skeletonDirectories(['/usr/lib', '/usr/lib/x', '/tmp/a/b']), ['/tmp/a', '/usr']);
  });

  it('a read grant inside a write grant stays read-only: parents are mounted first', () => {
    const argv = bwrapArgv(plan({ read: ['/home/alice/out/ro'], write: ['/home/alice/out'] }), setup());
    const list = binds(argv);
    assert.ok(list.indexOf('--bind-try /home/alice/out') < list.indexOf('--ro-bind-try /home/alice/out/ro'));
  });

  it('with process.spawn the program directories are visible and Landlock is not applied (allow: null)', () => {
    const argv = bwrapArgv(plan({ spawn: ['git'] }), setup());
    assert.ok(binds(argv).includes('--ro-bind-try /usr/bin'));
    assert.equal(launcherOf(argv).allow, null);
  });

  it('with process.spawn empty the launcher restricts execution to the interpreter and its loader, then runs the server', () => {
    const config = launcherOf(bwrapArgv(plan(), setup()));
    assert.equal(config.perl, '/tmp/mcpseal-run-x/bin/perl');
    assert.deepEqual(config.allow, ['/opt/node/bin/node', '/lib64/ld-linux-x86-64.so.2']);
    assert.deepEqual(config.remove, ['/tmp/mcpseal-run-x/bin/perl'], 'the launcher deletes its own perl copy before the server runs');
    assert.equal(config.server[0], '/opt/node/bin/node', 'argv[0] is the resolved interpreter, not "node" looked up on a PATH');
    assert.equal(config.server.at(-1), `/store/sha256/${SHA}/server/index.js`);
  });

  it('egress: the proxy variables (and NODE_USE_ENV_PROXY for Node), the runtime directory bound, the forwards and socat in the launcher config', () => {
    const forwards = [
      { port: 5432, socket: '/tmp/mcpseal-run-x/port-5432.sock' },
      { port: 3128, socket: '/tmp/mcpseal-run-x/proxy.sock' },
    ];
    const argv = bwrapArgv(plan({ egress: ['api.example.com:443', '127.0.0.1:5432'] }), setup({ forwards, proxyPort: 3128, socat: '/tmp/mcpseal-run-x/bin/socat' }));
    const set = Object.fromEntries(argv.flatMap((arg, i) => (arg === '--setenv' ? [[argv[i + 1], argv[i + 2]]] : [])));
    assert.equal(set['HTTPS_PROXY'], 'http://127.0.0.1:3128');
    assert.equal(set['HTTP_PROXY'], 'http://127.0.0.1:3128');
    assert.equal(set['NODE_USE_ENV_PROXY'], '1');
    assert.match(set['NO_PROXY'] ?? '', /127\.0\.0\.1/u);
    assert.ok(binds(argv).includes('--bind /tmp/mcpseal-run-x'));
    assert.ok(!binds(argv).some((item) => item.includes('socat')), 'socat runs from the runtime directory, never bound from /usr/bin');
    const config = launcherOf(argv);
    assert.equal(config.socat, '/tmp/mcpseal-run-x/bin/socat');
    assert.deepEqual(config.forwards, [
      [5432, '/tmp/mcpseal-run-x/port-5432.sock'],
      [3128, '/tmp/mcpseal-run-x/proxy.sock'],
    ]);
  });

  it('no egress: no proxy variables, no socat; without a launcher not even the runtime directory', () => {
    const argv = bwrapArgv(plan(), setup());
    assert.ok(!argv.slice(0, argv.indexOf('--')).some((arg) => /PROXY|socat/u.test(arg)));
    const bare = bwrapArgv(plan(), setup({ launcher: null }));
    assert.ok(!bare.some((arg) => /PROXY|socat|mcpseal-run-x/u.test(arg)));
    assert.deepEqual(launcherOf(argv).forwards, []);
  });
});

describe('Node permission flags (second belt)', () => {
  it('--permission with fs allowances from the plan; child processes, workers and addons only with their grants', () => {
    const none = nodePermissionFlags(plan(), 24);
    assert.equal(none[0], '--permission');
    assert.ok(none.includes(`--allow-fs-read=/store/sha256/${SHA}`) && none.includes('--allow-fs-write=/home/alice/out') && none.includes('--allow-fs-write=/store/home/notes'));
    assert.ok(!none.includes('--allow-fs-write=/home/alice/notes'), 'a read grant is not writable');
    for (const flag of ['--allow-child-process', '--allow-worker', '--allow-addons', '--allow-net']) assert.ok(!none.includes(flag), flag);
    const all = nodePermissionFlags(plan({ spawn: ['git'], workers: true, nativeAddons: true, egress: ['api.example.com:443'] }), 25);
    for (const flag of ['--allow-child-process', '--allow-worker', '--allow-addons', '--allow-net']) assert.ok(all.includes(flag), flag);
  });
});

describe('Seatbelt profile (text)', () => {
  const profileOf = (p: LaunchPlan, s: Partial<LaunchSetup> = {}): string => seatbeltProfile(p, setup({ launcher: null, ...s }));

  it('denies by default; reads below the system dirs, the interpreter, the tree and the grants; writes only below the write grants, the home and a private tmp', () => {
    const profile = profileOf(plan({}, 'darwin'));
    assert.match(profile, /^\(version 1\)\n\(deny default\)\n/u);
    const reads = /\(allow file-read\*\n([\s\S]*?)\n\)/u.exec(profile)![1]!;
    const writes = /\(allow file-write\*\n([\s\S]*?)\n\)/u.exec(profile)![1]!;
    for (const path of ['/usr/lib', `/store/sha256/${SHA}`, '/home/alice/notes', '/opt/node/lib']) assert.ok(reads.includes(`(subpath "${path}")`), path);
    assert.deepEqual(writes.split('\n').map((line) => line.trim()), ['(subpath "/home/alice/out")', '(subpath "/store/home/notes")', '(subpath "/tmp/mcpseal-run-x/tmp")']);
    assert.ok(!profile.includes('(subpath "/home/alice")'));
  });

  it('process.spawn empty: only the interpreter may be executed, no fork; with spawn, both allowed', () => {
    const profile = profileOf(plan({}, 'darwin'));
    assert.ok(profile.includes('(allow process-exec (literal "/opt/node/bin/node"))'));
    assert.ok(!profile.includes('process-fork'));
    assert.ok(profileOf(plan({ spawn: ['git'] }, 'darwin')).includes('(allow process-fork)'));
  });

  it('network: no rule at all without egress; outbound only to the proxy and declared loopback ports; inbound only with listen', () => {
    assert.ok(!profileOf(plan({}, 'darwin')).includes('network'));
    const profile = profileOf(plan({ egress: ['api.example.com:443', '127.0.0.1:5432'] }, 'darwin'), { proxyPort: 61000 });
    assert.ok(profile.includes('(remote tcp "localhost:61000")') && profile.includes('(remote tcp "localhost:5432")'));
    assert.ok(!profile.includes('api.example.com'), 'host names are the proxy\'s business');
    assert.ok(!profile.includes('network-inbound'));
    assert.ok(profileOf(plan({ listen: true }, 'darwin')).includes('(allow network-bind network-inbound (local tcp))'));
  });

  it('a path with a quote or backslash cannot close the SBPL string', () => {
    assert.equal(sbplString('/a"b\\c'), '"/a\\"b\\\\c"');
    const profile = profileOf(plan({ read: ['/x") (allow default) ("'] }, 'darwin'));
    assert.ok(!profile.includes('(allow default)"') && profile.includes('(subpath "/x\\") (allow default) (\\"")'));
  });
});

describe('the interpreter behind a command (machine.ts)', () => {
  it('a name on PATH is executed as its real binary; its prefix\'s lib/ is bound, never its bin/', () => {
    const node = resolveProgram('node', process.env['PATH'], '/nonexistent-home', ['-p', 'process.execPath']);
    assert.equal(node?.path, realpathSync(process.execPath));
    assert.equal(node?.invoke, node?.path);
    assert.ok(node?.bind.includes(node.path) && !node.bind.some((path) => path.endsWith('/bin')));
  });

  it('a command given as a path (a virtual environment\'s python symlink) is executed as written, its target bound', async () => {
    const tmp = await tempDir('mcpseal-venv-');
    try {
      await mkdir(join(tmp.path, 'venv', 'bin'), { recursive: true });
      await symlink(realpathSync(process.execPath), join(tmp.path, 'venv', 'bin', 'node'));
      const resolved = resolveProgram(join(tmp.path, 'venv', 'bin', 'node'), undefined, '/nonexistent-home');
      assert.equal(resolved?.invoke, join(tmp.path, 'venv', 'bin', 'node'));
      assert.equal(resolved?.path, realpathSync(process.execPath));
      assert.ok(resolved?.bind.includes(resolved.path));
    } finally {
      await tmp.cleanup();
    }
  });

  it('a binary whose prefix holds the home (~/bin/node) brings nothing of the home along: the binary alone', () => {
    const prefix = dirname(dirname(realpathSync(process.execPath)));
    const resolved = resolveProgram('node', process.env['PATH'], join(prefix, 'home-below-the-prefix'));
    assert.deepEqual(resolved?.bind, [resolved?.path]);
  });
});

describe('what the sandbox says it does not provide', () => {
  it('roots granted and none given, a granted working directory that is not shared, a listener that is unreachable: one warning each; none for a plain plan', () => {
    assert.deepEqual(planWarnings(plan()), []);
    const entry = launchEntry({ sha256: SHA, grants: { listen: true, runtime: { roots: 'read', cwd: 'write', userDriven: null } } });
    const refusedCwd = launchPlan(entry, { server: { type: 'node', mcp_config: { command: 'node', args: ['x.js'] } } }, { platform: 'linux', store: '/store', home: '/home/alice', cwd: '/home/alice' }, {});
    const warnings = planWarnings(refusedCwd);
    assert.equal(warnings.length, 3);
    assert.match(warnings.join('\n'), /MCP roots \(read\) and no directory was given with --root[\s\S]*working directory \(write\), which is not shared \(\/home\/alice: it is the home directory itself\)[\s\S]*not reachable from outside/u);
    assert.equal(refusedCwd.workdir, `/store/sha256/${SHA}`, 'a refused working directory: the server starts in its tree');
  });
});

describe('the start gate (launch/gate.ts): what may start before the re-hash passed', () => {
  it('a declared LD_PRELOAD, LD_LIBRARY_PATH, LD_AUDIT or GLIBC_TUNABLES (read by the loader of our own launcher) means no gate', () => {
    assert.equal(environmentAllowsGate({ PATH: '/usr/bin', HOME: '/h', API_KEY: 'x' }), true);
    for (const key of ['LD_PRELOAD', 'LD_LIBRARY_PATH', 'LD_AUDIT', 'GLIBC_TUNABLES']) assert.equal(environmentAllowsGate({ [key]: '/store/sha256/x/evil.so' }), false, key);
  });

  it('a Node server waits in its own interpreter only when nothing of the bundle can run before an --import: Node >= 22, not a binary of the tree, no NODE_OPTIONS, no Node flags of the manifest', () => {
    assert.equal(nodeMayWaitItself(false, { PATH: '/usr/bin' }, ['/store/sha256/x/server/index.js'], 24), true);
    assert.equal(nodeMayWaitItself(true, {}, ['/store/sha256/x/server/index.js'], 24), false, 'the interpreter is a file of the bundle');
    assert.equal(nodeMayWaitItself(false, { NODE_OPTIONS: '--require /store/sha256/x/evil.js' }, ['index.js'], 24), false);
    assert.equal(nodeMayWaitItself(false, {}, ['--require', '/store/sha256/x/evil.js', 'index.js'], 24), false);
    assert.equal(nodeMayWaitItself(false, {}, ['index.js'], 20), false);
    assert.equal(nodeMayWaitItself(false, {}, ['index.js'], null), false, 'not Node');
  });

  it('the Node gate is an --import after the permission flags; the launcher gate is the launcher\'s config', () => {
    const node = afterDashes(bwrapArgv(plan(), setup({ gate: 'node' })));
    const flag = node.findIndex((arg) => arg.startsWith('--import=data:text/javascript,'));
    assert.ok(flag > node.indexOf('--permission') && flag < node.indexOf(`/store/sha256/${SHA}/server/index.js`));
    assert.equal(launcherOf(bwrapArgv(plan(), setup({ gate: 'node' }))).gate, null);
    const launcher = afterDashes(bwrapArgv(plan(), setup({ gate: 'launcher' })));
    assert.equal(launcherOf(bwrapArgv(plan(), setup({ gate: 'launcher' }))).gate, 4);
    assert.ok(!launcher.some((arg) => arg.startsWith('--import=')));
  });

  it('the compile cache: the tree\'s own directory bound read-write and allowed to Node, switched on by the gate after the go byte, never through NODE_COMPILE_CACHE', () => {
    const cache = `/store/cache/node/${SHA}`;
    const argv = bwrapArgv(plan(), setup({ gate: 'node', compileCache: cache }));
    assert.ok(binds(argv).includes(`--bind ${cache}`));
    const inside = afterDashes(argv);
    assert.ok(inside.includes(`--allow-fs-read=${cache}`) && inside.includes(`--allow-fs-write=${cache}`));
    assert.ok(!argv.some((arg) => arg.includes('NODE_COMPILE_CACHE')));
    const source = decodeURIComponent(inside.find((arg) => arg.startsWith('--import=data:text/javascript,'))!.slice('--import=data:text/javascript,'.length));
    const enabled = source.indexOf(`enableCompileCache(${JSON.stringify(cache)})`);
    assert.ok(enabled > source.indexOf('process.exit(125)') && source.indexOf('process.exit(125)') > source.indexOf('readSync(4'), source);
    // Without it (no Node gate): no cache, no bind.
    const plain = bwrapArgv(plan(), setup({ gate: 'node' }));
    assert.ok(!plain.some((arg) => arg.includes('/store/cache') || arg.includes('enableCompileCache')));
  });
});

describe('the perl launcher (launch/landlock.ts), run outside a sandbox', () => {
  // Hostile-looking values: quotes, backslashes, newlines, a leading dash, an empty string, "--", non-ASCII.
  const odd = ['a "b" \\ c', 'line\nbreak', '-x', '', '--', 'nöde ☃', "it's"];
  const run = (config: Partial<LauncherConfig>, server: string[], env: NodeJS.ProcessEnv): ReturnType<typeof spawnSync> => {
    const argv = launcherArgv('/usr/bin/perl', { forwards: [], socat: null, allow: null, remove: [], gate: null, unset: [], ...config }, server);
    return spawnSync(argv[0]!, argv.slice(1), { env, encoding: 'utf8' });
  };

  it('executes the server with exactly its argv and environment, minus the launcher\'s own variables', () => {
    const script = 'process.stdout.write(JSON.stringify({ argv: process.argv.slice(1), env: process.env }))';
    const env = { PATH: '/usr/bin:/bin', ODD: 'x\ny "z"', PERL_BADLANG: '0', LANG: 'xx_XX.UTF-8' };
    const result = run({ unset: ['PERL_BADLANG'] }, [process.execPath, '-e', script, ...odd], env);
    assert.equal(result.status, 0, String(result.stderr));
    assert.equal(result.stderr, '', 'no locale warning (PERL_BADLANG), no taint warning');
    const seen = JSON.parse(String(result.stdout)) as { argv: string[]; env: Record<string, string> };
    assert.deepEqual(seen.argv, odd);
    assert.deepEqual(seen.env, { PATH: '/usr/bin:/bin', ODD: 'x\ny "z"', LANG: 'xx_XX.UTF-8' });
  });

  it('runs under taint mode: PERL5OPT and PERL5LIB naming code (of the bundle, say) load nothing into it', async () => {
    const tmp = await tempDir();
    try {
      await mkdir(join(tmp.path, 'lib'));
      const marker = join(tmp.path, 'loaded');
      const { writeFile } = await import('node:fs/promises');
      await writeFile(join(tmp.path, 'lib', 'Evil.pm'), `open(my $f, '>', '${marker}'); print $f 'x'; close($f); 1;\n`);
      const result = run({}, ['/bin/true'], { PATH: '/usr/bin:/bin', PERL5OPT: '-MEvil', PERL5LIB: join(tmp.path, 'lib'), PERLLIB: join(tmp.path, 'lib') });
      assert.equal(result.status, 0, String(result.stderr));
      assert.equal(spawnSync('test', ['-e', marker]).status, 1, 'Evil.pm did not run');
      // The same variables do load it into a perl without -t: the test would see it.
      spawnSync('/usr/bin/perl', ['-e', '1'], { env: { PERL5OPT: '-MEvil', PERL5LIB: join(tmp.path, 'lib') } });
      assert.equal(spawnSync('test', ['-e', marker]).status, 0, 'the check itself works');
    } finally {
      await tmp.cleanup();
    }
  });

  it('with a gate: exits 125 without executing anything unless the byte is "1"; runs the server after it', () => {
    const argv = launcherArgv('/usr/bin/perl', { forwards: [], socat: null, allow: null, remove: [], gate: 3, unset: [] }, ['/bin/echo', 'ran']);
    for (const [input, status, output] of [['', 125, ''], ['0', 125, ''], ['1', 0, 'ran\n']] as const) {
      // The gate on descriptor 3, a pipe holding `input`.
      const viaShell = spawnSync('/bin/sh', ['-c', `printf '%s' "$0" | "$@" 3<&0 0</dev/null`, input, ...argv], { encoding: 'utf8', env: { PATH: '/usr/bin:/bin' } });
      assert.equal(viaShell.status, status, `input ${JSON.stringify(input)}: ${viaShell.stderr}`);
      assert.equal(viaShell.stdout, output);
    }
  });

  it('refuses arguments it cannot read (a count beyond the list, no "--" before the server): exit 126, nothing executed', () => {
    const argv = launcherArgv('/usr/bin/perl', { forwards: [], socat: null, allow: null, remove: [], gate: null, unset: [] }, ['/bin/echo', 'ran']);
    const cut = argv.slice(0, 5).concat(['-', '-', '9', 'a']);
    for (const bad of [cut, argv.filter((arg, i) => !(arg === '--' && i > 5))]) {
      const result = spawnSync(bad[0]!, bad.slice(1), { encoding: 'utf8', env: { PATH: '/usr/bin:/bin' } });
      assert.equal(result.status, 126, result.stderr);
      assert.equal(result.stdout, '');
      assert.match(result.stderr, /mcpseal launcher: bad arguments/u);
    }
  });
});

describe('ELF loader lookup (Landlock must allow it)', () => {
  it('finds PT_INTERP of this node binary; null for a script or garbage', () => {
    const loader = elfInterpreter(readFileSync(realpathSync(process.execPath)).subarray(0, 4096));
    assert.match(loader ?? '', /^\/lib(?:64)?\/ld-linux/u);
    assert.equal(elfInterpreter(Buffer.from('#!/bin/sh\necho hi\n'.padEnd(100))), null);
    assert.equal(elfInterpreter(Buffer.alloc(10)), null);
  });
});

describe('egress host side (real sockets)', function () {
  this.timeout(20_000);
  let tmp: { path: string; cleanup: () => Promise<void> };
  let target: Server;
  let egress: Egress;
  const denied: DeniedEgress[] = [];
  const address = Object.values(networkInterfaces()).flat().find((item) => item?.family === 'IPv4' && !item.internal)?.address;

  before(async () => {
    assert.ok(address, 'the egress test needs one non-loopback IPv4 address on this machine');
    tmp = await tempDir('mcpseal-egress-');
    target = createServer((socket) => socket.once('data', (data) => socket.end(`echo:${data.toString('latin1').split('\r\n')[0]}`)));
    await new Promise<void>((resolve) => target.listen(0, '0.0.0.0', resolve));
    const port = (target.address() as AddressInfo).port;
    const egressPlan = plan({ egress: [`api.declared.test:${port}`, `rebind.declared.test:${port}`, `127.0.0.1:${port}`] });
    const names: Record<string, string> = { 'api.declared.test': address, 'rebind.declared.test': '127.0.0.1' };
    egress = await startEgress(egressPlan, tmp.path, { onDenied: (item) => denied.push(item), resolve: (host) => Promise.resolve(names[host] ? [names[host]] : []) });
  });
  after(async () => {
    await egress?.close();
    target?.close();
    await tmp?.cleanup();
  });

  /** Writes `request` to a Unix socket and returns everything it answers until it closes. */
  function exchange(socket: string, request: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const client = connect(socket);
      let answer = '';
      client.on('data', (chunk) => {
        answer += chunk.toString('latin1');
        if (answer.includes('200 Connection Established\r\n\r\n') && !answer.includes('echo:')) client.write('PING\r\n');
      });
      client.on('error', reject);
      client.on('close', () => resolve(answer));
      client.write(request);
    });
  }

  const port = (): number => (target.address() as AddressInfo).port;
  const proxy = (): string => join(tmp.path, 'proxy.sock');

  it('a declared host:port is tunnelled (CONNECT, RFC 9110 §9.3.6)', async () => {
    const answer = await exchange(proxy(), `CONNECT api.declared.test:${port()} HTTP/1.1\r\nHost: api.declared.test\r\n\r\n`);
    assert.match(answer, /^HTTP\/1\.1 200 Connection Established\r\n\r\necho:PING$/u);
  });

  it('an undeclared host, or a declared host on another port, gets 403 and is reported', async () => {
    for (const request of ['CONNECT other.example.com:443 HTTP/1.1\r\n\r\n', 'CONNECT api.declared.test:1 HTTP/1.1\r\n\r\n']) {
      assert.match(await exchange(proxy(), request), /^HTTP\/1\.1 403 Forbidden/u);
    }
    assert.deepEqual(denied.slice(-2).map((item) => `${item.host}:${item.port} ${item.reason}`), ['other.example.com:443 not declared in network.egress', 'api.declared.test:1 not declared in network.egress']);
  });

  it('a declared name resolving to a loopback address (DNS rebinding towards the host) is refused', async () => {
    assert.match(await exchange(proxy(), `CONNECT rebind.declared.test:${port()} HTTP/1.1\r\n\r\n`), /^HTTP\/1\.1 403/u);
    assert.match(denied.at(-1)!.reason, /resolves to 127\.0\.0\.1/u);
  });

  it('a plain http request in absolute form is forwarded in origin form to a declared host only', async () => {
    assert.match(await exchange(proxy(), `GET http://api.declared.test:${port()}/path?q=1 HTTP/1.1\r\nHost: api.declared.test\r\n\r\n`), /^echo:GET \/path\?q=1 HTTP\/1\.1$/u);
    assert.match(await exchange(proxy(), 'GET http://other.example.com/ HTTP/1.1\r\n\r\n'), /^HTTP\/1\.1 403/u);
  });

  it('a declared loopback service has its own forward socket', async () => {
    assert.deepEqual(egress.forwards.map((forward) => forward.port).sort(), [3128, port()].sort());
    assert.match(await exchange(join(tmp.path, `port-${port()}.sock`), 'HELLO\r\n'), /^echo:HELLO$/u);
  });

  it('parseRequest: CONNECT with a port, absolute-form http only; anything else is null', () => {
    assert.deepEqual(parseRequest('CONNECT [::1]:443 HTTP/1.1'), { connect: true, host: '[::1]', port: 443, originForm: '', headers: '' });
    assert.equal(parseRequest('CONNECT example.com HTTP/1.1'), null);
    assert.equal(parseRequest('GET https://example.com/ HTTP/1.1'), null);
    assert.equal(parseRequest('GET /relative HTTP/1.1'), null);
  });
});
