// The install policy end to end (issue 11 items 1-6): a matrix of publishers (keyless through the
// loopback Sigstore fakes, keyed through real key pairs) × bundle names × scopes × server types ×
// deny lists, every case through the library, a representative subset through `mcpseal policy
// check`, `verify --policy` and `unpack --policy` in real processes; the example policies in
// examples/policies/ are the matrix's policies (copied beside generated keys).

import assert from 'node:assert/strict';
import { copyFile, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'mocha';
import { generateKeyPair, loadPolicy, MCPSealError, packBundle, signBundle, unpackBundle, verifyWithPolicy, type Policy, type SigningMethod } from '../lib/index.ts';
import { jsonOf, ROOT, runCli, tempDir } from './helpers/cli.ts';
import { HARDENED_MANIFEST } from './helpers/manifest.ts';
import { keylessMethod } from './helpers/signing.ts';
import { githubActionsClaims, startSigstoreFakes, type SigstoreFakes } from './helpers/sigstore-fakes.ts';
import { writeTree } from './helpers/tree.ts';

type Manifest = Record<string, unknown> & typeof HARDENED_MANIFEST;

/** A bundle of the matrix: its manifest name and what its manifest declares. */
const BUNDLES: Record<string, (manifest: Manifest) => void> = {
  'acme-files': () => undefined,
  'acme-net': (m) => void (m._meta['dev.mcpseal'].scopes.network.egress = [{ host: 'api.acme.com', ports: [443] }] as never),
  'acme-wide': (m) => {
    m._meta['dev.mcpseal'].scopes = {
      filesystem: { read: ['${__dirname}', '${HOME}/notes'], write: ['${HOME}/notes'], roots: 'read' },
      network: { egress: [{ host: 'api.acme.com', ports: [443] }, { host: 'evil.example.net', ports: [443] }], listen: true },
      process: { spawn: [], workers: false, native_addons: false },
      env: { read: ['ACME_TOKEN'], secrets: [] },
    } as never;
  },
  'acme-py': (m) => {
    m.server = { type: 'python', entry_point: 'server/main.py', mcp_config: { command: 'python3', args: ['${__dirname}/server/main.py'] } };
  },
  'acme-legacy-tool': () => undefined,
  'platform-tool': () => undefined,
  'other-tool': () => undefined,
};
type BundleName = keyof typeof BUNDLES;

/** Who signs: keyless GitHub identities through the fakes, key pairs, or nobody. */
type Signer = 'acme' | 'acme-branch' | 'evil' | 'platform' | 'developer' | 'stranger' | 'unsigned';

interface World {
  fakes: SigstoreFakes;
  dir: string;
  /** Policy files by name, each in its own directory with its keys. */
  policies: Record<string, string>;
  keys: Record<'platform' | 'developer' | 'stranger', string>;
  file(bundle: BundleName, signer: Signer): Promise<string>;
}

/** The example policies, copied beside freshly generated keys (examples ship public keys only), plus variants. */
async function writePolicies(dir: string, keys: World['keys']): Promise<Record<string, string>> {
  const strict = JSON.parse(await readFile(join(ROOT, 'examples/policies/strict-org.json'), 'utf8')) as Record<string, unknown>;
  const developer = JSON.parse(await readFile(join(ROOT, 'examples/policies/developer.json'), 'utf8')) as Record<string, unknown>;
  const variants: Record<string, { document: Record<string, unknown>; key: string; keyFile: string }> = {
    strict: { document: strict, key: keys.platform, keyFile: 'platform.pub' },
    'strict-python-only': { document: { ...strict, serverTypes: ['python'] }, key: keys.platform, keyFile: 'platform.pub' },
    developer: { document: developer, key: keys.developer, keyFile: 'developer.pub' },
  };
  const paths: Record<string, string> = {};
  for (const [name, variant] of Object.entries(variants)) {
    const home = join(dir, 'policies', name);
    await mkdir(join(home, 'keys'), { recursive: true });
    await copyFile(variant.key, join(home, 'keys', variant.keyFile));
    paths[name] = join(home, 'policy.json');
    await writeFile(paths[name], JSON.stringify(variant.document, null, 2));
  }
  return paths;
}

async function prepareWorld(): Promise<{ world: World; cleanup: () => Promise<void> }> {
  const fakes = await startSigstoreFakes();
  const tmp = await tempDir('mcpseal-policy-matrix-');
  const dir = tmp.path;
  const keyFiles = {} as World['keys'];
  const privateKeys: Record<string, string> = {};
  for (const name of ['platform', 'developer', 'stranger'] as const) {
    const pair = await generateKeyPair(join(dir, `${name}.key`), join(dir, `${name}.pub`));
    keyFiles[name] = pair.publicKey;
    privateKeys[name] = await readFile(pair.privateKey, 'utf8');
  }
  const methods: Record<Exclude<Signer, 'unsigned'>, () => SigningMethod> = {
    acme: () => keylessMethod(fakes, fakes.identityToken(githubActionsClaims({ repository: 'acme/mcp-servers' }))),
    'acme-branch': () => keylessMethod(fakes, fakes.identityToken(githubActionsClaims({ repository: 'acme/mcp-servers', ref: 'refs/heads/main' }))),
    evil: () => keylessMethod(fakes, fakes.identityToken(githubActionsClaims({ repository: 'evil/mcp-servers' }))),
    platform: () => ({ kind: 'key', privateKeyPem: privateKeys['platform']! }),
    developer: () => ({ kind: 'key', privateKeyPem: privateKeys['developer']! }),
    stranger: () => ({ kind: 'key', privateKeyPem: privateKeys['stranger']! }),
  };
  const packed = new Map<string, Promise<string>>();
  const pack = (bundle: BundleName): Promise<string> => {
    if (!packed.has(bundle)) {
      packed.set(
        bundle,
        (async () => {
          const manifest = structuredClone(HARDENED_MANIFEST) as Manifest;
          manifest.name = bundle;
          BUNDLES[bundle]!(manifest);
          const src = join(dir, 'src', bundle);
          await writeTree(src, { 'manifest.json': JSON.stringify(manifest, null, 2), 'server/index.js': 'console.log("hi");\n', 'server/main.py': 'print("hi")\n' });
          const out = join(dir, 'packed', `${bundle}.mcpb`);
          await mkdir(join(dir, 'packed'), { recursive: true });
          await packBundle(src, out);
          return out;
        })(),
      );
    }
    return packed.get(bundle)!;
  };
  const signed = new Map<string, Promise<string>>();
  const file = (bundle: BundleName, signer: Signer): Promise<string> => {
    const key = `${bundle}--${signer}`;
    if (!signed.has(key)) {
      signed.set(
        key,
        (async () => {
          const target = join(dir, 'signed', `${key}.mcpb`);
          await mkdir(join(dir, 'signed'), { recursive: true });
          await copyFile(await pack(bundle), target);
          if (signer !== 'unsigned') await signBundle(target, { method: methods[signer]() });
          return target;
        })(),
      );
    }
    return signed.get(key)!;
  };
  const policies = await writePolicies(dir, keyFiles);
  const world: World = { fakes, dir, policies, keys: keyFiles, file };
  return {
    world,
    cleanup: async () => {
      await fakes.close();
      await tmp.cleanup();
    },
  };
}

interface MatrixCase {
  policy: string;
  bundle: BundleName;
  signer: Signer;
  /** The refusal code, or null for allowed. */
  code: string | null;
  /** For POLICY_SCOPE_EXCEEDED: the pointer of the first exceeding scope. */
  pointer?: string;
  /** Also run through the CLI (`policy check --json`). */
  cli?: boolean;
}

const SCOPES = '/_meta/dev.mcpseal/scopes';

const MATRIX: MatrixCase[] = [
  // strict organisation policy (examples/policies/strict-org.json)
  { policy: 'strict', bundle: 'acme-files', signer: 'acme', code: null, cli: true },
  { policy: 'strict', bundle: 'acme-net', signer: 'acme', code: null },
  { policy: 'strict', bundle: 'acme-py', signer: 'acme', code: null },
  { policy: 'strict', bundle: 'acme-files', signer: 'acme-branch', code: 'POLICY_PUBLISHER_UNTRUSTED', cli: true },
  { policy: 'strict', bundle: 'acme-files', signer: 'evil', code: 'POLICY_PUBLISHER_UNTRUSTED' },
  { policy: 'strict', bundle: 'acme-files', signer: 'platform', code: 'POLICY_NAME_NOT_ALLOWED' },
  { policy: 'strict', bundle: 'acme-files', signer: 'stranger', code: 'POLICY_PUBLISHER_UNTRUSTED' },
  { policy: 'strict', bundle: 'platform-tool', signer: 'platform', code: null, cli: true },
  { policy: 'strict', bundle: 'platform-tool', signer: 'stranger', code: 'POLICY_PUBLISHER_UNTRUSTED' },
  { policy: 'strict', bundle: 'platform-tool', signer: 'acme', code: 'POLICY_NAME_NOT_ALLOWED', cli: true },
  { policy: 'strict', bundle: 'other-tool', signer: 'acme', code: 'POLICY_NAME_NOT_ALLOWED' },
  { policy: 'strict', bundle: 'other-tool', signer: 'stranger', code: 'POLICY_PUBLISHER_UNTRUSTED' },
  { policy: 'strict', bundle: 'acme-files', signer: 'unsigned', code: 'POLICY_UNSIGNED', cli: true },
  { policy: 'strict', bundle: 'acme-wide', signer: 'acme', code: 'POLICY_SCOPE_EXCEEDED', pointer: `${SCOPES}/filesystem/read/1`, cli: true },
  { policy: 'strict', bundle: 'acme-legacy-tool', signer: 'acme', code: 'POLICY_DENIED', cli: true },
  { policy: 'strict-python-only', bundle: 'acme-files', signer: 'acme', code: 'POLICY_SERVER_TYPE', cli: true },
  { policy: 'strict-python-only', bundle: 'acme-py', signer: 'acme', code: null },
  // developer policy (examples/policies/developer.json)
  { policy: 'developer', bundle: 'acme-files', signer: 'unsigned', code: null, cli: true },
  { policy: 'developer', bundle: 'other-tool', signer: 'acme', code: null },
  { policy: 'developer', bundle: 'other-tool', signer: 'developer', code: null },
  { policy: 'developer', bundle: 'acme-py', signer: 'developer', code: null },
  { policy: 'developer', bundle: 'acme-files', signer: 'evil', code: 'POLICY_PUBLISHER_UNTRUSTED' },
  { policy: 'developer', bundle: 'acme-files', signer: 'stranger', code: 'POLICY_PUBLISHER_UNTRUSTED' },
  { policy: 'developer', bundle: 'acme-wide', signer: 'acme', code: 'POLICY_SCOPE_EXCEEDED', pointer: `${SCOPES}/filesystem/read/1` },
  { policy: 'developer', bundle: 'acme-wide', signer: 'unsigned', code: 'POLICY_SCOPE_EXCEEDED', pointer: `${SCOPES}/filesystem/read/1` },
];

const label = (c: MatrixCase): string => `${c.policy} × ${c.bundle} signed by ${c.signer} → ${c.code ?? 'allowed'}`;

describe('install policy matrix', function () {
  this.timeout(180_000);
  let world: World;
  let cleanup: () => Promise<void>;
  const policies = new Map<string, Policy>();
  const policy = async (name: string): Promise<Policy> => {
    if (!policies.has(name)) policies.set(name, await loadPolicy(world.policies[name]!));
    return policies.get(name)!;
  };
  const trust = (): { trustedRoot: unknown } => ({ trustedRoot: world.fakes.trustedRoot });

  before(async () => {
    ({ world, cleanup } = await prepareWorld());
  });
  after(async () => cleanup?.());

  describe('through the library (every case)', () => {
    for (const c of MATRIX) {
      it(label(c), async () => {
        const result = await verifyWithPolicy(await world.file(c.bundle, c.signer), await policy(c.policy), trust());
        assert.equal(result.decision.refusal?.code ?? null, c.code, JSON.stringify(result.decision.rules, null, 1));
        assert.equal(result.decision.allowed, c.code === null);
        assert.equal(result.decision.rules.length, 4, 'every rule is reported');
        if (c.pointer) assert.equal(result.decision.refusal?.pointer, c.pointer);
        if (c.code === null && c.signer !== 'unsigned') assert.ok(result.verification && result.publisher, 'an allowed signed bundle has its verification and publisher');
      });
    }
  });

  describe('unpackBundle under the policy (every case): the same answer, in one pass, nothing left when refused', () => {
    for (const c of MATRIX) {
      it(label(c), async () => {
        const target = join(world.dir, 'unpack-matrix', `${c.policy}--${c.bundle}--${c.signer}`);
        const outcome = await unpackBundle(await world.file(c.bundle, c.signer), target, { installPolicy: await policy(c.policy), ...trust() }).then(
          (result) => ({ code: null, result }),
          (error: unknown) => ({ code: error instanceof MCPSealError ? error.code : String(error), result: null }),
        );
        assert.equal(outcome.code, c.code);
        if (c.code === null) assert.ok((await stat(join(target, 'manifest.json'))).isFile());
        else await assert.rejects(stat(target), { code: 'ENOENT' });
      });
    }

    it('a deny-listed sha256 is refused after the pass, before the rename: the target never appears', async () => {
      const file = await world.file('acme-files', 'acme');
      const base = await policy('strict');
      const sha256 = (await verifyWithPolicy(file, base, trust())).sha256;
      const target = join(world.dir, 'unpack-denied');
      const error = await unpackBundle(file, target, { installPolicy: { ...base, deny: { names: [], sha256: [sha256] } }, ...trust() }).then(
        () => assert.fail('extracted'),
        (e: unknown) => e,
      );
      assert.ok(error instanceof MCPSealError);
      assert.equal(error.code, 'POLICY_DENIED');
      await assert.rejects(stat(target), { code: 'ENOENT' });
    });
  });

  describe('through `mcpseal policy check --json` (a representative subset)', () => {
    for (const c of MATRIX.filter((m) => m.cli)) {
      it(label(c), async () => {
        const file = await world.file(c.bundle, c.signer);
        const run = await runCli(['policy', 'check', file, '--policy', world.policies[c.policy]!, '--trusted-root', world.fakes.trustedRootPath, '--json']);
        const json = jsonOf(run);
        assert.equal(run.status, c.code === null ? 0 : 1, run.stderr);
        assert.equal(json['ok'], c.code === null);
        const decision = json['decision'] as { rules: { rule: string; allowed: boolean }[] };
        assert.equal(decision.rules.length, 4);
        if (c.code !== null) {
          const error = json['error'] as { code: string; details: { pointer?: string } };
          assert.equal(error.code, c.code);
          assert.match(run.stderr, new RegExp(`^mcpseal: ${c.code}: `, 'mu'));
          if (c.pointer) assert.equal(error.details.pointer, c.pointer);
        }
      });
    }

    it('text mode prints a table of every rule and its outcome', async () => {
      const file = await world.file('acme-wide', 'acme');
      const run = await runCli(['policy', 'check', file, '--policy', world.policies['strict']!, '--trusted-root', world.fakes.trustedRootPath]);
      assert.equal(run.status, 1);
      for (const rule of ['deny', 'signer', 'serverType', 'scopes']) assert.match(run.stdout, new RegExp(`^${rule} `, 'mu'));
      // Every exceeding scope is listed, not only the first.
      for (const pointer of ['filesystem/read/1', 'filesystem/write/0', 'network/egress/1', 'network/listen']) assert.ok(run.stdout.includes(`${SCOPES}/${pointer}`), pointer);
      assert.match(run.stderr, /^mcpseal: POLICY_SCOPE_EXCEEDED: /mu);
    });

    it('an invalid policy is POLICY_INVALID, exit 2, with the pointer', async () => {
      const bad = join(world.dir, 'bad-policy.json');
      await writeFile(bad, JSON.stringify({ version: 1, publishers: [{ name: 'p', bundles: ['*'], keyless: { signerWorkflow: '.github/workflows/release.yml' } }] }));
      const run = await runCli(['policy', 'check', await world.file('acme-files', 'acme'), '--policy', bad, '--json']);
      assert.equal(run.status, 2);
      const error = jsonOf(run)['error'] as { code: string; details: { pointer: string } };
      assert.equal(error.code, 'POLICY_INVALID');
      assert.equal(error.details.pointer, '/publishers/0/keyless');
    });
  });

  describe('verify and unpack take the signers from --policy', () => {
    it('verify --policy accepts a bundle the policy allows and names the publisher', async () => {
      const run = await runCli(['verify', await world.file('acme-net', 'acme'), '--policy', world.policies['strict']!, '--trusted-root', world.fakes.trustedRootPath, '--json']);
      assert.equal(run.status, 0, run.stderr);
      const json = jsonOf(run);
      assert.equal(json['publisher'], 'acme releases');
      assert.equal((json['identity'] as { github: { sourceRepositoryUri: string } }).github.sourceRepositoryUri, 'https://github.com/acme/mcp-servers');
    });

    it('verify --policy refuses a squatter with POLICY_NAME_NOT_ALLOWED (exit 1)', async () => {
      const run = await runCli(['verify', await world.file('platform-tool', 'acme'), '--policy', world.policies['strict']!, '--trusted-root', world.fakes.trustedRootPath, '--json']);
      assert.equal(run.status, 1);
      assert.equal((jsonOf(run)['error'] as { code: string }).code, 'POLICY_NAME_NOT_ALLOWED');
    });

    it('verify --policy with an identity flag beside it is a usage error (the policy names the signers)', async () => {
      const run = await runCli(['verify', await world.file('acme-files', 'acme'), '--policy', world.policies['strict']!, '--repo', 'acme/mcp-servers', '--json']);
      assert.equal(run.status, 2);
      assert.equal((jsonOf(run)['error'] as { code: string }).code, 'USAGE_INVALID_ARGUMENT');
    });

    it('unpack --policy extracts an allowed bundle, and refuses a disallowed one leaving nothing behind', async () => {
      const out = join(world.dir, 'unpacked-ok');
      const ok = await runCli(['unpack', await world.file('platform-tool', 'platform'), out, '--policy', world.policies['strict']!, '--trusted-root', world.fakes.trustedRootPath, '--json']);
      assert.equal(ok.status, 0, ok.stderr);
      assert.equal(jsonOf(ok)['publisher'], 'platform key');
      assert.ok((await stat(join(out, 'manifest.json'))).isFile());

      const refusedOut = join(world.dir, 'unpacked-refused');
      const refused = await runCli(['unpack', await world.file('acme-wide', 'acme'), refusedOut, '--policy', world.policies['strict']!, '--trusted-root', world.fakes.trustedRootPath, '--json']);
      assert.equal(refused.status, 1);
      assert.equal((jsonOf(refused)['error'] as { code: string }).code, 'POLICY_SCOPE_EXCEEDED');
      await assert.rejects(stat(refusedOut), { code: 'ENOENT' });
    });

    it('unpack --policy extracts an unsigned bundle only when the policy sets allowUnsigned', async () => {
      const file = await world.file('acme-files', 'unsigned');
      const dev = await runCli(['unpack', file, join(world.dir, 'unsigned-dev'), '--policy', world.policies['developer']!, '--json']);
      assert.equal(dev.status, 0, dev.stderr);
      const strict = await runCli(['unpack', file, join(world.dir, 'unsigned-strict'), '--policy', world.policies['strict']!, '--json']);
      assert.equal(strict.status, 1);
      assert.equal((jsonOf(strict)['error'] as { code: string }).code, 'POLICY_UNSIGNED');
    });
  });

  describe('what the signer rules read', () => {
    it('the name comes from the signed manifest, never the file name', async () => {
      const misleading = join(world.dir, 'acme-files.mcpb');
      await copyFile(await world.file('other-tool', 'acme'), misleading);
      await copyFile(`${await world.file('other-tool', 'acme')}.sigstore.json`, `${misleading}.sigstore.json`);
      const result = await verifyWithPolicy(misleading, await policy('strict'), trust());
      assert.equal(result.decision.refusal?.code, 'POLICY_NAME_NOT_ALLOWED');
    });

    it('a refused publisher says why for each publisher tried', async () => {
      const result = await verifyWithPolicy(await world.file('acme-files', 'acme-branch'), await policy('strict'), trust());
      const signer = result.decision.rules.find((rule) => rule.rule === 'signer')!;
      assert.match(signer.message, /acme releases: IDENTITY_MISMATCH/u);
    });

    it('a signature of another file is not rescued by the policy: ATTESTATION_SUBJECT_MISMATCH', async () => {
      const swapped = join(world.dir, 'swapped.mcpb');
      await copyFile(await world.file('acme-net', 'unsigned'), swapped);
      await copyFile(`${await world.file('acme-files', 'acme')}.sigstore.json`, `${swapped}.sigstore.json`);
      // The policy picks the name from acme-net's manifest; acme's signature verifies, then the subject is another file.
      const error = await verifyWithPolicy(swapped, await policy('strict'), trust()).then(
        () => assert.fail('accepted'),
        (e: unknown) => e,
      );
      assert.ok(error instanceof MCPSealError);
      assert.equal(error.code, 'ATTESTATION_SUBJECT_MISMATCH');
    });

    it('a present signature that no publisher verifies is refused even under allowUnsigned', async () => {
      const result = await verifyWithPolicy(await world.file('acme-files', 'stranger'), await policy('developer'), trust());
      assert.equal(result.decision.refusal?.code, 'POLICY_PUBLISHER_UNTRUSTED');
    });

    it('a deny list by sha256 refuses exactly that file', async () => {
      const file = await world.file('acme-files', 'acme');
      const base = await policy('strict');
      const sha256 = (await verifyWithPolicy(file, base, trust())).sha256;
      const denied = { ...base, deny: { names: [], sha256: [sha256] } };
      assert.equal((await verifyWithPolicy(file, denied, trust())).decision.refusal?.code, 'POLICY_DENIED');
      assert.equal((await verifyWithPolicy(await world.file('acme-net', 'acme'), denied, trust())).decision.allowed, true);
    });
  });

  describe('examples/policies', () => {
    for (const name of ['strict-org.json', 'developer.json']) {
      it(`${name} loads as shipped (its public key beside it)`, async () => {
        const loaded = await loadPolicy(join(ROOT, 'examples/policies', name));
        assert.ok(loaded.publishers.length >= 2);
        assert.ok(loaded.publishers.some((publisher) => publisher.publicKey?.includes('BEGIN PUBLIC KEY')));
      });
    }
  });
});
