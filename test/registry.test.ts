// The MCP registry binding (issue 11, item 4): `registry entry` prints the server.json package
// entry the registry accepts (checked against the registry's real, vendored server.schema.json),
// and `verify --server-json` holds a server.json to the file (fileSha256) and to the keyless
// signer (the io.github.OWNER namespace), through the library and the CLI in a real process,
// signed for real against the loopback Sigstore fakes with a GitHub Actions identity.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { copyFile, mkdir, readFile, symlink, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  checkServerJson,
  generateKeyPair,
  mcpbPackageEntry,
  packBundle,
  readServerJson,
  registryEntry,
  registrySigner,
  SERVER_SCHEMA_URL,
  serverSchemaProblems,
  signBundle,
  verifyBundle,
  type McpbPackageEntry,
  type RegistrySigner,
} from '../lib/index.ts';
import { GENERATED_SERVER_VALIDATOR, generateServerValidator } from '../scripts/build-schemas.ts';
import { jsonOf, ROOT, runCli, tempDir, type CliResult } from './helpers/cli.ts';
import { githubActionsClaims, startSigstoreFakes, type SigstoreFakes } from './helpers/sigstore-fakes.ts';
import { keylessMethod, rejection } from './helpers/signing.ts';
import { tool, writeTree } from './helpers/tree.ts';

/** The repository the keyless bundle is signed from: mixed case, as GitHub displays it. */
const SIGNER_REPOSITORY = 'Acme-Org/hello-mcp';
const URL_OF = (name: string) => `https://github.com/${SIGNER_REPOSITORY}/releases/download/v1.0.0/${name}`;

const sha256Of = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

/** A minimal server.json the registry accepts, around `packages`. */
function serverJson(name: string, packages: unknown[]): Record<string, unknown> {
  return { $schema: SERVER_SCHEMA_URL, name, description: 'A test server', version: '1.0.0', packages };
}

interface World {
  fakes: SigstoreFakes;
  dir: string;
  /** Signed keyless from SIGNER_REPOSITORY's release workflow. */
  keyless: string;
  /** The same bytes signed with a key. */
  keyed: string;
  publicKey: string;
  sha256: string;
}

describe('MCP registry: registry entry and verify --server-json', function () {
  this.timeout(120_000);
  let w: World;
  let cleanup: () => Promise<void>;

  before(async () => {
    const fakes = await startSigstoreFakes();
    const tmp = await tempDir('mcpseal-registry-');
    const dir = tmp.path;
    cleanup = async () => {
      await fakes.close();
      await tmp.cleanup();
    };
    const src = join(dir, 'src');
    await writeTree(src, { 'server/index.js': 'console.log("hello");\n' });
    const keyless = join(dir, 'hello.mcpb');
    await packBundle(src, keyless);
    const keyed = join(dir, 'keyed', 'hello.mcpb');
    await mkdir(join(dir, 'keyed'));
    await copyFile(keyless, keyed);
    const key = await generateKeyPair(join(dir, 'publisher.key'), join(dir, 'publisher.pub'));
    await signBundle(keyless, { method: keylessMethod(fakes, fakes.identityToken(githubActionsClaims({ repository: SIGNER_REPOSITORY }))) });
    await signBundle(keyed, { method: { kind: 'key', privateKeyPem: await readFile(key.privateKey, 'utf8') } });
    w = { fakes, dir, keyless, keyed, publicKey: key.publicKey, sha256: sha256Of(await readFile(keyless)) };
  });

  after(async () => cleanup?.());

  /** Writes `document` (an object, or raw text) as a server.json in the world's directory. */
  async function writeServerJson(name: string, document: unknown): Promise<string> {
    const path = join(w.dir, name);
    await writeFile(path, typeof document === 'string' ? document : JSON.stringify(document, null, 2));
    return path;
  }

  function entryFor(sha256 = w.sha256, name = 'hello.mcpb'): McpbPackageEntry {
    return mcpbPackageEntry({ url: URL_OF(name), sha256, version: '1.0.0' });
  }

  /** `mcpseal verify` of the keyless bundle with the repository policy and `--server-json`. */
  function verifyKeyless(serverJsonPath: string, extra: string[] = []): Promise<CliResult> {
    return runCli(['verify', w.keyless, '--trusted-root', w.fakes.trustedRootPath, '--repo', SIGNER_REPOSITORY, '--server-json', serverJsonPath, '--json', ...extra]);
  }

  function assertRefused(result: CliResult, code: string, status = 1): Record<string, unknown> {
    assert.equal(result.status, status, `exit status (stderr: ${result.stderr})`);
    const body = jsonOf(result) as { ok: boolean; error: { code: string; details: Record<string, unknown> } };
    assert.equal(body.ok, false);
    assert.equal(body.error.code, code, result.stdout);
    return body.error.details;
  }

  describe('the vendored schema', () => {
    it('is the registry schema SOURCE.md names, unchanged (its sha256 is the recorded one)', async () => {
      const bytes = await readFile(join(ROOT, 'schemas', 'server.schema.json'));
      const source = await readFile(join(ROOT, 'schemas', 'server.schema.SOURCE.md'), 'utf8');
      assert.ok(source.includes(sha256Of(bytes)), 'schemas/server.schema.SOURCE.md records the sha256 of schemas/server.schema.json');
      assert.equal((JSON.parse(bytes.toString('utf8')) as { $id: string }).$id, SERVER_SCHEMA_URL);
    });

    it('the compiled validator is up to date with schemas/server.schema.json', async () => {
      assert.equal(await readFile(GENERATED_SERVER_VALIDATOR, 'utf8'), generateServerValidator(), 'run `node scripts/build-schemas.ts`');
    });

    it('accepts a generated entry pasted into a minimal server.json, and refuses what the registry refuses', async () => {
      const { entry } = await registryEntry(w.keyless, { url: URL_OF('hello.mcpb') });
      assert.deepEqual(serverSchemaProblems(serverJson('io.github.acme-org/hello', [entry])), []);
      const refused: [string, unknown][] = [
        ['no description', { name: 'io.github.acme-org/hello', version: '1.0.0' }],
        ['a name without a slash', serverJson('hello', [entry])],
        ['an upper-case fileSha256', serverJson('io.github.acme-org/hello', [{ ...entry, fileSha256: entry.fileSha256.toUpperCase() }])],
        ['a package without transport', serverJson('io.github.acme-org/hello', [{ registryType: 'mcpb', identifier: entry.identifier, fileSha256: entry.fileSha256 }])],
        ['version "latest"', serverJson('io.github.acme-org/hello', [{ ...entry, version: 'latest' }])],
        ['a relative websiteUrl (format uri)', { ...serverJson('io.github.acme-org/hello', [entry]), websiteUrl: '/docs' }],
        ['not an object', []],
      ];
      for (const [why, document] of refused) assert.notDeepEqual(serverSchemaProblems(document), [], why);
    });
  });

  describe('registry entry', () => {
    it('prints exactly the registry entry: mcpb, the https URL, the manifest version, the file sha256, stdio', async () => {
      const text = await runCli(['registry', 'entry', w.keyless, '--url', URL_OF('hello.mcpb')]);
      assert.equal(text.status, 0, text.stderr);
      const expected = { registryType: 'mcpb', identifier: URL_OF('hello.mcpb'), version: '1.0.0', fileSha256: w.sha256, transport: { type: 'stdio' } };
      assert.deepEqual(JSON.parse(text.stdout), expected, 'text mode prints only the entry');
      const json = await runCli(['registry', 'entry', w.keyless, '--url', URL_OF('hello.mcpb'), '--json']);
      assert.equal(json.status, 0, json.stderr);
      const body = jsonOf(json);
      assert.equal(body['ok'], true);
      assert.deepEqual(body['entry'], expected);
      assert.equal(body['sha256'], w.sha256);
      assert.equal(body['manifestName'], 'tree-test');
    });

    it('an http (or credentialed, or non-URL, or mcp-less) --url is refused with USAGE_INVALID_ARGUMENT before the file is read', async () => {
      for (const url of ['http://github.com/acme/hello-mcp/hello.mcpb', 'ftp://example.com/x.mcpb', 'https://user:pw@example.com/hello.mcpb', 'hello.mcpb', 'https://example.com/hello.zip']) {
        const result = await runCli(['registry', 'entry', join(w.dir, 'does-not-exist.mcpb'), '--url', url, '--json']);
        assertRefused(result, 'USAGE_INVALID_ARGUMENT', 2);
      }
      await assert.rejects(registryEntry(w.keyless, { url: 'http://example.com/hello.mcpb' }), { code: 'USAGE_INVALID_ARGUMENT' });
    });

    it('a bundle mcpseal refuses gets no entry (manifest failing the hardened profile)', async () => {
      const src = join(w.dir, 'bad-src');
      const bad = join(w.dir, 'bad.mcpb');
      await writeTree(src, { 'server/index.js': 'x\n', 'manifest.json': JSON.stringify({ manifest_version: '0.3', name: 'bad', version: '1.0.0', description: 'd', author: { name: 'a' }, server: { type: 'node', entry_point: 'server/index.js', mcp_config: { command: 'node', args: ['${__dirname}/server/index.js'] } } }) });
      await packBundle(src, bad, { skipValidation: true });
      const result = await runCli(['registry', 'entry', bad, '--url', URL_OF('bad.mcpb'), '--json']);
      assertRefused(result, 'MANIFEST_INVALID');
    });

    it('--url is required', async () => {
      assertRefused(await runCli(['registry', 'entry', w.keyless, '--json']), 'USAGE_MISSING_ARGUMENT', 2);
    });
  });

  describe('verify --server-json', () => {
    it('a matching entry passes: the digest matches and io.github.acme-org is bound to the signer Acme-Org (case-insensitive)', async () => {
      const path = await writeServerJson('match.json', serverJson('io.github.acme-org/hello', [entryFor()]));
      const result = await verifyKeyless(path);
      assert.equal(result.status, 0, result.stdout + result.stderr);
      const registry = jsonOf(result)['registry'] as { name: string; package: { index: number; fileSha256: string }; namespace: Record<string, unknown> };
      assert.equal(registry.name, 'io.github.acme-org/hello');
      assert.equal(registry.package.fileSha256, w.sha256);
      assert.deepEqual(registry.namespace, { status: 'bound', namespace: 'io.github.acme-org', owner: 'Acme-Org', repository: SIGNER_REPOSITORY });
      const text = await runCli(['verify', w.keyless, '--trusted-root', w.fakes.trustedRootPath, '--repo', SIGNER_REPOSITORY, '--server-json', path]);
      assert.equal(text.status, 0, text.stderr);
      assert.match(text.stdout, /registry: +io\.github\.acme-org\/hello 1\.0\.0: packages\[0\] fileSha256 matches/u);
      assert.match(text.stdout, /namespace: +io\.github\.acme-org bound to the signer's repository Acme-Org\/hello-mcp/u);
    });

    it('several packages: the mcpb one whose fileSha256 is this file\'s is picked', async () => {
      const path = await writeServerJson('several.json', serverJson('io.github.Acme-Org/hello', [
        { registryType: 'npm', identifier: '@acme/hello', version: '1.0.0', transport: { type: 'stdio' } },
        entryFor('a'.repeat(64), 'hello-linux.mcpb'),
        entryFor(),
      ]));
      const result = await verifyKeyless(path);
      assert.equal(result.status, 0, result.stdout);
      assert.equal((jsonOf(result)['registry'] as { package: { index: number } }).package.index, 2);
    });

    it('a wrong digest is REGISTRY_DIGEST_MISMATCH (exit 1), with the expected and found digests', async () => {
      const path = await writeServerJson('wrong-digest.json', serverJson('io.github.acme-org/hello', [entryFor('b'.repeat(64))]));
      const details = assertRefused(await verifyKeyless(path), 'REGISTRY_DIGEST_MISMATCH');
      assert.equal(details['expected'], 'b'.repeat(64));
      assert.equal(details['found'], w.sha256);
      assert.equal(details['pointer'], '/packages/0/fileSha256');
      const error = await rejection(verifyBundle(w.keyless, { trustedRoot: w.fakes.trustedRoot, policy: { repo: SIGNER_REPOSITORY }, serverJson: path }));
      assert.equal(error.code, 'REGISTRY_DIGEST_MISMATCH');
    });

    it('a wrong digest among several mcpb packages: the one named like the file is the one compared', async () => {
      const path = await writeServerJson('wrong-named.json', serverJson('io.github.acme-org/hello', [entryFor('a'.repeat(64), 'other.mcpb'), entryFor('c'.repeat(64))]));
      const details = assertRefused(await verifyKeyless(path), 'REGISTRY_DIGEST_MISMATCH');
      assert.equal(details['pointer'], '/packages/1/fileSha256');
    });

    it('a wrong namespace owner is REGISTRY_NAMESPACE_MISMATCH (exit 1), prefixes and look-alikes included', async () => {
      for (const name of ['io.github.someone-else/hello', 'io.github.acme/hello', 'io.github.acme-org-x/hello', 'io.github.acme-org.evil/hello']) {
        const path = await writeServerJson('wrong-owner.json', serverJson(name, [entryFor()]));
        const details = assertRefused(await verifyKeyless(path), 'REGISTRY_NAMESPACE_MISMATCH');
        assert.equal(details['found'], 'Acme-Org', name);
      }
    });

    it('an invalid server.json is REGISTRY_INVALID (exit 1): not JSON, not UTF-8, breaking the schema, an mcpb package without fileSha256 or over http', async () => {
      const cases: [string, unknown][] = [
        ['not JSON', '{"name": '],
        ['not UTF-8', Buffer.from([0x7b, 0xff, 0x7d]).toString('latin1')],
        ['no description', { name: 'io.github.acme-org/hello', version: '1.0.0', packages: [entryFor()] }],
        ['mcpb without fileSha256', serverJson('io.github.acme-org/hello', [{ registryType: 'mcpb', identifier: URL_OF('hello.mcpb'), transport: { type: 'stdio' } }])],
        ['mcpb over http', serverJson('io.github.acme-org/hello', [{ ...entryFor(), identifier: 'http://github.com/acme-org/hello-mcp/hello.mcpb' }])],
      ];
      for (const [why, document] of cases) {
        const path = join(w.dir, 'invalid.json');
        await writeFile(path, typeof document === 'string' ? Buffer.from(document, 'latin1') : JSON.stringify(document));
        assertRefused(await verifyKeyless(path), 'REGISTRY_INVALID');
        await assert.rejects(readServerJson(path).then((doc) => checkServerJson(doc, { sha256: w.sha256, signer: { kind: 'key' } })), { code: 'REGISTRY_INVALID' }, why);
      }
    });

    it('a server.json with no mcpb package, or none for this file, is REGISTRY_PACKAGE_MISSING (exit 1)', async () => {
      const npmOnly = await writeServerJson('npm-only.json', serverJson('io.github.acme-org/hello', [{ registryType: 'npm', identifier: '@acme/hello', version: '1.0.0', transport: { type: 'stdio' } }]));
      assertRefused(await verifyKeyless(npmOnly), 'REGISTRY_PACKAGE_MISSING');
      const none = await writeServerJson('no-packages.json', serverJson('io.github.acme-org/hello', []));
      assertRefused(await verifyKeyless(none), 'REGISTRY_PACKAGE_MISSING');
      const others = await writeServerJson('others.json', serverJson('io.github.acme-org/hello', [entryFor('a'.repeat(64), 'x.mcpb'), entryFor('d'.repeat(64), 'y.mcpb')]));
      assertRefused(await verifyKeyless(others), 'REGISTRY_PACKAGE_MISSING');
    });

    it('a reverse-DNS namespace and a key signature are reported "unchecked" with the reason, never passed silently', async () => {
      const dns = await writeServerJson('dns.json', serverJson('com.example/hello', [entryFor()]));
      const result = await verifyKeyless(dns);
      assert.equal(result.status, 0, result.stdout);
      const namespace = (jsonOf(result)['registry'] as { namespace: { status: string; reason: string } }).namespace;
      assert.equal(namespace.status, 'unchecked');
      assert.match(namespace.reason, /not an io\.github\.OWNER namespace/u);
      const gh = await writeServerJson('keyed.json', serverJson('io.github.acme-org/hello', [entryFor()]));
      const keyed = await runCli(['verify', w.keyed, '--key', w.publicKey, '--server-json', gh, '--json']);
      assert.equal(keyed.status, 0, keyed.stdout);
      assert.match((jsonOf(keyed)['registry'] as { namespace: { reason: string } }).namespace.reason, /signed with a key/u);
      const text = await runCli(['verify', w.keyed, '--key', w.publicKey, '--server-json', gh]);
      assert.match(text.stdout, /namespace: +io\.github\.acme-org unchecked: signed with a key/u);
    });

    it('finding: a server.json that is a FIFO or a link to /dev/zero is refused before it is read (IO_READ_FAILED, exit 2)', async () => {
      const fifo = join(w.dir, 'fifo.json');
      tool('mkfifo', [fifo]);
      const zero = join(w.dir, 'zero.json');
      await symlink('/dev/zero', zero);
      for (const path of [fifo, zero]) assertRefused(await verifyKeyless(path), 'IO_READ_FAILED', 2);
    });

    it('finding: a server.json over maxServerJsonSize is refused from its size, before the bundle is read (REGISTRY_INVALID)', async () => {
      const huge = join(w.dir, 'huge.json');
      await writeFile(huge, '');
      await truncate(huge, 64 * 1024 ** 3); // sparse: 64 GiB that would take minutes to read
      // Reading 64 GiB would outlast the suite's timeout; no timing is asserted.
      const details = assertRefused(await verifyKeyless(huge), 'REGISTRY_INVALID');
      assert.equal(details['limit'], 'maxServerJsonSize');
      await assert.rejects(readServerJson(await writeServerJson('just-over.json', ' '.repeat(101)), { limits: { maxServerJsonSize: 100 } }), { code: 'REGISTRY_INVALID' });
    });
  });

  describe('checkServerJson (pure)', () => {
    const keyless = (uri: string | null): RegistrySigner => ({ kind: 'keyless', sourceRepositoryUri: uri });
    const facts = (signer: RegistrySigner) => ({ sha256: 'e'.repeat(64), fileName: 'hello.mcpb', signer });
    const doc = (name: string) => serverJson(name, [mcpbPackageEntry({ url: URL_OF('hello.mcpb'), sha256: 'e'.repeat(64), version: null })]);

    it('binds the io.github owner case-insensitively and only to a github.com source repository', () => {
      assert.equal(checkServerJson(doc('io.github.ACME-ORG/hello'), facts(keyless('https://github.com/acme-org/x'))).namespace.status, 'bound');
      for (const uri of [null, 'https://github.com.evil.example/acme-org/x', 'https://gitlab.com/acme-org/x', 'https://github.com/acme-org']) {
        const check = checkServerJson(doc('io.github.acme-org/hello'), facts(keyless(uri)));
        assert.equal(check.namespace.status, 'unchecked', String(uri));
      }
      assert.equal(checkServerJson(doc('io.github.acme-org/hello'), facts({ kind: 'none' })).namespace.status, 'unchecked');
    });

    it('registrySigner: a certificate identity gives its source repository, none gives a key', () => {
      assert.deepEqual(registrySigner({ github: { sourceRepositoryUri: 'https://github.com/a/b' } }), keyless('https://github.com/a/b'));
      assert.deepEqual(registrySigner(null), { kind: 'key' });
    });

    it('the entry omits version when the manifest has none (optional for mcpb since 2025-10-17) and still validates', () => {
      const entry = mcpbPackageEntry({ url: URL_OF('hello.mcpb'), sha256: 'e'.repeat(64), version: null });
      assert.equal('version' in entry, false);
      assert.deepEqual(serverSchemaProblems(serverJson('io.github.acme-org/hello', [entry])), []);
    });
  });
});
