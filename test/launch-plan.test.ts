// The launch plan (issue 12 item 1): a table of lock entries and manifests, each with the part of
// the plan it must produce, and one real process that installs a signed bundle and prints its plan.

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, realpath, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'mocha';
import { MCPSealError } from '../lib/errors.ts';
import { launchPlan, type LaunchEntry, type LaunchManifest, type LaunchPlan, type MachineFacts } from '../lib/launch/plan.ts';
import { SYSTEM_READ_PATHS } from '../lib/launch/system-paths.ts';
import { jsonOf, runCli, tempDir } from './helpers/cli.ts';
import { makeSigner, signedBundle } from './helpers/install.ts';
import { launchEntry } from './helpers/launch-entry.ts';

const SHA = 'a'.repeat(64);
const MACHINE: MachineFacts = { platform: 'linux', store: '/store', home: '/home/alice' };
const TREE = `/store/sha256/${SHA}`;
const PRIVATE_HOME = '/store/home/notes';

function entry(over: { grants?: Partial<LaunchEntry['grants']>; userConfig?: LaunchEntry['userConfig'] } = {}): LaunchEntry {
  return launchEntry({ sha256: SHA, ...over });
}

function manifest(config: LaunchManifest['server']['mcp_config']): LaunchManifest {
  return { server: { type: 'node', mcp_config: config } };
}

interface Case {
  title: string;
  entry: LaunchEntry;
  manifest: LaunchManifest;
  env?: Record<string, string | undefined>;
  machine?: Partial<MachineFacts>;
  check: (plan: LaunchPlan) => void;
}

const CASES: Case[] = [
  {
    title: 'variables: ${__dirname} is the store tree, ${HOME} the private home, DESKTOP/DOCUMENTS/DOWNLOADS the real user\'s, ${/} the separator',
    entry: entry(),
    manifest: manifest({ command: 'node', args: ['${__dirname}${/}server/index.js', '--data=${HOME}/data', '${DESKTOP}', '${DOCUMENTS}', '${DOWNLOADS}'] }),
    check: (plan) =>
      assert.deepEqual(plan.argv, ['node', `${TREE}/server/index.js`, `--data=${PRIVATE_HOME}/data`, '/home/alice/Desktop', '/home/alice/Documents', '/home/alice/Downloads']),
  },
  {
    title: 'user_config: recorded values substituted, a multiple option spread over arguments, an unset option dropped',
    entry: entry({ userConfig: { dir: { value: '/home/alice/notes' }, count: { value: 3 }, files: { value: ['/a', '/b'] } } }),
    manifest: manifest({ command: 'node', args: ['x.js', '${user_config.dir}', '--count=${user_config.count}', '${user_config.files}', '${user_config.unset}', '--all=${user_config.files}'] }),
    check: (plan) => assert.deepEqual(plan.argv, ['node', 'x.js', '/home/alice/notes', '--count=3', '/a', '/b', '--all=/a,/b']),
  },
  {
    title: 'env:NAME answers are read from the environment at launch',
    entry: entry({ userConfig: { token: { env: 'NOTES_TOKEN' } }, grants: { env: { read: ['TOKEN'], secrets: ['TOKEN'] } } }),
    manifest: manifest({ command: 'node', args: ['x.js'], env: { TOKEN: '${user_config.token}' } }),
    env: { NOTES_TOKEN: 's3cret' },
    check: (plan) => assert.equal(plan.env['TOKEN'], 's3cret'),
  },
  {
    title: 'the platform override for this machine replaces command, args and env; another platform\'s is ignored',
    entry: entry(),
    manifest: manifest({
      command: 'node',
      args: ['base.js'],
      env: { MODE: 'base' },
      platform_overrides: { linux: { command: 'node', args: ['${__dirname}/linux.js'], env: { MODE: 'linux' } }, darwin: { args: ['mac.js'] } },
    }),
    check: (plan) => {
      assert.deepEqual(plan.argv, ['node', `${TREE}/linux.js`]);
      assert.equal(plan.env['MODE'], 'linux');
    },
  },
  {
    title: 'an override that sets only args keeps the base command',
    entry: entry(),
    manifest: manifest({ command: 'python3', args: ['base.py'], platform_overrides: { linux: { args: ['linux.py'] } } }),
    check: (plan) => assert.deepEqual(plan.argv, ['python3', 'linux.py']),
  },
  {
    title: 'env: declared keys and declared env.read names only; an undeclared variable of the user never appears; PATH minimal, HOME private, LANG kept',
    entry: entry({ grants: { env: { read: ['REGION', 'ABSENT'], secrets: [] } } }),
    manifest: manifest({ command: 'node', args: ['x.js'], env: { CONFIG: '${HOME}/config.json' } }),
    env: { REGION: 'eu', AWS_SECRET_ACCESS_KEY: 'leak', SSH_AUTH_SOCK: '/tmp/agent', PATH: '/home/alice/bin:/usr/bin', HOME: '/home/alice', LANG: 'de_DE.UTF-8' },
    check: (plan) =>
      assert.deepEqual(plan.env, { CONFIG: `${PRIVATE_HOME}/config.json`, HOME: PRIVATE_HOME, LANG: 'de_DE.UTF-8', PATH: '/usr/local/bin:/usr/bin:/bin', REGION: 'eu' }),
  },
  {
    title: 'env: LANG defaults to C.UTF-8; a declared HOME cannot point at the user\'s home',
    entry: entry(),
    manifest: manifest({ command: 'node', args: ['x.js'], env: { HOME: '/home/alice' } }),
    env: {},
    check: (plan) => assert.deepEqual(plan.env, { HOME: PRIVATE_HOME, LANG: 'C.UTF-8', PATH: '/usr/local/bin:/usr/bin:/bin' }),
  },
  {
    title: 'filesystem: system dirs, the tree and read grants read-only; write grants and the private home read-write; private /tmp; nothing else of $HOME',
    entry: entry({ grants: { read: ['/home/alice/notes'], write: ['/home/alice/out'], runtime: { roots: 'read', cwd: 'write', userDriven: null } } }),
    manifest: manifest({ command: 'node', args: ['x.js'] }),
    check: (plan) => {
      assert.deepEqual(plan.filesystem.readOnly, [...SYSTEM_READ_PATHS.linux, TREE, '/home/alice/notes']);
      assert.deepEqual(plan.filesystem.readWrite, ['/home/alice/out', PRIVATE_HOME]);
      assert.equal(plan.filesystem.privateTmp, true);
      // Granted at run time, and nothing given at launch (no --root, no working directory): nothing more shared.
      assert.deepEqual(plan.filesystem.runtime, { roots: 'read', cwd: 'write', rootPaths: [], cwdPath: null, cwdRefused: null });
      assert.equal(plan.workdir, TREE);
      const all = [...plan.filesystem.readOnly, ...plan.filesystem.readWrite];
      assert.ok(!all.includes('/home/alice') && !all.includes('/tmp'), 'neither the whole home nor the host /tmp is mounted');
    },
  },
  {
    title: 'no egress, no user-driven egress and no listen = no network',
    entry: entry(),
    manifest: manifest({ command: 'node', args: ['x.js'] }),
    check: (plan) => assert.deepEqual(plan.network, { none: true, egress: [], userDriven: null, listen: false }),
  },
  {
    title: 'declared egress and user-driven egress are listed, and the network is not none',
    entry: entry({ grants: { egress: ['api.example.com:443'], runtime: { roots: 'none', cwd: 'none', userDriven: { reason: 'fetch URLs the user names', ports: [443] } } } }),
    manifest: manifest({ command: 'node', args: ['x.js'] }),
    check: (plan) => {
      assert.equal(plan.network.none, false);
      assert.deepEqual(plan.network.egress, ['api.example.com:443']);
      assert.deepEqual(plan.network.userDriven?.ports, [443]);
    },
  },
  {
    title: 'process rules come from the grants',
    entry: entry({ grants: { spawn: ['git'], workers: true, nativeAddons: true } }),
    manifest: manifest({ command: 'node', args: ['x.js'] }),
    check: (plan) => assert.deepEqual(plan.process, { spawn: ['git'], workers: true, nativeAddons: true }),
  },
];

describe('launch plan', () => {
  for (const item of CASES) {
    it(item.title, () => {
      item.check(launchPlan(item.entry, item.manifest, { ...MACHINE, ...item.machine }, item.env ?? {}));
    });
  }

  for (const [title, env] of [
    ['unset', {}],
    ['empty', { NOTES_TOKEN: '' }],
  ] as const) {
    it(`an env:NAME answer whose variable is ${title} at launch is LAUNCH_CONFIG_MISSING, naming the variable`, () => {
      const withToken = entry({ userConfig: { token: { env: 'NOTES_TOKEN' } } });
      assert.throws(
        () => launchPlan(withToken, manifest({ command: 'node', args: ['--token=${user_config.token}'] }), MACHINE, env),
        (error: unknown) => error instanceof MCPSealError && error.code === 'LAUNCH_CONFIG_MISSING' && error.message.includes('NOTES_TOKEN'),
      );
    });
  }

  it('a variable named like an Object.prototype member finds nothing inherited', () => {
    const plan = launchPlan(entry(), manifest({ command: 'node', args: ['${user_config.constructor}', 'x'] }), MACHINE, {});
    assert.deepEqual(plan.argv, ['node', 'x']);
    assert.throws(() => launchPlan(entry(), manifest({ command: 'node', args: ['${toString}'] }), MACHINE, {}), /unknown variable/u);
  });
});

describe('run <name> --print-plan (real process)', function () {
  this.timeout(120_000);
  let tmp: { path: string; cleanup: () => Promise<void> };
  let store: string;
  let home: string;

  before(async () => {
    tmp = await tempDir('mcpseal-run-plan-');
    home = join(tmp.path, 'home');
    store = join(tmp.path, 'store');
    await mkdir(join(home, 'notes'), { recursive: true });
    await writeFile(join(home, 'a.txt'), 'a');
    const signer = await makeSigner(tmp.path);
    const bundle = await signedBundle(tmp.path, signer, {
      name: 'planned',
      userConfig: {
        dir: { type: 'directory', title: 'Notes', description: 'where notes live', required: true },
        token: { type: 'string', title: 'Token', description: 'API token', sensitive: true },
      },
      args: ['${__dirname}/server/index.js', '${user_config.dir}'],
      env: { TOKEN: '${user_config.token}' },
      scopes: {
        filesystem: { read: ['${__dirname}'], write: ['${user_config.dir}'] },
        env: { read: ['TOKEN'], secrets: ['TOKEN'] },
      },
    });
    const installed = await runCli(['install', bundle, '--key', signer.publicKeyPath, '--store', store, '--user-config', 'dir=${HOME}/notes', '--user-config', 'token=env:PLAN_TOKEN'], {
      env: { HOME: home },
    });
    assert.equal(installed.status, 0, installed.stderr);
  });
  after(() => tmp.cleanup());

  it('prints the plan as JSON: substituted argv, filtered env, the write grant read-write, no network', async () => {
    const result = await runCli(['run', 'planned', '--print-plan', '--json', '--store', store], { env: { HOME: home, PLAN_TOKEN: 'tok', LEAKED_SECRET: 'nope' } });
    assert.equal(result.status, 0, result.stderr);
    const { plan } = jsonOf(result) as { plan: LaunchPlan };
    const realStore = await realpath(store);
    assert.equal(plan.tree, join(realStore, 'sha256', plan.sha256));
    assert.deepEqual(plan.argv, ['node', `${plan.tree}/server/index.js`, await realpath(join(home, 'notes'))]);
    assert.equal(plan.env['TOKEN'], 'tok');
    assert.equal(plan.env['HOME'], join(realStore, 'home', 'planned'));
    assert.ok(!JSON.stringify(plan.env).includes('nope'), 'an undeclared variable of the user never reaches the server');
    assert.ok(plan.filesystem.readWrite.includes(await realpath(join(home, 'notes'))));
    assert.equal(plan.network.none, true);
    const text = await runCli(['run', 'planned', '--print-plan', '--store', store], { env: { HOME: home, PLAN_TOKEN: 'tok' } });
    assert.equal(text.status, 0, text.stderr);
    assert.match(text.stdout, /NOT started/u);
  });

  it('without the env:NAME variable it is LAUNCH_CONFIG_MISSING, exit 2', async () => {
    const result = await runCli(['run', 'planned', '--print-plan', '--json', '--store', store], { env: { HOME: home, PLAN_TOKEN: '' } });
    assert.equal(result.status, 2);
    assert.equal((jsonOf(result) as { error: { code: string } }).error.code, 'LAUNCH_CONFIG_MISSING');
  });

  it('--print-plan starts nothing: the plan says NOT started and the private home is not created', async () => {
    const result = await runCli(['run', 'planned', '--print-plan', '--store', store], { env: { HOME: home, PLAN_TOKEN: 'tok' } });
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /NOT started \(--print-plan\)/u);
    assert.equal(existsSync(join(store, 'home', 'planned')), false);
  });

  it('a name the lock does not hold is INSTALL_NOT_INSTALLED', async () => {
    const result = await runCli(['run', 'missing', '--print-plan', '--json', '--store', store], { env: { HOME: home } });
    assert.equal(result.status, 2);
    assert.equal((jsonOf(result) as { error: { code: string } }).error.code, 'INSTALL_NOT_INSTALLED');
  });
});
