// Issue 10 item 5: the installer sees what it approves. `inspect` and `verify` show what the
// server can touch (its declared scopes) and the user_config options, as a short table in text
// and as the full objects in --json, through the CLI's escaping (the block is untrusted data).

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { reviewManifest } from '../lib/report/review.ts';
import { jsonOf, runCli, tempDir } from './helpers/cli.ts';
import { HARDENED_MANIFEST } from './helpers/manifest.ts';
import { writeTree } from './helpers/tree.ts';

const SCOPES = {
  filesystem: { read: ['${__dirname}', '${user_config.notes}'], write: ['${user_config.notes}'] },
  network: { egress: [{ host: 'api.example.com', ports: [443] }, { host: '127.0.0.1', ports: [5432, 5433] }], listen: false },
  process: { spawn: ['git'], workers: true, native_addons: false },
  env: { read: ['EXAMPLE_TOKEN', 'LOG_LEVEL'], secrets: ['EXAMPLE_TOKEN'] },
};

const USER_CONFIG = {
  notes: { type: 'directory', title: 'Notes', description: 'where notes live', required: true, default: '${DOCUMENTS}/notes' },
  token: { type: 'string', title: 'Token', description: 'the API token', sensitive: true, required: false },
  verbose: { type: 'boolean', title: 'Verbose', description: 'log more', default: false },
};

/** A manifest with `scopes` (undefined: no scopes block) and `user_config` (null: none). */
function manifestWith(scopes: unknown, userConfig: unknown = USER_CONFIG): Record<string, unknown> {
  const { _meta: _ignored, ...rest } = HARDENED_MANIFEST;
  return {
    ...rest,
    server: {
      ...HARDENED_MANIFEST.server,
      mcp_config: { ...HARDENED_MANIFEST.server.mcp_config, args: ['${__dirname}/server/index.js', '${user_config.notes}'], env: { EXAMPLE_TOKEN: '${user_config.token}', LOG_LEVEL: 'info' } },
    },
    ...(userConfig === null ? {} : { user_config: userConfig }),
    ...(scopes === undefined ? {} : { _meta: { 'dev.mcpseal': { scopes } } }),
  };
}

describe('item 5: visible review in inspect and verify', function () {
  this.timeout(60_000);
  let tmp: { path: string; cleanup: () => Promise<void> };

  before(async () => {
    tmp = await tempDir('mcpseal-review-');
  });
  after(() => tmp.cleanup());

  /** Packs a tree holding `manifest` (unvalidated when `validate` is false) and returns the bundle path. */
  async function bundleOf(name: string, manifest: Record<string, unknown>, validate = true): Promise<string> {
    const src = join(tmp.path, name);
    await writeTree(src, { 'manifest.json': JSON.stringify(manifest), 'server/index.js': '// server\n' });
    const out = join(tmp.path, `${name}.mcpb`);
    const packed = await runCli(['pack', src, out, ...(validate ? [] : ['--no-validate'])]);
    assert.equal(packed.status, 0, packed.stderr);
    return out;
  }

  it('item 5: inspect prints a table of what the server can touch and the user_config options; --json has the full objects', async () => {
    const bundle = await bundleOf('full', manifestWith(SCOPES));
    const text = await runCli(['inspect', bundle]);
    assert.equal(text.status, 0, text.stderr);
    const rows = [
      /^can touch:$/mu,
      /^ {2}filesystem read +\$\{__dirname\}, \$\{user_config\.notes\}$/mu,
      /^ {2}filesystem write +\$\{user_config\.notes\}$/mu,
      /^ {2}network egress +api\.example\.com:443, 127\.0\.0\.1:5432,5433$/mu,
      /^ {2}listen +no$/mu,
      /^ {2}spawn +git$/mu,
      /^ {2}workers +yes$/mu,
      /^ {2}native addons +no$/mu,
      /^ {2}env read +EXAMPLE_TOKEN, LOG_LEVEL$/mu,
      /^ {2}env secrets +EXAMPLE_TOKEN$/mu,
      /^user_config:$/mu,
      /^ {2}notes +directory +required; default: \$\{DOCUMENTS\}\/notes$/mu,
      /^ {2}token +string +optional, sensitive$/mu,
      /^ {2}verbose +boolean +optional; default: false$/mu,
    ];
    for (const row of rows) assert.match(text.stdout, row);
    // Rows this manifest does not declare (the optional v2 keys) are not invented.
    assert.doesNotMatch(text.stdout, /MCP roots|working directory|user-driven/u);

    const json = jsonOf(await runCli(['inspect', bundle, '--json']));
    const manifest = json['manifest'] as Record<string, unknown>;
    assert.deepEqual(manifest['scopes'], SCOPES);
    assert.deepEqual(manifest['userConfig'], USER_CONFIG);
    const review = json['review'] as { scopesDeclared: boolean; touches: { area: string; grant: string }[]; userConfig: { key: string; sensitive: boolean }[] };
    assert.equal(review.scopesDeclared, true);
    assert.deepEqual(review.touches.find((row) => row.area === 'network egress'), { area: 'network egress', grant: 'api.example.com:443, 127.0.0.1:5432,5433' });
    assert.deepEqual(review.userConfig.map((row) => [row.key, row.sensitive]), [['notes', false], ['token', true], ['verbose', false]]);
  });

  it('item 5: verify shows the same review after the signature checks', async () => {
    const bundle = await bundleOf('signed', manifestWith(SCOPES));
    assert.equal((await runCli(['keygen', '--out-dir', tmp.path, '--name', 'review'])).status, 0);
    assert.equal((await runCli(['sign', bundle, '--key', join(tmp.path, 'review.key')])).status, 0);
    const text = await runCli(['verify', bundle, '--key', join(tmp.path, 'review.pub')]);
    assert.equal(text.status, 0, text.stderr);
    assert.match(text.stdout, /^ {2}network egress +api\.example\.com:443, 127\.0\.0\.1:5432,5433$/mu);
    assert.match(text.stdout, /^ {2}token +string +optional, sensitive$/mu);
    const json = jsonOf(await runCli(['verify', bundle, '--key', join(tmp.path, 'review.pub'), '--json']));
    assert.deepEqual((json['manifest'] as Record<string, unknown>)['scopes'], SCOPES);
    assert.deepEqual((json['manifest'] as Record<string, unknown>)['userConfig'], USER_CONFIG);
    assert.equal((json['review'] as { scopesDeclared: boolean }).scopesDeclared, true);
  });

  it('item 5: the scope-model v2 keys (filesystem.roots, filesystem.cwd, network.userDriven) are shown when present', async () => {
    const scopes = {
      ...SCOPES,
      filesystem: { ...SCOPES.filesystem, roots: 'write', cwd: 'read' },
      network: { ...SCOPES.network, userDriven: { reason: 'fetches any URL the user asks for', ports: [443, 80] } },
    };
    // Unvalidated: this test must not depend on when the schema learns the keys.
    const bundle = await bundleOf('v2', manifestWith(scopes), false);
    const text = await runCli(['inspect', bundle]);
    assert.equal(text.status, 0, text.stderr);
    assert.match(text.stdout, /^ {2}MCP roots +write \(directories the client grants at run time\)$/mu);
    assert.match(text.stdout, /^ {2}working directory +read \(the directory the host starts the server in\)$/mu);
    assert.match(text.stdout, /^ {2}user-driven egress +any host the user picks, ports 443,80; reason: fetches any URL the user asks for$/mu);
    assert.deepEqual(((jsonOf(await runCli(['inspect', bundle, '--json']))['manifest']) as Record<string, unknown>)['scopes'], scopes);
  });

  it('item 5: a bundle without scopes says so, and without user_config says none', async () => {
    const bundle = await bundleOf('bare', manifestWith(undefined, null), false);
    const text = await runCli(['inspect', bundle]);
    assert.equal(text.status, 0, text.stderr);
    assert.match(text.stdout, /^can touch: +not declared /mu);
    assert.match(text.stdout, /^user_config: +none$/mu);
    const json = jsonOf(await runCli(['inspect', bundle, '--json']));
    assert.equal((json['manifest'] as Record<string, unknown>)['scopes'], null);
    assert.equal((json['review'] as { scopesDeclared: boolean }).scopesDeclared, false);
  });

  it('item 5: the scopes block is untrusted: terminal escapes and bidi controls in it are printed escaped', async () => {
    const hostile = {
      ...SCOPES,
      filesystem: { read: ['/srv/\u001b[2J\u001b]52;c;ZXZpbA==\u0007data'], write: ['/tmp/\u202eevil'] },
      env: { read: ['A\nB'], secrets: [] },
    };
    const bundle = await bundleOf('hostile', manifestWith(hostile, { 'k\u001b[31m': { type: 'string', title: 'x', description: 'y', default: '\u009b2J' } }), false);
    const text = await runCli(['inspect', bundle]);
    assert.equal(text.status, 0, text.stderr);
    assert.doesNotMatch(text.stdout, /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202e]/u, 'no raw control or bidi character reaches the terminal');
    assert.match(text.stdout, /filesystem read +\/srv\/\\u001b\[2J\\u001b\]52;c;ZXZpbA==\\u0007data$/mu);
    assert.match(text.stdout, /filesystem write +\/tmp\/\\u202eevil$/mu);
    assert.match(text.stdout, /env read +A\\u000aB$/mu);
    assert.match(text.stdout, /^ {2}k\\u001b\[31m +string +optional; default: \\u009b2J$/mu);
  });

  it('item 5: reviewManifest shows any shape without throwing: malformed values and unknown keys are listed, long values cut', () => {
    const review = reviewManifest(
      { filesystem: { read: 'everything', write: [] }, network: { egress: [{ host: 7 }], listen: 'yes' }, gpu: { cuda: true }, env: { read: ['A'], secrets: [], extra: 1 } },
      { a: 'not an object', b: { type: 'string', default: 'x'.repeat(1000) } },
    );
    const grant = (area: string): string | undefined => review.touches.find((row) => row.area === area)?.grant;
    assert.equal(grant('filesystem read'), '(unexpected: "everything")');
    assert.equal(grant('network egress'), '{"host":7}');
    assert.equal(grant('listen'), '(unexpected: "yes")');
    assert.equal(grant('spawn'), 'not declared');
    assert.equal(grant('gpu'), '{"cuda":true}');
    assert.equal(grant('env.extra'), '1');
    assert.equal(review.userConfig[0]!.type, '(unexpected: "not an object")');
    assert.ok(review.userConfig[1]!.default!.length < 400 && review.userConfig[1]!.default!.endsWith('(700 more characters)'));
    assert.deepEqual(reviewManifest('nonsense', null), { scopesDeclared: true, touches: [{ area: 'scopes', grant: '(unexpected: "nonsense")' }], userConfig: [] });
  });
});
