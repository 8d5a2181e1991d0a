// The CLI contract (DESIGN.md "CLI contract"): --help and --json everywhere, exit 0/1/2, one
// clear stderr line with the code on rejection, all through the real binary.

import assert from 'node:assert/strict';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ROOT, jsonOf, listTree, runCli, runMain, tempDir } from './helpers/cli.ts';
import { writeTree } from './helpers/tree.ts';

const EXAMPLE = join(ROOT, 'examples', 'hello-bundle');

describe('cli', function () {
  this.timeout(60_000);
  let tmp: { path: string; cleanup: () => Promise<void> };
  let bundle: string;

  before(async () => {
    tmp = await tempDir();
    bundle = join(tmp.path, 'hello.mcpb');
    const packed = await runCli(['pack', EXAMPLE, bundle]);
    assert.equal(packed.status, 0, packed.stderr);
  });
  after(() => tmp.cleanup());

  for (const command of ['pack', 'validate', 'inspect', 'sign', 'verify', 'unpack', 'verify-blob', 'keygen', 'scopes']) {
    it(`${command} --help prints usage and exits 0 (in process; every command has real-process tests below or in its own file)`, async () => {
      const result = await runMain([command, '--help']);
      assert.equal(result.status, 0);
      assert.match(result.stdout, new RegExp(`^Usage: mcpseal ${command} `, 'u'));
      assert.match(result.stdout, /Exit status: 0/u);
    });
  }

  it('--help lists the commands; no command is a usage error', async () => {
    const help = await runCli(['--help']);
    assert.equal(help.status, 0);
    for (const command of ['pack', 'validate', 'inspect', 'sign', 'verify', 'unpack', 'verify-blob', 'keygen', 'scopes']) assert.match(help.stdout, new RegExp(`^  ${command} `, 'mu'));
    const none = await runCli([]);
    assert.equal(none.status, 2);
  });

  it('--version prints the package version', async () => {
    const { version } = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    const result = await runCli(['--version']);
    assert.equal(result.status, 0);
    assert.equal(result.stdout.trim(), `mcpseal ${version}`);
  });

  it('usage errors exit 2 with a USAGE_ code', async () => {
    // One through the real binary; the parsing cases in process (the same main()).
    const real = await runCli(['frobnicate', '--json']);
    assert.equal(real.status, 2, real.stderr);
    assert.match(real.stderr, /^mcpseal: USAGE_UNKNOWN_COMMAND: /u);
    assert.equal((jsonOf(real)['error'] as Record<string, unknown>)['code'], 'USAGE_UNKNOWN_COMMAND');
    const cases: [string[], string][] = [
      [['inspect'], 'USAGE_MISSING_ARGUMENT'],
      // (Two paths are a batch since issue 14 item 3; a bad batch flag is the usage error.)
      [['inspect', 'a.mcpb', 'extra', '--jobs', 'many'], 'USAGE_INVALID_ARGUMENT'],
      [['inspect', 'a.mcpb', '--no-such-flag'], 'USAGE_INVALID_ARGUMENT'],
      [['inspect', 'a.mcpb', '--max-entry-size', 'lots'], 'USAGE_INVALID_ARGUMENT'],
      [['pack', EXAMPLE, 'x.mcpb', '--level', '12'], 'USAGE_INVALID_ARGUMENT'],
    ];
    for (const [args, code] of cases) {
      const result = await runMain([...args, '--json']);
      assert.equal(result.status, 2, `${args.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, new RegExp(`^mcpseal: ${code}: `, 'u'));
      assert.equal((jsonOf(result)['error'] as Record<string, unknown>)['code'], code);
    }
  });

  it('a missing input is an I/O error, exit 2', async () => {
    const result = await runCli(['inspect', join(tmp.path, 'nope.mcpb')]);
    assert.equal(result.status, 2);
    assert.match(result.stderr, /^mcpseal: IO_NOT_FOUND: /u);
    assert.equal(result.stdout, '');
  });

  it('inspect prints the manifest summary, the exact command line and the digest', async () => {
    const text = await runCli(['inspect', bundle]);
    assert.equal(text.status, 0, text.stderr);
    assert.match(text.stdout, /^name: +hello-mcpseal/mu);
    assert.match(text.stdout, /^command line: +node \$\{__dirname\}\/server\/index\.js --root=\$\{user_config\.notes_directory\}$/mu);
    assert.match(text.stdout, /^sha256: +[0-9a-f]{64}$/mu);
    assert.match(text.stdout, /^sigstore: +none$/mu);

    const json = await runCli(['inspect', bundle, '--json', '--check-data']);
    assert.equal(json.status, 0);
    const report = jsonOf(json);
    assert.equal(report['ok'], true);
    assert.equal(report['dataChecked'], true);
    assert.deepEqual((report['manifest'] as Record<string, unknown>)['commandLine'], [
      'node',
      '${__dirname}/server/index.js',
      '--root=${user_config.notes_directory}',
    ]);
    const entries = report['entries'] as Record<string, number>;
    const sourceBytes = (await stat(join(EXAMPLE, 'manifest.json'))).size + (await stat(join(EXAMPLE, 'server/index.js'))).size;
    assert.deepEqual([entries['count'], entries['files'], entries['directories'], entries['totalSize']], [2, 2, 0, sourceBytes]);
    assert.equal(json.stderr, '', 'nothing but the JSON document on stdout and nothing on stderr');
  });

  it('inspect reports a sidecar Sigstore bundle and an appended MCPB_SIG_V1 block', async () => {
    const signed = join(tmp.path, 'signed.mcpb');
    // A ContentInfo holding only the signedData OID: the reader frames it (issue 9 finding 1), lib/legacy finds no SignedData.
    const der = Buffer.from('300b06092a864886f70d010702', 'hex');
    const length = Buffer.alloc(4);
    length.writeUInt32LE(der.length);
    await writeFile(signed, Buffer.concat([await readFile(bundle), Buffer.from('MCPB_SIG_V1'), length, der, Buffer.from('MCPB_SIG_END')]));
    await writeFile(`${signed}.sigstore.json`, '{}');
    const report = jsonOf(await runCli(['inspect', signed, '--json']));
    const signatures = report['signatures'] as { sigstoreBundle: string; legacyBlock: unknown; legacy: { status: string; code: string } };
    assert.equal(signatures.sigstoreBundle, `${signed}.sigstore.json`);
    assert.deepEqual(signatures.legacyBlock, { kind: 'MCPB_SIG_V1', length: 11 + 4 + der.length + 12 });
    // The block frames correctly but holds no SignedData: reported as invalid, never as signed.
    assert.deepEqual([signatures.legacy.status, signatures.legacy.code], ['invalid', 'LEGACY_MALFORMED']);
  });

  it('unpack refuses an unsigned bundle without --allow-unsigned, exit 1, nothing written', async () => {
    const out = join(tmp.path, 'refused');
    const result = await runCli(['unpack', bundle, out, '--json']);
    assert.equal(result.status, 1);
    assert.match(result.stderr, /^mcpseal: SIGNATURE_ABSENT: /u);
    assert.equal((jsonOf(result)['error'] as Record<string, unknown>)['code'], 'SIGNATURE_ABSENT');
    assert.ok(!(await listTree(tmp.path)).some((name) => name.startsWith('refused') || name.startsWith('.refused')));
  });

  it('unpack --allow-unsigned extracts into an absent or empty directory, and refuses a non-empty one', async () => {
    const empty = join(tmp.path, 'empty');
    await mkdir(empty);
    const ok = await runCli(['unpack', bundle, empty, '--allow-unsigned', '--json']);
    assert.equal(ok.status, 0, ok.stderr);
    const result = jsonOf(ok);
    assert.equal(result['files'], 2);
    assert.deepEqual(await listTree(empty), ['manifest.json', 'server/', 'server/index.js']);

    const again = await runCli(['unpack', bundle, empty, '--allow-unsigned']);
    assert.equal(again.status, 2);
    assert.match(again.stderr, /^mcpseal: IO_TARGET_NOT_EMPTY: /u);
    assert.deepEqual(await listTree(empty), ['manifest.json', 'server/', 'server/index.js'], 'the existing tree is untouched');
  });

  it('pack reports excluded secrets on stderr but keeps stdout to the digest', async () => {
    const src = join(tmp.path, 'with-secret');
    await writeTree(src, { 'server/index.js': '1', '.env': 'TOKEN=x' });
    const result = await runCli(['pack', src, join(tmp.path, 'with-secret.mcpb')]);
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /^[0-9a-f]{64} {2}\S+with-secret\.mcpb$/mu);
    assert.match(result.stderr, /excluded \.env \(looks like a secret/u);
  });

  it('limits can be set from the command line', async () => {
    const result = await runCli(['inspect', bundle, '--max-entries', '1']);
    assert.equal(result.status, 1);
    assert.match(result.stderr, /^mcpseal: ARCHIVE_TOO_MANY_ENTRIES: /u);
  });

  it('validate: the example passes (text and --json) from a directory, a manifest and a bundle', async () => {
    for (const target of [EXAMPLE, join(EXAMPLE, 'manifest.json'), bundle]) {
      const text = await runCli(['validate', target]);
      assert.equal(text.status, 0, text.stderr);
      assert.match(text.stdout, /^valid: .*\(hardened profile, manifest 0\.3, 0 errors, 0 warnings\)$/mu);
      const json = jsonOf(await runMain(['validate', target, '--json']));
      assert.equal(json['ok'], true);
      assert.equal(json['valid'], true);
      assert.deepEqual(json['findings'], []);
    }
  });

  it('validate: a hostile manifest is listed finding by finding and exits 1 with MANIFEST_INVALID', async () => {
    const manifest = JSON.parse(await readFile(join(EXAMPLE, 'manifest.json'), 'utf8')) as Record<string, any>;
    manifest['server']['mcp_config']['command'] = 'bash';
    manifest['homepage'] = 'javascript:alert(1)';
    const path = join(tmp.path, 'hostile.json');
    await writeFile(path, JSON.stringify(manifest));
    const text = await runCli(['validate', path]);
    assert.equal(text.status, 1);
    assert.match(text.stdout, /^error {3}MANIFEST_SHELL_COMMAND \/server\/mcp_config\/command: /mu);
    assert.match(text.stdout, /^error {3}MANIFEST_URL_NOT_HTTPS \/homepage: /mu);
    assert.match(text.stderr, /^mcpseal: MANIFEST_INVALID: /u);
    const json = await runCli(['validate', path, '--json']);
    assert.equal(json.status, 1);
    const report = jsonOf(json);
    assert.equal(report['ok'], false);
    assert.equal((report['error'] as Record<string, unknown>)['code'], 'MANIFEST_INVALID');
    const codes = (report['findings'] as { code: string }[]).map((finding) => finding.code);
    assert.ok(codes.includes('MANIFEST_SHELL_COMMAND') && codes.includes('MANIFEST_URL_NOT_HTTPS'), codes.join(','));
    // The compat profile is the official schema only: the same manifest passes it.
    assert.equal((await runCli(['validate', path, '--profile', 'compat'])).status, 0);
  });

  it('scopes suggest drafts a block that, pasted in, passes the hardened profile', async () => {
    const manifest = JSON.parse(await readFile(join(EXAMPLE, 'manifest.json'), 'utf8')) as Record<string, any>;
    delete manifest['_meta'];
    const path = join(tmp.path, 'no-scopes.json');
    await writeFile(path, JSON.stringify(manifest));
    assert.equal((await runCli(['validate', path])).status, 1);
    const text = await runCli(['scopes', 'suggest', path]);
    assert.equal(text.status, 0, text.stderr);
    const block = JSON.parse(text.stdout) as Record<string, unknown>;
    const json = jsonOf(await runCli(['scopes', 'suggest', path, '--json']));
    assert.deepEqual(json['manifestBlock'], block);
    await writeFile(path, JSON.stringify({ ...manifest, ...block }));
    const again = await runCli(['validate', path]);
    assert.equal(again.status, 0, again.stdout);
  });

  it('keygen writes a 0600 private key, never over an existing one', async () => {
    const dir = join(tmp.path, 'keys');
    await mkdir(dir);
    const first = await runCli(['keygen', '--out-dir', dir, '--name', 'k', '--json']);
    assert.equal(first.status, 0, first.stderr);
    assert.equal((await stat(join(dir, 'k.key'))).mode & 0o777, 0o600);
    assert.match(await readFile(join(dir, 'k.pub'), 'utf8'), /^-----BEGIN PUBLIC KEY-----/u);
    const again = await runCli(['keygen', '--out-dir', dir, '--name', 'k']);
    assert.equal(again.status, 2);
    assert.match(again.stderr, /^mcpseal: IO_TARGET_EXISTS: /u);
  });
});
