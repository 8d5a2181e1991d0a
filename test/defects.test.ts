// Issue 10 item 6: the smaller defects found taking six real servers from publisher to installer,
// each with the regression test named after it, through the real binary.

import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { copyFile, cp, mkdir, readFile, readdir, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { jsonOf, listTree, ROOT, runCli, tempDir } from './helpers/cli.ts';
import { HARDENED_MANIFEST } from './helpers/manifest.ts';
import { writeTree } from './helpers/tree.ts';

const SERVER = { 'server/index.js': '// server\n' };

describe('item 6: the smaller defects', function () {
  this.timeout(120_000);
  let tmp: { path: string; cleanup: () => Promise<void> };
  let n = 0;

  before(async () => {
    tmp = await tempDir('mcpseal-defects-');
  });
  after(() => tmp.cleanup());

  /** A fresh directory under the test's temp dir. */
  async function fresh(name: string): Promise<string> {
    const dir = join(tmp.path, `${name}-${n++}`);
    await mkdir(dir, { recursive: true });
    return dir;
  }

  /** A valid bundle source `dir/src` with `files`, and the path beside it for the bundle. */
  async function source(name: string, files: Record<string, string | Buffer> = {}): Promise<{ dir: string; src: string; out: string }> {
    const dir = await fresh(name);
    const src = join(dir, 'src');
    await writeTree(src, { ...SERVER, ...files });
    return { dir, src, out: join(dir, 'out.mcpb') };
  }

  function assertCode(result: { status: number; stderr: string }, status: number, code: string): void {
    assert.equal(result.status, status, result.stderr);
    assert.match(result.stderr, new RegExp(`^mcpseal: ${code}: `, 'mu'));
  }

  describe('pack writes only outside its source tree', () => {
    it('defect: "mcpseal pack ." wrote a hidden ..mcpb inside the source tree; now <dirname>.mcpb beside it', async () => {
      const { dir, src } = await source('dot');
      const before = await listTree(src);
      const packed = await runCli(['pack', '.', '--json'], { cwd: src });
      assert.equal(packed.status, 0, packed.stderr);
      assert.deepEqual(await listTree(src), before, 'nothing is written into the source tree');
      assert.equal(jsonOf(packed)['path'], join(dir, 'src.mcpb'));
      assert.ok((await stat(join(dir, 'src.mcpb'))).isFile());
      // A trailing slash names the same directory and the same default.
      const slash = await runCli(['pack', `${src}/`, '--json']);
      assert.equal(jsonOf(slash)['path'], join(dir, 'src.mcpb'));
    });

    it('defect: pack refuses an output path inside the source tree, also through a symlinked parent (USAGE_INVALID_ARGUMENT, exit 2)', async () => {
      const { dir, src } = await source('inside', { 'sub/keep.txt': 'x' });
      await symlink(src, join(dir, 'link'));
      const before = await listTree(src);
      for (const out of [join(src, 'x.mcpb'), join(src, 'sub', 'x.mcpb'), join(dir, 'link', 'sub', 'x.mcpb')]) {
        const result = await runCli(['pack', src, out]);
        assertCode(result, 2, 'USAGE_INVALID_ARGUMENT');
        assert.match(result.stderr, /inside the source directory/u);
      }
      assert.deepEqual(await listTree(src), before);
      const json = jsonOf(await runCli(['pack', src, join(src, 'x.mcpb'), '--json']));
      assert.equal((json['error'] as { details: { path: string } }).details.path, join(src, 'x.mcpb'));
    });
  });

  describe('sign', () => {
    let keys: string;
    before(async () => {
      keys = await fresh('keys');
      for (const name of ['a', 'b']) assert.equal((await runCli(['keygen', '--out-dir', keys, '--name', name])).status, 0);
    });

    it('defect: sign --legacy accepted the EC keys keygen makes (the official tool then fails "OID is not RSA"); now LEGACY_KEY_NOT_RSA, exit 2, nothing written', async () => {
      const { dir, src, out } = await source('legacy-ec');
      assert.equal((await runCli(['pack', src, out])).status, 0);
      const cert = join(dir, 'ec.pem');
      execFileSync('openssl', ['req', '-x509', '-key', join(keys, 'a.key'), '-out', cert, '-days', '30', '-subj', '/CN=EC publisher', '-addext', 'extendedKeyUsage=codeSigning'], { stdio: 'ignore' });
      const bytes = await readFile(out);
      const result = await runCli(['sign', out, '--legacy', '--cert', cert, '--key', join(keys, 'a.key'), '--json']);
      assertCode(result, 2, 'LEGACY_KEY_NOT_RSA');
      assert.match(result.stderr, /not RSA/u);
      assert.deepEqual((jsonOf(result)['error'] as { details: unknown }).details, { found: 'ec', expected: 'rsa' });
      assert.ok((await readFile(out)).equals(bytes), 'the bundle is unchanged');
    });

    it('defect: the legacy signer\'s name printed across several lines; now one line (sign --legacy and inspect)', async () => {
      const { dir, src, out } = await source('legacy-name');
      assert.equal((await runCli(['pack', src, out])).status, 0);
      const key = join(dir, 'rsa.key');
      const cert = join(dir, 'rsa.pem');
      execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '30', '-subj', '/C=US/O=Example Org/CN=Example Publisher', '-addext', 'extendedKeyUsage=codeSigning'], { stdio: 'ignore' });
      const signed = await runCli(['sign', out, '--legacy', '--cert', cert, '--key', key]);
      assert.equal(signed.status, 0, signed.stderr);
      assert.match(signed.stdout, /^signer: +C=US, O=Example Org, CN=Example Publisher$/mu);
      const inspected = await runCli(['inspect', out, '--legacy-ca', cert]);
      assert.match(inspected.stdout, /^legacy block: +MCPB_SIG_V1 valid by C=US, O=Example Org, CN=Example Publisher \(self-signed\)$/mu);
      assert.doesNotMatch(signed.stdout + inspected.stdout, /\\u000a/u);
    });

    it('defect: sign silently overwrote an existing signature, even another key\'s; now IO_TARGET_EXISTS unless --force', async () => {
      const { src, out } = await source('overwrite');
      assert.equal((await runCli(['pack', src, out])).status, 0);
      assert.equal((await runCli(['sign', out, '--key', join(keys, 'a.key')])).status, 0);
      const sidecar = `${out}.sigstore.json`;
      const first = await readFile(sidecar);
      const again = await runCli(['sign', out, '--key', join(keys, 'b.key'), '--json']);
      assertCode(again, 2, 'IO_TARGET_EXISTS');
      assert.match(again.stderr, /--force/u);
      assert.equal((jsonOf(again)['error'] as { details: { path: string } }).details.path, sidecar);
      assert.ok((await readFile(sidecar)).equals(first), 'the first signature is untouched');
      assert.equal((await runCli(['verify', out, '--key', join(keys, 'a.pub')])).status, 0);
      // --out to an existing file is refused the same way.
      assertCode(await runCli(['sign', out, '--key', join(keys, 'b.key'), '--out', sidecar]), 2, 'IO_TARGET_EXISTS');
      const forced = await runCli(['sign', out, '--key', join(keys, 'b.key'), '--force']);
      assert.equal(forced.status, 0, forced.stderr);
      assert.equal((await runCli(['verify', out, '--key', join(keys, 'b.pub')])).status, 0);
      assert.equal((await runCli(['verify', out, '--key', join(keys, 'a.pub')])).status, 1);
    });

    it('defect: verify --key accepted a private key silently; now USAGE_KEY_NOT_PUBLIC, exit 2 (PKCS#8, SEC 1, PKCS#1, OpenSSH-style label)', async () => {
      const { dir, src, out } = await source('private');
      assert.equal((await runCli(['pack', src, out])).status, 0);
      assert.equal((await runCli(['sign', out, '--key', join(keys, 'a.key')])).status, 0);
      const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
      const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
      const variants: [string, string][] = [
        ['keygen.key', await readFile(join(keys, 'a.key'), 'utf8')],
        ['sec1.key', ec.export({ format: 'pem', type: 'sec1' }) as string],
        ['pkcs1.key', rsa.export({ format: 'pem', type: 'pkcs1' }) as string],
        ['label-only.key', '-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n'],
      ];
      for (const [name, pem] of variants) {
        await writeFile(join(dir, name), pem);
        for (const command of [['verify', out], ['unpack', out, join(dir, 'never')], ['verify-blob', out, '--bundle', `${out}.sigstore.json`]]) {
          const result = await runCli([...command, '--key', join(dir, name)]);
          assertCode(result, 2, 'USAGE_KEY_NOT_PUBLIC');
          assert.match(result.stderr, /PUBLIC key/u, name);
        }
      }
      assert.equal((await runCli(['verify', out, '--key', join(keys, 'a.pub')])).status, 0, 'the public key still verifies');
    });
  });

  describe('pack validates, and cleans up what it would orphan', () => {
    it('defect: pack never validated (no scopes, entry point excluded); now the hardened profile by default, --profile compat, or --no-validate with a warning', async () => {
      const { _meta: _ignored, ...noScopes } = HARDENED_MANIFEST;
      const { dir, src } = await source('no-scopes', { 'manifest.json': JSON.stringify(noScopes) });
      const refused = await runCli(['pack', src, join(dir, 'a.mcpb')]);
      assertCode(refused, 1, 'MANIFEST_INVALID');
      await assert.rejects(stat(join(dir, 'a.mcpb')), 'nothing is written');
      assert.equal((await runCli(['pack', src, join(dir, 'b.mcpb'), '--profile', 'compat'])).status, 0);
      for (const json of [[], ['--json']]) {
        const skipped = await runCli(['pack', src, join(dir, `c${json.length}.mcpb`), '--no-validate', ...json]);
        assert.equal(skipped.status, 0, skipped.stderr);
        assert.match(skipped.stderr, /^mcpseal: warning: packing WITHOUT validating the manifest/mu, 'the warning is on stderr, with or without --json');
      }
      assertCode(await runCli(['pack', src, join(dir, 'd.mcpb'), '--no-validate', '--profile', 'compat']), 2, 'USAGE_INVALID_ARGUMENT');

      // The entry point excluded by .mcpbignore: the manifest is checked against what is packed.
      const excluded = await source('entry-excluded', { '.mcpbignore': 'server/\n' });
      const entry = await runCli(['pack', excluded.src, excluded.out, '--json']);
      assertCode(entry, 1, 'MANIFEST_INVALID');
      const findings = ((jsonOf(entry)['error'] as { details: { findings: { pointer: string }[] } }).details.findings).map((finding) => finding.pointer);
      assert.ok(findings.includes('/server/entry_point'), JSON.stringify(findings));
    });

    it('defect: re-packing left a stale sidecar whose only symptom was a subject mismatch; now pack removes it and says so (and keeps it when the bytes are the same)', async () => {
      const { dir, src, out } = await source('stale');
      assert.equal((await runCli(['keygen', '--out-dir', dir, '--name', 'k'])).status, 0);
      assert.equal((await runCli(['pack', src, out])).status, 0);
      assert.equal((await runCli(['sign', out, '--key', join(dir, 'k.key')])).status, 0);
      // The same tree packs to the same bytes: the signature still names them, so it stays.
      const same = await runCli(['pack', src, out, '--json']);
      assert.equal(jsonOf(same)['removedSidecar'], null);
      assert.equal((await runCli(['verify', out, '--key', join(dir, 'k.pub')])).status, 0);
      await writeFile(join(src, 'server', 'index.js'), '// server, changed\n');
      const repacked = await runCli(['pack', src, out]);
      assert.equal(repacked.status, 0, repacked.stderr);
      assert.match(repacked.stdout, /^removed: +.*out\.mcpb\.sigstore\.json \(it signed the file this pack replaced; sign the new bundle\)$/mu);
      await assert.rejects(stat(`${out}.sigstore.json`));
      assertCode(await runCli(['verify', out, '--key', join(dir, 'k.pub')]), 1, 'SIGNATURE_ABSENT');
    });
  });

  describe('what pack leaves out', () => {
    it('defect: bundles were 1.3-1.9x mcpb pack\'s (types, source maps, .bin copies kept); now excluded like mcpb does, reported in --json', async () => {
      const { src, out, dir } = await source('dev-files', {
        'dist/index.js': '// code\n',
        'dist/index.d.ts': 'export {};\n',
        'dist/index.d.mts': 'export {};\n',
        'dist/index.js.map': '{}',
        'tsconfig.tsbuildinfo': '{}',
        'node_modules/dep/index.js': '// dep\n',
        'node_modules/dep/types.d.ts': 'export {};\n',
      });
      await mkdir(join(src, 'node_modules', '.bin'));
      await symlink('../dep/index.js', join(src, 'node_modules', '.bin', 'dep'));
      const packed = jsonOf(await runCli(['pack', src, out, '--json']));
      const excluded = (packed['excluded'] as { name: string; reason: string }[]).filter((file) => file.reason === 'development').map((file) => file.name).sort();
      assert.deepEqual(excluded, ['dist/index.d.mts', 'dist/index.d.ts', 'dist/index.js.map', 'node_modules/.bin/', 'node_modules/dep/types.d.ts', 'tsconfig.tsbuildinfo']);
      assert.equal(packed['entries'], 4, 'manifest.json, server/index.js, dist/index.js, node_modules/dep/index.js');
      // The official tool's list has each of these (where it is safe to follow it).
      const { EXCLUDE_PATTERNS } = (await import(join(ROOT, 'node_modules/@anthropic-ai/mcpb/dist/node/files.js'))) as { EXCLUDE_PATTERNS: string[] };
      for (const pattern of ['*.d.ts', '*.map', '*.tsbuildinfo', 'node_modules/.bin']) assert.ok(EXCLUDE_PATTERNS.includes(pattern), pattern);
      // .mcpbignore re-includes one.
      await writeFile(join(src, '.mcpbignore'), '!*.map\n');
      const again = jsonOf(await runCli(['pack', src, join(dir, 'again.mcpb'), '--json']));
      assert.equal(again['entries'], 5);
    });

    /** Fake credentials, assembled here so that no secret-shaped string sits in the repository. */
    function secrets(): [string, string, string][] {
      const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'pem', type: 'pkcs1' }) as string;
      const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
      const token = (prefix: string, length: number): string => prefix + 'aB3dE5fG7h'.repeat(10).slice(0, length);
      return [
        ['deploy_key', rsa, 'PEM private key'],
        ['config/ssh_host', `-----BEGIN OPENSSH PRIVATE KEY-----\n${'b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAAB'}\n-----END OPENSSH PRIVATE KEY-----\n`, 'PEM private key'],
        ['service-account.json', JSON.stringify({ type: 'service_account', project_id: 'p', private_key_id: 'x', private_key: ec, client_email: 'a@p.iam.gserviceaccount.com' }, null, 2), 'GCP service account key'],
        ['credentials.json', JSON.stringify({ installed: { client_id: 'id.apps.googleusercontent.com', client_secret: token('GOCSPX-', 28) } }), 'OAuth client secret'],
        ['settings.ini', `[default]\naws_access_key_id = ${token('AKIA', 16).toUpperCase()}\naws_secret_access_key = ${token('', 40)}\n`, 'AWS'],
        ['lib/config.js', `export const id = '${'AKIA'}${'Q3EGRIUDIJ7XP2MZ'}';\n`, 'AWS access key ID'],
        ['notes.txt', `token: ${token('ghp_', 36)}\n`, 'GitHub token'],
        ['pat.txt', `${token('github_pat_', 82)}\n`, 'GitHub token'],
        ['slack.yml', `hook: ${'xox'}b-123456789012-${token('', 24)}\n`, 'Slack token'],
        ['publish.cfg', `//registry.npmjs.org/:_authToken=${token('npm_', 36)}\n`, 'npm access token'],
        ['db/passfile', 'localhost:5432:appdb:app:s3cret\n*:*:*:reader:other\n', 'PostgreSQL password file'],
      ];
    }

    it('defect: secrets were detected by file name only (deploy_key with a PEM key, credentials.json, service-account.json, .pgpass); now by content: ARCHIVE_SOURCE_SECRET names the file and the kind, never the secret', async () => {
      for (const [name, content, kind] of secrets()) {
        const { src, out } = await source('secret', { [name]: content });
        const result = await runCli(['pack', src, out, '--json']);
        assertCode(result, 1, 'ARCHIVE_SOURCE_SECRET');
        const details = (jsonOf(result)['error'] as { details: { files: { name: string; kind: string; line: number }[] } }).details;
        assert.equal(details.files.length, 1, name);
        assert.equal(details.files[0]!.name, name);
        assert.ok(details.files[0]!.kind.startsWith(kind), `${name}: ${details.files[0]!.kind}`);
        // The secret itself appears nowhere in what mcpseal prints.
        const secretLine = content.split('\n').find((line) => line.length > 20 && !line.startsWith('-----')) ?? content;
        assert.ok(!result.stdout.includes(secretLine.trim()) && !result.stderr.includes(secretLine.trim()), `${name}: the secret is echoed`);
        await assert.rejects(stat(out), 'nothing is written');
      }
      // A .pgpass by name is a secret pattern too (excluded, not refused).
      const named = await source('pgpass-name', { '.pgpass': 'h:5432:d:u:p\n' });
      const packed = jsonOf(await runCli(['pack', named.src, named.out, '--json']));
      assert.deepEqual((packed['excluded'] as { name: string; reason: string }[]).map((file) => [file.name, file.reason]), [['.pgpass', 'secret']]);
    });

    it('defect (secret detection): a false positive is packed with --allow-secret-file NAME or left out with .mcpbignore; key-handling code and documented example keys are not secrets', async () => {
      const [[name, content]] = secrets() as [[string, string, string]];
      const { src, dir } = await source('allow', { [name]: content });
      const allowed = await runCli(['pack', src, join(dir, 'a.mcpb'), '--allow-secret-file', name, '--json']);
      assert.equal(allowed.status, 0, allowed.stderr);
      assert.equal(jsonOf(allowed)['entries'], 3);
      await writeFile(join(src, '.mcpbignore'), `${name}\n`);
      const ignored = await runCli(['pack', src, join(dir, 'b.mcpb'), '--json']);
      assert.equal(ignored.status, 0, ignored.stderr);
      assert.equal(jsonOf(ignored)['entries'], 2);

      const benign = await source('benign', {
        'lib/pem.js': "const header = '-----BEGIN PRIVATE KEY-----\\n' + body + '\\n-----END PRIVATE KEY-----';\n",
        'docs/aws.md': 'Example: AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\n',
        'lib/slack.js': "if (token.startsWith('xoxb-')) use(token);\n",
        'lib/time.txt': '12:30:45:00:99\n',
      });
      const clean = await runCli(['pack', benign.src, benign.out]);
      assert.equal(clean.status, 0, clean.stderr);
    });

    it('defect (secret detection) is bounded: only the first 1 MiB of a file is read', async () => {
      const [[, content]] = secrets() as [[string, string, string]];
      const { src, out } = await source('bounded', { 'big.bin': Buffer.concat([Buffer.alloc(1024 * 1024, 0x20), Buffer.from(content)]) });
      assert.equal((await runCli(['pack', src, out])).status, 0);
    });

    it('defect: a pnpm node_modules (symlinks into .pnpm) packed 3.7x larger and the server no longer started; now ARCHIVE_SOURCE_PNPM_LAYOUT with the fix', async () => {
      const { src, out } = await source('pnpm', {
        'node_modules/.pnpm/dep@1.0.0/node_modules/dep/index.js': '// dep\n',
        'node_modules/.pnpm/@scope+lib@2.0.0/node_modules/@scope/lib/index.js': '// lib\n',
      });
      await symlink('.pnpm/dep@1.0.0/node_modules/dep', join(src, 'node_modules', 'dep'));
      const result = await runCli(['pack', src, out, '--json']);
      assertCode(result, 1, 'ARCHIVE_SOURCE_PNPM_LAYOUT');
      assert.match(result.stderr, /pnpm install --prod --node-linker=hoisted/u);
      assert.match(result.stderr, /pnpm deploy/u);
      assert.deepEqual((jsonOf(result)['error'] as { details: { found: string[] } }).details.found, ['dep']);
      // A scoped link alone is found too.
      await (await import('node:fs/promises')).rm(join(src, 'node_modules', 'dep'));
      await mkdir(join(src, 'node_modules', '@scope'));
      await symlink('../.pnpm/@scope+lib@2.0.0/node_modules/@scope/lib', join(src, 'node_modules', '@scope', 'lib'));
      assertCode(await runCli(['pack', src, out]), 1, 'ARCHIVE_SOURCE_PNPM_LAYOUT');
      // The hoisted layout (real directories, no links into .pnpm) packs.
      const hoisted = await source('hoisted', { 'node_modules/dep/index.js': '// dep\n', 'node_modules/.modules.yaml': 'nodeLinker: hoisted\n' });
      assert.equal((await runCli(['pack', hoisted.src, hoisted.out])).status, 0);
    });
  });

  describe('installing and consuming mcpseal', () => {
    it('defect: a fresh clone after npm ci had no dist/, and bin/mcpseal.js died with a module-not-found trace; now one line: run npm run build (USAGE_NOT_BUILT)', async () => {
      const checkout = await fresh('unbuilt');
      await mkdir(join(checkout, 'bin'));
      await copyFile(join(ROOT, 'bin', 'mcpseal.js'), join(checkout, 'bin', 'mcpseal.js'));
      await copyFile(join(ROOT, 'bin', 'node-check.js'), join(checkout, 'bin', 'node-check.js')); // the launcher's runtime rule (issue 14 item 7)
      await writeFile(join(checkout, 'package.json'), JSON.stringify({ type: 'module' }));
      for (const json of [[], ['--json']]) {
        const run = spawnSync(process.execPath, [join(checkout, 'bin', 'mcpseal.js'), 'inspect', 'x.mcpb', ...json], { encoding: 'utf8' });
        assert.equal(run.status, 2);
        assert.equal(run.stderr.trim().split('\n').length, 1, run.stderr);
        assert.match(run.stderr, /^mcpseal: USAGE_NOT_BUILT: mcpseal is not built .*run "npm run build"/u);
        if (json.length) assert.equal((JSON.parse(run.stdout) as { error: { code: string } }).error.code, 'USAGE_NOT_BUILT');
      }
      // npm ci (and npm install from a checkout or a git URL) runs prepare: it builds dist/.
      const pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
      assert.equal(pkg.scripts['prepare'], 'npm run build');
    });

    it('defect: TS7016 for TypeScript users with skipLibCheck false; now a consumer with only mcpseal\'s dependencies compiles against dist/index.d.ts', async () => {
      const consumer = await fresh('consumer');
      const pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { devDependencies: Record<string, string>; dependencies: Record<string, string> };
      // The consumer's node_modules: mcpseal (its package.json and dist/) and what npm installs
      // for it, never mcpseal's devDependencies (the consumer brings its own @types/node).
      const dev = new Set(Object.keys(pkg.devDependencies).filter((name) => name !== '@types/node'));
      const modules = join(consumer, 'node_modules');
      await mkdir(join(modules, '@types'), { recursive: true });
      for (const entry of await readdir(join(ROOT, 'node_modules'))) {
        if (entry.startsWith('.') || entry === '@types' || dev.has(entry)) continue;
        await symlink(join(ROOT, 'node_modules', entry), join(modules, entry));
      }
      for (const entry of await readdir(join(ROOT, 'node_modules', '@types'))) {
        if (!dev.has(`@types/${entry}`)) await symlink(join(ROOT, 'node_modules', '@types', entry), join(modules, '@types', entry));
      }
      await mkdir(join(modules, 'mcpseal'));
      await copyFile(join(ROOT, 'package.json'), join(modules, 'mcpseal', 'package.json'));
      // A copy, not a link: the compiler follows links to their real place, where every devDependency is.
      await cp(join(ROOT, 'dist'), join(modules, 'mcpseal', 'dist'), { recursive: true });
      await writeFile(join(consumer, 'package.json'), JSON.stringify({ type: 'module' }));
      await writeFile(
        join(consumer, 'tsconfig.json'),
        JSON.stringify({ compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', target: 'es2023', strict: true, skipLibCheck: false, noEmit: true, types: ['node'] }, files: ['consumer.ts'] }),
      );
      await writeFile(
        join(consumer, 'consumer.ts'),
        [
          "import { verifyBundle, signBundle, signLegacy, verifyLegacySignature, type BundleVerification, type SigningMethod } from 'mcpseal';",
          'export const api = { verifyBundle, signBundle, signLegacy, verifyLegacySignature };',
          "export const method: SigningMethod = { kind: 'key', privateKeyPem: '' };",
          'export type Verified = BundleVerification;',
        ].join('\n'),
      );
      const tsc = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc6'), '-p', consumer], { encoding: 'utf8' });
      assert.equal(tsc.status, 0, tsc.stdout + tsc.stderr);
    });
  });
});
