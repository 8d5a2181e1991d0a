// The install policy's pure parts (issue 11 items 1-2): POLICY_INVALID located by JSON Pointer
// for every kind of bad policy, and scope containment edge cases (paths, user_config, hosts,
// ports, spawn, env, booleans, run-time grants, an absent maxScopes key).

import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'mocha';
import { evaluatePolicy, hostCovers, loadPolicy, parsePolicy, pathWithin, scopeExcesses, type MaxScopes, type Policy, type Scopes } from '../lib/index.ts';
import { tempDir } from './helpers/cli.ts';
import { HARDENED_MANIFEST } from './helpers/manifest.ts';
import { rejection } from './helpers/signing.ts';

const policyOf = (document: unknown): Promise<Policy> => parsePolicy(Buffer.from(JSON.stringify(document)));

/** Writes `document` as policy.json in a fresh directory with `files` beside it, and loads it. */
async function loadWritten(document: unknown, files: Record<string, string> = {}): Promise<Policy> {
  const dir = await tempDir('mcpseal-policy-');
  try {
    for (const [name, text] of Object.entries(files)) {
      await mkdir(join(dir.path, name, '..'), { recursive: true });
      await writeFile(join(dir.path, name), text);
    }
    const path = join(dir.path, 'policy.json');
    await writeFile(path, typeof document === 'string' ? document : JSON.stringify(document));
    return await loadPolicy(path);
  } finally {
    await dir.cleanup();
  }
}

const keyPair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const PUBLIC_PEM = keyPair.publicKey.export({ format: 'pem', type: 'spki' }).toString();
const PRIVATE_PEM = keyPair.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();

const keyed = (key: string): unknown => ({ version: 1, publishers: [{ name: 'p', bundles: ['*'], key }] });
const keyless = (fields: Record<string, unknown>): unknown => ({ version: 1, publishers: [{ name: 'p', bundles: ['*'], keyless: fields }] });
const withScopes = (maxScopes: unknown): unknown => ({ version: 1, maxScopes });

interface InvalidCase {
  name: string;
  document: unknown;
  files?: Record<string, string>;
  pointer: string;
}

const INVALID: InvalidCase[] = [
  { name: 'malformed JSON', document: '{"version": 1,', pointer: '' },
  { name: 'another version', document: { version: 2 }, pointer: '/version' },
  { name: 'no version', document: {}, pointer: '' },
  { name: 'an unknown top-level key', document: { version: 1, allowUnsinged: true }, pointer: '/allowUnsinged' },
  { name: 'an unknown nested key', document: withScopes({ network: { hosts: [] } }), pointer: '/maxScopes/network/hosts' },
  { name: 'an unknown keyless field', document: keyless({ repo: 'acme/x', owner: 'acme' }), pointer: '/publishers/0/keyless/owner' },
  { name: 'a bad identity regexp', document: keyless({ identityRegexp: '(unclosed', issuer: 'https://issuer.example' }), pointer: '/publishers/0/keyless/identityRegexp' },
  { name: 'a bad source ref regexp', document: keyless({ repo: 'acme/x', sourceRefRegexp: 'refs/tags/[v' }), pointer: '/publishers/0/keyless/sourceRefRegexp' },
  { name: 'a workflow alone names no one', document: keyless({ signerWorkflow: '.github/workflows/release.yml' }), pointer: '/publishers/0/keyless' },
  { name: 'a ref alone names no one', document: keyless({ sourceRef: 'refs/tags/v1' }), pointer: '/publishers/0/keyless' },
  { name: 'an issuer alone names no one', document: keyless({ issuer: 'https://token.actions.githubusercontent.com' }), pointer: '/publishers/0/keyless' },
  { name: 'an identity without its issuer', document: keyless({ identity: 'someone@example.com' }), pointer: '/publishers/0/keyless' },
  { name: 'identity and identityRegexp both', document: keyless({ identity: 'a@b.c', identityRegexp: '.*', issuer: 'https://i.example' }), pointer: '/publishers/0/keyless/identityRegexp' },
  { name: 'a publisher with key and keyless', document: { version: 1, publishers: [{ name: 'p', bundles: ['*'], key: 'k.pub', keyless: { repo: 'a/b' } }] }, pointer: '/publishers/0' },
  { name: 'a publisher with neither', document: { version: 1, publishers: [{ name: 'p', bundles: ['*'] }] }, pointer: '/publishers/0' },
  { name: 'a key file that is missing', document: keyed('keys/absent.pub'), pointer: '/publishers/0/key' },
  { name: 'a key file holding a private key', document: keyed('keys/p.key'), files: { 'keys/p.key': PRIVATE_PEM }, pointer: '/publishers/0/key' },
  { name: 'a key file that is no key', document: keyed('keys/notes.txt'), files: { 'keys/notes.txt': 'hello\n' }, pointer: '/publishers/0/key' },
  { name: 'a bundles glob that does not parse', document: { version: 1, publishers: [{ name: 'p', bundles: ['acme-[a-z]'], keyless: { repo: 'a/b' } }] }, pointer: '/publishers/0/bundles/0' },
  { name: 'a deny glob that does not parse', document: { version: 1, deny: { names: ['ok', 'bad name'] } }, pointer: '/deny/names/1' },
  { name: 'a bad sha256 in the deny list', document: { version: 1, deny: { sha256: ['ABC'] } }, pointer: '/deny/sha256/0' },
  { name: 'a host pattern without a port', document: withScopes({ network: { egress: ['api.acme.com'] } }), pointer: '/maxScopes/network/egress/0' },
  { name: 'a host pattern with port 0', document: withScopes({ network: { egress: ['api.acme.com:443', 'api.acme.com:0'] } }), pointer: '/maxScopes/network/egress/1' },
  { name: 'a bare * host', document: withScopes({ network: { egress: ['*:443'] } }), pointer: '/maxScopes/network/egress/0' },
  { name: 'a wildcard over a public suffix', document: withScopes({ network: { egress: ['*.co.uk:443'] } }), pointer: '/maxScopes/network/egress/0' },
  { name: 'a cloud metadata address', document: withScopes({ network: { egress: ['169.254.169.254:80'] } }), pointer: '/maxScopes/network/egress/0' },
  { name: 'a relative path', document: withScopes({ filesystem: { read: ['data'] } }), pointer: '/maxScopes/filesystem/read/0' },
  { name: 'a path that climbs', document: withScopes({ filesystem: { write: ['${HOME}/../etc'] } }), pointer: '/maxScopes/filesystem/write/0' },
  { name: 'a wildcard path other than ${user_config.*}', document: withScopes({ filesystem: { read: ['${HOME}/*'] } }), pointer: '/maxScopes/filesystem/read/0' },
  { name: 'an unknown path variable', document: withScopes({ filesystem: { read: ['${TMPDIR}'] } }), pointer: '/maxScopes/filesystem/read/0' },
  { name: 'a bad grant', document: withScopes({ filesystem: { roots: 'all' } }), pointer: '/maxScopes/filesystem/roots' },
  { name: 'userDriven ports that are not ports', document: withScopes({ network: { userDriven: { ports: [70000] } } }), pointer: '/maxScopes/network/userDriven' },
  { name: 'an unknown server type', document: { version: 1, serverTypes: ['deno'] }, pointer: '/serverTypes/0' },
];

describe('policy loading: POLICY_INVALID, located', () => {
  for (const c of INVALID) {
    it(`${c.name} is POLICY_INVALID at "${c.pointer}"`, async () => {
      const error = await rejection(loadWritten(c.document, c.files));
      assert.equal(error.code, 'POLICY_INVALID', error.message);
      assert.ok(
        String(error.details['pointer']).startsWith(c.pointer) && (c.pointer !== '' || error.details['pointer'] === ''),
        `pointer ${String(error.details['pointer'])}, expected ${c.pointer}: ${error.message}`,
      );
    });
  }

  it('a policy file over maxPolicySize is POLICY_INVALID before it is parsed', async () => {
    const dir = await tempDir('mcpseal-policy-');
    try {
      const path = join(dir.path, 'policy.json');
      await writeFile(path, JSON.stringify({ version: 1, deny: { names: Array.from({ length: 100 }, (_, i) => `n${i}`) } }));
      const error = await rejection(loadPolicy(path, { maxPolicySize: 64 }));
      assert.equal(error.code, 'POLICY_INVALID');
    } finally {
      await dir.cleanup();
    }
  });

  it('a key file is read relative to the policy file, and a public key loads', async () => {
    const policy = await loadWritten(keyed('keys/p.pub'), { 'keys/p.pub': PUBLIC_PEM });
    assert.equal(policy.publishers[0]!.publicKey, PUBLIC_PEM);
    assert.match(policy.source.sha256, /^[0-9a-f]{64}$/u);
  });

  it('a keyless publisher naming repo, or identity with issuer, loads; repo implies nothing else', async () => {
    const byRepo = await policyOf(keyless({ repo: 'acme/x', sourceRefRegexp: 'refs/tags/v.*' }));
    assert.deepEqual(byRepo.publishers[0]!.keyless, { repo: 'acme/x', sourceRefRegexp: 'refs/tags/v.*' });
    const byIdentity = await policyOf(keyless({ identityRegexp: '.*@acme\\.com', issuer: 'https://accounts.example' }));
    assert.deepEqual(byIdentity.publishers[0]!.keyless, { certIdentityRegexp: '.*@acme\\.com', certOidcIssuer: 'https://accounts.example' });
  });
});

const DECLARED: Scopes = {
  filesystem: { read: [], write: [] },
  network: { egress: [], listen: false },
  process: { spawn: [], workers: false, native_addons: false },
  env: { read: [], secrets: [] },
};

const NOTHING: MaxScopes = {
  filesystem: { read: [], write: [], roots: 'none', cwd: 'none' },
  network: { egress: [], listen: false, userDriven: false },
  process: { spawn: [], workers: false, native_addons: false },
  env: { read: [], secrets: [] },
};

/** Declared scopes and maxScopes built from the empty ones, edited. */
function excesses(declare: (scopes: Scopes) => void, allow: (max: MaxScopes) => void): string[] {
  const scopes = structuredClone(DECLARED);
  const max = structuredClone(NOTHING);
  declare(scopes);
  allow(max);
  return scopeExcesses(scopes, max, '').map((excess) => excess.pointer);
}

describe('scope containment edge cases', () => {
  const PATHS: [declared: string, allowed: string, within: boolean][] = [
    ['${HOME}/notes', '${HOME}', true],
    ['${HOME}', '${HOME}/notes', false],
    ['${HOME}/notes-old', '${HOME}/notes', false],
    ['${HOME}/notes/2024', '${HOME}/notes', true],
    ['${HOME}', '${HOME}', true],
    ['${HOME}/notes', '${DOCUMENTS}', false],
    ['/data/x', '/data', true],
    ['/data', '/data/x', false],
    ['/datax', '/data', false],
    ['${user_config.dir}', '${user_config.*}', true],
    ['${user_config.dir}/cache', '${user_config.*}', true],
    ['${user_config.file:parent}', '${user_config.*}', true],
    ['${HOME}', '${user_config.*}', false],
    ['/etc', '${user_config.*}', false],
    ['${user_config.a}', '${user_config.b}', false],
    ['${user_config.f}', '${user_config.f:parent}', true],
    ['${user_config.f:parent}', '${user_config.f}', false],
    ['${__dirname}/../x', '${__dirname}', false],
  ];
  for (const [declared, allowed, within] of PATHS) {
    it(`${declared} ${within ? 'lies' : 'does not lie'} within ${allowed}`, () => assert.equal(pathWithin(declared, allowed), within));
  }

  const HOSTS: [declared: string, allowed: string, covered: boolean][] = [
    ['a.example.com', 'a.example.com', true],
    ['A.Example.COM', 'a.example.com', true],
    ['a.example.com', '*.example.com', true],
    ['a.b.example.com', '*.example.com', true],
    ['example.com', '*.example.com', false],
    ['a.example.com', 'example.com', false],
    ['*.example.com', 'a.example.com', false],
    ['*.example.com', '*.example.com', true],
    ['*.a.example.com', '*.example.com', true],
    ['*.example.com', '*.a.example.com', false],
    ['badexample.com', '*.example.com', false],
  ];
  for (const [declared, allowed, covered] of HOSTS) {
    it(`host ${declared} ${covered ? 'is' : 'is not'} covered by ${allowed}`, () => assert.equal(hostCovers(allowed, declared), covered));
  }

  it('every declared port must be granted for that host; a missing port exceeds', () => {
    assert.deepEqual(
      excesses(
        (s) => void s.network.egress.push({ host: 'api.acme.com', ports: [443] }, { host: 'api.acme.com', ports: [443, 8443] }, { host: '127.0.0.1', ports: [5432] }),
        (m) => void m.network.egress.push('*.acme.com:443', '127.0.0.1:5432'),
      ),
      ['/network/egress/1'],
    );
  });

  it('booleans may not exceed: listen, workers, native_addons', () => {
    const declare = (s: Scopes): void => {
      s.network.listen = true;
      s.process.workers = true;
      s.process.native_addons = true;
    };
    assert.deepEqual(excesses(declare, () => undefined), ['/network/listen', '/process/workers', '/process/native_addons']);
    assert.deepEqual(
      excesses(declare, (m) => {
        m.network.listen = true;
        m.process.workers = true;
        m.process.native_addons = true;
      }),
      [],
    );
    // false never exceeds, whatever the policy says.
    assert.deepEqual(excesses(() => undefined, () => undefined), []);
  });

  it('filesystem.roots and cwd: none < read < write', () => {
    assert.deepEqual(excesses((s) => void (s.filesystem.roots = 'read'), () => undefined), ['/filesystem/roots']);
    assert.deepEqual(excesses((s) => void (s.filesystem.roots = 'read'), (m) => void (m.filesystem.roots = 'write')), []);
    assert.deepEqual(excesses((s) => void (s.filesystem.cwd = 'write'), (m) => void (m.filesystem.cwd = 'read')), ['/filesystem/cwd']);
    assert.deepEqual(excesses((s) => void (s.filesystem.cwd = 'none'), () => undefined), []);
  });

  it('network.userDriven: refused unless maxScopes allows it (true, or every declared port)', () => {
    const declare = (s: Scopes): void => void (s.network.userDriven = { reason: 'a fetch tool', ports: [443, 80] });
    assert.deepEqual(excesses(declare, () => undefined), ['/network/userDriven']);
    assert.deepEqual(excesses(declare, (m) => void (m.network.userDriven = true)), []);
    assert.deepEqual(excesses(declare, (m) => void (m.network.userDriven = { ports: [443] })), ['/network/userDriven']);
    assert.deepEqual(excesses(declare, (m) => void (m.network.userDriven = { ports: [443, 80] })), []);
  });

  it('spawn by executable name (the last path segment); env names by glob', () => {
    assert.deepEqual(
      excesses(
        (s) => {
          s.process.spawn.push('${__dirname}/bin/git', 'sh');
          s.env.read.push('ACME_TOKEN', 'AWS_SECRET_ACCESS_KEY');
          s.env.secrets.push('ACME_TOKEN');
        },
        (m) => {
          m.process.spawn.push('git');
          m.env.read.push('ACME_*');
        },
      ),
      ['/process/spawn/1', '/env/read/1', '/env/secrets/0'],
    );
  });

  it('a write path must lie within a write path; a read path within a read or write path', () => {
    assert.deepEqual(
      excesses(
        (s) => {
          s.filesystem.read.push('${user_config.dir}', '${HOME}/notes');
          s.filesystem.write.push('${user_config.dir}', '${HOME}/notes');
        },
        (m) => {
          m.filesystem.read.push('${HOME}');
          m.filesystem.write.push('${user_config.*}');
        },
      ),
      ['/filesystem/write/1'],
    );
  });

  it('an absent maxScopes grants nothing: every declared scope exceeds, in manifest order, the first one named', async () => {
    const manifest = structuredClone(HARDENED_MANIFEST) as Record<string, unknown> & typeof HARDENED_MANIFEST;
    manifest._meta['dev.mcpseal'].scopes.network.egress = [{ host: 'api.acme.com', ports: [443] }] as never;
    manifest._meta['dev.mcpseal'].scopes.env.read = ['ACME_TOKEN'] as never;
    const policy = await policyOf({ version: 1, allowUnsigned: true, serverTypes: ['node'] });
    const decision = evaluatePolicy(policy, { manifest, sha256: 'a'.repeat(64), signer: { kind: 'unsigned' } });
    assert.equal(decision.allowed, false);
    assert.equal(decision.refusal?.code, 'POLICY_SCOPE_EXCEEDED');
    assert.equal(decision.refusal?.pointer, '/_meta/dev.mcpseal/scopes/filesystem/read/0');
    assert.deepEqual(
      decision.exceeded.map((excess) => excess.pointer),
      ['/_meta/dev.mcpseal/scopes/filesystem/read/0', '/_meta/dev.mcpseal/scopes/network/egress/0', '/_meta/dev.mcpseal/scopes/env/read/0'],
    );
    // Every rule is reported, not only the refused one.
    assert.deepEqual(
      decision.rules.map((rule) => [rule.rule, rule.allowed]),
      [
        ['deny', true],
        ['signer', true],
        ['serverType', true],
        ['scopes', false],
      ],
    );
  });

  it('a manifest without scopes (compat profile) exceeds any policy at the scopes pointer', async () => {
    const { _meta: _scopes, ...manifest } = structuredClone(HARDENED_MANIFEST);
    const policy = await policyOf({ version: 1, allowUnsigned: true, serverTypes: ['node'], maxScopes: { filesystem: { read: ['${__dirname}'] } } });
    const decision = evaluatePolicy(policy, { manifest, sha256: 'a'.repeat(64), signer: { kind: 'unsigned' } });
    assert.equal(decision.refusal?.code, 'POLICY_SCOPE_EXCEEDED');
    assert.equal(decision.refusal?.pointer, '/_meta/dev.mcpseal/scopes');
  });
});
