// Start-up cost (issue 14, issue 12's launch bar): a command loads what it uses and nothing else.
// The listing and each command's help come from main.ts's table without loading implementations;
// run, list and tools find the default store without the install and verification stack.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { COMMANDS } from '../lib/cli/main.ts';
import { asciiOnly } from '../scripts/build-cli.ts';
import { BIN, ROOT, runMain, suiteTempDir } from './helpers/cli.ts';

const HOOK = join(ROOT, 'test', 'fixtures', 'startup', 'module-log.mjs');

/**
 * The modules a real CLI process loads for `args` (relative to the package: dist/..., node_modules/...,
 * and Node's own as builtin:NAME).
 * Unbundled by default: the lazy-loading structure is checked on the compiled modules, which the
 * bundle keeps (one file per command group, in which a dynamically imported module is evaluated
 * only when imported).
 */
function modulesLoadedBy(args: string[], env: NodeJS.ProcessEnv, log: string, bundled = false): string[] {
  const result = spawnSync(process.execPath, ['--import', HOOK, BIN, ...args], {
    cwd: ROOT,
    env: { ...env, MCPSEAL_MODULE_LOG: log, MCPSEAL_UNBUNDLED: bundled ? '' : '1' },
    encoding: 'utf8',
  });
  assert.ok(result.status === 0 || result.status === 2, `${args.join(' ')}: exit ${result.status}: ${result.stderr}`);
  const lines = readFileSync(log, 'utf8').split('\n');
  return [...lines.filter((url) => url.startsWith('file:')).map((url) => url.slice(url.indexOf(ROOT.slice(1)) + ROOT.length - 1)), ...lines.filter((line) => line.startsWith('builtin:'))];
}

describe('start-up: each command loads only what it uses', () => {
  const tmp = suiteTempDir();

  it('--help lists every command from the table, and each listed command shows its own help', async () => {
    const help = await runMain(['--help']);
    const listed = [...help.stdout.matchAll(/^ {2}([a-z-]+) {2,}/gmu)].map((match) => match[1]!);
    assert.equal(listed.length, 18);
    for (const command of listed) {
      const own = await runMain([command, '--help']);
      assert.equal(own.status, 0, command);
      assert.match(own.stdout, new RegExp(`^Usage: mcpseal ${command}\\b`, 'u'), command);
    }
  });

  it('--help loads no command module', () => {
    const loaded = modulesLoadedBy(['--help'], process.env, join(tmp.path, 'help.log'));
    assert.deepEqual(loaded.filter((path) => path.startsWith('dist/cli/')).sort(), ['dist/cli/main.js', 'dist/cli/output.js']);
    assert.ok(loaded.every((path) => !path.startsWith('node_modules/')), loaded.join('\n'));
  });

  it('list, tools and run --print-plan on the default store load neither Sigstore nor the install pipeline', () => {
    const env = { ...process.env, XDG_DATA_HOME: join(tmp.path, 'data') };
    mkdirSync(join(tmp.path, 'data', 'mcpseal'), { recursive: true });
    for (const args of [['list'], ['tools', 'list', 'absent'], ['run', 'absent', '--print-plan']]) {
      const loaded = modulesLoadedBy(args, env, join(tmp.path, `${args[0]!}.log`));
      const heavy = loaded.filter((path) => /^node_modules\/(?:@sigstore|@noble|ajv|tldts|node-forge|acorn)/u.test(path) || ['dist/install-bundle.js', 'dist/verify.js', 'dist/sigstore/verify.js'].includes(path));
      assert.deepEqual(heavy, [], args.join(' '));
    }
  });

  it('inspect loads no Sigstore verification and no registry schema', () => {
    const loaded = modulesLoadedBy(['inspect', join(ROOT, 'test', 'fixtures', 'absent.mcpb')], process.env, join(tmp.path, 'inspect.log'));
    assert.ok(loaded.includes('dist/cli/bundle.js'));
    assert.deepEqual(loaded.filter((path) => /^node_modules\/@sigstore\/verify|^dist\/registry\//u.test(path)), []);
  });

  describe('the bundled CLI (scripts/build-cli.ts, loaded by bin/mcpseal.js)', () => {
    it('is what bin/mcpseal.js runs after npm run build: the router, which runs one group file as a script, no compiled module, Sigstore inside', () => {
      const key = join(tmp.path, 'verifier.pub');
      writeFileSync(key, generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }));
      // A missing file: verify loads its whole pipeline (Sigstore included), then cannot open it.
      const args = ['verify', join(ROOT, 'test', 'fixtures', 'absent.mcpb'), '--key', key];
      const unbundled = modulesLoadedBy(args, process.env, join(tmp.path, 'unbundled.log'));
      assert.ok(unbundled.includes('node_modules/@sigstore/verify/dist/index.js'), unbundled.join('\n'));
      const loaded = modulesLoadedBy(args, process.env, join(tmp.path, 'bundled.log'), true);
      // The group file is no module: the router compiles it with vm.Script (lib/cli/code-cache.ts).
      assert.deepEqual(loaded.filter((path) => !path.startsWith('builtin:')), ['bin/mcpseal.js', 'bin/node-check.js', 'dist/cli-bundle/main.js']);
      assert.match(readFileSync(join(ROOT, 'dist', 'cli-bundle', 'signing.js'), 'latin1'), /^\(function \(__mcpsealMeta, __mcpsealImport\) \{ 'use strict'; /u);
    });

    it('keeps a code cache per command after a run that exits 0, and the next run uses it without writing it again', () => {
      const cacheHome = join(tmp.path, 'cache-home');
      const env = { ...process.env, XDG_CACHE_HOME: cacheHome, MCPSEAL_UNBUNDLED: '' };
      const run = (args: string[]): number | null => spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, env, encoding: 'utf8' }).status;
      const caches = (): string[] => {
        try {
          return readdirSync(join(cacheHome, 'mcpseal', 'code-cache'), { recursive: true }).map(String).filter((name) => name.endsWith('.v8')).sort();
        } catch {
          return [];
        }
      };
      // A run that fails keeps nothing: its cache would hold only the way to the failure.
      assert.equal(run(['verify', join(ROOT, 'test', 'fixtures', 'absent.mcpb'), '--key', join(tmp.path, 'absent.pub')]), 2);
      assert.deepEqual(caches(), []);
      assert.equal(run(['verify', '--help']), 0);
      const [first, ...more] = caches();
      assert.deepEqual(more, []);
      const digest = createHash('sha256').update(readFileSync(join(ROOT, 'dist', 'cli-bundle', 'signing.js'))).digest('hex');
      assert.match(first!, new RegExp(`^v[0-9.]+-${process.arch}/signing-${digest}/verify-[0-9a-f]{8}\\.v8$`, 'u'));
      const written = statSync(join(cacheHome, 'mcpseal', 'code-cache', first!));
      assert.equal(written.mode & 0o777, 0o600);
      assert.equal(run(['verify', '--help']), 0);
      const again = statSync(join(cacheHome, 'mcpseal', 'code-cache', first!));
      assert.deepEqual([again.ino, again.mtimeMs], [written.ino, written.mtimeMs], 'V8 took the cache, so it was not written again');
      // Another command of the same file keeps its own.
      assert.equal(run(['keygen', '--help']), 0);
      assert.equal(caches().length, 2);
    });

    it('has one file per command group, each able to run its commands (help through the bundle)', () => {
      const files = readdirSync(join(ROOT, 'dist', 'cli-bundle')).sort();
      assert.deepEqual(files, [...new Set(Object.values(COMMANDS).map(({ group }) => group)), 'base', 'main'].map((name) => `${name}.js`).sort());
      const run = (args: string[]): { status: number | null; stdout: string } => spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, MCPSEAL_UNBUNDLED: '' } });
      assert.match(run(['--help']).stdout, /^Usage: mcpseal <command>/u);
      assert.equal(run(['no-such-command']).status, 2);
      for (const command of Object.keys(COMMANDS)) {
        const result = run([command, '--help']);
        assert.equal(result.status, 0, command);
        assert.match(result.stdout, new RegExp(`^Usage: mcpseal ${command}\\b`, 'u'), command);
      }
    });

    it('every file is ASCII (Node then reads it as Latin-1, not decoding UTF-8 into a two-byte source)', () => {
      for (const file of readdirSync(join(ROOT, 'dist', 'cli-bundle'))) {
        assert.doesNotMatch(readFileSync(join(ROOT, 'dist', 'cli-bundle', file), 'latin1'), /[^\x00-\x7f]/u, file);
      }
      // The build escapes what a comment holds, and stops at a character it cannot escape.
      assert.equal(asciiOnly('x.js', '/* X.690 \u00a7 11.6 */ const a = 1; // a \u2014 b\n'), '/* X.690 \\u{a7} 11.6 */ const a = 1; // a \\u{2014} b\n');
      assert.equal(asciiOnly('x.js', 'const a = "plain";'), 'const a = "plain";');
      assert.throws(() => asciiOnly('x.js', 'const a = 1;\nconst r = /\u2026$/u;'), /^Error: x\.js:2: "\u2026" outside a comment/u);
      assert.throws(() => asciiOnly('x.js', 'const t = String.raw`\u00e9`;'), /x\.js:1:/u);
    });

    it('no file imports a package at its top (a bundled module imports its heavy packages lazily)', () => {
      // esbuild puts a package's static import, from any module of the file, at the file's start:
      // @sigstore/sign imported statically by lib/sigstore/sign.ts loaded Node's HTTP stack on
      // every verify (103 -> 208 ms). Only the banner's node:module is allowed.
      for (const file of readdirSync(join(ROOT, 'dist', 'cli-bundle'))) {
        const imports = [...readFileSync(join(ROOT, 'dist', 'cli-bundle', file), 'utf8').matchAll(/^import\b[^;]*?\bfrom\s*["']([^"']+)["']/gmu)].map((match) => match[1]);
        assert.deepEqual(imports.filter((from) => from !== 'node:module'), [], file);
      }
    });

    it('reads built-in modules without their ES facades (a facade reads every export: node:util loads worker_threads, node:crypto WebCrypto)', () => {
      const key = join(tmp.path, 'facade.pub');
      writeFileSync(key, generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }));
      const env = { ...process.env, XDG_DATA_HOME: join(tmp.path, 'data') };
      mkdirSync(join(tmp.path, 'data', 'mcpseal'), { recursive: true });
      for (const args of [['verify', join(ROOT, 'test', 'fixtures', 'absent.mcpb'), '--key', key], ['run', 'absent', '--print-plan']]) {
        const loaded = modulesLoadedBy(args, env, join(tmp.path, `facade-${args[0]!}.log`), true);
        assert.ok(loaded.includes('builtin:internal/util/parse_args/parse_args'), `${args[0]!}: the built-ins are logged\n${loaded.join('\n')}`);
        const unused = loaded.filter((name) => ['builtin:worker_threads', 'builtin:internal/crypto/webcrypto', 'builtin:internal/util/diff'].includes(name));
        assert.deepEqual(unused, [], args[0]);
      }
      // No file imports a built-in: each reads it through process.getBuiltinModule.
      for (const file of readdirSync(join(ROOT, 'dist', 'cli-bundle'))) {
        assert.doesNotMatch(readFileSync(join(ROOT, 'dist', 'cli-bundle', file), 'utf8'), /^import [^;]* from ["']node:(?!module["'])/mu, file);
      }
    });

    it('a stale bundle (older than dist/cli/main.js) is not used in a checkout; an installed package (no sources) always uses its bundle', async () => {
      const stale = join(tmp.path, 'stale');
      // A copy of the package layout whose bundle predates the compiled CLI.
      mkdirSync(join(stale, 'dist', 'cli'), { recursive: true });
      mkdirSync(join(stale, 'dist', 'cli-bundle'), { recursive: true });
      mkdirSync(join(stale, 'bin'), { recursive: true });
      for (const file of ['mcpseal.js', 'node-check.js']) writeFileSync(join(stale, 'bin', file), readFileSync(join(ROOT, 'bin', file)));
      writeFileSync(join(stale, 'dist', 'cli-bundle', 'main.js'), "export async function main() { process.stdout.write('bundle\\n'); return 0; }\n");
      writeFileSync(join(stale, 'dist', 'cli', 'main.js'), "export async function main() { process.stdout.write('compiled\\n'); return 0; }\n");
      const old = new Date(Date.now() - 60_000);
      utimesSync(join(stale, 'dist', 'cli-bundle', 'main.js'), old, old);
      const run = (env: NodeJS.ProcessEnv): string => spawnSync(process.execPath, [join(stale, 'bin', 'mcpseal.js')], { env: { ...process.env, ...env }, encoding: 'utf8' }).stdout;
      // Installed: no lib/, so the install's file times say nothing (npm extracted the bundle first).
      assert.equal(run({}), 'bundle\n');
      // A checkout: the sources are there, and the older bundle is stale.
      mkdirSync(join(stale, 'lib', 'cli'), { recursive: true });
      writeFileSync(join(stale, 'lib', 'cli', 'main.ts'), '');
      assert.equal(run({}), 'compiled\n');
      utimesSync(join(stale, 'dist', 'cli-bundle', 'main.js'), new Date(), new Date());
      assert.equal(run({}), 'bundle\n');
      assert.equal(run({ MCPSEAL_UNBUNDLED: '1' }), 'compiled\n');
    });

  });
});
