// Regression tests for the verification findings of issue 9 (3, 4, 9, 12, 16) and the injectable
// roles of issue 8 item 6 (a caller's Signer, a trust-root provider). Real crypto against the
// loopback Sigstore fakes, real child processes for the CLI, hostile inputs built here.

import assert from 'node:assert/strict';
import { createPrivateKey, createPublicKey, sign as signData } from 'node:crypto';
import { copyFile, mkdir, readdir, readFile, symlink, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import {
  Archive,
  bufferSource,
  generateKeyPair,
  MCPSealError,
  MCPSEAL_BUILD_TYPE,
  packBundle,
  signBundle,
  SLSA_PROVENANCE_V1,
  STATEMENT_TYPE_V1,
  unpackBundle,
  unpackOpenArchive,
  verifyBundle,
  verifyOpenArchive,
  type ByteSource,
  type ErrorCode,
  type IdentityPolicy,
  type Signer,
  type TrustRootProvider,
} from '../lib/index.ts';
import { jsonOf, runCli, tempDir, type CliResult } from './helpers/cli.ts';
import { HARDENED_MANIFEST } from './helpers/manifest.ts';
import { GITHUB_ACTIONS_ISSUER, githubActionsClaims, signDSSEWithFakes, startSigstoreFakes, type GitHubWorkflow, type SigstoreFakes } from './helpers/sigstore-fakes.ts';
import { keylessMethod, NO_CI_ENV, rejection } from './helpers/signing.ts';
import { tool, writeTree } from './helpers/tree.ts';
import { buildZip, STORED } from './helpers/zip-builder.ts';

const SOURCE = { 'server/index.js': 'console.log("hello from the bundle");\n' };

/** Runs the CLI with --json outside any CI and returns the run and its JSON document. */
async function cli(args: string[]): Promise<{ run: CliResult; json: Record<string, any> }> {
  const run = await runCli([...args, '--json'], { env: NO_CI_ENV });
  let json: Record<string, any>;
  try {
    json = jsonOf(run);
  } catch {
    assert.fail(`stdout is not one JSON document (status ${run.status})\nstdout: ${run.stdout}\nstderr: ${run.stderr}`);
  }
  return { run, json };
}

function assertRefused(result: { run: CliResult; json: Record<string, any> }, code: ErrorCode, status: 1 | 2 = 1): void {
  const context = `status ${result.run.status}\nstderr: ${result.run.stderr}\nstdout: ${result.run.stdout}`;
  assert.equal(result.json['error']?.['code'], code, context);
  assert.equal(result.run.status, status, context);
  assert.match(result.run.stderr, new RegExp(`^mcpseal: ${code}: [^\\n]+\\n$`, 'u'), context);
}

describe('verification security (issue 9 findings 3, 4, 9, 12, 16; issue 8 item 6)', function () {
  this.timeout(120_000);
  let fakes: SigstoreFakes;
  let dir: string;
  let cleanup: () => Promise<void>;
  /** A packed bundle (unsigned) and its sha256. */
  let bundle: string;
  let keys: { privateKey: string; publicKey: string; hint: string };

  /** A copy of the bundle signed keyless with the identity of a GitHub Actions run of `workflow`. */
  async function signedAs(name: string, workflow: GitHubWorkflow): Promise<string> {
    const file = join(dir, `${name}.mcpb`);
    await copyFile(bundle, file);
    await signBundle(file, { method: keylessMethod(fakes, fakes.identityToken(githubActionsClaims(workflow))) });
    return file;
  }

  before(async () => {
    fakes = await startSigstoreFakes();
    const tmp = await tempDir('mcpseal-verify-security-');
    dir = tmp.path;
    cleanup = async () => {
      await Promise.all([fakes.close(), tmp.cleanup()]);
    };
    await writeTree(join(dir, 'src'), SOURCE);
    bundle = join(dir, 'bundle.mcpb');
    await packBundle(join(dir, 'src'), bundle);
    keys = await generateKeyPair(join(dir, 'publisher.key'), join(dir, 'publisher.pub'));
  });
  after(async () => {
    await cleanup();
  });

  describe('finding 3: a workflow constraint never stands alone', () => {
    // The victim's reusable workflow, called from the attacker's repository: the certificate's
    // Build Signer URI (and SAN) is the victim's workflow; only the source repository says who ran it.
    const REUSABLE = 'victim/lib/.github/workflows/release.yml';
    let attackerCall: string;
    let victimCall: string;
    let otherRepoShortForm: string;

    before(async () => {
      [attackerCall, victimCall, otherRepoShortForm] = await Promise.all([
        signedAs('attacker-call', { repository: 'attacker/app', jobWorkflowRef: `${REUSABLE}@refs/heads/main` }),
        signedAs('victim-call', { repository: 'victim/app', jobWorkflowRef: `${REUSABLE}@refs/heads/main` }),
        // owner/repo calling another repository's release.yml (same file name as its own).
        signedAs('other-release-yml', { repository: 'owner/repo', jobWorkflowRef: 'someone/else/.github/workflows/release.yml@refs/heads/main' }),
      ]);
    });

    const trust = (): string[] => ['--trusted-root', fakes.trustedRootPath];

    it('finding 3: --signer-workflow alone (long or short form) is IDENTITY_POLICY_REQUIRED, exit 2', async () => {
      const [long, short, withRef] = await Promise.all([
        cli(['verify', attackerCall, ...trust(), '--signer-workflow', REUSABLE]),
        cli(['verify', attackerCall, ...trust(), '--signer-workflow', '.github/workflows/release.yml']),
        cli(['unpack', attackerCall, join(dir, 'f3-out'), ...trust(), '--signer-workflow', REUSABLE, '--source-ref', 'refs/heads/main']),
      ]);
      for (const result of [long, short, withRef]) assertRefused(result, 'IDENTITY_POLICY_REQUIRED', 2);
      assert.match(long.run.stderr, /--repo/u);
      assert.deepEqual((await readdir(dir)).filter((name) => name.startsWith('f3-out') || name.startsWith('.f3-out')), []);
      for (const policy of [{ signerWorkflow: REUSABLE }, { signerWorkflow: REUSABLE, certOidcIssuer: GITHUB_ACTIONS_ISSUER }, { sourceRef: 'refs/heads/main' }] as IdentityPolicy[]) {
        const error = await rejection(verifyBundle(attackerCall, { trustedRoot: fakes.trustedRoot, policy }));
        assert.equal(error.code, 'IDENTITY_POLICY_REQUIRED', JSON.stringify(policy));
      }
    });

    it('finding 3: the reusable workflow called from another repository fails --repo (Source Repository URI, .12)', async () => {
      const refused = await cli(['verify', attackerCall, ...trust(), '--repo', 'victim/app', '--signer-workflow', REUSABLE]);
      assertRefused(refused, 'IDENTITY_MISMATCH');
      assert.match(refused.run.stderr, /source repository/u);
      // The victim's own call passes the same policy.
      const accepted = await cli(['verify', victimCall, ...trust(), '--repo', 'victim/app', '--signer-workflow', REUSABLE]);
      assert.equal(accepted.run.status, 0, accepted.run.stderr);
      assert.equal(accepted.json['identity']['github']['sourceRepositoryUri'], 'https://github.com/victim/app');
    });

    it('finding 3: the short form is resolved against --repo, never matching that file in another repository', async () => {
      const refused = await cli(['verify', otherRepoShortForm, ...trust(), '--repo', 'owner/repo', '--signer-workflow', '.github/workflows/release.yml']);
      assertRefused(refused, 'IDENTITY_MISMATCH');
      assert.match(refused.run.stderr, /signer workflow/u);
      const own = await signedAs('own-release-yml', {});
      const accepted = await cli(['verify', own, ...trust(), '--repo', 'Owner/Repo', '--signer-workflow', '.github/workflows/release.yml']);
      assert.equal(accepted.run.status, 0, accepted.run.stderr);
    });

    it('finding 3: an exact identity with its issuer is a policy; a workflow may narrow it', async () => {
      const san = `https://github.com/${REUSABLE}@refs/heads/main`;
      const verified = await verifyBundle(victimCall, {
        trustedRoot: fakes.trustedRoot,
        policy: { certIdentity: san, certOidcIssuer: GITHUB_ACTIONS_ISSUER, signerWorkflow: REUSABLE },
      });
      assert.equal(verified.identity?.subject, san);
      // The SAN alone cannot tell the caller (the README's reusable-workflow caveat): --repo can.
      const error = await rejection(verifyBundle(attackerCall, { trustedRoot: fakes.trustedRoot, policy: { certIdentity: san, certOidcIssuer: GITHUB_ACTIONS_ISSUER, repo: 'victim/app' } }));
      assert.equal(error.code, 'IDENTITY_MISMATCH');
    });
  });

  describe('finding 4: only the provenance the README promises is accepted', () => {
    /** A DSSE bundle over `statement`, signed by the fakes for owner/repo's release workflow. */
    async function attestation(name: string, statement: unknown): Promise<string> {
      const json = await signDSSEWithFakes(fakes, { payload: Buffer.from(JSON.stringify(statement)), token: fakes.identityToken(githubActionsClaims()) });
      const path = join(dir, `${name}.sigstore.json`);
      await writeFile(path, JSON.stringify(json));
      return path;
    }
    let subject: { name: string; digest: { sha256: string } }[];
    const provenance = (buildType: string, extra: Record<string, unknown> = {}) => ({
      _type: STATEMENT_TYPE_V1,
      subject,
      predicateType: SLSA_PROVENANCE_V1,
      predicate: {
        buildDefinition: { buildType, externalParameters: {}, resolvedDependencies: [], ...extra },
        runDetails: { builder: { id: 'https://example.test/builder' } },
      },
    });
    const workflow = { ref: 'refs/tags/v1.0.0', repository: 'https://github.com/owner/repo', path: '.github/workflows/release.yml' };

    before(async () => {
      const { createHash } = await import('node:crypto');
      subject = [{ name: 'bundle.mcpb', digest: { sha256: createHash('sha256').update(await readFile(bundle)).digest('hex') } }];
    });

    const cases: { name: string; code: ErrorCode; statement: () => unknown }[] = [
      {
        name: 'an in-toto test result that says FAILED',
        code: 'ATTESTATION_PREDICATE_TYPE',
        statement: () => ({
          _type: STATEMENT_TYPE_V1,
          subject,
          predicateType: 'https://in-toto.io/attestation/test-result/v0.1',
          predicate: { result: 'FAILED', configuration: [], passedTests: [], failedTests: ['everything'] },
        }),
      },
      {
        name: 'an SPDX SBOM',
        code: 'ATTESTATION_PREDICATE_TYPE',
        statement: () => ({ _type: STATEMENT_TYPE_V1, subject, predicateType: 'https://spdx.dev/Document', predicate: { spdxVersion: 'SPDX-2.3' } }),
      },
      {
        name: 'SLSA provenance v0.2',
        code: 'ATTESTATION_PREDICATE_TYPE',
        statement: () => ({ _type: STATEMENT_TYPE_V1, subject, predicateType: 'https://slsa.dev/provenance/v0.2', predicate: { builder: { id: 'x' }, buildType: MCPSEAL_BUILD_TYPE } }),
      },
      { name: 'SLSA provenance v1 of another build type', code: 'ATTESTATION_PREDICATE_TYPE', statement: () => provenance('https://example.test/buildtypes/anything/v1') },
      {
        name: 'SLSA provenance v1 without buildDefinition',
        code: 'ATTESTATION_MALFORMED',
        statement: () => ({ _type: STATEMENT_TYPE_V1, subject, predicateType: SLSA_PROVENANCE_V1, predicate: { runDetails: { builder: { id: 'x' } } } }),
      },
      {
        name: 'GitHub build provenance that names no workflow',
        code: 'ATTESTATION_MALFORMED',
        statement: () => provenance('https://actions.github.io/buildtypes/workflow/v1'),
      },
      {
        name: 'GitHub build provenance naming another workflow than the certificate',
        code: 'ATTESTATION_PREDICATE_MISMATCH',
        statement: () => provenance('https://actions.github.io/buildtypes/workflow/v1', { externalParameters: { workflow: { ...workflow, path: '.github/workflows/other.yml' } } }),
      },
    ];

    for (const [index, testCase] of cases.entries()) {
      it(`finding 4: ${testCase.name} is ${testCase.code} (library verify and unpack, CLI unpack)`, async () => {
        const sidecar = await attestation(`f4-${index}`, testCase.statement());
        const options = { sigstoreBundle: sidecar, trustedRoot: fakes.trustedRoot, policy: { repo: 'owner/repo' } };
        const out = join(dir, `f4-${index}`, 'out');
        await mkdir(join(dir, `f4-${index}`));
        const [verified, unpacked, viaCli] = await Promise.all([
          rejection(verifyBundle(bundle, options)),
          rejection(unpackBundle(bundle, out, options)),
          cli(['unpack', bundle, join(dir, `f4-${index}`, 'cli-out'), '--bundle', sidecar, '--trusted-root', fakes.trustedRootPath, '--repo', 'owner/repo']),
        ]);
        assert.equal(verified.code, testCase.code, verified.message);
        assert.equal(unpacked.code, testCase.code, unpacked.message);
        assertRefused(viaCli, testCase.code);
        assert.deepEqual(await readdir(join(dir, `f4-${index}`)), []);
      });
    }

    it('finding 4: GitHub build provenance of this workflow is accepted, and its workflow reported', async () => {
      const sidecar = await attestation('f4-github', provenance('https://actions.github.io/buildtypes/workflow/v1', { externalParameters: { workflow } }));
      const viaCli = await cli(['verify', bundle, '--bundle', sidecar, '--trusted-root', fakes.trustedRootPath, '--repo', 'owner/repo']);
      assert.equal(viaCli.run.status, 0, viaCli.run.stderr);
      assert.deepEqual(viaCli.json['provenance']['workflow'], workflow);
    });
  });

  describe('finding 9: sidecars, roots and keys are bounded regular files', () => {
    let keyed: string;
    before(async () => {
      keyed = join(dir, 'f9.mcpb');
      await copyFile(bundle, keyed);
    });
    /** Puts `make(path)` where the sidecar of the keyed bundle is expected. */
    async function withSidecar(make: (path: string) => Promise<void>): Promise<void> {
      const sidecar = `${keyed}.sigstore.json`;
      await import('node:fs/promises').then(({ rm }) => rm(sidecar, { force: true }));
      await make(sidecar);
    }

    it('finding 9: a sidecar symlinked to /dev/zero is refused before it is read (verify and unpack --allow-unsigned)', async () => {
      await withSidecar((path) => symlink('/dev/zero', path));
      const [verified, unpacked] = await Promise.all([
        cli(['verify', keyed, '--key', keys.publicKey]),
        cli(['unpack', keyed, join(dir, 'f9-zero-out'), '--allow-unsigned']),
      ]);
      assertRefused(verified, 'IO_READ_FAILED', 2);
      assertRefused(unpacked, 'IO_READ_FAILED', 2);
      assert.match(verified.run.stderr, /not a regular file/u);
      assert.ok(!(await readdir(dir)).some((name) => name.includes('f9-zero-out')), 'nothing extracted');
    });

    it('finding 9: a sidecar that is a FIFO does not hang verify or unpack', async () => {
      await withSidecar(async (path) => void tool('mkfifo', [path]));
      const [verified, unpacked] = await Promise.all([
        cli(['verify', keyed, '--key', keys.publicKey]),
        cli(['unpack', keyed, join(dir, 'f9-fifo-out'), '--allow-unsigned']),
      ]);
      assertRefused(verified, 'IO_READ_FAILED', 2);
      assertRefused(unpacked, 'IO_READ_FAILED', 2);
    });

    it('finding 9: a sparse 2 GiB sidecar is refused by its size, without reading it', async () => {
      await withSidecar(async (path) => {
        await writeFile(path, '');
        await truncate(path, 2 * 1024 ** 3);
      });
      const [verified, unpacked] = await Promise.all([cli(['verify', keyed, '--key', keys.publicKey]), cli(['unpack', keyed, join(dir, 'f9-big-out'), '--allow-unsigned'])]);
      assertRefused(verified, 'SIGNATURE_MALFORMED');
      assertRefused(unpacked, 'SIGNATURE_MALFORMED');
      assert.equal(verified.json['error']['details']['found'], 2 * 1024 ** 3);
      const error = await rejection(verifyBundle(keyed, { publicKey: await readFile(keys.publicKey, 'utf8') }));
      assert.equal(error.code, 'SIGNATURE_MALFORMED');
    });

    it('finding 9: --trusted-root, --key, verify-blob --bundle and its artifact naming /dev/zero or a FIFO fail at once', async () => {
      const fifo = join(dir, 'f9.fifo');
      tool('mkfifo', [fifo]);
      await withSidecar((path) => copyFile(bundle, path)); // any regular file: the trust inputs fail first
      const [root, rootFifo, key, keyFifo, blob, blobArtifact] = await Promise.all([
        cli(['verify', keyed, '--trusted-root', '/dev/zero', '--repo', 'owner/repo']),
        cli(['verify', keyed, '--trusted-root', fifo, '--repo', 'owner/repo']),
        cli(['verify', keyed, '--key', '/dev/zero']),
        cli(['unpack', keyed, join(dir, 'f9-key-out'), '--key', fifo]),
        cli(['verify-blob', keyed, '--bundle', '/dev/zero', '--key', keys.publicKey]),
        cli(['verify-blob', fifo, '--bundle', `${keyed}.sigstore.json`, '--key', keys.publicKey]),
      ]);
      assertRefused(root, 'TRUST_ROOT_UNAVAILABLE', 2);
      assertRefused(rootFifo, 'TRUST_ROOT_UNAVAILABLE', 2);
      assertRefused(key, 'IO_READ_FAILED', 2);
      assertRefused(keyFifo, 'IO_READ_FAILED', 2);
      assertRefused(blob, 'IO_READ_FAILED', 2);
      assertRefused(blobArtifact, 'IO_READ_FAILED', 2);
    });
  });

  describe('finding 12: the manifest that is validated is the manifest that is written', () => {
    /**
     * A manifest of the same length and CRC-32 as `original` that differs where `edit` says: the
     * 16 '0' characters of `filler` absorb the CRC difference. Flipping any of the low four bits
     * of a '0' gives a printable character in 0-?, so the JSON stays valid. CRC-32 is affine over
     * GF(2), so the 64 candidate bits are a linear system for the 32 CRC bits.
     */
    function sameCrcManifest(original: string, edited: string): string {
      const target = crc32(Buffer.from(original));
      const base = Buffer.from(edited);
      const at = base.indexOf('0'.repeat(16));
      assert.ok(at >= 0 && base.length === Buffer.byteLength(original), 'the edit keeps the length and the filler');
      const zero = crc32(Buffer.alloc(base.length));
      // Column i: the CRC change of flipping candidate bit i.
      const columns: { bit: number; effect: number }[] = [];
      for (let i = 0; i < 64; i++) {
        const probe = Buffer.alloc(base.length);
        probe[at + (i >> 2)] = 1 << (i & 3);
        columns.push({ bit: i, effect: (crc32(probe) ^ zero) >>> 0 });
      }
      // Gaussian elimination over GF(2), rows keyed by their highest bit; `combo` records which
      // candidate bits (a 64-bit set) make up each row.
      const wanted = (crc32(base) ^ target) >>> 0;
      const rows = new Map<number, { effect: number; combo: bigint }>();
      for (const column of columns) {
        let effect = column.effect;
        let combo = 1n << BigInt(column.bit);
        while (effect !== 0) {
          const row = rows.get(31 - Math.clz32(effect));
          if (!row) {
            rows.set(31 - Math.clz32(effect), { effect, combo });
            break;
          }
          effect = (effect ^ row.effect) >>> 0;
          combo ^= row.combo;
        }
      }
      let rest = wanted;
      let chosen = 0n;
      while (rest !== 0) {
        const row = rows.get(31 - Math.clz32(rest));
        assert.ok(row, 'the CRC can be matched');
        rest = (rest ^ row.effect) >>> 0;
        chosen ^= row.combo;
      }
      for (let bit = 0; bit < 64; bit++) if ((chosen >> BigInt(bit)) & 1n) base[at + (bit >> 2)]! ^= 1 << (bit & 3);
      assert.equal(crc32(base), target);
      return base.toString('utf8');
    }

    /**
     * Opens `zip` as an archive whose source, from then on, serves `second` in place of the bytes
     * at `offset` on every read of that region but the first (or only on the first, with
     * `swapFirst`): a file that changes between two reads, or a file system that lies.
     */
    async function swappingArchive(zip: Buffer, offset: number, second: Buffer, options: { swapFirst?: boolean } = {}): Promise<{ archive: Archive; reads: () => number }> {
      const original = bufferSource(zip);
      const swapped = Buffer.from(zip);
      second.copy(swapped, offset);
      const alternate = bufferSource(swapped);
      let armed = false;
      let reads = 0;
      const source: ByteSource = {
        size: zip.length,
        async read(position, length) {
          if (!armed || position + length <= offset || position >= offset + second.length) return original.read(position, length);
          reads++;
          return (reads === 1) === (options.swapFirst === true) ? alternate.read(position, length) : original.read(position, length);
        },
        async close() {},
      };
      // Opening reads the end of the file (the central directory, and here the whole small zip).
      const archive = await Archive.open(source);
      armed = true;
      return { archive, reads: () => reads };
    }

    const filler = '0'.repeat(16);
    const manifestA = JSON.stringify({ ...HARDENED_MANIFEST, description: `test bundle ${filler}` });
    /** A bundle whose manifest.json is stored, so its bytes sit verbatim in the file. */
    const zipWith = (manifest: string): Buffer =>
      buildZip([
        { name: 'manifest.json', data: manifest, method: STORED },
        { name: 'server/index.js', data: SOURCE['server/index.js'] },
      ]);

    it('finding 12: unsigned unpack refuses a file that serves another manifest.json (same length, same CRC) on the second read', async () => {
      // The swap: the validated manifest runs node, the one served to the extraction runs bash.
      const malicious = sameCrcManifest(manifestA, manifestA.replace('"command":"node"', '"command":"bash"'));
      assert.notEqual(malicious, manifestA);
      const zip = zipWith(manifestA);
      const offset = zip.indexOf(manifestA);
      const { archive, reads } = await swappingArchive(zip, offset, Buffer.from(malicious));
      const target = join(dir, 'f12-unsigned', 'out');
      await mkdir(join(dir, 'f12-unsigned'));
      const error = await rejection(unpackOpenArchive(archive, join(dir, 'f12-unsigned', 'absent.mcpb'), target, { allowUnsigned: true }));
      assert.equal(error.code, 'ARCHIVE_CHANGED_DURING_READ', error.message);
      assert.equal(error.details.entry, 'manifest.json');
      assert.ok(reads() >= 2, 'the manifest region was read twice');
      assert.deepEqual(await readdir(join(dir, 'f12-unsigned')), [], 'nothing written');
    });

    it('finding 12: a signed unpack (and verify) validates the manifest bytes that were signed', async () => {
      const zip = zipWith(manifestA);
      const file = join(dir, 'f12-signed.mcpb');
      await writeFile(file, zip);
      await signBundle(file, { method: { kind: 'key', privateKeyPem: await readFile(keys.privateKey, 'utf8') } });
      const publicKey = await readFile(keys.publicKey, 'utf8');
      // Served to validation: a manifest that also passes the profile, but is not the signed one.
      // unpack reads the manifest before its one pass, verify after hashing the file.
      const other = sameCrcManifest(manifestA, manifestA.replace('"version":"1.0.0"', '"version":"6.6.6"'));
      const offset = zip.indexOf(manifestA);
      await mkdir(join(dir, 'f12-signed'));
      for (const run of ['unpack', 'verify'] as const) {
        const { archive } = await swappingArchive(zip, offset, Buffer.from(other), { swapFirst: run === 'unpack' });
        const attempt = run === 'unpack' ? unpackOpenArchive(archive, file, join(dir, 'f12-signed', 'out'), { publicKey }) : verifyOpenArchive(archive, file, { publicKey });
        const error = await rejection(attempt);
        assert.equal(error.code, 'ATTESTATION_PREDICATE_MISMATCH', `${run}: ${error.message}`);
        assert.equal(error.details.entry, 'manifest.json');
      }
      assert.deepEqual(await readdir(join(dir, 'f12-signed')), [], 'nothing written');
      // The honest file verifies.
      assert.equal((await verifyBundle(file, { publicKey })).manifest.version, '1.0.0');
    });
  });

  describe('finding 16: the caller’s trust, not the sidecar, picks the branch', () => {
    let keyless: string;
    before(async () => {
      keyless = await signedAs('f16-keyless', {});
    });

    it('finding 16: verify/unpack --key on a certificate-signed bundle is SIGNATURE_UNTRUSTED, exit 1', async () => {
      const [verified, unpacked, withPolicy] = await Promise.all([
        cli(['verify', keyless, '--key', keys.publicKey]),
        cli(['unpack', keyless, join(dir, 'f16-out'), '--key', keys.publicKey]),
        // A policy beside the key changes nothing: the key is the trust chosen.
        cli(['verify', keyless, '--key', keys.publicKey, '--trusted-root', fakes.trustedRootPath, '--repo', 'owner/repo']),
      ]);
      for (const result of [verified, unpacked, withPolicy]) assertRefused(result, 'SIGNATURE_UNTRUSTED', 1);
      const error = await rejection(verifyBundle(keyless, { publicKey: await readFile(keys.publicKey, 'utf8'), trustedRoot: fakes.trustedRoot }));
      assert.equal(error.code, 'SIGNATURE_UNTRUSTED');
    });

    it('finding 16: without --key or a policy, the answer is IDENTITY_POLICY_REQUIRED whatever the sidecar holds', async () => {
      const keyed = join(dir, 'f16-keyed.mcpb');
      await copyFile(bundle, keyed);
      await signBundle(keyed, { method: { kind: 'key', privateKeyPem: await readFile(keys.privateKey, 'utf8') } });
      const [forKeyless, forKeyed] = await Promise.all([cli(['verify', keyless, '--trusted-root', fakes.trustedRootPath]), cli(['verify', keyed])]);
      assertRefused(forKeyless, 'IDENTITY_POLICY_REQUIRED', 2);
      assertRefused(forKeyed, 'IDENTITY_POLICY_REQUIRED', 2);
    });
  });

  describe('issue 8 item 6: a caller’s Signer and trust-root provider', () => {
    it('signBundle takes a caller-supplied Signer (one method, sigstore-js shape); verifyBundle checks it with the key', async () => {
      const file = join(dir, 'custom-signer.mcpb');
      await copyFile(bundle, file);
      const privateKey = createPrivateKey(await readFile(keys.privateKey, 'utf8'));
      const publicKeyPem = createPublicKey(privateKey).export({ format: 'pem', type: 'spki' }).toString();
      const signed: Buffer[] = [];
      // What a KMS or an HSM client would do: sign the bytes handed over, name the public key.
      const signer: Signer = {
        async sign(data) {
          signed.push(data);
          return { signature: signData('sha256', data, privateKey), key: { $case: 'publicKey', publicKey: publicKeyPem, hint: keys.hint } };
        },
      };
      const result = await signBundle(file, { method: { kind: 'signer', signer } });
      assert.equal(result.kind, 'signer');
      assert.equal(signed.length, 1);
      assert.ok(signed[0]!.toString('latin1').startsWith('DSSEv1 28 application/vnd.in-toto+json '), 'the signer is given the DSSE pre-authentication encoding');
      const verified = await verifyBundle(file, { publicKey: publicKeyPem });
      assert.equal(verified.signature.keyHint, keys.hint);
      assert.equal(verified.sha256, result.sha256);
    });

    it('verifyBundle and unpackBundle take a TrustRootProvider, asked only when there is a signature to check', async () => {
      const keylessFile = await signedAs('provider', {});
      let asked = 0;
      const trustRoot: TrustRootProvider = {
        async trustedRoot() {
          asked++;
          return fakes.trustedRoot;
        },
      };
      const verified = await verifyBundle(keylessFile, { trustRoot, policy: { repo: 'owner/repo' } });
      assert.equal(verified.identity?.github.sourceRepositoryUri, 'https://github.com/owner/repo');
      assert.equal(asked, 1);
      await unpackBundle(bundle, join(dir, 'provider-unsigned'), { trustRoot, allowUnsigned: true });
      assert.equal(asked, 1, 'not asked for an unsigned bundle');
      const failing: TrustRootProvider = {
        trustedRoot: async () => {
          throw new MCPSealError('TRUST_ROOT_UNAVAILABLE', 'the distribution point is down');
        },
      };
      const error = await rejection(unpackBundle(keylessFile, join(dir, 'provider-out'), { trustRoot: failing, policy: { repo: 'owner/repo' } }));
      assert.equal(error.code, 'TRUST_ROOT_UNAVAILABLE');
    });

    it('issue 14 (start-up): a key signature without log entry or timestamp never asks for the trusted root; one carrying either does', async () => {
      const keyed = join(dir, 'provider-keyed.mcpb');
      await copyFile(bundle, keyed);
      await signBundle(keyed, { method: { kind: 'key', privateKeyPem: await readFile(keys.privateKey, 'utf8') } });
      const publicKey = await readFile(keys.publicKey, 'utf8');
      let asked = 0;
      const unavailable: TrustRootProvider = {
        trustedRoot: async () => {
          asked++;
          throw new MCPSealError('TRUST_ROOT_UNAVAILABLE', 'the distribution point is down');
        },
      };
      const verified = await verifyBundle(keyed, { publicKey, trustRoot: unavailable });
      assert.equal(verified.signature.kind, 'public-key');
      await unpackBundle(keyed, join(dir, 'provider-keyed-out'), { publicKey, trustRoot: unavailable });
      assert.equal(asked, 0);
      // A root document the caller hands over is always used (and so always validated).
      const invalid = await rejection(verifyBundle(keyed, { publicKey, trustedRoot: { tlogs: 'not a list' } }));
      assert.equal(invalid.code, 'TRUST_ROOT_INVALID');
      // The same keyed sidecar carrying a log entry, or an RFC 3161 timestamp, of a keyless one:
      // the trusted root is what checks those, so it is asked for (and its failure is the answer).
      const sidecar = JSON.parse(await readFile(`${keyed}.sigstore.json`, 'utf8')) as Record<string, any>;
      const keyless = JSON.parse(await readFile(`${await signedAs('provider-keyless-material', {})}.sigstore.json`, 'utf8')) as Record<string, any>;
      const logged = join(dir, 'provider-keyed-logged.mcpb');
      const stamped = join(dir, 'provider-keyed-stamped.mcpb');
      for (const [file, material] of [
        [logged, { tlogEntries: keyless['verificationMaterial']['tlogEntries'] }],
        [stamped, { timestampVerificationData: keyless['verificationMaterial']['timestampVerificationData'] }],
      ] as const) {
        assert.ok(Object.values(material)[0], 'the keyless sidecar has the material');
        await copyFile(keyed, file);
        await writeFile(`${file}.sigstore.json`, JSON.stringify({ ...sidecar, verificationMaterial: { ...sidecar['verificationMaterial'], ...material } }));
        const error = await rejection(verifyBundle(file, { publicKey, trustRoot: unavailable }));
        assert.equal(error.code, 'TRUST_ROOT_UNAVAILABLE', file);
      }
      assert.equal(asked, 2);
    });
  });
});
