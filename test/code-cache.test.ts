// The bundled CLI's group scripts and their V8 code caches (lib/cli/code-cache.ts, made by
// scripts/build-cli.ts groupScript): the conversion from the bundle's ES module text, the cache
// taken after the run, and the rules about which cache files are trusted.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Script } from 'node:vm';
import { cacheRoot, invocationKey, loadGroupScript } from '../lib/cli/code-cache.ts';
import { groupScript } from '../scripts/build-cli.ts';
import { ROOT, tempDir } from './helpers/cli.ts';

/** An ES module as esbuild writes a group file: work in functions, one export list at the end. */
const MODULE = `const { createRequire } = process.getBuiltinModule('node:module');
function work(n) {
  let total = 0;
  for (let i = 0; i < n; i++) total += (i * 7) % 13;
  return total;
}
function unused() { return new.target === undefined ? 'plain call' : 'constructed'; }
const here = import.meta.url;
async function load(name) { return import(name); }
function main() { return work(1000); }
export { main, here, load, unused as "odd name" };
`;

/**
 * Loads a group script in a new process, runs its main and saves its cache: what the next CLI run
 * does. (In one process V8 reuses a script it compiled before without a look at the cache given.)
 */
function loadInChild(path: string, size: number, cache: string): { accepted: boolean; result: number } {
  const code = `import { loadGroupScript } from ${JSON.stringify(pathToFileURL(join(ROOT, 'lib', 'cli', 'code-cache.ts')).href)};
const loaded = loadGroupScript(${JSON.stringify(path)}, ${size}, ${JSON.stringify(cache)}, async () => ({}));
const result = loaded.exports.main();
loaded.save();
console.log(JSON.stringify({ accepted: loaded.cacheAccepted, result }));`;
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8' });
  assert.equal(child.status, 0, child.stderr);
  return JSON.parse(child.stdout) as { accepted: boolean; result: number };
}

describe('group scripts and their code caches (lib/cli/code-cache.ts)', () => {
  let tmp: { path: string; cleanup: () => Promise<void> };
  let count = 0;
  before(async () => {
    tmp = await tempDir();
  });
  after(() => tmp.cleanup());

  /**
   * A group script written to a fresh file, and a cache path beside it (under a private
   * directory). Each source is unique: V8 keeps the scripts a process compiled, and one compiled
   * before is reused without looking at the cache given.
   */
  function groupFile(): { path: string; size: number; cache: string } {
    const dir = join(tmp.path, `group-${++count}`);
    mkdirSync(join(dir, 'cache'), { recursive: true, mode: 0o700 });
    const script = groupScript('group.js', `// group ${count}\n${MODULE}`);
    writeFileSync(join(dir, 'group.js'), script);
    return { path: join(dir, 'group.js'), size: script.length, cache: join(dir, 'cache', 'verify-0.v8') };
  }

  describe('groupScript (scripts/build-cli.ts)', () => {
    it('makes a function of import.meta and import() that returns the export list', async () => {
      const script = groupScript('group.js', MODULE);
      assert.match(script, /^\(function \(__mcpsealMeta, __mcpsealImport\) \{ 'use strict'; /u);
      assert.doesNotMatch(script, /\bimport\.meta\b|\bimport\(|^export\b/mu);
      const factory = new Script(script).runInThisContext() as (meta: { url: string }, load: (name: string) => Promise<unknown>) => Record<string, unknown>;
      const asked: string[] = [];
      const exports = factory({ url: 'file:///bundle/group.js' }, async (name) => {
        asked.push(name);
        return { loaded: name };
      });
      assert.deepEqual(Object.keys(exports), ['main', 'here', 'load', 'odd name']);
      assert.equal((exports['main'] as () => number)(), 6000);
      assert.equal(exports['here'], 'file:///bundle/group.js');
      assert.deepEqual(await (exports['load'] as (name: string) => Promise<unknown>)('@sigstore/sign'), { loaded: '@sigstore/sign' });
      assert.deepEqual(asked, ['@sigstore/sign']);
      // new.target is a meta property too, and stays what it was.
      assert.equal((exports['odd name'] as () => string)(), 'plain call');
    });

    it('stops the build on what a script cannot hold or a wrapper name already in use', () => {
      const cases: [string, RegExp][] = [
        [`import { x } from 'y';\nexport { x };`, /ImportDeclaration/u],
        ['export default 1;', /ExportDefaultDeclaration/u],
        [`export * from 'y';`, /ExportAllDeclaration/u],
        ['const a = 1;\nexport { a };\nconst b = 2;', /not the final export/u],
        ['export const a = 1;', /not the final export/u],
        ['await Promise.resolve();\nexport {};', /await/u],
        [`const a = () => import('x', { with: { type: 'json' } });\nexport { a };`, /import\(\) with options/u],
        ['const __mcpsealMeta = 1;\nexport { __mcpsealMeta };', /already uses __mcpsealMeta/u],
      ];
      for (const [source, message] of cases) assert.throws(() => groupScript('group.js', source), message, source);
    });
  });

  describe('loadGroupScript', () => {
    it('writes the cache after the run, with the functions the run compiled, and V8 takes it on the next load', () => {
      const { path, size, cache } = groupFile();
      const first = loadGroupScript(path, size, cache, async () => ({}));
      assert.equal(first.cacheAccepted, false);
      // Before the run, a cache holds only what V8 compiled eagerly; after it, main and work too.
      const before = new Script(readFileSync(path, 'latin1'), { filename: path }).createCachedData().length;
      assert.equal((first.exports['main'] as () => number)(), 6000);
      first.save();
      const saved = statSync(cache);
      assert.ok(saved.size > before, `the cache taken after the run (${saved.size} bytes) holds more than one taken before it (${before})`);
      assert.equal(saved.mode & 0o777, 0o600);
      // The next load is another process's: V8 takes the cache, and the run writes nothing.
      assert.deepEqual(loadInChild(path, size, cache), { accepted: true, result: 6000 });
      assert.equal(statSync(cache).mtimeMs, saved.mtimeMs);
      assert.deepEqual(readdirSync(join(cache, '..')), ['verify-0.v8']);
    });

    it('uses no cache for a file whose size is not the one built, and rewrites one V8 rejects', () => {
      const built = groupFile();
      const changed = loadGroupScript(built.path, built.size + 1, built.cache, async () => ({}));
      changed.save();
      assert.throws(() => statSync(built.cache), { code: 'ENOENT' });
      // Another file: this process has compiled the first, and V8 would reuse that without a look at the cache.
      const { path, size, cache } = groupFile();
      writeFileSync(cache, Buffer.from('not a V8 code cache'), { mode: 0o600 });
      const rejected = loadGroupScript(path, size, cache, async () => ({}));
      assert.equal(rejected.cacheAccepted, false);
      assert.equal((rejected.exports['main'] as () => number)(), 6000);
      rejected.save();
      assert.deepEqual(loadInChild(path, size, cache), { accepted: true, result: 6000 });
    });

    it('reads no cache others can write: a group- or world-writable file or directory, or a symbolic link', () => {
      const { path, size, cache } = groupFile();
      loadGroupScript(path, size, cache, async () => ({})).save();
      const accepted = (file = cache): boolean => loadInChild(path, size, file).accepted;
      assert.equal(accepted(), true);
      chmodSync(cache, 0o620);
      assert.equal(accepted(), false);
      chmodSync(cache, 0o600);
      chmodSync(join(cache, '..'), 0o777);
      assert.equal(accepted(), false);
      chmodSync(join(cache, '..'), 0o700);
      const link = join(cache, '..', 'verify-link.v8');
      symlinkSync(cache, link);
      assert.equal(accepted(link), false);
      assert.equal(accepted(), true);
      if (process.getuid?.() === 0) {
        // As root, a file some other user owns (the case of sudo keeping the user's HOME) is refused too.
        chownSync(cache, 65534, 65534);
        assert.equal(accepted(), false);
      }
    });

    it("a new build's cache removes the caches of the group's other builds, and nobody else's", () => {
      const versionDir = join(tmp.path, `versions-${++count}`);
      const digest = (c: string): string => c.repeat(64);
      for (const dir of [`signing-${digest('a')}`, `signing-${digest('b')}`, `bundle-${digest('a')}`, 'signing-notes']) mkdirSync(join(versionDir, dir), { recursive: true, mode: 0o700 });
      const { path, size } = groupFile();
      loadGroupScript(path, size, join(versionDir, `signing-${digest('c')}`, 'verify-1.v8'), async () => ({})).save();
      assert.deepEqual(readdirSync(versionDir).sort(), [`bundle-${digest('a')}`, `signing-${digest('c')}`, 'signing-notes']);
    });
  });

  it('invocationKey: one per command, option names, argument count and V8 flags, whatever the values', () => {
    const key = (argv: string[], flags: string[] = [], execArgv: string[] = [], nodeOptions?: string): string => invocationKey(argv, { v8Flags: flags }, execArgv, nodeOptions);
    const base = key(['verify', 'a.mcpb', '--key', 'k.pub', '--profile=compat']);
    assert.match(base, /^[0-9a-f]{8}$/u);
    assert.equal(key(['verify', 'other.mcpb', '--key', 'x.pub', '--profile=hardened']), base);
    assert.equal(key(['verify', 'a.mcpb', '--profile=compat', '--key', 'k.pub']), base);
    const different = [
      key(['sign', 'a.mcpb', '--key', 'k.pub', '--profile=compat']),
      key(['verify', 'a.mcpb', '--key', 'k.pub', '--profile=compat', '--json']),
      key(['verify', 'a.mcpb', 'b.mcpb', '--key', 'k.pub', '--profile=compat']),
      key(['verify', 'a.mcpb', '--key', 'k.pub', '--profile=compat'], ['--optimize-for-size']),
      key(['verify', 'a.mcpb', '--key', 'k.pub', '--profile=compat'], [], ['--stack-size=2000']),
      key(['verify', 'a.mcpb', '--key', 'k.pub', '--profile=compat'], [], [], '--max-semi-space-size=4'),
    ];
    assert.equal(new Set([base, ...different]).size, different.length + 1);
  });

  it('cacheRoot: $XDG_CACHE_HOME when absolute, else ~/.cache; none that others can write', () => {
    const xdg = join(tmp.path, 'xdg');
    assert.equal(cacheRoot({ XDG_CACHE_HOME: xdg }), join(xdg, 'mcpseal'));
    assert.equal(statSync(join(xdg, 'mcpseal')).mode & 0o777, 0o700);
    const home = join(tmp.path, 'home');
    mkdirSync(home);
    const previous = process.env['HOME'];
    process.env['HOME'] = home;
    try {
      assert.equal(cacheRoot({ XDG_CACHE_HOME: 'relative/cache' }), join(home, '.cache', 'mcpseal'));
    } finally {
      process.env['HOME'] = previous;
    }
    const open = join(tmp.path, 'open');
    mkdirSync(join(open, 'mcpseal'), { recursive: true });
    chmodSync(join(open, 'mcpseal'), 0o777);
    assert.equal(cacheRoot({ XDG_CACHE_HOME: open }), null);
    writeFileSync(join(tmp.path, 'file'), '');
    assert.equal(cacheRoot({ XDG_CACHE_HOME: join(tmp.path, 'file') }), null);
  });
});
