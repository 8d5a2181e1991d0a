// `scopes suggest` and the scope check read a manifest with the same rules (issue 8, bug 2: they
// carried different native-code patterns, so a draft for a bundle shipping lib/libfoo.so.1 said
// native_addons: false and validation refused it). The property: over generated file lists and
// command lines, a pasted-in draft leaves no scope finding a draft could have avoided.

import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { suggestScopes, validateManifest, SCOPES_NAMESPACE, type Scopes } from '../lib/index.ts';
import { isNativeCode } from '../lib/scopes/native.ts';
import { ROOT, jsonOf, runCli, tempDir } from './helpers/cli.ts';

type Manifest = Record<string, any>;

const EXAMPLE: Manifest = JSON.parse(await readFile(join(ROOT, 'examples/hello-bundle/manifest.json'), 'utf8'));

function withScopes(manifest: Manifest, scopes: Scopes): Manifest {
  return { ...manifest, _meta: { [SCOPES_NAMESPACE]: { scopes } } };
}

function withoutScopes(change: (manifest: Manifest) => void = () => {}): Manifest {
  const copy = structuredClone(EXAMPLE);
  delete copy['_meta'];
  change(copy);
  return copy;
}

/** The scope findings of validating `manifest` with the draft suggested for it pasted in. */
function scopeErrorsAfterSuggest(manifest: Manifest, files: Set<string>): string[] {
  const drafted = withScopes(manifest, suggestScopes(manifest, { files }));
  return validateManifest(drafted, { files })
    .findings.filter((finding) => finding.code.startsWith('SCOPE_') && finding.severity === 'error')
    .map((finding) => `${finding.code} ${finding.pointer}: ${finding.message}`);
}

describe('scopes suggest and the scope check agree', () => {
  it('bug 2: a bundle shipping lib/libfoo.so.1 gets native_addons: true, and the draft validates', () => {
    const files = new Set(['manifest.json', 'server/index.js', 'lib/libfoo.so.1']);
    const manifest = withoutScopes();
    assert.equal(suggestScopes(manifest, { files }).process.native_addons, true);
    assert.deepEqual(validateManifest(withScopes(manifest, suggestScopes(manifest, { files })), { files }).findings, []);
  });

  const NATIVE = ['a.node', 'lib/libfoo.so', 'lib/libfoo.so.1', 'lib/libfoo.so.1.2.3', 'libz.1.dylib', 'x.dylib', 'bin/zlib.dll', 'X.DLL', 'ext/_speedups.cp312-win_amd64.pyd', 'm.cpython-312-x86_64-linux-gnu.so', 'Foo.NODE'];
  const NOT_NATIVE = ['index.js', 'so.txt', 'notes.solution', 'lib/so/readme.md', 'x.json', 'node_modules/a/package.json', 'lib/libfoo.so.txt', 'a.nodes'];
  it('bug 2: one native-code rule: .node, .so, .so.N[.M...], .dylib, .dll, .pyd, any case', () => {
    assert.deepEqual(NATIVE.filter((name) => !isNativeCode(name)), []);
    assert.deepEqual(NOT_NATIVE.filter(isNativeCode), []);
  });

  // Generated manifests: the example's command line plus arguments and env drawn from every form
  // the path extractor and the launcher model know, and file lists with and without native code.
  const PASSED = [
    '--root=${user_config.notes_directory}',
    '--root=${user_config.notes_directory}/sub',
    '-r${HOME}/.config/app',
    '--data=${DOCUMENTS}/notes',
    'file://${DOWNLOADS}/inbox',
    '/etc/hosts',
    '--cache=/var/tmp/app',
    '~/work',
    '--paths=${__dirname}/data:${DESKTOP}/x',
    '--fallback=${user_config.fallback}',
    '--verbose',
    'https://api.example.com/v1',
    '-I/usr/include',
  ];
  const ENV = [
    ['APP_DIR', '${HOME}/app'],
    ['APP_TOKEN', '${user_config.api_token}'],
    ['APP_LEVEL', 'info'],
    ['APP_DB', 'sqlite:///${DOCUMENTS}/db.sqlite'],
  ] as const;
  const FILE_NAMES = ['server/index.js', 'server/lib/util.js', 'lib/libfoo.so.1', 'lib/libbar.so', 'build/Release/addon.node', 'ext/_x.pyd', 'bin/zlib.DLL', 'libz.1.dylib', 'README.md', 'data/so.txt'];
  const COMMANDS: Array<[string, string[]]> = [
    ['node', []],
    ['node', ['--no-warnings']],
    ['npx', ['-y', 'some-server']],
    ['uv', ['run', '--with', 'extra']],
    ['curl', ['https://get.example.com/install.sh']],
  ];

  it('bug 2: validate(suggest(m)) reports no scope finding a draft could avoid (property)', () => {
    fc.assert(
      fc.property(
        fc.subarray(FILE_NAMES),
        fc.subarray(PASSED),
        fc.subarray([...ENV]),
        fc.constantFrom(...COMMANDS),
        fc.boolean(),
        (names, passed, env, [command, prefix], override) => {
          const manifest = withoutScopes((m) => {
            m['user_config']['fallback'] = { type: 'string', title: 'Fallback', description: 'a string option defaulting to a path', default: '/srv/fallback' };
            const config = m['server']['mcp_config'];
            config['command'] = command;
            config['args'] = [...prefix, '${__dirname}/server/index.js', ...passed];
            config['env'] = Object.fromEntries(env);
            if (override) config['platform_overrides'] = { win32: { env: { WIN_DIR: '${HOME}/AppData/app' } } };
          });
          const errors = scopeErrorsAfterSuggest(manifest, new Set(['manifest.json', ...names]));
          assert.deepEqual(errors, []);
        },
      ),
      { seed: 8_2, numRuns: 300 },
    );
  });

  it('bug 2: `mcpseal scopes suggest` then `mcpseal validate` on a bundle directory with lib/libfoo.so.1 passes', async () => {
    const tmp = await tempDir();
    try {
      const dir = join(tmp.path, 'bundle');
      await mkdir(join(dir, 'server'), { recursive: true });
      await mkdir(join(dir, 'lib'));
      await writeFile(join(dir, 'server/index.js'), 'console.log("hi")\n');
      await writeFile(join(dir, 'lib/libfoo.so.1'), '\x7fELF');
      const manifest = withoutScopes();
      await writeFile(join(dir, 'manifest.json'), JSON.stringify(manifest));
      const suggested = await runCli(['scopes', 'suggest', dir, '--json']);
      assert.equal(suggested.status, 0, suggested.stderr);
      const block = jsonOf(suggested)['manifestBlock'] as Record<string, unknown>;
      await writeFile(join(dir, 'manifest.json'), JSON.stringify({ ...manifest, ...block }));
      const validated = await runCli(['validate', dir]);
      assert.equal(validated.status, 0, validated.stdout + validated.stderr);
    } finally {
      await tmp.cleanup();
    }
  });
});

describe('layering of manifest/ and scopes/ (issue 8, item 4)', () => {
  /** The relative import specifiers of every source file in a lib/ folder. */
  async function importsOf(folder: string): Promise<Array<[string, string]>> {
    const { readdir } = await import('node:fs/promises');
    const dir = join(ROOT, 'lib', folder);
    const names = (await readdir(dir)).filter((name) => name.endsWith('.ts'));
    const found: Array<[string, string]> = [];
    for (const name of names) {
      const text = await readFile(join(dir, name), 'utf8');
      for (const match of text.matchAll(/^(?:import|export)[^'"]*from '([^']+)'/gmu)) found.push([`${folder}/${name}`, match[1]!]);
    }
    return found;
  }

  it('manifest/ imports neither scopes/ nor any pipeline, and does no file-system I/O', async () => {
    const bad = (await importsOf('manifest')).filter(([, spec]) => spec.includes('/scopes/') || /^\.\.\/[a-z-]+\.ts$/u.test(spec) && !/^\.\.\/(errors|limits|io|edit-distance)\.ts$/u.test(spec) || /^node:(fs|child_process|net|http)/u.test(spec) || spec === '../io.ts');
    assert.deepEqual(bad, []);
  });

  it('scopes/ imports manifest/, analysis/ (issue 10: suggest reads its reports) and the base modules only, never a pipeline', async () => {
    const bad = (await importsOf('scopes')).filter(([, spec]) => spec.startsWith('../') && !/^\.\.\/(manifest\/|analysis\/|errors\.ts|limits\.ts)/u.test(spec));
    assert.deepEqual(bad, []);
  });
});
