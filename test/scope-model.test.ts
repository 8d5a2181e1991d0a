// The scope model that fits real servers (issue 10, item 3; SCOPES-V2.md): the parent directory
// of a file option, MCP roots, the working directory and user-driven egress, each optional with
// absent meaning denied, so every block valid before stays valid. And the scope schema's errors
// in words (item 6), misspelt _meta keys (item 5).

import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { isMCPSealError, resolveScopePaths, resolveScopes, runtimeGrants, symbolicPathWithin, validateManifest, type Finding, type ResolveContext, type Scopes } from '../lib/index.ts';
import { editDistance } from '../lib/manifest/spelling.ts';
import { ROOT, runCli, tempDir } from './helpers/cli.ts';

type Manifest = Record<string, any>;

const EXAMPLE: Manifest = JSON.parse(await readFile(join(ROOT, 'examples/hello-bundle/manifest.json'), 'utf8'));
const SCOPES = '/_meta/dev.mcpseal/scopes';

/** The example with a `file` option `memory_file` and its scopes changed by `change`. */
function withScopes(change: (scopes: Manifest, manifest: Manifest) => void): Manifest {
  const copy = structuredClone(EXAMPLE);
  copy['user_config']['memory_file'] = { type: 'file', title: 'Memory file', description: 'where the memory is kept', required: false };
  change(copy['_meta']['dev.mcpseal']['scopes'], copy);
  return copy;
}

function lines(findings: readonly Finding[]): string[] {
  return findings.map((finding) => `${finding.severity} ${finding.code} ${finding.pointer}`);
}

function scopeFindingsOf(manifest: Manifest): Finding[] {
  return validateManifest(manifest).findings.filter((finding) => finding.code.startsWith('SCOPE_'));
}

describe('scope model v2 (SCOPES-V2.md)', () => {
  describe('new forms: each accepted, each refused when malformed', () => {
    // [name, change, expected scope findings ("severity CODE /pointer"), [] when valid]
    const CASES: Array<[string, (scopes: Manifest, manifest: Manifest) => void, string[]]> = [
      ['the example as it was (no new key: backward compatible)', () => {}, []],
      ['${user_config.KEY:parent} of a file option, in write', (s) => s['filesystem']['write'].push('${user_config.memory_file:parent}'), []],
      ['${user_config.KEY:parent}/sub of a file option, in read', (s) => s['filesystem']['read'].push('${user_config.memory_file:parent}/backups'), []],
      ['${user_config.KEY:parent} of a directory option (would grant its siblings)', (s) => s['filesystem']['write'].push('${user_config.notes_directory:parent}'), [`error SCOPE_PARENT_NOT_FILE ${SCOPES}/filesystem/write/0`]],
      ['${user_config.KEY:parent} of a string option', (s, m) => {
        m['user_config']['label'] = { type: 'string', title: 'Label', description: 'a label' };
        s['filesystem']['read'].push('${user_config.label:parent}');
      }, [`error SCOPE_PARENT_NOT_FILE ${SCOPES}/filesystem/read/2`]],
      ['${user_config.KEY:parent} of no option', (s) => s['filesystem']['read'].push('${user_config.nothing:parent}'), [`error SCOPE_UNKNOWN_VARIABLE ${SCOPES}/filesystem/read/2`]],
      ['${user_config.KEY:parents} (not the parent form)', (s) => s['filesystem']['read'].push('${user_config.memory_file:parents}'), [`error SCOPE_UNKNOWN_VARIABLE ${SCOPES}/filesystem/read/2`]],
      ['filesystem.roots "read"', (s) => (s['filesystem']['roots'] = 'read'), []],
      ['filesystem.roots "write"', (s) => (s['filesystem']['roots'] = 'write'), []],
      ['filesystem.roots "none"', (s) => (s['filesystem']['roots'] = 'none'), []],
      ['filesystem.roots "all"', (s) => (s['filesystem']['roots'] = 'all'), [`error SCOPE_SCHEMA ${SCOPES}/filesystem/roots`]],
      ['filesystem.roots true', (s) => (s['filesystem']['roots'] = true), [`error SCOPE_SCHEMA ${SCOPES}/filesystem/roots`]],
      ['filesystem.cwd "read"', (s) => (s['filesystem']['cwd'] = 'read'), []],
      ['filesystem.cwd "execute"', (s) => (s['filesystem']['cwd'] = 'execute'), [`error SCOPE_SCHEMA ${SCOPES}/filesystem/cwd`]],
      ['network.userDriven with a reason and ports', (s) => (s['network']['userDriven'] = { reason: 'The fetch tool retrieves any URL the user gives it.', ports: [443, 80] }), []],
      ['network.userDriven without a reason', (s) => (s['network']['userDriven'] = { ports: [443] }), [`error SCOPE_SCHEMA ${SCOPES}/network/userDriven/reason`]],
      ['network.userDriven with a blank reason', (s) => (s['network']['userDriven'] = { reason: '   ', ports: [443] }), [`error SCOPE_SCHEMA ${SCOPES}/network/userDriven/reason`]],
      ['network.userDriven with a 501-character reason', (s) => (s['network']['userDriven'] = { reason: 'x'.repeat(501), ports: [443] }), [`error SCOPE_SCHEMA ${SCOPES}/network/userDriven/reason`]],
      ['network.userDriven without ports', (s) => (s['network']['userDriven'] = { reason: 'fetch', ports: [] }), [`error SCOPE_SCHEMA ${SCOPES}/network/userDriven/ports`]],
      ['network.userDriven with port 0', (s) => (s['network']['userDriven'] = { reason: 'fetch', ports: [0] }), [`error SCOPE_SCHEMA ${SCOPES}/network/userDriven/ports/0`]],
      ['network.userDriven with a port twice', (s) => (s['network']['userDriven'] = { reason: 'fetch', ports: [443, 443] }), [`error SCOPE_SCHEMA ${SCOPES}/network/userDriven/ports`]],
      ['network.userDriven with an unknown key', (s) => (s['network']['userDriven'] = { reason: 'fetch', ports: [443], hosts: ['*'] }), [`error SCOPE_SCHEMA ${SCOPES}/network/userDriven/hosts`]],
      ['network.userDriven true (a reason is required)', (s) => (s['network']['userDriven'] = true), [`error SCOPE_SCHEMA ${SCOPES}/network/userDriven`]],
    ];
    for (const [name, change, expected] of CASES) {
      it(`${expected.length === 0 ? 'accepts' : 'refuses'}: ${name}`, () => {
        assert.deepEqual(lines(scopeFindingsOf(withScopes(change))).sort(), [...expected].sort());
      });
    }
  });

  it('absent new keys mean denied: runtimeGrants reads them as none', () => {
    const scopes = EXAMPLE['_meta']['dev.mcpseal']['scopes'] as Scopes;
    assert.deepEqual(runtimeGrants(scopes), { roots: 'none', cwd: 'none', userDriven: null });
    const granted = { ...scopes, filesystem: { ...scopes.filesystem, roots: 'write', cwd: 'read' }, network: { ...scopes.network, userDriven: { reason: 'fetch', ports: [443] } } } as Scopes;
    assert.deepEqual(runtimeGrants(granted), { roots: 'write', cwd: 'read', userDriven: { reason: 'fetch', ports: [443] } });
  });

  it('a file option passed on the command line is covered by a scope on its parent', () => {
    const manifest = withScopes((s, m) => {
      m['server']['mcp_config']['args'].push('--memory=${user_config.memory_file}');
      s['filesystem']['write'].push('${user_config.memory_file:parent}');
    });
    assert.deepEqual(lines(scopeFindingsOf(manifest)), []);
    const uncovered = withScopes((_, m) => m['server']['mcp_config']['args'].push('--memory=${user_config.memory_file}'));
    assert.deepEqual(lines(scopeFindingsOf(uncovered)), ['error SCOPE_PATH_OUTSIDE /server/mcp_config/args/2']);
  });

  it('symbolicPathWithin: a file option lies in its parent, not the other way round', () => {
    assert.equal(symbolicPathWithin('${user_config.f}', '${user_config.f:parent}'), true);
    assert.equal(symbolicPathWithin('${user_config.f}/x', '${user_config.f:parent}'), true);
    assert.equal(symbolicPathWithin('${user_config.f:parent}/y', '${user_config.f:parent}'), true);
    assert.equal(symbolicPathWithin('${user_config.f:parent}', '${user_config.f}'), false);
    assert.equal(symbolicPathWithin('${user_config.g}', '${user_config.f:parent}'), false);
    assert.equal(symbolicPathWithin('${user_config.f}', '${user_config.f}'), true);
  });

  describe('resolveScopePaths and resolveScopes', () => {
    const context: ResolveContext = { platform: 'linux', installDir: '/opt/b', home: '/home/u', userConfig: { memory_file: '/home/u/data/memory.json', many: ['/a/x.db', '/b/y.db', '/a/z.db'] } };

    it('the :parent form resolves to the directory holding each value', () => {
      assert.deepEqual(resolveScopePaths(['${user_config.memory_file:parent}', '${user_config.memory_file:parent}/tmp', '${user_config.many:parent}'], context), [
        { declared: '${user_config.memory_file:parent}', paths: ['/home/u/data'] },
        { declared: '${user_config.memory_file:parent}/tmp', paths: ['/home/u/data/tmp'] },
        { declared: '${user_config.many:parent}', paths: ['/a', '/b'] },
      ]);
    });

    it('the :parent form on Windows uses Windows directory names', () => {
      const paths = resolveScopePaths(['${user_config.f:parent}'], { platform: 'win32', installDir: 'C:\\b', home: 'C:\\Users\\u', userConfig: { f: 'C:\\Users\\u\\notes\\m.json' } });
      assert.deepEqual(paths, [{ declared: '${user_config.f:parent}', paths: ['C:\\Users\\u\\notes'] }]);
    });

    it('an unanswered file option grants no parent, and a relative answer is refused', () => {
      assert.deepEqual(resolveScopePaths(['${user_config.unset:parent}'], context), [{ declared: '${user_config.unset:parent}', paths: [] }]);
      assert.throws(() => resolveScopePaths(['${user_config.f:parent}'], { ...context, userConfig: { f: 'memory.json' } }), (error: unknown) => isMCPSealError(error) && error.code === 'SCOPE_RELATIVE_PATH');
    });

    it('roots, cwd and user-driven egress are run-time grants, never paths', () => {
      const scopes = { ...(EXAMPLE['_meta']['dev.mcpseal']['scopes'] as Scopes) };
      scopes.filesystem = { read: ['${__dirname}'], write: ['${user_config.memory_file:parent}'], roots: 'read', cwd: 'read' };
      scopes.network = { egress: [], listen: false, userDriven: { reason: 'fetch', ports: [443] } };
      assert.deepEqual(resolveScopes(scopes, context), {
        read: [{ declared: '${__dirname}', paths: ['/opt/b'] }],
        write: [{ declared: '${user_config.memory_file:parent}', paths: ['/home/u/data'] }],
        runtime: { roots: 'read', cwd: 'read', userDriven: { reason: 'fetch', ports: [443] } },
      });
    });

    it('the :parent of any answered path is an absolute ancestor-or-self of it (property)', () => {
      const segment = fc.stringMatching(/^[a-z0-9._-]{1,8}$/u).filter((text) => text !== '.' && text !== '..');
      fc.assert(
        fc.property(fc.array(segment, { minLength: 1, maxLength: 6 }), (segments) => {
          const answer = `/${segments.join('/')}`;
          const [resolved] = resolveScopePaths(['${user_config.f:parent}'], { ...context, userConfig: { f: answer } });
          const parent = resolved!.paths[0]!;
          assert.deepEqual(resolved!.paths, [`/${segments.slice(0, -1).join('/')}`]);
          assert.ok(symbolicPathWithin(answer, parent));
        }),
        { seed: 10_3, numRuns: 300 },
      );
    });
  });
});

describe('scope schema errors in words (issue 10, item 6)', () => {
  // [change, pointer, a phrase the message must contain]
  const CASES: Array<[string, (scopes: Manifest) => void, string, RegExp]> = [
    ['a missing listen', (s) => delete s['network']['listen'], `${SCOPES}/network/listen`, /^network\.listen is required: false denies listening$/u],
    ['a missing egress', (s) => delete s['network']['egress'], `${SCOPES}/network/egress`, /^network\.egress is required: \[\] denies every outbound connection$/u],
    ['a missing block', (s) => delete s['process'], `${SCOPES}/process`, /^process is required: declare it with spawn, workers and native_addons/u],
    ['a host with a scheme', (s) => (s['network']['egress'] = [{ host: 'https://api.example.com', ports: [443] }]), `${SCOPES}/network/egress/0/host`, /^not a host name: "https:\/\/api\.example\.com" \(a DNS name/u],
    ['a bare * host', (s) => (s['network']['egress'] = [{ host: '*', ports: [443] }]), `${SCOPES}/network/egress/0/host`, /^not a host name: "\*"/u],
    ['a misspelt key', (s) => (s['network']['egres'] = []), `${SCOPES}/network/egres`, /^unknown key "egres" in network; did you mean "egress"\? \(allowed: egress, listen, userDriven\)$/u],
    ['a misspelt top-level key', (s) => (s['filesytem'] = s['filesystem']), `${SCOPES}/filesytem`, /did you mean "filesystem"\?/u],
    ['a misspelt userDriven', (s) => (s['network']['user_driven'] = { reason: 'x', ports: [443] }), `${SCOPES}/network/user_driven`, /did you mean "userDriven"\?/u],
    ['a key nothing resembles', (s) => (s['env']['zzzzzz'] = []), `${SCOPES}/env/zzzzzz`, /^unknown key "zzzzzz" in env \(allowed: read, secrets\)$/u],
    ['an env name with a dash', (s) => (s['env']['read'] = ['MY-KEY']), `${SCOPES}/env/read/0`, /^not an environment variable name: "MY-KEY"/u],
    ['a port over 65535', (s) => (s['network']['egress'] = [{ host: 'a.example', ports: [70000] }]), `${SCOPES}/network/egress/0/ports/0`, /^network\.egress\[0\]\.ports\[0\] is 70000, not a port from 1 to 65535$/u],
    ['listen as a string', (s) => (s['network']['listen'] = 'no'), `${SCOPES}/network/listen`, /^network\.listen must be true or false, not "no"$/u],
    ['roots out of its enum', (s) => (s['filesystem']['roots'] = 'all'), `${SCOPES}/filesystem/roots`, /^filesystem\.roots must be one of "none", "read", "write", not "all"$/u],
    ['a path listed twice', (s) => (s['filesystem']['read'] = ['${__dirname}', '${__dirname}']), `${SCOPES}/filesystem/read`, /^filesystem\.read lists the same item twice/u],
  ];
  for (const [name, change, at, message] of CASES) {
    it(`${name}: one SCOPE_SCHEMA finding at its key, in a sentence`, () => {
      const found = scopeFindingsOf(withScopes(change)).filter((finding) => finding.code === 'SCOPE_SCHEMA');
      assert.deepEqual(found.map((finding) => finding.pointer), [at]);
      assert.match(found[0]!.message, message);
    });
  }

  it('no scope schema message carries a regular expression or ajv wording, and each is short (property)', () => {
    const breakers: Array<(scopes: Manifest) => void> = [
      (s) => (s['network']['egress'] = [{ host: 'bad host!', ports: [443] }]),
      (s) => delete s['env']['secrets'],
      (s) => (s['process']['spawn'] = [1]),
      (s) => (s['process']['workers'] = 'yes'),
      (s) => (s['env']['read'] = ['1ABC']),
      (s) => (s['network']['egress'] = [{ host: 'a.example' }]),
      (s) => (s['network']['userDriven'] = { reason: '', ports: [443, 443] }),
      (s) => (s['filesystem']['extra'] = []),
      (s) => (s['filesystem']['read'] = [''.padEnd(2000, 'x')]),
    ];
    fc.assert(
      fc.property(fc.subarray(breakers, { minLength: 1 }), (chosen) => {
        const findings = scopeFindingsOf(withScopes((s) => chosen.forEach((breaker) => breaker(s))));
        assert.ok(findings.length > 0);
        for (const finding of findings) {
          assert.doesNotMatch(finding.message, /\^\(\?|must match pattern|must have required property|must NOT have/u, finding.message);
          assert.ok(finding.message.length < 300, finding.message);
        }
      }),
      { seed: 10_6, numRuns: 100 },
    );
  });
});

describe('misspelt keys under _meta (issue 10, item 5)', () => {
  const CASES: Array<[string, (manifest: Manifest) => void, string[]]> = [
    ['dev.mcpseel', (m) => (m['_meta'] = { 'dev.mcpseel': m['_meta']['dev.mcpseal'] }), [`error SCOPE_MISSING ${SCOPES}`, 'warning SCOPE_META_MISSPELT /_meta/dev.mcpseel']],
    ['dev.mcpseal.scopes as one key', (m) => (m['_meta'] = { 'dev.mcpseal.scopes': m['_meta']['dev.mcpseal']['scopes'] }), [`error SCOPE_MISSING ${SCOPES}`, 'warning SCOPE_META_MISSPELT /_meta/dev.mcpseal.scopes']],
    ['Dev.McpSeal in another case', (m) => (m['_meta'] = { 'Dev.McpSeal': m['_meta']['dev.mcpseal'] }), [`error SCOPE_MISSING ${SCOPES}`, 'warning SCOPE_META_MISSPELT /_meta/Dev.McpSeal']],
    ['scope instead of scopes', (m) => (m['_meta']['dev.mcpseal'] = { scope: m['_meta']['dev.mcpseal']['scopes'] }), [`error SCOPE_MISSING ${SCOPES}`, 'warning SCOPE_META_MISSPELT /_meta/dev.mcpseal/scope']],
    ['a second, unknown key beside valid scopes', (m) => (m['_meta']['dev.mcpseal']['scopess'] = {}), ['warning SCOPE_META_MISSPELT /_meta/dev.mcpseal/scopess']],
    ['another vendor namespace is left alone', (m) => (m['_meta']['com.example.tool'] = { any: 1 }), []],
  ];
  for (const [name, change, expected] of CASES) {
    it(`${name}: ${expected.length === 0 ? 'no finding' : expected.map((line) => line.split(' ')[1]).join(' + ')}`, () => {
      const manifest = structuredClone(EXAMPLE);
      change(manifest);
      assert.deepEqual(lines(scopeFindingsOf(manifest)).sort(), [...expected].sort());
    });
  }

  it('the warning says what was meant', () => {
    const manifest = structuredClone(EXAMPLE);
    manifest['_meta'] = { 'dev.mcpseel': manifest['_meta']['dev.mcpseal'] };
    const warning = scopeFindingsOf(manifest).find((finding) => finding.code === 'SCOPE_META_MISSPELT')!;
    assert.match(warning.message, /did you mean "dev\.mcpseal"\?/u);
    const missing = scopeFindingsOf(manifest).find((finding) => finding.code === 'SCOPE_MISSING')!;
    assert.match(missing.message, /"dev\.mcpseel" is there/u);
  });

  it('edit distance: symmetric, zero only for equal strings, bounded by the limit (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 12 }), fc.string({ maxLength: 12 }), (a, b) => {
        const d = editDistance(a, b, 30);
        assert.equal(d, editDistance(b, a, 30));
        assert.equal(d === 0, a === b);
        assert.ok(d <= Math.max(a.length, b.length));
        assert.ok(editDistance(a, b, 1) <= 2);
      }),
      { seed: 10_5, numRuns: 500 },
    );
  });

  it('`mcpseal validate` prints the did-you-mean and each scope schema error in words', async () => {
    const tmp = await tempDir();
    try {
      const manifest = withScopes((s, m) => {
        delete s['network']['listen'];
        m['_meta']['dev.mcpseal']['scope'] = {};
      });
      const path = join(tmp.path, 'manifest.json');
      await (await import('node:fs/promises')).writeFile(path, JSON.stringify(manifest));
      const result = await runCli(['validate', path]);
      assert.equal(result.status, 1, result.stderr);
      const output = result.stdout + result.stderr;
      assert.match(output, /network\.listen is required: false denies listening/u);
      assert.match(output, /did you mean "scopes"\?/u);
    } finally {
      await tmp.cleanup();
    }
  });
});

describe('the scope checks on arbitrary input', () => {
  it('never throw on arbitrary hosts, paths, grants and _meta keys, and stay linear on long ones (property)', () => {
    const text = fc.oneof(
      fc.string({ maxLength: 30 }),
      fc.constantFrom('*.', '[', '::', '0x', '169.254.', '${user_config.', ':parent}', '${HOME}', '~', '..', '/', 'C:\\', 'dev.mcpseal', 'scopes', 'xn--'),
    );
    fc.assert(
      fc.property(fc.array(text, { maxLength: 4 }), fc.array(text, { maxLength: 4 }), text, fc.dictionary(text, fc.constant({}), { maxKeys: 3 }), (hosts, paths, grant, meta) => {
        const manifest = withScopes((s, m) => {
          s['network']['egress'] = hosts.map((host) => ({ host: host === '' ? 'a' : host, ports: [443] }));
          s['filesystem']['write'] = [...new Set(paths.filter((path) => path !== ''))];
          s['filesystem']['roots'] = grant;
          s['network']['userDriven'] = { reason: grant, ports: [443] };
          Object.assign(m['_meta'], meta);
          m['user_config']['memory_file']['default'] = paths[0] ?? '';
        });
        validateManifest(manifest);
      }),
      { seed: 10_7, numRuns: 500 },
    );
    const long = withScopes((s, m) => {
      s['network']['egress'] = Array.from({ length: 256 }, (_, index) => ({ host: `*.${'a'.repeat(60)}.${index}x.co.uk`, ports: [443] }));
      s['filesystem']['read'] = Array.from({ length: 256 }, (_, index) => `\${user_config.memory_file:parent}/${'d/'.repeat(400)}${index}`);
      for (let index = 0; index < 2000; index++) m['_meta'][`dev.mcpseal${'x'.repeat(index % 50)}${index}`] = {};
      m['_meta']['q'.repeat(100_000)] = {};
    });
    const started = performance.now();
    validateManifest(long);
    assert.ok(performance.now() - started < 5_000);
  });
});
