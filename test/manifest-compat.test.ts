// The compat profile must accept exactly what the official validator accepts: the strict zod
// schemas of @anthropic-ai/mcpb 2.1.2 (`VERSIONED_MANIFEST_SCHEMAS[version].safeParse`, the check
// `mcpb validate` runs), with the version resolved the official way. This is a differential
// test: every manifest below goes through both validators, which must agree on the version, on
// accept/reject, and on where the problems are (zod issue paths vs our JSON Pointers). A
// disagreement fails the test unless it is one of the named KNOWN_DIFFERENCES.

import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { VERSIONED_MANIFEST_SCHEMAS } from '@anthropic-ai/mcpb/schemas';
import fc from 'fast-check';
import { pointer } from '../lib/manifest/findings.ts';
import { isZodUrl } from '../lib/manifest/formats.ts';
import { manifestSchemaUrl, validateCompat } from '../lib/manifest/schema.ts';
import { detectManifestVersion, MANIFEST_VERSIONS, type ManifestVersion } from '../lib/manifest/versions.ts';
import { GENERATED_VALIDATORS, generateManifestValidators, schemaId } from '../scripts/build-schemas.ts';

// The official resolver is not in the package's exports map: load it from beside the schemas.
const officialResolver = new URL('../shared/manifestVersionResolve.js', import.meta.resolve('@anthropic-ai/mcpb/schemas'));
const { getManifestVersionFromRawData } = (await import(officialResolver.href)) as {
  getManifestVersionFromRawData: (data: unknown) => string | null;
};

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Manifest = Record<string, Json>;

/** A case where the compat profile knowingly differs from 2.1.2, with the reason. */
export interface KnownDifference {
  name: string;
  reason: string;
  applies(manifest: unknown): boolean;
}

/**
 * Every accepted disagreement. None is reachable from manifest bytes: `validateCompat` takes
 * `unknown`, so a library caller can hand it values JSON.parse never produces.
 */
export const KNOWN_DIFFERENCES: readonly KnownDifference[] = [
  {
    name: 'NaN in a number field',
    reason:
      'zod 3 z.number() refuses NaN; the schemas run with ajv strictNumbers off (needed to accept Infinity, which ' +
      'JSON.parse("1e400") yields and zod accepts), so NaN passes. JSON.parse never yields NaN.',
    applies: (manifest) => someValue(manifest, (value) => Number.isNaN(value)),
  },
  {
    name: 'non-plain objects',
    reason:
      'zod 3 types Date, Map, Set and promise-like objects as their own kinds, not "object"; JSON Schema sees an ' +
      'object. JSON.parse only yields plain objects.',
    applies: (manifest) =>
      someValue(manifest, (value) => value instanceof Date || value instanceof Map || value instanceof Set || typeof (value as { then?: unknown } | null)?.then === 'function'),
  },
];

// ---------------------------------------------------------------------------------------------
// The two validators, reduced to comparable verdicts.

interface Verdict {
  version: string | null;
  accepted: boolean;
  /** Where the problems are, as sorted unique JSON Pointers (missing and unknown keys included). */
  pointers: string[];
}

function official(manifest: unknown): Verdict {
  const version = getManifestVersionFromRawData(manifest);
  if (version === null) return { version: null, accepted: false, pointers: [] };
  const result = VERSIONED_MANIFEST_SCHEMAS[version as ManifestVersion].safeParse(manifest);
  if (result.success) return { version, accepted: true, pointers: [] };
  // zod reports unknown keys on the object holding them; we point at each key.
  const pointers = result.error.issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys' ? issue.keys.map((key) => pointer(...issue.path, key)) : [pointer(...issue.path)],
  );
  return { version, accepted: false, pointers: [...new Set(pointers)].sort() };
}

function ours(manifest: unknown): Verdict {
  const { version, findings } = validateCompat(manifest);
  for (const finding of findings) {
    assert.equal(finding.severity, 'error');
    assert.ok(['MANIFEST_SCHEMA', 'MANIFEST_UNKNOWN_VERSION'].includes(finding.code), finding.code);
    assert.ok(finding.message.length > 0);
  }
  const pointers = findings.filter((finding) => finding.code === 'MANIFEST_SCHEMA').map((finding) => finding.pointer);
  return { version, accepted: findings.length === 0, pointers: [...new Set(pointers)].sort() };
}

/** Runs both validators; fails on any disagreement that is not a named known difference. */
function assertAgree(manifest: unknown, label = ''): Verdict {
  const expected = official(manifest);
  const actual = ours(manifest);
  if (expected.version !== actual.version || expected.accepted !== actual.accepted) {
    const known = KNOWN_DIFFERENCES.find((difference) => difference.applies(manifest));
    if (known) return expected;
    assert.fail(`${label} compat disagrees with @anthropic-ai/mcpb 2.1.2:\n official ${JSON.stringify(expected)}\n ours     ${JSON.stringify(actual)}\n manifest ${show(manifest)}`);
  }
  assert.deepEqual(actual.pointers, expected.pointers, `${label} findings point elsewhere than zod's issues: ${show(manifest)}`);
  return expected;
}

// ---------------------------------------------------------------------------------------------
// Inputs: the official examples, one rich manifest per version (every field), and mutations.

const FIXTURES = new URL('./fixtures/mcpb-official/', import.meta.url);
const EXAMPLES: ReadonlyMap<string, Manifest> = new Map(
  readdirSync(FIXTURES)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => [name, JSON.parse(readFileSync(new URL(name, FIXTURES), 'utf8')) as Manifest]),
);

function example(name: string): Manifest {
  const manifest = EXAMPLES.get(name);
  assert.ok(manifest, `fixture ${name}`);
  return clone(manifest);
}

/** A manifest valid under the official schema of `version` that uses every field it has. */
function richManifest(version: ManifestVersion, versionKey: 'manifest_version' | 'dxt_version' = 'manifest_version'): Manifest {
  const minor = Number(version.slice(2));
  return {
    $schema: 'https://example.com/mcpb-manifest.schema.json',
    [versionKey]: version,
    name: 'rich',
    display_name: 'Rich',
    version: '1.2.3',
    description: 'Every field of the version',
    long_description: 'Long',
    author: { name: 'A. Author', email: 'a.author+mcp@example.co.uk', url: 'https://example.com/a' },
    repository: { type: 'git', url: 'https://github.com/example/rich' },
    homepage: 'https://example.com',
    documentation: 'https://example.com/docs',
    support: 'https://example.com/support',
    icon: 'icon.png',
    screenshots: ['shot.png'],
    server: {
      type: minor >= 4 ? 'uv' : 'node',
      entry_point: 'server/index.js',
      mcp_config: {
        command: 'node',
        args: ['${__dirname}/server/index.js', '--dir=${user_config.dir}'],
        env: { API_KEY: '${user_config.api_key}' },
        platform_overrides: { win32: { command: 'node.exe' }, linux: { env: {} } },
      },
    },
    tools: [{ name: 'read', description: 'Reads' }, { name: 'write' }],
    tools_generated: false,
    prompts: [{ name: 'hello', description: 'Greets', arguments: ['who'], text: 'Say hello to ${arguments.who}' }],
    prompts_generated: true,
    keywords: ['example'],
    license: 'MIT',
    compatibility: { claude_desktop: '>=0.10.0', platforms: ['darwin', 'win32', 'linux'], runtimes: { node: '>=18', python: '>=3.10' } },
    user_config: {
      api_key: { type: 'string', title: 'API key', description: 'Key', required: true, sensitive: true },
      dir: { type: 'directory', title: 'Directory', description: 'Where', multiple: true, default: ['${HOME}/work'] },
      count: { type: 'number', title: 'Count', description: 'How many', default: 5, min: 1, max: 10 },
      flag: { type: 'boolean', title: 'Flag', description: 'Whether', default: false },
    },
    ...(minor >= 2 ? { privacy_policies: ['https://example.com/privacy'] } : {}),
    ...(minor >= 3
      ? {
          icons: [
            { src: 'icon-16.png', size: '16x16' },
            { src: 'icon-dark.png', size: '32x32', theme: 'dark' },
          ],
          localization: { resources: 'locales/${locale}.json', default_locale: 'en-US' },
          _meta: { 'dev.mcpseal': { scopes: { filesystem: { read: [], write: [] } } }, 'com.example': {} },
        }
      : {}),
  };
}

const BASES: ReadonlyArray<[string, Manifest]> = [
  ...[...EXAMPLES].map(([name, manifest]): [string, Manifest] => [name, manifest]),
  ...MANIFEST_VERSIONS.map((version): [string, Manifest] => [`rich ${version}`, richManifest(version)]),
  ...MANIFEST_VERSIONS.map((version): [string, Manifest] => [`rich ${version} (dxt_version)`, richManifest(version, 'dxt_version')]),
];
const RICH = BASES.filter(([name]) => name.startsWith('rich'));

/** Marks a key for deletion in a value pool. */
const DELETE = Symbol('delete');
type PoolValue = Json | typeof DELETE;

const VERSION_VALUES: PoolValue[] = ['0.1', '0.2', '0.3', '0.4', '0.5', '1.0', '', ' 0.3', '0.3 ', 0.3, null, DELETE];

/** Strings at the edges of zod's .email() regex and of `new URL()`. */
const EDGE_STRINGS: string[] = [
  '', ' ', 'a', 'a@b', 'x@y.co', 'X@Y.CO', 'a..b@c.com', '.a@b.co', 'a.@b.co', "o'brien+tag@example.co.uk", 'a@b.c', 'a@-b.co',
  'a@b-.co', 'a@b_c.co', 'a b@c.co', 'a@b.co ', '\u00e9@example.com', 'x@example.\u00e9\u00e9', 'user@sub.example.museum', 'a@b.c0',
  'mailto:x', 'http://', 'https://', 'not a url', 'https://ok.example', 'javascript:alert(1)', 'file:///etc/passwd', '//example.com',
  '/relative', 'a:b', 'HTTP://EXAMPLE.COM', 'https://exa mple.com', 'http://[::1]', 'http://[::1', 'https://example.com:99999',
  'https://example.com:65535', 'ftp://x', 'https://\u00e9x.example', 'https://xn--e-9ga.example', 'http://1.2.3.4.5', 'urn:isbn:1',
  'data:,x', '\ud800', 'https://example.com/\ud800',
];

/** One of each JSON type, including the Infinity that JSON.parse("1e400") yields. */
const TYPE_VALUES: Json[] = [null, true, false, 0, 1, -1, 1.5, Infinity, -Infinity, '', 'x', [], ['a'], [1], {}, { a: 'b' }, { a: 1 }, { a: { b: 1 } }];

const ICON_SIZES: PoolValue[] = ['16x16', '16X16', '1x1', '0x0', '16x', 'x16', '16x16 ', ' 16x16', '16*16', '\u0661\u0666x16', '16x16\n', '', 16, DELETE];
const LOCALE_RESOURCES: PoolValue[] = [
  'locales/${locale}.json', '${LOCALE}.json', '${Locale}', 'locale', '$ {locale}', '{locale}', '${locale', 'a/${locale}/b/${locale}', '', DELETE,
];
const LOCALES: PoolValue[] = ['en', 'en-US', 'e', 'en_US', 'zh-Hant-TW', 'toolongtag', 'en-', '-en', '123', 'en-verylongsub', 'EN', 'x-private', '', DELETE];
const META_SHAPES: PoolValue[] = [
  { a: 1 }, { a: { b: 1 } }, { a: [] }, { a: null }, { a: 'b' }, {}, [], 'x', { 'dev.mcpseal': { scopes: { filesystem: {} } } },
  { a: { b: { c: [1, {}] } } }, { a: {}, b: { c: null } }, DELETE,
];

/** Manifest locations worth aiming at, each with values on both sides of the official rule. */
const TARGETS: ReadonlyArray<[Array<string | number>, PoolValue[]]> = [
  [['manifest_version'], VERSION_VALUES],
  [['dxt_version'], VERSION_VALUES],
  [['name'], ['x', '', 1, null, DELETE]],
  [['version'], ['1.0.0', '', 1, DELETE]],
  [['description'], ['d', '', [], DELETE]],
  [['$schema'], ['x', '', 1, DELETE]],
  [['author'], [{ name: 'n' }, { name: 'n', email: 'x@y.co' }, { email: 'x@y.co' }, { name: 'n', extra: 1 }, 'n', DELETE]],
  [['author', 'name'], ['n', '', 1, DELETE]],
  [['author', 'email'], [...EDGE_STRINGS, 1, DELETE]],
  [['author', 'url'], [...EDGE_STRINGS, DELETE]],
  [['repository'], [{ type: 'git', url: 'https://x.example' }, { type: 'git' }, { url: 'https://x.example' }, { type: 'git', url: 'nope' }, DELETE]],
  [['repository', 'url'], EDGE_STRINGS],
  [['homepage'], [...EDGE_STRINGS, DELETE]],
  [['documentation'], [...EDGE_STRINGS, DELETE]],
  [['support'], [...EDGE_STRINGS, DELETE]],
  [['privacy_policies'], [[], ['https://x.example'], ['nope'], 'https://x.example', DELETE]],
  [['privacy_policies', 0], EDGE_STRINGS],
  [['server', 'type'], ['python', 'node', 'binary', 'uv', 'Node', 'deno', '', 1]],
  [['server', 'entry_point'], ['server/index.js', '', 1, DELETE]],
  [['server', 'mcp_config'], [{ command: 'node' }, {}, { command: 'node', extra: 1 }, { args: [] }, null, DELETE]],
  [['server', 'mcp_config', 'command'], ['node', '', 1, ['node'], DELETE]],
  [['server', 'mcp_config', 'args'], [[], ['a'], [1], 'a', [null], [['a']], DELETE]],
  [['server', 'mcp_config', 'env'], [{}, { A: 'b' }, { A: 1 }, { A: null }, [], 'A=b', { LD_PRELOAD: '/tmp/x.so' }, DELETE]],
  [['server', 'mcp_config', 'platform_overrides'], [
    {}, { win32: {} }, { win32: { command: 'x' } }, { win32: { cmd: 'x' } }, { win32: null }, { freebsd: { args: ['a'] } },
    { win32: { env: { A: 1 } } }, { darwin: { platform_overrides: {} } }, [], DELETE,
  ]],
  [['server', 'mcp_config', 'platform_overrides', 'win32', 'args'], [['a'], [1], 'a', DELETE]],
  [['tools'], [[], [{ name: 't' }], [{ description: 'd' }], [{ name: 't', input_schema: {} }], {}, DELETE]],
  [['prompts', 0, 'text'], ['t', '', 1, DELETE]],
  [['prompts', 0, 'arguments'], [[], ['a'], [1], DELETE]],
  [['keywords'], [[], ['a'], [1], 'a', DELETE]],
  [['tools_generated'], [true, false, 'true', 0, DELETE]],
  [['compatibility', 'platforms'], [[], ['darwin'], ['darwin', 'win32', 'linux'], ['macos'], ['Darwin'], ['linux', ''], 'linux', DELETE]],
  [['compatibility', 'platforms', 0], ['darwin', 'win32', 'linux', 'macos', 'Darwin', '']],
  [['compatibility', 'runtimes'], [{}, { node: '>=18' }, { uv: '1' }, { python: 3 }, DELETE]],
  [['compatibility', 'claude_desktop'], ['>=1', '', 1, DELETE]],
  [['user_config', 'opt'], [
    { type: 'string', title: 't', description: 'd' }, { type: 'string', title: 't' }, { type: 'file', title: 't', description: 'd', placeholder: 'x' },
    { type: 'path', title: 't', description: 'd' }, 'x', DELETE,
  ]],
  [['user_config', 'opt', 'type'], ['string', 'number', 'boolean', 'directory', 'file', 'String', 'path', '']],
  [['user_config', 'opt', 'default'], ['x', 1, Infinity, true, ['a'], [1], [], {}, null, DELETE]],
  [['user_config', 'opt', 'min'], [0, -1, 1.5, Infinity, '1', null, DELETE]],
  [['user_config', 'opt', 'required'], [true, 'yes', DELETE]],
  [['icons'], [
    [], [{ src: 'a', size: '16x16' }], [{ src: 'a' }], [{ size: '16x16' }], [{ src: 'a', size: '16x16', theme: '' }],
    [{ src: 'a', size: '16x16', extra: 1 }], {}, ['a'], DELETE,
  ]],
  [['icons', 0, 'size'], ICON_SIZES],
  [['icons', 1, 'theme'], ['', 'dark', ' ', 1, DELETE]],
  [['localization'], [
    { resources: '${locale}', default_locale: 'en' }, { resources: '${locale}' }, { default_locale: 'en' }, {},
    { resources: '${locale}', default_locale: 'en', extra: 1 }, DELETE,
  ]],
  [['localization', 'resources'], LOCALE_RESOURCES],
  [['localization', 'default_locale'], LOCALES],
  [['_meta'], META_SHAPES],
  [['_meta', 'dev.mcpseal'], [{}, { scopes: null }, 1, [], null, DELETE]],
];

/** Keys for "add an unknown key": typos, keys of other levels and versions, prototype names. */
const EXTRA_KEYS = ['foo', 'id', 'scripts', 'privacy_policies', 'icons', 'localization', '_meta', 'mcp_config', 'command', 'name', 'type',
  '__proto__', 'constructor', 'toString', 'hasOwnProperty', 'a/b~c', '', 'Name', 'MANIFEST_VERSION'];

// ---------------------------------------------------------------------------------------------
// Mutation helpers. Objects are built with defineProperty so that a "__proto__" key becomes an
// own property, as JSON.parse makes it, instead of replacing the prototype.

function clone<T>(value: T): T {
  if (Array.isArray(value)) return value.map((item: unknown) => clone(item)) as T;
  if (typeof value === 'object' && value !== null) {
    const out = {};
    for (const [key, item] of Object.entries(value)) define(out, key, clone(item));
    return out as T;
  }
  return value;
}

function define(target: object, key: string | number, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function isContainer(value: unknown): value is Record<string, unknown> | unknown[] {
  return typeof value === 'object' && value !== null;
}

/** Sets (or deletes) the value at `path`, creating missing objects on the way; a no-op through a scalar. */
function setAt(root: Manifest, path: ReadonlyArray<string | number>, value: PoolValue): void {
  let node: unknown = root;
  for (const [depth, key] of path.entries()) {
    if (!isContainer(node)) return;
    const last = depth === path.length - 1;
    if (Array.isArray(node)) {
      // JSON has no holes: an index past the end appends.
      const index = Math.min(Number(key), node.length);
      if (last) {
        if (value === DELETE) node.splice(index, 1);
        else node[index] = clone(value);
        return;
      }
      if (node[index] === undefined) node[index] = typeof path[depth + 1] === 'number' ? [] : {};
      node = node[index];
      continue;
    }
    const record = node;
    if (last) {
      if (value === DELETE) delete record[key];
      else define(record, key, clone(value));
      return;
    }
    if (!Object.hasOwn(record, key)) define(record, key, typeof path[depth + 1] === 'number' ? [] : {});
    node = record[key];
  }
}

/** Every location in the manifest, root excluded, in a stable order. */
function paths(value: unknown, prefix: Array<string | number> = []): Array<Array<string | number>> {
  if (!isContainer(value)) return [];
  const keys: Array<string | number> = Array.isArray(value) ? value.map((_, index) => index) : Object.keys(value);
  return keys.flatMap((key) => {
    const path = [...prefix, key];
    return [path, ...paths((value as Record<string | number, unknown>)[key], path)];
  });
}

function containerPaths(manifest: Manifest): Array<Array<string | number>> {
  return [[], ...paths(manifest)].filter((path) => {
    const node = path.reduce<unknown>((at, key) => (at as Record<string | number, unknown>)[key], manifest);
    return isContainer(node) && !Array.isArray(node);
  });
}

function someValue(value: unknown, test: (value: unknown) => boolean): boolean {
  if (test(value)) return true;
  if (!isContainer(value) || value instanceof Date || value instanceof Map || value instanceof Set) return false;
  return Object.values(value).some((item) => someValue(item, test));
}

function show(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) => (typeof item === 'number' && !Number.isFinite(item) ? String(item) : item));
}

type Op =
  | { kind: 'target'; target: number; value: number }
  | { kind: 'delete' | 'retype' | 'edge'; at: number; value: number }
  | { kind: 'extra'; at: number; key: number; value: number };

function pick<T>(list: readonly T[], index: number): T {
  return list[index % list.length] as T;
}

function applyOp(manifest: Manifest, op: Op): void {
  switch (op.kind) {
    case 'target': {
      const [path, pool] = pick(TARGETS, op.target);
      setAt(manifest, path, pick(pool, op.value));
      return;
    }
    case 'extra':
      setAt(manifest, [...pick(containerPaths(manifest), op.at), pick(EXTRA_KEYS, op.key)], pick(TYPE_VALUES, op.value));
      return;
    default: {
      const all = paths(manifest);
      if (all.length === 0) return;
      const path = pick(all, op.at);
      setAt(manifest, path, op.kind === 'delete' ? DELETE : op.kind === 'retype' ? pick(TYPE_VALUES, op.value) : pick(EDGE_STRINGS, op.value));
    }
  }
}

const opArbitrary: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('target' as const), target: fc.nat(), value: fc.nat() }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constantFrom('delete' as const, 'retype' as const, 'edge' as const), at: fc.nat(), value: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('extra' as const), at: fc.nat(), key: fc.nat(), value: fc.nat() }) },
);

// ---------------------------------------------------------------------------------------------

describe('manifest compat profile = @anthropic-ai/mcpb 2.1.2 strict schemas', function () {
  describe('version detection', function () {
    const cases: Array<[string, unknown]> = [
      ['manifest_version', { manifest_version: '0.3' }],
      ['dxt_version only', { dxt_version: '0.2' }],
      ['unknown manifest_version falls back to dxt_version', { manifest_version: '9.9', dxt_version: '0.1' }],
      ['non-string manifest_version falls back', { manifest_version: 0.3, dxt_version: '0.4' }],
      ['both known: manifest_version wins', { manifest_version: '0.4', dxt_version: '0.1' }],
      ['empty string', { manifest_version: '' }],
      ['none', {}],
      ['array', ['0.3']],
      ['string', '0.3'],
      ['null', null],
    ];
    for (const [name, value] of cases) {
      it(`resolves like the official resolver: ${name}`, function () {
        const detected = detectManifestVersion(value);
        assert.equal(detected?.version ?? null, getManifestVersionFromRawData(value));
      });
    }

    it('reports whether the version came from the legacy dxt_version', function () {
      assert.deepEqual(detectManifestVersion({ dxt_version: '0.2' }), { version: '0.2', legacy: true });
      assert.deepEqual(detectManifestVersion({ manifest_version: '0.2', dxt_version: '0.2' }), { version: '0.2', legacy: false });
    });
  });

  describe('official examples (test/fixtures/mcpb-official)', function () {
    // Measured with 2.1.2, not assumed: only three examples pass the released strict schemas.
    const OUTCOMES: Record<string, { version: string | null; pointers: string[] }> = {
      'chrome-applescript.manifest.json': { version: '0.1', pointers: ['/privacy_policies', '/scripts'] },
      'file-manager-python.manifest.json': { version: '0.1', pointers: ['/privacy_policies'] },
      'file-system-node.manifest.json': { version: '0.1', pointers: ['/id', '/privacy_policies'] },
      'hello-world-node.manifest.json': { version: '0.3', pointers: [] },
      // 2.1.2's 0.4 schema still requires server.mcp_config; newer upstream makes it optional for
      // `uv` servers. Compat follows the released schema.
      'hello-world-uv.manifest.json': { version: '0.4', pointers: ['/server/mcp_config'] },
      'test-invalid-manifest.json': { version: null, pointers: [] },
      'test-valid-manifest-0.2.json': { version: '0.2', pointers: [] },
      'test-valid-manifest.json': { version: '0.3', pointers: [] },
    };

    it('covers every fixture', function () {
      assert.deepEqual([...EXAMPLES.keys()], Object.keys(OUTCOMES).sort());
    });

    for (const [name, outcome] of Object.entries(OUTCOMES)) {
      it(`${name}: ${outcome.version === null ? 'no known version' : outcome.pointers.length === 0 ? 'accepted' : `rejected at ${outcome.pointers.join(', ')}`}, as by 2.1.2`, function () {
        const manifest = example(name);
        const verdict = assertAgree(manifest, name);
        assert.equal(verdict.version, outcome.version);
        assert.deepEqual(verdict.pointers, outcome.pointers);
        assert.equal(verdict.accepted, outcome.version !== null && outcome.pointers.length === 0);
      });
    }

    it('test-invalid-manifest.json is rejected for its unknown version "1.0"', function () {
      const result = validateCompat(example('test-invalid-manifest.json'));
      assert.deepEqual(result.findings.map(({ code, pointer: at }) => [code, at]), [['MANIFEST_UNKNOWN_VERSION', '/manifest_version']]);
      assert.match(result.findings[0]?.message ?? '', /"1\.0"/);
    });

    it('test-invalid-manifest.json stamped 0.3 is still rejected, at each of its faults', function () {
      const manifest = example('test-invalid-manifest.json');
      manifest['manifest_version'] = '0.3';
      const verdict = assertAgree(manifest);
      assert.deepEqual(verdict.pointers, ['/author/email', '/author/name', '/server/mcp_config', '/server/type']);
    });
  });

  describe('findings point into the manifest (RFC 6901)', function () {
    const valid = (): Manifest => example('test-valid-manifest.json');
    const cases: Array<{ name: string; edit(manifest: Manifest): void; pointers: string[] }> = [
      {
        name: 'unknown key in mcp_config',
        edit: (manifest) => setAt(manifest, ['server', 'mcp_config', 'foo'], 1),
        pointers: ['/server/mcp_config/foo'],
      },
      { name: 'missing author name', edit: (manifest) => setAt(manifest, ['author', 'name'], DELETE), pointers: ['/author/name'] },
      { name: 'bad author email', edit: (manifest) => setAt(manifest, ['author', 'email'], 'a..b@c.com'), pointers: ['/author/email'] },
      { name: 'unknown key needing escapes', edit: (manifest) => setAt(manifest, ['a/b~c'], true), pointers: ['/a~1b~0c'] },
      {
        name: 'array index and record key',
        edit: (manifest) => {
          setAt(manifest, ['icons'], [{ src: 'a', size: '16x16' }, { src: 'b', size: '16X16' }]);
          setAt(manifest, ['user_config', 'api/key'], { type: 'string', description: 'd' });
        },
        pointers: ['/icons/1/size', '/user_config/api~1key/title'],
      },
      { name: '_meta value that is not an object', edit: (manifest) => setAt(manifest, ['_meta'], { a: 1 }), pointers: ['/_meta/a'] },
      { name: 'wrong type', edit: (manifest) => setAt(manifest, ['server', 'mcp_config', 'args'], 'x'), pointers: ['/server/mcp_config/args'] },
    ];
    for (const { name, edit, pointers } of cases) {
      it(name, function () {
        const manifest = valid();
        edit(manifest);
        assert.deepEqual(ours(manifest).pointers, pointers);
        assertAgree(manifest, name);
      });
    }

    it('messages name the rule that failed', function () {
      const manifest = valid();
      setAt(manifest, ['server', 'mcp_config', 'foo'], 1);
      setAt(manifest, ['author', 'email'], 'a..b@c.com');
      setAt(manifest, ['server', 'type'], 'deno');
      const messages = Object.fromEntries(validateCompat(manifest).findings.map((finding) => [finding.pointer, finding.message]));
      assert.match(messages['/server/mcp_config/foo'] ?? '', /unknown key "foo"/);
      assert.equal(messages['/author/email'], 'must be an email address');
      assert.equal(messages['/server/type'], 'must be one of "python", "node", "binary"');
    });

    it('a manifest naming no known version has one MANIFEST_UNKNOWN_VERSION finding', function () {
      assert.deepEqual(
        [{}, { manifest_version: '' }, { dxt_version: '0.9' }, [], 'x', null].map((value) => validateCompat(value).findings.map((f) => [f.code, f.pointer])),
        [
          [['MANIFEST_UNKNOWN_VERSION', '/manifest_version']],
          [['MANIFEST_UNKNOWN_VERSION', '/manifest_version']],
          [['MANIFEST_UNKNOWN_VERSION', '/dxt_version']],
          [['MANIFEST_UNKNOWN_VERSION', '']],
          [['MANIFEST_UNKNOWN_VERSION', '']],
          [['MANIFEST_UNKNOWN_VERSION', '']],
        ],
      );
    });
  });

  describe('zod behaviours mirrored one by one', function () {
    it('the rich manifest of every version is accepted, as a manifest_version and as a dxt_version manifest', function () {
      for (const [name, manifest] of RICH) assert.equal(assertAgree(manifest, name).accepted, true, name);
    });

    it('a field of a later version is an unknown key (strictObject)', function () {
      const manifest = richManifest('0.1');
      setAt(manifest, ['_meta'], {});
      assert.deepEqual(assertAgree(manifest).pointers, ['/_meta']);
    });

    it('_meta values must be records: {"a":1} rejected, {"a":{"b":1}} accepted (z.record(z.string(), z.record(...)))', function () {
      const manifest = richManifest('0.3');
      setAt(manifest, ['_meta'], { a: 1 });
      assert.equal(assertAgree(manifest).accepted, false);
      setAt(manifest, ['_meta'], { a: { b: 1 } });
      assert.equal(assertAgree(manifest).accepted, true);
    });

    it('icon size: "16x16" accepted, "16X16" rejected (/^\\d+x\\d+$/ has no i flag)', function () {
      const manifest = richManifest('0.4');
      setAt(manifest, ['icons', 0, 'size'], '16X16');
      assert.equal(assertAgree(manifest).accepted, false);
      setAt(manifest, ['icons', 0, 'size'], '16x16');
      assert.equal(assertAgree(manifest).accepted, true);
    });

    it('localization: "${LOCALE}" accepted (/\\$\\{locale\\}/i), "en_US" rejected (BCP 47 shape)', function () {
      const manifest = richManifest('0.3');
      setAt(manifest, ['localization', 'resources'], 'x/${LOCALE}.json');
      assert.equal(assertAgree(manifest).accepted, true);
      setAt(manifest, ['localization', 'default_locale'], 'en_US');
      assert.equal(assertAgree(manifest).accepted, false);
    });

    it('.url() is `new URL()`: "mailto:x" and "javascript:alert(1)" pass, "http://" and "not a url" fail', function () {
      for (const [url, accepted] of [['mailto:x', true], ['javascript:alert(1)', true], ['http://', false], ['not a url', false]] as const) {
        assert.equal(isZodUrl(url), accepted, url);
        const manifest = richManifest('0.2');
        setAt(manifest, ['homepage'], url);
        assert.equal(assertAgree(manifest, url).accepted, accepted, url);
      }
    });

    it('.email(): "x@y.co" passes, "a@b" and "a..b@c.com" fail', function () {
      for (const [email, accepted] of [['x@y.co', true], ['a@b', false], ['a..b@c.com', false]] as const) {
        const manifest = richManifest('0.1');
        setAt(manifest, ['author', 'email'], email);
        assert.equal(assertAgree(manifest, email).accepted, accepted, email);
      }
    });

    it('Infinity (JSON.parse("1e400")) is a number to zod, so to us', function () {
      const manifest = richManifest('0.3');
      setAt(manifest, ['user_config', 'count', 'max'], JSON.parse('1e400') as number);
      assert.equal(assertAgree(manifest).accepted, true);
    });

    it('"__proto__" from JSON.parse is an own key: unknown in a strict object, checked in a record', function () {
      const unknown = JSON.parse('{"manifest_version":"0.3","name":"n","version":"1","description":"d","author":{"name":"a"},"server":{"type":"node","entry_point":"e","mcp_config":{"command":"c"}},"__proto__":{}}') as unknown;
      assert.deepEqual(assertAgree(unknown).pointers, ['/__proto__']);
      const record = JSON.parse('{"manifest_version":"0.3","name":"n","version":"1","description":"d","author":{"name":"a"},"server":{"type":"node","entry_point":"e","mcp_config":{"command":"c","env":{"__proto__":1}}}}') as unknown;
      assert.deepEqual(assertAgree(record).pointers, ['/server/mcp_config/env/__proto__']);
    });

    it('an explicit undefined counts as absent, in zod (.optional()) and in ajv alike', function () {
      const manifest: Record<string, unknown> = richManifest('0.3');
      manifest['display_name'] = undefined;
      assert.equal(assertAgree(manifest).accepted, true);
      manifest['name'] = undefined;
      assert.deepEqual(assertAgree(manifest).pointers, ['/name']);
    });
  });

  describe('manifest_version × dxt_version matrix', function () {
    const cases: Array<[string, Manifest]> = [];
    for (const [name, base] of BASES) {
      for (const current of VERSION_VALUES) {
        for (const legacy of VERSION_VALUES) {
          const manifest = clone(base);
          setAt(manifest, ['manifest_version'], current);
          setAt(manifest, ['dxt_version'], legacy);
          cases.push([`${name} manifest_version=${String(current)} dxt_version=${String(legacy)}`, manifest]);
        }
      }
    }
    it(`agrees on all ${cases.length} combinations (unknown, empty, numeric, both present)`, function () {
      let accepted = 0;
      for (const [label, manifest] of cases) if (assertAgree(manifest, label).accepted) accepted++;
      assert.ok(accepted > 0 && accepted < cases.length, `both outcomes occur (${accepted} accepted)`);
    });
  });

  describe('every targeted value on every rich manifest', function () {
    const cases: Array<[string, Manifest]> = [];
    for (const [name, base] of RICH) {
      for (const [path, pool] of TARGETS) {
        for (const value of pool) {
          const manifest = clone(base);
          setAt(manifest, path, value);
          cases.push([`${name} ${pointer(...path)}=${value === DELETE ? '(deleted)' : show(value)}`, manifest]);
        }
      }
    }
    it(`agrees on all ${cases.length} cases (edge URLs and emails, enums, icons, localization, _meta, user_config)`, function () {
      let accepted = 0;
      for (const [label, manifest] of cases) if (assertAgree(manifest, label).accepted) accepted++;
      assert.ok(accepted > cases.length / 10 && accepted < cases.length, `both outcomes occur (${accepted} accepted)`);
    });
  });

  describe('random mutations (fast-check, fixed seed)', function () {
    const RUNS = 3000;
    it(`agrees on ${RUNS} mutated manifests (1 to 4 edits each)`, function () {
      let accepted = 0;
      fc.assert(
        fc.property(fc.nat(BASES.length - 1), fc.array(opArbitrary, { minLength: 1, maxLength: 4 }), (baseIndex, ops) => {
          const manifest = clone(pick(BASES, baseIndex)[1]);
          for (const op of ops) applyOp(manifest, op);
          if (assertAgree(manifest, `base ${pick(BASES, baseIndex)[0]}, ops ${JSON.stringify(ops)}`).accepted) accepted++;
        }),
        { seed: 0x6d637073, numRuns: RUNS },
      );
      // Both sides of the boundary must be exercised, or the comparison proves little.
      assert.ok(accepted > RUNS / 20 && accepted < RUNS - RUNS / 20, `both outcomes occur (${accepted} of ${RUNS} accepted)`);
    });
  });

  describe('named known differences', function () {
    it('each is real: the validators do differ on its example, and nowhere from JSON', function () {
      const nan = richManifest('0.3');
      (nan['user_config'] as Record<string, Record<string, unknown>>)['count']!['min'] = Number.NaN;
      const date = richManifest('0.3');
      (date['_meta'] as Record<string, unknown>)['x'] = new Date(0);
      const examples: Record<string, Manifest> = { 'NaN in a number field': nan, 'non-plain objects': date };
      assert.deepEqual(KNOWN_DIFFERENCES.map((difference) => difference.name).sort(), Object.keys(examples).sort());
      for (const difference of KNOWN_DIFFERENCES) {
        const manifest = examples[difference.name]!;
        assert.ok(difference.applies(manifest));
        assert.ok(difference.reason.length > 40);
        assert.notEqual(official(manifest).accepted, ours(manifest).accepted, `${difference.name} still differs`);
        // Serialised and parsed again, as a manifest read from a bundle is, they agree.
        const reparsed = JSON.parse(JSON.stringify(manifest)) as unknown;
        assert.equal(difference.applies(reparsed), false);
        assertAgree(reparsed, difference.name);
      }
    });
  });

  describe('schemas and generated validators', function () {
    it('each version has a draft 2020-12 schema with its $id and title, where the package ships it', function () {
      for (const version of MANIFEST_VERSIONS) {
        const schema = JSON.parse(readFileSync(manifestSchemaUrl(version), 'utf8')) as Record<string, unknown>;
        assert.equal(schema['$schema'], 'https://json-schema.org/draft/2020-12/schema');
        assert.equal(schema['$id'], schemaId(version));
        assert.equal(schema['$id'], `https://mcpseal.dev/schemas/manifest-${version}.schema.json`);
        assert.match(String(schema['title']), new RegExp(`manifest ${version.replace('.', '\\.')}`));
      }
    });

    it('lib/manifest/generated/manifest-validators.ts is what scripts/build-schemas.ts makes from schemas/', function () {
      // Stale generated code would validate against an old schema while the JSON files say otherwise.
      assert.equal(readFileSync(GENERATED_VALIDATORS, 'utf8'), generateManifestValidators(), 'run `node scripts/build-schemas.ts`');
    });
  });
});
