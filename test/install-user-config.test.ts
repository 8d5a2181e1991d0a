// `install --user-config KEY=VALUE` against the manifest's user_config (issue 11 item 3): a table
// of answers, each with the exit status and code it must produce and what the lock records.

import assert from 'node:assert/strict';
import { mkdir, readFile, realpath, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'mocha';
import { readLock } from '../lib/index.ts';
import { jsonOf, pool, runCli, tempDir } from './helpers/cli.ts';
import { makeSigner, signedBundle } from './helpers/install.ts';

const USER_CONFIG = {
  dir: { type: 'directory', title: 'Notes', description: 'where notes live', required: true },
  count: { type: 'number', title: 'Count', description: 'how many', min: 1, max: 10, default: 3 },
  flag: { type: 'boolean', title: 'Flag', description: 'a switch', default: false },
  token: { type: 'string', title: 'Token', description: 'API token', sensitive: true },
  label: { type: 'string', title: 'Label', description: 'a label' },
  files: { type: 'file', title: 'Files', description: 'input files', multiple: true },
};

describe('install --user-config', function () {
  this.timeout(120_000);
  let tmp: { path: string; cleanup: () => Promise<void> };
  let bundle: string;
  let publicKey: string;
  let home: string;

  before(async () => {
    tmp = await tempDir('mcpseal-install-config-');
    home = join(tmp.path, 'home');
    await mkdir(join(home, 'notes'), { recursive: true });
    await writeFile(join(home, 'a.txt'), 'a');
    await writeFile(join(home, 'b.txt'), 'b');
    const signer = await makeSigner(tmp.path);
    publicKey = signer.publicKeyPath;
    bundle = await signedBundle(tmp.path, signer, {
      name: 'configured',
      userConfig: USER_CONFIG,
      args: ['${__dirname}/server/index.js', '${user_config.dir}', '${user_config.files}'],
      env: { TOKEN: '${user_config.token}', COUNT: '${user_config.count}' },
      scopes: {
        filesystem: { read: ['${__dirname}', '${user_config.dir}', '${user_config.files}'], write: [] },
        env: { read: ['COUNT', 'TOKEN'], secrets: ['TOKEN'] },
      },
    });
  });
  after(() => tmp.cleanup());

  const cases: { title: string; args: string[]; status: number; code?: string; recorded?: (real: (path: string) => string) => Record<string, unknown> }[] = [
    {
      title: 'the required directory alone: defaults for the rest, no value for options without one',
      args: ['dir=${HOME}/notes'],
      status: 0,
      recorded: (real) => ({ dir: { value: real('notes') }, count: { value: 3 }, flag: { value: false } }),
    },
    {
      title: 'every type given; the sensitive one as env:NAME; a multiple file option twice; ~ expanded',
      args: ['dir=~/notes', 'count=7', 'flag=true', 'token=env:NOTES_TOKEN', 'label=hello', 'files=${HOME}/a.txt', 'files=~/b.txt'],
      status: 0,
      recorded: (real) => ({
        dir: { value: real('notes') },
        count: { value: 7 },
        flag: { value: true },
        token: { env: 'NOTES_TOKEN' },
        label: { value: 'hello' },
        files: { value: [real('a.txt'), real('b.txt')] },
      }),
    },
    { title: 'a required option missing', args: ['count=2'], status: 2, code: 'INSTALL_USER_CONFIG' },
    { title: 'an unknown key', args: ['dir=~/notes', 'colour=red'], status: 2, code: 'INSTALL_USER_CONFIG' },
    { title: 'no = sign', args: ['dir'], status: 2, code: 'INSTALL_USER_CONFIG' },
    { title: 'a number below min', args: ['dir=~/notes', 'count=0'], status: 2, code: 'INSTALL_USER_CONFIG' },
    { title: 'a number above max', args: ['dir=~/notes', 'count=11'], status: 2, code: 'INSTALL_USER_CONFIG' },
    { title: 'a number that is not one', args: ['dir=~/notes', 'count=seven'], status: 2, code: 'INSTALL_USER_CONFIG' },
    { title: 'a boolean that is not true/false', args: ['dir=~/notes', 'flag=yes'], status: 2, code: 'INSTALL_USER_CONFIG' },
    { title: 'a sensitive option given a literal value (never written to the lock)', args: ['dir=~/notes', 'token=s3cr3t'], status: 2, code: 'INSTALL_USER_CONFIG' },
    { title: 'an env reference that is not a variable name', args: ['dir=~/notes', 'token=env:1-bad'], status: 2, code: 'INSTALL_USER_CONFIG' },
    { title: 'a directory that does not exist', args: ['dir=~/missing'], status: 2, code: 'INSTALL_USER_CONFIG' },
    { title: 'a file where a directory is expected', args: ['dir=~/a.txt'], status: 2, code: 'INSTALL_USER_CONFIG' },
    { title: 'a directory where a file is expected', args: ['dir=~/notes', 'files=~/notes'], status: 2, code: 'INSTALL_USER_CONFIG' },
    { title: 'a relative path', args: ['dir=notes'], status: 2, code: 'INSTALL_USER_CONFIG' },
    { title: 'a single-value option given twice', args: ['dir=~/notes', 'label=a', 'label=b'], status: 2, code: 'INSTALL_USER_CONFIG' },
  ];

  const limit = pool(3);
  for (const [index, item] of cases.entries()) {
    it(`${item.title} -> ${item.code ?? 'installed'}`, async () => {
      const store = join(tmp.path, `store-${index}`);
      const result = await limit(() =>
        runCli(['install', bundle, '--key', publicKey, '--store', store, '--json', ...item.args.flatMap((arg) => ['--user-config', arg])], { env: { HOME: home } }),
      );
      assert.equal(result.status, item.status, result.stderr);
      if (item.code) {
        assert.equal((jsonOf(result)['error'] as { code: string }).code, item.code);
        return;
      }
      const realHome = await realpath(home);
      const entry = (await readLock(join(store, 'mcpseal.lock.json'))).bundles['configured']!;
      assert.deepEqual(entry.userConfig, item.recorded!((name) => join(realHome, name)));
      assert.ok(entry.grants.read.includes(join(realHome, 'notes')), 'the directory answer is a resolved read grant');
    });
  }

  it('a literal secret is named in the message with the way out, and appears nowhere on disk', async () => {
    const store = join(tmp.path, 'store-secret');
    const result = await runCli(['install', bundle, '--key', publicKey, '--store', store, '--user-config', 'dir=~/notes', '--user-config', 'token=s3cr3t-value'], {
      env: { HOME: home },
    });
    assert.equal(result.status, 2);
    assert.match(result.stderr, /token is sensitive.*--user-config token=env:NAME/u);
    await assert.rejects(readFile(join(store, 'mcpseal.lock.json')), { code: 'ENOENT' });
  });
});
